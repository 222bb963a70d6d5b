//! Spark's `Dataset.showString`: the text `df.show()` prints.
//!
//! Cells are rendered the way Spark's `ToPrettyString` expression does it (a
//! cast to string that prints NULL as `NULL` at any depth, binary as hex bytes
//! `[41 42]`, decimals plain, intervals in ANSI style, collections as
//! `[1, 2]`, `{k -> v}` and `{1, x}`), then control characters are escaped and
//! long cells cut to `truncate` characters. The table is laid out like
//! `Dataset.showString`: lengths are Java `String` lengths (UTF-16 units) and
//! display widths count East Asian full-width characters twice, as Spark's
//! `Utils.stringHalfWidth` does.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{
    DataType, Date32Type, Date64Type, Decimal128Type, Decimal32Type, Decimal64Type, DurationMicrosecondType,
    DurationMillisecondType, DurationNanosecondType, DurationSecondType, Float16Type, Float32Type, Float64Type,
    Int16Type, Int32Type, Int64Type, Int8Type, IntervalMonthDayNanoType, IntervalUnit, IntervalYearMonthType, Schema,
    Time32MillisecondType, Time32SecondType, Time64MicrosecondType, Time64NanosecondType, TimeUnit, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use ember_core::format;
use std::fmt::Write;

use crate::render::is_null;

/// Spark never makes a column narrower than this.
const MIN_COL_WIDTH: usize = 3;

/// Renders what Spark's `Dataset.showString(numRows, truncate, vertical)` returns.
/// `batches` hold at most num_rows + 1 rows (the caller runs the query with LIMIT num_rows + 1 so that
/// the "only showing top N rows" footer can be decided). `schema` gives column names.
///
/// Like Spark's, the footer line ends with a newline (and `show()` prints one more);
/// `truncate` 0 means no truncation and left-aligned cells. TIMESTAMP cells print in
/// `time_zone`, the session time zone (`spark.sql.session.timeZone`).
pub fn show_string(
    schema: &Schema,
    batches: &[RecordBatch],
    num_rows: usize,
    truncate: usize,
    vertical: bool,
    time_zone: &str,
) -> String {
    let batches = zoned(batches, time_zone);
    let (header, rows, has_more_data) = rendered_rows(schema, &batches, num_rows, truncate);
    let mut out = String::new();
    if vertical {
        write_vertical(&header, &rows, &mut out);
    } else {
        write_table(&header, &rows, truncate > 0, &mut out);
    }

    if vertical && rows.is_empty() {
        out.push_str("(0 rows)\n");
    } else if has_more_data {
        write_footer(num_rows, &mut out);
    }
    out
}

/// Spark's `Dataset.htmlString(numRows, truncate)` (what notebooks display):
/// the same cells as `show_string`, HTML-escaped, in a `<table border='1'>`.
pub fn html_string(
    schema: &Schema,
    batches: &[RecordBatch],
    num_rows: usize,
    truncate: usize,
    time_zone: &str,
) -> String {
    let batches = zoned(batches, time_zone);
    let (header, rows, has_more_data) = rendered_rows(schema, &batches, num_rows, truncate);
    let mut out = String::from("<table border='1'>\n");
    let mut write_row = |cells: &[Cell], tag: &str| {
        out.push_str("<tr>");
        for c in cells {
            let _ = write!(out, "<{tag}>{}</{tag}>", escape_html(&c.text));
        }
        out.push_str("</tr>\n");
    };
    write_row(&header, "th");
    for row in &rows {
        write_row(row, "td");
    }
    out.push_str("</table>\n");
    if has_more_data {
        write_footer(num_rows, &mut out);
    }
    out
}

fn write_footer(num_rows: usize, out: &mut String) {
    let noun = if num_rows == 1 { "row" } else { "rows" };
    let _ = writeln!(out, "only showing top {num_rows} {noun}");
}

/// HTML escaping of the characters that matter in cell text.
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The batches with their TIMESTAMP columns in the session zone; if Arrow
/// cannot relabel them they print as they are.
fn zoned(batches: &[RecordBatch], time_zone: &str) -> Vec<RecordBatch> {
    crate::render::batches_in_time_zone(batches, time_zone).unwrap_or_else(|_| batches.to_vec())
}

/// Spark's `getRows`: escaped column names, then at most `num_rows` rows of
/// pretty-printed, escaped and truncated cells; and whether more rows exist.
fn rendered_rows(
    schema: &Schema,
    batches: &[RecordBatch],
    num_rows: usize,
    truncate: usize,
) -> (Vec<Cell>, Vec<Vec<Cell>>, bool) {
    let header: Vec<Cell> = schema.fields().iter().map(|f| Cell::new(escape_meta_characters(f.name()))).collect();
    let total_rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let has_more_data = total_rows > num_rows;

    let mut rows: Vec<Vec<Cell>> = Vec::with_capacity(total_rows.min(num_rows));
    'batches: for batch in batches {
        for row in 0..batch.num_rows() {
            if rows.len() >= num_rows {
                break 'batches;
            }
            rows.push(
                batch
                    .columns()
                    .iter()
                    .map(|column| {
                        let text = escape_meta_characters(&pretty_string(column.as_ref(), row));
                        Cell::new(truncate_cell(text, truncate))
                    })
                    .collect(),
            );
        }
    }
    (header, rows, has_more_data)
}

/// A rendered cell with the two measures Spark pads by.
struct Cell {
    text: String,
    /// `Utils.stringHalfWidth`: the `String.length` (UTF-16 units) plus one per full-width character.
    half_width: usize,
}

impl Cell {
    fn new(text: String) -> Cell {
        let half_width = text.encode_utf16().count() + text.chars().filter(|&c| is_full_width(c)).count();
        Cell { text, half_width }
    }

    /// Appends the text padded with spaces to `width` display columns.
    fn write_padded(&self, width: usize, right_align: bool, out: &mut String) {
        let pad = width.saturating_sub(self.half_width);
        if right_align {
            push_repeated(out, ' ', pad);
            out.push_str(&self.text);
        } else {
            out.push_str(&self.text);
            push_repeated(out, ' ', pad);
        }
    }
}

/// The horizontal table: header, separator, rows, separator.
fn write_table(header: &[Cell], rows: &[Vec<Cell>], right_align: bool, out: &mut String) {
    let mut widths = vec![MIN_COL_WIDTH; header.len()];
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.half_width);
        }
    }

    // Scala's `addString(sb, "+", "+", "+\n")`: with no columns this is still `++`
    let mut separator = String::from("+");
    for (i, &width) in widths.iter().enumerate() {
        if i > 0 {
            separator.push('+');
        }
        push_repeated(&mut separator, '-', width);
    }
    separator.push_str("+\n");

    out.push_str(&separator);
    write_table_row(header, &widths, right_align, out);
    out.push_str(&separator);
    for row in rows {
        write_table_row(row, &widths, right_align, out);
    }
    out.push_str(&separator);
}

fn write_table_row(row: &[Cell], widths: &[usize], right_align: bool, out: &mut String) {
    out.push('|');
    for (i, (cell, &width)) in row.iter().zip(widths).enumerate() {
        if i > 0 {
            out.push('|');
        }
        cell.write_padded(width, right_align, out);
    }
    out.push_str("|\n");
}

/// Vertical mode: one `-RECORD i---` block per row, one ` name | value ` line per column.
fn write_vertical(header: &[Cell], rows: &[Vec<Cell>], out: &mut String) {
    let name_width = header.iter().map(|c| c.half_width).fold(MIN_COL_WIDTH, usize::max);
    // Spark takes the maximum over each row's cells, which fails on rows without columns; a zero-column
    // row just gets the minimum width here
    let data_width = rows.iter().flat_map(|row| row.iter().map(|c| c.half_width)).fold(MIN_COL_WIDTH, usize::max);
    for (i, row) in rows.iter().enumerate() {
        let record = format!("-RECORD {i}");
        let record_len = record.len();
        out.push_str(&record);
        // the " " + name + " | " + value + " " around the two columns make the 5
        push_repeated(out, '-', (name_width + data_width + 5).saturating_sub(record_len));
        out.push('\n');
        for (name, cell) in header.iter().zip(row) {
            out.push(' ');
            name.write_padded(name_width, false, out);
            out.push_str(" | ");
            cell.write_padded(data_width, false, out);
            out.push_str(" \n");
        }
        if row.is_empty() {
            out.push('\n');
        }
    }
}

fn push_repeated(out: &mut String, c: char, n: usize) {
    out.extend(std::iter::repeat_n(c, n));
}

/// The characters Spark's `Utils.stringHalfWidth` counts as two columns wide (its `fullWidthRegex`:
/// Hangul Jamo, CJK, Hangul syllables, compatibility ideographs and full-width forms).
fn is_full_width(c: char) -> bool {
    matches!(
        c,
        '\u{1100}'..='\u{115F}'
            | '\u{2E80}'..='\u{A4CF}'
            | '\u{AC00}'..='\u{D7A3}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FE10}'..='\u{FE19}'
            | '\u{FE30}'..='\u{FE6F}'
            | '\u{FF00}'..='\u{FF60}'
            | '\u{FFE0}'..='\u{FFE6}'
    )
}

/// Spark's `SchemaUtils.escapeMetaCharacters`: control characters that would break the table
/// become their backslash escapes.
fn escape_meta_characters(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0C}' => out.push_str("\\f"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0B}' => out.push_str("\\v"),
            '\u{07}' => out.push_str("\\a"),
            _ => out.push(c),
        }
    }
    out
}

/// Cuts a cell longer than `truncate` UTF-16 units to `truncate - 3` of them plus `...`, or to just
/// `truncate` of them when that is under 4, as `getRows` does.
fn truncate_cell(text: String, truncate: usize) -> String {
    if truncate == 0 || text.encode_utf16().count() <= truncate {
        return text;
    }
    if truncate < 4 {
        java_prefix(&text, truncate)
    } else {
        let mut cut = java_prefix(&text, truncate - 3);
        cut.push_str("...");
        cut
    }
}

/// Java's `substring(0, units)`. A cut through a surrogate pair leaves a lone surrogate, which Spark's
/// UTF-8 encoding of the result turns into `?`.
fn java_prefix(s: &str, units: usize) -> String {
    let mut out = String::new();
    let mut taken = 0;
    for c in s.chars() {
        let w = c.len_utf16();
        if taken + w > units {
            if taken < units {
                out.push('?');
            }
            break;
        }
        out.push(c);
        taken += w;
    }
    out
}

/// Spark's `ToPrettyString` of one value.
fn pretty_string(array: &dyn Array, row: usize) -> String {
    let mut out = String::new();
    write_pretty(array, row, &mut out);
    out
}

/// Appends a value as `ToPrettyString` renders it; NULL is `NULL` at any depth.
fn write_pretty(array: &dyn Array, row: usize, out: &mut String) {
    if is_null(array, row) {
        out.push_str("NULL");
        return;
    }
    match array.data_type() {
        DataType::Null => out.push_str("NULL"),
        DataType::Boolean => out.push_str(if array.as_boolean().value(row) { "true" } else { "false" }),
        DataType::Int8 => push_display(out, array.as_primitive::<Int8Type>().value(row)),
        DataType::Int16 => push_display(out, array.as_primitive::<Int16Type>().value(row)),
        DataType::Int32 => push_display(out, array.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => push_display(out, array.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => push_display(out, array.as_primitive::<UInt8Type>().value(row)),
        DataType::UInt16 => push_display(out, array.as_primitive::<UInt16Type>().value(row)),
        DataType::UInt32 => push_display(out, array.as_primitive::<UInt32Type>().value(row)),
        DataType::UInt64 => push_display(out, array.as_primitive::<UInt64Type>().value(row)),
        DataType::Float16 => out.push_str(&format::java_float(array.as_primitive::<Float16Type>().value(row).to_f32())),
        DataType::Float32 => out.push_str(&format::java_float(array.as_primitive::<Float32Type>().value(row))),
        DataType::Float64 => out.push_str(&format::java_double(array.as_primitive::<Float64Type>().value(row))),
        // `Decimal.toPlainString`: the scale is kept, no exponent
        DataType::Decimal32(_, s) => {
            let v = array.as_primitive::<Decimal32Type>().value(row) as i128;
            out.push_str(&format::decimal_to_string(v, *s))
        }
        DataType::Decimal64(_, s) => {
            let v = array.as_primitive::<Decimal64Type>().value(row) as i128;
            out.push_str(&format::decimal_to_string(v, *s))
        }
        DataType::Decimal128(_, s) => {
            out.push_str(&format::decimal_to_string(array.as_primitive::<Decimal128Type>().value(row), *s))
        }
        DataType::Utf8 => out.push_str(array.as_string::<i32>().value(row)),
        DataType::LargeUtf8 => out.push_str(array.as_string::<i64>().value(row)),
        DataType::Utf8View => out.push_str(array.as_string_view().value(row)),
        DataType::Binary => push_hex(out, array.as_binary::<i32>().value(row)),
        DataType::LargeBinary => push_hex(out, array.as_binary::<i64>().value(row)),
        DataType::BinaryView => push_hex(out, array.as_binary_view().value(row)),
        DataType::FixedSizeBinary(_) => push_hex(out, array.as_fixed_size_binary().value(row)),
        DataType::Date32 => out.push_str(&format::date_to_string(array.as_primitive::<Date32Type>().value(row))),
        DataType::Date64 => {
            let ms = array.as_primitive::<Date64Type>().value(row);
            out.push_str(&format::date_to_string(ms.div_euclid(86_400_000) as i32))
        }
        DataType::Timestamp(unit, tz) => {
            let micros = crate::render::timestamp_micros(array, row, unit);
            let local = match tz {
                Some(tz) => crate::render::wall_clock(micros, tz),
                None => micros,
            };
            out.push_str(&format::timestamp_to_string(local))
        }
        DataType::Time32(unit) => {
            let nanos = match unit {
                TimeUnit::Second => array.as_primitive::<Time32SecondType>().value(row) as i64 * 1_000_000_000,
                _ => array.as_primitive::<Time32MillisecondType>().value(row) as i64 * 1_000_000,
            };
            push_time(out, nanos)
        }
        DataType::Time64(unit) => {
            let nanos = match unit {
                TimeUnit::Nanosecond => array.as_primitive::<Time64NanosecondType>().value(row),
                _ => array.as_primitive::<Time64MicrosecondType>().value(row).saturating_mul(1000),
            };
            push_time(out, nanos)
        }
        DataType::Duration(unit) => {
            let micros = match unit {
                TimeUnit::Second => array.as_primitive::<DurationSecondType>().value(row) as i128 * 1_000_000,
                TimeUnit::Millisecond => array.as_primitive::<DurationMillisecondType>().value(row) as i128 * 1000,
                TimeUnit::Microsecond => array.as_primitive::<DurationMicrosecondType>().value(row) as i128,
                TimeUnit::Nanosecond => array.as_primitive::<DurationNanosecondType>().value(row) as i128 / 1000,
            };
            push_day_time_interval(out, micros)
        }
        DataType::Interval(IntervalUnit::YearMonth) => {
            push_year_month_interval(out, array.as_primitive::<IntervalYearMonthType>().value(row))
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let v = array.as_primitive::<IntervalMonthDayNanoType>().value(row);
            out.push_str(&format::calendar_interval_to_string(&v))
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>();
            let offsets = list.value_offsets();
            write_elements(list.values().as_ref(), offsets[row] as usize..offsets[row + 1] as usize, out)
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>();
            let offsets = list.value_offsets();
            write_elements(list.values().as_ref(), offsets[row] as usize..offsets[row + 1] as usize, out)
        }
        DataType::FixedSizeList(_, _) => {
            let list = array.as_fixed_size_list();
            let start = list.value_offset_at(row);
            write_elements(list.values().as_ref(), start..start + list.value_length() as usize, out)
        }
        DataType::Map(_, _) => {
            // entries in their stored order; unlike HiveResult, ToPrettyString does not sort them
            let map = array.as_map();
            let offsets = map.value_offsets();
            out.push('{');
            for (n, i) in (offsets[row] as usize..offsets[row + 1] as usize).enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                write_pretty(map.keys().as_ref(), i, out);
                out.push_str(" -> ");
                write_pretty(map.values().as_ref(), i, out);
            }
            out.push('}');
        }
        DataType::Struct(_) => {
            out.push('{');
            for (i, column) in array.as_struct().columns().iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_pretty(column.as_ref(), row, out);
            }
            out.push('}');
        }
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            // `is_null` above has checked that the key is valid
            if let Some(key) = dictionary_key(dict.keys(), row) {
                write_pretty(dict.values().as_ref(), key, out)
            }
        }
        _ => match ArrayFormatter::try_new(array, &FormatOptions::default()) {
            // types Spark has no counterpart for
            Ok(f) => {
                let _ = write!(out, "{}", f.value(row));
            }
            Err(e) => {
                let _ = write!(out, "<{e}>");
            }
        },
    }
}

/// `[a, b, NULL]`
fn write_elements(values: &dyn Array, range: std::ops::Range<usize>, out: &mut String) {
    out.push('[');
    for (n, i) in range.enumerate() {
        if n > 0 {
            out.push_str(", ");
        }
        write_pretty(values, i, out);
    }
    out.push(']');
}

fn dictionary_key(keys: &dyn Array, row: usize) -> Option<usize> {
    let key = match keys.data_type() {
        DataType::Int8 => usize::try_from(keys.as_primitive::<Int8Type>().value(row)).ok(),
        DataType::Int16 => usize::try_from(keys.as_primitive::<Int16Type>().value(row)).ok(),
        DataType::Int32 => usize::try_from(keys.as_primitive::<Int32Type>().value(row)).ok(),
        DataType::Int64 => usize::try_from(keys.as_primitive::<Int64Type>().value(row)).ok(),
        DataType::UInt8 => Some(keys.as_primitive::<UInt8Type>().value(row) as usize),
        DataType::UInt16 => Some(keys.as_primitive::<UInt16Type>().value(row) as usize),
        DataType::UInt32 => usize::try_from(keys.as_primitive::<UInt32Type>().value(row)).ok(),
        DataType::UInt64 => usize::try_from(keys.as_primitive::<UInt64Type>().value(row)).ok(),
        _ => None,
    };
    key.filter(|_| keys.is_valid(row))
}

fn push_display(out: &mut String, v: impl std::fmt::Display) {
    let _ = write!(out, "{v}");
}

/// Spark's default binary style (`SparkStringUtils.getHexString`): upper-case hex bytes, space
/// separated, in brackets.
fn push_hex(out: &mut String, bytes: &[u8]) {
    out.push('[');
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02X}");
    }
    out.push(']');
}

/// `HH:mm:ss` with the fraction's trailing zeros dropped, like Spark's `FractionTimeFormatter`.
fn push_time(out: &mut String, nanos: i64) {
    let nanos = nanos.rem_euclid(86_400_000_000_000);
    let secs = nanos / 1_000_000_000;
    let frac = nanos % 1_000_000_000;
    let _ = write!(out, "{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if frac != 0 {
        let digits = format!("{frac:09}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
}

/// ANSI style of `INTERVAL YEAR TO MONTH` (`IntervalUtils.toYearMonthIntervalString`); Arrow does
/// not record the start and end fields, so the full YEAR TO MONTH form is used.
fn push_year_month_interval(out: &mut String, months: i32) {
    let sign = if months < 0 { "-" } else { "" };
    let abs = (months as i64).abs();
    let _ = write!(out, "INTERVAL '{sign}{}-{}' YEAR TO MONTH", abs / 12, abs % 12);
}

/// ANSI style of `INTERVAL DAY TO SECOND` (`IntervalUtils.toDayTimeIntervalString`): seconds keep
/// only the significant fraction digits. As with year-month, the fields are not known from Arrow.
fn push_day_time_interval(out: &mut String, micros: i128) {
    const MICROS_PER_DAY: i128 = 86_400_000_000;
    let sign = if micros < 0 { "-" } else { "" };
    let rest = micros.abs();
    let days = rest / MICROS_PER_DAY;
    let rest = rest % MICROS_PER_DAY;
    let hours = rest / 3_600_000_000;
    let minutes = rest / 60_000_000 % 60;
    let second_micros = rest % 60_000_000;
    let _ = write!(out, "INTERVAL '{sign}{days} {hours:02}:{minutes:02}:");
    let whole = second_micros / 1_000_000;
    let frac = second_micros % 1_000_000;
    let _ = write!(out, "{whole:02}");
    if frac != 0 {
        let digits = format!("{frac:06}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out.push_str("' DAY TO SECOND");
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{
        ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, DictionaryArray, DurationMicrosecondArray,
        Float32Array, Float64Array, Int32Array, Int64Array, IntervalMonthDayNanoArray, IntervalYearMonthArray,
        ListArray, MapBuilder, NullArray, StringArray, StringBuilder, StructArray, TimestampMicrosecondArray,
    };
    use arrow::datatypes::{Field, IntervalMonthDayNano};
    use std::sync::Arc;

    fn batch(columns: Vec<(&str, ArrayRef)>) -> (Schema, RecordBatch) {
        let schema =
            Schema::new(columns.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), true)).collect::<Vec<_>>());
        let batch = RecordBatch::try_new(Arc::new(schema.clone()), columns.into_iter().map(|(_, a)| a).collect())
            .expect("valid batch");
        (schema, batch)
    }

    /// The DataFrame of PySpark's `DataFrame.show` doctests.
    fn people() -> (Schema, RecordBatch) {
        batch(vec![
            ("age", Arc::new(Int64Array::from(vec![14, 23, 16, 19]))),
            ("name", Arc::new(StringArray::from(vec!["Tom", "Alice", "Bob", "This is a super long name"]))),
        ])
    }

    /// The first `n` rows, the way the caller's LIMIT n + 1 would hand them over.
    fn limited(batch: &RecordBatch, n: usize) -> RecordBatch {
        batch.slice(0, (n + 1).min(batch.num_rows()))
    }

    fn cell(array: &dyn Array, row: usize) -> String {
        pretty_string(array, row)
    }

    #[test]
    fn html_string_escapes_cells_and_adds_the_footer() {
        let schema = Arc::new(Schema::new(vec![Field::new("a<b", DataType::Utf8, true)]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(StringArray::from(vec![Some("x & y"), None, Some("z")]))],
        )
        .unwrap();
        assert_eq!(
            html_string(&schema, &[batch], 2, 20, "UTC"),
            "<table border='1'>\n<tr><th>a&lt;b</th></tr>\n<tr><td>x &amp; y</td></tr>\n<tr><td>NULL</td></tr>\n</table>\nonly showing top 2 rows\n"
        );
    }

    #[test]
    fn default_show_truncates_and_right_aligns() {
        let (schema, b) = people();
        let expected = "\
+---+--------------------+
|age|                name|
+---+--------------------+
| 14|                 Tom|
| 23|               Alice|
| 16|                 Bob|
| 19|This is a super l...|
+---+--------------------+
";
        assert_eq!(show_string(&schema, &[limited(&b, 20)], 20, 20, false, "UTC"), expected);
    }

    #[test]
    fn top_rows_footer() {
        let (schema, b) = people();
        let expected = "\
+---+-----+
|age| name|
+---+-----+
| 14|  Tom|
| 23|Alice|
+---+-----+
only showing top 2 rows
";
        assert_eq!(show_string(&schema, &[limited(&b, 2)], 2, 20, false, "UTC"), expected);
        let one = show_string(&schema, &[limited(&b, 1)], 1, 20, false, "UTC");
        assert!(one.ends_with("+---+----+\nonly showing top 1 row\n"), "{one}");
        // exactly n rows: no footer
        let exact = show_string(&schema, std::slice::from_ref(&b), 4, 20, false, "UTC");
        assert!(exact.ends_with("+\n"), "{exact}");
    }

    #[test]
    fn no_truncation_left_aligns() {
        let (schema, b) = people();
        let expected = "\
+---+-------------------------+
|age|name                     |
+---+-------------------------+
|14 |Tom                      |
|23 |Alice                    |
|16 |Bob                      |
|19 |This is a super long name|
+---+-------------------------+
";
        assert_eq!(show_string(&schema, &[b], 20, 0, false, "UTC"), expected);
    }

    #[test]
    fn short_truncation_has_no_ellipsis() {
        let (schema, b) = people();
        let expected = "\
+---+----+
|age|name|
+---+----+
| 14| Tom|
| 23| Ali|
| 16| Bob|
| 19| Thi|
+---+----+
";
        assert_eq!(show_string(&schema, &[b], 20, 3, false, "UTC"), expected);
        assert_eq!(truncate_cell("abcdef".into(), 4), "a...");
        assert_eq!(truncate_cell("abcd".into(), 4), "abcd");
        assert_eq!(truncate_cell("abcdef".into(), 1), "a");
    }

    #[test]
    fn vertical_records() {
        let (schema, b) = people();
        // the doctest's text, with the trailing spaces its whitespace normalisation hides
        let expected = "\
-RECORD 0--------------------
 age  | 14                   \n name | Tom                  \n\
-RECORD 1--------------------
 age  | 23                   \n name | Alice                \n\
-RECORD 2--------------------
 age  | 16                   \n name | Bob                  \n\
-RECORD 3--------------------
 age  | 19                   \n name | This is a super l... \n";
        assert_eq!(show_string(&schema, std::slice::from_ref(&b), 20, 20, true, "UTC"), expected);
        let top1 = show_string(&schema, &[limited(&b, 1)], 1, 20, true, "UTC");
        assert_eq!(top1, "-RECORD 0---\n age  | 14  \n name | Tom \nonly showing top 1 row\n");
    }

    #[test]
    fn empty_results() {
        let (schema, b) = people();
        let empty = b.slice(0, 0);
        let expected = "\
+---+----+
|age|name|
+---+----+
+---+----+
";
        assert_eq!(show_string(&schema, std::slice::from_ref(&empty), 20, 20, false, "UTC"), expected);
        assert_eq!(show_string(&schema, &[], 20, 20, false, "UTC"), expected);
        assert_eq!(show_string(&schema, &[empty], 20, 20, true, "UTC"), "(0 rows)\n");
        // show(0) on a non-empty frame
        assert_eq!(
            show_string(&schema, &[limited(&b, 0)], 0, 20, false, "UTC"),
            format!("{expected}only showing top 0 rows\n")
        );
        assert_eq!(show_string(&schema, &[limited(&b, 0)], 0, 20, true, "UTC"), "(0 rows)\n");
    }

    #[test]
    fn zero_columns() {
        // spark.range(3).select().show()
        let schema = Schema::empty();
        let options = arrow::array::RecordBatchOptions::new().with_row_count(Some(3));
        let b = RecordBatch::try_new_with_options(Arc::new(schema.clone()), vec![], &options).expect("valid batch");
        assert_eq!(
            show_string(&schema, std::slice::from_ref(&b), 20, 20, false, "UTC"),
            "++\n||\n++\n||\n||\n||\n++\n"
        );
        assert_eq!(
            show_string(&schema, std::slice::from_ref(&b), 2, 20, false, "UTC"),
            "++\n||\n++\n||\n||\n++\nonly showing top 2 rows\n"
        );
        assert_eq!(show_string(&schema, &[b.slice(0, 0)], 20, 20, false, "UTC"), "++\n||\n++\n++\n");
    }

    #[test]
    fn nulls_and_minimum_width() {
        let (schema, b) = batch(vec![
            ("a", Arc::new(Int32Array::from(vec![Some(1), None]))),
            ("b", Arc::new(StringArray::from(vec![None, Some("")]))),
            ("c", Arc::new(NullArray::new(2))),
        ]);
        let expected = "\
+----+----+----+
|   a|   b|   c|
+----+----+----+
|   1|NULL|NULL|
|NULL|    |NULL|
+----+----+----+
";
        assert_eq!(show_string(&schema, &[b], 20, 20, false, "UTC"), expected);
    }

    #[test]
    fn full_width_characters_count_twice() {
        let (schema, b) = batch(vec![
            ("名前", Arc::new(StringArray::from(vec!["小明", "ab"]))),
            ("x", Arc::new(StringArray::from(vec!["한국어", "c"]))),
        ]);
        let expected = "\
+----+------+
|名前|     x|
+----+------+
|小明|한국어|
|  ab|     c|
+----+------+
";
        assert_eq!(show_string(&schema, std::slice::from_ref(&b), 20, 20, false, "UTC"), expected);
        let left = show_string(&schema, &[b], 20, 0, false, "UTC");
        assert!(left.contains("|ab  |c     |\n"), "{left}");
    }

    #[test]
    fn lengths_are_utf16_units() {
        // an emoji is two UTF-16 units: two display columns, and a cut through it leaves `?`
        let (schema, b) = batch(vec![("e", Arc::new(StringArray::from(vec!["😀x", "é"])))]);
        assert_eq!(show_string(&schema, &[b], 20, 0, false, "UTC"), "+---+\n|e  |\n+---+\n|😀x|\n|é  |\n+---+\n");
        assert_eq!(truncate_cell("😀😀😀😀".into(), 7), "😀😀...");
        assert_eq!(truncate_cell("😀😀😀😀".into(), 6), "😀?...");
        assert_eq!(truncate_cell("a😀😀😀".into(), 6), "a😀...");
        assert_eq!(truncate_cell("a😀😀😀".into(), 5), "a?...");
        assert_eq!(truncate_cell("😀😀".into(), 3), "😀?");
    }

    #[test]
    fn meta_characters_are_escaped_before_truncation() {
        let (schema, b) = batch(vec![("a\tb", Arc::new(StringArray::from(vec!["x\ny", "1\u{7}\u{8}\u{b}\u{c}\r"])))]);
        let expected = "\
+-----------+
|       a\\tb|
+-----------+
|       x\\ny|
|1\\a\\b\\v\\f\\r|
+-----------+
";
        assert_eq!(show_string(&schema, std::slice::from_ref(&b), 20, 20, false, "UTC"), expected);
        let cut = show_string(&schema, &[b], 20, 5, false, "UTC");
        assert_eq!(cut, "+-----+\n| a\\tb|\n+-----+\n| x\\ny|\n|1\\...|\n+-----+\n");
    }

    #[test]
    fn scalar_cells() {
        let b = BooleanArray::from(vec![true, false]);
        assert_eq!((cell(&b, 0), cell(&b, 1)), ("true".into(), "false".into()));
        let d = Float64Array::from(vec![1.0, 1e7, 1.0e-4, f64::NAN, f64::NEG_INFINITY]);
        let got: Vec<String> = (0..d.len()).map(|i| cell(&d, i)).collect();
        assert_eq!(got, ["1.0", "1.0E7", "1.0E-4", "NaN", "-Infinity"]);
        assert_eq!(cell(&Float32Array::from(vec![1.1f32]), 0), "1.1");
        let dec = Decimal128Array::from(vec![150, -5]).with_precision_and_scale(10, 2).expect("valid decimal");
        assert_eq!((cell(&dec, 0), cell(&dec, 1)), ("1.50".into(), "-0.05".into()));
        assert_eq!(cell(&BinaryArray::from(vec![b"AB\x01\xff".as_ref(), b"".as_ref()]), 0), "[41 42 01 FF]");
        assert_eq!(cell(&BinaryArray::from(vec![b"".as_ref()]), 0), "[]");
        let dict: DictionaryArray<Int32Type> = vec![Some("x"), None].into_iter().collect();
        assert_eq!((cell(&dict, 0), cell(&dict, 1)), ("x".into(), "NULL".into()));
    }

    #[test]
    fn datetime_cells() {
        // DATE '2024-02-29'
        assert_eq!(cell(&Date32Array::from(vec![19782]), 0), "2024-02-29");
        let ts =
            TimestampMicrosecondArray::from(vec![1_704_164_645_120_000, 1_704_164_645_000_000]).with_timezone("UTC");
        assert_eq!(cell(&ts, 0), "2024-01-02 03:04:05.12");
        assert_eq!(cell(&ts, 1), "2024-01-02 03:04:05");
        let shifted = TimestampMicrosecondArray::from(vec![0]).with_timezone("+05:30");
        assert_eq!(cell(&shifted, 0), "1970-01-01 05:30:00");
        assert_eq!(cell(&TimestampMicrosecondArray::from(vec![1]), 0), "1970-01-01 00:00:00.000001");
        let t = arrow::array::Time64MicrosecondArray::from(vec![3_723_500_000, 0]);
        assert_eq!((cell(&t, 0), cell(&t, 1)), ("01:02:03.5".into(), "00:00:00".into()));
    }

    #[test]
    fn timestamps_show_in_the_session_zone() {
        // 2015-07-22 17:00:00 UTC; the NTZ column holds the same number
        let ltz: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![1_437_584_400_000_000]).with_timezone("UTC"));
        let ntz: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![1_437_584_400_000_000]));
        let (schema, b) = batch(vec![("ltz", ltz), ("ntz", ntz)]);
        let expected = "+-------------------+-------------------+\n\
                        |                ltz|                ntz|\n\
                        +-------------------+-------------------+\n\
                        |2015-07-22 10:00:00|2015-07-22 17:00:00|\n\
                        +-------------------+-------------------+\n";
        assert_eq!(show_string(&schema, std::slice::from_ref(&b), 20, 20, false, "America/Los_Angeles"), expected);
        let utc = show_string(&schema, &[b], 20, 20, false, "UTC");
        assert!(utc.contains("|2015-07-22 17:00:00|2015-07-22 17:00:00|"), "{utc}");
    }

    #[test]
    fn interval_cells() {
        // INTERVAL '1-2' YEAR TO MONTH, INTERVAL '-0-3' YEAR TO MONTH
        let ym = IntervalYearMonthArray::from(vec![14, -3]);
        assert_eq!(cell(&ym, 0), "INTERVAL '1-2' YEAR TO MONTH");
        assert_eq!(cell(&ym, 1), "INTERVAL '-0-3' YEAR TO MONTH");
        let dt = DurationMicrosecondArray::from(vec![93_784_000_000, -1_500_000, 0, 40_000_000, i64::MIN]);
        let got: Vec<String> = (0..dt.len()).map(|i| cell(&dt, i)).collect();
        assert_eq!(
            got,
            [
                "INTERVAL '1 02:03:04' DAY TO SECOND",
                "INTERVAL '-0 00:00:01.5' DAY TO SECOND",
                "INTERVAL '0 00:00:00' DAY TO SECOND",
                "INTERVAL '0 00:00:40' DAY TO SECOND",
                "INTERVAL '-106751991 04:00:54.775808' DAY TO SECOND",
            ]
        );
        let cal = IntervalMonthDayNanoArray::from(vec![IntervalMonthDayNano::new(14, 3, 0)]);
        assert_eq!(cell(&cal, 0), "1 years 2 months 3 days");
    }

    #[test]
    fn nested_cells() {
        // array(1, NULL, 3), NULL
        let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1), None, Some(3)]), None]);
        assert_eq!((cell(&list, 0), cell(&list, 1)), ("[1, NULL, 3]".into(), "NULL".into()));
        let strings = ListArray::new(
            Arc::new(Field::new("element", DataType::Utf8, true)),
            arrow::buffer::OffsetBuffer::new(vec![0, 2, 2].into()),
            Arc::new(StringArray::from(vec![Some("a b"), None])),
            None,
        );
        assert_eq!((cell(&strings, 0), cell(&strings, 1)), ("[a b, NULL]".into(), "[]".into()));

        // named_struct('a', 1, 'b', 'x', 'c', NULL)
        let s = StructArray::from(vec![
            (Arc::new(Field::new("a", DataType::Int32, true)), Arc::new(Int32Array::from(vec![1])) as ArrayRef),
            (Arc::new(Field::new("b", DataType::Utf8, true)), Arc::new(StringArray::from(vec!["x"])) as ArrayRef),
            (Arc::new(Field::new("c", DataType::Float64, true)), Arc::new(Float64Array::from(vec![None])) as ArrayRef),
        ]);
        assert_eq!(cell(&s, 0), "{1, x, NULL}");

        // map('b', 2, 'a', NULL) keeps its order
        let mut m = MapBuilder::new(None, StringBuilder::new(), arrow::array::Int32Builder::new());
        m.keys().append_value("b");
        m.values().append_value(2);
        m.keys().append_value("a");
        m.values().append_null();
        m.append(true).expect("valid map");
        m.append(true).expect("valid map");
        let m = m.finish();
        assert_eq!((cell(&m, 0), cell(&m, 1)), ("{b -> 2, a -> NULL}".into(), "{}".into()));
    }

    #[test]
    fn nested_cells_in_a_table() {
        let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1), Some(2), Some(3)])]);
        let (schema, b) = batch(vec![("id", Arc::new(Int32Array::from(vec![1]))), ("xs", Arc::new(list))]);
        let expected = "\
+---+---------+
| id|       xs|
+---+---------+
|  1|[1, 2, 3]|
+---+---------+
";
        assert_eq!(show_string(&schema, &[b], 20, 20, false, "UTC"), expected);
    }

    #[test]
    fn rows_span_batches() {
        let (schema, b) = people();
        let parts = [b.slice(0, 1), b.slice(1, 2), b.slice(3, 1)];
        let expected = "\
+---+-----+
|age| name|
+---+-----+
| 14|  Tom|
| 23|Alice|
| 16|  Bob|
+---+-----+
only showing top 3 rows
";
        assert_eq!(show_string(&schema, &parts, 3, 20, false, "UTC"), expected);
    }
}
