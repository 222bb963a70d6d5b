//! JSON lines as Spark writes them (Jackson): one object per row, fields in
//! column order, NULL fields left out (`ignoreNullFields`, default
//! `spark.sql.jsonGenerator.ignoreNullFields` = true; inside arrays and as
//! map values NULL is written as `null`); numbers as Java prints them, with
//! NaN and the infinities as strings (`"NaN"`); decimals as
//! `BigDecimal.toString`; dates `"yyyy-MM-dd"`, timestamps
//! `"yyyy-MM-dd'T'HH:mm:ss.SSSXXX"`; binary as base64; map keys as strings.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::*;
use ember_core::format::{date_to_string, java_double, java_float};
use ember_core::{Error, Result};

use super::values::{base64, iso_timestamp, java_big_decimal, json_string};
use super::{option, option_bool, unsupported_type, FileWriter};

#[derive(Debug, Clone)]
pub(crate) struct JsonOptions {
    ignore_null_fields: bool,
    line_sep: String,
}

impl JsonOptions {
    pub(crate) fn parse(options: &[(String, String)], config: &ember_core::SessionConfig) -> Result<JsonOptions> {
        for unsupported in ["dateformat", "timestampformat", "timestampntzformat", "encoding", "charset"] {
            if let Some(v) = option(options, unsupported) {
                let default_like = matches!(v.to_ascii_lowercase().as_str(), "utf-8" | "utf8")
                    || (unsupported == "dateformat" && v == "yyyy-MM-dd");
                if !default_like {
                    return Err(Error::not_implemented(format!("JSON writer option {unsupported} = {v:?}")));
                }
            }
        }
        let default_ignore = config
            .get("spark.sql.jsonGenerator.ignoreNullFields")
            .and_then(ember_core::config::parse_bool)
            .unwrap_or(true);
        Ok(JsonOptions {
            ignore_null_fields: option_bool(options, "ignorenullfields", default_ignore),
            line_sep: option(options, "linesep").unwrap_or("\n").to_string(),
        })
    }

    pub(crate) fn check_type(&self, name: &str, dt: &DataType) -> Result<()> {
        match dt {
            DataType::Interval(IntervalUnit::MonthDayNano) => Err(unsupported_type("JSON", name, dt)),
            // Spark writes ANSI intervals as `INTERVAL '..' ..` literals, which Ember does not render yet
            DataType::Interval(_) | DataType::Duration(_) => {
                Err(Error::not_implemented("writing interval columns to JSON"))
            }
            DataType::List(f) | DataType::LargeList(f) => self.check_type(name, f.data_type()),
            DataType::Map(f, _) => self.check_type(name, f.data_type()),
            DataType::Struct(fields) => fields.iter().try_for_each(|f| self.check_type(name, f.data_type())),
            _ => Ok(()),
        }
    }
}

pub(crate) struct JsonFileWriter {
    path: PathBuf,
    out: BufWriter<File>,
    options: JsonOptions,
    line: String,
}

impl JsonFileWriter {
    pub(crate) fn create(path: &Path, options: &JsonOptions) -> Result<JsonFileWriter> {
        let file = File::create(path).map_err(|e| Error::file(path.display(), e))?;
        Ok(JsonFileWriter {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
            options: options.clone(),
            line: String::new(),
        })
    }
}

impl FileWriter for JsonFileWriter {
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let schema = batch.schema();
        for row in 0..batch.num_rows() {
            self.line.clear();
            self.line.push('{');
            let mut first = true;
            for (f, col) in schema.fields().iter().zip(batch.columns()) {
                if col.is_null(row) && self.options.ignore_null_fields {
                    continue;
                }
                if !first {
                    self.line.push(',');
                }
                first = false;
                json_string(&mut self.line, f.name());
                self.line.push(':');
                value(col.as_ref(), row, self.options.ignore_null_fields, &mut self.line)?;
            }
            self.line.push('}');
            self.line.push_str(&self.options.line_sep);
            self.out.write_all(self.line.as_bytes()).map_err(|e| Error::file(self.path.display(), e))?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.out.flush().map_err(|e| Error::file(self.path.display(), e))
    }
}

/// Java's rendering of a float, as a JSON string when it is not a number.
fn json_float(text: String, finite: bool, out: &mut String) {
    if finite {
        out.push_str(&text);
    } else {
        json_string(out, &text);
    }
}

/// Value `i` of `a` (NULL included) as JSON.
fn value(a: &dyn Array, i: usize, skip_null_fields: bool, out: &mut String) -> Result<()> {
    use std::fmt::Write as _;
    if a.is_null(i) {
        out.push_str("null");
        return Ok(());
    }
    // writing into a String cannot fail
    let _ = match a.data_type() {
        DataType::Null => write!(out, "null"),
        DataType::Boolean => write!(out, "{}", a.as_boolean().value(i)),
        DataType::Int8 => write!(out, "{}", a.as_primitive::<Int8Type>().value(i)),
        DataType::Int16 => write!(out, "{}", a.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => write!(out, "{}", a.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => write!(out, "{}", a.as_primitive::<Int64Type>().value(i)),
        DataType::Float32 => {
            let v = a.as_primitive::<Float32Type>().value(i);
            json_float(java_float(v), v.is_finite(), out);
            Ok(())
        }
        DataType::Float64 => {
            let v = a.as_primitive::<Float64Type>().value(i);
            json_float(java_double(v), v.is_finite(), out);
            Ok(())
        }
        DataType::Decimal128(_, s) => {
            write!(out, "{}", java_big_decimal(a.as_primitive::<Decimal128Type>().value(i), *s))
        }
        DataType::Utf8 => {
            json_string(out, a.as_string::<i32>().value(i));
            Ok(())
        }
        DataType::LargeUtf8 => {
            json_string(out, a.as_string::<i64>().value(i));
            Ok(())
        }
        DataType::Utf8View => {
            json_string(out, a.as_string_view().value(i));
            Ok(())
        }
        DataType::Binary => {
            json_string(out, &base64(a.as_binary::<i32>().value(i)));
            Ok(())
        }
        DataType::LargeBinary => {
            json_string(out, &base64(a.as_binary::<i64>().value(i)));
            Ok(())
        }
        DataType::Date32 => {
            json_string(out, &date_to_string(a.as_primitive::<Date32Type>().value(i)));
            Ok(())
        }
        DataType::Timestamp(TimeUnit::Microsecond, tz) => {
            json_string(out, &iso_timestamp(a.as_primitive::<TimestampMicrosecondType>().value(i), tz.is_some()));
            Ok(())
        }
        DataType::List(_) => {
            let l = a.as_list::<i32>();
            let items = l.value(i);
            out.push('[');
            for j in 0..items.len() {
                if j > 0 {
                    out.push(',');
                }
                value(items.as_ref(), j, skip_null_fields, out)?;
            }
            out.push(']');
            Ok(())
        }
        DataType::Map(_, _) => {
            let m = a.as_map();
            let entries = m.value(i);
            let (keys, values) = (entries.column(0), entries.column(1));
            out.push('{');
            let mut key = String::new();
            for j in 0..entries.len() {
                if j > 0 {
                    out.push(',');
                }
                // Jackson writes keys with their `toString`
                key.clear();
                value(keys.as_ref(), j, skip_null_fields, &mut key)?;
                let unquoted = key.strip_prefix('"').and_then(|k| k.strip_suffix('"'));
                match unquoted {
                    Some(_) => out.push_str(&key),
                    None => json_string(out, &key),
                }
                out.push(':');
                value(values.as_ref(), j, skip_null_fields, out)?;
            }
            out.push('}');
            Ok(())
        }
        DataType::Struct(fields) => {
            let s = a.as_struct();
            out.push('{');
            let mut first = true;
            for (f, col) in fields.iter().zip(s.columns()) {
                if col.is_null(i) && skip_null_fields {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                json_string(out, f.name());
                out.push(':');
                value(col.as_ref(), i, skip_null_fields, out)?;
            }
            out.push('}');
            Ok(())
        }
        other => return Err(unsupported_type("JSON", "value", other)),
    };
    Ok(())
}
