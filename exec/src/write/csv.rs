//! CSV files as Spark writes them (univocity with Spark's defaults): no
//! header unless `header` is true; `sep` (any string, default `,`); a value
//! is quoted when it holds the separator, a line break, or (with
//! `escapeQuotes`, the default) the quote character, and quotes inside are
//! preceded by `escape` (default `\`); `quoteAll` quotes every value;
//! leading and trailing white space is dropped (`ignoreLeadingWhiteSpace` /
//! `ignoreTrailingWhiteSpace` default to true when writing); NULL is
//! `nullValue` (default: nothing), the empty string is `emptyValue`
//! (default `""`). Numbers print like Java (`1.0E10`, `BigDecimal`),
//! dates `yyyy-MM-dd`, timestamps `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::*;
use ember_core::format::{date_to_string, java_double, java_float};
use ember_core::{Error, Result};

use super::values::{iso_timestamp, java_big_decimal};
use super::{option, option_bool, unsupported_type, FileWriter};

/// The CSV writer options, parsed once per write.
#[derive(Debug, Clone)]
pub(crate) struct CsvOptions {
    sep: String,
    quote: Option<char>,
    escape: char,
    quote_all: bool,
    escape_quotes: bool,
    null_value: String,
    empty_value: String,
    pub(crate) header: bool,
    line_sep: String,
    trim_leading: bool,
    trim_trailing: bool,
}

impl CsvOptions {
    pub(crate) fn parse(options: &[(String, String)]) -> Result<CsvOptions> {
        let sep = option(options, "sep").or_else(|| option(options, "delimiter")).unwrap_or(",");
        let sep = match sep {
            "" => {
                return Err(Error::spark_msg(
                    "INVALID_DELIMITER_VALUE.EMPTY_STRING",
                    "42602",
                    "Invalid value for delimiter. Delimiter cannot be empty string.",
                ))
            }
            "\\t" => "\t".to_string(),
            s => s.to_string(),
        };
        let single = |key: &str, default: Option<char>| -> Result<Option<char>> {
            match option(options, key) {
                None => Ok(default),
                // Spark: an empty quote turns quoting off (writes \u0000)
                Some("") => Ok(None),
                Some(v) => {
                    let mut cs = v.chars();
                    match (cs.next(), cs.next()) {
                        (Some(c), None) => Ok(Some(c)),
                        _ => Err(Error::spark_msg(
                            "_LEGACY_ERROR_TEMP_2145",
                            "XX000",
                            format!("{key} cannot be more than one character"),
                        )),
                    }
                }
            }
        };
        for unsupported in ["dateformat", "timestampformat", "timestampntzformat", "encoding", "charset"] {
            if let Some(v) = option(options, unsupported) {
                let default_like = matches!(v.to_ascii_lowercase().as_str(), "utf-8" | "utf8")
                    || (unsupported == "dateformat" && v == "yyyy-MM-dd");
                if !default_like {
                    return Err(Error::not_implemented(format!("CSV writer option {unsupported} = {v:?}")));
                }
            }
        }
        Ok(CsvOptions {
            sep,
            quote: single("quote", Some('"'))?,
            escape: single("escape", Some('\\'))?.unwrap_or('\\'),
            quote_all: option_bool(options, "quoteall", false),
            escape_quotes: option_bool(options, "escapequotes", true),
            null_value: option(options, "nullvalue").unwrap_or("").to_string(),
            empty_value: option(options, "emptyvalue").unwrap_or("\"\"").to_string(),
            header: option_bool(options, "header", false),
            line_sep: option(options, "linesep").unwrap_or("\n").to_string(),
            trim_leading: option_bool(options, "ignoreleadingwhitespace", true),
            trim_trailing: option_bool(options, "ignoretrailingwhitespace", true),
        })
    }

    /// One value as it appears between separators.
    pub(crate) fn field(&self, value: &str, out: &mut String) {
        let mut v = value;
        if self.trim_leading {
            v = v.trim_start_matches(|c: char| c <= ' ');
        }
        if self.trim_trailing {
            v = v.trim_end_matches(|c: char| c <= ' ');
        }
        if v.is_empty() {
            out.push_str(&self.empty_value);
            return;
        }
        let has_quote = self.quote.is_some_and(|q| v.contains(q));
        let quoted = self.quote.is_some()
            && (self.quote_all
                || v.contains(self.sep.as_str())
                || v.contains(['\n', '\r'])
                || (self.escape_quotes && has_quote));
        match (quoted, self.quote) {
            (true, Some(q)) => {
                out.push(q);
                for c in v.chars() {
                    if c == q {
                        out.push(self.escape);
                    }
                    out.push(c);
                }
                out.push(q);
            }
            _ => out.push_str(v),
        }
    }

    pub(crate) fn check_type(&self, name: &str, dt: &DataType) -> Result<()> {
        match dt {
            DataType::Boolean
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::Float32
            | DataType::Float64
            | DataType::Decimal128(_, _)
            | DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Date32
            | DataType::Timestamp(TimeUnit::Microsecond, _) => Ok(()),
            // Spark writes ANSI intervals as `INTERVAL '..' ..` literals, which Ember does not render yet
            DataType::Interval(IntervalUnit::YearMonth) | DataType::Duration(_) => {
                Err(Error::not_implemented("writing interval columns to CSV"))
            }
            other => Err(unsupported_type("CSV", name, other)),
        }
    }
}

pub(crate) struct CsvFileWriter {
    path: PathBuf,
    out: BufWriter<File>,
    options: CsvOptions,
    line: String,
}

impl CsvFileWriter {
    pub(crate) fn create(path: &Path, schema: &SchemaRef, options: &CsvOptions) -> Result<CsvFileWriter> {
        let file = File::create(path).map_err(|e| Error::file(path.display(), e))?;
        let mut w = CsvFileWriter {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
            options: options.clone(),
            line: String::new(),
        };
        if options.header {
            let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
            let mut line = String::new();
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    line.push_str(&w.options.sep);
                }
                w.options.field(n, &mut line);
            }
            line.push_str(&w.options.line_sep);
            w.out.write_all(line.as_bytes()).map_err(|e| Error::file(path.display(), e))?;
        }
        Ok(w)
    }
}

impl FileWriter for CsvFileWriter {
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let cols = batch.columns();
        let mut cell = String::new();
        for row in 0..batch.num_rows() {
            self.line.clear();
            for (i, col) in cols.iter().enumerate() {
                if i > 0 {
                    self.line.push_str(&self.options.sep);
                }
                if col.is_null(row) {
                    self.line.push_str(&self.options.null_value);
                    continue;
                }
                cell.clear();
                render(col.as_ref(), row, &mut cell)?;
                self.options.field(&cell, &mut self.line);
            }
            self.line.push_str(&self.options.line_sep);
            self.out.write_all(self.line.as_bytes()).map_err(|e| Error::file(self.path.display(), e))?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.out.flush().map_err(|e| Error::file(self.path.display(), e))
    }
}

/// A non-null value as Spark's CSV writer prints it.
fn render(a: &dyn Array, i: usize, out: &mut String) -> Result<()> {
    use std::fmt::Write as _;
    // writing into a String cannot fail
    let _ = match a.data_type() {
        DataType::Boolean => write!(out, "{}", a.as_boolean().value(i)),
        DataType::Int8 => write!(out, "{}", a.as_primitive::<Int8Type>().value(i)),
        DataType::Int16 => write!(out, "{}", a.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => write!(out, "{}", a.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => write!(out, "{}", a.as_primitive::<Int64Type>().value(i)),
        DataType::Float32 => write!(out, "{}", java_float(a.as_primitive::<Float32Type>().value(i))),
        DataType::Float64 => write!(out, "{}", java_double(a.as_primitive::<Float64Type>().value(i))),
        DataType::Decimal128(_, s) => {
            write!(out, "{}", java_big_decimal(a.as_primitive::<Decimal128Type>().value(i), *s))
        }
        DataType::Utf8 => write!(out, "{}", a.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => write!(out, "{}", a.as_string::<i64>().value(i)),
        DataType::Utf8View => write!(out, "{}", a.as_string_view().value(i)),
        DataType::Date32 => write!(out, "{}", date_to_string(a.as_primitive::<Date32Type>().value(i))),
        DataType::Timestamp(TimeUnit::Microsecond, tz) => {
            write!(out, "{}", iso_timestamp(a.as_primitive::<TimestampMicrosecondType>().value(i), tz.is_some()))
        }
        other => return Err(Error::internal(format!("CSV writer reached a {other} column"))),
    };
    Ok(())
}
