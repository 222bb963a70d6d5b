//! Writing a query's result to files, the way Spark's file sources do.
//!
//! Layout: the destination is a folder of `part-<task>-<job uuid>-c<n>.<ext>`
//! files plus a `_SUCCESS` marker; with `partition_by`, rows go to
//! `col=value/` sub-folders and the partition columns are left out of the
//! files (`partition`). Every worker of the query's last pipeline writes its
//! own files (`sink`), so a write is as parallel as the query; a
//! non-partitioned write of no rows still leaves one empty file, so that the
//! schema can be read back.
//!
//! Atomicity (`commit`): files are written to a hidden staging folder next
//! to the destination and moved into place only after the whole query has
//! succeeded; a failed or cancelled write leaves the destination untouched.
//!
//! Modes (Spark's `SaveMode`): `ErrorIfExists` fails with
//! `PATH_ALREADY_EXISTS` when the destination exists, `Ignore` then does
//! nothing (without running the query), `Overwrite` replaces it, `Append`
//! adds new files.
//!
//! Formats: Parquet (`parquet`), CSV (`csv`), JSON lines (`json`) and text
//! (`text`), each with Spark's defaults and options. When a `target` schema
//! is given (writes into a table), values are cast to it by position with
//! Spark's store assignment rules (`assign`).

pub mod assign;
mod commit;
mod csv;
mod json;
mod parquet;
pub mod partition;
mod sink;
mod text;
pub mod values;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use ember_core::error::{quote_ident, SparkError};
use ember_core::plan::FileFormat;
use ember_core::spec::SaveMode;
use ember_core::types::spark_sql_type_name;
use ember_core::{Error, LogicalPlan, Result};

use crate::context::QueryContext;
use crate::pipeline::Pipeline;
use crate::planner::PhysicalPlanner;
use assign::StoreAssignmentPolicy;
use sink::WriteSink;

/// What to write where.
#[derive(Debug, Clone)]
pub struct WriteSpec {
    pub format: FileFormat,
    /// The destination folder.
    pub path: PathBuf,
    pub mode: SaveMode,
    /// Writer options (`header`, `sep`, `compression`, `maxRecordsPerFile`,
    /// ...); keys are compared case-insensitively.
    pub options: Vec<(String, String)>,
    /// Partition columns, by name (case-insensitive).
    pub partition_by: Vec<String>,
    /// The columns the files get when they are not the query's own (a
    /// table's): the query's columns are cast to these by position with
    /// Spark's store assignment, and take their names.
    pub target: Option<SchemaRef>,
}

/// What a write did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteOutcome {
    /// false when `Ignore` found the destination and wrote nothing.
    pub written: bool,
    pub rows: usize,
    /// The data files written, at their final place.
    pub files: Vec<PathBuf>,
}

/// A per-file writer of one format.
pub(crate) trait FileWriter: Send {
    fn write(&mut self, batch: &RecordBatch) -> Result<()>;
    /// Flushes and closes the file.
    fn finish(self: Box<Self>) -> Result<()>;
}

/// The parsed options of one format.
pub(crate) enum FormatOptions {
    Parquet(parquet::ParquetOptions),
    Csv(csv::CsvOptions),
    Json(json::JsonOptions),
    Text(text::TextOptions),
}

impl FormatOptions {
    fn parse(format: FileFormat, options: &[(String, String)], config: &ember_core::SessionConfig) -> Result<Self> {
        if format != FileFormat::Parquet {
            text_codec(options)?;
        }
        Ok(match format {
            FileFormat::Parquet => FormatOptions::Parquet(parquet::ParquetOptions::parse(options, config)?),
            FileFormat::Csv => FormatOptions::Csv(csv::CsvOptions::parse(options)?),
            FileFormat::Json => FormatOptions::Json(json::JsonOptions::parse(options, config)?),
            FileFormat::Text => FormatOptions::Text(text::TextOptions::parse(options)),
        })
    }

    /// The end of the file names (`.snappy.parquet`, `.csv`, ...).
    pub(crate) fn extension(&self) -> String {
        match self {
            FormatOptions::Parquet(p) => format!("{}.parquet", p.codec_extension),
            FormatOptions::Csv(_) => ".csv".into(),
            FormatOptions::Json(_) => ".json".into(),
            FormatOptions::Text(_) => ".txt".into(),
        }
    }

    /// Fails like Spark for a schema the format cannot store.
    fn check_schema(&self, schema: &Schema) -> Result<()> {
        let format_name = match self {
            FormatOptions::Parquet(_) => "Parquet",
            FormatOptions::Csv(_) => "CSV",
            FormatOptions::Json(_) => "JSON",
            FormatOptions::Text(_) => "Text",
        };
        if schema.fields().is_empty() {
            return Err(Error::Spark(Box::new(SparkError {
                error_class: "EMPTY_SCHEMA_NOT_SUPPORTED_FOR_DATASOURCE".into(),
                sql_state: "0A000".into(),
                parameters: vec![("format".into(), format_name.into())],
                message: format!("The {format_name} datasource does not support writing empty or nested empty schemas. Please make sure the data schema has at least one or more column(s)."),
                span: None,
            })));
        }
        for f in schema.fields() {
            match self {
                FormatOptions::Parquet(p) => p.check_type(f.name(), f.data_type())?,
                FormatOptions::Csv(c) => c.check_type(f.name(), f.data_type())?,
                FormatOptions::Json(j) => j.check_type(f.name(), f.data_type())?,
                FormatOptions::Text(_) => {}
            }
        }
        if let FormatOptions::Text(t) = self {
            t.check_schema(schema)?;
        }
        Ok(())
    }

    pub(crate) fn open(&self, path: &Path, schema: &SchemaRef) -> Result<Box<dyn FileWriter>> {
        Ok(match self {
            FormatOptions::Parquet(p) => Box::new(parquet::ParquetFileWriter::create(path, schema, p)?),
            FormatOptions::Csv(c) => Box::new(csv::CsvFileWriter::create(path, schema, c)?),
            FormatOptions::Json(j) => Box::new(json::JsonFileWriter::create(path, j)?),
            FormatOptions::Text(t) => Box::new(text::TextFileWriter::create(path, t)?),
        })
    }
}

/// Compression of the text formats: Ember writes them uncompressed only.
fn text_codec(options: &[(String, String)]) -> Result<()> {
    let Some(codec) = option(options, "compression").or_else(|| option(options, "codec")) else {
        return Ok(());
    };
    match codec.to_ascii_lowercase().as_str() {
        "none" | "uncompressed" => Ok(()),
        "bzip2" | "deflate" | "snappy" | "lz4" | "gzip" => {
            Err(Error::not_implemented(format!("compressed text output (compression = {codec})")))
        }
        _ => Err(codec_not_available(codec, "bzip2, deflate, uncompressed, snappy, none, lz4, gzip")),
    }
}

pub(crate) fn codec_not_available(codec: &str, available: &str) -> Error {
    Error::Spark(Box::new(SparkError {
        error_class: "CODEC_NOT_AVAILABLE.WITH_AVAILABLE_CODECS_SUGGESTION".into(),
        sql_state: "56038".into(),
        parameters: vec![("codecName".into(), codec.to_string()), ("availableCodecs".into(), available.to_string())],
        message: format!("The codec {codec} is not available. Available codecs are {available}."),
        span: None,
    }))
}

/// A writer option by case-insensitive key.
pub(crate) fn option<'a>(options: &'a [(String, String)], key: &str) -> Option<&'a str> {
    options.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
}

pub(crate) fn option_bool(options: &[(String, String)], key: &str, default: bool) -> bool {
    option(options, key).and_then(ember_core::config::parse_bool).unwrap_or(default)
}

/// `UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE`.
pub(crate) fn unsupported_type(format: &str, column: &str, dt: &DataType) -> Error {
    let (column, ty) = (quote_ident(column), format!("\"{}\"", spark_sql_type_name(dt)));
    Error::Spark(Box::new(SparkError {
        error_class: "UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE".into(),
        sql_state: "0A000".into(),
        parameters: vec![
            ("columnName".into(), column.clone()),
            ("columnType".into(), ty.clone()),
            ("format".into(), format.to_string()),
        ],
        message: format!("The {format} datasource doesn't support the column {column} of the type {ty}."),
        span: None,
    }))
}

/// A local path from a path or `file:` URI as Spark accepts them.
pub fn local_path(path: &str) -> PathBuf {
    let p = path.strip_prefix("file://").or_else(|| path.strip_prefix("file:")).unwrap_or(path);
    PathBuf::from(p)
}

/// The fully qualified form Spark shows in messages (`file:/abs/path`).
pub fn qualified_path(path: &Path) -> String {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf())
    };
    format!("file:{}", abs.display())
}

/// `PATH_ALREADY_EXISTS`.
pub fn path_already_exists(path: &Path) -> Error {
    let shown = qualified_path(path);
    Error::Spark(Box::new(SparkError {
        error_class: "PATH_ALREADY_EXISTS".into(),
        sql_state: "42K04".into(),
        parameters: vec![("outputPath".into(), shown.clone())],
        message: format!("Path {shown} already exists. Set mode as \"overwrite\" to overwrite the existing path."),
        span: None,
    }))
}

/// `COLUMN_ALREADY_EXISTS` for the first name that appears twice.
pub fn check_duplicate_columns(names: &[String], case_sensitive: bool) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for n in names {
        let key = if case_sensitive { n.clone() } else { n.to_lowercase() };
        if !seen.insert(key.clone()) {
            let column = quote_ident(&key);
            return Err(Error::Spark(Box::new(SparkError {
                error_class: "COLUMN_ALREADY_EXISTS".into(),
                sql_state: "42711".into(),
                parameters: vec![("columnName".into(), column.clone())],
                message: format!(
                    "The column {column} already exists. Choose another name or rename the existing column."
                ),
                span: None,
            })));
        }
    }
    Ok(())
}

/// The positions of the partition columns in `schema`, with the schema's
/// own spelling of their names.
fn partition_columns(
    schema: &Schema,
    partition_by: &[String],
    case_sensitive: bool,
) -> Result<(Vec<usize>, Vec<String>)> {
    let mut idx = Vec::with_capacity(partition_by.len());
    for p in partition_by {
        let found = schema.fields().iter().position(|f| {
            if case_sensitive {
                f.name() == p
            } else {
                f.name().eq_ignore_ascii_case(p)
            }
        });
        let Some(i) = found else {
            let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            return Err(Error::spark_msg(
                "_LEGACY_ERROR_TEMP_1155",
                "XX000",
                format!("Partition column `{p}` not found in schema struct<{}>", names.join(",")),
            ));
        };
        let dt = schema.field(i).data_type();
        if matches!(dt, DataType::List(_) | DataType::LargeList(_) | DataType::Map(_, _) | DataType::Struct(_)) {
            let ty = format!("\"{}\"", spark_sql_type_name(dt));
            return Err(Error::Spark(Box::new(SparkError {
                error_class: "INVALID_PARTITION_COLUMN_DATA_TYPE".into(),
                sql_state: "0A000".into(),
                parameters: vec![("type".into(), ty.clone())],
                message: format!("Cannot use {ty} for partition column."),
                span: None,
            })));
        }
        if idx.contains(&i) {
            check_duplicate_columns(&[p.clone(), p.clone()], case_sensitive)?;
        }
        idx.push(i);
    }
    if !idx.is_empty() && idx.len() == schema.fields().len() {
        return Err(Error::spark_msg(
            "ALL_PARTITION_COLUMNS_NOT_ALLOWED",
            "KD005",
            "Cannot use all columns for partition columns.",
        ));
    }
    let names = idx.iter().map(|&i| schema.field(i).name().clone()).collect();
    Ok((idx, names))
}

/// Runs `plan` and writes its rows as `spec` says.
pub fn write_plan(plan: &LogicalPlan, ctx: &Arc<QueryContext>, spec: &WriteSpec) -> Result<WriteOutcome> {
    let dest = spec.path.as_path();
    let exists = std::fs::symlink_metadata(dest).is_ok();
    match (spec.mode, exists) {
        (SaveMode::ErrorIfExists, true) => return Err(path_already_exists(dest)),
        (SaveMode::Ignore, true) => return Ok(WriteOutcome::default()),
        _ => {}
    }
    let case_sensitive = ctx.config.case_sensitive();
    let query_schema = plan.schema();
    let (schema, policy) = match &spec.target {
        Some(target) => {
            if target.fields().len() != query_schema.fields().len() {
                return Err(Error::internal("a write's target schema does not match its query's columns"));
            }
            (target.clone(), Some(StoreAssignmentPolicy::from_config(&ctx.config)?))
        }
        None => (query_schema.clone(), None),
    };
    // chunks mark every column nullable; files do too
    let schema = Arc::new(Schema::new(
        schema.fields().iter().map(|f| Field::new(f.name(), f.data_type().clone(), true)).collect::<Vec<_>>(),
    ));
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    check_duplicate_columns(&names, case_sensitive)?;
    let (partition_idx, partition_names) = partition_columns(&schema, &spec.partition_by, case_sensitive)?;
    let data_schema = Arc::new(Schema::new(
        schema
            .fields()
            .iter()
            .enumerate()
            .filter(|(i, _)| !partition_idx.contains(i))
            .map(|(_, f)| f.as_ref().clone())
            .collect::<Vec<_>>(),
    ));
    let format = FormatOptions::parse(spec.format, &spec.options, &ctx.config)?;
    format.check_schema(&data_schema)?;
    let max_records = option(&spec.options, "maxRecordsPerFile")
        .or_else(|| ctx.config.get("spark.sql.files.maxRecordsPerFile"))
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| *n > 0)
        .map(|n| n as usize);

    let job = uuid::Uuid::new_v4().to_string();
    let staging = commit::Staging::create(dest, &job)?;
    let sink = Arc::new(WriteSink::new(sink::WriteJob {
        dir: staging.dir().to_path_buf(),
        job: job.clone(),
        format,
        schema,
        cast: policy,
        partition_idx,
        partition_names,
        data_schema,
        max_records,
    }));
    let (mut pipelines, _) = PhysicalPlanner::new(ctx.clone()).plan_query(plan)?;
    let last = pipelines.pop().ok_or_else(|| Error::internal("a query planned into no pipeline"))?;
    pipelines.push(Pipeline::new(last.branches, sink.clone(), None));
    crate::executor::run_pipelines(&mut pipelines, ctx)?;
    ctx.check_cancelled()?;
    let (staged, rows) = sink.written();
    if matches!(spec.mode, SaveMode::ErrorIfExists | SaveMode::Ignore) && std::fs::symlink_metadata(dest).is_ok() {
        // someone else created the destination while the query ran
        return Err(path_already_exists(dest));
    }
    let staging_dir = staging.dir().to_path_buf();
    staging.commit(spec.mode == SaveMode::Overwrite)?;
    let files = staged.iter().map(|f| dest.join(f.strip_prefix(&staging_dir).unwrap_or(f))).collect();
    Ok(WriteOutcome { written: true, rows, files })
}
