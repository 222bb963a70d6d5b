//! Typing rules of the scalar functions beyond the core set: encodings,
//! bit functions, random numbers, the `to_*` / `make_*` date-time family,
//! `timestampadd` / `timestampdiff`. `try_` variants resolve to their base
//! kernel in `EvalMode::Try`. Arrays, maps and structs are in
//! [`super::nested`].

use arrow_schema::DataType;
use ember_core::error::quote_ident;
use ember_core::expr::BinaryOp;
use ember_core::types::{
    calendar_interval_type, day_time_interval_type, is_decimal, is_floating, is_integral, is_numeric, is_string,
    timestamp_ntz_type, timestamp_type, year_month_interval_type,
};
use ember_core::{Error, EvalMode, Expr, Result, ScalarValue};

use super::super::coercion::{cast, wider_common};
use super::{
    call, coerce_arg, coerce_args, constant_string, lookup, numeric_arg, quoted, special as core_special,
    unexpected_input, CallCtx, FunctionDef,
};

fn lit_str(s: &str) -> Expr {
    Expr::Literal(ScalarValue::Utf8(Some(s.to_string())))
}

fn lit_i32(v: i32) -> Expr {
    Expr::Literal(ScalarValue::Int32(Some(v)))
}

/// Whether an expression is a constant Spark can fold (no columns,
/// aggregates, subqueries or nondeterministic calls).
pub(super) fn is_foldable(e: &Expr) -> bool {
    !e.any(&mut |x| match x {
        Expr::Column(_)
        | Expr::OuterColumn(_)
        | Expr::Aggregate(_)
        | Expr::ScalarSubquery { .. }
        | Expr::InSubquery { .. }
        | Expr::Exists { .. } => true,
        Expr::ScalarFunction { name, .. } => {
            matches!(name.as_str(), "rand" | "randn" | "uuid" | "shuffle" | "uniform" | "randstr")
        }
        _ => false,
    })
}

fn non_foldable(cx: &CallCtx, i: usize, input: &str, t: &str) -> Error {
    Error::spark(
        "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT",
        &[
            ("sqlExpr", quoted(cx.sql)),
            ("inputName", quote_ident(input)),
            ("inputType", t.to_string()),
            ("inputExpr", quoted(cx.arg_sql.get(i).map(|s| s.as_str()).unwrap_or(""))),
        ],
    )
}

/// Coerces every argument to STRING.
fn all_strings(args: Vec<Expr>, cx: &CallCtx) -> Result<Vec<Expr>> {
    args.into_iter().enumerate().map(|(i, a)| coerce_arg(cx, i, a, &DataType::Utf8)).collect()
}

pub(super) fn special(def: &FunctionDef, mut args: Vec<Expr>, cx: &CallCtx) -> Result<Expr> {
    let mode = cx.mode;
    let name = def.name;
    match name {
        "concat" | "reverse" => {
            if args.iter().any(|a| matches!(a.data_type(), DataType::List(_))) {
                return super::nested::special(def, args, cx);
            }
            Ok(call(name, all_strings(args, cx)?, DataType::Utf8, mode))
        }
        "hex" => {
            let a = args.remove(0);
            let t = a.data_type();
            let a = match t {
                DataType::Binary | DataType::Utf8 => a,
                DataType::Null => cast(a, &DataType::Int64, mode),
                _ if is_integral(&t) || is_decimal(&t) || is_floating(&t) => cast(a, &DataType::Int64, mode),
                other => return Err(unexpected_input(cx, 0, "(\"BIGINT\" or \"BINARY\" or \"STRING\")", &other)),
            };
            Ok(call("hex", vec![a], DataType::Utf8, mode))
        }
        "to_binary" | "try_to_binary" => {
            to_binary(args, cx, if name == "try_to_binary" { EvalMode::Try } else { mode })
        }
        "decode" => {
            if args.len() == 2 {
                let b = super::bytes_arg(cx, 0, args.remove(0))?;
                let cs = coerce_arg(cx, 1, args.remove(0), &DataType::Utf8)?;
                return Ok(call("decode", vec![b, cs], DataType::Utf8, mode));
            }
            decode_case(args, cx)
        }
        "try_url_decode" => Ok(call("url_decode", all_strings(args, cx)?, DataType::Utf8, EvalMode::Try)),
        "try_parse_url" => Ok(call("parse_url", all_strings(args, cx)?, DataType::Utf8, EvalMode::Try)),
        "elt" => {
            let n = coerce_arg(cx, 0, args.remove(0), &DataType::Int32)?;
            let binary = args.iter().all(|a| matches!(a.data_type(), DataType::Binary));
            let t = if binary && !args.is_empty() { DataType::Binary } else { DataType::Utf8 };
            let mut out = vec![n];
            for (k, a) in args.into_iter().enumerate() {
                out.push(coerce_arg(cx, k + 1, a, &t)?);
            }
            Ok(call("elt", out, t, mode))
        }
        "format_number" => {
            let x = numeric_arg(cx, 0, args.remove(0))?;
            let d = args.remove(0);
            let d = match d.data_type() {
                t if is_string(&t) => d,
                t if is_integral(&t) || matches!(t, DataType::Null) => cast(d, &DataType::Int32, mode),
                other => return Err(unexpected_input(cx, 1, "(\"INT\" or \"STRING\")", &other)),
            };
            Ok(call("format_number", vec![x, d], DataType::Utf8, mode))
        }
        "format_string" => {
            let f = coerce_arg(cx, 0, args.remove(0), &DataType::Utf8)?;
            let mut out = vec![f];
            out.extend(args);
            Ok(call("format_string", out, DataType::Utf8, mode))
        }
        "rlike" => {
            let mut a = all_strings(args, cx)?;
            let p = a.pop().ok_or_else(|| Error::internal("rlike pattern"))?;
            let x = a.pop().ok_or_else(|| Error::internal("rlike input"))?;
            Ok(Expr::Like {
                expr: Box::new(x),
                pattern: Box::new(p),
                negated: false,
                case_insensitive: false,
                regex: true,
                escape: '\\',
            })
        }
        "regexp_instr" | "regexp_extract_all" => {
            if args.len() == 2 {
                args.push(lit_i32(if name == "regexp_instr" { 0 } else { 1 }));
            }
            let tys = [DataType::Utf8, DataType::Utf8, DataType::Int32];
            let args = coerce_args(cx, args, &tys)?;
            let ret = if name == "regexp_instr" { DataType::Int32 } else { super::nested::list_of(DataType::Utf8) };
            Ok(call(name, args, ret, mode))
        }
        "binary" => {
            let a = args.remove(0);
            match a.data_type() {
                DataType::Binary => Ok(a),
                DataType::Utf8 => Ok(call("encode", vec![a, lit_str("utf-8")], DataType::Binary, mode)),
                DataType::Null => Ok(cast(a, &DataType::Binary, mode)),
                other => Err(super::cast_error(cx.sql, &other, &DataType::Binary)),
            }
        }
        "shiftleft" | "shiftright" | "shiftrightunsigned" => {
            let a = args.remove(0);
            let t = a.data_type();
            let (a, ret) = if t == DataType::Int64 {
                (a, DataType::Int64)
            } else if is_numeric(&t) || is_string(&t) || matches!(t, DataType::Null) {
                (coerce_arg(cx, 0, a, &DataType::Int32)?, DataType::Int32)
            } else {
                return Err(unexpected_input(cx, 0, "(\"INT\" or \"BIGINT\")", &t));
            };
            let n = coerce_arg(cx, 1, args.remove(0), &DataType::Int32)?;
            Ok(call(name, vec![a, n], ret, mode))
        }
        "bit_count" => {
            let a = args.remove(0);
            let t = a.data_type();
            if !(is_integral(&t) || matches!(t, DataType::Boolean | DataType::Null)) {
                return Err(unexpected_input(cx, 0, "(\"INTEGRAL\" or \"BOOLEAN\")", &t));
            }
            let a = if matches!(t, DataType::Null) { cast(a, &DataType::Int64, mode) } else { a };
            Ok(call(name, vec![a], DataType::Int32, mode))
        }
        "bit_get" => {
            let a = args.remove(0);
            let t = a.data_type();
            if !(is_integral(&t) || matches!(t, DataType::Null)) {
                return Err(unexpected_input(cx, 0, "\"INTEGRAL\"", &t));
            }
            let a = if matches!(t, DataType::Null) { cast(a, &DataType::Int64, mode) } else { a };
            let p = coerce_arg(cx, 1, args.remove(0), &DataType::Int32)?;
            Ok(call(name, vec![a, p], DataType::Int8, mode))
        }
        "~" => {
            let a = args.remove(0);
            let t = a.data_type();
            match t {
                _ if is_integral(&t) => Ok(call(name, vec![a], t, mode)),
                DataType::Null => Ok(call(name, vec![cast(a, &DataType::Int32, mode)], DataType::Int32, mode)),
                other => Err(unexpected_input(cx, 0, "\"INTEGRAL\"", &other)),
            }
        }
        "nullifzero" | "zeroifnull" => {
            let a = args.remove(0);
            let a =
                if a.data_type() == DataType::Null { cast(a, &DataType::Int32, mode) } else { numeric_arg(cx, 0, a)? };
            let t = a.data_type();
            if name == "nullifzero" {
                let zero = cast(lit_i32(0), &t, mode);
                return Ok(call("nullif", vec![a, zero], t, mode));
            }
            let t = wider_common(&[t, DataType::Int32], cx.ansi).unwrap_or(DataType::Float64);
            Ok(call("coalesce", vec![cast(a, &t, mode), cast(lit_i32(0), &t, mode)], t, mode))
        }
        "rand" | "randn" => {
            let seed = match args.pop() {
                None => {
                    // Spark draws the seed once, at analysis
                    let t = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_nanos() as i64);
                    Expr::Literal(ScalarValue::Int64(Some(t.wrapping_mul(0x5DEE_CE66D))))
                }
                Some(s) => {
                    let t = s.data_type();
                    if !(is_integral(&t) || matches!(t, DataType::Null)) {
                        return Err(unexpected_input(cx, 0, "(\"INT\" or \"BIGINT\")", &t));
                    }
                    if !matches!(s, Expr::Literal(_)) && !is_foldable(&s) {
                        return Err(non_foldable(cx, 0, "seed", "(\"INT\" or \"BIGINT\")"));
                    }
                    cast(s, &DataType::Int64, mode)
                }
            };
            Ok(call(name, vec![seed], DataType::Float64, mode))
        }
        "timestamp_seconds" => {
            let a = numeric_arg(cx, 0, args.remove(0))?;
            let t = a.data_type();
            let a = if is_integral(&t) {
                cast(a, &DataType::Int64, mode)
            } else if is_floating(&t) {
                cast(a, &DataType::Float64, mode)
            } else {
                a
            };
            Ok(call(name, vec![a], timestamp_type(), mode))
        }
        "to_unix_timestamp" => {
            let def = lookup("unix_timestamp").ok_or_else(|| Error::internal("unix_timestamp missing"))?;
            core_special(def, args, cx)
        }
        "to_timestamp_ntz" => to_datetime("to_timestamp", timestamp_ntz_type(), args, cx, mode),
        "to_timestamp_ltz" => to_datetime("to_timestamp", timestamp_type(), args, cx, mode),
        "try_to_timestamp" => to_datetime("to_timestamp", timestamp_type(), args, cx, EvalMode::Try),
        "try_to_date" => to_datetime("to_date", DataType::Date32, args, cx, EvalMode::Try),
        "make_timestamp"
        | "make_timestamp_ntz"
        | "make_timestamp_ltz"
        | "try_make_timestamp"
        | "try_make_timestamp_ntz"
        | "try_make_timestamp_ltz" => make_timestamp(name, args, cx),
        "make_ym_interval" => {
            let args = coerce_args(cx, args, &[DataType::Int32, DataType::Int32])?;
            Ok(call(name, args, year_month_interval_type(), mode))
        }
        "make_dt_interval" => {
            let tys = [DataType::Int32, DataType::Int32, DataType::Int32, DataType::Decimal128(18, 6)];
            let args = coerce_args(cx, args, &tys)?;
            Ok(call(name, args, day_time_interval_type(), mode))
        }
        "make_interval" => {
            let mut tys = vec![DataType::Int32; 6];
            tys.push(DataType::Decimal128(18, 6));
            let args = coerce_args(cx, args, &tys)?;
            Ok(call(name, args, calendar_interval_type(), mode))
        }
        "date_add" | "date_sub" => {
            if args.len() == 3 {
                return timestamp_add(args, cx);
            }
            let d = coerce_arg(cx, 0, args.remove(0), &DataType::Date32)?;
            // the days: INT, SMALLINT, TINYINT or a string, never wider
            let n = args.remove(0);
            let nt = n.data_type();
            if !(matches!(nt, DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Null) || is_string(&nt)) {
                return Err(unexpected_input(cx, 1, "(\"INT\" or \"SMALLINT\" or \"TINYINT\")", &nt));
            }
            let n = cast(n, &DataType::Int32, mode);
            Ok(call(name, vec![d, n], DataType::Date32, mode))
        }
        "lpad" | "rpad" => {
            if args[0].data_type() == DataType::Binary {
                let s = args.remove(0);
                let n = coerce_arg(cx, 1, args.remove(0), &DataType::Int32)?;
                let mut out = vec![s, n];
                if let Some(p) = args.pop() {
                    out.push(super::bytes_arg(cx, 2, p)?);
                }
                return Ok(call(name, out, DataType::Binary, mode));
            }
            let tys = [DataType::Utf8, DataType::Int32, DataType::Utf8];
            Ok(call(name, coerce_args(cx, args, &tys)?, DataType::Utf8, mode))
        }
        "datediff" => {
            if args.len() == 3 {
                return timestamp_diff(args, cx);
            }
            let args = coerce_args(cx, args, &[DataType::Date32, DataType::Date32])?;
            Ok(call("datediff", args, DataType::Int32, mode))
        }
        "timestampadd" => timestamp_add(args, cx),
        "timestampdiff" => timestamp_diff(args, cx),
        "convert_timezone" => {
            let n = args.len();
            let mut out = Vec::with_capacity(n);
            for (i, a) in args.into_iter().enumerate() {
                let t = if i + 1 == n { timestamp_ntz_type() } else { DataType::Utf8 };
                out.push(coerce_arg(cx, i, a, &t)?);
            }
            Ok(call(name, out, timestamp_ntz_type(), mode))
        }
        "localtimestamp" => Ok(call("current_timestamp", vec![], timestamp_ntz_type(), mode)),
        "like" | "ilike" => {
            let escape = match args.get(2) {
                None => '\\',
                Some(e) => match constant_string(e) {
                    Some(Some(s)) if s.chars().count() == 1 => s.chars().next().unwrap_or('\\'),
                    _ => {
                        return Err(super::spark_error(
                            "INVALID_ESCAPE_CHAR",
                            "42604",
                            "The escape character must be a string literal of length one",
                            &[],
                        ))
                    }
                },
            };
            args.truncate(2);
            let mut a = all_strings(args, cx)?;
            let p = a.pop().ok_or_else(|| Error::internal("like pattern"))?;
            let x = a.pop().ok_or_else(|| Error::internal("like input"))?;
            Ok(Expr::Like {
                expr: Box::new(x),
                pattern: Box::new(p),
                negated: false,
                case_insensitive: name == "ilike",
                regex: false,
                escape,
            })
        }
        "json_object_keys" => {
            let a = coerce_arg(cx, 0, args.remove(0), &DataType::Utf8)?;
            Ok(call(name, vec![a], super::nested::list_of(DataType::Utf8), mode))
        }
        "to_json" => {
            let a = args.remove(0);
            let t = a.data_type();
            if !matches!(t, DataType::Struct(_) | DataType::List(_) | DataType::Map(..)) {
                return Err(unexpected_input(cx, 0, "(\"STRUCT\" or \"ARRAY\" or \"MAP\")", &t));
            }
            Ok(call(name, vec![a], DataType::Utf8, mode))
        }
        "from_json" => {
            let text = coerce_arg(cx, 0, args.remove(0), &DataType::Utf8)?;
            let schema = args.remove(0);
            let Some(Some(s)) = constant_string(&schema) else {
                return Err(super::spark_error(
                    "INVALID_SCHEMA.NON_STRING_LITERAL",
                    "42K07",
                    "The input schema <inputSchema> is not a valid schema string. The input expression must be \
                     string literal and not null.",
                    &[("inputSchema", quoted(cx.arg_sql.get(1).map(|s| s.as_str()).unwrap_or("")))],
                ));
            };
            let t = super::json_schema::schema_type(&s)?;
            Ok(call(name, vec![text], t, mode))
        }
        "schema_of_json" => {
            let a = coerce_arg(cx, 0, args.remove(0), &DataType::Utf8)?;
            if !is_foldable(&a) {
                return Err(non_foldable(cx, 0, "json", "\"STRING\""));
            }
            Ok(call(name, vec![a], DataType::Utf8, mode))
        }
        "to_char" => {
            let x = args.remove(0);
            let f = coerce_arg(cx, 1, args.remove(0), &DataType::Utf8)?;
            let t = x.data_type();
            if matches!(t, DataType::Date32 | DataType::Timestamp(..)) {
                let x = cast(x, &timestamp_type(), mode);
                return Ok(call("date_format", vec![x, f], DataType::Utf8, mode));
            }
            if t == DataType::Binary {
                let Some(Some(fmt)) = constant_string(&f) else {
                    return Err(non_foldable(cx, 1, "format", "\"STRING\""));
                };
                return match fmt.to_ascii_lowercase().as_str() {
                    "base64" => Ok(call("base64", vec![x], DataType::Utf8, mode)),
                    "hex" => Ok(call("hex", vec![x], DataType::Utf8, mode)),
                    "utf-8" | "utf8" => Ok(call("decode", vec![x, lit_str("utf-8")], DataType::Utf8, mode)),
                    _ => Err(super::type_mismatch(
                        "INVALID_ARG_VALUE",
                        "The <inputName> value must to be a <requireType> literal of <validValues>, but got \
                         <inputValue>.",
                        &[
                            ("sqlExpr", quoted(cx.sql)),
                            ("inputName", "fmt".into()),
                            ("inputValue", format!("'{fmt}'")),
                            ("requireType", "case-insensitive \"STRING\"".into()),
                            ("validValues", "'base64', 'hex', 'utf-8'".into()),
                        ],
                    )),
                };
            }
            if !is_foldable(&f) {
                return Err(non_foldable(cx, 1, "format", "\"STRING\""));
            }
            let x = if is_floating(&t) {
                cast(x, &DataType::Decimal128(30, 15), mode)
            } else if is_integral(&t) || is_decimal(&t) {
                x
            } else if t == DataType::Null {
                cast(x, &DataType::Decimal128(38, 0), mode)
            } else {
                return Err(unexpected_input(cx, 0, "\"DECIMAL\"", &t));
            };
            Ok(call("to_char_number", vec![x, f], DataType::Utf8, mode))
        }
        "to_number" | "try_to_number" => {
            let m = if name == "try_to_number" { EvalMode::Try } else { mode };
            let x = coerce_arg(cx, 0, args.remove(0), &DataType::Utf8)?;
            let f = coerce_arg(cx, 1, args.remove(0), &DataType::Utf8)?;
            let Some(Some(fmt)) = constant_string(&f) else {
                return Err(non_foldable(cx, 1, "format", "\"STRING\""));
            };
            let (p, s) = number_format_type(&fmt);
            Ok(call("to_number", vec![x, f], DataType::Decimal128(p, s), m))
        }
        "raise_error" => {
            let m = coerce_arg(cx, 0, args.remove(0), &DataType::Utf8)?;
            Ok(call("raise_error", vec![m], DataType::Null, mode))
        }
        "assert_true" => {
            // Spark's AssertTrue: if(cond, NULL, raise_error(message))
            let c = args.remove(0);
            let c = match c.data_type() {
                DataType::Boolean => c,
                DataType::Null => cast(c, &DataType::Boolean, mode),
                other => return Err(unexpected_input(cx, 0, "\"BOOLEAN\"", &other)),
            };
            let message = match args.pop() {
                Some(m) => coerce_arg(cx, 1, m, &DataType::Utf8)?,
                None => lit_str(&format!("'{}' is not true!", cx.arg_sql.first().map(|s| s.as_str()).unwrap_or(""))),
            };
            let fail = call("raise_error", vec![message], DataType::Null, mode);
            Ok(Expr::Case {
                branches: vec![(c, Expr::Literal(ScalarValue::Null))],
                else_expr: Some(Box::new(fail)),
                data_type: DataType::Null,
            })
        }
        "negative" => {
            let a = args.remove(0);
            let a = if ember_core::types::is_interval(&a.data_type()) { a } else { numeric_arg(cx, 0, a)? };
            Ok(Expr::Negative { expr: Box::new(a), mode })
        }
        "equal_null" => {
            let types: Vec<DataType> = args.iter().map(|a| a.data_type()).collect();
            let t = wider_common(&types, cx.ansi).ok_or_else(|| {
                Error::spark(
                    "DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES",
                    &[
                        ("sqlExpr", quoted(cx.sql)),
                        ("left", quoted(&ember_core::types::spark_sql_type_name(&types[0]))),
                        ("right", quoted(&ember_core::types::spark_sql_type_name(&types[1]))),
                    ],
                )
            })?;
            let r = cast(args.remove(1), &t, mode);
            let l = cast(args.remove(0), &t, mode);
            Ok(Expr::Binary {
                op: BinaryOp::EqNullSafe,
                left: Box::new(l),
                right: Box::new(r),
                data_type: DataType::Boolean,
                mode,
            })
        }
        "uniform" => {
            let seed = seed_arg(args.get(2).cloned(), cx, 2)?;
            let (lo, hi) = (args.remove(0), args.remove(0));
            let mut types = vec![];
            for (i, e) in [&lo, &hi].into_iter().enumerate() {
                let t = e.data_type();
                if !(is_numeric(&t) || matches!(t, DataType::Null)) {
                    return Err(unexpected_input(cx, i, "\"NUMERIC\"", &t));
                }
                if !is_foldable(e) {
                    return Err(non_foldable(cx, i, if i == 0 { "min" } else { "max" }, "\"NUMERIC\""));
                }
                types.push(t);
            }
            let t = match wider_common(&types, cx.ansi).unwrap_or(DataType::Float64) {
                DataType::Null => DataType::Float64,
                DataType::Int8 | DataType::Int16 => DataType::Int32,
                other => other,
            };
            let (lo, hi) = (cast(lo, &DataType::Float64, mode), cast(hi, &DataType::Float64, mode));
            Ok(call("uniform", vec![lo, hi, seed], t, mode))
        }
        "randstr" => {
            let seed = seed_arg(args.get(1).cloned(), cx, 1)?;
            let n = args.remove(0);
            let t = n.data_type();
            if !is_numeric(&t) {
                return Err(unexpected_input(cx, 0, "\"INT\"", &t));
            }
            if !is_foldable(&n) {
                return Err(non_foldable(cx, 0, "length", "\"INT\""));
            }
            Ok(call("randstr", vec![cast(n, &DataType::Int32, mode), seed], DataType::Utf8, mode))
        }
        _ => super::nested::special(def, args, cx),
    }
}

/// `to_number`'s result type: DECIMAL(all digits of the format, digits
/// after its decimal point); format errors are raised by the kernel.
fn number_format_type(fmt: &str) -> (u8, i8) {
    let upper = fmt.to_ascii_uppercase();
    let (mut int, mut frac, mut point) = (0usize, 0usize, false);
    for ch in upper.chars() {
        match ch {
            '0' | '9' if point => frac += 1,
            '0' | '9' => int += 1,
            '.' | 'D' => point = true,
            _ => {}
        }
    }
    ((int + frac).clamp(1, 38) as u8, frac.min(38) as i8)
}

/// The seed of `uniform` / `randstr`: a constant integer (NULL means 0), or
/// one drawn now when absent.
fn seed_arg(seed: Option<Expr>, cx: &CallCtx, i: usize) -> Result<Expr> {
    let Some(s) = seed else {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i64);
        return Ok(Expr::Literal(ScalarValue::Int64(Some(t.wrapping_mul(0x5DEE_CE66D)))));
    };
    let t = s.data_type();
    if !(is_integral(&t) || matches!(t, DataType::Null)) {
        return Err(unexpected_input(cx, i, "(\"INT\" or \"BIGINT\")", &t));
    }
    if !is_foldable(&s) {
        return Err(non_foldable(cx, i, "seed", "(\"INT\" or \"BIGINT\")"));
    }
    Ok(cast(s, &DataType::Int64, cx.mode))
}

/// `to_binary(str[, fmt])`: the format is a constant among hex (the
/// default), utf-8 / utf8 and base64, case-insensitive.
fn to_binary(mut args: Vec<Expr>, cx: &CallCtx, mode: EvalMode) -> Result<Expr> {
    let s = coerce_arg(cx, 0, args.remove(0), &DataType::Utf8)?;
    let fmt = if args.is_empty() { lit_str("hex") } else { args.remove(0) };
    let ft = fmt.data_type();
    let invalid = |value: String| {
        super::type_mismatch(
            "INVALID_ARG_VALUE",
            "The <inputName> value must to be a <requireType> literal of <validValues>, but got <inputValue>.",
            &[
                ("sqlExpr", quoted(cx.sql)),
                ("inputName", "fmt".into()),
                ("inputValue", format!("'{value}'")),
                ("requireType", "case-insensitive \"STRING\"".into()),
                ("validValues", "'hex', 'utf-8', 'utf8', or 'base64'".into()),
            ],
        )
    };
    if !(is_string(&ft) || matches!(ft, DataType::Null)) {
        if let Expr::Literal(v) = &fmt {
            let shown = ember_core::Expr::Literal(v.clone()).sql_name();
            return Err(invalid(shown));
        }
        return Err(unexpected_input(cx, 1, "\"STRING\"", &ft));
    }
    if !is_foldable(&fmt) {
        return Err(non_foldable(cx, 1, "fmt", "\"STRING\""));
    }
    if let Some(Some(f)) = constant_string(&fmt) {
        let lower = f.to_ascii_lowercase();
        if !matches!(lower.as_str(), "hex" | "utf-8" | "utf8" | "base64") {
            return Err(invalid(lower));
        }
    }
    let fmt = cast(fmt, &DataType::Utf8, mode);
    Ok(call("to_binary", vec![s, fmt], DataType::Binary, mode))
}

/// `decode(expr, search1, result1, ..., [default])`: a CASE on `<=>`.
fn decode_case(mut args: Vec<Expr>, cx: &CallCtx) -> Result<Expr> {
    let mode = cx.mode;
    let subject = args.remove(0);
    let default = if args.len() % 2 == 1 { args.pop() } else { None };
    let mut searches = vec![];
    let mut results = vec![];
    while !args.is_empty() {
        searches.push(args.remove(0));
        results.push(args.remove(0));
    }
    let mut key_types = vec![subject.data_type()];
    key_types.extend(searches.iter().map(|s| s.data_type()));
    let diff = |types: &[DataType]| {
        Error::spark(
            "DATATYPE_MISMATCH.DATA_DIFF_TYPES",
            &[
                ("sqlExpr", quoted(cx.sql)),
                ("functionName", "`decode`".into()),
                (
                    "dataType",
                    format!(
                        "[{}]",
                        types
                            .iter()
                            .map(|t| quoted(&ember_core::types::spark_sql_type_name(t)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            ],
        )
    };
    let kt = wider_common(&key_types, cx.ansi).ok_or_else(|| diff(&key_types))?;
    let mut value_types: Vec<DataType> = results.iter().map(|r| r.data_type()).collect();
    if let Some(d) = &default {
        value_types.push(d.data_type());
    }
    let vt = wider_common(&value_types, cx.ansi).ok_or_else(|| diff(&value_types))?;
    let subject = cast(subject, &kt, mode);
    let branches = searches
        .into_iter()
        .zip(results)
        .map(|(s, r)| {
            let cond = Expr::Binary {
                op: BinaryOp::EqNullSafe,
                left: Box::new(subject.clone()),
                right: Box::new(cast(s, &kt, mode)),
                data_type: DataType::Boolean,
                mode,
            };
            (cond, cast(r, &vt, mode))
        })
        .collect();
    let else_expr = Some(Box::new(match default {
        Some(d) => cast(d, &vt, mode),
        None => Expr::Literal(ScalarValue::null_of(&vt)),
    }));
    Ok(Expr::Case { branches, else_expr, data_type: vt })
}

/// `to_date` / `to_timestamp` and their variants: a string (with an
/// optional pattern) is parsed, other types are cast.
pub(super) fn to_datetime(
    kernel: &str,
    target: DataType,
    mut args: Vec<Expr>,
    cx: &CallCtx,
    mode: EvalMode,
) -> Result<Expr> {
    let t = args[0].data_type();
    if args.len() == 1 && !is_string(&t) {
        let a = args.remove(0);
        if !super::super::coercion::can_cast(&t, &target, cx.ansi) {
            return Err(unexpected_input(cx, 0, "\"STRING\"", &t));
        }
        return Ok(cast(a, &target, mode));
    }
    let args = all_strings(args, cx)?;
    Ok(call(kernel, args, target, mode))
}

fn make_timestamp(name: &str, args: Vec<Expr>, cx: &CallCtx) -> Result<Expr> {
    let mode = if name.starts_with("try_") { EvalMode::Try } else { cx.mode };
    let ret = if name.ends_with("_ntz") { timestamp_ntz_type() } else { timestamp_type() };
    match args.len() {
        1 => {
            let args = coerce_args(cx, args, &[DataType::Date32])?;
            Ok(call("make_timestamp", args, ret, mode))
        }
        2 | 3 => Err(Error::not_implemented("make_timestamp(date, time): the TIME type")),
        _ => {
            let mut tys = vec![DataType::Int32; 5];
            tys.push(DataType::Decimal128(16, 6));
            tys.push(DataType::Utf8);
            let args = coerce_args(cx, args, &tys)?;
            Ok(call("make_timestamp", args, ret, mode))
        }
    }
}

/// The unit argument after `datetime_unit_args`: a constant string.
fn unit_of(e: &Expr, function: &str) -> Result<String> {
    match constant_string(e) {
        Some(Some(u)) => {
            let upper = u.to_ascii_uppercase();
            const UNITS: [&str; 11] = [
                "YEAR",
                "QUARTER",
                "MONTH",
                "WEEK",
                "DAY",
                "DAYOFYEAR",
                "HOUR",
                "MINUTE",
                "SECOND",
                "MILLISECOND",
                "MICROSECOND",
            ];
            if UNITS.contains(&upper.as_str()) {
                Ok(upper)
            } else {
                Err(super::pretty::unit_error(&u, function))
            }
        }
        _ => Err(super::pretty::unit_error("", function)),
    }
}

/// A date or timestamp operand of `timestampadd` / `timestampdiff`.
fn datetime_operand(cx: &CallCtx, i: usize, e: Expr) -> Result<Expr> {
    let t = e.data_type();
    match t {
        DataType::Timestamp(..) => Ok(e),
        DataType::Date32 | DataType::Null => Ok(cast(e, &timestamp_type(), cx.mode)),
        _ if is_string(&t) => coerce_arg(cx, i, e, &timestamp_type()),
        other => Err(unexpected_input(cx, i, "\"TIMESTAMP\"", &other)),
    }
}

fn timestamp_add(mut args: Vec<Expr>, cx: &CallCtx) -> Result<Expr> {
    let unit = unit_of(&args.remove(0), "timestampadd")?;
    let n = coerce_arg(cx, 1, args.remove(0), &DataType::Int64)?;
    let ts = datetime_operand(cx, 2, args.remove(0))?;
    let t = ts.data_type();
    Ok(call("timestampadd", vec![lit_str(&unit), n, ts], t, cx.mode))
}

fn timestamp_diff(mut args: Vec<Expr>, cx: &CallCtx) -> Result<Expr> {
    let unit = unit_of(&args.remove(0), "timestampdiff")?;
    let a = datetime_operand(cx, 1, args.remove(0))?;
    let b = datetime_operand(cx, 2, args.remove(0))?;
    // both sides in one kind of timestamp
    let both_ntz = a.data_type() == timestamp_ntz_type() && b.data_type() == timestamp_ntz_type();
    let t = if both_ntz { timestamp_ntz_type() } else { timestamp_type() };
    let (a, b) = (cast(a, &t, cx.mode), cast(b, &t, cx.mode));
    Ok(call("timestampdiff", vec![lit_str(&unit), a, b], DataType::Int64, cx.mode))
}
