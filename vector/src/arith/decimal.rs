//! Decimal128 arithmetic with Spark's `DecimalPrecision` results.
//!
//! Inputs may have different precision/scale; the result type is given. Each
//! row is computed exactly, rounded HALF_UP to the result scale and checked
//! against the result precision (Ansi: NUMERIC_VALUE_OUT_OF_RANGE, otherwise
//! NULL). Division follows Spark's `Decimal./`: the quotient is first rounded
//! HALF_UP to scale 38 (`BigDecimal.divide(b, 38, HALF_UP)`), then to the
//! result scale.
//!
//! The reference path works in `i256` row by row. Fast paths for `+ - *` run
//! in `i128` when the types prove the exact result cannot overflow `i128`
//! (TPC-H's decimal(15,2) columns): one loop, a bound check folded into a
//! flag, no per-row branching.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Decimal128Array, Int64Array, PrimitiveArray};
use arrow::datatypes::{i256, DataType, Decimal128Type};
use ember_core::expr::BinaryOp;
use ember_core::{Error, EvalMode, Result};

use super::{binary_flagged, DIV_ZERO, OK, OVERFLOW};
use crate::decimal::{
    div_round_half_up, fits_precision_256, i256_to_string, pow10_256, rescale_256, POW10,
};
use crate::errors::arithmetic_overflow;
use crate::util::{as_primitive, null_out, union_nulls};

/// The result of one decimal operation on one row.
#[derive(Debug, Clone, PartialEq)]
pub enum DecimalOutcome {
    Value(i128),
    /// Does not fit the result precision; the text is the exact value.
    Overflow(String),
    DivideByZero,
}

fn decimal_type(dt: &DataType) -> Result<(u8, i8)> {
    match dt {
        DataType::Decimal128(p, s) => Ok((*p, *s)),
        other => Err(Error::internal(format!(
            "expected a decimal type, got {other}"
        ))),
    }
}

/// `left op right` on decimals into `result_type`.
pub fn decimal_binary(
    op: BinaryOp,
    left: &ArrayRef,
    right: &ArrayRef,
    result_type: &DataType,
    mode: EvalMode,
) -> Result<ArrayRef> {
    let (p1, s1) = decimal_type(left.data_type())?;
    let (p2, s2) = decimal_type(right.data_type())?;
    let (p, s) = decimal_type(result_type)?;
    let l = as_primitive::<Decimal128Type>(left.as_ref())?;
    let r = as_primitive::<Decimal128Type>(right.as_ref())?;
    let fast = match op {
        BinaryOp::Plus | BinaryOp::Minus => add_fast(op, l, r, (p1, s1), (p2, s2), (p, s), mode)?,
        BinaryOp::Multiply => mul_fast(l, r, (p1, s1), (p2, s2), (p, s), mode)?,
        _ => None,
    };
    let out = match fast {
        Some(out) => out,
        None => reference_loop(op, l, r, s1, s2, p, s, mode)?,
    };
    Ok(Arc::new(out.with_precision_and_scale(p, s)?))
}

/// `a + b`/`a - b` in i128 when `max(p1-s1, p2-s2) + 1 + max(s1,s2) <= 38`.
fn add_fast(
    op: BinaryOp,
    l: &Decimal128Array,
    r: &Decimal128Array,
    (p1, s1): (u8, i8),
    (p2, s2): (u8, i8),
    (p, s): (u8, i8),
    mode: EvalMode,
) -> Result<Option<Decimal128Array>> {
    let exact_scale = s1.max(s2);
    let int_digits = (p1 as i32 - s1 as i32).max(p2 as i32 - s2 as i32);
    if s1 < 0 || s2 < 0 || s < 0 || int_digits + 1 + exact_scale as i32 > 38 || s > exact_scale {
        return Ok(None);
    }
    let m1 = POW10[(exact_scale - s1) as usize];
    let m2 = POW10[(exact_scale - s2) as usize];
    let sign: i128 = if op == BinaryOp::Minus { -1 } else { 1 };
    let drop = (exact_scale - s) as usize;
    let bound = POW10[p as usize];
    let err = |i: usize, _| {
        let exact = l
            .value(i)
            .wrapping_mul(m1)
            .wrapping_add(sign.wrapping_mul(r.value(i)).wrapping_mul(m2));
        Error::numeric_value_out_of_range(
            &ember_core::format::decimal_to_string(exact, exact_scale),
            p,
            s,
        )
    };
    let out = if drop == 0 {
        binary_flagged(
            l,
            r,
            |a: i128, b: i128| {
                let v = a
                    .wrapping_mul(m1)
                    .wrapping_add(sign.wrapping_mul(b).wrapping_mul(m2));
                (v, (v >= bound || v <= -bound) as u8 * OVERFLOW)
            },
            mode,
            false,
            err,
        )?
    } else {
        let d = POW10[drop];
        binary_flagged(
            l,
            r,
            |a: i128, b: i128| {
                let v = div_round_half_up(
                    a.wrapping_mul(m1)
                        .wrapping_add(sign.wrapping_mul(b).wrapping_mul(m2)),
                    d,
                );
                (v, (v >= bound || v <= -bound) as u8 * OVERFLOW)
            },
            mode,
            false,
            err,
        )?
    };
    Ok(Some(out))
}

/// `a * b` in i128 when `p1 + p2 <= 38`, so the exact product fits.
fn mul_fast(
    l: &Decimal128Array,
    r: &Decimal128Array,
    (p1, s1): (u8, i8),
    (p2, s2): (u8, i8),
    (p, s): (u8, i8),
    mode: EvalMode,
) -> Result<Option<Decimal128Array>> {
    let exact_scale = s1 as i32 + s2 as i32;
    if p1 as u32 + p2 as u32 > 38 || s1 < 0 || s2 < 0 || s < 0 || s as i32 > exact_scale {
        return Ok(None);
    }
    let drop = (exact_scale - s as i32) as usize;
    let bound = POW10[p as usize];
    let err = |i: usize, _| {
        let exact = l.value(i).wrapping_mul(r.value(i));
        Error::numeric_value_out_of_range(
            &ember_core::format::decimal_to_string(exact, exact_scale as i8),
            p,
            s,
        )
    };
    let out = if drop == 0 {
        binary_flagged(
            l,
            r,
            |a: i128, b: i128| {
                let v = a.wrapping_mul(b);
                (v, (v >= bound || v <= -bound) as u8 * OVERFLOW)
            },
            mode,
            false,
            err,
        )?
    } else {
        let d = POW10[drop];
        binary_flagged(
            l,
            r,
            |a: i128, b: i128| {
                let v = div_round_half_up(a.wrapping_mul(b), d);
                (v, (v >= bound || v <= -bound) as u8 * OVERFLOW)
            },
            mode,
            false,
            err,
        )?
    };
    Ok(Some(out))
}

#[allow(clippy::too_many_arguments)]
fn reference_loop(
    op: BinaryOp,
    l: &Decimal128Array,
    r: &Decimal128Array,
    s1: i8,
    s2: i8,
    p: u8,
    s: i8,
    mode: EvalMode,
) -> Result<Decimal128Array> {
    let nulls = union_nulls(l, r);
    let n = l.len();
    let mut values = vec![0i128; n];
    let mut bad = vec![false; n];
    let mut any_bad = false;
    for i in 0..n {
        if nulls.as_ref().is_some_and(|nb| nb.is_null(i)) {
            continue;
        }
        match decimal_binary_reference(op, l.value(i), s1, r.value(i), s2, p, s) {
            DecimalOutcome::Value(v) => values[i] = v,
            DecimalOutcome::Overflow(text) => {
                if mode == EvalMode::Ansi {
                    return Err(Error::numeric_value_out_of_range(&text, p, s));
                }
                bad[i] = true;
                any_bad = true;
            }
            DecimalOutcome::DivideByZero => {
                if mode == EvalMode::Ansi {
                    return Err(Error::divide_by_zero());
                }
                bad[i] = true;
                any_bad = true;
            }
        }
    }
    let nulls = if any_bad {
        null_out(nulls, &bad.into_iter().collect())
    } else {
        nulls
    };
    Ok(PrimitiveArray::new(values.into(), nulls))
}

fn upscale(v: i128, by: i32) -> Option<i256> {
    i256::from_i128(v).checked_mul(pow10_256(by as u32)?)
}

/// One row of `a op b` computed exactly in `i256`: the scalar reference that
/// the fast paths must agree with.
pub fn decimal_binary_reference(
    op: BinaryOp,
    a: i128,
    s1: i8,
    b: i128,
    s2: i8,
    p: u8,
    s: i8,
) -> DecimalOutcome {
    let (s1, s2, si) = (s1 as i32, s2 as i32, s as i32);
    // exact value and its scale
    let (exact, exact_scale) = match op {
        BinaryOp::Plus | BinaryOp::Minus | BinaryOp::Modulo => {
            let sc = s1.max(s2);
            let (Some(x), Some(y)) = (upscale(a, sc - s1), upscale(b, sc - s2)) else {
                return DecimalOutcome::Overflow("overflow".into());
            };
            let v = match op {
                BinaryOp::Plus => x.wrapping_add(y),
                BinaryOp::Minus => x.wrapping_sub(y),
                _ => {
                    if y == i256::ZERO {
                        return DecimalOutcome::DivideByZero;
                    }
                    x.wrapping_rem(y)
                }
            };
            (v, sc)
        }
        BinaryOp::Multiply => (i256::from_i128(a).wrapping_mul(i256::from_i128(b)), s1 + s2),
        BinaryOp::Divide => {
            if b == 0 {
                return DecimalOutcome::DivideByZero;
            }
            return divide_reference(a, s1, b, s2, p, si);
        }
        _ => {
            return DecimalOutcome::Overflow(format!(
                "unsupported decimal operator {}",
                op.symbol()
            ))
        }
    };
    match rescale_256(exact, exact_scale, si) {
        Some(v) if fits_precision_256(v, p) => DecimalOutcome::Value(v.as_i128()),
        _ => DecimalOutcome::Overflow(i256_to_string(exact, exact_scale)),
    }
}

/// Spark's decimal division: HALF_UP to scale 38, then HALF_UP to `s`.
fn divide_reference(a: i128, s1: i32, b: i128, s2: i32, p: u8, s: i32) -> DecimalOutcome {
    // quotient at scale s: (a * 10^(s + s2 - s1)) / b
    let e = s + s2 - s1;
    let (n, d) = if e >= 0 {
        match upscale(a, e) {
            Some(n) => (n, i256::from_i128(b)),
            None => return DecimalOutcome::Overflow(approx_quotient(a, s1, b, s2)),
        }
    } else {
        match upscale(b, -e) {
            Some(d) => (i256::from_i128(a), d),
            None => return DecimalOutcome::Value(0),
        }
    };
    let (q, rem) = n.wrapping_div_rem(d);
    let rem = rem.wrapping_abs();
    let dabs = d.wrapping_abs();
    let up = if s >= 38 {
        rem.wrapping_mul(i256::from_i128(2)) >= dabs
    } else {
        // the 38-digit rounding rounds the fraction f = rem/d up to 1/2 iff
        // f >= 1/2 - 1/(2 * 10^t), i.e. (d - 2 rem) * 10^t <= d
        let g = dabs.wrapping_sub(rem.wrapping_mul(i256::from_i128(2)));
        if g <= i256::ZERO {
            true
        } else {
            match pow10_256((38 - s) as u32).and_then(|t| g.checked_mul(t)) {
                Some(x) => x <= dabs,
                None => false,
            }
        }
    };
    let negative = n.is_negative() != d.is_negative();
    let q = if up {
        if negative {
            q.wrapping_sub(i256::ONE)
        } else {
            q.wrapping_add(i256::ONE)
        }
    } else {
        q
    };
    if fits_precision_256(q, p) {
        DecimalOutcome::Value(q.as_i128())
    } else {
        DecimalOutcome::Overflow(i256_to_string(q, s))
    }
}

fn approx_quotient(a: i128, s1: i32, b: i128, s2: i32) -> String {
    let x =
        crate::decimal::decimal_to_f64(a, s1 as i8) / crate::decimal::decimal_to_f64(b, s2 as i8);
    ember_core::format::java_double(x)
}

/// `div` on decimals: the integral part of the quotient as a long.
pub(crate) fn decimal_int_divide(
    left: &ArrayRef,
    right: &ArrayRef,
    mode: EvalMode,
) -> Result<ArrayRef> {
    let (_, s1) = decimal_type(left.data_type())?;
    let (_, s2) = decimal_type(right.data_type())?;
    let l = as_primitive::<Decimal128Type>(left.as_ref())?;
    let r = as_primitive::<Decimal128Type>(right.as_ref())?;
    let sc = s1.max(s2) as i32;
    let out: Int64Array = binary_flagged(
        l,
        r,
        |a: i128, b: i128| {
            if b == 0 {
                return (0, DIV_ZERO);
            }
            match (upscale(a, sc - s1 as i32), upscale(b, sc - s2 as i32)) {
                (Some(x), Some(y)) => {
                    let q = x.wrapping_div(y);
                    match q.to_i128().and_then(|v| i64::try_from(v).ok()) {
                        Some(v) => (v, OK),
                        None => (q.as_i128() as i64, OVERFLOW),
                    }
                }
                _ => (0, OVERFLOW),
            }
        },
        mode,
        true,
        |_, flag| {
            if flag == DIV_ZERO {
                Error::divide_by_zero()
            } else {
                arithmetic_overflow("Overflow in integral divide", "try_divide")
            }
        },
    )?;
    Ok(Arc::new(out))
}
