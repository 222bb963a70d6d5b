//! Collecting a join's build input: workers append chunks to local lists
//! (accounted in the memory pool), `combine` gathers them, and `finish`
//! concatenates them into the `BuildSide` both join algorithms probe.
//!
//! The published side owns its memory reservation, and the collector only
//! holds it weakly: a finished join's rows live as long as their readers
//! (the probe operator, the unmatched-rows source), which the executor
//! drops when their pipeline is done, not until the query ends.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock, Weak};

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
    /// Set by `publish`; its readers hold it.
    side: Weak<OnceLock<Arc<BuildSide>>>,
}

/// Where a join's build side appears once it is complete.
pub type BuildSideCell = Arc<OnceLock<Arc<BuildSide>>>;

impl BuildCollector {
    /// The collector and the cell its build side will be published in, for
    /// the readers to hold.
    pub fn new(
        schema: SchemaRef,
        reservation: MemoryReservation,
        track_matches: bool,
    ) -> (BuildCollector, BuildSideCell) {
        let cell = BuildSideCell::default();
        let collector = BuildCollector {
            schema,
            collected: Mutex::new(vec![]),
            reservation: Mutex::new(reservation),
            track_matches,
            side: Arc::downgrade(&cell),
        };
        (collector, cell)
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

    /// Publishes `batch` (all build rows) for the probe side, handing it
    /// the memory reserved so far.
    pub fn publish(&self, batch: RecordBatch) -> Result<Arc<BuildSide>> {
        let n = batch.num_rows();
        let matched = if self.track_matches { (0..n).map(|_| AtomicBool::new(false)).collect() } else { vec![] };
        let memory = self.reservation.lock().unwrap_or_else(|e| e.into_inner()).take();
        let side = Arc::new(BuildSide { batch, matched, memory });
        // no cell: every reader is gone, and the side is dropped unread
        if let Some(cell) = self.side.upgrade() {
            cell.set(side.clone()).map_err(|_| Error::internal("join build side finished twice"))?;
        }
        Ok(side)
    }
}
