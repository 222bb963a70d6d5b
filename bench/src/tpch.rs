//! TPC-H: data generation into Parquet, views over the files, the 22 queries
//! and their reference answers (both in the shared folder next to the repo).
//!
//! Data come from `tpchgen` 4.0.0 (byte-compatible with dbgen), one Parquet
//! file per table. Money columns stay `decimal(15,2)` and dates `date32` as
//! `tpchgen-arrow` produces them; string columns are stored as plain `Utf8`
//! (not the generator's `Utf8View`) so that any Arrow reader gets the type
//! Spark's `StringType` maps to.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::error::ArrowError;
use ember_core::{Error, Result};
use ember_engine::Session;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use tpchgen::generators::{
    CustomerGenerator, LineItemGenerator, NationGenerator, OrderGenerator, PartGenerator, PartSuppGenerator,
    RegionGenerator, SupplierGenerator,
};
use tpchgen_arrow::{
    CustomerArrow, LineItemArrow, NationArrow, OrderArrow, PartArrow, PartSuppArrow, RegionArrow, SupplierArrow,
};

/// The eight tables, biggest first (generation hands them out in this order).
pub const TABLES: [&str; 8] = ["lineitem", "orders", "partsupp", "part", "customer", "supplier", "nation", "region"];

/// Rows per Parquet row group: DuckDB's default (120 * 1024). Small enough
/// that SF 0.1 lineitem (600k rows) has several groups to scan in parallel,
/// big enough that per-group overhead stays negligible.
pub const ROW_GROUP_ROWS: usize = 122_880;

/// Rows per generated batch before it is handed to the writer.
const GEN_BATCH_ROWS: usize = 16_384;

/// The scale factor as written in folder names: `0.01`, `0.1`, `1`, `10`.
pub fn sf_label(sf: f64) -> String {
    format!("{sf}")
}

/// Writes the eight TPC-H tables for scale factor `sf` as `<table>.parquet`
/// into `dir`. Tables whose file exists are kept; each file is written under
/// a temporary name and renamed when complete, so a crash or a concurrent
/// generator never leaves a partial file under the final name.
pub fn generate(sf: f64, dir: &Path) -> Result<()> {
    if !(sf > 0.0 && sf.is_finite()) {
        return Err(Error::internal(format!("invalid TPC-H scale factor {sf}")));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::file(dir.display(), e))?;
    let missing: Vec<&str> = TABLES.iter().copied().filter(|t| !table_path(dir, t).exists()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let workers = workers.min(missing.len());
    let next = AtomicUsize::new(0);
    let results: Vec<Result<()>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| -> Result<()> {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(table) = missing.get(i) else {
                            return Ok(());
                        };
                        generate_table(sf, table, dir)?;
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(Error::internal("TPC-H generator thread panicked"))))
            .collect()
    });
    results.into_iter().collect()
}

/// `<dir>/<table>.parquet`
pub fn table_path(dir: &Path, table: &str) -> PathBuf {
    dir.join(format!("{table}.parquet"))
}

fn generate_table(sf: f64, table: &str, dir: &Path) -> Result<()> {
    let target = table_path(dir, table);
    let tmp = dir.join(format!(".{table}.parquet.tmp-{}", std::process::id()));
    let written = match table {
        "lineitem" => {
            let g = LineItemArrow::new(LineItemGenerator::new(sf, 1, 1));
            write_parquet(&tmp, LineItemArrow::schema_ref(), g.with_batch_size(GEN_BATCH_ROWS))
        }
        "orders" => {
            let g = OrderArrow::new(OrderGenerator::new(sf, 1, 1));
            write_parquet(&tmp, OrderArrow::schema_ref(), g.with_batch_size(GEN_BATCH_ROWS))
        }
        "customer" => {
            let g = CustomerArrow::new(CustomerGenerator::new(sf, 1, 1));
            write_parquet(&tmp, CustomerArrow::schema_ref(), g.with_batch_size(GEN_BATCH_ROWS))
        }
        "part" => {
            let g = PartArrow::new(PartGenerator::new(sf, 1, 1));
            write_parquet(&tmp, PartArrow::schema_ref(), g.with_batch_size(GEN_BATCH_ROWS))
        }
        "partsupp" => {
            let g = PartSuppArrow::new(PartSuppGenerator::new(sf, 1, 1));
            write_parquet(&tmp, PartSuppArrow::schema_ref(), g.with_batch_size(GEN_BATCH_ROWS))
        }
        "supplier" => {
            let g = SupplierArrow::new(SupplierGenerator::new(sf, 1, 1));
            write_parquet(&tmp, SupplierArrow::schema_ref(), g.with_batch_size(GEN_BATCH_ROWS))
        }
        "nation" => {
            let g = NationArrow::new(NationGenerator::new(sf, 1, 1));
            write_parquet(&tmp, NationArrow::schema_ref(), g.with_batch_size(GEN_BATCH_ROWS))
        }
        "region" => {
            let g = RegionArrow::new(RegionGenerator::new(sf, 1, 1));
            write_parquet(&tmp, RegionArrow::schema_ref(), g.with_batch_size(GEN_BATCH_ROWS))
        }
        other => Err(Error::internal(format!("unknown TPC-H table {other}"))),
    };
    match written {
        Ok(()) => std::fs::rename(&tmp, &target).map_err(|e| Error::file(target.display(), e)),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// The stored schema: view strings become `Utf8`, everything else unchanged.
fn stored_schema(schema: &SchemaRef) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8View => f.as_ref().clone().with_data_type(DataType::Utf8),
            _ => f.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

fn to_stored(batch: RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
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
        .collect::<Result<Vec<_>, ArrowError>>()?;
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

fn write_parquet(
    path: &Path,
    schema: SchemaRef,
    batches: impl Iterator<Item = Result<RecordBatch, ArrowError>>,
) -> Result<()> {
    let schema = stored_schema(&schema);
    let file = File::create(path).map_err(|e| Error::file(path.display(), e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .build();
    let mut writer =
        ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(|e| Error::file(path.display(), e))?;
    for batch in batches {
        let batch = to_stored(batch?, &schema)?;
        writer.write(&batch).map_err(|e| Error::file(path.display(), e))?;
    }
    writer.close().map_err(|e| Error::file(path.display(), e))?;
    Ok(())
}

/// Creates (or replaces) one temporary view per table over its Parquet file.
pub fn create_views(session: &Session, dir: &Path) -> Result<()> {
    let dir = std::path::absolute(dir).map_err(|e| Error::file(dir.display(), e))?;
    for table in TABLES {
        let path = table_path(&dir, table);
        let path = path.to_string_lossy().replace('\'', "\\'");
        session.sql(&format!("CREATE OR REPLACE TEMPORARY VIEW {table} USING parquet OPTIONS (path '{path}')"))?;
    }
    Ok(())
}

/// The `shared/` folder next to the repository: found by walking up from the
/// current directory, then from this crate's source folder.
pub fn shared_dir() -> Option<PathBuf> {
    let mut starts = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    starts.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    for start in starts {
        for dir in start.ancestors() {
            let candidate = dir.join("shared");
            if candidate.join("tpch").join("queries").is_dir() {
                return Some(candidate);
            }
        }
    }
    None
}

/// `shared/tpch/queries`, or an error that says where it was looked for.
pub fn queries_dir() -> Result<PathBuf> {
    shared_dir().map(|s| s.join("tpch").join("queries")).ok_or_else(|| {
        Error::file(
            "shared/tpch/queries",
            "not found next to the repository (looked upward from the current directory and from the bench crate)",
        )
    })
}

/// The text of query `n` (1..=22).
pub fn query_text(n: usize) -> Result<String> {
    let path = queries_dir()?.join(format!("q{n:02}.sql"));
    std::fs::read_to_string(&path).map_err(|e| Error::file(path.display(), e))
}

/// The reference answer of query `n` at scale factor `sf`, if one exists.
pub fn answer_path(sf: f64, n: usize) -> Option<PathBuf> {
    let path =
        shared_dir()?.join("tpch").join("answers").join(format!("sf{}", sf_label(sf))).join(format!("q{n:02}.csv"));
    path.is_file().then_some(path)
}

/// Output columns (0-based) of the ORDER BY keys of query `n`, in sort order:
/// rows equal on these may come in any order. Derived from the queries'
/// ORDER BY clauses and select lists.
pub fn order_keys(n: usize) -> &'static [usize] {
    match n {
        1 => &[0, 1],
        2 => &[0, 2, 1, 3],
        3 => &[1, 2],
        4 => &[0],
        5 => &[1],
        7 => &[0, 1, 2],
        8 => &[0],
        9 => &[0, 1],
        10 => &[2],
        11 => &[1],
        12 => &[0],
        13 => &[1, 0],
        15 => &[0],
        16 => &[3, 0, 1, 2],
        18 => &[4, 3],
        20 => &[0],
        21 => &[1, 0],
        22 => &[0],
        // single-row results (6, 14, 17, 19)
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    #[test]
    fn labels() {
        assert_eq!(sf_label(0.01), "0.01");
        assert_eq!(sf_label(0.1), "0.1");
        assert_eq!(sf_label(1.0), "1");
        assert_eq!(sf_label(10.0), "10");
    }

    #[test]
    fn shared_folder_is_found() {
        let q = query_text(1).expect("q01");
        assert!(q.to_lowercase().contains("lineitem"));
        assert!(answer_path(0.01, 1).is_some());
        assert!(answer_path(0.5, 1).is_none());
    }

    #[test]
    fn generates_small_tables_with_spark_types() {
        let dir = std::env::temp_dir().join(format!("ember-tpch-unit-{}", std::process::id()));
        // a tiny scale factor keeps this fast; nation/region are fixed-size
        generate(0.001, &dir).expect("generate");
        for t in TABLES {
            assert!(table_path(&dir, t).is_file(), "{t}");
        }
        let file = File::open(table_path(&dir, "nation")).expect("open");
        let reader = ParquetRecordBatchReaderBuilder::try_new(file).expect("reader");
        let schema = reader.schema().clone();
        let batches: Vec<_> = reader.build().expect("build").collect::<Result<_, _>>().expect("read");
        assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 25);
        assert_eq!(schema.field(1).data_type(), &DataType::Utf8);

        let file = File::open(table_path(&dir, "lineitem")).expect("open");
        let reader = ParquetRecordBatchReaderBuilder::try_new(file).expect("reader");
        let schema = reader.schema().clone();
        assert_eq!(schema.field_with_name("l_extendedprice").expect("col").data_type(), &DataType::Decimal128(15, 2));
        assert_eq!(schema.field_with_name("l_shipdate").expect("col").data_type(), &DataType::Date32);
        let batch = reader.build().expect("build").next().expect("one batch").expect("read");
        assert!(batch.num_rows() > 0);
        // idempotent: a second call with all files present does nothing
        generate(0.001, &dir).expect("again");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
