//! Grouped accumulators: one state slot per group, updated a chunk at a time
//! from group indices, merged across workers, evaluated once.

use std::any::Any;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Decimal128Array, Float64Array, Int64Array};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Decimal128Type, Float64Type, Int64Type};
use arrow::row::{OwnedRow, RowConverter, SortField};
use ember_core::{AggFunc, Error, EvalMode, Result};

use super::chunk_groups::{add_grouped, count_grouped, mark_groups, ChunkGroups};
use crate::operator::hash_keys::{hash_i64, EncodedKeys, KeyEncoder};
use crate::operator::tag_index::TagIndex;

pub trait Accumulator: Send + Sync {
    /// Adds `values` (one array per argument) to the groups at `groups`.
    fn update(&mut self, groups: &ChunkGroups, values: &[ArrayRef], num_groups: usize) -> Result<()>;
    /// Folds groups of `other` in: its group `rows[i]` into our group
    /// `mapping[i]`. `other` is shared: partitions of one worker's table
    /// merge from it in parallel.
    fn merge(&mut self, other: &dyn Accumulator, rows: &[u32], mapping: &[u32], num_groups: usize) -> Result<()>;
    fn evaluate(&mut self, num_groups: usize) -> Result<ArrayRef>;
    fn as_any(&self) -> &dyn Any;
    fn memory_size(&self) -> usize;
}

pub(super) fn downcast<T: 'static>(other: &dyn Accumulator) -> Result<&T> {
    other.as_any().downcast_ref::<T>().ok_or_else(|| Error::internal("merging accumulators of different kinds"))
}

/// Creates the accumulator for an aggregate call.
/// Row bytes from different converters cannot be mixed, so every local
/// accumulator of one aggregate shares the converter made once here.
pub fn value_converter(input_types: &[DataType]) -> Result<Arc<RowConverter>> {
    let fields: Vec<SortField> = if input_types.is_empty() {
        vec![SortField::new(DataType::Boolean)]
    } else {
        input_types.iter().map(|t| SortField::new(t.clone())).collect()
    };
    Ok(Arc::new(RowConverter::new(fields)?))
}

pub fn create(
    func: AggFunc,
    input_types: &[DataType],
    result_type: &DataType,
    distinct: bool,
    mode: EvalMode,
    converter: &Arc<RowConverter>,
) -> Result<Box<dyn Accumulator>> {
    if distinct {
        return Ok(Box::new(DistinctAcc::new(func, input_types, result_type, mode)?));
    }
    let input = input_types.first().cloned().unwrap_or(DataType::Null);
    Ok(match func {
        AggFunc::Count => Box::new(CountAcc { counts: vec![] }),
        AggFunc::Sum => Box::new(SumAcc::new(&input, result_type, mode)?),
        AggFunc::Avg => Box::new(AvgAcc::new(&input, result_type, mode)?),
        AggFunc::Min | AggFunc::Max => {
            Box::new(MinMaxAcc { converter: converter.clone(), best: vec![], is_min: func == AggFunc::Min })
        }
        // `first(x, ignoreNulls)`: the flag is no value of its own, so the
        // rows hold the first argument only
        AggFunc::First | AggFunc::AnyValue | AggFunc::Last => Box::new(FirstLastAcc {
            converter: if input_types.len() > 1 { value_converter(&input_types[..1])? } else { converter.clone() },
            value: vec![],
            first: func != AggFunc::Last,
        }),
        AggFunc::StddevSamp | AggFunc::StddevPop | AggFunc::VarSamp | AggFunc::VarPop => {
            Box::new(VarianceAcc { func, state: vec![] })
        }
        AggFunc::BoolAnd | AggFunc::BoolOr => Box::new(BoolAcc { and: func == AggFunc::BoolAnd, state: vec![] }),
        AggFunc::CollectList | AggFunc::CollectSet => {
            Box::new(super::collect::CollectAcc::new(converter.clone(), result_type, func == AggFunc::CollectSet)?)
        }
    })
}

/// `count(*)` gets no values; `count(a, b)` counts rows where all are non-null.
struct CountAcc {
    counts: Vec<i64>,
}

impl Accumulator for CountAcc {
    fn update(&mut self, chunk: &ChunkGroups, values: &[ArrayRef], n: usize) -> Result<()> {
        let groups = chunk.ids();
        self.counts.resize(n, 0);
        // a column of the NULL type has no validity bitmap: every row is NULL
        if values.iter().any(|v| matches!(v.data_type(), DataType::Null) && !v.is_empty()) {
            return Ok(());
        }
        if values.iter().all(|v| v.null_count() == 0) {
            count_grouped(&mut self.counts, chunk);
        } else {
            for (i, g) in groups.iter().enumerate() {
                if values.iter().all(|v| v.is_valid(i)) {
                    self.counts[*g as usize] += 1;
                }
            }
        }
        Ok(())
    }
    fn merge(&mut self, other: &dyn Accumulator, rows: &[u32], mapping: &[u32], n: usize) -> Result<()> {
        let o = downcast::<CountAcc>(other)?;
        self.counts.resize(n, 0);
        for (from, to) in rows.iter().zip(mapping) {
            self.counts[*to as usize] += o.counts.get(*from as usize).copied().unwrap_or(0);
        }
        Ok(())
    }
    fn evaluate(&mut self, n: usize) -> Result<ArrayRef> {
        self.counts.resize(n, 0);
        Ok(Arc::new(Int64Array::from(std::mem::take(&mut self.counts))))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn memory_size(&self) -> usize {
        self.counts.capacity() * 8
    }
}

/// A bound on `|v|` over `values`: one more than the OR of their one's-
/// complement magnitudes (`v ^ (v >> 127)`, which is `|v| - 1` for negative
/// `v`). Two operations per value, and the loop vectorizes, where exact
/// maxima would cost a compare and a branch each.
fn magnitude_bound(values: &[i128]) -> u128 {
    let bits = values.iter().fold(0u128, |acc, v| acc | (v ^ (v >> 127)) as u128);
    bits.saturating_add(1)
}

/// Sum state by result type: bigint, double or decimal (unscaled i128).
/// Sums start at zero; `SumAcc::seen` tells a group with no non-NULL value
/// (whose sum is NULL) from one that sums to zero.
enum SumState {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Decimal(Vec<i128>, u8, i8),
}

impl SumState {
    fn resize(&mut self, n: usize) {
        match self {
            SumState::Int(s) => s.resize(n, 0),
            SumState::Float(s) => s.resize(n, 0.0),
            SumState::Decimal(s, _, _) => s.resize(n, 0),
        }
    }
}

struct SumAcc {
    state: SumState,
    /// per group: some non-NULL value was added
    seen: Vec<bool>,
    mode: EvalMode,
    /// `try_sum` / `try_avg` (Try mode): the groups whose sum overflowed,
    /// which end as NULL
    failed: Vec<bool>,
    /// Decimal sums: how much absolute value may still be added, over all
    /// groups together, before some `i128` sum could wrap. Charged per chunk
    /// from the input's precision (or, for wide types, the chunk's own
    /// bound); while it lasts, additions need no check. Checked additions
    /// use it up. `merge` ignores it: no `update` follows a merge.
    headroom: u128,
}

impl SumAcc {
    fn new(_input: &DataType, result: &DataType, mode: EvalMode) -> Result<SumAcc> {
        let state = match result {
            DataType::Int64 => SumState::Int(vec![]),
            DataType::Float64 => SumState::Float(vec![]),
            DataType::Decimal128(p, s) => SumState::Decimal(vec![], *p, *s),
            other => return Err(Error::internal(format!("sum into {other}"))),
        };
        Ok(SumAcc { state, seen: vec![], mode, failed: vec![], headroom: i128::MAX as u128 })
    }

    fn resize(&mut self, n: usize) {
        self.state.resize(n);
        self.seen.resize(n, false);
        self.failed.resize(n, false);
    }

    /// The groups' sums, NULL where nothing was added (or the sum failed).
    fn validity(&self) -> Option<NullBuffer> {
        let valid: BooleanBuffer = self.seen.iter().zip(&self.failed).map(|(s, f)| *s && !*f).collect();
        Some(NullBuffer::new(valid)).filter(|n| n.null_count() > 0)
    }
}

/// Adds into a running sum; `false` when it overflowed in Try mode (the
/// caller marks the group). Legacy mode wraps, as Spark 3 did.
#[inline]
fn add_i64(acc: &mut i64, v: i64, mode: EvalMode) -> Result<bool> {
    *acc = match acc.checked_add(v) {
        Some(x) => x,
        None if mode == EvalMode::Ansi => return Err(Error::arithmetic_overflow("long overflow")),
        None if mode == EvalMode::Try => return Ok(false),
        None => acc.wrapping_add(v),
    };
    Ok(true)
}

/// Adds a decimal into a running `i128` sum, checked: a sum beyond `i128`
/// is beyond every decimal precision, so an overflow is the sum's overflow
/// (an error in ANSI mode, else the group ends as NULL).
#[inline]
fn add_decimal(acc: &mut i128, v: i128, failed: &mut bool, mode: EvalMode) -> Result<()> {
    match acc.checked_add(v) {
        Some(x) => *acc = x,
        None if mode == EvalMode::Ansi => {
            return Err(Error::arithmetic_overflow("Overflow in sum of decimals: the sum does not fit in DECIMAL(38)"))
        }
        None => *failed = true,
    }
    Ok(())
}

impl Accumulator for SumAcc {
    fn update(&mut self, chunk: &ChunkGroups, values: &[ArrayRef], n: usize) -> Result<()> {
        let groups = chunk.ids();
        self.resize(n);
        let v = &values[0];
        let v = match (&self.state, v.data_type()) {
            (SumState::Int(_), DataType::Int64) | (SumState::Float(_), DataType::Float64) => v.clone(),
            (SumState::Int(_), _) => cast(v, &DataType::Int64)?,
            (SumState::Float(_), _) => cast(v, &DataType::Float64)?,
            (SumState::Decimal(_, _, scale), DataType::Decimal128(_, vs)) if vs == scale => v.clone(),
            (SumState::Decimal(_, _, scale), _) => cast(v, &DataType::Decimal128(38, *scale))?,
        };
        let nulls = v.logical_nulls().filter(|n| n.null_count() > 0);
        let valid = |i: usize| nulls.as_ref().is_none_or(|n| n.is_valid(i));
        // a slice, not the Vec: a `bool` store may alias the Vec's own
        // pointer and length, which the loops would then reload per row
        let seen = self.seen.as_mut_slice();
        match &mut self.state {
            SumState::Int(s) => {
                let vals = v.as_primitive::<Int64Type>().values();
                for (i, g) in groups.iter().enumerate() {
                    let g = *g as usize;
                    if valid(i) {
                        seen[g] = true;
                        if !add_i64(&mut s[g], vals[i], self.mode)? {
                            self.failed[g] = true;
                        }
                    }
                }
            }
            SumState::Float(s) => {
                let vals = v.as_primitive::<Float64Type>().values();
                for (i, g) in groups.iter().enumerate() {
                    if valid(i) {
                        seen[*g as usize] = true;
                        s[*g as usize] += vals[i];
                    }
                }
            }
            SumState::Decimal(s, _, _) => {
                let vals = v.as_primitive::<Decimal128Type>().values();
                let largest = match v.data_type() {
                    DataType::Decimal128(p, _) => 10u128.pow(*p as u32),
                    _ => u128::MAX,
                };
                let mut charge = largest.saturating_mul(groups.len() as u128);
                if charge > self.headroom {
                    // a wide type (Q01's `decimal(38,6)` charge) whose values
                    // are small: charge what the chunk holds instead
                    charge = magnitude_bound(vals).saturating_mul(groups.len() as u128);
                }
                if charge <= self.headroom {
                    // no sum can wrap: add unchecked, and compare with the
                    // result's precision at the end
                    self.headroom -= charge;
                    if nulls.is_none() {
                        mark_groups(seen, chunk);
                        add_grouped(s, chunk, |i| vals[i], i128::wrapping_add);
                    } else {
                        for (i, g) in groups.iter().enumerate() {
                            if valid(i) {
                                seen[*g as usize] = true;
                                s[*g as usize] = s[*g as usize].wrapping_add(vals[i]);
                            }
                        }
                    }
                } else {
                    // checked adds may bring a sum anywhere below the limit:
                    // no later chunk may count on room left for unchecked ones
                    self.headroom = 0;
                    for (i, g) in groups.iter().enumerate() {
                        if valid(i) {
                            let g = *g as usize;
                            seen[g] = true;
                            add_decimal(&mut s[g], vals[i], &mut self.failed[g], self.mode)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
    fn merge(&mut self, other: &dyn Accumulator, rows: &[u32], mapping: &[u32], n: usize) -> Result<()> {
        let o = downcast::<SumAcc>(other)?;
        self.resize(n);
        // `o` may not have grown to its last groups, which then hold nothing
        let o_len = o.seen.len();
        let pairs = || rows.iter().zip(mapping).filter(|(from, _)| (**from as usize) < o_len);
        for (from, to) in pairs() {
            self.seen[*to as usize] |= o.seen[*from as usize];
            self.failed[*to as usize] |= o.failed[*from as usize];
        }
        match (&mut self.state, &o.state) {
            (SumState::Int(s), SumState::Int(os)) => {
                for (from, to) in pairs() {
                    if !add_i64(&mut s[*to as usize], os[*from as usize], self.mode)? {
                        self.failed[*to as usize] = true;
                    }
                }
            }
            (SumState::Float(s), SumState::Float(os)) => {
                for (from, to) in pairs() {
                    s[*to as usize] += os[*from as usize];
                }
            }
            (SumState::Decimal(s, _, _), SumState::Decimal(os, _, _)) => {
                for (from, to) in pairs() {
                    let to = *to as usize;
                    add_decimal(&mut s[to], os[*from as usize], &mut self.failed[to], self.mode)?;
                }
            }
            _ => return Err(Error::internal("sum states differ")),
        }
        Ok(())
    }
    fn evaluate(&mut self, n: usize) -> Result<ArrayRef> {
        self.resize(n);
        let nulls = self.validity();
        Ok(match &mut self.state {
            SumState::Int(s) => Arc::new(Int64Array::new(std::mem::take(s).into(), nulls)),
            SumState::Float(s) => Arc::new(Float64Array::new(std::mem::take(s).into(), nulls)),
            SumState::Decimal(s, p, sc) => {
                let bound = 10i128.pow(*p as u32);
                let mut nulls = nulls;
                // `unsigned_abs`: a checked sum may end exactly on i128::MIN
                let bound = bound as u128;
                if s.iter().zip(&self.seen).any(|(x, seen)| *seen && x.unsigned_abs() >= bound) {
                    if self.mode == EvalMode::Ansi {
                        return Err(Error::arithmetic_overflow(&format!(
                            "Overflow in sum of decimals: the sum does not fit in DECIMAL({p},{sc})"
                        )));
                    }
                    // outside ANSI mode a sum out of range is NULL
                    let valid: BooleanBuffer =
                        s.iter().zip(&self.seen).map(|(x, seen)| *seen && x.unsigned_abs() < bound).collect();
                    nulls = Some(NullBuffer::new(valid));
                }
                Arc::new(Decimal128Array::new(std::mem::take(s).into(), nulls).with_precision_and_scale(*p, *sc)?)
            }
        })
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn memory_size(&self) -> usize {
        let slot = match &self.state {
            SumState::Int(_) | SumState::Float(_) => 8,
            SumState::Decimal(_, _, _) => 16,
        };
        self.seen.capacity() * (slot + 2)
    }
}

/// avg: a sum and a count per group.
struct AvgAcc {
    sum: SumAcc,
    count: CountAcc,
    input_scale: i8,
    result: DataType,
}

impl AvgAcc {
    fn new(input: &DataType, result: &DataType, mode: EvalMode) -> Result<AvgAcc> {
        let (sum_type, input_scale) = match (input, result) {
            (DataType::Decimal128(_, s), DataType::Decimal128(_, _)) => (DataType::Decimal128(38, *s), *s),
            _ => (DataType::Float64, 0),
        };
        Ok(AvgAcc {
            sum: SumAcc::new(input, &sum_type, mode)?,
            count: CountAcc { counts: vec![] },
            input_scale,
            result: result.clone(),
        })
    }
}

impl Accumulator for AvgAcc {
    fn update(&mut self, chunk: &ChunkGroups, values: &[ArrayRef], n: usize) -> Result<()> {
        self.sum.update(chunk, values, n)?;
        self.count.update(chunk, values, n)
    }
    fn merge(&mut self, other: &dyn Accumulator, rows: &[u32], mapping: &[u32], n: usize) -> Result<()> {
        let o = downcast::<AvgAcc>(other)?;
        self.sum.merge(&o.sum, rows, mapping, n)?;
        self.count.merge(&o.count, rows, mapping, n)
    }
    fn evaluate(&mut self, n: usize) -> Result<ArrayRef> {
        self.count.counts.resize(n, 0);
        let counts = std::mem::take(&mut self.count.counts);
        self.sum.resize(n);
        Ok(match (&self.sum.state, &self.result) {
            (SumState::Float(s), _) => Arc::new(Float64Array::from_iter(
                s.iter().zip(counts.iter()).map(|(v, c)| (*c > 0).then(|| v / *c as f64)),
            )),
            (SumState::Decimal(s, _, _), DataType::Decimal128(p, rs)) => {
                let shift = (*rs - self.input_scale) as u32;
                let bound = 10i128.pow(*p as u32);
                let mut out = Vec::with_capacity(n);
                for (v, c) in s.iter().zip(counts.iter()) {
                    out.push(match *c > 0 {
                        true => {
                            let q = div_round_half_up(*v, 10i128.pow(shift), *c as i128);
                            match q {
                                Some(q) if q.abs() < bound => Some(q),
                                _ if self.sum.mode == EvalMode::Ansi => {
                                    return Err(Error::arithmetic_overflow("Overflow in average of decimals"))
                                }
                                _ => None,
                            }
                        }
                        false => None,
                    });
                }
                Arc::new(Decimal128Array::from(out).with_precision_and_scale(*p, *rs)?)
            }
            _ => return Err(Error::internal("avg state and result type differ")),
        })
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn memory_size(&self) -> usize {
        self.sum.memory_size() + self.count.memory_size()
    }
}

/// `v * mul / div` rounded half up, without intermediate overflow where the
/// result fits.
fn div_round_half_up(v: i128, mul: i128, div: i128) -> Option<i128> {
    let num = v.checked_mul(mul)?;
    let q = num / div;
    let r = num % div;
    if r.abs() * 2 >= div.abs() {
        Some(if (num < 0) != (div < 0) { q - 1 } else { q + 1 })
    } else {
        Some(q)
    }
}

/// min / max through order-preserving row bytes, for any orderable type.
struct MinMaxAcc {
    converter: Arc<RowConverter>,
    best: Vec<Option<OwnedRow>>,
    is_min: bool,
}

impl Accumulator for MinMaxAcc {
    fn update(&mut self, chunk: &ChunkGroups, values: &[ArrayRef], n: usize) -> Result<()> {
        let groups = chunk.ids();
        self.best.resize(n, None);
        let v = &values[0];
        let rows = self.converter.convert_columns(std::slice::from_ref(v))?;
        for (i, g) in groups.iter().enumerate() {
            if v.is_null(i) {
                continue;
            }
            let r = rows.row(i);
            let slot = &mut self.best[*g as usize];
            let better = match slot {
                None => true,
                Some(b) => {
                    if self.is_min {
                        r < b.row()
                    } else {
                        r > b.row()
                    }
                }
            };
            if better {
                *slot = Some(r.owned());
            }
        }
        Ok(())
    }
    fn merge(&mut self, other: &dyn Accumulator, rows: &[u32], mapping: &[u32], n: usize) -> Result<()> {
        let o = downcast::<MinMaxAcc>(other)?;
        self.best.resize(n, None);
        for (from, to) in rows.iter().zip(mapping) {
            let Some(Some(v)) = o.best.get(*from as usize) else { continue };
            let slot = &mut self.best[*to as usize];
            let better = match slot {
                None => true,
                Some(b) => {
                    if self.is_min {
                        v.row() < b.row()
                    } else {
                        v.row() > b.row()
                    }
                }
            };
            if better {
                *slot = Some(v.clone());
            }
        }
        Ok(())
    }
    fn evaluate(&mut self, n: usize) -> Result<ArrayRef> {
        self.best.resize(n, None);
        rows_to_array(&self.converter, &self.best)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn memory_size(&self) -> usize {
        self.best.capacity() * 32 + self.best.iter().flatten().map(|r| r.row().as_ref().len()).sum::<usize>()
    }
}

/// Converts optional rows back to one array (None -> NULL).
fn rows_to_array(converter: &Arc<RowConverter>, rows: &[Option<OwnedRow>]) -> Result<ArrayRef> {
    // encode NULL by converting a null value once
    let field_type = converter_type(converter);
    let null_row = converter.convert_columns(&[arrow::array::new_null_array(&field_type, 1)])?;
    let null_row = null_row.row(0);
    let all: Vec<arrow::row::Row<'_>> = rows.iter().map(|r| r.as_ref().map(|r| r.row()).unwrap_or(null_row)).collect();
    let mut cols = converter.convert_rows(all)?;
    Ok(cols.remove(0))
}

fn converter_type(converter: &Arc<RowConverter>) -> DataType {
    // RowConverter does not expose its fields; an empty conversion tells the type
    converter
        .convert_rows(std::iter::empty())
        .ok()
        .and_then(|mut c| c.pop())
        .map(|a| a.data_type().clone())
        .unwrap_or(DataType::Null)
}

/// first / last / any_value (nulls included, as Spark's default).
struct FirstLastAcc {
    converter: Arc<RowConverter>,
    value: Vec<Option<OwnedRow>>,
    first: bool,
}

impl Accumulator for FirstLastAcc {
    fn update(&mut self, chunk: &ChunkGroups, values: &[ArrayRef], n: usize) -> Result<()> {
        let groups = chunk.ids();
        self.value.resize(n, None);
        let v = &values[0];
        let rows = self.converter.convert_columns(std::slice::from_ref(v))?;
        // the constant `ignoreNulls` flag, when given
        let ignore_nulls = values.get(1).and_then(|b| b.as_boolean_opt()).is_some_and(|b| b.is_valid(0) && b.value(0));
        for (i, g) in groups.iter().enumerate() {
            if ignore_nulls && (v.is_null(i) || matches!(v.data_type(), DataType::Null)) {
                continue;
            }
            let slot = &mut self.value[*g as usize];
            if !self.first || slot.is_none() {
                *slot = Some(rows.row(i).owned());
            }
        }
        Ok(())
    }
    fn merge(&mut self, other: &dyn Accumulator, rows: &[u32], mapping: &[u32], n: usize) -> Result<()> {
        let o = downcast::<FirstLastAcc>(other)?;
        self.value.resize(n, None);
        for (from, to) in rows.iter().zip(mapping) {
            let Some(Some(v)) = o.value.get(*from as usize) else { continue };
            let slot = &mut self.value[*to as usize];
            if !self.first || slot.is_none() {
                *slot = Some(v.clone());
            }
        }
        Ok(())
    }
    fn evaluate(&mut self, n: usize) -> Result<ArrayRef> {
        self.value.resize(n, None);
        rows_to_array(&self.converter, &self.value)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn memory_size(&self) -> usize {
        self.value.capacity() * 32
    }
}

/// Running (count, mean, m2) updated and merged with exactly the arithmetic
/// of Spark's `CentralMomentAgg`, so that results agree to the last bit.
struct VarianceAcc {
    func: AggFunc,
    state: Vec<(f64, f64, f64)>,
}

impl Accumulator for VarianceAcc {
    fn update(&mut self, chunk: &ChunkGroups, values: &[ArrayRef], n: usize) -> Result<()> {
        let groups = chunk.ids();
        self.state.resize(n, (0.0, 0.0, 0.0));
        let v = cast(&values[0], &DataType::Float64)?;
        let v = v.as_primitive::<Float64Type>();
        for (i, g) in groups.iter().enumerate() {
            if v.is_valid(i) {
                let (c, mean, m2) = &mut self.state[*g as usize];
                let x = v.value(i);
                *c += 1.0;
                let delta = x - *mean;
                let delta_n = delta / *c;
                *mean += delta_n;
                *m2 += delta * (delta - delta_n);
            }
        }
        Ok(())
    }
    fn merge(&mut self, other: &dyn Accumulator, rows: &[u32], mapping: &[u32], n: usize) -> Result<()> {
        let o = downcast::<VarianceAcc>(other)?;
        self.state.resize(n, (0.0, 0.0, 0.0));
        for (from, to) in rows.iter().zip(mapping) {
            let Some(&(cb, mb, m2b)) = o.state.get(*from as usize) else { continue };
            if cb == 0.0 {
                continue;
            }
            let (ca, ma, m2a) = &mut self.state[*to as usize];
            let c = *ca + cb;
            let delta = mb - *ma;
            let delta_n = if c == 0.0 { 0.0 } else { delta / c };
            *m2a = *m2a + m2b + delta * delta_n * *ca * cb;
            *ma += delta_n * cb;
            *ca = c;
        }
        Ok(())
    }
    fn evaluate(&mut self, n: usize) -> Result<ArrayRef> {
        self.state.resize(n, (0.0, 0.0, 0.0));
        let out: Vec<Option<f64>> = self
            .state
            .iter()
            .map(|(c, _, m2)| {
                let (num, den) = match self.func {
                    AggFunc::VarPop | AggFunc::StddevPop => (*m2, *c),
                    _ => (*m2, *c - 1.0),
                };
                if *c == 0.0 {
                    None
                } else if den == 0.0 {
                    // Spark 3.1+ (spark.sql.legacy.statisticalAggregate=false): NULL
                    // for the sample variance of one value
                    None
                } else {
                    let var = num / den;
                    Some(if matches!(self.func, AggFunc::StddevPop | AggFunc::StddevSamp) { var.sqrt() } else { var })
                }
            })
            .collect();
        Ok(Arc::new(Float64Array::from(out)))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn memory_size(&self) -> usize {
        self.state.capacity() * 24
    }
}

struct BoolAcc {
    and: bool,
    state: Vec<Option<bool>>,
}

impl Accumulator for BoolAcc {
    fn update(&mut self, chunk: &ChunkGroups, values: &[ArrayRef], n: usize) -> Result<()> {
        let groups = chunk.ids();
        self.state.resize(n, None);
        let v = values[0].as_boolean();
        for (i, g) in groups.iter().enumerate() {
            if v.is_valid(i) {
                let slot = &mut self.state[*g as usize];
                let x = v.value(i);
                *slot = Some(match slot {
                    None => x,
                    Some(a) => {
                        if self.and {
                            *a && x
                        } else {
                            *a || x
                        }
                    }
                });
            }
        }
        Ok(())
    }
    fn merge(&mut self, other: &dyn Accumulator, rows: &[u32], mapping: &[u32], n: usize) -> Result<()> {
        let o = downcast::<BoolAcc>(other)?;
        self.state.resize(n, None);
        for (from, to) in rows.iter().zip(mapping) {
            if let Some(Some(x)) = o.state.get(*from as usize).copied() {
                let slot = &mut self.state[*to as usize];
                *slot = Some(match slot {
                    None => x,
                    Some(a) => {
                        if self.and {
                            *a && x
                        } else {
                            *a || x
                        }
                    }
                });
            }
        }
        Ok(())
    }
    fn evaluate(&mut self, n: usize) -> Result<ArrayRef> {
        self.state.resize(n, None);
        Ok(Arc::new(BooleanArray::from(std::mem::take(&mut self.state))))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn memory_size(&self) -> usize {
        self.state.capacity() * 2
    }
}

/// `agg(DISTINCT x)`: per group, the set of distinct non-null argument
/// tuples (as row bytes); the real aggregate runs over them at the end.
/// `agg(DISTINCT x, ...)`: the distinct (group, value) pairs of all groups
/// in one hash table over encoded values; `evaluate` feeds them to the
/// plain accumulator.
struct DistinctAcc {
    func: AggFunc,
    input_types: Vec<DataType>,
    result_type: DataType,
    mode: EvalMode,
    encoder: KeyEncoder,
    /// The distinct values, in insertion order, and each one's group.
    values: EncodedKeys,
    groups: Vec<u32>,
    /// the pairs by hash (the tag), to their index into `values`
    table: TagIndex,
    /// `values` decoded, once, for merges into other accumulators
    decoded: std::sync::OnceLock<Vec<ArrayRef>>,
    /// The pairs listed by group, once, for merges into other
    /// accumulators: a merge reads the pairs of the groups it takes, not
    /// all of them (a table split into 64 radix partitions is 64 merges).
    by_group: std::sync::OnceLock<PairsByGroup>,
}

/// The pairs of each group: `pairs[starts[g]..starts[g + 1]]`, in
/// insertion order.
struct PairsByGroup {
    starts: Vec<u32>,
    pairs: Vec<u32>,
}

impl PairsByGroup {
    fn new(groups: &[u32]) -> PairsByGroup {
        let n = groups.iter().max().map_or(0, |g| *g as usize + 1);
        let mut starts = vec![0u32; n + 1];
        for g in groups {
            starts[*g as usize + 1] += 1;
        }
        for g in 0..n {
            starts[g + 1] += starts[g];
        }
        let mut next = starts.clone();
        let mut pairs = vec![0u32; groups.len()];
        for (e, g) in groups.iter().enumerate() {
            pairs[next[*g as usize] as usize] = e as u32;
            next[*g as usize] += 1;
        }
        PairsByGroup { starts, pairs }
    }

    fn of(&self, g: u32) -> &[u32] {
        let g = g as usize;
        match (self.starts.get(g), self.starts.get(g + 1)) {
            (Some(s), Some(e)) => &self.pairs[*s as usize..*e as usize],
            _ => &[],
        }
    }
}

impl DistinctAcc {
    fn new(func: AggFunc, input_types: &[DataType], result_type: &DataType, mode: EvalMode) -> Result<DistinctAcc> {
        let encoder = KeyEncoder::new(input_types)?;
        Ok(DistinctAcc {
            func,
            input_types: input_types.to_vec(),
            result_type: result_type.clone(),
            mode,
            values: encoder.empty(),
            encoder,
            groups: vec![],
            table: TagIndex::default(),
            decoded: std::sync::OnceLock::new(),
            by_group: std::sync::OnceLock::new(),
        })
    }

    /// The hash of the pair (group `g`, value `i` of `encoded`).
    #[inline]
    fn pair_hash(&self, g: u32, encoded: &EncodedKeys, i: usize) -> u64 {
        self.encoder.hash(encoded, i) ^ hash_i64(g as i64).rotate_left(29)
    }

    /// Adds the pair (group `g`, value `i` of `encoded`), whose hash is
    /// `h`, unless present.
    #[inline]
    fn insert(&mut self, g: u32, encoded: &EncodedKeys, i: usize, h: u64) {
        let (values, groups) = (&self.values, &self.groups);
        if self.table.find(h, h, |e| groups[e as usize] == g && values.equals(e as usize, encoded, i)).is_some() {
            return;
        }
        let e = self.groups.len() as u32;
        self.values.push_from(encoded, i);
        self.groups.push(g);
        self.table.insert_new(h, h, e, |h| h);
    }

    /// Adds the pairs (`groups[k]`, value `rows[k]` of `encoded`). Their
    /// hashes are taken first, so that the table entries of the pair
    /// `PREFETCH_AHEAD` places on are asked for before a pair's search: a
    /// large table's cache misses overlap (TPC-H Q16's 1.2M (part,
    /// supplier) pairs at SF10).
    fn insert_all(&mut self, groups: &[u32], encoded: &EncodedKeys, rows: impl Iterator<Item = usize> + Clone) {
        let hashes: Vec<u64> = rows.clone().zip(groups).map(|(i, g)| self.pair_hash(*g, encoded, i)).collect();
        for (k, (i, g)) in rows.zip(groups).enumerate() {
            if let Some(ahead) = hashes.get(k + PREFETCH_AHEAD) {
                self.table.prefetch(*ahead);
            }
            self.insert(*g, encoded, i, hashes[k]);
        }
    }
}

/// How many pairs ahead of its search a pair's table entries are prefetched.
const PREFETCH_AHEAD: usize = 16;

impl Accumulator for DistinctAcc {
    fn update(&mut self, chunk: &ChunkGroups, values: &[ArrayRef], _n: usize) -> Result<()> {
        let groups = chunk.ids();
        let encoded = self.encoder.encode(values)?;
        if values.iter().all(|v| v.null_count() == 0) {
            self.insert_all(groups, &encoded, 0..groups.len());
        } else {
            // NULL arguments are not counted
            let rows: Vec<usize> = (0..groups.len()).filter(|i| values.iter().all(|v| v.is_valid(*i))).collect();
            let kept: Vec<u32> = rows.iter().map(|i| groups[*i]).collect();
            self.insert_all(&kept, &encoded, rows.iter().copied());
        }
        Ok(())
    }
    fn merge(&mut self, other: &dyn Accumulator, rows: &[u32], mapping: &[u32], _n: usize) -> Result<()> {
        let o = downcast::<DistinctAcc>(other)?;
        if o.groups.is_empty() {
            return Ok(());
        }
        // the other's pairs of the groups taken, and our group for each
        let by_group = o.by_group.get_or_init(|| PairsByGroup::new(&o.groups));
        let (mut taken, mut groups) = (Vec::new(), Vec::new());
        for (from, to) in rows.iter().zip(mapping) {
            let pairs = by_group.of(*from);
            taken.extend_from_slice(pairs);
            groups.extend(std::iter::repeat_n(*to, pairs.len()));
        }
        if taken.is_empty() {
            return Ok(());
        }
        // each encoder hashes its own way: re-encode the other's values
        let decoded = match o.decoded.get() {
            Some(d) => d,
            None => {
                let d = o.encoder.decode(&o.values)?;
                o.decoded.get_or_init(|| d)
            }
        };
        let taken_array = arrow::array::UInt32Array::from(taken.clone());
        let values = decoded
            .iter()
            .map(|c| arrow::compute::take(c.as_ref(), &taken_array, None))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let encoded = self.encoder.encode(&values)?;
        self.insert_all(&groups, &encoded, 0..taken.len());
        Ok(())
    }
    fn evaluate(&mut self, n: usize) -> Result<ArrayRef> {
        let mut inner = create(
            self.func,
            &self.input_types,
            &self.result_type,
            false,
            self.mode,
            &value_converter(&self.input_types)?,
        )?;
        let values = if self.groups.is_empty() {
            self.input_types.iter().map(|t| arrow::array::new_empty_array(t)).collect()
        } else {
            self.encoder.decode(&self.values)?
        };
        inner.update(&ChunkGroups::new(&self.groups, n), &values, n)?;
        inner.evaluate(n)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn memory_size(&self) -> usize {
        self.values.memory_size() + self.groups.capacity() * 4 + self.table.memory_size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_half_up() {
        assert_eq!(div_round_half_up(5, 1, 2), Some(3));
        assert_eq!(div_round_half_up(-5, 1, 2), Some(-3));
        assert_eq!(div_round_half_up(4, 1, 3), Some(1));
    }

    #[test]
    fn magnitude_bound_covers_every_value() {
        let cases: [&[i128]; 5] = [&[], &[0, 5, -5], &[-1, 1 << 40, -(1 << 41)], &[i128::MAX, 3], &[i128::MIN, 7]];
        for values in cases {
            let bound = magnitude_bound(values);
            for v in values {
                assert!(v.unsigned_abs() <= bound, "{v} above {bound}");
            }
        }
        assert_eq!(magnitude_bound(&[i128::MIN]), 1u128 << 127);
    }

    /// Decimal sums through one accumulator, chunk by chunk, in one group.
    fn decimal_sum(p: u8, s: i8, chunks: &[Vec<i128>], mode: EvalMode) -> Result<i128> {
        let t = DataType::Decimal128(p, s);
        let mut acc = SumAcc::new(&t, &DataType::Decimal128(38, s), mode)?;
        for chunk in chunks {
            let values: ArrayRef =
                Arc::new(arrow::array::Decimal128Array::from(chunk.clone()).with_precision_and_scale(p, s)?);
            acc.update(&ChunkGroups::new(&vec![0; chunk.len()], 1), &[values], 1)?;
        }
        let out = acc.evaluate(1)?;
        Ok(out.as_primitive::<Decimal128Type>().value(0))
    }

    #[test]
    fn wide_decimals_with_small_values_sum_exactly() {
        // `decimal(38,6)` charges 10^38 per row, more than the headroom: the
        // chunks' own bounds take over
        let chunks: Vec<Vec<i128>> = (0..50).map(|c| (0..4096).map(|i| (i * c) as i128 - 70_000).collect()).collect();
        let expected: i128 = chunks.iter().flatten().sum();
        assert_eq!(decimal_sum(38, 6, &chunks, EvalMode::Ansi).unwrap(), expected);
    }

    #[test]
    fn wide_decimals_near_the_limit_still_overflow() {
        let big = 10i128.pow(37) * 9;
        let chunks = vec![vec![big; 3], vec![big; 30]];
        assert!(decimal_sum(38, 0, &chunks, EvalMode::Ansi).is_err());
        let mixed = vec![vec![big, -big, big, -big], vec![1, 2, 3]];
        assert_eq!(decimal_sum(38, 0, &mixed, EvalMode::Ansi).unwrap(), 6);
        // checked adds reach 1.6e38; small values after them must still be
        // checked, or the true 2.5e38 wraps to a plausible -9.0e37
        let big = 8 * 10i128.pow(37);
        let after_checked = vec![vec![big, big, -big, big], vec![22 * 10i128.pow(33); 4096]];
        assert!(decimal_sum(38, 0, &after_checked, EvalMode::Ansi).is_err());
    }
}
