//! Casts between dates, timestamps and numbers. A TIMESTAMP is an instant,
//! a TIMESTAMP_NTZ a wall-clock time: between them, and between TIMESTAMP
//! and DATE (midnight), the session zone converts; TIMESTAMP_NTZ and DATE
//! convert without a zone. Numbers convert to timestamps as seconds since the epoch (Ansi raises on
//! overflow, Legacy saturates like `TimeUnit.SECONDS.toMicros`); timestamps
//! to integers as whole seconds rounded down (`Math.floorDiv`).

use arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use arrow::datatypes::*;
use ember_core::{EvalMode, Result};

use super::numeric::to_f64;
use super::{arc, cast_error, map_primitive, unsupported, CastFail};
use crate::temporal::{MICROS_PER_DAY, MICROS_PER_SECOND};
use crate::tz::TimeZone;

pub(super) fn cast_datetime(a: &ArrayRef, to: &DataType, mode: EvalMode, zone: &TimeZone) -> Result<ArrayRef> {
    let from = a.data_type();
    let err = |i: usize, fail: CastFail| cast_error(a.as_ref(), i, to, fail);
    let utc = zone.is_utc();
    match (from, to) {
        (DataType::Date32, DataType::Timestamp(TimeUnit::Microsecond, tz)) => {
            let dates = a.as_primitive::<Date32Type>();
            let out: PrimitiveArray<TimestampMicrosecondType> = if tz.is_none() || utc {
                dates.unary(|d| d as i64 * MICROS_PER_DAY)
            } else {
                dates.unary(|d| zone.to_instant(d as i64 * MICROS_PER_DAY))
            };
            Ok(arc(out.with_timezone_opt(tz.clone())))
        }
        (DataType::Timestamp(TimeUnit::Microsecond, tz), DataType::Date32) => {
            let t = a.as_primitive::<TimestampMicrosecondType>();
            let out: PrimitiveArray<Date32Type> = if tz.is_none() || utc {
                t.unary(|t| t.div_euclid(MICROS_PER_DAY) as i32)
            } else {
                t.unary(|t| zone.to_local(t).div_euclid(MICROS_PER_DAY) as i32)
            };
            Ok(arc(out))
        }
        (DataType::Timestamp(TimeUnit::Microsecond, from_tz), DataType::Timestamp(TimeUnit::Microsecond, tz)) => {
            let t = a.as_primitive::<TimestampMicrosecondType>();
            let out = match (from_tz.is_some(), tz.is_some()) {
                // TIMESTAMP -> TIMESTAMP_NTZ: the wall clock of the instant
                (true, false) if !utc => t.unary(|v| zone.to_local(v)),
                // TIMESTAMP_NTZ -> TIMESTAMP: the instant of the wall clock
                (false, true) if !utc => t.unary(|v| zone.to_instant(v)),
                _ => t.clone(),
            };
            Ok(arc(out.with_timezone_opt(tz.clone())))
        }
        (DataType::Timestamp(TimeUnit::Microsecond, _), DataType::Int64) => {
            let out: PrimitiveArray<Int64Type> =
                a.as_primitive::<TimestampMicrosecondType>().unary(|t| t.div_euclid(MICROS_PER_SECOND));
            Ok(arc(out))
        }
        (DataType::Timestamp(TimeUnit::Microsecond, _), DataType::Float64 | DataType::Float32) => {
            let out: PrimitiveArray<Float64Type> =
                a.as_primitive::<TimestampMicrosecondType>().unary(|t| t as f64 / MICROS_PER_SECOND as f64);
            Ok(arrow::compute::cast(&arc(out), to)?)
        }
        (DataType::Timestamp(TimeUnit::Microsecond, _), DataType::Int8 | DataType::Int16 | DataType::Int32) => {
            let secs: ArrayRef = arc(a
                .as_primitive::<TimestampMicrosecondType>()
                .unary::<_, Int64Type>(|t| t.div_euclid(MICROS_PER_SECOND)));
            let out = super::cast_in_zone(&secs, to, mode, zone);
            // report the timestamp, not the seconds, when Ansi rejects it
            out.map_err(|e| match e.error_class() {
                Some("CAST_OVERFLOW") => first_failing(a, to),
                _ => e,
            })
        }
        (
            DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64,
            DataType::Timestamp(TimeUnit::Microsecond, tz),
        ) => {
            let wide = arrow::compute::cast(a, &DataType::Int64)?;
            let out: PrimitiveArray<TimestampMicrosecondType> = map_primitive(
                wide.as_primitive::<Int64Type>(),
                mode,
                |s| match s.checked_mul(MICROS_PER_SECOND) {
                    Some(v) => Ok(v),
                    None if mode == EvalMode::Legacy => Ok(if s < 0 { i64::MIN } else { i64::MAX }),
                    None => Err(CastFail::Overflow),
                },
                err,
            )?;
            Ok(arc(out.with_timezone_opt(tz.clone())))
        }
        (
            DataType::Float32 | DataType::Float64 | DataType::Decimal128(_, _),
            DataType::Timestamp(TimeUnit::Microsecond, tz),
        ) => {
            let d = to_f64(a)?;
            let out: PrimitiveArray<TimestampMicrosecondType> = map_primitive(
                &d,
                mode,
                |x| {
                    let us = x * MICROS_PER_SECOND as f64;
                    // Legacy saturates like Java's (long) conversion
                    let in_range = (-9.223372036854776e18..9.223372036854776e18).contains(&us);
                    if !us.is_finite() || (mode != EvalMode::Legacy && !in_range) {
                        Err(CastFail::Overflow)
                    } else {
                        Ok(us as i64)
                    }
                },
                err,
            )?;
            Ok(arc(out.with_timezone_opt(tz.clone())))
        }
        (
            DataType::Date32,
            DataType::Boolean
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::Float32
            | DataType::Float64,
        ) => {
            // Spark 3 (Legacy) casts a date to a number as NULL; Ansi rejects it at analysis
            Ok(arrow::array::new_null_array(to, a.len()))
        }
        _ => Err(unsupported(from, to)),
    }
}

fn first_failing(a: &ArrayRef, to: &DataType) -> ember_core::Error {
    let t = a.as_primitive::<TimestampMicrosecondType>();
    let (lo, hi) = match to {
        DataType::Int8 => (i8::MIN as i64, i8::MAX as i64),
        DataType::Int16 => (i16::MIN as i64, i16::MAX as i64),
        _ => (i32::MIN as i64, i32::MAX as i64),
    };
    let i = (0..t.len())
        .find(|&i| t.is_valid(i) && !(lo..=hi).contains(&t.value(i).div_euclid(MICROS_PER_SECOND)))
        .unwrap_or(0);
    cast_error(a.as_ref(), i, to, CastFail::Overflow)
}
