//! LIKE, ILIKE and RLIKE.
//!
//! A LIKE pattern is parsed once (escape char, `%`, `_`) and classified:
//! patterns without `_` and with `%` only at the ends become equality,
//! prefix, suffix or substring tests on bytes; everything else becomes an
//! anchored `regex` (`(?s)` so `_` and `%` also match newlines, as in Spark).
//! ILIKE lowercases pattern and value (Spark: `lower(a) LIKE lower(p)`).
//! RLIKE finds the Java regex anywhere in the string, approximated by the
//! `regex` crate's syntax.

use std::collections::HashMap;

use arrow::array::{Array, ArrayRef, BooleanArray, StringArray};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use ember_core::{Result, ScalarValue};
use memchr::memmem::Finder;
use regex::Regex;

use crate::errors::{invalid_regex, like_escape_error};
use crate::util::as_utf8;
use crate::ColumnarValue;

/// `a LIKE pattern ESCAPE escape` (ILIKE when `case_insensitive`).
pub fn like(a: &ArrayRef, pattern: &ColumnarValue, case_insensitive: bool, escape: char) -> Result<BooleanArray> {
    let strings = as_utf8(a.as_ref())?;
    match pattern {
        ColumnarValue::Scalar(s) => match scalar_str(s)? {
            None => Ok(BooleanArray::new_null(a.len())),
            Some(p) => {
                let m = LikeMatcher::new(p, case_insensitive, escape)?;
                Ok(match_all(strings, None, |_, v, buf| m.matches(v, buf)))
            }
        },
        ColumnarValue::Array(p) => {
            let patterns = as_utf8(p.as_ref())?;
            let mut cache: HashMap<String, LikeMatcher> = HashMap::new();
            // compile each distinct pattern once, before the matching loop
            for pat in patterns.iter().flatten() {
                if !cache.contains_key(pat) {
                    cache.insert(pat.to_string(), LikeMatcher::new(pat, case_insensitive, escape)?);
                }
            }
            Ok(match_all(strings, Some(patterns), |i, v, buf| {
                cache.get(patterns.value(i)).is_some_and(|m| m.matches(v, buf))
            }))
        }
    }
}

/// `a RLIKE pattern`: the regex matches somewhere in the string.
pub fn rlike(a: &ArrayRef, pattern: &ColumnarValue) -> Result<BooleanArray> {
    let a = &utf8(a)?;
    let strings = as_utf8(a.as_ref())?;
    match pattern {
        ColumnarValue::Scalar(s) => match scalar_str(s)? {
            None => Ok(BooleanArray::new_null(a.len())),
            Some(p) => {
                let re = compile_regex(p, "rlike")?;
                Ok(match_all(strings, None, |_, v, _| re.is_match(v)))
            }
        },
        ColumnarValue::Array(p) => {
            let patterns = as_utf8(p.as_ref())?;
            let mut cache: HashMap<String, Regex> = HashMap::new();
            for pat in patterns.iter().flatten() {
                if !cache.contains_key(pat) {
                    cache.insert(pat.to_string(), compile_regex(pat, "rlike")?);
                }
            }
            Ok(match_all(strings, Some(patterns), |i, v, _| {
                cache.get(patterns.value(i)).is_some_and(|re| re.is_match(v))
            }))
        }
    }
}

/// The input as `Utf8` (view and large strings are converted).
fn utf8(a: &ArrayRef) -> Result<ArrayRef> {
    Ok(match a.data_type() {
        arrow::datatypes::DataType::Utf8 => a.clone(),
        _ => arrow::compute::cast(a, &arrow::datatypes::DataType::Utf8)?,
    })
}

pub(crate) fn compile_regex(p: &str, function: &str) -> Result<Regex> {
    Regex::new(p).map_err(|_| invalid_regex(function, p))
}

fn scalar_str(s: &ScalarValue) -> Result<Option<&str>> {
    match s {
        ScalarValue::Utf8(v) => Ok(v.as_deref()),
        ScalarValue::Null => Ok(None),
        other => Err(ember_core::Error::internal(format!("pattern must be a string, got {}", other.data_type()))),
    }
}

/// Evaluates `f(row, value, scratch)` for every row valid in both inputs.
fn match_all<F: FnMut(usize, &str, &mut String) -> bool>(
    strings: &StringArray,
    patterns: Option<&StringArray>,
    mut f: F,
) -> BooleanArray {
    let nulls = match patterns {
        Some(p) => NullBuffer::union(strings.nulls(), p.nulls()),
        None => strings.nulls().cloned(),
    };
    let mut scratch = String::new();
    let values = BooleanBuffer::collect_bool(strings.len(), |i| {
        if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
            return false;
        }
        f(i, strings.value(i), &mut scratch)
    });
    BooleanArray::new(values, nulls)
}

enum Shape {
    Exact(String),
    Prefix(String),
    Suffix(String),
    /// `%s%`: a substring search (memchr's SIMD `memmem`, set up once).
    Contains(Box<Finder<'static>>),
    Any,
    /// Only `%` wildcards: literal pieces found in order (`%special%requests%`).
    Segments {
        parts: Vec<String>,
        /// a searcher for each piece, set up once
        finders: Vec<Finder<'static>>,
        anchored_start: bool,
        anchored_end: bool,
    },
    Regex(Regex),
}

/// A compiled LIKE pattern.
pub struct LikeMatcher {
    shape: Shape,
    lowercase: bool,
}

#[derive(Debug, PartialEq)]
enum Token {
    Lit(char),
    One,
    Many,
}

impl LikeMatcher {
    pub fn new(pattern: &str, case_insensitive: bool, escape: char) -> Result<LikeMatcher> {
        let lowered;
        let pattern = if case_insensitive {
            lowered = pattern.to_lowercase();
            &lowered
        } else {
            pattern
        };
        let tokens = tokenize(pattern, escape)?;
        Ok(LikeMatcher { shape: classify(&tokens)?, lowercase: case_insensitive })
    }

    /// Whether `v` matches; `scratch` holds the lowercased value for ILIKE.
    pub fn matches(&self, v: &str, scratch: &mut String) -> bool {
        let v = if self.lowercase {
            scratch.clear();
            scratch.extend(v.chars().flat_map(char::to_lowercase));
            scratch.as_str()
        } else {
            v
        };
        match &self.shape {
            Shape::Exact(s) => v == s,
            Shape::Prefix(s) => v.starts_with(s.as_str()),
            Shape::Suffix(s) => v.ends_with(s.as_str()),
            Shape::Contains(f) => f.find(v.as_bytes()).is_some(),
            Shape::Any => true,
            Shape::Segments { parts, finders, anchored_start, anchored_end } => {
                segments_match(v, parts, finders, *anchored_start, *anchored_end)
            }
            Shape::Regex(re) => re.is_match(v),
        }
    }
}

/// Matches `p1%p2%...%pn` (with `%` or an anchor at each end): each piece is
/// found after the previous one; anchored ends must be prefix/suffix.
fn segments_match(
    v: &str,
    parts: &[String],
    finders: &[Finder<'static>],
    anchored_start: bool,
    anchored_end: bool,
) -> bool {
    let mut pos = 0;
    let (mut first, mut last) = (0, parts.len());
    if anchored_start {
        let Some(part) = parts.first() else {
            return true;
        };
        if !v.starts_with(part.as_str()) {
            return false;
        }
        pos = part.len();
        first = 1;
    }
    let mut end = v.len();
    if anchored_end {
        let Some(part) = parts[first..].last() else {
            return true;
        };
        if !v.ends_with(part.as_str()) || v.len() - part.len() < pos {
            return false;
        }
        end = v.len() - part.len();
        last -= 1;
    }
    let bytes = v.as_bytes();
    for finder in &finders[first..last] {
        match finder.find(&bytes[pos..end]) {
            Some(at) => pos += at + finder.needle().len(),
            None => return false,
        }
    }
    true
}

fn tokenize(pattern: &str, escape: char) -> Result<Vec<Token>> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == escape {
            match chars.next() {
                Some(n) if n == '_' || n == '%' || n == escape => out.push(Token::Lit(n)),
                other => return Err(like_escape_error(pattern, other)),
            }
        } else if c == '%' {
            out.push(Token::Many);
        } else if c == '_' {
            out.push(Token::One);
        } else {
            out.push(Token::Lit(c));
        }
    }
    Ok(out)
}

fn classify(tokens: &[Token]) -> Result<Shape> {
    let lit = |ts: &[Token]| -> Option<String> {
        ts.iter()
            .map(|t| match t {
                Token::Lit(c) => Some(*c),
                _ => None,
            })
            .collect()
    };
    if tokens.iter().all(|t| *t == Token::Many) && !tokens.is_empty() {
        return Ok(Shape::Any);
    }
    if let Some(s) = lit(tokens) {
        return Ok(Shape::Exact(s));
    }
    let starts = tokens.first() == Some(&Token::Many);
    let ends = tokens.last() == Some(&Token::Many);
    let inner = &tokens[starts as usize..tokens.len() - ends as usize];
    if let Some(s) = lit(inner) {
        return Ok(match (starts, ends) {
            (true, true) => Shape::Contains(Box::new(Finder::new(s.as_bytes()).into_owned())),
            (true, false) => Shape::Suffix(s),
            (false, true) => Shape::Prefix(s),
            (false, false) => Shape::Exact(s),
        });
    }
    if !tokens.contains(&Token::One) {
        let mut parts = Vec::new();
        let mut cur = String::new();
        for t in tokens {
            match t {
                Token::Lit(c) => cur.push(*c),
                _ => {
                    if !cur.is_empty() {
                        parts.push(std::mem::take(&mut cur));
                    }
                }
            }
        }
        if !cur.is_empty() {
            parts.push(cur);
        }
        let finders = parts.iter().map(|p| Finder::new(p.as_bytes()).into_owned()).collect();
        return Ok(Shape::Segments { parts, finders, anchored_start: !starts, anchored_end: !ends });
    }
    let mut re = String::from("(?s)^");
    let mut buf = [0u8; 4];
    for t in tokens {
        match t {
            Token::Lit(c) => re.push_str(&regex::escape(c.encode_utf8(&mut buf))),
            Token::One => re.push('.'),
            Token::Many => re.push_str(".*"),
        }
    }
    re.push('$');
    Ok(Shape::Regex(
        Regex::new(&re)
            .map_err(|e| ember_core::Error::internal(format!("LIKE pattern compiled to a bad regex: {e}")))?,
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn strs(v: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringArray::from(v.to_vec()))
    }

    fn run(values: &[Option<&str>], pattern: &str, ci: bool) -> Vec<Option<bool>> {
        let p = ColumnarValue::Scalar(ScalarValue::Utf8(Some(pattern.into())));
        like(&strs(values), &p, ci, '\\').unwrap().iter().collect()
    }

    #[test]
    fn like_shapes() {
        let v = [Some("Spark SQL"), Some("spark"), None, Some("a\nb")];
        assert_eq!(run(&v, "Spark%", false), vec![Some(true), Some(false), None, Some(false)]);
        assert_eq!(run(&v, "%SQL", false), vec![Some(true), Some(false), None, Some(false)]);
        assert_eq!(run(&v, "%ar%", false), vec![Some(true), Some(true), None, Some(false)]);
        assert_eq!(run(&v, "spark", false), vec![Some(false), Some(true), None, Some(false)]);
        assert_eq!(run(&v, "_park%", false), vec![Some(true), Some(true), None, Some(false)]);
        assert_eq!(run(&v, "a_b", false), vec![Some(false), Some(false), None, Some(true)]);
        assert_eq!(run(&v, "%", false), vec![Some(true), Some(true), None, Some(true)]);
        assert_eq!(run(&v, "SPARK%", true), vec![Some(true), Some(true), None, Some(false)]);
    }

    /// Every shape (exact, prefix, suffix, contains, segments, regex) agrees
    /// with the pattern translated to an anchored regex, on all short
    /// strings and patterns over a small alphabet.
    #[test]
    fn shapes_agree_with_a_regex() {
        fn all(alphabet: &[char], max_len: usize) -> Vec<String> {
            let mut out = vec![String::new()];
            let mut level = vec![String::new()];
            for _ in 0..max_len {
                level = level.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
                out.extend(level.iter().cloned());
            }
            out
        }
        let values = all(&['a', 'b'], 6);
        for pattern in all(&['a', 'b', '%', '_'], 4) {
            let re = format!("(?s)^{}$", pattern.replace('%', ".*").replace('_', "."));
            let re = Regex::new(&re).unwrap();
            let m = LikeMatcher::new(&pattern, false, '\\').unwrap();
            let mut scratch = String::new();
            for v in &values {
                assert_eq!(m.matches(v, &mut scratch), re.is_match(v), "{v:?} LIKE {pattern:?}");
            }
        }
    }

    #[test]
    fn escapes() {
        let v = [Some("100%"), Some("100x"), Some("a_b"), Some("axb")];
        assert_eq!(run(&v, "100\\%", false), vec![Some(true), Some(false), Some(false), Some(false)]);
        assert_eq!(run(&v, "a\\_b", false), vec![Some(false), Some(false), Some(true), Some(false)]);
        let p = ColumnarValue::Scalar(ScalarValue::Utf8(Some("a\\b".into())));
        let e = like(&strs(&v), &p, false, '\\').unwrap_err();
        assert_eq!(e.error_class(), Some("INVALID_FORMAT.ESC_IN_THE_MIDDLE"));
        let p = ColumnarValue::Scalar(ScalarValue::Utf8(Some("a/%".into())));
        let r: Vec<Option<bool>> = like(&strs(&[Some("a%"), Some("ab")]), &p, false, '/').unwrap().iter().collect();
        assert_eq!(r, vec![Some(true), Some(false)]);
    }

    #[test]
    fn pattern_column_and_rlike() {
        let p = ColumnarValue::Array(strs(&[Some("a%"), Some("%b"), None]));
        let r: Vec<Option<bool>> =
            like(&strs(&[Some("ax"), Some("ax"), Some("ax")]), &p, false, '\\').unwrap().iter().collect();
        assert_eq!(r, vec![Some(true), Some(false), None]);
        let re = ColumnarValue::Scalar(ScalarValue::Utf8(Some("[0-9]+".into())));
        let r: Vec<Option<bool>> = rlike(&strs(&[Some("ab12"), Some("ab")]), &re).unwrap().iter().collect();
        assert_eq!(r, vec![Some(true), Some(false)]);
        let bad = ColumnarValue::Scalar(ScalarValue::Utf8(Some("(".into())));
        assert!(rlike(&strs(&[Some("a")]), &bad).is_err());
    }
}
