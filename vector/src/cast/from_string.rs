//! Casts from STRING. Input is trimmed of whitespace and control characters
//! (Spark's `trimAll`); malformed input raises CAST_INVALID_INPUT in Ansi
//! mode and is NULL otherwise. Integers accept a fractional part (dropped)
//! only outside Ansi mode, like `UTF8String.toLong` vs `toLongExact`.
//! TIMESTAMP strings without a zone are wall-clock times of the session
//! zone.

use arrow::array::{Array, ArrayRef, BinaryArray, BooleanArray, PrimitiveArray, StringArray};
use arrow::buffer::BooleanBuffer;
use arrow::datatypes::*;
use ember_core::types::spark_sql_type_name;
use ember_core::{Error, EvalMode, Result};

use super::numeric::IntTarget;
use super::{arc, strings_to_primitive, unsupported, CastFail};
use crate::decimal::{parse_decimal, ParseDecimalError};
use crate::temporal::{parse_date, parse_timestamp_in, parse_timestamp_ntz, trim_all};
use crate::tz::TimeZone;

pub(super) fn cast_from_string(a: &StringArray, to: &DataType, mode: EvalMode, tz: &TimeZone) -> Result<ArrayRef> {
    let target = spark_sql_type_name(to);
    let err = |s: &str, fail: CastFail| match (fail, to) {
        (CastFail::DecimalOverflow, DataType::Decimal128(p, sc)) => {
            Error::numeric_value_out_of_range(trim_all(s), *p, *sc)
        }
        _ => Error::cast_invalid_input(s, "STRING", &target),
    };
    let allow_fraction = mode != EvalMode::Ansi;
    Ok(match to {
        DataType::Boolean => {
            let ints: PrimitiveArray<Int8Type> =
                strings_to_primitive(a, mode, |s| parse_bool(s).map(|b| b as i8).ok_or(CastFail::Invalid), err)?;
            let values = BooleanBuffer::collect_bool(ints.len(), |i| ints.value(i) != 0);
            arc(BooleanArray::new(values, ints.nulls().cloned()))
        }
        DataType::Int8 => arc(parse_ints::<Int8Type>(a, mode, allow_fraction, err)?),
        DataType::Int16 => arc(parse_ints::<Int16Type>(a, mode, allow_fraction, err)?),
        DataType::Int32 => arc(parse_ints::<Int32Type>(a, mode, allow_fraction, err)?),
        DataType::Int64 => arc(parse_ints::<Int64Type>(a, mode, allow_fraction, err)?),
        DataType::Float64 => {
            arc(strings_to_primitive::<Float64Type, _, _>(a, mode, |s| parse_f64(s).ok_or(CastFail::Invalid), err)?)
        }
        DataType::Float32 => arc(strings_to_primitive::<Float32Type, _, _>(
            a,
            mode,
            |s| parse_f64(s).map(|d| d as f32).ok_or(CastFail::Invalid),
            err,
        )?),
        DataType::Decimal128(p, sc) => {
            let (p, sc) = (*p, *sc);
            let out: PrimitiveArray<Decimal128Type> = strings_to_primitive(
                a,
                mode,
                |s| {
                    parse_decimal(trim_all(s), p, sc).map_err(|e| match e {
                        ParseDecimalError::Invalid => CastFail::Invalid,
                        ParseDecimalError::Overflow => CastFail::DecimalOverflow,
                    })
                },
                err,
            )?;
            arc(out.with_precision_and_scale(p, sc)?)
        }
        DataType::Date32 => {
            arc(strings_to_primitive::<Date32Type, _, _>(a, mode, |s| parse_date(s).ok_or(CastFail::Invalid), err)?)
        }
        DataType::Timestamp(TimeUnit::Microsecond, None) => {
            let out: PrimitiveArray<TimestampMicrosecondType> =
                strings_to_primitive(a, mode, |s| parse_timestamp_ntz(s).ok_or(CastFail::Invalid), err)?;
            arc(out)
        }
        DataType::Timestamp(TimeUnit::Microsecond, Some(tag)) => {
            let out: PrimitiveArray<TimestampMicrosecondType> =
                strings_to_primitive(a, mode, |s| parse_timestamp_in(s, tz).ok_or(CastFail::Invalid), err)?;
            arc(out.with_timezone(tag.clone()))
        }
        DataType::Binary => {
            let out: BinaryArray = a.iter().map(|v| v.map(|s| s.as_bytes())).collect();
            arc(out)
        }
        other => return Err(unsupported(&DataType::Utf8, other)),
    })
}

fn parse_ints<T>(
    a: &StringArray,
    mode: EvalMode,
    allow_fraction: bool,
    err: impl Fn(&str, CastFail) -> Error,
) -> Result<PrimitiveArray<T>>
where
    T: ArrowPrimitiveType,
    T::Native: IntTarget,
{
    strings_to_primitive(
        a,
        mode,
        |s| match parse_integer(trim_all(s), allow_fraction) {
            Some(v) if (T::Native::MIN..=T::Native::MAX).contains(&v) => Ok(T::Native::wrap(v)),
            _ => Err(CastFail::Invalid),
        },
        err,
    )
}

/// Spark's `UTF8String.toLong`: `[+-]digits`, with `allow_fraction` also
/// `[+-]digits.digits` whose fraction is dropped. `None` on bad syntax or
/// overflow. The input must already be trimmed.
pub fn parse_integer(s: &str, allow_fraction: bool) -> Option<i64> {
    let b = s.as_bytes();
    let (neg, start) = match b.first()? {
        b'-' => (true, 1),
        b'+' => (false, 1),
        _ => (false, 0),
    };
    if start == b.len() {
        return None;
    }
    // accumulate negatively so that i64::MIN parses
    let mut r: i64 = 0;
    let mut i = start;
    while i < b.len() {
        let c = b[i];
        if c == b'.' && allow_fraction {
            break;
        }
        if !c.is_ascii_digit() {
            return None;
        }
        r = r.checked_mul(10)?.checked_sub((c - b'0') as i64)?;
        i += 1;
    }
    if i < b.len() {
        // the fraction only has to be digits
        if !b[i + 1..].iter().all(u8::is_ascii_digit) {
            return None;
        }
    }
    if neg {
        Some(r)
    } else {
        r.checked_neg()
    }
}

/// Java's `Double.parseDouble` plus Spark's special literals (`inf`,
/// `-infinity`, `nan`, case-insensitive).
pub fn parse_f64(s: &str) -> Option<f64> {
    let t = trim_all(s);
    let lower = t.to_ascii_lowercase();
    match lower.as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => return Some(f64::INFINITY),
        "-inf" | "-infinity" => return Some(f64::NEG_INFINITY),
        "nan" | "+nan" | "-nan" => return Some(f64::NAN),
        _ => {}
    }
    // Java accepts a trailing type suffix: 1.5d, 2f
    let body = match lower.as_bytes().last() {
        Some(b'd' | b'f') if lower.len() > 1 => &lower[..lower.len() - 1],
        _ => lower.as_str(),
    };
    if body.is_empty() || !body.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-')) {
        return None;
    }
    body.parse::<f64>().ok()
}

/// Spark's string -> boolean: t/true/y/yes/1 and f/false/n/no/0, any case.
pub fn parse_bool(s: &str) -> Option<bool> {
    let t = trim_all(s);
    if t.len() > 5 {
        return None;
    }
    match t.to_ascii_lowercase().as_str() {
        "t" | "true" | "y" | "yes" | "1" => Some(true),
        "f" | "false" | "n" | "no" | "0" => Some(false),
        _ => None,
    }
}
