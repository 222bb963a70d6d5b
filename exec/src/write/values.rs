//! Values as Spark's text writers (CSV, JSON) print them: Java's
//! `BigDecimal.toString` for decimals, `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` for
//! timestamps (the default `timestampFormat` when writing; Ember's session
//! zone is UTC, so the offset is `Z`), `yyyy-MM-dd'T'HH:mm:ss.SSS` for
//! timestamps without time zone, base64 for binary in JSON, and Jackson's
//! escaping of JSON strings.

use chrono::DateTime;

/// Java's `BigDecimal.toString`: plain notation when the scale is not
/// negative and the adjusted exponent is at least -6, otherwise scientific
/// (`0E-10`, `1.5E-7`, `1.23E+5`). Spark's CSV and JSON writers print
/// decimals this way.
pub fn java_big_decimal(unscaled: i128, scale: i8) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let adjusted = digits.len() as i64 - 1 - scale as i64;
    if scale >= 0 && adjusted >= -6 {
        return ember_core::format::decimal_to_string(unscaled, scale);
    }
    let mut s = String::with_capacity(digits.len() + 8);
    if unscaled < 0 {
        s.push('-');
    }
    s.push_str(&digits[..1]);
    if digits.len() > 1 {
        s.push('.');
        s.push_str(&digits[1..]);
    }
    s.push('E');
    if adjusted > 0 {
        s.push('+');
    }
    s.push_str(&adjusted.to_string());
    s
}

/// `yyyy-MM-dd'T'HH:mm:ss.SSS` of UTC microseconds, plus `Z` when `zoned`
/// (TIMESTAMP); without it for TIMESTAMP_NTZ. Fractions below a
/// millisecond are cut, as Spark's `SSS` pattern does.
pub fn iso_timestamp(micros: i64, zoned: bool) -> String {
    let secs = micros.div_euclid(1_000_000);
    let millis = micros.rem_euclid(1_000_000) / 1000;
    match DateTime::from_timestamp(secs, 0) {
        Some(dt) => {
            let base = dt.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string();
            let base = base.trim_start_matches('+');
            if zoned {
                format!("{base}.{millis:03}Z")
            } else {
                format!("{base}.{millis:03}")
            }
        }
        None => ember_core::format::timestamp_to_string(micros),
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (Jackson's default variant for binary).
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        out.push(BASE64[(n >> 18) as usize & 63] as char);
        out.push(BASE64[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { BASE64[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { BASE64[n as usize & 63] as char } else { '=' });
    }
    out
}

/// Appends `s` as a JSON string the way Jackson writes it: `"` and `\`
/// escaped, the usual short escapes for control characters, `\u00XX`
/// (upper-case hex) for the other control characters, everything else
/// (non-ASCII included) as is.
pub fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_decimal_like_java() {
        assert_eq!(java_big_decimal(12345, 2), "123.45");
        assert_eq!(java_big_decimal(-5, 1), "-0.5");
        assert_eq!(java_big_decimal(0, 10), "0E-10");
        assert_eq!(java_big_decimal(1, 7), "1E-7");
        assert_eq!(java_big_decimal(15, 8), "1.5E-7");
        assert_eq!(java_big_decimal(1, 6), "0.000001");
        assert_eq!(java_big_decimal(123, -3), "1.23E+5");
        assert_eq!(java_big_decimal(42, 0), "42");
    }

    #[test]
    fn timestamps_with_millis() {
        assert_eq!(iso_timestamp(0, true), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_timestamp(1_500_123, true), "1970-01-01T00:00:01.500Z");
        assert_eq!(iso_timestamp(-1, false), "1969-12-31T23:59:59.999");
    }

    #[test]
    fn base64_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"Spark"), "U3Bhcms=");
    }

    #[test]
    fn json_escapes() {
        let mut s = String::new();
        json_string(&mut s, "a\"b\\c\nd\u{1}é/");
        assert_eq!(s, "\"a\\\"b\\\\c\\nd\\u0001é/\"");
    }
}
