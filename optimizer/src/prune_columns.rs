//! Removes columns nobody reads, down to the scans' projections.

use std::collections::HashSet;

use ember_core::{ColumnId, Expr, LogicalPlan, Result};

pub fn prune(plan: LogicalPlan) -> Result<LogicalPlan> {
    let required: HashSet<ColumnId> = plan.output().iter().map(|a| a.id).collect();
    prune_node(plan, &required)
}

fn add_refs(set: &mut HashSet<ColumnId>, exprs: &[&Expr]) {
    for e in exprs {
        set.extend(e.column_ids());
    }
}

fn prune_node(plan: LogicalPlan, required: &HashSet<ColumnId>) -> Result<LogicalPlan> {
    match plan {
        LogicalPlan::Project { input, exprs } => {
            let kept: Vec<Expr> =
                exprs.into_iter().filter(|e| e.output_id().is_some_and(|id| required.contains(&id))).collect();
            let mut need = HashSet::new();
            add_refs(&mut need, &kept.iter().collect::<Vec<_>>());
            let input = prune_node(*input, &need)?;
            Ok(LogicalPlan::Project { input: Box::new(input), exprs: kept })
        }
        LogicalPlan::Aggregate { input, group_exprs, aggr_exprs } => {
            let aggr_exprs: Vec<Expr> =
                aggr_exprs.into_iter().filter(|e| e.output_id().is_some_and(|id| required.contains(&id))).collect();
            let mut need = HashSet::new();
            add_refs(&mut need, &group_exprs.iter().chain(aggr_exprs.iter()).collect::<Vec<_>>());
            let input = prune_node(*input, &need)?;
            Ok(LogicalPlan::Aggregate { input: Box::new(input), group_exprs, aggr_exprs })
        }
        LogicalPlan::Scan { source, table_name, projection, output, filters } => {
            let mut keep: Vec<usize> = (0..output.len()).filter(|i| required.contains(&output[*i].id)).collect();
            if keep.is_empty() && !output.is_empty() {
                // row counts still flow: keep the narrowest column
                keep.push(0);
            }
            let projection = keep.iter().map(|i| projection[*i]).collect();
            let output = keep.iter().map(|i| output[*i].clone()).collect();
            Ok(LogicalPlan::Scan { source, table_name, projection, output, filters })
        }
        LogicalPlan::Window { input, window_exprs, partition_by, order_by } => {
            let window_exprs: Vec<Expr> =
                window_exprs.into_iter().filter(|e| e.output_id().is_some_and(|id| required.contains(&id))).collect();
            let mut need = required.clone();
            if window_exprs.is_empty() {
                // nothing reads the window columns: the node goes
                return prune_node(*input, &need);
            }
            let exprs: Vec<&Expr> =
                window_exprs.iter().chain(partition_by.iter()).chain(order_by.iter().map(|o| &o.expr)).collect();
            add_refs(&mut need, &exprs);
            let input = prune_node(*input, &need)?;
            Ok(LogicalPlan::Window { input: Box::new(input), window_exprs, partition_by, order_by })
        }
        LogicalPlan::Union { .. } | LogicalPlan::SetOperation { .. } => {
            // positional: every input column is needed
            plan.map_children(|c| {
                let all: HashSet<ColumnId> = c.output().iter().map(|a| a.id).collect();
                prune_node(c, &all)
            })
        }
        other => {
            let mut need = required.clone();
            add_refs(&mut need, &other.expressions());
            other.map_children(|c| prune_node(c, &need))
        }
    }
}
