//! TPC-H SF 0.01 for the answer test: data generated once per process into
//! the cargo target folder (ignored by git), then one check per query.

use std::path::PathBuf;
use std::sync::OnceLock;

use ember_bench::{answers, tpch};
use ember_engine::Session;

/// The scale factor of the test: small enough for debug builds on 2 cores.
pub const SF: f64 = 0.01;

/// The folder with the eight Parquet files, generated on first use. Safe with
/// parallel test threads (one generation per process, guarded by a
/// `OnceLock`) and parallel processes (files appear by atomic rename).
pub fn data_dir() -> Result<PathBuf, String> {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = crate::target_dir().join(format!("tpch-sf{}", tpch::sf_label(SF)));
        tpch::generate(SF, &dir).map_err(|e| format!("generating TPC-H data: {e}"))?;
        Ok(dir)
    })
    .clone()
}

/// Runs query `n` on a fresh session over the SF 0.01 views and compares it
/// with the reference answer. Panics with a readable message on any failure.
pub fn check_query(n: usize) {
    let dir = data_dir().unwrap_or_else(|e| panic!("{e}"));
    let session = Session::new();
    if let Err(e) = tpch::create_views(&session, &dir) {
        panic!("Q{n:02}: creating views failed: {e}");
    }
    let sql = tpch::query_text(n).unwrap_or_else(|e| panic!("Q{n:02}: {e}"));
    let result = session.sql(&sql).unwrap_or_else(|e| panic!("Q{n:02} failed: {e}"));
    let path = tpch::answer_path(SF, n).unwrap_or_else(|| panic!("Q{n:02}: no reference answer"));
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if let Err(m) = answers::compare(&result.batches, &expected, Some(tpch::order_keys(n))) {
        panic!("Q{n:02} wrong answer: {m}");
    }
}
