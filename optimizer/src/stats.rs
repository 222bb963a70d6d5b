//! Cardinality estimates: row counts from the sources (Parquet footers,
//! memory), fixed selectivities for predicates, key-based guesses for
//! joins. Crude, but enough to choose join order and build sides.

use ember_core::expr::BinaryOp;
use ember_core::plan::JoinType;
use ember_core::{Expr, LogicalPlan};

/// Estimated output rows of a plan.
pub fn estimate_rows(plan: &LogicalPlan) -> f64 {
    match plan {
        LogicalPlan::Scan { source, filters, .. } => {
            let base = source.row_count().unwrap_or(1_000_000) as f64;
            base * filters.iter().map(selectivity).product::<f64>()
        }
        LogicalPlan::Values { rows, .. } => rows.len() as f64,
        LogicalPlan::Range { start, end, step, .. } => {
            if *step == 0 {
                0.0
            } else {
                ((*end as f64 - *start as f64) / *step as f64).max(0.0)
            }
        }
        LogicalPlan::Empty { .. } => 0.0,
        LogicalPlan::Project { input, .. }
        | LogicalPlan::Sort { input, fetch: None, .. }
        | LogicalPlan::Window { input, .. } => estimate_rows(input),
        LogicalPlan::Sort { fetch: Some(n), input, .. } => estimate_rows(input).min(*n as f64),
        LogicalPlan::Filter { input, predicate } => {
            estimate_rows(input) * predicate.clone().split_conjunction().iter().map(selectivity).product::<f64>()
        }
        LogicalPlan::Aggregate { input, group_exprs, .. } => {
            if group_exprs.is_empty() {
                1.0
            } else {
                (estimate_rows(input) * 0.1_f64.powi(group_exprs.len().min(3) as i32).max(0.001)).max(1.0)
            }
        }
        LogicalPlan::Join { left, right, join_type, on, .. } => {
            let l = estimate_rows(left);
            let r = estimate_rows(right);
            match join_type {
                JoinType::LeftSemi | JoinType::LeftAnti => l * 0.5,
                _ if on.is_empty() => l * r,
                // a key join: each row of the larger side finds about one partner
                JoinType::Inner | JoinType::Cross => l.max(r),
                _ => l.max(r),
            }
        }
        LogicalPlan::Limit { input, fetch, .. } => match fetch {
            Some(n) => estimate_rows(input).min(*n as f64),
            None => estimate_rows(input),
        },
        LogicalPlan::Union { inputs, .. } => inputs.iter().map(estimate_rows).sum(),
        // every input row comes out once per projection (grouping set)
        LogicalPlan::Expand { input, projections, .. } => estimate_rows(input) * projections.len().max(1) as f64,
        LogicalPlan::SetOperation { left, .. } => estimate_rows(left),
    }
}

/// Rows of the largest table under a plan, ignoring filters: what tells
/// the fact table from the dimensions.
pub fn base_rows(plan: &LogicalPlan) -> f64 {
    match plan {
        LogicalPlan::Scan { source, .. } => source.row_count().unwrap_or(1_000_000) as f64,
        other if other.children().is_empty() => estimate_rows(other),
        other => other.children().into_iter().map(base_rows).fold(0.0, f64::max),
    }
}

/// Fraction of rows a predicate keeps (textbook constants).
pub fn selectivity(e: &Expr) -> f64 {
    match e {
        Expr::Binary { op: BinaryOp::And, left, right, .. } => selectivity(left) * selectivity(right),
        Expr::Binary { op: BinaryOp::Or, left, right, .. } => {
            let (a, b) = (selectivity(left), selectivity(right));
            (a + b - a * b).min(1.0)
        }
        Expr::Binary { op: BinaryOp::Eq, .. } => 0.1,
        Expr::Binary { op: BinaryOp::NotEq, .. } => 0.9,
        Expr::Binary { op, .. } if op.is_comparison() => 0.4,
        Expr::Like { negated, .. } => {
            if *negated {
                0.9
            } else {
                0.2
            }
        }
        Expr::InList { list, negated, .. } => {
            if *negated {
                0.9
            } else {
                (0.1 * list.len() as f64).min(0.5)
            }
        }
        Expr::IsNotNull(_) => 0.95,
        Expr::IsNull(_) => 0.05,
        Expr::Not(inner) => 1.0 - selectivity(inner),
        _ => 0.5,
    }
}
