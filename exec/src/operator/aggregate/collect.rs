//! `collect_list` / `collect_set` (and `array_agg`): per group, the non-NULL
//! input values as row bytes (any type the row format encodes, nested
//! included), turned back into one list column at the end. `collect_set`
//! keeps the first occurrence of each value. Merging appends the other
//! worker's values, so the order across workers is not defined (as in Spark).

use std::any::Any;
use std::collections::HashSet;
use std::sync::Arc;

use arrow::array::{new_empty_array, Array, ArrayRef, ListArray};
use arrow::buffer::OffsetBuffer;
use arrow::datatypes::{DataType, FieldRef};
use arrow::row::{OwnedRow, RowConverter};
use ember_core::{Error, Result};

use super::accumulator::Accumulator;
use super::chunk_groups::ChunkGroups;

pub struct CollectAcc {
    converter: Arc<RowConverter>,
    field: FieldRef,
    distinct: bool,
    values: Vec<Vec<OwnedRow>>,
    seen: Vec<HashSet<OwnedRow>>,
    bytes: usize,
}

impl CollectAcc {
    pub fn new(converter: Arc<RowConverter>, result: &DataType, distinct: bool) -> Result<CollectAcc> {
        let DataType::List(field) = result else {
            return Err(Error::internal(format!("collect_list into {result}")));
        };
        Ok(CollectAcc { converter, field: field.clone(), distinct, values: vec![], seen: vec![], bytes: 0 })
    }

    fn push(&mut self, g: usize, row: OwnedRow) {
        if self.distinct {
            if self.seen[g].contains(&row) {
                return;
            }
            self.seen[g].insert(row.clone());
        }
        self.bytes += row.row().as_ref().len();
        self.values[g].push(row);
    }

    fn resize(&mut self, n: usize) {
        self.values.resize_with(n, Vec::new);
        if self.distinct {
            self.seen.resize_with(n, HashSet::new);
        }
    }
}

impl Accumulator for CollectAcc {
    fn update(&mut self, chunk: &ChunkGroups, values: &[ArrayRef], n: usize) -> Result<()> {
        let groups = chunk.ids();
        self.resize(n);
        let v = &values[0];
        let rows = self.converter.convert_columns(std::slice::from_ref(v))?;
        for (i, g) in groups.iter().enumerate() {
            if v.is_valid(i) && !matches!(v.data_type(), DataType::Null) {
                self.push(*g as usize, rows.row(i).owned());
            }
        }
        Ok(())
    }

    fn merge(&mut self, other: &dyn Accumulator, rows: &[u32], mapping: &[u32], n: usize) -> Result<()> {
        let o = super::accumulator::downcast::<CollectAcc>(other)?;
        self.resize(n);
        for (from, to) in rows.iter().zip(mapping) {
            for r in o.values.get(*from as usize).into_iter().flatten() {
                self.push(*to as usize, r.clone());
            }
        }
        Ok(())
    }

    fn evaluate(&mut self, n: usize) -> Result<ArrayRef> {
        self.resize(n);
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0i32);
        let mut all = Vec::new();
        for group in &self.values {
            all.extend(group.iter().map(|r| r.row()));
            let end = i32::try_from(all.len()).map_err(|_| Error::internal("collected list too large"))?;
            offsets.push(end);
        }
        let values = if all.is_empty() {
            new_empty_array(self.field.data_type())
        } else {
            let mut cols = self.converter.convert_rows(all)?;
            cols.remove(0)
        };
        let values = if values.data_type() != self.field.data_type() {
            arrow::compute::cast(&values, self.field.data_type())?
        } else {
            values
        };
        Ok(Arc::new(ListArray::try_new(self.field.clone(), OffsetBuffer::new(offsets.into()), values, None)?))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn memory_size(&self) -> usize {
        self.bytes * if self.distinct { 2 } else { 1 } + self.values.capacity() * 24
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::{AsArray, Int32Array};
    use arrow::datatypes::{Field, Int32Type};

    use super::*;
    use crate::operator::aggregate::accumulator::value_converter;

    fn list_type() -> DataType {
        DataType::List(Arc::new(Field::new("element", DataType::Int32, true)))
    }

    fn run(distinct: bool) -> Vec<Vec<i32>> {
        let conv = value_converter(&[DataType::Int32]).unwrap();
        let mut a = CollectAcc::new(conv.clone(), &list_type(), distinct).unwrap();
        let v: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), None, Some(2), Some(1), Some(3)]));
        a.update(&ChunkGroups::new(&[0, 0, 1, 0, 1], 2), &[v], 2).unwrap();
        let mut b = CollectAcc::new(conv, &list_type(), distinct).unwrap();
        let w: ArrayRef = Arc::new(Int32Array::from(vec![Some(2), Some(4)]));
        b.update(&ChunkGroups::new(&[0, 0], 1), &[w], 1).unwrap();
        a.merge(&b, &[0], &[1], 2).unwrap();
        let out = a.evaluate(2).unwrap();
        let l = out.as_list::<i32>();
        (0..2).map(|i| l.value(i).as_primitive::<Int32Type>().values().to_vec()).collect()
    }

    #[test]
    fn lists_skip_nulls_and_sets_dedupe() {
        assert_eq!(run(false), vec![vec![1, 1], vec![2, 3, 2, 4]]);
        assert_eq!(run(true), vec![vec![1], vec![2, 3, 4]]);
    }
}
