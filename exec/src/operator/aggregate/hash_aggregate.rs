//! Hash aggregation. Each worker groups its chunks into a local table
//! (group keys as arrow-row bytes -> dense group index, one accumulator per
//! aggregate); `combine` merges local tables into the global one;
//! `finalize` evaluates the accumulators and publishes the result chunks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arrow::array::{ArrayRef, AsArray, RecordBatch, RecordBatchOptions};
use arrow::compute::filter;
use arrow::datatypes::{DataType, SchemaRef};
use arrow::row::{RowConverter, Rows, SortField};
use ember_core::{AggFunc, Error, EvalMode, Result};
use ember_spill::MemoryReservation;

use super::accumulator::{self, Accumulator};
use crate::expr::PhysicalExpr;
use crate::operator::buffer::{rechunk, ChunkBuffer};
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
    /// One converter for every local table, so their key rows can merge.
    key_converter: Arc<RowConverter>,
    reservation: Mutex<MemoryReservation>,
    batch_size: usize,
}

struct GroupTable {
    /// No GROUP BY: exactly one group, with no key.
    global: bool,
    converter: Arc<RowConverter>,
    keys: Rows,
    index: HashMap<Box<[u8]>, u32>,
    accumulators: Vec<Box<dyn Accumulator>>,
}

impl GroupTable {
    fn num_groups(&self) -> usize {
        if self.global {
            1
        } else {
            self.keys.num_rows()
        }
    }

    fn memory_size(&self) -> usize {
        self.keys.size() + self.index.len() * 48 + self.accumulators.iter().map(|a| a.memory_size()).sum::<usize>()
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
        // a global aggregate has no key columns; a placeholder keeps the converter valid
        let fields = if group_types.is_empty() {
            vec![SortField::new(DataType::Boolean)]
        } else {
            group_types.iter().map(|t| SortField::new(t.clone())).collect()
        };
        let key_converter = Arc::new(RowConverter::new(fields)?);
        Ok(HashAggregate {
            key_converter,
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
        let converter = self.key_converter.clone();
        let keys = converter.empty_rows(0, 0);
        let accumulators = self
            .aggregates
            .iter()
            .map(|a| accumulator::create(a.func, &a.arg_types, &a.data_type, a.distinct, a.mode, &a.converter))
            .collect::<Result<Vec<_>>>()?;
        Ok(GroupTable { global: self.group_exprs.is_empty(), converter, keys, index: HashMap::new(), accumulators })
    }

    /// Group index of each row, adding new groups to the table.
    fn assign_groups(&self, table: &mut GroupTable, batch: &RecordBatch) -> Result<Vec<u32>> {
        let n = batch.num_rows();
        if table.global {
            return Ok(vec![0; n]);
        }
        let cols = self.group_exprs.iter().map(|e| e.evaluate(batch)).collect::<Result<Vec<_>>>()?;
        let rows = table.converter.convert_columns(&cols)?;
        let mut groups = Vec::with_capacity(n);
        for i in 0..n {
            let r = rows.row(i);
            let g = match table.index.get(r.as_ref()) {
                Some(g) => *g,
                None => {
                    let g = table.keys.num_rows() as u32;
                    table.keys.push(r);
                    table.index.insert(r.as_ref().into(), g);
                    g
                }
            };
            groups.push(g);
        }
        Ok(groups)
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
                    let g: Vec<u32> = groups.iter().zip(mask.iter()).filter(|(_, m)| m == &Some(true)).map(|(g, _)| *g).collect();
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
        let local = std::mem::replace(local_mut::<AggLocal>(&mut local)?, AggLocal { table: self.new_table()?, reserved: 0 });
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
                let r = lt.keys.row(i);
                let idx = match g.index.get(r.as_ref()) {
                    Some(x) => *x,
                    None => {
                        let x = g.keys.num_rows() as u32;
                        g.keys.push(r);
                        g.index.insert(r.as_ref().into(), x);
                        x
                    }
                };
                mapping.push(idx);
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
        let mut cols: Vec<ArrayRef> = if table.global { vec![] } else { table.converter.convert_rows(table.keys.iter())? };
        for acc in table.accumulators.iter_mut() {
            cols.push(acc.evaluate(n)?);
        }
        let cols = crate::operator::project::conform(cols, &self.schema)?;
        let batch = RecordBatch::try_new_with_options(self.schema.clone(), cols, &RecordBatchOptions::new().with_row_count(Some(n)))
            .map_err(|e| Error::internal(format!("aggregate output: {e}")))?;
        self.output.publish(rechunk(vec![batch], self.batch_size))?;
        self.reservation.lock().unwrap_or_else(|e| e.into_inner()).free();
        Ok(())
    }
}
