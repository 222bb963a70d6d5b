//! Shrinks the input of an aggregate that is joined on its grouping keys to
//! the groups the join can use: the shape decorrelated scalar subqueries take
//! (`outer LEFT JOIN (SELECT k, avg(x) FROM t GROUP BY k) ON o.k = k`, TPC-H
//! q2, q17, q20). This is the magic-set rewrite (DuckDB's delim join does the
//! same with the outer rows themselves): when a cheap relation inside the
//! other side, a filtered scan, bounds the values of a join key (it holds
//! the key, or a column the key equals through inner or semi joins), a copy
//! of it with fresh column ids semi-joins the aggregate's input on the
//! grouping key. Every group is kept or dropped whole, so the groups the join
//! finds keep their values; the dropped ones had no partner.

use std::collections::HashSet;

use ember_core::plan::JoinType;
use ember_core::{ColumnId, Expr, LogicalPlan, Result};

use crate::cardinality;
use crate::decorrelate::fresh_copy;
use crate::util::is_deterministic;

/// The aggregate's input must be this many times larger than the relation
/// that reduces it, or the extra scan and probe do not pay.
const MIN_REDUCTION: f64 = 4.0;

pub fn reduce_aggregates(plan: LogicalPlan) -> Result<LogicalPlan> {
    plan.transform_up(&mut |node| match node {
        LogicalPlan::Join { left, right, join_type, on, filter, null_aware } => {
            let (mut left, mut right) = (*left, *right);
            if matches!(join_type, JoinType::Inner | JoinType::LeftOuter | JoinType::LeftSemi) {
                let keys: Vec<(Expr, Expr)> = on.iter().map(|(l, r)| (l.clone(), r.clone())).collect();
                right = reduce(right, &left, &keys)?;
            }
            if matches!(join_type, JoinType::Inner | JoinType::RightOuter | JoinType::RightSemi) {
                let keys: Vec<(Expr, Expr)> = on.iter().map(|(l, r)| (r.clone(), l.clone())).collect();
                left = reduce(left, &right, &keys)?;
            }
            Ok(LogicalPlan::Join { left: Box::new(left), right: Box::new(right), join_type, on, filter, null_aware })
        }
        other => Ok(other),
    })
}

/// Reduces the aggregate under `side` (through projections and filters)
/// with a relation found in `other`; `keys` pairs (other's key, side's key).
fn reduce(side: LogicalPlan, other: &LogicalPlan, keys: &[(Expr, Expr)]) -> Result<LogicalPlan> {
    let Some(agg_input_rows) = aggregate_input(&side).map(cardinality::rows) else { return Ok(side) };
    // the smallest cheap, filtered relation bounding some key
    let mut best: Option<(f64, &LogicalPlan, ColumnId, Expr)> = None;
    for (o, s) in keys {
        let (Expr::Column(o), Expr::Column(s)) = (o, s) else { continue };
        let Some(group_input) = group_key_input(&side, s.id) else { continue };
        if !is_deterministic(&group_input) || group_input.contains_subquery() {
            continue;
        }
        let mut sources = Vec::new();
        value_sources(other, o.id, &mut sources);
        for (plan, col) in sources {
            let Some(attr) = plan.output().into_iter().find(|a| a.id == col) else { continue };
            if attr.data_type != group_input.data_type() {
                continue;
            }
            let rows = cardinality::rows(plan);
            let filtered = rows < 0.5 * cardinality::base_rows(plan);
            if filtered && rows * MIN_REDUCTION <= agg_input_rows && best.as_ref().is_none_or(|b| rows < b.0) {
                best = Some((rows, plan, col, group_input.clone()));
            }
        }
    }
    let Some((_, plan, col, group_input)) = best else { return Ok(side) };
    let Some(attr) = plan.output().into_iter().find(|a| a.id == col) else { return Ok(side) };
    let keys_only = match plan {
        LogicalPlan::Project { exprs, .. } if exprs.len() == 1 => plan.clone(),
        _ => LogicalPlan::Project { input: Box::new(plan.clone()), exprs: vec![Expr::Column(attr.clone())] },
    };
    let (copy, map) = fresh_copy(keys_only)?;
    let Some(copied) = copy.output().into_iter().find(|a| Some(&a.id) == map.get(&col)) else { return Ok(side) };
    Ok(with_aggregate_input(side, &mut |input| LogicalPlan::Join {
        left: Box::new(input),
        right: Box::new(copy.clone()),
        join_type: JoinType::LeftSemi,
        on: vec![(group_input.clone(), Expr::Column(copied.clone()))],
        filter: None,
        null_aware: false,
    }))
}

/// The input of the aggregate under projections and filters.
fn aggregate_input(plan: &LogicalPlan) -> Option<&LogicalPlan> {
    match plan {
        LogicalPlan::Project { input, .. } | LogicalPlan::Filter { input, .. } => aggregate_input(input),
        LogicalPlan::Aggregate { input, group_exprs, .. } if !group_exprs.is_empty() => Some(input),
        _ => None,
    }
}

/// The expression over the aggregate's input that column `id` of `plan`
/// passes on unchanged, when `id` is a grouping key.
fn group_key_input(plan: &LogicalPlan, id: ColumnId) -> Option<Expr> {
    match plan {
        LogicalPlan::Project { input, exprs } => {
            let e = exprs.iter().find(|e| e.output_id() == Some(id))?;
            let Expr::Column(a) = e.unalias() else { return None };
            group_key_input(input, a.id)
        }
        LogicalPlan::Filter { input, .. } => group_key_input(input, id),
        LogicalPlan::Aggregate { group_exprs, .. } => {
            group_exprs.iter().find(|g| g.output_id() == Some(id)).map(|g| g.unalias().clone())
        }
        _ => None,
    }
}

fn with_aggregate_input(plan: LogicalPlan, f: &mut dyn FnMut(LogicalPlan) -> LogicalPlan) -> LogicalPlan {
    match plan {
        LogicalPlan::Project { input, exprs } => {
            LogicalPlan::Project { input: Box::new(with_aggregate_input(*input, f)), exprs }
        }
        LogicalPlan::Filter { input, predicate } => {
            LogicalPlan::Filter { input: Box::new(with_aggregate_input(*input, f)), predicate }
        }
        LogicalPlan::Aggregate { input, group_exprs, aggr_exprs } => {
            LogicalPlan::Aggregate { input: Box::new(f(*input)), group_exprs, aggr_exprs }
        }
        other => other,
    }
}

/// A relation cheap to read twice: a scan under deterministic filters and
/// projections.
fn is_cheap(plan: &LogicalPlan) -> bool {
    let plain = |e: &Expr| is_deterministic(e) && !e.contains_subquery();
    match plan {
        LogicalPlan::Scan { .. } | LogicalPlan::Values { .. } => true,
        LogicalPlan::Filter { input, predicate } => plain(predicate) && is_cheap(input),
        LogicalPlan::Project { input, exprs } => exprs.iter().all(plain) && is_cheap(input),
        _ => false,
    }
}

/// Cheap relations under `plan` whose column (the second item) holds every
/// value column `col` of `plan` holds: the relation the column comes from,
/// and through the equalities of inner and semi joins, their partners.
fn value_sources<'a>(plan: &'a LogicalPlan, col: ColumnId, out: &mut Vec<(&'a LogicalPlan, ColumnId)>) {
    if is_cheap(plan) {
        out.push((plan, col));
        return;
    }
    match plan {
        LogicalPlan::Project { input, exprs } => {
            if let Some(Expr::Column(a)) = exprs.iter().find(|e| e.output_id() == Some(col)).map(|e| e.unalias()) {
                value_sources(input, a.id, out);
            }
        }
        LogicalPlan::Filter { input, .. } | LogicalPlan::Sort { input, .. } | LogicalPlan::Limit { input, .. } => {
            value_sources(input, col, out)
        }
        LogicalPlan::Aggregate { input, group_exprs, .. } => {
            if let Some(Expr::Column(a)) = group_exprs.iter().find(|g| g.output_id() == Some(col)).map(|g| g.unalias())
            {
                value_sources(input, a.id, out);
            }
        }
        LogicalPlan::Join { left, right, join_type, on, .. } => {
            let holds = |p: &LogicalPlan| p.output().iter().any(|a| a.id == col);
            // which sides' values bound the output's, and whether a key's
            // partner bounds it too (only where both sides must match)
            let (from_left, from_right, partners) = match join_type {
                JoinType::Inner | JoinType::Cross | JoinType::LeftSemi | JoinType::RightSemi => (true, true, true),
                JoinType::LeftOuter | JoinType::LeftAnti => (true, false, false),
                JoinType::RightOuter | JoinType::RightAnti => (false, true, false),
                JoinType::FullOuter => (false, false, false),
            };
            let mut seen = HashSet::new();
            if from_left && holds(left) {
                value_sources(left, col, out);
                if partners {
                    for (l, r) in on {
                        if let (Expr::Column(a), Expr::Column(b)) = (l, r) {
                            if a.id == col && seen.insert(b.id) {
                                value_sources(right, b.id, out);
                            }
                        }
                    }
                }
            }
            if from_right && holds(right) {
                value_sources(right, col, out);
                if partners {
                    for (l, r) in on {
                        if let (Expr::Column(a), Expr::Column(b)) = (l, r) {
                            if b.id == col && seen.insert(a.id) {
                                value_sources(left, a.id, out);
                            }
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::test_plans::{col, table};
    use arrow_schema::DataType;
    use ember_core::{AggFunc, AggregateCall, EvalMode, ScalarValue};

    use super::*;

    /// q17: `lineitem ⋈ part(filtered) LEFT JOIN (avg(l_quantity) BY l_partkey)`.
    #[test]
    fn the_filtered_dimension_reduces_the_subquery_aggregate() {
        let lineitem = table(&["l_partkey", "l_quantity"], 6000);
        let part = table(&["p_partkey", "p_brand"], 200);
        let part_f = LogicalPlan::Filter {
            input: Box::new(part.clone()),
            predicate: Expr::eq(col(&part, 1), Expr::lit(ScalarValue::Int32(Some(23)))),
        };
        let outer = LogicalPlan::Join {
            left: Box::new(lineitem.clone()),
            right: Box::new(part_f),
            join_type: JoinType::Inner,
            on: vec![(col(&lineitem, 0), col(&part, 0))],
            filter: None,
            null_aware: false,
        };
        let inner = table(&["l2_partkey", "l2_quantity"], 6000);
        let avg = Expr::Aggregate(Box::new(AggregateCall {
            func: AggFunc::Avg,
            args: vec![col(&inner, 1)],
            distinct: false,
            filter: None,
            data_type: DataType::Float64,
            display_name: "avg".into(),
            mode: EvalMode::Ansi,
        }))
        .alias("a");
        let agg = LogicalPlan::Aggregate {
            input: Box::new(inner.clone()),
            group_exprs: vec![col(&inner, 0)],
            aggr_exprs: vec![avg],
        };
        let key = col(&agg, 0);
        let plan = LogicalPlan::Join {
            left: Box::new(outer),
            right: Box::new(agg),
            join_type: JoinType::LeftOuter,
            on: vec![(col(&part, 0), key)],
            filter: None,
            null_aware: false,
        };
        let out = plan.output();
        let plan = reduce_aggregates(plan).unwrap();
        assert_eq!(plan.output(), out);
        let LogicalPlan::Join { right, .. } = plan else { panic!("not a join") };
        let LogicalPlan::Aggregate { input, .. } = *right else { panic!("not the aggregate") };
        let LogicalPlan::Join { join_type: JoinType::LeftSemi, on, right, .. } = *input else {
            panic!("aggregate input not reduced")
        };
        assert_eq!(on[0].0, col(&inner, 0));
        // a copy of the filtered part with fresh ids
        let copied = right.output();
        assert_eq!(copied.len(), 1);
        assert_eq!(copied[0].name, "p_partkey");
        assert_ne!(copied[0].id, part.output()[0].id);
        assert!(
            matches!(*right, LogicalPlan::Project { ref input, .. } if matches!(**input, LogicalPlan::Filter { .. }))
        );
    }

    #[test]
    fn an_unfiltered_relation_does_not_reduce() {
        let supplier = table(&["s_suppkey"], 100);
        let inner = table(&["l_suppkey"], 6000);
        let agg = LogicalPlan::Aggregate {
            input: Box::new(inner.clone()),
            group_exprs: vec![col(&inner, 0)],
            aggr_exprs: vec![],
        };
        let plan = LogicalPlan::Join {
            left: Box::new(supplier.clone()),
            right: Box::new(agg.clone()),
            join_type: JoinType::Inner,
            on: vec![(col(&supplier, 0), col(&agg, 0))],
            filter: None,
            null_aware: false,
        };
        assert_eq!(reduce_aggregates(plan.clone()).unwrap(), plan);
    }
}
