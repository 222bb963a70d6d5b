//! Runs every `tests/slt/**/*.slt` file once per thread count of
//! `EMBER_SLT_THREADS` (default "1,4"), reports each, and fails at the end
//! if any failed. Arguments that do not start with `-` filter files by
//! substring: `cargo test -p ember-tests --test slt -- basic/`.

use std::process::ExitCode;
use std::time::Instant;

use ember_tests::slt;

fn main() -> ExitCode {
    ember_tests::install_quiet_panic_hook();
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let threads = match slt::thread_matrix() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let root = slt::slt_dir();
    let files: Vec<_> = slt::slt_files(&root)
        .into_iter()
        .filter(|f| {
            let s = f.to_string_lossy();
            filters.is_empty() || filters.iter().any(|p| s.contains(p.as_str()))
        })
        .collect();
    if files.is_empty() {
        println!("no .slt files matched under {}", root.display());
        return ExitCode::SUCCESS;
    }
    let mut failures = Vec::new();
    let mut runs = 0;
    for file in &files {
        let name = file.strip_prefix(&root).unwrap_or(file).display().to_string();
        for &t in &threads {
            runs += 1;
            let start = Instant::now();
            let result = slt::run_file(file, t);
            let ms = start.elapsed().as_millis();
            match result {
                Ok(()) => println!("ok    {name} [threads={t}] ({ms} ms)"),
                Err(e) => {
                    println!("FAIL  {name} [threads={t}] ({ms} ms)");
                    failures.push((format!("{name} [threads={t}]"), e));
                }
            }
        }
    }
    for (name, e) in &failures {
        println!("\n---- {name} ----\n{e}");
    }
    println!("\nslt: {} of {runs} file runs passed", runs - failures.len());
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
