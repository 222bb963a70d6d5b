//! Spark's literal rules: numeric literal typing and suffixes, typed
//! literals (`DATE`, `TIMESTAMP`, `TIMESTAMP_NTZ`, `X'..'`) and intervals.
//!
//! Numbers (Spark's `AstBuilder`): an integer is INT if it fits, else BIGINT,
//! else DECIMAL(p,0); a number with a fraction is DECIMAL(p,s) with s the
//! fraction digits and p = max(significant digits, s); an exponent makes it
//! DOUBLE. Suffixes: `L` bigint, `S` smallint, `Y` tinyint, `D` double,
//! `F` float, `BD` decimal.

use arrow_buffer::IntervalMonthDayNano;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use ember_core::error::Span;
use ember_core::scalar::ScalarValue;
use ember_core::spec::{CastMode, Expr};
use ember_core::types::{timestamp_type, MAX_DECIMAL_PRECISION};
use ember_core::{Error, Result};

use sqlparser::ast::{DataType as AstType, Value};

use super::dialect::NUMERIC_SUFFIXES;

const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_MINUTE: i64 = 60 * MICROS_PER_SECOND;
const MICROS_PER_HOUR: i64 = 60 * MICROS_PER_MINUTE;
const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;

fn out_of_range(text: &str, type_name: &str, min: &str, max: &str) -> Error {
    Error::spark_msg(
        "INVALID_NUMERIC_LITERAL_RANGE",
        "22003",
        format!(
            "Numeric literal {text} is outside the valid range for {type_name} with minimum \
             value of {min} and maximum value of {max}. Please adjust the value accordingly."
        ),
    )
}

/// A number as written (optionally with a sign and one Spark suffix).
pub(crate) fn number(text: &str) -> Result<ScalarValue> {
    let upper = text.to_ascii_uppercase();
    let (body, suffix) = NUMERIC_SUFFIXES
        .iter()
        .find(|s| upper.ends_with(*s) && upper.len() > s.len())
        .map(|s| (&text[..text.len() - s.len()], Some(*s)))
        .unwrap_or((text, None));
    let is_exponent = body.contains(['e', 'E']);
    let is_fraction = body.contains('.');
    let invalid = || Error::parse_syntax(&format!("'{text}'"), "");
    match suffix {
        Some("L") | Some("S") | Some("Y") => {
            if is_exponent || is_fraction {
                return Err(invalid());
            }
            let v: i128 = body.parse().map_err(|_| invalid())?;
            match suffix {
                Some("L") => i64::try_from(v)
                    .map(|v| ScalarValue::Int64(Some(v)))
                    .map_err(|_| out_of_range(body, "bigint", &i64::MIN.to_string(), &i64::MAX.to_string())),
                Some("S") => i16::try_from(v)
                    .map(|v| ScalarValue::Int16(Some(v)))
                    .map_err(|_| out_of_range(body, "smallint", "-32768", "32767")),
                _ => i8::try_from(v)
                    .map(|v| ScalarValue::Int8(Some(v)))
                    .map_err(|_| out_of_range(body, "tinyint", "-128", "127")),
            }
        }
        Some("D") => body.parse::<f64>().map(|v| ScalarValue::Float64(Some(v))).map_err(|_| invalid()),
        Some("F") => body.parse::<f32>().map(|v| ScalarValue::Float32(Some(v))).map_err(|_| invalid()),
        Some(_) => decimal_with_exponent(body).ok_or_else(|| decimal_out_of_range(body)),
        None if is_exponent => {
            let v: f64 = body.parse().map_err(|_| invalid())?;
            if v.is_infinite() {
                return Err(out_of_range(body, "double", &f64::MIN.to_string(), &f64::MAX.to_string()));
            }
            Ok(ScalarValue::Float64(Some(v)))
        }
        None if is_fraction => decimal(body).ok_or_else(|| decimal_out_of_range(body)),
        None => {
            if let Ok(v) = body.parse::<i32>() {
                Ok(ScalarValue::Int32(Some(v)))
            } else if let Ok(v) = body.parse::<i64>() {
                Ok(ScalarValue::Int64(Some(v)))
            } else {
                decimal(body).ok_or_else(|| decimal_out_of_range(body))
            }
        }
    }
}

/// `1.5e3BD`: an exact decimal; a negative scale becomes scale 0 (Spark
/// disallows negative decimal scales).
fn decimal_with_exponent(text: &str) -> Option<ScalarValue> {
    let Some(i) = text.find(['e', 'E']) else {
        return decimal(text);
    };
    let exp: i32 = text[i + 1..].parse().ok()?;
    let ScalarValue::Decimal(Some(unscaled), precision, scale) = decimal(&text[..i])? else {
        return None;
    };
    let new_scale = scale as i32 - exp;
    if new_scale >= 0 {
        let precision = (precision as i32).max(new_scale);
        if precision > MAX_DECIMAL_PRECISION as i32 {
            return None;
        }
        return Some(ScalarValue::Decimal(Some(unscaled), precision as u8, new_scale as i8));
    }
    let precision = precision as i32 - new_scale;
    if precision > MAX_DECIMAL_PRECISION as i32 {
        return None;
    }
    let unscaled = unscaled.checked_mul(10i128.checked_pow((-new_scale) as u32)?)?;
    Some(ScalarValue::Decimal(Some(unscaled), precision as u8, 0))
}

fn decimal_out_of_range(text: &str) -> Error {
    Error::spark_msg(
        "INVALID_NUMERIC_LITERAL_RANGE",
        "22003",
        format!(
            "Numeric literal {text} is outside the valid range for decimal with maximum \
             precision of {MAX_DECIMAL_PRECISION}. Please adjust the value accordingly."
        ),
    )
}

/// `[-]digits[.digits]` as a Spark decimal literal; None if too wide or not
/// a plain decimal.
pub(crate) fn decimal(text: &str) -> Option<ScalarValue> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if !int_part.bytes().all(|b| b.is_ascii_digit()) || !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let all = format!("{int_part}{frac_part}");
    let significant = all.trim_start_matches('0');
    let scale = frac_part.len();
    // Java's BigDecimal precision: significant digits, at least 1
    let precision = significant.len().max(1).max(scale);
    if precision > MAX_DECIMAL_PRECISION as usize {
        return None;
    }
    let unscaled: i128 = if significant.is_empty() { 0 } else { significant.parse().ok()? };
    let unscaled = if negative { -unscaled } else { unscaled };
    Some(ScalarValue::Decimal(Some(unscaled), precision as u8, scale as i8))
}

fn invalid_typed_literal(type_name: &str, value: &str) -> Error {
    Error::spark_msg(
        "INVALID_TYPED_LITERAL",
        "42604",
        format!("The value of the typed literal \"{type_name}\" is invalid: '{value}'."),
    )
}

/// Spark's date strings: `yyyy`, `yyyy-[m]m`, `yyyy-[m]m-[d]d`, optionally
/// followed by `T` or a space and anything.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let date_part = t.split(['T', ' ']).next().unwrap_or("");
    let mut parts = date_part.splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u32 = match parts.next() {
        Some(m) if !m.is_empty() && m.len() <= 2 => m.parse().ok()?,
        Some(_) => return None,
        None => 1,
    };
    let day: u32 = match parts.next() {
        Some(d) if !d.is_empty() && d.len() <= 2 => d.parse().ok()?,
        Some(_) => return None,
        None => 1,
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Days since the epoch of a `DATE '...'` literal.
pub(crate) fn date_literal(text: &str) -> Result<ScalarValue> {
    let date = parse_date(text).ok_or_else(|| invalid_typed_literal("DATE", text))?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).ok_or_else(|| Error::internal("epoch"))?;
    Ok(ScalarValue::Date(Some((date - epoch).num_days() as i32)))
}

/// A timestamp string: date, optional time `[h]h:[m]m[:[s]s[.fraction]]`,
/// optional zone (`Z`, `UTC`, `+hh:mm`, `-hh[mm]`). Returns the local
/// date-time and the zone offset in seconds, if any.
fn parse_timestamp(text: &str) -> Option<(NaiveDateTime, Option<i32>)> {
    let t = text.trim();
    let split = t.find(['T', ' ']);
    let (date_s, rest) = match split {
        Some(i) => (&t[..i], t[i + 1..].trim()),
        None => (t, ""),
    };
    let date = parse_date(date_s)?;
    if rest.is_empty() {
        return Some((date.and_hms_opt(0, 0, 0)?, None));
    }
    // zone suffix
    let (time_s, zone) = if let Some(s) = rest.strip_suffix('Z') {
        (s.trim(), Some(0))
    } else if let Some(s) = rest.strip_suffix("UTC") {
        (s.trim(), Some(0))
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let z = &rest[i..];
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let digits: String = z[1..].chars().filter(|c| c.is_ascii_digit()).collect();
        let (h, m) = match digits.len() {
            1 | 2 => (digits.parse::<i32>().ok()?, 0),
            4 => (digits[..2].parse::<i32>().ok()?, digits[2..].parse::<i32>().ok()?),
            _ => return None,
        };
        (rest[..i].trim(), Some(sign * (h * 3600 + m * 60)))
    } else {
        (rest, None)
    };
    let mut hms = time_s.splitn(3, ':');
    let h: u32 = hms.next()?.parse().ok()?;
    let m: u32 = hms.next().map(|m| m.parse().ok()).unwrap_or(Some(0))?;
    let (s, micros) = match hms.next() {
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let frac6: String = format!("{frac:0<6}").chars().take(6).collect();
            (whole.parse::<u32>().ok()?, frac6.parse::<u32>().ok()?)
        }
        None => (0, 0),
    };
    let time = NaiveTime::from_hms_micro_opt(h, m, s, micros)?;
    Some((date.and_time(time), zone))
}

/// `TIMESTAMP '...'` whose text names a zone (see
/// [`session_zone_timestamp`] for the others) or `TIMESTAMP_NTZ '...'` (any
/// zone is an error).
pub(crate) fn timestamp_literal(text: &str, ntz: bool) -> Result<ScalarValue> {
    let type_name = if ntz { "TIMESTAMP_NTZ" } else { "TIMESTAMP" };
    let (local, zone) = parse_timestamp(text).ok_or_else(|| invalid_typed_literal(type_name, text))?;
    let micros = local.and_utc().timestamp_micros();
    if ntz {
        if zone.is_some() {
            return Err(invalid_typed_literal(type_name, text));
        }
        return Ok(ScalarValue::TimestampNtz(Some(micros)));
    }
    let offset = zone.unwrap_or(0) as i64 * MICROS_PER_SECOND;
    Ok(ScalarValue::Timestamp(Some(micros - offset)))
}

/// `TIMESTAMP '...'` (or `TIMESTAMP_LTZ`) without a zone in the text: a
/// wall-clock time of the session time zone, which parsing does not know (a
/// script may set it first). It becomes `CAST(TIMESTAMP_NTZ '...' AS
/// TIMESTAMP)` without a span of its own: the cast turns the wall clock into
/// an instant in the session zone when the query runs, and the analyzer
/// names it `TIMESTAMP '...'` as Spark does. `None` for other literals,
/// which [`timestamp_literal`] and friends convert while parsing.
pub(crate) fn session_zone_timestamp(t: &AstType, v: &Value, span: Option<Span>) -> Result<Option<Expr>> {
    let text = match v {
        Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s.as_str(),
        _ => return Ok(None),
    };
    if !matches!(t.to_string().to_uppercase().as_str(), "TIMESTAMP" | "TIMESTAMP_LTZ") {
        return Ok(None);
    }
    let (local, zone) = parse_timestamp(text).ok_or_else(|| invalid_typed_literal("TIMESTAMP", text))?;
    if zone.is_some() {
        return Ok(None);
    }
    let wall_clock = Expr::Literal { value: ScalarValue::TimestampNtz(Some(local.and_utc().timestamp_micros())), span };
    Ok(Some(Expr::Cast { expr: Box::new(wall_clock), to: timestamp_type(), mode: CastMode::Default, span: None }))
}

/// The session time zone `SET TIME ZONE <value>` sets, for the forms other
/// than a zone string (Spark's `visitSetTimeZone`); `None` for those.
/// `LOCAL` is the zone of the environment (`TZ`), else Ember's default, UTC.
/// An interval is an offset of at most 18 hours in whole seconds, named as
/// Java's `ZoneOffset` (`Z`, `+08:00`, `-05:30:15`).
pub(crate) fn set_time_zone_value(text: &str) -> Result<Option<String>> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("LOCAL") {
        let env = std::env::var("TZ").unwrap_or_default();
        let env = env.trim().trim_start_matches(':');
        return Ok(Some(if env.is_empty() { "UTC".to_string() } else { env.to_string() }));
    }
    if !text.get(..8).is_some_and(|w| w.eq_ignore_ascii_case("INTERVAL")) {
        return Ok(None);
    }
    let out_of_range = || {
        Error::spark_msg(
            "INVALID_INTERVAL_FORMAT.TIMEZONE_INTERVAL_OUT_OF_RANGE",
            "22006",
            format!(
                "Error parsing '{text}' to interval. Please ensure that the value provided is in a valid format \
                 for defining an interval. You can reference the documentation for the correct format. The \
                 interval value must be in the range of [-18, +18] hours with second precision."
            ),
        )
    };
    let micros = match super::standalone::parse_expression(text)? {
        Expr::Literal { value: ScalarValue::IntervalDayTime(Some(us)), .. } => us,
        Expr::Literal { value: ScalarValue::CalendarInterval(Some(v)), .. } if v.months == 0 && v.days == 0 => {
            v.nanoseconds / 1000
        }
        _ => return Err(out_of_range()),
    };
    if micros.abs() > 18 * MICROS_PER_HOUR || micros % MICROS_PER_SECOND != 0 {
        return Err(out_of_range());
    }
    let secs = micros / MICROS_PER_SECOND;
    if secs == 0 {
        return Ok(Some("Z".to_string()));
    }
    let (sign, a) = (if secs < 0 { '-' } else { '+' }, secs.abs());
    let mut id = format!("{sign}{:02}:{:02}", a / 3600, a / 60 % 60);
    if a % 60 != 0 {
        id.push_str(&format!(":{:02}", a % 60));
    }
    Ok(Some(id))
}

/// `X'0A1b'`
pub(crate) fn hex_literal(text: &str) -> Result<ScalarValue> {
    let digits: Vec<u8> = text.bytes().collect();
    let invalid = || invalid_typed_literal("X", text);
    // an odd count is padded with a leading 0, as Spark does
    let padded: Vec<u8> = if !digits.len().is_multiple_of(2) {
        std::iter::once(b'0').chain(digits.iter().copied()).collect()
    } else {
        digits
    };
    let mut out = Vec::with_capacity(padded.len() / 2);
    for pair in padded.chunks(2) {
        let s = std::str::from_utf8(pair).map_err(|_| invalid())?;
        out.push(u8::from_str_radix(s, 16).map_err(|_| invalid())?);
    }
    Ok(ScalarValue::Binary(Some(out)))
}

// ---------------------------------------------------------------- intervals

/// Units of an interval part, normalised to Spark's singular names.
fn normalize_unit(unit: &str) -> Option<&'static str> {
    let u = unit.to_ascii_lowercase();
    let u = u.strip_suffix('s').unwrap_or(&u).to_string();
    Some(match u.as_str() {
        "year" => "year",
        "month" => "month",
        "week" => "week",
        "day" => "day",
        "hour" => "hour",
        "minute" => "minute",
        "second" => "second",
        "millisecond" => "millisecond",
        "microsecond" => "microsecond",
        "nanosecond" => "nanosecond",
        _ => return None,
    })
}

fn invalid_interval(text: &str) -> Error {
    Error::spark_msg("INVALID_INTERVAL_FORMAT", "22006", format!("Error parsing '{text}' to interval."))
}

fn interval_overflow(text: &str) -> Error {
    Error::spark_msg(
        "INTERVAL_ARITHMETIC_OVERFLOW",
        "22015",
        format!("Integer overflow while operating with intervals: {text}."),
    )
}

/// Accumulates interval parts.
#[derive(Default, Debug)]
struct IntervalParts {
    months: i64,
    days: i64,
    micros: i64,
    has_year_month: bool,
    has_day_time: bool,
}

impl IntervalParts {
    /// Adds `value unit`; `value` may have a sign and, for day-time units, a
    /// fraction.
    fn add(&mut self, value: &str, unit: &str) -> Result<()> {
        let unit_name = normalize_unit(unit).ok_or_else(|| invalid_interval(&format!("{value} {unit}")))?;
        let err = || invalid_interval(&format!("{value} {unit}"));
        let v = value.trim();
        match unit_name {
            "year" | "month" => {
                let n: i64 = v.parse().map_err(|_| err())?;
                let months = if unit_name == "year" { n.checked_mul(12).ok_or_else(err)? } else { n };
                self.months = self.months.checked_add(months).ok_or_else(err)?;
                self.has_year_month = true;
            }
            _ => {
                let unit_micros: i128 = match unit_name {
                    "week" => 7 * MICROS_PER_DAY as i128,
                    "day" => MICROS_PER_DAY as i128,
                    "hour" => MICROS_PER_HOUR as i128,
                    "minute" => MICROS_PER_MINUTE as i128,
                    "second" => MICROS_PER_SECOND as i128,
                    "millisecond" => 1000,
                    "microsecond" => 1,
                    _ => 0, // nanoseconds are below Spark's resolution
                };
                // value * unit in micros, exactly: value = unscaled / 10^scale
                let Some(ScalarValue::Decimal(Some(unscaled), _, scale)) = decimal(v) else {
                    return Err(err());
                };
                let scaled = unscaled.checked_mul(unit_micros).map(|x| x / 10i128.pow(scale as u32)).ok_or_else(err)?;
                let micros = i64::try_from(scaled).map_err(|_| err())?;
                if unit_name == "day" || unit_name == "week" {
                    // whole days stay days in a calendar interval
                    if micros % MICROS_PER_DAY == 0 {
                        self.days = self.days.checked_add(micros / MICROS_PER_DAY).ok_or_else(err)?;
                    } else {
                        self.micros = self.micros.checked_add(micros).ok_or_else(err)?;
                    }
                } else {
                    self.micros = self.micros.checked_add(micros).ok_or_else(err)?;
                }
                self.has_day_time = true;
            }
        }
        Ok(())
    }

    fn to_scalar(&self, text: &str) -> Result<ScalarValue> {
        if self.has_year_month && !self.has_day_time {
            let m = i32::try_from(self.months).map_err(|_| interval_overflow(text))?;
            return Ok(ScalarValue::IntervalYearMonth(Some(m)));
        }
        if self.has_day_time && !self.has_year_month {
            let total = self
                .days
                .checked_mul(MICROS_PER_DAY)
                .and_then(|d| d.checked_add(self.micros))
                .ok_or_else(|| interval_overflow(text))?;
            return Ok(ScalarValue::IntervalDayTime(Some(total)));
        }
        self.calendar(text)
    }

    fn calendar(&self, text: &str) -> Result<ScalarValue> {
        let months = i32::try_from(self.months).map_err(|_| interval_overflow(text))?;
        let days = i32::try_from(self.days).map_err(|_| interval_overflow(text))?;
        let nanos = self.micros.checked_mul(1000).ok_or_else(|| interval_overflow(text))?;
        Ok(ScalarValue::CalendarInterval(Some(IntervalMonthDayNano::new(months, days, nanos))))
    }
}

/// `INTERVAL v1 unit1 v2 unit2 ...`: year-month units give a year-month
/// interval, day..second units a day-time interval, a mix a calendar interval.
pub(crate) fn interval_multi_units(parts: &[(String, String)]) -> Result<ScalarValue> {
    let mut acc = IntervalParts::default();
    for (value, unit) in parts {
        acc.add(value, unit)?;
    }
    let text = parts.iter().map(|(v, u)| format!("{v} {u}")).collect::<Vec<_>>().join(" ");
    acc.to_scalar(&text)
}

/// `INTERVAL 'string'`: the string holds `value unit` pairs (optionally
/// prefixed by `interval`); Spark types it as a calendar interval.
pub(crate) fn interval_string(text: &str) -> Result<ScalarValue> {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    if words.first().is_some_and(|w| w.eq_ignore_ascii_case("interval")) {
        words.remove(0);
    }
    if words.is_empty() || !words.len().is_multiple_of(2) {
        return Err(invalid_interval(text));
    }
    let mut acc = IntervalParts::default();
    for pair in words.chunks(2) {
        acc.add(pair[0], pair[1]).map_err(|_| invalid_interval(text))?;
    }
    acc.calendar(text)
}

/// `INTERVAL 'v' FROM TO TO` (Spark's ANSI interval strings).
pub(crate) fn interval_unit_to_unit(value: &str, from: &str, to: &str) -> Result<ScalarValue> {
    let from_u = normalize_unit(from).unwrap_or("");
    let to_u = normalize_unit(to).unwrap_or("");
    let err = || {
        Error::spark_msg(
            "INVALID_INTERVAL_FORMAT",
            "22006",
            format!("Interval string does not match {from} TO {to} format: '{value}'."),
        )
    };
    let v = value.trim();
    let (negative, body) = match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v.strip_prefix('+').unwrap_or(v)),
    };
    let sign = if negative { -1 } else { 1 };
    if from_u == "year" && to_u == "month" {
        let (y, m) = body.split_once('-').ok_or_else(err)?;
        let y: i64 = y.parse().map_err(|_| err())?;
        let m: i64 = m.parse().map_err(|_| err())?;
        if m > 11 {
            return Err(err());
        }
        let months = i32::try_from(sign * (y * 12 + m)).map_err(|_| err())?;
        return Ok(ScalarValue::IntervalYearMonth(Some(months)));
    }
    const ORDER: [&str; 4] = ["day", "hour", "minute", "second"];
    let from_i = ORDER.iter().position(|u| *u == from_u).ok_or_else(err)?;
    let to_i = ORDER.iter().position(|u| *u == to_u).ok_or_else(err)?;
    if to_i <= from_i {
        return Err(err());
    }
    // fields: `d h:m:s`, the first separator after a day is a space
    let mut fields: Vec<&str> = Vec::new();
    let mut rest = body;
    if from_u == "day" {
        let (d, r) = rest.split_once(' ').ok_or_else(err)?;
        fields.push(d);
        rest = r;
    }
    fields.extend(rest.split(':'));
    if fields.len() != to_i - from_i + 1 {
        return Err(err());
    }
    const UNIT_MICROS: [i64; 4] = [MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND];
    const LIMITS: [i64; 4] = [i64::MAX, 23, 59, 59];
    let mut total: i64 = 0;
    for (k, f) in fields.iter().enumerate() {
        let unit = from_i + k;
        let micros = if unit == 3 {
            let Some(ScalarValue::Decimal(Some(unscaled), _, scale)) = decimal(f) else {
                return Err(err());
            };
            let m = unscaled * MICROS_PER_SECOND as i128 / 10i128.pow(scale as u32);
            if k > 0 && m >= 60 * MICROS_PER_SECOND as i128 {
                return Err(err());
            }
            i64::try_from(m).map_err(|_| err())?
        } else {
            let n: i64 = f.parse().map_err(|_| err())?;
            if k > 0 && (n < 0 || n > LIMITS[unit]) {
                return Err(err());
            }
            n.checked_mul(UNIT_MICROS[unit]).ok_or_else(err)?
        };
        total = total.checked_add(micros).ok_or_else(err)?;
    }
    Ok(ScalarValue::IntervalDayTime(Some(sign * total)))
}
