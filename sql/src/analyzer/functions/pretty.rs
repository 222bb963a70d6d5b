//! Spark's output names of calls whose name is not `f(args)`: defaults the
//! constructor fills in (`regexp_extract(s, p, 1)`), functions Spark names
//! after another one (`dateadd` -> `timestampadd`), operators (`(a div b)`,
//! `~a`) and upper-case pretty names (`REGEXP_LIKE`). Also the front-end
//! rewrite of the datetime unit keyword of `timestampadd`.

use ember_core::spec;
use ember_core::{Error, Result, ScalarValue};

/// The functions whose first argument is a datetime unit keyword, and the
/// name Spark reports them under.
fn unit_function(lower: &str) -> Option<&'static str> {
    match lower {
        "timestampadd" | "dateadd" | "date_add" | "timestamp_add" => Some("timestampadd"),
        "timestampdiff" | "datediff" | "date_diff" | "timediff" | "timestamp_diff" => Some("timestampdiff"),
        _ => None,
    }
}

/// The name of a call, given its lower-case name and the names of its
/// arguments; `None` when it is the plain `name(args)`.
pub fn pretty_call(lower: &str, args: &[String], distinct: bool) -> Option<String> {
    if distinct {
        return pretty_aggregate(lower, args, "DISTINCT ");
    }
    if let Some(n) = pretty_aggregate(lower, args, "") {
        return Some(n);
    }
    let list = |extra: &[&str]| {
        let mut v: Vec<String> = args.to_vec();
        v.extend(extra.iter().map(|s| s.to_string()));
        v.join(", ")
    };
    // math functions Spark names in upper case (their aliases keep the
    // spelling the query used)
    const UPPER: [&str; 30] = [
        "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "cos", "cosh", "cot", "csc", "degrees",
        "exp", "expm1", "hypot", "log10", "log1p", "log2", "pi", "e", "power", "radians", "sec", "signum", "sin",
        "sinh", "sqrt", "tan", "tanh",
    ];
    if UPPER.contains(&lower) || lower == "spark_partition_id" || (lower == "log" && args.len() == 2) {
        return Some(format!("{}({})", lower.to_ascii_uppercase(), args.join(", ")));
    }
    Some(match (lower, args.len()) {
        ("dateadd", 2) => format!("date_add({})", list(&[])),
        ("mode", 2) if args[1] == "false" => format!("mode({})", args[0]),
        ("to_unix_timestamp" | "unix_timestamp", 1) => format!("{lower}({})", list(&["yyyy-MM-dd HH:mm:ss"])),
        ("unix_timestamp", 0) => "unix_timestamp(current_timestamp(), yyyy-MM-dd HH:mm:ss)".to_string(),
        ("try_make_timestamp", 7) => format!("try_make_timestamp({})", args[..6].join(", ")),
        ("regexp_extract" | "regexp_extract_all", 2) => format!("{lower}({})", list(&["1"])),
        ("regexp_replace", 3) => format!("regexp_replace({})", list(&["1"])),
        ("regexp_instr", 2) => format!("regexp_instr({})", list(&["0"])),
        ("regexp_like", _) => format!("REGEXP_LIKE({})", list(&[])),
        ("regexp", _) => format!("REGEXP({})", list(&[])),
        ("rlike", _) => format!("RLIKE({})", list(&[])),
        ("overlay", 3) => format!("overlay({})", list(&["-1"])),
        ("sort_array", 1) => format!("sort_array({})", list(&["true"])),
        // ArrayAggregate's default finish is the identity lambda
        ("aggregate" | "reduce", 3) => {
            format!("{lower}({})", list(&["lambdafunction(namedlambdavariable(), namedlambdavariable())"]))
        }
        ("str_to_map", 1) => format!("str_to_map({})", list(&[",", ":"])),
        ("str_to_map", 2) => format!("str_to_map({})", list(&[":"])),
        ("make_interval", n) if n < 7 => format!("make_interval({})", defaults(args, 6, "0.000000")),
        ("make_dt_interval", n) if n < 4 => format!("make_dt_interval({})", defaults(args, 3, "0.000000")),
        ("make_ym_interval", n) if n < 2 => format!("make_ym_interval({})", defaults(args, 2, "0")),
        ("div", 2) => format!("({} div {})", args[0], args[1]),
        ("to_varchar", _) => format!("to_char({})", list(&[])),
        ("from_json", _) => format!("from_json({})", args[0]),
        ("extract", 2) => format!("extract({} FROM {})", args[0], args[1]),
        ("bitwise_not", 1) => format!("~{}", args[0]),
        ("isnull", 1) => format!("({} IS NULL)", args[0]),
        ("isnotnull", 1) => format!("({} IS NOT NULL)", args[0]),
        // the default pad: a space, or a zero byte for binary input (told
        // apart by the name alone: the names are made before typing)
        ("lpad" | "rpad", 2) => {
            let pad = if looks_binary(&args[0]) { "X'00'" } else { " " };
            format!("{lower}({})", list(&[pad]))
        }
        ("~", 1) => format!("~{}", args[0]),
        (_, 3) if unit_function(lower).is_some() => {
            let f = unit_function(lower)?;
            format!("{f}({}, {}, {})", args[0].to_ascii_uppercase(), args[1], args[2])
        }
        _ => return None,
    })
}

/// The given arguments, then `0` up to `ints` arguments, then `last`.
fn defaults(args: &[String], ints: usize, last: &str) -> String {
    let mut v: Vec<String> = args.to_vec();
    while v.len() < ints {
        v.push("0".into());
    }
    if v.len() == ints {
        v.push(last.into());
    }
    v.join(", ")
}

/// Aggregates whose constructor fills in a default argument.
fn pretty_aggregate(lower: &str, args: &[String], prefix: &str) -> Option<String> {
    let extra = match (lower, args.len()) {
        ("percentile", 2) => "1",
        ("percentile_approx" | "approx_percentile", 2) => "10000",
        ("listagg" | "string_agg", 1) => "NULL",
        // array_agg is collect_list
        ("array_agg", _) => return Some(format!("collect_list({prefix}{})", args.join(", "))),
        _ => return None,
    };
    Some(format!("{lower}({prefix}{}, {extra})", args.join(", ")))
}

fn looks_binary(name: &str) -> bool {
    ["unhex(", "X'", "to_binary(", "try_to_binary(", "encode(", "unbase64(", "binary("]
        .iter()
        .any(|p| name.starts_with(p))
        || (name.starts_with("CAST(") && name.ends_with(" AS BINARY)"))
}

pub(super) fn unit_error(unit: &str, function: &str) -> Error {
    super::spark_error(
        "INVALID_PARAMETER_VALUE.DATETIME_UNIT",
        "22023",
        "The value of parameter(s) <parameter> in <functionName> is invalid: expects one of the units without \
         quotes YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFYEAR, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND, but \
         got the string literal <invalidValue>.",
        &[
            ("functionName", format!("`{function}`")),
            ("parameter", "`unit`".into()),
            ("invalidValue", format!("'{unit}'")),
        ],
    )
}

/// `timestampadd(MONTH, 1, ts)`: the unit is a keyword, which the front end
/// reads as a column name; this turns it into a string constant before the
/// arguments are resolved. A quoted unit is an error, as in Spark.
pub fn datetime_unit_args(lower: &str, args: &[spec::Expr]) -> Result<Option<Vec<spec::Expr>>> {
    // the DataFrame functions (`timestamp_add`) pass the unit as a string
    if args.len() != 3 || unit_function(lower).is_none() || lower.starts_with("timestamp_") {
        return Ok(None);
    }
    match &args[0] {
        spec::Expr::Column { name, span } if name.len() == 1 => {
            let mut out = args.to_vec();
            out[0] = spec::Expr::Literal { value: ScalarValue::Utf8(Some(name[0].to_ascii_uppercase())), span: *span };
            Ok(Some(out))
        }
        // a quoted unit written in SQL is a parse error in Spark; the
        // DataFrame API sends the unit as a literal (without a span)
        spec::Expr::Literal { value: ScalarValue::Utf8(Some(u)), span: Some(_) } => Err(unit_error(u, lower)),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_defaults() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(pretty_call("regexp_extract", &a(&["s", "p"]), false).as_deref(), Some("regexp_extract(s, p, 1)"));
        assert_eq!(pretty_call("regexp_extract", &a(&["s", "p", "2"]), false), None);
        assert_eq!(
            pretty_call("dateadd", &a(&["microsecond", "1", "t"]), false).as_deref(),
            Some("timestampadd(MICROSECOND, 1, t)")
        );
        assert_eq!(pretty_call("date_add", &a(&["d", "1"]), false), None);
        assert_eq!(pretty_call("div", &a(&["a", "b"]), false).as_deref(), Some("(a div b)"));
        assert_eq!(
            pretty_call("percentile_approx", &a(&["a", "0.8"]), true).as_deref(),
            Some("percentile_approx(DISTINCT a, 0.8, 10000)")
        );
        assert_eq!(pretty_call("percentile", &a(&["v", "0.5"]), false).as_deref(), Some("percentile(v, 0.5, 1)"));
        // a unit keyword becomes a string; a quoted one is an error only in SQL text
        let col = spec::Expr::Column { name: vec!["month".into()], span: None };
        let one = spec::Expr::Literal { value: ScalarValue::Int32(Some(1)), span: None };
        let unit = datetime_unit_args("timestampadd", &[col, one.clone(), one.clone()]).unwrap().unwrap();
        assert!(matches!(&unit[0], spec::Expr::Literal { value: ScalarValue::Utf8(Some(u)), .. } if u == "MONTH"));
        let lit = |span| spec::Expr::Literal { value: ScalarValue::Utf8(Some("year".into())), span };
        assert!(datetime_unit_args("timestampadd", &[lit(None), one.clone(), one.clone()]).unwrap().is_none());
        assert!(datetime_unit_args("dateadd", &[lit(Some(ember_core::Span::new(0, 1))), one.clone(), one]).is_err());
    }
}
