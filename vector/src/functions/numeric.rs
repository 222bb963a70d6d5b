//! More math: constants, hyperbolic and reciprocal trigonometry, `rint`,
//! `width_bucket`, `factorial`, base conversion (`bin`, `conv`) and the
//! bitwise functions (shifts with Java's masking of the shift distance,
//! `bit_count` over the sign-extended 64-bit value, `bit_get`).
//!
//! The inverse hyperbolic functions use the formulas Spark evaluates
//! (`log(x + sqrt(x * x + 1))`, ...) rather than Rust's `asinh`, so the last
//! digit agrees with Spark's output.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, Int32Array, Int64Array, Int8Array};
use arrow::datatypes::*;
use ember_core::{Error, EvalMode, Result};

use super::args::{build_prim, build_strings, F64s, I64s, Strs};
use super::Ctx;
use crate::errors::{arithmetic_overflow, spark_error};

pub(super) fn eval(c: &Ctx) -> Option<Result<ArrayRef>> {
    Some(match c.name {
        "pi" => constant(c, std::f64::consts::PI),
        "e" => constant(c, std::f64::consts::E),
        "sinh" => unary(c, f64::sinh),
        "cosh" => unary(c, f64::cosh),
        "tanh" => unary(c, f64::tanh),
        "asinh" => unary(c, |x| if x == f64::NEG_INFINITY { x } else { (x + (x * x + 1.0).sqrt()).ln() }),
        "acosh" => unary(c, |x| (x + (x * x - 1.0).sqrt()).ln()),
        "atanh" => unary(c, |x| 0.5 * ((1.0 + x) / (1.0 - x)).ln()),
        "cot" => unary(c, |x| 1.0 / x.tan()),
        "sec" => unary(c, |x| 1.0 / x.cos()),
        "csc" => unary(c, |x| 1.0 / x.sin()),
        "rint" => unary(c, rint),
        "expm1" => unary(c, f64::exp_m1),
        "log1p" => log1p(c),
        "atan2" => binary(c, f64::atan2),
        "hypot" => binary(c, f64::hypot),
        "width_bucket" => width_bucket(c),
        "factorial" => factorial(c),
        "bin" => bin(c),
        "conv" => conv(c),
        "shiftleft" => shift(c, Shift::Left),
        "shiftright" => shift(c, Shift::Right),
        "shiftrightunsigned" => shift(c, Shift::RightUnsigned),
        "bit_count" => bit_count(c),
        "bit_get" | "getbit" => bit_get(c),
        "~" => bitwise_not(c),
        _ => return None,
    })
}

fn constant(c: &Ctx, v: f64) -> Result<ArrayRef> {
    Ok(Arc::new(Float64Array::from(vec![v; c.n])))
}

fn unary(c: &Ctx, f: impl Fn(f64) -> f64) -> Result<ArrayRef> {
    let a = F64s::new(c.arg(0)?)?;
    let out: Float64Array = build_prim(c.n, |i| Ok(a.get(i).map(&f)))?;
    Ok(Arc::new(out))
}

fn binary(c: &Ctx, f: impl Fn(f64, f64) -> f64) -> Result<ArrayRef> {
    let a = F64s::new(c.arg(0)?)?;
    let b = F64s::new(c.arg(1)?)?;
    let out: Float64Array = build_prim(c.n, |i| Ok(a.get(i).zip(b.get(i)).map(|(x, y)| f(x, y))))?;
    Ok(Arc::new(out))
}

/// `log1p(x)`: NULL at or below -1, like the other logarithms.
fn log1p(c: &Ctx) -> Result<ArrayRef> {
    let a = F64s::new(c.arg(0)?)?;
    let out: Float64Array = build_prim(c.n, |i| Ok(a.get(i).filter(|x| *x > -1.0).map(f64::ln_1p)))?;
    Ok(Arc::new(out))
}

/// Java's `Math.rint`: the nearest integer, ties to even.
pub(crate) fn rint(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 {
        let t = x.trunc();
        if t % 2.0 == 0.0 {
            // keep the sign of negative values rounding to zero
            return if t == 0.0 { 0.0f64.copysign(x) } else { t };
        }
        return r;
    }
    if r == 0.0 {
        return 0.0f64.copysign(x);
    }
    r
}

/// `width_bucket(v, min, max, n)`: the 1-based bucket of `v` among `n`
/// equal buckets over `[min, max)`, 0 below and `n + 1` above; NULL for a
/// non-positive `n`, equal bounds or non-finite inputs.
fn width_bucket(c: &Ctx) -> Result<ArrayRef> {
    let v = F64s::new(c.arg(0)?)?;
    let lo = F64s::new(c.arg(1)?)?;
    let hi = F64s::new(c.arg(2)?)?;
    let n = I64s::new(c.arg(3)?)?;
    let out: Int64Array = build_prim(c.n, |i| {
        let (Some(v), Some(lo), Some(hi), Some(n)) = (v.get(i), lo.get(i), hi.get(i), n.get(i)) else {
            return Ok(None);
        };
        Ok(width_bucket_value(v, lo, hi, n))
    })?;
    Ok(Arc::new(out))
}

pub(crate) fn width_bucket_value(v: f64, lo: f64, hi: f64, n: i64) -> Option<i64> {
    if n <= 0 || n == i64::MAX || v.is_nan() || lo == hi || !lo.is_finite() || !hi.is_finite() {
        return None;
    }
    let nf = n as f64;
    Some(if lo < hi {
        if v < lo {
            0
        } else if v >= hi {
            n + 1
        } else {
            (nf * (v - lo) / (hi - lo)) as i64 + 1
        }
    } else if v > lo {
        0
    } else if v <= hi {
        n + 1
    } else {
        (nf * (lo - v) / (lo - hi)) as i64 + 1
    })
}

fn factorial(c: &Ctx) -> Result<ArrayRef> {
    let a = I64s::new(c.arg(0)?)?;
    let out: Int64Array =
        build_prim(c.n, |i| Ok(a.get(i).filter(|v| (0..=20).contains(v)).map(|v| (1..=v).product::<i64>())))?;
    Ok(Arc::new(out))
}

/// `bin(x)`: Java's `Long.toBinaryString` (two's complement for negatives).
fn bin(c: &Ctx) -> Result<ArrayRef> {
    let a = I64s::new(c.arg(0)?)?;
    build_strings(c.n, |i, buf| {
        let Some(v) = a.get(i) else { return Ok(false) };
        buf.push_str(&format!("{:b}", v as u64));
        Ok(true)
    })
}

/// `conv(num, from_base, to_base)`: reads the leading digits of `num` in
/// `from_base` as an unsigned 64-bit number (a leading `-` negates it) and
/// writes it in `|to_base|`, signed when `to_base` is negative. Bases
/// outside 2..=36 give NULL; a value past 64 bits is an overflow error
/// under ANSI and all ones otherwise.
fn conv(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let from = I64s::new(c.arg(1)?)?;
    let to = I64s::new(c.arg(2)?)?;
    build_strings(c.n, |i, buf| {
        let (Some(s), Some(from), Some(to)) = (s.get(i), from.get(i), to.get(i)) else { return Ok(false) };
        match conv_value(s, from, to, c.mode)? {
            Some(v) => {
                buf.push_str(&v);
                Ok(true)
            }
            None => Ok(false),
        }
    })
}

pub(crate) fn conv_value(s: &str, from: i64, to: i64, mode: EvalMode) -> Result<Option<String>> {
    if !(2..=36).contains(&from) || !(2..=36).contains(&to.abs()) {
        return Ok(None);
    }
    let s = s.trim();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if digits.is_empty() {
        return Ok(None);
    }
    let mut v: u64 = 0;
    let mut any = false;
    let mut overflowed = false;
    for ch in digits.chars() {
        let Some(d) = ch.to_digit(36).filter(|d| (*d as i64) < from) else { break };
        any = true;
        match v.checked_mul(from as u64).and_then(|x| x.checked_add(d as u64)) {
            Some(x) => v = x,
            None => {
                if mode == EvalMode::Ansi {
                    return Err(arithmetic_overflow("Overflow in function conv()", "try_conv"));
                }
                v = u64::MAX;
                overflowed = true;
                break;
            }
        }
    }
    if !any {
        return Ok(Some("0".into()));
    }
    // an overflow stays all ones, whatever the sign
    if neg && !overflowed {
        v = v.wrapping_neg();
    }
    let (sign, mag) = if to < 0 && (v as i64) < 0 { ("-", (v as i64).unsigned_abs()) } else { ("", v) };
    Ok(Some(format!("{sign}{}", to_base(mag, to.unsigned_abs() as u32))))
}

fn to_base(mut v: u64, base: u32) -> String {
    if v == 0 {
        return "0".into();
    }
    let mut out = Vec::new();
    while v > 0 {
        let d = (v % base as u64) as u32;
        out.push(std::char::from_digit(d, base).unwrap_or('0').to_ascii_uppercase());
        v /= base as u64;
    }
    out.iter().rev().collect()
}

#[derive(Clone, Copy)]
enum Shift {
    Left,
    Right,
    RightUnsigned,
}

/// Shifts an INT or BIGINT; Java masks the distance to the type's width.
fn shift(c: &Ctx, kind: Shift) -> Result<ArrayRef> {
    let n = I64s::new(c.arg(1)?)?;
    match c.return_type {
        DataType::Int32 => {
            let a = super::args::Prim::<Int32Type>::new(c.arg(0)?)?;
            let out: Int32Array = build_prim(c.n, |i| {
                Ok(a.get(i).zip(n.get(i)).map(|(v, k)| {
                    let k = (k & 31) as u32;
                    match kind {
                        Shift::Left => v.wrapping_shl(k),
                        Shift::Right => v >> k,
                        Shift::RightUnsigned => ((v as u32) >> k) as i32,
                    }
                }))
            })?;
            Ok(Arc::new(out))
        }
        DataType::Int64 => {
            let a = I64s::new(c.arg(0)?)?;
            let out: Int64Array = build_prim(c.n, |i| {
                Ok(a.get(i).zip(n.get(i)).map(|(v, k)| {
                    let k = (k & 63) as u32;
                    match kind {
                        Shift::Left => v.wrapping_shl(k),
                        Shift::Right => v >> k,
                        Shift::RightUnsigned => ((v as u64) >> k) as i64,
                    }
                }))
            })?;
            Ok(Arc::new(out))
        }
        other => Err(Error::internal(format!("{} into {other}", c.name))),
    }
}

/// `bit_count`: set bits of the value widened to 64 bits (so negative
/// numbers count their sign extension); a boolean counts as 0 or 1.
fn bit_count(c: &Ctx) -> Result<ArrayRef> {
    let arg = c.arg(0)?;
    if arg.data_type() == DataType::Boolean {
        let a = arg.to_array(c.n);
        let b = a.as_boolean();
        let out: Int32Array = (0..c.n).map(|i| (!b.is_null(i)).then(|| b.value(i) as i32)).collect();
        return Ok(Arc::new(out));
    }
    let a = I64s::new(arg)?;
    let out: Int32Array = build_prim(c.n, |i| Ok(a.get(i).map(|v| v.count_ones() as i32)))?;
    Ok(Arc::new(out))
}

/// `bit_get(x, pos)`: bit `pos` (0 = least significant) of an integer of
/// the argument's width; positions outside the width are an error.
fn bit_get(c: &Ctx) -> Result<ArrayRef> {
    let width = match c.arg(0)?.data_type() {
        DataType::Int8 => 8,
        DataType::Int16 => 16,
        DataType::Int32 => 32,
        _ => 64,
    };
    let a = I64s::new(c.arg(0)?)?;
    let p = I64s::new(c.arg(1)?)?;
    let out: Int8Array = build_prim(c.n, |i| {
        let (Some(v), Some(pos)) = (a.get(i), p.get(i)) else { return Ok(None) };
        if pos < 0 || pos >= width {
            return Err(spark_error(
                "INVALID_PARAMETER_VALUE.BIT_POSITION_RANGE",
                "22023",
                "The value of parameter(s) <parameter> in <functionName> is invalid: expects an integer value \
                 in [0, <upper>), but got <invalidValue>.",
                &[
                    ("parameter", "`pos`".into()),
                    ("functionName", format!("`{}`", c.name)),
                    ("upper", width.to_string()),
                    ("invalidValue", format!("`{pos}`")),
                ],
            ));
        }
        Ok(Some(((v >> pos) & 1) as i8))
    })?;
    Ok(Arc::new(out))
}

/// `~x` on an integer of any width.
fn bitwise_not(c: &Ctx) -> Result<ArrayRef> {
    let a = c.arg(0)?.to_array(c.n);
    Ok(match a.data_type() {
        DataType::Int8 => Arc::new(a.as_primitive::<Int8Type>().unary::<_, Int8Type>(|v| !v)),
        DataType::Int16 => Arc::new(a.as_primitive::<Int16Type>().unary::<_, Int16Type>(|v| !v)),
        DataType::Int32 => Arc::new(a.as_primitive::<Int32Type>().unary::<_, Int32Type>(|v| !v)),
        DataType::Int64 => Arc::new(a.as_primitive::<Int64Type>().unary::<_, Int64Type>(|v| !v)),
        DataType::Null => a,
        other => return Err(Error::internal(format!("~ of {other}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rint_ties_to_even() {
        assert_eq!(rint(12.5), 12.0);
        assert_eq!(rint(13.5), 14.0);
        assert_eq!(rint(-2.5), -2.0);
        assert_eq!(rint(2.4), 2.0);
        assert!(rint(-0.4).is_sign_negative());
    }

    #[test]
    fn width_buckets_match_spark_docs() {
        assert_eq!(width_bucket_value(5.3, 0.2, 10.6, 5), Some(3));
        assert_eq!(width_bucket_value(-2.1, 1.3, 3.4, 3), Some(0));
        assert_eq!(width_bucket_value(8.1, 0.0, 5.7, 4), Some(5));
        assert_eq!(width_bucket_value(-0.9, 5.2, 0.5, 2), Some(3));
        assert_eq!(width_bucket_value(1.0, 1.0, 1.0, 2), None);
        assert_eq!(width_bucket_value(1.0, 0.0, 2.0, 0), None);
    }

    #[test]
    fn conv_like_spark() {
        let cv = |s: &str, f, t| conv_value(s, f, t, EvalMode::Legacy).unwrap();
        assert_eq!(cv("100", 2, 10).as_deref(), Some("4"));
        assert_eq!(cv("-10", 16, -10).as_deref(), Some("-16"));
        assert_eq!(cv("-10", 16, 10).as_deref(), Some("18446744073709551600"));
        assert_eq!(cv("11abc", 10, 16).as_deref(), Some("B"));
        assert_eq!(cv("1", 1, 10), None);
        assert!(conv_value("ffffffffffffffffff", 16, 10, EvalMode::Ansi).is_err());
        assert_eq!(cv("ffffffffffffffffff", 16, 10).as_deref(), Some("18446744073709551615"));
        assert_eq!(cv("-9223372036854775807", 36, 10).as_deref(), Some("18446744073709551615"));
        assert_eq!(cv("92233720368547758070", 10, 16).as_deref(), Some("FFFFFFFFFFFFFFFF"));
        assert_eq!(cv("9223372036854775808", 10, 16).as_deref(), Some("8000000000000000"));
    }

    #[test]
    fn bases() {
        assert_eq!(to_base(13, 2), "1101");
        assert_eq!(format!("{:b}", -13i64 as u64).len(), 64);
    }
}
