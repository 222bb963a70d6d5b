//! ember-bench: TPC-H data generation and the benchmark harness.
//!
//! - [`tpch`]: Parquet data from `tpchgen` + `tpchgen-arrow`, views, queries
//!   and reference answers of the shared folder.
//! - [`answers`]: the one comparison of a result against a reference CSV,
//!   used by both the harness and the test suite.
//! - [`run_cli`]: `ember bench tpch ...`, Ember against DuckDB on the same files.

pub mod answers;
mod cli;
mod duckdb;
mod rss;
pub mod tpch;

pub use cli::run_cli;
