//! ORDER BY, and ORDER BY with LIMIT (top-N).
//!
//! Sort sink: workers collect their chunks (top-N workers keep only their
//! best `limit` rows as they go); `finalize` sorts everything by the key
//! columns with Spark's null ordering and publishes ordered chunks, read by
//! one worker so the order survives.

use std::sync::{Arc, Mutex};

use arrow::array::RecordBatch;
use arrow::compute::{concat_batches, lexsort_to_indices, SortColumn, SortOptions};
use arrow::datatypes::SchemaRef;
use ember_core::Result;
use ember_spill::MemoryReservation;

use crate::expr::{take_batch, PhysicalExpr};
use crate::operator::buffer::{rechunk, ChunkBuffer};
use crate::pipeline::{local_mut, LocalState, Sink, SinkResult};

pub struct SortKey {
    pub expr: PhysicalExpr,
    pub descending: bool,
    pub nulls_first: bool,
}

pub struct Sort {
    pub schema: SchemaRef,
    pub keys: Vec<SortKey>,
    /// top-N: keep only this many rows (after `skip`)
    pub fetch: Option<usize>,
    pub output: Arc<ChunkBuffer>,
    pub display: String,
    collected: Mutex<Vec<RecordBatch>>,
    reservation: Mutex<MemoryReservation>,
    batch_size: usize,
}

struct SortLocal {
    batches: Vec<RecordBatch>,
    rows: usize,
}

impl Sort {
    pub fn new(
        schema: SchemaRef,
        keys: Vec<SortKey>,
        fetch: Option<usize>,
        reservation: MemoryReservation,
        batch_size: usize,
        display: String,
    ) -> Sort {
        Sort {
            schema,
            keys,
            fetch,
            output: ChunkBuffer::new(),
            display,
            collected: Mutex::new(vec![]),
            reservation: Mutex::new(reservation),
            batch_size,
        }
    }

    /// Sorts `batch` and keeps the first `fetch` rows.
    fn sort_batch(&self, batch: &RecordBatch, fetch: Option<usize>) -> Result<RecordBatch> {
        if batch.num_rows() == 0 {
            return Ok(batch.clone());
        }
        let cols = self
            .keys
            .iter()
            .map(|k| {
                Ok(SortColumn {
                    values: k.expr.evaluate(batch)?,
                    options: Some(SortOptions { descending: k.descending, nulls_first: k.nulls_first }),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let idx = lexsort_to_indices(&cols, fetch)?;
        take_batch(batch, &idx)
    }

    fn compact(&self, local: &mut SortLocal) -> Result<()> {
        let all = concat_batches(&self.schema, &local.batches)?;
        let kept = self.sort_batch(&all, self.fetch)?;
        local.rows = kept.num_rows();
        local.batches = vec![kept];
        Ok(())
    }
}

impl Sink for Sort {
    fn name(&self) -> String {
        match self.fetch {
            Some(n) => format!("TopN {n} [{}]", self.display),
            None => format!("Sort [{}]", self.display),
        }
    }
    fn init_local(&self) -> Result<LocalState> {
        Ok(Box::new(SortLocal { batches: vec![], rows: 0 }))
    }
    fn sink(&self, local: &mut LocalState, chunk: RecordBatch) -> Result<SinkResult> {
        let local = local_mut::<SortLocal>(local)?;
        local.rows += chunk.num_rows();
        local.batches.push(chunk);
        match self.fetch {
            Some(f) if local.rows > (4 * f).max(8192) => self.compact(local)?,
            None => {
                let size = local.batches.last().map(|b| b.get_array_memory_size()).unwrap_or(0);
                self.reservation.lock().unwrap_or_else(|e| e.into_inner()).try_grow(size)?;
            }
            _ => {}
        }
        Ok(SinkResult::NeedMoreInput)
    }
    fn combine(&self, mut local: LocalState) -> Result<()> {
        let local = local_mut::<SortLocal>(&mut local)?;
        if self.fetch.is_some() && local.rows > 0 {
            self.compact(local)?;
        }
        self.collected.lock().unwrap_or_else(|e| e.into_inner()).extend(std::mem::take(&mut local.batches));
        Ok(())
    }
    fn finalize(&self) -> Result<()> {
        let batches = std::mem::take(&mut *self.collected.lock().unwrap_or_else(|e| e.into_inner()));
        let all = concat_batches(&self.schema, &batches)?;
        drop(batches);
        let sorted = self.sort_batch(&all, self.fetch)?;
        self.output.publish(rechunk(vec![sorted], self.batch_size))?;
        self.reservation.lock().unwrap_or_else(|e| e.into_inner()).free();
        Ok(())
    }
}
