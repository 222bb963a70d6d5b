//! Casts to STRING, rendering values the way Spark does: Java's
//! `Double.toString`/`Float.toString`, plain decimals with their scale,
//! `yyyy-MM-dd` dates, `yyyy-MM-dd HH:mm:ss[.fraction]` timestamps (TIMESTAMP
//! in the session zone, TIMESTAMP_NTZ as stored), `true`/`false`, Spark's interval texts.

use std::fmt::Write;

use arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use arrow::datatypes::*;
use ember_core::format::{
    calendar_interval_to_string, date_to_string, day_time_to_string, decimal_to_string, java_double, java_float,
    timestamp_to_string, year_month_to_string,
};
use ember_core::Result;

use super::{arc, unsupported};
use crate::tz::TimeZone;

pub(super) fn cast_to_string(a: &ArrayRef, tz: &TimeZone) -> Result<ArrayRef> {
    let n = a.len();
    let mut out = StringBuilder::with_capacity(n, n * 8);
    macro_rules! each {
        ($arr:expr, |$v:ident| $fmt:expr) => {{
            let arr = $arr;
            for i in 0..n {
                if arr.is_null(i) {
                    out.append_null();
                } else {
                    let $v = arr.value(i);
                    // writing into a StringBuilder cannot fail
                    let _ = $fmt;
                    out.append_value("");
                }
            }
        }};
    }
    match a.data_type() {
        DataType::Boolean => each!(a.as_boolean(), |v| out.write_str(if v { "true" } else { "false" })),
        DataType::Int8 => each!(a.as_primitive::<Int8Type>(), |v| write!(out, "{v}")),
        DataType::Int16 => each!(a.as_primitive::<Int16Type>(), |v| write!(out, "{v}")),
        DataType::Int32 => each!(a.as_primitive::<Int32Type>(), |v| write!(out, "{v}")),
        DataType::Int64 => each!(a.as_primitive::<Int64Type>(), |v| write!(out, "{v}")),
        DataType::Float32 => each!(a.as_primitive::<Float32Type>(), |v| out.write_str(&java_float(v))),
        DataType::Float64 => each!(a.as_primitive::<Float64Type>(), |v| out.write_str(&java_double(v))),
        DataType::Decimal128(_, s) => {
            let s = *s;
            each!(a.as_primitive::<Decimal128Type>(), |v| out.write_str(&decimal_to_string(v, s)))
        }
        DataType::Date32 => each!(a.as_primitive::<Date32Type>(), |v| out.write_str(&date_to_string(v))),
        DataType::Timestamp(TimeUnit::Microsecond, None) => {
            each!(a.as_primitive::<TimestampMicrosecondType>(), |v| out.write_str(&timestamp_to_string(v)))
        }
        DataType::Timestamp(TimeUnit::Microsecond, Some(_)) => {
            each!(a.as_primitive::<TimestampMicrosecondType>(), |v| out.write_str(&timestamp_to_string(tz.to_local(v))))
        }
        DataType::Binary => each!(a.as_binary::<i32>(), |v| out.write_str(&String::from_utf8_lossy(v))),
        DataType::Interval(IntervalUnit::YearMonth) => {
            each!(a.as_primitive::<IntervalYearMonthType>(), |v| out.write_str(&year_month_to_string(v)))
        }
        DataType::Duration(TimeUnit::Microsecond) => {
            each!(a.as_primitive::<DurationMicrosecondType>(), |v| out.write_str(&day_time_to_string(v)))
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            each!(a.as_primitive::<IntervalMonthDayNanoType>(), |v| out.write_str(&calendar_interval_to_string(&v)))
        }
        other => return Err(unsupported(other, &DataType::Utf8)),
    }
    Ok(arc(out.finish()))
}
