//! The result sink: gathers the query's chunks and hands them back in the
//! order of the sources they came from (see `Source::chunk_position`), not
//! in the order workers happened to finish them.

use std::sync::Mutex;

use arrow::array::RecordBatch;
use ember_core::Result;

use crate::pipeline::{local_mut, ChunkPlace, LocalState, Sink, SinkResult};

#[derive(Default)]
pub struct CollectSink {
    batches: Mutex<Vec<(ChunkPlace, RecordBatch)>>,
}

impl CollectSink {
    /// The chunks in order: by branch, then source position, then the order
    /// the operators made them in. Chunks of a source without positions
    /// have no order to restore: each worker's stay in its own order.
    pub fn take_batches(&self) -> Vec<RecordBatch> {
        let mut batches = std::mem::take(&mut *self.batches.lock().unwrap_or_else(|e| e.into_inner()));
        // stable: chunks with equal places stay in arrival order
        batches.sort_by_key(|(place, _)| *place);
        batches.into_iter().map(|(_, b)| b).collect()
    }
}

#[derive(Default)]
struct CollectLocal {
    place: ChunkPlace,
    batches: Vec<(ChunkPlace, RecordBatch)>,
}

impl Sink for CollectSink {
    fn name(&self) -> String {
        "Collect".into()
    }
    fn init_local(&self) -> Result<LocalState> {
        Ok(Box::new(CollectLocal::default()))
    }
    fn start_chunk(&self, local: &mut LocalState, branch: usize, position: Option<u64>) {
        if let Ok(local) = local_mut::<CollectLocal>(local) {
            local.place = match position {
                Some(position) => ChunkPlace { branch, position, part: 0 },
                // no order to restore: this worker's arrival order
                None => ChunkPlace { branch, position: 0, part: local.batches.len() },
            };
        }
    }
    fn sink(&self, local: &mut LocalState, chunk: RecordBatch) -> Result<SinkResult> {
        let local = local_mut::<CollectLocal>(local)?;
        local.batches.push((local.place, chunk));
        local.place.part += 1;
        Ok(SinkResult::NeedMoreInput)
    }
    fn combine(&self, mut local: LocalState) -> Result<()> {
        let mine = std::mem::take(&mut local_mut::<CollectLocal>(&mut local)?.batches);
        self.batches.lock().unwrap_or_else(|e| e.into_inner()).extend(mine);
        Ok(())
    }
}
