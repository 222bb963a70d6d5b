//! `ChunkBuffer`: chunks a breaker produced in `finalize`, handed out to the
//! workers of the next pipeline through an atomic cursor.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use ember_core::{Error, Result};

use crate::pipeline::{LocalState, Source};

#[derive(Debug, Default)]
pub struct ChunkBuffer {
    chunks: OnceLock<Vec<RecordBatch>>,
    cursor: AtomicUsize,
}

impl ChunkBuffer {
    pub fn new() -> Arc<ChunkBuffer> {
        Arc::new(ChunkBuffer::default())
    }

    /// Publishes the chunks; once only.
    pub fn publish(&self, chunks: Vec<RecordBatch>) -> Result<()> {
        self.chunks.set(chunks).map_err(|_| Error::internal("chunk buffer published twice"))
    }

    pub fn chunks(&self) -> &[RecordBatch] {
        self.chunks.get().map(|v| v.as_slice()).unwrap_or(&[])
    }

    fn next(&self) -> Option<RecordBatch> {
        let chunks = self.chunks.get()?;
        let i = self.cursor.fetch_add(1, Ordering::Relaxed);
        chunks.get(i).cloned()
    }
}

/// Reads a `ChunkBuffer` as the source of a pipeline.
pub struct BufferSource {
    pub name: String,
    pub schema: SchemaRef,
    pub buffer: Arc<ChunkBuffer>,
    /// 1 when the chunks are ordered (sort output) and order must be kept.
    pub max_threads: usize,
}

impl Source for BufferSource {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    fn next_chunk(&self, _local: &mut LocalState) -> Result<Option<RecordBatch>> {
        Ok(self.buffer.next())
    }
    fn max_threads(&self) -> usize {
        self.max_threads
    }
}

/// Splits batches into chunks of at most `size` rows (zero-copy slices).
pub fn rechunk(batches: Vec<RecordBatch>, size: usize) -> Vec<RecordBatch> {
    let mut out = Vec::new();
    for b in batches {
        let n = b.num_rows();
        if n <= size {
            if n > 0 {
                out.push(b);
            }
            continue;
        }
        let mut off = 0;
        while off < n {
            let len = size.min(n - off);
            out.push(b.slice(off, len));
            off += len;
        }
    }
    out
}
