//! Hash aggregation. Each worker groups its chunks into a local table
//! (group keys encoded by `hash_keys` -> dense group index, one accumulator
//! per aggregate); `combine` hands the finished local table over.
//!
//! A worker's table that reaches `FLUSH_GROUPS` groups is handed over early
//! and a new one started, which keeps its hash index cache-sized while
//! the tables pre-aggregate well (and growing geometrically otherwise).
//!
//! Merging: when the local tables hold many groups, each is split into
//! radix partitions by hash, a table per partition (a large one on the
//! worker that hands it over, while it is still in that core's cache), and
//! each partition is a finalize task: it merges that partition's tables
//! into one and evaluates it, so the merge runs on every worker, reads each
//! table front to back, and each partition's table is freed as soon as its
//! rows are out. With few groups, `finalize` merges the local tables into
//! the first one.

use std::sync::{Arc, Mutex, RwLock};

use arrow::array::UInt32Array;
use arrow::array::{ArrayRef, AsArray, RecordBatch, RecordBatchOptions};
use arrow::compute::{filter, take};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::row::RowConverter;
use ember_core::{AggFunc, Error, EvalMode, Result};
use ember_spill::MemoryReservation;

use super::accumulator::{self, Accumulator};
use super::chunk_groups::ChunkGroups;
use super::short_keys::number_short_keys;
use crate::expr::{CommonSubexpressions, PhysicalExpr};
use crate::operator::buffer::{rechunk, ChunkBuffer};
use crate::operator::hash_keys::{radix_partition, EncodedKeys, KeyEncoder, RADIX_PARTITIONS};
use crate::operator::tag_index::TagIndex;
use crate::pipeline::{local_mut, LocalState, Sink, SinkResult};

pub struct AggregateSpec {
    pub func: AggFunc,
    /// Indices into the aggregate's `inputs`: equal deterministic arguments
    /// of several aggregates (`sum(x)` and `avg(x)`, TPC-H Q1's repeated
    /// `l_extendedprice * (1 - l_discount)`) are evaluated once per chunk.
    pub args: Vec<usize>,
    pub arg_types: Vec<DataType>,
    pub distinct: bool,
    pub filter: Option<PhysicalExpr>,
    pub data_type: DataType,
    pub mode: EvalMode,
    /// Shared by the local accumulators (see `accumulator::value_converter`).
    pub converter: Arc<RowConverter>,
}

/// The aggregate calls of one aggregation and their distinct arguments.
pub struct AggregateList {
    pub inputs: Vec<PhysicalExpr>,
    /// Subtrees the inputs share (see `CommonSubexpressions`).
    pub common: CommonSubexpressions,
    pub specs: Vec<AggregateSpec>,
}

pub struct HashAggregate {
    pub schema: SchemaRef,
    pub group_exprs: Vec<PhysicalExpr>,
    pub group_types: Vec<DataType>,
    pub aggregates: AggregateList,
    pub output: Arc<ChunkBuffer>,
    pub display: String,
    /// The workers' finished tables, in the order they combined.
    locals: RwLock<Vec<GroupTable>>,
    /// Per finalize task (radix partition), the chunks it produced.
    partition_output: Mutex<Vec<Vec<RecordBatch>>>,
    /// One encoder for every local table, so their keys can merge.
    key_encoder: KeyEncoder,
    reservation: Mutex<MemoryReservation>,
    batch_size: usize,
    /// See `FLUSH_GROUPS`.
    flush_groups: usize,
    /// A condition on the result rows (a HAVING, or a filter right above):
    /// the rows that fail it are dropped as each part of the result is
    /// evaluated, so they are never buffered.
    result_filter: Option<(PhysicalExpr, String)>,
}

struct GroupTable {
    /// No GROUP BY: exactly one group, with no key.
    global: bool,
    /// Group keys, in group-index order.
    keys: EncodedKeys,
    /// (tag, group index); see `EncodedKeys::tag`
    index: TagIndex,
    accumulators: Vec<Box<dyn Accumulator>>,
    /// Once split (`HashAggregate::split`): its groups, in one table (with
    /// no index) per radix partition, each taken by that partition's
    /// finalize task. A large table is split on the worker that hands it
    /// over, and then holds no group itself; a small one by the first
    /// finalize task that needs a part of it.
    parts: Mutex<Option<Vec<Option<GroupTable>>>>,
}

/// How many rows ahead of its search a row's index entries are prefetched.
const PREFETCH_AHEAD: usize = 16;

/// Below this many groups in all, one serial merge is cheaper than tasks.
const PARTITION_MIN_GROUPS: usize = 1 << 15;

/// By default, a worker's table with this many groups is handed over
/// (partitioned, without its index) and a new one started. Its index
/// (about 1 MiB) stays in the core's cache: clustered keys (TPC-H Q18's 15M
/// order keys, 4 rows each) are summed there and handed over once, instead
/// of missing the cache on every new key of a table of millions (Q18 SF10:
/// 3.8 s -> 1.9 s of worker time). Where a table pre-aggregates poorly,
/// the next threshold is at least `LARGE_TABLE_GROUPS` (see
/// `AggLocal::flush_at`), so a key that recurs in every table is stored a
/// few times at most.
/// The partition tasks merge a key that reappears in a later table. Session
/// setting `ember.aggregate_flush_groups`, at least `PARTITION_MIN_GROUPS`
/// (so that a handed-over table is always partitioned).
const FLUSH_GROUPS: usize = 1 << 15;

/// The threshold after a table that pre-aggregated poorly (unclustered
/// keys: TPC-H Q13's 1.5M customer keys at SF10), half as high again at
/// each further hand-over. The largest index then holds a part of a
/// worker's groups, not all of them (a 15M-group aggregation held two 256
/// MiB indexes, and a third while one grew), and since the tables grow
/// geometrically, a key that recurs in every table is stored a few times
/// at most. Growing from `FLUSH_GROUPS` instead
/// stored Q13's keys three times over (194 MiB, not 88).
const LARGE_TABLE_GROUPS: usize = 1 << 21;

impl GroupTable {
    fn num_groups(&self) -> usize {
        if self.global {
            1
        } else {
            self.keys.len()
        }
    }

    /// The group of key `i` of `keys`, added if new.
    fn find_or_insert(&mut self, encoder: &KeyEncoder, keys: &EncodedKeys, i: usize) -> u32 {
        self.find_or_insert_hashed(encoder, keys, i, encoder.hash(keys, i))
    }

    /// `find_or_insert` with the key's hash at hand.
    #[inline]
    fn find_or_insert_hashed(&mut self, encoder: &KeyEncoder, keys: &EncodedKeys, i: usize, h: u64) -> u32 {
        let tag = keys.tag(i, h);
        let stored = &self.keys;
        // a stored NULL group shares its tag with the key 0: compare fully then
        let exact = keys.tag_is_key() && stored.tag_is_key();
        if let Some(g) = self.index.find(h, tag, |g| exact || stored.equals(g as usize, keys, i)) {
            return g;
        }
        let g = self.keys.len() as u32;
        self.keys.push_from(keys, i);
        self.index.insert_new(h, tag, g, |t| encoder.rehash(t));
        g
    }

    /// Groups held, in its parts once split.
    fn handed_groups(&self) -> usize {
        self.num_groups() + self.sum_over_parts(GroupTable::num_groups)
    }

    fn sum_over_parts(&self, f: impl Fn(&GroupTable) -> usize) -> usize {
        let parts = self.parts.lock().unwrap_or_else(|e| e.into_inner());
        parts.iter().flatten().flatten().map(f).sum()
    }

    fn is_split(&self) -> bool {
        self.parts.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// Indexes the table's groups (a part, which has none, about to take
    /// more groups in; room for `most` groups in all).
    fn index_groups(&mut self, encoder: &KeyEncoder, most: usize) {
        self.index.reserve(most, |t| encoder.rehash(t));
        for g in 0..self.keys.len() {
            let h = encoder.hash(&self.keys, g);
            self.index.insert_new(h, self.keys.tag(g, h), g as u32, |t| encoder.rehash(t));
        }
    }

    /// Folds the groups `rows` of `other` (same encoder) into this table.
    fn merge_rows(&mut self, encoder: &KeyEncoder, other: &GroupTable, rows: &[u32]) -> Result<()> {
        let mapping: Vec<u32> = if self.global {
            vec![0; rows.len()]
        } else {
            rows.iter().map(|i| self.find_or_insert(encoder, &other.keys, *i as usize)).collect()
        };
        let n = self.num_groups();
        for (acc, from) in self.accumulators.iter_mut().zip(&other.accumulators) {
            acc.merge(from.as_ref(), rows, &mapping, n)?;
        }
        Ok(())
    }

    fn memory_size(&self) -> usize {
        self.keys.memory_size()
            + self.index.memory_size()
            + self.accumulators.iter().map(|a| a.memory_size()).sum::<usize>()
            + self.sum_over_parts(GroupTable::memory_size)
    }
}

impl HashAggregate {
    pub fn new(
        schema: SchemaRef,
        group_exprs: Vec<PhysicalExpr>,
        group_types: Vec<DataType>,
        aggregates: AggregateList,
        reservation: MemoryReservation,
        batch_size: usize,
        display: String,
    ) -> Result<HashAggregate> {
        let key_encoder = KeyEncoder::new(&group_types)?;
        Ok(HashAggregate {
            key_encoder,
            schema,
            group_exprs,
            group_types,
            aggregates,
            output: ChunkBuffer::new(),
            display,
            locals: RwLock::new(vec![]),
            partition_output: Mutex::new(vec![]),
            reservation: Mutex::new(reservation),
            batch_size,
            flush_groups: FLUSH_GROUPS,
            result_filter: None,
        })
    }

    fn new_table(&self) -> Result<GroupTable> {
        let keys = self.key_encoder.empty();
        let accumulators = self
            .aggregates
            .specs
            .iter()
            .map(|a| accumulator::create(a.func, &a.arg_types, &a.data_type, a.distinct, a.mode, &a.converter))
            .collect::<Result<Vec<_>>>()?;
        Ok(GroupTable {
            global: self.group_exprs.is_empty(),
            keys,
            index: TagIndex::default(),
            accumulators,
            parts: Mutex::new(None),
        })
    }

    /// `whole`'s groups in a table per radix partition, with no index (the
    /// parts are looked up only by the partition's finalize task, which
    /// indexes the one it merges into).
    fn split(&self, whole: &GroupTable) -> Result<Vec<Option<GroupTable>>> {
        let mut rows = vec![Vec::new(); RADIX_PARTITIONS];
        for g in 0..whole.keys.len() {
            let h = self.key_encoder.hash(&whole.keys, g);
            rows[radix_partition(h, RADIX_PARTITIONS)].push(g as u32);
        }
        let mut parts = Vec::with_capacity(RADIX_PARTITIONS);
        for rows in rows {
            let mut part = self.new_table()?;
            part.keys.reserve(rows.len());
            for g in &rows {
                part.keys.push_from(&whole.keys, *g as usize);
            }
            // an empty accumulator takes the groups over in order
            let order: Vec<u32> = (0..rows.len() as u32).collect();
            for (acc, from) in part.accumulators.iter_mut().zip(&whole.accumulators) {
                acc.merge(from.as_ref(), &rows, &order, rows.len())?;
            }
            parts.push(Some(part));
        }
        Ok(parts)
    }

    /// Group index of each row, adding new groups to the table.
    fn assign_groups(&self, table: &mut GroupTable, batch: &RecordBatch) -> Result<Vec<u32>> {
        let n = batch.num_rows();
        if table.global {
            return Ok(vec![0; n]);
        }
        let cols = self.group_exprs.iter().map(|e| e.evaluate(batch)).collect::<Result<Vec<_>>>()?;
        // a single integer key is cheap already; others may be short enough
        // to group within the chunk first
        if !matches!(self.key_encoder, KeyEncoder::Int { .. }) {
            if let Some((local, firsts)) = number_short_keys(&cols) {
                let firsts = UInt32Array::from(firsts);
                let few =
                    cols.iter().map(|c| take(c.as_ref(), &firsts, None)).collect::<std::result::Result<Vec<_>, _>>()?;
                let keys = self.key_encoder.encode(&few)?;
                let groups: Vec<u32> =
                    (0..keys.len()).map(|k| table.find_or_insert(&self.key_encoder, &keys, k)).collect();
                return Ok(local.iter().map(|k| groups[*k as usize]).collect());
            }
        }
        let keys = self.key_encoder.encode(&cols)?;
        // hashed up front, so that the index entries of the row
        // `PREFETCH_AHEAD` places on are asked for before a row's search:
        // the cache misses of a large table overlap (TPC-H Q13's 1.5M
        // customer keys at SF10)
        let hashes = self.key_encoder.hashes(&keys, n);
        // a row with the key of the row before joins its group without a
        // hash lookup: clustered input (lineitem by order key, TPC-H Q18)
        // repeats keys in runs, and one compare costs little elsewhere
        let mut groups = Vec::with_capacity(n);
        for i in 0..n {
            if let Some(ahead) = hashes.get(i + PREFETCH_AHEAD) {
                table.index.prefetch(*ahead);
            }
            let g = match groups.last() {
                Some(g) if keys.equals(i - 1, &keys, i) => *g,
                _ => table.find_or_insert_hashed(&self.key_encoder, &keys, i, hashes[i]),
            };
            groups.push(g);
        }
        Ok(groups)
    }

    fn update(&self, table: &mut GroupTable, batch: &RecordBatch) -> Result<()> {
        let groups = self.assign_groups(table, batch)?;
        let n_groups = table.num_groups();
        let extended = self.aggregates.common.extend(batch)?;
        // the accumulators without a FILTER read the same groups: with
        // several, the sums and counts among them share one listing of the
        // rows by group (made on first use)
        let unfiltered = self.aggregates.specs.iter().filter(|s| s.filter.is_none()).count();
        let chunk = match unfiltered {
            0 | 1 => ChunkGroups::new(&groups, n_groups),
            _ => ChunkGroups::shared(&groups, n_groups),
        };
        let inputs = self.aggregates.inputs.iter().map(|e| e.evaluate(&extended)).collect::<Result<Vec<ArrayRef>>>()?;
        for (spec, acc) in self.aggregates.specs.iter().zip(table.accumulators.iter_mut()) {
            let mut values: Vec<ArrayRef> = spec.args.iter().map(|i| inputs[*i].clone()).collect();
            match &spec.filter {
                Some(f) => {
                    let mask = f.evaluate(batch)?;
                    let mask = crate::expr::null_as_false(mask.as_boolean());
                    values = values.iter().map(|v| filter(v.as_ref(), &mask)).collect::<std::result::Result<_, _>>()?;
                    let g: Vec<u32> =
                        groups.iter().zip(mask.iter()).filter(|(_, m)| m == &Some(true)).map(|(g, _)| *g).collect();
                    acc.update(&ChunkGroups::new(&g, n_groups), &values, n_groups)?;
                }
                None => acc.update(&chunk, &values, n_groups)?,
            }
        }
        Ok(())
    }
}

struct AggLocal {
    table: GroupTable,
    reserved: usize,
    /// Rows the table has taken in.
    rows: usize,
    /// Groups at which this worker hands its table over next. It stays
    /// while the tables pre-aggregate well: clustered keys (TPC-H Q18's
    /// order keys) then stay in a cache-sized table, and seldom recur in a
    /// later one. Otherwise it rises to `LARGE_TABLE_GROUPS`, and by half
    /// at each further hand-over.
    flush_at: usize,
}

/// A handed-over table that took in at least this many rows per group
/// pre-aggregated well (see `AggLocal::flush_at`).
const GOOD_REDUCTION: usize = 2;

impl Sink for HashAggregate {
    fn name(&self) -> String {
        match &self.result_filter {
            Some((_, predicate)) => format!("HashAggregate [{}] filter {predicate}", self.display),
            None => format!("HashAggregate [{}]", self.display),
        }
    }
    fn init_local(&self) -> Result<LocalState> {
        Ok(Box::new(AggLocal { table: self.new_table()?, reserved: 0, rows: 0, flush_at: self.flush_groups }))
    }
    fn sink(&self, local: &mut LocalState, chunk: RecordBatch) -> Result<SinkResult> {
        let local = local_mut::<AggLocal>(local)?;
        self.update(&mut local.table, &chunk)?;
        local.rows += chunk.num_rows();
        let size = local.table.memory_size();
        if size > local.reserved + (1 << 20) {
            self.reservation.lock().unwrap_or_else(|e| e.into_inner()).try_grow(size - local.reserved)?;
            local.reserved = size;
        }
        if !local.table.global && local.table.num_groups() >= local.flush_at {
            let full = std::mem::replace(&mut local.table, self.new_table()?);
            let reserved = std::mem::take(&mut local.reserved);
            if local.rows < full.num_groups().saturating_mul(GOOD_REDUCTION) {
                local.flush_at = local.flush_at.saturating_add(local.flush_at / 2).max(LARGE_TABLE_GROUPS);
            }
            local.rows = 0;
            self.hand_over(full, reserved)?;
        }
        Ok(SinkResult::NeedMoreInput)
    }
    fn combine(&self, mut local: LocalState) -> Result<()> {
        let local = std::mem::replace(
            local_mut::<AggLocal>(&mut local)?,
            AggLocal { table: self.new_table()?, reserved: 0, rows: 0, flush_at: 0 },
        );
        let table = local.table;
        if table.num_groups() == 0 && !table.global {
            return Ok(());
        }
        self.hand_over(table, local.reserved)
    }
    fn finalize_tasks(&self) -> Result<usize> {
        let locals = self.locals.read().unwrap_or_else(|e| e.into_inner());
        let groups: usize = locals.iter().map(GroupTable::handed_groups).sum();
        let split = locals.iter().any(GroupTable::is_split);
        if locals.is_empty() || locals[0].global || (!split && (locals.len() < 2 || groups < PARTITION_MIN_GROUPS)) {
            return Ok(0);
        }
        *self.partition_output.lock().unwrap_or_else(|e| e.into_inner()) = vec![vec![]; RADIX_PARTITIONS];
        Ok(RADIX_PARTITIONS)
    }
    fn finalize_task(&self, p: usize) -> Result<()> {
        let locals = self.locals.read().unwrap_or_else(|e| e.into_inner());
        let mut parts = Vec::new();
        // each task starts at another table, so that the tables not split
        // yet are split by different tasks at once
        let start = if locals.is_empty() { 0 } else { p % locals.len() };
        for local in locals.iter().cycle().skip(start).take(locals.len()) {
            // a table not split yet is split by the first task that gets here
            let mut split = local.parts.lock().unwrap_or_else(|e| e.into_inner());
            if split.is_none() {
                let parts = self.split(local)?;
                // new memory: the whole table stays until `finalize`
                let size: usize = parts.iter().flatten().map(GroupTable::memory_size).sum();
                self.reservation.lock().unwrap_or_else(|e| e.into_inner()).try_grow(size)?;
                *split = Some(parts);
            }
            if let Some(part) = split.as_mut().and_then(|s| s.get_mut(p)).and_then(Option::take) {
                if part.num_groups() > 0 {
                    parts.push(part);
                }
            }
        }
        drop(locals);
        // at most this many groups: size once instead of growing
        let most: usize = parts.iter().map(GroupTable::num_groups).sum();
        // the parts are reserved already (as the workers' tables)
        let held: usize = parts.iter().map(GroupTable::memory_size).sum();
        let mut parts = parts.into_iter();
        // the first part is the table the others merge into; one alone is
        // evaluated as it is
        let Some(mut table) = parts.next() else {
            return Ok(());
        };
        for part in parts {
            if table.index.is_empty() {
                table.keys.reserve(most - table.num_groups());
                table.index_groups(&self.key_encoder, most);
            }
            let all: Vec<u32> = (0..part.num_groups() as u32).collect();
            table.merge_rows(&self.key_encoder, &part, &all)?;
        }
        let grown = table.memory_size().saturating_sub(held);
        self.reservation.lock().unwrap_or_else(|e| e.into_inner()).try_grow(grown)?;
        let batch = self.evaluate(table);
        self.reservation.lock().unwrap_or_else(|e| e.into_inner()).shrink(grown);
        let batch = batch?;
        self.partition_output.lock().unwrap_or_else(|e| e.into_inner())[p] = vec![batch];
        Ok(())
    }
    fn finalize(&self) -> Result<()> {
        let mut locals = std::mem::take(&mut *self.locals.write().unwrap_or_else(|e| e.into_inner()));
        let partitioned = std::mem::take(&mut *self.partition_output.lock().unwrap_or_else(|e| e.into_inner()));
        let batches = if !partitioned.is_empty() {
            drop(locals);
            partitioned.into_iter().flatten().filter(|b| b.num_rows() > 0).collect()
        } else {
            // a global aggregate over no rows still yields its one row
            let mut table = if locals.is_empty() { self.new_table()? } else { locals.remove(0) };
            if table.is_split() || locals.iter().any(GroupTable::is_split) {
                // a split table's groups are in its parts, which only the partition tasks merge
                return Err(Error::internal("merging split aggregation tables without partition tasks"));
            }
            for local in &locals {
                let all: Vec<u32> = (0..local.num_groups() as u32).collect();
                table.merge_rows(&self.key_encoder, local, &all)?;
            }
            drop(locals);
            vec![self.evaluate(table)?]
        };
        self.output.publish(rechunk(batches, self.batch_size))?;
        self.reservation.lock().unwrap_or_else(|e| e.into_inner()).free();
        Ok(())
    }
}

impl HashAggregate {
    /// Hands a worker's table over once it has `groups` (default
    /// `FLUSH_GROUPS`; never below `PARTITION_MIN_GROUPS`).
    pub fn with_flush_groups(mut self, groups: Option<usize>) -> HashAggregate {
        self.flush_groups = groups.unwrap_or(FLUSH_GROUPS).max(PARTITION_MIN_GROUPS);
        self
    }

    /// Keeps only the result rows that pass `predicate` (over the result's
    /// columns; with its display).
    pub fn with_result_filter(mut self, predicate: Option<(PhysicalExpr, String)>) -> HashAggregate {
        self.result_filter = predicate;
        self
    }

    /// Adds a worker's table (of which it reserved `reserved` bytes) to the
    /// ones `finalize` merges; a large one is split into radix partitions
    /// here, on the worker.
    fn hand_over(&self, mut table: GroupTable, reserved: usize) -> Result<()> {
        // the reservation keeps the table's size from here on: the worker
        // reserved in steps, and may be short of it
        let size = table.memory_size();
        if size > reserved {
            self.reservation.lock().unwrap_or_else(|e| e.into_inner()).try_grow(size - reserved)?;
        }
        if !table.global && table.num_groups() >= PARTITION_MIN_GROUPS {
            // split here, on the worker, while the table is in its cache;
            // nothing looks its keys up again, and its hash index (16 bytes
            // a slot, up to about 2.7 slots a group after growing) goes
            // first
            table.index = TagIndex::default();
            let parts = self.split(&table)?;
            table = self.new_table()?;
            table.parts = Mutex::new(Some(parts));
            let split_size = table.memory_size();
            let mut reservation = self.reservation.lock().unwrap_or_else(|e| e.into_inner());
            match split_size.cmp(&size) {
                std::cmp::Ordering::Less => reservation.shrink(size - split_size),
                std::cmp::Ordering::Greater => reservation.try_grow(split_size - size)?,
                std::cmp::Ordering::Equal => {}
            }
        }
        self.locals.write().unwrap_or_else(|e| e.into_inner()).push(table);
        Ok(())
    }

    /// The result rows of a merged table: keys, then one column per aggregate.
    fn evaluate(&self, mut table: GroupTable) -> Result<RecordBatch> {
        let n = table.num_groups();
        let mut cols: Vec<ArrayRef> = if table.global { vec![] } else { self.key_encoder.decode(&table.keys)? };
        for acc in table.accumulators.iter_mut() {
            cols.push(acc.evaluate(n)?);
        }
        let cols = crate::operator::project::conform(cols, &self.schema)?;
        let batch = RecordBatch::try_new_with_options(
            self.schema.clone(),
            cols,
            &RecordBatchOptions::new().with_row_count(Some(n)),
        )
        .map_err(|e| Error::internal(format!("aggregate output: {e}")))?;
        match &self.result_filter {
            Some((predicate, _)) => crate::expr::filter_batch(&batch, predicate),
            None => Ok(batch),
        }
    }
}
