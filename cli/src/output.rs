//! Result writers: aligned tables, CSV (RFC 4180) and JSON lines.
//!
//! Cell text is Spark's (`ember_engine::render`), so a table shows what
//! `spark-sql` would print. CSV writes NULL as an empty field and an empty
//! string as `""` so the two stay distinguishable. JSON writes one object per
//! row; numeric types become JSON numbers (decimals too, with their scale),
//! NaN and infinities become strings (JSON has no such numbers), nested
//! arrays, structs and maps become JSON arrays and objects.

use std::io::{self, Write};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{
    DataType, Decimal128Type, Decimal32Type, Decimal64Type, Float16Type, Float32Type, Float64Type, Schema,
};
use ember_core::format;
use ember_engine::render::{format_cell, is_null};

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "table" => Some(Format::Table),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Writes a result in the chosen format. `max_rows` limits the rows of a
/// table (the first and last halves are shown); CSV and JSON write all rows.
pub fn write_result(
    out: &mut dyn Write,
    format: Format,
    schema: &Schema,
    batches: &[RecordBatch],
    max_rows: Option<usize>,
) -> io::Result<()> {
    match format {
        Format::Table => write_table(out, schema, batches, max_rows),
        Format::Csv => write_csv(out, schema, batches),
        Format::Json => write_json(out, schema, batches),
    }
}

/// Whether a column's values are right-aligned in a table.
fn is_numeric_type(dt: &DataType) -> bool {
    match dt {
        DataType::Dictionary(_, v) => is_numeric_type(v),
        _ => dt.is_numeric(),
    }
}

/// A `+---+` bordered table with a header row; numbers right-aligned.
pub fn write_table(
    out: &mut dyn Write,
    schema: &Schema,
    batches: &[RecordBatch],
    max_rows: Option<usize>,
) -> io::Result<()> {
    let ncols = schema.fields().len();
    if ncols == 0 {
        return writeln!(out, "(no columns)");
    }
    let total: usize = batches.iter().map(|b| b.num_rows()).sum();
    // which rows to show: all, or the first and last halves around a gap
    let (head, tail) = match max_rows {
        Some(max) if total > max => {
            let head = max.div_ceil(2);
            (head, max - head)
        }
        _ => (total, 0),
    };
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(head + tail);
    let mut index = 0;
    for batch in batches {
        for row in 0..batch.num_rows() {
            if index < head || index >= total - tail {
                rows.push(
                    batch
                        .columns()
                        .iter()
                        .map(|c| match format_cell(c.as_ref(), row) {
                            Some(text) => escape_control(&text),
                            None => "NULL".to_string(),
                        })
                        .collect(),
                );
            }
            index += 1;
        }
    }
    let gap = head + tail < total;

    let names: Vec<String> = schema.fields().iter().map(|f| escape_control(f.name())).collect();
    let right: Vec<bool> = schema.fields().iter().map(|f| is_numeric_type(f.data_type())).collect();
    let mut widths: Vec<usize> = names.iter().map(|n| n.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    if gap {
        for w in widths.iter_mut() {
            *w = (*w).max(1);
        }
    }

    let border: String = {
        let mut s = String::from("+");
        for w in &widths {
            s.push_str(&"-".repeat(w + 2));
            s.push('+');
        }
        s
    };
    let line = |cells: &[String]| -> String {
        let mut s = String::from("|");
        for ((cell, w), r) in cells.iter().zip(&widths).zip(&right) {
            let pad = w - cell.chars().count();
            s.push(' ');
            if *r {
                s.push_str(&" ".repeat(pad));
                s.push_str(cell);
            } else {
                s.push_str(cell);
                s.push_str(&" ".repeat(pad));
            }
            s.push_str(" |");
        }
        s
    };

    writeln!(out, "{border}")?;
    writeln!(out, "{}", line(&names))?;
    writeln!(out, "{border}")?;
    for (i, row) in rows.iter().enumerate() {
        if gap && i == head {
            let dots: Vec<String> = vec!["…".to_string(); ncols];
            writeln!(out, "{}", line(&dots))?;
        }
        writeln!(out, "{}", line(row))?;
    }
    if gap && tail == 0 {
        let dots: Vec<String> = vec!["…".to_string(); ncols];
        writeln!(out, "{}", line(&dots))?;
    }
    writeln!(out, "{border}")
}

/// Control characters would break the alignment of a table.
fn escape_control(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A header line and one line per row, fields quoted where RFC 4180 needs it.
pub fn write_csv(out: &mut dyn Write, schema: &Schema, batches: &[RecordBatch]) -> io::Result<()> {
    let header: Vec<String> = schema.fields().iter().map(|f| csv_field(f.name())).collect();
    writeln!(out, "{}", header.join(","))?;
    let mut line = String::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            line.clear();
            for (i, column) in batch.columns().iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                if let Some(text) = format_cell(column.as_ref(), row) {
                    line.push_str(&csv_field(&text));
                }
            }
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// One CSV field: quoted when it holds a separator, quote or line break, or
/// is empty (an unquoted empty field is NULL).
pub fn csv_field(s: &str) -> String {
    if s.is_empty() {
        return "\"\"".to_string();
    }
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One JSON object per row, keys in column order.
pub fn write_json(out: &mut dyn Write, schema: &Schema, batches: &[RecordBatch]) -> io::Result<()> {
    let keys: Vec<String> = schema.fields().iter().map(|f| json_string(f.name())).collect();
    let mut line = String::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            line.clear();
            line.push('{');
            for (i, column) in batch.columns().iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                line.push_str(&keys[i]);
                line.push(':');
                json_value(column.as_ref(), row, &mut line);
            }
            line.push('}');
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// Appends the JSON form of one value.
fn json_value(array: &dyn Array, row: usize, out: &mut String) {
    if is_null(array, row) {
        out.push_str("null");
        return;
    }
    match array.data_type() {
        DataType::Boolean => out.push_str(if array.as_boolean().value(row) { "true" } else { "false" }),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => out.push_str(&format_cell(array, row).unwrap_or_default()),
        DataType::Float16 => {
            let v = array.as_primitive::<Float16Type>().value(row).to_f32();
            json_float(out, v as f64, |_| format::java_float(v))
        }
        DataType::Float32 => {
            let v = array.as_primitive::<Float32Type>().value(row);
            json_float(out, v as f64, |_| format::java_float(v))
        }
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(row);
            json_float(out, v, format::java_double)
        }
        DataType::Decimal32(_, s) => {
            out.push_str(&format::decimal_to_string(array.as_primitive::<Decimal32Type>().value(row) as i128, *s))
        }
        DataType::Decimal64(_, s) => {
            out.push_str(&format::decimal_to_string(array.as_primitive::<Decimal64Type>().value(row) as i128, *s))
        }
        DataType::Decimal128(_, s) => {
            out.push_str(&format::decimal_to_string(array.as_primitive::<Decimal128Type>().value(row), *s))
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>();
            let o = list.value_offsets();
            json_elements(list.values().as_ref(), o[row] as usize..o[row + 1] as usize, out)
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>();
            let o = list.value_offsets();
            json_elements(list.values().as_ref(), o[row] as usize..o[row + 1] as usize, out)
        }
        DataType::FixedSizeList(_, _) => {
            let list = array.as_fixed_size_list();
            let start = list.value_offset_at(row);
            let len = list.value_length() as usize;
            json_elements(list.values().as_ref(), start..start + len, out)
        }
        DataType::Struct(fields) => {
            out.push('{');
            for (i, (field, column)) in fields.iter().zip(array.as_struct().columns()).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&json_string(field.name()));
                out.push(':');
                json_value(column.as_ref(), row, out);
            }
            out.push('}');
        }
        DataType::Map(_, _) => {
            let map = array.as_map();
            let o = map.value_offsets();
            out.push('{');
            for (n, i) in (o[row] as usize..o[row + 1] as usize).enumerate() {
                if n > 0 {
                    out.push(',');
                }
                let key = format_cell(map.keys().as_ref(), i).unwrap_or_else(|| "null".into());
                out.push_str(&json_string(&key));
                out.push(':');
                json_value(map.values().as_ref(), i, out);
            }
            out.push('}');
        }
        // strings, dates, timestamps, intervals, binary: Spark's text, quoted
        _ => out.push_str(&json_string(&format_cell(array, row).unwrap_or_default())),
    }
}

fn json_elements(values: &dyn Array, range: std::ops::Range<usize>, out: &mut String) {
    out.push('[');
    for (n, i) in range.enumerate() {
        if n > 0 {
            out.push(',');
        }
        json_value(values, i, out);
    }
    out.push(']');
}

/// A finite float as a JSON number in Java's notation (`1.0E10` is valid
/// JSON); NaN and infinities as strings.
fn json_float(out: &mut String, v: f64, text: impl Fn(f64) -> String) {
    if v.is_finite() {
        out.push_str(&text(v));
    } else {
        out.push_str(&json_string(&text(v)));
    }
}

/// A JSON string literal with the escapes RFC 8259 requires.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{
        ArrayRef, BooleanArray, Decimal128Array, Float64Array, Int32Array, Int64Array, ListArray, StringArray,
        StructArray,
    };
    use arrow::datatypes::{Field, Int32Type};
    use std::sync::Arc;

    fn batch(columns: Vec<(&str, ArrayRef)>) -> (Schema, Vec<RecordBatch>) {
        let schema =
            Schema::new(columns.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), true)).collect::<Vec<_>>());
        let b = RecordBatch::try_new(Arc::new(schema.clone()), columns.into_iter().map(|(_, a)| a).collect()).unwrap();
        (schema, vec![b])
    }

    fn render(format: Format, schema: &Schema, batches: &[RecordBatch], max: Option<usize>) -> String {
        let mut buf = Vec::new();
        write_result(&mut buf, format, schema, batches, max).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn csv_header_and_rows() {
        let (s, b) = batch(vec![
            ("a", Arc::new(Int32Array::from(vec![1])) as ArrayRef),
            ("b", Arc::new(StringArray::from(vec!["x"]))),
        ]);
        assert_eq!(render(Format::Csv, &s, &b, None), "a,b\n1,x\n");
    }

    #[test]
    fn csv_quotes_and_nulls() {
        let (s, b) = batch(vec![
            (
                "v",
                Arc::new(StringArray::from(vec![Some("a,b"), Some("say \"hi\""), Some("two\nlines"), Some(""), None]))
                    as ArrayRef,
            ),
            ("n", Arc::new(Int32Array::from(vec![Some(1), None, Some(3), Some(4), None]))),
        ]);
        assert_eq!(
            render(Format::Csv, &s, &b, None),
            "v,n\n\"a,b\",1\n\"say \"\"hi\"\"\",\n\"two\nlines\",3\n\"\",4\n,\n"
        );
        assert_eq!(csv_field("x\"y"), "\"x\"\"y\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn json_lines_with_typed_values() {
        let dec = Decimal128Array::from(vec![Some(12345), None]).with_precision_and_scale(10, 2).unwrap();
        let (s, b) = batch(vec![
            ("i", Arc::new(Int64Array::from(vec![Some(1), None])) as ArrayRef),
            ("d", Arc::new(Float64Array::from(vec![1e10, f64::NAN]))),
            ("m", Arc::new(dec)),
            ("s", Arc::new(StringArray::from(vec![Some("q\"\n"), None]))),
            ("b", Arc::new(BooleanArray::from(vec![true, false]))),
        ]);
        let text = render(Format::Json, &s, &b, None);
        assert_eq!(
            text,
            "{\"i\":1,\"d\":1.0E10,\"m\":123.45,\"s\":\"q\\\"\\n\",\"b\":true}\n\
             {\"i\":null,\"d\":\"NaN\",\"m\":null,\"s\":null,\"b\":false}\n"
        );
        for line in text.lines() {
            serde_json::from_str::<serde_json::Value>(line).unwrap();
        }
    }

    #[test]
    fn json_nested_values() {
        let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1), None])]);
        let strukt = StructArray::from(vec![(
            Arc::new(Field::new("f", DataType::Utf8, true)),
            Arc::new(StringArray::from(vec!["x"])) as ArrayRef,
        )]);
        let (s, b) = batch(vec![("l", Arc::new(list) as ArrayRef), ("st", Arc::new(strukt))]);
        assert_eq!(render(Format::Json, &s, &b, None), "{\"l\":[1,null],\"st\":{\"f\":\"x\"}}\n");
        assert_eq!(json_string("\u{1}"), "\"\\u0001\"");
    }

    #[test]
    fn table_aligns_numbers_right_and_text_left() {
        let (s, b) = batch(vec![
            ("id", Arc::new(Int32Array::from(vec![Some(1), Some(100), None])) as ArrayRef),
            ("name", Arc::new(StringArray::from(vec![Some("a"), Some("bcd"), None]))),
        ]);
        let expected = "\
+------+------+
|   id | name |
+------+------+
|    1 | a    |
|  100 | bcd  |
| NULL | NULL |
+------+------+
";
        assert_eq!(render(Format::Table, &s, &b, None), expected);
    }

    #[test]
    fn table_of_no_rows_keeps_the_header() {
        let (s, b) = batch(vec![("x", Arc::new(Int32Array::from(Vec::<i32>::new())) as ArrayRef)]);
        assert_eq!(render(Format::Table, &s, &b, None), "+---+\n| x |\n+---+\n+---+\n");
    }

    #[test]
    fn table_escapes_line_breaks_and_counts_characters() {
        let (s, b) = batch(vec![("t", Arc::new(StringArray::from(vec!["a\nb", "é"])) as ArrayRef)]);
        assert_eq!(
            render(Format::Table, &s, &b, None),
            "+------+\n| t    |\n+------+\n| a\\nb |\n| é    |\n+------+\n"
        );
    }

    #[test]
    fn table_elides_middle_rows_past_the_limit() {
        let (s, b) = batch(vec![("n", Arc::new(Int32Array::from((1..=10).collect::<Vec<_>>())) as ArrayRef)]);
        let text = render(Format::Table, &s, &b, Some(4));
        assert_eq!(text, "+----+\n|  n |\n+----+\n|  1 |\n|  2 |\n|  … |\n|  9 |\n| 10 |\n+----+\n");
    }

    #[test]
    fn formats_parse() {
        assert_eq!(Format::parse("CSV"), Some(Format::Csv));
        assert_eq!(Format::parse("json"), Some(Format::Json));
        assert_eq!(Format::parse("xml"), None);
    }
}
