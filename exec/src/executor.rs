//! Runs pipelines: each with up to `ember.threads` workers.
//!
//! A worker initialises its local states, pulls chunks from the source
//! (sources hand out morsels through their own atomic cursors), pushes each
//! through the operators into the sink, flushes the operators' held output
//! with `finish`, and combines its sink state. The first error cancels the
//! other workers.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use arrow::array::RecordBatch;
use ember_core::{Error, LogicalPlan, Result};

use crate::context::QueryContext;
use crate::pipeline::{Branch, LocalState, OperatorResult, Pipeline, SinkResult};
use crate::planner::PhysicalPlanner;

/// Plans and runs a logical plan, returning all result batches in order.
pub fn execute_plan(plan: &LogicalPlan, ctx: &Arc<QueryContext>) -> Result<Vec<RecordBatch>> {
    let (pipelines, result) = PhysicalPlanner::new(ctx.clone()).plan_query(plan)?;
    run_pipelines(&pipelines, ctx)?;
    Ok(result.take_batches())
}

pub fn run_pipelines(pipelines: &[Pipeline], ctx: &Arc<QueryContext>) -> Result<()> {
    for p in pipelines {
        ctx.check_cancelled()?;
        run_pipeline(p, ctx)?;
    }
    Ok(())
}

fn run_pipeline(p: &Pipeline, ctx: &Arc<QueryContext>) -> Result<()> {
    let threads = ctx.config.threads().max(1);
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    for branch in &p.branches {
        let workers = threads.min(branch.source.max_threads()).max(1);
        if workers == 1 {
            run_worker(branch, p, ctx)?;
            continue;
        }
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    let outcome = catch_unwind(AssertUnwindSafe(|| run_worker(branch, p, ctx)))
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
    p.sink.finalize()
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
    op_states: Vec<LocalState>,
    sink_state: LocalState,
    finished: bool,
}

fn run_worker(branch: &Branch, pipeline: &Pipeline, ctx: &QueryContext) -> Result<()> {
    let mut source_state = branch.source.init_local()?;
    let op_states = branch.operators.iter().map(|o| o.init_local()).collect::<Result<Vec<_>>>()?;
    let sink_state = pipeline.sink.init_local()?;
    let mut w = Worker { branch, pipeline, op_states, sink_state, finished: false };
    while !w.finished {
        ctx.check_cancelled()?;
        match branch.source.next_chunk(&mut source_state)? {
            Some(chunk) => w.push(0, chunk)?,
            None => break,
        }
    }
    // flush what operators still hold, in pipeline order
    for i in 0..branch.operators.len() {
        while !w.finished {
            match branch.operators[i].finish(&mut w.op_states[i])? {
                Some(chunk) => w.push(i + 1, chunk)?,
                None => break,
            }
        }
    }
    pipeline.sink.combine(w.sink_state)
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
            if let SinkResult::Finished = self.pipeline.sink.sink(&mut self.sink_state, chunk)? {
                self.finished = true;
            }
            return Ok(());
        }
        if chunk.num_rows() == 0 {
            return Ok(());
        }
        let op = self.branch.operators[i].clone();
        loop {
            match op.execute(&mut self.op_states[i], &chunk)? {
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
