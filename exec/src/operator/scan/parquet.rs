//! Parquet scan. Morsels are row groups, handed out through an atomic
//! cursor; row groups whose statistics rule out the pushed filters are
//! skipped before any data is read. Only the projected columns are decoded.

use std::fs::File;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use ember_core::{Error, Result};
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;

use crate::operator::scan::pruning::RowGroupPredicate;
use crate::pipeline::{local_mut, LocalState, Source};

pub struct ParquetScan {
    pub table_name: String,
    files: Vec<(String, ArrowReaderMetadata)>,
    /// Projected column indices into the file schema.
    projection: Vec<usize>,
    /// Output schema (Spark types of the projected columns).
    schema: SchemaRef,
    /// (file index, row group index) still to read.
    morsels: Vec<(usize, usize)>,
    cursor: AtomicUsize,
    batch_size: usize,
    pruned: usize,
}

struct ParquetLocal {
    reader: Option<ParquetRecordBatchReader>,
}

impl ParquetScan {
    pub fn try_new(
        table_name: String,
        files: &[String],
        projection: Vec<usize>,
        schema: SchemaRef,
        predicates: &[RowGroupPredicate],
        batch_size: usize,
    ) -> Result<ParquetScan> {
        let mut opened = Vec::with_capacity(files.len());
        let mut morsels = Vec::new();
        let mut pruned = 0;
        for (fi, f) in files.iter().enumerate() {
            let meta = crate::files::parquet_metadata(f)?;
            let keep = crate::operator::scan::pruning::row_groups_to_read(&meta, predicates)?;
            for (rg, k) in keep.into_iter().enumerate() {
                if k {
                    morsels.push((fi, rg));
                } else {
                    pruned += 1;
                }
            }
            opened.push((f.clone(), meta));
        }
        Ok(ParquetScan {
            table_name,
            files: opened,
            projection,
            schema,
            morsels,
            cursor: AtomicUsize::new(0),
            batch_size,
            pruned,
        })
    }

    fn open_morsel(&self, m: (usize, usize)) -> Result<ParquetRecordBatchReader> {
        let (path, meta) = &self.files[m.0];
        let file = File::open(path).map_err(|e| Error::file(path, e))?;
        let mask =
            ProjectionMask::roots(meta.metadata().file_metadata().schema_descr(), self.projection.iter().copied());
        ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta.clone())
            .with_projection(mask)
            .with_row_groups(vec![m.1])
            .with_batch_size(self.batch_size)
            .build()
            .map_err(|e| Error::file(path, e))
    }
}

impl Source for ParquetScan {
    fn name(&self) -> String {
        format!(
            "ParquetScan {} ({} row groups{})",
            self.table_name,
            self.morsels.len(),
            if self.pruned > 0 { format!(", {} pruned", self.pruned) } else { String::new() }
        )
    }
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    fn init_local(&self) -> Result<LocalState> {
        Ok(Box::new(ParquetLocal { reader: None }))
    }
    fn next_chunk(&self, local: &mut LocalState) -> Result<Option<RecordBatch>> {
        let local = local_mut::<ParquetLocal>(local)?;
        loop {
            if let Some(reader) = local.reader.as_mut() {
                match reader.next() {
                    Some(Ok(batch)) => {
                        // the projection mask keeps file order; reorder to ours
                        let batch = reorder(batch, &self.projection)?;
                        return Ok(Some(super::conform_batch(batch, &self.schema)?));
                    }
                    Some(Err(e)) => return Err(Error::file(&self.table_name, e)),
                    None => local.reader = None,
                }
            }
            let i = self.cursor.fetch_add(1, Ordering::Relaxed);
            match self.morsels.get(i) {
                Some(m) => local.reader = Some(self.open_morsel(*m)?),
                None => return Ok(None),
            }
        }
    }
    fn max_threads(&self) -> usize {
        self.morsels.len().max(1)
    }
}

/// `ProjectionMask` yields columns in file order; the plan may want another.
fn reorder(batch: RecordBatch, projection: &[usize]) -> Result<RecordBatch> {
    let mut sorted: Vec<usize> = projection.to_vec();
    sorted.sort_unstable();
    if sorted == projection {
        return Ok(batch);
    }
    let idx: Vec<usize> = projection.iter().map(|p| sorted.binary_search(p).unwrap_or(0)).collect();
    Ok(batch.project(&idx)?)
}

/// Shared handle used by the planner.
pub type ParquetScanRef = Arc<ParquetScan>;
