//! Engine work off the Python thread: the GIL is free while a query runs,
//! and Ctrl-C or `Connection.interrupt()` cancels it.
//!
//! The work runs on a thread of its own. The calling Python thread waits for
//! its result with the GIL released, waking every [`POLL`] to run Python's
//! signal handlers (`Python::check_signals`, which only does something on the
//! main thread) and to look for interrupts. Once cancelled, it calls
//! `Session::cancel` on every wake-up until the work returns: a cancel that
//! lands before the query has installed its cancel flag would otherwise be
//! lost. The work always runs to its end (normally a prompt `Cancelled`), so
//! everything the query held is freed before Python sees the exception.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam::channel::{bounded, RecvTimeoutError};
use ember_core::{Error, Result};
use ember_engine::Session;
use pyo3::prelude::*;

use crate::errors::{to_py_err, EmberError};

/// How often a waiting thread looks at signals and interrupts. A finished
/// query wakes it at once; this only bounds how late Ctrl-C is noticed.
const POLL: Duration = Duration::from_millis(20);

/// An engine session shared by a connection and its DataFrames.
pub struct Shared {
    pub session: Session,
    /// Bumped by every `interrupt()`; a waiting query compares it with the
    /// value it saw when it started, so an interrupt never reaches a query
    /// that starts after it.
    interrupts: AtomicU64,
}

impl Shared {
    pub fn new(session: Session) -> Arc<Shared> {
        Arc::new(Shared { session, interrupts: AtomicU64::new(0) })
    }

    /// Cancels the queries running now on this session.
    pub fn interrupt(&self) {
        self.interrupts.fetch_add(1, Ordering::SeqCst);
        self.session.cancel();
    }
}

/// Runs `work` on its own thread and waits for it without holding the GIL.
/// Engine errors become `EmberError` (spans resolved against `sql`); Ctrl-C
/// cancels the work and raises `KeyboardInterrupt` once it has stopped.
pub fn run<T, F>(py: Python<'_>, shared: &Arc<Shared>, sql: Option<&str>, work: F) -> PyResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Session) -> Result<T> + Send + 'static,
{
    let started_at = shared.interrupts.load(Ordering::SeqCst);
    let (tx, rx) = bounded(1);
    let owner = shared.clone();
    std::thread::Builder::new()
        .name("ember-query".into())
        .spawn(move || {
            let outcome = catch_unwind(AssertUnwindSafe(|| work(&owner.session)));
            // the receiver only goes away if the waiting thread itself died
            let _ = tx.send(outcome);
        })
        .map_err(|e| EmberError::new_err(format!("cannot start a query thread: {e}")))?;

    let mut keyboard_interrupt: Option<PyErr> = None;
    loop {
        match py.detach(|| rx.recv_timeout(POLL)) {
            Ok(outcome) => {
                if let Some(e) = keyboard_interrupt {
                    return Err(e);
                }
                return match outcome {
                    Ok(result) => result.map_err(|e| to_py_err(py, &e, sql)),
                    Err(panic) => Err(to_py_err(py, &Error::internal(panic_message(&*panic)), sql)),
                };
            }
            Err(RecvTimeoutError::Timeout) => {
                if keyboard_interrupt.is_none() {
                    keyboard_interrupt = py.check_signals().err();
                }
                if keyboard_interrupt.is_some() || shared.interrupts.load(Ordering::SeqCst) != started_at {
                    shared.session.cancel();
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(to_py_err(py, &Error::internal("the query thread ended without a result"), sql));
            }
        }
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_string());
    format!("the query panicked: {text}")
}
