//! Pushes filter conjuncts as far down as they can go: through projections
//! (inlining aliases), below aggregates when they only read grouping keys,
//! into the sides of joins, and into scans (as pruning hints; the filter
//! stays above the scan). Conjuncts that read both sides of an inner join
//! become its condition, and `left = right` equalities become hash keys.
//! Conjuncts common to every branch of an OR are factored out first
//! (TPC-H q19: the join key hides inside a disjunction).

use std::collections::{HashMap, HashSet};

use ember_core::expr::BinaryOp;
use ember_core::plan::JoinType;
use ember_core::{ColumnId, Expr, LogicalPlan, Result};

use crate::disjunction::pushable_for;
use crate::util::{covered_by, filter, ids, inline_aliases, is_movable};

pub fn push_down(plan: LogicalPlan) -> Result<LogicalPlan> {
    push(plan, vec![])
}

fn push(plan: LogicalPlan, preds: Vec<Expr>) -> Result<LogicalPlan> {
    match plan {
        LogicalPlan::Filter { input, predicate } => {
            let mut all = preds;
            for t in predicate.split_conjunction() {
                for f in factor_or(t).split_conjunction() {
                    // implied predicates reach their input again on each pass
                    if !all.contains(&f) {
                        all.push(f);
                    }
                }
            }
            push(*input, all)
        }
        LogicalPlan::Project { input, exprs } => {
            let (down, stay): (Vec<Expr>, Vec<Expr>) = preds.into_iter().partition(is_movable);
            let mut below = Vec::new();
            let mut above = stay;
            for p in down {
                let inlined = inline_aliases(p.clone(), &exprs)?;
                if inlined.contains_aggregate() || inlined.contains_subquery() {
                    above.push(p);
                } else {
                    below.push(inlined);
                }
            }
            let input = push(*input, below)?;
            Ok(filter(LogicalPlan::Project { input: Box::new(input), exprs }, above))
        }
        LogicalPlan::Aggregate { input, group_exprs, aggr_exprs } => {
            let group_ids: HashSet<ColumnId> = group_exprs.iter().filter_map(|e| e.output_id()).collect();
            let (down, above): (Vec<Expr>, Vec<Expr>) = preds
                .into_iter()
                .partition(|p| is_movable(p) && !p.column_ids().is_empty() && covered_by(p, &group_ids));
            let below = down.into_iter().map(|p| inline_aliases(p, &group_exprs)).collect::<Result<Vec<_>>>()?;
            let input = push(*input, below)?;
            Ok(filter(LogicalPlan::Aggregate { input: Box::new(input), group_exprs, aggr_exprs }, above))
        }
        LogicalPlan::Sort { input, order, fetch: None } => {
            let input = push(*input, preds)?;
            Ok(LogicalPlan::Sort { input: Box::new(input), order, fetch: None })
        }
        LogicalPlan::Window { input, window_exprs, partition_by, order_by } => {
            // a predicate on the partition keys only removes whole partitions,
            // which changes no window value of the rows that stay
            let keys: HashSet<ColumnId> = partition_by
                .iter()
                .filter_map(|e| match e {
                    Expr::Column(a) => Some(a.id),
                    _ => None,
                })
                .collect();
            let (down, above): (Vec<Expr>, Vec<Expr>) =
                preds.into_iter().partition(|p| is_movable(p) && !p.column_ids().is_empty() && covered_by(p, &keys));
            let input = push(*input, down)?;
            Ok(filter(LogicalPlan::Window { input: Box::new(input), window_exprs, partition_by, order_by }, above))
        }
        LogicalPlan::Expand { input, projections, output } => {
            // a column every projection computes the same way (a pass-through,
            // or a grouping column present in every grouping set) holds the
            // same value in all copies of a row: a predicate reading only such
            // columns may run before the copies are made; one reading a column
            // that some projection replaces by NULL (or the grouping id) may not
            let fixed: HashMap<ColumnId, Expr> = output
                .iter()
                .enumerate()
                .filter_map(|(i, a)| {
                    let first = projections.first()?.get(i)?;
                    projections.iter().all(|p| p.get(i) == Some(first)).then(|| (a.id, first.clone()))
                })
                .collect();
            let keys: HashSet<ColumnId> = fixed.keys().copied().collect();
            let (down, above): (Vec<Expr>, Vec<Expr>) =
                preds.into_iter().partition(|p| is_movable(p) && !p.column_ids().is_empty() && covered_by(p, &keys));
            let below = down.into_iter().map(|p| substitute_columns(p, &fixed)).collect::<Result<Vec<_>>>()?;
            let input = push(*input, below)?;
            Ok(filter(LogicalPlan::Expand { input: Box::new(input), projections, output }, above))
        }
        LogicalPlan::Join { left, right, join_type, on, filter: jf, null_aware } => {
            push_into_join(*left, *right, join_type, on, jf, null_aware, preds)
        }
        LogicalPlan::Scan { source, table_name, projection, output, mut filters } => {
            for p in &preds {
                if is_movable(p) && !filters.contains(p) {
                    filters.push(p.clone());
                }
            }
            Ok(filter(LogicalPlan::Scan { source, table_name, projection, output, filters }, preds))
        }
        other => {
            let node = other.map_children(|c| push(c, vec![]))?;
            Ok(filter(node, preds))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn push_into_join(
    left: LogicalPlan,
    right: LogicalPlan,
    join_type: JoinType,
    mut on: Vec<(Expr, Expr)>,
    jf: Option<Expr>,
    null_aware: bool,
    preds: Vec<Expr>,
) -> Result<LogicalPlan> {
    let lids = ids(&left.output());
    let rids = ids(&right.output());
    let mut to_left = Vec::new();
    let mut to_right = Vec::new();
    let mut above = Vec::new();
    let mut cond = Vec::new();
    let join_terms: Vec<Expr> = jf
        .map(|f| f.split_conjunction().into_iter().flat_map(|t| factor_or(t).split_conjunction()).collect())
        .unwrap_or_default();
    match join_type {
        JoinType::Inner | JoinType::Cross => {
            for p in preds.into_iter().chain(join_terms) {
                if !is_movable(&p) {
                    above.push(p);
                } else if covered_by(&p, &lids) {
                    to_left.push(p);
                } else if covered_by(&p, &rids) {
                    to_right.push(p);
                } else {
                    // a disjunction over both sides may still filter each side
                    to_left.extend(pushable_for(&p, &lids));
                    to_right.extend(pushable_for(&p, &rids));
                    cond.push(p);
                }
            }
        }
        JoinType::LeftOuter | JoinType::LeftSemi | JoinType::LeftAnti => {
            for p in preds {
                if is_movable(&p) && covered_by(&p, &lids) {
                    to_left.push(p);
                } else {
                    above.push(p);
                }
            }
            for t in join_terms {
                if is_movable(&t) && covered_by(&t, &rids) && !t.column_ids().is_empty() {
                    to_right.push(t);
                } else if join_type == JoinType::LeftSemi
                    && is_movable(&t)
                    && covered_by(&t, &lids)
                    && !t.column_ids().is_empty()
                {
                    to_left.push(t);
                } else {
                    cond.push(t);
                }
            }
        }
        JoinType::RightOuter | JoinType::RightSemi | JoinType::RightAnti => {
            for p in preds {
                if is_movable(&p) && covered_by(&p, &rids) {
                    to_right.push(p);
                } else {
                    above.push(p);
                }
            }
            for t in join_terms {
                if is_movable(&t) && covered_by(&t, &lids) && !t.column_ids().is_empty() {
                    to_left.push(t);
                } else {
                    cond.push(t);
                }
            }
        }
        JoinType::FullOuter => {
            above = preds;
            cond = join_terms;
        }
    }
    // equalities across the two sides become hash keys
    let mut rest = Vec::new();
    for c in cond {
        match &c {
            Expr::Binary { op: BinaryOp::Eq, left: l, right: r, .. } if !null_aware => {
                if covered_by(l, &lids)
                    && covered_by(r, &rids)
                    && !l.column_ids().is_empty()
                    && !r.column_ids().is_empty()
                {
                    on.push(((**l).clone(), (**r).clone()));
                    continue;
                }
                if covered_by(l, &rids)
                    && covered_by(r, &lids)
                    && !l.column_ids().is_empty()
                    && !r.column_ids().is_empty()
                {
                    on.push(((**r).clone(), (**l).clone()));
                    continue;
                }
                rest.push(c);
            }
            _ => rest.push(c),
        }
    }
    let join_type =
        if join_type == JoinType::Cross && (!on.is_empty() || !rest.is_empty()) { JoinType::Inner } else { join_type };
    let left = push(left, to_left)?;
    let right = push(right, to_right)?;
    let join = LogicalPlan::Join {
        left: Box::new(left),
        right: Box::new(right),
        join_type,
        on,
        filter: Expr::conjunction(rest),
        null_aware,
    };
    Ok(filter(join, above))
}

/// Replaces the columns of `values` by their expressions.
fn substitute_columns(e: Expr, values: &HashMap<ColumnId, Expr>) -> Result<Expr> {
    e.transform_up(&mut |x| match x {
        Expr::Column(a) => Ok(values.get(&a.id).cloned().unwrap_or(Expr::Column(a))),
        other => Ok(other),
    })
}

/// `(a AND b) OR (a AND c)` -> `a AND (b OR c)`.
pub fn factor_or(e: Expr) -> Expr {
    let Expr::Binary { op: BinaryOp::Or, .. } = &e else { return e };
    let branches = split_disjunction(e.clone());
    let conj: Vec<Vec<Expr>> = branches.into_iter().map(|b| b.split_conjunction()).collect();
    let common: Vec<Expr> = conj[0].iter().filter(|t| conj[1..].iter().all(|c| c.contains(t))).cloned().collect();
    if common.is_empty() {
        return e;
    }
    let rests: Vec<Option<Expr>> =
        conj.into_iter().map(|c| Expr::conjunction(c.into_iter().filter(|t| !common.contains(t)).collect())).collect();
    // a branch that is only common terms makes the OR always true
    let or = if rests.iter().any(|r| r.is_none()) { None } else { rests.into_iter().flatten().reduce(Expr::or) };
    let mut terms = common;
    if let Some(o) = or {
        terms.push(o);
    }
    Expr::conjunction(terms).unwrap_or(e)
}

fn split_disjunction(e: Expr) -> Vec<Expr> {
    match e {
        Expr::Binary { op: BinaryOp::Or, left, right, .. } => {
            let mut v = split_disjunction(*left);
            v.extend(split_disjunction(*right));
            v
        }
        other => vec![other],
    }
}

#[cfg(test)]
mod tests {
    use arrow_schema::DataType;
    use ember_core::expr::{FrameUnits, WindowExpr, WindowFrame, WindowFunction};
    use ember_core::{Attribute, EvalMode, FrameBound, ScalarValue, SortOrder};

    use super::*;

    fn gt(l: Expr, v: i32) -> Expr {
        Expr::Binary {
            op: BinaryOp::Gt,
            left: Box::new(l),
            right: Box::new(Expr::lit(ScalarValue::Int32(Some(v)))),
            data_type: DataType::Boolean,
            mode: EvalMode::Ansi,
        }
    }

    /// `row_number() OVER (PARTITION BY k ORDER BY v)` over (k, v), filtered.
    #[test]
    fn only_partition_key_predicates_go_below_a_window() {
        let k = Attribute::new("k", DataType::Int32, true);
        let v = Attribute::new("v", DataType::Int32, true);
        let input = LogicalPlan::Values {
            output: vec![k.clone(), v.clone()],
            rows: vec![vec![ScalarValue::Int32(Some(1)), ScalarValue::Int32(Some(2))]],
        };
        let order = vec![SortOrder { expr: Expr::col(&v), ascending: true, nulls_first: true }];
        let rn = Expr::Window(Box::new(WindowExpr {
            function: WindowFunction::RowNumber,
            partition_by: vec![Expr::col(&k)],
            order_by: order.clone(),
            frame: WindowFrame::new(FrameUnits::Rows, FrameBound::UnboundedPreceding, FrameBound::CurrentRow),
        }))
        .alias("rn");
        let window = LogicalPlan::Window {
            input: Box::new(input),
            window_exprs: vec![rn],
            partition_by: vec![Expr::col(&k)],
            order_by: order,
        };
        let plan = LogicalPlan::Filter {
            input: Box::new(window),
            predicate: Expr::and(gt(Expr::col(&k), 0), gt(Expr::col(&v), 1)),
        };
        let LogicalPlan::Filter { input, predicate } = push_down(plan).unwrap() else { panic!("no filter on top") };
        assert_eq!(predicate.column_ids(), vec![v.id]);
        let LogicalPlan::Window { input, .. } = *input else { panic!("no window below the filter") };
        let LogicalPlan::Filter { predicate, .. } = *input else { panic!("the key filter stayed above") };
        assert_eq!(predicate.column_ids(), vec![k.id]);
    }

    /// ROLLUP(k) over (k, v): `v` passes through the Expand, `k2` (the
    /// grouping copy of k) is NULL in one set, `k3` (a copy of k in every set)
    /// is k everywhere.
    #[test]
    fn only_predicates_on_unchanged_columns_go_below_an_expand() {
        let k = Attribute::new("k", DataType::Int32, true);
        let v = Attribute::new("v", DataType::Int32, true);
        let input = LogicalPlan::Values {
            output: vec![k.clone(), v.clone()],
            rows: vec![vec![ScalarValue::Int32(Some(1)), ScalarValue::Int32(Some(2))]],
        };
        let k2 = Attribute::new("k", DataType::Int32, true);
        let k3 = Attribute::new("k", DataType::Int32, true);
        let gid = Attribute::new("spark_grouping_id", DataType::Int64, false);
        let row = |with_k: bool, id: i64| {
            vec![
                Expr::col(&v),
                if with_k { Expr::col(&k) } else { Expr::lit(ScalarValue::Int32(None)) },
                Expr::col(&k),
                Expr::lit(ScalarValue::Int64(Some(id))),
            ]
        };
        let expand = LogicalPlan::Expand {
            input: Box::new(input),
            projections: vec![row(true, 0), row(false, 1)],
            output: vec![v.clone(), k2.clone(), k3.clone(), gid],
        };
        let plan = LogicalPlan::Filter {
            input: Box::new(expand),
            predicate: Expr::and(Expr::and(gt(Expr::col(&v), 0), gt(Expr::col(&k2), 1)), gt(Expr::col(&k3), 2)),
        };
        let LogicalPlan::Filter { input, predicate } = push_down(plan).unwrap() else { panic!("no filter on top") };
        assert_eq!(predicate.column_ids(), vec![k2.id]);
        let LogicalPlan::Expand { input, .. } = *input else { panic!("no expand below the filter") };
        let LogicalPlan::Filter { predicate, .. } = *input else { panic!("nothing went below the expand") };
        let mut below = predicate.column_ids();
        below.sort_unstable();
        // `k3 > 2` reads k itself below the Expand
        assert_eq!(below, vec![k.id, v.id]);
    }
    /// q7: `(n1 = 'FRANCE' AND n2 = 'GERMANY') OR (n1 = 'GERMANY' AND n2 = 'FRANCE')`
    /// over `n1 x n2` filters each input by the names it may take, once, and
    /// stays as the join condition.
    #[test]
    fn a_disjunction_over_a_join_filters_each_side() {
        let n1 = Attribute::new("n1", DataType::Utf8, true);
        let n2 = Attribute::new("n2", DataType::Utf8, true);
        let table = |a: &Attribute| LogicalPlan::Values {
            output: vec![a.clone()],
            rows: vec![vec![ScalarValue::Utf8(Some("FRANCE".into()))]],
        };
        let s = |v: &str| Expr::lit(ScalarValue::Utf8(Some(v.into())));
        let or = Expr::or(
            Expr::and(Expr::eq(Expr::col(&n1), s("FRANCE")), Expr::eq(Expr::col(&n2), s("GERMANY"))),
            Expr::and(Expr::eq(Expr::col(&n1), s("GERMANY")), Expr::eq(Expr::col(&n2), s("FRANCE"))),
        );
        let plan = LogicalPlan::Filter {
            input: Box::new(LogicalPlan::Join {
                left: Box::new(table(&n1)),
                right: Box::new(table(&n2)),
                join_type: JoinType::Cross,
                on: vec![],
                filter: None,
                null_aware: false,
            }),
            predicate: or.clone(),
        };
        // a second pass finds the implied predicates already in place
        let plan = push_down(push_down(plan).unwrap()).unwrap();
        let LogicalPlan::Join { left, right, join_type: JoinType::Inner, filter: Some(f), .. } = plan else {
            panic!("the disjunction is not the join condition")
        };
        assert_eq!(f, or);
        for (side, a, names) in [(left, &n1, ["FRANCE", "GERMANY"]), (right, &n2, ["GERMANY", "FRANCE"])] {
            let LogicalPlan::Filter { predicate, .. } = *side else { panic!("side not filtered") };
            let expected = Expr::InList { expr: Box::new(Expr::col(a)), list: names.map(s).to_vec(), negated: false };
            assert_eq!(predicate, expected);
        }
    }
}
