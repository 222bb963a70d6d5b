//! Spark Connect `DataType` messages <-> Arrow types (Ember's type system,
//! see `ember_core::types`), and Spark's schema strings: the JSON of
//! `StructType.json()` that `createDataFrame` sends, or DDL (`a INT, b
//! STRING`, `struct<a:int>`, `int`).

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Fields, IntervalUnit, Schema, TimeUnit};
use ember_core::spec::ColumnDef;
use ember_core::types::{parse_spark_type, spark_type_name, timestamp_ntz_type, timestamp_type, MAX_DECIMAL_PRECISION};
use ember_core::{Error, Result};
use serde_json::Value;

use super::invalid_plan;
use crate::proto::spark::connect as pb;
use pb::data_type::{self as d, Kind};

/// The Arrow type of a Connect data type.
pub fn data_type_from_proto(t: &pb::DataType) -> Result<DataType> {
    let Some(kind) = &t.kind else {
        return Err(invalid_plan("a DataType without a kind"));
    };
    Ok(match kind {
        Kind::Null(_) => DataType::Null,
        Kind::Binary(_) => DataType::Binary,
        Kind::Boolean(_) => DataType::Boolean,
        Kind::Byte(_) => DataType::Int8,
        Kind::Short(_) => DataType::Int16,
        Kind::Integer(_) => DataType::Int32,
        Kind::Long(_) => DataType::Int64,
        Kind::Float(_) => DataType::Float32,
        Kind::Double(_) => DataType::Float64,
        Kind::Decimal(dec) => decimal(dec.precision.unwrap_or(10), dec.scale.unwrap_or(0))?,
        Kind::String(_) | Kind::Char(_) | Kind::VarChar(_) => DataType::Utf8,
        Kind::Date(_) => DataType::Date32,
        Kind::Timestamp(_) => timestamp_type(),
        Kind::TimestampNtz(_) => timestamp_ntz_type(),
        Kind::CalendarInterval(_) => DataType::Interval(IntervalUnit::MonthDayNano),
        Kind::YearMonthInterval(_) => DataType::Interval(IntervalUnit::YearMonth),
        Kind::DayTimeInterval(_) => DataType::Duration(TimeUnit::Microsecond),
        Kind::Array(a) => {
            let element = required_type(a.element_type.as_deref(), "array element")?;
            DataType::List(Arc::new(Field::new("element", element, a.contains_null)))
        }
        Kind::Struct(s) => DataType::Struct(
            s.fields
                .iter()
                .map(|f| Ok(Field::new(&f.name, required_type(f.data_type.as_ref(), "struct field")?, f.nullable)))
                .collect::<Result<Fields>>()?,
        ),
        Kind::Map(m) => ember_sql::map_type(
            required_type(m.key_type.as_deref(), "map key")?,
            required_type(m.value_type.as_deref(), "map value")?,
            m.value_contains_null,
        ),
        Kind::Udt(u) => match &u.sql_type {
            Some(t) => data_type_from_proto(t)?,
            None => return Err(Error::not_implemented(format!("the user-defined type {}", u.r#type))),
        },
        Kind::Unparsed(u) => parse_type_string(&u.data_type_string)?,
        Kind::Variant(_) => return Err(Error::not_implemented("the VARIANT type")),
        Kind::Geometry(_) => return Err(Error::not_implemented("the GEOMETRY type")),
        Kind::Geography(_) => return Err(Error::not_implemented("the GEOGRAPHY type")),
        Kind::Time(_) => return Err(Error::not_implemented("the TIME type")),
    })
}

fn required_type(t: Option<&pb::DataType>, what: &str) -> Result<DataType> {
    match t {
        Some(t) => data_type_from_proto(t),
        None => Err(invalid_plan(format!("a {what} type is missing"))),
    }
}

fn decimal(precision: i32, scale: i32) -> Result<DataType> {
    if precision < 1 || precision > MAX_DECIMAL_PRECISION as i32 {
        return Err(Error::spark_msg(
            "DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION",
            "22003",
            format!("Decimal precision {precision} exceeds max precision {MAX_DECIMAL_PRECISION}."),
        ));
    }
    if scale < 0 || scale > precision {
        return Err(invalid_plan(format!("decimal({precision},{scale}) has a scale outside [0, precision]")));
    }
    Ok(DataType::Decimal128(precision as u8, scale as i8))
}

/// The Connect data type of an Arrow type, as Spark reports schemas:
/// nested types keep their nullability; types Spark has no name for are
/// sent as `unparsed` text.
pub fn data_type_to_proto(t: &DataType) -> pb::DataType {
    let kind = match t {
        DataType::Null => Kind::Null(d::Null::default()),
        DataType::Boolean => Kind::Boolean(d::Boolean::default()),
        DataType::Int8 => Kind::Byte(d::Byte::default()),
        DataType::Int16 | DataType::UInt8 => Kind::Short(d::Short::default()),
        DataType::Int32 | DataType::UInt16 => Kind::Integer(d::Integer::default()),
        DataType::Int64 | DataType::UInt32 => Kind::Long(d::Long::default()),
        DataType::UInt64 => {
            Kind::Decimal(d::Decimal { precision: Some(20), scale: Some(0), type_variation_reference: 0 })
        }
        DataType::Float16 | DataType::Float32 => Kind::Float(d::Float::default()),
        DataType::Float64 => Kind::Double(d::Double::default()),
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => Kind::Decimal(d::Decimal {
            precision: Some(*p as i32),
            scale: Some(*s as i32),
            type_variation_reference: 0,
        }),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Kind::String(d::String::default()),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_) => {
            Kind::Binary(d::Binary::default())
        }
        DataType::Date32 | DataType::Date64 => Kind::Date(d::Date::default()),
        DataType::Timestamp(_, Some(_)) => Kind::Timestamp(d::Timestamp::default()),
        DataType::Timestamp(_, None) => Kind::TimestampNtz(d::TimestampNtz::default()),
        // Spark's default fields: YEAR (0) TO MONTH (1), DAY (0) TO SECOND (3)
        DataType::Interval(IntervalUnit::YearMonth) => Kind::YearMonthInterval(d::YearMonthInterval {
            start_field: Some(0),
            end_field: Some(1),
            type_variation_reference: 0,
        }),
        DataType::Duration(_) => Kind::DayTimeInterval(d::DayTimeInterval {
            start_field: Some(0),
            end_field: Some(3),
            type_variation_reference: 0,
        }),
        DataType::Interval(_) => Kind::CalendarInterval(d::CalendarInterval::default()),
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) | DataType::ListView(f) => {
            Kind::Array(Box::new(d::Array {
                element_type: Some(Box::new(data_type_to_proto(f.data_type()))),
                contains_null: f.is_nullable(),
                type_variation_reference: 0,
            }))
        }
        DataType::Map(f, _) => match f.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => Kind::Map(Box::new(d::Map {
                key_type: Some(Box::new(data_type_to_proto(kv[0].data_type()))),
                value_type: Some(Box::new(data_type_to_proto(kv[1].data_type()))),
                value_contains_null: kv[1].is_nullable(),
                type_variation_reference: 0,
            })),
            _ => Kind::Unparsed(d::Unparsed { data_type_string: spark_type_name(t) }),
        },
        DataType::Struct(fields) => Kind::Struct(struct_of(fields.iter().map(|f| f.as_ref()))),
        DataType::Dictionary(_, v) => return data_type_to_proto(v),
        DataType::RunEndEncoded(_, v) => return data_type_to_proto(v.data_type()),
        other => Kind::Unparsed(d::Unparsed { data_type_string: spark_type_name(other) }),
    };
    pb::DataType { kind: Some(kind) }
}

fn struct_of<'a>(fields: impl Iterator<Item = &'a Field>) -> d::Struct {
    d::Struct {
        fields: fields
            .map(|f| d::StructField {
                name: f.name().clone(),
                data_type: Some(data_type_to_proto(f.data_type())),
                nullable: f.is_nullable(),
                metadata: None,
            })
            .collect(),
        type_variation_reference: 0,
    }
}

/// A schema as the `StructType` Connect replies carry.
pub fn schema_to_proto(schema: &Schema) -> pb::DataType {
    pb::DataType { kind: Some(Kind::Struct(struct_of(schema.fields().iter().map(|f| f.as_ref())))) }
}

/// Parses a schema or type string the way Spark's Connect server does
/// (`DataType.parseTypeWithFallback`): Spark's JSON form first, then a DDL
/// table schema (`a INT, b STRING`, giving a struct), then a single DDL
/// type (`int`, `struct<a:int>`). The table-schema error is reported when
/// nothing fits.
pub fn parse_type_string(text: &str) -> Result<DataType> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('"') {
        if let Ok(json) = serde_json::from_str::<Value>(text) {
            return data_type_from_json(&json);
        }
    }
    match ember_sql::parse_table_schema(text) {
        Ok(cols) => Ok(DataType::Struct(cols.iter().map(column_field).collect())),
        Err(e) => ember_sql::parse_data_type(text).map_err(|_| e),
    }
}

/// The fields of a parsed struct schema as column definitions.
pub fn columns_of_struct(t: &DataType) -> Option<Vec<ColumnDef>> {
    match t {
        DataType::Struct(fields) => Some(
            fields
                .iter()
                .map(|f| ColumnDef {
                    name: f.name().clone(),
                    data_type: f.data_type().clone(),
                    nullable: f.is_nullable(),
                })
                .collect(),
        ),
        _ => None,
    }
}

fn column_field(c: &ColumnDef) -> Field {
    Field::new(&c.name, c.data_type.clone(), c.nullable)
}

fn json_error(what: &str) -> Error {
    Error::spark_msg(
        "INVALID_JSON_DATA_TYPE",
        "2203G",
        format!("Failed to convert the JSON string '{what}' to a data type."),
    )
}

/// Spark's JSON form of a data type (`DataType.fromJson`).
pub fn data_type_from_json(v: &Value) -> Result<DataType> {
    match v {
        Value::String(name) => {
            let lower = name.to_ascii_lowercase();
            match lower.as_str() {
                "null" => Ok(DataType::Null),
                "calendarinterval" => Ok(DataType::Interval(IntervalUnit::MonthDayNano)),
                _ => match parse_spark_type(&lower) {
                    Some(t) => Ok(t),
                    None => ember_sql::parse_data_type(&lower).map_err(|_| json_error(name)),
                },
            }
        }
        Value::Object(o) => {
            let kind = o.get("type").and_then(Value::as_str).ok_or_else(|| json_error(&v.to_string()))?;
            let child = |key: &str| o.get(key).ok_or_else(|| json_error(&v.to_string())).and_then(data_type_from_json);
            let flag = |key: &str| o.get(key).and_then(Value::as_bool).unwrap_or(true);
            match kind {
                "struct" => {
                    let fields = o.get("fields").and_then(Value::as_array).ok_or_else(|| json_error(&v.to_string()))?;
                    let fields = fields
                        .iter()
                        .map(|f| {
                            let name =
                                f.get("name").and_then(Value::as_str).ok_or_else(|| json_error(&f.to_string()))?;
                            let t = f.get("type").ok_or_else(|| json_error(&f.to_string()))?;
                            let nullable = f.get("nullable").and_then(Value::as_bool).unwrap_or(true);
                            Ok(Field::new(name, data_type_from_json(t)?, nullable))
                        })
                        .collect::<Result<Fields>>()?;
                    Ok(DataType::Struct(fields))
                }
                "array" => {
                    Ok(DataType::List(Arc::new(Field::new("element", child("elementType")?, flag("containsNull")))))
                }
                "map" => Ok(ember_sql::map_type(child("keyType")?, child("valueType")?, flag("valueContainsNull"))),
                "udt" => child("sqlType"),
                _ => Err(json_error(&v.to_string())),
            }
        }
        other => Err(json_error(&other.to_string())),
    }
}
