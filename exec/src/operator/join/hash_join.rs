//! Hash join: the build sink collects the right input, then indexes its
//! keys (`hash_keys`: plain integers or encoded key rows) in hash tables
//! with per-key chains; the probe operator looks each probe row's key up and
//! hands candidate pairs to the `JoinEmitter`. NULL keys never match.
//!
//! The index is built in parallel: the build rows are split into radix
//! partitions by hash, each with a table of its own filled by one finalize
//! task; a probe finds its partition from the same hash bits. A partition's
//! table is also small enough that filling it mostly hits the cache.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};

use crate::operator::hash_keys::{radix_partition, EncodedKeys, KeyEncoder, RADIX_PARTITIONS};
use crate::operator::packed_keys::PackedIntKeys;
use crate::operator::tag_index::TagIndex;
use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, BooleanBufferBuilder, RecordBatch, RecordBatchOptions};
use arrow::buffer::BooleanBuffer;
use arrow::datatypes::{DataType, SchemaRef};
use ember_core::{Error, Result};
use ember_spill::MemoryReservation;

use super::build_side::{BuildCollector, BuildSideCell};
use super::direct_index::{self, DirectIndex, DirectIndexBuild};
use super::emit::{null_key_rows, BuildSide, JoinEmitter};
use super::key_bitmap::KeyBitmap;
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
    /// One table per radix partition of the key hashes (see
    /// `hash_keys::radix_partition`), of (tag, first build row with that key
    /// | `MORE_ROWS`); the tag is the key itself for integer keys (no look-up
    /// into `keys` on a probe), else the hash
    tables: Vec<TagIndex>,
    /// next build row with the same key, or NO_ROW (written by the
    /// partitions' tasks, each for its own rows)
    next: Vec<AtomicU32>,
    has_null_key: bool,
    /// Per key column: its build values as a bitmap, for the integer keys
    /// a scan filters by. Join filters test it before (an exact bitmap:
    /// instead of) probing the tables, and for a join on several keys it
    /// is the only way to test one of them.
    bitmaps: Vec<Option<KeyBitmap>>,
    /// One integer key (or several packed into one) over a range dense
    /// enough: the entries by key value, in place of `tables` (which are
    /// then empty).
    direct: Option<DirectIndex>,
}

impl HashTableIndex {
    #[inline]
    fn table(&self, hash: u64) -> &TagIndex {
        &self.tables[radix_partition(hash, self.tables.len())]
    }

    /// The table entry (first build row | `MORE_ROWS`) for key `i` of
    /// `probe` (encoded by this index's encoder, not NULL), if any.
    #[inline]
    fn entry(&self, probe: &EncodedKeys, i: usize) -> Option<u32> {
        if let (Some(direct), EncodedKeys::Int { values, .. }) = (&self.direct, probe) {
            let entry = direct.get(values[i]);
            return (entry != direct_index::EMPTY).then_some(entry);
        }
        // a direct index leaves the tables empty; probe keys share its encoder
        debug_assert!(self.direct.is_none(), "a direct index probed with non-integer keys");
        self.entry_hashed(probe, i, self.encoder.hash(probe, i))
    }

    /// `entry`, in the tables, with the key's hash at hand.
    #[inline]
    fn entry_hashed(&self, probe: &EncodedKeys, i: usize, hash: u64) -> Option<u32> {
        let tag = probe.tag(i, hash);
        let exact = probe.tag_is_key();
        self.table(hash).find(hash, tag, |row| exact || self.keys.equals((row & !MORE_ROWS) as usize, probe, i))
    }

    /// Whether each value of `keys` (a column of the type of key `key`)
    /// may have a build row with that value in that key; NULL never does.
    /// Exact for a join on one key; of several, a value the key's bitmap
    /// cannot rule out passes. `None` when this index cannot tell (one of
    /// several keys, without a bitmap). Scans use it as a join filter,
    /// which only needs to drop rows that cannot match.
    pub fn contains(&self, key: usize, keys: &ArrayRef) -> Result<Option<BooleanArray>> {
        let single = self.bitmaps.len() == 1;
        match self.bitmaps.get(key) {
            Some(Some(bitmap)) if bitmap.is_exact() || !single => bitmap.contains_all(keys).map(Some),
            // a coarse bitmap rules most rows out; the table decides the rest
            Some(Some(bitmap)) => {
                let may = bitmap.contains_all(keys)?;
                let candidates = arrow::compute::filter(keys.as_ref(), &may)?;
                let found = self.probe_all(&candidates)?;
                let mut exact = BooleanBufferBuilder::new(keys.len());
                exact.append_n(keys.len(), false);
                for (j, i) in may.values().set_indices().enumerate() {
                    if found.value(j) {
                        exact.set_bit(i, true);
                    }
                }
                Ok(Some(BooleanArray::new(exact.finish(), None)))
            }
            _ if single => self.probe_all(keys).map(|found| Some(BooleanArray::new(found, None))),
            _ => Ok(None),
        }
    }

    /// Whether each value of `keys` (the only key's type) has a build row,
    /// by probing the table; NULL never has.
    fn probe_all(&self, keys: &ArrayRef) -> Result<BooleanBuffer> {
        let encoded = self.encoder.encode(std::slice::from_ref(keys))?;
        let nulls = keys.logical_nulls();
        Ok(BooleanBuffer::collect_bool(keys.len(), |i| {
            !nulls.as_ref().is_some_and(|n| n.is_null(i)) && self.entry(&encoded, i).is_some()
        }))
    }
}

/// The bitmap of an integer key column's non-NULL values (`None` for
/// another type, or no values).
fn key_column_bitmap(column: &ArrayRef) -> Result<Option<KeyBitmap>> {
    use arrow::datatypes::Int64Type;
    if !ember_core::types::is_integral(column.data_type()) {
        return Ok(None);
    }
    let values = arrow::compute::cast(column, &DataType::Int64)?;
    let values = values.as_primitive::<Int64Type>();
    Ok(KeyBitmap::build(values.iter().flatten()))
}

/// The index of a hash join, once its build side is done.
pub type JoinIndex = Arc<OnceLock<Arc<HashTableIndex>>>;

/// One key of a hash join, which a scan under the join's probe side
/// filters its rows by.
#[derive(Clone)]
pub struct JoinKey {
    pub index: JoinIndex,
    /// Its position among the join's keys.
    pub key: usize,
}

pub struct HashJoinBuild {
    pub keys: Vec<PhysicalExpr>,
    pub key_types: Vec<DataType>,
    /// The keys a scan filters by, of a join on several keys: they get a
    /// bitmap (`HashTableIndex::bitmaps`), the others none.
    filtered_keys: Vec<usize>,
    pub collector: BuildCollector,
    /// Set by `finalize`. Held weakly, as the build side is (see
    /// `build_side`): the index lives as long as the probe and the scans
    /// whose join filter it is.
    index: Weak<OnceLock<Arc<HashTableIndex>>>,
    /// Between `finalize_tasks` and `finalize`: the index being filled.
    building: RwLock<Option<IndexBuild>>,
}

/// An index whose partitions' tables are being filled, one task each, and
/// whose build side's columns are being put together, one task each.
struct IndexBuild {
    encoder: KeyEncoder,
    keys: EncodedKeys,
    /// hash of every build row's key
    hashes: Vec<u64>,
    /// the non-NULL-key build rows of each partition, in build order
    rows: Vec<Vec<u32>>,
    tables: Vec<Mutex<TagIndex>>,
    /// in place of `tables`, for a dense integer key
    direct: Option<DirectIndexBuild>,
    next: Vec<AtomicU32>,
    has_null_key: bool,
    /// Per key (see `HashTableIndex::bitmaps`).
    bitmaps: Vec<Option<KeyBitmap>>,
    /// Per build column: the collected chunks' arrays, taken by the task
    /// that concatenates them and dropped as soon as it has (so the build
    /// side is held twice only one column at a time), then the result.
    parts: Vec<Mutex<Vec<ArrayRef>>>,
    columns: Vec<Mutex<Option<ArrayRef>>>,
}

/// Build sides below this many rows get one table (one task).
const PARTITION_MIN_ROWS: usize = 1 << 15;

impl HashJoinBuild {
    /// The sink, and the cells its index and build side will be published
    /// in, for their readers to hold. `filtered_keys`: the keys scans will
    /// filter by (see `JoinKey`).
    pub fn new(
        schema: SchemaRef,
        keys: Vec<PhysicalExpr>,
        key_types: Vec<DataType>,
        filtered_keys: Vec<usize>,
        reservation: MemoryReservation,
        track_matches: bool,
    ) -> (HashJoinBuild, JoinIndex, BuildSideCell) {
        let (collector, side) = BuildCollector::new(schema, reservation, track_matches);
        let index = JoinIndex::default();
        let build = HashJoinBuild {
            keys,
            key_types,
            filtered_keys,
            collector,
            index: Arc::downgrade(&index),
            building: RwLock::new(None),
        };
        (build, index, side)
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
    /// Encodes and hashes the build rows' keys and splits the rows into
    /// partitions. Tasks then fill one partition's table each, and put
    /// together one column of the build side each, side by side.
    fn finalize_tasks(&self) -> Result<usize> {
        let chunks = self.collector.take_chunks();
        let n: usize = chunks.iter().map(RecordBatch::num_rows).sum();
        // `MORE_ROWS | row` must stay apart from every row
        if n >= MORE_ROWS as usize {
            return Err(Error::not_implemented("hash join build sides of 2 billion rows or more"));
        }
        let key_cols = self
            .keys
            .iter()
            .zip(&self.key_types)
            .map(|(k, t)| {
                let parts = chunks.iter().map(|c| k.evaluate(c)).collect::<Result<Vec<ArrayRef>>>()?;
                concat_arrays(&parts, t)
            })
            .collect::<Result<Vec<ArrayRef>>>()?;
        let encoder = match PackedIntKeys::for_build(&self.key_types, &key_cols)? {
            Some(packing) => KeyEncoder::Packed(packing),
            None => KeyEncoder::new(&self.key_types)?,
        };
        let keys = encoder.encode(&key_cols)?;
        let nulls = null_key_rows(&key_cols, n);
        // a single integer key's bitmap comes from its encoded values (in
        // `finalize`); of several keys, those a scan filters by get one
        let bitmaps = if key_cols.len() > 1 {
            let filtered = |k: &usize| self.filtered_keys.contains(k);
            (0..key_cols.len())
                .map(|k| if filtered(&k) { key_column_bitmap(&key_cols[k]) } else { Ok(None) })
                .collect::<Result<Vec<_>>>()?
        } else {
            vec![None]
        };
        drop(key_cols);
        let partitions = if n < PARTITION_MIN_ROWS { 1 } else { RADIX_PARTITIONS };
        let direct = match &keys {
            EncodedKeys::Int { values, .. } => {
                match DirectIndex::range_for(values.iter().zip(&nulls).filter(|(_, null)| !**null).map(|(v, _)| *v)) {
                    Some((min, len)) => {
                        // reserved before it is allocated; `finalize` counts
                        // the rest of the index
                        self.collector.grow(len * 4)?;
                        Some(DirectIndexBuild::new(min, len, partitions))
                    }
                    None => None,
                }
            }
            _ => None,
        };
        // a direct index is filled one stretch of keys per task
        let partitions = direct.as_ref().map_or(partitions, DirectIndexBuild::stretches);
        let hashes: Vec<u64> = if direct.is_some() { vec![] } else { (0..n).map(|i| encoder.hash(&keys, i)).collect() };
        // a direct index is filled by key range, so that each task writes
        // its own stretch of slots; tables by hash
        let partition_of = |i: usize| match (&direct, &keys) {
            (Some(direct), EncodedKeys::Int { values, .. }) => direct.stretch_of(values[i]),
            _ => radix_partition(hashes[i], partitions),
        };
        let mut rows = vec![Vec::new(); partitions];
        let mut has_null_key = false;
        for (i, null) in nulls.iter().enumerate() {
            if *null {
                has_null_key = true;
            } else {
                rows[partition_of(i)].push(i as u32);
            }
        }
        let tables = rows
            .iter()
            .map(|r| Mutex::new(TagIndex::with_capacity(if direct.is_some() { 0 } else { r.len() })))
            .collect();
        let next = (0..n).map(|_| AtomicU32::new(NO_ROW)).collect();
        let width = self.collector.schema().fields().len();
        let mut parts = vec![Vec::with_capacity(chunks.len()); width];
        for chunk in chunks {
            for (c, column) in chunk.columns().iter().enumerate() {
                parts[c].push(column.clone());
            }
        }
        let parts = parts.into_iter().map(Mutex::new).collect();
        let columns = (0..width).map(|_| Mutex::new(None)).collect();
        let build =
            IndexBuild { encoder, keys, hashes, rows, tables, direct, next, has_null_key, bitmaps, parts, columns };
        *self.building.write().unwrap_or_else(|e| e.into_inner()) = Some(build);
        Ok(partitions + self.collector.schema().fields().len())
    }
    fn finalize_task(&self, task: usize) -> Result<()> {
        let building = self.building.read().unwrap_or_else(|e| e.into_inner());
        let b = building.as_ref().ok_or_else(|| Error::internal("hash join partition built before its rows"))?;
        if let Some(c) = task.checked_sub(b.rows.len()) {
            let parts = std::mem::take(&mut *b.parts[c].lock().unwrap_or_else(|e| e.into_inner()));
            let column = concat_arrays(&parts, self.collector.schema().field(c).data_type())?;
            drop(parts);
            *b.columns[c].lock().unwrap_or_else(|e| e.into_inner()) = Some(column);
            return Ok(());
        }
        let (keys, next) = (&b.keys, &b.next);
        if let (Some(direct), EncodedKeys::Int { values, .. }) = (&b.direct, keys) {
            // this task's keys are its stretch's. In reverse, so chains
            // list rows in build order.
            direct.fill(task, |slots| {
                for &row in b.rows[task].iter().rev() {
                    let key = values[row as usize];
                    let first = slots.get(key)?;
                    if first == direct_index::EMPTY {
                        slots.set(key, row)?;
                    } else {
                        next[row as usize].store(first & !MORE_ROWS, Ordering::Relaxed);
                        slots.set(key, row | MORE_ROWS)?;
                    }
                }
                Ok(())
            })?;
            return Ok(());
        }
        let exact = keys.tag_is_key();
        let mut table = b.tables[task].lock().unwrap_or_else(|e| e.into_inner());
        // insert in reverse so chains list rows in build order
        for &row in b.rows[task].iter().rev() {
            let i = row as usize;
            let h = b.hashes[i];
            let tag = keys.tag(i, h);
            match table.find_mut(h, tag, |first| exact || keys.equals((first & !MORE_ROWS) as usize, keys, i)) {
                Some(first) => {
                    next[i].store(*first & !MORE_ROWS, Ordering::Relaxed);
                    *first = row | MORE_ROWS;
                }
                None => table.insert_new(h, tag, row, |t| b.encoder.rehash(t)),
            }
        }
        Ok(())
    }
    fn finalize(&self) -> Result<()> {
        let b = self
            .building
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .ok_or_else(|| Error::internal("hash join finalized before its tasks"))?;
        let n = b.next.len();
        // the tasks are done with them
        drop((b.hashes, b.rows, b.parts));
        let columns = b
            .columns
            .into_iter()
            .map(|c| c.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect::<Option<Vec<ArrayRef>>>()
            .ok_or_else(|| Error::internal("hash join build column missing"))?;
        let batch = RecordBatch::try_new_with_options(
            self.collector.schema(),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(n)),
        )?;
        let tables: Vec<_> = b.tables.into_iter().map(|t| t.into_inner().unwrap_or_else(|e| e.into_inner())).collect();
        // (a direct index was reserved when it was allocated)
        let table_bytes: usize = tables.iter().map(TagIndex::memory_size).sum::<usize>();
        let mut bitmaps = b.bitmaps;
        // a single integer key that a scan filters by
        if let (EncodedKeys::Int { values, null }, true) =
            (&b.keys, self.key_types.len() == 1 && self.filtered_keys == [0])
        {
            bitmaps = vec![KeyBitmap::build(
                values.iter().enumerate().filter(|(i, _)| !null.get(*i).copied().unwrap_or(false)).map(|(_, v)| *v),
            )];
        }
        let bitmap_bytes: usize = bitmaps.iter().flatten().map(KeyBitmap::memory_size).sum();
        // reserved before publishing: the side takes the reservation along
        self.collector.grow(b.keys.memory_size() + n * 4 + table_bytes + bitmap_bytes)?;
        let side = self.collector.publish(batch)?;
        let index = HashTableIndex {
            side,
            encoder: b.encoder,
            keys: b.keys,
            tables,
            next: b.next,
            has_null_key: b.has_null_key,
            bitmaps,
            direct: b.direct.map(DirectIndexBuild::finish),
        };
        // no cell: every reader is gone, and the index is dropped unread
        if let Some(cell) = self.index.upgrade() {
            cell.set(Arc::new(index)).map_err(|_| Error::internal("hash join built twice"))?;
        }
        Ok(())
    }
}

/// One array of `data_type` from the chunks' parts (none: empty).
fn concat_arrays(parts: &[ArrayRef], data_type: &DataType) -> Result<ArrayRef> {
    Ok(match parts {
        [] => arrow::array::new_empty_array(data_type),
        [one] => one.clone(),
        _ => arrow::compute::concat(&parts.iter().map(|p| p.as_ref()).collect::<Vec<_>>())?,
    })
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
/// How many rows ahead of its search a probe row's table entries are
/// prefetched: enough for several cache misses to be in flight.
const PREFETCH_AHEAD: usize = 16;

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
        // the row before's lookup (row, entry found): a probe row with the
        // same key as the row before takes its matches without a lookup, as
        // in `lineitem` probing by its clustered order key
        let mut previous: Option<(usize, Option<u32>)> = None;
        // the tables' keys are hashed up front, so that the entries of the
        // row `PREFETCH_AHEAD` places on can be asked for before a row's
        // search (of a direct index, the slot of its key)
        let hashes: Vec<u64> = if index.direct.is_some() { vec![] } else { index.encoder.hashes(&probe_keys, len) };
        let direct_keys = match (&index.direct, &probe_keys) {
            (Some(direct), EncodedKeys::Int { values, .. }) => Some((direct, values)),
            _ => None,
        };
        for (i, null) in nulls.iter().enumerate() {
            if let Some(ahead) = hashes.get(i + PREFETCH_AHEAD) {
                index.table(*ahead).prefetch(*ahead);
            } else if let Some((direct, keys)) = direct_keys {
                if let Some(key) = keys.get(i + PREFETCH_AHEAD) {
                    direct.prefetch(*key);
                }
            }
            if *null {
                continue;
            }
            let found = match previous {
                Some((j, found)) if j + 1 == i && probe_keys.equals(j, &probe_keys, i) => found,
                _ if hashes.is_empty() => index.entry(&probe_keys, i),
                _ => index.entry_hashed(&probe_keys, i, hashes[i]),
            };
            previous = Some((i, found));
            if let Some(first) = found {
                p_idx.push(i as u32);
                b_idx.push(first & !MORE_ROWS);
                if first & MORE_ROWS != 0 {
                    let mut b = index.next[(first & !MORE_ROWS) as usize].load(Ordering::Relaxed);
                    while b != NO_ROW {
                        p_idx.push(i as u32);
                        b_idx.push(b);
                        b = index.next[b as usize].load(Ordering::Relaxed);
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

#[cfg(test)]
mod tests {
    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{Field, Schema};
    use ember_spill::MemoryPool;

    use super::*;

    /// A finished hash join over (id, code, name) rows keyed on
    /// (id, name, code), with scans filtering by keys `filtered`.
    fn built(filtered: Vec<usize>) -> (JoinIndex, Arc<HashTableIndex>) {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("code", DataType::Int64, true),
            Field::new("name", DataType::Utf8, false),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(vec![10, 20, 30])),
                Arc::new(Int64Array::from(vec![Some(1), None, Some(3)])),
                Arc::new(StringArray::from(vec!["a", "b", "c"])),
            ],
        )
        .unwrap();
        let keys = vec![PhysicalExpr::Column(0), PhysicalExpr::Column(2), PhysicalExpr::Column(1)];
        let types = vec![DataType::Int64, DataType::Utf8, DataType::Int64];
        built_on(batch, keys, types, filtered)
    }

    fn built_on(
        batch: RecordBatch,
        keys: Vec<PhysicalExpr>,
        types: Vec<DataType>,
        filtered: Vec<usize>,
    ) -> (JoinIndex, Arc<HashTableIndex>) {
        let schema = batch.schema();
        let reservation = MemoryPool::unlimited().reserve("test");
        let (build, index, _side) = HashJoinBuild::new(schema, keys, types, filtered, reservation, false);
        let mut local = build.init_local().unwrap();
        build.sink(&mut local, batch).unwrap();
        build.combine(local).unwrap();
        for task in 0..build.finalize_tasks().unwrap() {
            build.finalize_task(task).unwrap();
        }
        build.finalize().unwrap();
        let built = index.get().unwrap().clone();
        (index, built)
    }

    fn found(index: &HashTableIndex, key: usize, values: ArrayRef) -> Option<Vec<bool>> {
        index.contains(key, &values).unwrap().map(|m| m.iter().map(|b| b.unwrap()).collect())
    }

    #[test]
    fn each_filtered_integer_key_of_several_answers_alone() {
        let (_cell, index) = built(vec![0, 2]);
        let ids: ArrayRef = Arc::new(Int64Array::from(vec![Some(10), Some(15), None, Some(30)]));
        assert_eq!(found(&index, 0, ids), Some(vec![true, false, false, true]));
        // a NULL build key is no value of the set
        let codes: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3]));
        assert_eq!(found(&index, 2, codes), Some(vec![true, false, true]));
        // a string key cannot answer alone
        let names: ArrayRef = Arc::new(StringArray::from(vec!["a"]));
        assert_eq!(found(&index, 1, names), None);
    }

    #[test]
    fn keys_no_scan_filters_by_get_no_bitmap() {
        let (_cell, index) = built(vec![]);
        let ids: ArrayRef = Arc::new(Int64Array::from(vec![10]));
        assert_eq!(found(&index, 0, ids), None);
    }

    /// Keys over a range too wide for a bit per value: the join filter is
    /// still exact for a join on that one key, and of several keys it lets
    /// through only values near a key.
    #[test]
    fn keys_over_a_wide_range_are_filtered_exactly_on_one_key() {
        let spread: Vec<i64> = (0..100).map(|i| i * 1_000_003).collect();
        let schema = Arc::new(Schema::new(vec![
            Field::new("k", DataType::Int64, false),
            Field::new("j", DataType::Int64, false),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![Arc::new(Int64Array::from(spread.clone())), Arc::new(Int64Array::from(spread.clone()))],
        )
        .unwrap();
        let probe: ArrayRef =
            Arc::new(Int64Array::from(vec![Some(0), Some(1), None, Some(2_000_006), Some(2_000_007)]));
        let (_cell, one) = built_on(batch.clone(), vec![PhysicalExpr::Column(0)], vec![DataType::Int64], vec![0]);
        assert_eq!(found(&one, 0, probe.clone()), Some(vec![true, false, false, true, false]));
        let (_cell, two) = built_on(
            batch,
            vec![PhysicalExpr::Column(0), PhysicalExpr::Column(1)],
            vec![DataType::Int64, DataType::Int64],
            vec![0],
        );
        let may = found(&two, 0, probe).unwrap();
        assert_eq!((may[0], may[2], may[3]), (true, false, true));
    }
}
