//! Binary arithmetic and negation with Spark semantics.
//!
//! Kernels run one tight loop that computes every row and ORs a per-row
//! outcome flag (overflow, division by zero) into one accumulator. Only when
//! the accumulator is set does a second pass find the offending valid rows and
//! apply the eval mode: raise (Ansi), NULL (Try, and Legacy for division by
//! zero and decimal overflow) or keep the wrapped value (Legacy integers).

mod decimal;
mod float;
mod integer;

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, PrimitiveArray};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use arrow::datatypes::*;
use ember_core::expr::BinaryOp;
use ember_core::{Error, EvalMode, Result};

use crate::tz::TimeZone;
use crate::util::{check_same_len, first_set, null_out, union_nulls};

pub use decimal::{decimal_binary, decimal_binary_literal, decimal_binary_reference, DecimalOutcome};

/// Row outcome flags.
pub(crate) const OK: u8 = 0;
pub(crate) const OVERFLOW: u8 = 1;
pub(crate) const DIV_ZERO: u8 = 2;

/// `left op right` where both sides were coerced by the analyzer, in a UTC
/// session.
pub fn binary(
    op: BinaryOp,
    left: &ArrayRef,
    right: &ArrayRef,
    result_type: &DataType,
    mode: EvalMode,
) -> Result<ArrayRef> {
    binary_in_zone(op, left, right, result_type, mode, crate::tz::utc())
}

/// `left op right`; `tz`, the session time zone, measures `TIMESTAMP -
/// TIMESTAMP` between wall-clock times as Spark does.
pub fn binary_in_zone(
    op: BinaryOp,
    left: &ArrayRef,
    right: &ArrayRef,
    result_type: &DataType,
    mode: EvalMode,
    tz: &TimeZone,
) -> Result<ArrayRef> {
    check_same_len(left, right)?;
    let lt = left.data_type();
    let rt = right.data_type();
    if matches!(lt, DataType::Null) || matches!(rt, DataType::Null) {
        return Ok(arrow::array::new_null_array(result_type, left.len()));
    }
    match (lt, rt) {
        (DataType::Decimal128(_, _), DataType::Decimal128(_, _)) => {
            if op == BinaryOp::IntDivide {
                return decimal::decimal_int_divide(left, right, mode);
            }
            decimal_binary(op, left, right, result_type, mode)
        }
        _ if op == BinaryOp::IntDivide => {
            // `div` is long division; narrower integers widen losslessly
            let l = arrow::compute::cast(left, &DataType::Int64)?;
            let r = arrow::compute::cast(right, &DataType::Int64)?;
            integer::int_binary::<Int64Type>(op, &l, &r, mode)
        }
        (DataType::Int8, DataType::Int8) => integer::int_binary::<Int8Type>(op, left, right, mode),
        (DataType::Int16, DataType::Int16) => integer::int_binary::<Int16Type>(op, left, right, mode),
        (DataType::Int32, DataType::Int32) => integer::int_binary::<Int32Type>(op, left, right, mode),
        (DataType::Int64, DataType::Int64) => integer::int_binary::<Int64Type>(op, left, right, mode),
        (DataType::Float32, DataType::Float32) => float::float_binary::<Float32Type>(op, left, right, mode),
        (DataType::Float64, DataType::Float64) => float::float_binary::<Float64Type>(op, left, right, mode),
        (DataType::Interval(IntervalUnit::YearMonth), DataType::Interval(IntervalUnit::YearMonth)) => {
            let l = reinterpret::<IntervalYearMonthType, Int32Type>(left)?;
            let r = reinterpret::<IntervalYearMonthType, Int32Type>(right)?;
            let out = integer::int_binary::<Int32Type>(op, &l, &r, mode)?;
            reinterpret::<Int32Type, IntervalYearMonthType>(&out)
        }
        (DataType::Duration(TimeUnit::Microsecond), DataType::Duration(TimeUnit::Microsecond)) => {
            let l = reinterpret::<DurationMicrosecondType, Int64Type>(left)?;
            let r = reinterpret::<DurationMicrosecondType, Int64Type>(right)?;
            let out = integer::int_binary::<Int64Type>(op, &l, &r, mode)?;
            reinterpret::<Int64Type, DurationMicrosecondType>(&out)
        }
        (DataType::Date32, DataType::Date32) if op == BinaryOp::Minus => {
            // Spark's `subtractDates` as a day-time interval: whole days
            let l = crate::util::as_primitive::<Date32Type>(left.as_ref())?;
            let r = crate::util::as_primitive::<Date32Type>(right.as_ref())?;
            let out: PrimitiveArray<DurationMicrosecondType> = arrow::compute::kernels::arity::binary(l, r, |a, b| {
                (a as i64 - b as i64) * crate::temporal::MICROS_PER_DAY
            })?;
            Ok(Arc::new(out))
        }
        (DataType::Timestamp(TimeUnit::Microsecond, lz), DataType::Timestamp(TimeUnit::Microsecond, _))
            if op == BinaryOp::Minus =>
        {
            // Spark's `subtractTimestamps`: microseconds between the wall
            // clocks (TIMESTAMP_NTZ values are wall clocks already)
            let zone = if lz.is_some() { tz } else { crate::tz::utc() };
            let l = crate::util::as_primitive::<TimestampMicrosecondType>(left.as_ref())?;
            let r = crate::util::as_primitive::<TimestampMicrosecondType>(right.as_ref())?;
            let overflow = std::cell::Cell::new(false);
            let diff = |a: i64, b: i64| {
                if zone.is_utc() {
                    a.checked_sub(b)
                } else {
                    zone.to_local(a).checked_sub(zone.to_local(b))
                }
            };
            let out: PrimitiveArray<DurationMicrosecondType> = arrow::compute::kernels::arity::binary(l, r, |a, b| {
                diff(a, b).unwrap_or_else(|| {
                    overflow.set(true);
                    0
                })
            })?;
            if overflow.get() {
                let bad = BooleanBuffer::collect_bool(l.len(), |i| {
                    l.is_valid(i) && r.is_valid(i) && diff(l.value(i), r.value(i)).is_none()
                });
                if bad.count_set_bits() > 0 && mode != EvalMode::Try {
                    return Err(crate::errors::arithmetic_overflow("long overflow", ""));
                }
                let nulls = null_out(out.nulls().cloned(), &bad);
                return Ok(Arc::new(PrimitiveArray::<DurationMicrosecondType>::new(out.values().clone(), nulls)));
            }
            Ok(Arc::new(out))
        }
        _ => Err(Error::internal(format!("no arithmetic kernel for {lt} {} {rt}", op.symbol()))),
    }
}

/// Unary minus: Ansi raises on the minimum integer, Legacy wraps, Try NULLs.
pub fn negate(a: &ArrayRef, mode: EvalMode) -> Result<ArrayRef> {
    match a.data_type() {
        DataType::Null => Ok(a.clone()),
        DataType::Int8 => integer::int_negate::<Int8Type>(a, mode),
        DataType::Int16 => integer::int_negate::<Int16Type>(a, mode),
        DataType::Int32 => integer::int_negate::<Int32Type>(a, mode),
        DataType::Int64 => integer::int_negate::<Int64Type>(a, mode),
        DataType::Float32 => float::float_negate::<Float32Type>(a),
        DataType::Float64 => float::float_negate::<Float64Type>(a),
        DataType::Decimal128(p, s) => {
            let arr = crate::util::as_primitive::<Decimal128Type>(a.as_ref())?;
            let out: PrimitiveArray<Decimal128Type> = arr.unary(|v: i128| v.wrapping_neg());
            Ok(Arc::new(out.with_precision_and_scale(*p, *s)?))
        }
        DataType::Interval(IntervalUnit::YearMonth) => {
            let v = reinterpret::<IntervalYearMonthType, Int32Type>(a)?;
            reinterpret::<Int32Type, IntervalYearMonthType>(&integer::int_negate::<Int32Type>(&v, mode)?)
        }
        DataType::Duration(TimeUnit::Microsecond) => {
            let v = reinterpret::<DurationMicrosecondType, Int64Type>(a)?;
            reinterpret::<Int64Type, DurationMicrosecondType>(&integer::int_negate::<Int64Type>(&v, mode)?)
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let arr = crate::util::as_primitive::<IntervalMonthDayNanoType>(a.as_ref())?;
            let out: PrimitiveArray<IntervalMonthDayNanoType> = arr.unary(|v: IntervalMonthDayNano| {
                IntervalMonthDayNano::new(v.months.wrapping_neg(), v.days.wrapping_neg(), v.nanoseconds.wrapping_neg())
            });
            Ok(Arc::new(out))
        }
        other => Err(Error::internal(format!("no negation kernel for {other}"))),
    }
}

/// Reinterprets a primitive array as another primitive type of the same width.
fn reinterpret<A: ArrowPrimitiveType, B: ArrowPrimitiveType<Native = A::Native>>(a: &ArrayRef) -> Result<ArrayRef> {
    let arr = crate::util::as_primitive::<A>(a.as_ref())?;
    Ok(Arc::new(PrimitiveArray::<B>::new(arr.values().clone(), arr.nulls().cloned())))
}

/// Runs `f` over two primitive arrays row by row, then applies `mode` to the
/// flagged rows. `legacy_wraps`: Legacy keeps overflowed values instead of
/// NULL. `err` builds the Ansi error of a row from its index and flag.
pub(crate) fn binary_flagged<A, B, O, F, E>(
    l: &PrimitiveArray<A>,
    r: &PrimitiveArray<B>,
    f: F,
    mode: EvalMode,
    legacy_wraps: bool,
    err: E,
) -> Result<PrimitiveArray<O>>
where
    A: ArrowPrimitiveType,
    B: ArrowPrimitiveType,
    O: ArrowPrimitiveType,
    F: Fn(A::Native, B::Native) -> (O::Native, u8),
    E: Fn(usize, u8) -> Error,
{
    let nulls = union_nulls(l, r);
    let (lv, rv) = (l.values(), r.values());
    let mut any = OK;
    let values: Vec<O::Native> = lv
        .iter()
        .zip(rv.iter())
        .map(|(&a, &b)| {
            let (v, flag) = f(a, b);
            any |= flag;
            v
        })
        .collect();
    if any == OK {
        return Ok(PrimitiveArray::new(values.into(), nulls));
    }
    resolve_flags(values, nulls, |i| f(lv[i], rv[i]).1, mode, legacy_wraps, err)
}

/// Unary version of [`binary_flagged`].
pub(crate) fn unary_flagged<A, O, F, E>(
    a: &PrimitiveArray<A>,
    f: F,
    mode: EvalMode,
    legacy_wraps: bool,
    err: E,
) -> Result<PrimitiveArray<O>>
where
    A: ArrowPrimitiveType,
    O: ArrowPrimitiveType,
    F: Fn(A::Native) -> (O::Native, u8),
    E: Fn(usize, u8) -> Error,
{
    let nulls = a.nulls().cloned();
    let av = a.values();
    let mut any = OK;
    let values: Vec<O::Native> = av
        .iter()
        .map(|&x| {
            let (v, flag) = f(x);
            any |= flag;
            v
        })
        .collect();
    if any == OK {
        return Ok(PrimitiveArray::new(values.into(), nulls));
    }
    resolve_flags(values, nulls, |i| f(av[i]).1, mode, legacy_wraps, err)
}

/// The second pass: which valid rows failed, and what the mode makes of them.
pub(crate) fn resolve_flags<O, G, E>(
    values: Vec<O::Native>,
    nulls: Option<NullBuffer>,
    flag_of: G,
    mode: EvalMode,
    legacy_wraps: bool,
    err: E,
) -> Result<PrimitiveArray<O>>
where
    O: ArrowPrimitiveType,
    G: Fn(usize) -> u8,
    E: Fn(usize, u8) -> Error,
{
    let bad = BooleanBuffer::collect_bool(values.len(), |i| {
        if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
            return false;
        }
        match flag_of(i) {
            OK => false,
            OVERFLOW => !(legacy_wraps && mode == EvalMode::Legacy),
            _ => true,
        }
    });
    let Some(first) = first_set(&bad) else {
        return Ok(PrimitiveArray::new(values.into(), nulls));
    };
    if mode == EvalMode::Ansi {
        return Err(err(first, flag_of(first)));
    }
    Ok(PrimitiveArray::new(values.into(), null_out(nulls, &bad)))
}

/// Spark's `try_*` function suggested for an operator's overflow.
pub(crate) fn try_hint(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Plus => "try_add",
        BinaryOp::Minus => "try_subtract",
        BinaryOp::Multiply => "try_multiply",
        BinaryOp::Divide | BinaryOp::IntDivide => "try_divide",
        BinaryOp::Modulo => "try_mod",
        _ => "",
    }
}

#[cfg(test)]
mod tests;
