//! Aggregate queries: `SELECT .. GROUP BY ..`, global aggregates, HAVING,
//! ORDER BY over aggregates, and the grouping analytics (GROUPING SETS,
//! ROLLUP, CUBE) with `grouping()` / `grouping_id()`.
//!
//! The result is `Aggregate(group_exprs, aggr_exprs)` -> [`Filter` (HAVING)]
//! -> `Project` (the SELECT list over the group and aggregate attributes)
//! [-> `Sort` -> `Project`]. Every expression above the Aggregate is
//! rewritten over its output: a sub-expression equal to a grouping
//! expression becomes the grouping attribute, an aggregate call becomes the
//! attribute of its (deduplicated) `aggr_exprs` entry, and any other column
//! is an error (`MISSING_AGGREGATION`, or `MISSING_GROUP_BY` without GROUP BY).
//!
//! Grouping analytics follow Spark's `ResolveGroupingAnalytics`. The front
//! ends encode them as functions in the GROUP BY list (`rollup(set, ..)`,
//! `cube(set, ..)`, `grouping sets(element, ..)` whose elements are sets or
//! nested analytics, Hive's `GROUP BY a, b GROUPING SETS (..)` as
//! `grouping sets by(grouping set(a, b), set, ..)`, a set being
//! `grouping set(e, ..)` or one expression); `WITH ROLLUP` / `WITH CUBE` and
//! Connect's `rollup` / `cube` come as plain keys with a `GroupingKind`.
//! The GROUP BY items multiply out into the selected grouping sets over the
//! distinct grouping expressions (at most 64); then
//! `Aggregate(grouping columns, spark_grouping_id [, _gen_grouping_pos])`
//! reads an `Expand` that copies every input row once per set: the input
//! columns as they are (aggregates read them), then one new column per
//! grouping expression, NULL where the set leaves it out, then the grouping
//! id, whose bit `n - 1 - i` is set when the `i`-th grouping expression is
//! not in the set. Identical sets each keep their rows apart through the
//! set's position. `grouping(e)` is bit `n - 1 - i` of the id (a tinyint),
//! `grouping_id()` the id itself (a bigint), and so is the column
//! `grouping__id`.

use arrow_schema::DataType;
use ember_core::expr::BinaryOp;
use ember_core::plan::LogicalPlan;
use ember_core::spec::{self, GroupingKind, Plan, SortExpr};
use ember_core::{Attribute, Error, EvalMode, Expr, Result, ScalarValue, Span};

use super::expr::{check_filter, ordinal_of, quoted, spec_has_aggregate, AggPolicy, ExprCtx};
use super::scope::Scope;
use super::select::{build_sorted_projection, SelectItem};
use super::{Analyzer, Rel};

/// Function names of the grouping analytics in `Plan::Aggregate::group_by`
/// (written by `frontend/query.rs` and `connect/src/lower/aggregate.rs`).
const ROLLUP: &str = "rollup";
const CUBE: &str = "cube";
const GROUPING_SETS: &str = "grouping sets";
const GROUPING_SETS_BY: &str = "grouping sets by";
const GROUPING_SET: &str = "grouping set";

/// Spark's limit: the grouping id is a bigint with one bit per expression.
const MAX_GROUPING_EXPRESSIONS: usize = 64;

/// Names of the calls the analyzer resolves here rather than in the
/// registry, and of the columns they become.
const GROUPING: &str = "grouping";
const GROUPING_ID: &str = "grouping_id";
const HIVE_GROUPING_ID: &str = "grouping__id";

/// The grouping and aggregate expressions collected for one Aggregate node.
#[derive(Default)]
struct AggState {
    /// (expression over the input, its attribute, the `group_exprs` item)
    groups: Vec<(Expr, Attribute, Expr)>,
    /// (aggregate call, its attribute, the `aggr_exprs` item)
    aggs: Vec<(Expr, Attribute, Expr)>,
    has_group_by: bool,
    /// Grouping analytics: the distinct grouping expressions (over the
    /// input, in the order of the grouping id's bits) and the id column.
    analytics: Option<(Vec<Expr>, Attribute)>,
}

impl AggState {
    fn add_group(&mut self, e: Expr) {
        if self.groups.iter().any(|(g, _, _)| *g == e) {
            return;
        }
        let item = match &e {
            Expr::Column(_) => e.clone(),
            _ => e.clone().alias(e.sql_name()),
        };
        let attr = item.to_attribute();
        self.groups.push((e, attr, item));
    }

    fn add_agg(&mut self, e: Expr) -> Attribute {
        if let Some((_, a, _)) = self.aggs.iter().find(|(x, _, _)| *x == e) {
            return a.clone();
        }
        let item = e.clone().alias(e.sql_name());
        let attr = item.to_attribute();
        self.aggs.push((e, attr.clone(), item));
        attr
    }

    /// Rewrites an expression over the input into one over the Aggregate's output.
    fn rewrite(&mut self, e: Expr) -> Result<Expr> {
        let e = self.replace_grouping_calls(e)?;
        e.transform_down(&mut |x| {
            if let Some((_, a, _)) = self.groups.iter().find(|(g, _, _)| *g == x) {
                return Ok((Expr::col(a), false));
            }
            match x {
                Expr::Aggregate(_) => {
                    let a = self.add_agg(x);
                    Ok((Expr::col(&a), false))
                }
                Expr::Column(a) => Err(if self.has_group_by {
                    Error::spark(
                        "MISSING_AGGREGATION",
                        &[
                            ("expression", quoted(&a.name)),
                            ("expressionAnyValue", quoted(&format!("any_value({})", a.name))),
                        ],
                    )
                } else {
                    Error::spark("MISSING_GROUP_BY", &[])
                }),
                other => Ok((other, true)),
            }
        })
    }

    /// `grouping(e)` and `grouping_id(..)` (resolved as the placeholders of
    /// [`grouping_call`]) become expressions of the grouping id column,
    /// which the Aggregate both reads and outputs.
    fn replace_grouping_calls(&self, e: Expr) -> Result<Expr> {
        if !e.any(&mut |x| grouping_call_kind(x).is_some()) {
            return Ok(e);
        }
        let Some((exprs, gid)) = &self.analytics else {
            return Err(unsupported_grouping());
        };
        let n = exprs.len();
        e.transform_down(&mut |x| {
            let Some(kind) = grouping_call_kind(&x) else { return Ok((x, true)) };
            let Expr::ScalarFunction { args, .. } = &x else { return Ok((x, true)) };
            if kind == GROUPING {
                let Some(i) = args.first().and_then(|a| exprs.iter().position(|g| g == a)) else {
                    let shown = args.first().map(|a| a.sql_name()).unwrap_or_default();
                    return Err(grouping_mismatch("GROUPING_COLUMN_MISMATCH", "grouping", &shown, exprs));
                };
                return Ok((grouping_bit(gid, n - 1 - i), false));
            }
            if !args.is_empty() && args != exprs {
                let shown = args.iter().map(|a| a.sql_name()).collect::<Vec<_>>().join(",");
                return Err(grouping_mismatch("GROUPING_ID_COLUMN_MISMATCH", "groupingIdColumn", &shown, exprs));
            }
            Ok((Expr::col(gid), false))
        })
    }
}

/// `CASE WHEN (gid & 2^bit) = 0 THEN 0 ELSE 1 END` as a tinyint.
fn grouping_bit(gid: &Attribute, bit: usize) -> Expr {
    let mask = (1u64 << bit) as i64;
    let and = Expr::Binary {
        op: BinaryOp::BitAnd,
        left: Box::new(Expr::col(gid)),
        right: Box::new(Expr::lit(ScalarValue::Int64(Some(mask)))),
        data_type: DataType::Int64,
        mode: EvalMode::Ansi,
    };
    let is_zero = Expr::eq(and, Expr::lit(ScalarValue::Int64(Some(0))));
    Expr::Case {
        branches: vec![(is_zero, Expr::lit(ScalarValue::Int8(Some(0))))],
        else_expr: Some(Box::new(Expr::lit(ScalarValue::Int8(Some(1))))),
        data_type: DataType::Int8,
    }
}

fn unsupported_grouping() -> Error {
    Error::spark_msg(
        "UNSUPPORTED_GROUPING_EXPRESSION",
        "42K0E",
        "grouping()/grouping_id() can only be used with GroupingSets/Cube/Rollup.",
    )
}

fn grouping_mismatch(class: &str, param: &str, shown: &str, exprs: &[Expr]) -> Error {
    let columns = exprs.iter().map(|g| g.sql_name()).collect::<Vec<_>>().join(",");
    let message = if class == "GROUPING_COLUMN_MISMATCH" {
        format!("Column of grouping ({shown}) can't be found in grouping columns {columns}.")
    } else {
        format!("Columns of grouping_id ({shown}) does not match grouping columns ({columns}).")
    };
    let mut e = Error::spark_msg(class, "42803", message);
    if let Error::Spark(s) = &mut e {
        let key = if class == "GROUPING_COLUMN_MISMATCH" { "groupingColumns" } else { "groupByColumns" };
        s.parameters = vec![(param.to_string(), shown.to_string()), (key.to_string(), columns)];
    }
    e
}

/// The placeholder a `grouping(e)` / `grouping_id(..)` call resolves to
/// until the grouping id exists: a call that no registry function has.
fn grouping_call(name: &str, args: Vec<Expr>, mode: EvalMode) -> Expr {
    let data_type = if name == GROUPING { DataType::Int8 } else { DataType::Int64 };
    Expr::ScalarFunction { name: format!("\u{0}{name}"), args, data_type, mode }
}

fn grouping_call_kind(e: &Expr) -> Option<&'static str> {
    match e {
        Expr::ScalarFunction { name, .. } => match name.strip_prefix('\u{0}') {
            Some(GROUPING) => Some(GROUPING),
            Some(GROUPING_ID) => Some(GROUPING_ID),
            _ => None,
        },
        _ => None,
    }
}

/// Which grouping analytics a GROUP BY item is, if any.
fn analytics_kind(e: &spec::Expr) -> Option<&'static str> {
    let spec::Expr::Function { name, .. } = e else { return None };
    [ROLLUP, CUBE, GROUPING_SETS, GROUPING_SETS_BY].into_iter().find(|k| name.eq_ignore_ascii_case(k))
}

/// Applies `f` to every sub-expression of `e` outside subqueries, top
/// down; `f` returns true when it replaced the node (its children are then
/// not visited).
fn visit_spec(e: &mut spec::Expr, f: &mut dyn FnMut(&mut spec::Expr) -> Result<bool>) -> Result<()> {
    use spec::Expr as S;
    if f(e)? {
        return Ok(());
    }
    match e {
        S::Alias { expr, .. }
        | S::Not { expr, .. }
        | S::Negative { expr, .. }
        | S::IsNull { expr, .. }
        | S::IsBool { expr, .. }
        | S::Cast { expr, .. }
        | S::Extract { expr, .. }
        | S::InSubquery { expr, .. } => visit_spec(expr, f)?,
        S::Function { args, .. } => {
            for a in args {
                visit_spec(a, f)?;
            }
        }
        S::Binary { left, right, .. } | S::Like { expr: left, pattern: right, .. } => {
            visit_spec(left, f)?;
            visit_spec(right, f)?;
        }
        S::Case { operand, branches, else_expr, .. } => {
            if let Some(o) = operand {
                visit_spec(o, f)?;
            }
            for (w, t) in branches {
                visit_spec(w, f)?;
                visit_spec(t, f)?;
            }
            if let Some(x) = else_expr {
                visit_spec(x, f)?;
            }
        }
        S::Between { expr, low, high, .. } => {
            visit_spec(expr, f)?;
            visit_spec(low, f)?;
            visit_spec(high, f)?;
        }
        S::InList { expr, list, .. } => {
            visit_spec(expr, f)?;
            for x in list {
                visit_spec(x, f)?;
            }
        }
        S::Window { function, partition_by, order_by, .. } => {
            visit_spec(function, f)?;
            for x in partition_by {
                visit_spec(x, f)?;
            }
            for o in order_by {
                visit_spec(&mut o.expr, f)?;
            }
        }
        // leaves, and subqueries (their grouping calls are their own)
        _ => {}
    }
    Ok(())
}

/// The resolved placeholders of the grouping calls of one query, each
/// reachable from the rewritten SQL through a name no user can write.
#[derive(Default)]
struct GroupingCalls {
    markers: Vec<(String, Expr)>,
    /// The first call's span, for `UNSUPPORTED_GROUPING_EXPRESSION`.
    first: Option<Option<Span>>,
}

/// One GROUP BY item, resolved: its grouping sets and the grouping
/// expressions it brings.
struct GroupItem {
    sets: Vec<Vec<Expr>>,
    exprs: Vec<Expr>,
}

fn push_distinct(list: &mut Vec<Expr>, e: &Expr) {
    if !list.contains(e) {
        list.push(e.clone());
    }
}

fn distinct_of<'a>(exprs: impl IntoIterator<Item = &'a Expr>) -> Vec<Expr> {
    let mut out = Vec::new();
    for e in exprs {
        push_distinct(&mut out, e);
    }
    out
}

/// ROLLUP's sets: all elements, then all but the last, ..., then none.
fn rollup_sets(elements: &[Vec<Expr>]) -> Vec<Vec<Expr>> {
    (0..=elements.len()).rev().map(|k| elements[..k].concat()).collect()
}

/// CUBE's sets in Spark's order: with the first element, then without,
/// each over the sets of the rest.
fn cube_sets(elements: &[Vec<Expr>]) -> Vec<Vec<Expr>> {
    let Some((first, rest)) = elements.split_first() else {
        return vec![vec![]];
    };
    let tail = cube_sets(rest);
    let mut out: Vec<Vec<Expr>> = tail.iter().map(|t| first.iter().chain(t).cloned().collect()).collect();
    out.extend(tail);
    out
}

impl Analyzer<'_> {
    pub(crate) fn aggregate_query(
        &mut self,
        input: &Plan,
        group_by: &[spec::Expr],
        exprs: &[spec::Expr],
        grouping: GroupingKind,
        having: Option<&spec::Expr>,
        order: Option<&[SortExpr]>,
    ) -> Result<Rel> {
        let child = self.plan(input)?;
        let scope = child.scope.clone();
        let analytics = grouping != GroupingKind::GroupBy || group_by.iter().any(|g| analytics_kind(g).is_some());

        // grouping() / grouping_id() / grouping__id first become names that
        // resolve to placeholders, replaced once the grouping id exists
        let mut calls = GroupingCalls::default();
        let mut select = exprs.to_vec();
        for e in &mut select {
            self.extract_grouping_calls(e, &scope, &mut calls)?;
        }
        let mut having_spec = having.cloned();
        if let Some(h) = &mut having_spec {
            self.extract_grouping_calls(h, &scope, &mut calls)?;
        }
        let mut order_spec: Option<Vec<SortExpr>> = order.map(|o| o.to_vec());
        for s in order_spec.iter_mut().flatten() {
            self.extract_grouping_calls(&mut s.expr, &scope, &mut calls)?;
        }
        if let Some(span) = calls.first {
            if !analytics {
                return Err(unsupported_grouping().with_span(span));
            }
        }
        let markers = std::mem::take(&mut calls.markers);

        let mut parts: Vec<SelectItem> = Vec::with_capacity(select.len());
        for (rewritten, original) in select.iter().zip(exprs) {
            let cx = ExprCtx::new(&scope).with_agg(AggPolicy::Allow).with_aliases(&markers);
            let mut items = self.select_items(std::slice::from_ref(rewritten), cx)?;
            if rewritten != original && !matches!(original, spec::Expr::Alias { .. }) {
                // named after what the user wrote, not after the markers
                let name = match original {
                    spec::Expr::Column { .. } => HIVE_GROUPING_ID.to_string(),
                    _ => self.sql_of(&self.naming_form(original, &scope), &scope),
                };
                for it in &mut items {
                    it.name = name.clone();
                }
            }
            parts.extend(items);
        }
        let lateral: Vec<(String, Expr)> =
            parts.iter().filter(|p| p.user_alias).map(|p| (p.name.clone(), p.expr.clone())).collect();
        let mut aliases = lateral.clone();
        aliases.extend(markers.iter().cloned());
        let mut st = AggState { has_group_by: !group_by.is_empty() || analytics, ..AggState::default() };

        let mut group_input = child.plan;
        if analytics {
            let mut key = |a: &mut Self, g: &spec::Expr| a.group_key(g, &parts, &scope, &lateral);
            let (groups, sets) = self.grouping_sets(group_by, grouping, &mut key)?;
            group_input = build_expand(group_input, &groups, &sets, &mut st)?;
        } else {
            for g in group_by {
                let e = self.group_key(g, &parts, &scope, &lateral)?;
                st.add_group(e);
            }
        }

        let mut items = Vec::with_capacity(parts.len());
        for p in &parts {
            let r = st.rewrite(p.expr.clone())?;
            items.push(p.to_item(r));
        }

        let having_pred = match (&having_spec, having) {
            (Some(h), Some(original)) => {
                let ctx = ExprCtx::new(&scope).with_aliases(&aliases).with_agg(AggPolicy::Allow);
                let c = self.expr(h, ctx)?;
                let sql = self.sql_of(original, &scope);
                let c = st.rewrite(c).map_err(|e| e.with_span(original.span()))?;
                Some(check_filter(c, &sql).map_err(|e| e.with_span(original.span()))?)
            }
            _ => None,
        };

        let keys = match (&order_spec, order) {
            (Some(rewritten), Some(original)) => {
                let mut keys = Vec::with_capacity(rewritten.len());
                for (s, o) in rewritten.iter().zip(original) {
                    // grouping calls are read through the aggregate, like aggregates
                    let try_output = !spec_has_aggregate(&o.expr) && s.expr == o.expr;
                    let key = self.sort_key(&s.expr, &items, try_output, &mut |a, e| {
                        let ctx = ExprCtx::new(&scope).with_aliases(&aliases).with_agg(AggPolicy::Allow);
                        let r = a.expr(e, ctx)?;
                        st.rewrite(r).map_err(|x| x.with_span(e.span()))
                    })?;
                    keys.push((key, o));
                }
                Some(keys)
            }
            _ => None,
        };

        let group_exprs = st.groups.into_iter().map(|(_, _, i)| i).collect();
        let aggr_exprs = st.aggs.into_iter().map(|(_, _, i)| i).collect();
        let mut plan = LogicalPlan::Aggregate { input: Box::new(group_input), group_exprs, aggr_exprs };
        if let Some(p) = having_pred {
            plan = LogicalPlan::Filter { input: Box::new(plan), predicate: p };
        }
        let plan = match keys {
            Some(keys) => build_sorted_projection(plan, items, keys)?,
            None => LogicalPlan::Project { input: Box::new(plan), exprs: items },
        };
        // window functions are evaluated over the aggregated rows
        let plan = super::window::extract_windows(plan)?;
        Ok(self.rel(plan))
    }

    /// One grouping expression of GROUP BY: a position in the SELECT list,
    /// a SELECT alias, or an expression over the input.
    fn group_key(
        &mut self,
        g: &spec::Expr,
        parts: &[SelectItem],
        scope: &Scope,
        lateral: &[(String, Expr)],
    ) -> Result<Expr> {
        if let Some(n) = ordinal_of(g) {
            if n < 1 || n as usize > parts.len() {
                return Err(Error::spark(
                    "GROUP_BY_POS_OUT_OF_RANGE",
                    &[("index", n.to_string()), ("size", parts.len().to_string())],
                )
                .with_span(g.span()));
            }
            let p = &parts[n as usize - 1];
            if p.expr.contains_aggregate() {
                return Err(Error::spark(
                    "GROUP_BY_POS_AGGREGATE",
                    &[("index", n.to_string()), ("aggExpr", quoted(&p.name))],
                )
                .with_span(g.span()));
            }
            return Ok(p.expr.clone());
        }
        let ctx = ExprCtx::new(scope).with_aliases(lateral).with_agg(AggPolicy::GroupBy);
        let e = self.expr(g, ctx)?;
        if e.contains_aggregate() {
            let sql = self.sql_of(g, scope);
            return Err(Error::spark("GROUP_BY_AGGREGATE", &[("sqlExpr", quoted(&sql))]).with_span(g.span()));
        }
        Ok(e)
    }

    /// Replaces the grouping calls of `e` (and a `grouping__id` column the
    /// input does not have) by marker columns resolving to placeholders.
    fn extract_grouping_calls(&mut self, e: &mut spec::Expr, scope: &Scope, calls: &mut GroupingCalls) -> Result<()> {
        let mode = self.mode();
        visit_spec(e, &mut |x| {
            let placeholder = match x {
                spec::Expr::Function { name, args, distinct, span }
                    if name.eq_ignore_ascii_case(GROUPING) || name.eq_ignore_ascii_case(GROUPING_ID) =>
                {
                    let kind = if name.eq_ignore_ascii_case(GROUPING) { GROUPING } else { GROUPING_ID };
                    if kind == GROUPING && args.len() != 1 {
                        return Err(Error::spark(
                            "WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                            &[
                                ("functionName", "`grouping`".to_string()),
                                ("expectedNum", "1".to_string()),
                                ("actualNum", args.len().to_string()),
                                ("docroot", "https://spark.apache.org/docs/latest".to_string()),
                            ],
                        )
                        .with_span(*span));
                    }
                    if *distinct {
                        return Err(Error::spark(
                            "INVALID_SQL_SYNTAX.FUNCTION_WITH_UNSUPPORTED_SYNTAX",
                            &[("prettyName", format!("`{kind}`")), ("syntax", "DISTINCT".into())],
                        )
                        .with_span(*span));
                    }
                    calls.first.get_or_insert(*span);
                    let cx = ExprCtx::new(scope).with_agg(AggPolicy::GroupBy);
                    let resolved = args.iter().map(|a| self.expr(a, cx)).collect::<Result<Vec<_>>>()?;
                    (grouping_call(kind, resolved, mode), *span)
                }
                spec::Expr::Column { name, span }
                    if name.len() == 1
                        && scope.name_eq(&name[0], HIVE_GROUPING_ID)
                        && matches!(scope.resolve(name), Ok(None)) =>
                {
                    calls.first.get_or_insert(*span);
                    (grouping_call(GROUPING_ID, vec![], mode), *span)
                }
                _ => return Ok(false),
            };
            let marker = format!("\u{0}grouping#{}", calls.markers.len());
            calls.markers.push((marker.clone(), placeholder.0));
            *x = spec::Expr::Column { name: vec![marker], span: placeholder.1 };
            Ok(true)
        })
    }

    /// The distinct grouping expressions and the selected grouping sets (as
    /// lists of positions in them) of a GROUP BY with grouping analytics.
    fn grouping_sets(
        &mut self,
        group_by: &[spec::Expr],
        grouping: GroupingKind,
        key: &mut dyn FnMut(&mut Self, &spec::Expr) -> Result<Expr>,
    ) -> Result<(Vec<Expr>, Vec<Vec<usize>>)> {
        let items: Vec<GroupItem> = if grouping == GroupingKind::GroupBy {
            group_by.iter().map(|g| self.group_item(g, key)).collect::<Result<_>>()?
        } else {
            // `GROUP BY a, b WITH ROLLUP`, Connect's rollup / cube: one
            // analytics over the single keys
            if group_by.iter().any(|g| analytics_kind(g).is_some()) {
                return Err(Error::parse_syntax("'WITH'", ""));
            }
            let elements = group_by.iter().map(|g| Ok(vec![key(self, g)?])).collect::<Result<Vec<_>>>()?;
            let sets = if grouping == GroupingKind::Rollup { rollup_sets(&elements) } else { cube_sets(&elements) };
            vec![GroupItem { exprs: distinct_of(elements.iter().flatten()), sets }]
        };
        let groups = distinct_of(items.iter().flat_map(|i| i.exprs.iter()));
        if groups.len() > MAX_GROUPING_EXPRESSIONS {
            return Err(Error::spark_msg(
                "GROUPING_SIZE_LIMIT_EXCEEDED",
                "54000",
                format!("Grouping sets size cannot be greater than {MAX_GROUPING_EXPRESSIONS}."),
            ));
        }
        // the cross product of the items' sets, in Spark's order
        let mut selected: Vec<Vec<Expr>> = vec![vec![]];
        for item in &items {
            selected =
                selected.iter().flat_map(|a| item.sets.iter().map(move |b| [a.clone(), b.clone()].concat())).collect();
        }
        let mut sets = Vec::with_capacity(selected.len());
        for set in selected {
            let mut positions = Vec::with_capacity(set.len());
            for e in &set {
                let Some(i) = groups.iter().position(|g| g == e) else {
                    // only Hive's form can name an expression outside its GROUP BY list
                    let list = groups.iter().map(|g| g.sql_name()).collect::<Vec<_>>().join(", ");
                    return Err(Error::spark_msg(
                        "_LEGACY_ERROR_TEMP_1005",
                        "42000",
                        format!("{} doesn't show up in the GROUP BY list [{list}].", e.sql_name()),
                    ));
                };
                if !positions.contains(&i) {
                    positions.push(i);
                }
            }
            sets.push(positions);
        }
        Ok((groups, sets))
    }

    /// One item of GROUP BY with its grouping sets: an expression is the one
    /// set of itself.
    fn group_item(
        &mut self,
        g: &spec::Expr,
        key: &mut dyn FnMut(&mut Self, &spec::Expr) -> Result<Expr>,
    ) -> Result<GroupItem> {
        let Some(kind) = analytics_kind(g) else {
            let e = key(self, g)?;
            return Ok(GroupItem { sets: vec![vec![e.clone()]], exprs: vec![e] });
        };
        let spec::Expr::Function { args, .. } = g else {
            return Err(Error::internal("grouping analytics is not a function"));
        };
        match kind {
            ROLLUP | CUBE => {
                let elements = args.iter().map(|a| self.grouping_set(a, key)).collect::<Result<Vec<_>>>()?;
                let sets = if kind == ROLLUP { rollup_sets(&elements) } else { cube_sets(&elements) };
                Ok(GroupItem { exprs: distinct_of(elements.iter().flatten()), sets })
            }
            GROUPING_SETS => {
                let sets = self.grouping_sets_elements(args, key)?;
                Ok(GroupItem { exprs: distinct_of(sets.iter().flatten()), sets })
            }
            _ => {
                // Hive's form: the GROUP BY list, then the sets
                let Some((list, elements)) = args.split_first() else {
                    return Err(Error::internal("GROUPING SETS without its GROUP BY list"));
                };
                let exprs = self.grouping_set(list, key)?;
                let sets = self.grouping_sets_elements(elements, key)?;
                Ok(GroupItem { exprs, sets })
            }
        }
    }

    /// The sets of the elements of GROUPING SETS: a set, or the sets of a
    /// nested ROLLUP / CUBE / GROUPING SETS.
    fn grouping_sets_elements(
        &mut self,
        elements: &[spec::Expr],
        key: &mut dyn FnMut(&mut Self, &spec::Expr) -> Result<Expr>,
    ) -> Result<Vec<Vec<Expr>>> {
        let mut sets = Vec::new();
        for el in elements {
            if analytics_kind(el).is_some() {
                sets.extend(self.group_item(el, key)?.sets);
            } else {
                sets.push(self.grouping_set(el, key)?);
            }
        }
        Ok(sets)
    }

    /// `grouping set(e, ..)`, or one expression.
    fn grouping_set(
        &mut self,
        e: &spec::Expr,
        key: &mut dyn FnMut(&mut Self, &spec::Expr) -> Result<Expr>,
    ) -> Result<Vec<Expr>> {
        match e {
            spec::Expr::Function { name, args, .. } if name == GROUPING_SET => {
                args.iter().map(|a| key(self, a)).collect()
            }
            other => Ok(vec![key(self, other)?]),
        }
    }
}

/// `Expand` over `input` for the grouping sets (positions in `groups`),
/// with the Aggregate's grouping columns recorded in `st`: one new column
/// per grouping expression, the grouping id, and the set's position when
/// two sets are the same.
fn build_expand(input: LogicalPlan, groups: &[Expr], sets: &[Vec<usize>], st: &mut AggState) -> Result<LogicalPlan> {
    let n = groups.len();
    let child_out = input.output();
    // grouping expressions that are not input columns are computed once, below
    let mut pre: Vec<Expr> = child_out.iter().map(Expr::col).collect();
    let mut sources = Vec::with_capacity(n);
    for g in groups {
        match g {
            Expr::Column(a) if child_out.iter().any(|c| c.id == a.id) => sources.push(g.clone()),
            _ => {
                let item = g.clone().alias(g.sql_name());
                sources.push(Expr::col(&item.to_attribute()));
                pre.push(item);
            }
        }
    }
    let expand_input =
        if pre.len() > child_out.len() { LogicalPlan::Project { input: Box::new(input), exprs: pre } } else { input };

    let present = |set: &[usize], i: usize| set.contains(&i);
    let columns: Vec<Attribute> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let name = match g {
                Expr::Column(a) => a.name.clone(),
                _ => g.sql_name(),
            };
            let nullable = g.nullable() || sets.iter().any(|s| !present(s, i));
            Attribute::new(name, g.data_type(), nullable)
        })
        .collect();
    let ids: Vec<i64> = sets
        .iter()
        .map(|s| {
            let bits = (0..n).filter(|i| !present(s, *i)).fold(0u64, |acc, i| acc | (1u64 << (n - 1 - i)));
            bits as i64
        })
        .collect();
    let duplicates = {
        let mut seen = ids.clone();
        seen.sort_unstable();
        seen.dedup();
        seen.len() < ids.len()
    };
    let gid = Attribute::new("spark_grouping_id", DataType::Int64, false);
    let pos = duplicates.then(|| Attribute::new("_gen_grouping_pos", DataType::Int32, false));

    let mut projections = Vec::with_capacity(sets.len());
    for (k, (set, id)) in sets.iter().zip(&ids).enumerate() {
        let mut row: Vec<Expr> = child_out.iter().map(Expr::col).collect();
        for (i, g) in groups.iter().enumerate() {
            row.push(if present(set, i) {
                sources[i].clone()
            } else {
                Expr::lit(ScalarValue::null_of(&g.data_type()))
            });
        }
        row.push(Expr::lit(ScalarValue::Int64(Some(*id))));
        if pos.is_some() {
            let k = i32::try_from(k).map_err(|_| Error::internal("too many grouping sets"))?;
            row.push(Expr::lit(ScalarValue::Int32(Some(k))));
        }
        projections.push(row);
    }
    let mut output = child_out;
    output.extend(columns.iter().cloned());
    output.push(gid.clone());
    output.extend(pos.iter().cloned());

    for (g, a) in groups.iter().zip(&columns) {
        st.groups.push((g.clone(), a.clone(), Expr::col(a)));
    }
    st.groups.push((Expr::col(&gid), gid.clone(), Expr::col(&gid)));
    if let Some(p) = &pos {
        st.groups.push((Expr::col(p), p.clone(), Expr::col(p)));
    }
    st.analytics = Some((groups.to_vec(), gid));
    Ok(LogicalPlan::Expand { input: Box::new(expand_input), projections, output })
}
