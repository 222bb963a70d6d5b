//! Running one statement so that nothing the engine does can take the CLI
//! down: a panic becomes an internal error.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

use ember_core::{Error, Result};
use ember_engine::{QueryResult, Session};

/// Message and location of the latest panic, recorded by the hook.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

thread_local! {
    /// Whether this thread is inside [`catch`], which reports the panic itself.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Wraps the default panic hook: a panic inside [`catch`] is recorded, not
/// printed (the default would print a backtrace notice in the middle of the
/// shell), so that the caller can report it as an internal error. Other
/// panics, and all of them with `RUST_BACKTRACE` set, still print.
pub fn install_panic_hook() {
    let default = panic::take_hook();
    let verbose = std::env::var_os("RUST_BACKTRACE").is_some();
    panic::set_hook(Box::new(move |info| {
        let message = payload_text(info.payload());
        let text = match info.location() {
            Some(loc) => format!("{message} at {}:{}", loc.file(), loc.line()),
            None => message,
        };
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(text);
        if verbose || !CATCHING.with(Cell::get) {
            default(info);
        }
    }));
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// Runs `f`, turning a panic into `Error::Internal`.
pub fn catch<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    let outer = CATCHING.with(|c| c.replace(true));
    let caught = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(outer));
    match caught {
        Ok(result) => result,
        Err(payload) => {
            let recorded = LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).take();
            let text = recorded.unwrap_or_else(|| payload_text(payload.as_ref()));
            Err(Error::internal(format!("panic: {text}")))
        }
    }
}

/// Runs one statement on the session, panics included.
pub fn run_statement(session: &Session, sql: &str) -> Result<QueryResult> {
    catch(|| session.sql(sql))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_internal_errors() {
        install_panic_hook();
        let err = catch::<()>(|| panic!("boom")).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("internal error: panic: boom at "), "{text}");
        assert!(matches!(err, Error::Internal(_)));
        assert_eq!(catch(|| Ok(5)).unwrap(), 5);
    }
}
