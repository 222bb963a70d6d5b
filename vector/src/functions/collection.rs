//! Arrays, maps and structs (Arrow `List`, `Map`, `Struct`): constructors
//! (`array`, `map`, `named_struct`, `struct`, `map_from_arrays`,
//! `map_from_entries`, `str_to_map`, `sequence`, `array_repeat`), access
//! (`element_at`, `get`, `get_field`, `size`), search (`array_contains`,
//! `array_position`), reshaping (`slice`, `flatten`, `reverse`, `concat`,
//! `array_insert`, ...), set operations and sorting.
//!
//! Elements are compared through Arrow's row format, so every element
//! type compares the same way (NULLs equal each other for `distinct` and
//! the set operations, as in Spark). Results are assembled by picking
//! `(source, index)` elements and interleaving them once per batch. The
//! analyzer types the result; inputs whose element type differs from it
//! are cast here.

use std::sync::Arc;

use arrow::array::{
    new_empty_array, new_null_array, Array, ArrayRef, AsArray, BooleanArray, Int32Array, Int64Array, ListArray,
    MapArray, PrimitiveArray, StructArray,
};
use arrow::buffer::{NullBuffer, OffsetBuffer};
use arrow::datatypes::*;
use arrow::row::{RowConverter, Rows, SortField};
use ember_core::{Error, EvalMode, Result};

use super::args::{build_prim, build_strings, I64s, Strs};
use super::string::RegexCache;
use super::Ctx;
use crate::errors::spark_error;

pub(super) fn eval(c: &Ctx) -> Option<Result<ArrayRef>> {
    Some(match c.name {
        "array" => array(c),
        "map" | "create_map" => map(c),
        "named_struct" | "struct" => named_struct(c),
        "map_from_arrays" => map_from_arrays(c),
        "map_from_entries" => map_from_entries(c),
        "str_to_map" => str_to_map(c),
        "size" | "cardinality" | "array_size" => size(c),
        "element_at" => element_at(c),
        "get" => get(c),
        "get_field" => get_field(c),
        "array_contains" => array_contains(c),
        "array_position" => array_position(c),
        "array_remove" => array_remove(c),
        "array_distinct" => array_distinct(c),
        "array_join" => array_join(c),
        "array_min" => array_extreme(c, true),
        "array_max" => array_extreme(c, false),
        "sort_array" => sort_array(c),
        "array_sort" => array_sort(c),
        "slice" => slice(c),
        "flatten" => flatten(c),
        "sequence" => sequence(c),
        "array_reverse" => reverse(c),
        "array_concat" => concat(c),
        "array_union" => set_op(c, SetOp::Union),
        "array_intersect" => set_op(c, SetOp::Intersect),
        "array_except" => set_op(c, SetOp::Except),
        "arrays_overlap" => arrays_overlap(c),
        "array_repeat" => array_repeat(c),
        "array_append" => append(c, false),
        "array_prepend" => append(c, true),
        "array_insert" => array_insert(c),
        "array_compact" => array_compact(c),
        "arrays_zip" => arrays_zip(c),
        "map_keys" => map_part(c, 0),
        "map_values" => map_part(c, 1),
        "map_entries" => map_entries(c),
        "map_contains_key" => map_contains_key(c),
        "map_concat" => map_concat(c),
        "shuffle" => shuffle(c),
        _ => return None,
    })
}

/// The element field of a list type.
fn element_field(t: &DataType) -> Result<FieldRef> {
    match t {
        DataType::List(f) => Ok(f.clone()),
        other => Err(Error::internal(format!("expected an array type, got {other}"))),
    }
}

/// Argument `i` as a list array whose elements have type `elem` (a NULL
/// literal becomes a column of NULL lists).
fn list_arg(c: &Ctx, i: usize, elem: Option<&FieldRef>) -> Result<ListArray> {
    let a = c.arg(i)?.to_array(c.n);
    let a = match (a.data_type(), elem) {
        (DataType::Null, Some(f)) => new_null_array(&DataType::List(f.clone()), c.n),
        (DataType::Null, None) => {
            new_null_array(&DataType::List(Arc::new(Field::new("element", DataType::Null, true))), c.n)
        }
        (DataType::List(have), Some(want)) if have.data_type() != want.data_type() => {
            arrow::compute::cast(&a, &DataType::List(want.clone()))?
        }
        _ => a,
    };
    a.as_list_opt::<i32>()
        .cloned()
        .ok_or_else(|| Error::internal(format!("{} expects an array, got {}", c.name, a.data_type())))
}

/// Argument `i` as a column of `t` (cast when it differs).
fn value_arg(c: &Ctx, i: usize, t: &DataType) -> Result<ArrayRef> {
    let a = c.arg(i)?.to_array(c.n);
    if a.data_type() == t {
        return Ok(a);
    }
    if matches!(a.data_type(), DataType::Null) {
        return Ok(new_null_array(t, c.n));
    }
    crate::cast::cast(&a, t, EvalMode::Legacy).or_else(|_| Ok(arrow::compute::cast(&a, t)?))
}

/// Collects picked elements into a list column.
struct ListBuild {
    field: FieldRef,
    sources: Vec<ArrayRef>,
    picks: Vec<(usize, usize)>,
    offsets: Vec<i32>,
    valid: Vec<bool>,
}

impl ListBuild {
    /// `sources` must have the field's type; a NULL source is added last
    /// (see [`ListBuild::null_elem`]).
    fn new(field: FieldRef, mut sources: Vec<ArrayRef>) -> ListBuild {
        sources.push(new_null_array(field.data_type(), 1));
        ListBuild { field, sources, picks: vec![], offsets: vec![0], valid: vec![] }
    }

    fn push(&mut self, source: usize, index: usize) {
        self.picks.push((source, index));
    }

    fn push_null(&mut self) {
        self.picks.push((self.sources.len() - 1, 0));
    }

    fn end_row(&mut self, valid: bool) -> Result<()> {
        let n = i32::try_from(self.picks.len()).map_err(|_| Error::internal("array too large"))?;
        self.offsets.push(n);
        self.valid.push(valid);
        Ok(())
    }

    fn finish(self) -> Result<ArrayRef> {
        let values = if self.picks.is_empty() {
            new_empty_array(self.field.data_type())
        } else {
            let refs: Vec<&dyn Array> = self.sources.iter().map(|a| a.as_ref()).collect();
            arrow::compute::interleave(&refs, &self.picks)?
        };
        let nulls = if self.valid.iter().all(|v| *v) { None } else { Some(NullBuffer::from(self.valid)) };
        let field = if values.null_count() > 0 && !self.field.is_nullable() {
            Arc::new(self.field.as_ref().clone().with_nullable(true))
        } else {
            self.field
        };
        Ok(Arc::new(ListArray::try_new(field, OffsetBuffer::new(self.offsets.into()), values, nulls)?))
    }
}

/// Whether element `k` is NULL (a `Null`-typed child has no bitmap).
fn null_at(values: &dyn Array, k: usize) -> bool {
    matches!(values.data_type(), DataType::Null) || values.is_null(k)
}

fn row_range(l: &ListArray, i: usize) -> std::ops::Range<usize> {
    let o = l.value_offsets();
    o[i] as usize..o[i + 1] as usize
}

/// Comparable keys of the elements of `values` (NULLs first, ascending).
fn keys(values: &ArrayRef, descending: bool, nulls_first: bool) -> Result<Rows> {
    let conv = RowConverter::new(vec![SortField::new_with_options(
        values.data_type().clone(),
        arrow::compute::SortOptions { descending, nulls_first },
    )])?;
    Ok(conv.convert_columns(std::slice::from_ref(values))?)
}

/// Keys of list elements and of probe values, from one converter so they compare.
fn keys_with(values: &ArrayRef, probe: &ArrayRef) -> Result<(Rows, Rows)> {
    let conv = RowConverter::new(vec![SortField::new(values.data_type().clone())])?;
    let probe = if probe.data_type() != values.data_type() {
        arrow::compute::cast(probe, values.data_type())?
    } else {
        probe.clone()
    };
    Ok((conv.convert_columns(std::slice::from_ref(values))?, conv.convert_columns(&[probe])?))
}

fn array(c: &Ctx) -> Result<ArrayRef> {
    let field = element_field(c.return_type)?;
    let sources: Vec<ArrayRef> =
        (0..c.args.len()).map(|k| value_arg(c, k, field.data_type())).collect::<Result<_>>()?;
    let k = sources.len();
    let mut b = ListBuild::new(field, sources);
    for i in 0..c.n {
        for s in 0..k {
            b.push(s, i);
        }
        b.end_row(true)?;
    }
    b.finish()
}

fn map_fields(t: &DataType) -> Result<(FieldRef, Fields)> {
    match t {
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(f) if f.len() == 2 => Ok((entries.clone(), f.clone())),
            _ => Err(Error::internal("map entries must be a struct of two fields")),
        },
        other => Err(Error::internal(format!("expected a map type, got {other}"))),
    }
}

fn null_map_key() -> Error {
    spark_error("NULL_MAP_KEY", "2200E", "Cannot use null as map key.", &[])
}

fn duplicate_key(key: &ArrayRef, i: usize) -> Error {
    let shown = crate::cast::cast(&key.slice(i, 1), &DataType::Utf8, EvalMode::Legacy)
        .ok()
        .and_then(|a| a.as_string_opt::<i32>().map(|s| s.value(0).to_string()))
        .unwrap_or_default();
    spark_error(
        "DUPLICATED_MAP_KEY",
        "23505",
        "Duplicate map key <key> was found, please check the input data. If you want to remove the duplicated \
         keys, you can set <mapKeyDedupPolicy> to \"LAST_WIN\" so that the key inserted at last takes precedence.",
        &[("key", shown), ("mapKeyDedupPolicy", "\"spark.sql.mapKeyDedupPolicy\"".into())],
    )
}

/// Builds a map column from picked keys and values; NULL keys and
/// duplicate keys in one map are errors (Spark's EXCEPTION dedup policy).
struct MapBuild {
    entries: FieldRef,
    fields: Fields,
    keys: ListBuild,
    values: ListBuild,
}

impl MapBuild {
    fn new(t: &DataType, key_sources: Vec<ArrayRef>, value_sources: Vec<ArrayRef>) -> Result<MapBuild> {
        let (entries, fields) = map_fields(t)?;
        Ok(MapBuild {
            entries,
            // nullable while building: NULL keys are reported by `finish`
            keys: ListBuild::new(Arc::new(fields[0].as_ref().clone().with_nullable(true)), key_sources),
            values: ListBuild::new(Arc::new(fields[1].as_ref().clone().with_nullable(true)), value_sources),
            fields,
        })
    }

    fn push(&mut self, key: (usize, usize), value: Option<(usize, usize)>) {
        self.keys.push(key.0, key.1);
        match value {
            Some((s, i)) => self.values.push(s, i),
            None => self.values.push_null(),
        }
    }

    fn end_row(&mut self, valid: bool) -> Result<()> {
        self.keys.end_row(valid)?;
        self.values.end_row(valid)
    }

    fn finish(self) -> Result<ArrayRef> {
        let keys = self.keys.finish()?;
        let values = self.values.finish()?;
        let (kl, vl) = (keys.as_list::<i32>(), values.as_list::<i32>());
        let key_values = kl.values().clone();
        if key_values.logical_null_count() > 0 {
            return Err(null_map_key());
        }
        let rows = keys_for_dedup(&key_values)?;
        for i in 0..kl.len() {
            let r = row_range(kl, i);
            let mut seen = std::collections::HashSet::new();
            for k in r {
                if !seen.insert(rows.row(k)) {
                    return Err(duplicate_key(&key_values, k));
                }
            }
        }
        let value_field = if vl.values().null_count() > 0 || self.fields[1].is_nullable() {
            Arc::new(self.fields[1].as_ref().clone().with_nullable(true))
        } else {
            self.fields[1].clone()
        };
        let fields = Fields::from(vec![self.fields[0].clone(), value_field]);
        let entries_field = Arc::new(Field::new(self.entries.name(), DataType::Struct(fields.clone()), false));
        let entries = StructArray::try_new(fields, vec![key_values, vl.values().clone()], None)?;
        Ok(Arc::new(MapArray::try_new(entries_field, kl.offsets().clone(), entries, kl.nulls().cloned(), false)?))
    }
}

fn keys_for_dedup(values: &ArrayRef) -> Result<Rows> {
    keys(values, false, true)
}

fn map(c: &Ctx) -> Result<ArrayRef> {
    let (_, fields) = map_fields(c.return_type)?;
    let pairs = c.args.len() / 2;
    let ks: Vec<ArrayRef> = (0..pairs).map(|p| value_arg(c, 2 * p, fields[0].data_type())).collect::<Result<_>>()?;
    let vs: Vec<ArrayRef> =
        (0..pairs).map(|p| value_arg(c, 2 * p + 1, fields[1].data_type())).collect::<Result<_>>()?;
    let mut b = MapBuild::new(c.return_type, ks, vs)?;
    for i in 0..c.n {
        for p in 0..pairs {
            b.push((p, i), Some((p, i)));
        }
        b.end_row(true)?;
    }
    b.finish()
}

fn named_struct(c: &Ctx) -> Result<ArrayRef> {
    let DataType::Struct(fields) = c.return_type else {
        return Err(Error::internal("struct must return a struct type"));
    };
    let cols: Vec<ArrayRef> =
        fields.iter().enumerate().map(|(k, f)| value_arg(c, k, f.data_type())).collect::<Result<_>>()?;
    let fields: Fields = fields
        .iter()
        .zip(&cols)
        .map(|(f, a)| {
            if a.null_count() > 0 && !f.is_nullable() {
                Arc::new(f.as_ref().clone().with_nullable(true))
            } else {
                f.clone()
            }
        })
        .collect();
    if fields.is_empty() {
        return Ok(Arc::new(StructArray::new_empty_fields(c.n, None)));
    }
    Ok(Arc::new(StructArray::try_new(fields, cols, None)?))
}

fn map_from_arrays(c: &Ctx) -> Result<ArrayRef> {
    let (_, fields) = map_fields(c.return_type)?;
    let kf = Arc::new(Field::new("element", fields[0].data_type().clone(), true));
    let vf = Arc::new(Field::new("element", fields[1].data_type().clone(), true));
    let k = list_arg(c, 0, Some(&kf))?;
    let v = list_arg(c, 1, Some(&vf))?;
    let mut b = MapBuild::new(c.return_type, vec![k.values().clone()], vec![v.values().clone()])?;
    for i in 0..c.n {
        if k.is_null(i) || v.is_null(i) {
            b.end_row(false)?;
            continue;
        }
        let (rk, rv) = (row_range(&k, i), row_range(&v, i));
        if rk.len() != rv.len() {
            return Err(spark_error(
                "MAP_FROM_ARRAYS_LENGTH_MISMATCH",
                "22000",
                "The key array and value array of MapData must have the same length.",
                &[],
            ));
        }
        for (a, b2) in rk.zip(rv) {
            b.push((0, a), Some((0, b2)));
        }
        b.end_row(true)?;
    }
    b.finish()
}

fn map_from_entries(c: &Ctx) -> Result<ArrayRef> {
    let l = list_arg(c, 0, None)?;
    let entries = l.values().as_struct_opt().ok_or_else(|| Error::internal("map_from_entries of non-structs"))?;
    let (_, fields) = map_fields(c.return_type)?;
    let kcol = arrow::compute::cast(entries.column(0), fields[0].data_type())?;
    let vcol = arrow::compute::cast(entries.column(1), fields[1].data_type())?;
    let mut b = MapBuild::new(c.return_type, vec![kcol], vec![vcol])?;
    for i in 0..c.n {
        if l.is_null(i) {
            b.end_row(false)?;
            continue;
        }
        let r = row_range(&l, i);
        if r.clone().any(|k| entries.is_null(k)) {
            b.end_row(false)?;
            continue;
        }
        for k in r {
            b.push((0, k), Some((0, k)));
        }
        b.end_row(true)?;
    }
    b.finish()
}

/// `str_to_map(text, pairDelim, keyValueDelim)`: both delimiters are
/// regular expressions; a pair without the key/value delimiter maps to NULL.
fn str_to_map(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let pd = Strs::new(c.arg(1)?)?;
    let kd = Strs::new(c.arg(2)?)?;
    let mut pair_re = RegexCache::new("str_to_map");
    let mut kv_re = RegexCache::new("str_to_map");
    let mut keys: Vec<Option<String>> = vec![];
    let mut values: Vec<Option<String>> = vec![];
    let mut rows: Vec<Option<Vec<usize>>> = vec![];
    for i in 0..c.n {
        let (Some(text), Some(p), Some(k)) = (s.get(i), pd.get(i), kd.get(i)) else {
            rows.push(None);
            continue;
        };
        let mut idx = vec![];
        let pairs: Vec<String> = pair_re.get(p)?.split(text).map(str::to_string).collect();
        let kre = kv_re.get(k)?;
        for pair in pairs {
            let mut it = kre.splitn(&pair, 2);
            let key = it.next().unwrap_or("").to_string();
            let value = it.next().map(str::to_string);
            idx.push(keys.len());
            keys.push(Some(key));
            values.push(value);
        }
        rows.push(Some(idx));
    }
    let ka: ArrayRef = Arc::new(arrow::array::StringArray::from(keys));
    let va: ArrayRef = Arc::new(arrow::array::StringArray::from(values));
    let mut b = MapBuild::new(c.return_type, vec![ka], vec![va])?;
    for r in rows {
        match r {
            Some(idx) => {
                for k in idx {
                    b.push((0, k), Some((0, k)));
                }
                b.end_row(true)?;
            }
            None => b.end_row(false)?,
        }
    }
    b.finish()
}

/// `size`: -1 for NULL in legacy mode (`spark.sql.legacy.sizeOfNull`),
/// NULL under ANSI and for `array_size`.
fn size(c: &Ctx) -> Result<ArrayRef> {
    let a = c.arg(0)?.to_array(c.n);
    let null_as_minus_one = c.mode == EvalMode::Legacy && c.name != "array_size";
    let lens: Vec<Option<i32>> = match a.data_type() {
        DataType::List(_) => {
            let l = a.as_list::<i32>();
            (0..c.n).map(|i| (!l.is_null(i)).then(|| row_range(l, i).len() as i32)).collect()
        }
        DataType::Map(_, _) => {
            let m = a.as_map();
            (0..c.n).map(|i| (!m.is_null(i)).then(|| m.value_length(i))).collect()
        }
        DataType::Null => vec![None; c.n],
        other => return Err(Error::internal(format!("size of {other}"))),
    };
    let out: Int32Array = lens.into_iter().map(|v| if null_as_minus_one { Some(v.unwrap_or(-1)) } else { v }).collect();
    Ok(Arc::new(out))
}

/// Picks one element per row (`None`: NULL) out of `values`.
fn pick(values: &ArrayRef, picks: &[Option<usize>], t: &DataType) -> Result<ArrayRef> {
    let values = if values.data_type() != t { arrow::compute::cast(values, t)? } else { values.clone() };
    let idx: arrow::array::UInt32Array = picks.iter().map(|p| p.map(|v| v as u32)).collect();
    Ok(arrow::compute::take(&values, &idx, None)?)
}

/// `element_at(array, i)` (1-based, negative from the end) or
/// `element_at(map, key)`; `try_element_at` arrives in Try mode.
fn element_at(c: &Ctx) -> Result<ArrayRef> {
    let a = c.arg(0)?.to_array(c.n);
    if let DataType::Map(_, _) = a.data_type() {
        return map_lookup(c, &a);
    }
    let l = list_arg(c, 0, None)?;
    let idx = I64s::new(c.arg(1)?)?;
    let mut picks = Vec::with_capacity(c.n);
    for i in 0..c.n {
        let (false, Some(k)) = (l.is_null(i), idx.get(i)) else {
            picks.push(None);
            continue;
        };
        let r = row_range(&l, i);
        let len = r.len() as i64;
        if k == 0 {
            if c.mode == EvalMode::Try {
                picks.push(None);
                continue;
            }
            return Err(spark_error(
                "INVALID_INDEX_OF_ZERO",
                "22003",
                "The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1).",
                &[],
            ));
        }
        let pos = if k > 0 { k - 1 } else { len + k };
        if pos < 0 || pos >= len {
            if c.mode == EvalMode::Ansi {
                return Err(spark_error(
                    "INVALID_ARRAY_INDEX_IN_ELEMENT_AT",
                    "22003",
                    "The index <indexValue> is out of bounds. The array has <arraySize> elements. Use \
                     `try_element_at` to tolerate accessing element at invalid index and return NULL instead.",
                    &[("indexValue", k.to_string()), ("arraySize", len.to_string())],
                ));
            }
            picks.push(None);
            continue;
        }
        picks.push(Some(r.start + pos as usize));
    }
    pick(l.values(), &picks, c.return_type)
}

fn map_lookup(c: &Ctx, a: &ArrayRef) -> Result<ArrayRef> {
    let m = a.as_map();
    let probe = c.arg(1)?.to_array(c.n);
    let (krows, prows) = keys_with(m.keys(), &probe)?;
    let offsets = m.value_offsets();
    let picks: Vec<Option<usize>> = (0..c.n)
        .map(|i| {
            if m.is_null(i) || probe.is_null(i) {
                return None;
            }
            (offsets[i] as usize..offsets[i + 1] as usize).find(|k| krows.row(*k) == prows.row(i))
        })
        .collect();
    pick(m.values(), &picks, c.return_type)
}

/// `get(array, i)`: 0-based, NULL outside the array.
fn get(c: &Ctx) -> Result<ArrayRef> {
    let l = list_arg(c, 0, None)?;
    let idx = I64s::new(c.arg(1)?)?;
    let picks: Vec<Option<usize>> = (0..c.n)
        .map(|i| {
            let k = idx.get(i)?;
            if l.is_null(i) {
                return None;
            }
            let r = row_range(&l, i);
            (k >= 0 && (k as usize) < r.len()).then(|| r.start + k as usize)
        })
        .collect();
    pick(l.values(), &picks, c.return_type)
}

/// `get_field(struct, name)`: a field of a struct, NULL where the struct is.
fn get_field(c: &Ctx) -> Result<ArrayRef> {
    let a = c.arg(0)?.to_array(c.n);
    let name = Strs::new(c.arg(1)?)?;
    let s = a.as_struct_opt().ok_or_else(|| Error::internal("get_field of a non-struct"))?;
    let Some(name) = name.get(0) else { return Ok(new_null_array(c.return_type, c.n)) };
    let k = s
        .fields()
        .iter()
        .position(|f| f.name() == name)
        .or_else(|| s.fields().iter().position(|f| f.name().eq_ignore_ascii_case(name)))
        .ok_or_else(|| Error::internal(format!("no field {name}")))?;
    let col = s.column(k).clone();
    let Some(nulls) = s.nulls() else { return Ok(col) };
    let merged = NullBuffer::union(Some(nulls), col.nulls());
    let data = col.to_data().into_builder().nulls(merged).build()?;
    Ok(arrow::array::make_array(data))
}

/// The element field a list is compared in: the probe's type (the
/// analyzer unified both).
fn probe_field(v: &ArrayRef) -> Option<FieldRef> {
    (!matches!(v.data_type(), DataType::Null)).then(|| Arc::new(Field::new("element", v.data_type().clone(), true)))
}

fn array_contains(c: &Ctx) -> Result<ArrayRef> {
    let v = c.arg(1)?.to_array(c.n);
    let l = list_arg(c, 0, probe_field(&v).as_ref())?;

    let (erows, prows) = keys_with(l.values(), &v)?;
    let values = l.values();
    let out: BooleanArray = (0..c.n)
        .map(|i| {
            if l.is_null(i) || v.is_null(i) {
                return None;
            }
            let mut saw_null = false;
            for k in row_range(&l, i) {
                if null_at(values.as_ref(), k) {
                    saw_null = true;
                } else if erows.row(k) == prows.row(i) {
                    return Some(true);
                }
            }
            if saw_null {
                None
            } else {
                Some(false)
            }
        })
        .collect();
    Ok(Arc::new(out))
}

fn array_position(c: &Ctx) -> Result<ArrayRef> {
    let v = c.arg(1)?.to_array(c.n);
    let l = list_arg(c, 0, probe_field(&v).as_ref())?;

    let (erows, prows) = keys_with(l.values(), &v)?;
    let values = l.values();
    let out: Int64Array = (0..c.n)
        .map(|i| {
            if l.is_null(i) || v.is_null(i) {
                return None;
            }
            let r = row_range(&l, i);
            let start = r.start;
            Some(
                r.into_iter()
                    .find(|k| !null_at(values.as_ref(), *k) && erows.row(*k) == prows.row(i))
                    .map_or(0, |k| (k - start + 1) as i64),
            )
        })
        .collect();
    Ok(Arc::new(out))
}

fn out_field(c: &Ctx) -> Result<FieldRef> {
    element_field(c.return_type)
}

fn array_remove(c: &Ctx) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let l = list_arg(c, 0, Some(&field))?;
    let v = c.arg(1)?.to_array(c.n);
    let (erows, prows) = keys_with(l.values(), &v)?;
    let values = l.values().clone();
    let mut b = ListBuild::new(field, vec![values.clone()]);
    for i in 0..c.n {
        if l.is_null(i) || v.is_null(i) {
            b.end_row(false)?;
            continue;
        }
        for k in row_range(&l, i) {
            if null_at(values.as_ref(), k) || erows.row(k) != prows.row(i) {
                b.push(0, k);
            }
        }
        b.end_row(true)?;
    }
    b.finish()
}

fn array_distinct(c: &Ctx) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let l = list_arg(c, 0, Some(&field))?;
    let rows = keys(l.values(), false, true)?;
    let mut b = ListBuild::new(field, vec![l.values().clone()]);
    for i in 0..c.n {
        if l.is_null(i) {
            b.end_row(false)?;
            continue;
        }
        let mut seen = std::collections::HashSet::new();
        for k in row_range(&l, i) {
            if seen.insert(rows.row(k)) {
                b.push(0, k);
            }
        }
        b.end_row(true)?;
    }
    b.finish()
}

fn array_join(c: &Ctx) -> Result<ArrayRef> {
    let l = list_arg(c, 0, None)?;
    let strings = crate::cast::cast_in_zone(l.values(), &DataType::Utf8, EvalMode::Legacy, c.tz)?;
    let strings = strings.as_string::<i32>();
    let d = Strs::new(c.arg(1)?)?;
    let rep = c.args.get(2).map(Strs::new).transpose()?;
    build_strings(c.n, |i, buf| {
        let Some(delim) = d.get(i) else { return Ok(false) };
        if l.is_null(i) {
            return Ok(false);
        }
        let replacement = match &rep {
            Some(r) => match r.get(i) {
                Some(r) => Some(r),
                None => return Ok(false),
            },
            None => None,
        };
        let mut first = true;
        for k in row_range(&l, i) {
            let piece = if strings.is_null(k) { replacement } else { Some(strings.value(k)) };
            if let Some(p) = piece {
                if !first {
                    buf.push_str(delim);
                }
                buf.push_str(p);
                first = false;
            }
        }
        Ok(true)
    })
}

/// `array_min` / `array_max`: NULL elements are skipped; NaN is the largest.
fn array_extreme(c: &Ctx, min: bool) -> Result<ArrayRef> {
    let l = list_arg(c, 0, None)?;
    let rows = keys(l.values(), false, true)?;
    let values = l.values();
    let picks: Vec<Option<usize>> = (0..c.n)
        .map(|i| {
            if l.is_null(i) {
                return None;
            }
            let valid = row_range(&l, i).filter(|k| !null_at(values.as_ref(), *k));
            if min {
                valid.min_by(|a, b| rows.row(*a).cmp(&rows.row(*b)))
            } else {
                valid.max_by(|a, b| rows.row(*a).cmp(&rows.row(*b)))
            }
        })
        .collect();
    pick(values, &picks, c.return_type)
}

fn sorted(c: &Ctx, ascending: &dyn Fn(usize) -> Option<bool>, nulls_first_asc: bool) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let l = list_arg(c, 0, Some(&field))?;
    let asc_rows = keys(l.values(), false, nulls_first_asc)?;
    let desc_rows = keys(l.values(), true, !nulls_first_asc)?;
    let mut b = ListBuild::new(field, vec![l.values().clone()]);
    for i in 0..c.n {
        let asc = ascending(i);
        let (false, Some(asc)) = (l.is_null(i), asc) else {
            b.end_row(false)?;
            continue;
        };
        let rows = if asc { &asc_rows } else { &desc_rows };
        let mut idx: Vec<usize> = row_range(&l, i).collect();
        idx.sort_by(|a, b| rows.row(*a).cmp(&rows.row(*b)));
        for k in idx {
            b.push(0, k);
        }
        b.end_row(true)?;
    }
    b.finish()
}

/// `sort_array(a[, asc])`: NULLs first ascending, last descending.
fn sort_array(c: &Ctx) -> Result<ArrayRef> {
    let order = match c.args.get(1) {
        Some(v) => {
            let a = v.to_array(c.n);
            let b = a.as_boolean_opt().cloned().ok_or_else(|| Error::internal("sort_array order must be boolean"))?;
            Some(b)
        }
        None => None,
    };
    sorted(
        c,
        &|i| match &order {
            Some(b) => (!b.is_null(i)).then(|| b.value(i)),
            None => Some(true),
        },
        true,
    )
}

/// `array_sort(a)`: ascending with NULLs last.
fn array_sort(c: &Ctx) -> Result<ArrayRef> {
    sorted(c, &|_| Some(true), false)
}

fn slice(c: &Ctx) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let l = list_arg(c, 0, Some(&field))?;
    let start = I64s::new(c.arg(1)?)?;
    let len = I64s::new(c.arg(2)?)?;
    let mut b = ListBuild::new(field, vec![l.values().clone()]);
    for i in 0..c.n {
        let (false, Some(s), Some(n)) = (l.is_null(i), start.get(i), len.get(i)) else {
            b.end_row(false)?;
            continue;
        };
        if s == 0 {
            return Err(spark_error(
                "INVALID_PARAMETER_VALUE.START",
                "22023",
                "The value of parameter(s) <parameter> in <functionName> is invalid: Expects a positive or a \
                 negative value for `start`, but got 0.",
                &[("parameter", "`start`".into()), ("functionName", "`slice`".into())],
            ));
        }
        if n < 0 {
            return Err(spark_error(
                "INVALID_PARAMETER_VALUE.LENGTH",
                "22023",
                "The value of parameter(s) <parameter> in <functionName> is invalid: Expects `length` greater \
                 than or equal to 0, but got <length>.",
                &[("parameter", "`length`".into()), ("functionName", "`slice`".into()), ("length", n.to_string())],
            ));
        }
        let r = row_range(&l, i);
        let total = r.len() as i64;
        let from = if s > 0 { s - 1 } else { total + s };
        if from >= 0 && from < total {
            let to = (from + n).min(total);
            for k in from..to {
                b.push(0, r.start + k as usize);
            }
        }
        b.end_row(true)?;
    }
    b.finish()
}

fn flatten(c: &Ctx) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let outer = list_arg(c, 0, None)?;
    let inner_type = DataType::List(field.clone());
    let inner = if outer.values().data_type() != &inner_type {
        arrow::compute::cast(outer.values(), &inner_type)?
    } else {
        outer.values().clone()
    };
    let inner = inner.as_list::<i32>().clone();
    let mut b = ListBuild::new(field, vec![inner.values().clone()]);
    for i in 0..c.n {
        let r = row_range(&outer, i);
        if outer.is_null(i) || r.clone().any(|k| inner.is_null(k)) {
            b.end_row(false)?;
            continue;
        }
        for k in r {
            for e in row_range(&inner, k) {
                b.push(0, e);
            }
        }
        b.end_row(true)?;
    }
    b.finish()
}

fn sequence_error(message: &str) -> Error {
    spark_error(
        "INVALID_PARAMETER_VALUE.SEQUENCE_WRONG_INPUT_TYPES",
        "22023",
        "The value of parameter(s) <parameter> in <functionName> is invalid: <message>.",
        &[("parameter", "`step`".into()), ("functionName", "`sequence`".into()), ("message", message.into())],
    )
}

/// `sequence(start, stop[, step])` over integers, or dates and timestamps
/// with an interval step (one day or month by default).
fn sequence(c: &Ctx) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let t = field.data_type().clone();
    match t {
        DataType::Date32 | DataType::Timestamp(_, _) => return sequence_datetime(c, field),
        _ => {}
    }
    let start = I64s::new(c.arg(0)?)?;
    let stop = I64s::new(c.arg(1)?)?;
    let step = c.args.get(2).map(I64s::new).transpose()?;
    let mut values: Vec<i64> = vec![];
    let mut offsets = vec![0i32];
    let mut valid = vec![];
    for i in 0..c.n {
        let st = match &step {
            Some(s) => s.get(i),
            None => match (start.get(i), stop.get(i)) {
                (Some(a), Some(b)) => Some(if a <= b { 1 } else { -1 }),
                _ => None,
            },
        };
        let (Some(a), Some(b), Some(st)) = (start.get(i), stop.get(i), st) else {
            offsets.push(values.len() as i32);
            valid.push(false);
            continue;
        };
        if !((st > 0 && a <= b) || (st < 0 && a >= b) || (st == 0 && a == b)) {
            return Err(spark_error(
                "INVALID_SEQUENCE_STEP",
                "22023",
                "Illegal sequence boundaries: <start> to <stop> by <step>",
                &[("start", a.to_string()), ("stop", b.to_string()), ("step", st.to_string())],
            ));
        }
        let count = if st == 0 { 1 } else { ((b as i128 - a as i128) / st as i128 + 1) as u128 };
        if count > (i32::MAX - 15) as u128 || values.len() as u128 + count > i32::MAX as u128 {
            return Err(sequence_error("the sequence has too many elements"));
        }
        let mut v = a as i128;
        for _ in 0..count {
            values.push(v as i64);
            v += st as i128;
        }
        offsets.push(values.len() as i32);
        valid.push(true);
    }
    let vals: ArrayRef = Arc::new(Int64Array::from(values));
    let vals = arrow::compute::cast(&vals, &t)?;
    let nulls = if valid.iter().all(|v| *v) { None } else { Some(NullBuffer::from(valid)) };
    Ok(Arc::new(ListArray::try_new(field, OffsetBuffer::new(offsets.into()), vals, nulls)?))
}

fn sequence_datetime(c: &Ctx, field: FieldRef) -> Result<ArrayRef> {
    use crate::temporal::MICROS_PER_DAY;
    let is_date = matches!(field.data_type(), DataType::Date32);
    let as_micros = |k: usize| -> Result<super::args::Micros> {
        let v = c.arg(k)?;
        if matches!(v.data_type(), DataType::Date32) {
            let d = super::args::Days::new(v)?;
            Ok(super::args::Prim::Col(build_prim(c.n, |i| Ok(d.get(i).map(|d| d as i64 * MICROS_PER_DAY)))?))
        } else {
            super::args::Micros::new(v)
        }
    };
    let start = as_micros(0)?;
    let stop = as_micros(1)?;
    // TIMESTAMP steps by months and days on the wall clock of the session
    // zone (Spark's `timestampAddInterval`); dates and TIMESTAMP_NTZ are
    // wall-clock values already
    let zone = if is_date { crate::tz::utc() } else { super::datetime::zone_of(c, field.data_type()) };
    // (months, days, micros) per step
    let step: Vec<Option<(i32, i32, i64)>> = match c.args.get(2) {
        None => (0..c.n)
            .map(|i| match (start.get(i), stop.get(i)) {
                (Some(a), Some(b)) => Some((0, 0, if a <= b { MICROS_PER_DAY } else { -MICROS_PER_DAY })),
                _ => None,
            })
            .collect(),
        Some(v) => {
            let a = v.to_array(c.n);
            match a.data_type() {
                DataType::Interval(IntervalUnit::YearMonth) => {
                    let p = a.as_primitive::<IntervalYearMonthType>();
                    (0..c.n).map(|i| (!p.is_null(i)).then(|| (p.value(i), 0, 0))).collect()
                }
                DataType::Duration(_) => {
                    let p = a.as_primitive::<DurationMicrosecondType>();
                    (0..c.n).map(|i| (!p.is_null(i)).then(|| (0, 0, p.value(i)))).collect()
                }
                DataType::Interval(IntervalUnit::MonthDayNano) => {
                    let p = a.as_primitive::<IntervalMonthDayNanoType>();
                    (0..c.n)
                        .map(|i| {
                            (!p.is_null(i)).then(|| {
                                let v = p.value(i);
                                (v.months, v.days, v.nanoseconds / 1000)
                            })
                        })
                        .collect()
                }
                other => return Err(Error::internal(format!("sequence step of {other}"))),
            }
        }
    };
    let mut values: Vec<i64> = vec![];
    let mut offsets = vec![0i32];
    let mut valid = vec![];
    for (i, st) in step.iter().enumerate() {
        let (Some(a), Some(b), Some((months, days, micros))) = (start.get(i), stop.get(i), *st) else {
            offsets.push(values.len() as i32);
            valid.push(false);
            continue;
        };
        // the sign of a step: months, then days, then the time part
        let sign = if months != 0 {
            months.signum() as i64
        } else if days != 0 {
            days.signum() as i64
        } else {
            micros.signum()
        };
        let forward = sign > 0;
        let backward = sign < 0;
        if !((forward && a <= b) || (backward && a >= b) || a == b) {
            return Err(spark_error(
                "INVALID_SEQUENCE_STEP",
                "22023",
                "Illegal sequence boundaries: <start> to <stop> by <step>",
                &[
                    ("start", a.to_string()),
                    ("stop", b.to_string()),
                    ("step", format!("{months} months {days} days {micros} us")),
                ],
            ));
        }
        let mut k: i32 = 0;
        let at = |k: i32| {
            super::datetime::add_calendar(zone, a, months.saturating_mul(k), days.saturating_mul(k))
                .and_then(|t| t.checked_add(micros.checked_mul(k as i64)?))
        };
        while let Some(t) = at(k) {
            if (forward && t > b) || (backward && t < b) || (!forward && !backward && k > 0) {
                break;
            }
            values.push(t);
            k += 1;
            if values.len() > (i32::MAX - 15) as usize {
                return Err(sequence_error("the sequence has too many elements"));
            }
        }
        offsets.push(values.len() as i32);
        valid.push(true);
    }
    let vals: ArrayRef = if is_date {
        Arc::new(arrow::array::Date32Array::from(
            values.iter().map(|v| v.div_euclid(MICROS_PER_DAY) as i32).collect::<Vec<_>>(),
        ))
    } else {
        let p = PrimitiveArray::<TimestampMicrosecondType>::from(values);
        match field.data_type() {
            DataType::Timestamp(_, tz) => Arc::new(p.with_timezone_opt(tz.clone())),
            _ => Arc::new(p),
        }
    };
    let nulls = if valid.iter().all(|v| *v) { None } else { Some(NullBuffer::from(valid)) };
    Ok(Arc::new(ListArray::try_new(field, OffsetBuffer::new(offsets.into()), vals, nulls)?))
}

fn reverse(c: &Ctx) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let l = list_arg(c, 0, Some(&field))?;
    let mut b = ListBuild::new(field, vec![l.values().clone()]);
    for i in 0..c.n {
        if l.is_null(i) {
            b.end_row(false)?;
            continue;
        }
        for k in row_range(&l, i).rev() {
            b.push(0, k);
        }
        b.end_row(true)?;
    }
    b.finish()
}

/// `concat` of arrays: NULL when any input is NULL.
fn concat(c: &Ctx) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let lists: Vec<ListArray> = (0..c.args.len()).map(|k| list_arg(c, k, Some(&field))).collect::<Result<_>>()?;
    let mut b = ListBuild::new(field, lists.iter().map(|l| l.values().clone()).collect());
    for i in 0..c.n {
        if lists.iter().any(|l| l.is_null(i)) {
            b.end_row(false)?;
            continue;
        }
        for (s, l) in lists.iter().enumerate() {
            for k in row_range(l, i) {
                b.push(s, k);
            }
        }
        b.end_row(true)?;
    }
    b.finish()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Intersect,
    Except,
}

/// Keys for the elements of two lists from one converter.
fn pair_keys(a: &ListArray, b: &ListArray) -> Result<(Rows, Rows)> {
    keys_with(a.values(), b.values())
}

fn set_op(c: &Ctx, op: SetOp) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let a = list_arg(c, 0, Some(&field))?;
    let bl = list_arg(c, 1, Some(&field))?;
    let (ka, kb) = pair_keys(&a, &bl)?;
    let mut b = ListBuild::new(field, vec![a.values().clone(), bl.values().clone()]);
    for i in 0..c.n {
        if a.is_null(i) || bl.is_null(i) {
            b.end_row(false)?;
            continue;
        }
        let mut seen = std::collections::HashSet::new();
        let right: std::collections::HashSet<_> = row_range(&bl, i).map(|k| kb.row(k)).collect();
        for k in row_range(&a, i) {
            let key = ka.row(k);
            let keep = match op {
                SetOp::Union => true,
                SetOp::Intersect => right.contains(&key),
                SetOp::Except => !right.contains(&key),
            };
            if keep && seen.insert(key) {
                b.push(0, k);
            }
        }
        if op == SetOp::Union {
            for k in row_range(&bl, i) {
                if seen.insert(kb.row(k)) {
                    b.push(1, k);
                }
            }
        }
        b.end_row(true)?;
    }
    b.finish()
}

/// `arrays_overlap(a, b)`: true on a common non-NULL element, NULL when
/// there is none but either side holds a NULL, false otherwise.
fn arrays_overlap(c: &Ctx) -> Result<ArrayRef> {
    let a = list_arg(c, 0, None)?;
    let bl = list_arg(c, 1, None)?;
    let (ka, kb) = pair_keys(&a, &bl)?;
    let out: BooleanArray = (0..c.n)
        .map(|i| {
            if a.is_null(i) || bl.is_null(i) {
                return None;
            }
            let (ra, rb) = (row_range(&a, i), row_range(&bl, i));
            if ra.is_empty() || rb.is_empty() {
                return Some(false);
            }
            let right: std::collections::HashSet<_> =
                rb.clone().filter(|k| !null_at(bl.values().as_ref(), *k)).map(|k| kb.row(k)).collect();
            let mut saw_null = rb.clone().any(|k| null_at(bl.values().as_ref(), k));
            for k in ra {
                if null_at(a.values().as_ref(), k) {
                    saw_null = true;
                } else if right.contains(&ka.row(k)) {
                    return Some(true);
                }
            }
            if saw_null {
                None
            } else {
                Some(false)
            }
        })
        .collect();
    Ok(Arc::new(out))
}

fn array_repeat(c: &Ctx) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let v = value_arg(c, 0, field.data_type())?;
    let n = I64s::new(c.arg(1)?)?;
    let mut b = ListBuild::new(field, vec![v]);
    for i in 0..c.n {
        let Some(k) = n.get(i) else {
            b.end_row(false)?;
            continue;
        };
        for _ in 0..k.max(0) {
            b.push(0, i);
        }
        b.end_row(true)?;
    }
    b.finish()
}

/// `array_append(a, v)` / `array_prepend(a, v)`: NULL only when `a` is.
fn append(c: &Ctx, front: bool) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let l = list_arg(c, 0, Some(&field))?;
    let v = value_arg(c, 1, field.data_type())?;
    let mut b = ListBuild::new(field, vec![l.values().clone(), v]);
    for i in 0..c.n {
        if l.is_null(i) {
            b.end_row(false)?;
            continue;
        }
        if front {
            b.push(1, i);
        }
        for k in row_range(&l, i) {
            b.push(0, k);
        }
        if !front {
            b.push(1, i);
        }
        b.end_row(true)?;
    }
    b.finish()
}

/// `array_insert(a, pos, v)`: 1-based; negative counts from the end (-1
/// appends); positions past either end pad with NULLs.
fn array_insert(c: &Ctx) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let l = list_arg(c, 0, Some(&field))?;
    let pos = I64s::new(c.arg(1)?)?;
    let v = value_arg(c, 2, field.data_type())?;
    let mut b = ListBuild::new(field, vec![l.values().clone(), v]);
    for i in 0..c.n {
        let (false, Some(p)) = (l.is_null(i), pos.get(i)) else {
            b.end_row(false)?;
            continue;
        };
        if p == 0 {
            return Err(spark_error(
                "INVALID_INDEX_OF_ZERO",
                "22003",
                "The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1).",
                &[],
            ));
        }
        let r = row_range(&l, i);
        let len = r.len() as i64;
        let at = if p > 0 { p - 1 } else { len + p + 1 };
        if at < 0 {
            b.push(1, i);
            for _ in 0..(-at) {
                b.push_null();
            }
            for k in r {
                b.push(0, k);
            }
        } else {
            for (j, k) in r.clone().enumerate() {
                if j as i64 == at {
                    b.push(1, i);
                }
                b.push(0, k);
            }
            if at >= len {
                for _ in len..at {
                    b.push_null();
                }
                b.push(1, i);
            }
        }
        b.end_row(true)?;
    }
    b.finish()
}

fn array_compact(c: &Ctx) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let l = list_arg(c, 0, Some(&field))?;
    let values = l.values().clone();
    let mut b = ListBuild::new(field, vec![values.clone()]);
    for i in 0..c.n {
        if l.is_null(i) {
            b.end_row(false)?;
            continue;
        }
        for k in row_range(&l, i) {
            if !null_at(values.as_ref(), k) {
                b.push(0, k);
            }
        }
        b.end_row(true)?;
    }
    b.finish()
}

/// `arrays_zip(a, b, ...)`: structs of the i-th elements, NULL-padded to
/// the longest array; NULL when any input is NULL.
fn arrays_zip(c: &Ctx) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let DataType::Struct(fields) = field.data_type() else {
        return Err(Error::internal("arrays_zip must return an array of structs"));
    };
    let lists: Vec<ListArray> = (0..c.args.len())
        .map(|k| list_arg(c, k, Some(&Arc::new(Field::new("element", fields[k].data_type().clone(), true)))))
        .collect::<Result<_>>()?;
    // one pick list per input, in output order
    let mut per_input: Vec<ListBuild> = fields
        .iter()
        .zip(&lists)
        .map(|(f, l)| ListBuild::new(Arc::new(f.as_ref().clone().with_nullable(true)), vec![l.values().clone()]))
        .collect();
    let mut offsets = vec![0i32];
    let mut valid = vec![];
    let mut total = 0i32;
    for i in 0..c.n {
        if lists.iter().any(|l| l.is_null(i)) {
            offsets.push(total);
            valid.push(false);
            continue;
        }
        let n = lists.iter().map(|l| row_range(l, i).len()).max().unwrap_or(0);
        for (b, l) in per_input.iter_mut().zip(&lists) {
            let r = row_range(l, i);
            for j in 0..n {
                if j < r.len() {
                    b.push(0, r.start + j);
                } else {
                    b.push_null();
                }
            }
        }
        total += n as i32;
        offsets.push(total);
        valid.push(true);
    }
    let mut cols = vec![];
    for b in per_input.iter_mut() {
        let mut tmp = ListBuild::new(b.field.clone(), vec![]);
        std::mem::swap(b, &mut tmp);
        tmp.end_row(true)?;
        cols.push(tmp.finish()?.as_list::<i32>().values().clone());
    }
    let sfields: Fields =
        fields.iter().zip(&cols).map(|(f, a)| Arc::new(Field::new(f.name(), a.data_type().clone(), true))).collect();
    let structs: ArrayRef = if sfields.is_empty() {
        Arc::new(StructArray::new_empty_fields(total as usize, None))
    } else {
        Arc::new(StructArray::try_new(sfields.clone(), cols, None)?)
    };
    let item = Arc::new(Field::new(field.name(), DataType::Struct(sfields), true));
    let nulls = if valid.iter().all(|v| *v) { None } else { Some(NullBuffer::from(valid)) };
    Ok(Arc::new(ListArray::try_new(item, OffsetBuffer::new(offsets.into()), structs, nulls)?))
}

fn map_arg(c: &Ctx) -> Result<MapArray> {
    let a = c.arg(0)?.to_array(c.n);
    a.as_map_opt().cloned().ok_or_else(|| Error::internal(format!("{} expects a map", c.name)))
}

/// `map_keys` (part 0) / `map_values` (part 1) as arrays.
fn map_part(c: &Ctx, part: usize) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let m = map_arg(c)?;
    let values = if part == 0 { m.keys().clone() } else { m.values().clone() };
    let values = if values.data_type() != field.data_type() {
        arrow::compute::cast(&values, field.data_type())?
    } else {
        values
    };
    let field = Arc::new(field.as_ref().clone().with_nullable(true));
    Ok(Arc::new(ListArray::try_new(field, m.offsets().clone(), values, m.nulls().cloned())?))
}

fn map_entries(c: &Ctx) -> Result<ArrayRef> {
    let m = map_arg(c)?;
    let entries: ArrayRef = Arc::new(m.entries().clone());
    let field = out_field(c)?;
    let field = Arc::new(Field::new(field.name(), entries.data_type().clone(), true));
    Ok(Arc::new(ListArray::try_new(field, m.offsets().clone(), entries, m.nulls().cloned())?))
}

/// `map_concat(m1, m2, ...)`: all entries in order; NULL when any map is
/// NULL; a key in two maps is an error (Spark's EXCEPTION dedup policy).
fn map_concat(c: &Ctx) -> Result<ArrayRef> {
    let (_, fields) = map_fields(c.return_type)?;
    let maps: Vec<MapArray> = (0..c.args.len())
        .map(|k| {
            let a = c.arg(k)?.to_array(c.n);
            let a = if a.data_type() != c.return_type { arrow::compute::cast(&a, c.return_type)? } else { a };
            a.as_map_opt().cloned().ok_or_else(|| Error::internal("map_concat of a non-map"))
        })
        .collect::<Result<_>>()?;
    let keys: Vec<ArrayRef> = maps.iter().map(|m| m.keys().clone()).collect();
    let values: Vec<ArrayRef> = maps
        .iter()
        .map(|m| {
            let v = m.values().clone();
            if v.data_type() != fields[1].data_type() {
                arrow::compute::cast(&v, fields[1].data_type()).map_err(Error::from)
            } else {
                Ok(v)
            }
        })
        .collect::<Result<_>>()?;
    let mut b = MapBuild::new(c.return_type, keys, values)?;
    for i in 0..c.n {
        if maps.iter().any(|m| m.is_null(i)) {
            b.end_row(false)?;
            continue;
        }
        for (s, m) in maps.iter().enumerate() {
            let o = m.value_offsets();
            for k in o[i] as usize..o[i + 1] as usize {
                b.push((s, k), Some((s, k)));
            }
        }
        b.end_row(true)?;
    }
    b.finish()
}

fn map_contains_key(c: &Ctx) -> Result<ArrayRef> {
    let m = map_arg(c)?;
    let probe = c.arg(1)?.to_array(c.n);
    let (krows, prows) = keys_with(m.keys(), &probe)?;
    let offsets = m.value_offsets();
    let out: BooleanArray = (0..c.n)
        .map(|i| {
            if m.is_null(i) || probe.is_null(i) {
                return None;
            }
            Some((offsets[i] as usize..offsets[i + 1] as usize).any(|k| krows.row(k) == prows.row(i)))
        })
        .collect();
    Ok(Arc::new(out))
}

/// `shuffle(a)`: a random permutation (nondeterministic).
fn shuffle(c: &Ctx) -> Result<ArrayRef> {
    let field = out_field(c)?;
    let l = list_arg(c, 0, Some(&field))?;
    let mut rng = super::random::SplitMix::from_entropy();
    let mut b = ListBuild::new(field, vec![l.values().clone()]);
    for i in 0..c.n {
        if l.is_null(i) {
            b.end_row(false)?;
            continue;
        }
        let mut idx: Vec<usize> = row_range(&l, i).collect();
        for j in (1..idx.len()).rev() {
            let k = (rng.next_u64() % (j as u64 + 1)) as usize;
            idx.swap(j, k);
        }
        for k in idx {
            b.push(0, k);
        }
        b.end_row(true)?;
    }
    b.finish()
}
