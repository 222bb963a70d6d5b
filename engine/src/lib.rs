//! The `Session`: SQL or plans in, Arrow record batches out.
//!
//! Owns the catalog (temporary views and tables) and the session config,
//! and drives a statement through parser, analyzer, optimizer and executor.

mod catalog;
pub mod render;
mod session;
pub mod show;

pub use session::{QueryResult, ResultKind, Session};
