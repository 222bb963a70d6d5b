//! Nested-loop join for conditions without an equality: every probe row is
//! paired with every build row and the condition decides.

use std::sync::{Arc, OnceLock};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use ember_core::{Error, Result};

use super::build_side::BuildCollector;
use super::emit::{BuildSide, JoinEmitter};
use crate::pipeline::{local_mut, LocalState, Operator, OperatorResult, Sink, SinkResult};

pub struct NestedLoopBuild {
    pub collector: BuildCollector,
}

impl Sink for NestedLoopBuild {
    fn name(&self) -> String {
        "NestedLoopBuild".into()
    }
    fn init_local(&self) -> Result<LocalState> {
        self.collector.init_local()
    }
    fn sink(&self, local: &mut LocalState, chunk: RecordBatch) -> Result<SinkResult> {
        self.collector.sink(local, chunk)
    }
    fn combine(&self, local: LocalState) -> Result<()> {
        self.collector.combine(local)
    }
    fn finalize(&self) -> Result<()> {
        self.collector.finish().map(|_| ())
    }
}

pub struct NestedLoopProbe {
    pub schema: SchemaRef,
    pub build_side: Arc<OnceLock<Arc<BuildSide>>>,
    pub emitter: JoinEmitter,
}

/// Pairs tried per step, bounding memory per output chunk.
const PAIRS_PER_STEP: usize = 1 << 16;

impl Operator for NestedLoopProbe {
    fn name(&self) -> String {
        format!("NestedLoopJoin {:?}", self.emitter.kind)
    }
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    fn init_local(&self) -> Result<LocalState> {
        Ok(Box::new(0usize))
    }
    fn execute(&self, local: &mut LocalState, input: &RecordBatch) -> Result<OperatorResult> {
        let offset = local_mut::<usize>(local)?;
        let build = self.build_side.get().ok_or_else(|| Error::internal("probe before the build side finished"))?;
        let m = build.batch.num_rows();
        let rows_per_step = (PAIRS_PER_STEP / m.max(1)).max(1);
        let start = *offset;
        let len = rows_per_step.min(input.num_rows() - start);
        let chunk = input.slice(start, len);
        let mut p_idx = Vec::with_capacity(len * m);
        let mut b_idx = Vec::with_capacity(len * m);
        for i in 0..len as u32 {
            for j in 0..m as u32 {
                p_idx.push(i);
                b_idx.push(j);
            }
        }
        let out = self.emitter.emit(&chunk, build, p_idx, b_idx, None, false)?;
        if start + len < input.num_rows() {
            *offset = start + len;
            match out {
                Some(o) => Ok(OperatorResult::HaveMoreOutput(o)),
                None => self.execute(local, input),
            }
        } else {
            *offset = 0;
            Ok(OperatorResult::NeedMoreInput(out))
        }
    }
}
