//! SELECT lists, WHERE, ORDER BY, LIMIT / OFFSET and DISTINCT.
//!
//! ORDER BY resolves against the SELECT output first (aliases, ordinals),
//! then against the input of the projection, as Spark does: columns of the
//! input that are not selected are added to the projection below the Sort
//! and projected away above it.

use ember_core::spec::{self, GroupingKind, Plan, SortExpr};
use ember_core::{Error, Expr, LogicalPlan, Result, SortOrder};

use super::expr::{check_filter, ordinal_of, spec_has_aggregate, AggPolicy, ExprCtx};
use super::fold::limit_value;
use super::scope::Scope;
use super::window::{extract_windows, not_allowed_in_where};
use super::{Analyzer, Rel};

/// One resolved SELECT item before it becomes a projection expression.
pub(crate) struct SelectItem {
    pub expr: Expr,
    pub name: String,
    pub user_alias: bool,
}

impl SelectItem {
    /// The projection expression: the column itself when it keeps its name,
    /// else an alias with a new id.
    pub fn to_item(&self, expr: Expr) -> Expr {
        match &expr {
            Expr::Column(a) if !self.user_alias && a.name == self.name => expr,
            _ => expr.alias(self.name.clone()),
        }
    }
}

/// A resolved ORDER BY key: over the SELECT output, or over its input.
pub(crate) enum SortKey {
    Output(Expr),
    Input(Expr),
}

pub(crate) fn is_unresolved(e: &Error) -> bool {
    e.error_class().is_some_and(|c| c.starts_with("UNRESOLVED_COLUMN"))
}

impl Analyzer<'_> {
    /// Resolves a SELECT list, expanding stars.
    pub(crate) fn select_items(&mut self, exprs: &[spec::Expr], cx: ExprCtx) -> Result<Vec<SelectItem>> {
        let mut out = Vec::with_capacity(exprs.len());
        for e in exprs {
            match e {
                spec::Expr::Star { qualifier, span } => {
                    let attrs = cx.scope.expand_star(qualifier.as_deref()).ok_or_else(|| {
                        let target = qualifier
                            .as_deref()
                            .unwrap_or_default()
                            .iter()
                            .map(|p| ember_core::error::quote_ident(p))
                            .collect::<Vec<_>>()
                            .join(".");
                        Error::spark(
                            "CANNOT_RESOLVE_STAR_EXPAND",
                            &[
                                ("targetString", target),
                                (
                                    "columns",
                                    cx.scope
                                        .attrs
                                        .iter()
                                        .map(|a| ember_core::error::quote_ident(&a.name))
                                        .collect::<Vec<_>>()
                                        .join(", "),
                                ),
                            ],
                        )
                        .with_span(*span)
                    })?;
                    for a in attrs {
                        out.push(SelectItem { name: a.name.clone(), expr: Expr::Column(a), user_alias: false });
                    }
                }
                spec::Expr::Alias { expr, name } => {
                    let r = self.expr(expr, cx)?;
                    out.push(SelectItem { expr: r, name: name.clone(), user_alias: true });
                }
                other => {
                    let r = self.expr(other, cx)?;
                    let name = match &r {
                        // a plain column keeps the attribute's name
                        Expr::Column(a) if matches!(other, spec::Expr::Column { .. }) => a.name.clone(),
                        _ => self.sql_of(&self.naming_form(other, cx.scope), cx.scope),
                    };
                    out.push(SelectItem { expr: r, name, user_alias: false });
                }
            }
        }
        Ok(out)
    }

    /// `SELECT exprs FROM input [ORDER BY order]`.
    pub(crate) fn select(&mut self, input: &Plan, exprs: &[spec::Expr], order: Option<&[SortExpr]>) -> Result<Rel> {
        if exprs.iter().any(spec_has_aggregate) {
            return self.aggregate_query(input, &[], exprs, GroupingKind::GroupBy, None, order);
        }
        let rel = self.plan(input)?;
        let cx = ExprCtx::new(&rel.scope);
        let parts = self.select_items(exprs, cx)?;
        let items: Vec<Expr> = parts.iter().map(|p| p.to_item(p.expr.clone())).collect();
        let Some(order) = order else {
            let plan = LogicalPlan::Project { input: Box::new(rel.plan), exprs: items };
            return Ok(self.rel(extract_windows(plan)?));
        };
        let lateral: Vec<(String, Expr)> =
            parts.iter().filter(|p| p.user_alias).map(|p| (p.name.clone(), p.expr.clone())).collect();
        let scope = rel.scope;
        let mut keys = Vec::with_capacity(order.len());
        for s in order {
            let key = self
                .sort_key(&s.expr, &items, true, &mut |a, e| a.expr(e, ExprCtx::new(&scope).with_aliases(&lateral)))?;
            keys.push((key, s));
        }
        let plan = build_sorted_projection(rel.plan, items, keys)?;
        Ok(self.rel(extract_windows(plan)?))
    }

    /// Resolves one ORDER BY expression over a projection's `items`.
    pub(crate) fn sort_key(
        &mut self,
        e: &spec::Expr,
        items: &[Expr],
        try_output: bool,
        input: &mut dyn FnMut(&mut Self, &spec::Expr) -> Result<Expr>,
    ) -> Result<SortKey> {
        if let Some(n) = ordinal_of(e) {
            if n < 1 || n as usize > items.len() {
                return Err(Error::spark(
                    "ORDER_BY_POS_OUT_OF_RANGE",
                    &[("index", n.to_string()), ("size", items.len().to_string())],
                )
                .with_span(e.span()));
            }
            return Ok(SortKey::Output(Expr::col(&items[n as usize - 1].to_attribute())));
        }
        if try_output {
            let out = Scope::new(items.iter().map(|i| i.to_attribute()).collect(), self.case_sensitive);
            // outer scopes must not capture a name the input would resolve
            let saved = std::mem::take(&mut self.outer);
            let r = self.expr(e, ExprCtx::new(&out));
            self.outer = saved;
            match r {
                Ok(x) => return Ok(SortKey::Output(x)),
                Err(err) if is_unresolved(&err) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(SortKey::Input(input(self, e)?))
    }

    pub(crate) fn filter(&mut self, input: &Plan, condition: &spec::Expr) -> Result<Rel> {
        let rel = self.plan(input)?;
        let c = self.expr(condition, ExprCtx::new(&rel.scope).with_agg(AggPolicy::Where))?;
        let sql = self.sql_of(condition, &rel.scope);
        let c = check_filter(c, &sql).map_err(|e| e.with_span(condition.span()))?;
        if c.contains_window() {
            return Err(not_allowed_in_where().with_span(condition.span()));
        }
        Ok(Rel { plan: LogicalPlan::Filter { input: Box::new(rel.plan), predicate: c }, scope: rel.scope })
    }

    pub(crate) fn sort(&mut self, input: &Plan, order: &[SortExpr]) -> Result<Rel> {
        match input {
            Plan::Project { input, exprs } => return self.select(input, exprs, Some(order)),
            Plan::Aggregate { input, group_by, exprs, grouping } => {
                return self.aggregate_query(input, group_by, exprs, *grouping, None, Some(order))
            }
            Plan::Having { input, condition } => return self.having(input, condition, Some(order)),
            _ => {}
        }
        let rel = self.plan(input)?;
        let mut orders = Vec::with_capacity(order.len());
        let output = rel.scope.attrs.clone();
        for s in order {
            let e = if let Some(n) = ordinal_of(&s.expr) {
                if n < 1 || n as usize > output.len() {
                    return Err(Error::spark(
                        "ORDER_BY_POS_OUT_OF_RANGE",
                        &[("index", n.to_string()), ("size", output.len().to_string())],
                    )
                    .with_span(s.expr.span()));
                }
                Expr::col(&output[n as usize - 1])
            } else {
                self.expr(&s.expr, ExprCtx::new(&rel.scope))?
            };
            orders.push(sort_order(e, s));
        }
        Ok(Rel { plan: LogicalPlan::Sort { input: Box::new(rel.plan), order: orders, fetch: None }, scope: rel.scope })
    }

    pub(crate) fn having(&mut self, input: &Plan, condition: &spec::Expr, order: Option<&[SortExpr]>) -> Result<Rel> {
        match input {
            Plan::Aggregate { input, group_by, exprs, grouping } => {
                self.aggregate_query(input, group_by, exprs, *grouping, Some(condition), order)
            }
            // HAVING without GROUP BY: a global aggregate
            Plan::Project { input, exprs } => {
                self.aggregate_query(input, &[], exprs, GroupingKind::GroupBy, Some(condition), order)
            }
            _ => Err(Error::not_implemented("HAVING over a relation that is not a SELECT")),
        }
    }

    fn constant(&mut self, e: &spec::Expr, name: &str) -> Result<usize> {
        let empty = Scope::new(vec![], self.case_sensitive);
        let r = self.expr(e, ExprCtx::new(&empty))?;
        let sql = self.sql_of(e, &empty);
        limit_value(&r, name, &sql).map_err(|x| x.with_span(e.span()))
    }

    pub(crate) fn limit(&mut self, input: &Plan, limit: &spec::Expr) -> Result<Rel> {
        let rel = self.plan(input)?;
        let n = self.constant(limit, "limit")?;
        let plan = match rel.plan {
            // LIMIT n OFFSET m: skip m, then take n
            LogicalPlan::Limit { input, skip, fetch: None } => LogicalPlan::Limit { input, skip, fetch: Some(n) },
            p => LogicalPlan::Limit { input: Box::new(p), skip: 0, fetch: Some(n) },
        };
        Ok(Rel { plan, scope: rel.scope })
    }

    pub(crate) fn offset(&mut self, input: &Plan, offset: &spec::Expr) -> Result<Rel> {
        let rel = self.plan(input)?;
        let n = self.constant(offset, "offset")?;
        Ok(Rel { plan: LogicalPlan::Limit { input: Box::new(rel.plan), skip: n, fetch: None }, scope: rel.scope })
    }

    /// `SELECT DISTINCT`: an Aggregate grouping by every column.
    pub(crate) fn distinct(&mut self, input: &Plan) -> Result<Rel> {
        let rel = self.plan(input)?;
        let attrs = rel.scope.attrs.clone();
        let plan = rel.into_plan();
        let group_exprs = attrs.iter().map(Expr::col).collect();
        let plan = LogicalPlan::Aggregate { input: Box::new(plan), group_exprs, aggr_exprs: vec![] };
        Ok(Rel { plan, scope: Scope::new(attrs, self.case_sensitive) })
    }
}

pub(crate) fn sort_order(expr: Expr, s: &SortExpr) -> SortOrder {
    SortOrder { expr, ascending: s.ascending, nulls_first: s.nulls_first.unwrap_or(s.ascending) }
}

/// Replaces sub-expressions equal to an aliased projection item by that
/// item's attribute (so `ORDER BY a + 1` reuses a selected `a + 1`).
fn substitute_items(e: Expr, items: &[Expr]) -> Result<Expr> {
    e.transform_down(&mut |x| {
        for i in items {
            if let Expr::Alias { expr, .. } = i {
                if **expr == x {
                    return Ok((Expr::col(&i.to_attribute()), false));
                }
            }
        }
        Ok((x, true))
    })
}

/// `Project(items + missing input columns) -> Sort -> Project(items)`.
pub(crate) fn build_sorted_projection(
    input: LogicalPlan,
    items: Vec<Expr>,
    keys: Vec<(SortKey, &SortExpr)>,
) -> Result<LogicalPlan> {
    let n = items.len();
    let input_out = input.output();
    let mut p_items = items;
    let mut orders = Vec::with_capacity(keys.len());
    for (key, s) in keys {
        let e = match key {
            SortKey::Output(e) => e,
            SortKey::Input(e) => {
                let e = substitute_items(e, &p_items[..n])?;
                if e.contains_window() {
                    // a window function is computed by the projection below the sort
                    let item = e.clone().alias(e.sql_name());
                    let key = Expr::col(&item.to_attribute());
                    p_items.push(item);
                    orders.push(sort_order(key, s));
                    continue;
                }
                for id in e.column_ids() {
                    if p_items.iter().any(|i| i.output_id() == Some(id)) {
                        continue;
                    }
                    let a = input_out.iter().find(|a| a.id == id).ok_or_else(|| {
                        Error::internal(format!("sort column #{id} not in the input of the projection"))
                    })?;
                    p_items.push(Expr::col(a));
                }
                e
            }
        };
        orders.push(sort_order(e, s));
    }
    let extra = p_items.len() > n;
    let kept: Vec<Expr> = p_items[..n].iter().map(|i| Expr::col(&i.to_attribute())).collect();
    let proj = LogicalPlan::Project { input: Box::new(input), exprs: p_items };
    let sort = LogicalPlan::Sort { input: Box::new(proj), order: orders, fetch: None };
    Ok(if extra { LogicalPlan::Project { input: Box::new(sort), exprs: kept } } else { sort })
}
