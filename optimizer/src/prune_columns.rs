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
        LogicalPlan::Join { left, right, join_type, on, filter, null_aware } => {
            // a join's inputs carry only what the join and its readers use:
            // a column read by a filter below (TPC-H Q9's `p_name`) or a key
            // equal to the other side's (`p_partkey`) would otherwise ride
            // along into the next join's build side
            let mut need = required.clone();
            let keys: Vec<&Expr> = on.iter().flat_map(|(l, r)| [l, r]).chain(filter.iter()).collect();
            add_refs(&mut need, &keys);
            let left = narrow(prune_node(*left, &need)?, &need);
            let right = narrow(prune_node(*right, &need)?, &need);
            Ok(LogicalPlan::Join { left: Box::new(left), right: Box::new(right), join_type, on, filter, null_aware })
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

/// `plan` under a projection of its `need`ed columns when it outputs
/// others (a plan that would keep none stays as it is: its rows still count).
fn narrow(plan: LogicalPlan, need: &HashSet<ColumnId>) -> LogicalPlan {
    let output = plan.output();
    let kept: Vec<Expr> = output.iter().filter(|a| need.contains(&a.id)).map(|a| Expr::Column(a.clone())).collect();
    if kept.len() == output.len() || kept.is_empty() {
        return plan;
    }
    LogicalPlan::Project { input: Box::new(plan), exprs: kept }
}

#[cfg(test)]
mod tests {
    use arrow_schema::DataType;
    use ember_core::{Attribute, ScalarValue};

    use super::*;

    /// TPC-H Q9's shape: `(l JOIN (p WHERE p_name LIKE ..) ON l_partkey =
    /// p_partkey) JOIN ps ON ps_partkey = l_partkey`, reading `l_price`.
    /// The filtered input drops `p_name` after its filter, and the inner
    /// join drops `p_partkey` before the outer join builds on it.
    #[test]
    fn join_inputs_carry_only_what_is_read_above() {
        use crate::test_plans::{col, table};
        let l = table(&["l_partkey", "l_price"], 3);
        let p = table(&["p_partkey", "p_name"], 2);
        let ps = table(&["ps_partkey"], 2);
        let join = |left: LogicalPlan, right: LogicalPlan, on: (Expr, Expr)| LogicalPlan::Join {
            left: Box::new(left),
            right: Box::new(right),
            join_type: ember_core::plan::JoinType::Inner,
            on: vec![on],
            filter: None,
            null_aware: false,
        };
        let green = LogicalPlan::Filter {
            input: Box::new(p.clone()),
            predicate: Expr::eq(col(&p, 1), Expr::lit(ScalarValue::Int32(Some(1)))),
        };
        let inner = join(l.clone(), green, (col(&l, 0), col(&p, 0)));
        let outer = join(ps.clone(), inner, (col(&ps, 0), col(&l, 0)));
        let top = LogicalPlan::Project { input: Box::new(outer), exprs: vec![col(&l, 1)] };
        let LogicalPlan::Project { input, .. } = prune(top).unwrap() else { panic!("no project on top") };
        let LogicalPlan::Join { right: inner, .. } = *input else { panic!("no outer join") };
        let names = |p: &LogicalPlan| p.output().iter().map(|a| a.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&inner), vec!["l_partkey", "l_price"]);
        let LogicalPlan::Project { input: inner, .. } = *inner else { panic!("the inner join is not narrowed") };
        let LogicalPlan::Join { right: filtered, .. } = *inner else { panic!("no inner join") };
        assert_eq!(names(&filtered), vec!["p_partkey"]);
        assert!(matches!(*filtered, LogicalPlan::Project { .. }));
    }

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
