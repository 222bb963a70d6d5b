//! Sources that read tables: Parquet, CSV, JSON, text, memory, literal rows
//! and `range`.

pub mod dictionary_filter;
pub mod dictionary_pages;
pub mod memory;
pub mod parquet;
pub mod pruning;
pub mod row_group_bytes;
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
    let cols = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| conform_column(c.clone(), f.data_type()))
        .collect::<ember_core::Result<Vec<_>>>()?;
    Ok(arrow::array::RecordBatch::try_new_with_options(
        schema.clone(),
        cols,
        &arrow::array::RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )?)
}

/// `column` as `data_type`: a dictionary-encoded string column (how
/// Parquet scans read low-cardinality strings) is decoded by
/// `ember_vector::dictionary`, anything else cast.
pub fn conform_column(
    column: arrow::array::ArrayRef,
    data_type: &arrow::datatypes::DataType,
) -> ember_core::Result<arrow::array::ArrayRef> {
    use arrow::array::AsArray;
    if column.data_type() == data_type {
        return Ok(column);
    }
    if data_type == &arrow::datatypes::DataType::Utf8 {
        if let Some(dictionary) = column.as_dictionary_opt::<arrow::datatypes::Int32Type>() {
            if let Some(strings) = ember_vector::dictionary::dictionary_strings(dictionary)? {
                return Ok(std::sync::Arc::new(strings));
            }
        }
    }
    Ok(arrow::compute::cast(&column, data_type)?)
}
