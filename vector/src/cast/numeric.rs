//! Casts among boolean, integers, floating point and decimals.
//!
//! Spark's rules: integer narrowing wraps in Legacy (two's complement
//! truncation) and raises CAST_OVERFLOW in Ansi; float -> integer truncates
//! toward zero, saturates in Legacy for int/bigint (Java's `(int) d`, NaN ->
//! 0) and goes through int for tinyint/smallint (`d.toInt.toByte`), and in
//! Ansi accepts values whose floor/ceil lie in range; decimal -> integer
//! truncates; anything -> decimal rounds HALF_UP and NULLs (Legacy) or raises
//! NUMERIC_VALUE_OUT_OF_RANGE (Ansi) when the precision is exceeded.

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, PrimitiveArray};
use arrow::buffer::BooleanBuffer;
use arrow::datatypes::*;
use ember_core::{EvalMode, Result};

use super::{arc, cast_error, map_primitive, unsupported, CastFail};
use crate::decimal::{decimal_to_f64, f64_to_decimal, fits_precision, rescale, ParseDecimalError, Rounding, POW10};

pub(super) fn cast_numeric(a: &ArrayRef, to: &DataType, mode: EvalMode) -> Result<ArrayRef> {
    match to {
        DataType::Boolean => to_bool(a),
        DataType::Int8 => to_int::<Int8Type>(a, to, mode),
        DataType::Int16 => to_int::<Int16Type>(a, to, mode),
        DataType::Int32 => to_int::<Int32Type>(a, to, mode),
        DataType::Int64 => to_int::<Int64Type>(a, to, mode),
        DataType::Float32 => {
            let d = to_f64(a)?;
            Ok(arc(d.unary::<_, Float32Type>(|x| x as f32)))
        }
        DataType::Float64 => Ok(arc(to_f64(a)?)),
        DataType::Decimal128(p, s) => to_decimal(a, *p, *s, mode),
        _ => Err(unsupported(a.data_type(), to)),
    }
}

/// Integer targets of a cast.
pub(crate) trait IntTarget: Copy + Default {
    const MIN: i64;
    const MAX: i64;
    fn wrap(v: i64) -> Self;
    /// Java's `(T) d` in Legacy mode.
    fn legacy_from_f64(d: f64) -> Self;
    fn from_f64_truncated(d: f64) -> Self;
}

macro_rules! int_target {
    ($t:ty, $legacy:expr) => {
        impl IntTarget for $t {
            const MIN: i64 = <$t>::MIN as i64;
            const MAX: i64 = <$t>::MAX as i64;
            #[inline(always)]
            fn wrap(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn legacy_from_f64(d: f64) -> Self {
                let f: fn(f64) -> $t = $legacy;
                f(d)
            }
            #[inline(always)]
            fn from_f64_truncated(d: f64) -> Self {
                d as $t
            }
        }
    };
}

int_target!(i8, |d| (d as i32) as i8);
int_target!(i16, |d| (d as i32) as i16);
int_target!(i32, |d| d as i32);
int_target!(i64, |d| d as i64);

#[inline(always)]
fn int_from_i64<N: IntTarget>(v: i64, mode: EvalMode) -> Result<N, CastFail> {
    if (N::MIN..=N::MAX).contains(&v) || mode == EvalMode::Legacy {
        Ok(N::wrap(v))
    } else {
        Err(CastFail::Overflow)
    }
}

#[inline(always)]
fn int_from_f64<N: IntTarget>(d: f64, mode: EvalMode) -> Result<N, CastFail> {
    if mode == EvalMode::Legacy {
        return Ok(N::legacy_from_f64(d));
    }
    if d.floor() <= N::MAX as f64 && d.ceil() >= N::MIN as f64 {
        Ok(N::from_f64_truncated(d))
    } else {
        Err(CastFail::Overflow)
    }
}

fn to_int<T>(a: &ArrayRef, to: &DataType, mode: EvalMode) -> Result<ArrayRef>
where
    T: ArrowPrimitiveType,
    T::Native: IntTarget,
{
    let err = |i: usize, fail: CastFail| cast_error(a.as_ref(), i, to, fail);
    let out: PrimitiveArray<T> = match a.data_type() {
        DataType::Boolean => {
            let b = a.as_boolean();
            let vals: Vec<T::Native> = (0..b.len()).map(|i| T::Native::wrap(b.value(i) as i64)).collect();
            PrimitiveArray::new(vals.into(), b.nulls().cloned())
        }
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => {
            let wide = arrow::compute::cast(a, &DataType::Int64)?;
            map_primitive(wide.as_primitive::<Int64Type>(), mode, |v| int_from_i64::<T::Native>(v, mode), err)?
        }
        DataType::Float32 => {
            map_primitive(a.as_primitive::<Float32Type>(), mode, |v| int_from_f64::<T::Native>(v as f64, mode), err)?
        }
        DataType::Float64 => {
            map_primitive(a.as_primitive::<Float64Type>(), mode, |v| int_from_f64::<T::Native>(v, mode), err)?
        }
        DataType::Decimal128(_, s) => {
            let s = *s;
            map_primitive(
                a.as_primitive::<Decimal128Type>(),
                mode,
                |v| {
                    let t = crate::decimal::div_pow10(v, s.max(0) as u32, Rounding::Down);
                    match i64::try_from(t) {
                        Ok(x) => int_from_i64::<T::Native>(x, mode),
                        Err(_) if mode == EvalMode::Legacy => Ok(T::Native::wrap(t as i64)),
                        Err(_) => Err(CastFail::Overflow),
                    }
                },
                err,
            )?
        }
        other => return Err(unsupported(other, to)),
    };
    Ok(arc(out))
}

/// Any numeric or boolean array as doubles (exact for Spark's purposes).
pub(crate) fn to_f64(a: &ArrayRef) -> Result<PrimitiveArray<Float64Type>> {
    Ok(match a.data_type() {
        DataType::Boolean => {
            let b = a.as_boolean();
            let vals: Vec<f64> = (0..b.len()).map(|i| b.value(i) as u8 as f64).collect();
            PrimitiveArray::new(vals.into(), b.nulls().cloned())
        }
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::Float32
        | DataType::Float64 => arrow::compute::cast(a, &DataType::Float64)?.as_primitive::<Float64Type>().clone(),
        DataType::Decimal128(_, s) => {
            let s = *s;
            a.as_primitive::<Decimal128Type>().unary(|v| decimal_to_f64(v, s))
        }
        other => return Err(unsupported(other, &DataType::Float64)),
    })
}

fn to_bool(a: &ArrayRef) -> Result<ArrayRef> {
    let n = a.len();
    let values = match a.data_type() {
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => {
            let w = arrow::compute::cast(a, &DataType::Int64)?;
            let v = w.as_primitive::<Int64Type>().values().clone();
            BooleanBuffer::collect_bool(n, |i| v[i] != 0)
        }
        DataType::Float32 | DataType::Float64 => {
            let w = to_f64(a)?;
            let v = w.values();
            BooleanBuffer::collect_bool(n, |i| v[i] != 0.0)
        }
        DataType::Decimal128(_, _) => {
            let v = a.as_primitive::<Decimal128Type>().values();
            BooleanBuffer::collect_bool(n, |i| v[i] != 0)
        }
        other => return Err(unsupported(other, &DataType::Boolean)),
    };
    Ok(arc(BooleanArray::new(values, a.logical_nulls())))
}

fn to_decimal(a: &ArrayRef, p: u8, s: i8, mode: EvalMode) -> Result<ArrayRef> {
    let to = DataType::Decimal128(p, s);
    let err = |i: usize, fail: CastFail| cast_error(a.as_ref(), i, &to, fail);
    let check = move |v: Option<i128>| match v {
        Some(v) if fits_precision(v, p) => Ok(v),
        _ => Err(CastFail::DecimalOverflow),
    };
    let scale_up = |v: i128| {
        if s >= 0 {
            v.checked_mul(POW10[s as usize])
        } else {
            Some(crate::decimal::div_pow10(v, (-s) as u32, Rounding::HalfUp))
        }
    };
    let out: PrimitiveArray<Decimal128Type> = match a.data_type() {
        DataType::Boolean => {
            let as_int = arrow::compute::cast(a, &DataType::Int64)?;
            return to_decimal(&as_int, p, s, mode);
        }
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => {
            let wide = arrow::compute::cast(a, &DataType::Int64)?;
            map_primitive(wide.as_primitive::<Int64Type>(), mode, |v| check(scale_up(v as i128)), err)?
        }
        DataType::Float32 | DataType::Float64 => {
            let d = to_f64(a)?;
            map_primitive(
                &d,
                mode,
                |x| match f64_to_decimal(x, p, s) {
                    Ok(v) => Ok(v),
                    Err(ParseDecimalError::Invalid) => Err(CastFail::Invalid),
                    Err(ParseDecimalError::Overflow) => Err(CastFail::DecimalOverflow),
                },
                err,
            )?
        }
        DataType::Decimal128(_, s0) => {
            let s0 = *s0;
            map_primitive(
                a.as_primitive::<Decimal128Type>(),
                mode,
                |v| check(rescale(v, s0, s, Rounding::HalfUp)),
                err,
            )?
        }
        other => return Err(unsupported(other, &to)),
    };
    Ok(arc(out.with_precision_and_scale(p, s)?))
}
