//! Date and time functions on Spark's encodings (Date32 days, microsecond
//! timestamps). A TIMESTAMP is an instant: its fields, truncation and
//! calendar arithmetic are those of its wall-clock time in the session zone
//! (`Ctx::tz`), and wall-clock results go back to instants through the same
//! zone. A TIMESTAMP_NTZ is a wall-clock time already (Spark uses UTC for
//! it). Field extraction and calendar arithmetic use the civil-date
//! conversions of `crate::temporal`.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Date32Array, Float64Array, Int32Array, Int64Array, PrimitiveArray};
use arrow::datatypes::*;
use chrono::{DateTime, Datelike, NaiveDate};
use ember_core::{Error, EvalMode, Result};

use super::args::{build_prim, build_strings, Days, I64s, Micros, Prim, Strs};
use super::datetime_format::SparkPattern;
use super::Ctx;
use crate::errors::{arithmetic_overflow, spark_error};
use crate::temporal::{
    add_months, civil_from_days, days_from_civil, days_in_month, make_date, parse_date, parse_timestamp_in,
    parse_timestamp_ntz, timestamp_add_months, MICROS_PER_DAY, MICROS_PER_SECOND,
};
use crate::tz::TimeZone;

pub(super) fn eval(c: &Ctx) -> Option<Result<ArrayRef>> {
    Some(match c.name {
        "year" => date_field(c, |d| civil_from_days(d as i64).0 as i32),
        "month" => date_field(c, |d| civil_from_days(d as i64).1 as i32),
        "day" | "dayofmonth" => date_field(c, |d| civil_from_days(d as i64).2 as i32),
        "quarter" => date_field(c, |d| (civil_from_days(d as i64).1 as i32 - 1) / 3 + 1),
        "dayofweek" => date_field(c, |d| (d as i64 + 4).rem_euclid(7) as i32 + 1),
        "weekday" => date_field(c, |d| (d as i64 + 3).rem_euclid(7) as i32),
        "dayofyear" => date_field(c, |d| {
            let (y, _, _) = civil_from_days(d as i64);
            (d as i64 - days_from_civil(y, 1, 1) + 1) as i32
        }),
        "weekofyear" => date_field(c, |d| to_naive(d).map_or(0, |n| n.iso_week().week() as i32)),
        "hour" => time_field(c, |us| (us.rem_euclid(MICROS_PER_DAY) / 3_600_000_000) as i32),
        "minute" => time_field(c, |us| (us.rem_euclid(3_600_000_000) / 60_000_000) as i32),
        "second" => time_field(c, |us| (us.rem_euclid(60_000_000) / MICROS_PER_SECOND) as i32),
        "date_add" | "dateadd" => shift_days(c, 1),
        "date_sub" => shift_days(c, -1),
        "datediff" | "date_diff" => datediff(c),
        "add_months" => add_months_fn(c),
        "months_between" => months_between(c),
        "last_day" => date_map(c, |d| {
            let (y, m, _) = civil_from_days(d as i64);
            make_date(y, m, days_in_month(y, m))
        }),
        "next_day" => next_day(c),
        "to_date" => to_date(c),
        "to_timestamp" => to_timestamp(c),
        "date_format" => date_format(c),
        "date_trunc" => date_trunc(c),
        "trunc" => trunc(c),
        "make_date" => make_date_fn(c),
        "current_date" | "curdate" => {
            let today = (c.tz.to_local(now_micros()).div_euclid(MICROS_PER_DAY)) as i32;
            Ok(Arc::new(Date32Array::from(vec![today; c.n])) as ArrayRef)
        }
        "current_timestamp" | "now" => {
            let out = PrimitiveArray::<TimestampMicrosecondType>::from(vec![now_micros(); c.n]);
            Ok(with_tz(out, c.return_type))
        }
        "unix_timestamp" | "to_unix_timestamp" => unix_timestamp(c),
        "from_unixtime" => from_unixtime(c),
        "date_add_interval" => date_add_interval(c),
        _ => return None,
    })
}

fn now_micros() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}

fn to_naive(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(719_163)?)
}

fn with_tz(a: PrimitiveArray<TimestampMicrosecondType>, rt: &DataType) -> ArrayRef {
    let tz = match rt {
        DataType::Timestamp(_, tz) => tz.clone(),
        _ => Some(ember_core::types::SESSION_TZ.into()),
    };
    Arc::new(a.with_timezone_opt(tz))
}

/// A date argument; timestamps and strings are cast to dates first (a
/// TIMESTAMP's date in the session zone).
fn days(c: &Ctx, i: usize) -> Result<Days> {
    let v = c.arg(i)?;
    match v.data_type() {
        DataType::Date32 | DataType::Null => Days::new(v),
        _ => {
            let a = crate::cast::cast_in_zone(&v.clone().into_array(c.n), &DataType::Date32, c.mode, c.tz)?;
            Days::new(&crate::ColumnarValue::Array(a))
        }
    }
}

/// A timestamp argument as stored (instants for TIMESTAMP, wall-clock
/// times for TIMESTAMP_NTZ); dates and strings are cast to TIMESTAMP first.
pub(crate) fn micros(c: &Ctx, i: usize) -> Result<Micros> {
    let v = c.arg(i)?;
    match v.data_type() {
        DataType::Timestamp(_, _) | DataType::Null => Micros::new(v),
        _ => {
            let a = crate::cast::cast_in_zone(
                &v.clone().into_array(c.n),
                &ember_core::types::timestamp_type(),
                c.mode,
                c.tz,
            )?;
            Micros::new(&crate::ColumnarValue::Array(a))
        }
    }
}

/// The zone that reads a timestamp of type `t`: the session zone for
/// TIMESTAMP, UTC (no shift) for TIMESTAMP_NTZ.
pub(crate) fn zone_of<'a>(c: &Ctx<'a>, t: &DataType) -> &'a TimeZone {
    match t {
        DataType::Timestamp(_, None) => crate::tz::utc(),
        _ => c.tz,
    }
}

/// A timestamp argument as wall-clock microseconds: TIMESTAMP in the
/// session zone, TIMESTAMP_NTZ as it is, dates at midnight, strings cast to
/// TIMESTAMP first.
pub(crate) fn local_micros(c: &Ctx, i: usize) -> Result<Micros> {
    let v = c.arg(i)?;
    let t = v.data_type();
    match t {
        DataType::Date32 => {
            let d = Days::new(v)?;
            Ok(Prim::Col(build_prim(c.n, |i| Ok(d.get(i).map(|d| d as i64 * MICROS_PER_DAY)))?))
        }
        DataType::Timestamp(_, None) | DataType::Null => Micros::new(v),
        _ => {
            let zone = zone_of(c, &t);
            let instants = micros(c, i)?;
            if zone.is_utc() {
                return Ok(instants);
            }
            Ok(match instants {
                Prim::Col(a) => Prim::Col(a.unary(|us| zone.to_local(us))),
                Prim::Const(v) => Prim::Const(v.map(|us| zone.to_local(us))),
            })
        }
    }
}

/// The instant of a wall-clock time computed from `instant` (truncated,
/// moved by calendar units): like `ZonedDateTime`, the offset of `instant`
/// is kept where the wall-clock time has it (an overlap), else the zone's
/// rule decides.
pub(crate) fn reinstant(zone: &TimeZone, instant: i64, local: i64) -> i64 {
    let offset = zone.offset_at(instant);
    let candidate = local.saturating_sub(offset);
    if zone.offset_at(candidate) == offset {
        candidate
    } else {
        zone.to_instant(local)
    }
}

fn date_field(c: &Ctx, f: impl Fn(i32) -> i32) -> Result<ArrayRef> {
    let d = days(c, 0)?;
    let out: Int32Array = match &d {
        Prim::Col(a) => a.unary(f),
        Prim::Const(_) => build_prim(c.n, |i| Ok(d.get(i).map(&f)))?,
    };
    Ok(Arc::new(out))
}

fn time_field(c: &Ctx, f: impl Fn(i64) -> i32) -> Result<ArrayRef> {
    let t = local_micros(c, 0)?;
    let out: Int32Array = build_prim(c.n, |i| Ok(t.get(i).map(&f)))?;
    Ok(Arc::new(out))
}

fn date_map(c: &Ctx, f: impl Fn(i32) -> Option<i32>) -> Result<ArrayRef> {
    let d = days(c, 0)?;
    let out: Date32Array = build_prim(c.n, |i| Ok(d.get(i).and_then(&f)))?;
    Ok(Arc::new(out))
}

fn shift_days(c: &Ctx, sign: i64) -> Result<ArrayRef> {
    let d = days(c, 0)?;
    let n = I64s::new(c.arg(1)?)?;
    let out: Date32Array = build_prim(c.n, |i| {
        Ok(match (d.get(i), n.get(i)) {
            // Spark adds ints without an overflow check
            (Some(d), Some(k)) => Some(d.wrapping_add((k as i32).wrapping_mul(sign as i32))),
            _ => None,
        })
    })?;
    Ok(Arc::new(out))
}

fn datediff(c: &Ctx) -> Result<ArrayRef> {
    let end = days(c, 0)?;
    let start = days(c, 1)?;
    let out: Int32Array = build_prim(c.n, |i| {
        Ok(match (end.get(i), start.get(i)) {
            (Some(e), Some(s)) => Some(e.wrapping_sub(s)),
            _ => None,
        })
    })?;
    Ok(Arc::new(out))
}

fn add_months_fn(c: &Ctx) -> Result<ArrayRef> {
    let d = days(c, 0)?;
    let m = I64s::new(c.arg(1)?)?;
    let out: Date32Array = build_prim(c.n, |i| {
        Ok(match (d.get(i), m.get(i)) {
            (Some(d), Some(m)) => add_months(d, m as i32),
            _ => None,
        })
    })?;
    Ok(Arc::new(out))
}

/// Spark's `DateTimeUtils.monthsBetween`.
pub(crate) fn months_between_micros(t1: i64, t2: i64, round_off: bool) -> f64 {
    let d1 = t1.div_euclid(MICROS_PER_DAY);
    let d2 = t2.div_euclid(MICROS_PER_DAY);
    let (y1, m1, day1) = civil_from_days(d1);
    let (y2, m2, day2) = civil_from_days(d2);
    let month_diff = ((y1 * 12 + m1 as i64) - (y2 * 12 + m2 as i64)) as f64;
    let last1 = days_in_month(y1, m1);
    let last2 = days_in_month(y2, m2);
    if day1 == day2 || (day1 == last1 && day2 == last2) {
        return month_diff;
    }
    let secs1 = (t1 - d1 * MICROS_PER_DAY) / MICROS_PER_SECOND;
    let secs2 = (t2 - d2 * MICROS_PER_DAY) / MICROS_PER_SECOND;
    let secs_diff = (day1 as i64 - day2 as i64) * 86_400 + secs1 - secs2;
    let diff = month_diff + secs_diff as f64 / (31.0 * 86_400.0);
    if round_off {
        // Java's Math.round: floor(x + 0.5)
        (diff * 1e8 + 0.5).floor() / 1e8
    } else {
        diff
    }
}

fn months_between(c: &Ctx) -> Result<ArrayRef> {
    let a = local_micros(c, 0)?;
    let b = local_micros(c, 1)?;
    let round = match c.args.get(2) {
        Some(r) => Some(Prim::<Int8Type>::new(&crate::ColumnarValue::Array(crate::cast::cast(
            &r.clone().into_array(c.n),
            &DataType::Int8,
            EvalMode::Legacy,
        )?))?),
        None => None,
    };
    let out: Float64Array = build_prim(c.n, |i| {
        let r = match &round {
            Some(r) => match r.get(i) {
                Some(v) => v != 0,
                None => return Ok(None),
            },
            None => true,
        };
        Ok(match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => Some(months_between_micros(x, y, r)),
            _ => None,
        })
    })?;
    Ok(Arc::new(out))
}

fn day_of_week_index(name: &str) -> Option<i64> {
    // 0 = Sunday, matching (days + 4) mod 7
    Some(match name.trim().to_ascii_uppercase().as_str() {
        "SU" | "SUN" | "SUNDAY" => 0,
        "MO" | "MON" | "MONDAY" => 1,
        "TU" | "TUE" | "TUESDAY" => 2,
        "WE" | "WED" | "WEDNESDAY" => 3,
        "TH" | "THU" | "THURSDAY" => 4,
        "FR" | "FRI" | "FRIDAY" => 5,
        "SA" | "SAT" | "SATURDAY" => 6,
        _ => return None,
    })
}

fn next_day(c: &Ctx) -> Result<ArrayRef> {
    let d = days(c, 0)?;
    let name = Strs::new(c.arg(1)?)?;
    let out: Date32Array = build_prim(c.n, |i| {
        let (Some(d), Some(nm)) = (d.get(i), name.get(i)) else {
            return Ok(None);
        };
        let Some(target) = day_of_week_index(nm) else {
            if c.mode == EvalMode::Ansi {
                return Err(spark_error(
                    "ILLEGAL_DAY_OF_WEEK",
                    "22009",
                    "Illegal input for day of week: <string>.",
                    &[("string", nm.to_string())],
                ));
            }
            return Ok(None);
        };
        let cur = (d as i64 + 4).rem_euclid(7);
        let delta = (target - cur - 1).rem_euclid(7) + 1;
        Ok(Some((d as i64 + delta) as i32))
    })?;
    Ok(Arc::new(out))
}

fn cannot_parse(s: &str, function: &str) -> Error {
    spark_error(
        "CANNOT_PARSE_TIMESTAMP",
        "22007",
        "<message>. Use <func> to tolerate invalid input string and return NULL instead.",
        &[("message", format!("Text '{s}' could not be parsed")), ("func", format!("`try_{function}`"))],
    )
}

fn pattern_arg(c: &Ctx, i: usize) -> Result<Option<Strs>> {
    match c.args.get(i) {
        Some(p) => Ok(Some(Strs::new(p)?)),
        None => Ok(None),
    }
}

/// Parses with a per-row pattern, compiling each distinct pattern once.
struct PatternCache {
    last: Option<(String, SparkPattern)>,
}

impl PatternCache {
    fn get(&mut self, p: &str) -> Result<&SparkPattern> {
        if self.last.as_ref().is_none_or(|(q, _)| q != p) {
            self.last = Some((p.to_string(), SparkPattern::new(p)?));
        }
        self.last.as_ref().map(|(_, x)| x).ok_or_else(|| Error::internal("pattern cache empty"))
    }
}

/// Parses the string argument 0 with the pattern argument 1 (Spark's cast
/// rules without one): `instant` gives TIMESTAMP instants (the text's zone,
/// else the session zone), otherwise wall-clock times.
fn parse_with(c: &Ctx, function: &str, instant: bool) -> Result<PrimitiveArray<Int64Type>> {
    let s = Strs::new(c.arg(0)?)?;
    let fmt = pattern_arg(c, 1)?;
    let mut cache = PatternCache { last: None };
    build_prim(c.n, |i| {
        let Some(text) = s.get(i) else {
            return Ok(None);
        };
        let parsed = match &fmt {
            None if instant => parse_timestamp_in(text, c.tz),
            None => parse_timestamp_ntz(text),
            Some(f) => {
                let Some(f) = f.get(i) else { return Ok(None) };
                let local = cache.get(f)?.parse(text).map(|dt| dt.and_utc().timestamp_micros());
                if instant {
                    local.map(|l| c.tz.to_instant(l))
                } else {
                    local
                }
            }
        };
        match parsed {
            Some(v) => Ok(Some(v)),
            None if c.mode == EvalMode::Ansi => Err(if fmt.is_none() {
                let target = if function == "to_date" { "DATE" } else { "TIMESTAMP" };
                Error::cast_invalid_input(text, "STRING", target)
            } else {
                cannot_parse(text, function)
            }),
            None => Ok(None),
        }
    })
}

fn to_date(c: &Ctx) -> Result<ArrayRef> {
    if c.args.len() == 1 && !matches!(c.arg(0)?.data_type(), DataType::Utf8) {
        let a = c.arg(0)?.clone().into_array(c.n);
        return crate::cast::cast_in_zone(&a, &DataType::Date32, c.mode, c.tz);
    }
    if c.args.len() == 1 {
        let s = Strs::new(c.arg(0)?)?;
        let out: Date32Array = build_prim(c.n, |i| {
            let Some(text) = s.get(i) else {
                return Ok(None);
            };
            match parse_date(text) {
                Some(d) => Ok(Some(d)),
                None if c.mode == EvalMode::Ansi => Err(Error::cast_invalid_input(text, "STRING", "DATE")),
                None => Ok(None),
            }
        })?;
        return Ok(Arc::new(out));
    }
    let ts = parse_with(c, "to_date", false)?;
    let out: Date32Array = ts.unary(|local| local.div_euclid(MICROS_PER_DAY) as i32);
    Ok(Arc::new(out))
}

fn to_timestamp(c: &Ctx) -> Result<ArrayRef> {
    if !matches!(c.arg(0)?.data_type(), DataType::Utf8) {
        let a = c.arg(0)?.clone().into_array(c.n);
        return crate::cast::cast_in_zone(&a, c.return_type, c.mode, c.tz);
    }
    let ntz = matches!(c.return_type, DataType::Timestamp(_, None));
    let ts = parse_with(c, "to_timestamp", !ntz)?;
    let out = PrimitiveArray::<TimestampMicrosecondType>::new(ts.values().clone(), ts.nulls().cloned());
    Ok(with_tz(out, c.return_type))
}

/// Formats wall-clock times with per-row patterns.
fn format_micros(c: &Ctx, t: &Micros, fmt: Option<&Strs>, default: &str) -> Result<ArrayRef> {
    let mut cache = PatternCache { last: None };
    build_strings(c.n, |i, buf| {
        let Some(us) = t.get(i) else { return Ok(false) };
        let f = match fmt {
            Some(f) => match f.get(i) {
                Some(f) => f,
                None => return Ok(false),
            },
            None => default,
        };
        let secs = us.div_euclid(MICROS_PER_SECOND);
        let nanos = (us.rem_euclid(MICROS_PER_SECOND) * 1000) as u32;
        let Some(dt) = DateTime::from_timestamp(secs, nanos) else {
            return Ok(false);
        };
        cache.get(f)?.format(&dt.naive_utc(), buf);
        Ok(true)
    })
}

fn date_format(c: &Ctx) -> Result<ArrayRef> {
    let t = local_micros(c, 0)?;
    let fmt = Strs::new(c.arg(1)?)?;
    format_micros(c, &t, Some(&fmt), "")
}

fn from_unixtime(c: &Ctx) -> Result<ArrayRef> {
    let secs = I64s::new(c.arg(0)?)?;
    let t: Micros = Prim::Col(build_prim::<Int64Type>(c.n, |i| {
        Ok(secs.get(i).and_then(|s| s.checked_mul(MICROS_PER_SECOND)).map(|us| c.tz.to_local(us)))
    })?);
    let fmt = pattern_arg(c, 1)?;
    format_micros(c, &t, fmt.as_ref(), "yyyy-MM-dd HH:mm:ss")
}

fn unix_timestamp(c: &Ctx) -> Result<ArrayRef> {
    if c.args.is_empty() {
        return Ok(Arc::new(Int64Array::from(vec![now_micros().div_euclid(MICROS_PER_SECOND); c.n])));
    }
    let t = if matches!(c.arg(0)?.data_type(), DataType::Utf8) {
        Prim::Col(parse_with(c, "to_unix_timestamp", true)?)
    } else {
        micros(c, 0)?
    };
    let out: Int64Array = build_prim(c.n, |i| Ok(t.get(i).map(|us| us.div_euclid(MICROS_PER_SECOND))))?;
    Ok(Arc::new(out))
}

/// Truncates a timestamp to a unit (Spark's `truncTimestamp`); `None` for
/// an unknown unit. Offsets are whole seconds, so units up to SECOND cut
/// the instant; longer ones cut the wall-clock time in `zone`.
fn trunc_micros(us: i64, unit: &str, zone: &TimeZone) -> Option<i64> {
    let unit = unit.trim().to_ascii_uppercase();
    let cut = |v: i64, step: i64| v - v.rem_euclid(step);
    match unit.as_str() {
        "MICROSECOND" => return Some(us),
        "MILLISECOND" => return Some(cut(us, 1000)),
        "SECOND" => return Some(cut(us, MICROS_PER_SECOND)),
        _ => {}
    }
    let local = zone.to_local(us);
    let truncated = match unit.as_str() {
        "MINUTE" => cut(local, 60 * MICROS_PER_SECOND),
        "HOUR" => cut(local, 3600 * MICROS_PER_SECOND),
        "DAY" | "DD" => cut(local, MICROS_PER_DAY),
        _ => trunc_days(i32::try_from(local.div_euclid(MICROS_PER_DAY)).ok()?, &unit)? as i64 * MICROS_PER_DAY,
    };
    Some(reinstant(zone, us, truncated))
}

/// Truncates a date to YEAR, QUARTER, MONTH or WEEK (Monday).
fn trunc_days(d: i32, unit: &str) -> Option<i32> {
    let (y, m, _) = civil_from_days(d as i64);
    match unit.trim().to_ascii_uppercase().as_str() {
        "YEAR" | "YYYY" | "YY" => make_date(y, 1, 1),
        "QUARTER" => make_date(y, (m - 1) / 3 * 3 + 1, 1),
        "MONTH" | "MM" | "MON" => make_date(y, m, 1),
        "WEEK" => Some(d - (d as i64 + 3).rem_euclid(7) as i32),
        _ => None,
    }
}

fn date_trunc(c: &Ctx) -> Result<ArrayRef> {
    let unit = Strs::new(c.arg(0)?)?;
    let t = micros(c, 1)?;
    let zone = zone_of(c, c.return_type);
    let out: PrimitiveArray<TimestampMicrosecondType> = build_prim(c.n, |i| {
        Ok(match (unit.get(i), t.get(i)) {
            (Some(u), Some(us)) => trunc_micros(us, u, zone),
            _ => None,
        })
    })?;
    Ok(with_tz(out, c.return_type))
}

fn trunc(c: &Ctx) -> Result<ArrayRef> {
    let d = days(c, 0)?;
    let unit = Strs::new(c.arg(1)?)?;
    let out: Date32Array = build_prim(c.n, |i| {
        Ok(match (d.get(i), unit.get(i)) {
            (Some(d), Some(u)) => trunc_days(d, u),
            _ => None,
        })
    })?;
    Ok(Arc::new(out))
}

fn make_date_fn(c: &Ctx) -> Result<ArrayRef> {
    let y = I64s::new(c.arg(0)?)?;
    let m = I64s::new(c.arg(1)?)?;
    let d = I64s::new(c.arg(2)?)?;
    let out: Date32Array = build_prim(c.n, |i| {
        let (Some(y), Some(m), Some(d)) = (y.get(i), m.get(i), d.get(i)) else {
            return Ok(None);
        };
        let date = if (1..=12).contains(&m) && (1..=31).contains(&d) { make_date(y, m as u32, d as u32) } else { None };
        match date {
            Some(v) => Ok(Some(v)),
            None if c.mode == EvalMode::Ansi => Err(spark_error(
                "DATETIME_FIELD_OUT_OF_BOUNDS.WITH_SUGGESTION",
                "22023",
                "<rangeMessage>. If necessary set <ansiConfig> to \"false\" to bypass this error.",
                &[
                    ("rangeMessage", format!("Invalid date: year {y}, month {m}, day {d}")),
                    ("ansiConfig", "\"spark.sql.ansi.enabled\"".to_string()),
                ],
            )),
            None => Ok(None),
        }
    })?;
    Ok(Arc::new(out))
}

/// Spark's `timestampAddInterval` without its time part: months, then days
/// on the wall clock of `zone` (`ZonedDateTime.plusMonths(..).plusDays(..)`).
pub(crate) fn add_calendar(zone: &TimeZone, instant: i64, months: i32, days: i32) -> Option<i64> {
    if months == 0 && days == 0 {
        return Some(instant);
    }
    let local = zone.to_local(instant);
    let moved = timestamp_add_months(local, months)?.checked_add((days as i64).checked_mul(MICROS_PER_DAY)?)?;
    Some(reinstant(zone, instant, moved))
}

/// `date_or_timestamp + interval`; subtraction arrives as a negated interval.
fn date_add_interval(c: &Ctx) -> Result<ArrayRef> {
    let first = c.arg(0)?.data_type();
    let interval = c.arg(1)?;
    let it = interval.data_type();
    let overflow = |c: &Ctx| -> Result<Option<i64>> {
        if c.mode == EvalMode::Ansi {
            Err(arithmetic_overflow("long overflow", ""))
        } else {
            Ok(None)
        }
    };
    match first {
        DataType::Date32 => {
            let d = days(c, 0)?;
            let out: Date32Array = match it {
                DataType::Interval(IntervalUnit::YearMonth) => {
                    let m = Prim::<IntervalYearMonthType>::new(interval)?;
                    build_prim(c.n, |i| Ok(d.get(i).zip(m.get(i)).and_then(|(d, m)| add_months(d, m))))?
                }
                DataType::Duration(_) => {
                    let us = Prim::<DurationMicrosecondType>::new(interval)?;
                    build_prim(c.n, |i| {
                        Ok(d.get(i)
                            .zip(us.get(i))
                            .and_then(|(d, us)| i32::try_from(d as i64 + us.div_euclid(MICROS_PER_DAY)).ok()))
                    })?
                }
                DataType::Interval(IntervalUnit::MonthDayNano) => {
                    let iv = Prim::<IntervalMonthDayNanoType>::new(interval)?;
                    build_prim(c.n, |i| {
                        Ok(d.get(i).zip(iv.get(i)).and_then(|(d, iv)| {
                            let d = add_months(d, iv.months)? as i64 + iv.days as i64;
                            i32::try_from(d + (iv.nanoseconds / 1000).div_euclid(MICROS_PER_DAY)).ok()
                        }))
                    })?
                }
                DataType::Null => return Ok(arrow::array::new_null_array(&DataType::Date32, c.n)),
                other => return Err(Error::internal(format!("date_add_interval with {other}"))),
            };
            Ok(Arc::new(out))
        }
        DataType::Timestamp(_, _) => {
            let t = micros(c, 0)?;
            let zone = zone_of(c, &first);
            let out: PrimitiveArray<TimestampMicrosecondType> = match it {
                DataType::Interval(IntervalUnit::YearMonth) => {
                    let m = Prim::<IntervalYearMonthType>::new(interval)?;
                    build_prim(c.n, |i| match t.get(i).zip(m.get(i)) {
                        Some((t, m)) => match add_calendar(zone, t, m, 0) {
                            Some(v) => Ok(Some(v)),
                            None => overflow(c),
                        },
                        None => Ok(None),
                    })?
                }
                DataType::Duration(_) => {
                    let us = Prim::<DurationMicrosecondType>::new(interval)?;
                    build_prim(c.n, |i| match t.get(i).zip(us.get(i)) {
                        Some((t, us)) => match t.checked_add(us) {
                            Some(v) => Ok(Some(v)),
                            None => overflow(c),
                        },
                        None => Ok(None),
                    })?
                }
                DataType::Interval(IntervalUnit::MonthDayNano) => {
                    let iv = Prim::<IntervalMonthDayNanoType>::new(interval)?;
                    build_prim(c.n, |i| match t.get(i).zip(iv.get(i)) {
                        Some((t, iv)) => {
                            let v = add_calendar(zone, t, iv.months, iv.days)
                                .and_then(|v| v.checked_add(iv.nanoseconds / 1000));
                            match v {
                                Some(v) => Ok(Some(v)),
                                None => overflow(c),
                            }
                        }
                        None => Ok(None),
                    })?
                }
                DataType::Null => PrimitiveArray::new_null(c.n),
                other => return Err(Error::internal(format!("date_add_interval with {other}"))),
            };
            Ok(with_tz(out, &first))
        }
        DataType::Null => Ok(arrow::array::new_null_array(c.return_type, c.n)),
        other => Err(Error::internal(format!("date_add_interval on {other}"))),
    }
}
