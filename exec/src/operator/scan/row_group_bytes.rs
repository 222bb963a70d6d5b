//! The stored bytes of one row group's column chunks, read from the file
//! up front, one read per run of adjacent chunks, that the Parquet reader
//! then slices its pages from.
//!
//! Reading through a `File` costs the reader several system calls per page
//! (a duplicated descriptor, a seek, a buffered read of the page header and
//! another read of the page), and an allocation per page; with a chunk's
//! bytes in memory a page is a slice of them, with no copy.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use bytes::Bytes;
use ember_core::{Error, Result};
use parquet::errors::ParquetError;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::{ChunkReader, Length};

/// Chunks closer together than this are read as one run: the gap costs
/// less to read than another system call.
const COALESCE_GAP: u64 = 64 * 1024;

/// Byte runs of a file, each `(file offset, bytes)`, ascending and
/// disjoint; a [`ChunkReader`] over them.
pub struct RowGroupBytes {
    file_len: u64,
    runs: Vec<(u64, Bytes)>,
}

impl RowGroupBytes {
    /// The `(start, end)` byte ranges of the column chunks of `row_group`
    /// that belong to the top-level `columns` (file schema indices).
    fn chunk_ranges(metadata: &ParquetMetaData, row_group: usize, columns: &[usize]) -> Vec<(u64, u64)> {
        let schema = metadata.file_metadata().schema_descr();
        let rg = metadata.row_group(row_group);
        (0..schema.num_columns())
            .filter(|&leaf| columns.contains(&schema.get_column_root_idx(leaf)))
            .map(|leaf| rg.column(leaf).byte_range())
            .map(|(start, len)| (start, start.saturating_add(len)))
            .collect()
    }

    /// How many bytes `read` would hold, gaps aside.
    pub fn projected_len(metadata: &ParquetMetaData, row_group: usize, columns: &[usize]) -> u64 {
        Self::chunk_ranges(metadata, row_group, columns).iter().map(|(start, end)| end.saturating_sub(*start)).sum()
    }

    /// Reads the column chunks of `row_group` that belong to the top-level
    /// `columns` (file schema indices) from `path`.
    pub fn read(path: &str, metadata: &ParquetMetaData, row_group: usize, columns: &[usize]) -> Result<RowGroupBytes> {
        let mut ranges = Self::chunk_ranges(metadata, row_group, columns);
        if ranges.is_empty() {
            // nothing to read (`count(*)`): the reader asks for no bytes
            return Ok(RowGroupBytes { file_len: 0, runs: vec![] });
        }
        ranges.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
        for (start, end) in ranges {
            match merged.last_mut() {
                Some(last) if start <= last.1.saturating_add(COALESCE_GAP) => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        let mut file = File::open(path).map_err(|e| Error::file(path, e))?;
        let file_len = file.metadata().map_err(|e| Error::file(path, e))?.len();
        let mut runs = Vec::with_capacity(merged.len());
        for (start, end) in merged {
            if end > file_len {
                return Err(Error::file(
                    path,
                    format!("a column chunk ends at byte {end}, past the end of the file ({file_len} bytes)"),
                ));
            }
            let len = (end - start) as usize;
            let mut buffer = Vec::with_capacity(len);
            file.seek(SeekFrom::Start(start)).map_err(|e| Error::file(path, e))?;
            // `read_to_end` fills the spare capacity without zeroing it first
            let read = (&mut file).take(len as u64).read_to_end(&mut buffer).map_err(|e| Error::file(path, e))?;
            if read != len {
                return Err(Error::file(path, format!("expected {len} bytes at offset {start}, read {read}")));
            }
            runs.push((start, Bytes::from(buffer)));
        }
        Ok(RowGroupBytes { file_len, runs })
    }

    /// The run holding `[start, start + len)`, and `start`'s offset in it.
    fn locate(&self, start: u64, len: usize) -> parquet::errors::Result<(&Bytes, usize)> {
        let i = self.runs.partition_point(|(offset, _)| *offset <= start);
        if i > 0 {
            let (offset, bytes) = &self.runs[i - 1];
            let from = (start - offset) as usize;
            if from.checked_add(len).is_some_and(|end| end <= bytes.len()) {
                return Ok((bytes, from));
            }
        }
        Err(ParquetError::General(format!(
            "bytes {start}..{} of the file were not read with its row group",
            start.saturating_add(len as u64)
        )))
    }
}

impl Length for RowGroupBytes {
    fn len(&self) -> u64 {
        self.file_len
    }
}

impl ChunkReader for RowGroupBytes {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        use bytes::Buf;
        let (bytes, from) = self.locate(start, 0)?;
        Ok(bytes.slice(from..).reader())
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        let (bytes, from) = self.locate(start, length)?;
        Ok(bytes.slice(from..from + length))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs() -> RowGroupBytes {
        RowGroupBytes {
            file_len: 1000,
            runs: vec![(10, Bytes::from_static(b"abcdef")), (100, Bytes::from_static(b"xyz"))],
        }
    }

    #[test]
    fn slices_come_from_the_run_that_holds_them() {
        let r = runs();
        assert_eq!(r.get_bytes(10, 6).unwrap(), Bytes::from_static(b"abcdef"));
        assert_eq!(r.get_bytes(12, 2).unwrap(), Bytes::from_static(b"cd"));
        assert_eq!(r.get_bytes(101, 2).unwrap(), Bytes::from_static(b"yz"));
        assert_eq!(r.get_bytes(16, 0).unwrap(), Bytes::new());
        let mut rest = String::new();
        r.get_read(13).unwrap().read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "def");
        assert_eq!(r.len(), 1000);
    }

    #[test]
    fn bytes_outside_the_runs_are_an_error() {
        let r = runs();
        for (start, len) in [(0, 1), (9, 2), (14, 3), (16, 1), (50, 1), (102, 2), (u64::MAX, 1), (10, usize::MAX)] {
            assert!(r.get_bytes(start, len).is_err(), "{start} {len}");
        }
        assert!(r.get_read(5).is_err());
        assert!(r.get_read(200).is_err());
    }
}
