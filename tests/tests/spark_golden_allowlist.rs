//! The Spark golden files listed in `tests/spark_golden_allowlist.txt` pass
//! completely (strict) and must keep doing so.

use std::time::Duration;

use ember_tests::golden;

#[test]
fn allowlisted_golden_files_pass() {
    let list_path = ember_tests::crate_dir().join("spark_golden_allowlist.txt");
    let text = std::fs::read_to_string(&list_path).unwrap_or_else(|e| panic!("{}: {e}", list_path.display()));
    let files = golden::read_allowlist(&text);
    if files.is_empty() {
        return;
    }
    let Some(corpus) = golden::corpus_dir() else {
        panic!("shared/spark-sql-tests not found next to the repository");
    };
    let tables = golden::BuiltinTables::load(&corpus);
    let mut failures = Vec::new();
    for file in &files {
        let report = golden::run_file(&corpus, file, &tables, Duration::from_secs(60));
        if report.total == 0 {
            failures.push(format!("{file}: no queries (missing file?) {}", report.note.unwrap_or_default()));
            continue;
        }
        for o in report.outcomes.iter().filter(|o| !o.strict) {
            let sql: String = o.sql.chars().take(200).collect();
            failures.push(format!("{file} query {}: {}\n  {sql}", o.index + 1, o.detail));
        }
    }
    assert!(failures.is_empty(), "{} regressions:\n{}", failures.len(), failures.join("\n"));
}
