//! Hash join: the build sink collects the right input, then indexes its
//! keys (`hash_keys`: plain integers or arrow-row bytes) in a hash table with
//! per-key chains; the probe
//! operator looks each probe row's key up and hands candidate pairs to the
//! `JoinEmitter`. NULL keys never match.

use std::sync::{Arc, OnceLock};

use crate::operator::hash_keys::{EncodedKeys, KeyEncoder};
use arrow::array::{Array, ArrayRef, BooleanArray, RecordBatch};
use arrow::buffer::BooleanBuffer;
use arrow::datatypes::{DataType, SchemaRef};
use ember_core::{Error, Result};
use ember_spill::MemoryReservation;
use hashbrown::HashTable;

use super::build_side::BuildCollector;
use super::emit::{null_key_rows, BuildSide, JoinEmitter};
use crate::expr::PhysicalExpr;
use crate::pipeline::{local_mut, LocalState, Operator, OperatorResult, Sink, SinkResult};

const NO_ROW: u32 = u32::MAX;
/// Set on a table entry's row when more build rows share its key: a probe
/// then follows `next`; unique keys (the usual primary key side) never read
/// it, which saves a cache miss per match.
const MORE_ROWS: u32 = 1 << 31;

/// The indexed build side.
pub struct HashTableIndex {
    pub side: Arc<BuildSide>,
    encoder: KeyEncoder,
    keys: EncodedKeys,
    /// (tag, first build row with that key | `MORE_ROWS`); the tag is the
    /// key itself for integer keys (no look-up into `keys` on a probe), else
    /// the hash
    table: HashTable<(u64, u32)>,
    /// next build row with the same key, or NO_ROW
    next: Vec<u32>,
    has_null_key: bool,
}

impl HashTableIndex {
    /// Whether each value of `keys` (one column of the single key's type)
    /// has a build row; NULL never does. Scans use it as a join filter.
    pub fn contains(&self, keys: &ArrayRef) -> Result<BooleanArray> {
        let encoded = self.encoder.encode(std::slice::from_ref(keys))?;
        let exact = encoded.tag_is_key();
        let nulls = keys.logical_nulls();
        let found = BooleanBuffer::collect_bool(keys.len(), |i| {
            if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                return false;
            }
            let h = self.encoder.hash(&encoded, i);
            let tag = encoded.tag(i, h);
            self.table
                .find(h, |(t, er)| *t == tag && (exact || self.keys.equals((*er & !MORE_ROWS) as usize, &encoded, i)))
                .is_some()
        });
        Ok(BooleanArray::new(found, None))
    }
}

/// The index of a hash join, once its build side is done.
pub type JoinIndex = Arc<OnceLock<Arc<HashTableIndex>>>;

pub struct HashJoinBuild {
    pub keys: Vec<PhysicalExpr>,
    pub key_types: Vec<DataType>,
    pub collector: BuildCollector,
    pub index: Arc<OnceLock<Arc<HashTableIndex>>>,
}

impl HashJoinBuild {
    pub fn new(
        schema: SchemaRef,
        keys: Vec<PhysicalExpr>,
        key_types: Vec<DataType>,
        reservation: MemoryReservation,
        track_matches: bool,
    ) -> HashJoinBuild {
        HashJoinBuild {
            keys,
            key_types,
            collector: BuildCollector::new(schema, reservation, track_matches),
            index: Arc::new(OnceLock::new()),
        }
    }
}

impl Sink for HashJoinBuild {
    fn name(&self) -> String {
        "HashJoinBuild".into()
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
        let side = self.collector.finish()?;
        let batch = &side.batch;
        let n = batch.num_rows();
        if n >= MORE_ROWS as usize {
            return Err(Error::not_implemented("hash join build sides of 2 billion rows or more"));
        }
        let key_cols = self.keys.iter().map(|k| k.evaluate(batch)).collect::<Result<Vec<ArrayRef>>>()?;
        let encoder = KeyEncoder::new(&self.key_types)?;
        let keys = encoder.encode(&key_cols)?;
        let nulls = null_key_rows(&key_cols, n);
        let mut table: HashTable<(u64, u32)> = HashTable::with_capacity(n);
        let mut next = vec![NO_ROW; n];
        let mut has_null_key = false;
        // insert in reverse so chains list rows in build order
        for i in (0..n).rev() {
            if nulls[i] {
                has_null_key = true;
                continue;
            }
            let h = encoder.hash(&keys, i);
            let tag = keys.tag(i, h);
            let exact = keys.tag_is_key();
            match table
                .find_mut(h, |(t, er)| *t == tag && (exact || keys.equals((*er & !MORE_ROWS) as usize, &keys, i)))
            {
                Some(entry) => {
                    next[i] = entry.1 & !MORE_ROWS;
                    entry.1 = i as u32 | MORE_ROWS;
                }
                None => {
                    table.insert_unique(h, (tag, i as u32), |(t, _)| encoder.rehash(*t));
                }
            }
        }
        let index = HashTableIndex { side, encoder, keys, table, next, has_null_key };
        self.collector.grow(index.keys.memory_size() + index.next.len() * 4 + index.table.capacity() * 16)?;
        self.index.set(Arc::new(index)).map_err(|_| Error::internal("hash join built twice"))?;
        Ok(())
    }
}

pub struct HashJoinProbe {
    pub schema: SchemaRef,
    pub keys: Vec<PhysicalExpr>,
    pub index: Arc<OnceLock<Arc<HashTableIndex>>>,
    pub emitter: JoinEmitter,
    pub display: String,
}

/// Probe rows handled per step, bounding the size of one output chunk.
const PROBE_SLICE: usize = 4096;

impl Operator for HashJoinProbe {
    fn name(&self) -> String {
        format!("HashJoinProbe {:?} [{}]", self.emitter.kind, self.display)
    }
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    fn init_local(&self) -> Result<LocalState> {
        Ok(Box::new(0usize))
    }
    fn execute(&self, local: &mut LocalState, input: &RecordBatch) -> Result<OperatorResult> {
        let offset = local_mut::<usize>(local)?;
        let index = self.index.get().ok_or_else(|| Error::internal("probe before the hash table was built"))?;
        let start = *offset;
        let len = PROBE_SLICE.min(input.num_rows() - start);
        let chunk = input.slice(start, len);
        let key_cols = self.keys.iter().map(|k| k.evaluate(&chunk)).collect::<Result<Vec<ArrayRef>>>()?;
        let probe_keys = index.encoder.encode(&key_cols)?;
        let nulls = null_key_rows(&key_cols, len);
        let mut p_idx = Vec::new();
        let mut b_idx = Vec::new();
        for (i, null) in nulls.iter().enumerate() {
            if *null {
                continue;
            }
            let h = index.encoder.hash(&probe_keys, i);
            let tag = probe_keys.tag(i, h);
            let exact = probe_keys.tag_is_key();
            if let Some((_, first)) = index.table.find(h, |(t, er)| {
                *t == tag && (exact || index.keys.equals((*er & !MORE_ROWS) as usize, &probe_keys, i))
            }) {
                p_idx.push(i as u32);
                b_idx.push(*first & !MORE_ROWS);
                if *first & MORE_ROWS != 0 {
                    let mut b = index.next[(*first & !MORE_ROWS) as usize];
                    while b != NO_ROW {
                        p_idx.push(i as u32);
                        b_idx.push(b);
                        b = index.next[b as usize];
                    }
                }
            }
        }
        let out = self.emitter.emit(&chunk, &index.side, p_idx, b_idx, Some(&nulls), index.has_null_key)?;
        if start + len < input.num_rows() {
            *offset = start + len;
            match out {
                Some(o) => Ok(OperatorResult::HaveMoreOutput(o)),
                // nothing from this slice: continue with the next one
                None => self.execute(local, input),
            }
        } else {
            *offset = 0;
            Ok(OperatorResult::NeedMoreInput(out))
        }
    }
}
