//! Window functions: `f(...) OVER (PARTITION BY .. ORDER BY .. frame)`.
//!
//! Resolution (`window_expr`) follows Spark's `WindowResolution` and the
//! checks of `SpecifiedWindowFrame` / `WindowSpecDefinition`: the function
//! is an aggregate of the registry or one of the window functions below;
//! ranking and offset functions bring their own frame (an explicit one must
//! match it), need ORDER BY, and the default frame is `RANGE BETWEEN
//! UNBOUNDED PRECEDING AND CURRENT ROW` with ORDER BY, else the whole
//! partition. A RANGE bound with a value is cast to the ORDER BY key's type
//! (numeric keys; dates take integer days, timestamps intervals) and becomes
//! the expression `key ± offset` the executor compares keys against.
//!
//! Extraction (`extract_windows`, Spark's `ExtractWindowExpressions`): after
//! a SELECT is resolved (after aggregation and HAVING, before ORDER BY and
//! DISTINCT), every window expression of its projection becomes a column
//! computed by a `LogicalPlan::Window` node below the projection, one node
//! per distinct (PARTITION BY, ORDER BY).
//!
//! Output names (`window_name`) are Spark's: the function, then ` OVER `
//! and the specification with its frame spelled out.

use arrow_schema::DataType;
use ember_core::error::SparkError;
use ember_core::expr::{FrameBound, FrameUnits, WindowExpr, WindowFrame, WindowFunction};
use ember_core::spec::{self, SortExpr};
use ember_core::types::{is_integral, is_interval, is_numeric};
use ember_core::{AggFunc, Attribute, Error, EvalMode, Expr, LogicalPlan, Result, ScalarValue, SortOrder};

use super::coercion::{can_cast, cast};
use super::expr::{quoted, type_str, ExprCtx};
use super::functions::{self, CallCtx, Kind};
use super::names::pretty_name;
use super::scope::Scope;
use super::Analyzer;

/// Functions that exist only over a window.
const WINDOW_FUNCTIONS: [&str; 9] =
    ["row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "nth_value"];

pub(crate) fn is_window_function(name: &str) -> bool {
    WINDOW_FUNCTIONS.contains(&name.to_ascii_lowercase().as_str())
}

/// A Spark error whose template the core table does not keep.
fn error(class: &str, state: &str, params: &[(&str, String)], message: String) -> Error {
    Error::Spark(Box::new(SparkError {
        error_class: class.to_string(),
        sql_state: state.to_string(),
        parameters: params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        message,
        span: None,
    }))
}

/// `row_number()` & co. without OVER.
pub(crate) fn without_over_error(sql: &str) -> Error {
    error(
        "WINDOW_FUNCTION_WITHOUT_OVER_CLAUSE",
        "42601",
        &[("funcName", quoted(sql))],
        format!("Window function {} requires an OVER clause.", quoted(sql)),
    )
}

/// A window function in WHERE (or HAVING, which Spark reports the same way).
pub(crate) fn not_allowed_in_where() -> Error {
    error(
        "WINDOW_FUNCTION_NOT_ALLOWED_IN_CLAUSE",
        "42601",
        &[("clauseName", "WHERE".into())],
        "It is not allowed to use window functions inside WHERE clause.".into(),
    )
}

fn frame_type_error(sub: &str, sql: &str, params: &[(&str, String)], detail: &str) -> Error {
    let mut all = vec![("sqlExpr", quoted(sql))];
    all.extend(params.iter().cloned());
    error(
        &format!("DATATYPE_MISMATCH.{sub}"),
        "42K09",
        &all,
        format!("Cannot resolve {} due to data type mismatch: {detail}", quoted(sql)),
    )
}

/// The ranking function `name` (lowercase) as Spark names it.
fn ranking_sql(name: &str) -> Option<&'static str> {
    Some(match name {
        "row_number" => "row_number()",
        "rank" => "RANK()",
        "dense_rank" => "DENSE_RANK()",
        "percent_rank" => "PERCENT_RANK()",
        "cume_dist" => "cume_dist()",
        _ => return None,
    })
}

/// An integer constant as written (`1`, `-1`, `+3`).
fn spec_int(e: &spec::Expr) -> Option<i64> {
    match e {
        spec::Expr::Literal { value, .. } if is_integral(&value.data_type()) => value.as_i64(),
        spec::Expr::Negative { expr, .. } => spec_int(expr).and_then(i64::checked_neg),
        spec::Expr::Function { name, args, .. } if name == "positive" && args.len() == 1 => spec_int(&args[0]),
        _ => None,
    }
}

/// The function part of a window expression's name.
fn function_name(function: &spec::Expr, r: &dyn Fn(&spec::Expr) -> String) -> String {
    let spec::Expr::Function { name, args, distinct, .. } = function else {
        return r(function);
    };
    let lower = name.to_ascii_lowercase();
    if let Some(s) = ranking_sql(&lower) {
        return s.to_string();
    }
    match (lower.as_str(), args.as_slice()) {
        ("lag" | "lead", [input, rest @ ..]) => {
            let offset = rest.first().map(r).unwrap_or_else(|| "1".into());
            let default = rest.get(1).map(r).unwrap_or_else(|| "NULL".into());
            format!("{lower}({}, {offset}, {default})", r(input))
        }
        // the IGNORE NULLS flag is no argument of the expression Spark names
        ("nth_value", [input, n, ..]) => format!("nth_value({}, {})", r(input), r(n)),
        ("first" | "first_value" | "last" | "last_value" | "any_value", [input, _]) if !*distinct => {
            format!("{lower}({})", r(input))
        }
        _ => r(function),
    }
}

fn bound_sql(b: &spec::FrameBound, r: &dyn Fn(&spec::Expr) -> String) -> String {
    match b {
        spec::FrameBound::UnboundedPreceding => "UNBOUNDED PRECEDING".into(),
        spec::FrameBound::UnboundedFollowing => "UNBOUNDED FOLLOWING".into(),
        spec::FrameBound::CurrentRow => "CURRENT ROW".into(),
        spec::FrameBound::Preceding(e) => format!("{} PRECEDING", r(e)),
        spec::FrameBound::Following(e) => format!("{} FOLLOWING", r(e)),
    }
}

/// A bound as Spark's frame errors show it: the value expression alone
/// (`n PRECEDING` is `(- n)`), or the keyword.
fn bound_param(b: &spec::FrameBound, r: &dyn Fn(&spec::Expr) -> String) -> String {
    quoted(&match b {
        spec::FrameBound::Preceding(e) => format!("(- {})", r(e)),
        spec::FrameBound::Following(e) => r(e),
        other => bound_sql(other, r),
    })
}

fn frame_sql(f: &spec::WindowFrame, r: &dyn Fn(&spec::Expr) -> String) -> String {
    let units = match f.units {
        FrameUnits::Rows => "ROWS",
        FrameUnits::Range => "RANGE",
    };
    format!("{units} BETWEEN {} AND {}", bound_sql(&f.start, r), bound_sql(&f.end, r))
}

/// The frame a window expression gets when none is written: the
/// function's own, else Spark's default.
fn effective_frame(function: &spec::Expr, has_order: bool, frame: Option<&spec::WindowFrame>) -> spec::WindowFrame {
    use spec::FrameBound as B;
    if let Some(f) = frame {
        return f.clone();
    }
    let rows = |start, end| spec::WindowFrame { units: FrameUnits::Rows, start, end };
    if let spec::Expr::Function { name, args, .. } = function {
        match name.to_ascii_lowercase().as_str() {
            "row_number" | "rank" | "dense_rank" | "percent_rank" | "ntile" => {
                return rows(B::UnboundedPreceding, B::CurrentRow)
            }
            "cume_dist" => {
                return spec::WindowFrame { units: FrameUnits::Range, start: B::UnboundedPreceding, end: B::CurrentRow }
            }
            "lag" | "lead" => {
                // Spark's frame of an offset function is `offset` rows, a
                // folded literal: `lag(x, 1)` has `-1 FOLLOWING`
                let n = args.get(1).map(spec_int).unwrap_or(Some(1));
                let n = n.map(|n| if name.eq_ignore_ascii_case("lag") { -n } else { n });
                let value = match n {
                    Some(n) => spec::Expr::lit(ScalarValue::Int64(Some(n))),
                    None => args.get(1).cloned().unwrap_or_else(|| spec::Expr::lit(ScalarValue::Int32(Some(1)))),
                };
                let b = || B::Following(Box::new(value.clone()));
                return rows(b(), b());
            }
            _ => {}
        }
    }
    if has_order {
        spec::WindowFrame { units: FrameUnits::Range, start: B::UnboundedPreceding, end: B::CurrentRow }
    } else {
        rows(B::UnboundedPreceding, B::UnboundedFollowing)
    }
}

fn spec_sql(
    function: &spec::Expr,
    partition_by: &[spec::Expr],
    order_by: &[SortExpr],
    frame: Option<&spec::WindowFrame>,
    r: &dyn Fn(&spec::Expr) -> String,
) -> String {
    let mut parts = Vec::new();
    if !partition_by.is_empty() {
        parts.push(format!("PARTITION BY {}", partition_by.iter().map(r).collect::<Vec<_>>().join(", ")));
    }
    if !order_by.is_empty() {
        let keys = order_by
            .iter()
            .map(|o| {
                let nulls_first = o.nulls_first.unwrap_or(o.ascending);
                format!(
                    "{} {} NULLS {}",
                    r(&o.expr),
                    if o.ascending { "ASC" } else { "DESC" },
                    if nulls_first { "FIRST" } else { "LAST" }
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        parts.push(format!("ORDER BY {keys}"));
    }
    parts.push(frame_sql(&effective_frame(function, !order_by.is_empty(), frame), r));
    format!("({})", parts.join(" "))
}

/// Spark's name of a window expression (`spec::Expr::Window`):
/// `sum(x) OVER (PARTITION BY k ORDER BY v ASC NULLS FIRST RANGE BETWEEN
/// UNBOUNDED PRECEDING AND CURRENT ROW)`.
pub fn window_name(e: &spec::Expr, column: &dyn Fn(&[String]) -> String) -> String {
    let spec::Expr::Window { function, partition_by, order_by, frame, .. } = e else {
        return pretty_name(e, column);
    };
    let r = |x: &spec::Expr| pretty_name(x, column);
    format!("{} OVER {}", function_name(function, &r), spec_sql(function, partition_by, order_by, frame.as_ref(), &r))
}

/// Whether the unresolved expression holds a window expression (outside subqueries).
pub(crate) fn spec_has_window(e: &spec::Expr) -> bool {
    matches!(e, spec::Expr::Window { .. }) || super::expr::child_exprs(e).into_iter().any(spec_has_window)
}

/// What the window function of a `spec::Expr::Window` is, before resolution.
enum Kind2 {
    Ranking(WindowFunction),
    Ntile,
    Offset { lag: bool },
    NthValue,
    Aggregate,
}

/// Aggregates Spark computes over the whole partition only (no ORDER BY,
/// no other frame): `INVALID_WINDOW_SPEC_FOR_AGGREGATION_FUNC`.
const WHOLE_PARTITION_ONLY: [&str; 3] = ["median", "percentile_cont", "percentile_disc"];

impl Analyzer<'_> {
    /// The expression whose pretty SQL is the output name of a select item:
    /// `e` itself, except that a RANGE bound Spark casts to the ORDER BY
    /// key's type is written as that cast shows (`n PRECEDING` becomes
    /// `(- n) FOLLOWING`: the cast hides the negation from the frame's SQL).
    pub(crate) fn naming_form(&self, e: &spec::Expr, scope: &Scope) -> spec::Expr {
        if !spec_has_window(e) {
            return e.clone();
        }
        let mut e = e.clone();
        self.mark_cast_bounds(&mut e, scope);
        e
    }

    fn mark_cast_bounds(&self, e: &mut spec::Expr, scope: &Scope) {
        use spec::Expr as S;
        match e {
            S::Window { order_by, frame: Some(frame), .. }
                if frame.units == FrameUnits::Range && order_by.len() == 1 =>
            {
                let key_type = match &order_by[0].expr {
                    S::Column { name, .. } => scope.resolve(name).ok().flatten().map(|a| a.data_type),
                    _ => None,
                };
                let Some(key_type) = key_type else { return };
                if !is_numeric(&key_type) {
                    return;
                }
                for b in [&mut frame.start, &mut frame.end] {
                    if let spec::FrameBound::Preceding(v) = b {
                        let bound_type = match v.as_ref() {
                            S::Literal { value, .. } => Some(value.data_type()),
                            _ => None,
                        };
                        if bound_type.is_some_and(|t| t != key_type) {
                            let inner = std::mem::replace(v.as_mut(), spec::Expr::lit(ScalarValue::Null));
                            *b = spec::FrameBound::Following(Box::new(S::Negative {
                                expr: Box::new(inner),
                                span: None,
                            }));
                        }
                    }
                }
            }
            S::Function { args, .. } => args.iter_mut().for_each(|a| self.mark_cast_bounds(a, scope)),
            S::Alias { expr, .. } | S::Not { expr, .. } | S::Negative { expr, .. } | S::Cast { expr, .. } => {
                self.mark_cast_bounds(expr, scope)
            }
            S::Binary { left, right, .. } => {
                self.mark_cast_bounds(left, scope);
                self.mark_cast_bounds(right, scope);
            }
            S::Case { operand, branches, else_expr, .. } => {
                if let Some(o) = operand {
                    self.mark_cast_bounds(o, scope);
                }
                for (w, t) in branches {
                    self.mark_cast_bounds(w, scope);
                    self.mark_cast_bounds(t, scope);
                }
                if let Some(x) = else_expr {
                    self.mark_cast_bounds(x, scope);
                }
            }
            _ => {}
        }
    }

    /// Resolves `function OVER (...)`.
    pub(crate) fn window_expr(&mut self, whole: &spec::Expr, cx: ExprCtx) -> Result<Expr> {
        let spec::Expr::Window { function, partition_by, order_by, frame, .. } = whole else {
            return Err(Error::internal("window_expr on a non-window expression"));
        };
        if cx.in_agg {
            return Err(Error::spark(
                "UNSUPPORTED_FEATURE",
                &[(
                    "feature",
                    "It is not allowed to use a window function inside an aggregate function. Please use the inner \
                     window function in a sub-query"
                        .into(),
                )],
            ));
        }
        let scope = cx.scope;
        let window_sql = self.sql_of(whole, scope);
        let spec::Expr::Function { name, args, distinct, .. } = function.as_ref() else {
            let sql = self.sql_of(function, scope);
            return Err(error(
                "UNSUPPORTED_EXPR_FOR_WINDOW",
                "42P20",
                &[("sqlExpr", quoted(&sql))],
                format!("Expression {} not supported within a window function.", quoted(&sql)),
            ));
        };
        let lower = name.to_ascii_lowercase();
        let kind = match lower.as_str() {
            "row_number" => Kind2::Ranking(WindowFunction::RowNumber),
            "rank" => Kind2::Ranking(WindowFunction::Rank),
            "dense_rank" => Kind2::Ranking(WindowFunction::DenseRank),
            "percent_rank" => Kind2::Ranking(WindowFunction::PercentRank),
            "cume_dist" => Kind2::Ranking(WindowFunction::CumeDist),
            "ntile" => Kind2::Ntile,
            "lag" => Kind2::Offset { lag: true },
            "lead" => Kind2::Offset { lag: false },
            "nth_value" => Kind2::NthValue,
            _ => {
                let def = functions::lookup(&lower).ok_or_else(|| functions::unresolved_routine(&lower))?;
                match def.kind {
                    Kind::Aggregate(_) | Kind::AggregateExpr => Kind2::Aggregate,
                    _ => {
                        let sql = self.sql_of(function, scope);
                        return Err(error(
                            "UNSUPPORTED_EXPR_FOR_WINDOW",
                            "42P20",
                            &[("sqlExpr", quoted(&sql))],
                            format!("Expression {} not supported within a window function.", quoted(&sql)),
                        ));
                    }
                }
            }
        };
        let arity = |min: usize, max: usize| -> Result<()> {
            let def =
                functions::FunctionDef { name: "", aliases: &[], min_args: min, max_args: max, kind: Kind::Special };
            functions::check_arity(&def, &lower, args.len())
        };
        let function_sql = self.sql_of(function, scope);
        let arg_sql: Vec<String> = args.iter().map(|a| self.sql_of(a, scope)).collect();
        let ccx = CallCtx { ansi: self.ansi, mode: self.mode(), sql: &function_sql, arg_sql: &arg_sql };
        let mut composite_parts: Option<Expr> = None;
        let func = match kind {
            Kind2::Ranking(f) => {
                arity(0, 0)?;
                f
            }
            Kind2::Ntile => {
                arity(1, 1)?;
                let n = self.expr(&args[0], cx)?;
                WindowFunction::Ntile(self.positive_constant(&n, "buckets", &ccx, 0)?)
            }
            Kind2::Offset { lag } => {
                arity(1, 4)?;
                let input = self.expr(&args[0], cx)?;
                let offset = match args.get(1) {
                    Some(a) => {
                        let o = self.expr(a, cx)?;
                        self.int_constant(&o, "offset", &ccx, 1)?
                    }
                    None => 1,
                };
                let t = input.data_type();
                let default = match args.get(2) {
                    Some(a) => {
                        let d = self.expr(a, cx)?;
                        let dt = d.data_type();
                        if dt != t && !matches!(dt, DataType::Null) && !can_cast(&dt, &t, self.ansi) {
                            return Err(functions::unexpected_input(&ccx, 2, &type_str(&t), &dt));
                        }
                        cast(d, &t, self.mode())
                    }
                    None => Expr::Literal(ScalarValue::null_of(&t)),
                };
                let ignore_nulls = match args.get(3) {
                    Some(a) => self.bool_constant(a, cx, &ccx, 3)?,
                    None => false,
                };
                let offset = if lag { offset.checked_neg().unwrap_or(i64::MAX) } else { offset };
                WindowFunction::Offset { input: Box::new(input), offset, default: Box::new(default), ignore_nulls, lag }
            }
            Kind2::NthValue => {
                arity(2, 3)?;
                let input = self.expr(&args[0], cx)?;
                let n = self.expr(&args[1], cx)?;
                let n = self.positive_constant(&n, "offset", &ccx, 1)?;
                let ignore_nulls = match args.get(2) {
                    Some(a) => self.bool_constant(a, cx, &ccx, 2)?,
                    None => false,
                };
                WindowFunction::NthValue { input: Box::new(input), n, ignore_nulls }
            }
            Kind2::Aggregate => {
                let def = functions::lookup(&lower).ok_or_else(|| functions::unresolved_routine(&lower))?;
                let is_count_star = def.name == "count"
                    && args.len() == 1
                    && matches!(args[0], spec::Expr::Star { qualifier: None, .. });
                let resolved = if is_count_star {
                    vec![]
                } else {
                    functions::check_arity(def, &lower, args.len())?;
                    args.iter().map(|a| self.expr(a, cx)).collect::<Result<Vec<_>>>()?
                };
                if *distinct {
                    return Err(error(
                        "DISTINCT_WINDOW_FUNCTION_UNSUPPORTED",
                        "0A000",
                        &[("windowExpr", quoted(&window_sql))],
                        format!("Distinct window functions are not supported: {}.", quoted(&window_sql)),
                    ));
                }
                match functions::aggregate(def, resolved, false, &lower, &ccx)? {
                    Expr::Aggregate(call) => {
                        if matches!(call.func, AggFunc::First | AggFunc::Last | AggFunc::AnyValue)
                            && call.args.len() == 2
                        {
                            // the ignore-nulls flag must be a constant
                            if !matches!(call.args[1], Expr::Literal(ScalarValue::Boolean(_))) {
                                return Err(functions::unexpected_input(
                                    &ccx,
                                    1,
                                    "\"BOOLEAN\"",
                                    &call.args[1].data_type(),
                                ));
                            }
                        }
                        WindowFunction::Aggregate(*call)
                    }
                    // an expression over aggregate calls (`median` is a function of
                    // `collect_list`): each call is windowed, the expression
                    // stays around them
                    composite => {
                        composite_parts = Some(composite);
                        WindowFunction::RowNumber
                    }
                }
            }
        };
        // the frame rules of an aggregate: those of any of its calls
        let func = match &composite_parts {
            Some(c) => {
                let mut call = None;
                c.walk(&mut |x| {
                    if let (Expr::Aggregate(a), None) = (x, &call) {
                        call = Some(a.as_ref().clone());
                    }
                });
                WindowFunction::Aggregate(call.ok_or_else(|| Error::internal("aggregate without a call"))?)
            }
            None => func,
        };
        let inner_windows = match &composite_parts {
            Some(c) => c.contains_window(),
            None => func.exprs().iter().any(|e| e.contains_window()),
        };
        if inner_windows {
            return Err(Error::not_implemented("a window function inside the arguments of a window function"));
        }
        let partition = partition_by.iter().map(|p| self.expr(p, cx)).collect::<Result<Vec<_>>>()?;
        let mut order = Vec::with_capacity(order_by.len());
        for o in order_by {
            let e = self.expr(&o.expr, cx)?;
            order.push(SortOrder {
                expr: e,
                ascending: o.ascending,
                nulls_first: o.nulls_first.unwrap_or(o.ascending),
            });
        }
        if partition.iter().chain(order.iter().map(|o| &o.expr)).any(|e| e.contains_window()) {
            return Err(Error::not_implemented("a window function inside a window specification"));
        }
        let frame = self.window_frame(function, &func, frame.as_ref(), partition_by, order_by, &order, scope)?;
        if WHOLE_PARTITION_ONLY.contains(&lower.as_str())
            && (!order.is_empty()
                || frame
                    != WindowFrame::new(
                        FrameUnits::Rows,
                        FrameBound::UnboundedPreceding,
                        FrameBound::UnboundedFollowing,
                    ))
        {
            let sql = self.sql_of(function, scope);
            return Err(error(
                "INVALID_WINDOW_SPEC_FOR_AGGREGATION_FUNC",
                "42601",
                &[("aggFunc", quoted(&sql))],
                format!("Cannot specify ORDER BY or a window frame for {}.", quoted(&sql)),
            ));
        }
        let Some(composite) = composite_parts else {
            return Ok(Expr::Window(Box::new(WindowExpr {
                function: func,
                partition_by: partition,
                order_by: order,
                frame,
            })));
        };
        composite.transform_up(&mut |x| match x {
            Expr::Aggregate(call) => Ok(Expr::Window(Box::new(WindowExpr {
                function: WindowFunction::Aggregate(*call),
                partition_by: partition.clone(),
                order_by: order.clone(),
                frame: frame.clone(),
            }))),
            other => Ok(other),
        })
    }

    /// An integer constant argument (`ntile(n)`, `lag(x, n)`).
    fn int_constant(&self, e: &Expr, name: &str, ccx: &CallCtx, index: usize) -> Result<i64> {
        let t = e.data_type();
        if !is_integral(&t) {
            return Err(functions::unexpected_input(ccx, index, "\"INT\"", &t));
        }
        super::fold::fold_to(e, &DataType::Int64).and_then(|v| v.as_i64()).ok_or_else(|| {
            error(
                "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT",
                "42K09",
                &[
                    ("sqlExpr", quoted(ccx.sql)),
                    ("inputName", format!("`{name}`")),
                    ("inputType", "\"INT\"".into()),
                    ("inputExpr", quoted(ccx.arg_sql.get(index).map(|s| s.as_str()).unwrap_or(""))),
                ],
                format!(
                    "Cannot resolve {} due to data type mismatch: the input `{name}` should be a foldable \"INT\" expression.",
                    quoted(ccx.sql)
                ),
            )
        })
    }

    /// An integer constant argument that must be positive.
    fn positive_constant(&self, e: &Expr, name: &str, ccx: &CallCtx, index: usize) -> Result<i64> {
        let n = self.int_constant(e, name, ccx, index)?;
        if n <= 0 || n > i32::MAX as i64 {
            return Err(error(
                "DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE",
                "42K09",
                &[
                    ("sqlExpr", quoted(ccx.sql)),
                    ("exprName", format!("`{name}`")),
                    ("valueRange", format!("(0, {}]", i32::MAX)),
                    ("currentValue", n.to_string()),
                ],
                format!(
                    "Cannot resolve {} due to data type mismatch: the `{name}` must be between (0, {}] (current value = {n}).",
                    quoted(ccx.sql),
                    i32::MAX
                ),
            ));
        }
        Ok(n)
    }

    /// The IGNORE NULLS flag argument: a boolean constant.
    fn bool_constant(&mut self, a: &spec::Expr, cx: ExprCtx, ccx: &CallCtx, index: usize) -> Result<bool> {
        match self.expr(a, cx)? {
            Expr::Literal(ScalarValue::Boolean(Some(b))) => Ok(b),
            other => Err(functions::unexpected_input(ccx, index, "\"BOOLEAN\"", &other.data_type())),
        }
    }

    /// The resolved frame of a window expression, with Spark's checks.
    #[allow(clippy::too_many_arguments)]
    fn window_frame(
        &mut self,
        function: &spec::Expr,
        func: &WindowFunction,
        frame: Option<&spec::WindowFrame>,
        partition_by: &[spec::Expr],
        order_by: &[SortExpr],
        order: &[SortOrder],
        scope: &Scope,
    ) -> Result<WindowFrame> {
        use spec::FrameBound as B;
        let f = effective_frame(function, !order.is_empty(), frame);
        // the texts of messages, before anything borrows `self` mutably
        let (function_sql, fsql, spec_text, bound_params, given) = {
            let r = |x: &spec::Expr| self.sql_of(x, scope);
            let given = frame.map(|g| (frame_sql(g, &r), frame_sql(&effective_frame(function, true, None), &r)));
            (
                function_name(function, &r),
                frame_sql(&f, &r),
                spec_sql(function, partition_by, order_by, frame, &r),
                (bound_param(&f.start, &r), bound_param(&f.end, &r)),
                given,
            )
        };
        let wf_name = match function {
            spec::Expr::Function { name, .. } => name.to_ascii_lowercase(),
            _ => String::new(),
        };
        let window_only = !matches!(func, WindowFunction::Aggregate(_));
        // an explicit frame must be the function's own
        if let Some(f) = frame {
            match func {
                WindowFunction::Offset { .. } => {
                    return Err(error(
                        "_LEGACY_ERROR_TEMP_1035",
                        "42000",
                        &[("prettyName", wf_name.clone())],
                        format!("Cannot specify window frame for {wf_name} function."),
                    ))
                }
                WindowFunction::Aggregate(_) | WindowFunction::NthValue { .. } => {}
                _ => {
                    let required = effective_frame(function, true, None);
                    let same = f.units == required.units
                        && matches!((&f.start, &required.start), (B::UnboundedPreceding, B::UnboundedPreceding))
                        && matches!((&f.end, &required.end), (B::CurrentRow, B::CurrentRow));
                    if !same {
                        let (wf, req) = given.clone().unwrap_or_default();
                        return Err(error(
                            "_LEGACY_ERROR_TEMP_1036",
                            "42000",
                            &[("wf", wf.clone()), ("required", req.clone())],
                            format!("Window Frame {wf} must match the required frame {req}."),
                        ));
                    }
                }
            }
        }
        if window_only && order.is_empty() {
            return Err(error(
                "WINDOW_FUNCTION_FRAME_NOT_ORDERED",
                "42601",
                &[("wf_name", wf_name.clone()), ("wf_expr", function_sql.clone())],
                format!("Window function {wf_name} requires the window to be ordered."),
            ));
        }
        if let WindowFunction::Offset { offset, .. } = func {
            return Ok(WindowFrame::new(FrameUnits::Rows, FrameBound::Rows(*offset), FrameBound::Rows(*offset)));
        }
        // the bound values, resolved as constants
        let empty = Scope::new(vec![], self.case_sensitive);
        let mut values: Vec<Option<Expr>> = Vec::with_capacity(2);
        for (b, location) in [(&f.start, "lower"), (&f.end, "upper")] {
            let v = match b {
                B::Preceding(e) => {
                    let neg = spec::Expr::Negative { expr: e.clone(), span: None };
                    Some(self.expr(&neg, ExprCtx::new(&empty))?)
                }
                B::Following(e) => Some(self.expr(e, ExprCtx::new(&empty))?),
                _ => None,
            };
            if let Some(v) = &v {
                let t = v.data_type();
                let accepted = match f.units {
                    FrameUnits::Rows => t == DataType::Int32,
                    FrameUnits::Range => {
                        // numeric keys cast the bound to their type first
                        let cast_to_key = order.len() == 1 && is_numeric(&order[0].expr.data_type());
                        is_numeric(&t)
                            || is_interval(&t)
                            || (cast_to_key && can_cast(&t, &order[0].expr.data_type(), self.ansi))
                    }
                };
                if !accepted {
                    let expected = match f.units {
                        FrameUnits::Rows => "\"INT\"".to_string(),
                        FrameUnits::Range => {
                            "(\"NUMERIC\" or \"INTERVAL DAY TO SECOND\" or \"INTERVAL YEAR TO MONTH\" or \"INTERVAL\")"
                                .to_string()
                        }
                    };
                    return Err(frame_type_error(
                        "SPECIFIED_WINDOW_FRAME_UNACCEPTED_TYPE",
                        &fsql,
                        &[("location", location.into()), ("exprType", type_str(&t)), ("expectedType", expected.clone())],
                        &format!(
                            "The data type of the {location} bound {} does not match the expected data type {expected}.",
                            type_str(&t)
                        ),
                    ));
                }
            }
            values.push(v);
        }
        if matches!(f.start, B::UnboundedFollowing) || matches!(f.end, B::UnboundedPreceding) {
            let (lower, upper) = bound_params;
            return Err(frame_type_error(
                "SPECIFIED_WINDOW_FRAME_INVALID_BOUND",
                &fsql,
                &[("lower", lower.clone()), ("upper", upper.clone())],
                &format!("Window frame upper bound {upper} does not follow the lower bound {lower}."),
            ));
        }
        if let (Some(Some(l)), Some(Some(u))) = (values.first(), values.get(1)) {
            if let (Some(a), Some(b)) = (numeric_value(l), numeric_value(u)) {
                if a > b {
                    return Err(frame_type_error(
                        "SPECIFIED_WINDOW_FRAME_WRONG_COMPARISON",
                        &fsql,
                        &[("comparison", "less than or equal".into())],
                        "The lower bound of a window frame must be less than or equal to the upper bound.",
                    ));
                }
            }
        }
        let has_value = values.iter().any(|v| v.is_some());
        if f.units == FrameUnits::Range {
            let unbounded = matches!(f.start, B::UnboundedPreceding) && matches!(f.end, B::UnboundedFollowing);
            if !unbounded && order.is_empty() {
                return Err(frame_type_error(
                    "RANGE_FRAME_WITHOUT_ORDER",
                    &spec_text,
                    &[],
                    "A range window frame cannot be used in an unordered window specification.",
                ));
            }
            if has_value && order.len() > 1 {
                let keys = order
                    .iter()
                    .map(|o| {
                        format!(
                            "{} {} NULLS {}",
                            o.expr,
                            if o.ascending { "ASC" } else { "DESC" },
                            if o.nulls_first { "FIRST" } else { "LAST" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(",");
                return Err(frame_type_error(
                    "RANGE_FRAME_MULTI_ORDER",
                    &spec_text,
                    &[("orderSpec", keys.clone())],
                    &format!("A range window frame with value boundaries cannot be used in a window specification with multiple order by expressions: {keys}."),
                ));
            }
        }
        let mut bounds = Vec::with_capacity(2);
        for (b, v) in [&f.start, &f.end].into_iter().zip(values) {
            bounds.push(match (b, v) {
                (B::UnboundedPreceding, _) => FrameBound::UnboundedPreceding,
                (B::UnboundedFollowing, _) => FrameBound::UnboundedFollowing,
                (B::CurrentRow, _) => FrameBound::CurrentRow,
                (_, None) => return Err(Error::internal("frame bound without a value")),
                (_, Some(v)) => match f.units {
                    FrameUnits::Rows => {
                        let n =
                            super::fold::fold_to(&v, &DataType::Int64).and_then(|x| x.as_i64()).ok_or_else(|| {
                                Error::not_implemented("a ROWS frame bound that is not an integer literal")
                            })?;
                        FrameBound::Rows(n)
                    }
                    FrameUnits::Range => self.range_bound(v, &order[0], &spec_text)?,
                },
            });
        }
        let end = bounds.pop().ok_or_else(|| Error::internal("frame end"))?;
        let start = bounds.pop().ok_or_else(|| Error::internal("frame start"))?;
        Ok(WindowFrame::new(f.units, start, end))
    }

    /// A RANGE bound with a value: the key moved by the (signed) offset.
    fn range_bound(&self, offset: Expr, key: &SortOrder, spec_text: &str) -> Result<FrameBound> {
        let kt = key.expr.data_type();
        let ot = offset.data_type();
        const MICROS_PER_DAY: i64 = 86_400_000_000;
        let valid = match (&kt, &ot) {
            // a date moves by days: integers, year-month intervals, whole days
            (DataType::Date32, DataType::Duration(_)) => {
                matches!(&offset, Expr::Literal(ScalarValue::IntervalDayTime(Some(us))) if us % MICROS_PER_DAY == 0)
            }
            (DataType::Date32, t) => {
                matches!(t, DataType::Int32) || matches!(t, DataType::Interval(arrow_schema::IntervalUnit::YearMonth))
            }
            (DataType::Timestamp(..), t) => is_interval(t),
            (k, _) => is_numeric(k),
        };
        if !valid {
            return Err(frame_type_error(
                "RANGE_FRAME_INVALID_TYPE",
                spec_text,
                &[("orderSpecType", type_str(&kt)), ("valueBoundaryType", type_str(&ot))],
                &format!(
                    "The data type {} used in the order specification does not support the data type {} which is used in the range frame.",
                    type_str(&kt),
                    type_str(&ot)
                ),
            ));
        }
        let offset = if is_numeric(&kt) { cast(offset, &kt, self.mode()) } else { offset };
        let shown = super::fold::fold_to(&offset, &offset.data_type()).unwrap_or(ScalarValue::Null);
        // a descending key moves the other way
        let op = if key.ascending { ember_core::expr::BinaryOp::Plus } else { ember_core::expr::BinaryOp::Minus };
        let sql = format!("{} {} {}", key.expr, op.symbol(), shown);
        let value = self.binary(op, key.expr.clone(), offset, &sql, EvalMode::Ansi)?;
        Ok(FrameBound::Range { offset: shown, value: Box::new(value) })
    }
}

/// A numeric constant as f64, to compare frame bounds.
fn numeric_value(e: &Expr) -> Option<f64> {
    let v = super::fold::fold_to(e, &DataType::Float64)?;
    match v {
        ScalarValue::Float64(Some(x)) => Some(x),
        _ => None,
    }
}

/// Moves the window expressions of every projection at the top of `plan`
/// (through the Sort and Filter nodes a SELECT puts there) into `Window`
/// nodes below it; a filter with a window expression is an error.
pub(crate) fn extract_windows(plan: LogicalPlan) -> Result<LogicalPlan> {
    match plan {
        LogicalPlan::Project { input, exprs } => {
            let input = extract_windows(*input)?;
            if !exprs.iter().any(|e| e.contains_window()) {
                return Ok(LogicalPlan::Project { input: Box::new(input), exprs });
            }
            let mut windows: Vec<(Expr, Attribute)> = Vec::new();
            let exprs = exprs.into_iter().map(|e| replace_windows(e, &mut windows)).collect::<Result<Vec<_>>>()?;
            Ok(LogicalPlan::Project { input: Box::new(window_nodes(input, windows)), exprs })
        }
        LogicalPlan::Sort { input, order, fetch } => {
            if order.iter().any(|o| o.expr.contains_window()) {
                return Err(Error::not_implemented("a window function in ORDER BY that is not selected"));
            }
            Ok(LogicalPlan::Sort { input: Box::new(extract_windows(*input)?), order, fetch })
        }
        LogicalPlan::Filter { input, predicate } => {
            if predicate.contains_window() {
                return Err(not_allowed_in_where());
            }
            Ok(LogicalPlan::Filter { input: Box::new(extract_windows(*input)?), predicate })
        }
        other => Ok(other),
    }
}

/// Replaces each window expression of `e` by the attribute of its entry in
/// `windows` (added when new).
fn replace_windows(e: Expr, windows: &mut Vec<(Expr, Attribute)>) -> Result<Expr> {
    e.transform_down(&mut |x| match x {
        Expr::Window(_) => {
            if let Some((_, a)) = windows.iter().find(|(w, _)| *w == x) {
                return Ok((Expr::Column(a.clone()), false));
            }
            let item = x.clone().alias(x.sql_name());
            let attr = item.to_attribute();
            windows.push((x, attr.clone()));
            Ok((Expr::Column(attr), false))
        }
        other => Ok((other, true)),
    })
}

/// Stacks one `Window` node per distinct (PARTITION BY, ORDER BY) over `input`.
fn window_nodes(input: LogicalPlan, windows: Vec<(Expr, Attribute)>) -> LogicalPlan {
    let mut groups: Vec<(Vec<Expr>, Vec<SortOrder>, Vec<Expr>)> = Vec::new();
    for (w, attr) in windows {
        let Expr::Window(we) = &w else { continue };
        let item = Expr::Alias { expr: Box::new(w.clone()), name: attr.name.clone(), id: attr.id };
        match groups.iter_mut().find(|(p, o, _)| *p == we.partition_by && *o == we.order_by) {
            Some((_, _, items)) => items.push(item),
            None => groups.push((we.partition_by.clone(), we.order_by.clone(), vec![item])),
        }
    }
    groups.into_iter().fold(input, |plan, (partition_by, order_by, window_exprs)| LogicalPlan::Window {
        input: Box::new(plan),
        window_exprs,
        partition_by,
        order_by,
    })
}
