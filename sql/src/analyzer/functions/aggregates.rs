//! Aggregates built from the core ones (the core `AggFunc` set is fixed in
//! `ember_core`): an expression over one or more `Expr::Aggregate` calls,
//! which the aggregate planner extracts like any aggregate inside an
//! expression.
//!
//! - `count_if(c)` = `count(CASE WHEN c THEN true END)`;
//!   `approx_count_distinct(x)` = `count(DISTINCT x)` (exact);
//!   `try_sum` / `try_avg` = `sum` / `avg` in Try mode; `regr_count`,
//!   `regr_avgx`, `regr_avgy` through `count` / `avg` over the pairs;
//! - `min_by(x, y)` = the `x` field of `min(named_struct(y, x))` over rows
//!   whose `y` is not NULL;
//! - the others collect the group's values (`collect_list`, or
//!   `collect_set` for DISTINCT) and finish them with an exact kernel
//!   (`percentile_of`, `mode_of`, `covariance_of`, ...): exact answers for
//!   `percentile_approx`, at the memory cost of keeping the values.

use arrow_schema::{DataType, Field, Fields};
use ember_core::types::{is_integral, is_numeric, is_string};
use ember_core::{AggFunc, AggregateCall, Error, EvalMode, Expr, Result, ScalarValue};

use super::super::coercion::cast;
use super::nested::list_of;
use super::{call, coerce_arg, quoted, unexpected_input, CallCtx};

fn agg(func: AggFunc, args: Vec<Expr>, distinct: bool, data_type: DataType, name: &str, mode: EvalMode) -> Expr {
    Expr::Aggregate(Box::new(AggregateCall {
        func,
        args,
        distinct,
        filter: None,
        data_type,
        display_name: name.to_string(),
        mode,
    }))
}

fn lit_str(s: &str) -> Expr {
    Expr::Literal(ScalarValue::Utf8(Some(s.to_string())))
}

fn not_null(e: &Expr) -> Expr {
    Expr::IsNotNull(Box::new(e.clone()))
}

/// `CASE WHEN cond THEN value END`.
fn when(cond: Expr, value: Expr) -> Expr {
    let t = value.data_type();
    Expr::Case {
        branches: vec![(cond, value)],
        else_expr: Some(Box::new(Expr::Literal(ScalarValue::null_of(&t)))),
        data_type: t,
    }
}

/// The group's values as a list (a set for DISTINCT).
fn collected(value: Expr, distinct: bool, name: &str, mode: EvalMode) -> Expr {
    let t = value.data_type();
    let func = if distinct { AggFunc::CollectSet } else { AggFunc::CollectList };
    agg(func, vec![value], false, list_of(t), name, mode)
}

/// `named_struct('y', y, 'x', x)` as the analyzer types it.
fn pair(y: Expr, x: Expr, mode: EvalMode) -> Expr {
    let fields = Fields::from(vec![Field::new("y", y.data_type(), true), Field::new("x", x.data_type(), true)]);
    call("named_struct", vec![y, x], DataType::Struct(fields), mode)
}

fn numeric_input(cx: &CallCtx, i: usize, e: Expr) -> Result<Expr> {
    let t = e.data_type();
    if is_numeric(&t) {
        Ok(e)
    } else if is_string(&t) || matches!(t, DataType::Null) {
        Ok(cast(e, &DataType::Float64, cx.mode))
    } else {
        Err(unexpected_input(cx, i, "\"NUMERIC\"", &t))
    }
}

/// A constant percentage (or array of them) between 0 and 1.
fn percentage(cx: &CallCtx, e: Expr) -> Result<Expr> {
    let t = e.data_type();
    let ok = is_numeric(&t)
        || matches!(&t, DataType::List(f) if is_numeric(f.data_type()) || f.data_type() == &DataType::Null);
    if !ok {
        return Err(unexpected_input(cx, 1, "(\"DOUBLE\" or \"ARRAY<DOUBLE>\")", &t));
    }
    if !super::more::is_foldable(&e) {
        return Err(super::type_mismatch(
            "NON_FOLDABLE_INPUT",
            "the input <inputName> should be a foldable <inputType> expression; however, got <inputExpr>.",
            &[
                ("sqlExpr", quoted(cx.sql)),
                ("inputName", "`percentage`".into()),
                ("inputType", "\"DOUBLE\"".into()),
                ("inputExpr", quoted(cx.arg_sql.get(1).map(|s| s.as_str()).unwrap_or(""))),
            ],
        ));
    }
    if let Expr::Literal(v) = &e {
        let out = match v {
            ScalarValue::Decimal(Some(x), _, s) => Some(*x as f64 / 10f64.powi(*s as i32)),
            ScalarValue::Float64(Some(x)) => Some(*x),
            other => other.as_i64().map(|x| x as f64),
        };
        if let Some(p) = out {
            if !(0.0..=1.0).contains(&p) {
                return Err(super::type_mismatch(
                    "VALUE_OUT_OF_RANGE",
                    "The <exprName> must be between <valueRange> (current value = <currentValue>).",
                    &[
                        ("sqlExpr", quoted(cx.sql)),
                        ("exprName", "percentage".into()),
                        ("valueRange", "[0.0, 1.0]".into()),
                        ("currentValue", cx.arg_sql.get(1).cloned().unwrap_or_default()),
                    ],
                ));
            }
        }
    }
    Ok(e)
}

/// Resolves a built-up aggregate over resolved arguments.
pub(super) fn composite(name: &str, mut args: Vec<Expr>, distinct: bool, display: &str, cx: &CallCtx) -> Result<Expr> {
    let mode = cx.mode;
    match name {
        "count_if" => {
            let c = args.remove(0);
            let c = match c.data_type() {
                DataType::Boolean => c,
                DataType::Null => cast(c, &DataType::Boolean, mode),
                other => return Err(unexpected_input(cx, 0, "\"BOOLEAN\"", &other)),
            };
            let t = Expr::Literal(ScalarValue::Boolean(Some(true)));
            Ok(agg(AggFunc::Count, vec![when(c, t)], distinct, DataType::Int64, display, mode))
        }
        "approx_count_distinct" => Ok(agg(AggFunc::Count, vec![args.remove(0)], true, DataType::Int64, display, mode)),
        "try_sum" | "try_avg" => {
            let ccx = CallCtx { ansi: cx.ansi, mode: EvalMode::Try, sql: cx.sql, arg_sql: cx.arg_sql };
            let func = if name == "try_sum" { AggFunc::Sum } else { AggFunc::Avg };
            super::aggregate_call(func, args, distinct, display, &ccx)
        }
        "median" | "percentile" | "percentile_approx" => {
            let x = numeric_input(cx, 0, args.remove(0))?;
            let p = if name == "median" {
                Expr::Literal(ScalarValue::Float64(Some(0.5)))
            } else {
                percentage(cx, args.remove(0))?
            };
            if name == "percentile" && !args.is_empty() {
                let freq = args.remove(0);
                if !matches!(&freq, Expr::Literal(v) if v.as_i64() == Some(1)) {
                    return Err(Error::not_implemented("percentile with a frequency other than 1"));
                }
            }
            let approx = name == "percentile_approx";
            let elem = if approx { x.data_type() } else { DataType::Float64 };
            let ret = if matches!(p.data_type(), DataType::List(_)) { list_of(elem) } else { elem };
            let values = collected(x, distinct, display, mode);
            let kernel = if approx { "percentile_approx_of" } else { "percentile_of" };
            Ok(call(kernel, vec![values, p], ret, mode))
        }
        "mode" => {
            let x = args.remove(0);
            let t = x.data_type();
            Ok(call("mode_of", vec![collected(x, distinct, display, mode)], t, mode))
        }
        "product" => {
            let x = coerce_arg(cx, 0, args.remove(0), &DataType::Float64)?;
            Ok(call("product_of", vec![collected(x, distinct, display, mode)], DataType::Float64, mode))
        }
        "skewness" | "kurtosis" => {
            let x = coerce_arg(cx, 0, args.remove(0), &DataType::Float64)?;
            let kernel = if name == "skewness" { "skewness_of" } else { "kurtosis_of" };
            Ok(call(kernel, vec![collected(x, distinct, display, mode)], DataType::Float64, mode))
        }
        "corr" | "covar_pop" | "covar_samp" | "regr_sxx" | "regr_syy" | "regr_sxy" | "regr_slope"
        | "regr_intercept" | "regr_r2" => {
            let y = coerce_arg(cx, 0, args.remove(0), &DataType::Float64)?;
            let x = coerce_arg(cx, 1, args.remove(0), &DataType::Float64)?;
            let both = Expr::and(not_null(&y), not_null(&x));
            let values = collected(when(both, pair(y, x, mode)), distinct, display, mode);
            Ok(call("covariance_of", vec![values, lit_str(name)], DataType::Float64, mode))
        }
        "regr_count" => {
            let y = args.remove(0);
            let x = args.remove(0);
            Ok(agg(AggFunc::Count, vec![y, x], distinct, DataType::Int64, display, mode))
        }
        "regr_avgx" | "regr_avgy" => {
            let y = numeric_input(cx, 0, args.remove(0))?;
            let x = numeric_input(cx, 1, args.remove(0))?;
            let both = Expr::and(not_null(&y), not_null(&x));
            let v = if name == "regr_avgx" { x } else { y };
            super::aggregate_call(AggFunc::Avg, vec![when(both, v)], distinct, display, cx)
        }
        "bit_and" | "bit_or" | "bit_xor" => {
            let x = args.remove(0);
            let t = x.data_type();
            if !is_integral(&t) {
                return Err(unexpected_input(cx, 0, "\"INTEGRAL\"", &t));
            }
            let op = lit_str(&name[4..]);
            Ok(call("bit_agg_of", vec![collected(x, distinct, display, mode), op], t, mode))
        }
        "listagg" => {
            let x = coerce_arg(cx, 0, args.remove(0), &DataType::Utf8)?;
            let d = match args.pop() {
                Some(d) => coerce_arg(cx, 1, d, &DataType::Utf8)?,
                None => Expr::Literal(ScalarValue::Utf8(None)),
            };
            Ok(call("listagg_of", vec![collected(x, distinct, display, mode), d], DataType::Utf8, mode))
        }
        "min_by" | "max_by" => {
            let x = args.remove(0);
            let y = args.remove(0);
            let xt = x.data_type();
            if let Some(k) = args.pop() {
                let k = coerce_arg(cx, 2, k, &DataType::Int32)?;
                let values = collected(when(not_null(&y), pair(y, x, mode)), distinct, display, mode);
                let largest = Expr::Literal(ScalarValue::Float64(Some(if name == "max_by" { 1.0 } else { -1.0 })));
                return Ok(call("top_by_of", vec![values, k, largest], list_of(xt), mode));
            }
            let p = pair(y.clone(), x, mode);
            let pt = p.data_type();
            let func = if name == "min_by" { AggFunc::Min } else { AggFunc::Max };
            let best = agg(func, vec![when(not_null(&y), p)], distinct, pt, display, mode);
            let field = Expr::Literal(ScalarValue::Utf8(Some("x".into())));
            Ok(call("get_field", vec![best, field], xt, mode))
        }
        _ => Err(Error::internal(format!("no rule for aggregate {name}"))),
    }
}
