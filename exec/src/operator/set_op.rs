//! INTERSECT and EXCEPT [ALL]: the right input is counted per distinct row
//! (NULLs compare equal, as Spark's set operations do); the left input is
//! counted the same way, keeping first-seen order; `finalize` emits each
//! left row as often as the operation allows.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arrow::array::{RecordBatch, RecordBatchOptions};
use arrow::datatypes::SchemaRef;
use arrow::row::{OwnedRow, RowConverter, SortField};
use ember_core::plan::SetOpKind;
use ember_core::Result;

use crate::operator::buffer::{rechunk, ChunkBuffer};
use crate::pipeline::{LocalState, Sink, SinkResult};

/// Distinct rows with their counts, in first-seen order.
#[derive(Default)]
struct RowCounts {
    index: HashMap<OwnedRow, usize>,
    order: Vec<(OwnedRow, u64)>,
}

impl RowCounts {
    fn add(&mut self, converter: &RowConverter, batch: &RecordBatch) -> Result<()> {
        let rows = converter.convert_columns(batch.columns())?;
        for r in rows.iter() {
            let owned = r.owned();
            match self.index.get(&owned) {
                Some(i) => self.order[*i].1 += 1,
                None => {
                    self.index.insert(owned.clone(), self.order.len());
                    self.order.push((owned, 1));
                }
            }
        }
        Ok(())
    }
}

pub struct SetOperation {
    pub schema: SchemaRef,
    pub kind: SetOpKind,
    pub all: bool,
    converter: RowConverter,
    left: Mutex<RowCounts>,
    right: Mutex<RowCounts>,
    pub output: Arc<ChunkBuffer>,
    batch_size: usize,
}

impl SetOperation {
    pub fn try_new(schema: SchemaRef, kind: SetOpKind, all: bool, batch_size: usize) -> Result<Arc<SetOperation>> {
        let converter =
            RowConverter::new(schema.fields().iter().map(|f| SortField::new(f.data_type().clone())).collect())?;
        Ok(Arc::new(SetOperation {
            schema,
            kind,
            all,
            converter,
            left: Mutex::new(RowCounts::default()),
            right: Mutex::new(RowCounts::default()),
            output: ChunkBuffer::new(),
            batch_size,
        }))
    }
}

/// The sink for one side of the set operation.
pub struct SetOpSide {
    pub op: Arc<SetOperation>,
    pub is_left: bool,
}

impl Sink for SetOpSide {
    fn name(&self) -> String {
        format!(
            "{:?}{} ({} side)",
            self.op.kind,
            if self.op.all { " All" } else { "" },
            if self.is_left { "left" } else { "right" }
        )
    }
    fn sink(&self, _local: &mut LocalState, chunk: RecordBatch) -> Result<SinkResult> {
        let counts = if self.is_left { &self.op.left } else { &self.op.right };
        counts.lock().unwrap_or_else(|e| e.into_inner()).add(&self.op.converter, &chunk)?;
        Ok(SinkResult::NeedMoreInput)
    }
    fn finalize(&self) -> Result<()> {
        if !self.is_left {
            return Ok(());
        }
        let op = &self.op;
        let left = std::mem::take(&mut *op.left.lock().unwrap_or_else(|e| e.into_inner()));
        let right = op.right.lock().unwrap_or_else(|e| e.into_inner());
        let mut out_rows = Vec::new();
        for (row, lc) in &left.order {
            let rc = right.index.get(row).map(|i| right.order[*i].1).unwrap_or(0);
            let times = match (op.kind, op.all) {
                (SetOpKind::Intersect, false) => u64::from(rc > 0),
                (SetOpKind::Intersect, true) => (*lc).min(rc),
                (SetOpKind::Except, false) => u64::from(rc == 0),
                (SetOpKind::Except, true) => lc.saturating_sub(rc),
            };
            for _ in 0..times {
                out_rows.push(row.row());
            }
        }
        let n = out_rows.len();
        let cols = if n == 0 {
            op.schema.fields().iter().map(|f| arrow::array::new_empty_array(f.data_type())).collect()
        } else {
            op.converter.convert_rows(out_rows)?
        };
        let batch = RecordBatch::try_new_with_options(
            op.schema.clone(),
            cols,
            &RecordBatchOptions::new().with_row_count(Some(n)),
        )?;
        op.output.publish(rechunk(vec![batch], op.batch_size))
    }
}
