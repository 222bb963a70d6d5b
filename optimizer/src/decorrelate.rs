//! Subqueries in filters and projections become joins (Spark's
//! `RewritePredicateSubquery` and `RewriteCorrelatedScalarSubquery`):
//!
//! - `EXISTS` / `NOT EXISTS` -> left semi / anti join on the correlated predicates
//!   (TRUE / FALSE over a global aggregate, which always has one row);
//! - `x IN (q)` -> left semi join on `x = q.col` plus the correlated predicates;
//! - `x NOT IN (q)` -> null-aware left anti join (`(x = col) OR (x = col) IS NULL`
//!   when correlated);
//! - a correlated scalar subquery -> left outer join with the subquery
//!   grouped by its correlated columns; the subquery's value becomes a column.
//!
//! Correlated predicates are pulled up out of the subquery plan through
//! filters, projections (which then also output the columns the predicates
//! need) and aggregates. Below an aggregate, equalities `inner = f(outer)`
//! make the aggregate also group by their inner columns. Any other
//! correlated predicate (`s2.a <= s1.a`) needs a domain join, as in Spark's
//! `DecorrelateInnerQuery`: the distinct values of the outer columns the
//! predicates read (the domain, from a copy of the outer plan with fresh
//! column ids) are inner-joined with the aggregate's input on the
//! predicates, the aggregate also groups by the domain columns, and the
//! predicates pulled further up become `outer <=> domain` for each column.
//!
//! An outer row no subquery group joins gets NULL from the outer join, but a
//! subquery whose value is not NULL over no rows (`count(*)`, Spark's "count
//! bug") must give that value instead: the subquery then also outputs a
//! constant TRUE column, and the value becomes `CASE WHEN flag IS NULL THEN
//! <value over no rows> ELSE value END`, the value over no rows being the
//! subquery's result expression with each aggregate replaced by its result
//! on empty input (0 for count, NULL otherwise).
//! Uncorrelated scalar subqueries stay: the physical planner runs them once.

use std::collections::HashMap;

use arrow_schema::DataType;
use ember_core::expr::{next_column_id, BinaryOp};
use ember_core::plan::JoinType;
use ember_core::{AggFunc, Attribute, ColumnId, Error, EvalMode, Expr, LogicalPlan, Result, ScalarValue};

use crate::util::{filter, ids};

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
            if one_row_always(&plan) {
                // a global aggregate has one row even over no input (count bug)
                return Ok((input, negated.then(|| Expr::Literal(ScalarValue::Boolean(Some(false))))));
            }
            let (sub, preds) = pull_up(decorrelate(*plan)?, &input)?;
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
            let sub = decorrelate(*plan)?;
            // taken before pulling up, which may put grouping columns first
            let value = sub.output().first().cloned().ok_or_else(|| Error::internal("IN subquery without columns"))?;
            let (sub, preds) = pull_up(sub, &input)?;
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
            // the value is the subquery's first column; pulling predicates up
            // may put grouping columns before it
            let value = match sub.output().first() {
                Some(v) => v.clone(),
                None => {
                    failure = Some(Error::internal("scalar subquery without columns"));
                    return Ok(Expr::Literal(ScalarValue::Null));
                }
            };
            let Some(inp) = input.take() else {
                return Err(Error::internal("scalar subquery rewrite lost its input"));
            };
            let (sub, preds) = pull_up(sub, &inp)?;
            // the count bug: the value over no rows, where it is not NULL
            let on_empty = value_on_empty(&sub, value.id).filter(|e| !always_null(e));
            let (sub, flag) = match on_empty {
                Some(_) => {
                    let flag = Expr::Literal(ScalarValue::Boolean(Some(true))).alias("alwaysTrue");
                    let flag_attr = flag.to_attribute().with_nullable(true);
                    let mut exprs: Vec<Expr> = sub.output().iter().map(Expr::col).collect();
                    exprs.push(flag);
                    (LogicalPlan::Project { input: Box::new(sub), exprs }, Some(flag_attr))
                }
                None => (sub, None),
            };
            input = Some(join(inp, sub, JoinType::LeftOuter, Expr::conjunction(preds), false));
            let column = Expr::Column(value.clone().with_nullable(true));
            Ok(match (on_empty, flag) {
                (Some(empty), Some(flag)) => Expr::Case {
                    branches: vec![(Expr::IsNull(Box::new(Expr::Column(flag))), cast_to(empty, &value.data_type))],
                    else_expr: Some(Box::new(column)),
                    data_type: value.data_type.clone(),
                },
                _ => column,
            })
        }
        other => Ok(other),
    })?;
    if let Some(f) = failure {
        return Err(f);
    }
    let input = input.ok_or_else(|| Error::internal("scalar subquery rewrite lost its input"))?;
    Ok((input, e))
}

/// Whether a plan returns exactly one row whatever its input: an aggregate
/// without grouping, under projections only.
fn one_row_always(plan: &LogicalPlan) -> bool {
    match plan {
        LogicalPlan::Project { input, .. } => one_row_always(input),
        LogicalPlan::Aggregate { group_exprs, .. } => group_exprs.is_empty(),
        _ => false,
    }
}

fn join(
    left: LogicalPlan,
    right: LogicalPlan,
    join_type: JoinType,
    filter: Option<Expr>,
    null_aware: bool,
) -> LogicalPlan {
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
/// predicates with outer references turned into columns. `outer` is the plan
/// the subquery will be joined to: the source of a domain join's values.
fn pull_up(plan: LogicalPlan, outer: &LogicalPlan) -> Result<(LogicalPlan, Vec<Expr>)> {
    if !plan_has_outer(&plan) {
        return Ok((plan, vec![]));
    }
    match plan {
        LogicalPlan::Filter { input, predicate } => {
            let (input, mut preds) = pull_up(*input, outer)?;
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
            let (input, preds) = pull_up(*input, outer)?;
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
            let (input, preds) = pull_up(*input, outer)?;
            if !preds.iter().all(|p| matches!(p, Expr::Binary { op: BinaryOp::Eq, .. })) {
                return domain_join(input, group_exprs, aggr_exprs, preds, outer);
            }
            let inner = input.output();
            for p in &preds {
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
            if jf.as_ref().is_some_and(|f| f.contains_outer())
                || on.iter().any(|(l, r)| l.contains_outer() || r.contains_outer())
            {
                return Err(Error::not_implemented("outer references in a join condition of a subquery"));
            }
            let (left, mut preds) = pull_up(*left, outer)?;
            let (right, rp) = if matches!(join_type, JoinType::Inner | JoinType::Cross) {
                pull_up(*right, outer)?
            } else if plan_has_outer(&right) {
                return Err(Error::not_implemented("outer references below an outer join in a subquery"));
            } else {
                (*right, vec![])
            };
            preds.extend(rp);
            Ok((
                LogicalPlan::Join {
                    left: Box::new(left),
                    right: Box::new(right),
                    join_type,
                    on,
                    filter: jf,
                    null_aware,
                },
                preds,
            ))
        }
        LogicalPlan::Window { input, window_exprs, mut partition_by, order_by } => {
            if window_exprs.iter().chain(partition_by.iter()).any(|e| e.contains_outer())
                || order_by.iter().any(|o| o.expr.contains_outer())
            {
                return Err(Error::not_implemented("outer references inside window expressions of a subquery"));
            }
            let (input, preds) = pull_up(*input, outer)?;
            if !preds.iter().all(|p| matches!(p, Expr::Binary { op: BinaryOp::Eq, .. })) {
                return Err(Error::not_implemented(
                    "correlated predicates other than equalities below a window function",
                ));
            }
            // `inner = outer` selected each outer row's rows before the window
            // ran: partitioning by the inner columns too computes the same
            // windows for all outer rows at once
            let inner = input.output();
            let mut added = Vec::new();
            for p in &preds {
                for id in p.column_ids() {
                    if let Some(a) = inner.iter().find(|a| a.id == id) {
                        if !partition_by.iter().chain(added.iter()).any(|e| e.output_id() == Some(id)) {
                            added.push(Expr::Column(a.clone()));
                        }
                    }
                }
            }
            partition_by.extend(added.iter().cloned());
            let window_exprs = window_exprs
                .into_iter()
                .map(|e| {
                    e.transform_up(&mut |x| match x {
                        Expr::Window(mut w) => {
                            w.partition_by.extend(added.iter().cloned());
                            Ok(Expr::Window(w))
                        }
                        other => Ok(other),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok((LogicalPlan::Window { input: Box::new(input), window_exprs, partition_by, order_by }, preds))
        }
        LogicalPlan::Sort { input, order, fetch } if fetch.is_none() => {
            // ordering inside an EXISTS / IN / scalar subquery does not matter
            let _ = order;
            pull_up(*input, outer)
        }
        other => Err(Error::not_implemented(format!(
            "correlated subquery with outer references below {}",
            other.display_indent().lines().next().unwrap_or("this operator")
        ))),
    }
}

/// An aggregate whose input is filtered by correlated predicates that are
/// not all equalities: joins the aggregate's input with the domain of the
/// outer columns the predicates read, and groups by the domain too. Returns
/// the new aggregate and `outer <=> domain` for each of those columns.
fn domain_join(
    input: LogicalPlan,
    mut group_exprs: Vec<Expr>,
    aggr_exprs: Vec<Expr>,
    preds: Vec<Expr>,
    outer: &LogicalPlan,
) -> Result<(LogicalPlan, Vec<Expr>)> {
    let inner_ids = ids(&input.output());
    let mut outer_cols: Vec<Attribute> = Vec::new();
    for p in &preds {
        p.walk(&mut |e| {
            if let Expr::Column(a) = e {
                if !inner_ids.contains(&a.id) && !outer_cols.iter().any(|o| o.id == a.id) {
                    outer_cols.push(a.clone());
                }
            }
        });
    }
    let outer_ids = ids(&outer.output());
    if outer_cols.iter().any(|o| !outer_ids.contains(&o.id)) {
        return Err(Error::not_implemented(
            "correlated predicates other than equalities below an aggregate that read columns of a query further out",
        ));
    }
    // the outer plan appears twice in the result: its copy gets fresh ids
    let (copy, map) = fresh_copy(outer.clone())?;
    let domain_cols: Vec<Attribute> =
        outer_cols.iter().map(|o| Attribute { id: map.get(&o.id).copied().unwrap_or(o.id), ..o.clone() }).collect();
    let domain = LogicalPlan::Aggregate {
        input: Box::new(copy),
        group_exprs: domain_cols.iter().map(Expr::col).collect(),
        aggr_exprs: vec![],
    };
    let to_domain = |e: Expr| {
        e.transform_up(&mut |x| match x {
            Expr::Column(a) if outer_cols.iter().any(|o| o.id == a.id) => {
                Ok(Expr::Column(Attribute { id: map.get(&a.id).copied().unwrap_or(a.id), ..a }))
            }
            other => Ok(other),
        })
    };
    let on = preds.into_iter().map(to_domain).collect::<Result<Vec<_>>>()?;
    let joined = join(domain, input, JoinType::Inner, Expr::conjunction(on), false);
    group_exprs.extend(domain_cols.iter().map(Expr::col));
    let agg = LogicalPlan::Aggregate { input: Box::new(joined), group_exprs, aggr_exprs };
    let preds = outer_cols
        .into_iter()
        .zip(domain_cols)
        .map(|(o, d)| Expr::Binary {
            op: BinaryOp::EqNullSafe,
            left: Box::new(Expr::Column(o)),
            right: Box::new(Expr::Column(d)),
            data_type: DataType::Boolean,
            mode: EvalMode::Ansi,
        })
        .collect();
    Ok((agg, preds))
}

/// A copy of `plan` in which every attribute the plan defines has a fresh
/// id, with the map from old to new ids. Subquery plans inside expressions
/// are uncorrelated by now and are left as they are.
pub(crate) fn fresh_copy(plan: LogicalPlan) -> Result<(LogicalPlan, HashMap<ColumnId, ColumnId>)> {
    let mut map: HashMap<ColumnId, ColumnId> = HashMap::new();
    let plan = plan.transform_up(&mut |node| {
        let renew = |attrs: Vec<Attribute>, map: &mut HashMap<ColumnId, ColumnId>| -> Vec<Attribute> {
            attrs
                .into_iter()
                .map(|a| {
                    let id = next_column_id();
                    map.insert(a.id, id);
                    Attribute { id, ..a }
                })
                .collect()
        };
        // leaves (and unions) define their output before their expressions read it
        let node = match node {
            LogicalPlan::Scan { source, table_name, projection, output, filters } => {
                LogicalPlan::Scan { source, table_name, projection, output: renew(output, &mut map), filters }
            }
            LogicalPlan::Values { output, rows } => LogicalPlan::Values { output: renew(output, &mut map), rows },
            LogicalPlan::Range { output, start, end, step } => {
                let output = renew(vec![output], &mut map).remove(0);
                LogicalPlan::Range { output, start, end, step }
            }
            LogicalPlan::Empty { output } => LogicalPlan::Empty { output: renew(output, &mut map) },
            LogicalPlan::Union { inputs, output } => LogicalPlan::Union { inputs, output: renew(output, &mut map) },
            // pass-through columns keep their (renamed) input ids; the columns
            // the Expand makes get fresh ones
            LogicalPlan::Expand { input, projections, output } => {
                let output = output
                    .into_iter()
                    .map(|a| match map.get(&a.id) {
                        Some(id) => Attribute { id: *id, ..a },
                        None => renew(vec![a], &mut map).remove(0),
                    })
                    .collect();
                LogicalPlan::Expand { input, projections, output }
            }
            other => other,
        };
        let node = node.map_expressions(|e| {
            e.transform_up(&mut |x| match x {
                Expr::Column(a) => Ok(Expr::Column(Attribute { id: map.get(&a.id).copied().unwrap_or(a.id), ..a })),
                other => Ok(other),
            })
        })?;
        // projections and aggregates define their aliases
        let mut realias = |exprs: Vec<Expr>| -> Vec<Expr> {
            exprs
                .into_iter()
                .map(|e| match e {
                    Expr::Alias { expr, name, id } => {
                        let new = next_column_id();
                        map.insert(id, new);
                        Expr::Alias { expr, name, id: new }
                    }
                    other => other,
                })
                .collect()
        };
        Ok(match node {
            LogicalPlan::Project { input, exprs } => LogicalPlan::Project { input, exprs: realias(exprs) },
            LogicalPlan::Aggregate { input, group_exprs, aggr_exprs } => {
                let group_exprs = realias(group_exprs);
                let aggr_exprs = realias(aggr_exprs);
                LogicalPlan::Aggregate { input, group_exprs, aggr_exprs }
            }
            LogicalPlan::Window { input, window_exprs, partition_by, order_by } => {
                LogicalPlan::Window { input, window_exprs: realias(window_exprs), partition_by, order_by }
            }
            other => other,
        })
    })?;
    Ok((plan, map))
}

/// The value of column `id` of a subquery plan when the subquery's input has
/// no rows, where it can be computed: through projections down to an
/// aggregate, whose calls give their result on empty input.
fn value_on_empty(plan: &LogicalPlan, id: ColumnId) -> Option<Expr> {
    match plan {
        LogicalPlan::Aggregate { group_exprs, aggr_exprs, .. } => {
            if let Some(g) = group_exprs.iter().find(|g| g.output_id() == Some(id)) {
                // no group exists: the grouping columns are NULL like the join's
                return Some(Expr::Literal(ScalarValue::null_of(&g.data_type())));
            }
            let item = aggr_exprs.iter().find(|e| e.output_id() == Some(id))?;
            match item.unalias() {
                Expr::Aggregate(a) => match a.func {
                    AggFunc::Count => Some(Expr::Literal(ScalarValue::Int64(Some(0)))),
                    // an empty array: not expressible as a literal here
                    AggFunc::CollectList | AggFunc::CollectSet => None,
                    _ => Some(Expr::Literal(ScalarValue::null_of(&a.data_type))),
                },
                _ => None,
            }
        }
        LogicalPlan::Project { input, exprs } => {
            let item = exprs.iter().find(|e| e.output_id() == Some(id))?;
            let expr = item.unalias().clone();
            let mut values: HashMap<ColumnId, Expr> = HashMap::new();
            for c in expr.column_ids() {
                values.insert(c, value_on_empty(input, c)?);
            }
            expr.transform_up(&mut |x| match x {
                Expr::Column(a) => Ok(values.get(&a.id).cloned().unwrap_or(Expr::Column(a))),
                other => Ok(other),
            })
            .ok()
        }
        _ => None,
    }
}

/// True when `e` is NULL for sure: a NULL literal under operators that
/// return NULL for a NULL operand.
fn always_null(e: &Expr) -> bool {
    match e {
        Expr::Literal(v) => v.is_null(),
        Expr::Alias { expr, .. } | Expr::Cast { expr, .. } | Expr::Negative { expr, .. } | Expr::Not(expr) => {
            always_null(expr)
        }
        Expr::Binary { op, left, right, .. } if !matches!(op, BinaryOp::And | BinaryOp::Or | BinaryOp::EqNullSafe) => {
            always_null(left) || always_null(right)
        }
        _ => false,
    }
}

fn cast_to(e: Expr, to: &DataType) -> Expr {
    if e.data_type() == *to {
        e
    } else {
        Expr::Cast { expr: Box::new(e), to: to.clone(), mode: EvalMode::Legacy }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use ember_core::AggregateCall;

    use super::*;

    fn values(names: &[&str], rows: Vec<Vec<i32>>) -> LogicalPlan {
        LogicalPlan::Values {
            output: names.iter().map(|n| Attribute::new(*n, DataType::Int32, true)).collect(),
            rows: rows.into_iter().map(|r| r.into_iter().map(|v| ScalarValue::Int32(Some(v))).collect()).collect(),
        }
    }

    fn binary(op: BinaryOp, l: Expr, r: Expr) -> Expr {
        Expr::Binary { op, left: Box::new(l), right: Box::new(r), data_type: DataType::Boolean, mode: EvalMode::Ansi }
    }

    fn count_star() -> Expr {
        Expr::Aggregate(Box::new(AggregateCall {
            func: AggFunc::Count,
            args: vec![],
            distinct: false,
            filter: None,
            data_type: DataType::Int64,
            display_name: "count".into(),
            mode: EvalMode::Ansi,
        }))
    }

    /// Every id defined in the plan, with repeats.
    fn defined_ids(p: &LogicalPlan, out: &mut Vec<ColumnId>) {
        match p {
            LogicalPlan::Values { output, .. } | LogicalPlan::Scan { output, .. } => {
                out.extend(output.iter().map(|a| a.id))
            }
            LogicalPlan::Project { exprs, .. } => out.extend(exprs.iter().filter_map(|e| match e {
                Expr::Alias { id, .. } => Some(*id),
                _ => None,
            })),
            LogicalPlan::Aggregate { group_exprs, aggr_exprs, .. } => {
                out.extend(group_exprs.iter().chain(aggr_exprs).filter_map(|e| match e {
                    Expr::Alias { id, .. } => Some(*id),
                    _ => None,
                }))
            }
            _ => {}
        }
        for c in p.children() {
            defined_ids(c, out);
        }
    }

    fn contains(p: &LogicalPlan, pred: &dyn Fn(&LogicalPlan) -> bool) -> bool {
        pred(p) || p.children().iter().any(|c| contains(c, pred))
    }

    #[test]
    fn fresh_copy_renames_definitions_and_references() {
        let v = values(&["a", "b"], vec![vec![1, 2]]);
        let [a, b] = [v.output()[0].clone(), v.output()[1].clone()];
        let sum = Expr::Binary {
            op: BinaryOp::Plus,
            left: Box::new(Expr::col(&a)),
            right: Box::new(Expr::col(&b)),
            data_type: DataType::Int32,
            mode: EvalMode::Ansi,
        }
        .alias("c");
        let c = sum.to_attribute();
        let plan = LogicalPlan::Filter {
            input: Box::new(LogicalPlan::Project { input: Box::new(v), exprs: vec![Expr::col(&a), sum] }),
            predicate: binary(BinaryOp::Gt, Expr::col(&c), Expr::lit(ScalarValue::Int32(Some(1)))),
        };
        let (copy, map) = fresh_copy(plan.clone()).unwrap();
        assert_eq!(map.len(), 3);
        let (mut old, mut new) = (vec![], vec![]);
        defined_ids(&plan, &mut old);
        defined_ids(&copy, &mut new);
        assert!(new.iter().all(|id| !old.contains(id)));
        assert_eq!(copy.output().iter().map(|x| x.id).collect::<Vec<_>>(), vec![map[&a.id], map[&c.id]]);
        let LogicalPlan::Filter { predicate, .. } = &copy else { panic!("not a filter") };
        assert_eq!(predicate.column_ids(), vec![map[&c.id]]);
    }

    /// `SELECT x, (SELECT count(*) FROM u WHERE u.y < o.x) FROM o`
    #[test]
    fn non_equality_below_aggregate_uses_a_domain_join() {
        let outer = values(&["x"], vec![vec![1], vec![3]]);
        let x = outer.output()[0].clone();
        let inner = values(&["y"], vec![vec![2]]);
        let y = inner.output()[0].clone();
        let sub = LogicalPlan::Aggregate {
            input: Box::new(LogicalPlan::Filter {
                input: Box::new(inner),
                predicate: binary(BinaryOp::Lt, Expr::col(&y), Expr::OuterColumn(x.clone())),
            }),
            group_exprs: vec![],
            aggr_exprs: vec![count_star().alias("count(1)")],
        };
        let query = LogicalPlan::Project {
            input: Box::new(outer),
            exprs: vec![
                Expr::col(&x),
                Expr::ScalarSubquery { plan: Box::new(sub), data_type: DataType::Int64 }.alias("s"),
            ],
        };
        let out_ids: Vec<ColumnId> = query.output().iter().map(|a| a.id).collect();
        let plan = decorrelate(query).unwrap();
        assert_eq!(plan.output().iter().map(|a| a.id).collect::<Vec<_>>(), out_ids);
        assert!(!plan_has_outer(&plan) && !plan.expressions().iter().any(|e| e.contains_subquery()));
        let mut ids = vec![];
        defined_ids(&plan, &mut ids);
        assert_eq!(
            ids.len(),
            ids.iter().collect::<HashSet<_>>().len(),
            "ids defined twice in\n{}",
            plan.display_indent()
        );
        // the outer rows join the subquery on x <=> domain x
        assert!(contains(
            &plan,
            &|p| matches!(p, LogicalPlan::Join { join_type: JoinType::LeftOuter, filter: Some(f), .. }
            if matches!(f, Expr::Binary { op: BinaryOp::EqNullSafe, .. }))
        ));
        // count over no rows is 0: CASE WHEN flag IS NULL THEN 0 ELSE count END
        let LogicalPlan::Project { exprs, .. } = &plan else { panic!("not a project") };
        assert!(matches!(exprs[1].unalias(), Expr::Case { branches, .. }
            if branches[0].1 == Expr::lit(ScalarValue::Int64(Some(0)))));
    }

    /// `rank() OVER (ORDER BY z)` over rows with `y = outer.x`: the
    /// window is partitioned by `y` once the predicate moves above it.
    #[test]
    fn equalities_below_a_window_extend_its_partitioning() {
        use ember_core::expr::{FrameUnits, WindowExpr, WindowFrame, WindowFunction};
        use ember_core::{FrameBound, SortOrder};
        let outer = values(&["x"], vec![vec![1]]);
        let x = outer.output()[0].clone();
        let inner = values(&["y", "z"], vec![vec![1, 2]]);
        let (y, z) = (inner.output()[0].clone(), inner.output()[1].clone());
        let order = vec![SortOrder { expr: Expr::col(&z), ascending: true, nulls_first: true }];
        let rank = Expr::Window(Box::new(WindowExpr {
            function: WindowFunction::Rank,
            partition_by: vec![],
            order_by: order.clone(),
            frame: WindowFrame::new(FrameUnits::Rows, FrameBound::UnboundedPreceding, FrameBound::CurrentRow),
        }))
        .alias("r");
        let sub = LogicalPlan::Window {
            input: Box::new(LogicalPlan::Filter {
                input: Box::new(inner),
                predicate: binary(BinaryOp::Eq, Expr::col(&y), Expr::OuterColumn(x.clone())),
            }),
            window_exprs: vec![rank],
            partition_by: vec![],
            order_by: order,
        };
        let (plan, preds) = pull_up(sub, &outer).unwrap();
        assert_eq!(preds.len(), 1);
        let LogicalPlan::Window { partition_by, window_exprs, input, .. } = plan else { panic!("not a window") };
        assert_eq!(partition_by, vec![Expr::col(&y)]);
        assert!(matches!(window_exprs[0].unalias(), Expr::Window(w) if w.partition_by == vec![Expr::col(&y)]));
        assert!(!plan_has_outer(&input));
    }

    #[test]
    fn values_over_no_rows() {
        let v = values(&["y"], vec![]);
        let y = v.output()[0].clone();
        let max = Expr::Aggregate(Box::new(AggregateCall {
            func: AggFunc::Max,
            args: vec![Expr::col(&y)],
            distinct: false,
            filter: None,
            data_type: DataType::Int32,
            display_name: "max".into(),
            mode: EvalMode::Ansi,
        }))
        .alias("m");
        let cnt = count_star().alias("c");
        let (m, c) = (max.to_attribute(), cnt.to_attribute());
        let agg = LogicalPlan::Aggregate { input: Box::new(v), group_exprs: vec![], aggr_exprs: vec![max, cnt] };
        let plus = |e: Expr| Expr::Binary {
            op: BinaryOp::Plus,
            left: Box::new(e),
            right: Box::new(Expr::lit(ScalarValue::Int64(Some(1)))),
            data_type: DataType::Int64,
            mode: EvalMode::Ansi,
        };
        let c1 = plus(Expr::col(&c)).alias("c1");
        let m1 = plus(Expr::col(&m)).alias("m1");
        let (c1a, m1a) = (c1.to_attribute(), m1.to_attribute());
        let proj = LogicalPlan::Project { input: Box::new(agg), exprs: vec![c1, m1] };
        let on_c = value_on_empty(&proj, c1a.id).unwrap();
        assert_eq!(on_c, plus(Expr::lit(ScalarValue::Int64(Some(0)))));
        assert!(!always_null(&on_c));
        assert!(always_null(&value_on_empty(&proj, m1a.id).unwrap()));
    }
}
