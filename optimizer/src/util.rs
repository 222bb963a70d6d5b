//! Small helpers shared by the rules.

use std::collections::HashSet;

use ember_core::{Attribute, ColumnId, Expr, LogicalPlan, Result};

pub fn ids(attrs: &[Attribute]) -> HashSet<ColumnId> {
    attrs.iter().map(|a| a.id).collect()
}

/// True when every column `e` reads is in `available`.
pub fn covered_by(e: &Expr, available: &HashSet<ColumnId>) -> bool {
    e.column_ids().iter().all(|id| available.contains(id))
}

/// Replaces references to `Alias` outputs of a projection by the aliased
/// expressions, so a predicate can move below the projection.
pub fn inline_aliases(e: Expr, exprs: &[Expr]) -> Result<Expr> {
    e.transform_up(&mut |x| match x {
        Expr::Column(a) => {
            for p in exprs {
                if let Expr::Alias { expr, id, .. } = p {
                    if *id == a.id {
                        return Ok((**expr).clone());
                    }
                }
            }
            Ok(Expr::Column(a))
        }
        other => Ok(other),
    })
}

pub fn filter(input: LogicalPlan, terms: Vec<Expr>) -> LogicalPlan {
    match Expr::conjunction(terms) {
        Some(p) => LogicalPlan::Filter { input: Box::new(input), predicate: p },
        None => input,
    }
}

/// Whether an expression can be evaluated anywhere without changing results
/// (no subqueries, no aggregates). Used before moving predicates.
pub fn is_movable(e: &Expr) -> bool {
    !e.contains_subquery() && !e.contains_aggregate() && !e.contains_outer()
}

/// Whether evaluating `e` twice gives the same value (no random or
/// id-generating calls): a condition that is copied must be.
pub fn is_deterministic(e: &Expr) -> bool {
    !e.any(&mut |x| {
        matches!(x, Expr::ScalarFunction { name, .. }
            if matches!(name.as_str(), "rand" | "randn" | "uuid" | "shuffle" | "uniform" | "randstr"
                | "monotonically_increasing_id" | "spark_partition_id"))
    })
}
