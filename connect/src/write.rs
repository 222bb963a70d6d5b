//! `df.write...`: a WriteOperation becomes a `WriteTarget` for the engine's
//! writers (files under a path, or a table of the session: `saveAsTable`,
//! `insertInto`).

use ember_core::spec::{SaveMode, WriteTarget};
use ember_core::{Error, Result};
use ember_engine::Session;

use crate::lower::expr::parse_identifier;
use crate::lower::{lower_relation, LowerContext};
use crate::proto::spark::connect::write_operation::save_table::TableSaveMethod;
use crate::proto::spark::connect::write_operation::{SaveMode as ProtoSaveMode, SaveType};
use crate::proto::spark::connect::{WriteOperation, WriteOperationV2};

pub fn write_operation(engine: &Session, write: WriteOperation) -> Result<()> {
    let input = write
        .input
        .as_ref()
        .ok_or_else(|| Error::spark_msg("INVALID_PLAN_INPUT", "XX000", "invalid plan: WriteOperation without input"))?;
    if write.bucket_by.is_some() {
        return Err(Error::not_implemented("bucketBy"));
    }
    if !write.sort_column_names.is_empty() {
        return Err(Error::not_implemented("sortBy"));
    }
    if !write.clustering_columns.is_empty() {
        return Err(Error::not_implemented("clusterBy"));
    }
    let plan = lower_relation(input, &LowerContext { session: engine })?;
    let mode = match ProtoSaveMode::try_from(write.mode).unwrap_or(ProtoSaveMode::Unspecified) {
        ProtoSaveMode::Append => SaveMode::Append,
        ProtoSaveMode::Overwrite => SaveMode::Overwrite,
        ProtoSaveMode::Ignore => SaveMode::Ignore,
        ProtoSaveMode::ErrorIfExists | ProtoSaveMode::Unspecified => SaveMode::ErrorIfExists,
    };
    let mut options: Vec<(String, String)> = write.options.into_iter().collect();
    options.sort();
    let mut target = WriteTarget {
        format: write.source.filter(|s| !s.is_empty()),
        mode,
        partition_by: write.partitioning_columns,
        ..Default::default()
    };
    match write.save_type {
        Some(SaveType::Path(path)) => target.path = Some(path),
        Some(SaveType::Table(table)) => {
            target.table = Some(parse_identifier(&table.table_name)?);
            target.insert_into = TableSaveMethod::try_from(table.save_method) == Ok(TableSaveMethod::InsertInto);
        }
        // `df.write.save()` with the path among the options
        None => {
            let i = options.iter().position(|(k, _)| k.eq_ignore_ascii_case("path"));
            target.path = i.map(|i| options.remove(i).1);
            if target.path.is_none() {
                return Err(Error::spark_msg(
                    "INVALID_PLAN_INPUT",
                    "XX000",
                    "invalid plan: a write needs a path or a table name",
                ));
            }
        }
    }
    target.options = options;
    engine.write(&plan, &target)
}

/// `df.writeTo(table)....`: the DataFrameWriterV2 verbs on the session's
/// file tables (create, append, replace, createOrReplace).
pub fn write_operation_v2(engine: &Session, write: WriteOperationV2) -> Result<()> {
    use crate::proto::spark::connect::write_operation_v2::Mode;
    let input = write.input.as_ref().ok_or_else(|| {
        Error::spark_msg("INVALID_PLAN_INPUT", "XX000", "invalid plan: WriteOperationV2 without input")
    })?;
    if !write.clustering_columns.is_empty() {
        return Err(Error::not_implemented("clusterBy"));
    }
    let cx = LowerContext { session: engine };
    let table = parse_identifier(&write.table_name)?;
    let exists = engine.table_exists(&table);
    let mode = match Mode::try_from(write.mode).unwrap_or(Mode::Unspecified) {
        Mode::Create => SaveMode::ErrorIfExists,
        Mode::Append | Mode::Replace if !exists => return Err(Error::table_not_found(&write.table_name)),
        Mode::Append => SaveMode::Append,
        Mode::Replace | Mode::CreateOrReplace => SaveMode::Overwrite,
        Mode::Overwrite => return Err(Error::not_implemented("writeTo(...).overwrite(condition)")),
        Mode::OverwritePartitions => return Err(Error::not_implemented("writeTo(...).overwritePartitions()")),
        Mode::Unspecified => {
            return Err(Error::spark_msg(
                "INVALID_PLAN_INPUT",
                "XX000",
                "invalid plan: WriteOperationV2 without a mode",
            ))
        }
    };
    let partition_by = write
        .partitioning_columns
        .iter()
        .map(|e| match crate::lower::lower_expression(e, &cx)? {
            ember_core::spec::Expr::Column { name, .. } if name.len() == 1 => Ok(name[0].clone()),
            _ => Err(Error::not_implemented("partitionedBy with transforms (only plain columns)")),
        })
        .collect::<Result<Vec<_>>>()?;
    let plan = lower_relation(input, &cx)?;
    let mut options: Vec<(String, String)> = write.options.into_iter().collect();
    options.sort();
    let target = WriteTarget {
        format: write.provider.filter(|p| !p.is_empty()),
        table: Some(table),
        mode,
        options,
        partition_by,
        ..Default::default()
    };
    engine.write(&plan, &target)
}
