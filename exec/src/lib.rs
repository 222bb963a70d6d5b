//! Physical execution: the push-based, morsel-driven pipeline executor.
//!
//! A `LogicalPlan` is planned (`planner`) straight into pipelines of
//! `Source -> Operator* -> Sink` (`pipeline`), cut at breakers (hash
//! aggregate, join build, sort, ...). The `executor` runs each pipeline with
//! one worker per thread, each worker pulling morsels from the source and
//! pushing chunks through the operators into the sink with its own local
//! state; `combine` then `finalize` merge the local states once.

pub mod context;
pub mod executor;
pub mod expr;
pub mod files;
pub mod operator;
pub mod partitions;
pub mod pipeline;
pub mod planner;
pub mod profile;
pub mod shared_subplan;
pub mod write;

pub use context::QueryContext;
pub use executor::execute_plan;
