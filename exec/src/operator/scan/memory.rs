//! Sources over data already in memory: registered batches, literal rows
//! and `range`.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;

use arrow::array::{Int64Array, RecordBatch};
use arrow::datatypes::SchemaRef;
use ember_core::Result;

use crate::pipeline::{LastChunk, LocalState, Source};

/// Hands out pre-built chunks.
pub struct MemoryScan {
    pub name: String,
    pub schema: SchemaRef,
    pub chunks: Vec<RecordBatch>,
    /// Columns of the stored batches to output.
    pub projection: Option<Vec<usize>>,
    cursor: AtomicUsize,
}

impl MemoryScan {
    pub fn new(
        name: String,
        schema: SchemaRef,
        chunks: Vec<RecordBatch>,
        projection: Option<Vec<usize>>,
    ) -> MemoryScan {
        MemoryScan { name, schema, chunks, projection, cursor: AtomicUsize::new(0) }
    }
}

impl Source for MemoryScan {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    fn init_local(&self) -> Result<LocalState> {
        Ok(LastChunk::init())
    }
    fn next_chunk(&self, local: &mut LocalState) -> Result<Option<RecordBatch>> {
        let i = self.cursor.fetch_add(1, Ordering::Relaxed);
        let Some(b) = self.chunks.get(i) else { return Ok(None) };
        LastChunk::record(local, i)?;
        let b = match &self.projection {
            Some(p) => b.project(p)?,
            None => b.clone(),
        };
        Ok(Some(super::conform_batch(b, &self.schema)?))
    }
    fn max_threads(&self) -> usize {
        self.chunks.len().max(1)
    }
    fn chunk_position(&self, local: &LocalState) -> Option<u64> {
        LastChunk::position(local)
    }
}

/// `range(start, end, step)`: chunks of ids generated on demand.
pub struct RangeScan {
    pub schema: SchemaRef,
    start: i64,
    end: i64,
    step: i64,
    chunk_rows: i64,
    /// index of the next chunk
    next: AtomicI64,
}

impl RangeScan {
    pub fn new(schema: SchemaRef, start: i64, end: i64, step: i64, chunk_rows: usize) -> RangeScan {
        RangeScan { schema, start, end, step, chunk_rows: chunk_rows.max(1) as i64, next: AtomicI64::new(0) }
    }

    fn total(&self) -> i64 {
        if self.step == 0 {
            return 0;
        }
        let span = self.end as i128 - self.start as i128;
        if (span > 0) != (self.step > 0) || span == 0 {
            return 0;
        }
        let n = (span.abs() + (self.step as i128).abs() - 1) / (self.step as i128).abs();
        n.min(i64::MAX as i128) as i64
    }
}

impl Source for RangeScan {
    fn name(&self) -> String {
        format!("Range ({}, {}, step={})", self.start, self.end, self.step)
    }
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    fn init_local(&self) -> Result<LocalState> {
        Ok(LastChunk::init())
    }
    fn next_chunk(&self, local: &mut LocalState) -> Result<Option<RecordBatch>> {
        let total = self.total();
        let chunk = self.next.fetch_add(1, Ordering::Relaxed);
        let first = chunk.saturating_mul(self.chunk_rows);
        if first >= total {
            return Ok(None);
        }
        LastChunk::record(local, chunk as usize)?;
        let n = (total - first).min(self.chunk_rows);
        let base = self.start as i128 + first as i128 * self.step as i128;
        let step = self.step as i128;
        let values: Int64Array = (0..n as i128).map(|i| (base + i * step) as i64).collect();
        Ok(Some(RecordBatch::try_new(self.schema.clone(), vec![Arc::new(values)])?))
    }
    fn max_threads(&self) -> usize {
        let chunks = (self.total() + self.chunk_rows - 1) / self.chunk_rows;
        chunks.max(1) as usize
    }
    fn chunk_position(&self, local: &LocalState) -> Option<u64> {
        LastChunk::position(local)
    }
}
