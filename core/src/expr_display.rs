//! Text forms of resolved expressions: Spark's pretty SQL (output column
//! names) and the EXPLAIN form (with column ids).

use crate::expr::{AggregateCall, BinaryOp, EvalMode, Expr, FrameBound, WindowExpr, WindowFrame, WindowFunction};
use crate::scalar::ScalarValue;
use crate::spec::FrameUnits;
use crate::types::spark_sql_type_name;

/// Spark's `toPrettySQL`: attributes by name, literals by value.
pub fn pretty_sql(e: &Expr) -> String {
    render(e, false)
}

/// The EXPLAIN form: attributes as `name#id`.
pub fn explain_sql(e: &Expr) -> String {
    render(e, true)
}

fn pretty_literal(v: &ScalarValue) -> String {
    if v.is_null() {
        return "NULL".into();
    }
    match v {
        ScalarValue::Utf8(Some(s)) => s.clone(),
        ScalarValue::Int8(Some(x)) => x.to_string(),
        ScalarValue::Int16(Some(x)) => x.to_string(),
        ScalarValue::Int32(Some(x)) => x.to_string(),
        ScalarValue::Int64(Some(x)) => x.to_string(),
        ScalarValue::Float32(Some(x)) => crate::format::java_float(*x),
        ScalarValue::Float64(Some(x)) => crate::format::java_double(*x),
        ScalarValue::Decimal(Some(x), _, s) => crate::format::decimal_to_string(*x, *s),
        other => other.to_string(),
    }
}

fn render(e: &Expr, ids: bool) -> String {
    let r = |x: &Expr| render(x, ids);
    match e {
        Expr::Column(a) => {
            if ids {
                format!("{}#{}", a.name, a.id)
            } else {
                a.name.clone()
            }
        }
        Expr::OuterColumn(a) => {
            if ids {
                format!("outer({}#{})", a.name, a.id)
            } else {
                format!("outer({})", a.name)
            }
        }
        Expr::Literal(v) => {
            if ids {
                v.to_string()
            } else {
                pretty_literal(v)
            }
        }
        Expr::Alias { expr, name, id } => {
            if ids {
                format!("{} AS {}#{}", r(expr), name, id)
            } else {
                name.clone()
            }
        }
        Expr::Binary { op, left, right, .. } => format!("({} {} {})", r(left), op.symbol(), r(right)),
        Expr::Not(x) => format!("(NOT {})", r(x)),
        Expr::Negative { expr, .. } => format!("(- {})", r(expr)),
        Expr::IsNull(x) => format!("({} IS NULL)", r(x)),
        Expr::IsNotNull(x) => format!("({} IS NOT NULL)", r(x)),
        Expr::Cast { expr, to, mode } => {
            let f = if *mode == EvalMode::Try { "TRY_CAST" } else { "CAST" };
            format!("{f}({} AS {})", r(expr), spark_sql_type_name(to))
        }
        Expr::Case { branches, else_expr, .. } => {
            let mut s = String::from("CASE");
            for (w, t) in branches {
                s.push_str(&format!(" WHEN {} THEN {}", r(w), r(t)));
            }
            if let Some(x) = else_expr {
                s.push_str(&format!(" ELSE {}", r(x)));
            }
            s.push_str(" END");
            s
        }
        Expr::InList { expr, list, negated } => {
            let items = list.iter().map(r).collect::<Vec<_>>().join(", ");
            if *negated {
                format!("(NOT ({} IN ({})))", r(expr), items)
            } else {
                format!("({} IN ({}))", r(expr), items)
            }
        }
        Expr::Like { expr, pattern, negated, case_insensitive, regex, .. } => {
            let kw = if *regex {
                "RLIKE"
            } else if *case_insensitive {
                "ILIKE"
            } else {
                "LIKE"
            };
            let s = format!("{} {} {}", r(expr), kw, r(pattern));
            if *negated {
                format!("(NOT {s})")
            } else {
                s
            }
        }
        Expr::ScalarFunction { name, args, .. } => {
            format!("{}({})", name, args.iter().map(r).collect::<Vec<_>>().join(", "))
        }
        Expr::Aggregate(a) => render_aggregate(a, ids),
        Expr::Window(w) => render_window(w, ids),
        // Spark prints a lambda variable as `namedlambdavariable()` (its
        // name is generated for DataFrame lambdas); EXPLAIN shows `lambda x#id`
        Expr::Lambda { params, body } => {
            let mut parts = vec![r(body)];
            parts.extend(params.iter().map(|p| r(&Expr::LambdaVariable(p.clone()))));
            format!("lambdafunction({})", parts.join(", "))
        }
        Expr::LambdaVariable(a) => {
            if ids {
                format!("lambda {}#{}", a.name, a.id)
            } else {
                "namedlambdavariable()".into()
            }
        }
        Expr::ScalarSubquery { .. } => "scalarsubquery()".into(),
        Expr::InSubquery { expr, negated, .. } => {
            if *negated {
                format!("(NOT ({} IN (listquery())))", r(expr))
            } else {
                format!("({} IN (listquery()))", r(expr))
            }
        }
        Expr::Exists { negated, .. } => {
            if *negated {
                "(NOT exists())".into()
            } else {
                "exists()".into()
            }
        }
    }
}

fn render_aggregate(a: &AggregateCall, ids: bool) -> String {
    let r = |x: &Expr| render(x, ids);
    let args = if a.args.is_empty() { "1".to_string() } else { a.args.iter().map(r).collect::<Vec<_>>().join(", ") };
    let mut s = format!("{}({}{})", a.display_name, if a.distinct { "DISTINCT " } else { "" }, args);
    if let Some(f) = &a.filter {
        s.push_str(&format!(" FILTER (WHERE {})", r(f)));
    }
    s
}

/// `f(...) OVER (PARTITION BY .. ORDER BY .. frame)`, in Spark's words.
fn render_window(w: &WindowExpr, ids: bool) -> String {
    let r = |x: &Expr| render(x, ids);
    let function = match &w.function {
        WindowFunction::Aggregate(a) => render_aggregate(a, ids),
        WindowFunction::RowNumber => "row_number()".into(),
        WindowFunction::Rank => "RANK()".into(),
        WindowFunction::DenseRank => "DENSE_RANK()".into(),
        WindowFunction::PercentRank => "PERCENT_RANK()".into(),
        WindowFunction::CumeDist => "cume_dist()".into(),
        WindowFunction::Ntile(n) => format!("ntile({n})"),
        WindowFunction::Offset { input, offset, default, lag, .. } => {
            let (name, n) = if *lag { ("lag", -offset) } else { ("lead", *offset) };
            format!("{name}({}, {n}, {})", r(input), r(default))
        }
        WindowFunction::NthValue { input, n, .. } => format!("nth_value({}, {n})", r(input)),
    };
    let mut spec = Vec::new();
    if !w.partition_by.is_empty() {
        spec.push(format!("PARTITION BY {}", w.partition_by.iter().map(r).collect::<Vec<_>>().join(", ")));
    }
    if !w.order_by.is_empty() {
        let keys = w
            .order_by
            .iter()
            .map(|o| {
                format!(
                    "{} {} NULLS {}",
                    r(&o.expr),
                    if o.ascending { "ASC" } else { "DESC" },
                    if o.nulls_first { "FIRST" } else { "LAST" }
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        spec.push(format!("ORDER BY {keys}"));
    }
    spec.push(render_frame(&w.frame));
    format!("{function} OVER ({})", spec.join(" "))
}

fn render_frame(f: &WindowFrame) -> String {
    let bound = |b: &FrameBound| match b {
        FrameBound::UnboundedPreceding => "UNBOUNDED PRECEDING".to_string(),
        FrameBound::UnboundedFollowing => "UNBOUNDED FOLLOWING".to_string(),
        FrameBound::CurrentRow => "CURRENT ROW".to_string(),
        FrameBound::Rows(n) => format!("{n} FOLLOWING"),
        FrameBound::Range { offset, .. } => format!("{} FOLLOWING", pretty_literal(offset)),
    };
    let units = match f.units {
        FrameUnits::Rows => "ROWS",
        FrameUnits::Range => "RANGE",
    };
    format!("{units} BETWEEN {} AND {}", bound(&f.start), bound(&f.end))
}

impl BinaryOp {
    /// The operator with its operands swapped, for comparisons (`a < b` is `b > a`).
    pub fn swap(&self) -> Option<BinaryOp> {
        Some(match self {
            BinaryOp::Eq => BinaryOp::Eq,
            BinaryOp::EqNullSafe => BinaryOp::EqNullSafe,
            BinaryOp::NotEq => BinaryOp::NotEq,
            BinaryOp::Lt => BinaryOp::Gt,
            BinaryOp::LtEq => BinaryOp::GtEq,
            BinaryOp::Gt => BinaryOp::Lt,
            BinaryOp::GtEq => BinaryOp::LtEq,
            _ => return None,
        })
    }
}
