//! Parquet files through the `parquet` crate's `ArrowWriter`. The codec is
//! Spark's: option `compression` (or `parquet.compression`), else
//! `spark.sql.parquet.compression.codec`, default snappy; the file name
//! carries the codec like Spark's (`.snappy.parquet`, `.gz.parquet`, ...).
//! Timestamps are written as INT64 microseconds (adjusted to UTC for
//! TIMESTAMP, not for TIMESTAMP_NTZ), which Spark reads back as the same
//! types.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, IntervalUnit, SchemaRef};
use ember_core::{Error, Result};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, GzipLevel, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::{option, unsupported_type, FileWriter};

#[derive(Debug, Clone)]
pub(crate) struct ParquetOptions {
    compression: Compression,
    /// the codec's part of the file name (`.snappy`), empty for none
    pub(crate) codec_extension: &'static str,
}

impl ParquetOptions {
    pub(crate) fn parse(options: &[(String, String)], config: &ember_core::SessionConfig) -> Result<ParquetOptions> {
        let codec = option(options, "compression")
            .or_else(|| option(options, "parquet.compression"))
            .or_else(|| config.get("spark.sql.parquet.compression.codec"))
            .unwrap_or("snappy")
            .to_ascii_lowercase();
        let (compression, codec_extension) = match codec.as_str() {
            "none" | "uncompressed" => (Compression::UNCOMPRESSED, ""),
            "snappy" => (Compression::SNAPPY, ".snappy"),
            "gzip" => (Compression::GZIP(GzipLevel::default()), ".gz"),
            "zstd" => (Compression::ZSTD(ZstdLevel::default()), ".zstd"),
            "lz4" => (Compression::LZ4, ".lz4hadoop"),
            "lz4_raw" => (Compression::LZ4_RAW, ".lz4raw"),
            "lzo" | "brotli" => {
                return Err(Error::not_implemented(format!("Parquet compression codec {codec}")));
            }
            _ => {
                return Err(super::codec_not_available(
                    &codec,
                    "brotli, uncompressed, lzo, snappy, lz4_raw, none, zstd, lz4, gzip",
                ))
            }
        };
        Ok(ParquetOptions { compression, codec_extension })
    }

    pub(crate) fn check_type(&self, name: &str, dt: &DataType) -> Result<()> {
        match dt {
            // Spark has no Parquet mapping for CalendarIntervalType or the void type
            DataType::Interval(IntervalUnit::MonthDayNano) | DataType::Null => {
                Err(unsupported_type("Parquet", name, dt))
            }
            DataType::List(f) | DataType::LargeList(f) => self.check_type(name, f.data_type()),
            DataType::Map(f, _) => self.check_type(name, f.data_type()),
            DataType::Struct(fields) => fields.iter().try_for_each(|f| self.check_type(name, f.data_type())),
            _ => Ok(()),
        }
    }
}

pub(crate) struct ParquetFileWriter {
    path: PathBuf,
    inner: ArrowWriter<BufWriter<File>>,
}

impl ParquetFileWriter {
    pub(crate) fn create(path: &Path, schema: &SchemaRef, options: &ParquetOptions) -> Result<ParquetFileWriter> {
        let file = File::create(path).map_err(|e| Error::file(path.display(), e))?;
        let props = WriterProperties::builder().set_compression(options.compression).build();
        let inner = ArrowWriter::try_new(BufWriter::new(file), schema.clone(), Some(props))
            .map_err(|e| Error::file(path.display(), e))?;
        Ok(ParquetFileWriter { path: path.to_path_buf(), inner })
    }
}

impl FileWriter for ParquetFileWriter {
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.inner.write(batch).map_err(|e| Error::file(self.path.display(), e))
    }

    fn finish(self: Box<Self>) -> Result<()> {
        let path = self.path;
        self.inner.close().map(|_| ()).map_err(|e| Error::file(path.display(), e))
    }
}
