//! String functions with Spark's (`UTF8String`) semantics: positions and
//! lengths count characters, not bytes; ASCII strings take byte-indexed
//! fast paths.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int32Array};
use ember_core::{Error, Result};
use regex::Regex;

use super::args::{build_binary, build_bools, build_prim, build_strings, Bins, I64s, Strs};
use super::Ctx;
use crate::errors::spark_error;
use crate::like::compile_regex;

pub(super) fn eval(c: &Ctx) -> Option<Result<ArrayRef>> {
    Some(match c.name {
        "substring" | "substr" => substring(c),
        "upper" | "ucase" => map_str(c, |s, b| b.push_str(&upper(s))),
        "lower" | "lcase" => map_str(c, |s, b| b.push_str(&lower(s))),
        "trim" | "btrim" => trim(c, true, true),
        "ltrim" => trim(c, true, false),
        "rtrim" => trim(c, false, true),
        "length" | "char_length" | "character_length" | "len" => length(c),
        "concat" => concat(c),
        "concat_ws" => concat_ws(c),
        "replace" => replace(c),
        "instr" => instr(c),
        "locate" | "position" => locate(c),
        "lpad" => pad(c, true),
        "rpad" => pad(c, false),
        "reverse" => map_str(c, |s, b| b.extend(s.chars().rev())),
        "initcap" => map_str(c, initcap),
        "repeat" => repeat(c),
        "ascii" => ascii(c),
        "chr" | "char" => chr(c),
        "startswith" => predicate(c, |s, p| s.starts_with(p)),
        "endswith" => predicate(c, |s, p| s.ends_with(p)),
        "contains" => predicate(c, |s, p| s.contains(p)),
        "left" => left_right(c, true),
        "right" => left_right(c, false),
        "split_part" => split_part(c),
        "regexp_replace" => regexp_replace(c),
        "regexp_extract" => regexp_extract(c),
        "split" => split(c),
        "mask" => mask(c),
        "luhn_check" => luhn_check(c),
        _ => return None,
    })
}

pub(super) fn num_chars(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Characters `[start, end)` of `s`, clamped to the string.
fn char_slice(s: &str, start: usize, end: usize) -> &str {
    if start >= end {
        return "";
    }
    if s.is_ascii() {
        let e = end.min(s.len());
        let b = start.min(e);
        return &s[b..e];
    }
    let mut idx = s.char_indices().map(|(i, _)| i).chain(std::iter::once(s.len()));
    let b = idx.nth(start).unwrap_or(s.len());
    let e = if end == usize::MAX { s.len() } else { idx.nth(end - start - 1).unwrap_or(s.len()) };
    &s[b..e]
}

/// Spark's `UTF8String.substringSQL(pos, length)`.
pub(crate) fn substring_sql(s: &str, pos: i64, len: i64) -> &str {
    let n = num_chars(s) as i64;
    let start = if pos > 0 {
        pos - 1
    } else if pos < 0 {
        n + pos
    } else {
        0
    };
    let end = start.saturating_add(len);
    let start = start.max(0);
    if start >= end {
        return "";
    }
    char_slice(s, start as usize, end.min(n) as usize)
}

fn upper(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
        s.to_ascii_uppercase().into()
    } else {
        s.to_uppercase().into()
    }
}

fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
        s.to_ascii_lowercase().into()
    } else {
        s.to_lowercase().into()
    }
}

/// Applies `f` to a single string argument; NULL in, NULL out.
fn map_str(c: &Ctx, f: impl Fn(&str, &mut String)) -> Result<ArrayRef> {
    let a = Strs::new(c.arg(0)?)?;
    build_strings(c.n, |i, buf| {
        Ok(match a.get(i) {
            Some(s) => {
                f(s, buf);
                true
            }
            None => false,
        })
    })
}

fn substring(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let pos = I64s::new(c.arg(1)?)?;
    let len = match c.args.get(2) {
        Some(l) => Some(I64s::new(l)?),
        None => None,
    };
    build_strings(c.n, |i, buf| {
        let (Some(v), Some(p)) = (s.get(i), pos.get(i)) else {
            return Ok(false);
        };
        let l = match &len {
            Some(l) => match l.get(i) {
                Some(l) => l,
                None => return Ok(false),
            },
            None => i32::MAX as i64,
        };
        buf.push_str(substring_sql(v, p, l));
        Ok(true)
    })
}

fn initcap(s: &str, buf: &mut String) {
    // Spark: lower-case everything, then upper-case the first letter of each
    // space-separated word
    let mut at_start = true;
    for ch in s.chars() {
        if at_start {
            buf.extend(ch.to_uppercase());
        } else {
            buf.extend(ch.to_lowercase());
        }
        at_start = ch == ' ';
    }
}

fn trim(c: &Ctx, left: bool, right: bool) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let chars = match c.args.get(1) {
        Some(t) => Some(Strs::new(t)?),
        None => None,
    };
    build_strings(c.n, |i, buf| {
        let Some(v) = s.get(i) else { return Ok(false) };
        let set = match &chars {
            Some(t) => match t.get(i) {
                Some(t) => t,
                None => return Ok(false),
            },
            None => " ",
        };
        let is_trim = |ch: char| set.contains(ch);
        let mut out = v;
        if left {
            out = out.trim_start_matches(is_trim);
        }
        if right {
            out = out.trim_end_matches(is_trim);
        }
        buf.push_str(out);
        Ok(true)
    })
}

fn length(c: &Ctx) -> Result<ArrayRef> {
    if let crate::ColumnarValue::Array(a) = c.arg(0)? {
        if let Some(b) = arrow::array::AsArray::as_binary_opt::<i32>(a.as_ref()) {
            let out: Int32Array = b.iter().map(|v| v.map(|v| v.len() as i32)).collect();
            return Ok(Arc::new(out));
        }
    }
    let s = Strs::new(c.arg(0)?)?;
    let out: Int32Array = build_prim(c.n, |i| Ok(s.get(i).map(|v| num_chars(v) as i32)))?;
    Ok(Arc::new(out))
}

fn all_strs(c: &Ctx, from: usize) -> Result<Vec<Strs>> {
    c.args[from.min(c.args.len())..].iter().map(Strs::new).collect()
}

fn concat(c: &Ctx) -> Result<ArrayRef> {
    let parts = all_strs(c, 0)?;
    build_strings(c.n, |i, buf| {
        for p in &parts {
            match p.get(i) {
                Some(v) => buf.push_str(v),
                None => return Ok(false),
            }
        }
        Ok(true)
    })
}

fn concat_ws(c: &Ctx) -> Result<ArrayRef> {
    let sep = Strs::new(c.arg(0)?)?;
    let parts = all_strs(c, 1)?;
    build_strings(c.n, |i, buf| {
        let Some(sep) = sep.get(i) else {
            return Ok(false);
        };
        let mut first = true;
        for p in &parts {
            if let Some(v) = p.get(i) {
                if !first {
                    buf.push_str(sep);
                }
                buf.push_str(v);
                first = false;
            }
        }
        Ok(true)
    })
}

fn replace(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let search = Strs::new(c.arg(1)?)?;
    let rep = match c.args.get(2) {
        Some(r) => Some(Strs::new(r)?),
        None => None,
    };
    build_strings(c.n, |i, buf| {
        let (Some(v), Some(from)) = (s.get(i), search.get(i)) else {
            return Ok(false);
        };
        let to = match &rep {
            Some(r) => match r.get(i) {
                Some(r) => r,
                None => return Ok(false),
            },
            None => "",
        };
        if from.is_empty() {
            buf.push_str(v);
        } else {
            let mut last = 0;
            for (at, _) in v.match_indices(from) {
                buf.push_str(&v[last..at]);
                buf.push_str(to);
                last = at + from.len();
            }
            buf.push_str(&v[last..]);
        }
        Ok(true)
    })
}

/// 1-based character position of `needle` in `hay` at or after character
/// `from` (0-based); 0 when absent. An empty needle is found at 1, like
/// Spark's `UTF8String.indexOf`.
fn char_position(hay: &str, needle: &str, from: usize) -> i32 {
    if needle.is_empty() {
        return 1;
    }
    let byte_from = if hay.is_ascii() {
        if from > hay.len() {
            return 0;
        }
        from
    } else {
        match hay.char_indices().map(|(b, _)| b).chain(std::iter::once(hay.len())).nth(from) {
            Some(b) => b,
            None => return 0,
        }
    };
    match hay[byte_from..].find(needle) {
        Some(b) => (num_chars(&hay[..byte_from + b]) + 1) as i32,
        None => 0,
    }
}

fn instr(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let sub = Strs::new(c.arg(1)?)?;
    let out: Int32Array = build_prim(c.n, |i| {
        Ok(match (s.get(i), sub.get(i)) {
            (Some(h), Some(n)) => Some(char_position(h, n, 0)),
            _ => None,
        })
    })?;
    Ok(Arc::new(out))
}

fn locate(c: &Ctx) -> Result<ArrayRef> {
    let sub = Strs::new(c.arg(0)?)?;
    let s = Strs::new(c.arg(1)?)?;
    let pos = match c.args.get(2) {
        Some(p) => Some(I64s::new(p)?),
        None => None,
    };
    let out: Int32Array = build_prim(c.n, |i| {
        let start = match &pos {
            // a NULL start position gives 0, as in Hive
            Some(p) => match p.get(i) {
                Some(p) => p,
                None => return Ok(Some(0)),
            },
            None => 1,
        };
        Ok(match (sub.get(i), s.get(i)) {
            (Some(n), Some(h)) => Some(if start < 1 { 0 } else { char_position(h, n, (start - 1) as usize) }),
            _ => None,
        })
    })?;
    Ok(Arc::new(out))
}

fn pad(c: &Ctx, left: bool) -> Result<ArrayRef> {
    if matches!(c.return_type, arrow::datatypes::DataType::Binary) {
        return pad_bytes(c, left);
    }
    let s = Strs::new(c.arg(0)?)?;
    let len = I64s::new(c.arg(1)?)?;
    let padding = match c.args.get(2) {
        Some(p) => Some(Strs::new(p)?),
        None => None,
    };
    build_strings(c.n, |i, buf| {
        let (Some(v), Some(len)) = (s.get(i), len.get(i)) else {
            return Ok(false);
        };
        let p = match &padding {
            Some(p) => match p.get(i) {
                Some(p) => p,
                None => return Ok(false),
            },
            None => " ",
        };
        let len = len.max(0) as usize;
        let have = num_chars(v);
        if len <= have || p.is_empty() {
            buf.push_str(char_slice(v, 0, len));
            return Ok(true);
        }
        if !left {
            buf.push_str(v);
        }
        let mut need = len - have;
        while need > 0 {
            let chunk = char_slice(p, 0, need);
            buf.push_str(chunk);
            need -= num_chars(chunk);
        }
        if left {
            buf.push_str(v);
        }
        Ok(true)
    })
}

/// `lpad` / `rpad` of binary values: byte lengths, zero bytes by default.
fn pad_bytes(c: &Ctx, left: bool) -> Result<ArrayRef> {
    let s = Bins::new(c.arg(0)?)?;
    let len = I64s::new(c.arg(1)?)?;
    let padding = c.args.get(2).map(Bins::new).transpose()?;
    build_binary(c.n, |i, buf| {
        let (Some(v), Some(len)) = (s.get(i), len.get(i)) else {
            return Ok(false);
        };
        let p: &[u8] = match &padding {
            Some(p) => match p.get(i) {
                Some(p) => p,
                None => return Ok(false),
            },
            None => &[0],
        };
        let len = len.max(0) as usize;
        if len <= v.len() || p.is_empty() {
            buf.extend_from_slice(&v[..len.min(v.len())]);
            return Ok(true);
        }
        if !left {
            buf.extend_from_slice(v);
        }
        buf.extend(p.iter().cycle().take(len - v.len()));
        if left {
            buf.extend_from_slice(v);
        }
        Ok(true)
    })
}

fn repeat(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let n = I64s::new(c.arg(1)?)?;
    build_strings(c.n, |i, buf| {
        let (Some(v), Some(k)) = (s.get(i), n.get(i)) else {
            return Ok(false);
        };
        for _ in 0..k.max(0) {
            buf.push_str(v);
        }
        Ok(true)
    })
}

fn ascii(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let out: Int32Array = build_prim(c.n, |i| Ok(s.get(i).map(|v| v.chars().next().map_or(0, |ch| ch as i32))))?;
    Ok(Arc::new(out))
}

fn chr(c: &Ctx) -> Result<ArrayRef> {
    let n = I64s::new(c.arg(0)?)?;
    build_strings(c.n, |i, buf| {
        let Some(v) = n.get(i) else { return Ok(false) };
        if v >= 0 {
            // Spark keeps the low byte as a Latin-1 code point
            buf.push(char::from((v & 0xFF) as u8));
        }
        Ok(true)
    })
}

fn predicate(c: &Ctx, f: impl Fn(&str, &str) -> bool) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let p = Strs::new(c.arg(1)?)?;
    Ok(build_bools(c.n, |i| match (s.get(i), p.get(i)) {
        (Some(a), Some(b)) => Some(f(a, b)),
        _ => None,
    }))
}

fn left_right(c: &Ctx, left: bool) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let n = I64s::new(c.arg(1)?)?;
    build_strings(c.n, |i, buf| {
        let (Some(v), Some(k)) = (s.get(i), n.get(i)) else {
            return Ok(false);
        };
        if k > 0 {
            buf.push_str(if left { substring_sql(v, 1, k) } else { substring_sql(v, -k, i32::MAX as i64) });
        }
        Ok(true)
    })
}

fn split_part(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let d = Strs::new(c.arg(1)?)?;
    let k = I64s::new(c.arg(2)?)?;
    build_strings(c.n, |i, buf| {
        let (Some(v), Some(delim), Some(k)) = (s.get(i), d.get(i), k.get(i)) else {
            return Ok(false);
        };
        if k == 0 {
            return Err(spark_error(
                "INVALID_INDEX_OF_ZERO",
                "22003",
                "The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1).",
                &[],
            ));
        }
        let part = if delim.is_empty() {
            if k == 1 || k == -1 {
                Some(v)
            } else {
                None
            }
        } else if k > 0 {
            v.split(delim).nth((k - 1) as usize)
        } else {
            v.rsplit(delim).nth((-k - 1) as usize)
        };
        buf.push_str(part.unwrap_or(""));
        Ok(true)
    })
}

/// Java's replacement syntax (`$1`, `\$`) in the regex crate's (`${1}`, `$$`).
fn java_replacement(r: &str) -> String {
    let mut out = String::with_capacity(r.len() + 4);
    let mut chars = r.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(n) => out.push(n),
                None => {}
            },
            '$' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    out.push_str("$$");
                } else {
                    out.push_str(&format!("${{{digits}}}"));
                }
            }
            _ => out.push(ch),
        }
    }
    out
}

/// A regex per distinct pattern, compiled on first use.
pub(super) struct RegexCache {
    pub last: Option<(String, Regex)>,
    pub function: &'static str,
}

impl RegexCache {
    pub fn new(function: &'static str) -> RegexCache {
        RegexCache { last: None, function }
    }

    pub fn get(&mut self, p: &str) -> Result<&Regex> {
        let stale = self.last.as_ref().is_none_or(|(q, _)| q != p);
        if stale {
            self.last = Some((p.to_string(), compile_regex(p, self.function)?));
        }
        self.last.as_ref().map(|(_, r)| r).ok_or_else(|| Error::internal("regex cache empty"))
    }
}

fn regexp_replace(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let p = Strs::new(c.arg(1)?)?;
    let r = Strs::new(c.arg(2)?)?;
    let pos = c.args.get(3).map(I64s::new).transpose()?;
    let mut cache = RegexCache { last: None, function: "regexp_replace" };
    build_strings(c.n, |i, buf| {
        let (Some(v), Some(pat), Some(rep)) = (s.get(i), p.get(i), r.get(i)) else {
            return Ok(false);
        };
        // `position` (1-based characters): the text before it stays as is
        let start = match &pos {
            Some(p) => match p.get(i) {
                Some(k) if k >= 1 => char_slice(v, 0, (k - 1) as usize).len(),
                Some(k) => {
                    return Err(invalid_parameter_position(k));
                }
                None => return Ok(false),
            },
            None => 0,
        };
        let re = cache.get(pat)?;
        buf.push_str(&v[..start]);
        buf.push_str(&re.replace_all(&v[start..], java_replacement(rep).as_str()));
        Ok(true)
    })
}

fn regexp_extract(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let p = Strs::new(c.arg(1)?)?;
    let idx = match c.args.get(2) {
        Some(x) => Some(I64s::new(x)?),
        None => None,
    };
    let mut cache = RegexCache { last: None, function: "regexp_extract" };
    build_strings(c.n, |i, buf| {
        let (Some(v), Some(pat)) = (s.get(i), p.get(i)) else {
            return Ok(false);
        };
        let k = match &idx {
            Some(x) => match x.get(i) {
                Some(k) => k,
                None => return Ok(false),
            },
            None => 1,
        };
        let re = cache.get(pat)?;
        let groups = re.captures_len() as i64 - 1;
        if k < 0 || k > groups {
            return Err(group_index_error("regexp_extract", groups, k));
        }
        if let Some(caps) = re.captures(v) {
            if let Some(m) = caps.get(k as usize) {
                buf.push_str(m.as_str());
            }
        }
        Ok(true)
    })
}

/// `split(str, regex, limit)`: Java's `String.split` with Spark's tweaks
/// (`UTF8String.split`): limit 0 keeps trailing empty strings like -1, and
/// an empty pattern splits a non-empty string into characters.
fn split(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let p = Strs::new(c.arg(1)?)?;
    let limit = I64s::new(c.arg(2)?)?;
    let field = Arc::new(arrow::datatypes::Field::new("element", arrow::datatypes::DataType::Utf8, true));
    let mut out = arrow::array::ListBuilder::new(arrow::array::StringBuilder::new()).with_field(field);
    let mut cache = RegexCache { last: None, function: "split" };
    for i in 0..c.n {
        let (Some(v), Some(pat), Some(limit)) = (s.get(i), p.get(i), limit.get(i)) else {
            out.append(false);
            continue;
        };
        let limit = limit.clamp(i32::MIN as i64, i32::MAX as i64);
        for piece in split_parts(v, pat, limit, &mut cache)? {
            out.values().append_value(piece);
        }
        out.append(true);
    }
    Ok(Arc::new(out.finish()))
}

fn split_parts<'a>(v: &'a str, pat: &str, limit: i64, cache: &mut RegexCache) -> Result<Vec<&'a str>> {
    if !v.is_empty() && pat.is_empty() {
        let n = num_chars(v) as i64;
        let parts = if limit > n || limit <= 0 { n } else { limit } as usize;
        let mut out: Vec<&str> = Vec::with_capacity(parts);
        let mut rest = v;
        for _ in 0..parts.saturating_sub(1) {
            let w = rest.chars().next().map_or(0, char::len_utf8);
            out.push(&rest[..w]);
            rest = &rest[w..];
        }
        out.push(rest);
        return Ok(out);
    }
    let re = cache.get(pat)?;
    let mut out = Vec::new();
    let mut start = 0;
    for m in re.find_iter(v) {
        if limit > 0 && out.len() as i64 >= limit - 1 {
            break;
        }
        // Java drops the empty leading piece of a zero-width match at 0
        if m.end() == 0 {
            continue;
        }
        out.push(&v[start..m.start()]);
        start = m.end();
    }
    out.push(&v[start..]);
    Ok(out)
}

/// `mask(str, upper, lower, digit, other)`: each replacement is one
/// character or NULL (keep the original character).
fn mask(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let repl: Vec<Strs> = (1..5).map(|k| Strs::new(c.arg(k)?)).collect::<Result<_>>()?;
    build_strings(c.n, |i, buf| {
        let Some(v) = s.get(i) else { return Ok(false) };
        let pick = |k: usize| repl[k].get(i).and_then(|r| r.chars().next());
        let (upper, lower, digit, other) = (pick(0), pick(1), pick(2), pick(3));
        for ch in v.chars() {
            let r = if ch.is_uppercase() {
                upper
            } else if ch.is_lowercase() {
                lower
            } else if ch.is_ascii_digit() {
                digit
            } else {
                other
            };
            buf.push(r.unwrap_or(ch));
        }
        Ok(true)
    })
}

/// The Luhn checksum over a string of ASCII digits; anything else is false.
fn luhn_check(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    Ok(build_bools(c.n, |i| s.get(i).map(luhn_valid)))
}

fn luhn_valid(v: &str) -> bool {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = v
        .bytes()
        .rev()
        .enumerate()
        .map(|(k, b)| {
            let d = (b - b'0') as u32;
            if k % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `INVALID_PARAMETER_VALUE.REGEXP_POSITION`: a position below 1.
fn invalid_parameter_position(k: i64) -> Error {
    spark_error(
        "INVALID_PARAMETER_VALUE.REGEXP_POSITION",
        "22023",
        "The value of parameter(s) <parameter> in <functionName> is invalid: Expects a positive value for \
         `position`, but got <pos>.",
        &[("parameter", "`position`".into()), ("functionName", "`regexp_replace`".into()), ("pos", k.to_string())],
    )
}

/// `INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX`.
pub(super) fn group_index_error(function: &str, groups: i64, k: i64) -> Error {
    spark_error(
        "INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX",
        "22023",
        "The value of parameter(s) <parameter> in <functionName> is invalid: Expects group index between 0 and \
         <groupCount>, but got <groupIndex>.",
        &[
            ("parameter", "`idx`".into()),
            ("functionName", format!("`{function}`")),
            ("groupCount", groups.to_string()),
            ("groupIndex", k.to_string()),
        ],
    )
}
