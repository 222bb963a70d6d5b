//! The function registry: canonical names, aliases, arity, argument
//! coercion and result types of the scalar functions of the kernel
//! contract and of the aggregate functions.
//!
//! A scalar call resolves to `Expr::ScalarFunction { name: <canonical> }`
//! with its arguments already cast to the parameter types the kernels
//! expect; a few functions are rewritten instead (`if` -> CASE, one-argument
//! `log` -> `ln`, the cast functions `int(x)` ... -> CAST, `typeof(x)` -> a
//! string literal).

use arrow_schema::{DataType, Field};
use ember_core::error::quote_ident;
use ember_core::types::{
    decimal_for_integral, is_decimal, is_floating, is_integral, is_numeric, is_string, spark_sql_type_name,
    timestamp_type,
};
use ember_core::{AggFunc, AggregateCall, Error, EvalMode, Expr, Result, ScalarValue};

mod aggregates;
mod json_schema;
mod more;
mod nested;
mod pretty;

pub(crate) use nested::get_field as struct_field;
pub use pretty::{datetime_unit_args, pretty_call};

use super::coercion::{can_implicit_cast, cast, wider_common};
use super::decimal::{avg_type, precision_scale, sum_type};

/// A parameter type of a fixed signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Str,
    I32,
    I64,
    F64,
    Date,
    Ts,
    Bool,
    Bin,
    /// BINARY or STRING, passed as they are (the kernels read a string's
    /// UTF-8 bytes): Spark's implicit STRING -> BINARY cast
    Bytes,
    Any,
}

impl Ty {
    fn data_type(self) -> Option<DataType> {
        Some(match self {
            Ty::Str => DataType::Utf8,
            Ty::I32 => DataType::Int32,
            Ty::I64 => DataType::Int64,
            Ty::F64 => DataType::Float64,
            Ty::Date => DataType::Date32,
            Ty::Ts => timestamp_type(),
            Ty::Bool => DataType::Boolean,
            Ty::Bin | Ty::Bytes => DataType::Binary,
            Ty::Any => return None,
        })
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Parameters (the last repeats for variadic functions) and result.
    Fixed(&'static [Ty], Ty),
    /// Typed by code in `special`.
    Special,
    Aggregate(AggFunc),
    /// An aggregate built from the core ones (see `aggregates`).
    AggregateExpr,
}

#[derive(Debug)]
pub struct FunctionDef {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub min_args: usize,
    /// `usize::MAX` for variadic functions.
    pub max_args: usize,
    pub kind: Kind,
}

const V: usize = usize::MAX;

macro_rules! f {
    ($name:expr, [$($alias:expr),*], $min:expr, $max:expr, $kind:expr) => {
        FunctionDef { name: $name, aliases: &[$($alias),*], min_args: $min, max_args: $max, kind: $kind }
    };
}

use Ty::*;

static FUNCTIONS: &[FunctionDef] = &[
    // strings
    f!("substring", ["substr"], 2, 3, Kind::Fixed(&[Str, I32, I32], Str)),
    f!("upper", ["ucase"], 1, 1, Kind::Fixed(&[Str], Str)),
    f!("lower", ["lcase"], 1, 1, Kind::Fixed(&[Str], Str)),
    f!("trim", [], 1, 2, Kind::Fixed(&[Str, Str], Str)),
    f!("ltrim", [], 1, 2, Kind::Fixed(&[Str, Str], Str)),
    f!("rtrim", [], 1, 2, Kind::Fixed(&[Str, Str], Str)),
    f!("length", ["char_length", "character_length", "len"], 1, 1, Kind::Fixed(&[Str], I32)),
    f!("concat", [], 0, V, Kind::Special),
    f!("concat_ws", [], 1, V, Kind::Fixed(&[Str], Str)),
    f!("replace", [], 2, 3, Kind::Fixed(&[Str, Str, Str], Str)),
    f!("instr", [], 2, 2, Kind::Fixed(&[Str, Str], I32)),
    f!("locate", ["position"], 2, 3, Kind::Fixed(&[Str, Str, I32], I32)),
    f!("lpad", [], 2, 3, Kind::Special),
    f!("rpad", [], 2, 3, Kind::Special),
    f!("reverse", [], 1, 1, Kind::Special),
    f!("initcap", [], 1, 1, Kind::Fixed(&[Str], Str)),
    f!("repeat", [], 2, 2, Kind::Fixed(&[Str, I32], Str)),
    f!("ascii", [], 1, 1, Kind::Fixed(&[Str], I32)),
    f!("chr", ["char"], 1, 1, Kind::Fixed(&[I64], Str)),
    f!("startswith", [], 2, 2, Kind::Fixed(&[Str, Str], Bool)),
    f!("endswith", [], 2, 2, Kind::Fixed(&[Str, Str], Bool)),
    f!("contains", [], 2, 2, Kind::Fixed(&[Str, Str], Bool)),
    f!("left", [], 2, 2, Kind::Fixed(&[Str, I32], Str)),
    f!("right", [], 2, 2, Kind::Fixed(&[Str, I32], Str)),
    f!("split_part", [], 3, 3, Kind::Fixed(&[Str, Str, I32], Str)),
    f!("regexp_replace", [], 3, 4, Kind::Fixed(&[Str, Str, Str, I32], Str)),
    f!("regexp_extract", [], 2, 3, Kind::Special),
    f!("btrim", [], 1, 2, Kind::Fixed(&[Str, Str], Str)),
    f!("split", [], 2, 3, Kind::Special),
    f!("mask", [], 1, 5, Kind::Special),
    f!("luhn_check", [], 1, 1, Kind::Fixed(&[Str], Bool)),
    f!("md5", [], 1, 1, Kind::Fixed(&[Bytes], Str)),
    f!("sha1", ["sha"], 1, 1, Kind::Fixed(&[Bytes], Str)),
    f!("sha2", [], 2, 2, Kind::Fixed(&[Bytes, I32], Str)),
    // math
    f!("abs", [], 1, 1, Kind::Special),
    f!("round", [], 1, 2, Kind::Special),
    f!("bround", [], 1, 2, Kind::Special),
    f!("floor", [], 1, 1, Kind::Special),
    f!("ceil", ["ceiling"], 1, 1, Kind::Special),
    f!("sqrt", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("exp", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("ln", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("log10", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("log2", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("cbrt", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("sin", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("cos", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("tan", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("asin", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("acos", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("atan", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("degrees", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("radians", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("log", [], 1, 2, Kind::Special),
    f!("power", ["pow"], 2, 2, Kind::Fixed(&[F64, F64], F64)),
    f!("sign", ["signum"], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("pmod", [], 2, 2, Kind::Special),
    f!("positive", [], 1, 1, Kind::Special),
    f!("greatest", [], 2, V, Kind::Special),
    f!("least", [], 2, V, Kind::Special),
    // conditionals
    f!("coalesce", [], 1, V, Kind::Special),
    f!("nullif", [], 2, 2, Kind::Special),
    f!("nvl", ["ifnull"], 2, 2, Kind::Special),
    f!("nvl2", [], 3, 3, Kind::Special),
    f!("if", ["iff"], 3, 3, Kind::Special),
    f!("isnan", [], 1, 1, Kind::Fixed(&[F64], Bool)),
    f!("nanvl", [], 2, 2, Kind::Fixed(&[F64, F64], F64)),
    f!("isnull", [], 1, 1, Kind::Special),
    f!("isnotnull", [], 1, 1, Kind::Special),
    f!("typeof", [], 1, 1, Kind::Special),
    // dates and times
    f!("year", [], 1, 1, Kind::Fixed(&[Date], I32)),
    f!("month", [], 1, 1, Kind::Fixed(&[Date], I32)),
    f!("day", ["dayofmonth"], 1, 1, Kind::Fixed(&[Date], I32)),
    f!("quarter", [], 1, 1, Kind::Fixed(&[Date], I32)),
    f!("dayofweek", [], 1, 1, Kind::Fixed(&[Date], I32)),
    f!("weekday", [], 1, 1, Kind::Fixed(&[Date], I32)),
    f!("dayofyear", [], 1, 1, Kind::Fixed(&[Date], I32)),
    f!("weekofyear", [], 1, 1, Kind::Fixed(&[Date], I32)),
    f!("hour", [], 1, 1, Kind::Fixed(&[Ts], I32)),
    f!("minute", [], 1, 1, Kind::Fixed(&[Ts], I32)),
    f!("second", [], 1, 1, Kind::Fixed(&[Ts], I32)),
    f!("date_add", ["dateadd"], 2, 3, Kind::Special),
    f!("date_sub", [], 2, 2, Kind::Special),
    f!("datediff", ["date_diff"], 2, 3, Kind::Special),
    f!("add_months", [], 2, 2, Kind::Fixed(&[Date, I32], Date)),
    f!("months_between", [], 2, 3, Kind::Fixed(&[Ts, Ts, Bool], F64)),
    f!("last_day", [], 1, 1, Kind::Fixed(&[Date], Date)),
    f!("next_day", [], 2, 2, Kind::Fixed(&[Date, Str], Date)),
    f!("to_date", [], 1, 2, Kind::Special),
    f!("to_timestamp", [], 1, 2, Kind::Special),
    f!("date_format", [], 2, 2, Kind::Fixed(&[Ts, Str], Str)),
    f!("date_trunc", [], 2, 2, Kind::Fixed(&[Str, Ts], Ts)),
    f!("trunc", [], 2, 2, Kind::Fixed(&[Date, Str], Date)),
    f!("make_date", [], 3, 3, Kind::Fixed(&[I32, I32, I32], Date)),
    f!("current_date", ["curdate"], 0, 0, Kind::Fixed(&[], Date)),
    f!("current_timestamp", ["now"], 0, 0, Kind::Fixed(&[], Ts)),
    f!("unix_timestamp", [], 1, 2, Kind::Special),
    f!("from_unixtime", [], 1, 2, Kind::Fixed(&[I64, Str], Str)),
    f!("date_part", ["datepart", "extract"], 2, 2, Kind::Special),
    // misc
    f!("hash", [], 1, V, Kind::Fixed(&[Any], I32)),
    // cast functions
    f!("boolean", [], 1, 1, Kind::Special),
    f!("tinyint", [], 1, 1, Kind::Special),
    f!("smallint", [], 1, 1, Kind::Special),
    f!("int", [], 1, 1, Kind::Special),
    f!("bigint", [], 1, 1, Kind::Special),
    f!("float", [], 1, 1, Kind::Special),
    f!("double", [], 1, 1, Kind::Special),
    f!("decimal", [], 1, 1, Kind::Special),
    f!("string", [], 1, 1, Kind::Special),
    f!("date", [], 1, 1, Kind::Special),
    f!("timestamp", [], 1, 1, Kind::Special),
    // more strings, encodings and digests
    f!("hex", [], 1, 1, Kind::Special),
    f!("unhex", [], 1, 1, Kind::Fixed(&[Str], Bin)),
    f!("base64", [], 1, 1, Kind::Fixed(&[Bytes], Str)),
    f!("unbase64", [], 1, 1, Kind::Fixed(&[Str], Bin)),
    f!("to_binary", [], 1, 2, Kind::Special),
    f!("try_to_binary", [], 1, 2, Kind::Special),
    f!("encode", [], 2, 2, Kind::Fixed(&[Str, Str], Bin)),
    f!("decode", [], 2, V, Kind::Special),
    f!("url_encode", [], 1, 1, Kind::Fixed(&[Str], Str)),
    f!("url_decode", [], 1, 1, Kind::Fixed(&[Str], Str)),
    f!("try_url_decode", [], 1, 1, Kind::Special),
    f!("crc32", [], 1, 1, Kind::Fixed(&[Bytes], I64)),
    f!("xxhash64", [], 1, V, Kind::Fixed(&[Any], I64)),
    f!("translate", [], 3, 3, Kind::Fixed(&[Str, Str, Str], Str)),
    f!("substring_index", [], 3, 3, Kind::Fixed(&[Str, Str, I32], Str)),
    f!("soundex", [], 1, 1, Kind::Fixed(&[Str], Str)),
    f!("octet_length", [], 1, 1, Kind::Fixed(&[Bytes], I32)),
    f!("bit_length", [], 1, 1, Kind::Fixed(&[Bytes], I32)),
    f!("quote", [], 1, 1, Kind::Fixed(&[Str], Str)),
    f!("overlay", [], 3, 4, Kind::Fixed(&[Str, Str, I32, I32], Str)),
    f!("levenshtein", [], 2, 3, Kind::Fixed(&[Str, Str, I32], I32)),
    f!("elt", [], 2, V, Kind::Special),
    f!("find_in_set", [], 2, 2, Kind::Fixed(&[Str, Str], I32)),
    f!("space", [], 1, 1, Kind::Fixed(&[I32], Str)),
    f!("format_number", [], 2, 2, Kind::Special),
    f!("format_string", ["printf"], 1, V, Kind::Special),
    f!("rlike", ["regexp", "regexp_like"], 2, 2, Kind::Fixed(&[Str, Str], Bool)),
    f!("regexp_count", [], 2, 2, Kind::Fixed(&[Str, Str], I32)),
    f!("regexp_substr", [], 2, 2, Kind::Fixed(&[Str, Str], Str)),
    f!("regexp_instr", [], 2, 3, Kind::Special),
    f!("regexp_extract_all", [], 2, 3, Kind::Special),
    f!("parse_url", [], 2, 3, Kind::Fixed(&[Str, Str, Str], Str)),
    f!("try_parse_url", [], 2, 3, Kind::Special),
    f!("is_valid_utf8", [], 1, 1, Kind::Fixed(&[Str], Bool)),
    f!("validate_utf8", [], 1, 1, Kind::Fixed(&[Str], Str)),
    f!("try_validate_utf8", [], 1, 1, Kind::Fixed(&[Str], Str)),
    f!("make_valid_utf8", [], 1, 1, Kind::Fixed(&[Str], Str)),
    f!("binary", [], 1, 1, Kind::Special),
    f!("get_json_object", [], 2, 2, Kind::Fixed(&[Str, Str], Str)),
    f!("json_array_length", [], 1, 1, Kind::Fixed(&[Str], I32)),
    f!("json_object_keys", [], 1, 1, Kind::Special),
    f!("to_json", [], 1, 2, Kind::Special),
    f!("from_json", [], 2, 3, Kind::Special),
    f!("schema_of_json", [], 1, 2, Kind::Special),
    f!("to_char", ["to_varchar"], 2, 2, Kind::Special),
    f!("to_number", [], 2, 2, Kind::Special),
    f!("try_to_number", [], 2, 2, Kind::Special),
    f!("like", [], 2, 3, Kind::Special),
    f!("ilike", [], 2, 3, Kind::Special),
    f!("raise_error", [], 1, 1, Kind::Special),
    f!("assert_true", [], 1, 2, Kind::Special),
    f!("negative", [], 1, 1, Kind::Special),
    f!("equal_null", [], 2, 2, Kind::Special),
    f!("uniform", [], 2, 3, Kind::Special),
    f!("randstr", [], 1, 2, Kind::Special),
    // more math and bits
    f!("pi", [], 0, 0, Kind::Fixed(&[], F64)),
    f!("e", [], 0, 0, Kind::Fixed(&[], F64)),
    f!("sinh", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("cosh", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("tanh", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("asinh", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("acosh", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("atanh", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("cot", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("sec", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("csc", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("rint", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("expm1", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("log1p", [], 1, 1, Kind::Fixed(&[F64], F64)),
    f!("atan2", [], 2, 2, Kind::Fixed(&[F64, F64], F64)),
    f!("hypot", [], 2, 2, Kind::Fixed(&[F64, F64], F64)),
    f!("factorial", [], 1, 1, Kind::Fixed(&[I32], I64)),
    f!("bin", [], 1, 1, Kind::Fixed(&[I64], Str)),
    f!("conv", [], 3, 3, Kind::Fixed(&[Str, I32, I32], Str)),
    f!("width_bucket", [], 4, 4, Kind::Fixed(&[F64, F64, F64, I64], I64)),
    f!("shiftleft", [], 2, 2, Kind::Special),
    f!("shiftright", [], 2, 2, Kind::Special),
    f!("shiftrightunsigned", [], 2, 2, Kind::Special),
    f!("bit_count", [], 1, 1, Kind::Special),
    f!("bit_get", ["getbit"], 2, 2, Kind::Special),
    f!("~", ["bitwise_not"], 1, 1, Kind::Special),
    f!("nullifzero", [], 1, 1, Kind::Special),
    f!("zeroifnull", [], 1, 1, Kind::Special),
    f!("rand", ["random"], 0, 1, Kind::Special),
    f!("randn", [], 0, 1, Kind::Special),
    f!("uuid", [], 0, 1, Kind::Fixed(&[I64], Str)),
    f!("spark_partition_id", [], 0, 0, Kind::Fixed(&[], I32)),
    // more dates and times
    f!("monthname", [], 1, 1, Kind::Fixed(&[Date], Str)),
    f!("dayname", [], 1, 1, Kind::Fixed(&[Date], Str)),
    f!("unix_seconds", [], 1, 1, Kind::Fixed(&[Ts], I64)),
    f!("unix_millis", [], 1, 1, Kind::Fixed(&[Ts], I64)),
    f!("unix_micros", [], 1, 1, Kind::Fixed(&[Ts], I64)),
    f!("unix_date", [], 1, 1, Kind::Fixed(&[Date], I32)),
    f!("timestamp_seconds", [], 1, 1, Kind::Special),
    f!("timestamp_millis", [], 1, 1, Kind::Fixed(&[I64], Ts)),
    f!("timestamp_micros", [], 1, 1, Kind::Fixed(&[I64], Ts)),
    f!("date_from_unix_date", [], 1, 1, Kind::Fixed(&[I32], Date)),
    f!("to_unix_timestamp", [], 1, 2, Kind::Special),
    f!("to_timestamp_ntz", [], 1, 2, Kind::Special),
    f!("to_timestamp_ltz", [], 1, 2, Kind::Special),
    f!("try_to_timestamp", [], 1, 2, Kind::Special),
    f!("try_to_date", [], 1, 2, Kind::Special),
    f!("make_timestamp", [], 1, 7, Kind::Special),
    f!("make_timestamp_ntz", [], 1, 6, Kind::Special),
    f!("make_timestamp_ltz", [], 6, 7, Kind::Special),
    f!("try_make_timestamp", [], 1, 7, Kind::Special),
    f!("try_make_timestamp_ntz", [], 1, 6, Kind::Special),
    f!("try_make_timestamp_ltz", [], 6, 7, Kind::Special),
    f!("make_ym_interval", [], 0, 2, Kind::Special),
    f!("make_dt_interval", [], 0, 4, Kind::Special),
    f!("make_interval", [], 0, 7, Kind::Special),
    f!("timestampadd", ["timestamp_add"], 3, 3, Kind::Special),
    f!("timestampdiff", ["timediff", "timestamp_diff"], 3, 3, Kind::Special),
    f!("from_utc_timestamp", [], 2, 2, Kind::Fixed(&[Ts, Str], Ts)),
    f!("to_utc_timestamp", [], 2, 2, Kind::Fixed(&[Ts, Str], Ts)),
    f!("convert_timezone", [], 2, 3, Kind::Special),
    f!("current_timezone", [], 0, 0, Kind::Fixed(&[], Str)),
    f!("localtimestamp", [], 0, 0, Kind::Special),
    // arrays, maps and structs
    f!("array", [], 0, V, Kind::Special),
    f!("map", [], 0, V, Kind::Special),
    f!("named_struct", [], 2, V, Kind::Special),
    f!("struct", [], 0, V, Kind::Special),
    f!("map_from_arrays", [], 2, 2, Kind::Special),
    f!("map_from_entries", [], 1, 1, Kind::Special),
    f!("str_to_map", [], 1, 3, Kind::Special),
    f!("size", ["cardinality"], 1, 1, Kind::Special),
    f!("array_size", [], 1, 1, Kind::Special),
    f!("element_at", [], 2, 2, Kind::Special),
    f!("try_element_at", [], 2, 2, Kind::Special),
    f!("get", [], 2, 2, Kind::Special),
    f!("array_contains", [], 2, 2, Kind::Special),
    f!("array_position", [], 2, 2, Kind::Special),
    f!("array_remove", [], 2, 2, Kind::Special),
    f!("array_distinct", [], 1, 1, Kind::Special),
    f!("array_join", [], 2, 3, Kind::Special),
    f!("array_min", [], 1, 1, Kind::Special),
    f!("array_max", [], 1, 1, Kind::Special),
    f!("sort_array", [], 1, 2, Kind::Special),
    // a comparator makes array_sort a higher-order function (analyzer/lambda.rs)
    f!("array_sort", [], 1, 2, Kind::Special),
    f!("slice", [], 3, 3, Kind::Special),
    f!("flatten", [], 1, 1, Kind::Special),
    f!("sequence", [], 2, 3, Kind::Special),
    f!("array_union", [], 2, 2, Kind::Special),
    f!("array_intersect", [], 2, 2, Kind::Special),
    f!("array_except", [], 2, 2, Kind::Special),
    f!("arrays_overlap", [], 2, 2, Kind::Special),
    f!("array_repeat", [], 2, 2, Kind::Special),
    f!("array_append", [], 2, 2, Kind::Special),
    f!("array_prepend", [], 2, 2, Kind::Special),
    f!("array_insert", [], 3, 3, Kind::Special),
    f!("array_compact", [], 1, 1, Kind::Special),
    f!("arrays_zip", [], 0, V, Kind::Special),
    f!("shuffle", [], 1, 1, Kind::Special),
    f!("map_keys", [], 1, 1, Kind::Special),
    f!("map_values", [], 1, 1, Kind::Special),
    f!("map_entries", [], 1, 1, Kind::Special),
    f!("map_contains_key", [], 2, 2, Kind::Special),
    f!("map_concat", [], 0, V, Kind::Special),
    f!("get_field", [], 2, 2, Kind::Special),
    // higher-order functions, resolved with their lambdas by analyzer/lambda.rs
    f!("transform", [], 2, 2, Kind::Special),
    f!("filter", [], 2, 2, Kind::Special),
    f!("exists", [], 2, 2, Kind::Special),
    f!("forall", [], 2, 2, Kind::Special),
    f!("aggregate", ["reduce"], 3, 4, Kind::Special),
    f!("zip_with", [], 3, 3, Kind::Special),
    f!("map_filter", [], 2, 2, Kind::Special),
    f!("map_zip_with", [], 3, 3, Kind::Special),
    f!("transform_keys", [], 2, 2, Kind::Special),
    f!("transform_values", [], 2, 2, Kind::Special),
    // aggregates
    f!("count", [], 0, V, Kind::Aggregate(AggFunc::Count)),
    f!("sum", [], 1, 1, Kind::Aggregate(AggFunc::Sum)),
    f!("avg", ["mean"], 1, 1, Kind::Aggregate(AggFunc::Avg)),
    f!("min", [], 1, 1, Kind::Aggregate(AggFunc::Min)),
    f!("max", [], 1, 1, Kind::Aggregate(AggFunc::Max)),
    f!("first", ["first_value"], 1, 2, Kind::Aggregate(AggFunc::First)),
    f!("last", ["last_value"], 1, 2, Kind::Aggregate(AggFunc::Last)),
    f!("any_value", [], 1, 2, Kind::Aggregate(AggFunc::AnyValue)),
    f!("stddev_samp", ["stddev", "std"], 1, 1, Kind::Aggregate(AggFunc::StddevSamp)),
    f!("stddev_pop", [], 1, 1, Kind::Aggregate(AggFunc::StddevPop)),
    f!("var_samp", ["variance"], 1, 1, Kind::Aggregate(AggFunc::VarSamp)),
    f!("var_pop", [], 1, 1, Kind::Aggregate(AggFunc::VarPop)),
    f!("bool_and", ["every"], 1, 1, Kind::Aggregate(AggFunc::BoolAnd)),
    f!("bool_or", ["some", "any"], 1, 1, Kind::Aggregate(AggFunc::BoolOr)),
    f!("collect_list", ["array_agg"], 1, 1, Kind::Aggregate(AggFunc::CollectList)),
    f!("collect_set", [], 1, 1, Kind::Aggregate(AggFunc::CollectSet)),
    f!("count_if", [], 1, 1, Kind::AggregateExpr),
    f!("approx_count_distinct", [], 1, 2, Kind::AggregateExpr),
    f!("try_sum", [], 1, 1, Kind::AggregateExpr),
    f!("try_avg", [], 1, 1, Kind::AggregateExpr),
    f!("median", [], 1, 1, Kind::AggregateExpr),
    f!("percentile", [], 2, 3, Kind::AggregateExpr),
    f!("percentile_approx", ["approx_percentile"], 2, 3, Kind::AggregateExpr),
    f!("mode", [], 1, 2, Kind::AggregateExpr),
    f!("product", [], 1, 1, Kind::AggregateExpr),
    f!("skewness", [], 1, 1, Kind::AggregateExpr),
    f!("kurtosis", [], 1, 1, Kind::AggregateExpr),
    f!("corr", [], 2, 2, Kind::AggregateExpr),
    f!("covar_pop", [], 2, 2, Kind::AggregateExpr),
    f!("covar_samp", [], 2, 2, Kind::AggregateExpr),
    f!("regr_count", [], 2, 2, Kind::AggregateExpr),
    f!("regr_avgx", [], 2, 2, Kind::AggregateExpr),
    f!("regr_avgy", [], 2, 2, Kind::AggregateExpr),
    f!("regr_sxx", [], 2, 2, Kind::AggregateExpr),
    f!("regr_syy", [], 2, 2, Kind::AggregateExpr),
    f!("regr_sxy", [], 2, 2, Kind::AggregateExpr),
    f!("regr_slope", [], 2, 2, Kind::AggregateExpr),
    f!("regr_intercept", [], 2, 2, Kind::AggregateExpr),
    f!("regr_r2", [], 2, 2, Kind::AggregateExpr),
    f!("bit_and", [], 1, 1, Kind::AggregateExpr),
    f!("bit_or", [], 1, 1, Kind::AggregateExpr),
    f!("bit_xor", [], 1, 1, Kind::AggregateExpr),
    f!("listagg", ["string_agg"], 1, 2, Kind::AggregateExpr),
    f!("min_by", [], 2, 3, Kind::AggregateExpr),
    f!("max_by", [], 2, 3, Kind::AggregateExpr),
];

/// Looks a function up by name or alias, case-insensitively.
pub fn lookup(name: &str) -> Option<&'static FunctionDef> {
    let n = name.to_ascii_lowercase();
    FUNCTIONS.iter().find(|f| f.name == n || f.aliases.contains(&n.as_str()))
}

pub fn is_aggregate(name: &str) -> bool {
    matches!(lookup(name).map(|f| f.kind), Some(Kind::Aggregate(_) | Kind::AggregateExpr))
}

/// Resolves a call of an aggregate function of the registry (core or
/// built-up) over resolved arguments.
pub fn aggregate(def: &FunctionDef, args: Vec<Expr>, distinct: bool, display_name: &str, cx: &CallCtx) -> Result<Expr> {
    match def.kind {
        Kind::Aggregate(func) => aggregate_call(func, args, distinct, display_name, cx),
        Kind::AggregateExpr => aggregates::composite(def.name, args, distinct, &display_name.to_ascii_lowercase(), cx),
        _ => Err(Error::internal(format!("{} is not an aggregate function", def.name))),
    }
}

/// The names SHOW FUNCTIONS lists.
pub fn function_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> =
        FUNCTIONS.iter().flat_map(|f| std::iter::once(f.name).chain(f.aliases.iter().copied())).collect();
    v.sort_unstable();
    v
}

pub fn unresolved_routine(name: &str) -> Error {
    Error::spark(
        "UNRESOLVED_ROUTINE",
        &[
            ("routineName", quote_ident(name)),
            ("searchPath", "[`system`.`builtin`, `system`.`session`, `spark_catalog`.`default`]".to_string()),
        ],
    )
}

pub fn check_arity(def: &FunctionDef, name: &str, n: usize) -> Result<()> {
    if n >= def.min_args && n <= def.max_args {
        return Ok(());
    }
    let expected = if def.max_args == V {
        format!("> {}", def.min_args.saturating_sub(1))
    } else if def.min_args == def.max_args {
        def.min_args.to_string()
    } else {
        format!("[{}]", (def.min_args..=def.max_args).map(|i| i.to_string()).collect::<Vec<_>>().join(", "))
    };
    Err(Error::spark(
        "WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
        &[
            ("functionName", quote_ident(&name.to_ascii_lowercase())),
            ("expectedNum", expected),
            ("actualNum", n.to_string()),
            ("docroot", "https://spark.apache.org/docs/latest".to_string()),
        ],
    ))
}

/// What a call needs besides its arguments.
pub struct CallCtx<'a> {
    pub ansi: bool,
    pub mode: EvalMode,
    /// The call's pretty SQL, for error messages.
    pub sql: &'a str,
    /// The argument's pretty SQL, for error messages.
    pub arg_sql: &'a [String],
}

/// A Spark error whose template the core does not keep.
pub(crate) fn spark_error(class: &str, sql_state: &str, template: &str, params: &[(&str, String)]) -> Error {
    let mut message = template.to_string();
    for (k, v) in params {
        message = message.replace(&format!("<{k}>"), v);
    }
    Error::Spark(Box::new(ember_core::SparkError {
        error_class: class.to_string(),
        sql_state: sql_state.to_string(),
        parameters: params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        message,
        span: None,
    }))
}

/// `DATATYPE_MISMATCH.<sub>` (SQLSTATE 42K09) with its detail template.
pub(crate) fn type_mismatch(sub: &str, detail: &str, params: &[(&str, String)]) -> Error {
    spark_error(
        &format!("DATATYPE_MISMATCH.{sub}"),
        "42K09",
        &format!("Cannot resolve <sqlExpr> due to data type mismatch: {detail}"),
        params,
    )
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

pub fn ordinal(i: usize) -> String {
    match i {
        0 => "first".into(),
        1 => "second".into(),
        2 => "third".into(),
        3 => "fourth".into(),
        4 => "fifth".into(),
        n => format!("{}th", n + 1),
    }
}

pub fn unexpected_input(cx: &CallCtx, i: usize, required: &str, actual: &DataType) -> Error {
    Error::spark(
        "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
        &[
            ("sqlExpr", quoted(cx.sql)),
            ("paramIndex", ordinal(i)),
            ("requiredType", required.to_string()),
            ("inputSql", quoted(cx.arg_sql.get(i).map(|s| s.as_str()).unwrap_or(""))),
            ("inputType", quoted(&spark_sql_type_name(actual))),
        ],
    )
}

/// Casts argument `i` to `to`, or raises Spark's input type error.
/// Coerces argument `i` to `types[i]`, for every argument.
fn coerce_args(cx: &CallCtx, args: Vec<Expr>, types: &[DataType]) -> Result<Vec<Expr>> {
    args.into_iter().zip(types.iter()).enumerate().map(|(i, (a, t))| coerce_arg(cx, i, a, t)).collect()
}

fn coerce_arg(cx: &CallCtx, i: usize, e: Expr, to: &DataType) -> Result<Expr> {
    let from = e.data_type();
    if !can_implicit_cast(&from, to, cx.ansi) {
        return Err(unexpected_input(cx, i, &quoted(&spark_sql_type_name(to)), &from));
    }
    Ok(cast(e, to, cx.mode))
}

/// A BINARY parameter: binary and string arguments pass unchanged (the
/// kernels read strings as UTF-8 bytes), NULL becomes a binary NULL.
fn bytes_arg(cx: &CallCtx, i: usize, e: Expr) -> Result<Expr> {
    match e.data_type() {
        DataType::Binary | DataType::Utf8 => Ok(e),
        DataType::Null => Ok(cast(e, &DataType::Binary, cx.mode)),
        other => Err(unexpected_input(cx, i, "\"BINARY\"", &other)),
    }
}

fn call(name: &str, args: Vec<Expr>, data_type: DataType, mode: EvalMode) -> Expr {
    Expr::ScalarFunction { name: name.to_string(), args, data_type, mode }
}

/// Resolves a scalar function call over resolved arguments.
pub fn scalar_call(def: &FunctionDef, args: Vec<Expr>, cx: &CallCtx) -> Result<Expr> {
    match def.kind {
        Kind::Fixed(params, ret) => {
            let mut out = Vec::with_capacity(args.len());
            for (i, a) in args.into_iter().enumerate() {
                let p = params.get(i).or(params.last()).copied().unwrap_or(Any);
                match p {
                    Bytes => out.push(bytes_arg(cx, i, a)?),
                    _ => match p.data_type() {
                        Some(t) => out.push(coerce_arg(cx, i, a, &t)?),
                        None => out.push(a),
                    },
                }
            }
            let ret = ret.data_type().unwrap_or(DataType::Int32);
            Ok(call(def.name, out, ret, cx.mode))
        }
        Kind::Special => special(def, args, cx),
        Kind::Aggregate(_) | Kind::AggregateExpr => {
            Err(Error::internal("aggregate function resolved as a scalar function"))
        }
    }
}

fn literal_i64(e: &Expr) -> Option<i64> {
    match e {
        Expr::Literal(v) => v.as_i64(),
        Expr::Cast { expr, .. } => literal_i64(expr),
        _ => None,
    }
}

fn common_args(def: &FunctionDef, args: Vec<Expr>, cx: &CallCtx) -> Result<(Vec<Expr>, DataType)> {
    let types: Vec<DataType> = args.iter().map(|a| a.data_type()).collect();
    let Some(t) = wider_common(&types, cx.ansi) else {
        return Err(Error::spark(
            "DATATYPE_MISMATCH.DATA_DIFF_TYPES",
            &[
                ("sqlExpr", quoted(cx.sql)),
                ("functionName", quote_ident(def.name)),
                (
                    "dataType",
                    format!(
                        "[{}]",
                        types.iter().map(|t| quoted(&spark_sql_type_name(t))).collect::<Vec<_>>().join(", ")
                    ),
                ),
            ],
        ));
    };
    Ok((args.into_iter().map(|a| cast(a, &t, cx.mode)).collect(), t))
}

fn numeric_arg(cx: &CallCtx, i: usize, e: Expr) -> Result<Expr> {
    let t = e.data_type();
    if is_numeric(&t) {
        Ok(e)
    } else if is_string(&t) || matches!(t, DataType::Null) {
        Ok(cast(e, &DataType::Float64, cx.mode))
    } else {
        Err(unexpected_input(cx, i, "\"NUMERIC\"", &t))
    }
}

fn special(def: &FunctionDef, mut args: Vec<Expr>, cx: &CallCtx) -> Result<Expr> {
    let mode = cx.mode;
    let name = def.name;
    match name {
        "abs" => {
            let a = numeric_arg(cx, 0, args.remove(0))?;
            let t = a.data_type();
            Ok(call(name, vec![a], t, mode))
        }
        "round" | "bround" => {
            let a = numeric_arg(cx, 0, args.remove(0))?;
            let scale_expr = if args.is_empty() { Expr::Literal(ScalarValue::Int32(Some(0))) } else { args.remove(0) };
            let Some(scale) = literal_i64(&scale_expr) else {
                return Err(Error::spark(
                    "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT",
                    &[
                        ("sqlExpr", quoted(cx.sql)),
                        ("inputName", "`scale`".into()),
                        ("inputType", "\"INT\"".into()),
                        ("inputExpr", quoted(cx.arg_sql.get(1).map(|s| s.as_str()).unwrap_or(""))),
                    ],
                ));
            };
            let t = a.data_type();
            let ret = match precision_scale(&t) {
                Some((p, s)) => {
                    let d = scale as i32;
                    let int_digits = p - s + 1;
                    if d < 0 {
                        DataType::Decimal128(int_digits.max(-d + 1).min(38) as u8, 0)
                    } else {
                        let ns = s.min(d);
                        DataType::Decimal128((int_digits + ns).min(38) as u8, ns as i8)
                    }
                }
                None => t,
            };
            Ok(call(name, vec![a, Expr::Literal(ScalarValue::Int32(Some(scale as i32)))], ret, mode))
        }
        "floor" | "ceil" => {
            let a = numeric_arg(cx, 0, args.remove(0))?;
            let t = a.data_type();
            if let Some((p, s)) = precision_scale(&t) {
                let ret = DataType::Decimal128((p - s + 1).clamp(1, 38) as u8, 0);
                Ok(call(name, vec![a], ret, mode))
            } else if is_integral(&t) {
                Ok(call(name, vec![cast(a, &DataType::Int64, mode)], DataType::Int64, mode))
            } else {
                Ok(call(name, vec![cast(a, &DataType::Float64, mode)], DataType::Int64, mode))
            }
        }
        // UnaryPositive: the value itself, once typed
        "positive" => {
            let a = args.remove(0);
            if ember_core::types::is_interval(&a.data_type()) {
                Ok(a)
            } else {
                numeric_arg(cx, 0, a)
            }
        }
        "split" => {
            if args.len() == 2 {
                args.push(Expr::Literal(ScalarValue::Int32(Some(-1))));
            }
            let tys = [DataType::Utf8, DataType::Utf8, DataType::Int32];
            let args = coerce_args(cx, args, &tys)?;
            let list = DataType::List(std::sync::Arc::new(Field::new("element", DataType::Utf8, true)));
            Ok(call(name, args, list, mode))
        }
        "mask" => mask(args, cx),
        "log" => {
            if args.len() == 1 {
                let a = coerce_arg(cx, 0, args.remove(0), &DataType::Float64)?;
                return Ok(call("ln", vec![a], DataType::Float64, mode));
            }
            let b = coerce_arg(cx, 0, args.remove(0), &DataType::Float64)?;
            let x = coerce_arg(cx, 1, args.remove(0), &DataType::Float64)?;
            Ok(call(name, vec![b, x], DataType::Float64, mode))
        }
        "pmod" => {
            let a = numeric_arg(cx, 0, args.remove(0))?;
            let b = numeric_arg(cx, 1, args.remove(0))?;
            let (ta, tb) = (a.data_type(), b.data_type());
            let (t, ret) = if is_decimal(&ta) || is_decimal(&tb) {
                if is_floating(&ta) || is_floating(&tb) {
                    (DataType::Float64, DataType::Float64)
                } else {
                    let da = decimal_for_integral(&ta).unwrap_or(ta.clone());
                    let db = decimal_for_integral(&tb).unwrap_or(tb.clone());
                    let t = super::coercion::wider_decimal_type(&da, &db).unwrap_or(DataType::Float64);
                    // Pmod's result type is Remainder's: the smaller integer
                    // range at the larger scale
                    let ret = match (precision_scale(&da), precision_scale(&db)) {
                        (Some(l), Some(r)) => {
                            super::decimal::arithmetic_result(ember_core::expr::BinaryOp::Modulo, l, r)
                        }
                        _ => t.clone(),
                    };
                    (t, ret)
                }
            } else {
                let t = super::coercion::tightest_common(&ta, &tb).unwrap_or(DataType::Float64);
                (t.clone(), t)
            };
            Ok(call(name, vec![cast(a, &t, mode), cast(b, &t, mode)], ret, mode))
        }
        "greatest" | "least" | "coalesce" | "nullif" | "nvl" => {
            let (args, t) = common_args(def, args, cx)?;
            Ok(call(name, args, t, mode))
        }
        "nvl2" => {
            let first = args.remove(0);
            let (rest, t) = common_args(def, args, cx)?;
            let mut all = vec![first];
            all.extend(rest);
            Ok(call(name, all, t, mode))
        }
        "if" => {
            let cond = args.remove(0);
            let cond = match cond.data_type() {
                DataType::Boolean => cond,
                DataType::Null => cast(cond, &DataType::Boolean, mode),
                other => return Err(unexpected_input(cx, 0, "\"BOOLEAN\"", &other)),
            };
            let (vals, t) = common_args(def, args, cx)?;
            let mut it = vals.into_iter();
            let (Some(a), Some(b)) = (it.next(), it.next()) else {
                return Err(Error::internal("if expects two values"));
            };
            Ok(Expr::Case { branches: vec![(cond, a)], else_expr: Some(Box::new(b)), data_type: t })
        }
        "isnull" => Ok(Expr::IsNull(Box::new(args.remove(0)))),
        // the argument's type is known at analysis: a constant (Spark's
        // `TypeOf` is foldable too); the argument itself is never evaluated
        "typeof" => {
            Ok(Expr::Literal(ScalarValue::Utf8(Some(ember_core::types::spark_type_name(&args[0].data_type())))))
        }
        "isnotnull" => Ok(Expr::IsNotNull(Box::new(args.remove(0)))),
        "regexp_extract" => {
            if args.len() == 2 {
                args.push(Expr::Literal(ScalarValue::Int32(Some(1))));
            }
            let tys = [DataType::Utf8, DataType::Utf8, DataType::Int32];
            let args = coerce_args(cx, args, &tys)?;
            Ok(call(name, args, DataType::Utf8, mode))
        }
        "to_date" | "to_timestamp" => {
            let target = if name == "to_date" { DataType::Date32 } else { timestamp_type() };
            let t = args[0].data_type();
            if args.len() == 1 && !is_string(&t) {
                // to_date(timestamp) is a cast
                let a = args.remove(0);
                if !super::coercion::can_cast(&t, &target, cx.ansi) {
                    return Err(unexpected_input(cx, 0, "\"STRING\"", &t));
                }
                return Ok(cast(a, &target, mode));
            }
            let args = args
                .into_iter()
                .enumerate()
                .map(|(i, a)| coerce_arg(cx, i, a, &DataType::Utf8))
                .collect::<Result<Vec<_>>>()?;
            Ok(call(name, args, target, mode))
        }
        "unix_timestamp" => {
            let a = args.remove(0);
            let a = if is_string(&a.data_type()) {
                let mut to_ts_args = vec![a];
                to_ts_args.extend(args);
                call("to_timestamp", to_ts_args, timestamp_type(), mode)
            } else {
                coerce_arg(cx, 0, a, &timestamp_type())?
            };
            Ok(call(name, vec![a], DataType::Int64, mode))
        }
        "date_part" => {
            let field = match &args[0] {
                Expr::Literal(ScalarValue::Utf8(Some(s))) => s.clone(),
                other => return Err(unexpected_input(cx, 0, "\"STRING\"", &other.data_type())),
            };
            let src = args.remove(1);
            extract_field(&field, src, cx)
        }
        "boolean" | "tinyint" | "smallint" | "int" | "bigint" | "float" | "double" | "decimal" | "string" | "date"
        | "timestamp" => {
            let to = ember_core::types::parse_spark_type(name).unwrap_or(DataType::Utf8);
            let a = args.remove(0);
            let from = a.data_type();
            if !super::coercion::can_cast(&from, &to, cx.ansi) {
                return Err(cast_error(cx.sql, &from, &to));
            }
            Ok(Expr::Cast { expr: Box::new(a), to, mode })
        }
        _ => more::special(def, args, cx),
    }
}

/// `mask(str[, upperChar[, lowerChar[, digitChar[, otherChar]]]])`: string
/// inputs only (no implicit casts); each replacement a constant of one
/// character or NULL; defaults `X`, `x`, `n`, NULL.
fn mask(args: Vec<Expr>, cx: &CallCtx) -> Result<Expr> {
    const NAMES: [&str; 4] = ["upperChar", "lowerChar", "digitChar", "otherChar"];
    let given = args.len();
    let mut out = Vec::with_capacity(5);
    for (i, a) in args.into_iter().enumerate() {
        let t = a.data_type();
        if !(is_string(&t) || matches!(t, DataType::Null)) {
            return Err(unexpected_input(cx, i, "\"STRING\"", &t));
        }
        out.push(cast(a, &DataType::Utf8, cx.mode));
    }
    for (k, arg) in out.iter().enumerate().skip(1) {
        let input = NAMES[k - 1];
        let Some(value) = constant_string(arg) else {
            return Err(Error::spark(
                "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT",
                &[
                    ("sqlExpr", quoted(cx.sql)),
                    ("inputName", quote_ident(input)),
                    ("inputType", "\"STRING\"".into()),
                    ("inputExpr", quoted(cx.arg_sql.get(k).map(|s| s.as_str()).unwrap_or(""))),
                ],
            ));
        };
        if value.is_some_and(|v| v.chars().count() != 1) {
            return Err(Error::spark(
                "DATATYPE_MISMATCH.INPUT_SIZE_NOT_ONE",
                &[("sqlExpr", quoted(cx.sql)), ("exprName", quote_ident(input))],
            ));
        }
    }
    let defaults = [Some("X"), Some("x"), Some("n"), None];
    for d in defaults.iter().skip(given - 1) {
        out.push(Expr::Literal(ScalarValue::Utf8(d.map(str::to_string))));
    }
    Ok(call("mask", out, DataType::Utf8, cx.mode))
}

/// The value of a constant string argument (`Some(None)` for NULL), `None`
/// when the argument is not a constant.
fn constant_string(e: &Expr) -> Option<Option<String>> {
    match e {
        Expr::Literal(ScalarValue::Utf8(v)) => Some(v.clone()),
        Expr::Literal(v) if v.is_null() => Some(None),
        Expr::Cast { expr, .. } => constant_string(expr),
        _ => None,
    }
}

pub fn cast_error(sql: &str, from: &DataType, to: &DataType) -> Error {
    Error::spark(
        "DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION",
        &[
            ("sqlExpr", quoted(sql)),
            ("srcType", quoted(&spark_sql_type_name(from))),
            ("targetType", quoted(&spark_sql_type_name(to))),
        ],
    )
}

/// `EXTRACT(field FROM e)` / `date_part('field', e)` as the field's function.
pub fn extract_field(field: &str, e: Expr, cx: &CallCtx) -> Result<Expr> {
    let f = field.to_ascii_lowercase();
    let func = match f.as_str() {
        "year" | "y" | "years" | "yr" | "yrs" | "yyyy" => "year",
        "month" | "mon" | "mons" | "months" | "mm" => "month",
        "day" | "d" | "days" | "dd" | "dayofmonth" => "day",
        "quarter" | "qtr" => "quarter",
        "dayofweek" | "dow" => "dayofweek",
        "dayofweek_iso" | "dow_iso" => "weekday",
        "doy" | "dayofyear" => "dayofyear",
        "week" | "w" | "weeks" => "weekofyear",
        "hour" | "h" | "hours" | "hr" | "hrs" => "hour",
        "minute" | "m" | "min" | "mins" | "minutes" => "minute",
        "second" | "s" | "sec" | "seconds" | "secs" => "second",
        _ => {
            return Err(Error::spark(
                "INVALID_EXTRACT_FIELD",
                &[("field", quote_ident(field)), ("expr", quoted(cx.arg_sql.last().map(|s| s.as_str()).unwrap_or("")))],
            ))
        }
    };
    let def = lookup(func).ok_or_else(|| Error::internal("extract field function missing"))?;
    let arg_sql = [cx.arg_sql.last().cloned().unwrap_or_default()];
    let inner = CallCtx { ansi: cx.ansi, mode: cx.mode, sql: cx.sql, arg_sql: &arg_sql };
    scalar_call(def, vec![e], &inner)
}

/// Resolves an aggregate call over resolved arguments (`args` empty for `count(*)`).
pub fn aggregate_call(
    func: AggFunc,
    mut args: Vec<Expr>,
    distinct: bool,
    display_name: &str,
    cx: &CallCtx,
) -> Result<Expr> {
    let mode = cx.mode;
    let arg_type = args.first().map(|a| a.data_type()).unwrap_or(DataType::Int64);
    let to_double = |args: &mut Vec<Expr>, cx: &CallCtx| -> Result<()> {
        let a = args.remove(0);
        args.insert(0, coerce_arg(cx, 0, a, &DataType::Float64)?);
        Ok(())
    };
    let data_type = match func {
        AggFunc::Count => DataType::Int64,
        AggFunc::Sum | AggFunc::Avg => {
            if is_string(&arg_type) || matches!(arg_type, DataType::Null) {
                to_double(&mut args, cx)?;
                DataType::Float64
            } else if let Some((p, s)) = precision_scale(&arg_type) {
                if func == AggFunc::Sum {
                    sum_type(p, s)
                } else {
                    avg_type(p, s)
                }
            } else if is_integral(&arg_type) {
                if func == AggFunc::Sum {
                    DataType::Int64
                } else {
                    DataType::Float64
                }
            } else if is_floating(&arg_type) {
                DataType::Float64
            } else if ember_core::types::is_interval(&arg_type) {
                arg_type.clone()
            } else {
                return Err(unexpected_input(cx, 0, "(\"NUMERIC\" or \"INTERVAL\")", &arg_type));
            }
        }
        AggFunc::Min | AggFunc::Max | AggFunc::First | AggFunc::Last | AggFunc::AnyValue => arg_type.clone(),
        AggFunc::StddevSamp | AggFunc::StddevPop | AggFunc::VarSamp | AggFunc::VarPop => {
            to_double(&mut args, cx)?;
            DataType::Float64
        }
        AggFunc::BoolAnd | AggFunc::BoolOr => {
            let a = args.remove(0);
            args.insert(0, coerce_arg(cx, 0, a, &DataType::Boolean)?);
            DataType::Boolean
        }
        AggFunc::CollectList | AggFunc::CollectSet => {
            DataType::List(std::sync::Arc::new(Field::new("element", arg_type.clone(), true)))
        }
    };
    Ok(Expr::Aggregate(Box::new(AggregateCall {
        func,
        args,
        distinct,
        filter: None,
        data_type,
        display_name: display_name.to_ascii_lowercase(),
        mode,
    })))
}
