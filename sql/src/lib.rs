//! Spark SQL: the front end (SQL text -> `spec`) and the Spark analyzer
//! (`spec` -> resolved `LogicalPlan`).

pub mod analyzer;
pub mod frontend;

pub use analyzer::analyze;
pub use frontend::{parse_sql, parse_statement};
