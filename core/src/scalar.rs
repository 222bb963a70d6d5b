//! Single typed values: literals, folded constants, aggregate results.

use std::sync::Arc;

use arrow_array::{new_null_array, Array, ArrayRef};
use arrow_array::{
    BinaryArray, BooleanArray, Date32Array, Decimal128Array, DurationMicrosecondArray, Float32Array, Float64Array,
    Int16Array, Int32Array, Int64Array, Int8Array, IntervalMonthDayNanoArray, IntervalYearMonthArray, StringArray,
    TimestampMicrosecondArray,
};
use arrow_buffer::IntervalMonthDayNano;
use arrow_schema::{DataType, IntervalUnit, TimeUnit};

use crate::error::{Error, Result};

/// A typed value that may be NULL. Each variant fixes the type; `Null` is
/// Spark's `void` type.
#[derive(Debug, Clone, PartialEq)]
pub enum ScalarValue {
    Null,
    Boolean(Option<bool>),
    Int8(Option<i8>),
    Int16(Option<i16>),
    Int32(Option<i32>),
    Int64(Option<i64>),
    Float32(Option<f32>),
    Float64(Option<f64>),
    /// value (unscaled), precision, scale
    Decimal(Option<i128>, u8, i8),
    Utf8(Option<String>),
    Binary(Option<Vec<u8>>),
    /// days since the epoch
    Date(Option<i32>),
    /// microseconds since the epoch, UTC (Spark `TIMESTAMP`)
    Timestamp(Option<i64>),
    /// microseconds since the epoch, local (Spark `TIMESTAMP_NTZ`)
    TimestampNtz(Option<i64>),
    /// months (Spark `INTERVAL YEAR TO MONTH`)
    IntervalYearMonth(Option<i32>),
    /// microseconds (Spark `INTERVAL DAY TO SECOND`)
    IntervalDayTime(Option<i64>),
    /// Spark's legacy `CalendarInterval`
    CalendarInterval(Option<IntervalMonthDayNano>),
}

impl ScalarValue {
    pub fn data_type(&self) -> DataType {
        match self {
            ScalarValue::Null => DataType::Null,
            ScalarValue::Boolean(_) => DataType::Boolean,
            ScalarValue::Int8(_) => DataType::Int8,
            ScalarValue::Int16(_) => DataType::Int16,
            ScalarValue::Int32(_) => DataType::Int32,
            ScalarValue::Int64(_) => DataType::Int64,
            ScalarValue::Float32(_) => DataType::Float32,
            ScalarValue::Float64(_) => DataType::Float64,
            ScalarValue::Decimal(_, p, s) => DataType::Decimal128(*p, *s),
            ScalarValue::Utf8(_) => DataType::Utf8,
            ScalarValue::Binary(_) => DataType::Binary,
            ScalarValue::Date(_) => DataType::Date32,
            ScalarValue::Timestamp(_) => crate::types::timestamp_type(),
            ScalarValue::TimestampNtz(_) => crate::types::timestamp_ntz_type(),
            ScalarValue::IntervalYearMonth(_) => DataType::Interval(IntervalUnit::YearMonth),
            ScalarValue::IntervalDayTime(_) => DataType::Duration(TimeUnit::Microsecond),
            ScalarValue::CalendarInterval(_) => DataType::Interval(IntervalUnit::MonthDayNano),
        }
    }

    pub fn is_null(&self) -> bool {
        match self {
            ScalarValue::Null => true,
            ScalarValue::Boolean(v) => v.is_none(),
            ScalarValue::Int8(v) => v.is_none(),
            ScalarValue::Int16(v) => v.is_none(),
            ScalarValue::Int32(v) => v.is_none(),
            ScalarValue::Int64(v) => v.is_none(),
            ScalarValue::Float32(v) => v.is_none(),
            ScalarValue::Float64(v) => v.is_none(),
            ScalarValue::Decimal(v, _, _) => v.is_none(),
            ScalarValue::Utf8(v) => v.is_none(),
            ScalarValue::Binary(v) => v.is_none(),
            ScalarValue::Date(v) => v.is_none(),
            ScalarValue::Timestamp(v) => v.is_none(),
            ScalarValue::TimestampNtz(v) => v.is_none(),
            ScalarValue::IntervalYearMonth(v) => v.is_none(),
            ScalarValue::IntervalDayTime(v) => v.is_none(),
            ScalarValue::CalendarInterval(v) => v.is_none(),
        }
    }

    /// The NULL value of a type.
    pub fn null_of(dt: &DataType) -> ScalarValue {
        match dt {
            DataType::Boolean => ScalarValue::Boolean(None),
            DataType::Int8 => ScalarValue::Int8(None),
            DataType::Int16 => ScalarValue::Int16(None),
            DataType::Int32 => ScalarValue::Int32(None),
            DataType::Int64 => ScalarValue::Int64(None),
            DataType::Float32 => ScalarValue::Float32(None),
            DataType::Float64 => ScalarValue::Float64(None),
            DataType::Decimal128(p, s) => ScalarValue::Decimal(None, *p, *s),
            DataType::Utf8 => ScalarValue::Utf8(None),
            DataType::Binary => ScalarValue::Binary(None),
            DataType::Date32 => ScalarValue::Date(None),
            DataType::Timestamp(_, Some(_)) => ScalarValue::Timestamp(None),
            DataType::Timestamp(_, None) => ScalarValue::TimestampNtz(None),
            DataType::Interval(IntervalUnit::YearMonth) => ScalarValue::IntervalYearMonth(None),
            DataType::Duration(_) => ScalarValue::IntervalDayTime(None),
            DataType::Interval(_) => ScalarValue::CalendarInterval(None),
            _ => ScalarValue::Null,
        }
    }

    /// An array of `n` copies of this value.
    pub fn to_array(&self, n: usize) -> ArrayRef {
        // non-NULL fixed-width values: one fill, no per-row Option
        match self {
            ScalarValue::Int32(Some(v)) => return Arc::new(Int32Array::from_value(*v, n)),
            ScalarValue::Int64(Some(v)) => return Arc::new(Int64Array::from_value(*v, n)),
            ScalarValue::Float64(Some(v)) => return Arc::new(Float64Array::from_value(*v, n)),
            ScalarValue::Date(Some(v)) => return Arc::new(Date32Array::from_value(*v, n)),
            ScalarValue::Decimal(Some(v), p, s) => {
                return Arc::new(
                    Decimal128Array::from_value(*v, n)
                        .with_precision_and_scale(*p, *s)
                        .expect("valid decimal precision"),
                )
            }
            _ => {}
        }
        match self {
            ScalarValue::Null => new_null_array(&DataType::Null, n),
            ScalarValue::Boolean(v) => Arc::new(BooleanArray::from(vec![*v; n])),
            ScalarValue::Int8(v) => Arc::new(Int8Array::from(vec![*v; n])),
            ScalarValue::Int16(v) => Arc::new(Int16Array::from(vec![*v; n])),
            ScalarValue::Int32(v) => Arc::new(Int32Array::from(vec![*v; n])),
            ScalarValue::Int64(v) => Arc::new(Int64Array::from(vec![*v; n])),
            ScalarValue::Float32(v) => Arc::new(Float32Array::from(vec![*v; n])),
            ScalarValue::Float64(v) => Arc::new(Float64Array::from(vec![*v; n])),
            ScalarValue::Decimal(v, p, s) => Arc::new(
                Decimal128Array::from(vec![*v; n]).with_precision_and_scale(*p, *s).expect("valid decimal precision"),
            ),
            ScalarValue::Utf8(v) => Arc::new(StringArray::from(vec![v.as_deref(); n])),
            ScalarValue::Binary(v) => Arc::new(BinaryArray::from(vec![v.as_deref(); n])),
            ScalarValue::Date(v) => Arc::new(Date32Array::from(vec![*v; n])),
            ScalarValue::Timestamp(v) => {
                Arc::new(TimestampMicrosecondArray::from(vec![*v; n]).with_timezone(crate::types::SESSION_TZ))
            }
            ScalarValue::TimestampNtz(v) => Arc::new(TimestampMicrosecondArray::from(vec![*v; n])),
            ScalarValue::IntervalYearMonth(v) => Arc::new(IntervalYearMonthArray::from(vec![*v; n])),
            ScalarValue::IntervalDayTime(v) => Arc::new(DurationMicrosecondArray::from(vec![*v; n])),
            ScalarValue::CalendarInterval(v) => Arc::new(IntervalMonthDayNanoArray::from(vec![*v; n])),
        }
    }

    /// Reads row `i` of an array as a scalar.
    pub fn try_from_array(array: &dyn Array, i: usize) -> Result<ScalarValue> {
        use arrow_array::cast::AsArray;
        use arrow_array::types::*;
        let dt = array.data_type();
        if array.is_null(i) {
            return Ok(ScalarValue::null_of(dt));
        }
        Ok(match dt {
            DataType::Null => ScalarValue::Null,
            DataType::Boolean => ScalarValue::Boolean(Some(array.as_boolean().value(i))),
            DataType::Int8 => ScalarValue::Int8(Some(array.as_primitive::<Int8Type>().value(i))),
            DataType::Int16 => ScalarValue::Int16(Some(array.as_primitive::<Int16Type>().value(i))),
            DataType::Int32 => ScalarValue::Int32(Some(array.as_primitive::<Int32Type>().value(i))),
            DataType::Int64 => ScalarValue::Int64(Some(array.as_primitive::<Int64Type>().value(i))),
            DataType::Float32 => ScalarValue::Float32(Some(array.as_primitive::<Float32Type>().value(i))),
            DataType::Float64 => ScalarValue::Float64(Some(array.as_primitive::<Float64Type>().value(i))),
            DataType::Decimal128(p, s) => {
                ScalarValue::Decimal(Some(array.as_primitive::<Decimal128Type>().value(i)), *p, *s)
            }
            DataType::Utf8 => ScalarValue::Utf8(Some(array.as_string::<i32>().value(i).to_string())),
            DataType::LargeUtf8 => ScalarValue::Utf8(Some(array.as_string::<i64>().value(i).to_string())),
            DataType::Utf8View => ScalarValue::Utf8(Some(array.as_string_view().value(i).to_string())),
            DataType::Binary => ScalarValue::Binary(Some(array.as_binary::<i32>().value(i).to_vec())),
            DataType::Date32 => ScalarValue::Date(Some(array.as_primitive::<Date32Type>().value(i))),
            DataType::Timestamp(TimeUnit::Microsecond, tz) => {
                let v = array.as_primitive::<TimestampMicrosecondType>().value(i);
                if tz.is_some() {
                    ScalarValue::Timestamp(Some(v))
                } else {
                    ScalarValue::TimestampNtz(Some(v))
                }
            }
            DataType::Interval(IntervalUnit::YearMonth) => {
                ScalarValue::IntervalYearMonth(Some(array.as_primitive::<IntervalYearMonthType>().value(i)))
            }
            DataType::Duration(TimeUnit::Microsecond) => {
                ScalarValue::IntervalDayTime(Some(array.as_primitive::<DurationMicrosecondType>().value(i)))
            }
            DataType::Interval(IntervalUnit::MonthDayNano) => {
                ScalarValue::CalendarInterval(Some(array.as_primitive::<IntervalMonthDayNanoType>().value(i)))
            }
            other => return Err(Error::not_implemented(format!("scalar of type {other}"))),
        })
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            ScalarValue::Int8(Some(v)) => Some(*v as i64),
            ScalarValue::Int16(Some(v)) => Some(*v as i64),
            ScalarValue::Int32(Some(v)) => Some(*v as i64),
            ScalarValue::Int64(Some(v)) => Some(*v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            ScalarValue::Utf8(Some(s)) => Some(s),
            _ => None,
        }
    }
}

impl std::fmt::Display for ScalarValue {
    /// Spark's SQL rendering of a literal (`Literal.sql`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_null() {
            return write!(f, "NULL");
        }
        match self {
            ScalarValue::Boolean(Some(v)) => write!(f, "{}", if *v { "true" } else { "false" }),
            ScalarValue::Int8(Some(v)) => write!(f, "{v}Y"),
            ScalarValue::Int16(Some(v)) => write!(f, "{v}S"),
            ScalarValue::Int32(Some(v)) => write!(f, "{v}"),
            ScalarValue::Int64(Some(v)) => write!(f, "{v}L"),
            ScalarValue::Float32(Some(v)) => write!(f, "{}", crate::format::java_float(*v)),
            ScalarValue::Float64(Some(v)) => write!(f, "{}D", crate::format::java_double(*v)),
            ScalarValue::Decimal(Some(v), _, s) => write!(f, "{}BD", crate::format::decimal_to_string(*v, *s)),
            ScalarValue::Utf8(Some(s)) => write!(f, "'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            ScalarValue::Binary(Some(b)) => {
                write!(f, "X'")?;
                for x in b {
                    write!(f, "{x:02X}")?;
                }
                write!(f, "'")
            }
            ScalarValue::Date(Some(d)) => write!(f, "DATE '{}'", crate::format::date_to_string(*d)),
            ScalarValue::Timestamp(Some(t)) => write!(f, "TIMESTAMP '{}'", crate::format::timestamp_to_string(*t)),
            ScalarValue::TimestampNtz(Some(t)) => {
                write!(f, "TIMESTAMP_NTZ '{}'", crate::format::timestamp_to_string(*t))
            }
            ScalarValue::IntervalYearMonth(Some(m)) => {
                write!(f, "INTERVAL '{}' YEAR TO MONTH", crate::format::year_month_to_string(*m))
            }
            ScalarValue::IntervalDayTime(Some(us)) => {
                write!(f, "INTERVAL '{}' DAY TO SECOND", crate::format::day_time_to_string(*us))
            }
            ScalarValue::CalendarInterval(Some(v)) => {
                write!(f, "INTERVAL '{}'", crate::format::calendar_interval_to_string(v))
            }
            _ => write!(f, "NULL"),
        }
    }
}
