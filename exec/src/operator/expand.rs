//! Spark's `Expand`: every input chunk comes out once per projection
//! (grouping set), each time with the projection's expressions evaluated
//! over it: the pass-through columns as they are, the grouping columns
//! outside the set as NULL, the grouping id as a literal.
//!
//! Streaming and re-entrant: one call emits the chunk of one projection and
//! answers `HaveMoreOutput` until the last, so at most one expanded chunk is
//! alive per worker however many grouping sets there are.

use arrow::array::{RecordBatch, RecordBatchOptions};
use arrow::datatypes::SchemaRef;
use ember_core::Result;

use crate::expr::PhysicalExpr;
use crate::operator::project::conform;
use crate::pipeline::{local_mut, LocalState, Operator, OperatorResult};

pub struct Expand {
    pub schema: SchemaRef,
    /// One list per output copy of a row, one expression per output column.
    pub projections: Vec<Vec<PhysicalExpr>>,
    pub display: String,
}

/// Which projection the current input chunk gets next.
struct ExpandLocal {
    next: usize,
}

impl Operator for Expand {
    fn name(&self) -> String {
        format!("Expand [{}]", self.display)
    }
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    fn init_local(&self) -> Result<LocalState> {
        Ok(Box::new(ExpandLocal { next: 0 }))
    }
    fn execute(&self, local: &mut LocalState, input: &RecordBatch) -> Result<OperatorResult> {
        let state = local_mut::<ExpandLocal>(local)?;
        let Some(projection) = self.projections.get(state.next) else {
            // no projections at all: nothing comes out
            state.next = 0;
            return Ok(OperatorResult::NeedMoreInput(None));
        };
        let cols = projection.iter().map(|e| e.evaluate(input)).collect::<Result<Vec<_>>>()?;
        let cols = conform(cols, &self.schema)?;
        let out = RecordBatch::try_new_with_options(
            self.schema.clone(),
            cols,
            &RecordBatchOptions::new().with_row_count(Some(input.num_rows())),
        )?;
        state.next += 1;
        if state.next < self.projections.len() {
            return Ok(OperatorResult::HaveMoreOutput(out));
        }
        state.next = 0;
        Ok(OperatorResult::NeedMoreInput(Some(out)))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Array, AsArray, Int32Array};
    use arrow::datatypes::{DataType, Field, Int32Type, Int64Type, Schema};
    use ember_core::ScalarValue;

    use super::*;

    fn run(op: &Expand, input: &RecordBatch) -> Vec<RecordBatch> {
        let mut local = op.init_local().unwrap();
        let mut out = vec![];
        loop {
            match op.execute(&mut local, input).unwrap() {
                OperatorResult::HaveMoreOutput(b) => out.push(b),
                OperatorResult::NeedMoreInput(b) | OperatorResult::Finished(b) => {
                    out.extend(b);
                    return out;
                }
            }
        }
    }

    /// ROLLUP(k) over (k, v): the rows as they are with grouping id 0, then
    /// with k NULL and grouping id 1; the state is ready for the next chunk.
    #[test]
    fn one_chunk_per_projection_then_the_next_input() {
        let input = RecordBatch::try_new(
            Arc::new(Schema::new(vec![Field::new("k", DataType::Int32, true), Field::new("v", DataType::Int32, true)])),
            vec![Arc::new(Int32Array::from(vec![1, 2])), Arc::new(Int32Array::from(vec![10, 20]))],
        )
        .unwrap();
        let schema = Arc::new(Schema::new(vec![
            Field::new("v", DataType::Int32, true),
            Field::new("k", DataType::Int32, true),
            Field::new("spark_grouping_id", DataType::Int64, true),
        ]));
        let lit = |v: ScalarValue| PhysicalExpr::Literal(v);
        let op = Expand {
            schema,
            projections: vec![
                vec![PhysicalExpr::Column(1), PhysicalExpr::Column(0), lit(ScalarValue::Int64(Some(0)))],
                vec![PhysicalExpr::Column(1), lit(ScalarValue::Int32(None)), lit(ScalarValue::Int64(Some(1)))],
            ],
            display: String::new(),
        };
        for _ in 0..2 {
            let out = run(&op, &input);
            assert_eq!(out.len(), 2);
            let k0 = out[0].column(1).as_primitive::<Int32Type>();
            assert_eq!(k0.values().as_ref(), &[1, 2]);
            let k1 = out[1].column(1).as_primitive::<Int32Type>();
            assert_eq!(k1.null_count(), 2);
            let gid: Vec<i64> = out.iter().map(|b| b.column(2).as_primitive::<Int64Type>().value(0)).collect();
            assert_eq!(gid, vec![0, 1]);
            assert_eq!(out[1].column(0).as_primitive::<Int32Type>().values().as_ref(), &[10, 20]);
        }
    }
}
