//! Hash aggregation. Each worker groups its chunks into a local table
//! (group keys encoded by `hash_keys` -> dense group index, one accumulator
//! per aggregate); `combine` merges local tables into the global one;
//! `finalize` evaluates the accumulators and publishes the result chunks.

use std::sync::{Arc, Mutex};

use arrow::array::{ArrayRef, AsArray, RecordBatch, RecordBatchOptions};
use arrow::compute::filter;
use arrow::datatypes::{DataType, SchemaRef};
use arrow::row::RowConverter;
use ember_core::{AggFunc, Error, EvalMode, Result};
use ember_spill::MemoryReservation;
use hashbrown::HashTable;

use super::accumulator::{self, Accumulator};
use crate::expr::PhysicalExpr;
use crate::operator::buffer::{rechunk, ChunkBuffer};
use crate::operator::hash_keys::{EncodedKeys, KeyEncoder};
use crate::pipeline::{local_mut, LocalState, Sink, SinkResult};

pub struct AggregateSpec {
    pub func: AggFunc,
    pub args: Vec<PhysicalExpr>,
    pub arg_types: Vec<DataType>,
    pub distinct: bool,
    pub filter: Option<PhysicalExpr>,
    pub data_type: DataType,
    pub mode: EvalMode,
    /// Shared by the local accumulators (see `accumulator::value_converter`).
    pub converter: Arc<RowConverter>,
}

pub struct HashAggregate {
    pub schema: SchemaRef,
    pub group_exprs: Vec<PhysicalExpr>,
    pub group_types: Vec<DataType>,
    pub aggregates: Vec<AggregateSpec>,
    pub output: Arc<ChunkBuffer>,
    pub display: String,
    global: Mutex<Option<GroupTable>>,
    /// One encoder for every local table, so their keys can merge.
    key_encoder: KeyEncoder,
    reservation: Mutex<MemoryReservation>,
    batch_size: usize,
}

struct GroupTable {
    /// No GROUP BY: exactly one group, with no key.
    global: bool,
    /// Group keys, in group-index order.
    keys: EncodedKeys,
    /// (tag, group index); see `EncodedKeys::tag`
    index: HashTable<(u64, u32)>,
    accumulators: Vec<Box<dyn Accumulator>>,
}

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
        let h = encoder.hash(keys, i);
        let tag = keys.tag(i, h);
        let stored = &self.keys;
        // a stored NULL group shares its tag with the key 0: compare fully then
        let exact = keys.tag_is_key() && stored.tag_is_key();
        if let Some((_, g)) = self.index.find(h, |(t, g)| *t == tag && (exact || stored.equals(*g as usize, keys, i))) {
            return *g;
        }
        let g = self.keys.len() as u32;
        self.keys.push_from(keys, i);
        self.index.insert_unique(h, (tag, g), |(t, _)| encoder.rehash(*t));
        g
    }

    fn memory_size(&self) -> usize {
        self.keys.memory_size()
            + self.index.capacity() * 16
            + self.accumulators.iter().map(|a| a.memory_size()).sum::<usize>()
    }
}

impl HashAggregate {
    pub fn new(
        schema: SchemaRef,
        group_exprs: Vec<PhysicalExpr>,
        group_types: Vec<DataType>,
        aggregates: Vec<AggregateSpec>,
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
            global: Mutex::new(None),
            reservation: Mutex::new(reservation),
            batch_size,
        })
    }

    fn new_table(&self) -> Result<GroupTable> {
        let keys = self.key_encoder.empty();
        let accumulators = self
            .aggregates
            .iter()
            .map(|a| accumulator::create(a.func, &a.arg_types, &a.data_type, a.distinct, a.mode, &a.converter))
            .collect::<Result<Vec<_>>>()?;
        Ok(GroupTable { global: self.group_exprs.is_empty(), keys, index: HashTable::new(), accumulators })
    }

    /// Group index of each row, adding new groups to the table.
    fn assign_groups(&self, table: &mut GroupTable, batch: &RecordBatch) -> Result<Vec<u32>> {
        let n = batch.num_rows();
        if table.global {
            return Ok(vec![0; n]);
        }
        let cols = self.group_exprs.iter().map(|e| e.evaluate(batch)).collect::<Result<Vec<_>>>()?;
        let keys = self.key_encoder.encode(&cols)?;
        Ok((0..n).map(|i| table.find_or_insert(&self.key_encoder, &keys, i)).collect())
    }

    fn update(&self, table: &mut GroupTable, batch: &RecordBatch) -> Result<()> {
        let groups = self.assign_groups(table, batch)?;
        let n_groups = table.num_groups();
        for (spec, acc) in self.aggregates.iter().zip(table.accumulators.iter_mut()) {
            let mut values = spec.args.iter().map(|e| e.evaluate(batch)).collect::<Result<Vec<ArrayRef>>>()?;
            match &spec.filter {
                Some(f) => {
                    let mask = f.evaluate(batch)?;
                    let mask = crate::expr::null_as_false(mask.as_boolean());
                    values = values.iter().map(|v| filter(v.as_ref(), &mask)).collect::<std::result::Result<_, _>>()?;
                    let g: Vec<u32> =
                        groups.iter().zip(mask.iter()).filter(|(_, m)| m == &Some(true)).map(|(g, _)| *g).collect();
                    acc.update(&g, &values, n_groups)?;
                }
                None => acc.update(&groups, &values, n_groups)?,
            }
        }
        Ok(())
    }
}

struct AggLocal {
    table: GroupTable,
    reserved: usize,
}

impl Sink for HashAggregate {
    fn name(&self) -> String {
        format!("HashAggregate [{}]", self.display)
    }
    fn init_local(&self) -> Result<LocalState> {
        Ok(Box::new(AggLocal { table: self.new_table()?, reserved: 0 }))
    }
    fn sink(&self, local: &mut LocalState, chunk: RecordBatch) -> Result<SinkResult> {
        let local = local_mut::<AggLocal>(local)?;
        self.update(&mut local.table, &chunk)?;
        let size = local.table.memory_size();
        if size > local.reserved + (1 << 20) {
            self.reservation.lock().unwrap_or_else(|e| e.into_inner()).try_grow(size - local.reserved)?;
            local.reserved = size;
        }
        Ok(SinkResult::NeedMoreInput)
    }
    fn combine(&self, mut local: LocalState) -> Result<()> {
        let local =
            std::mem::replace(local_mut::<AggLocal>(&mut local)?, AggLocal { table: self.new_table()?, reserved: 0 });
        let mut global = self.global.lock().unwrap_or_else(|e| e.into_inner());
        let Some(g) = global.as_mut() else {
            *global = Some(local.table);
            return Ok(());
        };
        let lt = local.table;
        let mut mapping = Vec::with_capacity(lt.num_groups());
        if g.global {
            mapping.push(0);
        } else {
            for i in 0..lt.num_groups() {
                mapping.push(g.find_or_insert(&self.key_encoder, &lt.keys, i));
            }
        }
        let n = g.num_groups();
        for (ga, la) in g.accumulators.iter_mut().zip(lt.accumulators) {
            ga.merge(la, &mapping, n)?;
        }
        Ok(())
    }
    fn finalize(&self) -> Result<()> {
        let table = self.global.lock().unwrap_or_else(|e| e.into_inner()).take();
        // a global aggregate over no rows still yields its one row
        let mut table = match table {
            Some(t) => t,
            None => self.new_table()?,
        };
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
        self.output.publish(rechunk(vec![batch], self.batch_size))?;
        self.reservation.lock().unwrap_or_else(|e| e.into_inner()).free();
        Ok(())
    }
}
