//! Runs pipelines: each with up to `ember.threads` workers.
//!
//! A worker initialises its local states, pulls chunks from the source
//! (sources hand out morsels through their own atomic cursors), pushes each
//! through the operators into the sink, flushes the operators' held output
//! with `finish`, and combines its sink state. The first error cancels the
//! other workers. Then the sink's finalize tasks run in parallel, and its
//! `finalize` last.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arrow::array::RecordBatch;
use ember_core::{Error, LogicalPlan, Result};

use crate::context::QueryContext;
use crate::pipeline::{Branch, LocalState, OperatorResult, Pipeline, SinkResult};
use crate::planner::PhysicalPlanner;
use crate::profile::BranchMetrics;

/// Plans and runs a logical plan, returning all result batches in order.
pub fn execute_plan(plan: &LogicalPlan, ctx: &Arc<QueryContext>) -> Result<Vec<RecordBatch>> {
    let (mut pipelines, result) = PhysicalPlanner::new(ctx.clone()).plan_query(plan)?;
    run_pipelines(&mut pipelines, ctx)?;
    Ok(result.take_batches())
}

/// `EXPLAIN ANALYZE`: plans and runs `plan`, dropping its rows, and returns
/// the pipelines with what each source, operator and sink did.
pub fn explain_analyze(plan: &LogicalPlan, ctx: &Arc<QueryContext>) -> Result<String> {
    let started = Instant::now();
    let (mut pipelines, result) = PhysicalPlanner::new(ctx.clone()).plan_query(plan)?;
    run_pipelines(&mut pipelines, ctx)?;
    let rows: usize = result.take_batches().iter().map(RecordBatch::num_rows).sum();
    let metrics: Vec<_> = pipelines.into_iter().map(|p| p.metrics).collect();
    let mut text = crate::profile::render(&metrics, started.elapsed(), ctx.memory.peak());
    text.push_str(&format!("{rows} result row{}\n", if rows == 1 { "" } else { "s" }));
    Ok(text)
}

/// Runs `pipelines` in order. Each pipeline's sources and operators are
/// dropped once they have run, with what they alone held: a probe drops the
/// last hold on its join's build side, so the memory of a join whose probe
/// is done is free for the rest of the query.
pub fn run_pipelines(pipelines: &mut [Pipeline], ctx: &Arc<QueryContext>) -> Result<()> {
    for p in pipelines {
        ctx.check_cancelled()?;
        run_pipeline(p, ctx)?;
    }
    Ok(())
}

fn run_pipeline(p: &mut Pipeline, ctx: &Arc<QueryContext>) -> Result<()> {
    let started = Instant::now();
    let threads = ctx.config.threads().max(1);
    run_branches(p, ctx, threads)?;
    // before the sink's finalize, which may need the memory
    p.branches.clear();
    let finalizing = Instant::now();
    run_finalize_tasks(p, ctx, threads)?;
    p.sink.finalize()?;
    p.metrics.finalize.add_time(finalizing.elapsed());
    p.metrics.set_wall_time(started.elapsed());
    Ok(())
}

/// Runs each branch's workers until its source is exhausted.
fn run_branches(p: &Pipeline, ctx: &Arc<QueryContext>, threads: usize) -> Result<()> {
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    for (b, branch) in p.branches.iter().enumerate() {
        let workers = threads.min(branch.source.max_threads()).max(1);
        p.metrics.branches[b].workers.store(workers, Ordering::Relaxed);
        if workers == 1 {
            run_worker(b, p, ctx)?;
            continue;
        }
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    let outcome = catch_unwind(AssertUnwindSafe(|| run_worker(b, p, ctx)))
                        .unwrap_or_else(|panic| Err(Error::internal(panic_message(&panic))));
                    if let Err(e) = outcome {
                        ctx.cancel();
                        let mut slot = first_error.lock().unwrap_or_else(|e| e.into_inner());
                        // keep the root cause, not the Cancelled errors it triggered
                        if slot.is_none() || matches!(slot.as_ref(), Some(Error::Cancelled)) {
                            *slot = Some(e);
                        }
                    }
                });
            }
        });
        if let Some(e) = first_error.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(e);
        }
    }
    Ok(())
}

/// Runs the sink's finalize tasks on up to `threads` threads, each taking
/// the next task from a shared cursor; the first error stops the others.
fn run_finalize_tasks(p: &Pipeline, ctx: &QueryContext, threads: usize) -> Result<()> {
    let tasks = p.sink.finalize_tasks()?;
    let next = AtomicUsize::new(0);
    let run = || -> Result<()> {
        loop {
            ctx.check_cancelled()?;
            let task = next.fetch_add(1, Ordering::Relaxed);
            if task >= tasks {
                return Ok(());
            }
            p.sink.finalize_task(task)?;
        }
    };
    let workers = threads.min(tasks);
    p.metrics.finalize_tasks.store(tasks, Ordering::Relaxed);
    p.metrics.finalize_workers.store(workers, Ordering::Relaxed);
    if workers <= 1 {
        return run();
    }
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let outcome = catch_unwind(AssertUnwindSafe(run))
                    .unwrap_or_else(|panic| Err(Error::internal(panic_message(&panic))));
                if let Err(e) = outcome {
                    // let the others stop at their next task
                    next.store(tasks, Ordering::Relaxed);
                    first_error.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
                }
            });
        }
    });
    match first_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        format!("panic in a worker: {s}")
    } else if let Some(s) = panic.downcast_ref::<String>() {
        format!("panic in a worker: {s}")
    } else {
        "panic in a worker".to_string()
    }
}

struct Worker<'a> {
    branch: &'a Branch,
    pipeline: &'a Pipeline,
    metrics: &'a BranchMetrics,
    op_states: Vec<LocalState>,
    sink_state: LocalState,
    finished: bool,
}

/// Runs branch `b` of `pipeline` on this thread until its source is dry.
fn run_worker(b: usize, pipeline: &Pipeline, ctx: &QueryContext) -> Result<()> {
    let branch = &pipeline.branches[b];
    let metrics = &pipeline.metrics.branches[b];
    let mut source_state = branch.source.init_local()?;
    let op_states = branch.operators.iter().map(|o| o.init_local()).collect::<Result<Vec<_>>>()?;
    let sink_state = pipeline.sink.init_local()?;
    let mut w = Worker { branch, pipeline, metrics, op_states, sink_state, finished: false };
    while !w.finished {
        ctx.check_cancelled()?;
        let pulling = Instant::now();
        let chunk = branch.source.next_chunk(&mut source_state)?;
        let rows = chunk.as_ref().map_or(0, RecordBatch::num_rows);
        metrics.source.record(0, rows, pulling.elapsed());
        match chunk {
            Some(chunk) => {
                pipeline.sink.start_chunk(&mut w.sink_state, b, branch.source.chunk_position(&source_state));
                w.push(0, chunk)?
            }
            None => break,
        }
    }
    // flush what operators still hold, in pipeline order
    for i in 0..branch.operators.len() {
        while !w.finished {
            let flushing = Instant::now();
            let held = branch.operators[i].finish(&mut w.op_states[i])?;
            metrics.operators[i].record(0, held.as_ref().map_or(0, RecordBatch::num_rows), flushing.elapsed());
            match held {
                Some(chunk) => w.push(i + 1, chunk)?,
                None => break,
            }
        }
    }
    let combining = Instant::now();
    pipeline.sink.combine(w.sink_state)?;
    pipeline.metrics.sink.add_time(combining.elapsed());
    Ok(())
}

impl Worker<'_> {
    /// Pushes `chunk` into operator `i` (or the sink when past the last one).
    fn push(&mut self, i: usize, chunk: RecordBatch) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        if i == self.branch.operators.len() {
            if chunk.num_rows() == 0 {
                return Ok(());
            }
            let rows = chunk.num_rows();
            let sinking = Instant::now();
            let result = self.pipeline.sink.sink(&mut self.sink_state, chunk)?;
            self.pipeline.metrics.sink.record(rows, 0, sinking.elapsed());
            if let SinkResult::Finished = result {
                self.finished = true;
            }
            return Ok(());
        }
        if chunk.num_rows() == 0 {
            return Ok(());
        }
        let op = self.branch.operators[i].clone();
        let stage = &self.metrics.operators[i];
        let mut rows_in = chunk.num_rows();
        loop {
            let running = Instant::now();
            let result = op.execute(&mut self.op_states[i], &chunk)?;
            let rows_out = match &result {
                OperatorResult::NeedMoreInput(out) | OperatorResult::Finished(out) => {
                    out.as_ref().map_or(0, RecordBatch::num_rows)
                }
                OperatorResult::HaveMoreOutput(out) => out.num_rows(),
            };
            // the input counts once, however many calls it takes
            stage.record(std::mem::take(&mut rows_in), rows_out, running.elapsed());
            match result {
                OperatorResult::NeedMoreInput(out) => {
                    if let Some(out) = out {
                        self.push(i + 1, out)?;
                    }
                    return Ok(());
                }
                OperatorResult::HaveMoreOutput(out) => {
                    self.push(i + 1, out)?;
                    if self.finished {
                        return Ok(());
                    }
                }
                OperatorResult::Finished(out) => {
                    if let Some(out) = out {
                        self.push(i + 1, out)?;
                    }
                    self.finished = true;
                    return Ok(());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::AsArray;
    use arrow::datatypes::{DataType, Int64Type};
    use ember_core::plan::JoinType;
    use ember_core::{Attribute, Expr};

    use super::*;

    fn range(name: &str, end: i64) -> (LogicalPlan, Attribute) {
        let output = Attribute::new(name, DataType::Int64, false);
        (LogicalPlan::Range { output: output.clone(), start: 0, end, step: 1 }, output)
    }

    #[test]
    fn a_join_frees_its_build_side_once_its_probe_has_run() {
        let ctx = QueryContext::default_for_tests();
        let (left, a) = range("a", 5000);
        let (right, b) = range("b", 3000);
        let plan = LogicalPlan::Join {
            left: Box::new(left),
            right: Box::new(right),
            join_type: JoinType::Inner,
            on: vec![(Expr::Column(a), Expr::Column(b))],
            filter: None,
            null_aware: false,
        };
        let (mut pipelines, result) = PhysicalPlanner::new(ctx.clone()).plan_query(&plan).unwrap();
        assert!(pipelines.len() >= 2, "a build and a probe pipeline");
        run_pipelines(&mut pipelines, &ctx).unwrap();
        // the build's sink is still here, but the probe that read its side is
        // gone, and with it the side's memory
        assert!(ctx.memory.peak() > 0);
        assert_eq!(ctx.memory.used(), 0);
        let sum: i64 = result
            .take_batches()
            .iter()
            .map(|b| b.column(0).as_primitive::<Int64Type>().values().iter().sum::<i64>())
            .sum();
        assert_eq!(sum, (0..3000).sum::<i64>());
    }
}
