//! Subplans that an uncorrelated scalar subquery shares with its query run
//! once. TPC-H Q15 compares each supplier's revenue (a view) with the
//! maximum of the same view: both sides expand the view into identical
//! aggregations over `lineitem`, which differ only in their column ids.
//!
//! Before the scalar subqueries are evaluated, the largest aggregation or
//! join of a subquery that also occurs in the main plan (equal up to a
//! consistent renaming of column ids) is executed once; both occurrences
//! then read its rows from memory, each under its own column ids.
//! Nondeterministic subplans (`rand()`, ...) are never shared.

use std::collections::HashSet;
use std::sync::Arc;

use ember_core::plan::TableSource;
use ember_core::{Expr, LogicalPlan, Result};

use crate::context::QueryContext;

/// Executes subplans shared by `plan` and its scalar subqueries once.
pub fn share_with_scalar_subqueries(plan: LogicalPlan, ctx: &Arc<QueryContext>) -> Result<LogicalPlan> {
    let mut subqueries = Vec::new();
    collect_scalar_subqueries(&plan, &mut subqueries)?;
    if subqueries.is_empty() {
        return Ok(plan);
    }
    let mut main_keys = HashSet::new();
    collect_keys(&plan, &mut main_keys);
    let mut plan = plan;
    for sub in subqueries {
        let Some(shared) = find_shared(&sub, &main_keys) else { continue };
        let key = canonical(&shared);
        let batches = Arc::new(crate::executor::execute_plan(&shared, ctx)?);
        let schema = shared.schema();
        let replace = |node: LogicalPlan| -> Result<LogicalPlan> {
            if is_candidate(&node) && canonical(&node) == key {
                let output = node.output();
                return Ok(LogicalPlan::Scan {
                    source: TableSource::Memory { batches: batches.clone(), schema: schema.clone() },
                    table_name: "shared subplan".into(),
                    projection: (0..output.len()).collect(),
                    output,
                    filters: vec![],
                });
            }
            Ok(node)
        };
        // the main plan, and the subqueries' plans inside its expressions
        plan = plan.transform_up(&mut |node| {
            let node = replace(node)?;
            node.map_expressions(|e| {
                e.transform_up(&mut |x| match x {
                    Expr::ScalarSubquery { plan, data_type } => {
                        let plan = Box::new(plan.transform_up(&mut |n| replace(n))?);
                        Ok(Expr::ScalarSubquery { plan, data_type })
                    }
                    other => Ok(other),
                })
            })
        })?;
    }
    Ok(plan)
}

/// The plans of the scalar subqueries in `plan`'s expressions.
fn collect_scalar_subqueries(plan: &LogicalPlan, out: &mut Vec<LogicalPlan>) -> Result<()> {
    plan.clone().transform_up(&mut |node| {
        node.map_expressions(|e| {
            e.transform_up(&mut |x| {
                if let Expr::ScalarSubquery { plan, .. } = &x {
                    out.push(plan.as_ref().clone());
                }
                Ok(x)
            })
        })
    })?;
    Ok(())
}

/// Aggregations and joins: the subplans worth computing once.
fn is_candidate(node: &LogicalPlan) -> bool {
    matches!(node, LogicalPlan::Aggregate { .. } | LogicalPlan::Join { .. })
}

fn collect_keys(plan: &LogicalPlan, keys: &mut HashSet<String>) {
    if is_candidate(plan) && shareable(plan) {
        keys.insert(canonical(plan));
    }
    for c in plan.children() {
        collect_keys(c, keys);
    }
}

/// The largest candidate of `plan` (top-down) that the main plan also has.
fn find_shared(plan: &LogicalPlan, keys: &HashSet<String>) -> Option<LogicalPlan> {
    if is_candidate(plan) && shareable(plan) && keys.contains(&canonical(plan)) {
        return Some(plan.clone());
    }
    plan.children().into_iter().find_map(|c| find_shared(c, keys))
}

/// Deterministic, and reads no in-memory table (whose rows the debug form
/// would spell out).
fn shareable(plan: &LogicalPlan) -> bool {
    let text = format!("{plan:?}");
    !text.contains("Memory {") && !function_names(&text).any(ember_vector::functions::is_nondeterministic)
}

/// The names of the scalar functions in a plan's debug form.
fn function_names(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("ScalarFunction { name: \"").filter_map(|(i, m)| {
        let rest = &text[i + m.len()..];
        rest.find('"').map(|end| &rest[..end])
    })
}

/// The plan's debug form with column ids renumbered in order of first
/// appearance: equal for plans that differ only in their ids.
fn canonical(plan: &LogicalPlan) -> String {
    let text = format!("{plan:?}");
    let mut ids: Vec<&str> = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(pos) = rest.find("id: ") {
        let (before, after) = rest.split_at(pos + 4);
        out.push_str(before);
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            rest = after;
            continue;
        }
        let id = &after[..digits];
        let n = match ids.iter().position(|x| *x == id) {
            Some(n) => n,
            None => {
                ids.push(id);
                ids.len() - 1
            }
        };
        out.push_str(&format!("c{n}"));
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use ember_core::Attribute;

    use super::*;

    fn range(name: &str) -> LogicalPlan {
        LogicalPlan::Range {
            output: Attribute::new(name, arrow::datatypes::DataType::Int64, false),
            start: 0,
            end: 10,
            step: 1,
        }
    }

    #[test]
    fn plans_equal_up_to_ids_have_one_canonical_form() {
        let a = range("id");
        let b = range("id");
        assert_ne!(format!("{a:?}"), format!("{b:?}"));
        assert_eq!(canonical(&a), canonical(&b));
        assert_ne!(canonical(&a), canonical(&range("other")));
    }

    #[test]
    fn finds_function_names() {
        let text = r#"ScalarFunction { name: "rand", args: [] } ScalarFunction { name: "abs", args: [] }"#;
        assert_eq!(function_names(text).collect::<Vec<_>>(), vec!["rand", "abs"]);
    }
}
