//! Higher-order functions and their lambda arguments (Spark's
//! `HigherOrderFunction`s: `transform`, `filter`, `exists`, `forall`,
//! `aggregate` / `reduce`, `zip_with`, `array_sort` with a comparator,
//! `map_filter`, `map_zip_with`, `transform_keys`, `transform_values`).
//!
//! Resolution follows Spark's `ResolveLambdaVariables`: the value arguments
//! are resolved first; their types give the types of the lambda parameters
//! (the element type and an INT index, the accumulator, key and value); then
//! each lambda body is resolved with its parameters in scope. Lambda
//! variables shadow columns of the same name; a body may read columns of
//! the row and variables of enclosing lambdas. A function argument that is
//! not a lambda (`transform(a, 0)`) becomes a lambda whose parameters are
//! hidden.
//!
//! The result is `Expr::ScalarFunction` under the canonical name with the
//! value arguments first and the `Expr::Lambda`s after them, typed here.
//!
//! Names: Spark names a resolved lambda `lambdafunction(body, params)` with
//! every variable printed as `namedlambdavariable()`; errors found before
//! the lambdas are bound (argument types) print the variables by name.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields};
use ember_core::error::quote_ident;
use ember_core::spec;
use ember_core::types::{decimal_for_integral, is_decimal, is_floating, is_integral};
use ember_core::{Attribute, Error, Expr, Result, Span};

use super::coercion::{cast, tightest_common};
use super::decimal::precision_scale;
use super::expr::{quoted, type_str, ExprCtx};
use super::functions::{self, spark_error, unexpected_input, CallCtx};
use super::names::pretty_name;
use super::scope::names_equal;
use super::Analyzer;

/// The higher-order functions: canonical name and the positions of their
/// function (lambda) arguments; the registry has their arity.
fn higher_order(lower: &str) -> Option<(&'static str, &'static [usize])> {
    Some(match lower {
        "transform" => ("transform", &[1]),
        "filter" => ("filter", &[1]),
        "exists" => ("exists", &[1]),
        "forall" => ("forall", &[1]),
        "aggregate" | "reduce" => ("aggregate", &[2, 3]),
        "zip_with" => ("zip_with", &[2]),
        "array_sort" => ("array_sort", &[1]),
        "map_filter" => ("map_filter", &[1]),
        "map_zip_with" => ("map_zip_with", &[2]),
        "transform_keys" => ("transform_keys", &[1]),
        "transform_values" => ("transform_values", &[1]),
        _ => return None,
    })
}

/// Spark's name of a bound lambda, `lambdafunction(body, namedlambdavariable(), ...)`;
/// `column` names the columns the body reads.
pub(crate) fn lambda_name(params: &[String], body: &spec::Expr, column: &dyn Fn(&[String]) -> String) -> String {
    let variable = |parts: &[String]| -> String {
        match parts.split_first() {
            // `acc.sum` is a field of the variable
            Some((first, rest)) if params.iter().any(|p| p.eq_ignore_ascii_case(first)) => {
                std::iter::once("namedlambdavariable()")
                    .chain(rest.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(".")
            }
            _ => column(parts),
        }
    };
    let mut s = format!("lambdafunction({}", pretty_name(body, &variable));
    for _ in params {
        s.push_str(", namedlambdavariable()");
    }
    s.push(')');
    s
}

/// `e` with its lambdas shown unbound, `lambdafunction(body, x, y)`, the
/// way Spark prints them in errors raised before the lambdas are bound.
fn unbound(e: &spec::Expr) -> spec::Expr {
    match e {
        spec::Expr::Lambda { params, body, span } => {
            let mut args = vec![unbound(body)];
            args.extend(params.iter().map(|p| spec::Expr::Column { name: vec![p.clone()], span: None }));
            spec::Expr::Function { name: "lambdafunction".into(), args, distinct: false, span: *span }
        }
        spec::Expr::Function { name, args, distinct, span } => spec::Expr::Function {
            name: name.clone(),
            args: args.iter().map(unbound).collect(),
            distinct: *distinct,
            span: *span,
        },
        other => other.clone(),
    }
}

fn lambda_error(subclass: &str, template: &str, params: &[(&str, String)]) -> Error {
    spark_error(
        &format!("INVALID_LAMBDA_FUNCTION_CALL.{subclass}"),
        "42K0D",
        &format!("Invalid lambda function call. {template}"),
        params,
    )
}

/// A lambda passed to a function that takes none (`upper(x -> x)`).
fn not_higher_order(lower: &str) -> Error {
    lambda_error(
        "NON_HIGHER_ORDER_FUNCTION",
        "A lambda function should only be used in a higher order function. However, its class is <class>, \
         which is not a higher order function.",
        &[("class", quote_ident(lower))],
    )
}

fn list_of(t: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("element", t, true)))
}

fn map_of(k: DataType, v: DataType) -> DataType {
    let entries = Fields::from(vec![Field::new("key", k, false), Field::new("value", v, true)]);
    DataType::Map(Arc::new(Field::new("entries", DataType::Struct(entries), false)), false)
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

/// `DecimalType.boundedPreferIntegralDigits`: past 38 digits the fraction
/// gives way first (Spark 4's wider decimal).
fn decimal_prefer_integral(precision: i32, scale: i32) -> DataType {
    if precision <= 38 {
        DataType::Decimal128(precision as u8, scale as i8)
    } else {
        DataType::Decimal128(38, (scale - (precision - 38)).max(0) as i8)
    }
}

/// The common key type of `map_zip_with`'s maps: Spark's wider type
/// without string promotion, through arrays and structs.
fn common_key_type(a: &DataType, b: &DataType) -> Option<DataType> {
    if a == b {
        return Some(a.clone());
    }
    match (a, b) {
        (DataType::List(x), DataType::List(y)) => Some(list_of(common_key_type(x.data_type(), y.data_type())?)),
        (DataType::Struct(x), DataType::Struct(y)) if x.len() == y.len() => {
            let fields = x
                .iter()
                .zip(y.iter())
                .map(|(f, g)| {
                    f.name().eq_ignore_ascii_case(g.name()).then_some(())?;
                    Some(Field::new(f.name(), common_key_type(f.data_type(), g.data_type())?, true))
                })
                .collect::<Option<Vec<_>>>()?;
            Some(DataType::Struct(Fields::from(fields)))
        }
        _ => {
            if let Some(t) = tightest_common(a, b) {
                return Some(t);
            }
            let decimal = |t: &DataType| {
                if is_decimal(t) {
                    precision_scale(t)
                } else if is_integral(t) {
                    precision_scale(&decimal_for_integral(t)?)
                } else {
                    None
                }
            };
            if (is_decimal(a) || is_decimal(b)) && (is_floating(a) || is_floating(b)) {
                return Some(DataType::Float64);
            }
            let ((p1, s1), (p2, s2)) = (decimal(a)?, decimal(b)?);
            let scale = s1.max(s2);
            Some(decimal_prefer_integral((p1 - s1).max(p2 - s2) + scale, scale))
        }
    }
}

impl Analyzer<'_> {
    /// The lambda variable `name` (or a field of it, `acc.sum`) when an
    /// enclosing lambda binds its first part.
    pub(crate) fn lambda_variable(&self, name: &[String], span: Option<Span>) -> Result<Option<Expr>> {
        let Some((first, fields)) = name.split_first() else { return Ok(None) };
        for scope in self.lambda_scopes.iter().rev() {
            if let Some(a) = scope.iter().find(|a| names_equal(&a.name, first, self.case_sensitive)) {
                let ccx = CallCtx { ansi: self.ansi, mode: self.mode(), sql: "", arg_sql: &[] };
                let mut e = Expr::LambdaVariable(a.clone());
                for f in fields {
                    e = functions::struct_field(e, f, &ccx).map_err(|x| x.with_span(span))?;
                }
                return Ok(Some(e));
            }
        }
        Ok(None)
    }

    /// Resolves `lower(args)` when it is a higher-order function; `None`
    /// for other functions, which take no lambda arguments.
    pub(crate) fn higher_order_call(
        &mut self,
        whole: &spec::Expr,
        lower: &str,
        args: &[spec::Expr],
        cx: ExprCtx,
    ) -> Result<Option<Expr>> {
        let is_lambda = |a: &spec::Expr| matches!(a, spec::Expr::Lambda { .. });
        let Some((name, function_args)) = higher_order(lower) else {
            if args.iter().any(is_lambda) {
                return Err(not_higher_order(lower));
            }
            return Ok(None);
        };
        // one-argument array_sort is the ascending sort of the registry
        if name == "array_sort" && args.len() == 1 {
            return Ok(None);
        }
        let def = functions::lookup(lower).ok_or_else(|| functions::unresolved_routine(lower))?;
        functions::check_arity(def, lower, args.len())?;
        let mut values = Vec::new();
        for (i, a) in args.iter().enumerate() {
            if function_args.contains(&i) {
                continue;
            }
            if is_lambda(a) {
                return Err(lambda_error(
                    "PARAMETER_DOES_NOT_ACCEPT_LAMBDA_FUNCTION",
                    "You passed a lambda function to a parameter that does not accept it. Please check if lambda \
                     function argument is in the right position.",
                    &[],
                ));
            }
            values.push(self.expr(a, cx)?);
        }
        // argument errors are raised before the lambdas are bound
        let unbound_sql = self.sql_of(&unbound(whole), cx.scope);
        let unbound_args: Vec<String> = args.iter().map(|a| self.sql_of(&unbound(a), cx.scope)).collect();
        let ucx = CallCtx { ansi: self.ansi, mode: self.mode(), sql: &unbound_sql, arg_sql: &unbound_args };
        let mode = self.mode();
        let call = |args: Vec<Expr>, data_type: DataType| Expr::ScalarFunction {
            name: name.to_string(),
            args,
            data_type,
            mode,
        };
        let array_arg = |e: Expr, i: usize| -> Result<(Expr, DataType)> {
            match e.data_type() {
                DataType::List(f) => Ok((e, f.data_type().clone())),
                DataType::Null => Ok((cast(e, &list_of(DataType::Null), mode), DataType::Null)),
                other => Err(unexpected_input(&ucx, i, "\"ARRAY\"", &other)),
            }
        };
        let map_arg = |e: Expr, i: usize| -> Result<(Expr, DataType, DataType)> {
            let t = e.data_type();
            match map_kv(&t) {
                Some((k, v)) => Ok((e, k, v)),
                None => Err(unexpected_input(&ucx, i, "\"MAP\"", &t)),
            }
        };
        let mut values = values.into_iter();
        let mut next_value = || values.next().ok_or_else(|| Error::internal("higher-order function argument"));
        let r = match name {
            "transform" | "filter" | "exists" | "forall" => {
                let (arr, elem) = array_arg(next_value()?, 0)?;
                // the index is a second parameter of transform and filter only
                let with_index = matches!(name, "transform" | "filter") && lambda_arity(&args[1]) == Some(2);
                let mut binds = vec![(elem, true)];
                if with_index {
                    binds.push((DataType::Int32, false));
                }
                let f = self.bind_lambda(&args[1], &binds, cx)?;
                if name == "transform" {
                    let t = list_of(f.data_type());
                    call(vec![arr, f], t)
                } else {
                    let f = self.predicate(f, whole, &args[1], cx)?;
                    let t = if name == "filter" { arr.data_type() } else { DataType::Boolean };
                    call(vec![arr, f], t)
                }
            }
            "aggregate" => {
                let (arr, elem) = array_arg(next_value()?, 0)?;
                let zero = next_value()?;
                let acc = zero.data_type();
                let merge = self.bind_lambda(&args[2], &[(acc.clone(), true), (elem, true)], cx)?;
                if !same_structure(&acc, &merge.data_type()) {
                    let sql = self.sql_of(whole, cx.scope);
                    let arg_sql = [String::new(), String::new(), self.sql_of(&args[2], cx.scope)];
                    let bcx = CallCtx { ansi: self.ansi, mode, sql: &sql, arg_sql: &arg_sql };
                    return Err(unexpected_input(&bcx, 2, &type_str(&acc), &merge.data_type()));
                }
                let finish = match args.get(3) {
                    Some(f) => self.bind_lambda(f, &[(acc.clone(), true)], cx)?,
                    None => {
                        let id = Attribute::new("id", acc, true);
                        Expr::Lambda { params: vec![id.clone()], body: Box::new(Expr::LambdaVariable(id)) }
                    }
                };
                let t = finish.data_type();
                call(vec![arr, zero, merge, finish], t)
            }
            "zip_with" => {
                let (left, lt) = array_arg(next_value()?, 0)?;
                let (right, rt) = array_arg(next_value()?, 1)?;
                let f = self.bind_lambda(&args[2], &[(lt, true), (rt, true)], cx)?;
                let t = list_of(f.data_type());
                call(vec![left, right, f], t)
            }
            "array_sort" => {
                let (arr, elem) = array_arg(next_value()?, 0)?;
                let f = self.bind_lambda(&args[1], &[(elem.clone(), true), (elem, true)], cx)?;
                if f.data_type() != DataType::Int32 {
                    let sql = self.sql_of(whole, cx.scope);
                    return Err(spark_error(
                        "DATATYPE_MISMATCH.UNEXPECTED_RETURN_TYPE",
                        "42K09",
                        "Cannot resolve <sqlExpr> due to data type mismatch: The <functionName> requires return \
                         <expectedType> type, but the actual is <actualType> type.",
                        &[
                            ("sqlExpr", quoted(&sql)),
                            ("functionName", "`lambdafunction`".into()),
                            ("expectedType", "\"INT\"".into()),
                            ("actualType", type_str(&f.data_type())),
                        ],
                    ));
                }
                let t = arr.data_type();
                call(vec![arr, f], t)
            }
            "map_filter" | "transform_keys" | "transform_values" => {
                let (m, k, v) = map_arg(next_value()?, 0)?;
                let f = self.bind_lambda(&args[1], &[(k.clone(), false), (v.clone(), true)], cx)?;
                match name {
                    "map_filter" => {
                        let f = self.predicate(f, whole, &args[1], cx)?;
                        let t = m.data_type();
                        call(vec![m, f], t)
                    }
                    "transform_keys" => {
                        let t = map_of(f.data_type(), v);
                        call(vec![m, f], t)
                    }
                    _ => {
                        let t = map_of(k, f.data_type());
                        call(vec![m, f], t)
                    }
                }
            }
            "map_zip_with" => {
                let (left, lk, lv) = map_arg(next_value()?, 0)?;
                let (right, rk, rv) = map_arg(next_value()?, 1)?;
                let Some(k) = common_key_type(&lk, &rk) else {
                    return Err(spark_error(
                        "DATATYPE_MISMATCH.MAP_ZIP_WITH_DIFF_TYPES",
                        "42K09",
                        "Cannot resolve <sqlExpr> due to data type mismatch: Input to the <functionName> should \
                         have been two maps with compatible key types, but it's [<leftType>, <rightType>].",
                        &[
                            ("sqlExpr", quoted(&unbound_sql)),
                            ("functionName", "`map_zip_with`".into()),
                            ("leftType", type_str(&lk)),
                            ("rightType", type_str(&rk)),
                        ],
                    ));
                };
                // the executor casts each map's keys to the common type
                let f = self.bind_lambda(&args[2], &[(k.clone(), false), (lv, true), (rv, true)], cx)?;
                let t = map_of(k, f.data_type());
                call(vec![left, right, f], t)
            }
            other => return Err(Error::internal(format!("higher-order function {other}"))),
        };
        Ok(Some(r))
    }

    /// Binds a function argument to parameters of the given types and
    /// nullability, and resolves its body with them in scope.
    fn bind_lambda(&mut self, arg: &spec::Expr, binds: &[(DataType, bool)], cx: ExprCtx) -> Result<Expr> {
        let spec::Expr::Lambda { params, body, .. } = arg else {
            // an expression independent of the elements: a lambda whose
            // parameters nothing can name
            let params = binds
                .iter()
                .enumerate()
                .map(|(i, (t, nullable))| Attribute::new(format!("col{i}"), t.clone(), *nullable))
                .collect();
            return Ok(Expr::Lambda { params, body: Box::new(self.expr(arg, cx)?) });
        };
        if params.len() != binds.len() {
            return Err(lambda_error(
                "NUM_ARGS_MISMATCH",
                "A higher order function expects <expectedNumArgs> arguments, but got <actualNumArgs>.",
                &[("expectedNumArgs", params.len().to_string()), ("actualNumArgs", binds.len().to_string())],
            ));
        }
        let canonical: Vec<String> =
            params.iter().map(|p| if self.case_sensitive { p.clone() } else { p.to_lowercase() }).collect();
        if (1..canonical.len()).any(|i| canonical[..i].contains(&canonical[i])) {
            return Err(lambda_error(
                "DUPLICATE_ARG_NAMES",
                "The lambda function has duplicate arguments <args>. Please, consider to rename the argument \
                 names or set <caseSensitiveConfig> to \"true\".",
                &[
                    ("args", canonical.iter().map(|p| quote_ident(p)).collect::<Vec<_>>().join(", ")),
                    ("caseSensitiveConfig", "\"spark.sql.caseSensitive\"".into()),
                ],
            ));
        }
        let vars: Vec<Attribute> = params
            .iter()
            .zip(binds)
            .map(|(p, (t, nullable))| Attribute::new(p.clone(), t.clone(), *nullable))
            .collect();
        self.lambda_scopes.push(vars.clone());
        let body = self.expr(body, cx);
        self.lambda_scopes.pop();
        Ok(Expr::Lambda { params: vars, body: Box::new(body?) })
    }

    /// A bound lambda that must return a boolean (`filter`, `exists`,
    /// `forall`, `map_filter`); a NULL body is a NULL boolean.
    fn predicate(&self, f: Expr, whole: &spec::Expr, arg: &spec::Expr, cx: ExprCtx) -> Result<Expr> {
        match f.data_type() {
            DataType::Boolean => Ok(f),
            DataType::Null => match f {
                Expr::Lambda { params, body } => {
                    Ok(Expr::Lambda { params, body: Box::new(cast(*body, &DataType::Boolean, self.mode())) })
                }
                other => Ok(other),
            },
            other => {
                let sql = self.sql_of(whole, cx.scope);
                let arg_sql = [String::new(), self.sql_of(arg, cx.scope)];
                let bcx = CallCtx { ansi: self.ansi, mode: self.mode(), sql: &sql, arg_sql: &arg_sql };
                Err(unexpected_input(&bcx, 1, "\"BOOLEAN\"", &other))
            }
        }
    }
}

/// The number of parameters of a lambda argument.
fn lambda_arity(e: &spec::Expr) -> Option<usize> {
    match e {
        spec::Expr::Lambda { params, .. } => Some(params.len()),
        _ => None,
    }
}

/// `DataType.equalsStructurally` ignoring nullability: the same types up
/// to the names of nested fields.
fn same_structure(a: &DataType, b: &DataType) -> bool {
    match (a, b) {
        (DataType::List(x), DataType::List(y)) => same_structure(x.data_type(), y.data_type()),
        (DataType::Map(x, _), DataType::Map(y, _)) => same_structure(x.data_type(), y.data_type()),
        (DataType::Struct(x), DataType::Struct(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(f, g)| same_structure(f.data_type(), g.data_type()))
        }
        _ => a == b,
    }
}
