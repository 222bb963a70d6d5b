//! Query results as Spark Connect `ArrowBatch` messages.
//!
//! Each message holds one Arrow IPC stream (schema + one record batch) whose
//! row count the message states. Batches are sliced so that a message stays
//! near Spark's `spark.connect.grpc.arrow.maxBatchSize` (4 MiB), far below
//! the client's 128 MiB receive limit. Columns are sent in the Arrow types
//! PySpark converts: view and dictionary arrays become plain arrays first.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow_ipc::writer::StreamWriter;
use ember_core::Result;

use crate::proto::spark::connect::execute_plan_response::ArrowBatch;

/// Spark's default maximum size of one Arrow batch message.
const TARGET_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

/// The type a column is sent as.
pub fn wire_type(t: &DataType) -> DataType {
    match t {
        DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
        DataType::BinaryView | DataType::LargeBinary => DataType::Binary,
        DataType::Dictionary(_, value) => wire_type(value),
        DataType::List(f) | DataType::LargeList(f) | DataType::ListView(f) => DataType::List(Arc::new(wire_field(f))),
        DataType::Struct(fields) => DataType::Struct(fields.iter().map(|f| Arc::new(wire_field(f))).collect()),
        DataType::Map(entries, sorted) => DataType::Map(Arc::new(wire_field(entries)), *sorted),
        other => other.clone(),
    }
}

fn wire_field(f: &Field) -> Field {
    Field::new(f.name(), wire_type(f.data_type()), f.is_nullable())
}

pub fn wire_schema(schema: &Schema) -> SchemaRef {
    Arc::new(Schema::new(schema.fields().iter().map(|f| wire_field(f)).collect::<Vec<_>>()))
}

/// Converts a batch to the wire schema.
pub fn to_wire(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| if c.data_type() == f.data_type() { Ok(c.clone()) } else { cast(c, f.data_type()) })
        .collect::<std::result::Result<Vec<ArrayRef>, _>>()?;
    // the row count matters for batches without columns (`df.select().count()`)
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    Ok(RecordBatch::try_new_with_options(schema.clone(), columns, &options)?)
}

/// Encodes one batch as an Arrow IPC stream.
pub fn ipc_stream(batch: &RecordBatch) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut writer = StreamWriter::try_new(&mut out, batch.schema_ref())?;
    writer.write(batch)?;
    writer.finish()?;
    drop(writer);
    Ok(out)
}

/// The Arrow batch messages of a result. An empty result still sends one
/// message with the schema and zero rows, so the client knows the columns.
pub fn arrow_batches(schema: &Schema, batches: &[RecordBatch]) -> Result<Vec<ArrowBatch>> {
    let schema = wire_schema(schema);
    let mut out = vec![];
    let mut offset = 0i64;
    for batch in batches {
        if batch.num_rows() == 0 {
            continue;
        }
        let batch = to_wire(batch, &schema)?;
        let bytes = batch.get_array_memory_size().max(1);
        let rows_per_message = (batch.num_rows() * TARGET_MESSAGE_BYTES / bytes).clamp(1, batch.num_rows());
        let mut start = 0;
        while start < batch.num_rows() {
            let len = rows_per_message.min(batch.num_rows() - start);
            let slice = batch.slice(start, len);
            out.push(ArrowBatch {
                row_count: len as i64,
                data: ipc_stream(&slice)?,
                start_offset: Some(offset),
                chunk_index: None,
                num_chunks_in_batch: None,
            });
            offset += len as i64;
            start += len;
        }
    }
    if out.is_empty() {
        let empty = RecordBatch::new_empty(schema);
        out.push(ArrowBatch {
            row_count: 0,
            data: ipc_stream(&empty)?,
            start_offset: Some(0),
            chunk_index: None,
            num_chunks_in_batch: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int64Array, StringViewArray};
    use arrow_ipc::reader::StreamReader;

    #[test]
    fn batches_round_trip_with_plain_strings_and_offsets() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("s", DataType::Utf8View, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(vec![1, 2, 3])),
                Arc::new(StringViewArray::from(vec![Some("a"), None, Some("c")])),
            ],
        )
        .unwrap();
        let messages = arrow_batches(&schema, &[batch.clone(), batch]).unwrap();
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[1].start_offset, Some(3));
        let mut reader = StreamReader::try_new(messages[0].data.as_slice(), None).unwrap();
        let read = reader.next().unwrap().unwrap();
        assert_eq!(read.num_rows() as i64, messages[0].row_count);
        assert_eq!(read.schema().field(1).data_type(), &DataType::Utf8);
    }

    #[test]
    fn batches_without_columns_keep_their_row_count() {
        let schema = Arc::new(Schema::empty());
        let options = RecordBatchOptions::new().with_row_count(Some(3));
        let batch = RecordBatch::try_new_with_options(schema.clone(), vec![], &options).unwrap();
        let messages = arrow_batches(&schema, &[batch]).unwrap();
        assert_eq!(messages.iter().map(|m| m.row_count).sum::<i64>(), 3);
    }

    #[test]
    fn empty_results_keep_their_schema() {
        let schema = Schema::new(vec![Field::new("x", DataType::Int32, true)]);
        let messages = arrow_batches(&schema, &[]).unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].row_count, 0);
        let reader = StreamReader::try_new(messages[0].data.as_slice(), None).unwrap();
        assert_eq!(reader.schema().field(0).name(), "x");
    }

    #[test]
    fn large_batches_are_split_under_the_message_target() {
        let n = 2_000_000;
        let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)]));
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from_iter_values(0..n))]).unwrap();
        let messages = arrow_batches(&schema, &[batch]).unwrap();
        assert!(messages.len() >= 4, "{} messages", messages.len());
        assert_eq!(messages.iter().map(|m| m.row_count).sum::<i64>(), n);
        assert!(messages.iter().all(|m| m.data.len() <= TARGET_MESSAGE_BYTES + 4096));
    }
}
