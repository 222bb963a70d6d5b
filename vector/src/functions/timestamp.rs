//! More date/time functions: `make_timestamp` (and `_ntz` / `_ltz`),
//! `make_interval` / `make_dt_interval` / `make_ym_interval`, epoch
//! conversions (`unix_seconds` .. `unix_date`, `timestamp_seconds` ..
//! `date_from_unix_date`), `timestampadd` / `timestampdiff` with Java's
//! `ChronoUnit` rules, `monthname` / `dayname`, and the time-zone shifts
//! (`from_utc_timestamp`, `to_utc_timestamp`, `convert_timezone`) through
//! [`super::tz`].
//!
//! TIMESTAMP values are instants (UTC microseconds); wall-clock arithmetic
//! (`make_timestamp`, the calendar units of `timestampadd`, every unit of
//! `timestampdiff`) runs on their local date-times in the session zone, as
//! Spark's `DateTimeUtils` does with `ZonedDateTime`. `try_` variants arrive with `EvalMode::Try` and answer NULL
//! where Spark's ANSI mode raises.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, DurationMicrosecondArray, Int32Array, Int64Array, IntervalMonthDayNanoArray,
    IntervalYearMonthArray, PrimitiveArray,
};
use arrow::datatypes::*;
use ember_core::{Error, EvalMode, Result};

use super::args::{build_prim, build_strings, Days, I64s, Micros, Prim, Strs};
use super::datetime::{local_micros, zone_of};
use super::Ctx;
use crate::errors::{arithmetic_overflow, spark_error};
use crate::temporal::{civil_from_days, make_date, MICROS_PER_DAY, MICROS_PER_SECOND};
use crate::tz::TimeZone;

pub(super) fn eval(c: &Ctx) -> Option<Result<ArrayRef>> {
    Some(match c.name {
        "make_timestamp" | "make_timestamp_ntz" | "make_timestamp_ltz" => make_timestamp(c),
        "make_ym_interval" => make_ym_interval(c),
        "make_dt_interval" => make_dt_interval(c),
        "make_interval" => make_interval(c),
        "unix_seconds" => from_micros(c, |us| Some(us.div_euclid(MICROS_PER_SECOND))),
        "unix_millis" => from_micros(c, |us| Some(us.div_euclid(1000))),
        "unix_micros" => from_micros(c, Some),
        "unix_date" => unix_date(c),
        "timestamp_seconds" => timestamp_seconds(c),
        "timestamp_millis" => scaled_timestamp(c, 1000),
        "timestamp_micros" => scaled_timestamp(c, 1),
        "date_from_unix_date" => date_from_unix_date(c),
        "timestampadd" => timestamp_add(c),
        "timestampdiff" => timestamp_diff(c),
        "monthname" => {
            names(c, &["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], |d| {
                civil_from_days(d as i64).1 as usize - 1
            })
        }
        "dayname" => {
            names(c, &["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], |d| (d as i64 + 3).rem_euclid(7) as usize)
        }
        "from_utc_timestamp" => shift_zone(c, true),
        "to_utc_timestamp" => shift_zone(c, false),
        "convert_timezone" => convert_timezone(c),
        "current_timezone" => build_strings(c.n, |_, buf| {
            buf.push_str(c.tz.name());
            Ok(true)
        }),
        _ => return None,
    })
}

fn unix_date(c: &Ctx) -> Result<ArrayRef> {
    let d = Days::new(c.arg(0)?)?;
    let out: Int32Array = build_prim(c.n, |i| Ok(d.get(i)))?;
    Ok(Arc::new(out))
}

fn date_from_unix_date(c: &Ctx) -> Result<ArrayRef> {
    let d = Prim::<Int32Type>::new(c.arg(0)?)?;
    let out: Date32Array = build_prim(c.n, |i| Ok(d.get(i)))?;
    Ok(Arc::new(out))
}

fn ts_array(values: PrimitiveArray<Int64Type>, rt: &DataType) -> ArrayRef {
    let out = PrimitiveArray::<TimestampMicrosecondType>::new(values.values().clone(), values.nulls().cloned());
    match rt {
        DataType::Timestamp(_, tz) => Arc::new(out.with_timezone_opt(tz.clone())),
        _ => Arc::new(out),
    }
}

fn out_of_bounds(message: String) -> Error {
    spark_error(
        "DATETIME_FIELD_OUT_OF_BOUNDS.WITH_SUGGESTION",
        "22023",
        "<rangeMessage>. If necessary set <ansiConfig> to \"false\" to bypass this error.",
        &[("rangeMessage", message), ("ansiConfig", "\"spark.sql.ansi.enabled\"".to_string())],
    )
}

/// `make_timestamp(y, mo, d, h, mi, sec[, tz])` with `sec` a DECIMAL(16,6)
/// in `[0, 60]` (60 only without a fraction: the next minute), or
/// `make_timestamp(date)` at midnight.
fn make_timestamp(c: &Ctx) -> Result<ArrayRef> {
    let session = zone_of(c, c.return_type);
    if c.args.len() == 1 {
        let d = Days::new(c.arg(0)?)?;
        let out: PrimitiveArray<Int64Type> =
            build_prim(c.n, |i| Ok(d.get(i).map(|d| session.to_instant(d as i64 * MICROS_PER_DAY))))?;
        return Ok(ts_array(out, c.return_type));
    }
    let fields: Vec<I64s> = (0..5).map(|k| I64s::new(c.arg(k)?)).collect::<Result<_>>()?;
    let secs = Prim::<Decimal128Type>::new(c.arg(5)?)?;
    let sec_scale = match c.arg(5)?.data_type() {
        DataType::Decimal128(_, s) => s as u32,
        _ => 6,
    };
    let zones = c.args.get(6).map(Strs::new).transpose()?;
    let ntz = matches!(c.return_type, DataType::Timestamp(_, None));
    let out: PrimitiveArray<Int64Type> = build_prim(c.n, |i| {
        let mut f = [0i64; 5];
        for (k, a) in fields.iter().enumerate() {
            match a.get(i) {
                Some(v) => f[k] = v,
                None => return Ok(None),
            }
        }
        let Some(sec) = secs.get(i) else { return Ok(None) };
        let zone = match &zones {
            Some(z) => match z.get(i) {
                Some(z) => Some(z),
                None => return Ok(None),
            },
            None => None,
        };
        match make_timestamp_value(f, sec, sec_scale, zone, ntz, session) {
            Ok(v) => Ok(Some(v)),
            Err(_) if c.mode != EvalMode::Ansi => Ok(None),
            Err(e) => Err(e),
        }
    })?;
    Ok(ts_array(out, c.return_type))
}

/// The timestamp of the fields: a TIMESTAMP_NTZ wall clock (`ntz`), or the
/// instant of the wall clock in `zone` (when given) or `session`.
fn make_timestamp_value(
    f: [i64; 5],
    sec: i128,
    scale: u32,
    zone: Option<&str>,
    ntz: bool,
    session: &TimeZone,
) -> Result<i64> {
    let [y, mo, d, h, mi] = f;
    let unit = 10i128.pow(scale);
    let whole = sec.div_euclid(unit);
    let micros = (sec.rem_euclid(unit) * 1_000_000 / unit) as i64;
    let (whole, extra_minute) = if whole == 60 {
        if micros != 0 {
            return Err(spark_error(
                "INVALID_FRACTION_OF_SECOND",
                "22023",
                "Valid range for seconds is [0, 60] (inclusive), but the provided value is <secAndMicros>. To \
                 avoid this error, use `try_make_timestamp`, which returns NULL on error.",
                &[("secAndMicros", format!("{}", sec as f64 / unit as f64))],
            ));
        }
        (0, true)
    } else {
        (whole, false)
    };
    let check = |name: &str, v: i64, lo: i64, hi: i64| -> Result<()> {
        if v < lo || v > hi {
            return Err(out_of_bounds(format!("Invalid value for {name} (valid values {lo} - {hi}): {v}")));
        }
        Ok(())
    };
    check("Year", y, -999_999_999, 999_999_999)?;
    check("MonthOfYear", mo, 1, 12)?;
    check("DayOfMonth", d, 1, 31)?;
    check("HourOfDay", h, 0, 23)?;
    check("MinuteOfHour", mi, 0, 59)?;
    check("SecondOfMinute", whole as i64, 0, 59)?;
    let Some(days) = make_date(y, mo as u32, d as u32) else {
        return Err(out_of_bounds(format!("Invalid date '{}' {d}", month_name_upper(mo))));
    };
    let mut local = days as i64 * MICROS_PER_DAY + (h * 3600 + mi * 60 + whole as i64) * MICROS_PER_SECOND + micros;
    if extra_minute {
        local += 60 * MICROS_PER_SECOND;
    }
    if ntz {
        return Ok(local);
    }
    match zone {
        Some(z) => Ok(TimeZone::parse(z)?.to_instant(local)),
        None => Ok(session.to_instant(local)),
    }
}

fn month_name_upper(m: i64) -> &'static str {
    const NAMES: [&str; 12] = [
        "JANUARY",
        "FEBRUARY",
        "MARCH",
        "APRIL",
        "MAY",
        "JUNE",
        "JULY",
        "AUGUST",
        "SEPTEMBER",
        "OCTOBER",
        "NOVEMBER",
        "DECEMBER",
    ];
    NAMES.get((m - 1).clamp(0, 11) as usize).copied().unwrap_or("")
}

fn interval_overflow(c: &Ctx) -> Result<Option<i64>> {
    if c.mode == EvalMode::Ansi {
        Err(arithmetic_overflow("integer overflow", ""))
    } else {
        Ok(None)
    }
}

/// `make_ym_interval(years, months)`.
fn make_ym_interval(c: &Ctx) -> Result<ArrayRef> {
    let y = c.args.first().map(I64s::new).transpose()?;
    let m = c.args.get(1).map(I64s::new).transpose()?;
    let mut out = Vec::with_capacity(c.n);
    for i in 0..c.n {
        let yv = match &y {
            Some(a) => a.get(i),
            None => Some(0),
        };
        let mv = match &m {
            Some(a) => a.get(i),
            None => Some(0),
        };
        out.push(match (yv, mv) {
            (Some(y), Some(m)) => {
                match y.checked_mul(12).and_then(|v| v.checked_add(m)).and_then(|v| i32::try_from(v).ok()) {
                    Some(v) => Some(v),
                    None => interval_overflow(c)?.map(|v| v as i32),
                }
            }
            _ => None,
        });
    }
    Ok(Arc::new(IntervalYearMonthArray::from(out)))
}

/// `make_dt_interval(days, hours, mins, secs)`; `secs` is DECIMAL(18,6).
fn make_dt_interval(c: &Ctx) -> Result<ArrayRef> {
    let ints: Vec<Option<I64s>> = (0..3).map(|k| c.args.get(k).map(I64s::new).transpose()).collect::<Result<_>>()?;
    let secs = c.args.get(3).map(Prim::<Decimal128Type>::new).transpose()?;
    let scale = match c.args.get(3).map(|a| a.data_type()) {
        Some(DataType::Decimal128(_, s)) => s as u32,
        _ => 6,
    };
    let mut out = Vec::with_capacity(c.n);
    for i in 0..c.n {
        let mut total: Option<i64> = Some(0);
        for (k, unit) in [MICROS_PER_DAY, 3_600 * MICROS_PER_SECOND, 60 * MICROS_PER_SECOND].iter().enumerate() {
            let v = match &ints[k] {
                Some(a) => a.get(i),
                None => Some(0),
            };
            total = match (total, v) {
                (Some(t), Some(v)) => v.checked_mul(*unit).and_then(|x| t.checked_add(x)).or(Some(i64::MIN)),
                _ => None,
            };
        }
        let s = match &secs {
            Some(a) => a.get(i).map(|s| (s * 1_000_000 / 10i128.pow(scale)) as i64),
            None => Some(0),
        };
        out.push(match (total, s) {
            (Some(i64::MIN), _) => interval_overflow(c)?,
            (Some(t), Some(s)) => match t.checked_add(s) {
                Some(v) => Some(v),
                None => interval_overflow(c)?,
            },
            _ => None,
        });
    }
    Ok(Arc::new(DurationMicrosecondArray::from(out)))
}

/// `make_interval(years, months, weeks, days, hours, mins, secs)` as a
/// legacy calendar interval (months, days, nanoseconds).
fn make_interval(c: &Ctx) -> Result<ArrayRef> {
    let ints: Vec<Option<I64s>> = (0..6).map(|k| c.args.get(k).map(I64s::new).transpose()).collect::<Result<_>>()?;
    let secs = c.args.get(6).map(Prim::<Decimal128Type>::new).transpose()?;
    let scale = match c.args.get(6).map(|a| a.data_type()) {
        Some(DataType::Decimal128(_, s)) => s as u32,
        _ => 6,
    };
    let mut out = Vec::with_capacity(c.n);
    'rows: for i in 0..c.n {
        let mut v = [0i64; 6];
        for (k, a) in ints.iter().enumerate() {
            if let Some(a) = a {
                match a.get(i) {
                    Some(x) => v[k] = x,
                    None => {
                        out.push(None);
                        continue 'rows;
                    }
                }
            }
        }
        let s = match &secs {
            Some(a) => match a.get(i) {
                Some(s) => (s * 1_000_000 / 10i128.pow(scale)) as i64,
                None => {
                    out.push(None);
                    continue;
                }
            },
            None => 0,
        };
        let months = v[0].checked_mul(12).and_then(|m| m.checked_add(v[1])).and_then(|m| i32::try_from(m).ok());
        let days = v[2].checked_mul(7).and_then(|d| d.checked_add(v[3])).and_then(|d| i32::try_from(d).ok());
        let micros = v[4]
            .checked_mul(3_600 * MICROS_PER_SECOND)
            .and_then(|h| h.checked_add(v[5].checked_mul(60 * MICROS_PER_SECOND)?))
            .and_then(|x| x.checked_add(s))
            .and_then(|x| x.checked_mul(1000));
        match (months, days, micros) {
            (Some(m), Some(d), Some(ns)) => out.push(Some(IntervalMonthDayNano::new(m, d, ns))),
            _ if c.mode == EvalMode::Ansi => return Err(arithmetic_overflow("integer overflow", "")),
            _ => out.push(None),
        }
    }
    Ok(Arc::new(IntervalMonthDayNanoArray::from(out)))
}

fn from_micros(c: &Ctx, f: impl Fn(i64) -> Option<i64>) -> Result<ArrayRef> {
    let t = Micros::new(c.arg(0)?)?;
    let out: Int64Array = build_prim(c.n, |i| Ok(t.get(i).and_then(&f)))?;
    Ok(Arc::new(out))
}

fn long_overflow(c: &Ctx) -> Result<Option<i64>> {
    if c.mode == EvalMode::Ansi {
        Err(arithmetic_overflow("long overflow", ""))
    } else {
        Ok(None)
    }
}

/// `timestamp_seconds(x)`: integral seconds exactly, fractional ones
/// (double, decimal) truncated to microseconds.
fn timestamp_seconds(c: &Ctx) -> Result<ArrayRef> {
    let a = c.arg(0)?.to_array(c.n);
    let out: PrimitiveArray<Int64Type> = match a.data_type() {
        DataType::Float64 | DataType::Float32 => {
            let d = arrow::compute::cast(&a, &DataType::Float64)?;
            let d = d.as_primitive::<Float64Type>();
            build_prim(c.n, |i| {
                if d.is_null(i) {
                    return Ok(None);
                }
                let v = d.value(i);
                if !v.is_finite() {
                    return Ok(None);
                }
                let us = v * 1e6;
                if us.abs() >= 9.2e18 {
                    return long_overflow(c);
                }
                Ok(Some(us as i64))
            })?
        }
        DataType::Decimal128(_, s) => {
            let s = *s as u32;
            let d = a.as_primitive::<Decimal128Type>();
            build_prim(c.n, |i| {
                if d.is_null(i) {
                    return Ok(None);
                }
                let v = d.value(i);
                let us = if s <= 6 { v.checked_mul(10i128.pow(6 - s)) } else { Some(v / 10i128.pow(s - 6)) };
                match us.and_then(|x| i64::try_from(x).ok()) {
                    Some(x) => Ok(Some(x)),
                    None => long_overflow(c),
                }
            })?
        }
        _ => {
            let v = I64s::new(&crate::ColumnarValue::Array(a))?;
            build_prim(c.n, |i| match v.get(i) {
                Some(x) => match x.checked_mul(MICROS_PER_SECOND) {
                    Some(us) => Ok(Some(us)),
                    None => long_overflow(c),
                },
                None => Ok(None),
            })?
        }
    };
    Ok(ts_array(out, c.return_type))
}

fn scaled_timestamp(c: &Ctx, unit: i64) -> Result<ArrayRef> {
    let v = I64s::new(c.arg(0)?)?;
    let out: PrimitiveArray<Int64Type> = build_prim(c.n, |i| match v.get(i) {
        Some(x) => match x.checked_mul(unit) {
            Some(us) => Ok(Some(us)),
            None => long_overflow(c),
        },
        None => Ok(None),
    })?;
    Ok(ts_array(out, c.return_type))
}

fn names(c: &Ctx, table: &[&str], pick: impl Fn(i32) -> usize) -> Result<ArrayRef> {
    let d = Days::new(c.arg(0)?)?;
    build_strings(c.n, |i, buf| {
        let Some(d) = d.get(i) else { return Ok(false) };
        buf.push_str(table.get(pick(d)).copied().unwrap_or(""));
        Ok(true)
    })
}

/// The units of `timestampadd` / `timestampdiff`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Unit {
    Micro,
    Milli,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Unit {
    pub(crate) fn parse(s: &str) -> Option<Unit> {
        Some(match s.to_ascii_uppercase().as_str() {
            "MICROSECOND" => Unit::Micro,
            "MILLISECOND" => Unit::Milli,
            "SECOND" => Unit::Second,
            "MINUTE" => Unit::Minute,
            "HOUR" => Unit::Hour,
            "DAY" | "DAYOFYEAR" => Unit::Day,
            "WEEK" => Unit::Week,
            "MONTH" => Unit::Month,
            "QUARTER" => Unit::Quarter,
            "YEAR" => Unit::Year,
            _ => return None,
        })
    }

    /// Microseconds in one unit, for the fixed-length units.
    fn fixed(self) -> Option<i64> {
        Some(match self {
            Unit::Micro => 1,
            Unit::Milli => 1000,
            Unit::Second => MICROS_PER_SECOND,
            Unit::Minute => 60 * MICROS_PER_SECOND,
            Unit::Hour => 3600 * MICROS_PER_SECOND,
            Unit::Day => MICROS_PER_DAY,
            Unit::Week => 7 * MICROS_PER_DAY,
            _ => return None,
        })
    }

    fn months(self) -> i64 {
        match self {
            Unit::Quarter => 3,
            Unit::Year => 12,
            _ => 1,
        }
    }
}

fn unit_error(unit: &str, function: &str) -> Error {
    spark_error(
        "INVALID_PARAMETER_VALUE.DATETIME_UNIT",
        "22023",
        "The value of parameter(s) <parameter> in <functionName> is invalid: expects one of the units without \
         quotes YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFYEAR, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND, but \
         got the string literal <invalidValue>.",
        &[
            ("parameter", "`unit`".into()),
            ("functionName", format!("`{function}`")),
            ("invalidValue", format!("'{unit}'")),
        ],
    )
}

/// Adds `n` units to a timestamp (Spark's `timestampAdd`): units up to
/// HOUR add their length to the instant; DAY and WEEK move the wall-clock
/// date in `zone`, calendar units its month (the day clamped to the month's
/// end).
pub(crate) fn add_units(us: i64, unit: Unit, n: i64, zone: &TimeZone) -> Option<i64> {
    match unit {
        Unit::Day | Unit::Week => {
            let days = i32::try_from(n.checked_mul(if unit == Unit::Week { 7 } else { 1 })?).ok()?;
            super::datetime::add_calendar(zone, us, 0, days)
        }
        _ => match unit.fixed() {
            Some(len) => us.checked_add(n.checked_mul(len)?),
            None => {
                let months = i32::try_from(n.checked_mul(unit.months())?).ok()?;
                super::datetime::add_calendar(zone, us, months, 0)
            }
        },
    }
}

/// `ChronoUnit.between` on local date-times: whole units from `a` to `b`,
/// truncated toward zero.
pub(crate) fn units_between(a: i64, b: i64, unit: Unit) -> i64 {
    if let Some(len) = unit.fixed() {
        return (b as i128 - a as i128).checked_div(len as i128).unwrap_or(0) as i64;
    }
    let split = |us: i64| {
        let d = us.div_euclid(MICROS_PER_DAY);
        let (y, m, day) = civil_from_days(d);
        (y * 12 + m as i64 - 1, day as i64 * MICROS_PER_DAY + us.rem_euclid(MICROS_PER_DAY))
    };
    let (ma, ra) = split(a);
    let (mb, rb) = split(b);
    let mut months = mb - ma;
    if months > 0 && rb < ra {
        months -= 1;
    } else if months < 0 && rb > ra {
        months += 1;
    }
    months / unit.months()
}

/// `timestampadd(unit, n, ts)`; the unit arrives as a constant string.
fn timestamp_add(c: &Ctx) -> Result<ArrayRef> {
    let unit = Strs::new(c.arg(0)?)?;
    let n = I64s::new(c.arg(1)?)?;
    // a date is midnight in the session zone, as when cast to TIMESTAMP
    let t = super::datetime::micros(c, 2)?;
    let zone = zone_of(c, &c.arg(2)?.data_type());
    let out: PrimitiveArray<Int64Type> = build_prim(c.n, |i| {
        let (Some(u), Some(n), Some(t)) = (unit.get(i), n.get(i), t.get(i)) else { return Ok(None) };
        let unit = Unit::parse(u).ok_or_else(|| unit_error(u, "timestampadd"))?;
        match add_units(t, unit, n, zone) {
            Some(v) => Ok(Some(v)),
            None => long_overflow(c),
        }
    })?;
    Ok(ts_array(out, c.return_type))
}

fn timestamp_diff(c: &Ctx) -> Result<ArrayRef> {
    let unit = Strs::new(c.arg(0)?)?;
    let a = local_micros(c, 1)?;
    let b = local_micros(c, 2)?;
    let out: Int64Array = build_prim(c.n, |i| {
        let (Some(u), Some(a), Some(b)) = (unit.get(i), a.get(i), b.get(i)) else { return Ok(None) };
        let unit = Unit::parse(u).ok_or_else(|| unit_error(u, "timestampdiff"))?;
        Ok(Some(units_between(a, b, unit)))
    })?;
    Ok(Arc::new(out))
}

/// `from_utc_timestamp(ts, zone)` (`to_local`) and `to_utc_timestamp`:
/// reinterpret the wall-clock time between UTC and the zone.
fn shift_zone(c: &Ctx, to_local: bool) -> Result<ArrayRef> {
    let t = Micros::new(c.arg(0)?)?;
    let z = Strs::new(c.arg(1)?)?;
    let mut cache: Option<TimeZone> = None;
    let out: PrimitiveArray<Int64Type> = build_prim(c.n, |i| {
        let (Some(t), Some(z)) = (t.get(i), z.get(i)) else { return Ok(None) };
        if cache.as_ref().is_none_or(|zone| zone.name() != z) {
            cache = Some(TimeZone::parse(z)?);
        }
        let zone = cache.as_ref().ok_or_else(|| Error::internal("zone cache"))?;
        Ok(Some(if to_local { zone.to_local(t) } else { zone.to_instant(t) }))
    })?;
    Ok(ts_array(out, c.return_type))
}

/// `convert_timezone([source, ] target, ts_ntz)`: the wall clock in
/// `source` (the session zone by default) as seen in `target`.
fn convert_timezone(c: &Ctx) -> Result<ArrayRef> {
    let (src, tgt, ts) = if c.args.len() == 3 {
        (Some(Strs::new(c.arg(0)?)?), Strs::new(c.arg(1)?)?, Micros::new(c.arg(2)?)?)
    } else {
        (None, Strs::new(c.arg(0)?)?, Micros::new(c.arg(1)?)?)
    };
    let out: PrimitiveArray<Int64Type> = build_prim(c.n, |i| {
        let (Some(t), Some(target)) = (ts.get(i), tgt.get(i)) else { return Ok(None) };
        let instant = match &src {
            Some(s) => match s.get(i) {
                Some(s) => TimeZone::parse(s)?.to_instant(t),
                None => return Ok(None),
            },
            None => c.tz.to_instant(t),
        };
        Ok(Some(TimeZone::parse(target)?.to_local(instant)))
    })?;
    Ok(ts_array(out, c.return_type))
}

/// Days since the epoch of a civil date, for tests.
#[cfg(test)]
fn day(y: i64, m: u32, d: u32) -> i64 {
    crate::temporal::days_from_civil(y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i64, m: u32, d: u32, h: i64, mi: i64, s: i64) -> i64 {
        day(y, m, d) * MICROS_PER_DAY + (h * 3600 + mi * 60 + s) * MICROS_PER_SECOND
    }

    #[test]
    fn chrono_unit_between() {
        let a = at(2022, 2, 25, 1, 2, 3);
        assert_eq!(units_between(a, at(2022, 1, 25, 1, 2, 3), Unit::Month), -1);
        assert_eq!(units_between(a, at(2022, 1, 28, 1, 2, 3), Unit::Week), -4);
        assert_eq!(units_between(at(2022, 2, 25, 0, 0, 0), at(2023, 5, 25, 0, 0, 0), Unit::Quarter), 5);
        assert_eq!(units_between(at(2022, 2, 25, 0, 0, 0), at(2023, 2, 27, 0, 0, 0), Unit::Day), 367);
        assert_eq!(units_between(at(2022, 2, 25, 0, 0, 0), at(2022, 2, 24, 22, 20, 0), Unit::Minute), -100);
        assert_eq!(units_between(at(2022, 1, 31, 0, 0, 0), at(2022, 2, 28, 0, 0, 0), Unit::Month), 0);
        let utc = crate::tz::utc();
        assert_eq!(add_units(at(2022, 2, 25, 0, 0, 0), Unit::Quarter, 5, utc), Some(at(2023, 5, 25, 0, 0, 0)));
        assert_eq!(add_units(at(2022, 1, 31, 0, 0, 0), Unit::Month, 1, utc), Some(at(2022, 2, 28, 0, 0, 0)));
    }

    #[test]
    fn make_timestamps() {
        let mk = |f: [i64; 5], s: i128| make_timestamp_value(f, s, 6, None, false, crate::tz::utc());
        assert_eq!(mk([2021, 7, 11, 6, 30], 45_678_000).unwrap(), at(2021, 7, 11, 6, 30, 45) + 678_000);
        assert_eq!(mk([1, 1, 1, 1, 1], 60_000_000).unwrap(), at(1, 1, 1, 1, 2, 0));
        assert!(mk([1, 1, 1, 1, 1], 61_000_000).is_err());
        assert!(mk([2021, 7, 11, 6, 30], 60_007_000).is_err());
        assert!(mk([2019, 2, 30, 0, 0], 0).is_err());
    }
}
