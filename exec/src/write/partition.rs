//! Hive-style partitioned output: each row goes to the folder
//! `col1=v1/col2=v2` of its partition values. A value is rendered as its
//! cast to STRING, NULL and the empty string become
//! `__HIVE_DEFAULT_PARTITION__`, and the characters Hive escapes in path
//! names are written as `%XX`.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, UInt32Array};
use arrow::datatypes::DataType;
use ember_core::{EvalMode, Result};

/// The folder name Spark and Hive use for a NULL (or empty) partition value.
pub const DEFAULT_PARTITION_NAME: &str = "__HIVE_DEFAULT_PARTITION__";

fn needs_escape(c: char) -> bool {
    matches!(
        c,
        '\u{1}'
            ..='\u{1f}'
                | '"'
                | '#'
                | '%'
                | '\''
                | '*'
                | '/'
                | ':'
                | '='
                | '?'
                | '\\'
                | '\u{7f}'
                | '{'
                | '['
                | ']'
                | '^'
    )
}

/// Hive's `escapePathName`: `%XX` (upper-case hex) for the characters
/// that are special in paths or in `col=value`.
pub fn escape_path_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if needs_escape(c) {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The inverse of [`escape_path_name`]; a `%` not followed by two hex
/// digits stays as it is.
pub fn unescape_path_name(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The relative folder (`a=1/b=x`) of every row of `batch`, from the
/// columns `cols` named `names`.
pub(crate) fn row_folders(batch: &RecordBatch, cols: &[usize], names: &[String]) -> Result<Vec<String>> {
    let rendered: Vec<ArrayRef> = cols
        .iter()
        .map(|&c| {
            let col = batch.column(c);
            ember_vector::cast::cast(col, &DataType::Utf8, EvalMode::Legacy)
        })
        .collect::<Result<_>>()?;
    let names: Vec<String> = names.iter().map(|n| escape_path_name(n)).collect();
    let mut out = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        let mut dir = String::new();
        for (k, (name, values)) in names.iter().zip(&rendered).enumerate() {
            if k > 0 {
                dir.push('/');
            }
            dir.push_str(name);
            dir.push('=');
            let strings = values.as_string::<i32>();
            if values.is_null(row) || strings.value(row).is_empty() {
                dir.push_str(DEFAULT_PARTITION_NAME);
            } else {
                dir.push_str(&escape_path_name(strings.value(row)));
            }
        }
        out.push(dir);
    }
    Ok(out)
}

/// Splits `data` (the batch without its partition columns) by the rows'
/// folders, in the order the folders first appear.
pub(crate) fn split_by_folder(data: &RecordBatch, folders: Vec<String>) -> Result<Vec<(String, RecordBatch)>> {
    let mut order: Vec<String> = Vec::new();
    let mut rows: HashMap<String, Vec<u32>> = HashMap::new();
    for (i, f) in folders.into_iter().enumerate() {
        match rows.get_mut(&f) {
            Some(v) => v.push(i as u32),
            None => {
                order.push(f.clone());
                rows.insert(f, vec![i as u32]);
            }
        }
    }
    if order.len() == 1 {
        return Ok(vec![(order.swap_remove(0), data.clone())]);
    }
    let mut out = Vec::with_capacity(order.len());
    for f in order {
        let idx = UInt32Array::from(rows.remove(&f).unwrap_or_default());
        let cols = data
            .columns()
            .iter()
            .map(|c| arrow::compute::take(c.as_ref(), &idx, None))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let batch = RecordBatch::try_new_with_options(
            data.schema(),
            cols,
            &arrow::array::RecordBatchOptions::new().with_row_count(Some(idx.len())),
        )?;
        out.push((f, batch));
    }
    Ok(out)
}

/// `data` without the columns at `drop`.
pub(crate) fn without_columns(
    batch: &RecordBatch,
    drop: &[usize],
    schema: &arrow::datatypes::SchemaRef,
) -> Result<RecordBatch> {
    let cols: Vec<ArrayRef> =
        batch.columns().iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, c)| Arc::clone(c)).collect();
    Ok(RecordBatch::try_new_with_options(
        schema.clone(),
        cols,
        &arrow::array::RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_hive() {
        assert_eq!(escape_path_name("2018-11-17 13:33:33"), "2018-11-17 13%3A33%3A33");
        assert_eq!(escape_path_name("a/b=c%"), "a%2Fb%3Dc%25");
        assert_eq!(escape_path_name("plain"), "plain");
        for s in ["2018-11-17 13:33:33", "a/b=c%", "100%", "%zz", "x%2"] {
            assert_eq!(unescape_path_name(&escape_path_name(s)), s);
        }
        assert_eq!(unescape_path_name("%zz"), "%zz");
        assert_eq!(unescape_path_name("x%2"), "x%2");
    }
}
