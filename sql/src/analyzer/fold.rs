//! The few constants Spark folds during analysis: LIMIT / OFFSET values and
//! the rows of an inline table (`VALUES`), cast to their column types.

use arrow_schema::DataType;
use ember_core::{Error, Expr, Result, ScalarValue};

use super::expr::quoted;

/// Folds a constant expression to a value of `to`, for the simple cases of
/// inline tables (widening numbers, typing NULLs); `None` when it cannot.
pub fn fold_to(e: &Expr, to: &DataType) -> Option<ScalarValue> {
    let v = fold(e)?;
    convert(v, to)
}

fn fold(e: &Expr) -> Option<ScalarValue> {
    match e {
        Expr::Literal(v) => Some(v.clone()),
        Expr::Cast { expr, to, .. } => convert(fold(expr)?, to),
        _ => None,
    }
}

fn pow10(s: i8) -> Option<i128> {
    10i128.checked_pow(s as u32)
}

fn fits(v: i128, p: u8) -> bool {
    v.unsigned_abs() < 10u128.pow(p as u32)
}

fn convert(v: ScalarValue, to: &DataType) -> Option<ScalarValue> {
    if &v.data_type() == to {
        return Some(v);
    }
    if v.is_null() {
        return Some(ScalarValue::null_of(to));
    }
    let int = v.as_i64();
    match (to, &v) {
        (DataType::Int8, _) => int.and_then(|i| i8::try_from(i).ok()).map(|i| ScalarValue::Int8(Some(i))),
        (DataType::Int16, _) => int.and_then(|i| i16::try_from(i).ok()).map(|i| ScalarValue::Int16(Some(i))),
        (DataType::Int32, _) => int.and_then(|i| i32::try_from(i).ok()).map(|i| ScalarValue::Int32(Some(i))),
        (DataType::Int64, _) => int.map(|i| ScalarValue::Int64(Some(i))),
        (DataType::Float32, ScalarValue::Float64(Some(f))) => Some(ScalarValue::Float32(Some(*f as f32))),
        (DataType::Float64, ScalarValue::Float32(Some(f))) => Some(ScalarValue::Float64(Some(*f as f64))),
        (DataType::Float32, _) => int.map(|i| ScalarValue::Float32(Some(i as f32))),
        (DataType::Float64, ScalarValue::Decimal(Some(x), _, s)) => {
            Some(ScalarValue::Float64(Some(*x as f64 / 10f64.powi(*s as i32))))
        }
        (DataType::Float64, _) => int.map(|i| ScalarValue::Float64(Some(i as f64))),
        (DataType::Decimal128(p, s), ScalarValue::Decimal(Some(x), _, s0)) if s >= s0 => {
            let x = x.checked_mul(pow10(*s - *s0)?)?;
            fits(x, *p).then_some(ScalarValue::Decimal(Some(x), *p, *s))
        }
        (DataType::Decimal128(p, s), _) => {
            let x = (int? as i128).checked_mul(pow10(*s)?)?;
            fits(x, *p).then_some(ScalarValue::Decimal(Some(x), *p, *s))
        }
        _ => None,
    }
}

/// The value of a LIMIT or OFFSET expression: a non-negative integer constant.
pub fn limit_value(e: &Expr, name: &str, sql: &str) -> Result<usize> {
    let t = e.data_type();
    if !ember_core::types::is_integral(&t) && !matches!(t, DataType::Null) {
        return Err(Error::spark(
            "INVALID_LIMIT_LIKE_EXPRESSION.DATA_TYPE",
            &[("name", name.into()), ("expr", quoted(sql)), ("dataType", super::expr::type_str(&t))],
        ));
    }
    let Some(v) = fold(e) else {
        return Err(Error::spark(
            "INVALID_LIMIT_LIKE_EXPRESSION.IS_UNFOLDABLE",
            &[("name", name.into()), ("expr", quoted(sql))],
        ));
    };
    if v.is_null() {
        return Err(Error::spark(
            "INVALID_LIMIT_LIKE_EXPRESSION.IS_NULL",
            &[("name", name.into()), ("expr", quoted(sql))],
        ));
    }
    let n = v.as_i64().unwrap_or(0);
    if n < 0 {
        return Err(Error::spark(
            "INVALID_LIMIT_LIKE_EXPRESSION.IS_NEGATIVE",
            &[("name", name.into()), ("expr", quoted(sql)), ("v", n.to_string())],
        ));
    }
    Ok(n as usize)
}
