//! Calendar arithmetic on Spark's date/timestamp encodings (days and UTC
//! microseconds since 1970-01-01) and Spark's string -> date/timestamp
//! parsing (`DateTimeUtils.stringToDate` / `stringToTimestamp`).
//!
//! Local date-times convert to instants through a [`TimeZone`].
//!
//! Civil <-> day conversions use Howard Hinnant's branch-light algorithms
//! on the proleptic Gregorian calendar, which is what Spark 3+ uses.

use crate::tz::TimeZone;

pub const MICROS_PER_SECOND: i64 = 1_000_000;
pub const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Days since the epoch of a proleptic Gregorian date (no validation).
#[inline]
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month 1-12, day 1-31) of days since the epoch.
#[inline]
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if is_leap(y) {
                29
            } else {
                28
            }
        }
    }
}

/// A validated civil date as days since the epoch.
pub fn make_date(y: i64, m: u32, d: u32) -> Option<i32> {
    // Date32 spans about +-5.8 million years; beyond that the math would overflow
    if !(-6_000_000..=6_000_000).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    i32::try_from(days_from_civil(y, m, d)).ok()
}

/// Spark's `add_months`: the day is clamped to the end of the target month.
pub fn add_months(days: i32, months: i32) -> Option<i32> {
    let (y, m, d) = civil_from_days(days as i64);
    let total = y * 12 + (m as i64 - 1) + months as i64;
    let ny = total.div_euclid(12);
    let nm = (total.rem_euclid(12) + 1) as u32;
    let nd = d.min(days_in_month(ny, nm));
    i32::try_from(days_from_civil(ny, nm, nd)).ok()
}

/// Adds months to a timestamp, keeping the time of day (UTC session zone).
pub fn timestamp_add_months(micros: i64, months: i32) -> Option<i64> {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let tod = micros.rem_euclid(MICROS_PER_DAY);
    let nd = add_months(i32::try_from(days).ok()?, months)? as i64;
    nd.checked_mul(MICROS_PER_DAY)?.checked_add(tod)
}

/// Spark's `trimAll` (used by string casts): drops bytes that are
/// whitespace or ISO control characters, i.e. ASCII <= 0x20 and 0x7F.
pub fn trim_all(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ' || c == '\u{7f}')
}

/// Spark's `stringToDate`: `[+-]yyyy[-[m]m[-[d]d]]`, optionally followed by
/// ' ' or 'T' and anything. The input is trimmed first.
pub fn parse_date(s: &str) -> Option<i32> {
    let (days, _) = parse_date_prefix(trim_all(s).as_bytes())?;
    Some(days)
}

/// Parses the date part; returns the days and the index after the date
/// (at the ' '/'T' separator, or the end).
fn parse_date_prefix(b: &[u8]) -> Option<(i32, usize)> {
    if b.is_empty() {
        return None;
    }
    let mut j = 0;
    let mut sign = 1i64;
    if b[0] == b'-' || b[0] == b'+' {
        sign = if b[0] == b'-' { -1 } else { 1 };
        j = 1;
    }
    let mut seg = [1i64, 1, 1];
    let mut i = 0;
    let mut value = 0i64;
    let mut digits = 0;
    let valid = |i: usize, digits: i32| {
        if i == 0 {
            (4..=7).contains(&digits)
        } else {
            (1..=2).contains(&digits)
        }
    };
    while j < b.len() && b[j] != b' ' && b[j] != b'T' {
        let c = b[j];
        if i < 2 && c == b'-' {
            if !valid(i, digits) {
                return None;
            }
            seg[i] = value;
            value = 0;
            digits = 0;
            i += 1;
        } else if c.is_ascii_digit() {
            value = value * 10 + (c - b'0') as i64;
            digits += 1;
            if digits > 7 {
                return None;
            }
        } else {
            return None;
        }
        j += 1;
    }
    if !valid(i, digits) {
        return None;
    }
    if i < 2 && j < b.len() {
        return None;
    }
    seg[i] = value;
    let days = make_date(sign * seg[0], seg[1] as u32, seg[2] as u32)?;
    Some((days, j))
}

/// Spark's `stringToTimestamp`: a date, optionally ' ' or 'T' and
/// `h[h]:m[m][:s[s][.fraction]]`, optionally a zone ID (`Z`, `+hh:mm`,
/// `UTC+01:00`, `CST`, `Europe/Amsterdam`, ... see [`TimeZone::parse`]).
/// Returns the local date-time (microseconds) and the zone of the text.
pub fn parse_timestamp_parts(s: &str) -> Option<(i64, Option<TimeZone>)> {
    let b = trim_all(s).as_bytes();
    let (days, mut j) = parse_date_prefix(b)?;
    let mut micros = days as i64 * MICROS_PER_DAY;
    if j >= b.len() {
        return Some((micros, None));
    }
    j += 1; // the ' ' or 'T'
    if j >= b.len() {
        return Some((micros, None));
    }
    // h[h]:m[m][:s[s][.ffffff]]
    let mut fields = [0i64; 3];
    let mut k = 0;
    let mut digits = 0;
    while j < b.len() {
        let c = b[j];
        if c.is_ascii_digit() {
            fields[k] = fields[k] * 10 + (c - b'0') as i64;
            digits += 1;
            if digits > 2 {
                return None;
            }
        } else if c == b':' && k < 2 {
            if digits == 0 {
                return None;
            }
            k += 1;
            digits = 0;
        } else {
            break;
        }
        j += 1;
    }
    if digits == 0 || k == 0 {
        return None;
    }
    let mut frac = 0i64;
    if j < b.len() && b[j] == b'.' && k == 2 {
        j += 1;
        let mut n = 0;
        while j < b.len() && b[j].is_ascii_digit() {
            if n < 6 {
                frac = frac * 10 + (b[j] - b'0') as i64;
            }
            n += 1;
            j += 1;
        }
        if n > 9 {
            return None;
        }
        for _ in n.min(6)..6 {
            frac *= 10;
        }
    }
    let (h, m, sec) = (fields[0], fields[1], fields[2]);
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    micros += ((h * 60 + m) * 60 + sec) * MICROS_PER_SECOND + frac;
    let zone = std::str::from_utf8(&b[j..]).ok()?.trim();
    if zone.is_empty() {
        return Some((micros, None));
    }
    Some((micros, Some(TimeZone::parse(zone).ok()?)))
}

/// A TIMESTAMP string as an instant: the text's own zone, else `session`.
pub fn parse_timestamp_in(s: &str, session: &TimeZone) -> Option<i64> {
    let (local, zone) = parse_timestamp_parts(s)?;
    Some(zone.as_ref().unwrap_or(session).to_instant(local))
}

/// A TIMESTAMP_NTZ string: the local date-time; a zone in the text is
/// accepted and ignored, as in Spark.
pub fn parse_timestamp_ntz(s: &str) -> Option<i64> {
    parse_timestamp_parts(s).map(|(local, _)| local)
}

/// [`parse_timestamp_in`] with a UTC session, or [`parse_timestamp_ntz`]
/// when `ignore_zone`.
pub fn parse_timestamp(s: &str, ignore_zone: bool) -> Option<i64> {
    if ignore_zone {
        parse_timestamp_ntz(s)
    } else {
        parse_timestamp_in(s, &TimeZone::utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for d in [-800_000i64, -1, 0, 59, 60, 10_957, 19_782, 2_932_896] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn spark_dates() {
        assert_eq!(parse_date("2024-01-31"), make_date(2024, 1, 31));
        assert_eq!(parse_date(" 2024-1-5 "), make_date(2024, 1, 5));
        assert_eq!(parse_date("2024"), make_date(2024, 1, 1));
        assert_eq!(parse_date("2024-03"), make_date(2024, 3, 1));
        assert_eq!(parse_date("2024-03-04T10:00"), make_date(2024, 3, 4));
        assert_eq!(parse_date("2024-03-04 whatever"), make_date(2024, 3, 4));
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("24-01-01"), None);
        assert_eq!(parse_date("2024-01 x"), None);
        assert_eq!(parse_date("abc"), None);
        assert_eq!(parse_date("2024-01-0000000000000000000000001"), None);
    }

    #[test]
    fn spark_timestamps() {
        let day = make_date(2024, 1, 2).unwrap() as i64 * MICROS_PER_DAY;
        assert_eq!(parse_timestamp("2024-01-02 03:04:05.5", false), Some(day + 11_045_500_000));
        assert_eq!(parse_timestamp("2024-01-02T03:04:05Z", false), Some(day + 11_045_000_000));
        assert_eq!(parse_timestamp("2024-01-02 03:04:05+01:00", false), Some(day + 11_045_000_000 - 3_600_000_000));
        assert_eq!(parse_timestamp("2024-01-02", false), Some(day));
        assert_eq!(parse_timestamp("2024-01-02 25:00:00", false), None);
        assert_eq!(parse_timestamp("2024-01-02 03:04", false), Some(day + 11_040_000_000));
        // zone IDs in the text: regions, Java's short IDs, prefixed offsets
        let la = TimeZone::parse("America/Los_Angeles").unwrap();
        let local = day + 11_045_000_000;
        assert_eq!(parse_timestamp("2024-01-02 03:04:05 America/Los_Angeles", false), Some(local + 8 * 3_600_000_000));
        assert_eq!(parse_timestamp("2024-01-02 03:04:05CST", false), Some(local + 6 * 3_600_000_000));
        assert_eq!(parse_timestamp("2024-01-02 03:04:05 UTC+01:00", false), Some(local - 3_600_000_000));
        assert_eq!(parse_timestamp("2024-01-02 03:04:05 Mars/Base", false), None);
        // no zone in the text: the session zone; NTZ ignores any zone
        assert_eq!(parse_timestamp_in("2024-01-02 03:04:05", &la), Some(local + 8 * 3_600_000_000));
        assert_eq!(parse_timestamp_in("2024-01-02 03:04:05Z", &la), Some(local));
        assert_eq!(parse_timestamp_ntz("2024-01-02 03:04:05+05:00"), Some(local));
    }

    #[test]
    fn months() {
        assert_eq!(add_months(make_date(2024, 1, 31).unwrap(), 1), make_date(2024, 2, 29));
        assert_eq!(add_months(make_date(2023, 1, 31).unwrap(), 1), make_date(2023, 2, 28));
        assert_eq!(add_months(make_date(2024, 3, 31).unwrap(), -1), make_date(2024, 2, 29));
        assert_eq!(add_months(make_date(2024, 5, 15).unwrap(), -17), make_date(2022, 12, 15));
    }
}
