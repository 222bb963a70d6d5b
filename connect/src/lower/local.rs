//! `LocalRelation`: the rows of `createDataFrame`, as an Arrow IPC stream,
//! with the schema the client decided on (Spark's JSON or DDL).
//!
//! PySpark builds the Arrow table from the inferred or given schema but
//! leaves renaming and exact types to the server ("rename the columns and
//! cast the datatypes in the server side"), and may use large strings and
//! any timestamp unit: every column is cast to Ember's type for its Spark
//! type and named after the schema.

use std::io::Cursor;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, RecordBatch};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::{DataType, Field, Fields, IntervalUnit, Schema, SchemaRef, TimeUnit};
use arrow_ipc::reader::StreamReader;
use ember_core::spec::Plan;
use ember_core::types::{timestamp_ntz_type, timestamp_type};
use ember_core::{Error, Result};

use super::invalid_plan;
use super::types::parse_type_string;
use crate::proto::spark::connect as proto;

pub(crate) fn local_relation(l: &proto::LocalRelation) -> Result<Plan> {
    let target = match l.schema.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => Some(as_struct(parse_type_string(s)?)),
        None => None,
    };
    let Some(data) = &l.data else {
        let Some(fields) = target else {
            return Err(invalid_plan("a local relation without data or schema"));
        };
        return Ok(Plan::LocalRelation { batches: vec![], schema: Arc::new(Schema::new(fields)) });
    };
    let reader = StreamReader::try_new(Cursor::new(data.as_slice()), None)?;
    let source = reader.schema();
    let batches = reader.collect::<std::result::Result<Vec<_>, _>>()?;
    let fields: Fields = match target {
        Some(fields) => {
            if fields.len() != source.fields().len() {
                return Err(Error::spark_msg(
                    "AXIS_LENGTH_MISMATCH",
                    "22000",
                    format!(
                        "Length mismatch: Expected axis has {} elements, new values have {} elements.",
                        source.fields().len(),
                        fields.len()
                    ),
                ));
            }
            fields
        }
        None => source
            .fields()
            .iter()
            .map(|f| Arc::new(f.as_ref().clone().with_data_type(ember_type(f.data_type()))))
            .collect(),
    };
    let schema = schema_for(&fields, &batches);
    let batches = batches
        .iter()
        .map(|b| {
            let columns = b
                .columns()
                .iter()
                .zip(schema.fields())
                .map(|(c, f)| convert(c, f.data_type()))
                .collect::<Result<Vec<ArrayRef>>>()?;
            Ok(RecordBatch::try_new(Arc::clone(&schema), columns)?)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Plan::LocalRelation { batches, schema })
}

/// A schema string that is not a struct describes one column, `value`.
fn as_struct(t: DataType) -> Fields {
    match t {
        DataType::Struct(fields) => fields,
        other => Fields::from(vec![Field::new("value", other, true)]),
    }
}

/// The relation's schema: the declared fields, nullable wherever the data
/// holds NULLs (PySpark checks declared nullability on its side).
fn schema_for(fields: &Fields, batches: &[RecordBatch]) -> SchemaRef {
    let fields: Vec<Field> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let has_nulls = batches.iter().any(|b| b.column(i).null_count() > 0);
            f.as_ref().clone().with_nullable(f.is_nullable() || has_nulls)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

fn convert(column: &ArrayRef, to: &DataType) -> Result<ArrayRef> {
    if column.data_type() == to {
        return Ok(Arc::clone(column));
    }
    let options = CastOptions { safe: false, ..Default::default() };
    cast_with_options(column, to, &options).map_err(|e| {
        Error::spark_msg(
            "INVALID_PLAN_INPUT",
            "XX000",
            format!("cannot convert the local relation's {} column to {}: {e}", column.data_type(), to),
        )
    })
}

/// Ember's type for an Arrow type from the client (`ember_core::types`):
/// one string, binary and list layout, microsecond timestamps in the
/// session zone, signed integers.
pub(crate) fn ember_type(t: &DataType) -> DataType {
    match t {
        DataType::LargeUtf8 | DataType::Utf8View => DataType::Utf8,
        DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_) => DataType::Binary,
        DataType::Timestamp(_, Some(_)) => timestamp_type(),
        DataType::Timestamp(_, None) => timestamp_ntz_type(),
        DataType::Date64 => DataType::Date32,
        DataType::Float16 => DataType::Float32,
        DataType::UInt8 => DataType::Int16,
        DataType::UInt16 => DataType::Int32,
        DataType::UInt32 => DataType::Int64,
        DataType::UInt64 => DataType::Decimal128(20, 0),
        DataType::Duration(_) => DataType::Duration(TimeUnit::Microsecond),
        DataType::Interval(IntervalUnit::DayTime) => DataType::Interval(IntervalUnit::MonthDayNano),
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) | DataType::ListView(f) => {
            DataType::List(Arc::new(Field::new("element", ember_type(f.data_type()), f.is_nullable())))
        }
        DataType::Map(f, _) => match f.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                ember_sql::map_type(ember_type(kv[0].data_type()), ember_type(kv[1].data_type()), kv[1].is_nullable())
            }
            _ => t.clone(),
        },
        DataType::Struct(fields) => DataType::Struct(
            fields.iter().map(|f| Arc::new(f.as_ref().clone().with_data_type(ember_type(f.data_type())))).collect(),
        ),
        DataType::Dictionary(_, v) => ember_type(v),
        other => other.clone(),
    }
}
