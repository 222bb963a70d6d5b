//! Spark's implicit type coercion, type level: common types
//! (`TypeCoercion` for `spark.sql.ansi.enabled=false`, `AnsiTypeCoercion`
//! otherwise), comparison types, and which casts are allowed
//! (`Cast.canCast` / `Cast.canAnsiCast`).

use arrow_schema::DataType;
use ember_core::types::{
    decimal_for_integral, is_datetime, is_decimal, is_floating, is_integral, is_interval, is_numeric, is_string,
};
use ember_core::{EvalMode, Expr};

use super::decimal::{precision_scale, wider_decimal};

/// Casts unless the expression already has the type.
pub fn cast(e: Expr, to: &DataType, mode: EvalMode) -> Expr {
    if &e.data_type() == to {
        return e;
    }
    // a typed NULL literal needs no cast node
    if let Expr::Literal(v) = &e {
        if v.is_null() {
            return Expr::Literal(ember_core::ScalarValue::null_of(to));
        }
    }
    Expr::Cast { expr: Box::new(e), to: to.clone(), mode }
}

/// Position in Spark's numeric precedence (byte < short < int < long < float < double).
fn numeric_rank(dt: &DataType) -> Option<u8> {
    Some(match dt {
        DataType::Int8 => 0,
        DataType::Int16 => 1,
        DataType::Int32 => 2,
        DataType::Int64 => 3,
        DataType::Float32 => 4,
        DataType::Float64 => 5,
        _ => return None,
    })
}

/// `findTightestCommonType`: a common type reached without losing anything.
pub fn tightest_common(a: &DataType, b: &DataType) -> Option<DataType> {
    if a == b {
        return Some(a.clone());
    }
    match (a, b) {
        (DataType::Null, t) | (t, DataType::Null) => Some(t.clone()),
        _ => {
            if let (Some(x), Some(y)) = (numeric_rank(a), numeric_rank(b)) {
                return Some(if x >= y { a.clone() } else { b.clone() });
            }
            match (a, b) {
                (DataType::Timestamp(_, tz1), DataType::Timestamp(_, tz2)) => {
                    // timestamp_ntz with timestamp -> timestamp
                    Some(if tz1.is_some() {
                        a.clone()
                    } else if tz2.is_some() {
                        b.clone()
                    } else {
                        a.clone()
                    })
                }
                (DataType::Date32, DataType::Timestamp(..)) => Some(b.clone()),
                (DataType::Timestamp(..), DataType::Date32) => Some(a.clone()),
                _ => None,
            }
        }
    }
}

/// `findWiderTypeForDecimal`.
pub fn wider_decimal_type(a: &DataType, b: &DataType) -> Option<DataType> {
    match (a, b) {
        (DataType::Decimal128(..), DataType::Decimal128(..)) => {
            Some(wider_decimal(precision_scale(a)?, precision_scale(b)?))
        }
        (DataType::Decimal128(..), t) | (t, DataType::Decimal128(..)) if is_integral(t) => {
            let d = if is_decimal(a) { a } else { b };
            Some(wider_decimal(precision_scale(d)?, precision_scale(&decimal_for_integral(t)?)?))
        }
        (DataType::Decimal128(..), t) | (t, DataType::Decimal128(..)) if is_floating(t) => Some(DataType::Float64),
        _ => None,
    }
}

fn is_atomic(dt: &DataType) -> bool {
    is_numeric(dt)
        || is_string(dt)
        || is_datetime(dt)
        || is_interval(dt)
        || matches!(dt, DataType::Boolean | DataType::Binary)
}

/// `findWiderTypeForTwo`: tightest, then decimal widening, then the string
/// rules of the mode.
pub fn wider_type(a: &DataType, b: &DataType, ansi: bool) -> Option<DataType> {
    if let Some(t) = tightest_common(a, b).or_else(|| wider_decimal_type(a, b)) {
        return Some(t);
    }
    if ansi {
        wider_for_string_ansi(a, b).or_else(|| wider_for_string_ansi(b, a))
    } else {
        // stringPromotion
        match (a, b) {
            (s, t) | (t, s) if is_string(s) && is_atomic(t) && !matches!(t, DataType::Binary | DataType::Boolean) => {
                Some(DataType::Utf8)
            }
            _ => None,
        }
    }
}

/// `AnsiTypeCoercion.findWiderTypeForString` (string on the left).
fn wider_for_string_ansi(s: &DataType, t: &DataType) -> Option<DataType> {
    if !is_string(s) {
        return None;
    }
    if is_integral(t) {
        Some(DataType::Int64)
    } else if is_floating(t) || is_decimal(t) {
        Some(DataType::Float64)
    } else if matches!(t, DataType::Null) || is_string(t) {
        Some(DataType::Utf8)
    } else if matches!(t, DataType::Interval(arrow_schema::IntervalUnit::YearMonth) | DataType::Duration(_)) {
        None
    } else if is_atomic(t) {
        Some(t.clone())
    } else {
        None
    }
}

/// The common type of several (CASE branches, IN lists, coalesce, set
/// operation columns).
pub fn wider_common(types: &[DataType], ansi: bool) -> Option<DataType> {
    let mut it = types.iter();
    let mut acc = it.next()?.clone();
    for t in it {
        acc = wider_type(&acc, t, ansi)?;
    }
    Some(acc)
}

/// The type both sides of a comparison are cast to (before decimal rules,
/// which need the expressions: see `expr::coerce_comparison`).
pub fn comparison_type(a: &DataType, b: &DataType, ansi: bool) -> Option<DataType> {
    if ansi {
        return wider_type(a, b, true);
    }
    // TypeCoercion.findCommonTypeForBinaryComparison, then tightest / decimal
    let special = match (a, b) {
        (s, DataType::Date32) | (DataType::Date32, s) if is_string(s) => Some(DataType::Date32),
        (s, t @ DataType::Timestamp(..)) | (t @ DataType::Timestamp(..), s) if is_string(s) => Some(t.clone()),
        (s, DataType::Null) | (DataType::Null, s) if is_string(s) => Some(DataType::Utf8),
        (DataType::Date32, t @ DataType::Timestamp(..)) | (t @ DataType::Timestamp(..), DataType::Date32) => {
            Some(t.clone())
        }
        (s, d) | (d, s) if is_string(s) && is_decimal(d) => Some(DataType::Float64),
        (s, t) | (t, s) if is_string(s) && !is_string(t) && is_atomic(t) => Some(t.clone()),
        _ => None,
    };
    special.or_else(|| tightest_common(a, b)).or_else(|| wider_decimal_type(a, b))
}

/// `Cast.canCast` (legacy) / `Cast.canAnsiCast` (ANSI), for the types Ember has.
pub fn can_cast(from: &DataType, to: &DataType, ansi: bool) -> bool {
    use DataType::*;
    if from == to || matches!(from, Null) {
        return true;
    }
    let num = is_numeric;
    match (from, to) {
        (f, t) if is_string(t) => is_atomic(f) || matches!(f, List(_) | Struct(_) | Map(..)),
        (f, t) if is_string(f) => is_atomic(t),
        (f, t) if num(f) && num(t) => true,
        (Boolean, t) if num(t) => true,
        (f, Boolean) if num(f) => true,
        (Date32, Timestamp(..)) | (Timestamp(..), Date32) | (Timestamp(..), Timestamp(..)) => true,
        (Timestamp(..), t) if num(t) => true,
        (f, Timestamp(..)) if num(f) => true,
        (Date32, t) if num(t) || matches!(t, Boolean) => !ansi,
        (Timestamp(..), Boolean) | (Boolean, Timestamp(..)) => !ansi,
        (Binary, _) => false,
        (f, t) if is_interval(f) && (is_interval(t) || is_integral(t) || is_decimal(t)) => true,
        (f, t) if is_integral(f) && is_interval(t) => true,
        _ => false,
    }
}

/// Whether an argument of type `from` may be implicitly cast to the
/// parameter type `to` of a function.
pub fn can_implicit_cast(from: &DataType, to: &DataType, ansi: bool) -> bool {
    if from == to || matches!(from, DataType::Null) {
        return true;
    }
    let _ = ansi;
    match (from, to) {
        (f, t) if is_numeric(f) && is_numeric(t) => true,
        (f, t)
            if is_string(f)
                && (is_numeric(t) || is_datetime(t) || matches!(t, DataType::Binary | DataType::Boolean)) =>
        {
            true
        }
        (f, t) if is_string(t) => is_numeric(f) || is_datetime(f) || matches!(f, DataType::Binary | DataType::Boolean),
        (DataType::Date32, DataType::Timestamp(..)) | (DataType::Timestamp(..), DataType::Date32) => true,
        (DataType::Timestamp(..), DataType::Timestamp(..)) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wider_types() {
        assert_eq!(wider_type(&DataType::Int32, &DataType::Int64, true), Some(DataType::Int64));
        assert_eq!(wider_type(&DataType::Int32, &DataType::Float32, true), Some(DataType::Float32));
        assert_eq!(wider_type(&DataType::Int32, &DataType::Decimal128(5, 2), true), Some(DataType::Decimal128(12, 2)));
        assert_eq!(wider_type(&DataType::Float64, &DataType::Decimal128(15, 2), true), Some(DataType::Float64));
        // legacy: string promotion; ANSI: string goes to the other side
        assert_eq!(wider_type(&DataType::Int32, &DataType::Utf8, false), Some(DataType::Utf8));
        assert_eq!(wider_type(&DataType::Int32, &DataType::Utf8, true), Some(DataType::Int64));
        assert_eq!(wider_type(&DataType::Utf8, &DataType::Date32, true), Some(DataType::Date32));
        assert_eq!(wider_type(&DataType::Boolean, &DataType::Int32, true), None);
    }

    #[test]
    fn comparison_types() {
        assert_eq!(comparison_type(&DataType::Utf8, &DataType::Date32, false), Some(DataType::Date32));
        assert_eq!(comparison_type(&DataType::Utf8, &DataType::Int32, false), Some(DataType::Int32));
        assert_eq!(comparison_type(&DataType::Utf8, &DataType::Decimal128(5, 2), false), Some(DataType::Float64));
        assert_eq!(
            comparison_type(&DataType::Date32, &ember_core::types::timestamp_type(), true),
            Some(ember_core::types::timestamp_type())
        );
    }

    #[test]
    fn casts() {
        assert!(can_cast(&DataType::Utf8, &DataType::Int32, true));
        assert!(can_cast(&DataType::Date32, &DataType::Utf8, true));
        assert!(!can_cast(&DataType::Date32, &DataType::Int32, true));
        assert!(can_cast(&DataType::Date32, &DataType::Int32, false));
        assert!(!can_cast(&DataType::Int32, &DataType::Date32, false));
        assert!(!can_cast(&DataType::Binary, &DataType::Int32, false));
    }
}
