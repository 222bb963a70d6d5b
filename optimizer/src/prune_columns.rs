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
        LogicalPlan::Expand { input, projections, output } => {
            // columns are positional in every projection: drop a position from all
            let mut keep: Vec<usize> = (0..output.len()).filter(|i| required.contains(&output[*i].id)).collect();
            if keep.is_empty() && !output.is_empty() {
                // row counts still flow: keep the last column (the grouping id, a literal)
                keep.push(output.len() - 1);
            }
            let projections: Vec<Vec<Expr>> =
                projections.into_iter().map(|p| keep.iter().filter_map(|i| p.get(*i).cloned()).collect()).collect();
            let output: Vec<_> = keep.iter().map(|i| output[*i].clone()).collect();
            let mut need = HashSet::new();
            add_refs(&mut need, &projections.iter().flatten().collect::<Vec<_>>());
            let input = prune_node(*input, &need)?;
            Ok(LogicalPlan::Expand { input: Box::new(input), projections, output })
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

#[cfg(test)]
mod tests {
    use arrow_schema::DataType;
    use ember_core::{Attribute, ScalarValue};

    use super::*;

    /// `SELECT k FROM t GROUP BY ROLLUP(k)` reads no `v`: the Expand drops
    /// it from its output and from every projection.
    #[test]
    fn an_expand_drops_unread_columns_from_every_projection() {
        let k = Attribute::new("k", DataType::Int32, true);
        let v = Attribute::new("v", DataType::Int32, true);
        let input = LogicalPlan::Values {
            output: vec![k.clone(), v.clone()],
            rows: vec![vec![ScalarValue::Int32(Some(1)), ScalarValue::Int32(Some(2))]],
        };
        let k2 = Attribute::new("k", DataType::Int32, true);
        let gid = Attribute::new("spark_grouping_id", DataType::Int64, false);
        let row = |key: Expr, id: i64| vec![Expr::col(&k), Expr::col(&v), key, Expr::lit(ScalarValue::Int64(Some(id)))];
        let expand = LogicalPlan::Expand {
            input: Box::new(input),
            projections: vec![row(Expr::col(&k), 0), row(Expr::lit(ScalarValue::Int32(None)), 1)],
            output: vec![k.clone(), v.clone(), k2.clone(), gid.clone()],
        };
        let agg = LogicalPlan::Aggregate {
            input: Box::new(expand),
            group_exprs: vec![Expr::col(&k2), Expr::col(&gid)],
            aggr_exprs: vec![],
        };
        let LogicalPlan::Aggregate { input, .. } = prune(agg).unwrap() else { panic!("no aggregate on top") };
        let LogicalPlan::Expand { projections, output, .. } = *input else { panic!("no expand below") };
        assert_eq!(output.iter().map(|a| a.id).collect::<Vec<_>>(), vec![k2.id, gid.id]);
        assert!(projections.iter().all(|p| p.len() == 2));
        assert_eq!(projections[0][0], Expr::col(&k));
    }
}
