//! Non-interactive runs: `-c SQL`, `-f FILE` and statements piped on stdin.
//!
//! Statements run in order; only those that return rows print anything. The
//! first error is printed to stderr (with its marker) and stops the run with
//! exit status 1.

use std::io::{self, Read, Write};

use ember_engine::{ResultKind, Session};

use crate::args::Input;
use crate::error_display::{render_error, Origin};
use crate::execute::run_statement;
use crate::output::{write_result, Format};
use crate::splitter::split_script;

/// Why a run stopped early.
#[derive(Debug)]
pub enum Stop {
    /// A statement failed, or an input could not be read; already reported.
    Failed,
    /// Standard output went away (`ember ... | head`): stop quietly.
    Closed,
}

/// Runs every input in order. Returns the process exit status.
pub fn run_inputs(session: &Session, inputs: &[Input], format: Format) -> i32 {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut status = 0;
    for input in inputs {
        let result = match input {
            Input::Sql(sql) => run_text(session, sql, None, format, &mut out),
            Input::File(path) => match read_input(path) {
                Ok(text) => run_text(session, &text, Some(path), format, &mut out),
                Err(message) => {
                    eprintln!("{message}");
                    Err(Stop::Failed)
                }
            },
        };
        match result {
            Ok(()) => {}
            Err(Stop::Failed) => {
                status = 1;
                break;
            }
            Err(Stop::Closed) => return 0,
        }
    }
    match out.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the output: {e}");
            1
        }
        _ => status,
    }
}

/// Reads a file, or stdin for `-`.
fn read_input(path: &str) -> Result<String, String> {
    let mut text = String::new();
    let result = if path == "-" {
        io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text)).map(|_| ())
    };
    match result {
        Ok(()) => Ok(text),
        Err(e) => Err(format!("error: cannot read {}: {e}", if path == "-" { "stdin" } else { path })),
    }
}

/// Runs the statements of one text. `file` names the file the text came
/// from, so that error markers carry the file's line numbers.
pub fn run_text(
    session: &Session,
    text: &str,
    file: Option<&str>,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), Stop> {
    for stmt in split_script(text) {
        match run_statement(session, stmt.text) {
            Ok(result) => {
                if result.kind == ResultKind::Rows {
                    write_result(out, format, &result.schema, &result.batches, None)
                        .and_then(|_| out.flush())
                        .map_err(write_failed)?;
                }
            }
            Err(err) => {
                let origin = match file {
                    Some(_) => Origin { first_line: 1 + text[..stmt.offset].matches('\n').count(), number_lines: true },
                    None => Origin::statement(),
                };
                // results printed so far come before the error
                let _ = out.flush();
                let prefix = match file {
                    Some(path) if path != "-" => format!("{path}: "),
                    _ => String::new(),
                };
                eprintln!("{prefix}{}", render_error(&err, stmt.text, origin));
                return Err(Stop::Failed);
            }
        }
    }
    Ok(())
}

fn write_failed(e: io::Error) -> Stop {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Stop::Closed
    } else {
        eprintln!("error: cannot write the output: {e}");
        Stop::Failed
    }
}
