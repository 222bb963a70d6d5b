//! Runs the built `ember` binary.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn ember(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ember")).args(args).output().expect("ember runs")
}

fn ember_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ember runs");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("ember finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_lists_the_options() {
    let out = ember(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("Usage: ember"), "{stdout}");
    for option in ["--command", "--file", "--format", "--threads", "--memory-limit"] {
        assert!(stdout.contains(option), "help lacks {option}");
    }
}

#[test]
fn version_prints_the_crate_version() {
    let out = ember(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), format!("ember {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn a_failing_statement_exits_with_status_1() {
    let out = ember(&["-c", "SELECT nosuchcolumn FROM nosuchtable"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("[TABLE_OR_VIEW_NOT_FOUND]"), "{stderr}");
}

#[test]
fn statements_after_an_error_do_not_run() {
    let out = ember(&["--format", "csv", "-c", "SELECT * FROM nosuchtable; SELECT 1 AS a;"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    // nor do later -c inputs
    let out = ember(&["-c", "SELECT * FROM nosuchtable", "-c", "SELECT 1 AS a"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn bad_arguments_exit_with_status_2() {
    let out = ember(&["--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown format 'xml'"));
    let out = ember(&["server", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown argument `--bogus`"), "{}", text(&out.stderr));
    let out = ember(&["server", "--port", "http"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("invalid port `http`"), "{}", text(&out.stderr));
}

#[test]
fn invalid_settings_are_rejected() {
    let out = ember(&["--threads", "0", "-c", "SELECT 1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("ember.threads"), "{}", text(&out.stderr));
}

#[test]
fn csv_output_of_a_query() {
    let out = ember(&["--format", "csv", "-c", "SELECT 1 AS a, 'x' AS b"]);
    assert_eq!(text(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "a,b\n1,x\n");
}

#[test]
fn json_output_and_statements_from_stdin() {
    let out = ember_stdin(&["--format", "json"], "SELECT 1 AS a;\nSELECT 'x;y' AS b;\n");
    assert_eq!(text(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "{\"a\":1}\n{\"b\":\"x;y\"}\n");
}

#[test]
fn table_output_by_default() {
    let out = ember(&["-c", "SELECT 1 AS a"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "+---+\n| a |\n+---+\n| 1 |\n+---+\n");
}

#[test]
fn errors_in_files_carry_the_file_line_and_a_marker() {
    let path = std::env::temp_dir().join(format!("ember-cli-test-{}.sql", std::process::id()));
    std::fs::write(&path, "SELECT 1 AS a;\n\nSELECT\n  nope\nFROM (SELECT 1 AS x);\n").expect("write");
    let out = ember(&["--format", "csv", "-f", path.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "a\n1\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("[UNRESOLVED_COLUMN.WITH_SUGGESTION]"), "{stderr}");
    assert!(stderr.ends_with("LINE 4:   nope\n          ^^^^\n"), "{stderr}");
}

#[test]
fn one_line_errors_are_marked_under_the_span() {
    let out = ember(&["-c", "SELECT nope FROM (SELECT 1 AS x)"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.ends_with("\nSELECT nope FROM (SELECT 1 AS x)\n       ^^^^\n"), "{stderr}");
}
