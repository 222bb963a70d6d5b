//! Casts checked against Spark's documented results.

use std::sync::Arc;

use arrow::array::*;
use arrow::datatypes::*;
use ember_core::EvalMode;

use super::cast;

fn strs(v: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

fn class(e: ember_core::Error) -> String {
    e.error_class().unwrap_or("none").to_string()
}

fn str_values(a: &ArrayRef) -> Vec<Option<String>> {
    a.as_string::<i32>().iter().map(|v| v.map(|s| s.to_string())).collect()
}

#[test]
fn string_to_int() {
    let a = strs(&[" 42 ", "1.5", "abc", "-2147483648", "2147483648"]);
    let e = cast(&a, &DataType::Int32, EvalMode::Ansi).unwrap_err();
    assert_eq!(class(e), "CAST_INVALID_INPUT");
    let ok = cast(&strs(&[" 42 ", "-7"]), &DataType::Int32, EvalMode::Ansi).unwrap();
    assert_eq!(ok.as_primitive::<Int32Type>().values().to_vec(), vec![42, -7]);
    let legacy = cast(&a, &DataType::Int32, EvalMode::Legacy).unwrap();
    let got: Vec<Option<i32>> = legacy.as_primitive::<Int32Type>().iter().collect();
    assert_eq!(got, vec![Some(42), Some(1), None, Some(i32::MIN), None]);
}

#[test]
fn string_to_double_decimal_bool_date() {
    let d = cast(&strs(&["1.5", "inf", "-Infinity", "NaN", "1e3", "2d"]), &DataType::Float64, EvalMode::Ansi).unwrap();
    let d = d.as_primitive::<Float64Type>();
    assert_eq!(d.value(0), 1.5);
    assert_eq!(d.value(1), f64::INFINITY);
    assert_eq!(d.value(2), f64::NEG_INFINITY);
    assert!(d.value(3).is_nan());
    assert_eq!((d.value(4), d.value(5)), (1000.0, 2.0));
    let dec = cast(&strs(&["1.005", " -2.5 "]), &DataType::Decimal128(5, 2), EvalMode::Ansi).unwrap();
    assert_eq!(dec.as_primitive::<Decimal128Type>().values().to_vec(), vec![101, -250]);
    let e = cast(&strs(&["12345.6"]), &DataType::Decimal128(5, 2), EvalMode::Ansi).unwrap_err();
    assert_eq!(class(e), "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION");
    let b = cast(&strs(&["YES", "f", "maybe"]), &DataType::Boolean, EvalMode::Try).unwrap();
    let b: Vec<Option<bool>> = b.as_boolean().iter().collect();
    assert_eq!(b, vec![Some(true), Some(false), None]);
    let dt = cast(&strs(&["2024-01-31", "2024-1", "x"]), &DataType::Date32, EvalMode::Legacy).unwrap();
    let dt = cast(&dt, &DataType::Utf8, EvalMode::Ansi).unwrap();
    assert_eq!(str_values(&dt), vec![Some("2024-01-31".into()), Some("2024-01-01".into()), None]);
}

#[test]
fn int_narrowing() {
    let a: ArrayRef = Arc::new(Int32Array::from(vec![300, -1]));
    assert_eq!(class(cast(&a, &DataType::Int8, EvalMode::Ansi).unwrap_err()), "CAST_OVERFLOW");
    let w = cast(&a, &DataType::Int8, EvalMode::Legacy).unwrap();
    assert_eq!(w.as_primitive::<Int8Type>().values().to_vec(), vec![44, -1]);
    let t = cast(&a, &DataType::Int8, EvalMode::Try).unwrap();
    assert!(t.is_null(0) && t.is_valid(1));
}

#[test]
fn double_to_int() {
    let a: ArrayRef = Arc::new(Float64Array::from(vec![1.9, -1.9, 1e10, f64::NAN, 300.7]));
    let l = cast(&a, &DataType::Int32, EvalMode::Legacy).unwrap();
    assert_eq!(l.as_primitive::<Int32Type>().values().to_vec(), vec![1, -1, i32::MAX, 0, 300]);
    let b = cast(&a, &DataType::Int8, EvalMode::Legacy).unwrap();
    assert_eq!(b.as_primitive::<Int8Type>().value(4), 44);
    assert_eq!(class(cast(&a, &DataType::Int32, EvalMode::Ansi).unwrap_err()), "CAST_OVERFLOW");
    let ok: ArrayRef = Arc::new(Float64Array::from(vec![2147483647.5]));
    assert_eq!(cast(&ok, &DataType::Int32, EvalMode::Ansi).unwrap().as_primitive::<Int32Type>().value(0), i32::MAX);
}

#[test]
fn decimals() {
    let a: ArrayRef = Arc::new(Decimal128Array::from(vec![12345, -12355]).with_precision_and_scale(7, 3).unwrap());
    let r = cast(&a, &DataType::Decimal128(5, 2), EvalMode::Ansi).unwrap();
    assert_eq!(r.as_primitive::<Decimal128Type>().values().to_vec(), vec![1235, -1236]);
    let i = cast(&a, &DataType::Int32, EvalMode::Ansi).unwrap();
    assert_eq!(i.as_primitive::<Int32Type>().values().to_vec(), vec![12, -12]);
    let s = cast(&a, &DataType::Utf8, EvalMode::Ansi).unwrap();
    assert_eq!(str_values(&s), vec![Some("12.345".into()), Some("-12.355".into())]);
    let d = cast(&a, &DataType::Float64, EvalMode::Ansi).unwrap();
    assert_eq!(d.as_primitive::<Float64Type>().value(0), 12.345);
    let big: ArrayRef = Arc::new(Int32Array::from(vec![1000]));
    assert_eq!(
        class(cast(&big, &DataType::Decimal128(3, 0), EvalMode::Ansi).unwrap_err()),
        "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION"
    );
    assert!(cast(&big, &DataType::Decimal128(3, 0), EvalMode::Legacy).unwrap().is_null(0));
    let dbl: ArrayRef = Arc::new(Float64Array::from(vec![0.1, 2.675]));
    let r = cast(&dbl, &DataType::Decimal128(5, 2), EvalMode::Ansi).unwrap();
    // 2.675 is 2.67499999... in binary, but Spark goes through "2.675": 2.68
    assert_eq!(r.as_primitive::<Decimal128Type>().values().to_vec(), vec![10, 268]);
}

#[test]
fn to_string_formats() {
    let d: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 1e7, 0.0001, -0.0]));
    assert_eq!(
        str_values(&cast(&d, &DataType::Utf8, EvalMode::Ansi).unwrap()),
        vec![Some("1.0".into()), Some("1.0E7".into()), Some("1.0E-4".into()), Some("-0.0".into())]
    );
    let b: ArrayRef = Arc::new(BooleanArray::from(vec![Some(true), None]));
    assert_eq!(str_values(&cast(&b, &DataType::Utf8, EvalMode::Ansi).unwrap()), vec![Some("true".into()), None]);
    let t: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![1_500_000]).with_timezone("UTC"));
    assert_eq!(
        str_values(&cast(&t, &DataType::Utf8, EvalMode::Ansi).unwrap()),
        vec![Some("1970-01-01 00:00:01.5".into())]
    );
}

#[test]
fn timestamps() {
    let ts = cast(&strs(&["2024-01-02 03:04:05"]), &ember_core::types::timestamp_type(), EvalMode::Ansi).unwrap();
    let d = cast(&ts, &DataType::Date32, EvalMode::Ansi).unwrap();
    assert_eq!(str_values(&cast(&d, &DataType::Utf8, EvalMode::Ansi).unwrap()), vec![Some("2024-01-02".into())]);
    let secs = cast(&ts, &DataType::Int64, EvalMode::Ansi).unwrap();
    assert_eq!(secs.as_primitive::<Int64Type>().value(0), 1_704_164_645);
    let back = cast(&secs, &ember_core::types::timestamp_type(), EvalMode::Ansi).unwrap();
    assert_eq!(back.as_primitive::<TimestampMicrosecondType>().value(0), 1_704_164_645_000_000);
}

#[test]
fn dictionaries_and_string_kinds() {
    let dict: DictionaryArray<Int32Type> = vec!["1", "2", "1"].into_iter().collect();
    let dict: ArrayRef = Arc::new(dict);
    let r = cast(&dict, &DataType::Int64, EvalMode::Ansi).unwrap();
    assert_eq!(r.as_primitive::<Int64Type>().values().to_vec(), vec![1, 2, 1]);
    let large: ArrayRef = Arc::new(LargeStringArray::from(vec!["x"]));
    let r = cast(&large, &DataType::Utf8, EvalMode::Ansi).unwrap();
    assert_eq!(str_values(&r), vec![Some("x".into())]);
}

/// Casts in a session zone other than UTC (America/Los_Angeles, as in
/// Spark's golden files).
#[test]
fn timestamps_in_a_session_zone() {
    use crate::tz::TimeZone;
    let la = TimeZone::parse("America/Los_Angeles").unwrap();
    let ltz = ember_core::types::timestamp_type();
    let ntz = DataType::Timestamp(TimeUnit::Microsecond, None);
    let to = |a: &ArrayRef, t: &DataType| super::cast_in_zone(a, t, EvalMode::Ansi, &la).unwrap();
    let micros = |a: &ArrayRef| a.as_primitive::<TimestampMicrosecondType>().value(0);

    // strings without a zone are LA wall-clock times; with one, their own
    let ts = to(&strs(&["2015-07-22 10:00:00", "2015-07-22 10:00:00Z", "2015-01-22 10:00:00 Europe/Paris"]), &ltz);
    let t = ts.as_primitive::<TimestampMicrosecondType>();
    assert_eq!(t.value(0), 1_437_584_400_000_000);
    assert_eq!(t.value(1), 1_437_559_200_000_000);
    assert_eq!(t.value(2), 1_421_917_200_000_000);
    assert_eq!(
        str_values(&to(&ts, &DataType::Utf8)),
        vec![
            Some("2015-07-22 10:00:00".into()),
            Some("2015-07-22 03:00:00".into()),
            Some("2015-01-22 01:00:00".into())
        ]
    );
    // seconds since the epoch render in the zone
    let secs: ArrayRef = Arc::new(Int64Array::from(vec![1_230_219_000, -1_230_219_000]));
    assert_eq!(
        str_values(&to(&to(&secs, &ltz), &DataType::Utf8)),
        vec![Some("2008-12-25 07:30:00".into()), Some("1931-01-07 00:30:00".into())]
    );
    // a date is local midnight, and a timestamp's date is its local date
    let d = to(&strs(&["2024-01-02"]), &DataType::Date32);
    let midnight = to(&d, &ltz);
    assert_eq!(micros(&midnight), 1_704_182_400_000_000);
    let late = to(&strs(&["2024-01-02 23:30:00"]), &ltz);
    assert_eq!(str_values(&to(&to(&late, &DataType::Date32), &DataType::Utf8)), vec![Some("2024-01-02".into())]);
    // TIMESTAMP <-> TIMESTAMP_NTZ keep the wall clock
    let wall = to(&late, &ntz);
    assert_eq!(str_values(&to(&wall, &DataType::Utf8)), vec![Some("2024-01-02 23:30:00".into())]);
    assert_eq!(micros(&to(&wall, &ltz)), micros(&late));
    // NTZ strings ignore a zone; NTZ -> DATE needs none
    let n = to(&strs(&["2024-01-02 23:30:00+05:00"]), &ntz);
    assert_eq!(str_values(&to(&to(&n, &DataType::Date32), &DataType::Utf8)), vec![Some("2024-01-02".into())]);
    // the instant is unchanged by the zone: seconds since the epoch
    assert_eq!(to(&late, &DataType::Int64).as_primitive::<Int64Type>().value(0), 1_704_267_000);
}
