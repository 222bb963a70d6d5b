//! Spark SQL: the front end (SQL text -> `spec`) and the Spark analyzer
//! (`spec` -> resolved `LogicalPlan`).

pub mod analyzer;
pub mod frontend;

pub use analyzer::analyze;
pub use frontend::{
    is_aggregate_function, map_type, parse_data_type, parse_expression, parse_sql, parse_statement,
    parse_statement_with_positional_parameters, parse_table_schema,
};
