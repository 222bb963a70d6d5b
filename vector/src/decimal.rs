//! Decimal helpers on unscaled integers: powers of ten, HALF_UP / HALF_EVEN
//! rescaling in `i128` and `i256`, precision checks, and exact conversions
//! between decimal text, `f64` and unscaled values.

use arrow::datatypes::i256;

/// `10^k` for `k` in `0..=38`.
pub const POW10: [i128; 39] = {
    let mut t = [1i128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// `10^k` as `i256` (`k <= 76`); `None` past that.
pub fn pow10_256(k: u32) -> Option<i256> {
    i256::from_i128(10).checked_pow(k)
}

/// Whether an unscaled value has at most `precision` digits.
#[inline(always)]
pub fn fits_precision(v: i128, precision: u8) -> bool {
    v.unsigned_abs() < POW10[precision as usize] as u128
}

pub fn fits_precision_256(v: i256, precision: u8) -> bool {
    let bound = i256::from_i128(POW10[precision as usize]);
    v < bound && v > bound.wrapping_neg()
}

/// `x / d` rounded HALF_UP (ties away from zero); `d > 0`. Branch-free.
#[inline(always)]
pub fn div_round_half_up(x: i128, d: i128) -> i128 {
    let q = x / d;
    let r = x % d;
    q + ((2 * r.abs() >= d) as i128) * x.signum()
}

/// `x / d` rounded HALF_EVEN (banker's rounding); `d > 0`.
pub fn div_round_half_even(x: i128, d: i128) -> i128 {
    let q = x / d;
    let r = (x % d).abs();
    let twice = 2 * r;
    let up = twice > d || (twice == d && q % 2 != 0);
    if up {
        q + x.signum()
    } else {
        q
    }
}

/// `x / d` rounded HALF_UP for `i256`; `d > 0`.
pub fn div_round_half_up_256(x: i256, d: i256) -> i256 {
    let (q, r) = x.wrapping_div_rem(d);
    let twice = r.wrapping_abs().wrapping_mul(i256::from_i128(2));
    if twice >= d {
        if x.is_negative() {
            q.wrapping_sub(i256::ONE)
        } else {
            q.wrapping_add(i256::ONE)
        }
    } else {
        q
    }
}

/// Rounding used when a decimal loses fractional digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    HalfUp,
    HalfEven,
    /// Toward zero (casts of decimals to integers).
    Down,
    /// Toward negative infinity (`floor`).
    Floor,
    /// Toward positive infinity (`ceil`).
    Ceiling,
}

/// `x / 10^k` rounded as asked; `k <= 38`.
pub fn div_pow10(x: i128, k: u32, rounding: Rounding) -> i128 {
    if k == 0 {
        return x;
    }
    if k > 38 {
        // |x| < 10^39 so the quotient is 0 and only the direction matters
        return match rounding {
            Rounding::Floor if x < 0 => -1,
            Rounding::Ceiling if x > 0 => 1,
            _ => 0,
        };
    }
    let d = POW10[k as usize];
    match rounding {
        Rounding::HalfUp => div_round_half_up(x, d),
        Rounding::HalfEven => div_round_half_even(x, d),
        Rounding::Down => x / d,
        Rounding::Floor => x.div_euclid(d),
        Rounding::Ceiling => {
            let q = x / d;
            if x % d > 0 {
                q + 1
            } else {
                q
            }
        }
    }
}

/// Changes the scale of an unscaled value; `None` when it no longer fits `i128`.
pub fn rescale(v: i128, from: i8, to: i8, rounding: Rounding) -> Option<i128> {
    if to >= from {
        let k = (to - from) as usize;
        if k > 38 {
            return if v == 0 { Some(0) } else { None };
        }
        v.checked_mul(POW10[k])
    } else {
        Some(div_pow10(v, (from - to) as u32, rounding))
    }
}

/// Changes the scale of an `i256` unscaled value with HALF_UP.
pub fn rescale_256(v: i256, from: i32, to: i32) -> Option<i256> {
    if to >= from {
        v.checked_mul(pow10_256((to - from) as u32)?)
    } else {
        match pow10_256((from - to) as u32) {
            Some(d) => Some(div_round_half_up_256(v, d)),
            None => Some(i256::ZERO),
        }
    }
}

/// Plain text of an `i256` unscaled value with its scale.
pub fn i256_to_string(v: i256, scale: i32) -> String {
    let digits = v.wrapping_abs().to_string();
    let neg = v.is_negative();
    let s = if scale <= 0 {
        format!("{digits}{}", "0".repeat((-scale) as usize))
    } else {
        let scale = scale as usize;
        let padded =
            if digits.len() <= scale { format!("{}{}", "0".repeat(scale - digits.len() + 1), digits) } else { digits };
        let (int, frac) = padded.split_at(padded.len() - scale);
        format!("{int}.{frac}")
    };
    if neg {
        format!("-{s}")
    } else {
        s
    }
}

/// Why a text is not a decimal of the wanted type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseDecimalError {
    /// Not a number (`CAST_INVALID_INPUT`).
    Invalid,
    /// A number that does not fit the precision (`NUMERIC_VALUE_OUT_OF_RANGE`).
    Overflow,
}

/// Parses `[+-]digits[.digits][(e|E)[+-]digits]` (Java `BigDecimal` syntax)
/// into an unscaled value of `Decimal(precision, scale)`, rounding HALF_UP.
pub fn parse_decimal(s: &str, precision: u8, scale: i8) -> Result<i128, ParseDecimalError> {
    let b = s.as_bytes();
    let mut i = 0;
    let neg = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    // significant digits (leading zeros skipped) and the count of fraction digits
    let mut digits: Vec<u8> = Vec::with_capacity(b.len());
    let mut frac_digits: i64 = 0;
    let mut seen_digit = false;
    let mut seen_dot = false;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            seen_digit = true;
            if !(digits.is_empty() && c == b'0') {
                digits.push(c - b'0');
            }
            if seen_dot {
                frac_digits += 1;
            }
        } else if c == b'.' && !seen_dot {
            seen_dot = true;
        } else {
            break;
        }
        i += 1;
    }
    if !seen_digit {
        return Err(ParseDecimalError::Invalid);
    }
    let mut exp: i64 = 0;
    if i < b.len() {
        if b[i] != b'e' && b[i] != b'E' {
            return Err(ParseDecimalError::Invalid);
        }
        let rest = &s[i + 1..];
        exp = rest.parse::<i64>().map_err(|_| ParseDecimalError::Invalid)?;
        if rest.starts_with('+') && rest.len() == 1 {
            return Err(ParseDecimalError::Invalid);
        }
    }
    if digits.is_empty() {
        return Ok(0);
    }
    // value = int(digits) * 10^(exp - frac_digits); wanted: value * 10^scale
    let shift = exp.saturating_sub(frac_digits).saturating_add(scale as i64);
    let n = digits.len() as i64;
    let mut v: i128 = 0;
    if shift >= 0 {
        if n.saturating_add(shift) > precision as i64 {
            return Err(ParseDecimalError::Overflow);
        }
        for &d in &digits {
            v = v * 10 + d as i128;
        }
        v *= POW10[shift as usize];
    } else {
        let keep = n + shift; // digits left of the rounding point
        if keep > precision as i64 {
            return Err(ParseDecimalError::Overflow);
        }
        if keep >= 0 {
            for &d in &digits[..keep as usize] {
                v = v * 10 + d as i128;
            }
            if keep < n && digits[keep as usize] >= 5 {
                v += 1;
            }
        }
        if !fits_precision(v, precision) {
            return Err(ParseDecimalError::Overflow);
        }
    }
    Ok(if neg { -v } else { v })
}

/// The `f64` nearest to a decimal (`BigDecimal.doubleValue`).
pub fn decimal_to_f64(v: i128, scale: i8) -> f64 {
    // both operands exact in f64, so one IEEE division rounds correctly
    if v.unsigned_abs() < (1u128 << 53) && (0..=22).contains(&scale) {
        return v as f64 / 10f64.powi(scale as i32);
    }
    ember_core::format::decimal_to_string(v, scale).parse::<f64>().unwrap_or(f64::NAN)
}

/// A double as Spark turns it into a decimal: through its `Double.toString`
/// text (`BigDecimal(d)` in Scala), rounded HALF_UP to the scale.
pub fn f64_to_decimal(d: f64, precision: u8, scale: i8) -> Result<i128, ParseDecimalError> {
    if !d.is_finite() {
        return Err(ParseDecimalError::Invalid);
    }
    parse_decimal(&ember_core::format::java_double(d), precision, scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rounds_half_up() {
        assert_eq!(parse_decimal("1.005", 10, 2), Ok(101));
        assert_eq!(parse_decimal("-1.005", 10, 2), Ok(-101));
        assert_eq!(parse_decimal("1.004", 10, 2), Ok(100));
        assert_eq!(parse_decimal("1e3", 10, 2), Ok(100000));
        assert_eq!(parse_decimal("0.0000001", 10, 2), Ok(0));
        assert_eq!(parse_decimal("12345", 4, 0), Err(ParseDecimalError::Overflow));
        assert_eq!(parse_decimal("9.999", 3, 2), Err(ParseDecimalError::Overflow));
        assert_eq!(parse_decimal("abc", 4, 0), Err(ParseDecimalError::Invalid));
        assert_eq!(parse_decimal("1.2.3", 4, 0), Err(ParseDecimalError::Invalid));
        assert_eq!(parse_decimal(".5", 4, 0), Ok(1));
        assert_eq!(parse_decimal("1e9223372036854775807", 4, 0), Err(ParseDecimalError::Overflow));
        assert_eq!(parse_decimal("1e-9223372036854775807", 4, 2), Ok(0));
    }

    #[test]
    fn rounding_modes() {
        assert_eq!(div_pow10(25, 1, Rounding::HalfUp), 3);
        assert_eq!(div_pow10(-25, 1, Rounding::HalfUp), -3);
        assert_eq!(div_pow10(25, 1, Rounding::HalfEven), 2);
        assert_eq!(div_pow10(35, 1, Rounding::HalfEven), 4);
        assert_eq!(div_pow10(-25, 1, Rounding::Floor), -3);
        assert_eq!(div_pow10(-25, 1, Rounding::Ceiling), -2);
        assert_eq!(div_pow10(25, 1, Rounding::Ceiling), 3);
        assert_eq!(i256_to_string(i256::from_i128(-5), 3), "-0.005");
    }

    #[test]
    fn doubles() {
        assert_eq!(decimal_to_f64(12345, 2), 123.45);
        assert_eq!(f64_to_decimal(0.1, 10, 5), Ok(10000));
        assert_eq!(f64_to_decimal(1e20, 38, 0), Ok(100_000_000_000_000_000_000));
    }
}
