//! Finding the files behind a path and working out their schema.
//!
//! A path may be a file, a folder (read recursively, skipping names that
//! start with `_` or `.` as Spark does) or a glob. Parquet schemas come from
//! the footer of the first file; CSV follows Spark's options (`header`,
//! `sep`/`delimiter`, `inferSchema`: all columns are strings unless it is
//! true); JSON schemas are always inferred.

use std::fs::File;
use std::io::{BufReader, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use ember_core::plan::{FileFormat, FileTable};
use ember_core::spec::ColumnDef;
use ember_core::{Error, Result};
use parquet::arrow::arrow_reader::ArrowReaderMetadata;

/// Expands paths (files, folders, globs) into a sorted list of files.
pub fn list_files(paths: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for p in paths {
        let has_glob = p.contains(['*', '?', '[']);
        if has_glob {
            let entries = glob::glob(p).map_err(|e| Error::file(p, format!("invalid glob: {e}")))?;
            let mut found = false;
            for entry in entries {
                let path = entry.map_err(|e| Error::file(p, e))?;
                found = true;
                collect(&path, &mut out)?;
            }
            if !found {
                return Err(path_not_found(p));
            }
        } else {
            let path = Path::new(p);
            if !path.exists() {
                return Err(path_not_found(p));
            }
            collect(path, &mut out)?;
        }
    }
    Ok(out)
}

fn path_not_found(p: &str) -> Error {
    let shown = if p.starts_with('/') { format!("file:{p}") } else { p.to_string() };
    Error::spark("PATH_NOT_FOUND", &[("path", shown)])
}

fn collect(path: &Path, out: &mut Vec<String>) -> Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::file(path.display(), e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                !name.starts_with('_') && !name.starts_with('.')
            })
            .collect();
        entries.sort();
        for e in entries {
            collect(&e, out)?;
        }
    } else {
        out.push(path.to_string_lossy().into_owned());
    }
    Ok(())
}

pub fn option<'a>(options: &'a [(String, String)], key: &str) -> Option<&'a str> {
    options.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
}

fn option_bool(options: &[(String, String)], key: &str) -> bool {
    option(options, key).map(|v| v.eq_ignore_ascii_case("true")).unwrap_or(false)
}

/// CSV delimiter from Spark's `sep` / `delimiter` options (default `,`).
pub fn csv_delimiter(options: &[(String, String)]) -> Result<u8> {
    let d = option(options, "sep").or_else(|| option(options, "delimiter")).unwrap_or(",");
    let d = if d == "\\t" { "\t" } else { d };
    match d.as_bytes() {
        [b] => Ok(*b),
        _ => Err(Error::not_implemented(format!("CSV delimiter {d:?}: only single-byte delimiters are supported"))),
    }
}

/// Spark's CSV `quote` (default `"`) and `escape` (default `\`) characters.
pub fn csv_quote_escape(options: &[(String, String)]) -> Result<(u8, u8)> {
    let one = |name: &str, default: u8| -> Result<u8> {
        match option(options, name).map(|v| v.as_bytes()) {
            None => Ok(default),
            Some([b]) => Ok(*b),
            Some(other) => Err(Error::not_implemented(format!(
                "CSV {name} {:?}: only single-byte characters are supported",
                String::from_utf8_lossy(other)
            ))),
        }
    };
    Ok((one("quote", b'"')?, one("escape", b'\\')?))
}

pub fn csv_has_header(options: &[(String, String)]) -> bool {
    option_bool(options, "header")
}

/// Resolves a file table: lists the files and determines the schema.
pub fn resolve_file_table(
    format: &str,
    paths: &[String],
    options: &[(String, String)],
    schema: Option<&[ColumnDef]>,
) -> Result<FileTable> {
    let fmt = FileFormat::parse(format).ok_or_else(|| {
        Error::spark("UNSUPPORTED_DATA_SOURCE_FOR_DIRECT_QUERY", &[("dataSourceType", format.to_string())])
    })?;
    if paths.is_empty() {
        return Err(Error::spark_msg(
            "UNABLE_TO_INFER_SCHEMA",
            "42KD9",
            format!("Unable to infer schema for {}. It must be specified manually.", format.to_uppercase()),
        ));
    }
    let files = list_files(paths)?;
    let options: Vec<(String, String)> = options.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect();
    let given = schema.map(|cols| {
        Arc::new(Schema::new(
            cols.iter().map(|c| Field::new(&c.name, c.data_type.clone(), c.nullable)).collect::<Vec<_>>(),
        ))
    });
    let mut row_count = None;
    let schema: SchemaRef = match fmt {
        FileFormat::Parquet => {
            let mut total = 0usize;
            let mut first: Option<SchemaRef> = None;
            for f in &files {
                let meta = parquet_metadata(f)?;
                total += meta.metadata().file_metadata().num_rows().max(0) as usize;
                if first.is_none() {
                    first = Some(spark_schema(meta.schema()));
                }
            }
            row_count = Some(total);
            match (given, first) {
                (Some(g), _) => g,
                (None, Some(s)) => s,
                (None, None) => return Err(unable_to_infer(format)),
            }
        }
        FileFormat::Csv => match given {
            Some(g) => g,
            None => infer_csv(files.first().ok_or_else(|| unable_to_infer(format))?, &options)?,
        },
        FileFormat::Json => match given {
            Some(g) => g,
            None => infer_json(&files)?,
        },
        FileFormat::Text => Arc::new(Schema::new(vec![Field::new("value", DataType::Utf8, true)])),
    };
    Ok(FileTable { format: fmt, files, options, schema, row_count })
}

fn unable_to_infer(format: &str) -> Error {
    Error::spark_msg(
        "UNABLE_TO_INFER_SCHEMA",
        "42KD9",
        format!("Unable to infer schema for {}. It must be specified manually.", format.to_uppercase()),
    )
}

pub fn parquet_metadata(path: &str) -> Result<ArrowReaderMetadata> {
    let file = File::open(path).map_err(|e| Error::file(path, e))?;
    ArrowReaderMetadata::load(&file, Default::default())
        .map_err(|e| Error::file(path, format!("not a valid Parquet file: {e}")))
}

/// Maps the Arrow types a Parquet file may carry onto Ember's Spark types.
pub fn spark_schema(schema: &SchemaRef) -> SchemaRef {
    Arc::new(Schema::new(
        schema.fields().iter().map(|f| Field::new(f.name(), spark_type(f.data_type()), true)).collect::<Vec<_>>(),
    ))
}

fn spark_type(dt: &DataType) -> DataType {
    use arrow::datatypes::TimeUnit;
    match dt {
        DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
        DataType::BinaryView | DataType::LargeBinary | DataType::FixedSizeBinary(_) => DataType::Binary,
        DataType::Timestamp(_, tz) => {
            DataType::Timestamp(TimeUnit::Microsecond, tz.as_ref().map(|_| ember_core::types::SESSION_TZ.into()))
        }
        DataType::Date64 => DataType::Date32,
        DataType::UInt8 => DataType::Int16,
        DataType::UInt16 => DataType::Int32,
        DataType::UInt32 => DataType::Int64,
        DataType::UInt64 => DataType::Decimal128(20, 0),
        DataType::Float16 => DataType::Float32,
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) => DataType::Decimal128(*p, *s),
        DataType::Dictionary(_, v) => spark_type(v),
        DataType::List(f) | DataType::LargeList(f) => {
            DataType::List(Arc::new(Field::new(f.name(), spark_type(f.data_type()), true)))
        }
        other => other.clone(),
    }
}

fn infer_csv(file: &str, options: &[(String, String)]) -> Result<SchemaRef> {
    let header = csv_has_header(options);
    let delimiter = csv_delimiter(options)?;
    let infer = option_bool(options, "inferschema");
    let f = File::open(file).map_err(|e| Error::file(file, e))?;
    let (quote, escape) = csv_quote_escape(options)?;
    let format = arrow::csv::reader::Format::default()
        .with_header(header)
        .with_delimiter(delimiter)
        .with_quote(quote)
        .with_escape(escape);
    let (schema, _) = format
        .infer_schema(BufReader::new(f), Some(if infer { 10_000 } else { 1 }))
        .map_err(|e| Error::file(file, format!("cannot read CSV: {e}")))?;
    let fields = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = if header { f.name().clone() } else { format!("_c{i}") };
            let dt = if infer {
                match f.data_type() {
                    DataType::Int64 => DataType::Int32,
                    DataType::Null => DataType::Utf8,
                    DataType::Timestamp(_, _) => ember_core::types::timestamp_type(),
                    DataType::Date64 => DataType::Date32,
                    other => other.clone(),
                }
            } else {
                DataType::Utf8
            };
            Field::new(name, dt, true)
        })
        .collect::<Vec<_>>();
    Ok(Arc::new(Schema::new(fields)))
}

fn infer_json(files: &[String]) -> Result<SchemaRef> {
    let mut schemas = Vec::new();
    for file in files.iter().take(16) {
        let f = File::open(file).map_err(|e| Error::file(file, e))?;
        let mut reader = BufReader::new(f);
        let (schema, _) = arrow::json::reader::infer_json_schema(&mut reader, Some(10_000))
            .map_err(|e| Error::file(file, format!("cannot read JSON: {e}")))?;
        reader.rewind().map_err(|e| Error::file(file, e))?;
        schemas.push(schema);
    }
    let merged =
        Schema::try_merge(schemas).map_err(|e| Error::file(&files[0], format!("conflicting JSON schemas: {e}")))?;
    // Spark sorts inferred JSON fields by name
    let mut fields: Vec<Field> = merged
        .fields()
        .iter()
        .map(|f| {
            Field::new(
                f.name(),
                if f.data_type() == &DataType::Null { DataType::Utf8 } else { spark_type(f.data_type()) },
                true,
            )
        })
        .collect();
    fields.sort_by(|a, b| a.name().cmp(b.name()));
    Ok(Arc::new(Schema::new(fields)))
}
