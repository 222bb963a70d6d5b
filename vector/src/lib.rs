//! ember-vector: kernels with Spark semantics on Arrow arrays.
//!
//! Every kernel takes Arrow arrays and an [`EvalMode`](ember_core::EvalMode)
//! where Spark's behaviour depends on `spark.sql.ansi.enabled`: `Ansi` raises
//! Spark's error, `Legacy` behaves like Spark 3 (wrap or NULL), `Try` returns
//! NULL. Hot loops run over value slices and merge validity bitmaps; rare
//! outcomes (overflow, bad input) are detected with a flag during the loop and
//! handled in a second pass only when the flag is set.

use arrow::array::ArrayRef;
use arrow::datatypes::DataType;
use ember_core::ScalarValue;

pub mod arith;
pub mod cast;
pub mod compare;
pub mod decimal;
pub mod dictionary;
pub mod errors;
pub mod functions;
pub mod like;
pub mod temporal;
pub mod tz;
mod util;

/// An argument of a kernel: a column, or one value standing for every row.
#[derive(Debug, Clone)]
pub enum ColumnarValue {
    Array(ArrayRef),
    Scalar(ScalarValue),
}

impl From<ArrayRef> for ColumnarValue {
    fn from(a: ArrayRef) -> Self {
        ColumnarValue::Array(a)
    }
}

impl From<ScalarValue> for ColumnarValue {
    fn from(s: ScalarValue) -> Self {
        ColumnarValue::Scalar(s)
    }
}

impl ColumnarValue {
    /// The value as an array of `num_rows` rows (a scalar is repeated).
    pub fn into_array(self, num_rows: usize) -> ArrayRef {
        match self {
            ColumnarValue::Array(a) => a,
            ColumnarValue::Scalar(s) => s.to_array(num_rows),
        }
    }

    pub fn data_type(&self) -> DataType {
        match self {
            ColumnarValue::Array(a) => a.data_type().clone(),
            ColumnarValue::Scalar(s) => s.data_type(),
        }
    }

    /// The array of `num_rows` rows without consuming the value.
    pub fn to_array(&self, num_rows: usize) -> ArrayRef {
        self.clone().into_array(num_rows)
    }
}
