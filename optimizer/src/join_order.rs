//! Greedy join ordering for clusters of inner joins.
//!
//! A cluster (inner and cross joins over any other inputs) is flattened into
//! its inputs and conditions. The order starts from the largest input after
//! its filters (it streams as the probe side; ties go to the input over the
//! larger table) and repeatedly joins the smallest input linked to what is
//! joined so far by an equality (else by any condition; a cross product only
//! when nothing is linked). Each added input is the right, build side. The
//! conditions are put back as a filter over the new join tree and the
//! following predicate push-down turns them into join keys.

use std::collections::HashSet;

use ember_core::expr::BinaryOp;
use ember_core::plan::JoinType;
use ember_core::{ColumnId, Expr, LogicalPlan, Result};

use crate::stats::{base_rows, estimate_rows};
use crate::util::{covered_by, filter, ids};

pub fn reorder_joins(plan: LogicalPlan) -> Result<LogicalPlan> {
    match plan {
        LogicalPlan::Join { join_type: JoinType::Inner | JoinType::Cross, null_aware: false, .. } => {
            let original = plan.output();
            let mut leaves = Vec::new();
            let mut conds = Vec::new();
            flatten(plan, &mut leaves, &mut conds);
            let leaves = leaves.into_iter().map(reorder_joins).collect::<Result<Vec<_>>>()?;
            let joined = greedy(leaves, &conds);
            let with_filter = filter(joined, conds);
            let out = with_filter.output();
            if out.iter().map(|a| a.id).eq(original.iter().map(|a| a.id)) {
                Ok(with_filter)
            } else {
                Ok(LogicalPlan::Project {
                    input: Box::new(with_filter),
                    exprs: original.iter().map(|a| Expr::Column(a.clone())).collect(),
                })
            }
        }
        other => other.map_children(reorder_joins),
    }
}

fn flatten(plan: LogicalPlan, leaves: &mut Vec<LogicalPlan>, conds: &mut Vec<Expr>) {
    match plan {
        LogicalPlan::Join {
            left,
            right,
            join_type: JoinType::Inner | JoinType::Cross,
            on,
            filter,
            null_aware: false,
        } => {
            flatten(*left, leaves, conds);
            flatten(*right, leaves, conds);
            for (l, r) in on {
                conds.push(Expr::eq(l, r));
            }
            if let Some(f) = filter {
                conds.extend(f.split_conjunction());
            }
        }
        // filters directly above a leaf stay with it (they shape its size)
        other => leaves.push(other),
    }
}

fn greedy(mut leaves: Vec<LogicalPlan>, conds: &[Expr]) -> LogicalPlan {
    let sizes: Vec<f64> = leaves.iter().map(estimate_rows).collect();
    let base: Vec<f64> = leaves.iter().map(base_rows).collect();
    let leaf_ids: Vec<HashSet<ColumnId>> = leaves.iter().map(|l| ids(&l.output())).collect();
    let mut remaining: Vec<usize> = (0..leaves.len()).collect();
    let start = *remaining
        .iter()
        .max_by(|a, b| {
            (sizes[**a], base[**a]).partial_cmp(&(sizes[**b], base[**b])).unwrap_or(std::cmp::Ordering::Equal)
        })
        .unwrap_or(&0);
    remaining.retain(|i| *i != start);
    let mut order = vec![start];
    let mut joined_ids = leaf_ids[start].clone();
    while !remaining.is_empty() {
        let linked = |i: usize, equi_only: bool| {
            conds.iter().any(|c| {
                if equi_only {
                    let Expr::Binary { op: BinaryOp::Eq, left, right, .. } = c else { return false };
                    let (l, r) = (left.column_ids(), right.column_ids());
                    let side = |ids: &[ColumnId], set: &HashSet<ColumnId>| {
                        !ids.is_empty() && ids.iter().all(|x| set.contains(x))
                    };
                    return (side(&l, &joined_ids) && side(&r, &leaf_ids[i]))
                        || (side(&r, &joined_ids) && side(&l, &leaf_ids[i]));
                }
                let mut both = joined_ids.clone();
                both.extend(leaf_ids[i].iter().copied());
                let cols = c.column_ids();
                !cols.is_empty()
                    && covered_by(c, &both)
                    && cols.iter().any(|id| leaf_ids[i].contains(id))
                    && cols.iter().any(|id| joined_ids.contains(id))
            })
        };
        let pick_from: Vec<usize> = {
            let equi: Vec<usize> = remaining.iter().copied().filter(|i| linked(*i, true)).collect();
            let any: Vec<usize> = remaining.iter().copied().filter(|i| linked(*i, false)).collect();
            if !equi.is_empty() {
                equi
            } else if !any.is_empty() {
                any
            } else {
                remaining.clone()
            }
        };
        let next = *pick_from
            .iter()
            .min_by(|a, b| sizes[**a].partial_cmp(&sizes[**b]).unwrap_or(std::cmp::Ordering::Equal))
            .unwrap_or(&remaining[0]);
        remaining.retain(|i| *i != next);
        joined_ids.extend(leaf_ids[next].iter().copied());
        order.push(next);
    }
    let mut slots: Vec<Option<LogicalPlan>> = leaves.drain(..).map(Some).collect();
    let mut tree = slots[order[0]].take().unwrap_or(LogicalPlan::Empty { output: vec![] });
    for i in &order[1..] {
        if let Some(leaf) = slots[*i].take() {
            tree = LogicalPlan::Join {
                left: Box::new(tree),
                right: Box::new(leaf),
                join_type: JoinType::Cross,
                on: vec![],
                filter: None,
                null_aware: false,
            };
        }
    }
    tree
}

/// A semi or anti join builds its right side; when the left side is the
/// smaller one, swap the inputs (a right semi / anti join builds the left
/// rows and marks those the probe finds). `NOT IN` keeps its form: its NULL
/// rules are defined from the left side.
pub fn choose_semi_build_sides(plan: LogicalPlan) -> Result<LogicalPlan> {
    plan.transform_up(&mut |node| match node {
        LogicalPlan::Join {
            left,
            right,
            join_type: jt @ (JoinType::LeftSemi | JoinType::LeftAnti),
            on,
            filter,
            null_aware: false,
        } if estimate_rows(&left) < estimate_rows(&right) => {
            let join_type = if jt == JoinType::LeftSemi { JoinType::RightSemi } else { JoinType::RightAnti };
            let on = on.into_iter().map(|(l, r)| (r, l)).collect();
            Ok(LogicalPlan::Join { left: right, right: left, join_type, on, filter, null_aware: false })
        }
        other => Ok(other),
    })
}
