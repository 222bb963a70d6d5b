//! Computes the output columns from expressions over the input.

use arrow::array::{RecordBatch, RecordBatchOptions};
use arrow::datatypes::SchemaRef;
use ember_core::Result;

use crate::expr::PhysicalExpr;
use crate::pipeline::{LocalState, Operator, OperatorResult};

pub struct Project {
    pub schema: SchemaRef,
    pub exprs: Vec<PhysicalExpr>,
    pub display: String,
}

impl Operator for Project {
    fn name(&self) -> String {
        format!("Project [{}]", self.display)
    }
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    fn execute(&self, _local: &mut LocalState, input: &RecordBatch) -> Result<OperatorResult> {
        let cols = self.exprs.iter().map(|e| e.evaluate(input)).collect::<Result<Vec<_>>>()?;
        let cols = crate::operator::project::conform(cols, &self.schema)?;
        let out = RecordBatch::try_new_with_options(
            self.schema.clone(),
            cols,
            &RecordBatchOptions::new().with_row_count(Some(input.num_rows())),
        )?;
        Ok(OperatorResult::NeedMoreInput(Some(out)))
    }
}

/// Casts columns whose Arrow type differs only in representation from the
/// schema's (e.g. a Utf8View from a kernel where the plan says Utf8).
pub fn conform(cols: Vec<arrow::array::ArrayRef>, schema: &SchemaRef) -> Result<Vec<arrow::array::ArrayRef>> {
    cols.into_iter()
        .zip(schema.fields().iter())
        .map(|(c, f)| if c.data_type() == f.data_type() { Ok(c) } else { Ok(arrow::compute::cast(&c, f.data_type())?) })
        .collect()
}
