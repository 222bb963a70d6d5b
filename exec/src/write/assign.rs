//! Spark's store assignment: how values of a query are made to fit the
//! columns of the table they are written to (`INSERT`, `insertInto`).
//!
//! Under the ANSI policy (`spark.sql.storeAssignmentPolicy`, the default) a
//! column may receive its own type, NULL, any numeric type into a numeric
//! column, any atomic type into a string column, and conversions between
//! date and the timestamp types; anything else fails before the query runs
//! (`INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST`). Values are then cast
//! with ANSI semantics whatever `spark.sql.ansi.enabled` says: an integral
//! value that does not fit fails with `CAST_OVERFLOW_IN_TABLE_INSERT`. The
//! LEGACY policy casts anything castable, with legacy semantics.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow::datatypes::{DataType, SchemaRef};
use ember_core::error::{quote_ident, SparkError};
use ember_core::types::{is_numeric, spark_sql_type_name};
use ember_core::{Error, EvalMode, Result};

/// `spark.sql.storeAssignmentPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreAssignmentPolicy {
    Ansi,
    Legacy,
}

impl StoreAssignmentPolicy {
    pub fn from_config(config: &ember_core::SessionConfig) -> Result<StoreAssignmentPolicy> {
        match config.get("spark.sql.storeAssignmentPolicy").map(|v| v.to_ascii_uppercase()) {
            None => Ok(StoreAssignmentPolicy::Ansi),
            Some(v) if v == "ANSI" => Ok(StoreAssignmentPolicy::Ansi),
            Some(v) if v == "LEGACY" => Ok(StoreAssignmentPolicy::Legacy),
            Some(v) => Err(Error::not_implemented(format!("spark.sql.storeAssignmentPolicy={v}"))),
        }
    }
}

fn is_atomic(dt: &DataType) -> bool {
    !matches!(
        dt,
        DataType::List(_)
            | DataType::LargeList(_)
            | DataType::FixedSizeList(_, _)
            | DataType::Map(_, _)
            | DataType::Struct(_)
            | DataType::Interval(arrow::datatypes::IntervalUnit::MonthDayNano)
    )
}

fn is_string(dt: &DataType) -> bool {
    matches!(dt, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Spark's `Cast.canANSIStoreAssign`.
pub fn can_ansi_store_assign(from: &DataType, to: &DataType) -> bool {
    use DataType::*;
    if from == to || matches!(from, Null) {
        return true;
    }
    match (from, to) {
        (f, t) if is_numeric(f) && is_numeric(t) => true,
        (f, t) if is_string(t) && (is_atomic(f) || is_string(f)) => true,
        (Date32, Timestamp(_, _)) | (Timestamp(_, _), Date32) | (Timestamp(_, _), Timestamp(_, _)) => true,
        (Duration(_), Duration(_)) => true,
        (Interval(arrow::datatypes::IntervalUnit::YearMonth), Interval(arrow::datatypes::IntervalUnit::YearMonth)) => {
            true
        }
        (List(a), List(b)) => can_ansi_store_assign(a.data_type(), b.data_type()),
        (Map(a, _), Map(b, _)) => can_ansi_store_assign(a.data_type(), b.data_type()),
        (Struct(a), Struct(b)) => {
            a.len() == b.len()
                && a.iter().zip(b.iter()).all(|(x, y)| can_ansi_store_assign(x.data_type(), y.data_type()))
        }
        _ => false,
    }
}

fn spark_error(class: &str, sql_state: &str, params: Vec<(&str, String)>, message: String) -> Error {
    Error::Spark(Box::new(SparkError {
        error_class: class.to_string(),
        sql_state: sql_state.to_string(),
        parameters: params.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        message,
        span: None,
    }))
}

/// Checks that the query columns `(name, type)` can be written to the
/// table columns `(name, type)` by position; `table` is the quoted table
/// name for messages (`` `spark_catalog`.`default`.`t` ``).
pub fn check_store_assignment(
    table: &str,
    data: &[(String, DataType)],
    columns: &[(String, DataType)],
    policy: StoreAssignmentPolicy,
) -> Result<()> {
    if data.len() != columns.len() {
        let sub = if data.len() > columns.len() { "TOO_MANY_DATA_COLUMNS" } else { "NOT_ENOUGH_DATA_COLUMNS" };
        let reason = if data.len() > columns.len() { "too many data columns" } else { "not enough data columns" };
        let list =
            |cols: &[(String, DataType)]| cols.iter().map(|(n, _)| quote_ident(n)).collect::<Vec<_>>().join(", ");
        let (table_columns, data_columns) = (list(columns), list(data));
        let message = format!(
            "Cannot write to {table}, the reason is {reason}:\nTable columns: {table_columns}.\nData columns: {data_columns}."
        );
        return Err(spark_error(
            &format!("INSERT_COLUMN_ARITY_MISMATCH.{sub}"),
            "21S01",
            vec![("tableName", table.to_string()), ("tableColumns", table_columns), ("dataColumns", data_columns)],
            message,
        ));
    }
    for ((_, from), (name, to)) in data.iter().zip(columns) {
        let ok = match policy {
            StoreAssignmentPolicy::Ansi => can_ansi_store_assign(from, to),
            StoreAssignmentPolicy::Legacy => true,
        };
        if !ok {
            let (col, src, target) = (
                quote_ident(name),
                format!("\"{}\"", spark_sql_type_name(from)),
                format!("\"{}\"", spark_sql_type_name(to)),
            );
            let message = format!(
                "Cannot write incompatible data for the table {table}: Cannot safely cast {col} {src} to {target}."
            );
            return Err(spark_error(
                "INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST",
                "KD000",
                vec![("tableName", table.to_string()), ("colName", col), ("srcType", src), ("targetType", target)],
                message,
            ));
        }
    }
    Ok(())
}

/// Casts the columns of `batch` to `target` by position (names and types
/// from `target`), with the policy's cast semantics.
pub fn cast_to_table(batch: &RecordBatch, target: &SchemaRef, policy: StoreAssignmentPolicy) -> Result<RecordBatch> {
    let mode = match policy {
        StoreAssignmentPolicy::Ansi => EvalMode::Ansi,
        StoreAssignmentPolicy::Legacy => EvalMode::Legacy,
    };
    let mut cols: Vec<ArrayRef> = Vec::with_capacity(target.fields().len());
    for (col, field) in batch.columns().iter().zip(target.fields()) {
        if col.data_type() == field.data_type() {
            cols.push(Arc::clone(col));
            continue;
        }
        let cast = ember_vector::cast::cast(col, field.data_type(), mode).map_err(|e| match e {
            Error::Spark(s) if s.error_class == "CAST_OVERFLOW" => {
                let (src, to) = (
                    format!("\"{}\"", spark_sql_type_name(col.data_type())),
                    format!("\"{}\"", spark_sql_type_name(field.data_type())),
                );
                let column = quote_ident(field.name());
                let message = format!(
                    "Fail to assign a value of {src} type to the {to} type column or variable {column} due to an overflow. Use `try_cast` on the input value to tolerate overflow and return NULL instead."
                );
                spark_error(
                    "CAST_OVERFLOW_IN_TABLE_INSERT",
                    "22003",
                    vec![("sourceType", src), ("targetType", to), ("columnName", column)],
                    message,
                )
            }
            other => other,
        })?;
        cols.push(cast);
    }
    Ok(RecordBatch::try_new_with_options(
        target.clone(),
        cols,
        &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, Int32Array, Int64Array, StringArray};
    use arrow::datatypes::{Field, Schema};

    fn cols(v: &[(&str, DataType)]) -> Vec<(String, DataType)> {
        v.iter().map(|(n, t)| (n.to_string(), t.clone())).collect()
    }

    #[test]
    fn ansi_rules() {
        assert!(can_ansi_store_assign(&DataType::Int64, &DataType::Int8));
        assert!(can_ansi_store_assign(&DataType::Float64, &DataType::Decimal128(10, 2)));
        assert!(can_ansi_store_assign(&DataType::Int32, &DataType::Utf8));
        assert!(can_ansi_store_assign(&DataType::Null, &DataType::Date32));
        assert!(can_ansi_store_assign(&DataType::Date32, &ember_core::types::timestamp_type()));
        assert!(!can_ansi_store_assign(&DataType::Utf8, &DataType::Int32));
        assert!(!can_ansi_store_assign(&DataType::Boolean, &DataType::Int32));
        assert!(!can_ansi_store_assign(&DataType::Utf8, &DataType::Date32));
    }

    #[test]
    fn arity_and_type_errors() {
        let table = "`spark_catalog`.`default`.`t`";
        let t = cols(&[("a", DataType::Int32), ("b", DataType::Utf8)]);
        let e = check_store_assignment(
            table,
            &cols(&[("col1", DataType::Int32), ("col2", DataType::Int32), ("col3", DataType::Int32)]),
            &t,
            StoreAssignmentPolicy::Ansi,
        )
        .unwrap_err();
        assert_eq!(e.error_class(), Some("INSERT_COLUMN_ARITY_MISMATCH.TOO_MANY_DATA_COLUMNS"));
        assert!(e.to_string().contains("Table columns: `a`, `b`.\nData columns: `col1`, `col2`, `col3`."), "{e}");
        let e = check_store_assignment(table, &cols(&[("x", DataType::Int32)]), &t, StoreAssignmentPolicy::Ansi)
            .unwrap_err();
        assert_eq!(e.error_class(), Some("INSERT_COLUMN_ARITY_MISMATCH.NOT_ENOUGH_DATA_COLUMNS"));
        let e = check_store_assignment(
            table,
            &cols(&[("x", DataType::Utf8), ("y", DataType::Int32)]),
            &t,
            StoreAssignmentPolicy::Ansi,
        )
        .unwrap_err();
        assert_eq!(e.error_class(), Some("INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST"));
        assert!(e.to_string().contains("Cannot safely cast `a` \"STRING\" to \"INT\""), "{e}");
        check_store_assignment(
            table,
            &cols(&[("x", DataType::Utf8), ("y", DataType::Int32)]),
            &t,
            StoreAssignmentPolicy::Legacy,
        )
        .unwrap();
    }

    #[test]
    fn casts_and_overflow() {
        let target =
            Arc::new(Schema::new(vec![Field::new("a", DataType::Int32, true), Field::new("b", DataType::Utf8, true)]));
        let input = RecordBatch::try_from_iter(vec![
            ("x", Arc::new(Int64Array::from(vec![Some(1), None])) as ArrayRef),
            ("y", Arc::new(Int32Array::from(vec![7, 8])) as ArrayRef),
        ])
        .unwrap();
        let out = cast_to_table(&input, &target, StoreAssignmentPolicy::Ansi).unwrap();
        assert_eq!(out.schema(), target);
        let a = out.column(0).as_any().downcast_ref::<Int32Array>().unwrap();
        assert_eq!((a.value(0), a.is_null(1)), (1, true));
        let b = out.column(1).as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(b.value(1), "8");

        let big = RecordBatch::try_from_iter(vec![
            ("x", Arc::new(Int64Array::from(vec![1i64 << 40])) as ArrayRef),
            ("y", Arc::new(Int32Array::from(vec![1])) as ArrayRef),
        ])
        .unwrap();
        let e = cast_to_table(&big, &target, StoreAssignmentPolicy::Ansi).unwrap_err();
        assert_eq!(e.error_class(), Some("CAST_OVERFLOW_IN_TABLE_INSERT"));
        // legacy policy wraps like a legacy cast
        let out = cast_to_table(&big, &target, StoreAssignmentPolicy::Legacy).unwrap();
        assert_eq!(out.num_rows(), 1);
    }
}
