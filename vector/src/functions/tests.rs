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

fn l(v: i64) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::Int64(Some(v)))
}

fn f64_1(name: &str, args: &[ColumnarValue]) -> Option<f64> {
    call(name, args, DataType::Float64).as_primitive::<Float64Type>().iter().next().flatten()
}

fn long1(name: &str, args: &[ColumnarValue]) -> Option<i64> {
    call(name, args, DataType::Int64).as_primitive::<Int64Type>().iter().next().flatten()
}

fn bytes1(name: &str, args: &[ColumnarValue]) -> Option<Vec<u8>> {
    call(name, args, DataType::Binary).as_binary::<i32>().iter().next().flatten().map(<[u8]>::to_vec)
}

fn err_class(name: &str, args: &[ColumnarValue], rt: DataType, mode: EvalMode) -> String {
    let e = eval_scalar_function(name, args, &rt, mode, 1).unwrap_err();
    e.error_class().unwrap_or("").to_string()
}

/// Examples from Spark's function documentation.
#[test]
fn documented_math_and_bits() {
    assert_eq!(f64_1("pi", &[]), Some(std::f64::consts::PI));
    assert_eq!(f64_1("e", &[]), Some(std::f64::consts::E));
    let f = |x: f64| ColumnarValue::Scalar(ScalarValue::Float64(Some(x)));
    assert_eq!(f64_1("sinh", &[f(0.0)]), Some(0.0));
    assert_eq!(f64_1("cosh", &[f(0.0)]), Some(1.0));
    assert_eq!(f64_1("tanh", &[f(0.0)]), Some(0.0));
    assert_eq!(f64_1("asinh", &[f(0.0)]), Some(0.0));
    assert_eq!(f64_1("acosh", &[f(1.0)]), Some(0.0));
    assert_eq!(f64_1("atanh", &[f(0.0)]), Some(0.0));
    assert_eq!(f64_1("cot", &[f(1.0)]), Some(0.6420926159343306));
    assert_eq!(f64_1("sec", &[f(0.0)]), Some(1.0));
    assert_eq!(f64_1("csc", &[f(1.0)]), Some(1.1883951057781212));
    assert_eq!(f64_1("rint", &[f(12.3456)]), Some(12.0));
    assert_eq!(long1("width_bucket", &[f(5.3), f(0.2), f(10.6), l(5)]), Some(3));
    assert_eq!(int1("shiftleft", &[i(2), i(1)]), Some(4));
    assert_eq!(int1("shiftright", &[i(4), i(1)]), Some(2));
    assert_eq!(int1("shiftrightunsigned", &[i(4), i(1)]), Some(2));
    assert_eq!(int1("shiftrightunsigned", &[i(-4), i(1)]), Some(2147483646));
    assert_eq!(int1("bit_count", &[l(0)]), Some(0));
    let g = call("bit_get", &[l(11), i(0)], DataType::Int8);
    assert_eq!(g.as_primitive::<Int8Type>().value(0), 1);
    let g = call("getbit", &[l(11), i(2)], DataType::Int8);
    assert_eq!(g.as_primitive::<Int8Type>().value(0), 0);
    assert_eq!(
        err_class("bit_get", &[l(11), i(64)], DataType::Int8, EvalMode::Ansi),
        "INVALID_PARAMETER_VALUE.BIT_POSITION_RANGE"
    );
    assert_eq!(str1("bin", &[l(13)]).as_deref(), Some("1101"));
    assert_eq!(
        str1("bin", &[l(-13)]).as_deref(),
        Some("1111111111111111111111111111111111111111111111111111111111110011")
    );
    assert_eq!(str1("conv", &[s("100"), i(2), i(10)]).as_deref(), Some("4"));
    assert_eq!(str1("conv", &[s("-10"), i(16), i(-10)]).as_deref(), Some("-16"));
    assert_eq!(long1("factorial", &[i(5)]), Some(120));
    let e = eval_scalar_function(
        "round",
        &[ColumnarValue::Scalar(ScalarValue::Int8(Some(127))), i(-1)],
        &DataType::Int8,
        EvalMode::Ansi,
        1,
    );
    assert_eq!(e.unwrap_err().error_class(), Some("ARITHMETIC_OVERFLOW"));
    let r = eval_scalar_function(
        "round",
        &[ColumnarValue::Scalar(ScalarValue::Int8(Some(127))), i(-1)],
        &DataType::Int8,
        EvalMode::Legacy,
        1,
    )
    .unwrap();
    assert_eq!(r.as_primitive::<Int8Type>().value(0), -126);
}

#[test]
fn documented_encodings() {
    assert_eq!(str1("hex", &[l(17)]).as_deref(), Some("11"));
    assert_eq!(str1("hex", &[s("Spark SQL")]).as_deref(), Some("537061726B2053514C"));
    assert_eq!(bytes1("unhex", &[s("537061726B2053514C")]).as_deref(), Some(b"Spark SQL".as_ref()));
    assert_eq!(str1("base64", &[s("Spark SQL")]).as_deref(), Some("U3BhcmsgU1FM"));
    assert_eq!(bytes1("unbase64", &[s("U3BhcmsgU1FM")]).as_deref(), Some(b"Spark SQL".as_ref()));
    assert_eq!(bytes1("to_binary", &[s("abc"), s("utf-8")]).as_deref(), Some(b"abc".as_ref()));
    assert_eq!(bytes1("to_binary", &[s("537061726B"), s("hex")]).as_deref(), Some(b"Spark".as_ref()));
    assert_eq!(
        err_class("to_binary", &[s("GG"), s("hex")], DataType::Binary, EvalMode::Ansi),
        "CONVERSION_INVALID_INPUT"
    );
    let t = eval_scalar_function("to_binary", &[s("GG"), s("hex")], &DataType::Binary, EvalMode::Try, 1).unwrap();
    assert!(t.is_null(0));
    assert_eq!(bytes1("encode", &[s("abc"), s("utf-8")]).as_deref(), Some(b"abc".as_ref()));
    let bin = ColumnarValue::Scalar(ScalarValue::Binary(Some(b"abc".to_vec())));
    assert_eq!(str1("decode", &[bin, s("utf-8")]).as_deref(), Some("abc"));
    assert_eq!(
        err_class("encode", &[s("a"), s("WINDOWS-1252")], DataType::Binary, EvalMode::Ansi),
        "INVALID_PARAMETER_VALUE.CHARSET"
    );
    assert_eq!(str1("md5", &[s("Spark")]).as_deref(), Some("8cde774d6f7333752ed72cacddb05126"));
    assert_eq!(str1("sha1", &[s("Spark")]).as_deref(), Some("85f5955f4b27a9a4c2aab6ffe5d7189fc298b92c"));
    assert_eq!(
        str1("sha2", &[s("Spark"), i(256)]).as_deref(),
        Some("529bc3b07127ecb7e53a4dcf1991d9152c24537d919178022b2c42657f79a26b")
    );
    assert_eq!(long1("crc32", &[s("Spark")]), Some(1557323817));
    assert_eq!(str1("url_encode", &[s("https://spark.apache.org")]).as_deref(), Some("https%3A%2F%2Fspark.apache.org"));
    assert_eq!(str1("url_decode", &[s("https%3A%2F%2Fspark.apache.org")]).as_deref(), Some("https://spark.apache.org"));
}

#[test]
fn documented_strings() {
    assert_eq!(str1("translate", &[s("AaBbCc"), s("abc"), s("123")]).as_deref(), Some("A1B2C3"));
    assert_eq!(str1("substring_index", &[s("www.apache.org"), s("."), i(2)]).as_deref(), Some("www.apache"));
    assert_eq!(str1("soundex", &[s("Miller")]).as_deref(), Some("M460"));
    assert_eq!(int1("octet_length", &[s("Spark SQL")]), Some(9));
    assert_eq!(int1("bit_length", &[s("Spark SQL")]), Some(72));
    assert_eq!(str1("quote", &[s("Don't")]).as_deref(), Some("'Don\\'t'"));
    assert_eq!(str1("overlay", &[s("Spark SQL"), s("_"), i(6)]).as_deref(), Some("Spark_SQL"));
    assert_eq!(str1("overlay", &[s("Spark SQL"), s("CORE"), i(7)]).as_deref(), Some("Spark CORE"));
    assert_eq!(str1("overlay", &[s("Spark SQL"), s("ANSI "), i(7), i(0)]).as_deref(), Some("Spark ANSI SQL"));
    assert_eq!(str1("overlay", &[s("Spark SQL"), s("tructured"), i(2), i(4)]).as_deref(), Some("Structured SQL"));
    assert_eq!(int1("levenshtein", &[s("kitten"), s("sitting")]), Some(3));
    assert_eq!(int1("levenshtein", &[s("kitten"), s("sitting"), i(2)]), Some(-1));
    assert_eq!(str1("elt", &[i(1), s("scala"), s("java")]).as_deref(), Some("scala"));
    assert_eq!(err_class("elt", &[i(3), s("a"), s("b")], DataType::Utf8, EvalMode::Ansi), "INVALID_ARRAY_INDEX");
    assert_eq!(int1("find_in_set", &[s("ab"), s("abc,b,ab,c,def")]), Some(3));
    let dec = ColumnarValue::Scalar(ScalarValue::Decimal(Some(12332123456), 10, 6));
    assert_eq!(str1("format_number", &[dec, i(4)]).as_deref(), Some("12,332.1235"));
    assert_eq!(str1("format_number", &[l(12332), s("##################.###")]).as_deref(), Some("12332"));
    assert_eq!(
        str1("format_string", &[s("Hello World %d %s"), i(100), s("days")]).as_deref(),
        Some("Hello World 100 days")
    );
    assert_eq!(
        int1("regexp_count", &[s("Steven Jones and Stephen Smith are the best players"), s("Ste(v|ph)en")]),
        Some(2)
    );
    assert_eq!(str1("regexp_substr", &[s("Steven Jones and Stephen Smith are the best players"), s("Jeck")]), None);
    assert_eq!(int1("regexp_instr", &[s("1a 2b 14m"), s("\\d{2}(a|b|m)"), i(0)]), Some(7));
    assert_eq!(
        str1("parse_url", &[s("http://spark.apache.org/path?query=1"), s("QUERY"), s("query")]).as_deref(),
        Some("1")
    );
    assert_eq!(
        str1("parse_url", &[s("http://spark.apache.org/path?query=1"), s("HOST")]).as_deref(),
        Some("spark.apache.org")
    );
}

#[test]
fn documented_dates() {
    let ts = |v: &str| ColumnarValue::Scalar(ScalarValue::Timestamp(crate::temporal::parse_timestamp(v, false)));
    let tst = ember_core::types::timestamp_type();
    assert_eq!(str1("monthname", &[date("2008-02-20")]).as_deref(), Some("Feb"));
    assert_eq!(str1("dayname", &[date("2008-02-20")]).as_deref(), Some("Wed"));
    assert_eq!(long1("unix_seconds", &[ts("1970-01-01 00:00:01Z")]), Some(1));
    assert_eq!(long1("unix_millis", &[ts("1970-01-01 00:00:01Z")]), Some(1000));
    assert_eq!(long1("unix_micros", &[ts("1970-01-01 00:00:01Z")]), Some(1000000));
    assert_eq!(int1("unix_date", &[date("1970-01-02")]), Some(1));
    assert_eq!(date1("date_from_unix_date", &[i(1)]).as_deref(), Some("1970-01-02"));
    let t = call("timestamp_millis", &[l(1230219000123)], tst.clone());
    assert_eq!(t.as_primitive::<TimestampMicrosecondType>().value(0), 1230219000123000);
    let t = call("timestamp_seconds", &[l(1230219000)], tst.clone());
    assert_eq!(t.as_primitive::<TimestampMicrosecondType>().value(0), 1230219000000000);
    let sec = ColumnarValue::Scalar(ScalarValue::Decimal(Some(45678000), 16, 6));
    let t = call("make_timestamp", &[i(2014), i(12), i(28), i(6), i(30), sec], tst.clone());
    let t = crate::cast::cast(&t, &DataType::Utf8, EvalMode::Ansi).unwrap();
    assert_eq!(t.as_string::<i32>().value(0), "2014-12-28 06:30:45.678");
    let t = call("timestampadd", &[s("HOUR"), l(8), ts("2022-02-14 01:02:03")], tst.clone());
    let t = crate::cast::cast(&t, &DataType::Utf8, EvalMode::Ansi).unwrap();
    assert_eq!(t.as_string::<i32>().value(0), "2022-02-14 09:02:03");
    assert_eq!(long1("timestampdiff", &[s("HOUR"), ts("2022-02-14 01:02:03"), ts("2022-02-15 01:02:03")]), Some(24));
    assert_eq!(long1("timestampdiff", &[s("MONTH"), ts("2022-01-14 01:02:03"), ts("2022-02-14 01:02:03")]), Some(1));
    assert_eq!(long1("timestampdiff", &[s("YEAR"), ts("2022-01-14 01:02:03"), ts("2021-02-14 01:02:03")]), Some(0));
}

#[test]
fn documented_collections() {
    let list_i32 = DataType::List(Arc::new(Field::new("element", DataType::Int32, true)));
    let arr = call("array", &[i(1), i(2), i(3)], list_i32.clone());
    let ints =
        |a: &ArrayRef| -> Vec<Option<i32>> { a.as_list::<i32>().value(0).as_primitive::<Int32Type>().iter().collect() };
    assert_eq!(ints(&arr), vec![Some(1), Some(2), Some(3)]);
    let a = ColumnarValue::Array(arr.clone());
    assert_eq!(int1("size", std::slice::from_ref(&a)), Some(3));
    assert_eq!(int1("element_at", &[a.clone(), i(2)]), Some(2));
    assert_eq!(int1("element_at", &[a.clone(), i(-1)]), Some(3));
    assert_eq!(
        err_class("element_at", &[a.clone(), i(5)], DataType::Int32, EvalMode::Ansi),
        "INVALID_ARRAY_INDEX_IN_ELEMENT_AT"
    );
    assert_eq!(err_class("element_at", &[a.clone(), i(0)], DataType::Int32, EvalMode::Ansi), "INVALID_INDEX_OF_ZERO");
    assert_eq!(int1("get", &[a.clone(), i(0)]), Some(1));
    assert_eq!(int1("get", &[a.clone(), i(3)]), None);
    let b = call("array_contains", &[a.clone(), i(2)], DataType::Boolean);
    assert!(b.as_boolean().value(0));
    assert_eq!(long1("array_position", &[a.clone(), i(3)]), Some(3));
    let rev = call("array_reverse", std::slice::from_ref(&a), list_i32.clone());
    assert_eq!(ints(&rev), vec![Some(3), Some(2), Some(1)]);
    let sl = call("slice", &[a.clone(), i(2), i(2)], list_i32.clone());
    assert_eq!(ints(&sl), vec![Some(2), Some(3)]);
    let ins = call("array_insert", &[a.clone(), i(5), i(5)], list_i32.clone());
    assert_eq!(ints(&ins), vec![Some(1), Some(2), Some(3), None, Some(5)]);
    let ins = call("array_insert", &[a.clone(), i(-2), i(9)], list_i32.clone());
    assert_eq!(ints(&ins), vec![Some(1), Some(2), Some(9), Some(3)]);
    let seq = call("sequence", &[i(5), i(1)], list_i32.clone());
    assert_eq!(ints(&seq), vec![Some(5), Some(4), Some(3), Some(2), Some(1)]);
    let dup = ColumnarValue::Array(call(
        "array",
        &[i(1), i(2), i(3), ColumnarValue::Scalar(ScalarValue::Int32(None)), i(3)],
        list_i32.clone(),
    ));
    assert_eq!(
        ints(&call("array_distinct", std::slice::from_ref(&dup), list_i32.clone())),
        vec![Some(1), Some(2), Some(3), None]
    );
    assert_eq!(ints(&call("array_remove", &[dup.clone(), i(3)], list_i32.clone())), vec![Some(1), Some(2), None]);
    assert_eq!(
        ints(&call("array_compact", std::slice::from_ref(&dup), list_i32.clone())),
        vec![Some(1), Some(2), Some(3), Some(3)]
    );
    assert_eq!(
        ints(&call(
            "sort_array",
            &[dup.clone(), ColumnarValue::Scalar(ScalarValue::Boolean(Some(true)))],
            list_i32.clone()
        )),
        vec![None, Some(1), Some(2), Some(3), Some(3)]
    );
    assert_eq!(
        ints(&call("array_sort", std::slice::from_ref(&dup), list_i32.clone())),
        vec![Some(1), Some(2), Some(3), Some(3), None]
    );
    assert_eq!(int1("array_max", std::slice::from_ref(&dup)), Some(3));
    assert_eq!(int1("array_min", &[dup]), Some(1));
    let b = ColumnarValue::Array(call("array", &[i(1), i(3), i(5)], list_i32.clone()));
    assert_eq!(
        ints(&call("array_union", &[a.clone(), b.clone()], list_i32.clone())),
        vec![Some(1), Some(2), Some(3), Some(5)]
    );
    assert_eq!(ints(&call("array_intersect", &[a.clone(), b.clone()], list_i32.clone())), vec![Some(1), Some(3)]);
    assert_eq!(ints(&call("array_except", &[a.clone(), b.clone()], list_i32.clone())), vec![Some(2)]);
    let j = str1("array_join", &[a.clone(), s(", ")]);
    assert_eq!(j.as_deref(), Some("1, 2, 3"));
    // map(1, 'a', 2, 'b')
    let entries =
        Fields::from(vec![Field::new("key", DataType::Int32, false), Field::new("value", DataType::Utf8, true)]);
    let mt = DataType::Map(Arc::new(Field::new("entries", DataType::Struct(entries), false)), false);
    let m = ColumnarValue::Array(call("map", &[i(1), s("a"), i(2), s("b")], mt.clone()));
    assert_eq!(str1("element_at", &[m.clone(), i(2)]).as_deref(), Some("b"));
    assert_eq!(int1("size", std::slice::from_ref(&m)), Some(2));
    let keys = call("map_keys", std::slice::from_ref(&m), list_i32.clone());
    assert_eq!(ints(&keys), vec![Some(1), Some(2)]);
    assert_eq!(err_class("map", &[i(1), s("a"), i(1), s("b")], mt, EvalMode::Ansi), "DUPLICATED_MAP_KEY");
    // named_struct('a', 1, 'b', 'x').b
    let st = DataType::Struct(Fields::from(vec![
        Field::new("a", DataType::Int32, true),
        Field::new("b", DataType::Utf8, true),
    ]));
    let sv = ColumnarValue::Array(call("named_struct", &[i(1), s("x")], st));
    assert_eq!(str1("get_field", &[sv, s("b")]).as_deref(), Some("x"));
}

#[test]
fn seeded_random_and_hashes() {
    // SELECT rand(0), randn(0) (Spark's documented first values)
    assert_eq!(f64_1("rand", &[l(0)]), Some(0.7604953758285915));
    assert_eq!(f64_1("randn", &[l(0)]), Some(1.6034991609278433));
    let u = str1("uuid", &[]).unwrap_or_default();
    assert_eq!(u.len(), 36);
    // SELECT xxhash64('Spark', array(123), 2) -> 5602566077635097486
    let list_i32 = DataType::List(Arc::new(Field::new("element", DataType::Int32, true)));
    let arr = ColumnarValue::Array(call("array", &[i(123)], list_i32));
    assert_eq!(long1("xxhash64", &[s("Spark"), arr.clone(), i(2)]), Some(5602566077635097486));
    let h = call("hash", &[s("Spark"), arr, i(2)], DataType::Int32);
    assert_eq!(h.as_primitive::<Int32Type>().value(0), -1321691492);
}

/// Results Spark gives with `spark.sql.session.timeZone=America/Los_Angeles`
/// (PySpark's docstrings and the golden files of timestamp.sql).
#[test]
fn session_time_zone() {
    use crate::tz::TimeZone;
    let la = TimeZone::parse("America/Los_Angeles").unwrap();
    let run = |name: &str, args: &[ColumnarValue], rt: DataType| {
        super::eval_scalar_function_in_zone(name, args, &rt, EvalMode::Ansi, &la, 1).unwrap()
    };
    let text = |a: ArrayRef| {
        let s = crate::cast::cast_in_zone(&a, &DataType::Utf8, EvalMode::Ansi, &la).unwrap();
        s.as_string::<i32>().value(0).to_string()
    };
    let long = |v: i64| ColumnarValue::Scalar(ScalarValue::Int64(Some(v)));
    let ts = |v: &str| ColumnarValue::Scalar(ScalarValue::Timestamp(crate::temporal::parse_timestamp_in(v, &la)));
    let tst = ember_core::types::timestamp_type();

    assert_eq!(text(run("from_unixtime", &[long(1428476400)], DataType::Utf8)), "2015-04-08 00:00:00");
    let u = run("unix_timestamp", &[s("2015-04-08"), s("yyyy-MM-dd")], DataType::Int64);
    assert_eq!(u.as_primitive::<Int64Type>().value(0), 1428476400);
    let secs = run("unix_seconds", &[ts("2015-07-22 10:00:00")], DataType::Int64);
    assert_eq!(secs.as_primitive::<Int64Type>().value(0), 1437584400);
    assert_eq!(text(run("timestamp_seconds", &[long(1230219000)], tst.clone())), "2008-12-25 07:30:00");
    assert_eq!(text(run("timestamp_seconds", &[long(-1230219000)], tst.clone())), "1931-01-07 00:30:00");

    let dec = |v: i128, scale: i8| ColumnarValue::Scalar(ScalarValue::Decimal(Some(v), 16, scale));
    let fields = [i(2014), i(12), i(28), i(6), i(30), dec(45_887_000, 6), s("CET")];
    assert_eq!(text(run("make_timestamp", &fields, tst.clone())), "2014-12-27 21:30:45.887");
    let fields = [i(2021), i(7), i(11), i(6), i(30), dec(45_678_000, 6)];
    assert_eq!(text(run("make_timestamp", &fields, tst.clone())), "2021-07-11 06:30:45.678");

    assert_eq!(text(run("to_timestamp", &[long(1)], tst.clone())), "1969-12-31 16:00:01");
    assert_eq!(text(run("to_timestamp", &[s("2016-12-31 00:12:00")], tst.clone())), "2016-12-31 00:12:00");
    let t = run("to_timestamp", &[s("2016-12-31 00:12:00")], tst.clone());
    assert_eq!(t.as_primitive::<TimestampMicrosecondType>().value(0), 1483171920000000);

    // fields, truncation and formatting read the wall clock
    assert_eq!(run("hour", &[ts("2009-07-30 12:58:59")], DataType::Int32).as_primitive::<Int32Type>().value(0), 12);
    let tr = run("date_trunc", &[s("HOUR"), ts("2015-03-05 09:32:05.359")], tst.clone());
    assert_eq!(text(tr), "2015-03-05 09:00:00");
    let tr = run("date_trunc", &[s("MONTH"), ts("2015-03-05 09:32:05.359")], tst.clone());
    assert_eq!(text(tr), "2015-03-01 00:00:00");
    let f = run("date_format", &[ts("2016-04-08 10:30:00"), s("yyyy-MM-dd HH:mm")], DataType::Utf8);
    assert_eq!(f.as_string::<i32>().value(0), "2016-04-08 10:30");
    let d = run("to_date", &[ts("2016-04-08 23:30:00")], DataType::Date32);
    assert_eq!(text(d), "2016-04-08");

    // calendar units move the wall clock; timestampdiff compares wall clocks
    let add = run("timestampadd", &[s("MONTH"), long(-1), ts("2022-02-14 01:02:03")], tst.clone());
    assert_eq!(text(add), "2022-01-14 01:02:03");
    let add = run("timestampadd", &[s("YEAR"), long(1), date("2022-02-15")], tst.clone());
    assert_eq!(text(add), "2023-02-15 00:00:00");
    let add = run("timestampadd", &[s("DAY"), long(1), ts("2021-03-13 12:00:00")], tst.clone());
    assert_eq!(text(add), "2021-03-14 12:00:00");
    let diff = run("timestampdiff", &[s("SECOND"), date("2022-02-15"), ts("2022-02-14 23:59:59")], DataType::Int64);
    assert_eq!(diff.as_primitive::<Int64Type>().value(0), -1);
    let diff =
        run("timestampdiff", &[s("HOUR"), ts("2021-03-14 00:00:00"), ts("2021-03-15 00:00:00")], DataType::Int64);
    assert_eq!(diff.as_primitive::<Int64Type>().value(0), 24);

    // the session zone itself, and as the default source of convert_timezone
    let z = run("current_timezone", &[], DataType::Utf8);
    assert_eq!(z.as_string::<i32>().value(0), "America/Los_Angeles");
    let ntz = |v: &str| ColumnarValue::Scalar(ScalarValue::TimestampNtz(crate::temporal::parse_timestamp_ntz(v)));
    let ntz_type = DataType::Timestamp(TimeUnit::Microsecond, None);
    let c = run("convert_timezone", &[s("Europe/Brussels"), ntz("2021-12-05 15:00:00")], ntz_type);
    assert_eq!(text(c), "2021-12-06 00:00:00");
}
