//! Time zones by Spark's rules (`DateTimeUtils.getZoneId`): `UTC`/`Z`/`GMT`,
//! offsets (`+08:00`, `-0530`, `GMT+8`, `UTC-03:00`), Java's short IDs
//! (`PST`, `CET`, `JST`, ...) and IANA region names.
//!
//! Region rules come from the system's compiled tz database
//! (`/usr/share/zoneinfo`, TZif v2+ 64-bit data) until a bundled database
//! (the `chrono-tz` crate) is a workspace dependency. Instants after the
//! file's last transition (2037 in "fat" files) keep the last offset: the
//! POSIX rule in the file's footer is not applied.
//!
//! Local-to-UTC follows `ZonedDateTime.of`: in an overlap the earlier
//! offset wins, in a gap the local time moves forward by the gap.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use ember_core::{Error, Result};

use crate::errors::spark_error;

const MICROS: i64 = 1_000_000;

#[derive(Debug, Clone)]
pub(crate) enum Zone {
    /// seconds east of UTC
    Fixed(i64),
    Rules(Arc<Rules>),
}

/// Transitions (UTC seconds) and the offset (seconds) in force from each;
/// `initial` applies before the first.
#[derive(Debug)]
pub(crate) struct Rules {
    transitions: Vec<i64>,
    offsets: Vec<i64>,
    initial: i64,
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

fn invalid_zone(name: &str) -> Error {
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

/// `(+|-)h[h][[:]mm[[:]ss]]` in seconds.
fn parse_offset(s: &str) -> Option<i64> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
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
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty() || p.len() > 2) {
        return None;
    }
    let nums: Vec<i64> = parts.iter().map(|p| p.parse::<i64>().ok()).collect::<Option<_>>()?;
    let (h, m, sec) = (nums[0], *nums.get(1).unwrap_or(&0), *nums.get(2).unwrap_or(&0));
    if h > 18 || m > 59 || sec > 59 || (h == 18 && (m > 0 || sec > 0)) {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + sec))
}

impl Zone {
    pub(crate) fn parse(name: &str) -> Result<Zone> {
        static CACHE: OnceLock<Mutex<HashMap<String, Zone>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        if let Ok(map) = cache.lock() {
            if let Some(z) = map.get(name) {
                return Ok(z.clone());
            }
        }
        let zone = Zone::resolve(name).ok_or_else(|| invalid_zone(name))?;
        if let Ok(mut map) = cache.lock() {
            map.insert(name.to_string(), zone.clone());
        }
        Ok(zone)
    }

    fn resolve(name: &str) -> Option<Zone> {
        let name = SHORT_IDS.iter().find(|(k, _)| *k == name).map_or(name, |(_, v)| v);
        if matches!(name, "Z" | "UTC" | "GMT" | "UT") {
            return Some(Zone::Fixed(0));
        }
        if let Some(off) = parse_offset(name) {
            return Some(Zone::Fixed(off));
        }
        for prefix in ["UTC", "GMT", "UT"] {
            if let Some(rest) = name.strip_prefix(prefix) {
                if rest.starts_with(['+', '-']) {
                    return parse_offset(rest).map(Zone::Fixed);
                }
            }
        }
        let valid = !name.is_empty()
            && !name.contains("..")
            && !name.starts_with('/')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
        if !valid {
            return None;
        }
        let data = std::fs::read(format!("/usr/share/zoneinfo/{name}")).ok()?;
        parse_tzif(&data).map(|r| Zone::Rules(Arc::new(r)))
    }

    /// The offset (microseconds) in force at a UTC instant.
    pub(crate) fn offset_micros_at_utc(&self, utc_micros: i64) -> i64 {
        match self {
            Zone::Fixed(s) => s * MICROS,
            Zone::Rules(r) => r.offset_at(utc_micros.div_euclid(MICROS)) * MICROS,
        }
    }

    /// The UTC instant of a local wall-clock time.
    pub(crate) fn local_to_utc(&self, local_micros: i64) -> i64 {
        match self {
            Zone::Fixed(s) => local_micros - s * MICROS,
            Zone::Rules(r) => {
                let local = local_micros.div_euclid(MICROS);
                // the offsets just before and after the nearest transitions
                let candidates = r.offsets_near(local);
                let mut valid: Vec<i64> =
                    candidates.iter().copied().filter(|off| r.offset_at(local - off) == *off).collect();
                valid.sort_unstable();
                valid.dedup();
                match valid.as_slice() {
                    // overlap: Java keeps the earlier offset, the larger one
                    [.., last] if valid.len() > 1 => local_micros - last * MICROS,
                    [only] => local_micros - only * MICROS,
                    _ => {
                        // gap: shift forward by the gap (the offset before it)
                        let before = candidates.iter().copied().min().unwrap_or(0);
                        local_micros - before * MICROS
                    }
                }
            }
        }
    }
}

impl Rules {
    fn offset_at(&self, utc: i64) -> i64 {
        match self.transitions.partition_point(|t| *t <= utc) {
            0 => self.initial,
            k => self.offsets[k - 1],
        }
    }

    /// Offsets in force around the local second `local` (a day either side
    /// covers every real transition).
    fn offsets_near(&self, local: i64) -> Vec<i64> {
        let mut v = vec![self.offset_at(local - 86_400), self.offset_at(local + 86_400), self.offset_at(local)];
        v.dedup();
        v
    }
}

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Reads a TZif file (the 64-bit block of v2+, else v1).
fn parse_tzif(b: &[u8]) -> Option<Rules> {
    if b.get(..4)? != b"TZif" {
        return None;
    }
    let counts = |at: usize| -> Option<[usize; 6]> {
        let mut c = [0usize; 6];
        for (k, slot) in c.iter_mut().enumerate() {
            *slot = be_u32(b, at + 20 + k * 4)? as usize;
        }
        Some(c)
    };
    let [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(0)?;
    let v1_len = timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
    let (start, time_size, [_, _, _, timecnt, typecnt, _]) = if b[4] >= b'2' {
        let h2 = 44 + v1_len;
        (h2 + 44, 8, counts(h2)?)
    } else {
        (44, 4, [isut, isstd, leap, timecnt, typecnt, charcnt])
    };
    let mut transitions = Vec::with_capacity(timecnt);
    for k in 0..timecnt {
        let at = start + k * time_size;
        let t = if time_size == 8 {
            i64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?)
        } else {
            be_u32(b, at)? as i32 as i64
        };
        transitions.push(t);
    }
    let idx_at = start + timecnt * time_size;
    let types_at = idx_at + timecnt;
    let offset_of = |k: usize| -> Option<i64> { Some(be_u32(b, types_at + k * 6)? as i32 as i64) };
    let mut offsets = Vec::with_capacity(timecnt);
    for k in 0..timecnt {
        offsets.push(offset_of(*b.get(idx_at + k)? as usize)?);
    }
    if typecnt == 0 {
        return None;
    }
    // before the first transition: the first non-DST type (RFC 8536)
    let initial =
        (0..typecnt).find(|k| b.get(types_at + k * 6 + 4) == Some(&0)).and_then(offset_of).or_else(|| offset_of(0))?;
    Some(Rules { transitions, offsets, initial })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_fixed_zones() {
        assert_eq!(parse_offset("+08:00"), Some(8 * 3600));
        assert_eq!(parse_offset("-0530"), Some(-(5 * 3600 + 30 * 60)));
        assert_eq!(parse_offset("+8"), Some(8 * 3600));
        assert_eq!(parse_offset("+19"), None);
        assert!(matches!(Zone::parse("UTC").unwrap(), Zone::Fixed(0)));
        assert!(matches!(Zone::parse("GMT+1").unwrap(), Zone::Fixed(3600)));
        assert!(matches!(Zone::parse("EST").unwrap(), Zone::Fixed(-18000)));
        assert!(Zone::parse("Mars/Olympus").is_err());
        assert!(Zone::parse("../etc/passwd").is_err());
    }

    #[test]
    fn region_rules_when_installed() {
        let Ok(z) = Zone::parse("America/Los_Angeles") else { return };
        // 2021-07-11 06:30 UTC is PDT (-7h); 2021-01-11 is PST (-8h)
        assert_eq!(z.offset_micros_at_utc(1_625_985_000 * MICROS), -7 * 3600 * MICROS);
        assert_eq!(z.offset_micros_at_utc(1_610_346_600 * MICROS), -8 * 3600 * MICROS);
        // local 2021-07-11 06:30 -> 13:30 UTC
        let local = 1_625_985_000 * MICROS;
        assert_eq!(z.local_to_utc(local), local + 7 * 3600 * MICROS);
        // the gap 2021-03-14 02:30 moves to 03:30 PDT = 10:30 UTC
        let gap = 1_615_689_000 * MICROS; // 2021-03-14 02:30 as local
        assert_eq!(z.local_to_utc(gap), gap + 8 * 3600 * MICROS);
    }
}
