//! `ember bench tpch ...`: runs the 22 TPC-H queries on Ember (and DuckDB),
//! checks the answers and prints a table of median times.

use std::io::IsTerminal;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ember_engine::{QueryResult, Session};
use serde_json::{json, Value};

use crate::{answers, duckdb, rss, tpch};

const USAGE: &str = "usage: ember bench tpch [--sf N] [--data DIR] [--threads K] [--runs R] \
[--queries 1,3,5] [--compare duckdb] [--json FILE]

  --sf N          scale factor (default 1); data generated when absent
  --data DIR      Parquet folder (default data/tpch-sf<N>)
  --threads K     worker threads for Ember and DuckDB (default: all cores)
  --runs R        timed runs per query after one warm-up (default 3)
  --queries LIST  comma-separated query numbers (default 1..22)
  --compare duckdb  also time DuckDB (Python package) on the same files
  --json FILE     write per-query figures as JSON";

#[derive(Debug, Clone, PartialEq)]
struct Options {
    sf: f64,
    data: Option<PathBuf>,
    threads: Option<usize>,
    runs: usize,
    queries: Vec<usize>,
    compare_duckdb: bool,
    json: Option<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    if args.first() == Some(&"bench") {
        args.remove(0);
    }
    match args.first() {
        Some(&"tpch") => {
            args.remove(0);
        }
        Some(&"-h") | Some(&"--help") | None => return Err(String::new()),
        Some(other) => return Err(format!("unknown benchmark '{other}' (only 'tpch' is available)")),
    }
    let mut o = Options {
        sf: 1.0,
        data: None,
        threads: None,
        runs: 3,
        queries: (1..=22).collect(),
        compare_duckdb: false,
        json: None,
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        // accept both `--sf 1` and `--sf=1`
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg, None),
        };
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let mut value = || -> Result<String, String> {
            inline.clone().or_else(|| it.next().map(str::to_string)).ok_or(format!("{flag} needs a value"))
        };
        match flag {
            "--sf" => {
                let v = value()?;
                o.sf = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| *s > 0.0 && s.is_finite())
                    .ok_or(format!("invalid scale factor '{v}'"))?;
            }
            "--data" => o.data = Some(PathBuf::from(value()?)),
            "--threads" => {
                let v = value()?;
                o.threads = Some(v.parse().ok().filter(|n| *n > 0).ok_or(format!("invalid thread count '{v}'"))?);
            }
            "--runs" => {
                let v = value()?;
                o.runs = v.parse().ok().filter(|n| *n > 0).ok_or(format!("invalid run count '{v}'"))?;
            }
            "--queries" => {
                let v = value()?;
                let mut qs = Vec::new();
                for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let digits = part.trim_start_matches(['q', 'Q']);
                    let n: usize = digits.parse().map_err(|_| format!("invalid query '{part}'"))?;
                    if !(1..=22).contains(&n) {
                        return Err(format!("query {n} is not in 1..22"));
                    }
                    qs.push(n);
                }
                if qs.is_empty() {
                    return Err("--queries needs at least one query number".into());
                }
                o.queries = qs;
            }
            "--compare" => {
                let v = value()?;
                if v != "duckdb" {
                    return Err(format!("cannot compare with '{v}' (only 'duckdb')"));
                }
                o.compare_duckdb = true;
            }
            "--json" => o.json = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    Ok(o)
}

/// Ember's figures for one query.
#[derive(Debug, Default)]
struct QueryRun {
    name: String,
    rows: Option<usize>,
    times_ms: Vec<f64>,
    error: Option<String>,
    /// `Some(true/false)` when an answer file exists, with the mismatch.
    correct: Option<bool>,
    mismatch: Option<String>,
    /// Peak resident memory of the process over this query's runs.
    peak_rss: Option<u64>,
    /// The first run's result, kept to check against DuckDB's answer when
    /// there is no reference answer.
    unchecked: Option<Vec<arrow::array::RecordBatch>>,
    /// `correct` was decided against DuckDB's answer, not a reference.
    checked_against_duckdb: bool,
    duckdb: Option<duckdb::DuckdbQuery>,
}

fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    Some(if n % 2 == 1 { s[n / 2] } else { (s[n / 2 - 1] + s[n / 2]) / 2.0 })
}

/// Runs a statement, turning a panic in the engine into an error.
fn run_sql(session: &Session, sql: &str) -> Result<QueryResult, String> {
    match std::panic::catch_unwind(AssertUnwindSafe(|| session.sql(sql))) {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => Err(e.to_string()),
        Err(p) => Err(format!("engine panicked: {}", panic_text(p.as_ref()))),
    }
}

/// Entry point of `ember bench ...`; `args` are the words after `bench`
/// (a leading `bench` is accepted too). Returns the process exit code:
/// 0 when every query ran and no answer was wrong, 1 otherwise, 2 on bad usage.
/// `release_memory` hands the allocator's free pages back to the system; it
/// runs before each query, so that the query's peak resident memory counts
/// its own memory, not what earlier queries freed and the allocator kept
/// (DuckDB runs each query in a fresh process).
pub fn run_cli(args: &[String], release_memory: fn()) -> i32 {
    let o = match parse_args(args) {
        Ok(o) => o,
        Err(msg) if msg.is_empty() => {
            println!("{USAGE}");
            return 0;
        }
        Err(msg) => {
            eprintln!("error: {msg}\n{USAGE}");
            return 2;
        }
    };
    // engine panics are caught and reported per query; print them as one
    // line instead of a backtrace that would bury the table
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| format!(" at {l}")).unwrap_or_default();
        eprintln!("panic{location}: {}", panic_text(info.payload()));
    }));
    let code = match run(&o, release_memory) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("error: {msg}");
            1
        }
    };
    std::panic::set_hook(previous_hook);
    code
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn run(o: &Options, release_memory: fn()) -> Result<i32, String> {
    let label = tpch::sf_label(o.sf);
    let data = o.data.clone().unwrap_or_else(|| PathBuf::from(format!("data/tpch-sf{label}")));
    let start = Instant::now();
    let all_present = tpch::TABLES.iter().all(|t| tpch::table_path(&data, t).is_file());
    if !all_present {
        eprintln!("generating TPC-H SF {label} into {} ...", data.display());
    }
    tpch::generate(o.sf, &data).map_err(|e| format!("generating data: {e}"))?;
    if !all_present {
        eprintln!("generated in {:.1} s", start.elapsed().as_secs_f64());
    }

    let session = Session::new();
    if let Some(t) = o.threads {
        session.set_config("ember.threads", &t.to_string()).map_err(|e| e.to_string())?;
    }
    let threads = session.config().threads();
    let views = std::panic::catch_unwind(AssertUnwindSafe(|| tpch::create_views(&session, &data)));
    let views_error = match views {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(format!("creating views: {e}")),
        Err(_) => Some("creating views: engine panicked".to_string()),
    };

    let mut texts = Vec::new();
    for &n in &o.queries {
        texts.push((format!("q{n:02}"), tpch::query_text(n).map_err(|e| e.to_string())?));
    }

    println!(
        "TPC-H SF {label}: data {}, {threads} threads, {} timed run{} after 1 warm-up",
        data.display(),
        o.runs,
        if o.runs == 1 { "" } else { "s" }
    );

    // a progress line only where it can be overwritten
    let progress = std::io::stderr().is_terminal();
    let mut runs: Vec<QueryRun> = Vec::new();
    let mut duckdb_version = None;
    let mut duckdb_note = None;
    // DuckDB's answers, for queries with no reference answer at this scale
    let answers_dir = std::env::temp_dir().join(format!("ember-bench-answers-{}", std::process::id()));
    for (&n, (name, sql)) in o.queries.iter().zip(&texts) {
        let mut q = QueryRun { name: name.clone(), ..Default::default() };
        if let Some(e) = &views_error {
            q.error = Some(e.clone());
            runs.push(q);
            continue;
        }
        if progress {
            eprint!("{name} ...\r");
        }
        release_memory();
        rss::reset_peak();
        match run_sql(&session, sql) {
            Err(e) => q.error = Some(e),
            Ok(first) => {
                q.rows = Some(first.num_rows());
                if tpch::answer_path(o.sf, n).is_none() && o.compare_duckdb {
                    q.unchecked = Some(first.batches.clone());
                }
                if let Some(path) = tpch::answer_path(o.sf, n) {
                    match std::fs::read_to_string(&path) {
                        Ok(expected) => {
                            let r = answers::compare(&first.batches, &expected, Some(tpch::order_keys(n)));
                            q.correct = Some(r.is_ok());
                            q.mismatch = r.err();
                        }
                        Err(e) => q.mismatch = Some(format!("{}: {e}", path.display())),
                    }
                }
                for _ in 0..o.runs {
                    let t = Instant::now();
                    match run_sql(&session, sql) {
                        Ok(_) => q.times_ms.push(t.elapsed().as_secs_f64() * 1000.0),
                        Err(e) => {
                            q.error = Some(e);
                            break;
                        }
                    }
                }
            }
        }
        q.peak_rss = rss::peak_bytes();
        // DuckDB runs the same query right after Ember: the machine's speed
        // drifts over a benchmark's minutes, and back to back both engines'
        // figures for a query see the same machine
        if o.compare_duckdb && duckdb_note.is_none() {
            if progress {
                eprint!("{name} (DuckDB) ...\r");
            }
            // (where the folder cannot be made, the query stays unchecked)
            let answers = q
                .unchecked
                .is_some()
                .then_some(answers_dir.as_path())
                .filter(|dir| std::fs::create_dir_all(dir).is_ok());
            match duckdb::run(&data, o.runs, Some(threads), answers, std::slice::from_ref(&(name.clone(), sql.clone())))
            {
                Ok(d) => {
                    duckdb_version = Some(d.version.clone());
                    q.duckdb = d.results.get(&q.name).cloned();
                    if let (Some(batches), Some(dir)) = (q.unchecked.take(), answers) {
                        if let Ok(expected) = std::fs::read_to_string(dir.join(format!("{}.csv", q.name))) {
                            let r = answers::compare(&batches, &expected, Some(tpch::order_keys(n)));
                            q.correct = Some(r.is_ok());
                            q.mismatch = r.err().map(|m| format!("differs from DuckDB's answer: {m}"));
                            q.checked_against_duckdb = true;
                        }
                    }
                }
                Err(duckdb::DuckdbError::Failed(e)) => {
                    q.duckdb = Some(duckdb::DuckdbQuery { error: Some(e), ..Default::default() });
                }
                Err(duckdb::DuckdbError::Unavailable(e)) => {
                    let note = format!("DuckDB unavailable: {e}; continuing with Ember only");
                    eprintln!("{note}");
                    duckdb_note = Some(note);
                }
            }
        }
        runs.push(q);
    }
    let _ = std::fs::remove_dir_all(&answers_dir);

    if progress {
        eprint!("{:20}\r", "");
    }

    let with_duckdb = duckdb_version.is_some();

    print_table(&runs, with_duckdb, duckdb_version.as_deref());
    if let Some(note) = &duckdb_note {
        println!("{note}");
    }

    if let Some(path) = &o.json {
        let doc = to_json(o, &label, &data, threads, &runs, duckdb_version.as_deref(), duckdb_note.as_deref());
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }

    let bad = runs.iter().any(|q| q.error.is_some() || q.correct == Some(false));
    Ok(if bad { 1 } else { 0 })
}

fn fmt_ms(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.1}"))
}

fn fmt_mib(v: Option<u64>) -> String {
    v.map_or("-".to_string(), |b| format!("{:.0}", b as f64 / (1024.0 * 1024.0)))
}

fn print_table(runs: &[QueryRun], with_duckdb: bool, duckdb_version: Option<&str>) {
    let mut header = format!("{:<6}{:>9}{:>13}", "query", "rows", "ember ms");
    if with_duckdb {
        header.push_str(&format!("{:>13}{:>9}", "duckdb ms", "ratio"));
    }
    header.push_str(&format!("{:>11}", "ember MiB"));
    if with_duckdb {
        header.push_str(&format!("{:>12}", "duckdb MiB"));
    }
    header.push_str(&format!("  {}", "correct"));
    println!("{header}");
    println!("{}", "-".repeat(header.len()));

    let (mut ember_total, mut both_ember, mut both_duck) = (0.0, 0.0, 0.0);
    let mut ember_ok = 0;
    for q in runs {
        let ember = median(&q.times_ms);
        let mut line = format!(
            "{:<6}{:>9}{:>13}",
            q.name.to_uppercase(),
            q.rows.map_or("-".to_string(), |r| r.to_string()),
            if q.error.is_some() { "error".to_string() } else { fmt_ms(ember) }
        );
        if with_duckdb {
            let duck = q.duckdb.as_ref().and_then(|d| if d.error.is_some() { None } else { d.median_ms });
            let ratio = match (ember, duck, &q.error) {
                (Some(e), Some(d), None) if d > 0.0 => Some(e / d),
                _ => None,
            };
            let duck_text = match &q.duckdb {
                Some(d) if d.error.is_some() => "error".to_string(),
                _ => fmt_ms(duck),
            };
            line.push_str(&format!("{:>13}{:>9}", duck_text, ratio.map_or("-".into(), |r| format!("{r:.2}"))));
            if let (Some(e), Some(d), None) = (ember, duck, &q.error) {
                both_ember += e;
                both_duck += d;
            }
        }
        line.push_str(&format!("{:>11}", fmt_mib(q.peak_rss)));
        if with_duckdb {
            line.push_str(&format!("{:>12}", fmt_mib(q.duckdb.as_ref().and_then(|d| d.peak_rss))));
        }
        let correct = match q.correct {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "-",
        };
        line.push_str(&format!("  {correct}"));
        println!("{line}");
        if q.error.is_none() {
            if let Some(e) = ember {
                ember_total += e;
                ember_ok += 1;
            }
        }
    }
    println!("{}", "-".repeat(header.len()));
    let correct = runs.iter().filter(|q| q.correct == Some(true)).count();
    let checked = runs.iter().filter(|q| q.correct.is_some()).count();
    let mut total = format!("{:<6}{:>9}{:>13}", "total", "", format!("{ember_total:.1}"));
    if with_duckdb {
        let ratio = if both_duck > 0.0 { format!("{:.2}", both_ember / both_duck) } else { "-".into() };
        total.push_str(&format!("{:>13}{:>9}", format!("{both_duck:.1}"), ratio));
    }
    // the process peaks: the largest of the per-query peaks
    total.push_str(&format!("{:>11}", fmt_mib(runs.iter().filter_map(|q| q.peak_rss).max())));
    if with_duckdb {
        total.push_str(&format!(
            "{:>12}",
            fmt_mib(runs.iter().filter_map(|q| q.duckdb.as_ref().and_then(|d| d.peak_rss)).max())
        ));
    }
    total.push_str(&format!("  {correct}/{checked}"));
    println!("{total}");
    let against_duckdb = runs.iter().filter(|q| q.checked_against_duckdb).count();
    println!(
        "Ember ran {ember_ok} of {} queries; {correct} of {checked} checked answers correct{}",
        runs.len(),
        if against_duckdb > 0 {
            format!(" ({against_duckdb} checked against DuckDB's answers: no reference answers at this scale)")
        } else {
            String::new()
        }
    );
    if let Some(v) = duckdb_version {
        println!(
            "DuckDB {v}; ratio = Ember median / DuckDB median; total ratio over the {} queries both ran: Ember {:.1} ms vs DuckDB {:.1} ms",
            runs.iter().filter(|q| q.error.is_none() && q.duckdb.as_ref().is_some_and(|d| d.median_ms.is_some())).count(),
            both_ember,
            both_duck
        );
    }
    // one line per distinct error, naming the queries it hit
    let mut errors: Vec<(String, Vec<String>)> = Vec::new();
    for q in runs {
        if let Some(e) = &q.error {
            let e = first_line(e).to_string();
            match errors.iter_mut().find(|(m, _)| *m == e) {
                Some((_, names)) => names.push(q.name.to_uppercase()),
                None => errors.push((e, vec![q.name.to_uppercase()])),
            }
        }
    }
    for (e, names) in &errors {
        println!("{}: error: {e}", names.join(", "));
    }
    for q in runs {
        if let Some(m) = &q.mismatch {
            println!("{}: wrong answer: {m}", q.name.to_uppercase());
        }
        if let Some(e) = q.duckdb.as_ref().and_then(|d| d.error.as_ref()) {
            println!("{}: DuckDB error: {}", q.name.to_uppercase(), first_line(e));
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

fn to_json(
    o: &Options,
    label: &str,
    data: &Path,
    threads: usize,
    runs: &[QueryRun],
    duckdb_version: Option<&str>,
    duckdb_note: Option<&str>,
) -> Value {
    let queries: Vec<Value> = runs
        .iter()
        .map(|q| {
            let ember = if q.error.is_none() { median(&q.times_ms) } else { None };
            let duck = q.duckdb.as_ref().and_then(|d| d.median_ms);
            let ratio = match (ember, duck) {
                (Some(e), Some(d)) if d > 0.0 => Some(e / d),
                _ => None,
            };
            json!({
                "query": q.name,
                "rows": q.rows,
                "ember_times_ms": q.times_ms,
                "ember_median_ms": ember,
                "duckdb_median_ms": duck,
                "duckdb_rows": q.duckdb.as_ref().and_then(|d| d.rows),
                "duckdb_error": q.duckdb.as_ref().and_then(|d| d.error.clone()),
                "ratio": ratio,
                "ember_peak_rss_bytes": q.peak_rss,
                "duckdb_peak_rss_bytes": q.duckdb.as_ref().and_then(|d| d.peak_rss),
                "correct": q.correct,
                "checked_against": if q.checked_against_duckdb { "duckdb" } else if q.correct.is_some() { "reference" } else { "none" },
                "mismatch": q.mismatch,
                "error": q.error,
            })
        })
        .collect();
    json!({
        "benchmark": "tpch",
        "sf": o.sf,
        "sf_label": label,
        "data": data.display().to_string(),
        "threads": threads,
        "runs": o.runs,
        "duckdb_version": duckdb_version,
        "duckdb_note": duckdb_note,
        "queries": queries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn parses_options() {
        let o =
            parse_args(&args("tpch --sf 0.1 --runs 1 --queries 1,q3,5 --compare duckdb --threads=4")).expect("parse");
        assert_eq!(o.sf, 0.1);
        assert_eq!(o.runs, 1);
        assert_eq!(o.queries, vec![1, 3, 5]);
        assert!(o.compare_duckdb);
        assert_eq!(o.threads, Some(4));
        let d = parse_args(&args("bench tpch")).expect("defaults");
        assert_eq!((d.sf, d.runs, d.queries.len()), (1.0, 3, 22));
    }

    #[test]
    fn rejects_bad_options() {
        assert!(parse_args(&args("tpch --sf 0")).is_err());
        assert!(parse_args(&args("tpch --queries 23")).is_err());
        assert!(parse_args(&args("tpch --compare spark")).is_err());
        assert!(parse_args(&args("tpcds")).is_err());
        assert!(parse_args(&args("tpch --runs")).is_err());
        assert_eq!(parse_args(&args("--help")), Err(String::new()));
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }
}
