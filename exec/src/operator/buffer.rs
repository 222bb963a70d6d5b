//! `ChunkBuffer`: chunks a breaker produced in `finalize`, handed out to the
//! workers of the next pipeline through an atomic cursor. Each chunk is
//! handed out once and the buffer lets go of it then, so a breaker's output
//! is freed as the next pipeline consumes it, not when the query ends.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use ember_core::{Error, Result};

use crate::pipeline::{LastChunk, LocalState, Source};

#[derive(Debug, Default)]
pub struct ChunkBuffer {
    /// Emptied as the cursor passes (each lock is taken once, uncontended).
    chunks: OnceLock<Vec<Mutex<Option<RecordBatch>>>>,
    cursor: AtomicUsize,
}

impl ChunkBuffer {
    pub fn new() -> Arc<ChunkBuffer> {
        Arc::new(ChunkBuffer::default())
    }

    /// Publishes the chunks; once only.
    pub fn publish(&self, chunks: Vec<RecordBatch>) -> Result<()> {
        let chunks = chunks.into_iter().map(|c| Mutex::new(Some(c))).collect();
        self.chunks.set(chunks).map_err(|_| Error::internal("chunk buffer published twice"))
    }

    /// The next chunk not handed out yet, which the buffer no longer holds,
    /// and its number.
    fn next(&self) -> Option<(usize, RecordBatch)> {
        let chunks = self.chunks.get()?;
        let i = self.cursor.fetch_add(1, Ordering::Relaxed);
        chunks.get(i)?.lock().unwrap_or_else(|e| e.into_inner()).take().map(|c| (i, c))
    }
}

impl ChunkBuffer {
    /// Lets go of the chunks not handed out (their reader stopped early).
    fn release_rest(&self) {
        for slot in self.chunks.get().into_iter().flatten() {
            slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        }
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
    fn init_local(&self) -> Result<LocalState> {
        Ok(LastChunk::init())
    }
    fn next_chunk(&self, local: &mut LocalState) -> Result<Option<RecordBatch>> {
        let Some((i, chunk)) = self.buffer.next() else { return Ok(None) };
        LastChunk::record(local, i)?;
        Ok(Some(chunk))
    }
    fn max_threads(&self) -> usize {
        self.max_threads
    }
    fn chunk_position(&self, local: &LocalState) -> Option<u64> {
        LastChunk::position(local)
    }
}

impl Drop for BufferSource {
    /// A reader that stopped early (below a limit) leaves no chunks behind:
    /// the breaker that produced them holds the buffer until the query ends.
    fn drop(&mut self) {
        self.buffer.release_rest();
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

#[cfg(test)]
mod tests {
    use arrow::array::{ArrayRef, Int64Array};
    use arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    /// A source over a buffer of two chunks sharing one column, and that column.
    fn two_chunks() -> (BufferSource, Arc<ChunkBuffer>, ArrayRef) {
        let column: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3]));
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, false)]));
        let chunk = RecordBatch::try_new(schema.clone(), vec![column.clone()]).unwrap();
        let buffer = ChunkBuffer::new();
        buffer.publish(vec![chunk.clone(), chunk]).unwrap();
        let source = BufferSource { name: "b".into(), schema, buffer: buffer.clone(), max_threads: 1 };
        (source, buffer, column)
    }

    #[test]
    fn each_chunk_is_handed_out_once_and_let_go_of() {
        let (source, _buffer, column) = two_chunks();
        assert_eq!(Arc::strong_count(&column), 3);
        let mut local = source.init_local().unwrap();
        let first = source.next_chunk(&mut local).unwrap().unwrap();
        drop(first);
        assert_eq!(Arc::strong_count(&column), 2);
        assert_eq!(source.chunk_position(&local), Some(0));
        assert!(source.next_chunk(&mut local).unwrap().is_some());
        assert_eq!(source.chunk_position(&local), Some(1));
        assert!(source.next_chunk(&mut local).unwrap().is_none());
        assert_eq!(Arc::strong_count(&column), 1);
    }

    #[test]
    fn a_reader_that_stops_early_leaves_nothing_behind() {
        let (source, buffer, column) = two_chunks();
        let first = source.next_chunk(&mut source.init_local().unwrap()).unwrap();
        drop((first, source));
        // the producer still holds the buffer, but not the unread chunk
        assert_eq!(Arc::strong_count(&column), 1);
        drop(buffer);
    }
}
