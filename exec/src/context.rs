//! What every operator of one query can see: config, memory, cancellation.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ember_core::{Error, EvalMode, Result, SessionConfig};
use ember_spill::MemoryPool;

#[derive(Debug)]
pub struct QueryContext {
    pub config: SessionConfig,
    pub memory: Arc<MemoryPool>,
    cancelled: Arc<AtomicBool>,
}

impl QueryContext {
    pub fn new(config: SessionConfig, memory: Arc<MemoryPool>, cancelled: Arc<AtomicBool>) -> Arc<QueryContext> {
        Arc::new(QueryContext { config, memory, cancelled })
    }

    /// A context with default config and no memory limit (tests, tools).
    pub fn default_for_tests() -> Arc<QueryContext> {
        QueryContext::new(SessionConfig::new(), MemoryPool::unlimited(), Arc::new(AtomicBool::new(false)))
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Fails with `Cancelled` once the query was cancelled.
    pub fn check_cancelled(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }

    pub fn eval_mode(&self) -> EvalMode {
        if self.config.ansi_enabled() {
            EvalMode::Ansi
        } else {
            EvalMode::Legacy
        }
    }

    pub fn batch_size(&self) -> usize {
        self.config.batch_size()
    }

    pub fn aggregate_flush_groups(&self) -> Option<usize> {
        self.config.aggregate_flush_groups()
    }
}
