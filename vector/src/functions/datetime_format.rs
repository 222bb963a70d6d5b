//! Spark datetime patterns (`yyyy-MM-dd HH:mm:ss.SSS`, `MMM`, `EEE`, `a`,
//! quoted text) translated once per pattern into chrono's strftime syntax,
//! then used to format and parse UTC date-times.

use chrono::format::{parse, Parsed, StrftimeItems};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::errors::spark_error;
use ember_core::{Error, Result};

/// A Spark pattern compiled to a chrono format string.
pub(crate) struct SparkPattern {
    chrono: String,
}

impl SparkPattern {
    pub fn new(pattern: &str) -> Result<SparkPattern> {
        Ok(SparkPattern { chrono: translate(pattern)? })
    }

    /// Formats a UTC date-time (appends to `out`).
    pub fn format(&self, dt: &NaiveDateTime, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(out, "{}", dt.format(&self.chrono));
    }

    /// Parses text into a date-time; missing fields default like Spark's
    /// (1970-01-01 00:00:00).
    pub fn parse(&self, s: &str) -> Option<NaiveDateTime> {
        let mut p = Parsed::new();
        parse(&mut p, s, StrftimeItems::new(&self.chrono)).ok()?;
        if p.year().is_none() && p.year_div_100().is_none() && p.isoweek().is_none() {
            p.set_year(1970).ok()?;
        }
        if p.month().is_none() && p.ordinal().is_none() && p.isoweek().is_none() {
            p.set_month(1).ok()?;
        }
        if p.day().is_none() && p.ordinal().is_none() && p.isoweek().is_none() {
            p.set_day(1).ok()?;
        }
        let date: NaiveDate = p.to_naive_date().ok()?;
        let time = p.to_naive_time().unwrap_or(NaiveTime::MIN);
        Some(date.and_time(time))
    }
}

fn unsupported_pattern(pattern: &str, letter: char) -> Error {
    spark_error(
        "INVALID_DATETIME_PATTERN.ILLEGAL_CHARACTER",
        "22007",
        "Unrecognized datetime pattern: <pattern>. Illegal pattern character found in datetime pattern: <c>. Please provide legal character.",
        &[("pattern", pattern.to_string()), ("c", letter.to_string())],
    )
}

fn translate(pattern: &str) -> Result<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        if ch == '\'' {
            // quoted literal; '' is a quote
            if chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        out.push('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                push_literal(&mut out, chars[i]);
                i += 1;
            }
            i += 1;
            continue;
        }
        if !ch.is_ascii_alphabetic() {
            push_literal(&mut out, ch);
            i += 1;
            continue;
        }
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == ch {
            n += 1;
        }
        let spec = match (ch, n) {
            ('y' | 'u', 2) => "%y",
            ('y' | 'u', _) => "%Y",
            ('M' | 'L', 1) => "%-m",
            ('M' | 'L', 2) => "%m",
            ('M' | 'L', 3) => "%b",
            ('M' | 'L', _) => "%B",
            ('d', 1) => "%-d",
            ('d', _) => "%d",
            ('D', 1 | 2) => "%-j",
            ('D', _) => "%j",
            ('H', 1) => "%-H",
            ('H', _) => "%H",
            ('h', 1) => "%-I",
            ('h', _) => "%I",
            ('m', 1) => "%-M",
            ('m', _) => "%M",
            ('s', 1) => "%-S",
            ('s', _) => "%S",
            ('S', 1..=3) => "%3f",
            ('S', 4..=6) => "%6f",
            ('S', _) => "%9f",
            ('a', _) => "%p",
            ('E', 1..=3) => "%a",
            ('E', _) => "%A",
            ('z', _) => "UTC",
            ('Z', _) => "%z",
            ('X' | 'x', _) => "%:z",
            _ => return Err(unsupported_pattern(pattern, ch)),
        };
        out.push_str(spec);
        i += n;
    }
    Ok(out)
}

fn push_literal(out: &mut String, ch: char) {
    if ch == '%' {
        out.push_str("%%");
    } else {
        out.push(ch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_parse() {
        let dt = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap().and_hms_opt(14, 7, 9).unwrap();
        let mut s = String::new();
        SparkPattern::new("yyyy-MM-dd HH:mm:ss").unwrap().format(&dt, &mut s);
        assert_eq!(s, "2024-03-05 14:07:09");
        s.clear();
        SparkPattern::new("d MMM yy, EEE 'at' h a").unwrap().format(&dt, &mut s);
        assert_eq!(s, "5 Mar 24, Tue at 2 PM");
        let p = SparkPattern::new("dd/MM/yyyy").unwrap();
        assert_eq!(
            p.parse("05/03/2024"),
            Some(NaiveDate::from_ymd_opt(2024, 3, 5).unwrap().and_hms_opt(0, 0, 0).unwrap())
        );
        assert_eq!(p.parse("xx"), None);
        assert!(SparkPattern::new("yyyy-qq").is_err());
    }
}
