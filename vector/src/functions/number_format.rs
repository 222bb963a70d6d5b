//! Spark's number format strings (`to_char` / `to_varchar` on numbers,
//! `to_number` / `try_to_number`): `0`/`9` digits, `.`/`D` decimal point,
//! `,`/`G` grouping, `$`, and a sign as `S` or `MI` (first or last) or `PR`
//! (angle brackets, last).
//!
//! Formatting pads the integer digits with zeros when the format's digit
//! run starts with `0`, otherwise with spaces, and prints `#` in every
//! digit position when the value has more integer digits than the format.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Decimal128Array};
use arrow::datatypes::*;
use ember_core::{Error, EvalMode, Result};

use super::args::{build_strings, Strs};
use super::Ctx;
use crate::errors::spark_error;

pub(super) fn eval(c: &Ctx) -> Option<Result<ArrayRef>> {
    Some(match c.name {
        "to_char_number" => to_char(c),
        "to_number" => to_number(c),
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sign {
    None,
    /// `S`: `+` or `-`
    Plus,
    /// `MI`: space or `-`
    Minus,
    /// `PR`: `<...>` when negative
    Brackets,
}

/// A parsed format.
#[derive(Debug)]
pub(crate) struct NumberFormat {
    /// Integer part tokens: `0`, `9` or `,`.
    int: Vec<u8>,
    /// Fraction digit tokens (`0` or `9`).
    frac: usize,
    point: bool,
    dollar: bool,
    sign: Sign,
    sign_first: bool,
}

fn invalid_format(fmt: &str, detail: &str) -> Error {
    spark_error(
        "INVALID_FORMAT.WRONG_NUM_DIGIT",
        "42601",
        "The format is invalid: <format>. <detail>",
        &[("format", format!("'{fmt}'")), ("detail", detail.to_string())],
    )
}

impl NumberFormat {
    pub(crate) fn parse(fmt: &str) -> Result<NumberFormat> {
        let upper = fmt.to_ascii_uppercase();
        let mut s = upper.as_str();
        let mut f =
            NumberFormat { int: vec![], frac: 0, point: false, dollar: false, sign: Sign::None, sign_first: false };
        for (tok, sign) in [("MI", Sign::Minus), ("S", Sign::Plus)] {
            if let Some(rest) = s.strip_prefix(tok) {
                f.sign = sign;
                f.sign_first = true;
                s = rest;
                break;
            }
        }
        if f.sign == Sign::None {
            for (tok, sign) in [("PR", Sign::Brackets), ("MI", Sign::Minus), ("S", Sign::Plus)] {
                if let Some(rest) = s.strip_suffix(tok) {
                    f.sign = sign;
                    s = rest;
                    break;
                }
            }
        }
        if let Some(rest) = s.strip_prefix('$') {
            f.dollar = true;
            s = rest;
        } else if let Some(rest) = s.strip_suffix('$') {
            f.dollar = true;
            s = rest;
        }
        for ch in s.chars() {
            match ch {
                '0' | '9' if f.point => f.frac += 1,
                '0' | '9' => f.int.push(ch as u8),
                ',' | 'G' if !f.point => f.int.push(b','),
                '.' | 'D' if !f.point => f.point = true,
                _ => return Err(invalid_format(fmt, &format!("Unexpected character '{ch}'."))),
            }
        }
        if f.int.iter().all(|b| *b == b',') && f.frac == 0 {
            return Err(invalid_format(fmt, "The format string requires at least one number digit."));
        }
        Ok(f)
    }

    fn int_digits(&self) -> usize {
        self.int.iter().filter(|b| **b != b',').count()
    }

    /// Formats an unscaled decimal `v` at `scale`.
    fn format(&self, v: i128, scale: u32) -> String {
        let neg = v < 0;
        // round half up to the format's fraction digits
        let mut m = v.unsigned_abs();
        let frac = self.frac as u32;
        if scale > frac {
            let p = 10u128.pow((scale - frac).min(38));
            let (q, r) = (m / p, m % p);
            m = if r * 2 >= p { q + 1 } else { q };
        } else {
            m *= 10u128.pow((frac - scale).min(20));
        }
        let digits = m.to_string();
        let (int_part, frac_part) = if frac == 0 {
            (digits.as_str(), "")
        } else if digits.len() > frac as usize {
            digits.split_at(digits.len() - frac as usize)
        } else {
            ("", digits.as_str())
        };
        let frac_part = format!("{:0>width$}", frac_part, width = self.frac);
        let int_part = int_part.trim_start_matches('0');
        let overflow = int_part.len() > self.int_digits();
        let mut body = String::new();
        if self.dollar {
            body.push('$');
        }
        // fill integer positions right to left
        let zero_pad = self.int.iter().find(|b| **b != b',') == Some(&b'0');
        let mut int_out: Vec<char> = Vec::with_capacity(self.int.len());
        let mut src = int_part.chars().rev();
        let mut exhausted = false;
        for tok in self.int.iter().rev() {
            if *tok == b',' {
                int_out.push(if exhausted && !zero_pad { ' ' } else { ',' });
                continue;
            }
            if overflow {
                int_out.push('#');
                continue;
            }
            match src.next() {
                Some(d) => int_out.push(d),
                None => {
                    exhausted = true;
                    int_out.push(if zero_pad { '0' } else { ' ' });
                }
            }
        }
        // separators left of the first digit read as padding
        body.extend(int_out.iter().rev());
        if self.point {
            body.push('.');
            if overflow {
                body.extend(std::iter::repeat_n('#', self.frac));
            } else {
                body.push_str(&frac_part);
            }
        }
        let body = body.trim_start().to_string();
        match (self.sign, neg) {
            (Sign::Brackets, true) => format!("<{body}>"),
            (Sign::Brackets, false) | (Sign::None, false) => body,
            (Sign::None, true) => format!("-{body}"),
            (s, n) => {
                let mark = match (s, n) {
                    (_, true) => '-',
                    (Sign::Plus, false) => '+',
                    _ => ' ',
                };
                if self.sign_first {
                    format!("{mark}{body}")
                } else {
                    format!("{body}{mark}")
                }
            }
        }
    }

    /// Parses `s` into an unscaled decimal at the format's scale; `None`
    /// when it does not match.
    fn parse_value(&self, s: &str) -> Option<i128> {
        let mut t = s.trim();
        let mut neg = false;
        match self.sign {
            Sign::Brackets => {
                if let Some(inner) = t.strip_prefix('<').and_then(|x| x.strip_suffix('>')) {
                    neg = true;
                    t = inner;
                }
            }
            Sign::Plus | Sign::Minus => {
                let take = |x: &str| -> Option<(bool, String)> {
                    if self.sign_first {
                        let c = x.chars().next()?;
                        match c {
                            '-' => Some((true, x[1..].to_string())),
                            '+' => Some((false, x[1..].to_string())),
                            _ => Some((false, x.to_string())),
                        }
                    } else {
                        let c = x.chars().last()?;
                        match c {
                            '-' => Some((true, x[..x.len() - 1].to_string())),
                            '+' => Some((false, x[..x.len() - 1].to_string())),
                            _ => Some((false, x.to_string())),
                        }
                    }
                };
                let (n, rest) = take(t)?;
                neg = n;
                return self.parse_unsigned(rest.trim()).map(|v| if neg { -v } else { v });
            }
            Sign::None => {
                if let Some(rest) = t.strip_prefix('-') {
                    neg = true;
                    t = rest;
                }
            }
        }
        self.parse_unsigned(t).map(|v| if neg { -v } else { v })
    }

    fn parse_unsigned(&self, s: &str) -> Option<i128> {
        let mut t = s;
        if self.dollar {
            t = t.strip_prefix('$').or_else(|| t.strip_suffix('$'))?;
        }
        let (int_text, frac_text) = match t.split_once('.') {
            Some((a, b)) if self.point => (a, b),
            Some(_) => return None,
            None => (t, ""),
        };
        let grouping = self.int.contains(&b',');
        let int_digits: String = int_text.chars().filter(|c| !(grouping && *c == ',')).collect();
        if !int_digits.bytes().all(|b| b.is_ascii_digit()) || !frac_text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if int_digits.is_empty() && frac_text.is_empty() {
            return None;
        }
        let starts_zero = self.int.iter().find(|b| **b != b',') == Some(&b'0');
        if int_digits.len() > self.int_digits() || frac_text.len() > self.frac {
            return None;
        }
        if starts_zero && int_digits.len() != self.int_digits() {
            return None;
        }
        let mut v: i128 = if int_digits.is_empty() { 0 } else { int_digits.parse().ok()? };
        for k in 0..self.frac {
            let d = frac_text.as_bytes().get(k).map_or(0, |b| (b - b'0') as i128);
            v = v.checked_mul(10)?.checked_add(d)?;
        }
        Some(v)
    }
}

fn formats(c: &Ctx) -> Result<Strs> {
    Strs::new(c.arg(1)?)
}

/// `to_char(number, format)`.
fn to_char(c: &Ctx) -> Result<ArrayRef> {
    let a = c.arg(0)?.to_array(c.n);
    let (values, scale) = match a.data_type() {
        DataType::Decimal128(_, s) => (a.clone(), *s as u32),
        _ => (arrow::compute::cast(&a, &DataType::Decimal128(38, 0))?, 0),
    };
    let values = values.as_primitive::<Decimal128Type>();
    let f = formats(c)?;
    let mut cache: Option<(String, NumberFormat)> = None;
    build_strings(c.n, |i, buf| {
        let Some(fmt) = f.get(i) else { return Ok(false) };
        if values.is_null(i) {
            return Ok(false);
        }
        if cache.as_ref().is_none_or(|(k, _)| k != fmt) {
            cache = Some((fmt.to_string(), NumberFormat::parse(fmt)?));
        }
        let nf = &cache.as_ref().ok_or_else(|| Error::internal("format cache"))?.1;
        buf.push_str(&nf.format(values.value(i), scale));
        Ok(true)
    })
}

/// `to_number(text, format)` (`try_to_number` in Try mode).
fn to_number(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let f = formats(c)?;
    let (p, sc) = match c.return_type {
        DataType::Decimal128(p, s) => (*p, *s),
        other => return Err(Error::internal(format!("to_number into {other}"))),
    };
    let mut out = Vec::with_capacity(c.n);
    let mut cache: Option<(String, NumberFormat)> = None;
    for i in 0..c.n {
        let (Some(text), Some(fmt)) = (s.get(i), f.get(i)) else {
            out.push(None);
            continue;
        };
        if cache.as_ref().is_none_or(|(k, _)| k != fmt) {
            cache = Some((fmt.to_string(), NumberFormat::parse(fmt)?));
        }
        let nf = &cache.as_ref().ok_or_else(|| Error::internal("format cache"))?.1;
        match nf.parse_value(text) {
            Some(v) => out.push(Some(v)),
            None if c.mode == EvalMode::Try => out.push(None),
            None => {
                return Err(spark_error(
                    "INVALID_FORMAT.MISMATCH_INPUT",
                    "42601",
                    "The format is invalid: <format>. The input <inputType> <input> does not match the format.",
                    &[("inputType", "\"STRING\"".into()), ("input", text.to_string()), ("format", format!("'{fmt}'"))],
                ))
            }
        }
    }
    Ok(Arc::new(Decimal128Array::from(out).with_precision_and_scale(p, sc)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(v: i128, scale: u32, f: &str) -> String {
        NumberFormat::parse(f).unwrap().format(v, scale)
    }

    #[test]
    fn formats_like_spark_docs() {
        assert_eq!(fmt(454, 0, "999"), "454");
        assert_eq!(fmt(45400, 2, "000D00"), "454.00");
        assert_eq!(fmt(12454, 0, "99G999"), "12,454");
        assert_eq!(fmt(7812, 2, "$99.99"), "$78.12");
        assert_eq!(fmt(-124548, 1, "99G999D9S"), "12,454.8-");
        assert_eq!(fmt(11111, 2, "99.9"), "##.#");
        assert_eq!(fmt(124548, 1, "99,999.9S"), "12,454.8+");
    }

    #[test]
    fn parses_like_spark_docs() {
        let p = |s: &str, f: &str| NumberFormat::parse(f).unwrap().parse_value(s);
        assert_eq!(p("454", "999"), Some(454));
        assert_eq!(p("454.00", "000.00"), Some(45400));
        assert_eq!(p("12,454", "99,999"), Some(12454));
        assert_eq!(p("$78.12", "$99.99"), Some(7812));
        assert_eq!(p("12,454.8-", "99,999.9S"), Some(-124548));
        assert_eq!(p("4540", "999"), None);
    }
}
