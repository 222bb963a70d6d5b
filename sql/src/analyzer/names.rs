//! Spark's output names for unaliased select items (`toPrettySQL`), computed
//! from the unresolved expression: Spark names an expression before type
//! coercion inserts casts, and keeps the function name the user wrote
//! (`substr`, `mean`, `ucase`).

use ember_core::spec::{BinaryOp, CastMode, Expr, LikeKind};
use ember_core::types::spark_sql_type_name;

/// Functions that are a cast to the type they are named after.
const CAST_FUNCTIONS: &[&str] = &[
    "boolean",
    "tinyint",
    "smallint",
    "int",
    "bigint",
    "float",
    "double",
    "decimal",
    "string",
    "date",
    "timestamp",
    "binary",
];

/// The pretty name of `e`; `column` maps a column reference to the name of
/// the attribute it resolves to.
pub fn pretty_name(e: &Expr, column: &dyn Fn(&[String]) -> String) -> String {
    let r = |x: &Expr| pretty_name(x, column);
    let list = |v: &[Expr]| v.iter().map(r).collect::<Vec<_>>().join(", ");
    match e {
        Expr::Column { name, .. } => column(name),
        Expr::Star { qualifier, .. } => match qualifier {
            Some(q) => format!("{}.*", q.join(".")),
            None => "*".into(),
        },
        Expr::Literal { value, .. } => ember_core::Expr::Literal(value.clone()).sql_name(),
        Expr::Alias { name, .. } => name.clone(),
        Expr::Function { name, args, distinct, .. } => {
            let lower = name.to_ascii_lowercase();
            let shown: Vec<String> = args.iter().map(r).collect();
            if let Some(n) = super::functions::pretty_call(&lower, &shown, *distinct) {
                return n;
            }
            if lower == "if" && args.len() == 3 {
                return format!("(IF({}))", list(args));
            }
            // the cast functions (`int(x)`, ...) build a Cast that is not
            // user-specified, and toPrettySQL shows only its child
            if args.len() == 1 && !*distinct && CAST_FUNCTIONS.contains(&lower.as_str()) {
                return r(&args[0]);
            }
            // defaults the constructor fills in are part of the name
            if matches!(lower.as_str(), "substr" | "substring") && args.len() == 2 {
                return format!("{lower}({}, 2147483647)", list(args));
            }
            if matches!(lower.as_str(), "locate" | "position") && args.len() == 2 {
                return format!("{lower}({}, 1)", list(args));
            }
            if lower == "split" && args.len() == 2 {
                return format!("split({}, -1)", list(args));
            }
            if lower == "mask" && (1..5).contains(&args.len()) {
                let defaults = ["X", "x", "n", "NULL"];
                let mut parts: Vec<String> = args.iter().map(r).collect();
                parts.extend(defaults[args.len() - 1..].iter().map(|d| d.to_string()));
                return format!("mask({})", parts.join(", "));
            }
            // UnaryPositive
            if lower == "positive" && args.len() == 1 {
                return format!("(+ {})", r(&args[0]));
            }
            if lower == "replace" && args.len() == 2 {
                return format!("replace({}, )", list(args));
            }
            // StringTrim* with a trim string show the SQL syntax
            if args.len() == 2 && !*distinct {
                let direction = match lower.as_str() {
                    "trim" => Some("BOTH"),
                    "ltrim" => Some("LEADING"),
                    "rtrim" => Some("TRAILING"),
                    _ => None,
                };
                if let Some(d) = direction {
                    return format!("TRIM({d} {} FROM {})", r(&args[1]), r(&args[0]));
                }
            }
            // one-argument `ceil` / `floor` are Ceil / Floor nodes, whose
            // name is upper case (`ceiling` keeps its alias)
            if matches!(lower.as_str(), "ceil" | "floor") && args.len() == 1 && !*distinct {
                return format!("{}({})", lower.to_ascii_uppercase(), list(args));
            }
            // count(*) is named count(1)
            let star = args.is_empty() || (args.len() == 1 && matches!(args[0], Expr::Star { qualifier: None, .. }));
            let shown = if star && lower == "count" { "1".to_string() } else { list(args) };
            format!("{lower}({}{shown})", if *distinct { "DISTINCT " } else { "" })
        }
        Expr::Binary { op: BinaryOp::Concat, left, right, .. } => format!("concat({}, {})", r(left), r(right)),
        // the parser makes `a != b` and `a <> b` Not(EqualTo(a, b))
        Expr::Binary { op: BinaryOp::NotEq, left, right, .. } => format!("(NOT ({} = {}))", r(left), r(right)),
        Expr::Binary { op, left, right, .. } => format!("({} {} {})", r(left), op.symbol(), r(right)),
        Expr::Not { expr, .. } => format!("(NOT {})", r(expr)),
        Expr::Negative { expr, .. } => format!("(- {})", r(expr)),
        Expr::IsNull { expr, negated } => {
            format!("({} IS {}NULL)", r(expr), if *negated { "NOT " } else { "" })
        }
        Expr::IsBool { expr, value, negated } => {
            let inner = match value {
                Some(b) => format!("({} <=> {})", r(expr), b),
                None => format!("({} IS NULL)", r(expr)),
            };
            match (value, negated) {
                (_, false) => inner,
                (None, true) => format!("({} IS NOT NULL)", r(expr)),
                (Some(_), true) => format!("(NOT {inner})"),
            }
        }
        // a `TIMESTAMP '...'` literal of the session zone (frontend/literal.rs)
        Expr::Cast { expr, to: arrow_schema::DataType::Timestamp(_, Some(_)), span: None, .. }
            if matches!(
                **expr,
                Expr::Literal { value: ember_core::scalar::ScalarValue::TimestampNtz(Some(_)), .. }
            ) =>
        {
            format!("TIMESTAMP{}", r(expr).trim_start_matches("TIMESTAMP_NTZ"))
        }
        Expr::Cast { expr, to, mode, .. } => {
            let f = if *mode == CastMode::Try { "TRY_CAST" } else { "CAST" };
            format!("{f}({} AS {})", r(expr), spark_sql_type_name(to))
        }
        Expr::Case { operand, branches, else_expr, .. } => {
            let mut s = String::from("CASE");
            if let Some(o) = operand {
                s.push_str(&format!(" {}", r(o)));
            }
            for (w, t) in branches {
                s.push_str(&format!(" WHEN {} THEN {}", r(w), r(t)));
            }
            if let Some(x) = else_expr {
                s.push_str(&format!(" ELSE {}", r(x)));
            }
            s.push_str(" END");
            s
        }
        Expr::Between { expr, low, high, negated } => {
            // Spark 4's Between is a function-style expression
            let s = format!("between({}, {}, {})", r(expr), r(low), r(high));
            if *negated {
                format!("(NOT {s})")
            } else {
                s
            }
        }
        Expr::InList { expr, list: items, negated } => {
            let s = format!("({} IN ({}))", r(expr), list(items));
            if *negated {
                format!("(NOT {s})")
            } else {
                s
            }
        }
        Expr::InSubquery { expr, negated, .. } => {
            let s = format!("({} IN (listquery()))", r(expr));
            if *negated {
                format!("(NOT {s})")
            } else {
                s
            }
        }
        Expr::Exists { negated, .. } => {
            if *negated {
                "(NOT exists())".into()
            } else {
                "exists()".into()
            }
        }
        Expr::ScalarSubquery { .. } => "scalarsubquery()".into(),
        Expr::Like { expr, pattern, negated, kind, .. } => {
            let s = match kind {
                LikeKind::Like => format!("{} LIKE {}", r(expr), r(pattern)),
                LikeKind::ILike => format!("ilike({}, {})", r(expr), r(pattern)),
                LikeKind::RLike => format!("RLIKE({}, {})", r(expr), r(pattern)),
            };
            if *negated {
                format!("(NOT {s})")
            } else {
                s
            }
        }
        Expr::Extract { field, expr, .. } => {
            format!("extract({} FROM {})", field.to_ascii_uppercase(), r(expr))
        }
        Expr::Parameter { name } => format!(":{name}"),
        Expr::Window { .. } => super::window::window_name(e, column),
        Expr::Lambda { params, body, .. } => super::lambda::lambda_name(params, body, column),
    }
}
