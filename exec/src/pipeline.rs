//! The Source / Operator / Sink contracts.
//!
//! Each implementation is the *global* state of its operator (shared by all
//! workers, synchronised inside); `init_local` creates the per-worker *local*
//! state. Contract: `next_chunk`, `execute` and `sink` run in parallel, each
//! worker on its own local state; `combine` runs once per local state after
//! that worker is done; `finalize` runs once, after every worker of every
//! pipeline feeding the sink has combined.

use std::any::Any;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use ember_core::{Error, Result};

use crate::profile::PipelineMetrics;

/// Per-worker state of a source, operator or sink.
pub type LocalState = Box<dyn Any + Send>;

/// A no-op local state.
pub fn no_state() -> LocalState {
    Box::new(())
}

/// Downcasts a local state created by the same operator's `init_local`.
pub fn local_mut<T: 'static>(state: &mut LocalState) -> Result<&mut T> {
    state.downcast_mut::<T>().ok_or_else(|| Error::internal("local state of another operator"))
}

/// Reads a local state created by the same operator's `init_local`.
pub fn local_ref<T: 'static>(state: &LocalState) -> Option<&T> {
    state.downcast_ref::<T>()
}

/// The local state of a source whose chunks are numbered by one shared
/// cursor: the number of the chunk this worker got last.
#[derive(Default)]
pub struct LastChunk(pub u64);

impl LastChunk {
    pub fn init() -> LocalState {
        Box::new(LastChunk::default())
    }
    /// Notes that this worker got chunk `i`.
    pub fn record(local: &mut LocalState, i: usize) -> Result<()> {
        local_mut::<LastChunk>(local)?.0 = i as u64;
        Ok(())
    }
    pub fn position(local: &LocalState) -> Option<u64> {
        local_ref::<LastChunk>(local).map(|l| l.0)
    }
}

pub trait Source: Send + Sync {
    fn name(&self) -> String;
    fn schema(&self) -> SchemaRef;
    fn init_local(&self) -> Result<LocalState> {
        Ok(no_state())
    }
    /// The next chunk for this worker; `None` when this worker will get no more.
    fn next_chunk(&self, local: &mut LocalState) -> Result<Option<RecordBatch>>;
    /// How many workers can usefully pull from this source (1 keeps order).
    fn max_threads(&self) -> usize {
        usize::MAX
    }
    /// Where the chunk `next_chunk` last gave this worker stands in the
    /// source's order: a chunk with a lower position comes first. `None`
    /// when the source has no order to keep. The result sink puts what
    /// workers produced back in this order, as Spark returns a scan's rows
    /// in the order of its partitions. A source that wraps another must
    /// pass this on.
    fn chunk_position(&self, _local: &LocalState) -> Option<u64> {
        None
    }
}

/// Where a worker is in a source that hands out numbered pieces of work
/// (row groups, files) and cuts each into chunks: the piece it reads and
/// how many chunks that gave so far.
#[derive(Default)]
pub struct UnitChunks {
    unit: usize,
    chunks: usize,
}

impl UnitChunks {
    /// The worker starts on piece `unit`.
    pub fn start(&mut self, unit: usize) {
        (self.unit, self.chunks) = (unit, 0);
    }
    /// The worker got the next chunk of its piece.
    pub fn count(&mut self) {
        self.chunks += 1;
    }
    /// The position of the chunk it got last: pieces first, then chunks.
    pub fn position(&self) -> u64 {
        ((self.unit as u64) << 32) | (self.chunks.saturating_sub(1) as u64 & 0xffff_ffff)
    }
}

/// A chunk's place in a pipeline's output: its branch (UNION ALL inputs
/// come in the order they are written), the source position of the chunk it
/// came from, and how many chunks the worker's operators made of that one
/// before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct ChunkPlace {
    pub branch: usize,
    pub position: u64,
    pub part: usize,
}

/// A source read by a single worker, so that its chunks arrive in order:
/// without ORDER BY, a window's rows are in the order of its input, and a
/// limit takes the first rows of its input (Spark reads them in that order
/// too), which several workers would shuffle.
pub struct InOrder(pub Arc<dyn Source>);

impl Source for InOrder {
    fn name(&self) -> String {
        self.0.name()
    }
    fn schema(&self) -> SchemaRef {
        self.0.schema()
    }
    fn init_local(&self) -> Result<LocalState> {
        self.0.init_local()
    }
    fn next_chunk(&self, local: &mut LocalState) -> Result<Option<RecordBatch>> {
        self.0.next_chunk(local)
    }
    fn max_threads(&self) -> usize {
        1
    }
    fn chunk_position(&self, local: &LocalState) -> Option<u64> {
        self.0.chunk_position(local)
    }
}

pub enum OperatorResult {
    /// Done with this input; maybe an output chunk.
    NeedMoreInput(Option<RecordBatch>),
    /// An output chunk, and more output for the same input: call again.
    HaveMoreOutput(RecordBatch),
    /// No more output will ever come (e.g. a limit is reached).
    Finished(Option<RecordBatch>),
}

pub trait Operator: Send + Sync {
    fn name(&self) -> String;
    fn schema(&self) -> SchemaRef;
    fn init_local(&self) -> Result<LocalState> {
        Ok(no_state())
    }
    fn execute(&self, local: &mut LocalState, input: &RecordBatch) -> Result<OperatorResult>;
    /// Called once per worker after its input is exhausted; returns chunks
    /// still held (called again until it returns `None`).
    fn finish(&self, _local: &mut LocalState) -> Result<Option<RecordBatch>> {
        Ok(None)
    }
}

pub enum SinkResult {
    NeedMoreInput,
    /// The sink wants no more input (a limit is reached).
    Finished,
}

pub trait Sink: Send + Sync {
    fn name(&self) -> String;
    fn init_local(&self) -> Result<LocalState> {
        Ok(no_state())
    }
    fn sink(&self, local: &mut LocalState, chunk: RecordBatch) -> Result<SinkResult>;
    /// Called before the chunks made of one source chunk reach `sink`, with
    /// that chunk's branch and position; only a sink that keeps the order
    /// of its input needs it.
    fn start_chunk(&self, _local: &mut LocalState, _branch: usize, _position: Option<u64>) {}
    fn combine(&self, _local: LocalState) -> Result<()> {
        Ok(())
    }
    /// Independent pieces of finalize work (say, one per partition of a
    /// hash table), asked once every worker has combined. The executor runs
    /// `finalize_task(0..n)` on up to the pipeline's number of workers, then
    /// `finalize`.
    fn finalize_tasks(&self) -> Result<usize> {
        Ok(0)
    }
    fn finalize_task(&self, _task: usize) -> Result<()> {
        Ok(())
    }
    fn finalize(&self) -> Result<()> {
        Ok(())
    }
}

/// One chain from a source through operators; several branches (UNION ALL)
/// may feed one sink.
#[derive(Clone)]
pub struct Branch {
    pub source: Arc<dyn Source>,
    pub operators: Vec<Arc<dyn Operator>>,
}

/// Branches into one sink. Pipelines run in the order the planner created
/// them, which puts every pipeline after the ones it depends on.
pub struct Pipeline {
    pub branches: Vec<Branch>,
    pub sink: Arc<dyn Sink>,
    /// Rows, time and workers counted while it runs (`EXPLAIN ANALYZE`).
    pub metrics: PipelineMetrics,
}

impl Pipeline {
    /// `sink_memory_peak`: the peak tracker of the sink's memory reservation.
    pub fn new(branches: Vec<Branch>, sink: Arc<dyn Sink>, sink_memory_peak: Option<Arc<AtomicUsize>>) -> Pipeline {
        let metrics = PipelineMetrics::new(&branches, sink.as_ref(), sink_memory_peak);
        Pipeline { branches, sink, metrics }
    }

    pub fn describe(&self) -> String {
        let mut s = String::new();
        for b in &self.branches {
            s.push_str(&b.source.name());
            for o in &b.operators {
                s.push_str(" -> ");
                s.push_str(&o.name());
            }
            s.push_str(" -> ");
            s.push_str(&self.sink.name());
            s.push('\n');
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::UnitChunks;

    #[test]
    fn chunk_positions_order_pieces_then_chunks() {
        let mut place = UnitChunks::default();
        place.start(3);
        place.count();
        let first = place.position();
        place.count();
        let second = place.position();
        place.start(4);
        place.count();
        let next_piece = place.position();
        assert!(first < second && second < next_piece);
        let mut earlier = UnitChunks::default();
        earlier.start(2);
        for _ in 0..100_000 {
            earlier.count();
        }
        assert!(earlier.position() < first);
    }
}
