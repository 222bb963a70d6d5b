//! Rendering of result values as text, the way Spark prints them.
//!
//! Follows Spark's `HiveResult.toHiveString` (what `spark-sql` and Spark's
//! golden-file tests print): a top-level NULL is `NULL`, a nested one `null`;
//! strings are raw at top level and double-quoted (without escaping) when
//! nested; doubles use Java's `Double.toString`; decimals keep their scale;
//! arrays print as `[a,b]`, structs as `{"f":v}` and maps as `{k:v}` with the
//! rendered entries sorted as strings (Spark sorts them, so the text does not
//! depend on the map's internal order).
//!
//! TIMESTAMP values are instants (UTC microseconds); they print as the
//! wall-clock time of their Arrow type's zone. Plans tag them "UTC", and
//! [`in_time_zone`] retags a query result with the session time zone, as
//! Spark prints in `spark.sql.session.timeZone`. TIMESTAMP_NTZ (no zone)
//! prints as stored.

use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch, RecordBatchOptions};
use arrow::datatypes::{
    DataType, Date32Type, Date64Type, Decimal128Type, Decimal32Type, Decimal64Type, DurationMicrosecondType,
    DurationMillisecondType, DurationNanosecondType, DurationSecondType, Field, FieldRef, Float16Type, Float32Type,
    Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, IntervalMonthDayNanoType, IntervalUnit,
    IntervalYearMonthType, Schema, SchemaRef, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use ember_core::format;
use ember_core::Result;
use ember_vector::tz::TimeZone;

/// Tags the TIMESTAMP columns of a result (at any depth) with the session
/// time zone `tz`, so that they print as its wall-clock times here, in the
/// CLI and in clients. Values do not change: they are instants.
pub fn in_time_zone(schema: &SchemaRef, batches: Vec<RecordBatch>, tz: &str) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    if !schema.fields().iter().any(|f| has_zoned_timestamp(f.data_type())) {
        return Ok((schema.clone(), batches));
    }
    let retagged = retag_schema(schema, tz);
    let batches = batches.iter().map(|b| retag_batch(b, &retagged)).collect::<Result<Vec<_>>>()?;
    Ok((retagged, batches))
}

/// [`in_time_zone`] for batches alone (what `show` renders).
pub(crate) fn batches_in_time_zone(batches: &[RecordBatch], tz: &str) -> Result<Vec<RecordBatch>> {
    batches
        .iter()
        .map(|b| {
            let schema = b.schema();
            if schema.fields().iter().any(|f| has_zoned_timestamp(f.data_type())) {
                retag_batch(b, &retag_schema(&schema, tz))
            } else {
                Ok(b.clone())
            }
        })
        .collect()
}

fn retag_schema(schema: &SchemaRef, tz: &str) -> SchemaRef {
    let zone: Arc<str> = Arc::from(tz);
    let fields: Vec<Field> =
        schema.fields().iter().map(|f| f.as_ref().clone().with_data_type(retag(f.data_type(), &zone))).collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

fn retag_batch(b: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    let columns = b
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| {
            if c.data_type() == f.data_type() {
                Ok(c.clone())
            } else {
                // between zone tags Arrow only relabels the instants
                Ok(arrow::compute::cast(c, f.data_type())?)
            }
        })
        .collect::<Result<Vec<_>>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(b.num_rows()));
    Ok(RecordBatch::try_new_with_options(schema.clone(), columns, &options)?)
}

fn has_zoned_timestamp(t: &DataType) -> bool {
    match t {
        DataType::Timestamp(_, Some(_)) => true,
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) | DataType::Map(f, _) => {
            has_zoned_timestamp(f.data_type())
        }
        DataType::Struct(fields) => fields.iter().any(|f| has_zoned_timestamp(f.data_type())),
        _ => false,
    }
}

fn retag(t: &DataType, zone: &Arc<str>) -> DataType {
    let field = |f: &FieldRef| Arc::new(f.as_ref().clone().with_data_type(retag(f.data_type(), zone)));
    match t {
        DataType::Timestamp(unit, Some(_)) => DataType::Timestamp(*unit, Some(zone.clone())),
        DataType::List(f) => DataType::List(field(f)),
        DataType::LargeList(f) => DataType::LargeList(field(f)),
        DataType::FixedSizeList(f, n) => DataType::FixedSizeList(field(f), *n),
        DataType::Map(f, sorted) => DataType::Map(field(f), *sorted),
        DataType::Struct(fields) => DataType::Struct(fields.iter().map(field).collect()),
        other => other.clone(),
    }
}

/// The wall-clock microseconds of an instant in the zone of an Arrow
/// timestamp type; zones Spark would reject print as UTC.
pub(crate) fn wall_clock(micros: i64, tz: &str) -> i64 {
    thread_local! {
        // the zone of the last call: a column has one zone for all its cells
        static LAST: std::cell::RefCell<Option<TimeZone>> = const { std::cell::RefCell::new(None) };
    }
    if tz == "UTC" || tz == "+00:00" {
        return micros;
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if last.as_ref().is_none_or(|z| z.name() != tz) {
            *last = TimeZone::parse(tz).ok();
        }
        last.as_ref().map_or(micros, |z| z.to_local(micros))
    })
}

/// One cell as Spark's HiveResult prints it; None for a top-level NULL.
pub fn format_cell(array: &dyn Array, row: usize) -> Option<String> {
    if is_null(array, row) {
        return None;
    }
    let mut out = String::new();
    write_value(array, row, false, &mut out);
    Some(out)
}

/// Every row of a batch as `Vec<String>` ("NULL" for nulls), the HiveResult way.
pub fn format_rows(batches: &[RecordBatch]) -> Vec<Vec<String>> {
    let total = batches.iter().map(|b| b.num_rows()).sum();
    let mut rows = Vec::with_capacity(total);
    for batch in batches {
        for row in 0..batch.num_rows() {
            rows.push(
                batch
                    .columns()
                    .iter()
                    .map(|c| format_cell(c.as_ref(), row).unwrap_or_else(|| "NULL".to_string()))
                    .collect(),
            );
        }
    }
    rows
}

/// Whether the value at `row` is NULL, counting `Null`-typed arrays (which
/// carry no validity buffer) as all NULL.
pub fn is_null(array: &dyn Array, row: usize) -> bool {
    match array.data_type() {
        DataType::Null => true,
        DataType::Dictionary(_, _) => match dictionary_key(array, row) {
            Some(key) => is_null(array.as_any_dictionary().values().as_ref(), key),
            None => true,
        },
        _ => array.is_null(row),
    }
}

/// Appends the text of a non-null-checked value; `nested` selects the
/// rendering of values inside arrays, maps and structs.
fn write_value(array: &dyn Array, row: usize, nested: bool, out: &mut String) {
    if is_null(array, row) {
        out.push_str(if nested { "null" } else { "NULL" });
        return;
    }
    match array.data_type() {
        DataType::Boolean => out.push_str(if array.as_boolean().value(row) { "true" } else { "false" }),
        DataType::Int8 => push_display(out, array.as_primitive::<Int8Type>().value(row)),
        DataType::Int16 => push_display(out, array.as_primitive::<Int16Type>().value(row)),
        DataType::Int32 => push_display(out, array.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => push_display(out, array.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => push_display(out, array.as_primitive::<UInt8Type>().value(row)),
        DataType::UInt16 => push_display(out, array.as_primitive::<UInt16Type>().value(row)),
        DataType::UInt32 => push_display(out, array.as_primitive::<UInt32Type>().value(row)),
        DataType::UInt64 => push_display(out, array.as_primitive::<UInt64Type>().value(row)),
        DataType::Float16 => {
            let v = array.as_primitive::<Float16Type>().value(row).to_f32();
            out.push_str(&format::java_float(v))
        }
        DataType::Float32 => out.push_str(&format::java_float(array.as_primitive::<Float32Type>().value(row))),
        DataType::Float64 => out.push_str(&format::java_double(array.as_primitive::<Float64Type>().value(row))),
        DataType::Decimal32(_, s) => {
            let v = array.as_primitive::<Decimal32Type>().value(row) as i128;
            out.push_str(&format::decimal_to_string(v, *s))
        }
        DataType::Decimal64(_, s) => {
            let v = array.as_primitive::<Decimal64Type>().value(row) as i128;
            out.push_str(&format::decimal_to_string(v, *s))
        }
        DataType::Decimal128(_, s) => {
            let v = array.as_primitive::<Decimal128Type>().value(row);
            out.push_str(&format::decimal_to_string(v, *s))
        }
        DataType::Utf8 => push_string(out, array.as_string::<i32>().value(row), nested),
        DataType::LargeUtf8 => push_string(out, array.as_string::<i64>().value(row), nested),
        DataType::Utf8View => push_string(out, array.as_string_view().value(row), nested),
        // Spark's default binary output style for HiveResult is UTF-8 text
        DataType::Binary => push_bytes(out, array.as_binary::<i32>().value(row)),
        DataType::LargeBinary => push_bytes(out, array.as_binary::<i64>().value(row)),
        DataType::BinaryView => push_bytes(out, array.as_binary_view().value(row)),
        DataType::FixedSizeBinary(_) => push_bytes(out, array.as_fixed_size_binary().value(row)),
        DataType::Date32 => out.push_str(&format::date_to_string(array.as_primitive::<Date32Type>().value(row))),
        DataType::Date64 => {
            let ms = array.as_primitive::<Date64Type>().value(row);
            out.push_str(&format::date_to_string(ms.div_euclid(86_400_000) as i32))
        }
        DataType::Timestamp(unit, tz) => {
            let micros = crate::render::timestamp_micros(array, row, unit);
            let micros = match tz {
                Some(tz) => wall_clock(micros, tz),
                None => micros,
            };
            out.push_str(&format::timestamp_to_string(micros))
        }
        DataType::Duration(unit) => {
            let micros = match unit {
                TimeUnit::Second => array.as_primitive::<DurationSecondType>().value(row).saturating_mul(1_000_000),
                TimeUnit::Millisecond => {
                    array.as_primitive::<DurationMillisecondType>().value(row).saturating_mul(1000)
                }
                TimeUnit::Microsecond => array.as_primitive::<DurationMicrosecondType>().value(row),
                TimeUnit::Nanosecond => array.as_primitive::<DurationNanosecondType>().value(row) / 1000,
            };
            out.push_str(&format::day_time_to_string(micros))
        }
        DataType::Interval(IntervalUnit::YearMonth) => {
            out.push_str(&format::year_month_to_string(array.as_primitive::<IntervalYearMonthType>().value(row)))
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let v = array.as_primitive::<IntervalMonthDayNanoType>().value(row);
            out.push_str(&format::calendar_interval_to_string(&v))
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>();
            let offsets = list.value_offsets();
            let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
            write_elements(list.values().as_ref(), start..end, out)
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>();
            let offsets = list.value_offsets();
            let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
            write_elements(list.values().as_ref(), start..end, out)
        }
        DataType::FixedSizeList(_, _) => {
            let list = array.as_fixed_size_list();
            let start = list.value_offset_at(row);
            let len = list.value_length() as usize;
            write_elements(list.values().as_ref(), start..start + len, out)
        }
        DataType::Map(_, _) => {
            let map = array.as_map();
            let offsets = map.value_offsets();
            let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
            let mut entries: Vec<String> = (start..end)
                .map(|i| {
                    let mut entry = String::new();
                    write_value(map.keys().as_ref(), i, true, &mut entry);
                    entry.push(':');
                    write_value(map.values().as_ref(), i, true, &mut entry);
                    entry
                })
                .collect();
            // Scala sorts the entry strings by Java's String order (UTF-16 units)
            entries.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            out.push_str(&entries.join(","));
            out.push('}');
        }
        DataType::Struct(fields) => {
            let strukt = array.as_struct();
            out.push('{');
            for (i, (field, column)) in fields.iter().zip(strukt.columns()).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('"');
                out.push_str(field.name());
                out.push_str("\":");
                write_value(column.as_ref(), row, true, out);
            }
            out.push('}');
        }
        DataType::Dictionary(_, _) => {
            // is_null above has already checked that the key is present
            if let Some(key) = dictionary_key(array, row) {
                write_value(array.as_any_dictionary().values().as_ref(), key, nested, out)
            }
        }
        _ => write_fallback(array, row, out),
    }
}

fn write_elements(values: &dyn Array, range: std::ops::Range<usize>, out: &mut String) {
    out.push('[');
    for (n, i) in range.enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_value(values, i, true, out);
    }
    out.push(']');
}

/// Types Spark has no counterpart for: Arrow's own display.
fn write_fallback(array: &dyn Array, row: usize, out: &mut String) {
    match ArrayFormatter::try_new(array, &FormatOptions::default()) {
        Ok(f) => out.push_str(&f.value(row).to_string()),
        Err(e) => out.push_str(&format!("<{e}>")),
    }
}

fn dictionary_key(array: &dyn Array, row: usize) -> Option<usize> {
    let keys = array.as_any_dictionary().keys();
    if keys.is_null(row) {
        return None;
    }
    let key = match keys.data_type() {
        DataType::Int8 => keys.as_primitive::<Int8Type>().value(row) as usize,
        DataType::Int16 => keys.as_primitive::<Int16Type>().value(row) as usize,
        DataType::Int32 => keys.as_primitive::<Int32Type>().value(row) as usize,
        DataType::Int64 => keys.as_primitive::<Int64Type>().value(row) as usize,
        DataType::UInt8 => keys.as_primitive::<UInt8Type>().value(row) as usize,
        DataType::UInt16 => keys.as_primitive::<UInt16Type>().value(row) as usize,
        DataType::UInt32 => keys.as_primitive::<UInt32Type>().value(row) as usize,
        DataType::UInt64 => keys.as_primitive::<UInt64Type>().value(row) as usize,
        _ => return None,
    };
    Some(key)
}

/// A timestamp value of any unit as microseconds since the epoch.
pub(crate) fn timestamp_micros(array: &dyn Array, row: usize, unit: &TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => array.as_primitive::<TimestampSecondType>().value(row).saturating_mul(1_000_000),
        TimeUnit::Millisecond => array.as_primitive::<TimestampMillisecondType>().value(row).saturating_mul(1000),
        TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().value(row),
        TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().value(row).div_euclid(1000),
    }
}

fn push_display(out: &mut String, v: impl std::fmt::Display) {
    use std::fmt::Write;
    let _ = write!(out, "{v}");
}

fn push_string(out: &mut String, s: &str, nested: bool) {
    if nested {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn push_bytes(out: &mut String, b: &[u8]) {
    out.push_str(&String::from_utf8_lossy(b));
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{
        ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, DictionaryArray, DurationMicrosecondArray,
        Float32Array, Float64Array, Int32Array, Int64Array, IntervalMonthDayNanoArray, IntervalYearMonthArray,
        ListArray, MapBuilder, NullArray, StringArray, StringBuilder, StructArray, TimestampMicrosecondArray,
    };
    use arrow::datatypes::{Field, IntervalMonthDayNano, Schema};
    use std::sync::Arc;

    fn cell(a: &dyn Array, row: usize) -> String {
        format_cell(a, row).unwrap_or_else(|| "NULL".into())
    }

    #[test]
    fn nulls_and_booleans() {
        let a = BooleanArray::from(vec![Some(true), Some(false), None]);
        assert_eq!(format_cell(&a, 0).as_deref(), Some("true"));
        assert_eq!(format_cell(&a, 1).as_deref(), Some("false"));
        assert_eq!(format_cell(&a, 2), None);
        assert_eq!(format_cell(&NullArray::new(2), 1), None);
    }

    #[test]
    fn timestamps_print_in_their_zone() {
        // 2015-07-22 17:00:00 UTC
        let utc: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![1_437_584_400_000_000]).with_timezone("UTC"));
        let ntz: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![1_437_584_400_000_000]));
        let list: ArrayRef = Arc::new(ListArray::new(
            Arc::new(Field::new("item", utc.data_type().clone(), true)),
            arrow::buffer::OffsetBuffer::from_lengths([1]),
            utc.clone(),
            None,
        ));
        let schema = Arc::new(Schema::new(vec![
            Field::new("t", utc.data_type().clone(), true),
            Field::new("n", ntz.data_type().clone(), true),
            Field::new("l", list.data_type().clone(), true),
        ]));
        let b = RecordBatch::try_new(schema.clone(), vec![utc, ntz, list]).unwrap();
        assert_eq!(
            format_rows(std::slice::from_ref(&b)),
            vec![vec!["2015-07-22 17:00:00"; 2].into_iter().chain(["[2015-07-22 17:00:00]"]).collect::<Vec<_>>()]
        );
        let (zoned_schema, zoned) = in_time_zone(&schema, vec![b], "America/Los_Angeles").unwrap();
        assert_eq!(zoned_schema.field(0).data_type(), zoned[0].column(0).data_type());
        assert_eq!(
            format_rows(&zoned),
            vec![vec!["2015-07-22 10:00:00", "2015-07-22 17:00:00", "[2015-07-22 10:00:00]"]]
        );
        // a zone Spark rejects prints as UTC rather than failing
        assert_eq!(wall_clock(0, "Mars/Olympus"), 0);
    }

    #[test]
    fn numbers() {
        assert_eq!(cell(&Int64Array::from(vec![-9223372036854775808]), 0), "-9223372036854775808");
        assert_eq!(cell(&Int32Array::from(vec![42]), 0), "42");
        let d = Float64Array::from(vec![1.0, 0.1, 1e7, 1.0e-4, f64::NAN, f64::NEG_INFINITY, -0.0]);
        let got: Vec<String> = (0..d.len()).map(|i| cell(&d, i)).collect();
        assert_eq!(got, ["1.0", "0.1", "1.0E7", "1.0E-4", "NaN", "-Infinity", "-0.0"]);
        assert_eq!(cell(&Float32Array::from(vec![1.1f32]), 0), "1.1");
        let dec = Decimal128Array::from(vec![12345, -5, 0]).with_precision_and_scale(10, 2).unwrap();
        assert_eq!(cell(&dec, 0), "123.45");
        assert_eq!(cell(&dec, 1), "-0.05");
        assert_eq!(cell(&dec, 2), "0.00");
    }

    #[test]
    fn strings_and_binary() {
        let s = StringArray::from(vec![Some("a \"b\""), Some(""), None]);
        assert_eq!(cell(&s, 0), "a \"b\"");
        assert_eq!(cell(&s, 1), "");
        assert_eq!(format_cell(&s, 2), None);
        let b = BinaryArray::from(vec![b"Spark".as_ref()]);
        assert_eq!(cell(&b, 0), "Spark");
    }

    #[test]
    fn dates_timestamps_intervals() {
        // DATE '2024-02-29' is day 19782
        assert_eq!(cell(&Date32Array::from(vec![19782]), 0), "2024-02-29");
        // TIMESTAMP '2024-01-02 03:04:05.12' UTC
        let ts =
            TimestampMicrosecondArray::from(vec![1_704_164_645_120_000, 1_704_164_645_000_000]).with_timezone("UTC");
        assert_eq!(cell(&ts, 0), "2024-01-02 03:04:05.12");
        assert_eq!(cell(&ts, 1), "2024-01-02 03:04:05");
        let ntz = TimestampMicrosecondArray::from(vec![1]);
        assert_eq!(cell(&ntz, 0), "1970-01-01 00:00:00.000001");
        // INTERVAL '1 02:03:04' DAY TO SECOND
        let dt = DurationMicrosecondArray::from(vec![93_784_000_000, -1_500_000]);
        assert_eq!(cell(&dt, 0), "1 02:03:04.000000000");
        assert_eq!(cell(&dt, 1), "-0 00:00:01.500000000");
        // INTERVAL '1-2' YEAR TO MONTH
        let ym = IntervalYearMonthArray::from(vec![14, -3]);
        assert_eq!(cell(&ym, 0), "1-2");
        assert_eq!(cell(&ym, 1), "-0-3");
        let cal = IntervalMonthDayNanoArray::from(vec![IntervalMonthDayNano::new(14, 3, 0)]);
        assert_eq!(cell(&cal, 0), "1 years 2 months 3 days");
    }

    #[test]
    fn arrays_quote_nested_strings() {
        // array('a', NULL, 'b')
        let values = StringArray::from(vec![Some("a"), None, Some("b")]);
        let field = Arc::new(Field::new("element", DataType::Utf8, true));
        let list = ListArray::new(
            field,
            arrow::buffer::OffsetBuffer::new(vec![0, 3, 3].into()),
            Arc::new(values),
            Some(vec![true, false].into()),
        );
        assert_eq!(cell(&list, 0), "[\"a\",null,\"b\"]");
        assert_eq!(format_cell(&list, 1), None);
        // array(1, 2)
        let ints = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1), Some(2)])]);
        assert_eq!(cell(&ints, 0), "[1,2]");
    }

    #[test]
    fn structs_name_their_fields() {
        // named_struct('a', 1, 'b', 'x', 'c', NULL)
        let s = StructArray::from(vec![
            (Arc::new(Field::new("a", DataType::Int32, true)), Arc::new(Int32Array::from(vec![1])) as ArrayRef),
            (Arc::new(Field::new("b", DataType::Utf8, true)), Arc::new(StringArray::from(vec!["x"])) as ArrayRef),
            (Arc::new(Field::new("c", DataType::Float64, true)), Arc::new(Float64Array::from(vec![None])) as ArrayRef),
        ]);
        assert_eq!(cell(&s, 0), "{\"a\":1,\"b\":\"x\",\"c\":null}");
    }

    #[test]
    fn maps_sort_entries() {
        // map('b', 2, 'a', 1) prints as {"a":1,"b":2} in Spark
        let mut b = MapBuilder::new(None, StringBuilder::new(), arrow::array::Int32Builder::new());
        b.keys().append_value("b");
        b.values().append_value(2);
        b.keys().append_value("a");
        b.values().append_null();
        b.append(true).unwrap();
        let m = b.finish();
        assert_eq!(cell(&m, 0), "{\"a\":null,\"b\":2}");
    }

    #[test]
    fn dictionaries_show_values() {
        let d: DictionaryArray<Int32Type> = vec![Some("x"), None, Some("y")].into_iter().collect();
        assert_eq!(cell(&d, 2), "y");
        assert_eq!(format_cell(&d, 1), None);
    }

    #[test]
    fn rows_of_batches() {
        let schema =
            Arc::new(Schema::new(vec![Field::new("a", DataType::Int32, true), Field::new("b", DataType::Utf8, true)]));
        let batch = RecordBatch::try_new(
            schema,
            vec![Arc::new(Int32Array::from(vec![Some(1), None])), Arc::new(StringArray::from(vec![None, Some("x")]))],
        )
        .unwrap();
        assert_eq!(format_rows(&[batch]), vec![vec!["1", "NULL"], vec!["NULL", "x"]]);
    }
}
