//! Text files as Spark writes them: the one string column, one value per
//! line (`lineSep`, default `\n`); a NULL value is an empty line.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Schema};
use ember_core::{Error, Result};

use super::{option, unsupported_type, FileWriter};

#[derive(Debug, Clone)]
pub(crate) struct TextOptions {
    line_sep: String,
}

impl TextOptions {
    pub(crate) fn parse(options: &[(String, String)]) -> TextOptions {
        TextOptions { line_sep: option(options, "linesep").unwrap_or("\n").to_string() }
    }

    /// Spark's text source takes exactly one string column (types are
    /// checked first, as Spark does).
    pub(crate) fn check_schema(&self, schema: &Schema) -> Result<()> {
        for f in schema.fields() {
            if !matches!(f.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) {
                return Err(unsupported_type("Text", f.name(), f.data_type()));
            }
        }
        if schema.fields().len() != 1 {
            return Err(Error::spark_msg(
                "_LEGACY_ERROR_TEMP_1290",
                "XX000",
                format!(
                    "Text data source supports only a single column, and you have {} columns.",
                    schema.fields().len()
                ),
            ));
        }
        Ok(())
    }
}

pub(crate) struct TextFileWriter {
    path: PathBuf,
    out: BufWriter<File>,
    options: TextOptions,
}

impl TextFileWriter {
    pub(crate) fn create(path: &Path, options: &TextOptions) -> Result<TextFileWriter> {
        let file = File::create(path).map_err(|e| Error::file(path.display(), e))?;
        Ok(TextFileWriter { path: path.to_path_buf(), out: BufWriter::new(file), options: options.clone() })
    }

    fn put(&mut self, value: Option<&str>) -> Result<()> {
        if let Some(v) = value {
            self.out.write_all(v.as_bytes()).map_err(|e| Error::file(self.path.display(), e))?;
        }
        self.out.write_all(self.options.line_sep.as_bytes()).map_err(|e| Error::file(self.path.display(), e))
    }
}

impl FileWriter for TextFileWriter {
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let col = batch.column(0).clone();
        for i in 0..batch.num_rows() {
            let v = if col.is_null(i) {
                None
            } else {
                Some(match col.data_type() {
                    DataType::Utf8 => col.as_string::<i32>().value(i),
                    DataType::LargeUtf8 => col.as_string::<i64>().value(i),
                    _ => col.as_string_view().value(i),
                })
            };
            self.put(v)?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.out.flush().map_err(|e| Error::file(self.path.display(), e))
    }
}
