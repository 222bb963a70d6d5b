//! Logical rewrites, applied in a fixed order: subqueries into joins,
//! predicates pushed down (turning comma joins into equi-joins), inner
//! joins reordered by estimated size with the smaller input on the build
//! (right) side, and unused columns pruned down to the scans.

mod decorrelate;
mod join_order;
mod predicate_pushdown;
mod prune_columns;
pub mod stats;
mod util;

use ember_core::{LogicalPlan, Result};

/// Optimizes a resolved plan. The output keeps the plan's output attributes.
pub fn optimize(plan: LogicalPlan) -> Result<LogicalPlan> {
    let plan = decorrelate::decorrelate(plan)?;
    let plan = predicate_pushdown::push_down(plan)?;
    let plan = join_order::reorder_joins(plan)?;
    let plan = predicate_pushdown::push_down(plan)?;
    let plan = prune_columns::prune(plan)?;
    Ok(plan)
}
