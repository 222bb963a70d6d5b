//! Writers end to end: a plan over in-memory rows is written, the files
//! are checked byte for byte (text formats) and read back through the
//! scanners; modes, staging and partitioning.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BinaryArray, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array, Int8Array,
    RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use ember_core::plan::{FileFormat, TableSource};
use ember_core::spec::SaveMode;
use ember_core::{Attribute, LogicalPlan, SessionConfig};
use ember_spill::MemoryPool;

use super::*;
use crate::context::QueryContext;

/// A fresh folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "ember-write-test-{}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            uuid::Uuid::new_v4()
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ctx_with(settings: &[(&str, &str)]) -> Arc<QueryContext> {
    let mut config = SessionConfig::new();
    config.set("ember.threads", "1").unwrap();
    for (k, v) in settings {
        config.set(k, v).unwrap();
    }
    QueryContext::new(config, MemoryPool::unlimited(), Arc::new(AtomicBool::new(false)))
}

fn ctx() -> Arc<QueryContext> {
    ctx_with(&[])
}

/// A scan over `batches`.
fn memory_plan(batches: Vec<RecordBatch>) -> LogicalPlan {
    let schema = batches[0].schema();
    let output: Vec<Attribute> =
        schema.fields().iter().map(|f| Attribute::new(f.name().clone(), f.data_type().clone(), true)).collect();
    LogicalPlan::Scan {
        source: TableSource::Memory { batches: Arc::new(batches), schema: schema.clone() },
        table_name: "input".into(),
        projection: (0..output.len()).collect(),
        output,
        filters: vec![],
    }
}

fn batch(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(cols).unwrap()
}

fn people() -> RecordBatch {
    batch(vec![
        ("id", Arc::new(Int32Array::from(vec![1, 2, 3])) as ArrayRef),
        ("name", Arc::new(StringArray::from(vec![Some("a,b"), None, Some("")])) as ArrayRef),
        ("score", Arc::new(Float64Array::from(vec![Some(1.5), Some(1e10), None])) as ArrayRef),
    ])
}

fn spec(format: FileFormat, path: &Path) -> WriteSpec {
    WriteSpec {
        format,
        path: path.to_path_buf(),
        mode: SaveMode::ErrorIfExists,
        options: vec![],
        partition_by: vec![],
        target: None,
    }
}

/// Reads a written folder back through the existing scanners.
fn read_back(format: &str, dir: &Path, options: &[(String, String)], schema: Option<SchemaRef>) -> Vec<RecordBatch> {
    let cols: Option<Vec<ember_core::spec::ColumnDef>> = schema.map(|s| {
        s.fields()
            .iter()
            .map(|f| ember_core::spec::ColumnDef {
                name: f.name().clone(),
                data_type: f.data_type().clone(),
                nullable: true,
            })
            .collect()
    });
    let table =
        crate::files::resolve_file_table(format, &[dir.display().to_string()], options, cols.as_deref()).unwrap();
    let output: Vec<Attribute> =
        table.schema.fields().iter().map(|f| Attribute::new(f.name().clone(), f.data_type().clone(), true)).collect();
    let plan = LogicalPlan::Scan {
        source: TableSource::Files(Arc::new(table)),
        table_name: "back".into(),
        projection: (0..output.len()).collect(),
        output,
        filters: vec![],
    };
    crate::execute_plan(&plan, &ctx()).unwrap()
}

fn rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(|b| b.num_rows()).sum()
}

/// The names of the entries of `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// The one data file of a folder, as text.
fn only_file_text(dir: &Path) -> String {
    let files: Vec<String> = names(dir).into_iter().filter(|n| n.starts_with("part-")).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    std::fs::read_to_string(dir.join(&files[0])).unwrap()
}

#[test]
fn parquet_round_trip_with_spark_layout() {
    let tmp = TempDir::new();
    let dest = tmp.path().join("out");
    let out = write_plan(&memory_plan(vec![people()]), &ctx(), &spec(FileFormat::Parquet, &dest)).unwrap();
    assert!(out.written);
    assert_eq!(out.rows, 3);
    let entries = names(&dest);
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0], "_SUCCESS");
    let part = &entries[1];
    assert!(part.starts_with("part-00000-") && part.ends_with("-c000.snappy.parquet"), "{part}");
    assert_eq!(out.files, vec![dest.join(part)]);
    // nothing but the destination is left next to it
    assert_eq!(names(tmp.path()), vec!["out".to_string()]);

    let back = read_back("parquet", &dest, &[], None);
    assert_eq!(rows(&back), 3);
    let b = &back[0];
    assert_eq!(b.schema().field(1).name(), "name");
    let names_col = b.column(1).as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!((names_col.value(0), names_col.is_null(1), names_col.value(2)), ("a,b", true, ""));
    let meta = crate::files::parquet_metadata(&dest.join(part).display().to_string()).unwrap();
    let codec = meta.metadata().row_group(0).column(0).compression();
    assert_eq!(codec, ::parquet::basic::Compression::SNAPPY);
}

#[test]
fn parquet_codec_option_and_unknown_codec() {
    let tmp = TempDir::new();
    let dest = tmp.path().join("out");
    let mut s = spec(FileFormat::Parquet, &dest);
    s.options = vec![("compression".into(), "none".into())];
    write_plan(&memory_plan(vec![people()]), &ctx(), &s).unwrap();
    assert!(names(&dest).iter().any(|n| n.ends_with("-c000.parquet") && !n.contains("snappy")));
    s.options = vec![("compression".into(), "nope".into())];
    s.path = tmp.path().join("other");
    let e = write_plan(&memory_plan(vec![people()]), &ctx(), &s).unwrap_err();
    assert_eq!(e.error_class(), Some("CODEC_NOT_AVAILABLE.WITH_AVAILABLE_CODECS_SUGGESTION"));
    assert!(!s.path.exists());
}

#[test]
fn csv_like_spark() {
    let tmp = TempDir::new();
    let dest = tmp.path().join("csv");
    let input = batch(vec![
        ("id", Arc::new(Int32Array::from(vec![1, 2, 3, 4])) as ArrayRef),
        ("s", Arc::new(StringArray::from(vec![Some("a,b"), None, Some(""), Some("  say \"hi\" ")])) as ArrayRef),
        ("d", Arc::new(Float64Array::from(vec![Some(1.5), Some(1e10), None, Some(f64::NAN)])) as ArrayRef),
        (
            "m",
            Arc::new(
                Decimal128Array::from(vec![Some(12345), Some(0), None, Some(-5)])
                    .with_precision_and_scale(12, 2)
                    .unwrap(),
            ) as ArrayRef,
        ),
    ]);
    write_plan(&memory_plan(vec![input.clone()]), &ctx(), &spec(FileFormat::Csv, &dest)).unwrap();
    assert_eq!(
        only_file_text(&dest),
        "1,\"a,b\",1.5,123.45\n2,,1.0E10,0.00\n3,\"\",,\n4,\"say \\\"hi\\\"\",NaN,-0.05\n"
    );

    let dest2 = tmp.path().join("csv2");
    let mut s = spec(FileFormat::Csv, &dest2);
    s.options = vec![
        ("header".into(), "true".into()),
        ("sep".into(), ";".into()),
        ("nullValue".into(), "NULL".into()),
        ("quoteAll".into(), "true".into()),
    ];
    write_plan(&memory_plan(vec![input]), &ctx(), &s).unwrap();
    let text = only_file_text(&dest2);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("\"id\";\"s\";\"d\";\"m\""));
    assert_eq!(lines.next(), Some("\"1\";\"a,b\";\"1.5\";\"123.45\""));
    assert_eq!(lines.next(), Some("\"2\";NULL;\"1.0E10\";\"0.00\""));

    // read back with a header: values and column names survive
    let back = read_back("csv", &dest2, &[("header".into(), "true".into()), ("sep".into(), ";".into())], None);
    assert_eq!(rows(&back), 4);
    assert_eq!(back[0].schema().field(1).name(), "s");
}

#[test]
fn csv_dates_timestamps_and_unsupported_types() {
    let tmp = TempDir::new();
    let dest = tmp.path().join("csv");
    let input = batch(vec![
        ("d", Arc::new(Date32Array::from(vec![Some(0), Some(18000)])) as ArrayRef),
        ("t", Arc::new(TimestampMicrosecondArray::from(vec![Some(1_500_000), None]).with_timezone("UTC")) as ArrayRef),
        ("n", Arc::new(TimestampMicrosecondArray::from(vec![Some(0), Some(86_400_000_123)])) as ArrayRef),
    ]);
    write_plan(&memory_plan(vec![input]), &ctx(), &spec(FileFormat::Csv, &dest)).unwrap();
    assert_eq!(
        only_file_text(&dest),
        "1970-01-01,1970-01-01T00:00:01.500Z,1970-01-01T00:00:00.000\n2019-04-14,,1970-01-02T00:00:00.000\n"
    );
    let bin = batch(vec![("b", Arc::new(BinaryArray::from(vec![&b"x"[..]])) as ArrayRef)]);
    let e = write_plan(&memory_plan(vec![bin]), &ctx(), &spec(FileFormat::Csv, &tmp.path().join("bin"))).unwrap_err();
    assert_eq!(e.error_class(), Some("UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE"));
    assert!(e.to_string().contains("The CSV datasource doesn't support the column `b` of the type \"BINARY\""), "{e}");
    assert!(!tmp.path().join("bin").exists());
}

#[test]
fn json_lines_like_spark() {
    let tmp = TempDir::new();
    let dest = tmp.path().join("json");
    let input = batch(vec![
        ("id", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef),
        ("s", Arc::new(StringArray::from(vec![Some("q\"\n"), None])) as ArrayRef),
        ("d", Arc::new(Float64Array::from(vec![Some(f64::INFINITY), Some(0.1)])) as ArrayRef),
        (
            "m",
            Arc::new(Decimal128Array::from(vec![Some(0), Some(15)]).with_precision_and_scale(20, 10).unwrap())
                as ArrayRef,
        ),
        ("b", Arc::new(BinaryArray::from(vec![Some(&b"Spark"[..]), None])) as ArrayRef),
        ("day", Arc::new(Date32Array::from(vec![None, Some(1)])) as ArrayRef),
    ]);
    write_plan(&memory_plan(vec![input]), &ctx(), &spec(FileFormat::Json, &dest)).unwrap();
    assert_eq!(
        only_file_text(&dest),
        "{\"id\":1,\"s\":\"q\\\"\\n\",\"d\":\"Infinity\",\"m\":0E-10,\"b\":\"U3Bhcms=\"}\n\
         {\"id\":2,\"d\":0.1,\"m\":1.5E-9,\"day\":\"1970-01-02\"}\n"
    );
    // all-NULL rows are empty objects
    let nulls = batch(vec![("x", Arc::new(Int32Array::from(vec![None, Some(7)])) as ArrayRef)]);
    let dest2 = tmp.path().join("json2");
    write_plan(&memory_plan(vec![nulls]), &ctx(), &spec(FileFormat::Json, &dest2)).unwrap();
    assert_eq!(only_file_text(&dest2), "{}\n{\"x\":7}\n");
    let back = read_back("json", &dest2, &[], None);
    assert_eq!(rows(&back), 2);
}

#[test]
fn text_single_string_column() {
    let tmp = TempDir::new();
    let dest = tmp.path().join("text");
    let input = batch(vec![("value", Arc::new(StringArray::from(vec![Some("a"), None, Some("c")])) as ArrayRef)]);
    write_plan(&memory_plan(vec![input]), &ctx(), &spec(FileFormat::Text, &dest)).unwrap();
    assert!(names(&dest).iter().any(|n| n.ends_with("-c000.txt")));
    assert_eq!(only_file_text(&dest), "a\n\nc\n");
    assert_eq!(rows(&read_back("text", &dest, &[], None)), 3);

    let two = batch(vec![
        ("a", Arc::new(StringArray::from(vec!["x"])) as ArrayRef),
        ("b", Arc::new(StringArray::from(vec!["y"])) as ArrayRef),
    ]);
    let e = write_plan(&memory_plan(vec![two]), &ctx(), &spec(FileFormat::Text, &tmp.path().join("t2"))).unwrap_err();
    assert!(e.to_string().contains("Text data source supports only a single column, and you have 2 columns."), "{e}");
    let ints = batch(vec![("i", Arc::new(Int32Array::from(vec![1])) as ArrayRef)]);
    let e = write_plan(&memory_plan(vec![ints]), &ctx(), &spec(FileFormat::Text, &tmp.path().join("t3"))).unwrap_err();
    assert_eq!(e.error_class(), Some("UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE"));
}

#[test]
fn save_modes() {
    let tmp = TempDir::new();
    let dest = tmp.path().join("out");
    let plan = memory_plan(vec![people()]);
    let mut s = spec(FileFormat::Parquet, &dest);
    write_plan(&plan, &ctx(), &s).unwrap();
    let first = names(&dest);

    // error: the path exists
    let e = write_plan(&plan, &ctx(), &s).unwrap_err();
    assert_eq!(e.error_class(), Some("PATH_ALREADY_EXISTS"));
    assert!(e.to_string().contains(&format!("Path file:{} already exists.", dest.display())), "{e}");
    assert_eq!(names(&dest), first);

    // ignore: nothing happens
    s.mode = SaveMode::Ignore;
    let out = write_plan(&plan, &ctx(), &s).unwrap();
    assert!(!out.written);
    assert_eq!(names(&dest), first);

    // append: new part files next to the old ones
    s.mode = SaveMode::Append;
    write_plan(&plan, &ctx(), &s).unwrap();
    let appended = names(&dest);
    assert_eq!(appended.len(), 3, "{appended:?}");
    assert!(first.iter().all(|f| appended.contains(f)));
    assert_eq!(rows(&read_back("parquet", &dest, &[], None)), 6);

    // overwrite: only the new files remain
    s.mode = SaveMode::Overwrite;
    let out = write_plan(&plan, &ctx(), &s).unwrap();
    let replaced = names(&dest);
    assert_eq!(replaced.len(), 2);
    assert!(first.iter().all(|f| f == "_SUCCESS" || !replaced.contains(f)));
    assert_eq!(out.files.len(), 1);
    assert_eq!(rows(&read_back("parquet", &dest, &[], None)), 3);
    assert_eq!(names(tmp.path()), vec!["out".to_string()]);

    // append to a folder that does not exist creates it
    let fresh = tmp.path().join("fresh");
    s.path = fresh.clone();
    s.mode = SaveMode::Append;
    write_plan(&plan, &ctx(), &s).unwrap();
    assert_eq!(rows(&read_back("parquet", &fresh, &[], None)), 3);
}

#[test]
fn failed_write_leaves_destination_as_it_was() {
    let tmp = TempDir::new();
    let dest = tmp.path().join("out");
    let plan = memory_plan(vec![people()]);
    write_plan(&plan, &ctx(), &spec(FileFormat::Parquet, &dest)).unwrap();
    let before = names(&dest);

    // the third row overflows TINYINT: rows 1 and 2 were already written to the staging folder
    let wide = batch(vec![("v", Arc::new(Int64Array::from(vec![1, 2, 1000])) as ArrayRef)]);
    let mut s = spec(FileFormat::Parquet, &dest);
    s.mode = SaveMode::Overwrite;
    s.target = Some(Arc::new(Schema::new(vec![Field::new("t", DataType::Int8, true)])));
    let small_chunks = ctx_with(&[("ember.batch_size", "1")]);
    let e = write_plan(&memory_plan(vec![wide.clone()]), &small_chunks, &s).unwrap_err();
    assert_eq!(e.error_class(), Some("CAST_OVERFLOW_IN_TABLE_INSERT"));
    assert_eq!(names(&dest), before);
    assert_eq!(rows(&read_back("parquet", &dest, &[], None)), 3);
    assert_eq!(names(tmp.path()), vec!["out".to_string()], "the staging folder is gone");

    // the same failure writing a new path leaves no path at all
    s.path = tmp.path().join("new");
    assert!(write_plan(&memory_plan(vec![wide]), &small_chunks, &s).is_err());
    assert!(!s.path.exists());
    assert_eq!(names(tmp.path()), vec!["out".to_string()]);

    // a cancelled query neither
    let cancelled = ctx();
    cancelled.cancel();
    let e = write_plan(&plan, &cancelled, &spec(FileFormat::Parquet, &tmp.path().join("c"))).unwrap_err();
    assert!(matches!(e, ember_core::Error::Cancelled), "{e}");
    assert_eq!(names(tmp.path()), vec!["out".to_string()]);
}

#[test]
fn target_schema_casts_and_renames() {
    let tmp = TempDir::new();
    let dest = tmp.path().join("t");
    let mut s = spec(FileFormat::Parquet, &dest);
    s.target = Some(Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int8, false),
        Field::new("b", DataType::Utf8, true),
        Field::new("c", DataType::Decimal128(14, 2), true),
    ])));
    write_plan(&memory_plan(vec![people()]), &ctx(), &s).unwrap();
    let back = read_back("parquet", &dest, &[], None);
    let schema = back[0].schema();
    assert_eq!(schema.field(0).name(), "a");
    assert_eq!(schema.field(0).data_type(), &DataType::Int8);
    assert_eq!(schema.field(2).data_type(), &DataType::Decimal128(14, 2));
    let a = back[0].column(0).as_any().downcast_ref::<Int8Array>().unwrap();
    assert_eq!(a.value(2), 3);
}

#[test]
fn partitioned_folders() {
    let tmp = TempDir::new();
    let dest = tmp.path().join("p");
    let input = batch(vec![
        ("v", Arc::new(Int32Array::from(vec![1, 2, 3, 4, 5])) as ArrayRef),
        ("k", Arc::new(StringArray::from(vec![Some("x"), None, Some("a/b"), Some("x"), Some("")])) as ArrayRef),
        ("n", Arc::new(Int32Array::from(vec![10, 10, 20, 20, 10])) as ArrayRef),
    ]);
    let mut s = spec(FileFormat::Parquet, &dest);
    s.partition_by = vec!["K".into(), "n".into()];
    let out = write_plan(&memory_plan(vec![input]), &ctx(), &s).unwrap();
    assert_eq!(out.rows, 5);
    assert_eq!(names(&dest), vec!["_SUCCESS", "k=__HIVE_DEFAULT_PARTITION__", "k=a%2Fb", "k=x"]);
    assert_eq!(names(&dest.join("k=x")), vec!["n=10", "n=20"]);
    assert_eq!(names(&dest.join("k=__HIVE_DEFAULT_PARTITION__")), vec!["n=10"]);
    let leaf = read_back("parquet", &dest.join("k=__HIVE_DEFAULT_PARTITION__/n=10"), &[], None);
    assert_eq!(leaf[0].num_columns(), 1, "partition columns stay out of the files");
    let v = leaf[0].column(0).as_any().downcast_ref::<Int32Array>().unwrap();
    let mut got: Vec<i32> = (0..v.len()).map(|i| v.value(i)).collect();
    got.sort();
    assert_eq!(got, vec![2, 5], "NULL and the empty string share the default partition");

    s.path = tmp.path().join("bad");
    s.partition_by = vec!["nope".into()];
    let e = write_plan(&memory_plan(vec![people()]), &ctx(), &s).unwrap_err();
    assert!(e.to_string().contains("Partition column `nope` not found"), "{e}");
    s.partition_by = vec!["id".into(), "name".into(), "score".into()];
    let e = write_plan(&memory_plan(vec![people()]), &ctx(), &s).unwrap_err();
    assert_eq!(e.error_class(), Some("ALL_PARTITION_COLUMNS_NOT_ALLOWED"));
}

#[test]
fn max_records_per_file_and_empty_results() {
    let tmp = TempDir::new();
    let dest = tmp.path().join("m");
    let input = batch(vec![("v", Arc::new(Int32Array::from(vec![1, 2, 3, 4, 5])) as ArrayRef)]);
    let mut s = spec(FileFormat::Csv, &dest);
    s.options = vec![("maxRecordsPerFile".into(), "2".into())];
    write_plan(&memory_plan(vec![input]), &ctx(), &s).unwrap();
    let parts: Vec<String> = names(&dest).into_iter().filter(|n| n.starts_with("part-")).collect();
    assert_eq!(parts.len(), 3);
    assert!(parts[0].ends_with("-c000.csv") && parts[2].ends_with("-c002.csv"), "{parts:?}");

    // no rows: one empty file keeps the schema
    let empty = batch(vec![("v", Arc::new(Int32Array::from(Vec::<i32>::new())) as ArrayRef)]);
    let dest = tmp.path().join("e");
    let out = write_plan(&memory_plan(vec![empty]), &ctx(), &spec(FileFormat::Parquet, &dest)).unwrap();
    assert_eq!((out.rows, out.files.len()), (0, 1));
    let table = crate::files::resolve_file_table("parquet", &[dest.display().to_string()], &[], None).unwrap();
    assert_eq!(table.schema.field(0).name(), "v");
}

#[test]
fn parallel_tasks_write_their_own_files() {
    let tmp = TempDir::new();
    let dest = tmp.path().join("par");
    let chunks: Vec<RecordBatch> = (0..16)
        .map(|i| {
            batch(vec![("v", Arc::new(Int32Array::from((i * 100..i * 100 + 100).collect::<Vec<_>>())) as ArrayRef)])
        })
        .collect();
    let four = ctx_with(&[("ember.threads", "4"), ("ember.batch_size", "100")]);
    let out = write_plan(&memory_plan(chunks), &four, &spec(FileFormat::Parquet, &dest)).unwrap();
    assert_eq!(out.rows, 1600);
    assert!(!out.files.is_empty());
    let back = read_back("parquet", &dest, &[], None);
    let mut all: Vec<i32> = back
        .iter()
        .flat_map(|b| {
            let a = b.column(0).as_any().downcast_ref::<Int32Array>().unwrap().clone();
            (0..a.len()).map(move |i| a.value(i))
        })
        .collect();
    all.sort();
    assert_eq!(all, (0..1600).collect::<Vec<_>>());
}

#[test]
fn duplicate_columns_fail() {
    let tmp = TempDir::new();
    let dup = batch(vec![
        ("a", Arc::new(Int32Array::from(vec![1])) as ArrayRef),
        ("A", Arc::new(Int32Array::from(vec![2])) as ArrayRef),
    ]);
    let e = write_plan(&memory_plan(vec![dup]), &ctx(), &spec(FileFormat::Json, &tmp.path().join("d"))).unwrap_err();
    assert_eq!(e.error_class(), Some("COLUMN_ALREADY_EXISTS"));
}
