//! Keeps the rows for which the predicate is true.

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use ember_core::Result;

use crate::expr::{filter_batch, PhysicalExpr};
use crate::pipeline::{LocalState, Operator, OperatorResult};

pub struct Filter {
    pub schema: SchemaRef,
    pub predicate: PhysicalExpr,
    pub display: String,
}

impl Operator for Filter {
    fn name(&self) -> String {
        format!("Filter {}", self.display)
    }
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    fn execute(&self, _local: &mut LocalState, input: &RecordBatch) -> Result<OperatorResult> {
        let out = filter_batch(input, &self.predicate)?;
        Ok(OperatorResult::NeedMoreInput(if out.num_rows() == 0 { None } else { Some(out) }))
    }
}
