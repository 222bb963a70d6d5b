//! `CAST(x AS t)` with Spark semantics for each eval mode.
//!
//! TIMESTAMP values are instants; the session time zone turns them into
//! wall-clock text, dates and TIMESTAMP_NTZ values and back (Spark's
//! `Cast.timeZoneId`). The Arrow zone tag of a TIMESTAMP array is not
//! consulted: plans tag every TIMESTAMP "UTC" and the zone comes from the
//! session.
//!
//! One file per family: numeric <-> numeric/boolean (`numeric.rs`), string
//! -> anything (`from_string.rs`), anything -> string (`to_string.rs`), and
//! date/timestamp conversions (`datetime.rs`). Arrow's cast kernel is used
//! only for pairs where its result is Spark's (lossless integer widening,
//! integer -> floating point, float widening).

mod datetime;
mod from_string;
mod numeric;
mod to_string;

use std::sync::Arc;

use arrow::array::{new_null_array, Array, ArrayRef, PrimitiveArray, StringArray};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use arrow::datatypes::{ArrowPrimitiveType, DataType};
use ember_core::types::spark_sql_type_name;
use ember_core::{Error, EvalMode, Result, ScalarValue};

use crate::tz::TimeZone;

pub use from_string::{parse_bool, parse_f64, parse_integer};

/// Casts `a` to `to` in a UTC session.
pub fn cast(a: &ArrayRef, to: &DataType, mode: EvalMode) -> Result<ArrayRef> {
    cast_in_zone(a, to, mode, crate::tz::utc())
}

/// Casts `a` to `to`; `tz` is the session time zone, which casts between
/// TIMESTAMP and strings, dates or TIMESTAMP_NTZ go through.
pub fn cast_in_zone(a: &ArrayRef, to: &DataType, mode: EvalMode, tz: &TimeZone) -> Result<ArrayRef> {
    let from = a.data_type();
    if from == to {
        return Ok(a.clone());
    }
    if matches!(from, DataType::Null) {
        return Ok(new_null_array(to, a.len()));
    }
    if let DataType::Dictionary(_, values) = from {
        // dictionary-encoded input (e.g. from Parquet): decode, then cast
        let decoded = arrow::compute::cast(a, values)?;
        return cast_in_zone(&decoded, to, mode, tz);
    }
    let is_string = |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    if is_string(from) && is_string(to) {
        return Ok(arrow::compute::cast(a, to)?);
    }
    match (from, to) {
        (DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View, _) => {
            let utf8;
            let s = if matches!(from, DataType::Utf8) {
                a
            } else {
                utf8 = arrow::compute::cast(a, &DataType::Utf8)?;
                &utf8
            };
            from_string::cast_from_string(crate::util::as_utf8(s.as_ref())?, to, mode, tz)
        }
        (_, DataType::Utf8) => to_string::cast_to_string(a, tz),
        (_, DataType::LargeUtf8 | DataType::Utf8View) => {
            let s = to_string::cast_to_string(a, tz)?;
            Ok(arrow::compute::cast(&s, to)?)
        }
        (DataType::Date32 | DataType::Timestamp(_, _), _) | (_, DataType::Date32 | DataType::Timestamp(_, _)) => {
            datetime::cast_datetime(a, to, mode, tz)
        }
        (DataType::Binary, _) | (_, DataType::Binary) => Err(unsupported(from, to)),
        _ => numeric::cast_numeric(a, to, mode),
    }
}

fn unsupported(from: &DataType, to: &DataType) -> Error {
    Error::internal(format!("cast from {from} to {to} is not supported by the kernels"))
}

/// Why one value could not be cast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CastFail {
    /// Malformed input (`CAST_INVALID_INPUT`).
    Invalid,
    /// Out of range of an integral/floating type (`CAST_OVERFLOW`).
    Overflow,
    /// Out of range of a decimal type (`NUMERIC_VALUE_OUT_OF_RANGE`).
    DecimalOverflow,
}

/// Applies `f` to every valid string; a failure raises `err` in Ansi mode and
/// is NULL otherwise.
pub(crate) fn strings_to_primitive<O, F, E>(a: &StringArray, mode: EvalMode, f: F, err: E) -> Result<PrimitiveArray<O>>
where
    O: ArrowPrimitiveType,
    F: Fn(&str) -> std::result::Result<O::Native, CastFail>,
    E: Fn(&str, CastFail) -> Error,
{
    let n = a.len();
    let mut values: Vec<O::Native> = Vec::with_capacity(n);
    let mut bad: Option<Vec<bool>> = None;
    for i in 0..n {
        if a.is_null(i) {
            values.push(O::Native::default());
            continue;
        }
        let s = a.value(i);
        match f(s) {
            Ok(v) => values.push(v),
            Err(fail) => {
                if mode == EvalMode::Ansi {
                    return Err(err(s, fail));
                }
                values.push(O::Native::default());
                bad.get_or_insert_with(|| vec![false; n])[i] = true;
            }
        }
    }
    let nulls = a.nulls().cloned();
    let nulls = match bad {
        Some(bad) => crate::util::null_out(nulls, &BooleanBuffer::from(bad)),
        None => nulls,
    };
    Ok(PrimitiveArray::new(values.into(), nulls))
}

/// Applies `f` to every valid value of a primitive array (skipping the per-row
/// validity test when there are no NULLs); failures as in
/// [`strings_to_primitive`], with `err` given the failing row.
pub(crate) fn map_primitive<I, O, F, E>(
    a: &PrimitiveArray<I>,
    mode: EvalMode,
    f: F,
    err: E,
) -> Result<PrimitiveArray<O>>
where
    I: ArrowPrimitiveType,
    O: ArrowPrimitiveType,
    F: Fn(I::Native) -> std::result::Result<O::Native, CastFail>,
    E: Fn(usize, CastFail) -> Error,
{
    let src = a.values();
    let mut any_fail = false;
    let values: Vec<O::Native> = src
        .iter()
        .map(|&x| match f(x) {
            Ok(v) => v,
            Err(_) => {
                any_fail = true;
                O::Native::default()
            }
        })
        .collect();
    let nulls = a.nulls().cloned();
    if !any_fail {
        return Ok(PrimitiveArray::new(values.into(), nulls));
    }
    let bad = BooleanBuffer::collect_bool(src.len(), |i| a.is_valid(i) && f(src[i]).is_err());
    if let Some(i) = bad.set_indices().next() {
        if mode == EvalMode::Ansi {
            let fail = f(src[i]).err().unwrap_or(CastFail::Invalid);
            return Err(err(i, fail));
        }
    }
    let keep = NullBuffer::new(!&bad);
    Ok(PrimitiveArray::new(values.into(), NullBuffer::union(nulls.as_ref(), Some(&keep))))
}

/// The Spark error for a failed cast of the value at row `i` of `a`.
pub(crate) fn cast_error(a: &dyn Array, i: usize, to: &DataType, fail: CastFail) -> Error {
    let value = ScalarValue::try_from_array(a, i).map(|v| v.to_string()).unwrap_or_else(|_| "?".into());
    match (fail, to) {
        (CastFail::DecimalOverflow, DataType::Decimal128(p, s)) => {
            let plain = match ScalarValue::try_from_array(a, i) {
                Ok(ScalarValue::Decimal(Some(v), _, sc)) => ember_core::format::decimal_to_string(v, sc),
                Ok(ScalarValue::Float64(Some(v))) => ember_core::format::java_double(v),
                Ok(ScalarValue::Float32(Some(v))) => ember_core::format::java_float(v),
                Ok(ScalarValue::Boolean(Some(v))) => (v as i32).to_string(),
                Ok(other) => other.as_i64().map(|v| v.to_string()).unwrap_or_else(|| other.to_string()),
                Err(_) => "?".into(),
            };
            Error::numeric_value_out_of_range(&plain, *p, *s)
        }
        (CastFail::Invalid, _) => {
            Error::cast_invalid_input(&value, &spark_sql_type_name(a.data_type()), &spark_sql_type_name(to))
        }
        _ => Error::cast_overflow(&value, &spark_sql_type_name(a.data_type()), &spark_sql_type_name(to)),
    }
}

pub(crate) fn arc<A: Array + 'static>(a: A) -> ArrayRef {
    Arc::new(a)
}

#[cfg(test)]
mod tests;
