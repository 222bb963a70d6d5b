//! Spark's `DecimalPrecision`: result types of decimal arithmetic with
//! `spark.sql.decimalOperations.allowPrecisionLoss=true`, and the decimal
//! type an integer literal takes next to a decimal
//! (`spark.sql.legacy.literal.pickMinimumPrecision=true`).

use arrow_schema::DataType;
use ember_core::expr::BinaryOp;
use ember_core::types::{adjust_decimal, bounded_decimal, decimal_for_integral, MIN_ADJUSTED_SCALE};
use ember_core::ScalarValue;

pub fn precision_scale(dt: &DataType) -> Option<(i32, i32)> {
    match dt {
        DataType::Decimal128(p, s) => Some((*p as i32, *s as i32)),
        _ => None,
    }
}

/// `DecimalPrecision.widerDecimalType`: holds every value of both types.
pub fn wider_decimal(a: (i32, i32), b: (i32, i32)) -> DataType {
    let scale = a.1.max(b.1);
    let range = (a.0 - a.1).max(b.0 - b.1);
    bounded_decimal(range + scale, scale)
}

/// The result type of `l op r` over decimals.
pub fn arithmetic_result(op: BinaryOp, l: (i32, i32), r: (i32, i32)) -> DataType {
    let ((p1, s1), (p2, s2)) = (l, r);
    match op {
        BinaryOp::Plus | BinaryOp::Minus => {
            let scale = s1.max(s2);
            adjust_decimal((p1 - s1).max(p2 - s2) + scale + 1, scale)
        }
        BinaryOp::Multiply => adjust_decimal(p1 + p2 + 1, s1 + s2),
        BinaryOp::Divide => {
            let int_digits = p1 - s1 + s2;
            let scale = (MIN_ADJUSTED_SCALE as i32).max(s1 + p2 + 1);
            adjust_decimal(int_digits + scale, scale)
        }
        BinaryOp::Modulo => {
            let scale = s1.max(s2);
            adjust_decimal((p1 - s1).min(p2 - s2) + scale, scale)
        }
        BinaryOp::IntDivide => DataType::Int64,
        _ => wider_decimal(l, r),
    }
}

/// The decimal an integral operand becomes next to a decimal: the narrowest
/// that holds a literal's value, else the type's full range.
pub fn decimal_for_operand(dt: &DataType, literal: Option<&ScalarValue>) -> Option<DataType> {
    if let Some(v) = literal.and_then(|l| l.as_i64()) {
        let digits = v.unsigned_abs().to_string().len() as u8;
        return Some(DataType::Decimal128(digits.max(1), 0));
    }
    decimal_for_integral(dt)
}

/// `sum` over a decimal: `decimal(min(38, p + 10), s)`.
pub fn sum_type(p: i32, s: i32) -> DataType {
    bounded_decimal(p + 10, s)
}

/// `avg` over a decimal: `decimal(min(38, p + 4), min(38, s + 4))`.
pub fn avg_type(p: i32, s: i32) -> DataType {
    bounded_decimal(p + 4, s + 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tpch_decimal_types() {
        // 1 - l_discount: literal 1 is decimal(1,0), l_discount decimal(15,2)
        let one_minus = arithmetic_result(BinaryOp::Minus, (1, 0), (15, 2));
        assert_eq!(one_minus, DataType::Decimal128(16, 2));
        let prod = arithmetic_result(BinaryOp::Multiply, (15, 2), (16, 2));
        assert_eq!(prod, DataType::Decimal128(32, 4));
        assert_eq!(sum_type(32, 4), DataType::Decimal128(38, 4));
        // l_extendedprice * (1 - l_discount) * (1 + l_tax) -> decimal(38,6)
        assert_eq!(arithmetic_result(BinaryOp::Multiply, (32, 4), (16, 2)), DataType::Decimal128(38, 6));
        assert_eq!(avg_type(15, 2), DataType::Decimal128(19, 6));
        // decimal(38,4) / decimal(38,4): scale max(6, 4+38+1)=43 -> adjusted to (38,6)
        assert_eq!(arithmetic_result(BinaryOp::Divide, (38, 4), (38, 4)), DataType::Decimal128(38, 6));
        // 0.2 * avg(l_quantity): decimal(1,1) * decimal(19,6) = decimal(21,7)
        assert_eq!(arithmetic_result(BinaryOp::Multiply, (1, 1), (19, 6)), DataType::Decimal128(21, 7));
        assert_eq!(wider_decimal((10, 0), (5, 2)), DataType::Decimal128(12, 2));
        assert_eq!(wider_decimal((10, 0), (15, 2)), DataType::Decimal128(15, 2));
    }
}
