//! Time zones by Spark's rules (`DateTimeUtils.getZoneId`, i.e. Java's
//! `ZoneId.of` with `ZoneId.SHORT_IDS`): `Z`, `UTC`/`GMT`/`UT`, offsets
//! (`+08:00`, `-0530`, `+8`, `+1:00`), prefixed offsets (`GMT+8`,
//! `UTC-03:00`), Java's three-letter IDs (`PST`, `CET`, `JST`, ...) and IANA
//! region names, which are case-sensitive as in Java. Region rules come from
//! the IANA database compiled into the `chrono-tz` crate, so results do not
//! depend on the machine.
//!
//! Values are microseconds: an instant (TIMESTAMP) counts from 1970-01-01
//! UTC, a local date-time (TIMESTAMP_NTZ, wall clock) counts the same way as
//! if it were UTC. Local-to-instant follows `ZonedDateTime.of`: in an
//! overlap the earlier offset wins, in a gap the local time moves forward by
//! the length of the gap.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Offset, TimeZone as _};
use chrono_tz::Tz;
use ember_core::{Error, Result};

use crate::errors::spark_error;

const MICROS: i64 = 1_000_000;
/// chrono's `NaiveDateTime` spans about +-262,000 years; offsets of instants
/// beyond are those at the edge (no zone has transitions there).
const MAX_SECONDS: i64 = 8_210_266_876_799;
const MIN_SECONDS: i64 = -8_334_601_228_800;

/// A session or argument time zone.
#[derive(Debug, Clone)]
pub struct TimeZone {
    /// The ID as given (what `current_timezone()` shows).
    name: Arc<str>,
    rules: Rules,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Rules {
    /// Seconds east of UTC.
    Fixed(i64),
    Region(Tz),
}

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone::utc()
    }
}

/// Java's `ZoneId.SHORT_IDS`.
const SHORT_IDS: [(&str, &str); 28] = [
    ("ACT", "Australia/Darwin"),
    ("AET", "Australia/Sydney"),
    ("AGT", "America/Argentina/Buenos_Aires"),
    ("ART", "Africa/Cairo"),
    ("AST", "America/Anchorage"),
    ("BET", "America/Sao_Paulo"),
    ("BST", "Asia/Dhaka"),
    ("CAT", "Africa/Harare"),
    ("CNT", "America/St_Johns"),
    ("CST", "America/Chicago"),
    ("CTT", "Asia/Shanghai"),
    ("EAT", "Africa/Addis_Ababa"),
    ("ECT", "Europe/Paris"),
    ("IET", "America/Indiana/Indianapolis"),
    ("IST", "Asia/Kolkata"),
    ("JST", "Asia/Tokyo"),
    ("MIT", "Pacific/Apia"),
    ("NET", "Asia/Yerevan"),
    ("NST", "Pacific/Auckland"),
    ("PLT", "Asia/Karachi"),
    ("PNT", "America/Phoenix"),
    ("PRT", "America/Puerto_Rico"),
    ("PST", "America/Los_Angeles"),
    ("SST", "Pacific/Guadalcanal"),
    ("VST", "Asia/Ho_Chi_Minh"),
    ("EST", "-05:00"),
    ("MST", "-07:00"),
    ("HST", "-10:00"),
];

/// Spark's error for a zone ID that `ZoneId.of` rejects.
pub fn invalid_zone(name: &str) -> Error {
    spark_error(
        "INVALID_TIMEZONE",
        "22009",
        "The timezone: <timeZone> is invalid. The timezone must be either a region-based zone ID or a zone \
         offset. Region IDs must have the form 'area/city', such as 'America/Los_Angeles'. Zone offsets must be \
         in the format '(+|-)HH', '(+|-)HH:mm' or '(+|-)HH:mm:ss', e.g '-08', '+01:00' or '-13:33:33', and must \
         be in the range from -18:00 to +18:00. 'Z' and 'UTC' are accepted as synonyms for '+00:00'.",
        &[("timeZone", name.to_string())],
    )
}

/// `ZoneOffset.of`: `+h`, `+hh`, `+hh:mm`, `+hhmm`, `+hh:mm:ss`, `+hhmmss`
/// (Spark also accepts `+h:mm` and `+hh:m`), within +-18:00; in seconds.
fn parse_offset(s: &str) -> Option<i64> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    if !rest.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    let parts: Vec<&str> = if rest.contains(':') {
        rest.split(':').collect()
    } else {
        match rest.len() {
            1 | 2 => vec![rest],
            4 => vec![&rest[..2], &rest[2..]],
            6 => vec![&rest[..2], &rest[2..4], &rest[4..]],
            _ => return None,
        }
    };
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty() || p.len() > 2) {
        return None;
    }
    // with colons, minutes and seconds have two digits except Spark's `+hh:m`
    if parts.len() == 3 && parts[1..].iter().any(|p| p.len() != 2) {
        return None;
    }
    let nums: Vec<i64> = parts.iter().map(|p| p.parse::<i64>().ok()).collect::<Option<_>>()?;
    let (h, m, sec) = (nums[0], nums.get(1).copied().unwrap_or(0), nums.get(2).copied().unwrap_or(0));
    if h > 18 || m > 59 || sec > 59 || (h == 18 && (m > 0 || sec > 0)) {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + sec))
}

fn resolve(name: &str) -> Option<Rules> {
    let id = SHORT_IDS.iter().find(|(k, _)| *k == name).map_or(name, |(_, v)| v);
    if matches!(id, "Z" | "UTC" | "GMT" | "UT") {
        return Some(Rules::Fixed(0));
    }
    if id.starts_with(['+', '-']) {
        return parse_offset(id).map(Rules::Fixed);
    }
    for prefix in ["UTC", "GMT", "UT"] {
        if let Some(rest) = id.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return parse_offset(rest).map(Rules::Fixed);
            }
        }
    }
    id.parse::<Tz>().ok().map(Rules::Region)
}

/// The UTC zone, shared.
pub fn utc() -> &'static TimeZone {
    static UTC: OnceLock<TimeZone> = OnceLock::new();
    UTC.get_or_init(TimeZone::utc)
}

impl TimeZone {
    pub fn utc() -> TimeZone {
        TimeZone { name: Arc::from("UTC"), rules: Rules::Fixed(0) }
    }

    /// The zone of a Spark zone ID; `INVALID_TIMEZONE` when Java rejects it.
    pub fn parse(name: &str) -> Result<TimeZone> {
        match resolve(name) {
            Some(rules) => Ok(TimeZone { name: Arc::from(name), rules }),
            None => Err(invalid_zone(name)),
        }
    }

    /// The ID as it was given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether local times equal instants (offset 0 at every instant).
    pub fn is_utc(&self) -> bool {
        self.rules == Rules::Fixed(0)
    }

    /// The offset (microseconds east of UTC) in force at an instant.
    pub fn offset_at(&self, instant: i64) -> i64 {
        match self.rules {
            Rules::Fixed(s) => s * MICROS,
            Rules::Region(tz) => region_offset(tz, instant.div_euclid(MICROS)) * MICROS,
        }
    }

    /// The wall-clock time of an instant (saturating at the i64 range).
    pub fn to_local(&self, instant: i64) -> i64 {
        instant.saturating_add(self.offset_at(instant))
    }

    /// The instant of a wall-clock time (saturating at the i64 range).
    pub fn to_instant(&self, local: i64) -> i64 {
        let tz = match self.rules {
            Rules::Fixed(s) => return local.saturating_sub(s * MICROS),
            Rules::Region(tz) => tz,
        };
        let secs = local.div_euclid(MICROS);
        // every offset in force within a day of this time; transitions are
        // months apart, so one of them is the answer
        let mut candidates = [
            region_offset(tz, secs.saturating_sub(86_400)),
            region_offset(tz, secs),
            region_offset(tz, secs.saturating_add(86_400)),
        ];
        candidates.sort_unstable();
        // an offset fits when the instant it gives really has that offset;
        // of two (an overlap) Java keeps the earlier instant, the larger offset
        let fitting = candidates.iter().rev().find(|&&off| region_offset(tz, secs.saturating_sub(off)) == off);
        let offset = match fitting {
            Some(off) => *off,
            // a gap: the time moves forward by the gap, i.e. the offset before it
            None => candidates[0],
        };
        local.saturating_sub(offset * MICROS)
    }
}

/// The offset (seconds) of a region at an instant (seconds).
fn region_offset(tz: Tz, secs: i64) -> i64 {
    let secs = secs.clamp(MIN_SECONDS, MAX_SECONDS);
    if secs >= END_OF_DATA && observes_dst_at_end(tz) {
        return table_offset(tz, same_calendar_before_end(secs));
    }
    table_offset(tz, secs)
}

fn table_offset(tz: Tz, secs: i64) -> i64 {
    match DateTime::from_timestamp(secs, 0) {
        Some(dt) => tz.offset_from_utc_datetime(&dt.naive_utc()).fix().local_minus_utc() as i64,
        None => 0,
    }
}

/// `chrono-tz` lists transitions up to 2037 (2038-01-01 00:00 UTC here);
/// Java keeps applying a zone's last rules (such as "second Sunday of
/// March") forever.
const END_OF_DATA: i64 = 2_145_916_800;
const LAST_DATA_YEAR: i64 = 2037;

/// Whether the zone still switches between standard and daylight time in
/// the last year of the data (mid-January and mid-July differ).
fn observes_dst_at_end(tz: Tz) -> bool {
    table_offset(tz, 2_115_590_400) != table_offset(tz, 2_131_228_800)
}

/// The same UTC month, day and time in the latest year of the data with the
/// same calendar (leap year and weekday of January 1st): yearly rules put
/// their transitions on the same days of such years. 28 consecutive years
/// hold every calendar.
fn same_calendar_before_end(secs: i64) -> i64 {
    use crate::temporal::{civil_from_days, days_from_civil, is_leap};
    let days = secs.div_euclid(86_400);
    let time = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let weekday = |y: i64| days_from_civil(y, 1, 1).rem_euclid(7);
    let target = (LAST_DATA_YEAR - 27..=LAST_DATA_YEAR)
        .rev()
        .find(|&c| is_leap(c) == is_leap(y) && weekday(c) == weekday(y))
        .unwrap_or(LAST_DATA_YEAR);
    days_from_civil(target, m, d) * 86_400 + time
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, mi: u32) -> i64 {
        chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, mi, 0).unwrap().and_utc().timestamp() * MICROS
    }

    #[test]
    fn ids() {
        assert_eq!(parse_offset("+08:00"), Some(8 * 3600));
        assert_eq!(parse_offset("-0530"), Some(-(5 * 3600 + 30 * 60)));
        assert_eq!(parse_offset("+8"), Some(8 * 3600));
        assert_eq!(parse_offset("+1:00"), Some(3600));
        assert_eq!(parse_offset("-13:33:33"), Some(-(13 * 3600 + 33 * 60 + 33)));
        assert_eq!(parse_offset("+19"), None);
        assert_eq!(parse_offset("+18:01"), None);
        assert!(TimeZone::parse("UTC").unwrap().is_utc());
        assert!(TimeZone::parse("Z").unwrap().is_utc());
        assert_eq!(TimeZone::parse("GMT+1").unwrap().offset_at(0), 3600 * MICROS);
        assert_eq!(TimeZone::parse("UTC-03:00").unwrap().offset_at(0), -3 * 3600 * MICROS);
        assert_eq!(TimeZone::parse("EST").unwrap().offset_at(0), -5 * 3600 * MICROS);
        assert_eq!(TimeZone::parse("JST").unwrap().offset_at(0), 9 * 3600 * MICROS);
        assert_eq!(TimeZone::parse("PST").unwrap().name(), "PST");
        for bad in ["Mars/Olympus", "../etc/passwd", "america/los_angeles", "", "+", "GMT+", "UTC+25"] {
            let e = TimeZone::parse(bad).unwrap_err();
            assert_eq!(e.error_class(), Some("INVALID_TIMEZONE"), "{bad}");
        }
    }

    #[test]
    fn region_rules() {
        let la = TimeZone::parse("America/Los_Angeles").unwrap();
        // July is PDT (-7h), January PST (-8h)
        assert_eq!(la.offset_at(at(2021, 7, 11, 6, 30)), -7 * 3600 * MICROS);
        assert_eq!(la.offset_at(at(2021, 1, 11, 6, 30)), -8 * 3600 * MICROS);
        // rules continue past 2037, as in Java: 2100-03-14 is the second
        // Sunday of March, 2100-11-07 the first of November
        assert_eq!(la.offset_at(at(2100, 7, 1, 0, 0)), -7 * 3600 * MICROS);
        assert_eq!(la.offset_at(at(2100, 1, 1, 0, 0)), -8 * 3600 * MICROS);
        assert_eq!(la.offset_at(at(2100, 3, 14, 9, 59)), -8 * 3600 * MICROS);
        assert_eq!(la.offset_at(at(2100, 3, 14, 10, 0)), -7 * 3600 * MICROS);
        assert_eq!(la.offset_at(at(2100, 11, 7, 8, 59)), -7 * 3600 * MICROS);
        assert_eq!(la.offset_at(at(2100, 11, 7, 9, 0)), -8 * 3600 * MICROS);
        // zones without daylight time keep their offset
        assert_eq!(TimeZone::parse("Asia/Tokyo").unwrap().offset_at(at(2500, 7, 1, 0, 0)), 9 * 3600 * MICROS);
        // local mean time before 1883: -7:52:58
        assert_eq!(la.offset_at(at(1800, 1, 1, 0, 0)), -(7 * 3600 + 52 * 60 + 58) * MICROS);
        assert_eq!(la.to_instant(at(2021, 7, 11, 6, 30)), at(2021, 7, 11, 13, 30));
        assert_eq!(la.to_local(at(2021, 7, 11, 13, 30)), at(2021, 7, 11, 6, 30));
        // the gap: 2021-03-14 02:30 does not exist and becomes 03:30 PDT
        assert_eq!(la.to_instant(at(2021, 3, 14, 2, 30)), at(2021, 3, 14, 10, 30));
        // the overlap: 2021-11-07 01:30 happens twice, the earlier is PDT
        assert_eq!(la.to_instant(at(2021, 11, 7, 1, 30)), at(2021, 11, 7, 8, 30));
        // the ends of the range saturate instead of overflowing
        assert_eq!(la.to_local(i64::MIN), i64::MIN);
        assert_eq!(la.to_instant(i64::MAX), i64::MAX);
    }
}
