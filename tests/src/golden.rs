//! Spark's SQL golden-file tests (`shared/spark-sql-tests`, format in its
//! README.md) run through Ember.
//!
//! Each `results/**.sql.out` file runs on a fresh session (the suite's
//! defaults, the `--SET` lines of the matching input file, the built-in
//! tables) inside its own worker thread, one query after the other; a panic
//! is caught and counted as a failure, and a query that runs past the timeout
//! fails together with the rest of its file (the session is left behind).
//!
//! Comparison, per query:
//! - strict (Spark's own criterion): schema string and output text equal;
//!   for an expected error, the same error class (for the few bare Java
//!   exceptions without a class, any error that has a class);
//! - lenient: the same values ignoring column names and types, numbers equal
//!   to 9 significant digits; any error for an expected error.
//!
//! Row order: Spark sorts the output lines as strings unless the query's plan
//! ends in a global sort. Ember cannot see Spark's plan, so a query whose
//! text has no `ORDER BY` is compared after sorting, and one with `ORDER BY`
//! passes either in its own order or sorted (a sort inside a subquery or a
//! window leaves Spark's output sorted as strings).

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use arrow::array::{
    Array, ArrayRef, Float32Array, Int32Array, Int32Builder, ListBuilder, MapBuilder, MapFieldNames, RecordBatch,
    StringArray, StringBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use ember_core::types::spark_type_name;
use ember_engine::{ResultKind, Session};

/// One query of a `.sql.out` file.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldenQuery {
    pub sql: String,
    pub schema: String,
    pub output: String,
}

impl GoldenQuery {
    /// The error class Spark raised, when the expected outcome is an error:
    /// `Some(Some(class))`, `Some(None)` for an error without a class.
    pub fn expected_error(&self) -> Option<Option<String>> {
        if self.schema != "struct<>" || self.output.is_empty() {
            return None;
        }
        let first = self.output.lines().next().unwrap_or("").trim();
        let looks_like_exception =
            !first.contains(' ') && first.contains('.') && (first.ends_with("Exception") || first.ends_with("Error"));
        if !looks_like_exception {
            return None;
        }
        Some(json_string_field(&self.output, "errorClass"))
    }
}

/// The value of `"key" : "value"` in Spark's pretty JSON.
fn json_string_field(text: &str, key: &str) -> Option<String> {
    let needle = format!("\"{key}\"");
    let at = text.find(&needle)? + needle.len();
    let rest = text[at..].trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(rest[..end].to_string())
}

/// Splits a `.sql.out` text into queries, as Spark's suite does: on lines
/// starting with `-- !query`; SQL and schema trimmed, trailing whitespace of
/// the output removed.
pub fn parse_sql_out(text: &str) -> Vec<GoldenQuery> {
    let mut segments: Vec<String> = vec![String::new()];
    for line in text.split_inclusive('\n') {
        if line.starts_with("-- !query") {
            segments.push(String::new());
        } else if let Some(last) = segments.last_mut() {
            last.push_str(line);
        }
    }
    // segments[0] is the file header; then (sql, schema, output) triples
    segments
        .get(1..)
        .unwrap_or_default()
        .chunks(3)
        .filter(|c| c.len() == 3)
        .map(|c| GoldenQuery {
            sql: c[0].trim().to_string(),
            schema: c[1].trim().to_string(),
            output: c[2].trim_end().to_string(),
        })
        .collect()
}

/// `shared/spark-sql-tests`, next to the repository.
pub fn corpus_dir() -> Option<PathBuf> {
    ember_bench::tpch::shared_dir().map(|s| s.join("spark-sql-tests")).filter(|d| d.join("results").is_dir())
}

/// Folders whose files need UDFs registered by Spark's own harness.
const SKIPPED_DIRS: [&str; 3] = ["udf/", "udaf/", "udtf/"];

/// The result files (relative to `results/`, with `/`), sorted, without the
/// `.java21` variants and the UDF folders.
pub fn list_files(corpus: &Path) -> Vec<String> {
    let results = corpus.join("results");
    let pattern = format!("{}/**/*.sql.out", results.display());
    let mut files: Vec<String> = glob::glob(&pattern)
        .map(|g| g.flatten().collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.strip_prefix(&results).ok().map(|r| r.to_string_lossy().replace('\\', "/")))
        .filter(|r| !SKIPPED_DIRS.iter().any(|d| r.starts_with(d)))
        .collect();
    files.sort();
    files
}

/// The session settings of a result file: the suite's defaults, the folder's
/// and the `--SET k=v[,k=v]` lines of the input file (later ones win).
pub fn file_settings(rel: &str, input: Option<&str>) -> Vec<(String, String)> {
    let mut s: Vec<(String, String)> = vec![
        ("spark.sql.session.timeZone".into(), "America/Los_Angeles".into()),
        ("spark.sql.shuffle.partitions".into(), "4".into()),
        ("spark.sql.ansi.enabled".into(), (!rel.starts_with("nonansi/")).to_string()),
    ];
    if rel.starts_with("postgreSQL/") {
        s.push(("spark.sql.legacy.interval.enabled".into(), "true".into()));
    }
    if rel.starts_with("timestampNTZ/") {
        s.push(("spark.sql.timestampType".into(), "TIMESTAMP_NTZ".into()));
    }
    for line in input.unwrap_or("").lines() {
        if let Some(rest) = line.strip_prefix("--SET ") {
            for kv in rest.split(',') {
                if let Some((k, v)) = kv.split_once('=') {
                    s.push((k.trim().to_string(), v.trim().to_string()));
                }
            }
        }
    }
    s
}

/// Spark's built-in test tables, built once and shared by every session.
#[derive(Clone, Default)]
pub struct BuiltinTables {
    pub tables: Vec<(String, SchemaRef, Vec<RecordBatch>)>,
}

impl BuiltinTables {
    /// Builds `testdata`, `aggtest`, `onek`, `tenk1`, `arraydata`, `mapdata`;
    /// a table whose data file is missing is left out.
    pub fn load(corpus: &Path) -> BuiltinTables {
        let mut tables = Vec::new();
        let mut add = |name: &str, batch: Option<RecordBatch>| {
            if let Some(b) = batch {
                tables.push((name.to_string(), b.schema(), vec![b]));
            }
        };
        add("testdata", testdata());
        let pg = corpus.join("test-data").join("postgresql");
        add("aggtest", std::fs::read_to_string(pg.join("agg.data")).ok().and_then(|t| aggtest(&t)));
        add("onek", std::fs::read_to_string(pg.join("onek.data")).ok().and_then(|t| onek_like(&t)));
        add("tenk1", std::fs::read_to_string(pg.join("tenk.data")).ok().and_then(|t| onek_like(&t)));
        add("arraydata", arraydata());
        add("mapdata", mapdata());
        BuiltinTables { tables }
    }

    /// Registers every table in `session`; failures are returned by name.
    pub fn register(&self, session: &Session) -> Vec<String> {
        let mut failed = Vec::new();
        for (name, schema, batches) in &self.tables {
            if let Err(e) = session.register_batches(name, schema.clone(), batches.clone()) {
                failed.push(format!("{name}: {e}"));
            }
        }
        failed
    }
}

fn batch(fields: Vec<Field>, columns: Vec<ArrayRef>) -> Option<RecordBatch> {
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).ok()
}

/// `(1 to 100).map(i => (i, i.toString)).toDF("key", "value")`
fn testdata() -> Option<RecordBatch> {
    batch(
        vec![Field::new("key", DataType::Int32, false), Field::new("value", DataType::Utf8, true)],
        vec![
            Arc::new(Int32Array::from_iter_values(1..=100)),
            Arc::new(StringArray::from_iter_values((1..=100).map(|i| i.to_string()))),
        ],
    )
}

fn opt_field(s: &str) -> Option<&str> {
    // Spark's CSV reader reads an empty field as NULL
    (!s.is_empty()).then_some(s)
}

/// `aggtest(a int, b float)` from tab-separated `agg.data`.
fn aggtest(text: &str) -> Option<RecordBatch> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut f = line.split('\t');
        a.push(f.next().and_then(opt_field).and_then(|v| v.trim().parse::<i32>().ok()));
        b.push(f.next().and_then(opt_field).and_then(|v| v.trim().parse::<f32>().ok()));
    }
    batch(
        vec![Field::new("a", DataType::Int32, true), Field::new("b", DataType::Float32, true)],
        vec![Arc::new(Int32Array::from(a)), Arc::new(Float32Array::from(b))],
    )
}

const ONEK_INT_COLUMNS: [&str; 13] = [
    "unique1",
    "unique2",
    "two",
    "four",
    "ten",
    "twenty",
    "hundred",
    "thousand",
    "twothousand",
    "fivethous",
    "tenthous",
    "odd",
    "even",
];
const ONEK_STRING_COLUMNS: [&str; 3] = ["stringu1", "stringu2", "string4"];

/// `onek` / `tenk1`: 13 int columns and 3 string columns, tab-separated.
fn onek_like(text: &str) -> Option<RecordBatch> {
    let mut ints: Vec<Vec<Option<i32>>> = vec![Vec::new(); ONEK_INT_COLUMNS.len()];
    let mut strs: Vec<Vec<Option<String>>> = vec![Vec::new(); ONEK_STRING_COLUMNS.len()];
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        for (i, col) in ints.iter_mut().enumerate() {
            col.push(fields.get(i).copied().and_then(opt_field).and_then(|v| v.trim().parse().ok()));
        }
        for (i, col) in strs.iter_mut().enumerate() {
            col.push(fields.get(ONEK_INT_COLUMNS.len() + i).copied().and_then(opt_field).map(str::to_string));
        }
    }
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (name, values) in ONEK_INT_COLUMNS.iter().zip(ints) {
        fields.push(Field::new(*name, DataType::Int32, true));
        columns.push(Arc::new(Int32Array::from(values)));
    }
    for (name, values) in ONEK_STRING_COLUMNS.iter().zip(strs) {
        fields.push(Field::new(*name, DataType::Utf8, true));
        columns.push(Arc::new(StringArray::from(values)));
    }
    batch(fields, columns)
}

/// `Seq((Seq(1, 2, 3), Seq(Seq(1, 2, 3))), (Seq(2, 3, 4), Seq(Seq(2, 3, 4))))
/// .toDF("arraycol", "nestedarraycol")`
fn arraydata() -> Option<RecordBatch> {
    let mut flat = ListBuilder::new(Int32Builder::new());
    let mut nested = ListBuilder::new(ListBuilder::new(Int32Builder::new()));
    for start in [1, 2] {
        for v in start..start + 3 {
            flat.values().append_value(v);
        }
        flat.append(true);
        for v in start..start + 3 {
            nested.values().values().append_value(v);
        }
        nested.values().append(true);
        nested.append(true);
    }
    let flat = flat.finish();
    let nested = nested.finish();
    batch(
        vec![
            Field::new("arraycol", flat.data_type().clone(), true),
            Field::new("nestedarraycol", nested.data_type().clone(), true),
        ],
        vec![Arc::new(flat), Arc::new(nested)],
    )
}

/// Five maps `1 -> "a1" ... 5 -> "e1"`, `1 -> "a2" ... 4 -> "d2"`, ... `1 -> "a5"`.
fn mapdata() -> Option<RecordBatch> {
    let names = MapFieldNames { entry: "entries".into(), key: "key".into(), value: "value".into() };
    let mut b = MapBuilder::new(Some(names), Int32Builder::new(), StringBuilder::new());
    for (row, len) in (1..=5).zip([5, 4, 3, 2, 1]) {
        for k in 1..=len {
            let letter = (b'a' + (k as u8 - 1)) as char;
            b.keys().append_value(k);
            b.values().append_value(format!("{letter}{row}"));
        }
        b.append(true).ok()?;
    }
    let map = b.finish();
    batch(vec![Field::new("mapcol", map.data_type().clone(), true)], vec![Arc::new(map)])
}

/// What Ember produced for one query, already rendered (so it can cross
/// threads whatever the engine's types are).
#[derive(Debug, Clone)]
pub enum Actual {
    Rows { schema: String, lines: Vec<String> },
    Error { class: Option<String>, message: String },
}

/// The verdict on one query.
#[derive(Debug, Clone)]
pub struct QueryOutcome {
    pub index: usize,
    pub sql: String,
    pub strict: bool,
    pub lenient: bool,
    /// Why it failed (strict), empty when it passed.
    pub detail: String,
}

#[derive(Debug, Clone, Default)]
pub struct FileReport {
    pub file: String,
    pub total: usize,
    pub strict: usize,
    pub lenient: usize,
    pub outcomes: Vec<QueryOutcome>,
    /// A problem with the whole file (timeout, unreadable, tables not registered).
    pub note: Option<String>,
}

/// Renders a result the HiveResult way: `struct<name:type,...>` and one
/// tab-joined line per row.
fn render(result: &ember_engine::QueryResult) -> Actual {
    if result.kind == ResultKind::Command && result.num_rows() == 0 {
        return Actual::Rows { schema: "struct<>".into(), lines: vec![] };
    }
    let fields: Vec<String> =
        result.schema.fields().iter().map(|f| format!("{}:{}", f.name(), spark_type_name(f.data_type()))).collect();
    let lines = ember_engine::render::format_rows(&result.batches).into_iter().map(|r| r.join("\t")).collect();
    Actual::Rows { schema: format!("struct<{}>", fields.join(",")), lines }
}

fn has_order_by(sql: &str) -> bool {
    let words: Vec<String> =
        sql.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').map(|w| w.to_ascii_lowercase()).collect();
    words.windows(2).any(|w| w[0] == "order" && w[1] == "by")
}

/// Output text as Spark's suite compares it: lines joined, trailing
/// whitespace removed.
fn output_text(lines: &[String]) -> String {
    lines.join("\n").trim_end().to_string()
}

/// Strict and lenient verdicts for one query; the string says why strict failed.
pub fn judge(expected: &GoldenQuery, actual: &Actual) -> (bool, bool, String) {
    match (expected.expected_error(), actual) {
        (Some(class), Actual::Error { class: got, message }) => {
            let strict = match (&class, got) {
                (Some(c), Some(g)) => c == g,
                (Some(_), None) => false,
                // a bare Java exception (`java.lang.ArithmeticException`):
                // any user-facing error, not "not implemented" or a bug
                (None, g) => g.is_some(),
            };
            let detail = if strict {
                String::new()
            } else {
                format!("expected error {}, got: {}", class.as_deref().unwrap_or("?"), first_line(message))
            };
            (strict, true, detail)
        }
        (Some(class), Actual::Rows { .. }) => {
            (false, false, format!("expected error {}, got a result", class.as_deref().unwrap_or("?")))
        }
        (None, Actual::Error { message, .. }) => (false, false, format!("error: {}", first_line(message))),
        (None, Actual::Rows { schema, lines }) => {
            let expected_lines: Vec<&str> =
                if expected.output.is_empty() { vec![] } else { expected.output.split('\n').collect() };
            let mut sorted = lines.clone();
            sorted.sort();
            let ordered = has_order_by(&expected.sql);
            let text_ok = if ordered {
                output_text(lines) == expected.output || output_text(&sorted) == expected.output
            } else {
                output_text(&sorted) == expected.output
            };
            let schema_ok = *schema == expected.schema;
            let lenient = text_ok || lenient_rows(lines, &expected_lines, ordered);
            let strict = text_ok && schema_ok;
            let detail = if strict {
                String::new()
            } else if !text_ok {
                let shown: Vec<&String> =
                    if ordered { lines.iter().take(3).collect() } else { sorted.iter().take(3).collect() };
                format!(
                    "output differs: expected {} lines {:?}, got {} lines {:?}",
                    expected_lines.len(),
                    expected_lines.iter().take(3).collect::<Vec<_>>(),
                    lines.len(),
                    shown
                )
            } else {
                format!("schema differs: expected {}, got {schema}", expected.schema)
            };
            (strict, lenient, detail)
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// Numbers to 9 significant digits; `None` when `s` is not a number.
fn number_key(s: &str) -> Option<String> {
    let v: f64 = match s {
        "NaN" => return Some("NaN".into()),
        "Infinity" => return Some("inf".into()),
        "-Infinity" => return Some("-inf".into()),
        _ => s.trim().parse().ok()?,
    };
    if v == 0.0 {
        return Some("0".into());
    }
    Some(format!("{v:.8e}"))
}

fn cells_match(a: &str, e: &str) -> bool {
    a == e || matches!((number_key(a), number_key(e)), (Some(x), Some(y)) if x == y)
}

fn lines_match(a: &str, e: &str) -> bool {
    let ac: Vec<&str> = a.split('\t').collect();
    let ec: Vec<&str> = e.split('\t').collect();
    ac.len() == ec.len() && ac.iter().zip(&ec).all(|(x, y)| cells_match(x, y))
}

/// Values equal ignoring types (numbers to 9 significant digits); order is
/// required only for ORDER BY queries, otherwise rows match as a multiset.
fn lenient_rows(actual: &[String], expected: &[&str], ordered: bool) -> bool {
    let actual: Vec<&str> = actual.iter().map(|s| s.trim_end()).collect();
    let expected: Vec<&str> = expected.iter().map(|s| s.trim_end()).collect();
    // trailing blank lines were removed from the expected text
    let actual: Vec<&str> = {
        let mut a = actual;
        while a.last().is_some_and(|l| l.is_empty()) && a.len() > expected.len() {
            a.pop();
        }
        a
    };
    if actual.len() != expected.len() {
        return false;
    }
    if actual.iter().zip(&expected).all(|(a, e)| lines_match(a, e)) {
        return true;
    }
    if ordered && !expected.is_sorted() {
        return false;
    }
    // multiset: exact matches first, then tolerant matching of the rest
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for e in &expected {
        *counts.entry(e).or_default() += 1;
    }
    let mut rest_actual = Vec::new();
    for a in &actual {
        match counts.get_mut(a) {
            Some(n) if *n > 0 => *n -= 1,
            _ => rest_actual.push(*a),
        }
    }
    let mut rest_expected: Vec<&str> = Vec::new();
    for (e, n) in counts {
        rest_expected.extend(std::iter::repeat_n(e, n));
    }
    let mut used = vec![false; rest_expected.len()];
    rest_actual.iter().all(|a| match (0..rest_expected.len()).find(|&j| !used[j] && lines_match(a, rest_expected[j])) {
        Some(j) => {
            used[j] = true;
            true
        }
        None => false,
    })
}

enum Reply {
    Ready(Vec<String>),
    Result(Actual),
}

/// Runs one result file (`rel` under `results/`) with a per-query `timeout`.
pub fn run_file(corpus: &Path, rel: &str, tables: &BuiltinTables, timeout: Duration) -> FileReport {
    let mut report = FileReport { file: rel.to_string(), ..Default::default() };
    let text = match std::fs::read(corpus.join("results").join(rel)) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            report.note = Some(format!("cannot read: {e}"));
            return report;
        }
    };
    let queries = parse_sql_out(&text);
    report.total = queries.len();
    let input_rel = rel.strip_suffix(".out").unwrap_or(rel);
    let input =
        std::fs::read(corpus.join("inputs").join(input_rel)).ok().map(|b| String::from_utf8_lossy(&b).into_owned());
    let mut settings = file_settings(rel, input.as_deref());
    // like Spark's own suite, every file gets a fresh warehouse, so tables
    // left behind by one file never collide with the next
    let warehouse =
        std::env::temp_dir().join(format!("ember-golden-{}", std::process::id())).join(rel.replace(['/', '.'], "_"));
    let _ = std::fs::remove_dir_all(&warehouse);
    settings.push(("spark.sql.warehouse.dir".to_string(), warehouse.display().to_string()));

    let (req_tx, req_rx) = mpsc::channel::<String>();
    let (rep_tx, rep_rx) = mpsc::channel::<Reply>();
    let worker_tables = tables.clone();
    // the session lives and dies on this thread, so the engine's types never
    // have to be Send; a timed-out query leaves the thread behind
    let spawned = std::thread::Builder::new().name(format!("golden:{rel}")).spawn(move || {
        let setup = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let session = Session::new();
            let mut problems = Vec::new();
            for (k, v) in &settings {
                if let Err(e) = session.set_config(k, v) {
                    problems.push(format!("SET {k}={v}: {e}"));
                }
            }
            problems.extend(worker_tables.register(&session));
            (session, problems)
        }));
        let (session, problems) = match setup {
            Ok(s) => s,
            Err(p) => {
                let _ = rep_tx
                    .send(Reply::Ready(vec![format!("session set-up panicked: {}", crate::panic_message(p.as_ref()))]));
                return;
            }
        };
        if rep_tx.send(Reply::Ready(problems)).is_err() {
            return;
        }
        while let Ok(sql) = req_rx.recv() {
            let actual = match std::panic::catch_unwind(AssertUnwindSafe(|| session.sql(&sql))) {
                Ok(Ok(r)) => render(&r),
                Ok(Err(e)) => Actual::Error { class: e.error_class().map(str::to_string), message: e.to_string() },
                Err(p) => Actual::Error {
                    class: None,
                    message: format!("engine panicked: {}", crate::panic_message(p.as_ref())),
                },
            };
            if rep_tx.send(Reply::Result(actual)).is_err() {
                return;
            }
        }
    });
    if let Err(e) = spawned {
        report.note = Some(format!("cannot start a worker thread: {e}"));
        return report;
    }
    match rep_rx.recv_timeout(timeout) {
        Ok(Reply::Ready(problems)) if !problems.is_empty() => {
            // tables that cannot be registered only fail the queries using them
            report.note = Some(problems.join("; "));
        }
        Ok(_) => {}
        Err(_) => {
            report.note = Some("session set-up did not finish".into());
            return report;
        }
    }

    let mut timed_out = false;
    for (index, q) in queries.iter().enumerate() {
        let actual = if timed_out || req_tx.send(q.sql.clone()).is_err() {
            None
        } else {
            match rep_rx.recv_timeout(timeout) {
                Ok(Reply::Result(a)) => Some(a),
                Ok(Reply::Ready(_)) => None,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    timed_out = true;
                    report.note =
                        Some(format!("query {} timed out after {:?}; rest of the file not run", index + 1, timeout));
                    None
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => None,
            }
        };
        let outcome = match actual {
            Some(a) => {
                let (strict, lenient, detail) = judge(q, &a);
                QueryOutcome { index, sql: q.sql.clone(), strict, lenient, detail }
            }
            None => QueryOutcome {
                index,
                sql: q.sql.clone(),
                strict: false,
                lenient: false,
                detail: if timed_out { "not run (timeout)".into() } else { "worker stopped".into() },
            },
        };
        report.strict += outcome.strict as usize;
        report.lenient += outcome.lenient as usize;
        report.outcomes.push(outcome);
    }
    let _ = std::fs::remove_dir_all(&warehouse);
    report
}

/// The allow-list: one result file per line (relative to `results/`), `#`
/// starts a comment.
pub fn read_allowlist(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "-- Automatically generated by SQLQueryTestSuite\n-- !query\nSELECT 1\n-- !query schema\nstruct<1:int>\n-- !query output\n1\n\n\n-- !query\nSELECT x\n-- !query schema\nstruct<>\n-- !query output\norg.apache.spark.sql.catalyst.ExtendedAnalysisException\n{\n  \"errorClass\" : \"UNRESOLVED_COLUMN.WITHOUT_SUGGESTION\",\n  \"sqlState\" : \"42703\"\n}\n\n\n-- !query\nCREATE TEMPORARY VIEW v AS SELECT 1\n-- !query schema\nstruct<>\n-- !query output\n\n";

    #[test]
    fn parses_the_golden_format() {
        let q = parse_sql_out(SAMPLE);
        assert_eq!(q.len(), 3);
        assert_eq!(q[0], GoldenQuery { sql: "SELECT 1".into(), schema: "struct<1:int>".into(), output: "1".into() });
        assert_eq!(q[1].expected_error(), Some(Some("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION".into())));
        assert_eq!(q[2].expected_error(), None);
        assert_eq!(q[2].output, "");
    }

    #[test]
    fn strict_and_lenient() {
        let q =
            GoldenQuery { sql: "SELECT a FROM t".into(), schema: "struct<a:double>".into(), output: "1.0\n2.5".into() };
        // unordered query: any order passes
        let a = Actual::Rows { schema: "struct<a:double>".into(), lines: vec!["2.5".into(), "1.0".into()] };
        assert!(judge(&q, &a).0);
        // wrong type: strict fails, lenient passes
        let a = Actual::Rows { schema: "struct<a:decimal(2,1)>".into(), lines: vec!["1.0".into(), "2.50".into()] };
        let (strict, lenient, _) = judge(&q, &a);
        assert!(!strict && lenient);
        let a = Actual::Rows { schema: "struct<a:double>".into(), lines: vec!["1.0".into(), "2.6".into()] };
        let (strict, lenient, _) = judge(&q, &a);
        assert!(!strict && !lenient);
    }

    #[test]
    fn ordered_queries_keep_their_order() {
        let q = GoldenQuery {
            sql: "SELECT a FROM t ORDER BY a DESC".into(),
            schema: "struct<a:int>".into(),
            output: "2\n1".into(),
        };
        let good = Actual::Rows { schema: "struct<a:int>".into(), lines: vec!["2".into(), "1".into()] };
        let bad = Actual::Rows { schema: "struct<a:int>".into(), lines: vec!["1".into(), "2".into()] };
        assert!(judge(&q, &good).0);
        let (strict, lenient, _) = judge(&q, &bad);
        assert!(!strict && !lenient);
    }

    #[test]
    fn errors_compare_by_class() {
        let q = &parse_sql_out(SAMPLE)[1];
        let same = Actual::Error { class: Some("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION".into()), message: String::new() };
        let other = Actual::Error { class: Some("PARSE_SYNTAX_ERROR".into()), message: String::new() };
        assert_eq!((judge(q, &same).0, judge(q, &same).1), (true, true));
        assert_eq!((judge(q, &other).0, judge(q, &other).1), (false, true));
    }

    #[test]
    fn settings_follow_the_suite() {
        let s = file_settings("nonansi/cast.sql.out", Some("--SET a.b=1, c.d = x\nSELECT 1;"));
        assert!(s.contains(&("spark.sql.ansi.enabled".to_string(), "false".to_string())));
        assert!(s.contains(&("a.b".to_string(), "1".to_string())));
        assert!(s.contains(&("c.d".to_string(), "x".to_string())));
        let s = file_settings("cast.sql.out", None);
        assert!(s.contains(&("spark.sql.ansi.enabled".to_string(), "true".to_string())));
    }

    #[test]
    fn builtin_tables_have_spark_shapes() {
        let t = testdata().expect("testdata");
        assert_eq!((t.num_rows(), t.num_columns()), (100, 2));
        let o = onek_like("1\t2\t3\t4\t5\t6\t7\t8\t9\t10\t11\t12\t13\tA\tB\tC\n").expect("onek");
        assert_eq!((o.num_rows(), o.num_columns()), (1, 16));
        assert_eq!(mapdata().expect("map").num_rows(), 5);
        assert_eq!(arraydata().expect("array").num_rows(), 2);
    }

    #[test]
    fn allowlist_syntax() {
        assert_eq!(read_allowlist("# c\n\ncount.sql.out  # ok\n"), vec!["count.sql.out".to_string()]);
    }
}
