//! Sources that read tables: Parquet, CSV, JSON, text, memory, literal rows
//! and `range`.

pub mod dictionary_filter;
pub mod memory;
pub mod parquet;
pub mod pruning;
pub mod text;

/// Casts columns read from a file to the table's declared types (files may
/// store e.g. Utf8View or nanosecond timestamps).
pub fn conform_batch(
    batch: arrow::array::RecordBatch,
    schema: &arrow::datatypes::SchemaRef,
) -> ember_core::Result<arrow::array::RecordBatch> {
    if batch.schema().fields().iter().zip(schema.fields().iter()).all(|(a, b)| a.data_type() == b.data_type()) {
        return Ok(arrow::array::RecordBatch::try_new_with_options(
            schema.clone(),
            batch.columns().to_vec(),
            &arrow::array::RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
        )?);
    }
    let cols = crate::operator::project::conform(batch.columns().to_vec(), schema)?;
    Ok(arrow::array::RecordBatch::try_new_with_options(
        schema.clone(),
        cols,
        &arrow::array::RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )?)
}
