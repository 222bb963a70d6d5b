//! The write sink: the last pipeline of a write pushes its chunks here.
//!
//! Each worker is one writer task: on its first chunk it takes the next
//! task number and from then on writes its own files,
//! `part-<task>-<job>-c<n><ext>`, one per partition folder (`n` counts the
//! files of that folder, rolled over at `maxRecordsPerFile`). `combine`
//! closes the worker's files; `finalize` writes one empty file when the
//! query produced no rows at all (non-partitioned writes only), as Spark
//! does, so that the schema survives.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use arrow::array::{RecordBatch, RecordBatchOptions};
use arrow::datatypes::SchemaRef;
use ember_core::{Error, Result};

use super::assign::{cast_to_table, StoreAssignmentPolicy};
use super::{partition, FileWriter, FormatOptions};
use crate::pipeline::{local_mut, LocalState, Sink, SinkResult};

/// How many files one task keeps open at once; past it, all are closed
/// (a later row for a closed folder starts that folder's next file).
const MAX_OPEN_FILES: usize = 64;

pub(crate) struct WriteJob {
    /// The staging folder.
    pub dir: PathBuf,
    pub job: String,
    pub format: FormatOptions,
    /// Every column, as written (names and types).
    pub schema: SchemaRef,
    /// Cast the query's columns to `schema` with this policy (table writes).
    pub cast: Option<StoreAssignmentPolicy>,
    pub partition_idx: Vec<usize>,
    pub partition_names: Vec<String>,
    /// The columns that go into the files.
    pub data_schema: SchemaRef,
    pub max_records: Option<usize>,
}

struct OpenFile {
    path: PathBuf,
    writer: Box<dyn FileWriter>,
    rows: usize,
}

#[derive(Default)]
struct WriteLocal {
    task: Option<usize>,
    open: HashMap<String, OpenFile>,
    /// The next file number of each folder.
    counters: HashMap<String, usize>,
    files: Vec<PathBuf>,
    rows: usize,
}

pub(crate) struct WriteSink {
    job: WriteJob,
    next_task: AtomicUsize,
    done: Mutex<(Vec<PathBuf>, usize)>,
}

impl WriteSink {
    pub(crate) fn new(job: WriteJob) -> WriteSink {
        WriteSink { job, next_task: AtomicUsize::new(0), done: Mutex::new((vec![], 0)) }
    }

    /// The files written (in the staging folder, sorted) and the row count.
    pub(crate) fn written(&self) -> (Vec<PathBuf>, usize) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        let (mut files, rows) = std::mem::take(&mut *done);
        files.sort();
        (files, rows)
    }

    fn open_file(&self, local: &mut WriteLocal, folder: &str) -> Result<OpenFile> {
        let task = *local.task.get_or_insert_with(|| self.next_task.fetch_add(1, Ordering::Relaxed));
        let counter = local.counters.entry(folder.to_string()).or_insert(0);
        let name = format!("part-{task:05}-{}-c{:03}{}", self.job.job, *counter, self.job.format.extension());
        *counter += 1;
        let dir = if folder.is_empty() { self.job.dir.clone() } else { self.job.dir.join(folder) };
        std::fs::create_dir_all(&dir).map_err(|e| Error::file(dir.display(), e))?;
        let path = dir.join(name);
        let writer = self.job.format.open(&path, &self.job.data_schema)?;
        Ok(OpenFile { path, writer, rows: 0 })
    }

    fn close(local: &mut WriteLocal, file: OpenFile) -> Result<()> {
        file.writer.finish()?;
        local.files.push(file.path);
        Ok(())
    }

    /// Writes `batch` (data columns only) to the folder's current file(s).
    fn write_to(&self, local: &mut WriteLocal, folder: String, batch: RecordBatch) -> Result<()> {
        let mut offset = 0;
        while offset < batch.num_rows() {
            if !local.open.contains_key(&folder) {
                if local.open.len() >= MAX_OPEN_FILES {
                    for (_, f) in std::mem::take(&mut local.open) {
                        Self::close(local, f)?;
                    }
                }
                let f = self.open_file(local, &folder)?;
                local.open.insert(folder.clone(), f);
            }
            let file = local.open.get_mut(&folder).ok_or_else(|| Error::internal("write sink lost an open file"))?;
            let room = self.job.max_records.map(|m| m.saturating_sub(file.rows)).unwrap_or(usize::MAX);
            let n = room.min(batch.num_rows() - offset);
            let part = if offset == 0 && n == batch.num_rows() { batch.clone() } else { batch.slice(offset, n) };
            file.writer.write(&part)?;
            file.rows += n;
            offset += n;
            if self.job.max_records.is_some_and(|m| file.rows >= m) {
                if let Some(full) = local.open.remove(&folder) {
                    Self::close(local, full)?;
                }
            }
        }
        local.rows += batch.num_rows();
        Ok(())
    }

    /// The chunk with the written names and types.
    fn conform(&self, chunk: RecordBatch) -> Result<RecordBatch> {
        match self.job.cast {
            Some(policy) => cast_to_table(&chunk, &self.job.schema, policy),
            None => Ok(RecordBatch::try_new_with_options(
                self.job.schema.clone(),
                chunk.columns().to_vec(),
                &RecordBatchOptions::new().with_row_count(Some(chunk.num_rows())),
            )?),
        }
    }
}

impl Sink for WriteSink {
    fn name(&self) -> String {
        format!("Write {}", self.job.format.extension().trim_start_matches('.'))
    }

    fn init_local(&self) -> Result<LocalState> {
        Ok(Box::new(WriteLocal::default()))
    }

    fn sink(&self, local: &mut LocalState, chunk: RecordBatch) -> Result<SinkResult> {
        let local = local_mut::<WriteLocal>(local)?;
        let batch = self.conform(chunk)?;
        if self.job.partition_idx.is_empty() {
            self.write_to(local, String::new(), batch)?;
        } else {
            let folders = partition::row_folders(&batch, &self.job.partition_idx, &self.job.partition_names)?;
            let data = partition::without_columns(&batch, &self.job.partition_idx, &self.job.data_schema)?;
            for (folder, part) in partition::split_by_folder(&data, folders)? {
                self.write_to(local, folder, part)?;
            }
        }
        Ok(SinkResult::NeedMoreInput)
    }

    fn combine(&self, mut local: LocalState) -> Result<()> {
        let local = local_mut::<WriteLocal>(&mut local)?;
        for (_, f) in std::mem::take(&mut local.open) {
            Self::close(local, f)?;
        }
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        done.0.append(&mut local.files);
        done.1 += local.rows;
        Ok(())
    }

    fn finalize(&self) -> Result<()> {
        let empty = self.done.lock().unwrap_or_else(|e| e.into_inner()).0.is_empty();
        if empty && self.job.partition_idx.is_empty() {
            let mut local = WriteLocal::default();
            let f = self.open_file(&mut local, "")?;
            Self::close(&mut local, f)?;
            self.done.lock().unwrap_or_else(|e| e.into_inner()).0.append(&mut local.files);
        }
        Ok(())
    }
}
