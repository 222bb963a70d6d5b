//! Command-line parsing, by hand to keep start-up and the build light.
//!
//! `ember bench ...` and `ember server ...` hand the remaining arguments to
//! their subcommand untouched; everything else is the SQL front end.

use crate::output::Format;

pub const USAGE: &str = "\
Usage: ember [OPTIONS]
       ember bench <ARGS>...
       ember server <ARGS>...

With no -c/-f, ember starts an interactive SQL shell on a terminal, or runs
the statements read from standard input.

Options:
  -c, --command <SQL>      run SQL (one or more statements; repeatable)
  -f, --file <FILE>        run the statements in FILE ('-' for stdin; repeatable)
      --format <FORMAT>    output format: table (default), csv or json
      --threads <N>        worker threads (ember.threads)
      --memory-limit <SIZE>
                           memory limit such as 512m or 4g (ember.memory_limit)
  -h, --help               print this help
  -V, --version            print the version

-c and -f run in the order given; the first failing statement stops the run
with exit status 1.

Subcommands:
  bench                    TPC benchmark harness (ember bench --help)
  server                   Spark Connect server";

/// A piece of SQL to run, from the command line or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Sql(String),
    File(String),
}

/// Options of the SQL front end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunArgs {
    pub inputs: Vec<Input>,
    pub format: Format,
    pub threads: Option<String>,
    pub memory_limit: Option<String>,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    Version,
    Run(RunArgs),
    Bench(Vec<String>),
    Server(Vec<String>),
}

/// Parses the arguments after the program name. Errors are one-line
/// messages for the user.
pub fn parse(args: &[String]) -> Result<Command, String> {
    match args.first().map(String::as_str) {
        Some("bench") => return Ok(Command::Bench(args[1..].to_vec())),
        Some("server") => return Ok(Command::Server(args[1..].to_vec())),
        _ => {}
    }
    let mut run = RunArgs { inputs: Vec::new(), format: Format::Table, threads: None, memory_limit: None };
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        // `--name=value` and `--name value` both work; short options take
        // their value attached (`-cSQL`) or as the next argument
        let (name, inline): (&str, Option<String>) = if let Some(long) = arg.strip_prefix("--") {
            match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            }
        } else if arg.len() > 2 && arg.is_char_boundary(2) && arg.starts_with('-') {
            // `arg` cannot start with "--" here: that case is handled above
            (&arg[1..2], Some(arg[2..].to_string()))
        } else if let Some(short) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
            (short, None)
        } else {
            return Err(format!("unexpected argument '{arg}' (use -f FILE to run a file)"));
        };
        let mut value = |what: &str| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            args.get(i).cloned().ok_or_else(|| format!("option '{arg}' needs {what}"))
        };
        match name {
            "h" | "help" => return Ok(Command::Help),
            "V" | "version" => return Ok(Command::Version),
            "c" | "command" => run.inputs.push(Input::Sql(value("a SQL text")?)),
            "f" | "file" => run.inputs.push(Input::File(value("a file name")?)),
            "format" => {
                let v = value("a format")?;
                run.format =
                    Format::parse(&v).ok_or_else(|| format!("unknown format '{v}' (expected table, csv or json)"))?;
            }
            "threads" => run.threads = Some(value("a number")?),
            "memory-limit" => run.memory_limit = Some(value("a size")?),
            _ => return Err(format!("unknown option '{arg}'")),
        }
        i += 1;
    }
    Ok(Command::Run(run))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Command, String> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn run(args: &[&str]) -> RunArgs {
        match p(args) {
            Ok(Command::Run(r)) => r,
            other => panic!("expected a run, got {other:?}"),
        }
    }

    #[test]
    fn no_arguments_is_a_run_without_inputs() {
        let r = run(&[]);
        assert!(r.inputs.is_empty());
        assert_eq!(r.format, Format::Table);
    }

    #[test]
    fn commands_and_files_keep_their_order() {
        let r = run(&["-c", "SELECT 1", "--file", "a.sql", "--command=SELECT 2", "-fb.sql"]);
        assert_eq!(
            r.inputs,
            vec![
                Input::Sql("SELECT 1".into()),
                Input::File("a.sql".into()),
                Input::Sql("SELECT 2".into()),
                Input::File("b.sql".into()),
            ]
        );
    }

    #[test]
    fn options_with_values() {
        let r = run(&["--format", "csv", "--threads=4", "--memory-limit", "2g"]);
        assert_eq!(r.format, Format::Csv);
        assert_eq!(r.threads.as_deref(), Some("4"));
        assert_eq!(r.memory_limit.as_deref(), Some("2g"));
        assert_eq!(run(&["--format=json"]).format, Format::Json);
    }

    #[test]
    fn help_version_and_subcommands() {
        assert_eq!(p(&["--help"]), Ok(Command::Help));
        assert_eq!(p(&["-h"]), Ok(Command::Help));
        assert_eq!(p(&["-V"]), Ok(Command::Version));
        assert_eq!(p(&["--version"]), Ok(Command::Version));
        assert_eq!(
            p(&["bench", "tpch", "--sf", "1"]),
            Ok(Command::Bench(vec!["tpch".into(), "--sf".into(), "1".into()]))
        );
        assert_eq!(p(&["server", "--port", "15002"]), Ok(Command::Server(vec!["--port".into(), "15002".into()])));
    }

    #[test]
    fn mistakes_are_reported() {
        assert!(p(&["-c"]).unwrap_err().contains("needs"));
        assert!(p(&["--format", "xml"]).unwrap_err().contains("unknown format"));
        assert!(p(&["--bogus"]).unwrap_err().contains("unknown option"));
        assert!(p(&["file.sql"]).unwrap_err().contains("unexpected argument"));
        assert!(p(&["-"]).unwrap_err().contains("unexpected argument"));
        assert!(p(&["-éx"]).unwrap_err().contains("unknown option"));
        assert!(p(&["-é"]).unwrap_err().contains("unknown option"));
    }

    #[test]
    fn a_dash_value_is_taken_as_is() {
        // `-f -` reads stdin; `-c` takes the next argument even if it starts with '-'
        assert_eq!(run(&["-f", "-"]).inputs, vec![Input::File("-".into())]);
        assert_eq!(run(&["-c", "-- comment"]).inputs, vec![Input::Sql("-- comment".into())]);
    }
}
