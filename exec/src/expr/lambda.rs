//! Higher-order functions: `transform`, `filter`, `exists`, `forall`,
//! `aggregate`, `zip_with`, `array_sort` with a comparator, `map_filter`,
//! `map_zip_with`, `transform_keys`, `transform_values`.
//!
//! A lambda body is evaluated a chunk at a time, never an element at a
//! time: the elements of every list of the chunk are laid side by side
//! (the list's child values, sliced or gathered) as the parameter columns
//! of one batch, next to the input columns the body reads, repeated for
//! each element of their row; the body runs once over that batch and the
//! lists are rebuilt from its result with the input's row structure.
//!
//! Functions that are sequential per list run in lockstep across the rows:
//! `aggregate` evaluates its merge step k over the k-th element of every
//! list that has one; `array_sort` is a bottom-up merge sort whose merges
//! of all rows advance together, one comparator batch per step.
//!
//! Differences from Spark's row-at-a-time loops: `exists` and `forall`
//! evaluate the predicate for every element (Spark stops at the first
//! decisive one), so an error on a later element is raised here.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use arrow::array::{
    new_null_array, Array, ArrayData, ArrayRef, AsArray, BooleanArray, Int32Array, ListArray, MapArray, RecordBatch,
    RecordBatchOptions, StructArray, UInt32Array,
};
use arrow::buffer::{NullBuffer, OffsetBuffer};
use arrow::compute::{filter, interleave, take};
use arrow::datatypes::{DataType, Field, Float32Type, Float64Type, Int32Type, Schema};
use arrow::row::{RowConverter, Rows, SortField};
use ember_core::{ColumnId, Error, EvalMode, Expr, Result};

use super::{compile, null_as_false, Binding, PhysicalExpr};

/// Whether a function call is a higher-order function (it has a lambda).
pub(super) fn is_higher_order(args: &[Expr]) -> bool {
    args.iter().any(|a| matches!(a, Expr::Lambda { .. }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Transform,
    Filter,
    Exists,
    ForAll,
    Aggregate,
    ZipWith,
    ArraySort,
    MapFilter,
    MapZipWith,
    TransformKeys,
    TransformValues,
}

/// A compiled higher-order function call.
#[derive(Debug, Clone)]
pub struct HigherOrder {
    kind: Kind,
    /// The value arguments (arrays, maps, the start value of `aggregate`).
    args: Vec<PhysicalExpr>,
    lambdas: Vec<LambdaBody>,
    data_type: DataType,
    mode: EvalMode,
}

/// A lambda body bound to a batch of its captured input columns followed
/// by its parameters.
#[derive(Debug, Clone)]
struct LambdaBody {
    /// Positions in the input of the columns (and enclosing lambdas'
    /// variables) the body reads.
    captured: Vec<usize>,
    arity: usize,
    body: PhysicalExpr,
}

/// Compiles `name(args)`, whose arguments are value expressions followed
/// by `Expr::Lambda`s.
pub(super) fn compile_call(
    name: &str,
    args: &[Expr],
    data_type: &DataType,
    mode: EvalMode,
    input: &Binding,
) -> Result<PhysicalExpr> {
    let kind = match name {
        "transform" => Kind::Transform,
        "filter" => Kind::Filter,
        "exists" => Kind::Exists,
        "forall" => Kind::ForAll,
        "aggregate" => Kind::Aggregate,
        "zip_with" => Kind::ZipWith,
        "array_sort" => Kind::ArraySort,
        "map_filter" => Kind::MapFilter,
        "map_zip_with" => Kind::MapZipWith,
        "transform_keys" => Kind::TransformKeys,
        "transform_values" => Kind::TransformValues,
        other => return Err(Error::internal(format!("{other} is not a higher-order function"))),
    };
    let mut values = Vec::new();
    let mut lambdas = Vec::new();
    for a in args {
        match a {
            Expr::Lambda { params, body } => lambdas.push(compile_lambda(params, body, input)?),
            other => values.push(compile(other, input)?),
        }
    }
    let (want_values, want_lambdas) = match kind {
        Kind::Aggregate => (2, 2),
        Kind::ZipWith | Kind::MapZipWith => (2, 1),
        _ => (1, 1),
    };
    if values.len() != want_values || lambdas.len() != want_lambdas {
        return Err(Error::internal(format!("{name} with {} values and {} lambdas", values.len(), lambdas.len())));
    }
    let h = HigherOrder { kind, args: values, lambdas, data_type: data_type.clone(), mode };
    Ok(PhysicalExpr::HigherOrder(Box::new(h)))
}

fn compile_lambda(params: &[ember_core::Attribute], body: &Expr, input: &Binding) -> Result<LambdaBody> {
    // the free references of the body that the input provides: columns of
    // the row and variables of enclosing lambdas (nested lambdas' own
    // parameters are not in the input)
    let mut ids: Vec<ColumnId> = Vec::new();
    body.walk(&mut |e| {
        if let Expr::Column(a) | Expr::LambdaVariable(a) = e {
            if input.positions.contains_key(&a.id) && !ids.contains(&a.id) {
                ids.push(a.id);
            }
        }
    });
    let captured = ids.iter().map(|id| input.positions[id]).collect();
    let mut positions: HashMap<ColumnId, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    for (j, p) in params.iter().enumerate() {
        positions.insert(p.id, ids.len() + j);
    }
    let body = compile(body, &Binding { positions })?;
    Ok(LambdaBody { captured, arity: params.len(), body })
}

impl LambdaBody {
    /// Evaluates the body over `n` elements: `rows[k]` is the input row of
    /// element k (None: element k is row k), `params` the parameter columns.
    fn eval(
        &self,
        batch: &RecordBatch,
        rows: Option<&UInt32Array>,
        params: Vec<ArrayRef>,
        n: usize,
    ) -> Result<ArrayRef> {
        let mut cols = Vec::with_capacity(self.captured.len() + params.len());
        for &c in &self.captured {
            let col = batch.column(c);
            cols.push(match rows {
                Some(r) => take(col.as_ref(), r, None)?,
                None => col.clone(),
            });
        }
        cols.extend(params);
        let fields: Vec<Field> =
            cols.iter().enumerate().map(|(i, c)| Field::new(format!("_{i}"), c.data_type().clone(), true)).collect();
        let options = RecordBatchOptions::new().with_row_count(Some(n));
        let b = RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), cols, &options)?;
        self.body.evaluate(&b)
    }

    /// Whether evaluating needs the input row of each element.
    fn reads_input(&self) -> bool {
        !self.captured.is_empty()
    }
}

/// The elements of the lists (or maps) of a chunk, laid out by row: row i
/// holds elements `offsets[i]..offsets[i + 1]`; a NULL row holds none.
struct Elements {
    offsets: Vec<i32>,
    /// Child positions of the elements, when they are no contiguous slice.
    index: Option<Vec<u32>>,
    /// First child position, when they are.
    start: usize,
}

impl Elements {
    fn new(offsets: &[i32], nulls: Option<&NullBuffer>) -> Elements {
        let n = offsets.len().saturating_sub(1);
        let valid = |i: usize| nulls.is_none_or(|b| b.is_valid(i));
        // a NULL list may still span child values; those are no elements
        let compact = (0..n).all(|i| valid(i) || offsets[i] == offsets[i + 1]);
        let base = offsets.first().copied().unwrap_or(0);
        if compact {
            return Elements { offsets: offsets.iter().map(|o| o - base).collect(), index: None, start: base as usize };
        }
        let mut out = Vec::with_capacity(n + 1);
        let mut index = Vec::new();
        out.push(0);
        for i in 0..n {
            if valid(i) {
                index.extend(offsets[i] as u32..offsets[i + 1] as u32);
            }
            out.push(index.len() as i32);
        }
        Elements { offsets: out, index: Some(index), start: 0 }
    }

    fn rows(&self) -> usize {
        self.offsets.len() - 1
    }

    fn len(&self) -> usize {
        self.offsets.last().copied().unwrap_or(0) as usize
    }

    fn range(&self, row: usize) -> std::ops::Range<usize> {
        self.offsets[row] as usize..self.offsets[row + 1] as usize
    }

    /// The elements of `child` (the list's values, a map's keys or values).
    fn gather(&self, child: &ArrayRef) -> Result<ArrayRef> {
        Ok(match &self.index {
            None => child.slice(self.start, self.len()),
            Some(ix) => take(child.as_ref(), &UInt32Array::from(ix.clone()), None)?,
        })
    }

    /// The input row of each element.
    fn row_of_each(&self) -> UInt32Array {
        let mut v = Vec::with_capacity(self.len());
        for r in 0..self.rows() {
            v.extend(std::iter::repeat_n(r as u32, self.range(r).len()));
        }
        UInt32Array::from(v)
    }

    /// The 0-based position of each element in its list.
    fn position_of_each(&self) -> Int32Array {
        let mut v = Vec::with_capacity(self.len());
        for r in 0..self.rows() {
            v.extend(0..self.range(r).len() as i32);
        }
        Int32Array::from(v)
    }

    fn offset_buffer(&self) -> OffsetBuffer<i32> {
        OffsetBuffer::new(self.offsets.clone().into())
    }
}

/// Puts `vals[j]` at row `rows[j]` of `base` (both of one type).
fn scatter(base: &ArrayRef, rows: &[u32], vals: &ArrayRef) -> Result<ArrayRef> {
    let mut picks: Vec<(usize, usize)> = (0..base.len()).map(|i| (0, i)).collect();
    for (j, r) in rows.iter().enumerate() {
        picks[*r as usize] = (1, j);
    }
    Ok(interleave(&[base.as_ref(), vals.as_ref()], &picks)?)
}

/// `data` under type `to`, which has the same layout up to the names and
/// nullability of nested fields.
fn relabel(data: ArrayData, to: &DataType) -> Option<ArrayData> {
    let children = match (data.data_type(), to) {
        (a, b) if a == b => return Some(data),
        (DataType::List(_), DataType::List(f)) | (DataType::Map(_, _), DataType::Map(f, _)) => {
            vec![relabel(data.child_data().first()?.clone(), f.data_type())?]
        }
        (DataType::Struct(a), DataType::Struct(b)) if a.len() == b.len() => data
            .child_data()
            .iter()
            .zip(b.iter())
            .map(|(c, f)| relabel(c.clone(), f.data_type()))
            .collect::<Option<Vec<_>>>()?,
        _ => return None,
    };
    data.into_builder().data_type(to.clone()).child_data(children).build().ok()
}

/// `a` as type `to`: relabelled when only field names differ, else cast.
fn conform(a: ArrayRef, to: &DataType, mode: EvalMode) -> Result<ArrayRef> {
    if a.data_type() == to {
        return Ok(a);
    }
    if a.data_type() == &DataType::Null {
        return Ok(new_null_array(to, a.len()));
    }
    if let Some(d) = relabel(a.to_data(), to) {
        return Ok(arrow::array::make_array(d));
    }
    // the kernels cast atomic types the Spark way; nested types (arrays and
    // structs of map keys widened for map_zip_with) go field by field
    if matches!(to, DataType::List(_) | DataType::Struct(_) | DataType::Map(..)) {
        return Ok(arrow::compute::cast(&a, to)?);
    }
    ember_vector::cast::cast(&a, to, mode)
}

fn build_list(
    t: &DataType,
    offsets: OffsetBuffer<i32>,
    values: ArrayRef,
    nulls: Option<NullBuffer>,
) -> Result<ArrayRef> {
    let DataType::List(field) = t else {
        return Err(Error::internal(format!("a list result of type {t}")));
    };
    let values = conform(values, field.data_type(), EvalMode::Legacy)?;
    Ok(Arc::new(ListArray::try_new(field.clone(), offsets, values, nulls)?))
}

fn build_map(
    t: &DataType,
    offsets: OffsetBuffer<i32>,
    keys: ArrayRef,
    values: ArrayRef,
    nulls: Option<NullBuffer>,
) -> Result<ArrayRef> {
    let DataType::Map(entries, sorted) = t else {
        return Err(Error::internal(format!("a map result of type {t}")));
    };
    let DataType::Struct(fields) = entries.data_type() else {
        return Err(Error::internal("map entries must be a struct"));
    };
    let keys = conform(keys, fields[0].data_type(), EvalMode::Legacy)?;
    let values = conform(values, fields[1].data_type(), EvalMode::Legacy)?;
    let kv = StructArray::try_new(fields.clone(), vec![keys, values], None)?;
    Ok(Arc::new(MapArray::try_new(entries.clone(), offsets, kv, nulls, *sorted)?))
}

/// Map keys compare as Spark's map builders compare them: -0.0 equals 0.0
/// and every NaN equals every other.
fn normalize_keys(keys: &ArrayRef) -> ArrayRef {
    match keys.data_type() {
        DataType::Float64 => Arc::new(keys.as_primitive::<Float64Type>().unary::<_, Float64Type>(|v| {
            if v == 0.0 {
                0.0
            } else if v.is_nan() {
                f64::NAN
            } else {
                v
            }
        })),
        DataType::Float32 => Arc::new(keys.as_primitive::<Float32Type>().unary::<_, Float32Type>(|v| {
            if v == 0.0 {
                0.0
            } else if v.is_nan() {
                f32::NAN
            } else {
                v
            }
        })),
        _ => keys.clone(),
    }
}

fn key_rows(conv: &RowConverter, keys: &ArrayRef) -> Result<Rows> {
    Ok(conv.convert_columns(std::slice::from_ref(keys))?)
}

fn shown(a: &ArrayRef, i: usize) -> String {
    ember_vector::cast::cast(&a.slice(i, 1), &DataType::Utf8, EvalMode::Legacy)
        .ok()
        .and_then(|s| s.as_string_opt::<i32>().filter(|s| s.is_valid(0)).map(|s| s.value(0).to_string()))
        .unwrap_or_else(|| "null".into())
}

fn null_map_key() -> Error {
    ember_vector::errors::spark_error("NULL_MAP_KEY", "2200E", "Cannot use null as map key.", &[])
}

fn duplicated_map_key(keys: &ArrayRef, i: usize) -> Error {
    ember_vector::errors::spark_error(
        "DUPLICATED_MAP_KEY",
        "23505",
        "Duplicate map key <key> was found, please check the input data. If you want to remove the duplicated \
         keys, you can set <mapKeyDedupPolicy> to \"LAST_WIN\" so that the key inserted at last takes precedence.",
        &[("key", shown(keys, i)), ("mapKeyDedupPolicy", "\"spark.sql.mapKeyDedupPolicy\"".into())],
    )
}

impl HigherOrder {
    /// The value arguments, for constant folding.
    pub(super) fn args(&self) -> Vec<&PhysicalExpr> {
        self.args.iter().collect()
    }

    /// Whether a lambda reads the input row (then the call is no constant
    /// even over constant arguments).
    pub(super) fn reads_input(&self) -> bool {
        self.lambdas.iter().any(LambdaBody::reads_input)
    }

    pub(super) fn evaluate(&self, batch: &RecordBatch) -> Result<ArrayRef> {
        let n = batch.num_rows();
        let first = self.args[0].evaluate(batch)?;
        if first.data_type() == &DataType::Null {
            return Ok(new_null_array(&self.data_type, n));
        }
        match self.kind {
            Kind::Transform | Kind::Filter | Kind::Exists | Kind::ForAll => self.over_elements(batch, &first),
            Kind::Aggregate => self.aggregate(batch, &first),
            Kind::ZipWith => self.zip_with(batch, &first),
            Kind::ArraySort => self.array_sort(batch, &first),
            Kind::MapFilter | Kind::TransformKeys | Kind::TransformValues => self.over_entries(batch, &first),
            Kind::MapZipWith => self.map_zip_with(batch, &first),
        }
    }

    fn list<'a>(&self, a: &'a ArrayRef) -> Result<&'a ListArray> {
        a.as_list_opt::<i32>().ok_or_else(|| Error::internal(format!("expected an array, got {}", a.data_type())))
    }

    fn map<'a>(&self, a: &'a ArrayRef) -> Result<&'a MapArray> {
        a.as_map_opt().ok_or_else(|| Error::internal(format!("expected a map, got {}", a.data_type())))
    }

    /// `transform`, `filter`, `exists`, `forall`: the lambda over each element.
    fn over_elements(&self, batch: &RecordBatch, arg: &ArrayRef) -> Result<ArrayRef> {
        let list = self.list(arg)?;
        let el = Elements::new(list.value_offsets(), list.nulls());
        let values = el.gather(list.values())?;
        let f = &self.lambdas[0];
        let mut params = vec![values.clone()];
        if f.arity == 2 {
            params.push(Arc::new(el.position_of_each()));
        }
        let rows = f.reads_input().then(|| el.row_of_each());
        let out = f.eval(batch, rows.as_ref(), params, el.len())?;
        if self.kind == Kind::Transform {
            return build_list(&self.data_type, el.offset_buffer(), out, list.nulls().cloned());
        }
        let mask = out.as_boolean_opt().ok_or_else(|| Error::internal("a predicate lambda returned no boolean"))?;
        match self.kind {
            Kind::Filter => {
                let keep = null_as_false(mask);
                let kept = filter(values.as_ref(), &keep)?;
                let mut offsets = Vec::with_capacity(el.rows() + 1);
                offsets.push(0i32);
                let mut total = 0;
                for r in 0..el.rows() {
                    total += el.range(r).filter(|k| keep.value(*k)).count() as i32;
                    offsets.push(total);
                }
                build_list(&self.data_type, OffsetBuffer::new(offsets.into()), kept, list.nulls().cloned())
            }
            _ => {
                // three-valued: a NULL predicate makes an undecided result NULL
                let exists = self.kind == Kind::Exists;
                let out: BooleanArray = (0..el.rows())
                    .map(|r| {
                        if list.is_null(r) {
                            return None;
                        }
                        let mut saw_null = false;
                        for k in el.range(r) {
                            if mask.is_null(k) {
                                saw_null = true;
                            } else if mask.value(k) == exists {
                                return Some(exists);
                            }
                        }
                        if saw_null {
                            None
                        } else {
                            Some(!exists)
                        }
                    })
                    .collect();
                Ok(Arc::new(out))
            }
        }
    }

    /// `aggregate(array, start, merge, finish)`: merge step k runs over the
    /// k-th element of every list that has one.
    fn aggregate(&self, batch: &RecordBatch, arg: &ArrayRef) -> Result<ArrayRef> {
        let n = batch.num_rows();
        let list = self.list(arg)?;
        let el = Elements::new(list.value_offsets(), list.nulls());
        let values = el.gather(list.values())?;
        let mut acc = self.args[1].evaluate(batch)?;
        let acc_type = acc.data_type().clone();
        let (merge, finish) = (&self.lambdas[0], &self.lambdas[1]);
        let longest = (0..n).map(|r| el.range(r).len()).max().unwrap_or(0);
        for k in 0..longest {
            let active: Vec<u32> = (0..n as u32).filter(|r| el.range(*r as usize).len() > k).collect();
            let elements =
                UInt32Array::from_iter_values(active.iter().map(|r| (el.range(*r as usize).start + k) as u32));
            let elements = take(values.as_ref(), &elements, None)?;
            let merged = if active.len() == n {
                merge.eval(batch, None, vec![acc.clone(), elements], n)?
            } else {
                let rows = UInt32Array::from(active.clone());
                let acc_in = take(acc.as_ref(), &rows, None)?;
                merge.eval(batch, Some(&rows), vec![acc_in, elements], active.len())?
            };
            let merged = conform(merged, &acc_type, self.mode)?;
            acc = if active.len() == n { merged } else { scatter(&acc, &active, &merged)? };
        }
        // finish only the rows whose array is not NULL
        let out = if list.null_count() == 0 {
            finish.eval(batch, None, vec![acc], n)?
        } else {
            let valid: Vec<u32> = (0..n as u32).filter(|r| list.is_valid(*r as usize)).collect();
            let rows = UInt32Array::from(valid.clone());
            let acc_in = take(acc.as_ref(), &rows, None)?;
            let done = finish.eval(batch, Some(&rows), vec![acc_in], valid.len())?;
            let done = conform(done, &self.data_type, self.mode)?;
            scatter(&new_null_array(&self.data_type, n), &valid, &done)?
        };
        conform(out, &self.data_type, self.mode)
    }

    /// `zip_with(left, right, f)`: the shorter list is padded with NULLs.
    fn zip_with(&self, batch: &RecordBatch, arg: &ArrayRef) -> Result<ArrayRef> {
        let n = batch.num_rows();
        let right = self.args[1].evaluate(batch)?;
        if right.data_type() == &DataType::Null {
            return Ok(new_null_array(&self.data_type, n));
        }
        let (l, r) = (self.list(arg)?, self.list(&right)?);
        let nulls = NullBuffer::union(l.nulls(), r.nulls());
        let (lo, ro) = (l.value_offsets(), r.value_offsets());
        let mut offsets = vec![0i32];
        let (mut li, mut ri, mut rows) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..n {
            if nulls.as_ref().is_none_or(|b| b.is_valid(i)) {
                let (ll, rl) = ((lo[i + 1] - lo[i]) as usize, (ro[i + 1] - ro[i]) as usize);
                for k in 0..ll.max(rl) {
                    li.push((k < ll).then(|| lo[i] as u32 + k as u32));
                    ri.push((k < rl).then(|| ro[i] as u32 + k as u32));
                    rows.push(i as u32);
                }
            }
            offsets.push(li.len() as i32);
        }
        let left_values = take(l.values().as_ref(), &UInt32Array::from(li), None)?;
        let right_values = take(r.values().as_ref(), &UInt32Array::from(ri), None)?;
        let f = &self.lambdas[0];
        let count = rows.len();
        let rows = f.reads_input().then(|| UInt32Array::from(rows));
        let out = f.eval(batch, rows.as_ref(), vec![left_values, right_values], count)?;
        build_list(&self.data_type, OffsetBuffer::new(offsets.into()), out, nulls)
    }

    /// `array_sort(array, comparator)`: a stable bottom-up merge sort; every
    /// step compares the heads of all pending merges of all rows at once.
    fn array_sort(&self, batch: &RecordBatch, arg: &ArrayRef) -> Result<ArrayRef> {
        let list = self.list(arg)?;
        let el = Elements::new(list.value_offsets(), list.nulls());
        let values = el.gather(list.values())?;
        if values.data_type() == &DataType::Null {
            return conform(arg.clone(), &self.data_type, self.mode);
        }
        let f = &self.lambdas[0];
        // element positions (into `values`), sorted run by run
        let mut perm: Vec<u32> = (0..el.len() as u32).collect();
        let longest = (0..el.rows()).map(|r| el.range(r).len()).max().unwrap_or(0);
        struct Merge {
            row: u32,
            l: usize,
            l_end: usize,
            r: usize,
            r_end: usize,
            out: usize,
        }
        let mut width = 1;
        while width < longest {
            let mut next = perm.clone();
            let mut merges = Vec::new();
            for row in 0..el.rows() {
                let range = el.range(row);
                let mut a = range.start;
                while a < range.end {
                    let mid = (a + width).min(range.end);
                    let end = (a + 2 * width).min(range.end);
                    if mid < end {
                        merges.push(Merge { row: row as u32, l: a, l_end: mid, r: mid, r_end: end, out: a });
                    }
                    a += 2 * width;
                }
            }
            while !merges.is_empty() {
                let left = UInt32Array::from_iter_values(merges.iter().map(|m| perm[m.l]));
                let right = UInt32Array::from_iter_values(merges.iter().map(|m| perm[m.r]));
                let (left, right) = (take(values.as_ref(), &left, None)?, take(values.as_ref(), &right, None)?);
                let rows = f.reads_input().then(|| UInt32Array::from_iter_values(merges.iter().map(|m| m.row)));
                let cmp = f.eval(batch, rows.as_ref(), vec![left.clone(), right.clone()], merges.len())?;
                let cmp = cmp.as_primitive_opt::<Int32Type>().ok_or_else(|| Error::internal("comparator type"))?;
                for (k, m) in merges.iter_mut().enumerate() {
                    if cmp.is_null(k) {
                        return Err(ember_vector::errors::spark_error(
                            "COMPARATOR_RETURNS_NULL",
                            "22004",
                            "The comparator has returned a NULL for a comparison between <firstValue> and \
                             <secondValue>. It should return a positive integer for \"greater than\", 0 for \
                             \"equal\" and a negative integer for \"less than\". To revert to deprecated behavior \
                             where NULL is treated as 0 (equal), you must set \
                             \"spark.sql.legacy.allowNullComparisonResultInArraySort\" to \"true\".",
                            &[("firstValue", shown(&left, k)), ("secondValue", shown(&right, k))],
                        ));
                    }
                    // ties keep the left run first (stable)
                    if cmp.value(k) <= 0 {
                        next[m.out] = perm[m.l];
                        m.l += 1;
                    } else {
                        next[m.out] = perm[m.r];
                        m.r += 1;
                    }
                    m.out += 1;
                    if m.l == m.l_end || m.r == m.r_end {
                        let rest = if m.l == m.l_end { m.r..m.r_end } else { m.l..m.l_end };
                        let len = rest.len();
                        next[m.out..m.out + len].copy_from_slice(&perm[rest]);
                        m.out += len;
                    }
                }
                merges.retain(|m| m.l < m.l_end && m.r < m.r_end);
            }
            perm = next;
            width *= 2;
        }
        let sorted = take(values.as_ref(), &UInt32Array::from(perm), None)?;
        build_list(&self.data_type, el.offset_buffer(), sorted, list.nulls().cloned())
    }

    /// `map_filter`, `transform_keys`, `transform_values`: the lambda over
    /// each (key, value) entry.
    fn over_entries(&self, batch: &RecordBatch, arg: &ArrayRef) -> Result<ArrayRef> {
        let map = self.map(arg)?;
        let el = Elements::new(map.value_offsets(), map.nulls());
        let keys = el.gather(map.keys())?;
        let values = el.gather(map.values())?;
        let f = &self.lambdas[0];
        let rows = f.reads_input().then(|| el.row_of_each());
        let out = f.eval(batch, rows.as_ref(), vec![keys.clone(), values.clone()], el.len())?;
        let nulls = map.nulls().cloned();
        match self.kind {
            Kind::MapFilter => {
                let mask = out.as_boolean_opt().ok_or_else(|| Error::internal("map_filter predicate"))?;
                let keep = null_as_false(mask);
                let mut offsets = vec![0i32];
                let mut total = 0;
                for r in 0..el.rows() {
                    total += el.range(r).filter(|k| keep.value(*k)).count() as i32;
                    offsets.push(total);
                }
                let (keys, values) = (filter(keys.as_ref(), &keep)?, filter(values.as_ref(), &keep)?);
                build_map(&self.data_type, OffsetBuffer::new(offsets.into()), keys, values, nulls)
            }
            Kind::TransformKeys => {
                if out.null_count() > 0 {
                    return Err(null_map_key());
                }
                let normalized = normalize_keys(&out);
                let conv = RowConverter::new(vec![SortField::new(normalized.data_type().clone())])?;
                let encoded = key_rows(&conv, &normalized)?;
                for r in 0..el.rows() {
                    let mut seen = HashSet::new();
                    for k in el.range(r) {
                        if !seen.insert(encoded.row(k)) {
                            return Err(duplicated_map_key(&out, k));
                        }
                    }
                }
                build_map(&self.data_type, el.offset_buffer(), out, values, nulls)
            }
            _ => build_map(&self.data_type, el.offset_buffer(), keys, out, nulls),
        }
    }

    /// `map_zip_with(m1, m2, f)`: the keys of both maps, first seen first
    /// (left map first), each with its value in either map or NULL.
    fn map_zip_with(&self, batch: &RecordBatch, arg: &ArrayRef) -> Result<ArrayRef> {
        let n = batch.num_rows();
        let right = self.args[1].evaluate(batch)?;
        if right.data_type() == &DataType::Null {
            return Ok(new_null_array(&self.data_type, n));
        }
        let (l, r) = (self.map(arg)?, self.map(&right)?);
        let DataType::Map(entries, _) = &self.data_type else {
            return Err(Error::internal("map_zip_with returns a map"));
        };
        let DataType::Struct(kv) = entries.data_type() else {
            return Err(Error::internal("map entries must be a struct"));
        };
        let key_type = kv[0].data_type();
        // both maps' keys at the common key type, compared as map keys
        let lk = normalize_keys(&conform(l.keys().clone(), key_type, self.mode)?);
        let rk = normalize_keys(&conform(r.keys().clone(), key_type, self.mode)?);
        let conv = RowConverter::new(vec![SortField::new(key_type.clone())])?;
        let (lrows, rrows) = (key_rows(&conv, &lk)?, key_rows(&conv, &rk)?);
        let nulls = NullBuffer::union(l.nulls(), r.nulls());
        let (lo, ro) = (l.value_offsets(), r.value_offsets());
        let mut offsets = vec![0i32];
        let mut key_picks: Vec<(usize, usize)> = Vec::new();
        let (mut li, mut ri, mut rows): (Vec<Option<u32>>, Vec<Option<u32>>, Vec<u32>) = (vec![], vec![], vec![]);
        for i in 0..n {
            if nulls.as_ref().is_none_or(|b| b.is_valid(i)) {
                let mut at: HashMap<&[u8], usize> = HashMap::new();
                for j in lo[i] as usize..lo[i + 1] as usize {
                    // a key repeated in one map: its first entry counts
                    at.entry(lrows.row(j).data()).or_insert_with(|| {
                        key_picks.push((0, j));
                        li.push(Some(j as u32));
                        ri.push(None);
                        rows.push(i as u32);
                        li.len() - 1
                    });
                }
                for j in ro[i] as usize..ro[i + 1] as usize {
                    match at.get(rrows.row(j).data()) {
                        Some(&e) => {
                            if ri[e].is_none() {
                                ri[e] = Some(j as u32);
                            }
                        }
                        None => {
                            at.insert(rrows.row(j).data(), li.len());
                            key_picks.push((1, j));
                            li.push(None);
                            ri.push(Some(j as u32));
                            rows.push(i as u32);
                        }
                    }
                }
            }
            offsets.push(li.len() as i32);
        }
        let keys = interleave(&[lk.as_ref(), rk.as_ref()], &key_picks)?;
        let left_values = take(l.values().as_ref(), &UInt32Array::from(li), None)?;
        let right_values = take(r.values().as_ref(), &UInt32Array::from(ri), None)?;
        let f = &self.lambdas[0];
        let count = rows.len();
        let rows = f.reads_input().then(|| UInt32Array::from(rows));
        let out = f.eval(batch, rows.as_ref(), vec![keys.clone(), left_values, right_values], count)?;
        build_map(&self.data_type, OffsetBuffer::new(offsets.into()), keys, out, nulls)
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::{Float64Array, Int32Array, ListArray, StringArray};
    use arrow::buffer::{NullBuffer, OffsetBuffer};
    use arrow::datatypes::{DataType, Field, Fields, Int32Type};
    use ember_core::expr::BinaryOp;
    use ember_core::{Attribute, EvalMode, Expr, ScalarValue};

    use super::*;

    fn list_type(t: DataType) -> DataType {
        DataType::List(Arc::new(Field::new("element", t, true)))
    }

    fn var(a: &Attribute) -> Box<Expr> {
        Box::new(Expr::LambdaVariable(a.clone()))
    }

    fn bin(op: BinaryOp, l: Box<Expr>, r: Box<Expr>, t: DataType) -> Expr {
        Expr::Binary { op, left: l, right: r, data_type: t, mode: EvalMode::Ansi }
    }

    fn int(v: i32) -> Box<Expr> {
        Box::new(Expr::Literal(ScalarValue::Int32(Some(v))))
    }

    fn call(name: &str, args: Vec<Expr>, t: DataType) -> Expr {
        Expr::ScalarFunction { name: name.into(), args, data_type: t, mode: EvalMode::Ansi }
    }

    fn lambda(params: &[&Attribute], body: Expr) -> Expr {
        Expr::Lambda { params: params.iter().map(|a| (*a).clone()).collect(), body: Box::new(body) }
    }

    /// Evaluates `e` over one batch of the given columns.
    fn run(e: &Expr, cols: Vec<(&Attribute, ArrayRef)>) -> ArrayRef {
        let attrs: Vec<Attribute> = cols.iter().map(|(a, _)| (*a).clone()).collect();
        let fields: Vec<Field> = cols.iter().map(|(a, c)| Field::new(&a.name, c.data_type().clone(), true)).collect();
        let batch =
            RecordBatch::try_new(Arc::new(Schema::new(fields)), cols.into_iter().map(|(_, c)| c).collect()).unwrap();
        compile(e, &Binding::new(&attrs)).unwrap().evaluate(&batch).unwrap()
    }

    /// [[1, 2], NULL (spanning 3, 4), [5]]
    fn lists_with_spanning_null() -> ArrayRef {
        let values = Arc::new(Int32Array::from(vec![1, 2, 3, 4, 5]));
        let field = Arc::new(Field::new("element", DataType::Int32, true));
        let nulls = NullBuffer::from(vec![true, false, true]);
        Arc::new(ListArray::try_new(field, OffsetBuffer::new(vec![0, 2, 4, 5].into()), values, Some(nulls)).unwrap())
    }

    fn ints(a: &ArrayRef) -> Vec<Option<Vec<Option<i32>>>> {
        a.as_list::<i32>().iter().map(|l| l.map(|v| v.as_primitive::<Int32Type>().iter().collect())).collect()
    }

    #[test]
    fn transform_skips_values_under_null_lists_and_reads_the_row() {
        let a = Attribute::new("a", list_type(DataType::Int32), true);
        let k = Attribute::new("k", DataType::Int32, true);
        let x = Attribute::new("x", DataType::Int32, true);
        // x / 0 would fail on the values a NULL list spans
        let body = bin(BinaryOp::Plus, var(&x), Box::new(Expr::Column(k.clone())), DataType::Int32);
        let e = call("transform", vec![Expr::Column(a.clone()), lambda(&[&x], body)], list_type(DataType::Int32));
        let out = run(&e, vec![(&a, lists_with_spanning_null()), (&k, Arc::new(Int32Array::from(vec![10, 20, 30])))]);
        assert_eq!(ints(&out), vec![Some(vec![Some(11), Some(12)]), None, Some(vec![Some(35)])]);
        // a sliced input: the lists of rows 1 and 2
        let sliced = lists_with_spanning_null().slice(1, 2);
        let out = run(&e, vec![(&a, sliced), (&k, Arc::new(Int32Array::from(vec![0, 1])))]);
        assert_eq!(ints(&out), vec![None, Some(vec![Some(6)])]);
    }

    #[test]
    fn filter_with_index_and_three_valued_exists() {
        let a = Attribute::new("a", list_type(DataType::Int32), true);
        let x = Attribute::new("x", DataType::Int32, true);
        let i = Attribute::new("i", DataType::Int32, false);
        let body = bin(BinaryOp::Gt, var(&x), var(&i), DataType::Boolean);
        let e = call("filter", vec![Expr::Column(a.clone()), lambda(&[&x, &i], body)], list_type(DataType::Int32));
        let input: ArrayRef = Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(0), Some(2), Some(3)]),
            Some(vec![None, Some(5)]),
            Some(vec![]),
        ]));
        let out = run(&e, vec![(&a, input.clone())]);
        assert_eq!(ints(&out), vec![Some(vec![Some(2), Some(3)]), Some(vec![Some(5)]), Some(vec![])]);
        let body = bin(BinaryOp::Gt, var(&x), int(2), DataType::Boolean);
        let exists = call("exists", vec![Expr::Column(a.clone()), lambda(&[&x], body.clone())], DataType::Boolean);
        let forall = call("forall", vec![Expr::Column(a.clone()), lambda(&[&x], body)], DataType::Boolean);
        let e = run(&exists, vec![(&a, input.clone())]);
        let f = run(&forall, vec![(&a, input)]);
        let bools = |b: &ArrayRef| b.as_boolean().iter().collect::<Vec<_>>();
        assert_eq!(bools(&e), vec![Some(true), Some(true), Some(false)]);
        assert_eq!(bools(&f), vec![Some(false), None, Some(true)]);
    }

    #[test]
    fn aggregate_over_lists_of_different_lengths() {
        let a = Attribute::new("a", list_type(DataType::Int32), true);
        let k = Attribute::new("k", DataType::Int32, true);
        let acc = Attribute::new("acc", DataType::Int32, true);
        let x = Attribute::new("x", DataType::Int32, true);
        let acc2 = Attribute::new("acc", DataType::Int32, true);
        // acc * 10 + x, then + k
        let merge = bin(
            BinaryOp::Plus,
            Box::new(bin(BinaryOp::Multiply, var(&acc), int(10), DataType::Int32)),
            var(&x),
            DataType::Int32,
        );
        let finish = bin(BinaryOp::Plus, var(&acc2), Box::new(Expr::Column(k.clone())), DataType::Int32);
        let e = call(
            "aggregate",
            vec![
                Expr::Column(a.clone()),
                Expr::Literal(ScalarValue::Int32(Some(0))),
                lambda(&[&acc, &x], merge),
                lambda(&[&acc2], finish),
            ],
            DataType::Int32,
        );
        let out = run(&e, vec![(&a, lists_with_spanning_null()), (&k, Arc::new(Int32Array::from(vec![1, 2, 3])))]);
        let got: Vec<Option<i32>> = out.as_primitive::<Int32Type>().iter().collect();
        assert_eq!(got, vec![Some(13), None, Some(8)]);
    }

    #[test]
    fn array_sort_is_a_stable_merge_sort_per_row() {
        let a = Attribute::new("a", list_type(DataType::Utf8), true);
        let l = Attribute::new("l", DataType::Utf8, true);
        let r = Attribute::new("r", DataType::Utf8, true);
        // by length only: equal lengths keep their order
        let len = |v: &Attribute| Box::new(call("length", vec![Expr::LambdaVariable(v.clone())], DataType::Int32));
        let body = bin(BinaryOp::Minus, len(&l), len(&r), DataType::Int32);
        let e = call("array_sort", vec![Expr::Column(a.clone()), lambda(&[&l, &r], body)], list_type(DataType::Utf8));
        let words = |w: &[&str]| Some(w.iter().map(|s| Some(s.to_string())).collect::<Vec<_>>());
        let values = StringArray::from(vec!["ccc", "b", "aa", "d", "eeee", "ff", "g", "x", "yy"]);
        let field = Arc::new(Field::new("element", DataType::Utf8, true));
        let lists: ArrayRef = Arc::new(
            ListArray::try_new(field, OffsetBuffer::new(vec![0, 7, 7, 9].into()), Arc::new(values), None).unwrap(),
        );
        let out = run(&e, vec![(&a, lists)]);
        let got: Vec<Option<Vec<Option<String>>>> = out
            .as_list::<i32>()
            .iter()
            .map(|l| l.map(|v| v.as_string::<i32>().iter().map(|s| s.map(str::to_string)).collect()))
            .collect();
        assert_eq!(got, vec![words(&["b", "d", "g", "aa", "ff", "ccc", "eeee"]), words(&[]), words(&["x", "yy"])]);
    }

    #[test]
    fn map_zip_with_merges_negative_zero_keys() {
        let key = Field::new("key", DataType::Float64, false);
        let value = Field::new("value", DataType::Int32, true);
        let map_type = DataType::Map(
            Arc::new(Field::new("entries", DataType::Struct(Fields::from(vec![key.clone(), value.clone()])), false)),
            false,
        );
        let map_of = |keys: Vec<f64>, values: Vec<i32>| -> ArrayRef {
            let n = keys.len() as i32;
            let kv = StructArray::try_new(
                Fields::from(vec![key.clone(), value.clone()]),
                vec![Arc::new(Float64Array::from(keys)), Arc::new(Int32Array::from(values))],
                None,
            )
            .unwrap();
            let DataType::Map(entries, _) = &map_type else { unreachable!() };
            Arc::new(MapArray::try_new(entries.clone(), OffsetBuffer::new(vec![0, n].into()), kv, None, false).unwrap())
        };
        let (m1, m2) = (Attribute::new("m1", map_type.clone(), true), Attribute::new("m2", map_type.clone(), true));
        let k = Attribute::new("k", DataType::Float64, false);
        let v1 = Attribute::new("v1", DataType::Int32, true);
        let v2 = Attribute::new("v2", DataType::Int32, true);
        let coalesce =
            |v: &Attribute| Box::new(call("coalesce", vec![Expr::LambdaVariable(v.clone()), *int(0)], DataType::Int32));
        let body = bin(BinaryOp::Plus, coalesce(&v1), coalesce(&v2), DataType::Int32);
        let e = call(
            "map_zip_with",
            vec![Expr::Column(m1.clone()), Expr::Column(m2.clone()), lambda(&[&k, &v1, &v2], body)],
            map_type.clone(),
        );
        let out =
            run(&e, vec![(&m1, map_of(vec![0.0, f64::NAN], vec![1, 2])), (&m2, map_of(vec![-0.0, 3.0], vec![10, 20]))]);
        let m = out.as_map();
        let keys: Vec<f64> = m.keys().as_primitive::<Float64Type>().values().to_vec();
        let vals: Vec<Option<i32>> = m.values().as_primitive::<Int32Type>().iter().collect();
        assert_eq!(keys.len(), 3);
        assert_eq!((keys[0], keys[2]), (0.0, 3.0));
        assert!(keys[1].is_nan());
        assert_eq!(vals, vec![Some(11), Some(2), Some(20)]);
    }
}
