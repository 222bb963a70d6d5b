//! JSON functions: `get_json_object` (paths `$`, `.name`, `['name']`,
//! `[n]`, `[*]`), `json_array_length`, `json_object_keys`, `to_json`
//! (Spark's writer: compact, NULL struct fields left out, doubles as Java
//! prints them, ISO dates and timestamps), `from_json` into the analyzer's
//! type (PERMISSIVE: malformed input gives a struct of NULLs) and
//! `schema_of_json` (Spark's inference: BIGINT / DOUBLE / STRING / BOOLEAN,
//! struct fields sorted by name).
//!
//! The parser is a small strict RFC 8259 reader; Spark's lenient options
//! (`allowUnquotedFieldNames`, comments, ...) are not supported.

use std::fmt::Write as _;
use std::sync::Arc;

use arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, BooleanArray, Int32Array, Int64Array, ListArray, MapArray, StringArray,
    StructArray,
};
use arrow::buffer::{NullBuffer, OffsetBuffer};
use arrow::datatypes::*;
use ember_core::{Error, EvalMode, Result};

use super::args::{build_prim, build_strings, Strs};
use super::Ctx;
use crate::tz::TimeZone;

pub(super) fn eval(c: &Ctx) -> Option<Result<ArrayRef>> {
    Some(match c.name {
        "get_json_object" => get_json_object(c),
        "json_array_length" => json_array_length(c),
        "json_object_keys" => json_object_keys(c),
        "to_json" => to_json(c),
        "from_json" => from_json(c),
        "schema_of_json" => schema_of_json(c),
        _ => return None,
    })
}

/// A parsed JSON value; numbers keep their text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > 1000 {
            return None;
        }
        self.ws();
        let c = *self.b.get(self.i)?;
        match c {
            b'{' => {
                self.i += 1;
                let mut fields = vec![];
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Some(Json::Obj(fields));
                }
                loop {
                    self.ws();
                    let Json::Str(k) = self.string()? else { return None };
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return None;
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    fields.push((k, v));
                    self.ws();
                    match self.b.get(self.i)? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Some(Json::Obj(fields));
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = vec![];
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Some(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i)? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(Json::Arr(items));
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => self.string(),
            b't' => self.word("true", Json::Bool(true)),
            b'f' => self.word("false", Json::Bool(false)),
            b'n' => self.word("null", Json::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn word(&mut self, w: &str, v: Json) -> Option<Json> {
        if self.b[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Some(v)
        } else {
            None
        }
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.i;
        if self.b[self.i] == b'-' {
            self.i += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.i < p.b.len() && p.b[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i > s
        };
        if !digits(self) {
            return None;
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !digits(self) {
                return None;
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return None;
            }
        }
        Some(Json::Num(String::from_utf8_lossy(&self.b[start..self.i]).into_owned()))
    }

    fn string(&mut self) -> Option<Json> {
        if self.b.get(self.i) != Some(&b'"') {
            return None;
        }
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let c = *self.b.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok().map(Json::Str),
                b'\\' => {
                    let e = *self.b.get(self.i)?;
                    self.i += 1;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xD800..0xDC00).contains(&code) && self.b[self.i..].starts_with(b"\\u") {
                                self.i += 2;
                                let low = self.hex4()?;
                                code = 0x10000 + ((code - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                            }
                            let ch = char::from_u32(code).unwrap_or('\u{FFFD}');
                            let mut tmp = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                        }
                        _ => return None,
                    }
                }
                c if c < 0x20 => return None,
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let s = std::str::from_utf8(self.b.get(self.i..self.i + 4)?).ok()?;
        self.i += 4;
        u32::from_str_radix(s, 16).ok()
    }
}

/// Parses a whole document; `None` for malformed input or trailing text.
pub(crate) fn parse(s: &str) -> Option<Json> {
    let mut p = Parser { b: s.as_bytes(), i: 0 };
    let v = p.value(0)?;
    p.ws();
    (p.i == p.b.len()).then_some(v)
}

fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Compact JSON text of a value.
pub(crate) fn write_json(v: &Json, out: &mut String) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Num(n) => out.push_str(n),
        Json::Str(s) => write_str(s, out),
        Json::Arr(items) => {
            out.push('[');
            for (k, x) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                write_json(x, out);
            }
            out.push(']');
        }
        Json::Obj(fields) => {
            out.push('{');
            for (k, (name, x)) in fields.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                write_str(name, out);
                out.push(':');
                write_json(x, out);
            }
            out.push('}');
        }
    }
}

#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    Wildcard,
}

/// A JSONPath of Spark's subset; `None` when invalid.
fn parse_path(p: &str) -> Option<Vec<Step>> {
    let rest = p.strip_prefix('$')?;
    let b = rest.as_bytes();
    let mut i = 0;
    let mut steps = vec![];
    while i < b.len() {
        match b[i] {
            b'.' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != b'.' && b[j] != b'[' {
                    j += 1;
                }
                let name = &rest[start..j];
                if name.is_empty() {
                    return None;
                }
                steps.push(if name == "*" { Step::Wildcard } else { Step::Key(name.to_string()) });
                i = j;
            }
            b'[' => {
                let close = rest[i..].find(']')? + i;
                let inner = &rest[i + 1..close];
                if inner == "*" {
                    steps.push(Step::Wildcard);
                } else if let Some(q) = inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
                    steps.push(Step::Key(q.to_string()));
                } else {
                    steps.push(Step::Index(inner.trim().parse().ok()?));
                }
                i = close + 1;
            }
            _ => return None,
        }
    }
    Some(steps)
}

/// Follows a path; a wildcard collects matches (flattening nested ones).
fn eval_path<'a>(v: &'a Json, steps: &[Step], out: &mut Vec<&'a Json>, wild: &mut bool) {
    let Some((first, rest)) = steps.split_first() else {
        out.push(v);
        return;
    };
    match (first, v) {
        (Step::Key(k), Json::Obj(fields)) => {
            if let Some((_, x)) = fields.iter().find(|(n, _)| n == k) {
                eval_path(x, rest, out, wild);
            }
        }
        (Step::Index(i), Json::Arr(items)) => {
            if let Some(x) = items.get(*i) {
                eval_path(x, rest, out, wild);
            }
        }
        (Step::Wildcard, Json::Arr(items)) => {
            *wild = true;
            for x in items {
                eval_path(x, rest, out, wild);
            }
        }
        (Step::Wildcard, Json::Obj(fields)) => {
            *wild = true;
            for (_, x) in fields {
                eval_path(x, rest, out, wild);
            }
        }
        _ => {}
    }
}

fn get_json_object(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let p = Strs::new(c.arg(1)?)?;
    build_strings(c.n, |i, buf| {
        let (Some(text), Some(path)) = (s.get(i), p.get(i)) else { return Ok(false) };
        let (Some(doc), Some(steps)) = (parse(text), parse_path(path)) else { return Ok(false) };
        let mut found = vec![];
        let mut wild = false;
        eval_path(&doc, &steps, &mut found, &mut wild);
        // a wildcard's matches are JSON text (an array when several); a
        // plain path gives a string's raw text
        match (found.as_slice(), wild) {
            ([], _) | ([Json::Null], false) => Ok(false),
            ([Json::Str(v)], false) => {
                buf.push_str(v);
                Ok(true)
            }
            ([one], _) => {
                write_json(one, buf);
                Ok(true)
            }
            (many, _) => {
                write_json(&Json::Arr(many.iter().map(|x| (*x).clone()).collect()), buf);
                Ok(true)
            }
        }
    })
}

fn json_array_length(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let out: Int32Array = build_prim(c.n, |i| {
        Ok(s.get(i).and_then(parse).and_then(|j| match j {
            Json::Arr(items) => Some(items.len() as i32),
            _ => None,
        }))
    })?;
    Ok(Arc::new(out))
}

fn json_object_keys(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let field = Arc::new(Field::new("element", DataType::Utf8, true));
    let mut out = arrow::array::ListBuilder::new(arrow::array::StringBuilder::new()).with_field(field);
    for i in 0..c.n {
        match s.get(i).and_then(parse) {
            Some(Json::Obj(fields)) => {
                for (k, _) in fields {
                    out.values().append_value(k);
                }
                out.append(true);
            }
            _ => out.append(false),
        }
    }
    Ok(Arc::new(out.finish()))
}

/// Writes row `i` of `a` as JSON (Spark's `JacksonGenerator` conventions).
fn write_value(a: &dyn Array, i: usize, tz: &TimeZone, out: &mut String) -> Result<()> {
    if a.is_null(i) || matches!(a.data_type(), DataType::Null) {
        out.push_str("null");
        return Ok(());
    }
    match a.data_type() {
        DataType::Boolean => out.push_str(if a.as_boolean().value(i) { "true" } else { "false" }),
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 | DataType::Decimal128(..) => {
            let s = crate::cast::cast(&a.slice(i, 1), &DataType::Utf8, EvalMode::Legacy)?;
            out.push_str(s.as_string::<i32>().value(0));
        }
        DataType::Float64 => out.push_str(&ember_core::format::java_double(a.as_primitive::<Float64Type>().value(i))),
        DataType::Float32 => out.push_str(&ember_core::format::java_float(a.as_primitive::<Float32Type>().value(i))),
        DataType::Utf8 => write_str(a.as_string::<i32>().value(i), out),
        DataType::Binary => {
            let mut s = String::new();
            super::encoding::base64_encode(a.as_binary::<i32>().value(i), &mut s);
            write_str(&s, out);
        }
        DataType::Timestamp(_, tz) => {
            let us = a.as_primitive::<TimestampMicrosecondType>().value(i);
            let secs = us.div_euclid(1_000_000);
            let nanos = (us.rem_euclid(1_000_000) * 1000) as u32;
            let dt = chrono::DateTime::from_timestamp(secs, nanos)
                .ok_or_else(|| Error::internal("timestamp out of range"))?
                .naive_utc();
            let zone = if tz.is_some() { "Z" } else { "" };
            write_str(&format!("{}{zone}", dt.format("%Y-%m-%dT%H:%M:%S%.3f")), out);
        }
        DataType::List(_) => {
            let l = a.as_list::<i32>();
            let v = l.value(i);
            out.push('[');
            for k in 0..v.len() {
                if k > 0 {
                    out.push(',');
                }
                write_value(v.as_ref(), k, tz, out)?;
            }
            out.push(']');
        }
        DataType::Struct(fields) => {
            let s = a.as_struct();
            out.push('{');
            let mut first = true;
            for (f, col) in fields.iter().zip(s.columns()) {
                if col.is_null(i) || matches!(col.data_type(), DataType::Null) {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                write_str(f.name(), out);
                out.push(':');
                write_value(col.as_ref(), i, tz, out)?;
            }
            out.push('}');
        }
        DataType::Map(_, _) => {
            let m = a.as_map();
            let o = m.value_offsets();
            let keys = crate::cast::cast(m.keys(), &DataType::Utf8, EvalMode::Legacy)?;
            let keys = keys.as_string::<i32>();
            out.push('{');
            for k in o[i] as usize..o[i + 1] as usize {
                if k > o[i] as usize {
                    out.push(',');
                }
                write_str(keys.value(k), out);
                out.push(':');
                write_value(m.values().as_ref(), k, tz, out)?;
            }
            out.push('}');
        }
        _ => {
            let s = crate::cast::cast_in_zone(&a.slice(i, 1), &DataType::Utf8, EvalMode::Legacy, tz)?;
            write_str(s.as_string::<i32>().value(0), out);
        }
    }
    Ok(())
}

fn to_json(c: &Ctx) -> Result<ArrayRef> {
    let a = c.arg(0)?.to_array(c.n);
    build_strings(c.n, |i, buf| {
        if a.is_null(i) {
            return Ok(false);
        }
        write_value(a.as_ref(), i, c.tz, buf)?;
        Ok(true)
    })
}

/// Builds a column of type `t` from JSON values (`None`: NULL).
fn build(values: &[Option<&Json>], t: &DataType, tz: &TimeZone) -> Result<ArrayRef> {
    let n = values.len();
    Ok(match t {
        DataType::Struct(fields) => {
            let mut cols = vec![];
            for f in fields.iter() {
                let child: Vec<Option<&Json>> = values
                    .iter()
                    .map(|v| match v {
                        Some(Json::Obj(kv)) => kv.iter().find(|(k, _)| k == f.name()).map(|(_, x)| x),
                        _ => None,
                    })
                    .collect();
                cols.push(build(&child, f.data_type(), tz)?);
            }
            let nulls: Vec<bool> = values.iter().map(|v| matches!(v, Some(Json::Obj(_)))).collect();
            let nulls = (!nulls.iter().all(|v| *v)).then(|| NullBuffer::from(nulls));
            let fields: Fields = fields.iter().map(|f| Arc::new(f.as_ref().clone().with_nullable(true))).collect();
            if fields.is_empty() {
                Arc::new(StructArray::new_empty_fields(n, nulls))
            } else {
                Arc::new(StructArray::try_new(fields, cols, nulls)?)
            }
        }
        DataType::List(f) => {
            let mut flat: Vec<Option<&Json>> = vec![];
            let mut offsets = vec![0i32];
            let mut valid = vec![];
            for v in values {
                match v {
                    Some(Json::Arr(items)) => {
                        flat.extend(items.iter().map(|x| (!matches!(x, Json::Null)).then_some(x)));
                        valid.push(true);
                    }
                    _ => valid.push(false),
                }
                offsets.push(flat.len() as i32);
            }
            let child = build(&flat, f.data_type(), tz)?;
            let nulls = (!valid.iter().all(|v| *v)).then(|| NullBuffer::from(valid));
            let f = Arc::new(f.as_ref().clone().with_nullable(true));
            Arc::new(ListArray::try_new(f, OffsetBuffer::new(offsets.into()), child, nulls)?)
        }
        DataType::Map(entries, sorted) => {
            let DataType::Struct(kv) = entries.data_type() else {
                return Err(Error::internal("map entries must be a struct"));
            };
            let mut keys: Vec<Option<String>> = vec![];
            let mut vals: Vec<Option<&Json>> = vec![];
            let mut offsets = vec![0i32];
            let mut valid = vec![];
            for v in values {
                match v {
                    Some(Json::Obj(fields)) => {
                        for (k, x) in fields {
                            keys.push(Some(k.clone()));
                            vals.push((!matches!(x, Json::Null)).then_some(x));
                        }
                        valid.push(true);
                    }
                    _ => valid.push(false),
                }
                offsets.push(keys.len() as i32);
            }
            let k: ArrayRef = Arc::new(StringArray::from(keys));
            let k = if kv[0].data_type() != &DataType::Utf8 { arrow::compute::cast(&k, kv[0].data_type())? } else { k };
            let v = build(&vals, kv[1].data_type(), tz)?;
            let fields = Fields::from(vec![kv[0].as_ref().clone(), kv[1].as_ref().clone().with_nullable(true)]);
            let entries_field = Arc::new(Field::new(entries.name(), DataType::Struct(fields.clone()), false));
            let st = StructArray::try_new(fields, vec![k, v], None)?;
            let nulls = (!valid.iter().all(|v| *v)).then(|| NullBuffer::from(valid));
            Arc::new(MapArray::try_new(entries_field, OffsetBuffer::new(offsets.into()), st, nulls, *sorted)?)
        }
        DataType::Boolean => Arc::new(
            values
                .iter()
                .map(|v| match v {
                    Some(Json::Bool(b)) => Some(*b),
                    _ => None,
                })
                .collect::<BooleanArray>(),
        ),
        DataType::Utf8 => {
            let strs: Vec<Option<String>> = values
                .iter()
                .map(|v| match v {
                    None | Some(Json::Null) => None,
                    Some(Json::Str(s)) => Some(s.clone()),
                    Some(other) => {
                        let mut s = String::new();
                        write_json(other, &mut s);
                        Some(s)
                    }
                })
                .collect();
            Arc::new(StringArray::from(strs))
        }
        t if t.is_integer() => {
            let ints: Int64Array = values
                .iter()
                .map(|v| match v {
                    Some(Json::Num(s)) => s.parse::<i64>().ok(),
                    _ => None,
                })
                .collect();
            // values out of the target's range read as NULL
            arrow::compute::cast_with_options(
                &(Arc::new(ints) as ArrayRef),
                t,
                &arrow::compute::CastOptions { safe: true, ..Default::default() },
            )?
        }
        DataType::Float64 | DataType::Float32 | DataType::Decimal128(..) => {
            let texts: Vec<Option<&str>> = values
                .iter()
                .map(|v| match v {
                    Some(Json::Num(s)) => Some(s.as_str()),
                    Some(Json::Str(s)) if matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity") => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            let s: ArrayRef = Arc::new(StringArray::from(texts));
            crate::cast::cast(&s, t, EvalMode::Try)?
        }
        DataType::Date32 | DataType::Timestamp(..) => {
            let texts: Vec<Option<&str>> = values
                .iter()
                .map(|v| match v {
                    Some(Json::Str(s)) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            let s: ArrayRef = Arc::new(StringArray::from(texts));
            crate::cast::cast_in_zone(&s, t, EvalMode::Try, tz)?
        }
        other => new_null_array(other, n),
    })
}

/// `from_json(text, schema)`: the document as the return type; malformed
/// text gives a struct of NULL fields (PERMISSIVE), or NULL for arrays and
/// maps.
fn from_json(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    let docs: Vec<Option<Json>> = (0..c.n).map(|i| s.get(i).map(|t| parse(t).unwrap_or(Json::Obj(vec![])))).collect();
    let refs: Vec<Option<&Json>> = docs.iter().map(|d| d.as_ref()).collect();
    let out = build(&refs, c.return_type, c.tz)?;
    // a malformed document of a struct schema: all fields NULL, struct kept
    Ok(out)
}

/// Spark's inferred type of a JSON value, in its SQL spelling.
fn infer(v: &Json) -> String {
    match v {
        Json::Null => "STRING".into(),
        Json::Bool(_) => "BOOLEAN".into(),
        Json::Num(n) => {
            if n.contains(['.', 'e', 'E']) {
                "DOUBLE".into()
            } else if n.parse::<i64>().is_ok() {
                "BIGINT".into()
            } else {
                "DECIMAL(38,0)".into()
            }
        }
        Json::Str(_) => "STRING".into(),
        Json::Arr(items) => {
            let mut t: Option<String> = None;
            for x in items.iter().filter(|x| !matches!(x, Json::Null)) {
                let xt = infer(x);
                t = Some(match t {
                    None => xt,
                    Some(prev) if prev == xt => prev,
                    Some(prev) if (prev == "BIGINT" && xt == "DOUBLE") || (prev == "DOUBLE" && xt == "BIGINT") => {
                        "DOUBLE".into()
                    }
                    Some(_) => "STRING".into(),
                });
            }
            format!("ARRAY<{}>", t.unwrap_or_else(|| "STRING".into()))
        }
        Json::Obj(fields) => {
            let mut sorted: Vec<&(String, Json)> = fields.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            let inner: Vec<String> = sorted.iter().map(|(k, x)| format!("{}: {}", quote_field(k), infer(x))).collect();
            format!("STRUCT<{}>", inner.join(", "))
        }
    }
}

fn quote_field(k: &str) -> String {
    if !k.is_empty()
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !k.starts_with(|c: char| c.is_ascii_digit())
    {
        k.to_string()
    } else {
        format!("`{}`", k.replace('`', "``"))
    }
}

fn schema_of_json(c: &Ctx) -> Result<ArrayRef> {
    let s = Strs::new(c.arg(0)?)?;
    build_strings(c.n, |i, buf| {
        let Some(text) = s.get(i) else { return Ok(false) };
        match parse(text) {
            Some(v) => {
                buf.push_str(&infer(&v));
                Ok(true)
            }
            None => Err(crate::errors::spark_error(
                "INVALID_JSON_SCHEMA_MAP_TYPE",
                "22032",
                "Cannot parse the JSON text <json> to infer its schema.",
                &[("json", text.to_string())],
            )),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(doc: &str, p: &str) -> Option<String> {
        let d = parse(doc)?;
        let steps = parse_path(p)?;
        let mut found = vec![];
        let mut wild = false;
        eval_path(&d, &steps, &mut found, &mut wild);
        let mut s = String::new();
        match found.as_slice() {
            [] => return None,
            [Json::Str(v)] if !wild => s.push_str(v),
            [one] => write_json(one, &mut s),
            many => write_json(&Json::Arr(many.iter().map(|x| (*x).clone()).collect()), &mut s),
        }
        Some(s)
    }

    #[test]
    fn json_paths_like_spark_docs() {
        assert_eq!(path(r#"{"a":"b"}"#, "$.a").as_deref(), Some("b"));
        assert_eq!(path(r#"{"f1": "value1", "f2": "value2"}"#, "$.f2").as_deref(), Some("value2"));
        let arr = r#"[{"f1": "value1"},{"f1": "value2"}]"#;
        assert_eq!(path(arr, "$[0].f1").as_deref(), Some("value1"));
        assert_eq!(path(arr, "$[*].f1").as_deref(), Some(r#"["value1","value2"]"#));
        assert_eq!(path(r#"[{"f1": "value12"},{"f2": "value13"}]"#, "$[*].f2").as_deref(), Some(r#""value13""#));
        assert_eq!(path(r#"{"a":{"b":[1,2]}}"#, "$.a").as_deref(), Some(r#"{"b":[1,2]}"#));
        assert_eq!(path("{bad", "$.a"), None);
    }

    #[test]
    fn inference() {
        assert_eq!(infer(&parse(r#"{"a": 0}"#).unwrap()), "STRUCT<a: BIGINT>");
        assert_eq!(infer(&parse(r#"[{"col":0}]"#).unwrap()), "ARRAY<STRUCT<col: BIGINT>>");
        assert_eq!(infer(&parse(r#"{"b": [1.5], "a": "x"}"#).unwrap()), "STRUCT<a: STRING, b: ARRAY<DOUBLE>>");
    }
}
