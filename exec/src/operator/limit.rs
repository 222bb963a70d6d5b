//! LIMIT / OFFSET over a stream shared by all workers: a global counter
//! hands out how many rows each chunk may skip and keep.

use std::sync::Mutex;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use ember_core::Result;

use crate::pipeline::{LocalState, Operator, OperatorResult};

pub struct Limit {
    pub schema: SchemaRef,
    /// (rows still to skip, rows still to emit or None for no limit)
    remaining: Mutex<(usize, Option<usize>)>,
    display: String,
}

impl Limit {
    pub fn new(schema: SchemaRef, skip: usize, fetch: Option<usize>) -> Limit {
        let display = match fetch {
            Some(f) => format!("Limit {f} offset {skip}"),
            None => format!("Offset {skip}"),
        };
        Limit { schema, remaining: Mutex::new((skip, fetch)), display }
    }
}

impl Operator for Limit {
    fn name(&self) -> String {
        self.display.clone()
    }
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    fn execute(&self, _local: &mut LocalState, input: &RecordBatch) -> Result<OperatorResult> {
        let n = input.num_rows();
        let (skip, take, done) = {
            let mut r = self.remaining.lock().unwrap_or_else(|e| e.into_inner());
            let skip = r.0.min(n);
            r.0 -= skip;
            let avail = n - skip;
            let take = match r.1 {
                Some(f) => avail.min(f),
                None => avail,
            };
            if let Some(f) = r.1.as_mut() {
                *f -= take;
            }
            (skip, take, r.1 == Some(0))
        };
        let out = if take > 0 { Some(input.slice(skip, take)) } else { None };
        Ok(if done { OperatorResult::Finished(out) } else { OperatorResult::NeedMoreInput(out) })
    }
}
