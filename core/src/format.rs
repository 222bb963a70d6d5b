//! Rendering of values the way Spark prints them (`Double.toString`,
//! `BigDecimal.toPlainString`, ISO dates, Spark's interval strings).

use arrow_buffer::IntervalMonthDayNano;
use chrono::{DateTime, NaiveDate};

/// Java's `Double.toString`: plain notation for 1e-3 <= |x| < 1e7, otherwise
/// computerized scientific notation (`1.0E10`), always with a fraction digit.
pub fn java_double(v: f64) -> String {
    java_text(v, v.is_nan(), (1e-3..1e7).contains(&v.abs()), format!("{v}"), || format!("{v:e}"))
}

/// Java's `Float.toString`, same rules as [`java_double`] on the shortest
/// representation of the `f32`.
pub fn java_float(v: f32) -> String {
    java_text(v as f64, v.is_nan(), (1e-3..1e7).contains(&v.abs()), format!("{v}"), || format!("{v:e}"))
}

/// The shared rules; `plain` and `exp` are Rust's shortest renderings.
fn java_text(v: f64, nan: bool, plain_range: bool, plain: String, exp: impl FnOnce() -> String) -> String {
    if nan {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    if plain_range {
        if plain.contains('.') {
            plain
        } else {
            format!("{plain}.0")
        }
    } else {
        scientific(exp())
    }
}

fn scientific(rust_exp: String) -> String {
    // Rust: "1.5e10" / "1e-5"; Java: "1.5E10" / "1.0E-5"
    let (mantissa, exp) = rust_exp.split_once('e').unwrap_or((&rust_exp, "0"));
    let mantissa = if mantissa.contains('.') { mantissa.to_string() } else { format!("{mantissa}.0") };
    format!("{mantissa}E{exp}")
}

/// An unscaled decimal rendered with its scale (`BigDecimal.toPlainString`).
pub fn decimal_to_string(v: i128, scale: i8) -> String {
    if scale <= 0 {
        let mut s = v.to_string();
        for _ in 0..(-scale) {
            s.push('0');
        }
        return s;
    }
    let neg = v < 0;
    let digits = v.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded =
        if digits.len() <= scale { format!("{}{}", "0".repeat(scale - digits.len() + 1), digits) } else { digits };
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{}{}.{}", if neg { "-" } else { "" }, int, frac)
}

pub fn date_to_string(days: i32) -> String {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    match epoch.checked_add_signed(chrono::Duration::days(days as i64)) {
        Some(d) => {
            let s = d.format("%Y-%m-%d").to_string();
            // chrono prints years past 9999 with a '+' sign; Spark does not
            s.trim_start_matches('+').to_string()
        }
        None => format!("<date {days}>"),
    }
}

/// `yyyy-MM-dd HH:mm:ss[.ffffff]` with trailing zeros of the fraction dropped.
pub fn timestamp_to_string(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    match DateTime::from_timestamp(secs, 0) {
        Some(dt) => {
            let base = dt.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string();
            if frac == 0 {
                base
            } else {
                let f = format!("{frac:06}");
                format!("{base}.{}", f.trim_end_matches('0'))
            }
        }
        None => format!("<timestamp {micros}>"),
    }
}

/// Spark's `INTERVAL YEAR TO MONTH` value text: `1-2`, `-0-3`.
pub fn year_month_to_string(months: i32) -> String {
    let sign = if months < 0 { "-" } else { "" };
    let m = (months as i64).abs();
    format!("{sign}{}-{}", m / 12, m % 12)
}

/// Spark's `INTERVAL DAY TO SECOND` value text: `1 02:03:04.000000000`.
pub fn day_time_to_string(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let u = (micros as i128).abs();
    let days = u / 86_400_000_000;
    let rem = u % 86_400_000_000;
    let h = rem / 3_600_000_000;
    let m = (rem / 60_000_000) % 60;
    let s = (rem / 1_000_000) % 60;
    let f = rem % 1_000_000;
    format!("{sign}{days} {h:02}:{m:02}:{s:02}.{:09}", f * 1000)
}

/// Spark's `CalendarInterval.toString`: `1 years 2 months 3 days 4.5 seconds`.
pub fn calendar_interval_to_string(v: &IntervalMonthDayNano) -> String {
    let mut parts = Vec::new();
    let years = v.months / 12;
    let months = v.months % 12;
    if years != 0 {
        parts.push(format!("{years} years"));
    }
    if months != 0 {
        parts.push(format!("{months} months"));
    }
    if v.days != 0 {
        parts.push(format!("{} days", v.days));
    }
    let micros = v.nanoseconds / 1000;
    if micros != 0 {
        let hours = micros / 3_600_000_000;
        let mins = (micros / 60_000_000) % 60;
        let secs = micros % 60_000_000;
        if hours != 0 {
            parts.push(format!("{hours} hours"));
        }
        if mins != 0 {
            parts.push(format!("{mins} minutes"));
        }
        if secs != 0 {
            parts.push(format!(
                "{} seconds",
                decimal_to_string(secs as i128, 6).trim_end_matches('0').trim_end_matches('.')
            ));
        }
    }
    if parts.is_empty() {
        "0 seconds".into()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_like_java() {
        assert_eq!(java_double(1.0), "1.0");
        assert_eq!(java_double(0.1), "0.1");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(1.5e-5), "1.5E-5");
        assert_eq!(java_double(-0.0), "-0.0");
        assert_eq!(java_double(123456.789), "123456.789");
    }

    #[test]
    fn decimals_keep_scale() {
        assert_eq!(decimal_to_string(12345, 2), "123.45");
        assert_eq!(decimal_to_string(-5, 3), "-0.005");
        assert_eq!(decimal_to_string(0, 2), "0.00");
        assert_eq!(decimal_to_string(7, 0), "7");
    }

    #[test]
    fn dates_and_timestamps() {
        assert_eq!(date_to_string(0), "1970-01-01");
        assert_eq!(timestamp_to_string(1_500_000), "1970-01-01 00:00:01.5");
        assert_eq!(day_time_to_string(86_400_000_000 + 1_000_000), "1 00:00:01.000000000");
        assert_eq!(year_month_to_string(14), "1-2");
    }
}
