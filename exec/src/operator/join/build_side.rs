//! Collecting a join's build input: workers append chunks to local lists
//! (accounted in the memory pool), `combine` gathers them, and `finish`
//! concatenates them into the `BuildSide` both join algorithms probe.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock};

use arrow::array::RecordBatch;
use arrow::compute::concat_batches;
use arrow::datatypes::SchemaRef;
use ember_core::{Error, Result};
use ember_spill::MemoryReservation;

use super::emit::BuildSide;
use crate::pipeline::{local_mut, LocalState, SinkResult};

pub struct BuildCollector {
    schema: SchemaRef,
    collected: Mutex<Vec<RecordBatch>>,
    reservation: Mutex<MemoryReservation>,
    /// RIGHT/FULL joins remember which build rows found a partner.
    track_matches: bool,
    /// Set by `finish`; shared with `UnmatchedBuildSource`.
    pub side: Arc<OnceLock<Arc<BuildSide>>>,
}

impl BuildCollector {
    pub fn new(schema: SchemaRef, reservation: MemoryReservation, track_matches: bool) -> BuildCollector {
        BuildCollector {
            schema,
            collected: Mutex::new(vec![]),
            reservation: Mutex::new(reservation),
            track_matches,
            side: Arc::new(OnceLock::new()),
        }
    }

    pub fn init_local(&self) -> Result<LocalState> {
        Ok(Box::new(Vec::<RecordBatch>::new()))
    }

    pub fn sink(&self, local: &mut LocalState, chunk: RecordBatch) -> Result<SinkResult> {
        self.grow(chunk.get_array_memory_size())?;
        local_mut::<Vec<RecordBatch>>(local)?.push(chunk);
        Ok(SinkResult::NeedMoreInput)
    }

    pub fn combine(&self, mut local: LocalState) -> Result<()> {
        let mine = std::mem::take(local_mut::<Vec<RecordBatch>>(&mut local)?);
        self.collected.lock().unwrap_or_else(|e| e.into_inner()).extend(mine);
        Ok(())
    }

    /// Accounts `bytes` more of build-side state (e.g. a hash table).
    pub fn grow(&self, bytes: usize) -> Result<()> {
        self.reservation.lock().unwrap_or_else(|e| e.into_inner()).try_grow(bytes)
    }

    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// The collected chunks, in no particular order (taken once).
    pub fn take_chunks(&self) -> Vec<RecordBatch> {
        std::mem::take(&mut *self.collected.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// All build rows as one batch, published for the probe side.
    pub fn finish(&self) -> Result<Arc<BuildSide>> {
        let batches = self.take_chunks();
        let batch = concat_batches(&self.schema, &batches)?;
        drop(batches);
        self.publish(batch)
    }

    /// Publishes `batch` (all build rows) for the probe side.
    pub fn publish(&self, batch: RecordBatch) -> Result<Arc<BuildSide>> {
        let n = batch.num_rows();
        let matched = if self.track_matches { (0..n).map(|_| AtomicBool::new(false)).collect() } else { vec![] };
        let side = Arc::new(BuildSide { batch, matched });
        self.side.set(side.clone()).map_err(|_| Error::internal("join build side finished twice"))?;
        Ok(side)
    }
}
