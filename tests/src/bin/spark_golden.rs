//! Runs Spark's golden-file tests (`shared/spark-sql-tests`) through Ember
//! and reports, per file and in total, how many queries pass strictly and
//! leniently. Not a CI gate: `tests/tests/spark_golden_allowlist.rs` is.
//!
//! usage: spark_golden [FILTER...] [--json FILE] [--timeout SECS] [--failures]
//!                     [--passing]
//!   FILTER       substrings of result paths (e.g. `count`, `subquery/`)
//!   --failures   print each failing query with the reason
//!   --passing    print only the files that pass completely (for the allow-list)

use std::process::ExitCode;
use std::time::{Duration, Instant};

use ember_tests::golden::{self, FileReport};
use serde_json::json;

struct Options {
    filters: Vec<String>,
    json: Option<String>,
    timeout: Duration,
    failures: bool,
    passing: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut o =
        Options { filters: Vec::new(), json: None, timeout: Duration::from_secs(30), failures: false, passing: false };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => o.json = Some(args.next().ok_or("--json needs a file")?),
            "--timeout" => {
                let v = args.next().ok_or("--timeout needs seconds")?;
                let secs: f64 = v.parse().map_err(|_| format!("invalid timeout '{v}'"))?;
                if !(secs > 0.0 && secs.is_finite()) {
                    return Err(format!("invalid timeout '{v}'"));
                }
                o.timeout = Duration::from_secs_f64(secs);
            }
            "--failures" => o.failures = true,
            "--passing" => o.passing = true,
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') => return Err(format!("unknown option '{s}'")),
            s => o.filters.push(s.to_string()),
        }
    }
    Ok(o)
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        100.0 * n as f64 / d as f64
    }
}

fn main() -> ExitCode {
    ember_tests::install_quiet_panic_hook();
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("usage: spark_golden [FILTER...] [--json FILE] [--timeout SECS] [--failures] [--passing]");
            return if e.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) };
        }
    };
    let Some(corpus) = golden::corpus_dir() else {
        eprintln!("shared/spark-sql-tests not found next to the repository");
        return ExitCode::FAILURE;
    };
    let files: Vec<String> = golden::list_files(&corpus)
        .into_iter()
        .filter(|f| o.filters.is_empty() || o.filters.iter().any(|p| f.contains(p.as_str())))
        .collect();
    let tables = golden::BuiltinTables::load(&corpus);
    let start = Instant::now();
    let mut reports: Vec<FileReport> = Vec::new();
    for f in &files {
        eprint!("{f} ...\r");
        reports.push(golden::run_file(&corpus, f, &tables, o.timeout));
    }
    eprint!("{}\r", " ".repeat(80));

    let width = files.iter().map(|f| f.len()).max().unwrap_or(10).max(10);
    if o.passing {
        for r in reports.iter().filter(|r| r.total > 0 && r.strict == r.total) {
            println!("{}", r.file);
        }
    } else {
        println!("{:<width$} {:>7} {:>14} {:>14}", "file", "queries", "strict", "lenient");
        for r in &reports {
            println!(
                "{:<width$} {:>7} {:>6} {:>6.1}% {:>6} {:>6.1}%{}",
                r.file,
                r.total,
                r.strict,
                pct(r.strict, r.total),
                r.lenient,
                pct(r.lenient, r.total),
                r.note.as_ref().map(|n| format!("  ({})", first_chars(n, 100))).unwrap_or_default()
            );
            if o.failures {
                for q in r.outcomes.iter().filter(|q| !q.strict) {
                    println!(
                        "    #{} {}\n        {}",
                        q.index + 1,
                        first_chars(&q.sql.replace('\n', " "), 120),
                        first_chars(&q.detail, 300)
                    );
                }
            }
        }
    }
    let total: usize = reports.iter().map(|r| r.total).sum();
    let strict: usize = reports.iter().map(|r| r.strict).sum();
    let lenient: usize = reports.iter().map(|r| r.lenient).sum();
    let complete = reports.iter().filter(|r| r.total > 0 && r.strict == r.total).count();
    let summary = format!(
        "total: {} files, {total} queries; strict {strict} ({:.1}%), lenient {lenient} ({:.1}%); {complete} files pass completely; {:.1} s",
        reports.len(),
        pct(strict, total),
        pct(lenient, total),
        start.elapsed().as_secs_f64()
    );
    if o.passing {
        eprintln!("{summary}");
    } else {
        println!("{summary}");
    }

    if let Some(path) = &o.json {
        let doc = json!({
            "files": reports.iter().map(|r| json!({
                "file": r.file,
                "queries": r.total,
                "strict": r.strict,
                "lenient": r.lenient,
                "note": r.note,
                "failures": r.outcomes.iter().filter(|q| !q.strict).map(|q| json!({
                    "query": q.index + 1,
                    "sql": q.sql,
                    "lenient": q.lenient,
                    "detail": q.detail,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "total": { "files": reports.len(), "queries": total, "strict": strict, "lenient": lenient, "complete_files": complete },
        });
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        if let Err(e) = std::fs::write(path, text + "\n") {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

fn first_chars(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push_str("...");
        t
    }
}
