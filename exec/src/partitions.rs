//! Partition discovery: the `col=value` folders between a table's root and
//! its files (Hive style, as Spark writes them with `partitionBy`).
//!
//! For each file, the folders from its parent up to the root are parsed;
//! the partition columns are the `col=value` folders directly above the
//! file (a plain folder ends the walk). Every file must have the same
//! columns in the same order, or the layout is rejected like Spark's
//! "Conflicting directory structures detected". Values are unescaped (`%XX`)
//! and `__HIVE_DEFAULT_PARTITION__` is NULL.
//!
//! Types: given by the caller (a table's schema), or inferred like Spark
//! (`spark.sql.sources.partitionColumnTypeInference.enabled`): int, then
//! bigint, then decimal(p,0) for longer integers, then double, then date
//! (`yyyy-MM-dd`), then timestamp (`yyyy-MM-dd HH:mm:ss[.f]`), else string;
//! the type of a column is the widest over all its values (all NULL:
//! string). Without inference every column is a string.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray};
use arrow::datatypes::{DataType, Field};
use ember_core::{Error, EvalMode, Result, ScalarValue};

use crate::write::partition::{unescape_path_name, DEFAULT_PARTITION_NAME};

/// The partitioning found under one root.
#[derive(Debug, Clone, PartialEq)]
pub struct Partitioning {
    /// The partition columns, in folder order, with their types.
    pub columns: Vec<Field>,
    /// Each file with its partition values (one per column).
    pub files: Vec<(String, Vec<ScalarValue>)>,
}

/// The raw `col=value` pairs of `file` below `root`, innermost last;
/// empty when the file sits directly in the root or under a plain folder.
fn raw_pairs(root: &Path, file: &Path) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || d.as_os_str().is_empty() {
            break;
        }
        let name = d.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match name.split_once('=') {
            Some((k, v)) if !k.is_empty() => pairs.push((unescape_path_name(k), v.to_string())),
            _ => break,
        }
        dir = d.parent();
    }
    pairs.reverse();
    pairs
}

/// Finds the partition columns of `files` (listed under `root`). `known`
/// gives the columns' types by name (case-insensitive); other columns are
/// inferred when `infer`, strings otherwise. None when the files are not
/// partitioned.
pub fn discover(root: &Path, files: &[String], known: Option<&[Field]>, infer: bool) -> Result<Option<Partitioning>> {
    let mut names: Option<Vec<String>> = None;
    let mut raw: Vec<(String, Vec<String>)> = Vec::with_capacity(files.len());
    for f in files {
        let pairs = raw_pairs(root, Path::new(f));
        let these: Vec<String> = pairs.iter().map(|(k, _)| k.clone()).collect();
        match &names {
            None => names = Some(these),
            Some(n) if n.iter().map(|s| s.to_lowercase()).eq(these.iter().map(|s| s.to_lowercase())) => {}
            Some(n) => {
                return Err(Error::file(
                    root.display(),
                    format!(
                        "Conflicting directory structures detected: partition columns [{}] and [{}]",
                        n.join(", "),
                        these.join(", ")
                    ),
                ))
            }
        }
        raw.push((f.clone(), pairs.into_iter().map(|(_, v)| v).collect()));
    }
    let Some(names) = names.filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let mut columns = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let given = known.and_then(|k| k.iter().find(|f| f.name().eq_ignore_ascii_case(name)));
        let dt = match given {
            Some(f) => f.data_type().clone(),
            None if infer => raw.iter().fold(DataType::Null, |acc, (_, vals)| wider(&acc, &infer_type(&vals[i]))),
            None => DataType::Utf8,
        };
        let dt = if dt == DataType::Null { DataType::Utf8 } else { dt };
        columns.push(Field::new(given.map(|f| f.name().clone()).unwrap_or_else(|| name.clone()), dt, true));
    }
    let mut out = Vec::with_capacity(raw.len());
    for (file, vals) in raw {
        let values =
            vals.iter().zip(&columns).map(|(v, c)| typed_value(v, c.data_type())).collect::<Result<Vec<_>>>()?;
        out.push((file, values));
    }
    Ok(Some(Partitioning { columns, files: out }))
}

/// The folder value (still escaped) as a value of `dt`; NULL for the
/// default partition or a value that does not convert.
pub fn typed_value(raw: &str, dt: &DataType) -> Result<ScalarValue> {
    if raw == DEFAULT_PARTITION_NAME {
        return Ok(ScalarValue::null_of(dt));
    }
    let text = unescape_path_name(raw);
    let arr: ArrayRef = Arc::new(StringArray::from(vec![text]));
    let cast = ember_vector::cast::cast(&arr, dt, EvalMode::Try)?;
    ScalarValue::try_from_array(cast.as_ref(), 0)
}

fn infer_type(raw: &str) -> DataType {
    if raw == DEFAULT_PARTITION_NAME {
        return DataType::Null;
    }
    let s = unescape_path_name(raw);
    if s.parse::<i32>().is_ok() {
        return DataType::Int32;
    }
    if s.parse::<i64>().is_ok() {
        return DataType::Int64;
    }
    let digits = s.trim_start_matches(['-', '+']);
    if !digits.is_empty() && digits.len() <= 38 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return DataType::Decimal128(digits.len() as u8, 0);
    }
    let javaish = matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity" | "+Infinity")
        || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')));
    if javaish && s.parse::<f64>().is_ok() {
        return DataType::Float64;
    }
    if s.len() == 10 && chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").is_ok() {
        return DataType::Date32;
    }
    if chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S%.f").is_ok() {
        return ember_core::types::timestamp_type();
    }
    DataType::Utf8
}

/// The type both `a` and `b` values fit in, Spark's partition widening.
fn wider(a: &DataType, b: &DataType) -> DataType {
    use DataType::*;
    match (a, b) {
        (Null, t) | (t, Null) => t.clone(),
        (x, y) if x == y => x.clone(),
        (Int32, Int64) | (Int64, Int32) => Int64,
        (Decimal128(p, _), Decimal128(q, _)) => Decimal128((*p).max(*q), 0),
        (Int32 | Int64, Decimal128(p, _)) | (Decimal128(p, _), Int32 | Int64) => Decimal128((*p).max(20), 0),
        (Int32 | Int64 | Decimal128(_, _), Float64) | (Float64, Int32 | Int64 | Decimal128(_, _)) => Float64,
        (Date32, Timestamp(_, _)) | (Timestamp(_, _), Date32) => ember_core::types::timestamp_type(),
        _ => Utf8,
    }
}

/// Every leaf folder of a partitioned table's root with its values, for
/// tables whose partition columns and types are known (catalog tables):
/// folders with no files are included, so that an empty partition still
/// counts, and folders that do not follow the layout are ignored.
pub fn leaf_folders(root: &Path, columns: &[Field]) -> Result<Vec<(PathBuf, Vec<ScalarValue>)>> {
    let mut out = Vec::new();
    walk(root, columns, 0, &mut Vec::new(), &mut out)?;
    Ok(out)
}

fn walk(
    dir: &Path,
    columns: &[Field],
    depth: usize,
    values: &mut Vec<ScalarValue>,
    out: &mut Vec<(PathBuf, Vec<ScalarValue>)>,
) -> Result<()> {
    if depth == columns.len() {
        out.push((dir.to_path_buf(), values.clone()));
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect(),
        Err(e) => return Err(Error::file(dir.display(), e)),
    };
    entries.sort();
    let want = &columns[depth];
    for e in entries {
        let name = e.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some((k, v)) = name.split_once('=') else { continue };
        if !unescape_path_name(k).eq_ignore_ascii_case(want.name()) {
            continue;
        }
        values.push(typed_value(v, want.data_type())?);
        walk(&e, columns, depth + 1, values, out)?;
        values.pop();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(root: &str, rel: &[&str]) -> Vec<String> {
        rel.iter().map(|r| format!("{root}/{r}")).collect()
    }

    #[test]
    fn infers_types_like_spark() {
        let root = "/data/t";
        let fs = files(
            root,
            &[
                "a=1/b=x/part-0.parquet",
                "a=2/b=__HIVE_DEFAULT_PARTITION__/part-0.parquet",
                "a=3000000000/b=y%2Fz/part-0.parquet",
            ],
        );
        let p = discover(Path::new(root), &fs, None, true).unwrap().unwrap();
        assert_eq!(p.columns, vec![Field::new("a", DataType::Int64, true), Field::new("b", DataType::Utf8, true)]);
        assert_eq!(p.files[1].1, vec![ScalarValue::Int64(Some(2)), ScalarValue::Utf8(None)]);
        assert_eq!(p.files[2].1[1], ScalarValue::Utf8(Some("y/z".into())));

        assert_eq!(infer_type("1.5"), DataType::Float64);
        assert_eq!(infer_type("2024-01-31"), DataType::Date32);
        assert_eq!(infer_type("2018-11-17 13%3A33%3A33"), ember_core::types::timestamp_type());
        assert_eq!(infer_type("12345678901234567890"), DataType::Decimal128(20, 0));
        assert_eq!(infer_type("inf"), DataType::Utf8);
        assert_eq!(wider(&DataType::Int32, &DataType::Float64), DataType::Float64);
        assert_eq!(wider(&DataType::Date32, &DataType::Utf8), DataType::Utf8);
    }

    #[test]
    fn known_types_no_partitions_and_conflicts() {
        let root = "/data/t";
        let known = [Field::new("A", DataType::Utf8, true)];
        let p = discover(Path::new(root), &files(root, &["a=01/f"]), Some(&known), true).unwrap().unwrap();
        assert_eq!(p.columns[0].name(), "A");
        assert_eq!(p.files[0].1, vec![ScalarValue::Utf8(Some("01".into()))]);
        assert_eq!(discover(Path::new(root), &files(root, &["f1", "sub/f2"]), None, true).unwrap(), None);
        assert!(discover(Path::new(root), &files(root, &["a=1/f", "b=1/f"]), None, true).is_err());
        let strings = discover(Path::new(root), &files(root, &["a=1/f"]), None, false).unwrap().unwrap();
        assert_eq!(strings.columns[0].data_type(), &DataType::Utf8);
    }
}
