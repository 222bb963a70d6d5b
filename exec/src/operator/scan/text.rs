//! CSV, JSON and text scans. A morsel is a whole file: these formats are
//! not splittable without scanning for record boundaries.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use arrow::array::{RecordBatch, StringArray};
use arrow::datatypes::SchemaRef;
use ember_core::plan::{FileFormat, FileTable};
use ember_core::{Error, Result};

use crate::pipeline::{local_mut, local_ref, LocalState, Source, UnitChunks};

pub struct TextFileScan {
    table: Arc<FileTable>,
    name: String,
    /// Projected columns of the table schema.
    projection: Vec<usize>,
    schema: SchemaRef,
    cursor: AtomicUsize,
    batch_size: usize,
}

type BatchIter = Box<dyn Iterator<Item = std::result::Result<RecordBatch, arrow::error::ArrowError>> + Send>;

struct TextLocal {
    reader: Option<(String, BatchIter)>,
    /// The file being read and how many chunks it gave so far.
    place: UnitChunks,
}

impl TextFileScan {
    pub fn new(
        name: String,
        table: Arc<FileTable>,
        projection: Vec<usize>,
        schema: SchemaRef,
        batch_size: usize,
    ) -> TextFileScan {
        TextFileScan { table, name, projection, schema, cursor: AtomicUsize::new(0), batch_size }
    }

    fn open(&self, path: &str) -> Result<BatchIter> {
        let file = File::open(path).map_err(|e| Error::file(path, e))?;
        let full = self.table.schema.clone();
        match self.table.format {
            FileFormat::Csv => {
                let (quote, escape) = crate::files::csv_quote_escape(&self.table.options)?;
                let r = arrow::csv::ReaderBuilder::new(full)
                    .with_quote(quote)
                    .with_escape(escape)
                    .with_header(crate::files::csv_has_header(&self.table.options))
                    .with_delimiter(crate::files::csv_delimiter(&self.table.options)?)
                    .with_batch_size(self.batch_size)
                    .with_projection(self.projection.clone())
                    .build(file)
                    .map_err(|e| Error::file(path, e))?;
                Ok(Box::new(r))
            }
            FileFormat::Json => {
                let r = arrow::json::ReaderBuilder::new(full)
                    .with_batch_size(self.batch_size)
                    .build(BufReader::new(file))
                    .map_err(|e| Error::file(path, e))?;
                let proj = self.projection.clone();
                Ok(Box::new(r.map(move |b| b.and_then(|b| b.project(&proj)))))
            }
            FileFormat::Text => {
                let mut lines = BufReader::new(file).lines();
                let schema = full.clone();
                let bs = self.batch_size;
                let path = path.to_string();
                Ok(Box::new(std::iter::from_fn(move || {
                    let mut chunk = Vec::with_capacity(bs);
                    for line in lines.by_ref() {
                        match line {
                            Ok(l) => chunk.push(l),
                            Err(e) => {
                                return Some(Err(arrow::error::ArrowError::ExternalError(Box::new(Error::file(
                                    &path, e,
                                )))))
                            }
                        }
                        if chunk.len() == bs {
                            break;
                        }
                    }
                    if chunk.is_empty() {
                        return None;
                    }
                    Some(RecordBatch::try_new(schema.clone(), vec![Arc::new(StringArray::from(chunk))]))
                })))
            }
            FileFormat::Parquet => Err(Error::internal("parquet file in a text scan")),
        }
    }
}

impl Source for TextFileScan {
    fn name(&self) -> String {
        format!("{}Scan {} ({} files)", self.table.format.name().to_uppercase(), self.name, self.table.files.len())
    }
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    fn init_local(&self) -> Result<LocalState> {
        Ok(Box::new(TextLocal { reader: None, place: UnitChunks::default() }))
    }
    fn next_chunk(&self, local: &mut LocalState) -> Result<Option<RecordBatch>> {
        let local = local_mut::<TextLocal>(local)?;
        loop {
            if let Some((path, reader)) = local.reader.as_mut() {
                match reader.next() {
                    Some(Ok(b)) => {
                        local.place.count();
                        return Ok(Some(super::conform_batch(b, &self.schema)?));
                    }
                    Some(Err(e)) => return Err(Error::file(path.as_str(), format!("malformed record: {e}"))),
                    None => local.reader = None,
                }
            }
            let i = self.cursor.fetch_add(1, Ordering::Relaxed);
            match self.table.files.get(i) {
                Some(path) => {
                    local.reader = Some((path.clone(), self.open(path)?));
                    local.place.start(i);
                }
                None => return Ok(None),
            }
        }
    }
    fn max_threads(&self) -> usize {
        self.table.files.len().max(1)
    }
    fn chunk_position(&self, local: &LocalState) -> Option<u64> {
        let local = local_ref::<TextLocal>(local)?;
        Some(local.place.position())
    }
}
