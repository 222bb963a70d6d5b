//! Binary and text encodings: `hex` / `unhex`, `base64` / `unbase64`,
//! `to_binary` (hex, utf-8, base64), `encode` / `decode` over Spark's
//! charsets, `url_encode` / `url_decode`, and the digests (`md5`, `sha1`,
//! `sha2`, `crc32`).
//!
//! `to_binary` and `encode`/`decode` fail with Spark's error classes
//! (`CONVERSION_INVALID_INPUT`, `MALFORMED_CHARACTER_CODING`,
//! `INVALID_PARAMETER_VALUE.CHARSET`) unless the call is a `try_` variant
//! (`EvalMode::Try`), which answers NULL.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array};
use ember_core::{EvalMode, Result};

use super::args::{build_binary, build_prim, build_strings, Bins, I64s, Strs};
use super::digest;
use super::Ctx;
use crate::errors::spark_error;

pub(super) fn eval(c: &Ctx) -> Option<Result<ArrayRef>> {
    Some(match c.name {
        "hex" => hex(c),
        "unhex" => unhex(c),
        "base64" => base64(c),
        "unbase64" => unbase64(c),
        "to_binary" => to_binary(c),
        "encode" => encode(c),
        "decode" => decode(c),
        "url_encode" => url_encode(c),
        "url_decode" => url_decode(c),
        "md5" => digest_hex(c, |b| digest::md5(b).to_vec()),
        "sha1" | "sha" => digest_hex(c, |b| digest::sha1(b).to_vec()),
        "sha2" => sha2(c),
        "crc32" => crc32(c),
        _ => return None,
    })
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn push_hex(buf: &mut String, bytes: &[u8]) {
    for &b in bytes {
        buf.push(HEX_UPPER[(b >> 4) as usize] as char);
        buf.push(HEX_UPPER[(b & 15) as usize] as char);
    }
}

/// `hex(x)`: a BIGINT in upper-case hex (two's complement), a string or
/// binary as the hex of its bytes.
fn hex(c: &Ctx) -> Result<ArrayRef> {
    let arg = c.arg(0)?;
    if ember_core::types::is_integral(&arg.data_type()) {
        let a = I64s::new(arg)?;
        return build_strings(c.n, |i, buf| {
            let Some(v) = a.get(i) else { return Ok(false) };
            buf.push_str(&format!("{:X}", v as u64));
            Ok(true)
        });
    }
    let a = Bins::new(arg)?;
    build_strings(c.n, |i, buf| {
        let Some(b) = a.get(i) else { return Ok(false) };
        push_hex(buf, b);
        Ok(true)
    })
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Hex text to bytes; an odd length reads as if a `0` led it.
pub(crate) fn unhex_bytes(s: &[u8], out: &mut Vec<u8>) -> bool {
    let mut rest = s;
    if s.len() % 2 == 1 {
        match hex_digit(s[0]) {
            Some(d) => out.push(d),
            None => return false,
        }
        rest = &s[1..];
    }
    for pair in rest.chunks_exact(2) {
        match (hex_digit(pair[0]), hex_digit(pair[1])) {
            (Some(h), Some(l)) => out.push(h << 4 | l),
            _ => return false,
        }
    }
    true
}

fn unhex(c: &Ctx) -> Result<ArrayRef> {
    let a = Strs::new(c.arg(0)?)?;
    build_binary(c.n, |i, buf| {
        let Some(s) = a.get(i) else { return Ok(false) };
        Ok(unhex_bytes(s.as_bytes(), buf))
    })
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn base64_encode(b: &[u8], out: &mut String) {
    for chunk in b.chunks(3) {
        let n = chunk.len();
        let v =
            (chunk[0] as u32) << 16 | (*chunk.get(1).unwrap_or(&0) as u32) << 8 | *chunk.get(2).unwrap_or(&0) as u32;
        for k in 0..4 {
            if k <= n {
                out.push(B64[((v >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
}

/// `base64(bin)`: padded, without line breaks (Spark 3.5.2+).
fn base64(c: &Ctx) -> Result<ArrayRef> {
    let a = Bins::new(c.arg(0)?)?;
    build_strings(c.n, |i, buf| {
        let Some(b) = a.get(i) else { return Ok(false) };
        base64_encode(b, buf);
        Ok(true)
    })
}

fn b64_value(ch: u8) -> Option<u32> {
    Some(match ch {
        b'A'..=b'Z' => ch - b'A',
        b'a'..=b'z' => ch - b'a' + 26,
        b'0'..=b'9' => ch - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    } as u32)
}

/// Lenient decoding (Java's MIME decoder, behind `unbase64`): characters
/// outside the alphabet are skipped, decoding stops at the first `=`.
fn base64_decode_lenient(s: &[u8], out: &mut Vec<u8>) {
    let mut acc = 0u32;
    let mut bits = 0;
    for &ch in s {
        if ch == b'=' {
            break;
        }
        let Some(v) = b64_value(ch) else { continue };
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
}

/// Strict decoding for `to_binary(s, 'base64')`: spaces are ignored before
/// the padding, padding (at most two `=`, nothing after it) completes the
/// last group of four, and every other character must be in the alphabet.
pub(crate) fn base64_decode_strict(s: &[u8], out: &mut Vec<u8>) -> bool {
    let mut data = Vec::with_capacity(s.len());
    let mut pads = 0;
    for &ch in s {
        if pads > 0 {
            if ch != b'=' {
                return false;
            }
            pads += 1;
        } else if ch == b'=' {
            pads = 1;
        } else if ch == b' ' {
            continue;
        } else if b64_value(ch).is_some() {
            data.push(ch);
        } else {
            return false;
        }
    }
    if pads > 2 || (pads > 0 && (data.len() + pads) % 4 != 0) || (pads == 0 && data.len() % 4 == 1) {
        return false;
    }
    if pads == 0 && !data.len().is_multiple_of(4) {
        return false;
    }
    base64_decode_lenient(&data, out);
    true
}

fn unbase64(c: &Ctx) -> Result<ArrayRef> {
    let a = Strs::new(c.arg(0)?)?;
    build_binary(c.n, |i, buf| {
        let Some(s) = a.get(i) else { return Ok(false) };
        base64_decode_lenient(s.as_bytes(), buf);
        Ok(true)
    })
}

fn conversion_error(s: &str, fmt: &str) -> ember_core::Error {
    spark_error(
        "CONVERSION_INVALID_INPUT",
        "22018",
        "The value <str> (<fmt>) cannot be converted to <targetType> because it is malformed. Correct the value \
         as per the syntax, or change its format. Use <suggestion> to tolerate malformed input and return NULL \
         instead.",
        &[
            ("str", format!("'{s}'")),
            ("fmt", format!("'{}'", fmt.to_ascii_uppercase())),
            ("targetType", "\"BINARY\"".into()),
            ("suggestion", "`try_to_binary`".into()),
        ],
    )
}

/// `to_binary(s[, fmt])`; the analyzer supplies `hex` when no format is given.
fn to_binary(c: &Ctx) -> Result<ArrayRef> {
    let a = Strs::new(c.arg(0)?)?;
    let f = Strs::new(c.arg(1)?)?;
    build_binary(c.n, |i, buf| {
        let (Some(s), Some(fmt)) = (a.get(i), f.get(i)) else { return Ok(false) };
        let lower = fmt.to_ascii_lowercase();
        let ok = match lower.as_str() {
            "hex" => unhex_bytes(s.as_bytes(), buf),
            "utf-8" | "utf8" => {
                buf.extend_from_slice(s.as_bytes());
                true
            }
            "base64" => base64_decode_strict(s.as_bytes(), buf),
            _ => {
                return Err(spark_error(
                    "INVALID_PARAMETER_VALUE.BINARY_FORMAT",
                    "22023",
                    "The value of parameter(s) <parameter> in <functionName> is invalid: expects one of binary \
                     formats 'base64', 'hex', 'utf-8', but got <invalidFormat>.",
                    &[
                        ("parameter", "`format`".into()),
                        ("functionName", "`to_binary`".into()),
                        ("invalidFormat", format!("'{fmt}'")),
                    ],
                ))
            }
        };
        if ok {
            Ok(true)
        } else if c.mode == EvalMode::Try {
            Ok(false)
        } else {
            Err(conversion_error(s, &lower))
        }
    })
}

/// The charsets Spark accepts by name (lower case).
const CHARSETS: [&str; 7] = ["iso-8859-1", "us-ascii", "utf-16", "utf-16be", "utf-16le", "utf-32", "utf-8"];

fn charset_error(function: &str, charset: &str) -> ember_core::Error {
    spark_error(
        "INVALID_PARAMETER_VALUE.CHARSET",
        "22023",
        "The value of parameter(s) <parameter> in <functionName> is invalid: expects one of the <charsets>, but \
         got <charset>.",
        &[
            ("functionName", format!("`{function}`")),
            ("parameter", "`charset`".into()),
            ("charsets", CHARSETS.join(", ")),
            ("charset", charset.to_string()),
        ],
    )
}

fn malformed(function: &str, charset: &str) -> ember_core::Error {
    spark_error(
        "MALFORMED_CHARACTER_CODING",
        "22000",
        "Invalid value found when performing <function> with <charset>",
        &[("function", format!("`{function}`")), ("charset", charset.to_string())],
    )
}

fn check_charset(function: &str, charset: &str) -> Result<String> {
    let lower = charset.to_ascii_lowercase();
    if CHARSETS.contains(&lower.as_str()) {
        Ok(lower)
    } else {
        Err(charset_error(function, charset))
    }
}

/// Encodes `s`; `false` when a character has no encoding in the charset.
pub(crate) fn encode_str(s: &str, charset: &str, out: &mut Vec<u8>) -> bool {
    match charset {
        "utf-8" => out.extend_from_slice(s.as_bytes()),
        "us-ascii" | "iso-8859-1" => {
            let max = if charset == "us-ascii" { 0x7F } else { 0xFF };
            for ch in s.chars() {
                if ch as u32 > max {
                    return false;
                }
                out.push(ch as u8);
            }
        }
        "utf-16" | "utf-16be" | "utf-16le" => {
            // Java's UTF-16 encoder writes a big-endian byte-order mark
            if charset == "utf-16" && !s.is_empty() {
                out.extend_from_slice(&[0xFE, 0xFF]);
            }
            for u in s.encode_utf16() {
                if charset == "utf-16le" {
                    out.extend_from_slice(&u.to_le_bytes());
                } else {
                    out.extend_from_slice(&u.to_be_bytes());
                }
            }
        }
        "utf-32" => {
            for ch in s.chars() {
                out.extend_from_slice(&(ch as u32).to_be_bytes());
            }
        }
        _ => return false,
    }
    true
}

/// Decodes `b`; `None` on malformed input.
pub(crate) fn decode_bytes(b: &[u8], charset: &str) -> Option<String> {
    match charset {
        "utf-8" => std::str::from_utf8(b).ok().map(str::to_string),
        "us-ascii" => b.iter().all(u8::is_ascii).then(|| b.iter().map(|&x| x as char).collect()),
        "iso-8859-1" => Some(b.iter().map(|&x| x as char).collect()),
        "utf-16" | "utf-16be" | "utf-16le" => {
            if !b.len().is_multiple_of(2) {
                return None;
            }
            let (mut le, mut body) = (charset == "utf-16le", b);
            if charset == "utf-16" && b.len() >= 2 {
                match (b[0], b[1]) {
                    (0xFE, 0xFF) => body = &b[2..],
                    (0xFF, 0xFE) => {
                        le = true;
                        body = &b[2..];
                    }
                    _ => {}
                }
            }
            let units: Vec<u16> = body
                .chunks_exact(2)
                .map(|p| if le { u16::from_le_bytes([p[0], p[1]]) } else { u16::from_be_bytes([p[0], p[1]]) })
                .collect();
            String::from_utf16(&units).ok()
        }
        "utf-32" => {
            if !b.len().is_multiple_of(4) {
                return None;
            }
            b.chunks_exact(4).map(|p| char::from_u32(u32::from_be_bytes([p[0], p[1], p[2], p[3]]))).collect()
        }
        _ => None,
    }
}

fn encode(c: &Ctx) -> Result<ArrayRef> {
    let a = Strs::new(c.arg(0)?)?;
    let cs = Strs::new(c.arg(1)?)?;
    build_binary(c.n, |i, buf| {
        let (Some(s), Some(charset)) = (a.get(i), cs.get(i)) else { return Ok(false) };
        let lower = check_charset("encode", charset)?;
        if encode_str(s, &lower, buf) {
            Ok(true)
        } else {
            Err(malformed("encode", charset))
        }
    })
}

fn decode(c: &Ctx) -> Result<ArrayRef> {
    let a = Bins::new(c.arg(0)?)?;
    let cs = Strs::new(c.arg(1)?)?;
    build_strings(c.n, |i, buf| {
        let (Some(b), Some(charset)) = (a.get(i), cs.get(i)) else { return Ok(false) };
        let lower = check_charset("decode", charset)?;
        match decode_bytes(b, &lower) {
            Some(s) => {
                buf.push_str(&s);
                Ok(true)
            }
            None => Err(malformed("decode", charset)),
        }
    })
}

/// Java's `URLEncoder.encode(s, UTF-8)`: `[A-Za-z0-9.*_-]` stay, space is
/// `+`, every other byte is `%XX`.
pub(crate) fn url_encode_str(s: &str, out: &mut String) {
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => out.push(b as char),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                push_hex(out, &[b]);
            }
        }
    }
}

/// Java's `URLDecoder.decode(s, UTF-8)`; `None` for a bad `%` escape.
pub(crate) fn url_decode_str(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let h = b.get(i + 1).copied().and_then(hex_digit)?;
                let l = b.get(i + 2).copied().and_then(hex_digit)?;
                out.push(h << 4 | l);
                i += 2;
            }
            x => out.push(x),
        }
        i += 1;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn url_encode(c: &Ctx) -> Result<ArrayRef> {
    let a = Strs::new(c.arg(0)?)?;
    build_strings(c.n, |i, buf| {
        let Some(s) = a.get(i) else { return Ok(false) };
        url_encode_str(s, buf);
        Ok(true)
    })
}

fn url_decode(c: &Ctx) -> Result<ArrayRef> {
    let a = Strs::new(c.arg(0)?)?;
    build_strings(c.n, |i, buf| {
        let Some(s) = a.get(i) else { return Ok(false) };
        match url_decode_str(s) {
            Some(d) => {
                buf.push_str(&d);
                Ok(true)
            }
            None if c.mode == EvalMode::Try => Ok(false),
            None => Err(spark_error(
                "CANNOT_DECODE_URL",
                "22546",
                "The provided URL cannot be decoded: <url>. Please ensure that the URL is properly formatted and \
                 try again.",
                &[("url", s.to_string())],
            )),
        }
    })
}

fn digest_hex(c: &Ctx, f: impl Fn(&[u8]) -> Vec<u8>) -> Result<ArrayRef> {
    let a = Bins::new(c.arg(0)?)?;
    build_strings(c.n, |i, buf| {
        let Some(b) = a.get(i) else { return Ok(false) };
        buf.push_str(&digest::hex_lower(&f(b)));
        Ok(true)
    })
}

/// `sha2(x, bits)`: NULL for an unsupported length (0 means 256).
fn sha2(c: &Ctx) -> Result<ArrayRef> {
    let a = Bins::new(c.arg(0)?)?;
    let bits = I64s::new(c.arg(1)?)?;
    build_strings(c.n, |i, buf| {
        let (Some(b), Some(bits)) = (a.get(i), bits.get(i)) else { return Ok(false) };
        let bits = if bits == 0 { 256 } else { bits };
        match digest::sha2(b, bits) {
            Some(d) => {
                buf.push_str(&digest::hex_lower(&d));
                Ok(true)
            }
            None => Ok(false),
        }
    })
}

fn crc32(c: &Ctx) -> Result<ArrayRef> {
    let a = Bins::new(c.arg(0)?)?;
    let out: Int64Array = build_prim(c.n, |i| Ok(a.get(i).map(|b| digest::crc32(b) as i64)))?;
    Ok(Arc::new(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &[u8]) -> String {
        let mut o = String::new();
        base64_encode(s, &mut o);
        o
    }

    #[test]
    fn base64_round_trips() {
        assert_eq!(b64(b"Spark SQL"), "U3BhcmsgU1FM");
        assert_eq!(b64(b"Spark"), "U3Bhcms=");
        assert_eq!(b64(b"PySpark"), "UHlTcGFyaw==");
        let mut out = Vec::new();
        base64_decode_lenient(b"U3BhcmsgU1FM", &mut out);
        assert_eq!(out, b"Spark SQL");
        let strict = |s: &str| {
            let mut o = Vec::new();
            base64_decode_strict(s.as_bytes(), &mut o).then_some(o)
        };
        assert_eq!(strict(" ab cd "), Some(vec![0x69, 0xb7, 0x1d]));
        assert_eq!(strict(" ab c="), Some(vec![0x69, 0xb7]));
        assert_eq!(strict(""), Some(vec![]));
        for bad in ["a", "a?", "abcde", "abcd=", "a===", "ab==f", " ab cdef= = "] {
            assert_eq!(strict(bad), None, "{bad}");
        }
    }

    #[test]
    fn hex_and_charsets() {
        let mut o = Vec::new();
        assert!(unhex_bytes(b"537061726B2053514C", &mut o));
        assert_eq!(o, b"Spark SQL");
        o.clear();
        assert!(unhex_bytes(b"123", &mut o));
        assert_eq!(o, vec![0x01, 0x23]);
        assert!(!unhex_bytes(b"GG", &mut Vec::new()));
        let mut e = Vec::new();
        assert!(encode_str("大千世界", "utf-32", &mut e));
        assert_eq!(decode_bytes(&e, "utf-32").as_deref(), Some("大千世界"));
        e.clear();
        assert!(encode_str("abc", "utf-16", &mut e));
        assert_eq!(e, vec![0xFE, 0xFF, 0, b'a', 0, b'b', 0, b'c']);
        assert_eq!(decode_bytes(&e, "utf-16").as_deref(), Some("abc"));
        assert!(!encode_str("客", "us-ascii", &mut Vec::new()));
        assert_eq!(decode_bytes(&[0xE5, 0x8A], "us-ascii"), None);
    }

    #[test]
    fn urls() {
        let mut o = String::new();
        url_encode_str("https://spark.apache.org", &mut o);
        assert_eq!(o, "https%3A%2F%2Fspark.apache.org");
        assert_eq!(url_decode_str("https%3A%2F%2Fspark.apache.org").as_deref(), Some("https://spark.apache.org"));
        assert_eq!(url_decode_str("http%3A%2F%2spark.apache.org"), None);
    }
}
