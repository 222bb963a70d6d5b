//! The result sink: gathers the query's chunks in the order they arrive.

use std::sync::Mutex;

use arrow::array::RecordBatch;
use ember_core::Result;

use crate::pipeline::{local_mut, LocalState, Sink, SinkResult};

#[derive(Default)]
pub struct CollectSink {
    batches: Mutex<Vec<RecordBatch>>,
}

impl CollectSink {
    pub fn take_batches(&self) -> Vec<RecordBatch> {
        std::mem::take(&mut *self.batches.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Sink for CollectSink {
    fn name(&self) -> String {
        "Collect".into()
    }
    fn init_local(&self) -> Result<LocalState> {
        Ok(Box::new(Vec::<RecordBatch>::new()))
    }
    fn sink(&self, local: &mut LocalState, chunk: RecordBatch) -> Result<SinkResult> {
        local_mut::<Vec<RecordBatch>>(local)?.push(chunk);
        Ok(SinkResult::NeedMoreInput)
    }
    fn combine(&self, mut local: LocalState) -> Result<()> {
        let mine = std::mem::take(local_mut::<Vec<RecordBatch>>(&mut local)?);
        self.batches.lock().unwrap_or_else(|e| e.into_inner()).extend(mine);
        Ok(())
    }
}
