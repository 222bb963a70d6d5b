//! Small helpers shared by the kernels: validity merging and downcasts.

use arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use arrow::datatypes::ArrowPrimitiveType;
use ember_core::{Error, Result};

/// Validity of a row-wise operation on two inputs: valid where both are.
pub fn union_nulls(a: &dyn Array, b: &dyn Array) -> Option<NullBuffer> {
    NullBuffer::union(a.logical_nulls().as_ref(), b.logical_nulls().as_ref())
}

/// `nulls` with the rows flagged in `bad` turned NULL.
pub fn null_out(nulls: Option<NullBuffer>, bad: &BooleanBuffer) -> Option<NullBuffer> {
    let keep = NullBuffer::new(!bad);
    NullBuffer::union(nulls.as_ref(), Some(&keep))
}

/// Index of the first set bit.
pub fn first_set(b: &BooleanBuffer) -> Option<usize> {
    b.set_indices().next()
}

pub fn as_primitive<T: ArrowPrimitiveType>(a: &dyn Array) -> Result<&PrimitiveArray<T>> {
    a.as_primitive_opt::<T>()
        .ok_or_else(|| Error::internal(format!("expected {:?} array, got {}", T::DATA_TYPE, a.data_type())))
}

pub fn as_utf8(a: &dyn Array) -> Result<&arrow::array::StringArray> {
    a.as_string_opt::<i32>().ok_or_else(|| Error::internal(format!("expected utf8 array, got {}", a.data_type())))
}

/// Checks that two inputs of a row-wise kernel have the same length.
pub fn check_same_len(a: &ArrayRef, b: &ArrayRef) -> Result<()> {
    if a.len() != b.len() {
        return Err(Error::internal(format!("kernel inputs differ in length: {} and {}", a.len(), b.len())));
    }
    Ok(())
}
