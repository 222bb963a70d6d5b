//! Aggregate queries: `SELECT .. GROUP BY ..`, global aggregates, HAVING,
//! and ORDER BY over aggregates.
//!
//! The result is `Aggregate(group_exprs, aggr_exprs)` -> [`Filter` (HAVING)]
//! -> `Project` (the SELECT list over the group and aggregate attributes)
//! [-> `Sort` -> `Project`]. Every expression above the Aggregate is
//! rewritten over its output: a sub-expression equal to a grouping
//! expression becomes the grouping attribute, an aggregate call becomes the
//! attribute of its (deduplicated) `aggr_exprs` entry, and any other column
//! is an error (`MISSING_AGGREGATION`, or `MISSING_GROUP_BY` without GROUP BY).

use ember_core::spec::{self, GroupingKind, Plan, SortExpr};
use ember_core::{Attribute, Error, Expr, LogicalPlan, Result};

use super::expr::{check_filter, ordinal_of, quoted, spec_has_aggregate, AggPolicy, ExprCtx};
use super::select::{build_sorted_projection, SelectItem};
use super::{Analyzer, Rel};

/// The grouping and aggregate expressions collected for one Aggregate node.
#[derive(Default)]
struct AggState {
    /// (expression over the input, its attribute, the `group_exprs` item)
    groups: Vec<(Expr, Attribute, Expr)>,
    /// (aggregate call, its attribute, the `aggr_exprs` item)
    aggs: Vec<(Expr, Attribute, Expr)>,
    has_group_by: bool,
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
        if grouping != GroupingKind::GroupBy {
            return Err(Error::not_implemented("GROUPING SETS, ROLLUP and CUBE"));
        }
        let child = self.plan(input)?;
        let scope = child.scope.clone();
        let parts: Vec<SelectItem> = self.select_items(exprs, ExprCtx::new(&scope).with_agg(AggPolicy::Allow))?;
        let lateral: Vec<(String, Expr)> =
            parts.iter().filter(|p| p.user_alias).map(|p| (p.name.clone(), p.expr.clone())).collect();
        let mut st = AggState { has_group_by: !group_by.is_empty(), ..AggState::default() };

        for g in group_by {
            let e = if let Some(n) = ordinal_of(g) {
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
                p.expr.clone()
            } else {
                let ctx = ExprCtx::new(&scope).with_aliases(&lateral).with_agg(AggPolicy::GroupBy);
                let e = self.expr(g, ctx)?;
                if e.contains_aggregate() {
                    let sql = self.sql_of(g, &scope);
                    return Err(Error::spark("GROUP_BY_AGGREGATE", &[("sqlExpr", quoted(&sql))]).with_span(g.span()));
                }
                e
            };
            st.add_group(e);
        }

        let mut items = Vec::with_capacity(parts.len());
        for p in &parts {
            let r = st.rewrite(p.expr.clone())?;
            items.push(p.to_item(r));
        }

        let having_pred = match having {
            Some(h) => {
                let ctx = ExprCtx::new(&scope).with_aliases(&lateral).with_agg(AggPolicy::Allow);
                let c = self.expr(h, ctx)?;
                let sql = self.sql_of(h, &scope);
                let c = st.rewrite(c).map_err(|e| e.with_span(h.span()))?;
                Some(check_filter(c, &sql).map_err(|e| e.with_span(h.span()))?)
            }
            None => None,
        };

        let keys = match order {
            Some(order) => {
                let mut keys = Vec::with_capacity(order.len());
                for s in order {
                    let try_output = !spec_has_aggregate(&s.expr);
                    let key = self.sort_key(&s.expr, &items, try_output, &mut |a, e| {
                        let ctx = ExprCtx::new(&scope).with_aliases(&lateral).with_agg(AggPolicy::Allow);
                        let r = a.expr(e, ctx)?;
                        st.rewrite(r).map_err(|x| x.with_span(e.span()))
                    })?;
                    keys.push((key, s));
                }
                Some(keys)
            }
            None => None,
        };

        let group_exprs = st.groups.into_iter().map(|(_, _, i)| i).collect();
        let aggr_exprs = st.aggs.into_iter().map(|(_, _, i)| i).collect();
        let mut plan = LogicalPlan::Aggregate { input: Box::new(child.plan), group_exprs, aggr_exprs };
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
}
