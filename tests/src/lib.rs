//! ember-tests: the test harnesses of Ember.
//!
//! - [`slt`]: sqllogictest files (`tests/slt/**/*.slt`) run through a `Session`;
//! - [`golden`]: Spark's own golden-file corpus (`shared/spark-sql-tests`),
//!   rendered the HiveResult way and compared strictly and leniently;
//! - [`tpch`]: data and views for the TPC-H answer test.

pub mod golden;
pub mod slt;
pub mod tpch;

use std::path::PathBuf;

/// This crate's folder (`<repo>/tests`).
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace root (`<repo>`).
pub fn repo_root() -> PathBuf {
    let dir = crate_dir();
    dir.parent().map(PathBuf::from).unwrap_or(dir)
}

/// The cargo target folder: `$CARGO_TARGET_DIR` or `<repo>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => {
            let d = PathBuf::from(d);
            if d.is_absolute() {
                d
            } else {
                repo_root().join(d)
            }
        }
        None => repo_root().join("target"),
    }
}

/// Text of a caught panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Replaces the default panic hook (message plus backtrace) with one line on
/// stderr: the harnesses catch engine panics and report them as failures, so
/// the full backtrace would only bury the summary. `RUST_BACKTRACE=full`
/// keeps the default hook.
pub fn install_quiet_panic_hook() {
    if std::env::var("RUST_BACKTRACE").is_ok_and(|v| v == "full") {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| format!(" at {l}")).unwrap_or_default();
        eprintln!("panic{location}: {}", panic_message(info.payload()));
    }));
}
