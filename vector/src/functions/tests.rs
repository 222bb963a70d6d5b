//! Scalar functions checked against Spark's documented results.

use std::sync::Arc;

use arrow::array::*;
use arrow::datatypes::*;
use ember_core::{EvalMode, ScalarValue};

use super::eval_scalar_function;
use crate::ColumnarValue;

fn s(v: &str) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::Utf8(Some(v.into())))
}

fn i(v: i32) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::Int32(Some(v)))
}

fn date(v: &str) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::Date(crate::temporal::parse_date(v)))
}

fn call(name: &str, args: &[ColumnarValue], rt: DataType) -> ArrayRef {
    eval_scalar_function(name, args, &rt, EvalMode::Ansi, 1).unwrap()
}

fn str1(name: &str, args: &[ColumnarValue]) -> Option<String> {
    let a = call(name, args, DataType::Utf8);
    a.as_string::<i32>().iter().next().flatten().map(str::to_string)
}

fn int1(name: &str, args: &[ColumnarValue]) -> Option<i32> {
    let a = call(name, args, DataType::Int32);
    a.as_primitive::<Int32Type>().iter().next().flatten()
}

fn date1(name: &str, args: &[ColumnarValue]) -> Option<String> {
    let a = call(name, args, DataType::Date32);
    let a = crate::cast::cast(&a, &DataType::Utf8, EvalMode::Ansi).unwrap();
    a.as_string::<i32>().iter().next().flatten().map(str::to_string)
}

#[test]
fn strings() {
    assert_eq!(str1("substring", &[s("Spark SQL"), i(-3), i(2)]).as_deref(), Some("SQ"));
    assert_eq!(str1("substring", &[s("Spark SQL"), i(5)]).as_deref(), Some("k SQL"));
    assert_eq!(str1("substring", &[s("Spark SQL"), i(0), i(1)]).as_deref(), Some("S"));
    assert_eq!(str1("substring", &[s("héllo"), i(2), i(3)]).as_deref(), Some("éll"));
    assert_eq!(str1("upper", &[s("SparkSql")]).as_deref(), Some("SPARKSQL"));
    assert_eq!(str1("trim", &[s("  a b  ")]).as_deref(), Some("a b"));
    assert_eq!(str1("ltrim", &[s("xxaxx"), s("x")]).as_deref(), Some("axx"));
    assert_eq!(int1("length", &[s("héllo ")]), Some(6));
    assert_eq!(str1("concat", &[s("a"), s("b"), s("c")]).as_deref(), Some("abc"));
    assert_eq!(str1("concat", &[s("a"), ColumnarValue::Scalar(ScalarValue::Utf8(None))]), None);
    assert_eq!(
        str1("concat_ws", &[s(","), s("a"), ColumnarValue::Scalar(ScalarValue::Utf8(None)), s("b")]).as_deref(),
        Some("a,b")
    );
    assert_eq!(str1("replace", &[s("ABCabc"), s("abc"), s("DEF")]).as_deref(), Some("ABCDEF"));
    assert_eq!(int1("instr", &[s("SparkSQL"), s("SQL")]), Some(6));
    assert_eq!(int1("locate", &[s("bar"), s("foobarbar"), i(5)]), Some(7));
    assert_eq!(str1("lpad", &[s("hi"), i(5), s("??")]).as_deref(), Some("???hi"));
    assert_eq!(str1("lpad", &[s("hi"), i(1), s("??")]).as_deref(), Some("h"));
    assert_eq!(str1("rpad", &[s("hi"), i(5)]).as_deref(), Some("hi   "));
    assert_eq!(str1("initcap", &[s("sPark sql")]).as_deref(), Some("Spark Sql"));
    assert_eq!(str1("reverse", &[s("Spark SQL")]).as_deref(), Some("LQS krapS"));
    assert_eq!(str1("repeat", &[s("123"), i(2)]).as_deref(), Some("123123"));
    assert_eq!(int1("ascii", &[s("222")]), Some(50));
    assert_eq!(str1("chr", &[ColumnarValue::Scalar(ScalarValue::Int64(Some(65)))]).as_deref(), Some("A"));
    assert_eq!(str1("left", &[s("Spark SQL"), i(3)]).as_deref(), Some("Spa"));
    assert_eq!(str1("right", &[s("Spark SQL"), i(3)]).as_deref(), Some("SQL"));
    assert_eq!(str1("split_part", &[s("11.12.13"), s("."), i(3)]).as_deref(), Some("13"));
    assert_eq!(str1("split_part", &[s("11.12.13"), s("."), i(-1)]).as_deref(), Some("13"));
    assert_eq!(str1("split_part", &[s("11.12.13"), s("."), i(5)]).as_deref(), Some(""));
    assert_eq!(str1("regexp_replace", &[s("100-200"), s("(\\d+)"), s("num")]).as_deref(), Some("num-num"));
    assert_eq!(str1("regexp_replace", &[s("100-200"), s("(\\d+)-(\\d+)"), s("$2-$1")]).as_deref(), Some("200-100"));
    assert_eq!(str1("regexp_extract", &[s("100-200"), s("(\\d+)-(\\d+)"), i(1)]).as_deref(), Some("100"));
    let b = call("startswith", &[s("Spark SQL"), s("Spark")], DataType::Boolean);
    assert!(b.as_boolean().value(0));
}

#[test]
fn string_columns() {
    let col = ColumnarValue::Array(Arc::new(StringArray::from(vec![Some("abc"), None, Some("xyz")])));
    let out = eval_scalar_function("upper", &[col], &DataType::Utf8, EvalMode::Ansi, 3).unwrap();
    let got: Vec<Option<&str>> = out.as_string::<i32>().iter().collect();
    assert_eq!(got, vec![Some("ABC"), None, Some("XYZ")]);
}

#[test]
fn math() {
    let f = |x: f64| ColumnarValue::Scalar(ScalarValue::Float64(Some(x)));
    let d1 = |name: &str, args: &[ColumnarValue]| {
        call(name, args, DataType::Float64).as_primitive::<Float64Type>().iter().next().flatten()
    };
    assert_eq!(d1("sqrt", &[f(4.0)]), Some(2.0));
    assert_eq!(d1("ln", &[f(0.0)]), None);
    assert_eq!(d1("log", &[f(10.0), f(100.0)]), Some(2.0));
    assert_eq!(d1("power", &[f(2.0), f(10.0)]), Some(1024.0));
    assert_eq!(d1("sign", &[f(-3.0)]), Some(-1.0));
    assert_eq!(d1("round", &[f(2.5), i(0)]), Some(3.0));
    assert_eq!(d1("bround", &[f(2.5), i(0)]), Some(2.0));
    let fl = call("floor", &[f(-0.1)], DataType::Int64);
    assert_eq!(fl.as_primitive::<Int64Type>().value(0), -1);
    let ce = call("ceil", &[f(-0.1)], DataType::Int64);
    assert_eq!(ce.as_primitive::<Int64Type>().value(0), 0);
    // round(2.345 BD, 2) -> 2.35 as decimal(4,2); ceil(2.345) -> 3 as decimal(2,0)
    let dec = ColumnarValue::Scalar(ScalarValue::Decimal(Some(2345), 4, 3));
    let r = call("round", &[dec.clone(), i(2)], DataType::Decimal128(4, 2));
    assert_eq!(r.as_primitive::<Decimal128Type>().value(0), 235);
    let r = call("round", &[dec.clone(), i(-1)], DataType::Decimal128(2, 0));
    assert_eq!(r.as_primitive::<Decimal128Type>().value(0), 0);
    let r = call("ceil", &[dec], DataType::Decimal128(2, 0));
    assert_eq!(r.as_primitive::<Decimal128Type>().value(0), 3);
    assert_eq!(int1("abs", &[i(-5)]), Some(5));
    let e = eval_scalar_function("abs", &[i(i32::MIN)], &DataType::Int32, EvalMode::Ansi, 1).unwrap_err();
    assert_eq!(e.error_class(), Some("ARITHMETIC_OVERFLOW"));
    assert_eq!(int1("pmod", &[i(-10), i(3)]), Some(2));
    assert_eq!(int1("pmod", &[i(10), i(3)]), Some(1));
    let e = eval_scalar_function("pmod", &[i(1), i(0)], &DataType::Int32, EvalMode::Ansi, 1).unwrap_err();
    assert_eq!(e.error_class(), Some("DIVIDE_BY_ZERO"));
    let null = ColumnarValue::Scalar(ScalarValue::Int32(None));
    assert_eq!(int1("greatest", &[i(10), i(9), null.clone(), i(4)]), Some(10));
    assert_eq!(int1("least", &[i(10), i(9), null.clone(), i(4)]), Some(4));
    assert_eq!(int1("greatest", &[null.clone(), null]), None);
    let g = call("greatest", &[f(1.0), f(f64::NAN)], DataType::Float64);
    assert!(g.as_primitive::<Float64Type>().value(0).is_nan());
}

#[test]
fn conditionals() {
    let null = ColumnarValue::Scalar(ScalarValue::Int32(None));
    assert_eq!(int1("coalesce", &[null.clone(), i(1), i(2)]), Some(1));
    assert_eq!(int1("nullif", &[i(2), i(2)]), None);
    assert_eq!(int1("nullif", &[i(2), i(3)]), Some(2));
    assert_eq!(int1("nvl2", &[null, i(1), i(2)]), Some(2));
    let nan = ColumnarValue::Scalar(ScalarValue::Float64(Some(f64::NAN)));
    let b = call("isnan", std::slice::from_ref(&nan), DataType::Boolean);
    assert!(b.as_boolean().value(0));
    let b = call("isnan", &[ColumnarValue::Scalar(ScalarValue::Float64(None))], DataType::Boolean);
    assert!(b.is_valid(0) && !b.as_boolean().value(0));
    let v = call("nanvl", &[nan, ColumnarValue::Scalar(ScalarValue::Float64(Some(1.0)))], DataType::Float64);
    assert_eq!(v.as_primitive::<Float64Type>().value(0), 1.0);
}

#[test]
fn dates() {
    assert_eq!(date1("add_months", &[date("2024-01-31"), i(1)]).as_deref(), Some("2024-02-29"));
    assert_eq!(date1("date_add", &[date("2016-07-30"), i(1)]).as_deref(), Some("2016-07-31"));
    assert_eq!(date1("date_sub", &[date("2016-07-30"), i(1)]).as_deref(), Some("2016-07-29"));
    assert_eq!(int1("datediff", &[date("2009-07-31"), date("2009-07-30")]), Some(1));
    assert_eq!(int1("year", &[date("2016-07-30")]), Some(2016));
    assert_eq!(int1("month", &[date("2016-07-30")]), Some(7));
    assert_eq!(int1("day", &[date("2016-07-30")]), Some(30));
    assert_eq!(int1("quarter", &[date("2016-08-31")]), Some(3));
    assert_eq!(int1("dayofweek", &[date("2009-07-30")]), Some(5));
    assert_eq!(int1("weekday", &[date("2009-07-30")]), Some(3));
    assert_eq!(int1("dayofyear", &[date("2016-04-09")]), Some(100));
    assert_eq!(int1("weekofyear", &[date("2008-02-20")]), Some(8));
    assert_eq!(date1("last_day", &[date("2009-01-12")]).as_deref(), Some("2009-01-31"));
    assert_eq!(date1("next_day", &[date("2015-01-14"), s("TU")]).as_deref(), Some("2015-01-20"));
    assert_eq!(date1("trunc", &[date("2019-08-04"), s("week")]).as_deref(), Some("2019-07-29"));
    assert_eq!(date1("trunc", &[date("2019-08-04"), s("quarter")]).as_deref(), Some("2019-07-01"));
    assert_eq!(date1("make_date", &[i(2013), i(7), i(15)]).as_deref(), Some("2013-07-15"));
    assert_eq!(date1("to_date", &[s("2016-12-31"), s("yyyy-MM-dd")]).as_deref(), Some("2016-12-31"));
    assert_eq!(date1("to_date", &[s("2009-07-30 04:17:52")]).as_deref(), Some("2009-07-30"));
    let ym = ColumnarValue::Scalar(ScalarValue::IntervalYearMonth(Some(1)));
    assert_eq!(date1("date_add_interval", &[date("2024-01-31"), ym]).as_deref(), Some("2024-02-29"));
    let dt = ColumnarValue::Scalar(ScalarValue::IntervalDayTime(Some(-2 * 86_400_000_000)));
    assert_eq!(date1("date_add_interval", &[date("2024-03-01"), dt]).as_deref(), Some("2024-02-28"));
}

#[test]
fn timestamps() {
    let ts = |v: &str| ColumnarValue::Scalar(ScalarValue::Timestamp(crate::temporal::parse_timestamp(v, false)));
    assert_eq!(int1("hour", &[ts("2009-07-30 12:58:59")]), Some(12));
    assert_eq!(int1("minute", &[ts("2009-07-30 12:58:59")]), Some(58));
    assert_eq!(int1("second", &[ts("2009-07-30 12:58:59")]), Some(59));
    let mb = call("months_between", &[ts("1997-02-28 10:30:00"), ts("1996-10-30")], DataType::Float64);
    assert_eq!(mb.as_primitive::<Float64Type>().value(0), 3.94959677);
    assert_eq!(str1("date_format", &[ts("2016-04-08 10:30:00"), s("yyyy-MM-dd")]).as_deref(), Some("2016-04-08"));
    let tr = call("date_trunc", &[s("HOUR"), ts("2015-03-05 09:32:05.359")], ember_core::types::timestamp_type());
    let tr = crate::cast::cast(&tr, &DataType::Utf8, EvalMode::Ansi).unwrap();
    assert_eq!(tr.as_string::<i32>().value(0), "2015-03-05 09:00:00");
    let u = call("unix_timestamp", &[ts("2016-04-08 00:00:00")], DataType::Int64);
    assert_eq!(u.as_primitive::<Int64Type>().value(0), 1460073600);
    assert_eq!(
        str1("from_unixtime", &[ColumnarValue::Scalar(ScalarValue::Int64(Some(0))), s("yyyy-MM-dd HH:mm:ss")])
            .as_deref(),
        Some("1970-01-01 00:00:00")
    );
    let t = call("to_timestamp", &[s("2016-12-31 00:12:00")], ember_core::types::timestamp_type());
    assert_eq!(t.as_primitive::<TimestampMicrosecondType>().value(0), 1483143120000000);
}

#[test]
fn hash_values() {
    let h = call("hash", &[i(1)], DataType::Int32);
    assert_eq!(h.as_primitive::<Int32Type>().value(0), -559580957);
    let h = call("hash", &[ColumnarValue::Scalar(ScalarValue::Int32(None))], DataType::Int32);
    assert_eq!(h.as_primitive::<Int32Type>().value(0), 42);
}

#[test]
fn unknown_function() {
    let e = eval_scalar_function("nope", &[], &DataType::Int32, EvalMode::Ansi, 1).unwrap_err();
    assert!(matches!(e, ember_core::Error::Internal(_)));
}

#[test]
fn split_mask_luhn_like_spark() {
    let list = DataType::List(Arc::new(Field::new("element", DataType::Utf8, true)));
    let parts = |v: &str, p: &str, limit: i32| -> Vec<String> {
        let a = call("split", &[s(v), s(p), i(limit)], list.clone());
        let l = a.as_list::<i32>().value(0);
        l.as_string::<i32>().iter().map(|x| x.unwrap_or("").to_string()).collect()
    };
    assert_eq!(parts("aa1cc2ee3", "[1-9]+", -1), ["aa", "cc", "ee", ""]);
    assert_eq!(parts("aa1cc2ee3", "[1-9]+", 2), ["aa", "cc2ee3"]);
    assert_eq!(parts("hello", "", 3), ["h", "e", "llo"]);
    assert_eq!(parts("", "", 0), [""]);
    let null = ColumnarValue::Scalar(ScalarValue::Utf8(None));
    assert_eq!(str1("mask", &[s("AbCD123-@$#"), s("X"), s("x"), s("n"), null.clone()]).as_deref(), Some("XxXXnnn-@$#"));
    assert_eq!(str1("mask", &[s("AbCD123-@$#"), null.clone(), s("q"), s("d"), s("o")]).as_deref(), Some("AqCDdddoooo"));
    let luhn = |v: &str| call("luhn_check", &[s(v)], DataType::Boolean).as_boolean().value(0);
    assert!(luhn("4111111111111111") && luhn("0"));
    assert!(!luhn("6011000000000005") && !luhn("") && !luhn("510B105105105106"));
}
