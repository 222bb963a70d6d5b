//! sqllogictest through an Ember `Session`.
//!
//! Conventions of the `.slt` files (tests/slt/README.md):
//! - values are rendered as Spark's HiveResult prints them
//!   (`ember_engine::render::format_cell`), NULL as `NULL`, the empty string
//!   as `(empty)` (sqllogictest collapses whitespace, so an empty cell would
//!   vanish);
//! - column types are not checked (write `query T`, `query I`, ... freely);
//! - `statement error <regex>` / `query error <regex>` match the error text,
//!   which starts with the Spark error class: `[UNRESOLVED_COLUMN...] ...`;
//! - `$DATA` is replaced by the absolute path of `tests/data` (fixtures);
//! - `$TMP` is replaced by a fresh empty folder for this run of the file,
//!   deleted afterwards (for tests that write files);
//! - each file runs on a fresh session with `ember.threads` set first.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use arrow::datatypes::DataType;
use ember_engine::{ResultKind, Session};
use sqllogictest::{DBOutput, DefaultColumnType, Runner, DB};

/// An error from the engine as the runner sees it.
#[derive(Debug)]
pub struct DbError {
    message: String,
    sql_state: Option<String>,
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DbError {}

/// A `Session` behind sqllogictest's `DB` trait.
pub struct EmberDb {
    session: Session,
}

impl EmberDb {
    /// A fresh session with `ember.threads` set to `threads`.
    pub fn new(threads: usize) -> Result<EmberDb, DbError> {
        let session = Session::new();
        session
            .set_config("ember.threads", &threads.to_string())
            .map_err(|e| DbError { message: e.to_string(), sql_state: None })?;
        Ok(EmberDb { session })
    }
}

fn column_type(dt: &DataType) -> DefaultColumnType {
    match dt {
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => DefaultColumnType::Integer,
        DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) => DefaultColumnType::FloatingPoint,
        _ => DefaultColumnType::Text,
    }
}

impl DB for EmberDb {
    type Error = DbError;
    type ColumnType = DefaultColumnType;

    fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, DbError> {
        let session = &self.session;
        let result = match std::panic::catch_unwind(AssertUnwindSafe(|| session.sql(sql))) {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return Err(DbError { message: e.to_string(), sql_state: e.sql_state().map(str::to_string) }),
            Err(p) => {
                return Err(DbError {
                    message: format!("engine panicked: {}", crate::panic_message(p.as_ref())),
                    sql_state: None,
                })
            }
        };
        match result.kind {
            ResultKind::Command => Ok(DBOutput::StatementComplete(0)),
            ResultKind::Rows => {
                let types = result.schema.fields().iter().map(|f| column_type(f.data_type())).collect();
                let rows = ember_engine::render::format_rows(&result.batches)
                    .into_iter()
                    .map(|row| row.into_iter().map(|v| if v.is_empty() { "(empty)".to_string() } else { v }).collect())
                    .collect();
                Ok(DBOutput::Rows { types, rows })
            }
        }
    }

    fn engine_name(&self) -> &str {
        "ember"
    }

    fn error_sql_state(err: &DbError) -> Option<String> {
        err.sql_state.clone()
    }
}

/// `tests/slt`
pub fn slt_dir() -> PathBuf {
    crate::crate_dir().join("slt")
}

/// `tests/data`, the fixtures that `$DATA` stands for.
pub fn data_dir() -> PathBuf {
    crate::crate_dir().join("data")
}

/// Every `.slt` file under `dir`, sorted.
pub fn slt_files(dir: &Path) -> Vec<PathBuf> {
    let pattern = format!("{}/**/*.slt", dir.display());
    let mut files: Vec<PathBuf> = glob::glob(&pattern).map(|g| g.flatten().collect()).unwrap_or_default();
    files.sort();
    files
}

/// Thread counts from `EMBER_SLT_THREADS` (default "1,4").
pub fn thread_matrix() -> Result<Vec<usize>, String> {
    let spec = std::env::var("EMBER_SLT_THREADS").unwrap_or_else(|_| "1,4".to_string());
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<usize>() {
            Ok(n) if n > 0 => out.push(n),
            _ => return Err(format!("EMBER_SLT_THREADS: invalid thread count '{part}'")),
        }
    }
    if out.is_empty() {
        return Err("EMBER_SLT_THREADS is empty".into());
    }
    Ok(out)
}

/// Runs one `.slt` file on a fresh session with `threads` worker threads.
/// The error is the runner's report of the first failing record.
pub fn run_file(path: &Path, threads: usize) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = text.replace("$DATA", &data_dir().to_string_lossy());
    let tmp = TempFolder::new().map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    let text = text.replace("$TMP", &tmp.0.to_string_lossy());
    let name = path.display().to_string();
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let mut runner = Runner::new(move || std::future::ready(EmberDb::new(threads)));
        runner.run_script_with_name(&text, name.as_str()).map_err(|e| e.display(false).to_string())
    }));
    match outcome {
        Ok(r) => r,
        Err(p) => Err(format!("runner panicked: {}", crate::panic_message(p.as_ref()))),
    }
}

/// A fresh folder under the system temp folder, removed on drop.
struct TempFolder(PathBuf);

impl TempFolder {
    fn new() -> std::io::Result<TempFolder> {
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("ember-slt-{}-{n}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(TempFolder(dir))
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_slt_files() {
        let files = slt_files(&slt_dir());
        assert!(files.iter().any(|f| f.ends_with("basic/select.slt")), "{files:?}");
    }

    #[test]
    fn default_thread_matrix() {
        if std::env::var_os("EMBER_SLT_THREADS").is_none() {
            assert_eq!(thread_matrix(), Ok(vec![1, 4]));
        }
    }
}
