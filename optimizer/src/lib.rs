//! Logical rewrites, applied in a fixed order: subqueries into joins,
//! predicates pushed down (turning comma joins into equi-joins, and giving
//! each join input what a disjunction over both implies for it), aggregates
//! joined on their grouping keys reduced to the groups the join can use,
//! small semi joins moved onto the input they filter, inner joins reordered
//! by estimated cost (bushy trees, the smaller input of each join on the
//! build (right) side), semi, anti and left outer joins swapped to build
//! their smaller input, and unused columns pruned down to the scans.

mod aggregate_reduction;
mod cardinality;
mod decorrelate;
mod disjunction;
mod equivalence;
mod join_order;
mod predicate_pushdown;
mod prune_columns;
mod semi_join_pushdown;
#[cfg(test)]
mod test_plans;
mod util;

use ember_core::{Expr, LogicalPlan, Result};

/// Optimizes a resolved plan. The output keeps the plan's output attributes.
pub fn optimize(plan: LogicalPlan) -> Result<LogicalPlan> {
    let plan = decorrelate::decorrelate(plan)?;
    let plan = optimize_subqueries(plan)?;
    let plan = predicate_pushdown::push_down(plan)?;
    let plan = aggregate_reduction::reduce_aggregates(plan)?;
    let plan = semi_join_pushdown::push_semi_joins(plan)?;
    let plan = join_order::reorder_joins(plan)?;
    let plan = predicate_pushdown::push_down(plan)?;
    let plan = join_order::choose_build_sides(plan)?;
    let plan = prune_columns::prune(plan)?;
    Ok(plan)
}

/// Uncorrelated scalar subqueries that remain after decorrelation run as
/// queries of their own: optimize them as such.
fn optimize_subqueries(plan: LogicalPlan) -> Result<LogicalPlan> {
    plan.transform_up(&mut |node| {
        node.map_expressions(|e| {
            e.transform_up(&mut |x| match x {
                Expr::ScalarSubquery { plan, data_type } => {
                    Ok(Expr::ScalarSubquery { plan: Box::new(optimize(*plan)?), data_type })
                }
                other => Ok(other),
            })
        })
    })
}
