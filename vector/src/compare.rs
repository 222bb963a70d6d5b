//! Comparisons with Spark semantics: `= <> < <= > >= <=>` on same-typed
//! inputs.
//!
//! Arrow's `cmp` kernels serve every type whose order matches Spark's. Floats
//! get their own kernel because Spark orders them differently from IEEE and
//! from Arrow's `total_cmp`: NaN equals NaN and is above every number, and
//! -0.0 equals 0.0. `<=>` is never NULL: NULL <=> NULL is true.

use std::cmp::Ordering;

use arrow::array::{Array, ArrayRef, BooleanArray};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use arrow::compute::kernels::cmp;
use arrow::datatypes::{i256, ArrowPrimitiveType, DataType, Decimal128Type, Float32Type, Float64Type};
use ember_core::expr::BinaryOp;
use ember_core::{Error, Result};

use crate::decimal::pow10_256;
use crate::util::{as_primitive, check_same_len, union_nulls};

/// `left op right`, row by row.
pub fn compare(op: BinaryOp, left: &ArrayRef, right: &ArrayRef) -> Result<BooleanArray> {
    check_same_len(left, right)?;
    if let DataType::Dictionary(_, v) = left.data_type() {
        return compare(op, &arrow::compute::cast(left, v)?, right);
    }
    if let DataType::Dictionary(_, v) = right.data_type() {
        return compare(op, left, &arrow::compute::cast(right, v)?);
    }
    let (lt, rt) = (left.data_type(), right.data_type());
    match (lt, rt) {
        (DataType::Null, _) | (_, DataType::Null) => Ok(null_compare(op, left, right)),
        (DataType::Float64, DataType::Float64) => float_compare::<Float64Type>(op, left, right),
        (DataType::Float32, DataType::Float32) => float_compare::<Float32Type>(op, left, right),
        (DataType::Decimal128(_, s1), DataType::Decimal128(_, s2)) if s1 != s2 => {
            decimal_compare(op, left, right, *s1, *s2)
        }
        (DataType::Decimal128(_, _), DataType::Decimal128(_, _)) if lt != rt => {
            // same scale, different precision: compare unscaled values
            let l = arrow::compute::cast(left, &DataType::Decimal128(38, decimal_scale(lt)))?;
            let r = arrow::compute::cast(right, &DataType::Decimal128(38, decimal_scale(rt)))?;
            arrow_compare(op, &l, &r)
        }
        _ if lt == rt => arrow_compare(op, left, right),
        _ => Err(Error::internal(format!("cannot compare {lt} with {rt}"))),
    }
}

/// `left op literal`, where `literal` is a one-row array: arrow's kernels
/// compare against the single value without expanding it to a column.
/// Types whose comparison is not arrow's (floats, decimals of another
/// scale, dictionaries, NULL) expand the literal and take [`compare`].
pub fn compare_to_literal(op: BinaryOp, left: &ArrayRef, literal: &ArrayRef) -> Result<BooleanArray> {
    if literal.len() != 1 {
        return Err(Error::internal("a literal comparison needs a one-row literal"));
    }
    let (lt, rt) = (left.data_type(), literal.data_type());
    let same_scale_decimal = matches!((lt, rt), (DataType::Decimal128(_, s1), DataType::Decimal128(_, s2)) if s1 == s2);
    let direct = match lt {
        DataType::Null | DataType::Float32 | DataType::Float64 | DataType::Dictionary(_, _) => false,
        _ => lt == rt || same_scale_decimal,
    };
    if !direct || literal.is_null(0) && op == BinaryOp::EqNullSafe {
        let expanded = repeat_literal(literal, left.len())?;
        return compare(op, left, &expanded);
    }
    let literal = if lt != rt {
        // same scale: the unscaled value compares as is; take the column's
        // precision so the kernel sees one type (precision is not checked
        // against the value here, only the scale matters for order)
        let d = as_primitive::<Decimal128Type>(literal.as_ref())?;
        let DataType::Decimal128(p, s) = lt else { unreachable!("checked above") };
        std::sync::Arc::new(d.clone().with_precision_and_scale(*p, *s)?) as ArrayRef
    } else {
        literal.clone()
    };
    arrow_compare(op, left, &arrow::array::Scalar::new(literal))
}

/// `n` copies of the one value of `literal`.
fn repeat_literal(literal: &ArrayRef, n: usize) -> Result<ArrayRef> {
    let indices = arrow::array::UInt32Array::from(vec![0u32; n]);
    Ok(arrow::compute::take(literal.as_ref(), &indices, None)?)
}

fn decimal_scale(dt: &DataType) -> i8 {
    match dt {
        DataType::Decimal128(_, s) => *s,
        _ => 0,
    }
}

/// Arrow's comparison kernels, on arrays or a one-value `Scalar`.
fn arrow_compare(op: BinaryOp, l: &dyn arrow::array::Datum, r: &dyn arrow::array::Datum) -> Result<BooleanArray> {
    Ok(match op {
        BinaryOp::Eq => cmp::eq(l, r)?,
        BinaryOp::NotEq => cmp::neq(l, r)?,
        BinaryOp::Lt => cmp::lt(l, r)?,
        BinaryOp::LtEq => cmp::lt_eq(l, r)?,
        BinaryOp::Gt => cmp::gt(l, r)?,
        BinaryOp::GtEq => cmp::gt_eq(l, r)?,
        BinaryOp::EqNullSafe => cmp::not_distinct(l, r)?,
        other => return Err(Error::internal(format!("not a comparison: {}", other.symbol()))),
    })
}

/// Comparisons with a `void` side: NULL, or for `<=>` whether the other is NULL.
fn null_compare(op: BinaryOp, left: &ArrayRef, right: &ArrayRef) -> BooleanArray {
    let n = left.len();
    if op == BinaryOp::EqNullSafe {
        let other = if matches!(left.data_type(), DataType::Null) { right } else { left };
        // `logical_nulls`, not `is_null`: a `NullArray` has no null buffer,
        // so `is_null` reports its rows as valid
        let nulls = other.logical_nulls();
        let values = BooleanBuffer::collect_bool(n, |i| nulls.as_ref().is_some_and(|x| x.is_null(i)));
        return BooleanArray::new(values, None);
    }
    BooleanArray::new_null(n)
}

/// Spark's order on floating-point numbers.
#[inline(always)]
pub fn spark_float_cmp<F: num_like::Float>(a: F, b: F) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        // -0.0 == 0.0 under partial_cmp
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// The float operations the comparison kernel needs.
pub mod num_like {
    pub trait Float: Copy + PartialOrd {
        fn is_nan(self) -> bool;
    }
    impl Float for f32 {
        fn is_nan(self) -> bool {
            f32::is_nan(self)
        }
    }
    impl Float for f64 {
        fn is_nan(self) -> bool {
            f64::is_nan(self)
        }
    }
}

fn float_compare<T>(op: BinaryOp, left: &ArrayRef, right: &ArrayRef) -> Result<BooleanArray>
where
    T: ArrowPrimitiveType,
    T::Native: num_like::Float,
{
    let l = as_primitive::<T>(left.as_ref())?;
    let r = as_primitive::<T>(right.as_ref())?;
    let (lv, rv) = (l.values(), r.values());
    ordered_compare(op, left, right, |i| spark_float_cmp(lv[i], rv[i]))
}

/// Decimals of different scales: compare exactly after upscaling in i256.
fn decimal_compare(op: BinaryOp, left: &ArrayRef, right: &ArrayRef, s1: i8, s2: i8) -> Result<BooleanArray> {
    let l = as_primitive::<Decimal128Type>(left.as_ref())?;
    let r = as_primitive::<Decimal128Type>(right.as_ref())?;
    let sc = s1.max(s2);
    let m1 = pow10_256((sc - s1) as u32).unwrap_or(i256::ONE);
    let m2 = pow10_256((sc - s2) as u32).unwrap_or(i256::ONE);
    let (lv, rv) = (l.values(), r.values());
    ordered_compare(op, left, right, |i| {
        let a = i256::from_i128(lv[i]).wrapping_mul(m1);
        let b = i256::from_i128(rv[i]).wrapping_mul(m2);
        a.cmp(&b)
    })
}

/// Builds the result of a comparison from a row ordering.
fn ordered_compare<F: Fn(usize) -> Ordering>(
    op: BinaryOp,
    left: &ArrayRef,
    right: &ArrayRef,
    ord: F,
) -> Result<BooleanArray> {
    let n = left.len();
    let pred: fn(Ordering) -> bool = match op {
        BinaryOp::Eq | BinaryOp::EqNullSafe => Ordering::is_eq,
        BinaryOp::NotEq => Ordering::is_ne,
        BinaryOp::Lt => Ordering::is_lt,
        BinaryOp::LtEq => Ordering::is_le,
        BinaryOp::Gt => Ordering::is_gt,
        BinaryOp::GtEq => Ordering::is_ge,
        other => return Err(Error::internal(format!("not a comparison: {}", other.symbol()))),
    };
    let values = BooleanBuffer::collect_bool(n, |i| pred(ord(i)));
    if op == BinaryOp::EqNullSafe {
        let (ln, rn) = (left.logical_nulls(), right.logical_nulls());
        let values = BooleanBuffer::collect_bool(n, |i| {
            let a_null = ln.as_ref().is_some_and(|x| x.is_null(i));
            let b_null = rn.as_ref().is_some_and(|x| x.is_null(i));
            if a_null || b_null {
                a_null && b_null
            } else {
                values.value(i)
            }
        });
        return Ok(BooleanArray::new(values, None));
    }
    let nulls: Option<NullBuffer> = union_nulls(left.as_ref(), right.as_ref());
    Ok(BooleanArray::new(values, nulls))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::*;

    use super::*;

    fn bools(a: &BooleanArray) -> Vec<Option<bool>> {
        a.iter().collect()
    }

    #[test]
    fn literal_comparison_agrees_with_column_comparison() {
        let cases: Vec<(ArrayRef, ArrayRef)> = vec![
            (Arc::new(Int32Array::from(vec![Some(1), None, Some(5), Some(-3)])), Arc::new(Int32Array::from(vec![1]))),
            (
                Arc::new(StringArray::from(vec![Some("a"), Some("MAIL"), None, Some("SHIP")])),
                Arc::new(StringArray::from(vec!["MAIL"])),
            ),
            (
                Arc::new(
                    Decimal128Array::from(vec![Some(5), Some(6), None, Some(7)])
                        .with_precision_and_scale(15, 2)
                        .unwrap(),
                ),
                Arc::new(Decimal128Array::from(vec![6]).with_precision_and_scale(3, 2).unwrap()),
            ),
            (
                Arc::new(Decimal128Array::from(vec![Some(50), Some(6), None]).with_precision_and_scale(15, 2).unwrap()),
                Arc::new(Decimal128Array::from(vec![5]).with_precision_and_scale(2, 1).unwrap()),
            ),
            (
                Arc::new(Float64Array::from(vec![Some(f64::NAN), Some(-0.0), None, Some(2.0)])),
                Arc::new(Float64Array::from(vec![0.0])),
            ),
            (Arc::new(Int64Array::from(vec![Some(1), None])), Arc::new(Int64Array::from(vec![None::<i64>]))),
        ];
        let ops = [
            BinaryOp::Eq,
            BinaryOp::NotEq,
            BinaryOp::Lt,
            BinaryOp::LtEq,
            BinaryOp::Gt,
            BinaryOp::GtEq,
            BinaryOp::EqNullSafe,
        ];
        for (col, lit) in &cases {
            let expanded = repeat_literal(lit, col.len()).unwrap();
            for op in ops {
                let expected = compare(op, col, &expanded).unwrap();
                let got = compare_to_literal(op, col, lit).unwrap();
                assert_eq!(bools(&got), bools(&expected), "{op:?} {:?} vs {:?}", col.data_type(), lit.data_type());
            }
        }
    }

    #[test]
    fn nan_and_signed_zero() {
        let l: ArrayRef = Arc::new(Float64Array::from(vec![f64::NAN, f64::NAN, -0.0, 1.0, f64::INFINITY]));
        let r: ArrayRef = Arc::new(Float64Array::from(vec![f64::NAN, 1.0, 0.0, f64::NAN, f64::NAN]));
        assert_eq!(
            bools(&compare(BinaryOp::Eq, &l, &r).unwrap()),
            vec![Some(true), Some(false), Some(true), Some(false), Some(false)]
        );
        assert_eq!(
            bools(&compare(BinaryOp::Gt, &l, &r).unwrap()),
            vec![Some(false), Some(true), Some(false), Some(false), Some(false)]
        );
        assert_eq!(
            bools(&compare(BinaryOp::Lt, &l, &r).unwrap()),
            vec![Some(false), Some(false), Some(false), Some(true), Some(true)]
        );
    }

    #[test]
    fn null_safe_equality() {
        let l: ArrayRef = Arc::new(Int32Array::from(vec![None, None, Some(1), Some(1)]));
        let r: ArrayRef = Arc::new(Int32Array::from(vec![None, Some(1), Some(1), Some(2)]));
        assert_eq!(
            bools(&compare(BinaryOp::EqNullSafe, &l, &r).unwrap()),
            vec![Some(true), Some(false), Some(true), Some(false)]
        );
        assert_eq!(bools(&compare(BinaryOp::Eq, &l, &r).unwrap()), vec![None, None, Some(true), Some(false)]);
        let lf: ArrayRef = Arc::new(Float64Array::from(vec![None, Some(f64::NAN)]));
        let rf: ArrayRef = Arc::new(Float64Array::from(vec![None, Some(f64::NAN)]));
        assert_eq!(bools(&compare(BinaryOp::EqNullSafe, &lf, &rf).unwrap()), vec![Some(true), Some(true)]);
    }

    #[test]
    fn null_safe_equality_with_void() {
        // Spark: NULL <=> NULL is true, NULL <=> 1 and 1 <=> NULL are false
        let void: ArrayRef = Arc::new(NullArray::new(3));
        let ints: ArrayRef = Arc::new(Int32Array::from(vec![None, Some(1), None]));
        assert_eq!(
            bools(&compare(BinaryOp::EqNullSafe, &void, &void).unwrap()),
            vec![Some(true), Some(true), Some(true)]
        );
        assert_eq!(
            bools(&compare(BinaryOp::EqNullSafe, &void, &ints).unwrap()),
            vec![Some(true), Some(false), Some(true)]
        );
        assert_eq!(
            bools(&compare(BinaryOp::EqNullSafe, &ints, &void).unwrap()),
            vec![Some(true), Some(false), Some(true)]
        );
        assert_eq!(bools(&compare(BinaryOp::Eq, &void, &void).unwrap()), vec![None, None, None]);
    }

    #[test]
    fn strings_and_decimals() {
        let l: ArrayRef = Arc::new(StringArray::from(vec!["a", "b", "é"]));
        let r: ArrayRef = Arc::new(StringArray::from(vec!["b", "b", "z"]));
        assert_eq!(bools(&compare(BinaryOp::Lt, &l, &r).unwrap()), vec![Some(true), Some(false), Some(false)]);
        let a: ArrayRef = Arc::new(Decimal128Array::from(vec![150]).with_precision_and_scale(5, 2).unwrap());
        let b: ArrayRef = Arc::new(Decimal128Array::from(vec![15]).with_precision_and_scale(3, 1).unwrap());
        assert_eq!(bools(&compare(BinaryOp::Eq, &a, &b).unwrap()), vec![Some(true)]);
    }
}
