//! Spark SQL types and their Arrow representation.
//!
//! Ember uses Arrow's `DataType` as its type system, with a fixed mapping
//! from Spark's types: byte/short/int/long -> Int8..Int64, float/double ->
//! Float32/Float64, decimal(p,s) -> Decimal128(p,s), string -> Utf8,
//! binary -> Binary, date -> Date32, timestamp -> Timestamp(us, session tz),
//! timestamp_ntz -> Timestamp(us, None), year-month interval ->
//! Interval(YearMonth), day-time interval -> Duration(us), calendar interval
//! -> Interval(MonthDayNano), void -> Null.

use arrow_schema::{DataType, IntervalUnit, TimeUnit};

/// Spark's maximum decimal precision.
pub const MAX_DECIMAL_PRECISION: u8 = 38;
/// Spark keeps at least this many fractional digits when precision is lost.
pub const MIN_ADJUSTED_SCALE: i8 = 6;

/// The time zone name stored in Arrow timestamps that stand for Spark's
/// `TIMESTAMP` (session-local) type; values are UTC microseconds.
pub const SESSION_TZ: &str = "UTC";

pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some(SESSION_TZ.into()))
}

pub fn timestamp_ntz_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, None)
}

pub fn day_time_interval_type() -> DataType {
    DataType::Duration(TimeUnit::Microsecond)
}

pub fn year_month_interval_type() -> DataType {
    DataType::Interval(IntervalUnit::YearMonth)
}

pub fn calendar_interval_type() -> DataType {
    DataType::Interval(IntervalUnit::MonthDayNano)
}

/// Spark's simple name of a type, as used in schemas and messages: `int`,
/// `bigint`, `decimal(15,2)`, `string`, `array<int>`, ...
pub fn spark_type_name(dt: &DataType) -> String {
    match dt {
        DataType::Null => "void".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int8 => "tinyint".into(),
        DataType::Int16 => "smallint".into(),
        DataType::Int32 => "int".into(),
        DataType::Int64 => "bigint".into(),
        DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => format!("{dt:?}").to_lowercase(),
        DataType::Float16 | DataType::Float32 => "float".into(),
        DataType::Float64 => "double".into(),
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => {
            format!("decimal({p},{s})")
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_) => {
            "binary".into()
        }
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Timestamp(_, Some(_)) => "timestamp".into(),
        DataType::Timestamp(_, None) => "timestamp_ntz".into(),
        DataType::Interval(IntervalUnit::YearMonth) => "interval year to month".into(),
        DataType::Duration(_) => "interval day to second".into(),
        DataType::Interval(_) => "interval".into(),
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) | DataType::ListView(f) => {
            format!("array<{}>", spark_type_name(f.data_type()))
        }
        DataType::Map(f, _) => match f.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                format!("map<{},{}>", spark_type_name(kv[0].data_type()), spark_type_name(kv[1].data_type()))
            }
            other => format!("map<{}>", spark_type_name(other)),
        },
        DataType::Struct(fields) => format!(
            "struct<{}>",
            fields
                .iter()
                .map(|f| format!("{}:{}", f.name(), spark_type_name(f.data_type())))
                .collect::<Vec<_>>()
                .join(",")
        ),
        DataType::Dictionary(_, v) => spark_type_name(v),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// Spark's SQL name of a type, as used in casts and error messages: `INT`,
/// `DECIMAL(15,2)`, `STRING`.
pub fn spark_sql_type_name(dt: &DataType) -> String {
    match dt {
        DataType::Interval(IntervalUnit::YearMonth) => "INTERVAL YEAR TO MONTH".into(),
        DataType::Duration(_) => "INTERVAL DAY TO SECOND".into(),
        _ => spark_type_name(dt).to_uppercase(),
    }
}

pub fn is_integral(dt: &DataType) -> bool {
    matches!(dt, DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64)
}

pub fn is_floating(dt: &DataType) -> bool {
    matches!(dt, DataType::Float16 | DataType::Float32 | DataType::Float64)
}

pub fn is_decimal(dt: &DataType) -> bool {
    matches!(dt, DataType::Decimal128(_, _))
}

pub fn is_numeric(dt: &DataType) -> bool {
    is_integral(dt) || is_floating(dt) || is_decimal(dt)
}

pub fn is_string(dt: &DataType) -> bool {
    matches!(dt, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

pub fn is_datetime(dt: &DataType) -> bool {
    matches!(dt, DataType::Date32 | DataType::Timestamp(_, _))
}

pub fn is_interval(dt: &DataType) -> bool {
    matches!(dt, DataType::Interval(_) | DataType::Duration(_))
}

/// The decimal type that holds every value of an integral type exactly
/// (Spark's `DecimalType.forType`).
pub fn decimal_for_integral(dt: &DataType) -> Option<DataType> {
    Some(match dt {
        DataType::Int8 => DataType::Decimal128(3, 0),
        DataType::Int16 => DataType::Decimal128(5, 0),
        DataType::Int32 => DataType::Decimal128(10, 0),
        DataType::Int64 => DataType::Decimal128(20, 0),
        DataType::Float32 => DataType::Decimal128(14, 7),
        DataType::Float64 => DataType::Decimal128(30, 15),
        DataType::Decimal128(_, _) => dt.clone(),
        _ => return None,
    })
}

/// Spark's `DecimalType.adjustPrecisionScale` with
/// `spark.sql.decimalOperations.allowPrecisionLoss=true`.
pub fn adjust_decimal(precision: i32, scale: i32) -> DataType {
    let max = MAX_DECIMAL_PRECISION as i32;
    if precision <= max {
        DataType::Decimal128(precision as u8, scale as i8)
    } else if scale < 0 {
        DataType::Decimal128(MAX_DECIMAL_PRECISION, scale as i8)
    } else {
        let int_digits = precision - scale;
        let min_scale = scale.min(MIN_ADJUSTED_SCALE as i32);
        let adjusted_scale = (max - int_digits).max(min_scale);
        DataType::Decimal128(MAX_DECIMAL_PRECISION, adjusted_scale as i8)
    }
}

/// A decimal type bounded to Spark's maximum precision without precision-loss
/// adjustment (`DecimalType.bounded`).
pub fn bounded_decimal(precision: i32, scale: i32) -> DataType {
    DataType::Decimal128(
        precision.min(MAX_DECIMAL_PRECISION as i32) as u8,
        scale.min(MAX_DECIMAL_PRECISION as i32) as i8,
    )
}

/// Parses a Spark type name (`int`, `decimal(10,2)`, `varchar(10)`, ...).
pub fn parse_spark_type(name: &str) -> Option<DataType> {
    let n = name.trim().to_ascii_lowercase();
    let simple = match n.as_str() {
        "boolean" | "bool" => Some(DataType::Boolean),
        "tinyint" | "byte" => Some(DataType::Int8),
        "smallint" | "short" => Some(DataType::Int16),
        "int" | "integer" => Some(DataType::Int32),
        "bigint" | "long" => Some(DataType::Int64),
        "float" | "real" => Some(DataType::Float32),
        "double" => Some(DataType::Float64),
        "decimal" | "dec" | "numeric" => Some(DataType::Decimal128(10, 0)),
        "string" => Some(DataType::Utf8),
        "binary" => Some(DataType::Binary),
        "date" => Some(DataType::Date32),
        "timestamp" | "timestamp_ltz" => Some(timestamp_type()),
        "timestamp_ntz" => Some(timestamp_ntz_type()),
        "void" => Some(DataType::Null),
        _ => None,
    };
    if simple.is_some() {
        return simple;
    }
    for prefix in ["decimal", "dec", "numeric"] {
        if let Some(rest) = n.strip_prefix(prefix) {
            let rest = rest.trim();
            if let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
                let parts: Vec<&str> = inner.split(',').map(|s| s.trim()).collect();
                let p: u8 = parts.first()?.parse().ok()?;
                let s: i8 = match parts.get(1) {
                    Some(s) => s.parse().ok()?,
                    None => 0,
                };
                if p == 0 || p > MAX_DECIMAL_PRECISION || s < 0 || s as u8 > p {
                    return None;
                }
                return Some(DataType::Decimal128(p, s));
            }
        }
    }
    for prefix in ["varchar", "char"] {
        if let Some(rest) = n.strip_prefix(prefix) {
            if rest.trim().starts_with('(') {
                return Some(DataType::Utf8);
            }
        }
    }
    None
}
