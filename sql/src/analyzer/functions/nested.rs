//! Typing rules of the array, map and struct functions.
//!
//! Element types unify the way Spark's collection functions do: without
//! string promotion (`array_insert(array(1), 1, '2')` is a type error),
//! through the tightest common type or decimal widening, recursively into
//! nested arrays and maps. Atomic arguments are cast by the analyzer;
//! nested arguments whose type differs from the unified one are cast by
//! the kernels (Arrow casts lists element-wise).

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields};
use ember_core::error::quote_ident;
use ember_core::types::{is_datetime, is_integral, is_interval, is_string, spark_sql_type_name, timestamp_type};
use ember_core::{Error, EvalMode, Expr, Result, ScalarValue};

use super::super::coercion::{cast, tightest_common, wider_common, wider_decimal_type};
use super::{call, coerce_arg, constant_string, quoted, unexpected_input, CallCtx, FunctionDef};

/// `array<t>` with nullable elements.
pub(crate) fn list_of(t: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("element", t, true)))
}

/// `map<k, v>` the way the rest of Ember spells it.
pub(crate) fn map_of(k: DataType, v: DataType) -> DataType {
    let entries = Fields::from(vec![Field::new("key", k, false), Field::new("value", v, true)]);
    DataType::Map(Arc::new(Field::new("entries", DataType::Struct(entries), false)), false)
}

fn elem_of(t: &DataType) -> Option<DataType> {
    match t {
        DataType::List(f) => Some(f.data_type().clone()),
        _ => None,
    }
}

fn map_kv(t: &DataType) -> Option<(DataType, DataType)> {
    match t {
        DataType::Map(f, _) => match f.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => Some((kv[0].data_type().clone(), kv[1].data_type().clone())),
            _ => None,
        },
        _ => None,
    }
}

/// Spark's `findWiderTypeWithoutStringPromotion` over two types, into
/// arrays and maps.
fn unify(a: &DataType, b: &DataType) -> Option<DataType> {
    if a == b {
        return Some(a.clone());
    }
    match (a, b) {
        (DataType::Null, t) | (t, DataType::Null) => Some(t.clone()),
        (DataType::List(x), DataType::List(y)) => Some(list_of(unify(x.data_type(), y.data_type())?)),
        (DataType::Map(..), DataType::Map(..)) => {
            let (ka, va) = map_kv(a)?;
            let (kb, vb) = map_kv(b)?;
            Some(map_of(unify(&ka, &kb)?, unify(&va, &vb)?))
        }
        (DataType::Struct(fa), DataType::Struct(fb)) if fa.len() == fb.len() => {
            let fields: Option<Vec<Field>> = fa
                .iter()
                .zip(fb.iter())
                .map(|(x, y)| Some(Field::new(x.name(), unify(x.data_type(), y.data_type())?, true)))
                .collect();
            Some(DataType::Struct(Fields::from(fields?)))
        }
        _ => tightest_common(a, b).or_else(|| wider_decimal_type(a, b)),
    }
}

fn unify_all(types: &[DataType]) -> Option<DataType> {
    let mut it = types.iter();
    let mut acc = it.next()?.clone();
    for t in it {
        acc = unify(&acc, t)?;
    }
    Some(acc)
}

fn is_nested(t: &DataType) -> bool {
    matches!(t, DataType::List(_) | DataType::Map(..) | DataType::Struct(_))
}

/// The expression as type `t`: atomic values get a cast; nested ones are
/// cast by the kernel that receives them.
fn conform(e: Expr, t: &DataType, mode: EvalMode) -> Expr {
    if &e.data_type() == t || is_nested(t) && !matches!(e, Expr::Literal(_)) {
        e
    } else {
        cast(e, t, mode)
    }
}

fn type_list(types: &[DataType]) -> String {
    format!("[{}]", types.iter().map(|t| quoted(&spark_sql_type_name(t))).collect::<Vec<_>>().join(", "))
}

fn diff_types(cx: &CallCtx, function: &str, types: &[DataType]) -> Error {
    Error::spark(
        "DATATYPE_MISMATCH.DATA_DIFF_TYPES",
        &[("sqlExpr", quoted(cx.sql)), ("functionName", quote_ident(function)), ("dataType", type_list(types))],
    )
}

fn array_diff_types(cx: &CallCtx, function: &str, left: &DataType, right: &DataType) -> Error {
    super::type_mismatch(
        "ARRAY_FUNCTION_DIFF_TYPES",
        "Input to <functionName> should have been <dataType> followed by a value with same element type, but \
         it's [<leftType>, <rightType>].",
        &[
            ("sqlExpr", quoted(cx.sql)),
            ("functionName", quote_ident(function)),
            ("dataType", "\"ARRAY\"".into()),
            ("leftType", quoted(&spark_sql_type_name(left))),
            ("rightType", quoted(&spark_sql_type_name(right))),
        ],
    )
}

/// Argument `i` must be an array (a NULL literal reads as an array of
/// NULLs); returns its element type.
fn array_arg(cx: &CallCtx, i: usize, e: &Expr) -> Result<DataType> {
    match e.data_type() {
        DataType::List(f) => Ok(f.data_type().clone()),
        DataType::Null => Ok(DataType::Null),
        other => Err(unexpected_input(cx, i, "\"ARRAY\"", &other)),
    }
}

fn wrong_args(name: &str, expected: &str, actual: usize) -> Error {
    Error::spark(
        "WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
        &[
            ("functionName", quote_ident(name)),
            ("expectedNum", expected.to_string()),
            ("actualNum", actual.to_string()),
            ("docroot", "https://spark.apache.org/docs/latest".to_string()),
        ],
    )
}

fn lit_bool(v: bool) -> Expr {
    Expr::Literal(ScalarValue::Boolean(Some(v)))
}

pub(super) fn special(def: &FunctionDef, mut args: Vec<Expr>, cx: &CallCtx) -> Result<Expr> {
    let mode = cx.mode;
    let name = def.name;
    match name {
        "array" => {
            let types: Vec<DataType> = args.iter().map(|a| a.data_type()).collect();
            let t = if types.is_empty() {
                DataType::Null
            } else {
                unify_all(&types)
                    .or_else(|| wider_common(&types, cx.ansi))
                    .ok_or_else(|| diff_types(cx, name, &types))?
            };
            let args = args.into_iter().map(|a| conform(a, &t, mode)).collect();
            Ok(call("array", args, list_of(t), mode))
        }
        "map" => {
            if !args.len().is_multiple_of(2) {
                return Err(wrong_args("map", "2n (n > 0)", args.len()));
            }
            let kt: Vec<DataType> = args.iter().step_by(2).map(|a| a.data_type()).collect();
            let vt: Vec<DataType> = args.iter().skip(1).step_by(2).map(|a| a.data_type()).collect();
            let k = if kt.is_empty() {
                DataType::Null
            } else {
                unify_all(&kt).or_else(|| wider_common(&kt, cx.ansi)).ok_or_else(|| diff_types(cx, "map", &kt))?
            };
            let v = if vt.is_empty() {
                DataType::Null
            } else {
                unify_all(&vt).or_else(|| wider_common(&vt, cx.ansi)).ok_or_else(|| diff_types(cx, "map", &vt))?
            };
            let args =
                args.into_iter().enumerate().map(|(i, a)| conform(a, if i % 2 == 0 { &k } else { &v }, mode)).collect();
            Ok(call("map", args, map_of(k, v), mode))
        }
        "named_struct" => {
            if !args.len().is_multiple_of(2) {
                return Err(wrong_args("named_struct", "2n (n > 0)", args.len()));
            }
            let mut fields = vec![];
            let mut values = vec![];
            let mut it = args.into_iter();
            let mut k = 0;
            while let (Some(n), Some(v)) = (it.next(), it.next()) {
                let field = match constant_string(&n) {
                    Some(Some(s)) if is_string(&n.data_type()) || matches!(n, Expr::Literal(_)) => s,
                    Some(None) => {
                        return Err(super::type_mismatch(
                            "UNEXPECTED_NULL",
                            "The <exprName> must not be null.",
                            &[
                                ("sqlExpr", quoted(cx.sql)),
                                ("exprName", cx.arg_sql.get(2 * k).cloned().unwrap_or_default()),
                            ],
                        ))
                    }
                    _ => {
                        return Err(super::type_mismatch(
                            "CREATE_NAMED_STRUCT_WITHOUT_FOLDABLE_STRING",
                            "Only foldable `STRING` expressions are allowed to appear at odd position, but they \
                             are <inputExprs>.",
                            &[
                                ("sqlExpr", quoted(cx.sql)),
                                (
                                    "inputExprs",
                                    format!("[{}]", quoted(cx.arg_sql.get(2 * k).map(|s| s.as_str()).unwrap_or(""))),
                                ),
                            ],
                        ))
                    }
                };
                fields.push(Field::new(field, v.data_type(), true));
                values.push(v);
                k += 1;
            }
            Ok(call("named_struct", values, DataType::Struct(Fields::from(fields)), mode))
        }
        "struct" => {
            let fields: Vec<Field> = args
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let n = match a {
                        // lambda variables are named expressions too
                        Expr::Column(attr) | Expr::LambdaVariable(attr) => attr.name.clone(),
                        _ => format!("col{}", i + 1),
                    };
                    Field::new(n, a.data_type(), true)
                })
                .collect();
            Ok(call("named_struct", args, DataType::Struct(Fields::from(fields)), mode))
        }
        "map_from_arrays" => {
            let k = array_arg(cx, 0, &args[0])?;
            let v = array_arg(cx, 1, &args[1])?;
            Ok(call(name, args, map_of(k, v), mode))
        }
        "map_from_entries" => {
            let e = array_arg(cx, 0, &args[0])?;
            match &e {
                DataType::Struct(f) if f.len() == 2 => {
                    let t = map_of(f[0].data_type().clone(), f[1].data_type().clone());
                    Ok(call(name, args, t, mode))
                }
                _ => Err(unexpected_input(cx, 0, "\"ARRAY\" of pair \"STRUCT\"", &args[0].data_type())),
            }
        }
        "str_to_map" => {
            let defaults = [",", ":"];
            while args.len() < 3 {
                args.push(Expr::Literal(ScalarValue::Utf8(Some(defaults[args.len() - 1].to_string()))));
            }
            let args = args
                .into_iter()
                .enumerate()
                .map(|(i, a)| coerce_arg(cx, i, a, &DataType::Utf8))
                .collect::<Result<Vec<_>>>()?;
            Ok(call(name, args, map_of(DataType::Utf8, DataType::Utf8), mode))
        }
        "size" | "array_size" => {
            let t = args[0].data_type();
            let ok = match name {
                "size" => matches!(t, DataType::List(_) | DataType::Map(..) | DataType::Null),
                _ => matches!(t, DataType::List(_) | DataType::Null),
            };
            if !ok {
                let req = if name == "size" { "(\"ARRAY\" or \"MAP\")" } else { "\"ARRAY\"" };
                return Err(unexpected_input(cx, 0, req, &t));
            }
            // legacy sizeOfNull: -1 for NULL outside ANSI mode
            let m = if cx.ansi || name == "array_size" { EvalMode::Ansi } else { EvalMode::Legacy };
            Ok(call(name, args, DataType::Int32, m))
        }
        "element_at" | "try_element_at" => {
            let m = if name == "try_element_at" { EvalMode::Try } else { mode };
            let t = args[0].data_type();
            if let Some((k, v)) = map_kv(&t) {
                let key = args.remove(1);
                let key = coerce_arg(cx, 1, key, &k)?;
                return Ok(call("element_at", vec![args.remove(0), key], v, m));
            }
            let e = array_arg(cx, 0, &args[0])?;
            let i = coerce_arg(cx, 1, args.remove(1), &DataType::Int32)?;
            Ok(call("element_at", vec![args.remove(0), i], e, m))
        }
        "get" => {
            let t = args[0].data_type();
            let DataType::List(f) = t else {
                return Err(unexpected_input(cx, 0, "\"ARRAY\"", &t));
            };
            let i = coerce_arg(cx, 1, args.remove(1), &DataType::Int32)?;
            Ok(call("get", vec![args.remove(0), i], f.data_type().clone(), mode))
        }
        "get_field" => {
            let Some(Some(field)) = constant_string(&args[1]) else {
                return Err(Error::internal("get_field needs a constant field name"));
            };
            get_field(args.remove(0), &field, cx)
        }
        "array_contains" | "array_position" | "array_remove" => {
            let e = array_arg(cx, 0, &args[0])?;
            let v = args.remove(1);
            let vt = v.data_type();
            let t = unify(&e, &vt).ok_or_else(|| array_diff_types(cx, name, &args[0].data_type(), &vt))?;
            let t = if matches!(t, DataType::Null) { DataType::Int32 } else { t };
            let v = conform(v, &t, mode);
            let ret = match name {
                "array_contains" => DataType::Boolean,
                "array_position" => DataType::Int64,
                _ => list_of(t),
            };
            Ok(call(name, vec![args.remove(0), v], ret, mode))
        }
        "array_distinct" | "array_compact" | "shuffle" | "array_sort" | "reverse" => {
            let e = array_arg(cx, 0, &args[0])?;
            let kernel = if name == "reverse" { "array_reverse" } else { name };
            Ok(call(kernel, args, list_of(e), mode))
        }
        "sort_array" => {
            let e = array_arg(cx, 0, &args[0])?;
            if args.len() == 1 {
                args.push(lit_bool(true));
            }
            let asc = args.remove(1);
            let at = asc.data_type();
            if !matches!(at, DataType::Boolean | DataType::Null) {
                return Err(unexpected_input(cx, 1, "\"BOOLEAN\"", &at));
            }
            let asc = cast(asc, &DataType::Boolean, mode);
            Ok(call(name, vec![args.remove(0), asc], list_of(e), mode))
        }
        "array_join" => {
            array_arg(cx, 0, &args[0])?;
            let list = args.remove(0);
            let mut out = vec![list];
            for (k, a) in args.into_iter().enumerate() {
                out.push(coerce_arg(cx, k + 1, a, &DataType::Utf8)?);
            }
            Ok(call(name, out, DataType::Utf8, mode))
        }
        "array_min" | "array_max" => {
            let e = array_arg(cx, 0, &args[0])?;
            Ok(call(name, args, e, mode))
        }
        "slice" => {
            let e = array_arg(cx, 0, &args[0])?;
            let len = coerce_arg(cx, 2, args.remove(2), &DataType::Int32)?;
            let start = coerce_arg(cx, 1, args.remove(1), &DataType::Int32)?;
            Ok(call(name, vec![args.remove(0), start, len], list_of(e), mode))
        }
        "flatten" => {
            let e = array_arg(cx, 0, &args[0])?;
            match e {
                DataType::List(inner) => Ok(call(name, args, list_of(inner.data_type().clone()), mode)),
                DataType::Null => Ok(call(name, args, list_of(DataType::Null), mode)),
                _ => Err(unexpected_input(cx, 0, "\"ARRAY\" of \"ARRAY\"", &args[0].data_type())),
            }
        }
        "sequence" => sequence(args, cx),
        "concat" => {
            let types: Vec<DataType> = args.iter().map(|a| a.data_type()).collect();
            for (i, a) in args.iter().enumerate() {
                array_arg(cx, i, a)?;
            }
            let t = unify_all(&types).ok_or_else(|| diff_types(cx, "concat", &types))?;
            let e = elem_of(&t).unwrap_or(DataType::Null);
            Ok(call("array_concat", args, list_of(e), mode))
        }
        "array_union" | "array_intersect" | "array_except" | "arrays_overlap" => {
            let a = array_arg(cx, 0, &args[0])?;
            let b = array_arg(cx, 1, &args[1])?;
            let t =
                unify(&a, &b).ok_or_else(|| array_diff_types(cx, name, &args[0].data_type(), &args[1].data_type()))?;
            let ret = if name == "arrays_overlap" { DataType::Boolean } else { list_of(t) };
            Ok(call(name, args, ret, mode))
        }
        "array_repeat" => {
            let n = coerce_arg(cx, 1, args.remove(1), &DataType::Int32)?;
            let e = args.remove(0);
            let t = e.data_type();
            Ok(call(name, vec![e, n], list_of(t), mode))
        }
        "array_append" | "array_prepend" | "array_insert" => {
            let e = array_arg(cx, 0, &args[0])?;
            let v = args.pop().ok_or_else(|| Error::internal("array_append value"))?;
            let vt = v.data_type();
            let t = unify(&e, &vt).ok_or_else(|| array_diff_types(cx, name, &args[0].data_type(), &vt))?;
            let t = if matches!(t, DataType::Null) { DataType::Int32 } else { t };
            let v = conform(v, &t, mode);
            let mut out = vec![args.remove(0)];
            if name == "array_insert" {
                out.push(coerce_arg(cx, 1, args.remove(0), &DataType::Int32)?);
            }
            out.push(v);
            Ok(call(name, out, list_of(t), mode))
        }
        "arrays_zip" => {
            let mut fields = vec![];
            for (i, a) in args.iter().enumerate() {
                let e = array_arg(cx, i, a)?;
                let n = match a {
                    Expr::Column(attr) => attr.name.clone(),
                    _ => i.to_string(),
                };
                fields.push(Field::new(n, e, true));
            }
            Ok(call(name, args, list_of(DataType::Struct(Fields::from(fields))), mode))
        }
        "map_concat" => {
            let types: Vec<DataType> = args.iter().map(|a| a.data_type()).collect();
            for (i, t) in types.iter().enumerate() {
                if !matches!(t, DataType::Map(..) | DataType::Null) {
                    return Err(unexpected_input(cx, i, "\"MAP\"", t));
                }
            }
            let t = if types.is_empty() {
                map_of(DataType::Null, DataType::Null)
            } else {
                unify_all(&types).ok_or_else(|| diff_types(cx, name, &types))?
            };
            let t = if t == DataType::Null { map_of(DataType::Null, DataType::Null) } else { t };
            Ok(call(name, args, t, mode))
        }
        "map_keys" | "map_values" | "map_entries" | "map_contains_key" => {
            let t = args[0].data_type();
            let Some((k, v)) = map_kv(&t) else {
                return Err(unexpected_input(cx, 0, "\"MAP\"", &t));
            };
            match name {
                "map_keys" => Ok(call(name, args, list_of(k), mode)),
                "map_values" => Ok(call(name, args, list_of(v), mode)),
                "map_entries" => {
                    let entry = Fields::from(vec![Field::new("key", k, false), Field::new("value", v, true)]);
                    Ok(call(name, args, list_of(DataType::Struct(entry)), mode))
                }
                _ => {
                    let key = coerce_arg(cx, 1, args.remove(1), &k)?;
                    Ok(call(name, vec![args.remove(0), key], DataType::Boolean, mode))
                }
            }
        }
        _ => Err(Error::internal(format!("no typing rule for function {name}"))),
    }
}

/// `s.field` on a struct value: the field (case-insensitive), NULL where
/// the struct is NULL.
pub(crate) fn get_field(s: Expr, field: &str, cx: &CallCtx) -> Result<Expr> {
    let t = s.data_type();
    let DataType::Struct(fields) = &t else {
        return Err(unexpected_input(cx, 0, "\"STRUCT\"", &t));
    };
    let f = fields
        .iter()
        .find(|f| f.name() == field)
        .or_else(|| fields.iter().find(|f| f.name().eq_ignore_ascii_case(field)))
        .ok_or_else(|| {
            super::spark_error(
                "FIELD_NOT_FOUND",
                "42704",
                "No such struct field <fieldName> in <fields>.",
                &[
                    ("fieldName", quote_ident(field)),
                    ("fields", fields.iter().map(|f| quote_ident(f.name())).collect::<Vec<_>>().join(", ")),
                ],
            )
        })?;
    let name = Expr::Literal(ScalarValue::Utf8(Some(f.name().clone())));
    Ok(call("get_field", vec![s, name], f.data_type().clone(), cx.mode))
}

/// `sequence(start, stop[, step])` of integers, dates or timestamps.
fn sequence(mut args: Vec<Expr>, cx: &CallCtx) -> Result<Expr> {
    let mode = cx.mode;
    let (a, b) = (args[0].data_type(), args[1].data_type());
    if is_integral(&a) && is_integral(&b) {
        let t = tightest_common(&a, &b).unwrap_or(DataType::Int64);
        let mut out = vec![cast(args.remove(0), &t, mode), cast(args.remove(0), &t, mode)];
        if let Some(step) = args.pop() {
            out.push(coerce_arg(cx, 2, step, &t)?);
        }
        return Ok(call("sequence", out, list_of(t), mode));
    }
    if is_datetime(&a) || is_datetime(&b) {
        let t = if a == DataType::Date32 && b == DataType::Date32 {
            // a step below a day makes timestamps of dates
            match args.get(2).map(|s| s.data_type()) {
                Some(DataType::Duration(_)) => timestamp_type(),
                _ => DataType::Date32,
            }
        } else {
            tightest_common(&a, &b).unwrap_or_else(timestamp_type)
        };
        let mut out = vec![cast(args.remove(0), &t, mode), cast(args.remove(0), &t, mode)];
        if let Some(step) = args.pop() {
            let st = step.data_type();
            if !is_interval(&st) {
                return Err(unexpected_input(cx, 2, "\"INTERVAL\"", &st));
            }
            out.push(step);
        }
        return Ok(call("sequence", out, list_of(t), mode));
    }
    let bad = if is_integral(&a) || is_datetime(&a) { (1, b) } else { (0, a) };
    Err(unexpected_input(cx, bad.0, "(\"INTEGRAL\" or \"DATE\" or \"TIMESTAMP\")", &bad.1))
}
