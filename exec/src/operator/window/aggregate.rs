//! Aggregate functions over window frames.
//!
//! `count`, `sum`, `avg`, `min`, `max`, the variance family and
//! `bool_and` / `bool_or` keep a running state here, driven by the shape of
//! the frame so that no frame is summed from scratch when it need not be:
//! - frames that start at UNBOUNDED PRECEDING grow row by row: each row's
//!   value is the state after adding its new rows (O(n), the order of
//!   additions is Spark's, so floating-point sums match);
//! - frames that end at UNBOUNDED FOLLOWING shrink: for the functions whose
//!   result does not depend on the order of additions, the rows are added
//!   from the end of the partition backwards (O(n));
//! - sliding frames of `count`, integral and decimal `sum` and decimal
//!   `avg` add the rows entering and remove the rows leaving (O(n));
//! - any other frame is aggregated afresh, once per distinct frame (what
//!   Spark does for sliding frames).
//!
//! The other aggregates (`collect_list`, ...) go through the grouped
//! accumulators of the hash aggregate: each distinct frame is one group fed
//! with the rows of the frame.
//!
//! Results follow Spark: the sum of no rows is NULL, `count` 0; integral
//! sums overflow with `ARITHMETIC_OVERFLOW` under ANSI and wrap otherwise;
//! a decimal sum or average that no longer fits its type is an error under
//! ANSI and NULL otherwise; the sample variance of one row is NULL.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Decimal128Array, Float64Array, Int64Array, UInt32Array};
use arrow::compute::{cast, concat, take};
use arrow::datatypes::{i256, DataType};
use arrow::row::{RowConverter, Rows, SortField};
use ember_core::{AggFunc, Error, EvalMode, Result};

use super::frame::Frame;
use crate::operator::aggregate::accumulator;
use crate::operator::aggregate::chunk_groups::ChunkGroups;

/// An aggregate call with its arguments evaluated over a sorted bucket.
pub(crate) struct AggregateInput {
    pub func: AggFunc,
    pub args: Vec<ArrayRef>,
    pub arg_types: Vec<DataType>,
    /// `FILTER (WHERE ..)`: rows where false do not count
    pub filter: Option<BooleanArray>,
    pub data_type: DataType,
    pub distinct: bool,
    pub mode: EvalMode,
}

/// Entries fed to one accumulator at a time by the generic path, to bound
/// the memory a wide frame takes (a frame's rows are copied per frame).
const FALLBACK_BATCH: usize = 1 << 20;

/// The aggregate's value for each row's frame.
pub(crate) fn evaluate(input: &AggregateInput, frames: &[(usize, usize)], frame: &Frame) -> Result<ArrayRef> {
    match State::new(input)? {
        Some(state) => drive(state, frames, frame),
        None => fallback(input, frames),
    }
}

/// The typed input and running values of one aggregate.
enum Kind {
    Count,
    SumInt(Int64Array),
    SumFloat(Float64Array),
    /// values at the result's scale; precision of the result
    SumDecimal(Decimal128Array, u8),
    AvgFloat(Float64Array),
    /// values at the input's scale; result precision, and the power of
    /// ten from the input's scale to the result's
    AvgDecimal(Decimal128Array, u8, i128),
    MinMax {
        rows: Rows,
        values: ArrayRef,
        min: bool,
    },
    Variance(Float64Array, AggFunc),
    Bool(BooleanArray, bool),
}

/// Values computed so far, one per row, in the result's representation.
enum Out {
    I64(Vec<i64>),
    OptI64(Vec<Option<i64>>),
    F64(Vec<Option<f64>>),
    Dec(Vec<Option<i128>>),
    Index(Vec<Option<u32>>),
    Bool(Vec<Option<bool>>),
}

struct State {
    kind: Kind,
    /// rows that count: FILTER passed and (except `count(*)`) no NULL argument
    counts: Vec<bool>,
    mode: EvalMode,
    data_type: DataType,
    n: i64,
    int: i64,
    float: f64,
    /// Decimal sums in 256 bits: a frame's rows are added and taken out
    /// again, and only the sum of the current frame must fit in the end.
    dec: i256,
    mean: f64,
    m2: f64,
    best: Option<usize>,
    flag: Option<bool>,
    out: Out,
}

impl State {
    /// The running state of `input`, or None for the generic path.
    fn new(input: &AggregateInput) -> Result<Option<State>> {
        if input.distinct {
            return Ok(None);
        }
        let first = input.args.first();
        let arg = |t: &DataType| -> Result<ArrayRef> {
            let a = first.ok_or_else(|| Error::internal("aggregate without an argument"))?;
            Ok(if a.data_type() == t { a.clone() } else { cast(a, t)? })
        };
        let (kind, out) = match (input.func, &input.data_type) {
            (AggFunc::Count, _) => (Kind::Count, Out::I64(vec![])),
            (AggFunc::Sum, DataType::Int64) => {
                (Kind::SumInt(arg(&DataType::Int64)?.as_primitive().clone()), Out::OptI64(vec![]))
            }
            (AggFunc::Sum, DataType::Float64) => {
                (Kind::SumFloat(arg(&DataType::Float64)?.as_primitive().clone()), Out::F64(vec![]))
            }
            (AggFunc::Sum, DataType::Decimal128(p, s)) => {
                let v = arg(&DataType::Decimal128(38, *s))?;
                (Kind::SumDecimal(v.as_primitive().clone(), *p), Out::Dec(vec![]))
            }
            (AggFunc::Avg, DataType::Float64) => {
                (Kind::AvgFloat(arg(&DataType::Float64)?.as_primitive().clone()), Out::F64(vec![]))
            }
            (AggFunc::Avg, DataType::Decimal128(p, rs)) => {
                let DataType::Decimal128(_, is) = input.arg_types.first().cloned().unwrap_or(DataType::Null) else {
                    return Ok(None);
                };
                let v = arg(&DataType::Decimal128(38, is))?;
                let shift = 10i128.checked_pow((*rs - is).max(0) as u32).unwrap_or(1);
                (Kind::AvgDecimal(v.as_primitive().clone(), *p, shift), Out::Dec(vec![]))
            }
            (AggFunc::Min | AggFunc::Max, _) => {
                let values = arg(&input.data_type)?;
                let converter = RowConverter::new(vec![SortField::new(values.data_type().clone())])?;
                let rows = converter.convert_columns(std::slice::from_ref(&values))?;
                (Kind::MinMax { rows, values, min: input.func == AggFunc::Min }, Out::Index(vec![]))
            }
            (AggFunc::StddevSamp | AggFunc::StddevPop | AggFunc::VarSamp | AggFunc::VarPop, DataType::Float64) => {
                (Kind::Variance(arg(&DataType::Float64)?.as_primitive().clone(), input.func), Out::F64(vec![]))
            }
            (AggFunc::BoolAnd | AggFunc::BoolOr, DataType::Boolean) => (
                Kind::Bool(arg(&DataType::Boolean)?.as_boolean().clone(), input.func == AggFunc::BoolAnd),
                Out::Bool(vec![]),
            ),
            _ => return Ok(None),
        };
        // without arguments or filter (`count(*)`) every row counts: `counts` stays empty
        let len = input.args.first().map(|a| a.len()).or(input.filter.as_ref().map(|f| f.len())).unwrap_or(0);
        let counts = (0..len)
            .map(|i| input.filter.as_ref().is_none_or(|f| f.value(i)) && input.args.iter().all(|a| a.is_valid(i)))
            .collect();
        Ok(Some(State {
            kind,
            counts,
            mode: input.mode,
            data_type: input.data_type.clone(),
            n: 0,
            int: 0,
            float: 0.0,
            dec: i256::ZERO,
            mean: 0.0,
            m2: 0.0,
            best: None,
            flag: None,
            out,
        }))
    }

    fn reset(&mut self) {
        self.n = 0;
        self.int = 0;
        self.float = 0.0;
        self.dec = i256::ZERO;
        self.mean = 0.0;
        self.m2 = 0.0;
        self.best = None;
        self.flag = None;
    }

    /// Whether the result does not depend on the order rows are added in.
    fn order_insensitive(&self) -> bool {
        matches!(
            self.kind,
            Kind::Count
                | Kind::SumInt(_)
                | Kind::SumDecimal(..)
                | Kind::AvgDecimal(..)
                | Kind::MinMax { .. }
                | Kind::Bool(..)
        )
    }

    /// Whether rows can be taken out again (`remove`).
    fn invertible(&self) -> bool {
        matches!(self.kind, Kind::Count | Kind::SumInt(_) | Kind::SumDecimal(..) | Kind::AvgDecimal(..))
    }

    fn add(&mut self, i: usize) -> Result<()> {
        if !self.counts.get(i).copied().unwrap_or(true) {
            return Ok(());
        }
        self.n += 1;
        match &self.kind {
            Kind::Count => {}
            Kind::SumInt(v) => {
                let x = v.value(i);
                self.int = match self.int.checked_add(x) {
                    Some(s) => s,
                    None if self.mode == EvalMode::Ansi => return Err(Error::arithmetic_overflow("long overflow")),
                    None => self.int.wrapping_add(x),
                };
            }
            Kind::SumFloat(v) | Kind::AvgFloat(v) => self.float += v.value(i),
            Kind::SumDecimal(v, _) | Kind::AvgDecimal(v, ..) => {
                self.dec = self.dec.wrapping_add(i256::from_i128(v.value(i)))
            }
            Kind::MinMax { rows, min, .. } => {
                let better = match self.best {
                    None => true,
                    Some(b) if *min => rows.row(i) < rows.row(b),
                    Some(b) => rows.row(i) > rows.row(b),
                };
                if better {
                    self.best = Some(i);
                }
            }
            Kind::Variance(v, _) => {
                // Welford's update, as the grouped accumulator does
                let x = v.value(i);
                let c = self.n as f64;
                let d = x - self.mean;
                self.mean += d / c;
                self.m2 += d * (x - self.mean);
            }
            Kind::Bool(v, and) => {
                let x = v.value(i);
                self.flag = Some(match self.flag {
                    None => x,
                    Some(a) if *and => a && x,
                    Some(a) => a || x,
                });
            }
        }
        Ok(())
    }

    /// Takes row `i` out again (only when `invertible`).
    fn remove(&mut self, i: usize) -> Result<()> {
        if !self.counts.get(i).copied().unwrap_or(true) {
            return Ok(());
        }
        self.n -= 1;
        match &self.kind {
            Kind::Count => {}
            Kind::SumInt(v) => self.int = self.int.wrapping_sub(v.value(i)),
            Kind::SumDecimal(v, _) | Kind::AvgDecimal(v, ..) => {
                self.dec = self.dec.wrapping_sub(i256::from_i128(v.value(i)))
            }
            _ => return Err(Error::internal("removing a row from an aggregate that cannot")),
        }
        Ok(())
    }

    /// Appends the value of the rows added so far.
    fn push(&mut self) -> Result<()> {
        let n = self.n;
        let ansi = self.mode == EvalMode::Ansi;
        match (&self.kind, &mut self.out) {
            (Kind::Count, Out::I64(o)) => o.push(n),
            (Kind::SumInt(_), Out::OptI64(o)) => o.push((n > 0).then_some(self.int)),
            (Kind::SumFloat(_), Out::F64(o)) => o.push((n > 0).then_some(self.float)),
            (Kind::AvgFloat(_), Out::F64(o)) => o.push((n > 0).then(|| self.float / n as f64)),
            (Kind::SumDecimal(_, p), Out::Dec(o)) => {
                let v = if n == 0 {
                    None
                } else if let Some(sum) = self.dec.to_i128().filter(|v| fits(*v, *p)) {
                    Some(sum)
                } else if ansi {
                    let s = match self.data_type {
                        DataType::Decimal128(_, s) => s,
                        _ => 0,
                    };
                    return Err(Error::arithmetic_overflow(&format!(
                        "Overflow in sum of decimals: the sum does not fit in DECIMAL({p},{s})"
                    )));
                } else {
                    None
                };
                o.push(v);
            }
            (Kind::AvgDecimal(_, p, shift), Out::Dec(o)) => {
                let v = if n == 0 {
                    None
                } else {
                    match self.dec.to_i128().and_then(|sum| div_round_half_up(sum, *shift, n as i128)) {
                        Some(q) if fits(q, *p) => Some(q),
                        _ if ansi => return Err(Error::arithmetic_overflow("Overflow in average of decimals")),
                        _ => None,
                    }
                };
                o.push(v);
            }
            (Kind::MinMax { .. }, Out::Index(o)) => o.push(self.best.map(|b| b as u32)),
            (Kind::Variance(_, func), Out::F64(o)) => {
                let c = n as f64;
                let den = match func {
                    AggFunc::VarPop | AggFunc::StddevPop => c,
                    _ => c - 1.0,
                };
                // Spark returns NULL where the divisor is 0 (one row, sample)
                let v = (n > 0 && den > 0.0).then(|| {
                    let var = self.m2 / den;
                    if matches!(func, AggFunc::StddevPop | AggFunc::StddevSamp) {
                        var.sqrt()
                    } else {
                        var
                    }
                });
                o.push(v);
            }
            (Kind::Bool(..), Out::Bool(o)) => o.push(self.flag),
            _ => return Err(Error::internal("window aggregate state and output differ")),
        }
        Ok(())
    }

    fn pushed(&self) -> usize {
        match &self.out {
            Out::I64(v) => v.len(),
            Out::OptI64(v) => v.len(),
            Out::F64(v) => v.len(),
            Out::Dec(v) => v.len(),
            Out::Index(v) => v.len(),
            Out::Bool(v) => v.len(),
        }
    }

    /// Reverses the last `k` values (written back to front).
    fn reverse_tail(&mut self, k: usize) {
        fn rev<T>(v: &mut [T], k: usize) {
            let n = v.len();
            v[n - k..].reverse();
        }
        match &mut self.out {
            Out::I64(v) => rev(v, k),
            Out::OptI64(v) => rev(v, k),
            Out::F64(v) => rev(v, k),
            Out::Dec(v) => rev(v, k),
            Out::Index(v) => rev(v, k),
            Out::Bool(v) => rev(v, k),
        }
    }

    fn finish(self) -> Result<ArrayRef> {
        Ok(match (self.out, self.kind) {
            (Out::I64(v), _) => Arc::new(Int64Array::from(v)),
            (Out::OptI64(v), _) => Arc::new(Int64Array::from(v)),
            (Out::F64(v), _) => Arc::new(Float64Array::from(v)),
            (Out::Dec(v), _) => {
                let (p, s) = match self.data_type {
                    DataType::Decimal128(p, s) => (p, s),
                    _ => return Err(Error::internal("decimal window aggregate of another type")),
                };
                Arc::new(Decimal128Array::from(v).with_precision_and_scale(p, s)?)
            }
            (Out::Index(v), Kind::MinMax { values, .. }) => take(values.as_ref(), &UInt32Array::from(v), None)?,
            (Out::Bool(v), _) => Arc::new(BooleanArray::from(v)),
            _ => return Err(Error::internal("window aggregate output")),
        })
    }
}

fn fits(v: i128, p: u8) -> bool {
    v.unsigned_abs() < 10u128.pow(p as u32)
}

/// `v * mul / div` rounded half up (away from zero), None on overflow.
fn div_round_half_up(v: i128, mul: i128, div: i128) -> Option<i128> {
    let num = v.checked_mul(mul)?;
    let q = num / div;
    let r = num % div;
    Some(if r.abs() * 2 >= div.abs() {
        if (num < 0) != (div < 0) {
            q - 1
        } else {
            q + 1
        }
    } else {
        q
    })
}

/// Runs the state over every row's frame, choosing the cheapest way the
/// frame's shape allows.
fn drive(mut state: State, frames: &[(usize, usize)], frame: &Frame) -> Result<ArrayRef> {
    if frame.starts_unbounded() {
        // each partition's frames share their start and grow
        let (mut start, mut next) = (usize::MAX, 0);
        for &(s, e) in frames {
            if s != start || e < next {
                state.reset();
                start = s;
                next = s;
            }
            while next < e {
                state.add(next)?;
                next += 1;
            }
            state.push()?;
        }
    } else if frame.ends_unbounded() && state.order_insensitive() {
        // each partition's frames share their end and shrink: add backwards
        let mut i = 0;
        while i < frames.len() {
            let end = frames[i].1;
            let mut j = i;
            while j < frames.len() && frames[j].1 == end {
                j += 1;
            }
            state.reset();
            let mut next = end;
            for &(s, _) in frames[i..j].iter().rev() {
                while next > s {
                    next -= 1;
                    state.add(next)?;
                }
                state.push()?;
            }
            state.reverse_tail(j - i);
            i = j;
        }
    } else if state.invertible() {
        let (mut lo, mut hi) = (0usize, 0usize);
        for &(s, e) in frames {
            if s >= hi || s < lo || e < hi {
                // a new partition (or frames that do not slide forward)
                state.reset();
                lo = s;
                hi = s;
            }
            while hi < e {
                state.add(hi)?;
                hi += 1;
            }
            while lo < s {
                state.remove(lo)?;
                lo += 1;
            }
            state.push()?;
        }
    } else {
        let mut last: Option<(usize, usize)> = None;
        for &(s, e) in frames {
            if last != Some((s, e)) {
                state.reset();
                for r in s..e {
                    state.add(r)?;
                }
                last = Some((s, e));
            }
            state.push()?;
        }
    }
    if state.pushed() != frames.len() {
        return Err(Error::internal("window aggregate lost rows"));
    }
    state.finish()
}

/// Any aggregate, through the grouped accumulators: one group per distinct
/// frame, fed with the frame's rows.
fn fallback(input: &AggregateInput, frames: &[(usize, usize)]) -> Result<ArrayRef> {
    let mut distinct: Vec<(usize, usize)> = Vec::new();
    let mut group_of_row: Vec<u32> = Vec::with_capacity(frames.len());
    for &f in frames {
        if distinct.last() != Some(&f) {
            distinct.push(f);
        }
        group_of_row.push((distinct.len() - 1) as u32);
    }
    let counts = |r: usize| input.filter.as_ref().is_none_or(|f| f.value(r));
    let converter = accumulator::value_converter(&input.arg_types)?;
    let mut parts: Vec<ArrayRef> = Vec::new();
    let mut first = 0;
    while first < distinct.len() {
        let mut rows: Vec<u32> = Vec::new();
        let mut groups: Vec<u32> = Vec::new();
        let mut g = first;
        while g < distinct.len() && (g == first || rows.len() < FALLBACK_BATCH) {
            let (s, e) = distinct[g];
            for r in s..e {
                if counts(r) {
                    rows.push(r as u32);
                    groups.push((g - first) as u32);
                }
            }
            g += 1;
        }
        let num_groups = g - first;
        let mut acc = accumulator::create(
            input.func,
            &input.arg_types,
            &input.data_type,
            input.distinct,
            input.mode,
            &converter,
        )?;
        let idx = UInt32Array::from(rows);
        let values =
            input.args.iter().map(|a| take(a.as_ref(), &idx, None)).collect::<std::result::Result<Vec<_>, _>>()?;
        acc.update(&ChunkGroups::new(&groups, num_groups), &values, num_groups)?;
        parts.push(acc.evaluate(num_groups)?);
        first = g;
    }
    let per_frame = if parts.len() == 1 {
        parts.remove(0)
    } else {
        let refs: Vec<&dyn Array> = parts.iter().map(|p| p.as_ref()).collect();
        if refs.is_empty() {
            arrow::array::new_empty_array(&input.data_type)
        } else {
            concat(&refs)?
        }
    };
    Ok(take(per_frame.as_ref(), &UInt32Array::from(group_of_row), None)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operator::window::frame::Bound;
    use arrow::datatypes::{Float64Type, Int64Type};
    use ember_core::expr::FrameUnits;

    fn input(func: AggFunc, values: Vec<Option<i64>>, data_type: DataType) -> AggregateInput {
        let a: ArrayRef = Arc::new(Int64Array::from(values));
        AggregateInput {
            func,
            args: vec![a],
            arg_types: vec![DataType::Int64],
            filter: None,
            data_type,
            distinct: false,
            mode: EvalMode::Ansi,
        }
    }

    fn frame(start: Bound, end: Bound) -> Frame {
        Frame { units: FrameUnits::Rows, start, end }
    }

    fn ints(a: &ArrayRef) -> Vec<Option<i64>> {
        a.as_primitive::<Int64Type>().iter().collect()
    }

    #[test]
    fn running_sum_resets_per_partition() {
        let inp = input(AggFunc::Sum, vec![Some(1), Some(2), None, Some(4), Some(5)], DataType::Int64);
        // partitions [0, 3) and [3, 5), frames growing from the start
        let frames = [(0, 1), (0, 2), (0, 3), (3, 4), (3, 5)];
        let f = frame(Bound::UnboundedPreceding, Bound::CurrentRow);
        let out = evaluate(&inp, &frames, &f).unwrap();
        assert_eq!(ints(&out), vec![Some(1), Some(3), Some(3), Some(4), Some(9)]);
    }

    #[test]
    fn shrinking_and_sliding_frames() {
        let inp = input(AggFunc::Sum, vec![Some(1), Some(2), Some(3), Some(4)], DataType::Int64);
        let suffix = [(0, 4), (1, 4), (2, 4), (3, 4)];
        let out = evaluate(&inp, &suffix, &frame(Bound::CurrentRow, Bound::UnboundedFollowing)).unwrap();
        assert_eq!(ints(&out), vec![Some(10), Some(9), Some(7), Some(4)]);
        // ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING, with an empty frame at the end
        let sliding = [(0, 2), (0, 3), (1, 4), (4, 4)];
        let out = evaluate(&inp, &sliding, &frame(Bound::Rows(-1), Bound::Rows(1))).unwrap();
        assert_eq!(ints(&out), vec![Some(3), Some(6), Some(9), None]);
    }

    #[test]
    fn count_and_min_over_frames() {
        let inp = input(AggFunc::Count, vec![Some(5), None, Some(3)], DataType::Int64);
        let frames = [(0, 3), (1, 3), (2, 3)];
        let out = evaluate(&inp, &frames, &frame(Bound::CurrentRow, Bound::UnboundedFollowing)).unwrap();
        assert_eq!(ints(&out), vec![Some(2), Some(1), Some(1)]);
        let inp = input(AggFunc::Min, vec![Some(5), None, Some(3)], DataType::Int64);
        let out = evaluate(&inp, &frames, &frame(Bound::Rows(0), Bound::Rows(5))).unwrap();
        assert_eq!(ints(&out), vec![Some(3), Some(3), Some(3)]);
    }

    #[test]
    fn ansi_overflow_is_an_error() {
        let inp = input(AggFunc::Sum, vec![Some(i64::MAX), Some(1)], DataType::Int64);
        let frames = [(0, 1), (0, 2)];
        let err = evaluate(&inp, &frames, &frame(Bound::UnboundedPreceding, Bound::CurrentRow)).unwrap_err();
        assert_eq!(err.error_class(), Some("ARITHMETIC_OVERFLOW"));
    }

    #[test]
    fn sample_variance_of_one_row_is_null() {
        let a: ArrayRef = Arc::new(Float64Array::from(vec![Some(1.0), Some(3.0)]));
        let inp = AggregateInput {
            func: AggFunc::VarSamp,
            args: vec![a],
            arg_types: vec![DataType::Float64],
            filter: None,
            data_type: DataType::Float64,
            distinct: false,
            mode: EvalMode::Ansi,
        };
        let frames = [(0, 1), (0, 2)];
        let out = evaluate(&inp, &frames, &frame(Bound::UnboundedPreceding, Bound::CurrentRow)).unwrap();
        let v: Vec<Option<f64>> = out.as_primitive::<Float64Type>().iter().collect();
        assert_eq!(v, vec![None, Some(2.0)]);
    }
}
