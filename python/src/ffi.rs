//! The Arrow PyCapsule interface, both ways, without copying data.
//!
//! Export: results become an `ArrowArrayStream` in a capsule named
//! `arrow_array_stream` (what `__arrow_c_stream__` returns). The consumer
//! moves the stream out of the capsule (setting the capsule's `release` to
//! NULL); if nobody does, dropping the capsule releases it. Each batch crosses
//! as an `ArrowArray` whose buffers stay ours until the consumer releases them.
//!
//! Import: any object with `__arrow_c_stream__` (pyarrow tables and readers,
//! pandas and polars DataFrames, ...) is read batch by batch through the
//! stream; the imported arrays point at the producer's buffers.
//!
//! Schemas cross as `ArrowSchema` in capsules named `arrow_schema`.

use std::ffi::CStr;
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, RecordBatchIterator, RecordBatchOptions, RecordBatchReader};
use arrow::datatypes::{Schema, SchemaRef};
use arrow::error::ArrowError;
use arrow::ffi::FFI_ArrowSchema;
use arrow::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use ember_core::Error;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::errors::to_py_err;

/// Capsule names fixed by the Arrow PyCapsule interface.
pub const STREAM_CAPSULE: &CStr = c"arrow_array_stream";
pub const SCHEMA_CAPSULE: &CStr = c"arrow_schema";

pub fn arrow_err(py: Python<'_>, e: ArrowError) -> PyErr {
    to_py_err(py, &Error::Arrow(e), None)
}

/// Batches as an `arrow_array_stream` capsule. Every batch must have `schema`'s types.
pub fn stream_capsule<'py>(
    py: Python<'py>,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> PyResult<Bound<'py, PyCapsule>> {
    let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), schema);
    let stream = FFI_ArrowArrayStream::new(Box::new(reader));
    // the capsule owns the boxed stream; dropping it runs `release` unless a consumer moved it out
    PyCapsule::new_with_value(py, stream, STREAM_CAPSULE)
}

/// A schema as an `arrow_schema` capsule.
pub fn schema_capsule<'py>(py: Python<'py>, schema: &Schema) -> PyResult<Bound<'py, PyCapsule>> {
    let ffi = FFI_ArrowSchema::try_from(schema).map_err(|e| arrow_err(py, e))?;
    PyCapsule::new_with_value(py, ffi, SCHEMA_CAPSULE)
}

/// Reads the whole stream a `__arrow_c_stream__` capsule holds.
pub fn import_stream(capsule: &Bound<'_, PyAny>) -> PyResult<(SchemaRef, Vec<RecordBatch>)> {
    let py = capsule.py();
    let capsule = capsule.cast::<PyCapsule>()?;
    // checks the name too: a capsule of another kind is a TypeError-like ValueError, not a crash
    let pointer = capsule.pointer_checked(Some(STREAM_CAPSULE))?;
    // SAFETY: a capsule named `arrow_array_stream` holds a pointer to an initialized, aligned
    // `ArrowArrayStream` (the PyCapsule interface's contract), and `capsule` is alive for this
    // call. `from_raw` moves the stream out and leaves a released one behind, as the interface
    // requires of consumers, so the capsule's own destructor will not release it a second time.
    let stream = unsafe { FFI_ArrowArrayStream::from_raw(pointer.cast::<FFI_ArrowArrayStream>().as_ptr()) };
    let reader = RecordBatchStreamReader::try_new(stream).map_err(|e| arrow_err(py, e))?;
    let schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, _>>().map_err(|e| arrow_err(py, e))?;
    Ok((schema, batches))
}

/// The schema an `arrow_schema` capsule holds (copied; the capsule keeps its own).
pub fn import_schema(capsule: &Bound<'_, PyAny>) -> PyResult<Schema> {
    let py = capsule.py();
    let capsule = capsule.cast::<PyCapsule>()?;
    let pointer = capsule.pointer_checked(Some(SCHEMA_CAPSULE))?;
    // SAFETY: a capsule named `arrow_schema` holds a pointer to an initialized, aligned
    // `ArrowSchema`. We only borrow it while `capsule` is alive and never release it: the
    // capsule stays its owner.
    let ffi = unsafe { pointer.cast::<FFI_ArrowSchema>().as_ref() };
    Schema::try_from(ffi).map_err(|e| arrow_err(py, e))
}

/// `batch` under `schema`: same-typed columns are kept as they are (no copy),
/// others are cast. Fails when the column counts differ or a cast is impossible.
pub fn conform(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch, ArrowError> {
    if batch.schema_ref() == schema {
        return Ok(batch.clone());
    }
    if batch.num_columns() != schema.fields().len() {
        return Err(ArrowError::SchemaError(format!(
            "expected {} columns, the data has {}",
            schema.fields().len(),
            batch.num_columns()
        )));
    }
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(
            |(c, f)| {
                if c.data_type() == f.data_type() {
                    Ok(c.clone())
                } else {
                    arrow::compute::cast(c, f.data_type())
                }
            },
        )
        .collect::<Result<Vec<ArrayRef>, _>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    RecordBatch::try_new_with_options(Arc::clone(schema), columns, &options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, Int32Array, Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field};

    fn batch(values: Vec<i64>) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, true)]));
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(values))]).unwrap()
    }

    #[test]
    fn conform_keeps_matching_columns_without_copying() {
        let b = batch(vec![1, 2, 3]);
        let renamed = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, true)]));
        let out = conform(&b, &renamed).unwrap();
        assert_eq!(out.schema().field(0).name(), "x");
        assert_eq!(out.column(0).to_data().buffers()[0].as_ptr(), b.column(0).to_data().buffers()[0].as_ptr());
    }

    #[test]
    fn conform_casts_other_types_and_rejects_other_widths() {
        let b = batch(vec![1, 2]);
        let int32 = Arc::new(Schema::new(vec![Field::new("id", DataType::Int32, true)]));
        let out = conform(&b, &int32).unwrap();
        assert_eq!(out.column(0).as_any().downcast_ref::<Int32Array>().unwrap().values(), &[1, 2]);
        let two =
            Arc::new(Schema::new(vec![Field::new("a", DataType::Int64, true), Field::new("b", DataType::Utf8, true)]));
        assert!(conform(&b, &two).is_err());
        let text = Arc::new(Schema::new(vec![Field::new("id", DataType::Utf8, true)]));
        let as_text = conform(&b, &text).unwrap();
        assert_eq!(as_text.column(0).as_any().downcast_ref::<StringArray>().unwrap().value(1), "2");
    }

    /// Export then import through real capsules: both unsafe blocks above, with an
    /// embedded interpreter (no pyarrow needed).
    #[test]
    fn stream_and_schema_capsules_round_trip() {
        Python::initialize();
        Python::attach(|py| {
            let b = batch(vec![7, 8, 9]);
            let schema = b.schema();
            let capsule = stream_capsule(py, schema.clone(), vec![b.clone(), batch(vec![10])]).unwrap();
            let (got_schema, got) = import_stream(capsule.as_any()).unwrap();
            assert_eq!(got_schema.fields(), schema.fields());
            assert_eq!(got.iter().map(|b| b.num_rows()).sum::<usize>(), 4);
            // zero copy: the imported column points at the exported buffer
            assert_eq!(got[0].column(0).to_data().buffers()[0].as_ptr(), b.column(0).to_data().buffers()[0].as_ptr());
            // the stream was moved out: a second import sees a released stream
            assert!(import_stream(capsule.as_any()).is_err());

            let sc = schema_capsule(py, &schema).unwrap();
            assert_eq!(import_schema(sc.as_any()).unwrap(), *schema);
            // reading a schema does not consume the capsule
            assert_eq!(import_schema(sc.as_any()).unwrap(), *schema);
            // a capsule of the wrong kind is refused, not dereferenced
            assert!(import_stream(sc.as_any()).is_err());
        });
    }

    #[test]
    fn an_unconsumed_stream_capsule_releases_its_batches() {
        Python::initialize();
        let b = batch(vec![1, 2, 3]);
        let column = b.column(0).clone();
        Python::attach(|py| {
            let capsule = stream_capsule(py, b.schema(), vec![b]).unwrap();
            assert!(Arc::strong_count(&column) > 1);
            drop(capsule);
        });
        assert_eq!(Arc::strong_count(&column), 1);
    }
}
