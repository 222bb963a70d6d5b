//! Computes the output columns from expressions over the input.

use arrow::array::{RecordBatch, RecordBatchOptions};
use arrow::datatypes::SchemaRef;
use ember_core::Result;

use crate::expr::{CommonSubexpressions, PhysicalExpr};
use crate::pipeline::{LocalState, Operator, OperatorResult};

pub struct Project {
    schema: SchemaRef,
    exprs: Vec<PhysicalExpr>,
    /// Subtrees the expressions share (see `CommonSubexpressions`).
    common: CommonSubexpressions,
    display: String,
}

impl Project {
    /// `exprs` over chunks of `width` columns.
    pub fn new(schema: SchemaRef, mut exprs: Vec<PhysicalExpr>, width: usize, display: String) -> Project {
        let common = CommonSubexpressions::extract(&mut exprs, width);
        Project { schema, exprs, common, display }
    }
}

impl Operator for Project {
    fn name(&self) -> String {
        format!("Project [{}]", self.display)
    }
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    fn execute(&self, _local: &mut LocalState, input: &RecordBatch) -> Result<OperatorResult> {
        let extended = self.common.extend(input)?;
        let cols = self.exprs.iter().map(|e| e.evaluate(&extended)).collect::<Result<Vec<_>>>()?;
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
