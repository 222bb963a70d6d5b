//! Decimal128 arithmetic with Spark's `DecimalPrecision` results.
//!
//! Inputs may have different precision/scale; the result type is given. Each
//! row is computed exactly, rounded HALF_UP to the result scale and checked
//! against the result precision (Ansi: NUMERIC_VALUE_OUT_OF_RANGE, otherwise
//! NULL). Division follows Spark's `Decimal./`: the quotient is first rounded
//! HALF_UP to scale 38 (`BigDecimal.divide(b, 38, HALF_UP)`), then to the
//! result scale; multiplication rounds a product of more than 38 significant
//! digits to 38 first (`multiply(b, MathContext(38, HALF_UP))`).
//!
//! [`decimal_binary_reference`] computes one row exactly in `i256`. The
//! kernels run an `i128` fast path over all rows: when the types prove that
//! nothing can overflow `i128` (TPC-H's decimal(15,2) products) the loop is
//! straight-line arithmetic plus a bound check folded into a flag; otherwise
//! it uses checked operations and flags the rows it cannot finish in `i128`.
//! A second pass, only when some flag is set, hands the flagged valid rows to
//! the reference, which decides their value or error.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Decimal128Array, Int64Array, PrimitiveArray};
use arrow::buffer::ScalarBuffer;
use arrow::datatypes::{i256, DataType, Decimal128Type};
use ember_core::expr::BinaryOp;
use ember_core::{Error, EvalMode, Result};

use super::{binary_flagged, DIV_ZERO, OK, OVERFLOW};
use crate::decimal::{div_round_half_up, fits_precision_256, i256_to_string, pow10_256, rescale_256, POW10};
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

/// Fast-path flag: the row needs the exact reference.
const CHECK: u8 = 4;

fn decimal_type(dt: &DataType) -> Result<(u8, i8)> {
    match dt {
        DataType::Decimal128(p, s) => Ok((*p, *s)),
        other => Err(Error::internal(format!("expected a decimal type, got {other}"))),
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
    let reference = |a: i128, b: i128| decimal_binary_reference(op, a, s1, b, s2, p, s);
    let bound = POW10[p as usize];
    let out_of_bounds = move |v: i128| (v >= bound || v <= -bound) as u8 * OVERFLOW;
    if s1 < 0 || s2 < 0 || s < 0 {
        return finish(run(l, r, |_, _| (0, CHECK), reference, mode, p, s)?, p, s);
    }
    let out = match op {
        BinaryOp::Plus | BinaryOp::Minus => {
            let exact_scale = s1.max(s2);
            let m1 = POW10[(exact_scale - s1) as usize];
            let m2 = POW10[(exact_scale - s2) as usize];
            let sign: i128 = if op == BinaryOp::Minus { -1 } else { 1 };
            let int_digits = (p1 as i32 - s1 as i32).max(p2 as i32 - s2 as i32);
            let exact_fits = int_digits + 1 + exact_scale as i32 <= 38;
            if exact_fits && s == exact_scale && s1 == s2 {
                // same scales: no rescaling multiply
                if let Some(out) = add_narrow(l, r, sign < 0, bound) {
                    return finish(out, p, s);
                }
                run(
                    l,
                    r,
                    |a, b| {
                        let v = if sign < 0 { a.wrapping_sub(b) } else { a.wrapping_add(b) };
                        (v, out_of_bounds(v))
                    },
                    reference,
                    mode,
                    p,
                    s,
                )?
            } else if exact_fits && s == exact_scale {
                run(
                    l,
                    r,
                    |a, b| {
                        let v = a.wrapping_mul(m1).wrapping_add(sign.wrapping_mul(b).wrapping_mul(m2));
                        (v, out_of_bounds(v))
                    },
                    reference,
                    mode,
                    p,
                    s,
                )?
            } else {
                let adjust = Rescale::new(exact_scale, s);
                run(
                    l,
                    r,
                    |a, b| {
                        let exact =
                            a.checked_mul(m1).and_then(|x| b.checked_mul(sign * m2).and_then(|y| x.checked_add(y)));
                        match exact.and_then(|x| adjust.apply(x)) {
                            Some(v) => (v, out_of_bounds(v)),
                            None => (0, CHECK),
                        }
                    },
                    reference,
                    mode,
                    p,
                    s,
                )?
            }
        }
        BinaryOp::Multiply => {
            let exact_scale = s1 + s2;
            if s == exact_scale {
                if let Some(out) = multiply_narrow(l, r, bound) {
                    return finish(out, p, s);
                }
            }
            if p1 as u32 + p2 as u32 <= 38 && s == exact_scale {
                run(
                    l,
                    r,
                    |a, b| {
                        let v = a.wrapping_mul(b);
                        (v, out_of_bounds(v))
                    },
                    reference,
                    mode,
                    p,
                    s,
                )?
            } else {
                let adjust = Rescale::new(exact_scale, s);
                run(
                    l,
                    r,
                    // products of 39+ digits are first rounded to 38 significant
                    // digits by Spark: leave those to the reference
                    |a, b| match a
                        .checked_mul(b)
                        .filter(|x| x.unsigned_abs() < POW10[38] as u128)
                        .and_then(|x| adjust.apply(x))
                    {
                        Some(v) => (v, out_of_bounds(v)),
                        None => (0, CHECK),
                    },
                    reference,
                    mode,
                    p,
                    s,
                )?
            }
        }
        BinaryOp::Divide => {
            let e = s as i32 + s2 as i32 - s1 as i32;
            // 10^(38 - s) for the scale-38 intermediate rounding; 0 when s = 38
            let t = if s < 38 { POW10[(38 - s) as usize] } else { 0 };
            if !(0..=38).contains(&e) {
                run(l, r, |_, _| (0, CHECK), reference, mode, p, s)?
            } else {
                let m = POW10[e as usize];
                run(
                    l,
                    r,
                    |a, b| match divide_fast(a, b, m, t) {
                        Some(v) => (v, out_of_bounds(v)),
                        None => (0, CHECK),
                    },
                    reference,
                    mode,
                    p,
                    s,
                )?
            }
        }
        _ => run(l, r, |_, _| (0, CHECK), reference, mode, p, s)?,
    };
    finish(out, p, s)
}

fn finish(out: Decimal128Array, p: u8, s: i8) -> Result<ArrayRef> {
    Ok(Arc::new(out.with_precision_and_scale(p, s)?))
}

/// HALF_UP division of `a * m` by `b` in i128 with Spark's scale-38
/// intermediate rounding (`t` = 10^(38 - s), 0 when s = 38); `None` when it
/// cannot be done in i128 (or `b` is 0), for the reference to decide.
#[inline]
fn divide_fast(a: i128, b: i128, m: i128, t: i128) -> Option<i128> {
    if b == 0 {
        return None;
    }
    let n = a.checked_mul(m)?;
    let q = n / b;
    let rem = (n % b).abs();
    let babs = b.abs();
    let twice = rem.checked_mul(2)?;
    let up = if t == 0 {
        twice >= babs
    } else {
        let g = babs - twice;
        // g * 10^t overflowing means it exceeds |b|
        g <= 0 || g.checked_mul(t).is_some_and(|x| x <= babs)
    };
    let neg = (n < 0) != (b < 0);
    Some(if up { q + if neg { -1 } else { 1 } } else { q })
}

/// Moves an exact value from its scale to the result scale in i128.
#[derive(Clone, Copy)]
struct Rescale {
    /// divide by this with HALF_UP (1: no-op)
    down: i128,
    /// multiply by this (1: no-op)
    up: i128,
    /// the scale difference is beyond 38 digits
    too_far: bool,
}

impl Rescale {
    fn new(from: i8, to: i8) -> Rescale {
        let diff = to as i32 - from as i32;
        let too_far = diff.abs() > 38;
        let k = diff.unsigned_abs().min(38) as usize;
        if diff >= 0 {
            Rescale { down: 1, up: POW10[k], too_far }
        } else {
            Rescale { down: POW10[k], up: 1, too_far }
        }
    }

    #[inline(always)]
    fn apply(self, x: i128) -> Option<i128> {
        if self.too_far {
            return None;
        }
        if self.down != 1 {
            Some(div_round_half_up(x, self.down))
        } else {
            x.checked_mul(self.up)
        }
    }
}

/// A bound of the absolute values of a chunk when every value fits in an
/// `i64`: `|v| <= bound` for each; `None` when some value does not fit.
/// NULL slots count too: their values are arbitrary, and only make the
/// bound looser.
///
/// It reads the values as their 64-bit halves (low, then high: arrow's
/// little-endian layout) and ORs one's-complement magnitudes (`v ^ (v >>
/// 63)`, one less than `|v|` for negatives), with the sign taken by a
/// logical shift: every step is a 64-bit lane operation, so the loop
/// vectorizes, where `i128` compares would not.
fn narrow_bound(values: &ScalarBuffer<i128>) -> Option<u128> {
    let words: &[u64] = values.inner().typed_data::<u64>();
    let (mut wide, mut bits) = (0u64, 0u64);
    for pair in words.chunks_exact(2) {
        let (low, high) = (pair[0], pair[1]);
        let negative = low >> 63;
        // a value fits when its high half only repeats its sign: 0 for a
        // non-negative low half, all ones (0 once 1 is added) otherwise
        wide |= high.wrapping_add(negative);
        bits |= low ^ 0u64.wrapping_sub(negative);
    }
    (wide == 0).then_some(bits as u128 + 1)
}

/// `f` on the low 64-bit halves of two chunks when every value of both
/// fits in an `i64` and `fits(a, b)` holds for their bounds (see
/// `narrow_bound`); `None` otherwise.
fn narrow_binary(
    l: &Decimal128Array,
    r: &Decimal128Array,
    f: impl Fn(i64, i64) -> i64,
    fits: impl Fn(u128, u128) -> bool,
) -> Option<Decimal128Array> {
    let (lb, rb) = (narrow_bound(l.values())?, narrow_bound(r.values())?);
    if !fits(lb, rb) {
        return None;
    }
    let values: Vec<i128> =
        l.values().iter().zip(r.values().iter()).map(|(a, b)| f(*a as i64, *b as i64) as i128).collect();
    Some(PrimitiveArray::new(values.into(), union_nulls(l, r)))
}

/// `f` on the low 64-bit halves of a chunk's values and of `literal`, with
/// the same conditions as `narrow_binary`.
pub(super) fn narrow_with_literal(
    a: &Decimal128Array,
    literal: i128,
    f: impl Fn(i64, i64) -> i64,
    fits: impl Fn(u128, u128) -> bool,
) -> Option<Decimal128Array> {
    let lit = i64::try_from(literal).ok()?;
    if !fits(narrow_bound(a.values())?, lit.unsigned_abs() as u128) {
        return None;
    }
    let values: Vec<i128> = a.values().iter().map(|v| f(*v as i64, lit) as i128).collect();
    Some(PrimitiveArray::new(values.into(), a.logical_nulls()))
}

/// `left op right` where one side is a literal (`literal`, of decimal type
/// `literal_type`; on the left when `literal_left`), into `result_type`:
/// TPC-H's `1 - l_discount`. Where the values allow, the literal is
/// applied to each row in 64 bits without being spread into an array;
/// otherwise it is, for `decimal_binary`.
pub fn decimal_binary_literal(
    op: BinaryOp,
    array: &ArrayRef,
    literal: i128,
    literal_type: &DataType,
    literal_left: bool,
    result_type: &DataType,
    mode: EvalMode,
) -> Result<ArrayRef> {
    let (pa, sa) = decimal_type(array.data_type())?;
    let (pl, sl) = decimal_type(literal_type)?;
    let (p, s) = decimal_type(result_type)?;
    let a = as_primitive::<Decimal128Type>(array.as_ref())?;
    let limit = (POW10[p as usize] as u128).min(i64::MAX as u128);
    let narrow = match op {
        BinaryOp::Plus | BinaryOp::Minus if sa == sl && s == sa && sa >= 0 => {
            let int_digits = (pa as i32 - sa as i32).max(pl as i32 - sl as i32);
            let fits = |x: u128, y: u128| int_digits + 1 + s as i32 <= 38 && x + y < limit;
            match (op, literal_left) {
                (BinaryOp::Plus, _) => narrow_with_literal(a, literal, i64::wrapping_add, fits),
                (_, false) => narrow_with_literal(a, literal, i64::wrapping_sub, fits),
                (_, true) => narrow_with_literal(a, literal, |v, lit| lit.wrapping_sub(v), fits),
            }
        }
        BinaryOp::Multiply if s == sa + sl && sa >= 0 && sl >= 0 => {
            narrow_with_literal(a, literal, i64::wrapping_mul, |x, y| x.checked_mul(y).is_some_and(|m| m < limit))
        }
        _ => None,
    };
    if let Some(out) = narrow {
        return finish(out, p, s);
    }
    let spread: ArrayRef =
        Arc::new(Decimal128Array::from_value(literal, array.len()).with_precision_and_scale(pl, sl)?);
    if literal_left {
        decimal_binary(op, &spread, array, result_type, mode)
    } else {
        decimal_binary(op, array, &spread, result_type, mode)
    }
}

/// A product at the exact scale when every value of both chunks is small
/// enough that every product fits in an `i64` and below `bound`: then one
/// 64-bit multiply per row, with no per-row overflow check, gives the same
/// values as the 128-bit path. Typical of money columns (TPC-H's
/// `l_extendedprice * (1 - l_discount)`). `None` when the chunk is not
/// narrow.
fn multiply_narrow(l: &Decimal128Array, r: &Decimal128Array, bound: i128) -> Option<Decimal128Array> {
    let limit = (bound as u128).min(i64::MAX as u128);
    narrow_binary(l, r, i64::wrapping_mul, |a, b| a.checked_mul(b).is_some_and(|m| m < limit))
}

/// A sum or difference of two chunks at one scale when every result is
/// below `bound` by the chunks' bounds alone: one 64-bit add per row, with
/// no per-row check (TPC-H's `1 - l_discount`). `None` otherwise.
fn add_narrow(l: &Decimal128Array, r: &Decimal128Array, subtract: bool, bound: i128) -> Option<Decimal128Array> {
    let limit = (bound as u128).min(i64::MAX as u128);
    let fits = |a: u128, b: u128| a + b < limit;
    if subtract {
        narrow_binary(l, r, i64::wrapping_sub, fits)
    } else {
        narrow_binary(l, r, i64::wrapping_add, fits)
    }
}

/// The fast loop, then the reference for flagged valid rows.
fn run<F, R>(
    l: &Decimal128Array,
    r: &Decimal128Array,
    f: F,
    reference: R,
    mode: EvalMode,
    p: u8,
    s: i8,
) -> Result<Decimal128Array>
where
    F: Fn(i128, i128) -> (i128, u8),
    R: Fn(i128, i128) -> DecimalOutcome,
{
    let nulls = union_nulls(l, r);
    let (lv, rv) = (l.values(), r.values());
    let mut any = OK;
    let mut values: Vec<i128> = lv
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
    let mut bad: Option<Vec<bool>> = None;
    for i in 0..values.len() {
        if nulls.as_ref().is_some_and(|nb| nb.is_null(i)) || f(lv[i], rv[i]).1 == OK {
            continue;
        }
        match reference(lv[i], rv[i]) {
            DecimalOutcome::Value(v) => values[i] = v,
            outcome => {
                if mode == EvalMode::Ansi {
                    return Err(match outcome {
                        DecimalOutcome::Overflow(text) => Error::numeric_value_out_of_range(&text, p, s),
                        _ => Error::divide_by_zero(),
                    });
                }
                bad.get_or_insert_with(|| vec![false; values.len()])[i] = true;
            }
        }
    }
    let nulls = match bad {
        Some(bad) => null_out(nulls, &bad.into_iter().collect()),
        None => nulls,
    };
    Ok(PrimitiveArray::new(values.into(), nulls))
}

fn upscale(v: i128, by: i32) -> Option<i256> {
    i256::from_i128(v).checked_mul(pow10_256(by as u32)?)
}

/// One row of `a op b` computed exactly in `i256`: the scalar reference that
/// the fast paths must agree with.
pub fn decimal_binary_reference(op: BinaryOp, a: i128, s1: i8, b: i128, s2: i8, p: u8, s: i8) -> DecimalOutcome {
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
        BinaryOp::Multiply => {
            // Spark multiplies with MathContext(38, HALF_UP): a product of more
            // than 38 significant digits is rounded to 38 before the result scale
            let exact = i256::from_i128(a).wrapping_mul(i256::from_i128(b));
            let digits = exact.wrapping_abs().checked_ilog10().map_or(1, |d| d as i32 + 1);
            if digits > 38 {
                let drop = digits - 38;
                (rescale_256(exact, s1 + s2, s1 + s2 - drop).unwrap_or(exact), s1 + s2 - drop)
            } else {
                (exact, s1 + s2)
            }
        }
        BinaryOp::Divide => {
            if b == 0 {
                return DecimalOutcome::DivideByZero;
            }
            return divide_reference(a, s1, b, s2, p, si);
        }
        _ => return DecimalOutcome::Overflow(format!("unsupported decimal operator {}", op.symbol())),
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
    let x = crate::decimal::decimal_to_f64(a, s1 as i8) / crate::decimal::decimal_to_f64(b, s2 as i8);
    ember_core::format::java_double(x)
}

/// `div` on decimals: the integral part of the quotient as a long.
pub(crate) fn decimal_int_divide(left: &ArrayRef, right: &ArrayRef, mode: EvalMode) -> Result<ArrayRef> {
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
