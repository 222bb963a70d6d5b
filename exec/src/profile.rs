//! What a pipeline did while it ran: rows and time per source, operator and
//! sink, the workers it used and the peak memory of its sink. The executor
//! always counts (a few relaxed atomic adds per chunk); `EXPLAIN ANALYZE`
//! prints the figures.
//!
//! Times are the sum over workers of the time spent *inside* each stage
//! (an operator's time excludes the operators after it), so with several
//! workers they add up to more than the wall time, which is printed per
//! pipeline as well.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::pipeline::{Branch, Sink};

/// Rows and time of one stage (a source, an operator or a sink).
#[derive(Debug, Default)]
pub struct StageMetrics {
    /// What the stage is, as `EXPLAIN ANALYZE` prints it (kept here because
    /// the executor drops a pipeline's stages once they have run).
    pub name: String,
    rows_in: AtomicU64,
    rows_out: AtomicU64,
    nanos: AtomicU64,
}

impl StageMetrics {
    pub fn named(name: String) -> StageMetrics {
        StageMetrics { name, ..Default::default() }
    }

    pub fn record(&self, rows_in: usize, rows_out: usize, elapsed: Duration) {
        self.rows_in.fetch_add(rows_in as u64, Ordering::Relaxed);
        self.rows_out.fetch_add(rows_out as u64, Ordering::Relaxed);
        self.nanos.fetch_add(elapsed.as_nanos() as u64, Ordering::Relaxed);
    }

    pub fn add_time(&self, elapsed: Duration) {
        self.nanos.fetch_add(elapsed.as_nanos() as u64, Ordering::Relaxed);
    }

    pub fn rows_in(&self) -> u64 {
        self.rows_in.load(Ordering::Relaxed)
    }

    pub fn rows_out(&self) -> u64 {
        self.rows_out.load(Ordering::Relaxed)
    }

    pub fn time(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Relaxed))
    }
}

/// The stages of one branch: its source, then one entry per operator.
#[derive(Debug, Default)]
pub struct BranchMetrics {
    pub source: StageMetrics,
    pub operators: Vec<StageMetrics>,
    /// Workers that ran this branch.
    pub workers: AtomicUsize,
}

/// Everything counted for one pipeline.
#[derive(Debug, Default)]
pub struct PipelineMetrics {
    pub branches: Vec<BranchMetrics>,
    /// `sink` and `combine` calls of every worker; `finalize` separately.
    pub sink: StageMetrics,
    pub finalize: StageMetrics,
    /// Parallel finalize tasks the sink ran, and on how many workers.
    pub finalize_tasks: AtomicUsize,
    pub finalize_workers: AtomicUsize,
    /// Wall time from the first worker's start to the end of `finalize`.
    wall_nanos: AtomicU64,
    /// The peak size of the sink's memory reservation, when it has one.
    pub sink_memory_peak: Option<Arc<AtomicUsize>>,
}

impl PipelineMetrics {
    /// Counters for each stage of `branches` and `sink`.
    pub fn new(branches: &[Branch], sink: &dyn Sink, sink_memory_peak: Option<Arc<AtomicUsize>>) -> Self {
        let branches = branches
            .iter()
            .map(|b| BranchMetrics {
                source: StageMetrics::named(b.source.name()),
                operators: b.operators.iter().map(|o| StageMetrics::named(o.name())).collect(),
                ..Default::default()
            })
            .collect();
        PipelineMetrics { branches, sink: StageMetrics::named(sink.name()), sink_memory_peak, ..Default::default() }
    }

    pub fn set_wall_time(&self, elapsed: Duration) {
        self.wall_nanos.store(elapsed.as_nanos() as u64, Ordering::Relaxed);
    }

    pub fn wall_time(&self) -> Duration {
        Duration::from_nanos(self.wall_nanos.load(Ordering::Relaxed))
    }

    pub fn workers(&self) -> usize {
        self.branches.iter().map(|b| b.workers.load(Ordering::Relaxed)).max().unwrap_or(0)
    }
}

/// The pipelines with their figures, as `EXPLAIN ANALYZE` prints them.
pub fn render(pipelines: &[PipelineMetrics], total: Duration, peak_memory: usize) -> String {
    let mut s = String::new();
    for (i, m) in pipelines.iter().enumerate() {
        let _ = writeln!(
            s,
            "Pipeline {} ({} worker{}, {}):",
            i + 1,
            m.workers(),
            if m.workers() == 1 { "" } else { "s" },
            ms(m.wall_time())
        );
        for bm in &m.branches {
            let _ = writeln!(s, "  {}  [out {}, {}]", bm.source.name, rows(bm.source.rows_out()), ms(bm.source.time()));
            for om in &bm.operators {
                let _ = writeln!(
                    s,
                    "  -> {}  [in {}, out {}, {}]",
                    om.name,
                    rows(om.rows_in()),
                    rows(om.rows_out()),
                    ms(om.time())
                );
            }
        }
        let mut sink_line = format!(
            "  => {}  [in {}, {}, finalize {}",
            m.sink.name,
            rows(m.sink.rows_in()),
            ms(m.sink.time()),
            ms(m.finalize.time())
        );
        let tasks = m.finalize_tasks.load(Ordering::Relaxed);
        if tasks > 1 {
            let workers = m.finalize_workers.load(Ordering::Relaxed);
            let _ = write!(sink_line, " in {tasks} tasks on {workers} worker{}", if workers == 1 { "" } else { "s" });
        }
        if let Some(peak) = &m.sink_memory_peak {
            let _ = write!(sink_line, ", peak memory {}", bytes(peak.load(Ordering::Relaxed)));
        }
        sink_line.push(']');
        let _ = writeln!(s, "{sink_line}");
    }
    let _ = writeln!(s, "== Execution ==\ntotal {}, peak memory {}", ms(total), bytes(peak_memory));
    s
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// `1,234,567 rows`
fn rows(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(if n == 1 { " row" } else { " rows" });
    out
}

fn bytes(n: usize) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_counts_and_sizes() {
        assert_eq!(rows(0), "0 rows");
        assert_eq!(rows(1), "1 row");
        assert_eq!(rows(1234567), "1,234,567 rows");
        assert_eq!(rows(999), "999 rows");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(3 * 1024 * 1024 / 2), "1.5 MiB");
    }

    #[test]
    fn stage_metrics_add_up() {
        let m = StageMetrics::default();
        m.record(10, 4, Duration::from_millis(2));
        m.record(5, 5, Duration::from_millis(3));
        assert_eq!((m.rows_in(), m.rows_out()), (15, 9));
        assert_eq!(m.time(), Duration::from_millis(5));
    }
}
