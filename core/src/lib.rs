//! Ember's foundation: errors, Spark types, values, the unresolved plan
//! (`spec`), the resolved `LogicalPlan` and `Expr`, and session config.

pub mod catalog;
pub mod config;
pub mod error;
pub mod expr;
mod expr_display;
pub mod format;
pub mod plan;
pub mod scalar;
pub mod spec;
pub mod types;

pub use config::SessionConfig;
pub use error::{Error, Result, Span, SparkError};
pub use expr::{
    AggFunc, AggregateCall, Attribute, ColumnId, EvalMode, Expr, FrameBound, SortOrder, WindowExpr, WindowFrame,
    WindowFunction,
};
pub use plan::{FileFormat, FileTable, LogicalPlan, TableSource};
pub use scalar::ScalarValue;
