//! Subqueries in filters and projections become joins (Spark's
//! `RewritePredicateSubquery` and `RewriteCorrelatedScalarSubquery`):
//!
//! - `EXISTS` / `NOT EXISTS` -> left semi / anti join on the correlated predicates;
//! - `x IN (q)` -> left semi join on `x = q.col` plus the correlated predicates;
//! - `x NOT IN (q)` -> null-aware left anti join (`(x = col) OR (x = col) IS NULL`
//!   when correlated);
//! - a correlated scalar subquery -> left outer join with the subquery
//!   grouped by its correlated columns; the subquery's value becomes a column.
//!
//! Correlated predicates are pulled up out of the subquery plan through
//! filters, projections (which then also output the columns the predicates
//! need) and aggregates (which then also group by those columns).
//! Uncorrelated scalar subqueries stay: the physical planner runs them once.

use ember_core::plan::JoinType;
use ember_core::{Error, Expr, LogicalPlan, Result};

use crate::util::filter;

pub fn decorrelate(plan: LogicalPlan) -> Result<LogicalPlan> {
    plan.transform_up(&mut rewrite_node)
}

fn rewrite_node(node: LogicalPlan) -> Result<LogicalPlan> {
    match node {
        LogicalPlan::Filter { input, predicate } if predicate.contains_subquery() => {
            let original = input.output();
            let mut input = *input;
            let mut rest = Vec::new();
            for term in predicate.split_conjunction() {
                let (new_input, kept) = rewrite_term(input, term)?;
                input = new_input;
                rest.extend(kept);
            }
            let filtered = filter(input, rest);
            Ok(project_to(filtered, &original))
        }
        LogicalPlan::Project { input, exprs } if exprs.iter().any(|e| e.contains_subquery()) => {
            let mut input = *input;
            let mut new_exprs = Vec::with_capacity(exprs.len());
            for e in exprs {
                let (i, e) = rewrite_scalar_subqueries(input, e)?;
                input = i;
                new_exprs.push(e);
            }
            Ok(LogicalPlan::Project { input: Box::new(input), exprs: new_exprs })
        }
        other => Ok(other),
    }
}

/// Keeps only `attrs` (in order) when the plan grew extra columns.
fn project_to(plan: LogicalPlan, attrs: &[ember_core::Attribute]) -> LogicalPlan {
    let out = plan.output();
    if out.len() == attrs.len() && out.iter().zip(attrs).all(|(a, b)| a.id == b.id) {
        return plan;
    }
    LogicalPlan::Project { input: Box::new(plan), exprs: attrs.iter().map(|a| Expr::Column(a.clone())).collect() }
}

/// Rewrites one conjunct of a filter; returns the new input and what is
/// left of the conjunct to filter on.
fn rewrite_term(input: LogicalPlan, term: Expr) -> Result<(LogicalPlan, Option<Expr>)> {
    match term {
        Expr::Exists { plan, negated } => {
            let (sub, preds) = pull_up(decorrelate(*plan)?)?;
            let jt = if negated { JoinType::LeftAnti } else { JoinType::LeftSemi };
            Ok((join(input, sub, jt, Expr::conjunction(preds), false), None))
        }
        Expr::Not(inner) if matches!(inner.as_ref(), Expr::Exists { .. } | Expr::InSubquery { .. }) => {
            let flipped = match *inner {
                Expr::Exists { plan, negated } => Expr::Exists { plan, negated: !negated },
                Expr::InSubquery { expr, plan, negated } => Expr::InSubquery { expr, plan, negated: !negated },
                other => other,
            };
            rewrite_term(input, flipped)
        }
        Expr::InSubquery { expr, plan, negated } => {
            let (sub, preds) = pull_up(decorrelate(*plan)?)?;
            let value = sub.output().first().cloned().ok_or_else(|| Error::internal("IN subquery without columns"))?;
            let value = Expr::Column(value);
            let value = if value.data_type() != expr.data_type() {
                Expr::Cast { expr: Box::new(value), to: expr.data_type(), mode: ember_core::EvalMode::Legacy }
            } else {
                value
            };
            let eq = Expr::eq(*expr.clone(), value.clone());
            if !negated {
                let mut cond = vec![eq];
                cond.extend(preds);
                Ok((join(input, sub, JoinType::LeftSemi, Expr::conjunction(cond), false), None))
            } else if preds.is_empty() {
                let plan = LogicalPlan::Join {
                    left: Box::new(input),
                    right: Box::new(sub),
                    join_type: JoinType::LeftAnti,
                    on: vec![(*expr, value)],
                    filter: None,
                    null_aware: true,
                };
                Ok((plan, None))
            } else {
                let unknown_or_true = Expr::or(eq.clone(), Expr::IsNull(Box::new(eq)));
                let mut cond = vec![unknown_or_true];
                cond.extend(preds);
                Ok((join(input, sub, JoinType::LeftAnti, Expr::conjunction(cond), false), None))
            }
        }
        t if t.contains_subquery() => {
            if t.any(&mut |e| matches!(e, Expr::Exists { .. } | Expr::InSubquery { .. })) {
                return Err(Error::not_implemented(
                    "IN or EXISTS subqueries nested inside other expressions (such as OR); use them as top-level conditions",
                ));
            }
            let (input, t) = rewrite_scalar_subqueries(input, t)?;
            Ok((input, Some(t)))
        }
        t => Ok((input, Some(t))),
    }
}

/// Replaces each correlated scalar subquery in `e` by a column of a left
/// outer join added to `input`.
fn rewrite_scalar_subqueries(input: LogicalPlan, e: Expr) -> Result<(LogicalPlan, Expr)> {
    let mut input = Some(input);
    let mut failure = None;
    let e = e.transform_up(&mut |x| match x {
        Expr::ScalarSubquery { plan, data_type } => {
            let sub = decorrelate(*plan)?;
            if !plan_has_outer(&sub) {
                return Ok(Expr::ScalarSubquery { plan: Box::new(sub), data_type });
            }
            let (sub, preds) = pull_up(sub)?;
            let value = match sub.output().first() {
                Some(v) => v.clone(),
                None => {
                    failure = Some(Error::internal("scalar subquery without columns"));
                    return Ok(Expr::Literal(ember_core::ScalarValue::Null));
                }
            };
            let Some(inp) = input.take() else {
                return Err(Error::internal("scalar subquery rewrite lost its input"));
            };
            input = Some(join(inp, sub, JoinType::LeftOuter, Expr::conjunction(preds), false));
            Ok(Expr::Column(value.with_nullable(true)))
        }
        other => Ok(other),
    })?;
    if let Some(f) = failure {
        return Err(f);
    }
    let input = input.ok_or_else(|| Error::internal("scalar subquery rewrite lost its input"))?;
    Ok((input, e))
}

fn join(left: LogicalPlan, right: LogicalPlan, join_type: JoinType, filter: Option<Expr>, null_aware: bool) -> LogicalPlan {
    LogicalPlan::Join { left: Box::new(left), right: Box::new(right), join_type, on: vec![], filter, null_aware }
}

fn plan_has_outer(plan: &LogicalPlan) -> bool {
    plan.expressions().iter().any(|e| e.contains_outer()) || plan.children().iter().any(|c| plan_has_outer(c))
}

/// Outer references become ordinary columns once the subquery is joined.
fn to_columns(e: Expr) -> Result<Expr> {
    e.transform_up(&mut |x| match x {
        Expr::OuterColumn(a) => Ok(Expr::Column(a)),
        other => Ok(other),
    })
}

/// Takes the correlated predicates out of a subquery plan. Returns the plan
/// (extended to output the inner columns the predicates use) and the
/// predicates with outer references turned into columns.
fn pull_up(plan: LogicalPlan) -> Result<(LogicalPlan, Vec<Expr>)> {
    if !plan_has_outer(&plan) {
        return Ok((plan, vec![]));
    }
    match plan {
        LogicalPlan::Filter { input, predicate } => {
            let (input, mut preds) = pull_up(*input)?;
            let mut keep = Vec::new();
            for t in predicate.split_conjunction() {
                if t.contains_outer() {
                    preds.push(to_columns(t)?);
                } else {
                    keep.push(t);
                }
            }
            Ok((filter(input, keep), preds))
        }
        LogicalPlan::Project { input, mut exprs } => {
            if exprs.iter().any(|e| e.contains_outer()) {
                return Err(Error::not_implemented("outer references in the select list of a correlated subquery"));
            }
            let (input, preds) = pull_up(*input)?;
            let inner = input.output();
            for p in &preds {
                for id in p.column_ids() {
                    if let Some(a) = inner.iter().find(|a| a.id == id) {
                        if !exprs.iter().any(|e| e.output_id() == Some(id)) {
                            exprs.push(Expr::Column(a.clone()));
                        }
                    }
                }
            }
            Ok((LogicalPlan::Project { input: Box::new(input), exprs }, preds))
        }
        LogicalPlan::Aggregate { input, mut group_exprs, aggr_exprs } => {
            if aggr_exprs.iter().chain(group_exprs.iter()).any(|e| e.contains_outer()) {
                return Err(Error::not_implemented("outer references inside aggregate expressions of a subquery"));
            }
            let (input, preds) = pull_up(*input)?;
            let inner = input.output();
            for p in &preds {
                if !matches!(p, Expr::Binary { op: ember_core::expr::BinaryOp::Eq, .. }) {
                    return Err(Error::not_implemented(
                        "correlated predicates other than equalities below an aggregate in a subquery",
                    ));
                }
                for id in p.column_ids() {
                    if let Some(a) = inner.iter().find(|a| a.id == id) {
                        if !group_exprs.iter().any(|e| e.output_id() == Some(id)) {
                            group_exprs.push(Expr::Column(a.clone()));
                        }
                    }
                }
            }
            Ok((LogicalPlan::Aggregate { input: Box::new(input), group_exprs, aggr_exprs }, preds))
        }
        LogicalPlan::Join { left, right, join_type, on, filter: jf, null_aware } => {
            if jf.as_ref().is_some_and(|f| f.contains_outer()) || on.iter().any(|(l, r)| l.contains_outer() || r.contains_outer()) {
                return Err(Error::not_implemented("outer references in a join condition of a subquery"));
            }
            let (left, mut preds) = pull_up(*left)?;
            let (right, rp) = if matches!(join_type, JoinType::Inner | JoinType::Cross) {
                pull_up(*right)?
            } else if plan_has_outer(&right) {
                return Err(Error::not_implemented("outer references below an outer join in a subquery"));
            } else {
                (*right, vec![])
            };
            preds.extend(rp);
            Ok((LogicalPlan::Join { left: Box::new(left), right: Box::new(right), join_type, on, filter: jf, null_aware }, preds))
        }
        LogicalPlan::Sort { input, order, fetch } if fetch.is_none() => {
            // ordering inside an EXISTS / IN / scalar subquery does not matter
            let _ = order;
            pull_up(*input)
        }
        other => Err(Error::not_implemented(format!(
            "correlated subquery with outer references below {}",
            other.display_indent().lines().next().unwrap_or("this operator")
        ))),
    }
}
