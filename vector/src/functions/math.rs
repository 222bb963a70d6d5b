//! Math functions. Doubles follow Java's `Math`/`StrictMath` (Rust's `f64`
//! methods agree on the values Spark tests); logarithms of non-positive
//! numbers are NULL; `round` on doubles rounds the decimal text of the double
//! (Spark goes through `BigDecimal(d)`), so `round(2.675, 2)` is 2.68.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Decimal128Array, Float64Array, Int64Array, PrimitiveArray};
use arrow::compute::kernels::zip::zip;
use arrow::datatypes::*;
use ember_core::expr::BinaryOp;
use ember_core::{Error, EvalMode, Result};

use super::args::{build_prim, F64s};
use super::Ctx;
use crate::decimal::{div_pow10, fits_precision, Rounding, POW10};
use crate::errors::arithmetic_overflow;
use crate::ColumnarValue;

pub(super) fn eval(c: &Ctx) -> Option<Result<ArrayRef>> {
    Some(match c.name {
        "abs" => abs(c),
        "round" => round(c, Rounding::HalfUp),
        "bround" => round(c, Rounding::HalfEven),
        "floor" => floor_ceil(c, Rounding::Floor),
        "ceil" | "ceiling" => floor_ceil(c, Rounding::Ceiling),
        "sqrt" => unary_f64(c, f64::sqrt),
        "exp" => unary_f64(c, f64::exp),
        "ln" => log_like(c, f64::ln),
        "log10" => log_like(c, f64::log10),
        "log2" => log_like(c, f64::log2),
        "cbrt" => unary_f64(c, f64::cbrt),
        "sin" => unary_f64(c, f64::sin),
        "cos" => unary_f64(c, f64::cos),
        "tan" => unary_f64(c, f64::tan),
        "asin" => unary_f64(c, f64::asin),
        "acos" => unary_f64(c, f64::acos),
        "atan" => unary_f64(c, f64::atan),
        "degrees" => unary_f64(c, f64::to_degrees),
        "radians" => unary_f64(c, f64::to_radians),
        "sign" | "signum" => unary_f64(c, java_signum),
        "log" => log_base(c),
        "power" | "pow" => binary_f64(c, f64::powf),
        "pmod" => pmod(c),
        "greatest" => extreme(c, BinaryOp::Gt),
        "least" => extreme(c, BinaryOp::Lt),
        _ => return None,
    })
}

fn java_signum(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x // 0.0, -0.0 and NaN are their own sign
    }
}

fn array(c: &Ctx, i: usize) -> Result<ArrayRef> {
    Ok(c.arg(i)?.clone().into_array(c.n))
}

fn unary_f64(c: &Ctx, f: fn(f64) -> f64) -> Result<ArrayRef> {
    let a = F64s::new(c.arg(0)?)?;
    let out: Float64Array = match &a {
        super::args::Prim::Col(arr) => arr.unary(f),
        _ => build_prim(c.n, |i| Ok(a.get(i).map(f)))?,
    };
    Ok(Arc::new(out))
}

fn log_like(c: &Ctx, f: fn(f64) -> f64) -> Result<ArrayRef> {
    let a = F64s::new(c.arg(0)?)?;
    let out: Float64Array = build_prim(c.n, |i| Ok(a.get(i).filter(|x| *x > 0.0).map(f)))?;
    Ok(Arc::new(out))
}

fn log_base(c: &Ctx) -> Result<ArrayRef> {
    if c.args.len() == 1 {
        return log_like(c, f64::ln);
    }
    let b = F64s::new(c.arg(0)?)?;
    let x = F64s::new(c.arg(1)?)?;
    let out: Float64Array = build_prim(c.n, |i| {
        Ok(match (b.get(i), x.get(i)) {
            (Some(b), Some(x)) if b > 0.0 && x > 0.0 => Some(x.ln() / b.ln()),
            _ => None,
        })
    })?;
    Ok(Arc::new(out))
}

fn binary_f64(c: &Ctx, f: fn(f64, f64) -> f64) -> Result<ArrayRef> {
    let a = F64s::new(c.arg(0)?)?;
    let b = F64s::new(c.arg(1)?)?;
    let out: Float64Array = build_prim(c.n, |i| {
        Ok(match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => Some(f(x, y)),
            _ => None,
        })
    })?;
    Ok(Arc::new(out))
}

fn abs(c: &Ctx) -> Result<ArrayRef> {
    let a = array(c, 0)?;
    // |MIN| overflows: Ansi raises, Legacy keeps MIN (Java's Math.abs), Try NULLs
    macro_rules! int_abs {
        ($t:ty, $msg:expr) => {{
            let out: PrimitiveArray<$t> = crate::arith::unary_flagged(
                a.as_primitive::<$t>(),
                |x| {
                    let (v, o) = x.overflowing_abs();
                    (v, o as u8 * crate::arith::OVERFLOW)
                },
                c.mode,
                true,
                |_, _| arithmetic_overflow($msg, ""),
            )?;
            Ok(Arc::new(out))
        }};
    }
    match a.data_type() {
        DataType::Int8 => int_abs!(Int8Type, "byte overflow"),
        DataType::Int16 => int_abs!(Int16Type, "short overflow"),
        DataType::Int32 => int_abs!(Int32Type, "integer overflow"),
        DataType::Int64 => int_abs!(Int64Type, "long overflow"),
        DataType::Float64 => Ok(Arc::new(a.as_primitive::<Float64Type>().unary::<_, Float64Type>(f64::abs))),
        DataType::Float32 => Ok(Arc::new(a.as_primitive::<Float32Type>().unary::<_, Float32Type>(f32::abs))),
        DataType::Decimal128(p, s) => {
            let out: Decimal128Array = a.as_primitive::<Decimal128Type>().unary(|v: i128| v.abs());
            Ok(Arc::new(out.with_precision_and_scale(*p, *s)?))
        }
        DataType::Null => Ok(a),
        other => Err(Error::internal(format!("abs of {other}"))),
    }
}

fn scale_arg(c: &Ctx) -> Result<Option<i64>> {
    match c.args.get(1) {
        None => Ok(Some(0)),
        Some(ColumnarValue::Scalar(s)) => Ok(s.as_i64()),
        Some(ColumnarValue::Array(a)) => {
            // Spark requires a foldable scale; take the first row
            let a = arrow::compute::cast(a, &DataType::Int64)?;
            let a = a.as_primitive::<Int64Type>();
            Ok(if a.is_empty() || a.is_null(0) { None } else { Some(a.value(0)) })
        }
    }
}

fn round(c: &Ctx, mode: Rounding) -> Result<ArrayRef> {
    let a = array(c, 0)?;
    let Some(d) = scale_arg(c)? else {
        return Ok(arrow::array::new_null_array(c.return_type, c.n));
    };
    match a.data_type() {
        DataType::Decimal128(_, s) => {
            let (p_out, s_out) = match c.return_type {
                DataType::Decimal128(p, s) => (*p, *s),
                _ => return Err(Error::internal("round of a decimal must return a decimal")),
            };
            let s = *s as i64;
            let arr = a.as_primitive::<Decimal128Type>();
            let out: Decimal128Array = build_prim(arr.len(), |i| {
                if arr.is_null(i) {
                    return Ok(None);
                }
                let v = arr.value(i);
                // round to d digits, then express at the result scale
                let (r, at) = if d < s { (div_pow10(v, (s - d).min(39) as u32, mode), d) } else { (v, s) };
                let out = if (s_out as i64) >= at {
                    r.checked_mul(*POW10.get((s_out as i64 - at) as usize).unwrap_or(&0))
                        .filter(|_| (s_out as i64 - at) <= 38)
                } else {
                    Some(div_pow10(r, (at - s_out as i64) as u32, mode))
                };
                Ok(out.filter(|v| fits_precision(*v, p_out)))
            })?;
            Ok(Arc::new(out.with_precision_and_scale(p_out, s_out)?))
        }
        DataType::Float64 => {
            let out: Float64Array = a.as_primitive::<Float64Type>().unary(|x| round_double(x, d, mode));
            Ok(Arc::new(out))
        }
        DataType::Float32 => {
            let out: PrimitiveArray<Float32Type> = a.as_primitive::<Float32Type>().unary(|x| round_float(x, d, mode));
            Ok(Arc::new(out))
        }
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => {
            if d >= 0 {
                return Ok(a);
            }
            let bits = match a.data_type() {
                DataType::Int8 => 8,
                DataType::Int16 => 16,
                DataType::Int32 => 32,
                _ => 64,
            };
            let (lo, hi) = (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1);
            let wide = arrow::compute::cast(&a, &DataType::Int64)?;
            let wide = wide.as_primitive::<Int64Type>();
            let k = (-d).min(39) as u32;
            // BigDecimal.setScale, then the exact (ANSI) or wrapping
            // (legacy) conversion back to the input's width
            let out: Int64Array = build_prim(wide.len(), |i| {
                if wide.is_null(i) {
                    return Ok(None);
                }
                let r =
                    if k > 38 { 0 } else { div_pow10(wide.value(i) as i128, k, mode).wrapping_mul(POW10[k as usize]) };
                if r < lo || r > hi {
                    if c.mode == EvalMode::Ansi {
                        return Err(arithmetic_overflow("Overflow", ""));
                    }
                    let shift = 128 - bits;
                    return Ok(Some(((r << shift) >> shift) as i64));
                }
                Ok(Some(r as i64))
            })?;
            Ok(arrow::compute::cast(&(Arc::new(out) as ArrayRef), a.data_type())?)
        }
        DataType::Null => Ok(a),
        other => Err(Error::internal(format!("round of {other}"))),
    }
}

/// Rounds the shortest decimal text of `x` to `d` fractional digits.
pub(crate) fn round_double(x: f64, d: i64, mode: Rounding) -> f64 {
    if !x.is_finite() {
        return x;
    }
    round_text(&format!("{x:e}"), d, mode).unwrap_or(x)
}

fn round_float(x: f32, d: i64, mode: Rounding) -> f32 {
    if !x.is_finite() {
        return x;
    }
    round_text(&format!("{x:e}"), d, mode).map(|v| v as f32).unwrap_or(x)
}

/// Rounds a number in Rust's `{:e}` form (`-1.2345e2`) to `d` fractional
/// digits and parses the result.
fn round_text(text: &str, d: i64, mode: Rounding) -> Option<f64> {
    let (mant, exp) = text.split_once('e')?;
    let exp: i64 = exp.parse().ok()?;
    let neg = mant.starts_with('-');
    let digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
    // value = 0.d1d2d3... * 10^(exp + 1); digits kept: those before position exp + 1 + d
    let keep = exp + 1 + d;
    if keep < 0 {
        return Some(if neg { -0.0 } else { 0.0 });
    }
    let keep = keep as usize;
    if keep >= digits.len() {
        return text.parse().ok();
    }
    let mut kept: Vec<u8> = digits[..keep].to_vec();
    let rest = &digits[keep..];
    let up = match mode {
        Rounding::HalfEven => {
            let first = rest[0];
            let beyond = rest[1..].iter().any(|&x| x != 0);
            first > 5 || (first == 5 && (beyond || kept.last().is_some_and(|l| l % 2 == 1)))
        }
        _ => rest[0] >= 5,
    };
    let mut carry = up;
    for dgt in kept.iter_mut().rev() {
        if !carry {
            break;
        }
        if *dgt == 9 {
            *dgt = 0;
        } else {
            *dgt += 1;
            carry = false;
        }
    }
    let mut s = String::with_capacity(kept.len() + 8);
    if neg {
        s.push('-');
    }
    if carry {
        s.push('1');
    } else if kept.is_empty() {
        s.push('0');
    }
    for dgt in &kept {
        s.push((b'0' + dgt) as char);
    }
    // the kept digits end at 10^-d
    s.push_str(&format!("e{}", -d));
    s.parse().ok()
}

fn floor_ceil(c: &Ctx, mode: Rounding) -> Result<ArrayRef> {
    let a = array(c, 0)?;
    match a.data_type() {
        DataType::Float64 | DataType::Float32 => {
            let d = arrow::compute::cast(&a, &DataType::Float64)?;
            let f = if mode == Rounding::Floor { f64::floor } else { f64::ceil };
            // Java's (long) conversion: saturating, NaN -> 0
            let out: Int64Array = d.as_primitive::<Float64Type>().unary(|x| f(x) as i64);
            if matches!(c.return_type, DataType::Float64) {
                return Ok(arrow::compute::cast(&(Arc::new(out) as ArrayRef), c.return_type)?);
            }
            Ok(Arc::new(out))
        }
        DataType::Decimal128(_, s) => {
            let s = *s;
            let (p_out, s_out) = match c.return_type {
                DataType::Decimal128(p, s) => (*p, *s),
                _ => (38, 0),
            };
            let out: Decimal128Array =
                a.as_primitive::<Decimal128Type>().unary(|v| div_pow10(v, (s - s_out).max(0) as u32, mode));
            let out: ArrayRef = Arc::new(out.with_precision_and_scale(p_out, s_out)?);
            if !matches!(c.return_type, DataType::Decimal128(_, _)) {
                return crate::cast::cast(&out, c.return_type, c.mode);
            }
            Ok(out)
        }
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => {
            Ok(arrow::compute::cast(&a, &DataType::Int64)?)
        }
        DataType::Null => Ok(arrow::array::new_null_array(c.return_type, c.n)),
        other => Err(Error::internal(format!("floor/ceil of {other}"))),
    }
}

/// `pmod(a, n)`: `r = a % n; if r < 0 { (r + n) % n } else { r }`.
fn pmod(c: &Ctx) -> Result<ArrayRef> {
    let a = array(c, 0)?;
    let n = array(c, 1)?;
    let rt = c.return_type;
    let r = crate::arith::binary(BinaryOp::Modulo, &a, &n, rt, c.mode)?;
    let zero = arrow::compute::cast(&(Arc::new(Int64Array::from(vec![0i64; c.n])) as ArrayRef), rt)?;
    let neg = crate::compare::compare(BinaryOp::Lt, &r, &zero)?;
    if neg.true_count() == 0 {
        return Ok(r);
    }
    // Java arithmetic wraps here; decimals cannot overflow (|r| < |n|)
    let sum = crate::arith::binary(BinaryOp::Plus, &r, &n, rt, EvalMode::Legacy)?;
    let fixed = crate::arith::binary(BinaryOp::Modulo, &sum, &n, rt, EvalMode::Legacy)?;
    Ok(zip(&neg, &fixed, &r)?)
}

/// greatest/least: skips NULLs, NULL only when all are NULL; Spark's order
/// (NaN above every number).
fn extreme(c: &Ctx, op: BinaryOp) -> Result<ArrayRef> {
    let mut result = array(c, 0)?;
    for i in 1..c.args.len() {
        let next = array(c, i)?;
        let better = crate::compare::compare(op, &next, &result)?;
        let n = result.len();
        let take = arrow::array::BooleanArray::from_iter(
            (0..n).map(|r| Some(next.is_valid(r) && (result.is_null(r) || (better.is_valid(r) && better.value(r))))),
        );
        result = zip(&take, &next, &result)?;
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_doubles_like_bigdecimal() {
        assert_eq!(round_double(2.675, 2, Rounding::HalfUp), 2.68);
        assert_eq!(round_double(2.5, 0, Rounding::HalfUp), 3.0);
        assert_eq!(round_double(2.5, 0, Rounding::HalfEven), 2.0);
        assert_eq!(round_double(-2.5, 0, Rounding::HalfUp), -3.0);
        assert_eq!(round_double(1234.5678, -2, Rounding::HalfUp), 1200.0);
        assert_eq!(round_double(0.0001, 2, Rounding::HalfUp), 0.0);
        assert_eq!(round_double(9.995, 2, Rounding::HalfUp), 10.0);
        assert_eq!(round_double(1.0 / 3.0, 3, Rounding::HalfUp), 0.333);
    }
}
