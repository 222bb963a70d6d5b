//! The Spark analyzer: `spec::Plan` -> resolved, typed `LogicalPlan`.

use ember_core::catalog::Catalog;
use ember_core::spec::Plan;
use ember_core::{Error, LogicalPlan, Result, SessionConfig};

/// Resolves an unresolved plan against the catalog.
pub fn analyze(plan: &Plan, catalog: &dyn Catalog, config: &SessionConfig) -> Result<LogicalPlan> {
    let _ = (plan, catalog, config);
    Err(Error::not_implemented("analyzer"))
}
