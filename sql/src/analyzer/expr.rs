//! Expression resolution: names to attributes (current scope, select-list
//! aliases where Spark allows them, then enclosing queries as outer
//! references), functions through the registry, and Spark's coercion of
//! operators (comparisons, arithmetic with `DecimalPrecision`, datetime
//! arithmetic, CASE / IN / BETWEEN).

use arrow_schema::{DataType, Field, Fields};
use ember_core::error::{quote_ident, quote_ident_path};
use ember_core::expr::BinaryOp;
use ember_core::spec::{self, CastMode, LikeKind};
use ember_core::types::{
    day_time_interval_type, is_datetime, is_decimal, is_floating, is_integral, is_interval, is_numeric, is_string,
    spark_sql_type_name, timestamp_type,
};
use ember_core::{Error, EvalMode, Expr, Result, ScalarValue, Span};

use super::coercion::{can_cast, can_implicit_cast, cast, comparison_type, tightest_common, wider_common};
use super::decimal::{arithmetic_result, decimal_for_operand, precision_scale, wider_decimal};
use super::functions::{self, CallCtx, Kind};
use super::names::pretty_name;
use super::scope::Scope;
use super::Analyzer;

/// Where aggregate functions may appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggPolicy {
    Allow,
    Where,
    GroupBy,
    Elsewhere,
}

/// What an expression is resolved against.
#[derive(Clone, Copy)]
pub struct ExprCtx<'s> {
    pub scope: &'s Scope,
    /// Select-list aliases usable by name (GROUP BY, HAVING, ORDER BY).
    pub aliases: &'s [(String, Expr)],
    pub agg: AggPolicy,
    /// Inside an aggregate function's arguments.
    pub in_agg: bool,
}

impl<'s> ExprCtx<'s> {
    pub fn new(scope: &'s Scope) -> ExprCtx<'s> {
        ExprCtx { scope, aliases: &[], agg: AggPolicy::Elsewhere, in_agg: false }
    }

    pub fn with_agg(mut self, agg: AggPolicy) -> Self {
        self.agg = agg;
        self
    }

    pub fn with_aliases(mut self, aliases: &'s [(String, Expr)]) -> Self {
        self.aliases = aliases;
        self
    }
}

pub fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

pub fn type_str(t: &DataType) -> String {
    quoted(&spark_sql_type_name(t))
}

/// Whether the unresolved expression calls an aggregate function (outside subqueries).
pub fn spec_has_aggregate(e: &spec::Expr) -> bool {
    use spec::Expr as S;
    match e {
        S::Function { name, .. } if functions::is_aggregate(name) => true,
        // a window's own function runs over the window, not as a grouping
        // aggregate; its arguments and specification may hold aggregates
        // (`sum(sum(x)) OVER (PARTITION BY k)`)
        S::Window { function, partition_by, order_by, .. } => {
            child_exprs(function).into_iter().any(spec_has_aggregate)
                || partition_by.iter().any(spec_has_aggregate)
                || order_by.iter().any(|o| spec_has_aggregate(&o.expr))
        }
        _ => child_exprs(e).into_iter().any(spec_has_aggregate),
    }
}

/// The front end's spec function for Spark's `UnresolvedExtractValue`
/// (`frontend/expr.rs`, `connect/src/lower/expr.rs` build it).
const EXTRACT_VALUE: &str = "__extract_value";

/// Connect's `withField` and `dropFields` (`connect/src/lower/expr.rs`).
const WITH_FIELD: &str = "__with_field";
const DROP_FIELD: &str = "__drop_field";

/// A dotted field path of withField / dropFields (`a.b`, `` `a.b`.c ``).
fn field_path(p: &str) -> Vec<String> {
    let mut parts = vec![];
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' if quoted && chars.peek() == Some(&'`') => {
                chars.next();
                cur.push('`');
            }
            '`' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    parts.push(cur);
    parts
}

/// The registry function of a shift operator the front end keeps by its
/// symbol (`a << b`).
fn shift_function(name: &str) -> Option<&'static str> {
    match name {
        "<<" => Some("shiftleft"),
        ">>" => Some("shiftright"),
        ">>>" => Some("shiftrightunsigned"),
        _ => None,
    }
}

/// The direct child expressions of `e` (not those inside subqueries).
pub(crate) fn child_exprs(e: &spec::Expr) -> Vec<&spec::Expr> {
    use spec::Expr as S;
    match e {
        S::Alias { expr, .. }
        | S::Not { expr, .. }
        | S::Negative { expr, .. }
        | S::IsNull { expr, .. }
        | S::IsBool { expr, .. }
        | S::Cast { expr, .. }
        | S::InSubquery { expr, .. }
        | S::Extract { expr, .. } => vec![expr],
        S::Lambda { body, .. } => vec![body],
        S::Function { args, .. } => args.iter().collect(),
        S::Binary { left, right, .. } => vec![left, right],
        S::Like { expr, pattern, .. } => vec![expr, pattern],
        S::Between { expr, low, high, .. } => vec![expr, low, high],
        S::InList { expr, list, .. } => std::iter::once(expr.as_ref()).chain(list).collect(),
        S::Case { operand, branches, else_expr, .. } => operand
            .as_deref()
            .into_iter()
            .chain(branches.iter().flat_map(|(w, t)| [w, t]))
            .chain(else_expr.as_deref())
            .collect(),
        S::Window { function, partition_by, order_by, .. } => {
            std::iter::once(function.as_ref()).chain(partition_by).chain(order_by.iter().map(|o| &o.expr)).collect()
        }
        S::Column { .. }
        | S::Star { .. }
        | S::Literal { .. }
        | S::Exists { .. }
        | S::ScalarSubquery { .. }
        | S::Parameter { .. } => vec![],
    }
}

/// `e` with `f` applied to its direct child expressions (subquery plans
/// are left alone).
fn map_children(e: &spec::Expr, f: &mut dyn FnMut(&spec::Expr) -> spec::Expr) -> spec::Expr {
    use spec::Expr as S;
    let mut bx = |x: &spec::Expr| Box::new(f(x));
    match e {
        S::Alias { expr, name } => S::Alias { expr: bx(expr), name: name.clone() },
        S::Function { name, args, distinct, span } => S::Function {
            name: name.clone(),
            args: args.iter().map(&mut *f).collect(),
            distinct: *distinct,
            span: *span,
        },
        S::Binary { op, left, right, span } => {
            let left = bx(left);
            S::Binary { op: *op, left, right: bx(right), span: *span }
        }
        S::Not { expr, span } => S::Not { expr: bx(expr), span: *span },
        S::Negative { expr, span } => S::Negative { expr: bx(expr), span: *span },
        S::IsNull { expr, negated } => S::IsNull { expr: bx(expr), negated: *negated },
        S::IsBool { expr, value, negated } => S::IsBool { expr: bx(expr), value: *value, negated: *negated },
        S::Cast { expr, to, mode, span } => S::Cast { expr: bx(expr), to: to.clone(), mode: *mode, span: *span },
        S::Case { operand, branches, else_expr, span } => S::Case {
            operand: operand.as_deref().map(&mut bx),
            branches: branches.iter().map(|(w, t)| (f(w), f(t))).collect(),
            else_expr: else_expr.as_deref().map(|x| Box::new(f(x))),
            span: *span,
        },
        S::Between { expr, low, high, negated } => {
            let expr = bx(expr);
            let low = bx(low);
            S::Between { expr, low, high: bx(high), negated: *negated }
        }
        S::InList { expr, list, negated } => {
            let expr = bx(expr);
            S::InList { expr, list: list.iter().map(&mut *f).collect(), negated: *negated }
        }
        S::InSubquery { expr, subquery, negated, span } => {
            S::InSubquery { expr: bx(expr), subquery: subquery.clone(), negated: *negated, span: *span }
        }
        S::Like { expr, pattern, negated, kind, escape } => {
            let expr = bx(expr);
            S::Like { expr, pattern: bx(pattern), negated: *negated, kind: *kind, escape: *escape }
        }
        S::Extract { field, expr, span } => S::Extract { field: field.clone(), expr: bx(expr), span: *span },
        S::Lambda { params, body, span } => S::Lambda { params: params.clone(), body: bx(body), span: *span },
        S::Window { function, partition_by, order_by, frame, span } => S::Window {
            function: bx(function),
            partition_by: partition_by.iter().map(&mut *f).collect(),
            order_by: order_by
                .iter()
                .map(|o| spec::SortExpr { expr: f(&o.expr), ascending: o.ascending, nulls_first: o.nulls_first })
                .collect(),
            frame: frame.clone(),
            span: *span,
        },
        S::Column { .. }
        | S::Star { .. }
        | S::Literal { .. }
        | S::Exists { .. }
        | S::ScalarSubquery { .. }
        | S::Parameter { .. } => e.clone(),
    }
}

/// An integer literal used as a position (`GROUP BY 1`, `ORDER BY 2`).
pub fn ordinal_of(e: &spec::Expr) -> Option<i64> {
    match e {
        spec::Expr::Literal { value, .. } => match value {
            ScalarValue::Int8(_) | ScalarValue::Int16(_) | ScalarValue::Int32(_) | ScalarValue::Int64(_) => {
                value.as_i64()
            }
            _ => None,
        },
        _ => None,
    }
}

impl Analyzer<'_> {
    /// Spark's pretty SQL of an unresolved expression, with columns named as
    /// the attributes they resolve to.
    pub(crate) fn sql_of(&self, e: &spec::Expr, scope: &Scope) -> String {
        self.sql_at(e, scope, true)
    }

    /// `sql_of`, for `e` alone (`root`) or inside another expression.
    fn sql_at(&self, e: &spec::Expr, scope: &Scope, root: bool) -> String {
        // the front end's own nodes (field access, shift operators) are
        // named here: their names depend on the types of their children
        let renamed;
        let e = if self.has_named_node(e, scope, root) {
            renamed = self.name_nodes(e, scope, root);
            &renamed
        } else {
            e
        };
        let outer = &self.outer;
        pretty_name(e, &|parts: &[String]| {
            if let Ok(Some(a)) = scope.resolve(parts) {
                return a.name;
            }
            for s in outer.iter().rev() {
                if let Ok(Some(a)) = s.resolve(parts) {
                    return a.name;
                }
            }
            parts.last().cloned().unwrap_or_default()
        })
    }

    fn resolve_column(&self, name: &[String], span: Option<Span>, cx: ExprCtx) -> Result<Expr> {
        // lambda variables shadow columns
        if let Some(v) = self.lambda_variable(name, span)? {
            return Ok(v);
        }
        if let Some(a) = cx.scope.resolve(name).map_err(|e| e.with_span(span))? {
            return Ok(Expr::Column(a));
        }
        if let Some(e) = self.struct_field_access(name, cx)? {
            return Ok(e);
        }
        if name.len() == 1 {
            if let Some((_, e)) = cx.aliases.iter().find(|(n, _)| cx.scope.name_eq(n, &name[0])) {
                return Ok(e.clone());
            }
        }
        for s in self.outer.iter().rev() {
            if let Some(a) = s.resolve(name).map_err(|e| e.with_span(span))? {
                return Ok(Expr::OuterColumn(a));
            }
        }
        let suggestions = cx.scope.suggestions(name);
        let err = if name.len() == 1 {
            Error::unresolved_column(&name[0], &suggestions)
        } else {
            // a qualified name is shown part by part: `t`.`x`
            let shown = name.iter().map(|p| quote_ident(p)).collect::<Vec<_>>().join(".");
            if suggestions.is_empty() {
                Error::spark("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", &[("objectName", shown)])
            } else {
                let proposal = suggestions.iter().map(|s| quote_ident_path(s)).collect::<Vec<_>>().join(", ");
                Error::spark("UNRESOLVED_COLUMN.WITH_SUGGESTION", &[("objectName", shown), ("proposal", proposal)])
            }
        };
        Err(err.with_span(span))
    }

    /// `s.f` (and `t.s.f`): a column of struct type followed by field names.
    fn struct_field_access(&self, name: &[String], cx: ExprCtx) -> Result<Option<Expr>> {
        for k in (1..name.len()).rev() {
            let Ok(Some(a)) = cx.scope.resolve(&name[..k]) else { continue };
            if !matches!(a.data_type, DataType::Struct(_)) {
                continue;
            }
            let ccx = CallCtx { ansi: self.ansi, mode: self.mode(), sql: "", arg_sql: &[] };
            let mut e = Expr::Column(a);
            for field in &name[k..] {
                e = functions::struct_field(e, field, &ccx)?;
            }
            return Ok(Some(e));
        }
        Ok(None)
    }

    /// Resolves an expression.
    pub(crate) fn expr(&mut self, e: &spec::Expr, cx: ExprCtx) -> Result<Expr> {
        use spec::Expr as S;
        let span = e.span();
        let r = match e {
            S::Column { name, span } => self.resolve_column(name, *span, cx),
            S::Star { span, .. } => Err(Error::spark(
                "INVALID_USAGE_OF_STAR_OR_REGEX",
                &[("elem", "'*'".into()), ("prettyName", "expression".into())],
            )
            .with_span(*span)),
            S::Literal { value, .. } => Ok(Expr::Literal(value.clone())),
            S::Alias { expr, .. } => self.expr(expr, cx),
            S::Function { name, args, span, .. } if name == EXTRACT_VALUE && args.len() == 2 => {
                self.extract_value(e, &args[0], &args[1], cx).map_err(|x| x.with_span(*span))
            }
            S::Function { name, args, span, .. }
                if (name == WITH_FIELD && args.len() == 3) || (name == DROP_FIELD && args.len() == 2) =>
            {
                self.update_fields(args, cx).map_err(|x| x.with_span(*span))
            }
            S::Function { name, args, distinct, span } if shift_function(name).is_some() => {
                let f = shift_function(name).unwrap_or_default();
                self.function(e, f, args, *distinct, cx).map_err(|x| x.with_span(*span))
            }
            S::Function { name, args, distinct: false, span } if name.eq_ignore_ascii_case("struct") => {
                self.struct_call(args, cx).map_err(|x| x.with_span(*span))
            }
            S::Function { name, args, distinct, span } => {
                self.function(e, name, args, *distinct, cx).map_err(|x| x.with_span(*span))
            }
            S::Binary { op, left, right, .. } => {
                let l = self.expr(left, cx)?;
                let r = self.expr(right, cx)?;
                let sql = self.sql_of(e, cx.scope);
                self.binary(*op, l, r, &sql, EvalMode::Ansi)
            }
            S::Not { expr, .. } => {
                let x = self.expr(expr, cx)?;
                let x = self.boolean_operand(x, e, cx)?;
                Ok(Expr::Not(Box::new(x)))
            }
            S::Negative { expr, .. } => {
                let x = self.expr(expr, cx)?;
                self.negative(x, e, cx)
            }
            S::IsNull { expr, negated } => {
                let x = Box::new(self.expr(expr, cx)?);
                Ok(if *negated { Expr::IsNotNull(x) } else { Expr::IsNull(x) })
            }
            S::IsBool { expr, value, negated } => {
                let x = self.expr(expr, cx)?;
                match value {
                    None => Ok(if *negated { Expr::IsNotNull(Box::new(x)) } else { Expr::IsNull(Box::new(x)) }),
                    Some(b) => {
                        let x = self.boolean_operand(x, e, cx)?;
                        let eq = Expr::Binary {
                            op: BinaryOp::EqNullSafe,
                            left: Box::new(x),
                            right: Box::new(Expr::Literal(ScalarValue::Boolean(Some(*b)))),
                            data_type: DataType::Boolean,
                            mode: self.mode(),
                        };
                        Ok(if *negated { Expr::Not(Box::new(eq)) } else { eq })
                    }
                }
            }
            S::Cast { expr, to, mode, .. } => {
                let x = self.expr(expr, cx)?;
                let from = x.data_type();
                if !can_cast(&from, to, self.ansi) {
                    return Err(functions::cast_error(&self.sql_of(e, cx.scope), &from, to).with_span(span));
                }
                let m = if *mode == CastMode::Try { EvalMode::Try } else { self.mode() };
                Ok(Expr::Cast { expr: Box::new(x), to: to.clone(), mode: m })
            }
            S::Case { operand, branches, else_expr, .. } => {
                self.case(e, operand.as_deref(), branches, else_expr.as_deref(), cx)
            }
            S::Between { expr, low, high, negated } => {
                let x = self.expr(expr, cx)?;
                let lo = self.expr(low, cx)?;
                let hi = self.expr(high, cx)?;
                let sql = self.sql_of(e, cx.scope);
                let ge = self.binary(BinaryOp::GtEq, x.clone(), lo, &sql, EvalMode::Ansi)?;
                let le = self.binary(BinaryOp::LtEq, x, hi, &sql, EvalMode::Ansi)?;
                let both = Expr::and(ge, le);
                Ok(if *negated { Expr::Not(Box::new(both)) } else { both })
            }
            S::InList { expr, list, negated } => {
                let x = self.expr(expr, cx)?;
                let items = list.iter().map(|i| self.expr(i, cx)).collect::<Result<Vec<_>>>()?;
                // `(a, b) IN ((1, 2))`: Spark compares structs by position,
                // whatever their field names
                let items = items.into_iter().map(|i| self.rename_struct_like(i, &x.data_type())).collect::<Vec<_>>();
                let mut types = vec![x.data_type()];
                types.extend(items.iter().map(|i| i.data_type()));
                let Some(t) = wider_common(&types, self.ansi) else {
                    return Err(Error::spark(
                        "DATATYPE_MISMATCH.DATA_DIFF_TYPES",
                        &[
                            ("sqlExpr", quoted(&self.sql_of(e, cx.scope))),
                            ("functionName", "`in`".into()),
                            ("dataType", format!("[{}]", types.iter().map(type_str).collect::<Vec<_>>().join(", "))),
                        ],
                    )
                    .with_span(span));
                };
                let mode = self.mode();
                Ok(Expr::InList {
                    expr: Box::new(cast(x, &t, mode)),
                    list: items.into_iter().map(|i| cast(i, &t, mode)).collect(),
                    negated: *negated,
                })
            }
            S::InSubquery { expr, subquery, negated, span } => {
                self.in_subquery(e, expr, subquery, *negated, cx).map_err(|x| x.with_span(*span))
            }
            S::Exists { subquery, negated } => {
                let plan = self.subquery_plan(subquery, cx.scope)?;
                Ok(Expr::Exists { plan: Box::new(plan), negated: *negated })
            }
            S::ScalarSubquery { subquery, span } => self.scalar_subquery(subquery, cx).map_err(|x| x.with_span(*span)),
            S::Like { expr, pattern, negated, kind, escape } => {
                let x = self.expr(expr, cx)?;
                let p = self.expr(pattern, cx)?;
                let sql = self.sql_of(e, cx.scope);
                let names = [self.sql_of(expr, cx.scope), self.sql_of(pattern, cx.scope)];
                let ccx = CallCtx { ansi: self.ansi, mode: self.mode(), sql: &sql, arg_sql: &names };
                let mut args = Vec::new();
                for (i, a) in [x, p].into_iter().enumerate() {
                    let t = a.data_type();
                    if !(is_string(&t) || matches!(t, DataType::Null)) {
                        return Err(functions::unexpected_input(&ccx, i, "\"STRING\"", &t).with_span(span));
                    }
                    args.push(cast(a, &DataType::Utf8, self.mode()));
                }
                let p = args.pop().ok_or_else(|| Error::internal("like pattern"))?;
                let x = args.pop().ok_or_else(|| Error::internal("like input"))?;
                Ok(Expr::Like {
                    expr: Box::new(x),
                    pattern: Box::new(p),
                    negated: *negated,
                    case_insensitive: *kind == LikeKind::ILike,
                    regex: *kind == LikeKind::RLike,
                    escape: escape.unwrap_or('\\'),
                })
            }
            S::Extract { field, expr, .. } => {
                let x = self.expr(expr, cx)?;
                let sql = self.sql_of(e, cx.scope);
                let names = [self.sql_of(expr, cx.scope)];
                let ccx = CallCtx { ansi: self.ansi, mode: self.mode(), sql: &sql, arg_sql: &names };
                functions::extract_field(field, x, &ccx)
            }
            S::Parameter { name } => Err(Error::spark("UNBOUND_SQL_PARAMETER", &[("name", name.clone())])),
            S::Window { .. } => self.window_expr(e, cx),
            S::Lambda { .. } => Err(Error::spark_msg(
                "INVALID_LAMBDA_FUNCTION_CALL.NON_HIGHER_ORDER_FUNCTION",
                "42K0D",
                "Invalid lambda function call. A lambda function should only be used in a higher order function.",
            )),
        };
        r.map_err(|x| x.with_span(span))
    }

    /// Spark's `ExtractValue` by the child's type: a struct field
    /// (GetStructField), an array element (GetArrayItem, 0-based: an error
    /// past the end under ANSI, else NULL) or a map value (GetMapValue,
    /// NULL for a missing key).
    fn extract_value(&mut self, whole: &spec::Expr, child: &spec::Expr, key: &spec::Expr, cx: ExprCtx) -> Result<Expr> {
        let base = self.expr(child, cx)?;
        let k = self.expr(key, cx)?;
        let sql = self.sql_of(whole, cx.scope);
        let arg_sql = [self.sql_of(child, cx.scope), self.sql_of(key, cx.scope)];
        let ccx = CallCtx { ansi: self.ansi, mode: self.mode(), sql: &sql, arg_sql: &arg_sql };
        let field_name = match &k {
            Expr::Literal(ScalarValue::Utf8(Some(f))) => Some(f.clone()),
            _ => None,
        };
        match base.data_type() {
            DataType::Struct(_) => match field_name {
                Some(f) => functions::struct_field(base, &f, &ccx),
                None => Err(functions::spark_error(
                    "INVALID_EXTRACT_FIELD_TYPE",
                    "42000",
                    "Field name should be a non-null string literal, but it's <extraction>.",
                    &[("extraction", quoted(&arg_sql[1]))],
                )),
            },
            DataType::List(f) if field_name.is_some() && matches!(f.data_type(), DataType::Struct(_)) => {
                Err(Error::not_implemented("a field of an array of structs (GetArrayStructFields)"))
            }
            DataType::List(f) => {
                let index = match k.data_type() {
                    DataType::Int64 => k,
                    t if is_integral(&t) || matches!(t, DataType::Null) => cast(k, &DataType::Int32, self.mode()),
                    t if is_string(&t) && self.ansi => cast(k, &DataType::Int32, self.mode()),
                    t => return Err(functions::unexpected_input(&ccx, 1, "\"INTEGRAL\"", &t)),
                };
                // `get` is GetArrayItem; the mode decides past-the-end access
                Ok(Expr::ScalarFunction {
                    name: "get".into(),
                    args: vec![base, index],
                    data_type: f.data_type().clone(),
                    mode: self.mode(),
                })
            }
            DataType::Map(entries, _) => {
                let (key_type, value_type) = match entries.data_type() {
                    DataType::Struct(kv) if kv.len() == 2 => (kv[0].data_type().clone(), kv[1].data_type().clone()),
                    other => return Err(Error::internal(format!("map entries of type {other}"))),
                };
                let kt = k.data_type();
                if kt != key_type && !can_implicit_cast(&kt, &key_type, self.ansi) {
                    return Err(functions::unexpected_input(&ccx, 1, &type_str(&key_type), &kt));
                }
                let k = cast(k, &key_type, self.mode());
                // element_at on a map is GetMapValue: NULL for a missing key
                Ok(Expr::ScalarFunction {
                    name: "element_at".into(),
                    args: vec![base, k],
                    data_type: value_type,
                    mode: EvalMode::Legacy,
                })
            }
            other => Err(functions::spark_error(
                "INVALID_EXTRACT_BASE_FIELD_TYPE",
                "42000",
                "Can't extract a value from <base>. Need a complex type [STRUCT, ARRAY, MAP] but got <other>.",
                &[("base", quoted(&arg_sql[0])), ("other", type_str(&other))],
            )),
        }
    }

    /// Connect's `withField(path, value)` (args: struct, path, value) and
    /// `dropFields(path)` (args: struct, path): Spark's UpdateFields, a new
    /// struct (NULL where the input is NULL) with the field replaced (or
    /// appended) or dropped; a dotted path reaches into nested structs.
    fn update_fields(&mut self, args: &[spec::Expr], cx: ExprCtx) -> Result<Expr> {
        let base = self.expr(&args[0], cx)?;
        let path = match &args[1] {
            spec::Expr::Literal { value: ScalarValue::Utf8(Some(p)), .. } => field_path(p),
            _ => return Err(Error::internal("withField/dropFields take a field name")),
        };
        let value = match args.get(2) {
            Some(v) => Some(self.expr(v, cx)?),
            None => None,
        };
        let struct_sql = self.sql_of(&args[0], cx.scope);
        self.update_struct(base, &path, value, &struct_sql)
    }

    fn update_struct(&self, base: Expr, path: &[String], value: Option<Expr>, struct_sql: &str) -> Result<Expr> {
        let t = base.data_type();
        let DataType::Struct(fields) = &t else {
            let sql = format!("update_fields({struct_sql})");
            let arg_sql = [struct_sql.to_string()];
            let ccx = CallCtx { ansi: self.ansi, mode: self.mode(), sql: &sql, arg_sql: &arg_sql };
            return Err(functions::unexpected_input(&ccx, 0, "\"STRUCT\"", &t));
        };
        let Some((name, rest)) = path.split_first() else {
            return Err(Error::internal("an empty field path"));
        };
        let same = |f: &str| if self.case_sensitive { f == name } else { f.eq_ignore_ascii_case(name) };
        let ccx = CallCtx { ansi: self.ansi, mode: self.mode(), sql: "", arg_sql: &[] };
        // the new value of the named field: the given one, or the nested
        // struct updated further down the path
        let new_value = if rest.is_empty() {
            value
        } else {
            let inner = functions::struct_field(base.clone(), name, &ccx)?;
            Some(self.update_struct(inner, rest, value, &format!("{struct_sql}.{name}"))?)
        };
        let mut out_fields = Vec::new();
        let mut values = Vec::new();
        let mut replaced = false;
        for f in fields.iter() {
            if same(f.name()) {
                match &new_value {
                    Some(v) => {
                        out_fields.push(Field::new(f.name(), v.data_type(), true));
                        values.push(v.clone());
                        replaced = true;
                    }
                    None if rest.is_empty() => {}
                    None => return Err(Error::internal("a nested drop without a value")),
                }
                continue;
            }
            out_fields.push(f.as_ref().clone());
            values.push(functions::struct_field(base.clone(), f.name(), &ccx)?);
        }
        if let (false, Some(v)) = (replaced, &new_value) {
            out_fields.push(Field::new(name, v.data_type(), true));
            values.push(v.clone());
        }
        if out_fields.is_empty() {
            return Err(functions::spark_error(
                "DATATYPE_MISMATCH.CANNOT_DROP_ALL_FIELDS",
                "42K09",
                "Cannot resolve <sqlExpr> due to data type mismatch: Cannot drop all fields in struct.",
                &[("sqlExpr", quoted(&format!("update_fields({struct_sql}, dropfield())")))],
            ));
        }
        let out_type = DataType::Struct(Fields::from(out_fields));
        let rebuilt = Expr::ScalarFunction {
            name: "named_struct".into(),
            args: values,
            data_type: out_type.clone(),
            mode: self.mode(),
        };
        Ok(Expr::Case {
            branches: vec![(Expr::IsNull(Box::new(base)), Expr::Literal(ScalarValue::null_of(&out_type)))],
            else_expr: Some(Box::new(rebuilt)),
            data_type: out_type,
        })
    }

    /// `e` as a struct with the field names of `like` when both are structs
    /// of the same field types in the same order (NULL stays NULL);
    /// otherwise `e` unchanged.
    fn rename_struct_like(&self, e: Expr, like: &DataType) -> Expr {
        let t = e.data_type();
        let (DataType::Struct(have), DataType::Struct(want)) = (&t, like) else { return e };
        let same_shape = have.len() == want.len()
            && have.iter().zip(want.iter()).all(|(a, b)| a.data_type() == b.data_type())
            && have.iter().zip(want.iter()).any(|(a, b)| a.name() != b.name());
        if !same_shape {
            return e;
        }
        let ccx = CallCtx { ansi: self.ansi, mode: self.mode(), sql: "", arg_sql: &[] };
        let Ok(values) =
            have.iter().map(|f| functions::struct_field(e.clone(), f.name(), &ccx)).collect::<Result<Vec<_>>>()
        else {
            return e;
        };
        let rebuilt = Expr::ScalarFunction {
            name: "named_struct".into(),
            args: values,
            data_type: like.clone(),
            mode: self.mode(),
        };
        Expr::Case {
            branches: vec![(Expr::IsNull(Box::new(e)), Expr::Literal(ScalarValue::null_of(like)))],
            else_expr: Some(Box::new(rebuilt)),
            data_type: like.clone(),
        }
    }

    /// `struct(a, b AS n, t.*)`: CreateStruct. Fields are named by aliases,
    /// by the columns (and struct fields) they read, else `col1`, `col2`,
    /// ...; stars expand to the columns (or a struct's fields) they stand for.
    fn struct_call(&mut self, args: &[spec::Expr], cx: ExprCtx) -> Result<Expr> {
        let mut fields = Vec::new();
        let mut values = Vec::new();
        for a in args {
            match a {
                spec::Expr::Star { qualifier, span } => {
                    for (name, v) in self.expand_star_arg(qualifier.as_deref(), *span, cx)? {
                        fields.push(Field::new(name, v.data_type(), true));
                        values.push(v);
                    }
                }
                other => {
                    let v = self.expr(other, cx)?;
                    let name = match other {
                        spec::Expr::Alias { name, .. } => name.clone(),
                        _ => match &v {
                            Expr::Column(attr) | Expr::LambdaVariable(attr) => attr.name.clone(),
                            // GetStructField keeps the field's name
                            Expr::ScalarFunction { name, args, .. } if name == "get_field" => match args.get(1) {
                                Some(Expr::Literal(ScalarValue::Utf8(Some(f)))) => f.clone(),
                                _ => format!("col{}", values.len() + 1),
                            },
                            _ => format!("col{}", values.len() + 1),
                        },
                    };
                    fields.push(Field::new(name, v.data_type(), true));
                    values.push(v);
                }
            }
        }
        Ok(Expr::ScalarFunction {
            name: "named_struct".into(),
            args: values,
            data_type: DataType::Struct(Fields::from(fields)),
            mode: self.mode(),
        })
    }

    /// The columns a `*` or `q.*` function argument stands for, with their
    /// names; `s.*` of a struct column gives its fields.
    fn expand_star_arg(
        &mut self,
        qualifier: Option<&[String]>,
        span: Option<Span>,
        cx: ExprCtx,
    ) -> Result<Vec<(String, Expr)>> {
        if let Some(attrs) = cx.scope.expand_star(qualifier) {
            return Ok(attrs.into_iter().map(|a| (a.name.clone(), Expr::Column(a))).collect());
        }
        if let Some(q) = qualifier {
            let s = self.resolve_column(q, span, cx)?;
            if let DataType::Struct(fs) = s.data_type() {
                let ccx = CallCtx { ansi: self.ansi, mode: self.mode(), sql: "", arg_sql: &[] };
                return fs
                    .iter()
                    .map(|f| Ok((f.name().clone(), functions::struct_field(s.clone(), f.name(), &ccx)?)))
                    .collect();
            }
        }
        let target = qualifier.unwrap_or_default().iter().map(|p| quote_ident(p)).collect::<Vec<_>>().join(".");
        let columns = cx.scope.attrs.iter().map(|a| quote_ident(&a.name)).collect::<Vec<_>>().join(", ");
        Err(Error::spark("CANNOT_RESOLVE_STAR_EXPAND", &[("targetString", target), ("columns", columns)])
            .with_span(span))
    }

    /// `e` with the front end's own nodes replaced by aliases that carry
    /// Spark's names for them: `a[0]`, `m[k]`, `s.f`, `(a << 1)`.
    fn name_nodes(&self, e: &spec::Expr, scope: &Scope, root: bool) -> spec::Expr {
        use spec::Expr as S;
        let named = |name: String| S::Alias { expr: Box::new(e.clone()), name };
        match e {
            // inside an expression, `s.f` of a struct column is GetStructField,
            // shown `s.f` (alone it is named `f`)
            S::Column { name, .. } if !root => match self.struct_field_path(name, scope) {
                Some(path) => named(path),
                None => e.clone(),
            },
            // `struct(x AS n)` shows the aliases
            S::Function { name, args, distinct, span } if name.eq_ignore_ascii_case("struct") => S::Function {
                name: name.clone(),
                args: args
                    .iter()
                    .map(|a| match a {
                        S::Alias { expr, name } => {
                            S::Alias { expr: expr.clone(), name: format!("{} AS {name}", self.sql_nested(expr, scope)) }
                        }
                        other => self.name_nodes(other, scope, false),
                    })
                    .collect(),
                distinct: *distinct,
                span: *span,
            },
            S::Function { name, args, .. } if name == EXTRACT_VALUE && args.len() == 2 => {
                let child = self.sql_nested(&args[0], scope);
                let key = self.sql_nested(&args[1], scope);
                let string_key = matches!(&args[1], S::Literal { value: ScalarValue::Utf8(Some(_)), .. });
                let dotted = match self.probe_type(&args[0], scope) {
                    Some(DataType::Struct(_)) => true,
                    Some(DataType::List(f)) => string_key && matches!(f.data_type(), DataType::Struct(_)),
                    Some(_) => false,
                    None => string_key,
                };
                named(if dotted { format!("{child}.{key}") } else { format!("{child}[{key}]") })
            }
            S::Function { name, args, .. } if name == WITH_FIELD && args.len() == 3 => named(format!(
                "update_fields({}, WithField({}, {}))",
                self.sql_nested(&args[0], scope),
                self.sql_nested(&args[1], scope),
                self.sql_nested(&args[2], scope)
            )),
            S::Function { name, args, .. } if name == DROP_FIELD && args.len() == 2 => {
                named(format!("update_fields({}, dropfield())", self.sql_nested(&args[0], scope)))
            }
            S::Function { name, args, .. } if shift_function(name).is_some() && args.len() == 2 => {
                named(format!("({} {name} {})", self.sql_nested(&args[0], scope), self.sql_nested(&args[1], scope)))
            }
            _ => map_children(e, &mut |c| self.name_nodes(c, scope, false)),
        }
    }

    fn sql_nested(&self, e: &spec::Expr, scope: &Scope) -> String {
        self.sql_at(e, scope, false)
    }

    /// Whether `e` holds a node `name_nodes` names.
    fn has_named_node(&self, e: &spec::Expr, scope: &Scope, root: bool) -> bool {
        use spec::Expr as S;
        match e {
            S::Function { name, .. }
                if name == EXTRACT_VALUE
                    || name == WITH_FIELD
                    || name == DROP_FIELD
                    || shift_function(name).is_some() =>
            {
                true
            }
            S::Function { name, args, .. }
                if name.eq_ignore_ascii_case("struct") && args.iter().any(|a| matches!(a, S::Alias { .. })) =>
            {
                true
            }
            S::Column { name, .. } if !root && name.len() > 1 => self.struct_field_path(name, scope).is_some(),
            _ => child_exprs(e).into_iter().any(|c| self.has_named_node(c, scope, false)),
        }
    }

    /// `s.f.g` as Spark shows a struct column's field: the column's name,
    /// then the fields; None when `name` is no field of a struct column.
    fn struct_field_path(&self, name: &[String], scope: &Scope) -> Option<String> {
        if name.len() < 2 || !matches!(scope.resolve(name), Ok(None)) {
            return None;
        }
        (1..name.len()).rev().find_map(|k| match scope.resolve(&name[..k]) {
            Ok(Some(a)) if matches!(a.data_type, DataType::Struct(_)) => {
                Some(std::iter::once(a.name.clone()).chain(name[k..].iter().cloned()).collect::<Vec<_>>().join("."))
            }
            _ => None,
        })
    }

    /// The type `e` resolves to, if it resolves on its own (for names only).
    fn probe_type(&self, e: &spec::Expr, scope: &Scope) -> Option<DataType> {
        let mut a = super::Analyzer {
            catalog: self.catalog,
            ansi: self.ansi,
            case_sensitive: self.case_sensitive,
            ctes: self.ctes.clone(),
            outer: self.outer.clone(),
            depth: self.depth,
            lambda_scopes: self.lambda_scopes.clone(),
        };
        a.expr(e, ExprCtx::new(scope).with_agg(AggPolicy::Allow)).ok().map(|x| x.data_type())
    }

    fn boolean_operand(&self, x: Expr, whole: &spec::Expr, cx: ExprCtx) -> Result<Expr> {
        match x.data_type() {
            DataType::Boolean => Ok(x),
            DataType::Null => Ok(cast(x, &DataType::Boolean, self.mode())),
            other => Err(Error::spark(
                "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
                &[
                    ("sqlExpr", quoted(&self.sql_of(whole, cx.scope))),
                    ("paramIndex", "first".into()),
                    ("requiredType", "\"BOOLEAN\"".into()),
                    ("inputSql", quoted(&x.sql_name())),
                    ("inputType", type_str(&other)),
                ],
            )),
        }
    }

    fn negative(&self, x: Expr, whole: &spec::Expr, cx: ExprCtx) -> Result<Expr> {
        // Spark's parser reads `-1` as a literal; fold so the literal rules apply
        if let Expr::Literal(v) = &x {
            let folded = match v {
                ScalarValue::Int8(Some(n)) => n.checked_neg().map(|n| ScalarValue::Int8(Some(n))),
                ScalarValue::Int16(Some(n)) => n.checked_neg().map(|n| ScalarValue::Int16(Some(n))),
                ScalarValue::Int32(Some(n)) => n.checked_neg().map(|n| ScalarValue::Int32(Some(n))),
                ScalarValue::Int64(Some(n)) => n.checked_neg().map(|n| ScalarValue::Int64(Some(n))),
                ScalarValue::Float32(Some(n)) => Some(ScalarValue::Float32(Some(-n))),
                ScalarValue::Float64(Some(n)) => Some(ScalarValue::Float64(Some(-n))),
                ScalarValue::Decimal(Some(n), p, s) => Some(ScalarValue::Decimal(Some(-n), *p, *s)),
                ScalarValue::IntervalYearMonth(Some(n)) => {
                    n.checked_neg().map(|n| ScalarValue::IntervalYearMonth(Some(n)))
                }
                ScalarValue::IntervalDayTime(Some(n)) => n.checked_neg().map(|n| ScalarValue::IntervalDayTime(Some(n))),
                _ => None,
            };
            if let Some(v) = folded {
                return Ok(Expr::Literal(v));
            }
        }
        let t = x.data_type();
        if is_numeric(&t) || is_interval(&t) {
            Ok(Expr::Negative { expr: Box::new(x), mode: self.mode() })
        } else if is_string(&t) || matches!(t, DataType::Null) {
            Ok(Expr::Negative { expr: Box::new(cast(x, &DataType::Float64, self.mode())), mode: self.mode() })
        } else {
            Err(Error::spark(
                "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
                &[
                    ("sqlExpr", quoted(&self.sql_of(whole, cx.scope))),
                    ("paramIndex", "first".into()),
                    (
                        "requiredType",
                        "(\"NUMERIC\" or \"INTERVAL DAY TO SECOND\" or \"INTERVAL YEAR TO MONTH\" or \"INTERVAL\")"
                            .into(),
                    ),
                    ("inputSql", quoted(&x.sql_name())),
                    ("inputType", type_str(&t)),
                ],
            ))
        }
    }

    fn case(
        &mut self,
        whole: &spec::Expr,
        operand: Option<&spec::Expr>,
        branches: &[(spec::Expr, spec::Expr)],
        else_expr: Option<&spec::Expr>,
        cx: ExprCtx,
    ) -> Result<Expr> {
        let sql = self.sql_of(whole, cx.scope);
        let op = match operand {
            Some(o) => Some(self.expr(o, cx)?),
            None => None,
        };
        let mut conds = Vec::new();
        let mut values = Vec::new();
        for (w, t) in branches {
            let wr = self.expr(w, cx)?;
            let cond = match &op {
                Some(o) => self.binary(BinaryOp::Eq, o.clone(), wr, &sql, EvalMode::Ansi)?,
                None => match wr.data_type() {
                    DataType::Boolean => wr,
                    DataType::Null => cast(wr, &DataType::Boolean, self.mode()),
                    other => {
                        return Err(Error::spark(
                            "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
                            &[
                                ("sqlExpr", quoted(&sql)),
                                ("paramIndex", "first".into()),
                                ("requiredType", "\"BOOLEAN\"".into()),
                                ("inputSql", quoted(&self.sql_of(w, cx.scope))),
                                ("inputType", type_str(&other)),
                            ],
                        ))
                    }
                },
            };
            conds.push(cond);
            values.push(self.expr(t, cx)?);
        }
        let else_r = match else_expr {
            Some(e) => Some(self.expr(e, cx)?),
            None => None,
        };
        let mut types: Vec<DataType> = values.iter().map(|v| v.data_type()).collect();
        if let Some(e) = &else_r {
            types.push(e.data_type());
        }
        let Some(t) = wider_common(&types, self.ansi) else {
            return Err(Error::spark(
                "DATATYPE_MISMATCH.DATA_DIFF_TYPES",
                &[
                    ("sqlExpr", quoted(&sql)),
                    ("functionName", "`casewhen`".into()),
                    ("dataType", format!("[{}]", types.iter().map(type_str).collect::<Vec<_>>().join(", "))),
                ],
            ));
        };
        let mode = self.mode();
        let branches = conds.into_iter().zip(values).map(|(c, v)| (c, cast(v, &t, mode))).collect();
        let else_expr = Some(Box::new(match else_r {
            Some(e) => cast(e, &t, mode),
            None => Expr::Literal(ScalarValue::null_of(&t)),
        }));
        Ok(Expr::Case { branches, else_expr, data_type: t })
    }

    fn function(
        &mut self,
        whole: &spec::Expr,
        name: &str,
        args: &[spec::Expr],
        distinct: bool,
        cx: ExprCtx,
    ) -> Result<Expr> {
        let lower = name.to_ascii_lowercase();
        if let Some(hof) = self.higher_order_call(whole, &lower, args, cx)? {
            return Ok(hof);
        }
        // `timestampadd(MONTH, ...)`: the unit keyword is no column
        let unit_args = functions::datetime_unit_args(&lower, args)?;
        let args = unit_args.as_deref().unwrap_or(args);
        // try_add & co. are the operators in Try mode; `div` is `a div b`
        let try_op = match lower.as_str() {
            "try_add" => Some((BinaryOp::Plus, EvalMode::Try)),
            "try_subtract" => Some((BinaryOp::Minus, EvalMode::Try)),
            "try_multiply" => Some((BinaryOp::Multiply, EvalMode::Try)),
            "try_divide" => Some((BinaryOp::Divide, EvalMode::Try)),
            "try_mod" => Some((BinaryOp::Modulo, EvalMode::Try)),
            "div" => Some((BinaryOp::IntDivide, EvalMode::Ansi)),
            _ => None,
        };
        if let Some((op, op_mode)) = try_op {
            if args.len() != 2 {
                let def =
                    functions::FunctionDef { name: "", aliases: &[], min_args: 2, max_args: 2, kind: Kind::Special };
                functions::check_arity(&def, &lower, args.len())?;
            }
            let l = self.expr(&args[0], cx)?;
            let r = self.expr(&args[1], cx)?;
            let sql = self.sql_of(whole, cx.scope);
            return self.binary(op, l, r, &sql, op_mode);
        }
        if super::window::is_window_function(&lower) {
            return Err(super::window::without_over_error(&self.sql_of(whole, cx.scope)));
        }
        let def = functions::lookup(&lower).ok_or_else(|| functions::unresolved_routine(&lower))?;
        let is_count_star =
            def.name == "count" && args.len() == 1 && matches!(args[0], spec::Expr::Star { qualifier: None, .. });
        let sql = self.sql_of(whole, cx.scope);
        let arg_sql: Vec<String> = args.iter().map(|a| self.sql_of(a, cx.scope)).collect();
        match def.kind {
            Kind::Aggregate(_) | Kind::AggregateExpr => {
                match cx.agg {
                    AggPolicy::Allow => {}
                    AggPolicy::GroupBy => {
                        return Err(Error::spark("GROUP_BY_AGGREGATE", &[("sqlExpr", quoted(&sql))]));
                    }
                    AggPolicy::Where => {
                        return Err(Error::spark(
                            "INVALID_WHERE_CONDITION",
                            &[("condition", quoted(&sql)), ("expressionList", sql.clone())],
                        ));
                    }
                    AggPolicy::Elsewhere => {
                        return Err(Error::spark(
                            "UNSUPPORTED_EXPR_FOR_OPERATOR",
                            &[("invalidExprSqls", quoted(&sql))],
                        ));
                    }
                }
                if cx.in_agg {
                    return Err(Error::spark("NESTED_AGGREGATE_FUNCTION", &[]));
                }
                let resolved = if is_count_star {
                    vec![]
                } else {
                    functions::check_arity(def, &lower, args.len())?;
                    let inner = ExprCtx { in_agg: true, ..cx };
                    args.iter().map(|a| self.expr(a, inner)).collect::<Result<Vec<_>>>()?
                };
                let ccx = CallCtx { ansi: self.ansi, mode: self.mode(), sql: &sql, arg_sql: &arg_sql };
                // count(*) and count(1) count rows: Spark names both `count(1)`
                functions::aggregate(def, resolved, distinct, &lower, &ccx)
            }
            _ => {
                functions::check_arity(def, &lower, args.len())?;
                if distinct {
                    return Err(Error::spark(
                        "INVALID_SQL_SYNTAX.FUNCTION_WITH_UNSUPPORTED_SYNTAX",
                        &[("prettyName", quote_ident(&lower)), ("syntax", "DISTINCT".into())],
                    ));
                }
                let resolved = args.iter().map(|a| self.expr(a, cx)).collect::<Result<Vec<_>>>()?;
                let ccx = CallCtx { ansi: self.ansi, mode: self.mode(), sql: &sql, arg_sql: &arg_sql };
                functions::scalar_call(def, resolved, &ccx)
            }
        }
    }

    /// Coerces and builds a binary operator. `mode` is `Try` for `try_*`
    /// functions, otherwise ignored in favour of the session's mode.
    pub(crate) fn binary(&self, op: BinaryOp, l: Expr, r: Expr, sql: &str, mode: EvalMode) -> Result<Expr> {
        let mode = if mode == EvalMode::Try { EvalMode::Try } else { self.mode() };
        let (lt, rt) = (l.data_type(), r.data_type());
        let wrong_type = |required: &str, actual: &DataType| {
            Error::spark(
                "DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE",
                &[("sqlExpr", quoted(sql)), ("inputType", required.to_string()), ("actualDataType", type_str(actual))],
            )
        };
        let diff_types = || {
            Error::spark(
                "DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES",
                &[("sqlExpr", quoted(sql)), ("left", type_str(&lt)), ("right", type_str(&rt))],
            )
        };
        let bin = |op, l: Expr, r: Expr, data_type: DataType| Expr::Binary {
            op,
            left: Box::new(l),
            right: Box::new(r),
            data_type,
            mode,
        };
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let fix = |e: Expr, t: &DataType| match t {
                    DataType::Boolean => Ok(e),
                    DataType::Null => Ok(cast(e, &DataType::Boolean, mode)),
                    other => Err(wrong_type("\"BOOLEAN\"", other)),
                };
                let l = fix(l, &lt)?;
                let r = fix(r, &rt)?;
                Ok(bin(op, l, r, DataType::Boolean))
            }
            BinaryOp::Concat => {
                let mut args = Vec::new();
                for (e, t) in [(l, lt.clone()), (r, rt.clone())] {
                    if !(is_string(&t)
                        || matches!(t, DataType::Null)
                        || is_numeric(&t)
                        || is_datetime(&t)
                        || matches!(t, DataType::Boolean | DataType::Binary))
                    {
                        return Err(diff_types());
                    }
                    args.push(cast(e, &DataType::Utf8, mode));
                }
                Ok(Expr::ScalarFunction { name: "concat".into(), args, data_type: DataType::Utf8, mode })
            }
            _ if op.is_comparison() => {
                let (l, r) = self.coerce_comparison(l, r).ok_or_else(diff_types)?;
                Ok(bin(op, l, r, DataType::Boolean))
            }
            BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => {
                let t = tightest_common(&lt, &rt).filter(is_integral).ok_or_else(|| {
                    if is_integral(&lt) {
                        wrong_type("\"INTEGRAL\"", &rt)
                    } else {
                        wrong_type("\"INTEGRAL\"", &lt)
                    }
                })?;
                Ok(bin(op, cast(l, &t, mode), cast(r, &t, mode), t))
            }
            _ => self.arithmetic(op, l, r, mode, sql),
        }
    }

    /// Casts both sides of a comparison to their common type; `None` when
    /// the types cannot be compared.
    pub(crate) fn coerce_comparison(&self, l: Expr, r: Expr) -> Option<(Expr, Expr)> {
        let mode = self.mode();
        let (l, r) = decimal_literal_promotion(l, r, mode);
        let (lt, rt) = (l.data_type(), r.data_type());
        if lt == rt {
            return Some((l, r));
        }
        let t = if is_decimal(&lt) && is_decimal(&rt) {
            wider_decimal(precision_scale(&lt)?, precision_scale(&rt)?)
        } else {
            comparison_type(&lt, &rt, self.ansi)?
        };
        Some((cast(l, &t, mode), cast(r, &t, mode)))
    }

    fn arithmetic(&self, op: BinaryOp, l: Expr, r: Expr, mode: EvalMode, sql: &str) -> Result<Expr> {
        let (lt, rt) = (l.data_type(), r.data_type());
        let bin = |op, l: Expr, r: Expr, data_type: DataType| Expr::Binary {
            op,
            left: Box::new(l),
            right: Box::new(r),
            data_type,
            mode,
        };
        let wrong_type = |actual: &DataType| {
            Error::spark(
                "DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE",
                &[
                    ("sqlExpr", quoted(sql)),
                    (
                        "inputType",
                        "(\"NUMERIC\" or \"INTERVAL DAY TO SECOND\" or \"INTERVAL YEAR TO MONTH\" or \"INTERVAL\")"
                            .into(),
                    ),
                    ("actualDataType", type_str(actual)),
                ],
            )
        };
        let diff_types = || {
            Error::spark(
                "DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES",
                &[("sqlExpr", quoted(sql)), ("left", type_str(&lt)), ("right", type_str(&rt))],
            )
        };
        // datetime and interval arithmetic
        if matches!(op, BinaryOp::Plus | BinaryOp::Minus) {
            let is_dt = |t: &DataType| matches!(t, DataType::Date32 | DataType::Timestamp(..));
            if is_dt(&lt) && is_interval(&rt) {
                return Ok(self.date_add_interval(l, r, op == BinaryOp::Minus));
            }
            if op == BinaryOp::Plus && is_interval(&lt) && is_dt(&rt) {
                return Ok(self.date_add_interval(r, l, false));
            }
            if lt == DataType::Date32 && (is_integral(&rt) || (!self.ansi && is_string(&rt))) {
                let name = if op == BinaryOp::Plus { "date_add" } else { "date_sub" };
                return Ok(Expr::ScalarFunction {
                    name: name.into(),
                    args: vec![l, cast(r, &DataType::Int32, mode)],
                    data_type: DataType::Date32,
                    mode,
                });
            }
            if op == BinaryOp::Plus && rt == DataType::Date32 && is_integral(&lt) {
                return Ok(Expr::ScalarFunction {
                    name: "date_add".into(),
                    args: vec![r, cast(l, &DataType::Int32, mode)],
                    data_type: DataType::Date32,
                    mode,
                });
            }
            if op == BinaryOp::Minus && is_dt(&lt) && is_dt(&rt) {
                // date - date and timestamp - timestamp: a day-time interval
                let t = tightest_common(&lt, &rt).ok_or_else(diff_types)?;
                return Ok(bin(op, cast(l, &t, mode), cast(r, &t, mode), day_time_interval_type()));
            }
            if is_interval(&lt) && lt == rt {
                return Ok(bin(op, l, r, lt));
            }
        }
        if matches!(op, BinaryOp::Multiply | BinaryOp::Divide) && is_interval(&lt) && is_numeric(&rt) {
            return Ok(bin(op, l, r, lt));
        }
        if op == BinaryOp::Multiply && is_numeric(&lt) && is_interval(&rt) {
            return Ok(bin(op, r, l, rt));
        }
        // strings and NULLs take a numeric type from the other side
        let stringy = |t: &DataType| is_string(t) || matches!(t, DataType::Null);
        let (l, r) = if stringy(&lt) || stringy(&rt) {
            let other = if stringy(&lt) { &rt } else { &lt };
            if !(stringy(other) || is_numeric(other)) {
                return Err(wrong_type(other));
            }
            let to_num = |e: Expr, t: &DataType| -> Expr {
                if is_string(t) {
                    let target = if self.ansi && is_integral(other) && op != BinaryOp::Divide {
                        DataType::Int64
                    } else {
                        DataType::Float64
                    };
                    cast(e, &target, mode)
                } else if matches!(t, DataType::Null) {
                    let target = if is_numeric(other) { other.clone() } else { DataType::Float64 };
                    cast(e, &target, mode)
                } else {
                    e
                }
            };
            (to_num(l, &lt), to_num(r, &rt))
        } else {
            (l, r)
        };
        let (lt2, rt2) = (l.data_type(), r.data_type());
        if !is_numeric(&lt2) {
            return Err(if is_numeric(&rt2) || is_interval(&rt2) { diff_types() } else { wrong_type(&lt2) });
        }
        if !is_numeric(&rt2) {
            return Err(diff_types());
        }
        if is_decimal(&lt2) || is_decimal(&rt2) {
            if is_floating(&lt2) || is_floating(&rt2) {
                let t = if op == BinaryOp::IntDivide { DataType::Int64 } else { DataType::Float64 };
                return Ok(bin(op, cast(l, &DataType::Float64, mode), cast(r, &DataType::Float64, mode), t));
            }
            let (l, r) = decimal_literal_promotion(l, r, mode);
            let (l, r) = (promote_integral(l, mode), promote_integral(r, mode));
            let (Some(pl), Some(pr)) = (precision_scale(&l.data_type()), precision_scale(&r.data_type())) else {
                return Err(diff_types());
            };
            let result = arithmetic_result(op, pl, pr);
            return Ok(match op {
                // the kernels add, subtract and take remainders at one scale
                BinaryOp::Plus | BinaryOp::Minus | BinaryOp::Modulo | BinaryOp::IntDivide => {
                    let common = wider_decimal(pl, pr);
                    bin(op, cast(l, &common, mode), cast(r, &common, mode), result)
                }
                _ => bin(op, l, r, result),
            });
        }
        match op {
            BinaryOp::Divide => {
                Ok(bin(op, cast(l, &DataType::Float64, mode), cast(r, &DataType::Float64, mode), DataType::Float64))
            }
            BinaryOp::IntDivide => {
                Ok(bin(op, cast(l, &DataType::Int64, mode), cast(r, &DataType::Int64, mode), DataType::Int64))
            }
            _ => {
                let t = tightest_common(&lt2, &rt2).ok_or_else(diff_types)?;
                Ok(bin(op, cast(l, &t, mode), cast(r, &t, mode), t))
            }
        }
    }

    /// `d + interval` / `d - interval` as `date_add_interval(d, ±interval)`.
    fn date_add_interval(&self, d: Expr, interval: Expr, negate: bool) -> Expr {
        let mode = self.mode();
        let interval = if negate {
            match interval {
                Expr::Literal(ScalarValue::IntervalYearMonth(Some(m))) => {
                    Expr::Literal(ScalarValue::IntervalYearMonth(Some(-m)))
                }
                Expr::Literal(ScalarValue::IntervalDayTime(Some(us))) => {
                    Expr::Literal(ScalarValue::IntervalDayTime(Some(-us)))
                }
                other => Expr::Negative { expr: Box::new(other), mode },
            }
        } else {
            interval
        };
        let dt = d.data_type();
        // a date plus a day-time interval with a time part becomes a timestamp
        const MICROS_PER_DAY: i64 = 86_400_000_000;
        let d = match (&dt, &interval) {
            (DataType::Date32, Expr::Literal(ScalarValue::IntervalDayTime(Some(us)))) if us % MICROS_PER_DAY != 0 => {
                cast(d, &timestamp_type(), mode)
            }
            (DataType::Date32, e)
                if matches!(e.data_type(), DataType::Duration(_)) && !matches!(e, Expr::Literal(_)) =>
            {
                cast(d, &timestamp_type(), mode)
            }
            _ => d,
        };
        let data_type = d.data_type();
        Expr::ScalarFunction { name: "date_add_interval".into(), args: vec![d, interval], data_type, mode }
    }
}

/// `DecimalPrecision`: an integer literal next to a decimal becomes the
/// narrowest decimal holding its value (`1` -> decimal(1,0)).
fn decimal_literal_promotion(l: Expr, r: Expr, mode: EvalMode) -> (Expr, Expr) {
    let (lt, rt) = (l.data_type(), r.data_type());
    let promote = |e: Expr, t: &DataType| -> Expr {
        if let Expr::Literal(v) = &e {
            if is_integral(t) && !v.is_null() {
                if let Some(d) = decimal_for_operand(t, Some(v)) {
                    return cast(e, &d, mode);
                }
            }
        }
        e
    };
    if is_decimal(&rt) && is_integral(&lt) {
        (promote(l, &lt), r)
    } else if is_decimal(&lt) && is_integral(&rt) {
        (l, promote(r, &rt))
    } else {
        (l, r)
    }
}

/// An integral operand next to a decimal becomes a decimal of its range.
fn promote_integral(e: Expr, mode: EvalMode) -> Expr {
    let t = e.data_type();
    if is_integral(&t) {
        if let Some(d) = decimal_for_operand(&t, None) {
            return cast(e, &d, mode);
        }
    }
    e
}

/// Checks that a filter condition is boolean (Spark's `FILTER_NOT_BOOLEAN`).
pub fn check_filter(cond: Expr, sql: &str) -> Result<Expr> {
    match cond.data_type() {
        DataType::Boolean => Ok(cond),
        DataType::Null => Ok(cast(cond, &DataType::Boolean, EvalMode::Ansi)),
        other => Err(Error::spark(
            "DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN",
            &[("sqlExpr", quoted(sql)), ("filter", quoted(sql)), ("type", type_str(&other))],
        )),
    }
}
