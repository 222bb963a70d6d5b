//! The interactive SQL shell.
//!
//! Lines are read with rustyline and collected until the splitter finds a
//! `;` outside strings, quoted identifiers and comments; every complete
//! statement then runs in order and whatever follows the last `;` stays as
//! the start of the next statement. Lines starting with `.` at the start of a
//! statement are shell commands. Ctrl-C clears the input, Ctrl-D exits.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use ember_engine::{QueryResult, ResultKind, Session};
use rustyline::config::Config;
use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;

use crate::error_display::{render_error, Origin};
use crate::execute::{catch, run_statement};
use crate::output::{write_result, Format};
use crate::splitter;

const PROMPT: &str = "ember> ";
const CONTINUATION: &str = "   ...> ";
/// Rows a table shows by default: enough to see the data, few enough that
/// an unbounded SELECT does not flood the terminal (`.maxrows` changes it).
const DEFAULT_MAX_ROWS: usize = 40;
const HISTORY_SIZE: usize = 10_000;

const HELP: &str = "\
Enter SQL statements ending with ';'. Shell commands:
  .help                  show this help
  .quit, .exit           leave the shell (or Ctrl-D)
  .timer on|off          show the time each statement takes
  .mode table|csv|json   output format
  .maxrows N|all         rows a table shows (first and last halves)
Ctrl-C clears the current input, or cancels the running query.";

/// Settings the shell commands change.
pub struct Shell {
    /// Shared with the Ctrl-C handler, which cancels the running query.
    session: Arc<Session>,
    format: Format,
    timer: bool,
    max_rows: Option<usize>,
}

/// What a shell command asks the loop to do.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Continue,
    Quit,
}

impl Shell {
    pub fn new(session: Session, format: Format) -> Shell {
        Shell { session: Arc::new(session), format, timer: true, max_rows: Some(DEFAULT_MAX_ROWS) }
    }

    /// Runs the read-eval-print loop until `.quit` or Ctrl-D. Returns the exit
    /// status.
    pub fn run(mut self) -> i32 {
        // While a query runs the terminal is not in raw mode, so Ctrl-C
        // arrives as SIGINT: cancel the query (its memory is released as its
        // operators unwind) instead of ending the shell.
        let session = self.session.clone();
        if let Err(e) = ctrlc::set_handler(move || session.cancel()) {
            eprintln!("warning: Ctrl-C will not cancel queries: {e}");
        }
        let config = Config::builder()
            .max_history_size(HISTORY_SIZE)
            .and_then(|b| b.history_ignore_dups(true))
            .map(|b| b.auto_add_history(false).build());
        let mut editor = match config.and_then(DefaultEditor::with_config) {
            Ok(editor) => editor,
            Err(e) => {
                eprintln!("error: cannot start the line editor: {e}");
                return 1;
            }
        };
        let history = history_path();
        if let Some(path) = &history {
            // a missing history file is the normal first run
            let _ = editor.load_history(path);
        }
        println!("ember {} (Spark SQL). Enter .help for help, end statements with ';'.", env!("CARGO_PKG_VERSION"));

        let mut buffer = String::new();
        loop {
            let prompt = if buffer.is_empty() { PROMPT } else { CONTINUATION };
            match editor.readline(prompt) {
                Ok(line) => {
                    if buffer.is_empty() && line.trim_start().starts_with('.') {
                        let _ = editor.add_history_entry(line.trim());
                        if self.command(line.trim()) == Next::Quit {
                            break;
                        }
                        continue;
                    }
                    if !buffer.is_empty() {
                        buffer.push('\n');
                    }
                    buffer.push_str(&line);
                    let split = splitter::split(&buffer);
                    if !split.statements.is_empty() {
                        let entered = buffer[..split.rest_start].trim();
                        let _ = editor.add_history_entry(entered);
                        for stmt in &split.statements {
                            self.statement(stmt.text);
                        }
                    }
                    buffer = if split.needs_more() {
                        buffer[split.rest_start..].trim_start().to_string()
                    } else {
                        String::new()
                    };
                }
                Err(ReadlineError::Interrupted) => buffer.clear(),
                Err(ReadlineError::Eof) => break,
                Err(e) => {
                    eprintln!("error: {e}");
                    break;
                }
            }
        }
        if let Some(path) = &history {
            if let Err(e) = editor.save_history(path) {
                eprintln!("warning: cannot save the history to {}: {e}", path.display());
            }
        }
        0
    }

    /// Runs one statement and prints its result or error.
    fn statement(&mut self, sql: &str) {
        let started = Instant::now();
        let result = run_statement(&self.session, sql);
        let elapsed = started.elapsed().as_secs_f64();
        match result {
            Ok(result) => {
                // a bug while printing must not end the shell either
                let printed = catch(|| {
                    self.print(&result, elapsed);
                    Ok(())
                });
                if let Err(err) = printed {
                    eprintln!("{err}");
                }
            }
            Err(err) => eprintln!("{}", render_error(&err, sql, Origin::statement())),
        }
    }

    fn print(&self, result: &QueryResult, elapsed: f64) {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        let footer = match result.kind {
            ResultKind::Rows => {
                if let Err(e) = write_result(
                    &mut out,
                    self.format,
                    &result.schema,
                    &result.batches,
                    if self.format == Format::Table { self.max_rows } else { None },
                ) {
                    eprintln!("error: cannot write the output: {e}");
                    return;
                }
                let n = result.num_rows();
                let shown = match self.max_rows {
                    Some(max) if self.format == Format::Table && n > max => {
                        format!(" ({max} shown)")
                    }
                    _ => String::new(),
                };
                format!("{n} {}{shown}", if n == 1 { "row" } else { "rows" })
            }
            ResultKind::Command => "OK".to_string(),
        };
        let timing = if self.timer { format!(" in {elapsed:.3} s") } else { String::new() };
        let _ = writeln!(out, "{footer}{timing}");
        let _ = out.flush();
    }

    /// Handles a `.command`.
    fn command(&mut self, line: &str) -> Next {
        let mut words = line.split_whitespace();
        let name = words.next().unwrap_or("");
        let arg = words.next();
        match (name, arg) {
            (".quit" | ".exit" | ".q", _) => return Next::Quit,
            (".help" | ".h", _) => println!("{HELP}"),
            (".timer", Some("on")) => self.timer = true,
            (".timer", Some("off")) => self.timer = false,
            (".timer", _) => eprintln!("usage: .timer on|off"),
            (".mode", Some(mode)) => match Format::parse(mode) {
                Some(format) => self.format = format,
                None => eprintln!("unknown mode '{mode}' (expected table, csv or json)"),
            },
            (".mode", None) => eprintln!("usage: .mode table|csv|json"),
            (".maxrows", Some("all")) => self.max_rows = None,
            (".maxrows", Some(n)) => match n.parse::<usize>() {
                Ok(n) if n > 0 => self.max_rows = Some(n),
                _ => eprintln!("usage: .maxrows N|all"),
            },
            (".maxrows", None) => eprintln!("usage: .maxrows N|all"),
            _ => eprintln!("unknown command '{name}' (enter .help for the commands)"),
        }
        Next::Continue
    }
}

/// `~/.ember_history`, when there is a home directory.
fn history_path() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(PathBuf::from(home).join(".ember_history"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_commands_change_settings() {
        let mut shell = Shell::new(Session::new(), Format::Table);
        assert_eq!(shell.command(".timer off"), Next::Continue);
        assert!(!shell.timer);
        shell.command(".mode csv");
        assert_eq!(shell.format, Format::Csv);
        shell.command(".mode xml");
        assert_eq!(shell.format, Format::Csv);
        shell.command(".maxrows all");
        assert_eq!(shell.max_rows, None);
        shell.command(".maxrows 10");
        assert_eq!(shell.max_rows, Some(10));
        shell.command(".bogus");
        assert_eq!(shell.command(".quit"), Next::Quit);
        assert_eq!(shell.command(".exit"), Next::Quit);
    }
}
