//! More string functions: `translate`, `substring_index`, `soundex`,
//! `octet_length` / `bit_length`, `quote`, `overlay`, `levenshtein`, `elt`,
//! `find_in_set`, `space`, `format_number`, `format_string` (Java's
//! `Formatter` for the common conversions), the `regexp_*` family and
//! `parse_url` (the parts `java.net.URI` returns).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int32Array, ListBuilder, StringBuilder};
use arrow::datatypes::*;
use ember_core::{Error, EvalMode, Result};

use super::args::{build_prim, build_strings, Bins, I64s, Strs};
use super::string::{group_index_error, num_chars, substring_sql, RegexCache};
use super::Ctx;
use crate::errors::spark_error;

pub(super) fn eval(c: &Ctx) -> Option<Result<ArrayRef>> {
    Some(match c.name {
        "translate" => translate(c),
        "substring_index" => substring_index(c),
        "soundex" => map_str(c, soundex),
        "octet_length" => byte_length(c, 1),
        "bit_length" => byte_length(c, 8),
        "quote" => map_str(c, quote),
        "overlay" => overlay(c),
        "levenshtein" => levenshtein(c),
        "elt" => elt(c),
        "find_in_set" => find_in_set(c),
        "space" => space(c),
        "format_number" => format_number(c),
        "format_string" | "printf" => format_string(c),
        "regexp_like" | "rlike" | "regexp" => regexp_like(c),
        "regexp_count" => regexp_count(c),
        "regexp_substr" => regexp_substr(c),
        "regexp_instr" => regexp_instr(c),
        "regexp_extract_all" => regexp_extract_all(c),
        "parse_url" => parse_url(c),
        // Ember's strings are always valid UTF-8 (Arrow checks on the way in)
        "is_valid_utf8" => is_valid_utf8(c),
        "validate_utf8" | "try_validate_utf8" | "make_valid_utf8" => map_str(c, |s, b| b.push_str(s)),
        _ => return None,
    })
}

fn is_valid_utf8(c: &Ctx) -> Result<ArrayRef> {
    let a = Strs::new(c.arg(0)?)?;
    Ok(Arc::new((0..c.n).map(|i| a.get(i).map(|_| true)).collect::<BooleanArray>()))
}

fn map_str(c: &Ctx, f: impl Fn(&str, &mut String)) -> Result<ArrayRef> {
    let a = Strs::new(c.arg(0)?)?;
    build_strings(c.n, |i, buf| {
        let Some(s) = a.get(i) else { return Ok(false) };
        f(s, buf);
        Ok(true)
    })
}

/// `translate(s, from, to)`: each character of `from` becomes the one at
/// the same position of `to`, or is removed when `to` is shorter; the first
/// occurrence in `from` wins.
fn translate(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let from = Strs::new(c.arg(1)?)?;
    let to = Strs::new(c.arg(2)?)?;
    let mut cache: Option<(String, String, std::collections::HashMap<char, Option<char>>)> = None;
    build_strings(c.n, |i, buf| {
        let (Some(v), Some(f), Some(t)) = (s.get(i), from.get(i), to.get(i)) else { return Ok(false) };
        if cache.as_ref().is_none_or(|(cf, ct, _)| cf != f || ct != t) {
            let mut map = std::collections::HashMap::new();
            let mut targets = t.chars();
            for ch in f.chars() {
                let target = targets.next();
                map.entry(ch).or_insert(target);
            }
            cache = Some((f.to_string(), t.to_string(), map));
        }
        let map = &cache.as_ref().ok_or_else(|| Error::internal("translate map"))?.2;
        for ch in v.chars() {
            match map.get(&ch) {
                Some(Some(r)) => buf.push(*r),
                Some(None) => {}
                None => buf.push(ch),
            }
        }
        Ok(true)
    })
}

/// `substring_index(s, delim, count)`: the text before the `count`-th
/// delimiter (from the right when `count` is negative).
fn substring_index(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let d = Strs::new(c.arg(1)?)?;
    let k = I64s::new(c.arg(2)?)?;
    build_strings(c.n, |i, buf| {
        let (Some(v), Some(delim), Some(k)) = (s.get(i), d.get(i), k.get(i)) else { return Ok(false) };
        buf.push_str(substring_index_str(v, delim, k));
        Ok(true)
    })
}

pub(crate) fn substring_index_str<'a>(v: &'a str, delim: &str, k: i64) -> &'a str {
    if delim.is_empty() || k == 0 {
        return "";
    }
    if k > 0 {
        match v.match_indices(delim).nth(k as usize - 1) {
            Some((at, _)) => &v[..at],
            None => v,
        }
    } else {
        match v.rmatch_indices(delim).nth(k.unsigned_abs() as usize - 1) {
            Some((at, _)) => &v[at + delim.len()..],
            None => v,
        }
    }
}

/// American soundex; a string not starting with an ASCII letter is
/// returned unchanged, as Spark does.
pub(crate) fn soundex(s: &str, out: &mut String) {
    const CODES: &[u8; 26] = b"01230127022455012623017202";
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else { return };
    let first = first.to_ascii_uppercase();
    if !first.is_ascii_uppercase() {
        out.push_str(s);
        return;
    }
    let mut code = [first, b'0', b'0', b'0'];
    let mut k = 1;
    let mut last = CODES[(first - b'A') as usize];
    for &b in &bytes[1..] {
        let b = b.to_ascii_uppercase();
        if !b.is_ascii_uppercase() {
            continue;
        }
        let c = CODES[(b - b'A') as usize];
        if c == b'7' {
            continue; // H and W do not separate equal codes
        }
        if c != b'0' && c != last {
            code[k] = c;
            k += 1;
            if k > 3 {
                break;
            }
        }
        last = c;
    }
    out.extend(code.iter().map(|&b| b as char));
}

fn byte_length(c: &Ctx, unit: i32) -> Result<ArrayRef> {
    let a = Bins::new(c.arg(0)?)?;
    let out: Int32Array = build_prim(c.n, |i| Ok(a.get(i).map(|b| b.len() as i32 * unit)))?;
    Ok(Arc::new(out))
}

/// `quote(s)`: in single quotes, with `\` and `'` escaped by a backslash.
fn quote(s: &str, out: &mut String) {
    out.push('\'');
    for ch in s.chars() {
        if ch == '\'' || ch == '\\' {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('\'');
}

/// `overlay(s, r, pos[, len])`: `len` -1 means the length of `r`.
fn overlay(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let r = Strs::new(c.arg(1)?)?;
    let pos = I64s::new(c.arg(2)?)?;
    let len = match c.args.get(3) {
        Some(a) => Some(I64s::new(a)?),
        None => None,
    };
    build_strings(c.n, |i, buf| {
        let (Some(v), Some(rep), Some(p)) = (s.get(i), r.get(i), pos.get(i)) else { return Ok(false) };
        let l = match &len {
            Some(l) => match l.get(i) {
                Some(l) => l,
                None => return Ok(false),
            },
            None => -1,
        };
        let l = if l < 0 { num_chars(rep) as i64 } else { l };
        buf.push_str(substring_sql(v, 1, p - 1));
        buf.push_str(rep);
        buf.push_str(substring_sql(v, p.saturating_add(l), i32::MAX as i64));
        Ok(true)
    })
}

fn levenshtein(c: &Ctx) -> Result<ArrayRef> {
    let a = Strs::new(c.arg(0)?)?;
    let b = Strs::new(c.arg(1)?)?;
    let t = match c.args.get(2) {
        Some(x) => Some(I64s::new(x)?),
        None => None,
    };
    let out: Int32Array = build_prim(c.n, |i| {
        let (Some(x), Some(y)) = (a.get(i), b.get(i)) else { return Ok(None) };
        let d = levenshtein_distance(x, y) as i64;
        Ok(match &t {
            None => Some(d as i32),
            Some(t) => t.get(i).map(|t| if d > t { -1 } else { d as i32 }),
        })
    })?;
    Ok(Arc::new(out))
}

pub(crate) fn levenshtein_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j + 1] + 1).min(cur[j] + 1).min(prev[j] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// `INVALID_ARRAY_INDEX` (ANSI access past the end).
pub(crate) fn invalid_array_index(index: i64, size: usize) -> Error {
    spark_error(
        "INVALID_ARRAY_INDEX",
        "22003",
        "The index <indexValue> is out of bounds. The array has <arraySize> elements. Use the SQL function \
         `get()` to tolerate accessing element at invalid index and return NULL instead.",
        &[("indexValue", index.to_string()), ("arraySize", size.to_string())],
    )
}

/// `elt(n, v1, v2, ...)`: the n-th value; out of range is an error under
/// ANSI and NULL otherwise.
fn elt(c: &Ctx) -> Result<ArrayRef> {
    let n = I64s::new(c.arg(0)?)?;
    let values: Vec<ArrayRef> = c.args[1..].iter().map(|v| v.to_array(c.n)).collect();
    let k = values.len();
    let mut picks: Vec<Option<(usize, usize)>> = Vec::with_capacity(c.n);
    for i in 0..c.n {
        picks.push(match n.get(i) {
            Some(x) if x >= 1 && x as usize <= k => Some((x as usize - 1, i)),
            Some(x) if c.mode == EvalMode::Ansi => return Err(invalid_array_index(x, k)),
            _ => None,
        });
    }
    let refs: Vec<&dyn Array> = values.iter().map(|a| a.as_ref()).collect();
    if refs.is_empty() {
        return Ok(arrow::array::new_null_array(c.return_type, c.n));
    }
    let null = arrow::array::new_null_array(c.return_type, 1);
    let mut all = refs.clone();
    all.push(null.as_ref());
    let idx: Vec<(usize, usize)> = picks.into_iter().map(|p| p.unwrap_or((k, 0))).collect();
    Ok(arrow::compute::interleave(&all, &idx)?)
}

fn find_in_set(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let list = Strs::new(c.arg(1)?)?;
    let out: Int32Array = build_prim(c.n, |i| {
        let (Some(v), Some(l)) = (s.get(i), list.get(i)) else { return Ok(None) };
        if v.contains(',') {
            return Ok(Some(0));
        }
        Ok(Some(l.split(',').position(|x| x == v).map_or(0, |p| p as i32 + 1)))
    })?;
    Ok(Arc::new(out))
}

fn space(c: &Ctx) -> Result<ArrayRef> {
    let n = I64s::new(c.arg(0)?)?;
    build_strings(c.n, |i, buf| {
        let Some(k) = n.get(i) else { return Ok(false) };
        buf.extend(std::iter::repeat_n(' ', k.clamp(0, i32::MAX as i64) as usize));
        Ok(true)
    })
}

/// A number as text at its exact decimal value: sign, integer digits,
/// fraction digits.
struct Digits {
    neg: bool,
    int: String,
    frac: String,
}

/// Rounds `v` (any numeric column value) half-even to `d` fraction digits.
fn number_digits(a: &ArrayRef, i: usize, d: usize) -> Option<Digits> {
    if a.is_null(i) {
        return None;
    }
    let text = match a.data_type() {
        DataType::Float64 => {
            let v = a.as_primitive::<Float64Type>().value(i);
            if !v.is_finite() {
                return None;
            }
            format!("{v:.d$}")
        }
        DataType::Float32 => {
            let v = a.as_primitive::<Float32Type>().value(i);
            if !v.is_finite() {
                return None;
            }
            format!("{v:.d$}")
        }
        DataType::Decimal128(_, s) => {
            let v = a.as_primitive::<Decimal128Type>().value(i);
            decimal_text(v, *s as usize, d)
        }
        _ => {
            let v = arrow::compute::cast(&a.slice(i, 1), &DataType::Int64).ok()?;
            let v = v.as_primitive::<Int64Type>().value(0);
            decimal_text(v as i128, 0, d)
        }
    };
    let (neg, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text.as_str()),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    Some(Digits { neg, int: int.to_string(), frac: frac.to_string() })
}

/// The decimal `v * 10^-s` rounded half-even to `d` fraction digits.
fn decimal_text(v: i128, s: usize, d: usize) -> String {
    let neg = v < 0;
    let mut m = v.unsigned_abs();
    let mut scale = s;
    if d < scale {
        let drop = (scale - d) as u32;
        let p = 10u128.pow(drop.min(38));
        let (q, r) = (m / p, m % p);
        let half = p / 2;
        m = if r > half || (r == half && q % 2 == 1) { q + 1 } else { q };
        scale = d;
    }
    let mut digits = m.to_string();
    if digits.len() <= scale {
        digits = format!("{}{digits}", "0".repeat(scale + 1 - digits.len()));
    }
    let (int, frac) = digits.split_at(digits.len() - scale);
    let mut frac = frac.to_string();
    while frac.len() < d {
        frac.push('0');
    }
    let sign = if neg { "-" } else { "" };
    if d == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// `format_number(x, d)` (`#,###,##0.00...`, half-even) or
/// `format_number(x, pattern)` for DecimalFormat patterns made of `#`,
/// `0`, `,` and `.`.
fn format_number(c: &Ctx) -> Result<ArrayRef> {
    let x = c.arg(0)?.to_array(c.n);
    let spec = c.arg(1)?;
    let by_pattern = spec.data_type() == DataType::Utf8;
    let digits = if by_pattern { None } else { Some(I64s::new(spec)?) };
    let patterns = if by_pattern { Some(Strs::new(spec)?) } else { None };
    build_strings(c.n, |i, buf| {
        let layout = match (&digits, &patterns) {
            (Some(d), _) => match d.get(i) {
                Some(d) if d >= 0 => Layout { group: true, min_int: 1, min_frac: d as usize, max_frac: d as usize },
                _ => return Ok(false),
            },
            (_, Some(p)) => match p.get(i) {
                Some("") => Layout { group: true, min_int: 1, min_frac: 0, max_frac: 0 },
                Some(p) => Layout::parse(p),
                None => return Ok(false),
            },
            _ => return Ok(false),
        };
        let Some(mut num) = number_digits(&x, i, layout.max_frac) else { return Ok(false) };
        while num.frac.len() > layout.min_frac && num.frac.ends_with('0') {
            num.frac.pop();
        }
        let int = num.int.trim_start_matches('0');
        let int = if int.len() < layout.min_int {
            format!("{}{int}", "0".repeat(layout.min_int - int.len()))
        } else {
            int.to_string()
        };
        // DecimalFormat keeps the sign of a negative value rounded to zero
        if num.neg {
            buf.push('-');
        }
        if layout.group {
            let n = int.len();
            for (k, ch) in int.chars().enumerate() {
                if k > 0 && (n - k) % 3 == 0 {
                    buf.push(',');
                }
                buf.push(ch);
            }
        } else {
            buf.push_str(&int);
        }
        if !num.frac.is_empty() {
            buf.push('.');
            buf.push_str(&num.frac);
        }
        Ok(true)
    })
}

struct Layout {
    group: bool,
    min_int: usize,
    min_frac: usize,
    max_frac: usize,
}

impl Layout {
    fn parse(p: &str) -> Layout {
        let (int, frac) = p.split_once('.').unwrap_or((p, ""));
        Layout {
            group: int.contains(','),
            min_int: int.chars().filter(|c| *c == '0').count(),
            min_frac: frac.chars().filter(|c| *c == '0').count(),
            max_frac: frac.chars().filter(|c| *c == '0' || *c == '#').count(),
        }
    }
}

/// One argument value of `format_string`, as Java would receive it.
enum FmtArg {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
}

fn fmt_arg(a: &ArrayRef, i: usize, tz: &crate::tz::TimeZone) -> FmtArg {
    if matches!(a.data_type(), DataType::Null) || a.is_null(i) {
        return FmtArg::Null;
    }
    match a.data_type() {
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => {
            match arrow::compute::cast(&a.slice(i, 1), &DataType::Int64) {
                Ok(v) => FmtArg::Int(v.as_primitive::<Int64Type>().value(0)),
                Err(_) => FmtArg::Null,
            }
        }
        DataType::Float64 => FmtArg::Float(a.as_primitive::<Float64Type>().value(i)),
        DataType::Float32 => FmtArg::Float(a.as_primitive::<Float32Type>().value(i) as f64),
        DataType::Boolean => FmtArg::Bool(a.as_boolean().value(i)),
        _ => match crate::cast::cast_in_zone(&a.slice(i, 1), &DataType::Utf8, EvalMode::Legacy, tz) {
            Ok(v) => FmtArg::Text(v.as_string::<i32>().value(0).to_string()),
            Err(_) => FmtArg::Null,
        },
    }
}

fn format_error(detail: &str) -> Error {
    spark_error(
        "INVALID_PARAMETER_VALUE.PATTERN",
        "22023",
        "The value of parameter(s) <parameter> in <functionName> is invalid: <detail>.",
        &[("parameter", "`strfmt`".into()), ("functionName", "`format_string`".into()), ("detail", detail.into())],
    )
}

fn format_string(c: &Ctx) -> Result<ArrayRef> {
    let f = Strs::new(c.arg(0)?)?;
    let args: Vec<ArrayRef> = c.args[1..].iter().map(|a| a.to_array(c.n)).collect();
    build_strings(c.n, |i, buf| {
        let Some(fmt) = f.get(i) else { return Ok(false) };
        let vals: Vec<FmtArg> = args.iter().map(|a| fmt_arg(a, i, c.tz)).collect();
        java_format(fmt, &vals, buf)?;
        Ok(true)
    })
}

/// Java's `String.format` for `%[index$][flags][width][.precision]conv`
/// with conversions `s S d x X o f e E g b B c h % n`.
fn java_format(fmt: &str, args: &[FmtArg], out: &mut String) -> Result<()> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut k = 0;
    let mut next_arg = 0;
    while k < chars.len() {
        if chars[k] != '%' {
            out.push(chars[k]);
            k += 1;
            continue;
        }
        k += 1;
        let start = k;
        while k < chars.len() && (chars[k].is_ascii_digit() || "-#+ 0,($.".contains(chars[k])) {
            k += 1;
        }
        let Some(&conv) = chars.get(k) else { return Err(format_error("incomplete format specifier")) };
        k += 1;
        let spec: String = chars[start..k - 1].iter().collect();
        let (index, spec) = match spec.split_once('$') {
            Some((n, rest)) => (n.parse::<usize>().ok(), rest.to_string()),
            None => (None, spec),
        };
        let flags: String = spec.chars().take_while(|c| "-#+ 0,(".contains(*c)).collect();
        let rest = &spec[flags.len()..];
        let (width, precision) = match rest.split_once('.') {
            Some((w, p)) => (w.parse::<usize>().ok(), p.parse::<usize>().ok()),
            None => (rest.parse::<usize>().ok(), None),
        };
        let body = match conv {
            '%' => "%".to_string(),
            'n' => "\n".to_string(),
            _ => {
                let arg = match index {
                    Some(n) if n >= 1 => args.get(n - 1),
                    _ => {
                        next_arg += 1;
                        args.get(next_arg - 1)
                    }
                };
                let Some(arg) = arg else {
                    return Err(format_error(&format!("Format specifier '%{spec}{conv}' has no argument")));
                };
                format_one(conv, &flags, precision, arg)?
            }
        };
        let body = match width {
            Some(w) if body.chars().count() < w => {
                let padn = w - body.chars().count();
                if flags.contains('-') {
                    format!("{body}{}", " ".repeat(padn))
                } else if flags.contains('0') && "dxXofeEg".contains(conv) {
                    let (sign, digits) = match body.strip_prefix('-') {
                        Some(d) => ("-", d.to_string()),
                        None => ("", body.clone()),
                    };
                    format!("{sign}{}{digits}", "0".repeat(padn))
                } else {
                    format!("{}{body}", " ".repeat(padn))
                }
            }
            _ => body,
        };
        out.push_str(&body);
    }
    Ok(())
}

fn group_thousands(int: &str) -> String {
    let n = int.len();
    let mut s = String::with_capacity(n + n / 3);
    for (k, ch) in int.chars().enumerate() {
        if k > 0 && (n - k).is_multiple_of(3) {
            s.push(',');
        }
        s.push(ch);
    }
    s
}

fn format_one(conv: char, flags: &str, precision: Option<usize>, arg: &FmtArg) -> Result<String> {
    let sign = |neg: bool, s: String| -> String {
        if neg {
            if flags.contains('(') {
                format!("({s})")
            } else {
                format!("-{s}")
            }
        } else if flags.contains('+') {
            format!("+{s}")
        } else if flags.contains(' ') {
            format!(" {s}")
        } else {
            s
        }
    };
    let mismatch = || format_error(&format!("%{conv} does not accept the argument type"));
    Ok(match conv {
        's' | 'S' => {
            let mut s = match arg {
                FmtArg::Null => "null".to_string(),
                FmtArg::Int(v) => v.to_string(),
                FmtArg::Float(v) => ember_core::format::java_double(*v),
                FmtArg::Bool(b) => b.to_string(),
                FmtArg::Text(t) => t.clone(),
            };
            if let Some(p) = precision {
                s = s.chars().take(p).collect();
            }
            if conv == 'S' {
                s.to_uppercase()
            } else {
                s
            }
        }
        'b' | 'B' => {
            let s = match arg {
                FmtArg::Null => "false".to_string(),
                FmtArg::Bool(b) => b.to_string(),
                _ => "true".to_string(),
            };
            if conv == 'B' {
                s.to_uppercase()
            } else {
                s
            }
        }
        'd' => match arg {
            FmtArg::Null => "null".into(),
            FmtArg::Int(v) => {
                let digits = v.unsigned_abs().to_string();
                let digits = if flags.contains(',') { group_thousands(&digits) } else { digits };
                sign(*v < 0, digits)
            }
            _ => return Err(mismatch()),
        },
        'x' | 'X' | 'o' => match arg {
            FmtArg::Null => "null".into(),
            FmtArg::Int(v) => {
                let s = match conv {
                    'o' => format!("{:o}", *v as u64),
                    'x' => format!("{:x}", *v as u64),
                    _ => format!("{:X}", *v as u64),
                };
                if flags.contains('#') {
                    format!(
                        "{}{s}",
                        if conv == 'o' {
                            "0"
                        } else if conv == 'x' {
                            "0x"
                        } else {
                            "0X"
                        }
                    )
                } else {
                    s
                }
            }
            _ => return Err(mismatch()),
        },
        'c' => match arg {
            FmtArg::Null => "null".into(),
            FmtArg::Int(v) => char::from_u32(*v as u32).map(|c| c.to_string()).ok_or_else(mismatch)?,
            _ => return Err(mismatch()),
        },
        'f' | 'e' | 'E' | 'g' => {
            let v = match arg {
                FmtArg::Null => return Ok("null".into()),
                FmtArg::Float(v) => *v,
                FmtArg::Text(t) => t.parse::<f64>().map_err(|_| mismatch())?,
                _ => return Err(mismatch()),
            };
            if v.is_nan() {
                return Ok("NaN".into());
            }
            if v.is_infinite() {
                return Ok(sign(v < 0.0, "Infinity".into()));
            }
            let p = precision.unwrap_or(6);
            let body = match conv {
                'f' => {
                    let s = format!("{:.p$}", v.abs());
                    if flags.contains(',') {
                        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
                        if frac.is_empty() {
                            group_thousands(int)
                        } else {
                            format!("{}.{frac}", group_thousands(int))
                        }
                    } else {
                        s
                    }
                }
                'g' => format!("{:.p$}", v.abs()),
                _ => {
                    let s = format!("{:.p$e}", v.abs());
                    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                    let e: i32 = e.parse().unwrap_or(0);
                    let s = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
                    if conv == 'E' {
                        s.to_uppercase()
                    } else {
                        s
                    }
                }
            };
            sign(v.is_sign_negative() && v != 0.0, body)
        }
        'h' | 'H' => match arg {
            FmtArg::Null => "null".into(),
            _ => return Err(mismatch()),
        },
        other => return Err(format_error(&format!("Conversion = '{other}'"))),
    })
}

fn regexp_like(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let p = Strs::new(c.arg(1)?)?;
    let mut cache = RegexCache::new("rlike");
    let mut out = Vec::with_capacity(c.n);
    for i in 0..c.n {
        out.push(match (s.get(i), p.get(i)) {
            (Some(v), Some(pat)) => Some(cache.get(pat)?.is_match(v)),
            _ => None,
        });
    }
    Ok(Arc::new(BooleanArray::from(out)))
}

fn regexp_count(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let p = Strs::new(c.arg(1)?)?;
    let mut cache = RegexCache::new("regexp_count");
    let out: Int32Array = build_prim(c.n, |i| {
        let (Some(v), Some(pat)) = (s.get(i), p.get(i)) else { return Ok(None) };
        Ok(Some(cache.get(pat)?.find_iter(v).count() as i32))
    })?;
    Ok(Arc::new(out))
}

/// `regexp_substr(s, p)`: the first match, NULL when none (or when empty).
fn regexp_substr(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let p = Strs::new(c.arg(1)?)?;
    let mut cache = RegexCache::new("regexp_substr");
    build_strings(c.n, |i, buf| {
        let (Some(v), Some(pat)) = (s.get(i), p.get(i)) else { return Ok(false) };
        match cache.get(pat)?.find(v) {
            Some(m) if !m.as_str().is_empty() => {
                buf.push_str(m.as_str());
                Ok(true)
            }
            _ => Ok(false),
        }
    })
}

fn group_arg(c: &Ctx) -> Result<Option<I64s>> {
    c.args.get(2).map(I64s::new).transpose()
}

/// `regexp_instr(s, p[, idx])`: the 1-based character position where the
/// first match (or its group `idx`) starts, 0 when there is none.
fn regexp_instr(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let p = Strs::new(c.arg(1)?)?;
    let idx = group_arg(c)?;
    let mut cache = RegexCache::new("regexp_instr");
    let out: Int32Array = build_prim(c.n, |i| {
        let (Some(v), Some(pat)) = (s.get(i), p.get(i)) else { return Ok(None) };
        let k = match &idx {
            Some(x) => match x.get(i) {
                Some(k) => k,
                None => return Ok(None),
            },
            None => 0,
        };
        let re = cache.get(pat)?;
        let groups = re.captures_len() as i64 - 1;
        if k < 0 || k > groups {
            return Err(group_index_error("regexp_instr", groups, k));
        }
        Ok(Some(match re.captures(v).and_then(|caps| caps.get(k as usize)) {
            Some(m) => num_chars(&v[..m.start()]) as i32 + 1,
            None => 0,
        }))
    })?;
    Ok(Arc::new(out))
}

/// `regexp_extract_all(s, p[, idx])`: group `idx` of every match (empty
/// for a group that did not take part).
fn regexp_extract_all(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let p = Strs::new(c.arg(1)?)?;
    let idx = group_arg(c)?;
    let mut cache = RegexCache::new("regexp_extract_all");
    let field = Arc::new(Field::new("element", DataType::Utf8, true));
    let mut out = ListBuilder::new(StringBuilder::new()).with_field(field);
    for i in 0..c.n {
        let (Some(v), Some(pat)) = (s.get(i), p.get(i)) else {
            out.append(false);
            continue;
        };
        let k = match &idx {
            Some(x) => match x.get(i) {
                Some(k) => k,
                None => {
                    out.append(false);
                    continue;
                }
            },
            None => 1,
        };
        let re = cache.get(pat)?;
        let groups = re.captures_len() as i64 - 1;
        if k < 0 || k > groups {
            return Err(group_index_error("regexp_extract_all", groups, k));
        }
        for caps in re.captures_iter(v) {
            out.values().append_value(caps.get(k as usize).map_or("", |m| m.as_str()));
        }
        out.append(true);
    }
    Ok(Arc::new(out.finish()))
}

/// The parts of a URI the way `java.net.URI` splits it.
#[derive(Default, Debug, PartialEq)]
pub(crate) struct UrlParts<'a> {
    pub scheme: Option<&'a str>,
    pub authority: Option<&'a str>,
    pub userinfo: Option<&'a str>,
    pub host: Option<&'a str>,
    pub path: Option<&'a str>,
    pub query: Option<&'a str>,
    pub fragment: Option<&'a str>,
}

/// Splits a URI; `None` when `java.net.URI` would reject it (characters it
/// never accepts unescaped, bad `%` escapes, a bad scheme).
pub(crate) fn split_url(url: &str) -> Option<UrlParts<'_>> {
    let b = url.as_bytes();
    for (k, &ch) in b.iter().enumerate() {
        let bad = ch <= b' ' || ch == 0x7F || b"\"<>\\^`{|}".contains(&ch);
        if bad {
            return None;
        }
        if ch == b'%'
            && !(b.get(k + 1).is_some_and(u8::is_ascii_hexdigit) && b.get(k + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return None;
        }
    }
    let mut p = UrlParts::default();
    let (rest, fragment) = match url.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (url, None),
    };
    p.fragment = fragment;
    let mut rest = rest;
    if let Some(colon) = rest.find(':') {
        let scheme = &rest[..colon];
        let slash = rest.find(['/', '?']).unwrap_or(rest.len());
        if colon < slash {
            let ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            if !ok {
                return None;
            }
            p.scheme = Some(scheme);
            rest = &rest[colon + 1..];
            // opaque URIs (`mailto:x`) have no path or query
            if !rest.starts_with('/') {
                return if rest.is_empty() { None } else { Some(p) };
            }
        }
    }
    let (hier, query) = match rest.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (rest, None),
    };
    p.query = query;
    if let Some(after) = hier.strip_prefix("//") {
        let end = after.find('/').unwrap_or(after.len());
        let authority = &after[..end];
        p.path = Some(&after[end..]);
        if !authority.is_empty() {
            p.authority = Some(authority);
            let (userinfo, hostport) = match authority.rsplit_once('@') {
                Some((u, h)) => (Some(u), h),
                None => (None, authority),
            };
            p.userinfo = userinfo;
            let host = match hostport.rfind(':') {
                Some(k) if !hostport.ends_with(']') => &hostport[..k],
                _ => hostport,
            };
            if !host.is_empty() {
                p.host = Some(host);
            }
        }
    } else {
        p.path = Some(hier);
    }
    Some(p)
}

fn parse_url(c: &Ctx) -> Result<ArrayRef> {
    let u = Strs::new(c.arg(0)?)?;
    let part = Strs::new(c.arg(1)?)?;
    let key = c.args.get(2).map(Strs::new).transpose()?;
    build_strings(c.n, |i, buf| {
        let (Some(url), Some(part)) = (u.get(i), part.get(i)) else { return Ok(false) };
        let Some(p) = split_url(url) else {
            if c.mode == EvalMode::Ansi {
                return Err(spark_error(
                    "INVALID_URL",
                    "22P02",
                    "The url is invalid: <url>. Use `try_parse_url` to tolerate invalid URL and return NULL \
                     instead.",
                    &[("url", url.to_string())],
                ));
            }
            return Ok(false);
        };
        let value: Option<String> = match part {
            "HOST" => p.host.map(str::to_string),
            "PATH" => p.path.map(str::to_string),
            "QUERY" => match &key {
                None => p.query.map(str::to_string),
                Some(k) => {
                    let Some(k) = k.get(i) else { return Ok(false) };
                    p.query
                        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix(k).and_then(|r| r.strip_prefix('='))))
                        .map(str::to_string)
                }
            },
            "REF" => p.fragment.map(str::to_string),
            "PROTOCOL" => p.scheme.map(str::to_string),
            "FILE" => p.path.map(|path| match p.query {
                Some(q) => format!("{path}?{q}"),
                None => path.to_string(),
            }),
            "AUTHORITY" => p.authority.map(str::to_string),
            "USERINFO" => p.userinfo.map(str::to_string),
            _ => None,
        };
        match value {
            Some(v) => {
                buf.push_str(&v);
                Ok(true)
            }
            None => Ok(false),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sx(s: &str) -> String {
        let mut o = String::new();
        soundex(s, &mut o);
        o
    }

    #[test]
    fn soundex_codes() {
        assert_eq!(sx("Miller"), "M460");
        assert_eq!(sx("Robert"), "R163");
        assert_eq!(sx("Tymczak"), "T522");
        assert_eq!(sx("Ashcraft"), "A261");
        assert_eq!(sx("İo"), "İo");
        assert_eq!(sx(""), "");
    }

    #[test]
    fn substring_indexes() {
        assert_eq!(substring_index_str("www.apache.org", ".", 2), "www.apache");
        assert_eq!(substring_index_str("www.apache.org", ".", -2), "apache.org");
        assert_eq!(substring_index_str("www.apache.org", ".", 5), "www.apache.org");
        assert_eq!(substring_index_str("www.apache.org", "", 2), "");
    }

    #[test]
    fn distances() {
        assert_eq!(levenshtein_distance("kitten", "sitting"), 3);
        assert_eq!(levenshtein_distance("", "abc"), 3);
    }

    #[test]
    fn java_formatting() {
        let f = |fmt: &str, args: Vec<FmtArg>| {
            let mut s = String::new();
            java_format(fmt, &args, &mut s).unwrap();
            s
        };
        assert_eq!(f("Hello World %d %s", vec![FmtArg::Int(100), FmtArg::Text("days".into())]), "Hello World 100 days");
        assert_eq!(
            f("%5s|%-5s|%05d", vec![FmtArg::Text("a".into()), FmtArg::Text("b".into()), FmtArg::Int(42)]),
            "    a|b    |00042"
        );
        assert_eq!(
            f("%.2f %,d %x", vec![FmtArg::Float(1.23456), FmtArg::Int(1234567), FmtArg::Int(255)]),
            "1.23 1,234,567 ff"
        );
        assert_eq!(f("%s and %s", vec![FmtArg::Null, FmtArg::Bool(true)]), "null and true");
        assert_eq!(f("%2$s %1$s %%", vec![FmtArg::Text("a".into()), FmtArg::Text("b".into())]), "b a %");
    }

    #[test]
    fn numbers_with_layout() {
        assert_eq!(decimal_text(123456, 3, 2), "123.46");
        assert_eq!(decimal_text(-5, 1, 0), "-0");
        assert_eq!(decimal_text(25, 1, 0), "2");
        assert_eq!(decimal_text(35, 1, 0), "4");
        assert_eq!(decimal_text(7, 0, 3), "7.000");
    }

    #[test]
    fn urls() {
        let p = split_url("http://userinfo@spark.apache.org/path?query=1#Ref").unwrap();
        assert_eq!(p.host, Some("spark.apache.org"));
        assert_eq!(p.path, Some("/path"));
        assert_eq!(p.query, Some("query=1"));
        assert_eq!(p.fragment, Some("Ref"));
        assert_eq!(p.scheme, Some("http"));
        assert_eq!(p.authority, Some("userinfo@spark.apache.org"));
        assert_eq!(p.userinfo, Some("userinfo"));
        assert!(split_url("inva lid://x").is_none());
    }
}
