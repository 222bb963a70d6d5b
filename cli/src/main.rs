//! `ember`: the SQL shell, one-shot SQL runs, and the `bench` and `server`
//! subcommands.

mod args;
mod error_display;
mod execute;
mod output;
mod script;
mod shell;
mod splitter;

use std::io::IsTerminal;

use args::{Command, Input, RunArgs};
use ember_core::config::{MEMORY_LIMIT, THREADS};
use ember_engine::Session;

/// mimalloc: the query engine allocates and frees many large, short-lived
/// buffers from many threads; glibc's allocator hands those back to the
/// kernel and faults them in again (zeroed) on the next query.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Returns the free pages of this thread's mimalloc heap, and of the heaps
/// of threads that have exited (the executor's scoped workers), to the
/// system: for the benchmark's per-query peak memory.
fn release_free_memory() {
    // SAFETY: `mi_collect` only walks and trims mimalloc's own heaps, which
    // are valid for the life of the process; it takes no pointers and may
    // be called at any time from any thread. Exercised by the test below
    // and by every `ember bench` run.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(run(&argv));
}

fn run(argv: &[String]) -> i32 {
    let command = match args::parse(argv) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("error: {message}\n\n{}", args::USAGE);
            return 2;
        }
    };
    match command {
        Command::Help => {
            println!("{}", args::USAGE);
            0
        }
        Command::Version => {
            println!("ember {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Command::Bench(rest) => ember_bench::run_cli(&rest, release_free_memory),
        Command::Server(rest) => ember_connect::server::run_cli(&rest),
        Command::Run(run) => run_sql(run),
    }
}

fn run_sql(mut run: RunArgs) -> i32 {
    execute::install_panic_hook();
    let session = match new_session(&run) {
        Ok(session) => session,
        Err(message) => {
            eprintln!("error: {message}");
            return 2;
        }
    };
    if run.inputs.is_empty() {
        if std::io::stdin().is_terminal() {
            return shell::Shell::new(session, run.format).run();
        }
        run.inputs.push(Input::File("-".to_string()));
    }
    script::run_inputs(&session, &run.inputs, run.format)
}

/// A session with the settings given on the command line.
fn new_session(run: &RunArgs) -> Result<Session, String> {
    let session = Session::new();
    let settings = [(THREADS, &run.threads), (MEMORY_LIMIT, &run.memory_limit)];
    for (key, value) in settings {
        if let Some(value) = value {
            session.set_config(key, value).map_err(|e| e.to_string())?;
        }
    }
    Ok(session)
}

#[cfg(test)]
mod tests {
    #[test]
    fn releasing_free_memory_keeps_live_allocations() {
        let live: Vec<u64> = (0..1_000_000).collect();
        drop(vec![7u8; 64 << 20]);
        super::release_free_memory();
        assert_eq!(live.iter().sum::<u64>(), 499_999_500_000);
    }
}
