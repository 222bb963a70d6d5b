//! Window functions: a sort-based breaker.
//!
//! `WindowSink` collects its input chunks (workers append to their local
//! list; `combine` moves them to the global one). `finalize` evaluates the
//! PARTITION BY keys, spreads the rows over a fixed number of buckets by a
//! hash of those keys (a partition lies wholly in one bucket; no PARTITION
//! BY means one bucket), and then, one task per bucket on up to
//! `ember.threads` threads: sorts the bucket's rows by (partition keys,
//! ORDER BY keys), finds the partitions and the peer groups (rows with
//! equal ORDER BY keys), evaluates every window function over them
//! (`functions`, `aggregate`, with the frames of `frame`), and appends the
//! results as new columns. The buckets' outputs are published in bucket
//! order, so the result does not depend on the thread count.
//!
//! Keys are compared as arrow-row bytes (ORDER BY with its directions and
//! null orders); floating-point keys are normalized first so that -0.0 and
//! 0.0 are one key, as Spark's `NormalizeFloatingNumbers` does.

mod aggregate;
mod frame;
mod functions;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use arrow::array::{Array, ArrayRef, AsArray, Float32Array, Float64Array, RecordBatch, UInt32Array};
use arrow::compute::concat_batches;
use arrow::datatypes::{DataType, SchemaRef};
use arrow::row::{RowConverter, Rows, SortField};
use ember_core::{AggFunc, Error, EvalMode, Result};
use ember_spill::MemoryReservation;

use crate::expr::{take_batch, PhysicalExpr};
use crate::operator::buffer::{rechunk, ChunkBuffer};
use crate::operator::sort::SortKey;
use crate::pipeline::{local_mut, LocalState, Sink, SinkResult};

pub use frame::{Bound, Frame};

/// Buckets the rows are spread over by partition key; fixed, so that the
/// output order does not depend on the number of threads. Enough to keep a
/// few threads busy without making many tiny sorts.
const BUCKETS: usize = 32;

/// What one window expression computes.
pub enum WindowFunction {
    /// An aggregate over the frame. `ignore_nulls` is the flag of
    /// `first` / `last` / `any_value`.
    Aggregate {
        func: AggFunc,
        args: Vec<PhysicalExpr>,
        arg_types: Vec<DataType>,
        filter: Option<PhysicalExpr>,
        /// over the distinct values (`approx_count_distinct` is `count(DISTINCT)`)
        distinct: bool,
        ignore_nulls: bool,
        mode: EvalMode,
    },
    RowNumber,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
    Ntile(i64),
    /// lead (`offset` > 0) / lag (< 0)
    Offset {
        input: PhysicalExpr,
        offset: i64,
        default: PhysicalExpr,
        ignore_nulls: bool,
    },
    NthValue {
        input: PhysicalExpr,
        n: i64,
        ignore_nulls: bool,
    },
}

/// One window expression: its function, frame and result type.
pub struct WindowExprSpec {
    pub function: WindowFunction,
    pub frame: Frame,
    pub data_type: DataType,
}

pub struct WindowSink {
    /// The output: the input's columns, then one per window expression.
    pub schema: SchemaRef,
    pub input_schema: SchemaRef,
    pub partition_by: Vec<PhysicalExpr>,
    pub order_by: Vec<SortKey>,
    pub exprs: Vec<WindowExprSpec>,
    pub output: Arc<ChunkBuffer>,
    pub display: String,
    collected: Mutex<Vec<RecordBatch>>,
    reservation: Mutex<MemoryReservation>,
    batch_size: usize,
    threads: usize,
}

/// The rows of one bucket, sorted, with their partitions and peer groups.
pub(crate) struct SortedRows {
    pub batch: RecordBatch,
    /// `[start, end)` of each partition, in order.
    pub partitions: Vec<(usize, usize)>,
    /// Per row: where its peer group (equal ORDER BY keys) starts and ends.
    pub peer_start: Vec<usize>,
    pub peer_end: Vec<usize>,
}

impl WindowSink {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        schema: SchemaRef,
        input_schema: SchemaRef,
        partition_by: Vec<PhysicalExpr>,
        order_by: Vec<SortKey>,
        exprs: Vec<WindowExprSpec>,
        reservation: MemoryReservation,
        batch_size: usize,
        threads: usize,
        display: String,
    ) -> WindowSink {
        WindowSink {
            schema,
            input_schema,
            partition_by,
            order_by,
            exprs,
            output: ChunkBuffer::new(),
            display,
            collected: Mutex::new(vec![]),
            reservation: Mutex::new(reservation),
            batch_size,
            threads: threads.max(1),
        }
    }

    /// Evaluates every window expression over all rows.
    fn compute(&self, all: RecordBatch) -> Result<Vec<RecordBatch>> {
        if all.num_rows() == 0 {
            return Ok(vec![]);
        }
        let n = all.num_rows();
        let partition_keys = self.encode(&all, &self.partition_by.iter().map(|e| (e, None)).collect::<Vec<_>>())?;
        // the sort key: partition keys, then the ORDER BY keys with their orders
        let sort_keys = self.encode(
            &all,
            &self
                .partition_by
                .iter()
                .map(|e| (e, None))
                .chain(self.order_by.iter().map(|k| (&k.expr, Some((k.descending, k.nulls_first)))))
                .collect::<Vec<_>>(),
        )?;
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); if partition_keys.is_some() { BUCKETS } else { 1 }];
        match &partition_keys {
            Some(rows) => {
                // fixed seeds: the same rows land in the same buckets every run
                let hasher = ahash::RandomState::with_seeds(0x5eed, 0xe1, 0x3b, 0xe7);
                for i in 0..n {
                    let h = hasher.hash_one(rows.row(i).as_ref());
                    buckets[(h % BUCKETS as u64) as usize].push(i as u32);
                }
            }
            None => buckets[0] = (0..n as u32).collect(),
        }
        let buckets: Vec<Vec<u32>> = buckets.into_iter().filter(|b| !b.is_empty()).collect();
        let results: Vec<Mutex<Option<Result<RecordBatch>>>> = buckets.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let run = || loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= buckets.len() {
                break;
            }
            let r = catch_unwind(AssertUnwindSafe(|| {
                self.evaluate_bucket(&all, &buckets[i], partition_keys.as_ref(), sort_keys.as_ref())
            }))
            .unwrap_or_else(|_| Err(Error::internal("panic while evaluating window functions")));
            let failed = r.is_err();
            *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
            if failed {
                // the other buckets' work is wasted now
                next.store(buckets.len(), Ordering::Relaxed);
            }
        };
        let workers = self.threads.min(buckets.len());
        if workers <= 1 {
            run();
        } else {
            std::thread::scope(|s| {
                for _ in 0..workers {
                    s.spawn(run);
                }
            });
        }
        let mut out = Vec::with_capacity(results.len());
        for r in results {
            // a bucket left unevaluated after another failed has no result
            if let Some(b) = r.into_inner().unwrap_or_else(|e| e.into_inner()) {
                out.push(b?);
            }
        }
        Ok(out)
    }

    /// Row encodings of key expressions (`None` without keys); `order`
    /// gives each key's (descending, nulls first).
    fn encode(&self, batch: &RecordBatch, keys: &[(&PhysicalExpr, Option<(bool, bool)>)]) -> Result<Option<Rows>> {
        if keys.is_empty() {
            return Ok(None);
        }
        let mut cols = Vec::with_capacity(keys.len());
        let mut fields = Vec::with_capacity(keys.len());
        for (e, order) in keys {
            let a = normalize_floats(e.evaluate(batch)?);
            let field = match order {
                Some((descending, nulls_first)) => SortField::new_with_options(
                    a.data_type().clone(),
                    arrow::compute::SortOptions { descending: *descending, nulls_first: *nulls_first },
                ),
                None => SortField::new(a.data_type().clone()),
            };
            fields.push(field);
            cols.push(a);
        }
        let converter = RowConverter::new(fields)?;
        Ok(Some(converter.convert_columns(&cols)?))
    }

    fn evaluate_bucket(
        &self,
        all: &RecordBatch,
        rows: &[u32],
        partition_keys: Option<&Rows>,
        sort_keys: Option<&Rows>,
    ) -> Result<RecordBatch> {
        let mut idx = rows.to_vec();
        let packed = match sort_keys {
            Some(keys) => sort_by_keys(&mut idx, keys),
            None => None,
        };
        // the partition keys' width when the packed sort keys start with them
        let partition_width = match (&packed, partition_keys) {
            (Some(_), Some(p)) => {
                let w = p.row(idx[0] as usize).as_ref().len();
                idx.iter().all(|&i| p.row(i as usize).as_ref().len() == w).then_some(w)
            }
            _ => None,
        };
        let n = idx.len();
        let mut partitions = Vec::new();
        let mut peer_start = vec![0usize; n];
        let mut peer_end = vec![0usize; n];
        let mut p_start = 0;
        let mut g_start = 0;
        for i in 1..=n {
            let new_partition = i == n
                || match (&packed, partition_width) {
                    (Some(p), Some(w)) => !p.prefix_equal(i, i - 1, w),
                    _ => partition_keys.is_some_and(|k| k.row(idx[i] as usize) != k.row(idx[i - 1] as usize)),
                };
            let new_peers = new_partition
                || match &packed {
                    Some(p) => p.key(i) != p.key(i - 1),
                    None => sort_keys.is_some_and(|k| k.row(idx[i] as usize) != k.row(idx[i - 1] as usize)),
                };
            if new_peers {
                for j in g_start..i {
                    peer_start[j] = g_start;
                    peer_end[j] = i;
                }
                g_start = i;
            }
            if new_partition {
                partitions.push((p_start, i));
                p_start = i;
            }
        }
        let batch = take_batch(all, &UInt32Array::from(idx))?;
        let sorted = SortedRows { batch, partitions, peer_start, peer_end };
        let mut columns: Vec<ArrayRef> = sorted.batch.columns().to_vec();
        for e in &self.exprs {
            let col = self.evaluate_expr(e, &sorted)?;
            columns.push(col);
        }
        Ok(RecordBatch::try_new(self.schema.clone(), columns)?)
    }

    fn evaluate_expr(&self, e: &WindowExprSpec, rows: &SortedRows) -> Result<ArrayRef> {
        let col = match &e.function {
            WindowFunction::Aggregate { func, args, arg_types, filter, distinct, ignore_nulls, mode } => {
                let frames = frame::frames(&e.frame, rows, &self.order_by)?;
                if matches!(func, AggFunc::First | AggFunc::Last | AggFunc::AnyValue) {
                    let input = args.first().ok_or_else(|| Error::internal("first/last without an argument"))?;
                    let v = input.evaluate(&rows.batch)?;
                    let v = apply_filter(v, filter.as_ref(), &rows.batch)?;
                    let which = if *func == AggFunc::Last { functions::Pick::Last } else { functions::Pick::First };
                    functions::frame_value(&v, &frames, which, *ignore_nulls)?
                } else {
                    let spec = aggregate::AggregateInput {
                        func: *func,
                        args: args.iter().map(|a| a.evaluate(&rows.batch)).collect::<Result<Vec<_>>>()?,
                        arg_types: arg_types.clone(),
                        filter: match filter {
                            Some(f) => Some(crate::expr::null_as_false(f.evaluate(&rows.batch)?.as_boolean())),
                            None => None,
                        },
                        data_type: e.data_type.clone(),
                        distinct: *distinct,
                        mode: *mode,
                    };
                    aggregate::evaluate(&spec, &frames, &e.frame)?
                }
            }
            WindowFunction::RowNumber
            | WindowFunction::Rank
            | WindowFunction::DenseRank
            | WindowFunction::PercentRank
            | WindowFunction::CumeDist
            | WindowFunction::Ntile(_) => functions::ranking(&e.function, rows)?,
            WindowFunction::Offset { input, offset, default, ignore_nulls } => {
                let v = input.evaluate(&rows.batch)?;
                let d = default.evaluate(&rows.batch)?;
                functions::offset(&v, &d, *offset, *ignore_nulls, rows)?
            }
            WindowFunction::NthValue { input, n, ignore_nulls } => {
                let frames = frame::frames(&e.frame, rows, &self.order_by)?;
                let v = input.evaluate(&rows.batch)?;
                functions::frame_value(&v, &frames, functions::Pick::Nth(*n as usize), *ignore_nulls)?
            }
        };
        if col.data_type() != &e.data_type {
            return Ok(arrow::compute::cast(&col, &e.data_type)?);
        }
        Ok(col)
    }
}

/// Sorts row indices by their encoded keys; rows with equal keys keep their
/// input order (a frame over an unordered window reads them in that order,
/// as Spark's does). Keys of one width of at most 32 bytes (any mix of
/// fixed-width types) are packed into big-endian words first, so that the
/// sort compares integers instead of calling `memcmp` on short byte strings.
/// Returns the packed keys in sorted order, if they were packed.
fn sort_by_keys(idx: &mut [u32], keys: &Rows) -> Option<Packed> {
    let &first = idx.first()?;
    let width = keys.row(first as usize).as_ref().len();
    let fixed = idx.iter().all(|&i| keys.row(i as usize).as_ref().len() == width);
    match width {
        _ if !fixed => {
            idx.sort_by(|a, b| keys.row(*a as usize).cmp(&keys.row(*b as usize)));
            None
        }
        0..=8 => Some(sort_packed::<1>(idx, keys)),
        9..=16 => Some(sort_packed::<2>(idx, keys)),
        17..=32 => Some(sort_packed::<4>(idx, keys)),
        _ => {
            idx.sort_by(|a, b| keys.row(*a as usize).cmp(&keys.row(*b as usize)));
            None
        }
    }
}

/// Sorted keys packed into `stride` big-endian words each.
struct Packed {
    words: Vec<u64>,
    stride: usize,
}

impl Packed {
    fn key(&self, i: usize) -> &[u64] {
        &self.words[i * self.stride..(i + 1) * self.stride]
    }

    /// Whether keys `a` and `b` agree on their first `bytes` bytes.
    fn prefix_equal(&self, a: usize, b: usize, bytes: usize) -> bool {
        let (a, b) = (self.key(a), self.key(b));
        let full = bytes / 8;
        if a[..full] != b[..full] {
            return false;
        }
        match bytes % 8 {
            0 => true,
            // the first bytes are the high ones
            rest => (a[full] ^ b[full]) >> (64 - 8 * rest) == 0,
        }
    }
}

/// `sort_by_keys` over keys packed into `N` words (index last: ties keep
/// their order).
fn sort_packed<const N: usize>(idx: &mut [u32], keys: &Rows) -> Packed {
    let mut packed: Vec<([u64; N], u32)> = idx
        .iter()
        .map(|&i| {
            let mut words = [0u64; N];
            for (w, chunk) in words.iter_mut().zip(keys.row(i as usize).as_ref().chunks(8)) {
                let mut buf = [0u8; 8];
                buf[..chunk.len()].copy_from_slice(chunk);
                *w = u64::from_be_bytes(buf);
            }
            (words, i)
        })
        .collect();
    packed.sort_unstable();
    let mut words = Vec::with_capacity(packed.len() * N);
    for (slot, (w, i)) in idx.iter_mut().zip(packed) {
        *slot = i;
        words.extend_from_slice(&w);
    }
    Packed { words, stride: N }
}

impl WindowExprSpec {
    /// Whether the result depends on the order of the rows within a
    /// partition beyond ORDER BY: frames smaller than the partition, and the
    /// functions that pick rows (`first`, `nth_value`, ...) or list them.
    pub fn order_sensitive(&self) -> bool {
        let whole = self.frame.starts_unbounded() && self.frame.ends_unbounded();
        match &self.function {
            WindowFunction::Aggregate { func, .. } => {
                !whole || matches!(func, AggFunc::First | AggFunc::Last | AggFunc::AnyValue | AggFunc::CollectList)
            }
            _ => true,
        }
    }
}

/// `FILTER (WHERE ..)` of a value function: rows that fail it count as absent
/// (NULL, which IGNORE NULLS skips).
fn apply_filter(v: ArrayRef, filter: Option<&PhysicalExpr>, batch: &RecordBatch) -> Result<ArrayRef> {
    let Some(f) = filter else { return Ok(v) };
    let mask = crate::expr::null_as_false(f.evaluate(batch)?.as_boolean());
    let nulls = arrow::array::new_null_array(v.data_type(), v.len());
    Ok(arrow::compute::kernels::zip::zip(&mask, &v, &nulls)?)
}

/// -0.0 as 0.0 (Spark groups and orders them as one value).
fn normalize_floats(a: ArrayRef) -> ArrayRef {
    match a.data_type() {
        DataType::Float64 => {
            let v = a.as_primitive::<arrow::datatypes::Float64Type>();
            let out: Float64Array = v.unary(|x| if x == 0.0 { 0.0 } else { x });
            Arc::new(out)
        }
        DataType::Float32 => {
            let v = a.as_primitive::<arrow::datatypes::Float32Type>();
            let out: Float32Array = v.unary(|x| if x == 0.0 { 0.0 } else { x });
            Arc::new(out)
        }
        _ => a,
    }
}

impl Sink for WindowSink {
    fn name(&self) -> String {
        format!("Window [{}]", self.display)
    }
    fn init_local(&self) -> Result<LocalState> {
        Ok(Box::new(Vec::<RecordBatch>::new()))
    }
    fn sink(&self, local: &mut LocalState, chunk: RecordBatch) -> Result<SinkResult> {
        let local = local_mut::<Vec<RecordBatch>>(local)?;
        self.reservation.lock().unwrap_or_else(|e| e.into_inner()).try_grow(chunk.get_array_memory_size())?;
        local.push(chunk);
        Ok(SinkResult::NeedMoreInput)
    }
    fn combine(&self, mut local: LocalState) -> Result<()> {
        let local = local_mut::<Vec<RecordBatch>>(&mut local)?;
        self.collected.lock().unwrap_or_else(|e| e.into_inner()).append(local);
        Ok(())
    }
    fn finalize(&self) -> Result<()> {
        let batches = std::mem::take(&mut *self.collected.lock().unwrap_or_else(|e| e.into_inner()));
        let all = concat_batches(&self.input_schema, &batches)?;
        drop(batches);
        let out = self.compute(all)?;
        self.output.publish(rechunk(out, self.batch_size))?;
        self.reservation.lock().unwrap_or_else(|e| e.into_inner()).free();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::{Array, Int32Array, StringArray};

    use super::*;

    fn sorted(cols: Vec<ArrayRef>, n: usize) -> Vec<u32> {
        let fields = cols.iter().map(|c| SortField::new(c.data_type().clone())).collect();
        let keys = RowConverter::new(fields).unwrap().convert_columns(&cols).unwrap();
        let mut idx: Vec<u32> = (0..n as u32).collect();
        let _ = sort_by_keys(&mut idx, &keys);
        idx
    }

    #[test]
    fn packed_and_byte_sorts_agree_and_keep_ties_in_order() {
        let k: ArrayRef = Arc::new(Int32Array::from(vec![Some(3), None, Some(1), Some(3), Some(-2), Some(1)]));
        // fixed width (packed into one word): NULL first, ties in input order
        assert_eq!(sorted(vec![k.clone()], 6), vec![1, 4, 2, 5, 0, 3]);
        // variable width (strings): compared as bytes
        let s: ArrayRef = Arc::new(StringArray::from(vec!["b", "a", "bb", "a", "", "b"]));
        assert_eq!(sorted(vec![s], 6), vec![4, 1, 3, 0, 5, 2]);
        // three ints: 15 bytes, two words
        let many = vec![k.clone(), k.clone(), k];
        assert_eq!(many[0].len(), 6);
        assert_eq!(sorted(many, 6), vec![1, 4, 2, 5, 0, 3]);
    }

    #[test]
    fn packed_prefixes() {
        let p = Packed { words: vec![0x0102_0304_0506_0708, 0x0102_0304_0506_07ff, 0x0102_0400_0000_0000], stride: 1 };
        assert!(p.prefix_equal(0, 1, 7));
        assert!(!p.prefix_equal(0, 1, 8));
        assert!(p.prefix_equal(0, 2, 2));
        assert!(!p.prefix_equal(0, 2, 3));
    }
}
