//! Comparing a query result with a reference answer in CSV (TPC-H, TPC-DS).
//!
//! Rules (shared/tpch/README.md, "Comparing"):
//! - the CSV has a header line; column names are not compared (Spark's output
//!   names differ from DuckDB's), only the number of columns;
//! - numbers are equal when `|a - b| <= 1e-6 * max(|a|, |b|) + 1e-6`, compared
//!   as numbers since Spark returns decimals where DuckDB returned doubles;
//! - dates are ISO `yyyy-mm-dd`, strings compare exactly, an empty field is
//!   NULL, quoted or not (DuckDB writes a lone NULL as `""` so that the line
//!   is not blank; TPC answers hold no empty strings);
//! - rows are compared in order. When that fails and the caller named the
//!   ORDER BY key columns, rows are split into runs with equal keys (in the
//!   expected answer) and each run must hold the same rows as the result at
//!   the same positions, in any order: this accepts exactly the orders that a
//!   correct sort with ties may produce. No keys (`Some(&[])`) means the whole
//!   result is one run, i.e. compared as a multiset.

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::{
    DataType, Date32Type, Date64Type, Decimal128Type, Float16Type, Float32Type, Float64Type, Int16Type, Int32Type,
    Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use ember_core::format::date_to_string;

/// One value of a result, reduced to what the comparison needs.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Num(f64),
    Text(String),
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Null => write!(f, "NULL"),
            Cell::Num(v) => write!(f, "{v}"),
            Cell::Text(s) => write!(f, "{s:?}"),
        }
    }
}

/// A field of the expected CSV: `None` is NULL.
type Field = Option<String>;

/// Compares `result` with the CSV answer `expected_csv` (header + rows).
///
/// `ordered_keys`: `None` requires exactly the expected row order;
/// `Some(keys)` lets rows that are equal on those output columns (0-based,
/// the query's ORDER BY keys) come in any order; `Some(&[])` ignores order.
/// The error says which row differs and how.
pub fn compare(result: &[RecordBatch], expected_csv: &str, ordered_keys: Option<&[usize]>) -> Result<(), String> {
    let mut lines = parse_csv(expected_csv)?;
    if lines.is_empty() {
        return Err("expected answer has no header line".into());
    }
    let header = lines.remove(0);
    let expected = lines;
    let actual = result_rows(result)?;

    if let Some(batch) = result.first() {
        if batch.num_columns() != header.len() {
            return Err(format!("expected {} columns, got {}", header.len(), batch.num_columns()));
        }
    }
    if let Some((i, row)) = expected.iter().enumerate().find(|(_, r)| r.len() != header.len()) {
        return Err(format!("expected answer line {} has {} fields, header has {}", i + 2, row.len(), header.len()));
    }
    if actual.len() != expected.len() {
        let mut msg = format!("expected {} rows, got {}", expected.len(), actual.len());
        if let Some(i) = (0..actual.len().min(expected.len())).find(|&i| !row_matches(&actual[i], &expected[i])) {
            msg.push_str(&format!("; first difference at {}", describe(i, &actual[i], &expected[i])));
        }
        return Err(msg);
    }

    let Some(first_bad) = (0..actual.len()).find(|&i| !row_matches(&actual[i], &expected[i])) else {
        return Ok(());
    };
    let Some(keys) = ordered_keys else {
        return Err(describe(first_bad, &actual[first_bad], &expected[first_bad]));
    };
    if let Some(k) = keys.iter().find(|&&k| k >= header.len()) {
        return Err(format!("order key column {k} is out of range ({} columns)", header.len()));
    }

    // runs of expected rows with equal sort keys, each matched as a multiset
    let mut start = 0;
    while start < expected.len() {
        let mut end = start + 1;
        while end < expected.len() && keys.iter().all(|&k| expected[end][k] == expected[start][k]) {
            end += 1;
        }
        let mut used = vec![false; end - start];
        for i in start..end {
            let found = (start..end).find(|&j| !used[j - start] && row_matches(&actual[i], &expected[j]));
            match found {
                Some(j) => used[j - start] = true,
                None => {
                    let hint = if end - start > 1 {
                        format!(" (rows {}..{} tie on the ORDER BY keys)", start + 1, end)
                    } else {
                        String::new()
                    };
                    return Err(format!("{}{hint}", describe(i, &actual[i], &expected[i])));
                }
            }
        }
        start = end;
    }
    Ok(())
}

fn describe(i: usize, actual: &[Cell], expected: &[Field]) -> String {
    let shown_actual: Vec<String> = actual.iter().map(|c| c.to_string()).collect();
    let shown_expected: Vec<String> =
        expected.iter().map(|f| f.as_deref().map_or("NULL".to_string(), |s| format!("{s:?}"))).collect();
    let col = actual
        .iter()
        .zip(expected)
        .position(|(a, e)| !cell_matches(a, e))
        .map(|c| format!(", column {}", c + 1))
        .unwrap_or_default();
    format!("row {}{col}: expected [{}], got [{}]", i + 1, shown_expected.join(", "), shown_actual.join(", "))
}

fn row_matches(actual: &[Cell], expected: &[Field]) -> bool {
    actual.len() == expected.len() && actual.iter().zip(expected).all(|(a, e)| cell_matches(a, e))
}

/// `|a - b| <= 1e-6 * max(|a|, |b|) + 1e-6`
pub fn numbers_match(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a == b {
        return true; // also equal infinities
    }
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()) + 1e-6
}

fn cell_matches(actual: &Cell, expected: &Field) -> bool {
    match (actual, expected) {
        (Cell::Null, None) => true,
        (Cell::Null, Some(_)) | (_, None) => false,
        (Cell::Num(a), Some(s)) => parse_number(s).is_some_and(|b| numbers_match(*a, b)),
        (Cell::Text(a), Some(s)) => a == s,
    }
}

fn parse_number(s: &str) -> Option<f64> {
    match s.trim() {
        "NaN" | "nan" => Some(f64::NAN),
        "Infinity" | "inf" => Some(f64::INFINITY),
        "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
        t => t.parse().ok(),
    }
}

/// All rows of the batches as cells.
fn result_rows(batches: &[RecordBatch]) -> Result<Vec<Vec<Cell>>, String> {
    let mut rows = Vec::new();
    for batch in batches {
        let columns: Vec<Vec<Cell>> = batch.columns().iter().map(column_cells).collect::<Result<_, _>>()?;
        for r in 0..batch.num_rows() {
            rows.push(columns.iter().map(|c| c[r].clone()).collect());
        }
    }
    Ok(rows)
}

fn column_cells(array: &ArrayRef) -> Result<Vec<Cell>, String> {
    fn nums<T: arrow::datatypes::ArrowPrimitiveType>(a: &dyn Array, f: impl Fn(T::Native) -> f64) -> Vec<Cell> {
        let a = a.as_primitive::<T>();
        (0..a.len()).map(|i| if a.is_null(i) { Cell::Null } else { Cell::Num(f(a.value(i))) }).collect()
    }
    let a = array.as_ref();
    let cells = match a.data_type() {
        DataType::Null => vec![Cell::Null; a.len()],
        DataType::Int8 => nums::<Int8Type>(a, |v| v as f64),
        DataType::Int16 => nums::<Int16Type>(a, |v| v as f64),
        DataType::Int32 => nums::<Int32Type>(a, |v| v as f64),
        DataType::Int64 => nums::<Int64Type>(a, |v| v as f64),
        DataType::UInt8 => nums::<UInt8Type>(a, |v| v as f64),
        DataType::UInt16 => nums::<UInt16Type>(a, |v| v as f64),
        DataType::UInt32 => nums::<UInt32Type>(a, |v| v as f64),
        DataType::UInt64 => nums::<UInt64Type>(a, |v| v as f64),
        DataType::Float16 => nums::<Float16Type>(a, |v| v.to_f64()),
        DataType::Float32 => nums::<Float32Type>(a, |v| v as f64),
        DataType::Float64 => nums::<Float64Type>(a, |v| v),
        DataType::Decimal128(_, scale) => {
            let scale = *scale as i32;
            nums::<Decimal128Type>(a, |v| v as f64 / 10f64.powi(scale))
        }
        DataType::Date32 => {
            let d = a.as_primitive::<Date32Type>();
            (0..d.len())
                .map(|i| if d.is_null(i) { Cell::Null } else { Cell::Text(date_to_string(d.value(i))) })
                .collect()
        }
        DataType::Date64 => {
            let d = a.as_primitive::<Date64Type>();
            (0..d.len())
                .map(|i| {
                    if d.is_null(i) {
                        Cell::Null
                    } else {
                        Cell::Text(date_to_string(d.value(i).div_euclid(86_400_000) as i32))
                    }
                })
                .collect()
        }
        DataType::Utf8 => texts(a.as_string::<i32>().iter()),
        DataType::LargeUtf8 => texts(a.as_string::<i64>().iter()),
        DataType::Utf8View => texts(a.as_string_view().iter()),
        DataType::Boolean => {
            let b = a.as_boolean();
            b.iter().map(|v| v.map_or(Cell::Null, |v| Cell::Text(v.to_string()))).collect()
        }
        DataType::Decimal256(..) => {
            // rare in answers: go through the decimal text
            let f = ArrayFormatter::try_new(a, &FormatOptions::default()).map_err(|e| e.to_string())?;
            (0..a.len())
                .map(|i| {
                    if a.is_null(i) {
                        Cell::Null
                    } else {
                        let s = f.value(i).to_string();
                        parse_number(&s).map_or(Cell::Text(s), Cell::Num)
                    }
                })
                .collect()
        }
        _ => {
            let f = ArrayFormatter::try_new(a, &FormatOptions::default()).map_err(|e| e.to_string())?;
            (0..a.len()).map(|i| if a.is_null(i) { Cell::Null } else { Cell::Text(f.value(i).to_string()) }).collect()
        }
    };
    Ok(cells)
}

fn texts<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Vec<Cell> {
    values.map(|v| v.map_or(Cell::Null, |s| Cell::Text(s.to_string()))).collect()
}

/// RFC 4180 CSV: fields separated by commas, optionally in double quotes
/// (`""` inside quotes is one quote), records end with `\n` or `\r\n`.
/// An empty field, quoted or not, is NULL (`None`).
pub fn parse_csv(text: &str) -> Result<Vec<Vec<Option<String>>>, String> {
    let mut records = Vec::new();
    let mut record: Vec<Field> = Vec::new();
    let mut field = String::new();
    let mut quoted = false; // the current field was quoted
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut at_record_start = true;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !quoted => {
                in_quotes = true;
                quoted = true;
                at_record_start = false;
            }
            ',' => {
                record.push(finish_field(&mut field, &mut quoted));
                at_record_start = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                line += 1;
                if !(at_record_start && field.is_empty()) {
                    record.push(finish_field(&mut field, &mut quoted));
                    records.push(std::mem::take(&mut record));
                }
                at_record_start = true;
            }
            _ => {
                if quoted {
                    return Err(format!("line {line}: text after a closing quote"));
                }
                field.push(c);
                at_record_start = false;
            }
        }
    }
    if in_quotes {
        return Err(format!("line {line}: unterminated quoted field"));
    }
    if !at_record_start || !field.is_empty() {
        record.push(finish_field(&mut field, &mut quoted));
        records.push(record);
    }
    Ok(records)
}

fn finish_field(field: &mut String, quoted: &mut bool) -> Field {
    let f = std::mem::take(field);
    *quoted = false;
    (!f.is_empty()).then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Date32Array, Decimal128Array, Float64Array, Int64Array, StringArray};
    use arrow::datatypes::{Field as ArrowField, Schema};
    use std::sync::Arc;

    fn batch(cols: Vec<ArrayRef>) -> RecordBatch {
        let fields: Vec<ArrowField> = cols
            .iter()
            .enumerate()
            .map(|(i, c)| ArrowField::new(format!("c{i}"), c.data_type().clone(), true))
            .collect();
        RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).expect("batch")
    }

    #[test]
    fn csv_quotes_and_nulls() {
        let rows = parse_csv("a,b,c\n1,\"x, \"\"y\"\"\",\n\"\",2,3\r\n").expect("csv");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1], vec![Some("1".into()), Some("x, \"y\"".into()), None]);
        assert_eq!(rows[2], vec![None, Some("2".into()), Some("3".into())]);
        assert!(parse_csv("a\n\"open").is_err());
    }

    #[test]
    fn decimals_match_doubles_within_tolerance() {
        // Spark: avg(decimal(15,2)) is decimal(19,6); DuckDB wrote a double
        let b = batch(vec![
            Arc::new(Decimal128Array::from(vec![25_575_155i128]).with_precision_and_scale(19, 6).expect("dec")),
            Arc::new(Float64Array::from(vec![0.05008133906964238])),
        ]);
        assert_eq!(compare(std::slice::from_ref(&b), "x,y\n25.575154611454693,0.0500813390696\n", None), Ok(()));
        assert!(compare(&[b], "x,y\n25.58,0.05\n", None).is_err());
    }

    #[test]
    fn dates_strings_nulls() {
        let b = batch(vec![
            Arc::new(Date32Array::from(vec![Some(9131), None])),
            Arc::new(StringArray::from(vec![Some("a b"), Some("z")])),
            Arc::new(Int64Array::from(vec![None, Some(3)])),
        ]);
        assert_eq!(compare(std::slice::from_ref(&b), "d,s,n\n1995-01-01,a b,\n,z,3\n", None), Ok(()));
        assert!(compare(std::slice::from_ref(&b), "d,s,n\n1995-01-02,a b,\n,z,3\n", None).is_err());
        assert!(compare(&[b], "d,s,n\n1995-01-01,a b,0\n,z,3\n", None).is_err());
        // the empty string is not NULL
        let b = batch(vec![Arc::new(StringArray::from(vec![Some("")]))]);
        assert!(compare(&[b], "s\n\"\"\n", None).is_err());
        // DuckDB writes a lone NULL as ""
        let b = batch(vec![Arc::new(Float64Array::from(vec![None::<f64>]))]);
        assert_eq!(compare(&[b], "avg_yearly\r\n\"\"\r\n", None), Ok(()));
    }

    #[test]
    fn ties_on_order_keys_may_come_in_any_order() {
        let b =
            batch(vec![Arc::new(Int64Array::from(vec![2, 2, 1])), Arc::new(StringArray::from(vec!["b", "a", "c"]))]);
        let expected = "k,v\n2,a\n2,b\n1,c\n";
        assert!(compare(std::slice::from_ref(&b), expected, None).is_err());
        assert_eq!(compare(std::slice::from_ref(&b), expected, Some(&[0])), Ok(()));
        // a wrong order of the keys themselves is still an error
        let wrong = "k,v\n1,c\n2,a\n2,b\n";
        assert!(compare(std::slice::from_ref(&b), wrong, Some(&[0])).is_err());
        assert_eq!(compare(&[b], wrong, Some(&[])), Ok(()));
    }

    #[test]
    fn row_and_column_counts() {
        let b = batch(vec![Arc::new(Int64Array::from(vec![1, 2]))]);
        let e = compare(std::slice::from_ref(&b), "k\n1\n", None).expect_err("rows");
        assert!(e.contains("expected 1 rows, got 2"), "{e}");
        let e = compare(&[b], "k,v\n1,2\n2,3\n", None).expect_err("cols");
        assert!(e.contains("columns"), "{e}");
        assert_eq!(compare(&[], "k\n", None), Ok(()));
    }

    #[test]
    fn tolerance_is_relative_plus_absolute() {
        assert!(numbers_match(1e12, 1e12 + 1e5));
        assert!(!numbers_match(1e12, 1e12 + 1e7));
        assert!(numbers_match(0.0, 1e-7));
        assert!(!numbers_match(0.0, 1e-5));
    }
}
