//! DuckDB as the reference engine: its Python package, driven by
//! `bench/python/duckdb_tpch.py` (embedded here), on the same Parquet files.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const SCRIPT: &str = include_str!("../python/duckdb_tpch.py");

/// DuckDB's figures for one query.
#[derive(Debug, Clone, Default)]
pub struct DuckdbQuery {
    pub median_ms: Option<f64>,
    pub rows: Option<usize>,
    pub error: Option<String>,
    /// Peak resident memory of the DuckDB process over this query's runs.
    pub peak_rss: Option<u64>,
}

/// Why a DuckDB run gave no figures.
#[derive(Debug, Clone)]
pub enum DuckdbError {
    /// DuckDB cannot run here (no Python environment, no `duckdb` package):
    /// the benchmark goes on with Ember only.
    Unavailable(String),
    /// This run failed (its process died, no result): others may work.
    Failed(String),
}

#[derive(Debug, Clone, Default)]
pub struct DuckdbRun {
    pub version: String,
    pub results: BTreeMap<String, DuckdbQuery>,
}

/// The repository root: the parent of this crate, or an ancestor of the
/// current directory holding `scripts/python-env.sh`.
fn repo_root() -> Option<PathBuf> {
    let from_crate = Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf);
    let from_cwd = std::env::current_dir().ok().and_then(|cwd| {
        cwd.ancestors().find(|d| d.join("scripts").join("python-env.sh").is_file()).map(Path::to_path_buf)
    });
    from_cwd.into_iter().chain(from_crate).find(|d| d.join("scripts").join("python-env.sh").is_file())
}

/// The Python to run DuckDB with: `$EMBER_PYTHON`, else the repository's
/// `.venv`, created by `scripts/python-env.sh` when missing.
fn python() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("EMBER_PYTHON") {
        return Ok(PathBuf::from(p));
    }
    let root = repo_root().ok_or("cannot find the repository's scripts/python-env.sh")?;
    let venv_python = root.join(".venv").join("bin").join("python");
    if venv_python.is_file() {
        return Ok(venv_python);
    }
    eprintln!("setting up the Python environment for DuckDB (scripts/python-env.sh)...");
    let out = Command::new("bash")
        .arg(root.join("scripts").join("python-env.sh"))
        .current_dir(&root)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run scripts/python-env.sh: {e}"))?;
    if !out.status.success() {
        return Err(format!("scripts/python-env.sh failed ({})", out.status));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    if last.is_empty() || !Path::new(last).is_file() {
        return Err("scripts/python-env.sh did not print a Python path".into());
    }
    Ok(PathBuf::from(last))
}

/// Runs `queries` (name, SQL) in DuckDB: one warm-up and `runs` timed runs
/// each; with `answers`, the warm-up writes each result to
/// `<answers>/<name>.csv`.
pub fn run(
    data: &Path,
    runs: usize,
    threads: Option<usize>,
    answers: Option<&Path>,
    queries: &[(String, String)],
) -> Result<DuckdbRun, DuckdbError> {
    let python = python().map_err(DuckdbError::Unavailable)?;
    let input =
        Value::Array(queries.iter().map(|(name, sql)| serde_json::json!({ "name": name, "sql": sql })).collect())
            .to_string();
    let mut cmd = Command::new(&python);
    cmd.arg("-c")
        .arg(SCRIPT)
        .arg("--data")
        .arg(data)
        .arg("--runs")
        .arg(runs.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(t) = threads {
        cmd.arg("--threads").arg(t.to_string());
    }
    if let Some(dir) = answers {
        cmd.arg("--answers").arg(dir);
    }
    let mut child =
        cmd.spawn().map_err(|e| DuckdbError::Unavailable(format!("cannot run {}: {e}", python.display())))?;
    let mut stdin = child.stdin.take().ok_or(DuckdbError::Failed("no stdin for the DuckDB script".into()))?;
    // written from a thread so a chatty child can never deadlock on full pipes
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().map_err(|e| DuckdbError::Failed(format!("DuckDB script failed: {e}")))?;
    let _ = writer.join();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // the script's JSON object ends the output, whatever else was printed
    // before it on its line
    let parsed: Option<Value> = stdout.lines().rev().find_map(|l| {
        let at = l.rfind("{\"engine\"").or_else(|| l.rfind("{\"error\""))?;
        serde_json::from_str(&l[at..]).ok()
    });
    let Some(parsed) = parsed else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(DuckdbError::Failed(format!(
            "DuckDB script gave no result ({}): {}",
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        )));
    };
    if let Some(e) = parsed.get("error").and_then(Value::as_str) {
        return Err(DuckdbError::Unavailable(e.to_string()));
    }
    let mut run = DuckdbRun {
        version: parsed.get("version").and_then(Value::as_str).unwrap_or("?").to_string(),
        results: BTreeMap::new(),
    };
    for r in parsed.get("results").and_then(Value::as_array).into_iter().flatten() {
        let Some(name) = r.get("name").and_then(Value::as_str) else {
            continue;
        };
        run.results.insert(
            name.to_string(),
            DuckdbQuery {
                median_ms: r.get("median_ms").and_then(Value::as_f64),
                rows: r.get("rows").and_then(Value::as_u64).map(|n| n as usize),
                error: r.get("error").and_then(Value::as_str).map(str::to_string),
                peak_rss: r.get("peak_rss_bytes").and_then(Value::as_u64),
            },
        );
    }
    Ok(run)
}
