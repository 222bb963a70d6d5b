use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use ember_core::{Error, Result, SessionConfig};
use std::sync::Mutex;

/// What a statement returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    /// A query or a command that shows rows (SHOW, DESCRIBE, EXPLAIN, SET k).
    Rows,
    /// A command with nothing to show (CREATE VIEW, SET k=v, DROP).
    Command,
}

/// The result of one statement, fully collected.
#[derive(Debug, Clone)]
pub struct QueryResult {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    pub kind: ResultKind,
}

impl QueryResult {
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }
}

/// One user session: its views, tables and configuration.
pub struct Session {
    config: Mutex<SessionConfig>,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

impl Session {
    pub fn new() -> Session {
        Session { config: Mutex::new(SessionConfig::new()) }
    }

    /// Runs every statement in `text` in order and returns the last result.
    pub fn sql(&self, text: &str) -> Result<QueryResult> {
        let _ = text;
        Err(Error::not_implemented("engine is being built"))
    }

    pub fn config(&self) -> SessionConfig {
        self.config.lock().expect("config lock").clone()
    }

    pub fn set_config(&self, key: &str, value: &str) -> Result<()> {
        self.config.lock().expect("config lock").set(key, value)
    }

    /// Makes in-memory batches queryable as a temporary view.
    pub fn register_batches(&self, name: &str, schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<()> {
        let _ = (name, schema, Arc::new(batches));
        Err(Error::not_implemented("engine is being built"))
    }
}
