//! Unit tests of the SQL front end, against Spark's parser behaviour.

use arrow_schema::DataType;
use ember_core::scalar::ScalarValue;
use ember_core::spec::*;
use ember_core::Error;

use super::*;

fn query(sql: &str) -> Plan {
    match parse_statement(sql) {
        Ok(Statement::Query(p)) => p,
        other => panic!("not a query: {other:?}"),
    }
}

/// The SELECT list of `SELECT <list>` (no FROM).
fn select_list(sql: &str) -> Vec<Expr> {
    match query(sql) {
        Plan::Project { exprs, .. } | Plan::Aggregate { exprs, .. } => exprs,
        other => panic!("unexpected plan {other:?}"),
    }
}

fn expr(e: &str) -> Expr {
    select_list(&format!("SELECT {e}")).remove(0)
}

fn lit(e: &str) -> ScalarValue {
    match expr(e) {
        Expr::Literal { value, .. } => value,
        other => panic!("not a literal: {other:?}"),
    }
}

fn err(sql: &str) -> Error {
    match parse_sql(sql) {
        Err(e) => e,
        Ok(s) => panic!("parsed: {s:?}"),
    }
}

fn syntax_error_at(sql: &str) -> (String, String, (usize, usize)) {
    match err(sql) {
        Error::Spark(e) => {
            assert_eq!(e.error_class, "PARSE_SYNTAX_ERROR", "{e:?}");
            let span = e.span.expect("span");
            (e.parameters[0].1.clone(), e.parameters[1].1.clone(), (span.start, span.end))
        }
        other => panic!("{other:?}"),
    }
}

fn col<'a>(name: &'a [&'a str]) -> impl Fn(&Expr) -> bool + 'a {
    move |e| matches!(e, Expr::Column { name: n, .. } if n.iter().map(String::as_str).eq(name.iter().copied()))
}

// ------------------------------------------------------------------ literals

#[test]
fn integer_literals_are_typed_like_spark() {
    assert_eq!(lit("1"), ScalarValue::Int32(Some(1)));
    assert_eq!(lit("2147483647"), ScalarValue::Int32(Some(i32::MAX)));
    assert_eq!(lit("2147483648"), ScalarValue::Int64(Some(2147483648)));
    assert_eq!(lit("-2147483648"), ScalarValue::Int32(Some(i32::MIN)));
    assert_eq!(lit("9223372036854775808"), ScalarValue::Decimal(Some(9223372036854775808), 19, 0));
    assert_eq!(lit("10L"), ScalarValue::Int64(Some(10)));
    assert_eq!(lit("-10L"), ScalarValue::Int64(Some(-10)));
    assert_eq!(lit("10S"), ScalarValue::Int16(Some(10)));
    assert_eq!(lit("10Y"), ScalarValue::Int8(Some(10)));
    assert_eq!(lit("-128Y"), ScalarValue::Int8(Some(-128)));
    assert!(
        matches!(parse_sql("SELECT 128Y"), Err(Error::Spark(e)) if e.error_class == "INVALID_NUMERIC_LITERAL_RANGE")
    );
}

#[test]
fn fractional_literals_are_decimals_or_doubles() {
    assert_eq!(lit("1.5"), ScalarValue::Decimal(Some(15), 2, 1));
    assert_eq!(lit("0.05"), ScalarValue::Decimal(Some(5), 2, 2));
    assert_eq!(lit("-123.450"), ScalarValue::Decimal(Some(-123450), 6, 3));
    assert_eq!(lit("1.5BD"), ScalarValue::Decimal(Some(15), 2, 1));
    assert_eq!(lit("1e3"), ScalarValue::Float64(Some(1000.0)));
    assert_eq!(lit("1.5D"), ScalarValue::Float64(Some(1.5)));
    assert_eq!(lit("2D"), ScalarValue::Float64(Some(2.0)));
    assert_eq!(lit("1.5F"), ScalarValue::Float32(Some(1.5)));
    assert_eq!(lit("1e3BD"), ScalarValue::Decimal(Some(1000), 4, 0));
    assert_eq!(lit("1.25e1BD"), ScalarValue::Decimal(Some(125), 3, 1));
}

#[test]
fn string_and_other_literals() {
    assert_eq!(lit("'it''s'"), ScalarValue::Utf8(Some("it's".into())));
    assert_eq!(lit("\"double\""), ScalarValue::Utf8(Some("double".into())));
    assert_eq!(lit(r"'a\tb\'c'"), ScalarValue::Utf8(Some("a\tb'c".into())));
    assert_eq!(lit("true"), ScalarValue::Boolean(Some(true)));
    assert_eq!(lit("FALSE"), ScalarValue::Boolean(Some(false)));
    assert_eq!(lit("null"), ScalarValue::Null);
    assert_eq!(lit("X'0aFF'"), ScalarValue::Binary(Some(vec![0x0a, 0xff])));
    assert_eq!(expr(":limit"), Expr::Parameter { name: "limit".into() });
    assert_eq!(expr("?"), Expr::Parameter { name: "?".into() });
}

#[test]
fn datetime_literals() {
    assert_eq!(lit("DATE '1970-01-02'"), ScalarValue::Date(Some(1)));
    assert_eq!(lit("date '1998-12-01'"), ScalarValue::Date(Some(10561)));
    // without a zone: a wall-clock time the session zone turns into an instant when the query runs
    assert!(matches!(
        expr("TIMESTAMP '1970-01-01 00:00:01.5'"),
        Expr::Cast { expr, to: DataType::Timestamp(_, Some(_)), span: None, .. }
            if matches!(*expr, Expr::Literal { value: ScalarValue::TimestampNtz(Some(1_500_000)), .. })
    ));
    assert_eq!(lit("TIMESTAMP '1970-01-01T01:00:00+01:00'"), ScalarValue::Timestamp(Some(0)));
    assert_eq!(lit("TIMESTAMP_NTZ '1970-01-01 00:01:00'"), ScalarValue::TimestampNtz(Some(60_000_000)));
    assert!(
        matches!(parse_sql("SELECT DATE '2020-13-01'"), Err(Error::Spark(e)) if e.error_class == "INVALID_TYPED_LITERAL")
    );
}

#[test]
fn interval_literals() {
    const DAY: i64 = 86_400_000_000;
    assert_eq!(lit("INTERVAL '90' DAY"), ScalarValue::IntervalDayTime(Some(90 * DAY)));
    assert_eq!(lit("interval 3 month"), ScalarValue::IntervalYearMonth(Some(3)));
    assert_eq!(lit("INTERVAL '1' YEAR"), ScalarValue::IntervalYearMonth(Some(12)));
    assert_eq!(lit("INTERVAL '1-2' YEAR TO MONTH"), ScalarValue::IntervalYearMonth(Some(14)));
    assert_eq!(lit("INTERVAL '-1-2' YEAR TO MONTH"), ScalarValue::IntervalYearMonth(Some(-14)));
    assert_eq!(
        lit("INTERVAL '1 2:3:4' DAY TO SECOND"),
        ScalarValue::IntervalDayTime(Some(DAY + ((2 * 60 + 3) * 60 + 4) * 1_000_000))
    );
    assert_eq!(lit("INTERVAL '10:30' HOUR TO MINUTE"), ScalarValue::IntervalDayTime(Some(630 * 60_000_000)));
    assert_eq!(lit("INTERVAL 1 YEAR 2 MONTHS"), ScalarValue::IntervalYearMonth(Some(14)));
    assert_eq!(lit("INTERVAL 2 DAYS 3 HOURS"), ScalarValue::IntervalDayTime(Some(2 * DAY + 3 * 3_600_000_000)));
    assert_eq!(lit("INTERVAL 1.5 SECONDS"), ScalarValue::IntervalDayTime(Some(1_500_000)));
    assert!(matches!(lit("INTERVAL 1 MONTH 2 DAYS"), ScalarValue::CalendarInterval(Some(_))));
    assert!(matches!(lit("INTERVAL '1 day 2 hours'"), ScalarValue::CalendarInterval(Some(_))));
    // an interval inside arithmetic
    let e = expr("date '1996-01-01' + interval '3' month");
    assert!(matches!(e, Expr::Binary { op: BinaryOp::Plus, right, .. }
        if matches!(*right, Expr::Literal { value: ScalarValue::IntervalYearMonth(Some(3)), .. })));
}

// --------------------------------------------------------------- expressions

#[test]
fn binary_operators() {
    let cases = [
        ("a + b", BinaryOp::Plus),
        ("a - b", BinaryOp::Minus),
        ("a * b", BinaryOp::Multiply),
        ("a / b", BinaryOp::Divide),
        ("a % b", BinaryOp::Modulo),
        ("a div b", BinaryOp::IntDivide),
        ("a = b", BinaryOp::Eq),
        ("a == b", BinaryOp::Eq),
        ("a != b", BinaryOp::NotEq),
        ("a <> b", BinaryOp::NotEq),
        ("a < b", BinaryOp::Lt),
        ("a <= b", BinaryOp::LtEq),
        ("a > b", BinaryOp::Gt),
        ("a >= b", BinaryOp::GtEq),
        ("a <=> b", BinaryOp::EqNullSafe),
        ("a AND b", BinaryOp::And),
        ("a OR b", BinaryOp::Or),
        ("a || b", BinaryOp::Concat),
        ("a & b", BinaryOp::BitAnd),
        ("a | b", BinaryOp::BitOr),
        ("a ^ b", BinaryOp::BitXor),
    ];
    for (sql, op) in cases {
        match expr(sql) {
            Expr::Binary { op: got, left, right, .. } => {
                assert_eq!(got, op, "{sql}");
                assert!(col(&["a"])(&left) && col(&["b"])(&right), "{sql}");
            }
            other => panic!("{sql}: {other:?}"),
        }
    }
}

#[test]
fn precedence() {
    // `*` binds tighter than `+`; `||` ranks with `+` (left to right)
    assert!(matches!(expr("a + b * c"), Expr::Binary { op: BinaryOp::Plus, .. }));
    assert!(matches!(expr("a || b + c"), Expr::Binary { op: BinaryOp::Plus, .. }));
    assert!(matches!(expr("a || b * c"), Expr::Binary { op: BinaryOp::Concat, .. }));
    assert!(matches!(expr("a = 1 OR b = 2 AND c"), Expr::Binary { op: BinaryOp::Or, .. }));
    assert!(matches!(expr("NOT a = b"), Expr::Not { .. }));
}

#[test]
fn predicates() {
    assert!(matches!(expr("a IS NULL"), Expr::IsNull { negated: false, .. }));
    assert!(matches!(expr("a IS NOT NULL"), Expr::IsNull { negated: true, .. }));
    assert!(matches!(expr("a IS TRUE"), Expr::IsBool { value: Some(true), negated: false, .. }));
    assert!(matches!(expr("a IS NOT FALSE"), Expr::IsBool { value: Some(false), negated: true, .. }));
    assert!(matches!(expr("a IS UNKNOWN"), Expr::IsBool { value: None, negated: false, .. }));
    assert!(matches!(expr("a NOT BETWEEN 1 AND 2"), Expr::Between { negated: true, .. }));
    assert!(matches!(expr("a IN (1, 2, 3)"), Expr::InList { negated: false, list, .. } if list.len() == 3));
    assert!(matches!(expr("a NOT IN (1)"), Expr::InList { negated: true, .. }));
    assert!(matches!(expr("a LIKE 'x%'"), Expr::Like { kind: LikeKind::Like, negated: false, escape: None, .. }));
    assert!(matches!(expr("a NOT LIKE 'x!%' ESCAPE '!'"), Expr::Like { negated: true, escape: Some('!'), .. }));
    assert!(matches!(expr("a ILIKE 'x'"), Expr::Like { kind: LikeKind::ILike, .. }));
    assert!(matches!(expr("a RLIKE 'x+'"), Expr::Like { kind: LikeKind::RLike, .. }));
    assert!(matches!(expr("a REGEXP 'x+'"), Expr::Like { kind: LikeKind::RLike, .. }));
    assert!(matches!(expr("a IS DISTINCT FROM b"), Expr::Not { .. }));
}

#[test]
fn case_and_casts() {
    match expr("CASE a WHEN 1 THEN 'x' WHEN 2 THEN 'y' ELSE 'z' END") {
        Expr::Case { operand: Some(_), branches, else_expr: Some(_), .. } => assert_eq!(branches.len(), 2),
        other => panic!("{other:?}"),
    }
    assert!(matches!(expr("CASE WHEN a THEN 1 END"), Expr::Case { operand: None, else_expr: None, .. }));
    let types = [
        ("int", DataType::Int32),
        ("bigint", DataType::Int64),
        ("long", DataType::Int64),
        ("decimal(15, 2)", DataType::Decimal128(15, 2)),
        ("string", DataType::Utf8),
        ("varchar(10)", DataType::Utf8),
        ("double", DataType::Float64),
        ("date", DataType::Date32),
        ("boolean", DataType::Boolean),
        ("tinyint", DataType::Int8),
        ("timestamp", ember_core::types::timestamp_type()),
        ("timestamp_ntz", ember_core::types::timestamp_ntz_type()),
    ];
    for (t, dt) in types {
        assert!(
            matches!(expr(&format!("CAST(a AS {t})")), Expr::Cast { to, mode: CastMode::Default, .. } if to == dt),
            "{t}"
        );
    }
    assert!(matches!(expr("a::bigint"), Expr::Cast { to: DataType::Int64, mode: CastMode::Default, .. }));
    assert!(matches!(expr("try_cast(a AS int)"), Expr::Cast { to: DataType::Int32, mode: CastMode::Try, .. }));
    assert!(matches!(err("SELECT CAST(a AS foo)"), Error::Spark(e) if e.error_class == "UNSUPPORTED_DATATYPE"));
}

fn func(e: &Expr) -> (&str, usize, bool) {
    match e {
        Expr::Function { name, args, distinct, .. } => (name.as_str(), args.len(), *distinct),
        other => panic!("{other:?}"),
    }
}

#[test]
fn functions() {
    assert_eq!(func(&expr("count(*)")), ("count", 0, false));
    assert_eq!(func(&expr("COUNT(DISTINCT a)")), ("count", 1, true));
    assert_eq!(func(&expr("Upper(a)")), ("upper", 1, false));
    assert_eq!(func(&expr("substring(a FROM 2 FOR 3)")), ("substring", 3, false));
    assert_eq!(func(&expr("substring(a, 2, 3)")), ("substring", 3, false));
    assert_eq!(func(&expr("substr(a, 2)")), ("substr", 2, false));
    assert_eq!(func(&expr("trim(a)")), ("trim", 1, false));
    assert_eq!(func(&expr("trim(BOTH 'x' FROM a)")), ("trim", 2, false));
    assert_eq!(func(&expr("trim(LEADING 'x' FROM a)")), ("ltrim", 2, false));
    assert_eq!(func(&expr("trim(TRAILING 'x' FROM a)")), ("rtrim", 2, false));
    assert_eq!(func(&expr("position('b' IN a)")), ("locate", 2, false));
    assert_eq!(func(&expr("coalesce(a, b, 1)")), ("coalesce", 3, false));
    match expr("trim(BOTH 'x' FROM a)") {
        Expr::Function { args, .. } => assert!(col(&["a"])(&args[0])),
        _ => unreachable!(),
    }
    match expr("EXTRACT(YEAR FROM d)") {
        Expr::Extract { field, expr, .. } => {
            assert_eq!(field, "year");
            assert!(col(&["d"])(&expr));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(expr("extract(dayofweek from d)"), Expr::Extract { field, .. } if field == "dayofweek"));
    // FILTER (WHERE) becomes a CASE inside the aggregate
    match expr("sum(a) FILTER (WHERE b > 1)") {
        Expr::Function { name, args, .. } => {
            assert_eq!(name, "sum");
            assert!(matches!(&args[0], Expr::Case { branches, .. } if branches.len() == 1));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn windows() {
    use ember_core::spec::{FrameBound, FrameUnits};
    match expr("sum(a) OVER (PARTITION BY b ORDER BY c DESC ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)") {
        Expr::Window { function, partition_by, order_by, frame: Some(f), .. } => {
            assert!(matches!(function.as_ref(), Expr::Function { name, .. } if name == "sum"));
            assert!(col(&["b"])(&partition_by[0]));
            assert!(!order_by[0].ascending);
            assert_eq!(f.units, FrameUnits::Rows);
            assert!(matches!(&f.start, FrameBound::Preceding(v) if matches!(v.as_ref(), Expr::Literal { .. })));
            assert_eq!(f.end, FrameBound::CurrentRow);
        }
        other => panic!("{other:?}"),
    }
    // the short form ends at the current row; no frame is Spark's default
    match expr("count(*) OVER (ORDER BY c RANGE UNBOUNDED PRECEDING)") {
        Expr::Window { frame: Some(f), .. } => {
            assert_eq!(
                (f.units, f.start, f.end),
                (FrameUnits::Range, FrameBound::UnboundedPreceding, FrameBound::CurrentRow)
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(expr("row_number() OVER ()"), Expr::Window { frame: None, .. }));
    // IGNORE NULLS of the offset functions becomes their last argument
    match expr("lag(a) IGNORE NULLS OVER (ORDER BY c)") {
        Expr::Window { function, .. } => {
            assert!(matches!(function.as_ref(), Expr::Function { args, .. } if args.len() == 4))
        }
        other => panic!("{other:?}"),
    }
    // named windows are substituted; an unknown one is Spark's error
    match query("SELECT sum(a) OVER w, rank() OVER (w) FROM t WINDOW w AS (PARTITION BY b)") {
        Plan::Project { exprs, .. } => {
            for e in exprs {
                assert!(matches!(e, Expr::Window { partition_by, .. } if partition_by.len() == 1));
            }
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err("SELECT sum(a) OVER w FROM t").error_class(), Some("MISSING_WINDOW_SPECIFICATION"));
    assert_eq!(
        err("SELECT sum(a) OVER w FROM t WINDOW w AS (), w AS ()").error_class(),
        Some("INVALID_SQL_SYNTAX.REPETITIVE_WINDOW_DEFINITION")
    );
    assert_eq!(
        err("SELECT sum(a) OVER (ORDER BY c RANGE BETWEEN CURRENT ROW AND d FOLLOWING) FROM t").error_class(),
        Some("_LEGACY_ERROR_TEMP_0064")
    );
    // a windowed aggregate does not make the SELECT an aggregation
    assert!(matches!(query("SELECT sum(a) OVER () FROM t"), Plan::Project { .. }));
    assert!(matches!(query("SELECT sum(sum(a)) OVER () FROM t"), Plan::Aggregate { .. }));
}

#[test]
fn subqueries() {
    assert!(matches!(expr("(SELECT max(a) FROM t)"), Expr::ScalarSubquery { .. }));
    assert!(matches!(expr("a IN (SELECT b FROM t)"), Expr::InSubquery { negated: false, .. }));
    assert!(matches!(expr("a NOT IN (SELECT b FROM t)"), Expr::InSubquery { negated: true, .. }));
    assert!(matches!(expr("EXISTS (SELECT 1 FROM t)"), Expr::Exists { negated: false, .. }));
    assert!(matches!(expr("NOT EXISTS (SELECT 1 FROM t)"), Expr::Not { .. } | Expr::Exists { negated: true, .. }));
}

// ------------------------------------------------------------------- queries

#[test]
fn select_wrapping_order() {
    let p = query(
        "SELECT DISTINCT a, sum(b) AS s FROM t WHERE c > 0 GROUP BY a HAVING sum(b) > 1 \
         ORDER BY a DESC NULLS FIRST LIMIT 10 OFFSET 5",
    );
    let Plan::Limit { input, limit } = p else { panic!() };
    assert!(matches!(limit, Expr::Literal { value: ScalarValue::Int32(Some(10)), .. }));
    let Plan::Offset { input, .. } = *input else { panic!() };
    let Plan::Sort { input, order } = *input else { panic!() };
    assert_eq!(order.len(), 1);
    assert!(!order[0].ascending);
    assert_eq!(order[0].nulls_first, Some(true));
    let Plan::Distinct { input } = *input else { panic!() };
    let Plan::Having { input, .. } = *input else { panic!() };
    let Plan::Aggregate { input, group_by, exprs, grouping } = *input else { panic!() };
    assert_eq!(grouping, GroupingKind::GroupBy);
    assert!(col(&["a"])(&group_by[0]));
    assert!(matches!(&exprs[1], Expr::Alias { name, .. } if name == "s"));
    let Plan::Filter { input, .. } = *input else { panic!() };
    assert!(matches!(*input, Plan::Relation { ref name, .. } if name == &["t"]));
}

#[test]
fn aggregate_detection() {
    assert!(matches!(query("SELECT count(*) FROM t"), Plan::Aggregate { ref group_by, .. } if group_by.is_empty()));
    assert!(matches!(query("SELECT 1 + max(a) FROM t"), Plan::Aggregate { .. }));
    assert!(matches!(query("SELECT abs(a) FROM t"), Plan::Project { .. }));
    // an aggregate inside a subquery does not make the outer SELECT one
    assert!(matches!(query("SELECT a FROM t WHERE a = (SELECT max(a) FROM t)"), Plan::Project { .. }));
    assert!(
        matches!(query("SELECT a, b FROM t GROUP BY ROLLUP(a, b)"), Plan::Aggregate { grouping: GroupingKind::Rollup, ref group_by, .. } if group_by.len() == 2)
    );
    assert!(matches!(query("SELECT a FROM t GROUP BY CUBE(a)"), Plan::Aggregate { grouping: GroupingKind::Cube, .. }));
    assert!(matches!(
        query("SELECT a FROM t GROUP BY a WITH ROLLUP"),
        Plan::Aggregate { grouping: GroupingKind::Rollup, .. }
    ));
    assert!(matches!(query("SELECT a, count(1) FROM t GROUP BY 1"), Plan::Aggregate { ref group_by, .. }
        if matches!(group_by[0], Expr::Literal { value: ScalarValue::Int32(Some(1)), .. })));
}

#[test]
fn select_items_and_no_from() {
    let exprs = select_list("SELECT *, t.*, a b, c AS d FROM t");
    assert!(matches!(&exprs[0], Expr::Star { qualifier: None, .. }));
    assert!(matches!(&exprs[1], Expr::Star { qualifier: Some(q), .. } if q == &["t"]));
    assert!(matches!(&exprs[2], Expr::Alias { name, .. } if name == "b"));
    assert!(matches!(&exprs[3], Expr::Alias { name, .. } if name == "d"));
    assert!(matches!(query("SELECT 1"), Plan::Project { input, .. } if *input == Plan::Values { rows: vec![vec![]] }));
}

#[test]
fn from_items() {
    let Plan::Project { input, .. } = query("SELECT * FROM db.t AS x(a, b)") else { panic!() };
    match *input {
        Plan::SubqueryAlias { input, alias, columns } => {
            assert_eq!(alias, "x");
            assert_eq!(columns, ["a", "b"]);
            assert!(matches!(*input, Plan::Relation { ref name, .. } if name == &["db", "t"]));
        }
        other => panic!("{other:?}"),
    }
    let Plan::Project { input, .. } = query("SELECT * FROM (SELECT 1) s") else { panic!() };
    assert!(matches!(*input, Plan::SubqueryAlias { ref alias, .. } if alias == "s"));
    let Plan::Project { input, .. } = query("SELECT * FROM range(10)") else { panic!() };
    assert_eq!(*input, Plan::Range { start: 0, end: 10, step: 1 });
    let Plan::Project { input, .. } = query("SELECT * FROM range(5, -10, -2)") else { panic!() };
    assert_eq!(*input, Plan::Range { start: 5, end: -10, step: -2 });
    for (sql, fmt, path) in [
        ("SELECT * FROM parquet.`/data/x.parquet`", "parquet", "/data/x.parquet"),
        ("SELECT * FROM CSV.`/data/*.csv`", "csv", "/data/*.csv"),
        ("SELECT * FROM json.`dir`", "json", "dir"),
    ] {
        let Plan::Project { input, .. } = query(sql) else { panic!() };
        assert_eq!(
            *input,
            Plan::ReadFiles { format: fmt.into(), paths: vec![path.into()], options: vec![], schema: None }
        );
    }
    assert!(
        matches!(query("VALUES (1, 'a'), (2, 'b')"), Plan::Values { ref rows } if rows.len() == 2 && rows[0].len() == 2)
    );
}

fn join_of(sql: &str) -> (JoinType, JoinCriteria) {
    let Plan::Project { input, .. } = query(sql) else { panic!() };
    match *input {
        Plan::Join { join_type, criteria, .. } => (join_type, criteria),
        other => panic!("{other:?}"),
    }
}

#[test]
fn joins() {
    let on = |sql: &str| join_of(sql).0;
    assert_eq!(on("SELECT * FROM a JOIN b ON a.x = b.x"), JoinType::Inner);
    assert_eq!(on("SELECT * FROM a INNER JOIN b ON a.x = b.x"), JoinType::Inner);
    assert_eq!(on("SELECT * FROM a LEFT JOIN b ON a.x = b.x"), JoinType::LeftOuter);
    assert_eq!(on("SELECT * FROM a LEFT OUTER JOIN b ON a.x = b.x"), JoinType::LeftOuter);
    assert_eq!(on("SELECT * FROM a RIGHT OUTER JOIN b ON a.x = b.x"), JoinType::RightOuter);
    assert_eq!(on("SELECT * FROM a FULL OUTER JOIN b ON a.x = b.x"), JoinType::FullOuter);
    assert_eq!(on("SELECT * FROM a FULL JOIN b ON a.x = b.x"), JoinType::FullOuter);
    assert_eq!(on("SELECT * FROM a LEFT SEMI JOIN b ON a.x = b.x"), JoinType::LeftSemi);
    assert_eq!(on("SELECT * FROM a SEMI JOIN b ON a.x = b.x"), JoinType::LeftSemi);
    assert_eq!(on("SELECT * FROM a LEFT ANTI JOIN b ON a.x = b.x"), JoinType::LeftAnti);
    assert_eq!(on("SELECT * FROM a ANTI JOIN b ON a.x = b.x"), JoinType::LeftAnti);
    assert_eq!(join_of("SELECT * FROM a CROSS JOIN b"), (JoinType::Cross, JoinCriteria::None));
    assert_eq!(join_of("SELECT * FROM a, b"), (JoinType::Cross, JoinCriteria::None));
    assert_eq!(join_of("SELECT * FROM a NATURAL JOIN b"), (JoinType::Inner, JoinCriteria::Natural));
    assert_eq!(
        join_of("SELECT * FROM a JOIN b USING (x, y)"),
        (JoinType::Inner, JoinCriteria::Using(vec!["x".into(), "y".into()]))
    );
}

#[test]
fn set_operations() {
    let op = |sql: &str| match query(sql) {
        Plan::SetOperation { op, all, .. } => (op, all),
        other => panic!("{other:?}"),
    };
    assert_eq!(op("SELECT 1 UNION SELECT 2"), (SetOp::Union, false));
    assert_eq!(op("SELECT 1 UNION ALL SELECT 2"), (SetOp::Union, true));
    assert_eq!(op("SELECT 1 UNION DISTINCT SELECT 2"), (SetOp::Union, false));
    assert_eq!(op("SELECT 1 INTERSECT SELECT 2"), (SetOp::Intersect, false));
    assert_eq!(op("SELECT 1 INTERSECT ALL SELECT 2"), (SetOp::Intersect, true));
    assert_eq!(op("SELECT 1 EXCEPT SELECT 2"), (SetOp::Except, false));
    assert_eq!(op("SELECT 1 MINUS SELECT 2"), (SetOp::Except, false));
    assert_eq!(op("SELECT 1 EXCEPT ALL SELECT 2"), (SetOp::Except, true));
    // INTERSECT binds tighter than UNION
    match query("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3") {
        Plan::SetOperation { op: SetOp::Union, right, .. } => {
            assert!(matches!(*right, Plan::SetOperation { op: SetOp::Intersect, .. }))
        }
        other => panic!("{other:?}"),
    }
    // ORDER BY / LIMIT apply to the set operation's result
    match query("SELECT a FROM t UNION ALL SELECT a FROM u ORDER BY a LIMIT 3") {
        Plan::Limit { input, .. } => match *input {
            Plan::Sort { input, .. } => assert!(matches!(*input, Plan::SetOperation { .. })),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    assert!(matches!(query("(SELECT 1) UNION (SELECT 2)"), Plan::SetOperation { .. }));
}

#[test]
fn ctes() {
    match query("WITH x (a, b) AS (SELECT 1, 2), y AS (SELECT * FROM x) SELECT * FROM y") {
        Plan::With { ctes, input } => {
            assert_eq!(ctes.len(), 2);
            assert_eq!(ctes[0].0, "x");
            assert_eq!(ctes[0].1, ["a", "b"]);
            assert!(ctes[1].1.is_empty());
            assert!(matches!(*input, Plan::Project { .. }));
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------- statements

fn stmt(sql: &str) -> Statement {
    parse_statement(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn set_and_reset() {
    assert_eq!(stmt("SET"), Statement::Set { key: None, value: None });
    assert_eq!(
        stmt("SET spark.sql.ansi.enabled"),
        Statement::Set { key: Some("spark.sql.ansi.enabled".into()), value: None }
    );
    assert_eq!(
        stmt("SET spark.sql.ansi.enabled = false"),
        Statement::Set { key: Some("spark.sql.ansi.enabled".into()), value: Some("false".into()) }
    );
    assert_eq!(
        stmt("set ember.path=/tmp/a b;"),
        Statement::Set { key: Some("ember.path".into()), value: Some("/tmp/a b".into()) }
    );
    assert_eq!(
        stmt("SET TIME ZONE 'UTC'"),
        Statement::Set { key: Some("spark.sql.session.timeZone".into()), value: Some("UTC".into()) }
    );
    assert_eq!(stmt("RESET"), Statement::Reset { key: None });
    assert_eq!(stmt("RESET spark.sql.ansi.enabled"), Statement::Reset { key: Some("spark.sql.ansi.enabled".into()) });
}

#[test]
fn show_describe_explain() {
    assert_eq!(stmt("SHOW TABLES"), Statement::ShowTables { pattern: None });
    assert_eq!(stmt("SHOW TABLES LIKE 'a*'"), Statement::ShowTables { pattern: Some("a*".into()) });
    assert_eq!(stmt("SHOW COLUMNS IN t"), Statement::ShowColumns { table: vec!["t".into()] });
    assert_eq!(stmt("SHOW FUNCTIONS"), Statement::ShowFunctions);
    assert_eq!(
        stmt("DESCRIBE t"),
        Statement::Describe { target: DescribeTarget::Table(vec!["t".into()]), extended: false }
    );
    assert_eq!(
        stmt("DESC TABLE EXTENDED db.t"),
        Statement::Describe { target: DescribeTarget::Table(vec!["db".into(), "t".into()]), extended: true }
    );
    assert!(matches!(stmt("DESCRIBE QUERY SELECT 1"), Statement::Describe { target: DescribeTarget::Query(_), .. }));
    assert!(matches!(stmt("DESCRIBE SELECT 1"), Statement::Describe { target: DescribeTarget::Query(_), .. }));
    for (sql, mode) in [
        ("EXPLAIN SELECT 1", ExplainMode::Simple),
        ("EXPLAIN EXTENDED SELECT 1", ExplainMode::Extended),
        ("EXPLAIN FORMATTED SELECT 1", ExplainMode::Formatted),
        ("EXPLAIN ANALYZE SELECT 1", ExplainMode::Analyze),
        ("EXPLAIN CODEGEN SELECT 1", ExplainMode::Codegen),
        ("EXPLAIN COST SELECT 1", ExplainMode::Cost),
    ] {
        match stmt(sql) {
            Statement::Explain { statement, mode: m } => {
                assert_eq!(m, mode);
                assert!(matches!(*statement, Statement::Query(_)));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn no_op_commands() {
    for sql in ["CACHE TABLE t", "UNCACHE TABLE IF EXISTS t", "REFRESH TABLE t", "USE db", "CLEAR CACHE"] {
        assert!(matches!(stmt(sql), Statement::NoOp { .. }), "{sql}");
    }
    assert!(matches!(stmt("CACHE TABLE c AS SELECT 1"), Statement::CreateView { temporary: true, .. }));
}

#[test]
fn create_view() {
    let sql = "CREATE OR REPLACE TEMPORARY VIEW v (x, y) AS SELECT a, b FROM t";
    match stmt(sql) {
        Statement::CreateView { name, columns, query, replace, temporary, if_not_exists, sql } => {
            assert_eq!(name, ["v"]);
            assert_eq!(columns, ["x", "y"]);
            assert!(matches!(query, Plan::Project { .. }));
            assert!(replace && temporary && !if_not_exists);
            assert_eq!(sql, "SELECT a, b FROM t");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        stmt("CREATE VIEW IF NOT EXISTS v AS SELECT 1"),
        Statement::CreateView { if_not_exists: true, temporary: false, replace: false, .. }
    ));
    assert!(matches!(stmt("CREATE TEMP VIEW v AS SELECT 1"), Statement::CreateView { temporary: true, .. }));
}

#[test]
fn create_data_source() {
    let sql = "CREATE TEMPORARY VIEW lineitem (a INT, b decimal(15, 2) NOT NULL, c STRING COMMENT 'x') \
               USING parquet OPTIONS (path '/data/lineitem', 'header' = 'true', mergeSchema true)";
    match stmt(sql) {
        Statement::CreateDataSource { name, format, options, schema, replace, temporary, .. } => {
            assert_eq!(name, ["lineitem"]);
            assert_eq!(format, "parquet");
            assert_eq!(
                options,
                [
                    ("path".to_string(), "/data/lineitem".to_string()),
                    ("header".to_string(), "true".to_string()),
                    ("mergeschema".to_string(), "true".to_string())
                ]
            );
            let schema = schema.expect("schema");
            assert_eq!(schema.len(), 3);
            assert_eq!(schema[1].data_type, DataType::Decimal128(15, 2));
            assert!(!schema[1].nullable && schema[0].nullable);
            assert!(!replace && temporary);
        }
        other => panic!("{other:?}"),
    }
    match stmt("CREATE TABLE t USING csv OPTIONS (header 'true') LOCATION '/x'") {
        Statement::CreateDataSource { format, options, schema: None, temporary: false, .. } => {
            assert_eq!(format, "csv");
            assert!(options.contains(&("path".to_string(), "/x".to_string())));
        }
        other => panic!("{other:?}"),
    }
    match stmt("CREATE TABLE t USING parquet AS SELECT 1 AS a") {
        Statement::CreateTableAs { name, format, query, .. } => {
            assert_eq!(name, ["t"]);
            assert_eq!(format, "parquet");
            assert!(matches!(query, Plan::Project { .. }));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn insert_and_drop() {
    assert!(matches!(stmt("INSERT INTO t SELECT * FROM u"), Statement::Insert { overwrite: false, .. }));
    assert!(matches!(
        stmt("INSERT OVERWRITE TABLE t VALUES (1)"),
        Statement::Insert { overwrite: true, query: Plan::Values { .. }, .. }
    ));
    assert_eq!(
        stmt("DROP VIEW IF EXISTS v"),
        Statement::Drop { name: vec!["v".into()], kind: DropKind::View, if_exists: true }
    );
    assert_eq!(
        stmt("DROP TABLE t"),
        Statement::Drop { name: vec!["t".into()], kind: DropKind::Table, if_exists: false }
    );
}

#[test]
fn insert_forms() {
    match stmt("INSERT INTO t PARTITION (p = 1, q) (b, a) SELECT 1, 2, 3") {
        Statement::Insert { name, columns, partition, overwrite: false, .. } => {
            assert_eq!(name, ["t"]);
            assert_eq!(columns, ["b", "a"]);
            assert_eq!(partition.len(), 2);
            assert_eq!(partition[0].0, "p");
            assert!(matches!(&partition[0].1, Some(Expr::Literal { value: ScalarValue::Int32(Some(1)), .. })));
            assert_eq!(partition[1], ("q".to_string(), None));
        }
        other => panic!("{other:?}"),
    }
    // a parenthesized query is no column list
    assert!(matches!(stmt("INSERT INTO t (SELECT 1)"), Statement::Insert { columns, .. } if columns.is_empty()));
    match stmt("INSERT OVERWRITE DIRECTORY '/tmp/x' USING parquet SELECT 1") {
        Statement::InsertDirectory { path, format, .. } => {
            assert_eq!((path.as_str(), format.as_str()), ("/tmp/x", "parquet"))
        }
        other => panic!("{other:?}"),
    }
    match stmt("INSERT OVERWRITE LOCAL DIRECTORY USING json OPTIONS (path '/tmp/y', compression 'none') SELECT 1") {
        Statement::InsertDirectory { path, options, .. } => {
            assert_eq!(path, "/tmp/y");
            assert_eq!(options, [("compression".to_string(), "none".to_string())]);
        }
        other => panic!("{other:?}"),
    }
    // Spark: a path, or the path option, but exactly one
    for sql in [
        "INSERT OVERWRITE DIRECTORY USING parquet SELECT 1",
        "INSERT OVERWRITE DIRECTORY '/a' USING parquet OPTIONS (path '/b') SELECT 1",
    ] {
        assert!(matches!(err(sql), Error::Spark(e) if e.error_class == "_LEGACY_ERROR_TEMP_0049"), "{sql}");
    }
}

#[test]
fn table_commands() {
    match stmt("CREATE TABLE t (a INT, b STRING, c INT) USING parquet PARTITIONED BY (c, a)") {
        Statement::CreateDataSource { partition_by, schema: Some(schema), .. } => {
            assert_eq!(partition_by, ["c", "a"]);
            assert_eq!(schema.len(), 3);
        }
        other => panic!("{other:?}"),
    }
    // Hive's typed partition columns extend the schema
    match stmt("CREATE TABLE t (a INT) PARTITIONED BY (p STRING)") {
        Statement::CreateDataSource { partition_by, schema: Some(schema), .. } => {
            assert_eq!(partition_by, ["p"]);
            assert_eq!(schema.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["a", "p"]);
        }
        other => panic!("{other:?}"),
    }
    match stmt("CREATE TABLE t USING json PARTITIONED BY (b) AS SELECT 1 a, 2 b") {
        Statement::CreateTableAs { partition_by, format, .. } => {
            assert_eq!(partition_by, ["b"]);
            assert_eq!(format, "json");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        err("CREATE TABLE t (a INT) USING parquet AS SELECT 1"),
        Error::Spark(e) if e.error_class == "_LEGACY_ERROR_TEMP_0035"
    ));
    assert!(matches!(stmt("REPLACE TABLE t (a INT) USING csv"), Statement::CreateDataSource { replace: true, .. }));
    assert!(matches!(stmt("REPLACE TABLE t USING csv AS SELECT 1"), Statement::CreateTableAs { replace: true, .. }));
    assert_eq!(stmt("TRUNCATE TABLE db.t"), Statement::Truncate { name: vec!["db".into(), "t".into()] });
    assert_eq!(stmt("SHOW CREATE TABLE t"), Statement::ShowCreateTable { name: vec!["t".into()] });
    // nested column types
    match stmt("CREATE TABLE t (s STRUCT<i1:INT, i2: STRING>, m MAP<INT, INT>, a ARRAY<INT>) USING parquet") {
        Statement::CreateDataSource { schema: Some(schema), .. } => {
            assert!(matches!(&schema[0].data_type, DataType::Struct(f) if f.len() == 2 && f[1].name() == "i2"));
            assert!(matches!(&schema[1].data_type, DataType::Map(..)));
            assert!(matches!(&schema[2].data_type, DataType::List(f) if *f.data_type() == DataType::Int32));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn values_with_an_alias_as_a_query() {
    match stmt("VALUES (1, 2), (3, 4) AS tab(a, b)") {
        Statement::Query(Plan::SubqueryAlias { input, alias, columns }) => {
            assert!(matches!(*input, Plan::Values { .. }));
            assert_eq!(alias, "tab");
            assert_eq!(columns, ["a", "b"]);
        }
        other => panic!("{other:?}"),
    }
    match stmt("CREATE TABLE t USING parquet AS VALUES (1) AS v(x)") {
        Statement::CreateTableAs { query: Plan::SubqueryAlias { columns, .. }, .. } => assert_eq!(columns, ["x"]),
        other => panic!("{other:?}"),
    }
}

// ------------------------------------------------- nested values and operators

fn extract(e: &Expr) -> (&Expr, &Expr) {
    match e {
        Expr::Function { name, args, .. } if name == "__extract_value" && args.len() == 2 => (&args[0], &args[1]),
        other => panic!("not an extraction: {other:?}"),
    }
}

#[test]
fn subscripts_and_field_access() {
    let e = expr("a[0]");
    let (base, key) = extract(&e);
    assert!(col(&["a"])(base));
    assert!(matches!(key, Expr::Literal { value: ScalarValue::Int32(Some(0)), .. }));
    let e = expr("m['k']");
    assert!(matches!(extract(&e).1, Expr::Literal { value: ScalarValue::Utf8(Some(k)), .. } if k == "k"));
    // `c[0][0 + 1]`: nested, with an expression as index
    let e = expr("c[0][0 + 1]");
    let (inner, key) = extract(&e);
    assert!(matches!(key, Expr::Binary { op: BinaryOp::Plus, .. }));
    assert!(col(&["c"])(extract(inner).0));
    // dots after a name extend the name; after a subscript they extract
    let e = expr("t.s.f[0].g");
    let (inner, key) = extract(&e);
    assert!(matches!(key, Expr::Literal { value: ScalarValue::Utf8(Some(k)), .. } if k == "g"));
    assert!(col(&["t", "s", "f"])(extract(inner).0));
    assert!(col(&["s", "f"])(&expr("s.f")));
    let e = expr("from_json(a, 'struct<a:int>').a");
    assert!(matches!(extract(&e).0, Expr::Function { name, .. } if name == "from_json"));
    let e = expr("named_struct('a', 1).IDENTIFIER('a')");
    assert!(matches!(extract(&e).1, Expr::Literal { value: ScalarValue::Utf8(Some(k)), .. } if k == "a"));
    // the internal name is no function a query can call
    assert!(matches!(err("SELECT __extract_value(a, 0)"), Error::Spark(e) if e.error_class == "UNRESOLVED_ROUTINE"));
}

#[test]
fn struct_is_the_function() {
    match expr("struct(1, 'x')") {
        Expr::Function { name, args, .. } => {
            assert_eq!(name, "struct");
            assert_eq!(args.len(), 2);
        }
        other => panic!("{other:?}"),
    }
    match expr("STRUCT(a + 1 AS aa, b)") {
        Expr::Function { args, .. } => {
            assert!(matches!(&args[0], Expr::Alias { name, .. } if name == "aa"));
            assert!(col(&["b"])(&args[1]));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn nested_casts() {
    let list = |t: DataType| DataType::List(std::sync::Arc::new(arrow_schema::Field::new("element", t, true)));
    assert!(matches!(expr("CAST(a AS ARRAY<INT>)"), Expr::Cast { to, .. } if to == list(DataType::Int32)));
    assert!(
        matches!(expr("CAST(a AS ARRAY<ARRAY<STRING>>)"), Expr::Cast { to, .. } if to == list(list(DataType::Utf8)))
    );
    assert!(matches!(
        expr("CAST(a AS MAP<STRING, INT>)"),
        Expr::Cast { to, .. } if to == map_type(DataType::Utf8, DataType::Int32, true)
    ));
    match expr("CAST(a AS STRUCT<x: INT, y STRING>)") {
        Expr::Cast { to: DataType::Struct(f), .. } => {
            assert_eq!(f.iter().map(|f| f.name().as_str()).collect::<Vec<_>>(), ["x", "y"]);
            assert_eq!(f[1].data_type(), &DataType::Utf8);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn shift_operators() {
    for (sql, name) in [("a << 2", "<<"), ("a >> 2", ">>"), ("a >>> 2", ">>>")] {
        assert_eq!(func(&expr(sql)), (name, 2, false), "{sql}");
    }
    // looser than `+`, tighter than `&`: `1 + 2 << 3 & 4` is `((1 + 2) << 3) & 4`
    match expr("1 + 2 << 3 & 4") {
        Expr::Binary { op: BinaryOp::BitAnd, left, .. } => match *left {
            Expr::Function { name, args, .. } => {
                assert_eq!(name, "<<");
                assert!(matches!(args[0], Expr::Binary { op: BinaryOp::Plus, .. }));
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    // `> >` with a space is no operator
    assert!(err("SELECT a > > 2").error_class().is_some_and(|c| c == "PARSE_SYNTAX_ERROR"));
}

#[test]
fn trim_call_form_takes_the_trim_string_first() {
    // Spark's `trim(trimStr, str)`; Ember's call is (str, trimStr), as for
    // `TRIM(BOTH trimStr FROM str)`
    for f in ["trim", "ltrim", "rtrim"] {
        match expr(&format!("{f}('x', a)")) {
            Expr::Function { name, args, .. } => {
                assert_eq!(name, f);
                assert!(col(&["a"])(&args[0]));
            }
            other => panic!("{other:?}"),
        }
    }
    // btrim keeps its order
    match expr("btrim(a, 'x')") {
        Expr::Function { args, .. } => assert!(col(&["a"])(&args[0])),
        other => panic!("{other:?}"),
    }
}

#[test]
fn row_constructors_are_structs() {
    match expr("(a, 1)") {
        Expr::Function { name, args, .. } => {
            assert_eq!(name, "named_struct");
            assert!(matches!(&args[0], Expr::Literal { value: ScalarValue::Utf8(Some(n)), .. } if n == "a"));
            assert!(col(&["a"])(&args[1]));
            assert!(matches!(&args[2], Expr::Literal { value: ScalarValue::Utf8(Some(n)), .. } if n == "col2"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(err("SELECT * FROM t WHERE (a, b) IN (SELECT x, y FROM u)"), Error::NotImplemented(_)));
}

#[test]
fn identifier_clause_with_literal_strings() {
    match stmt("SELECT IDENTIFIER('COAL' || 'ESCE')(NULL, 1), IDENTIFIER('c1') FROM IDENTIFIER('db.' || 't')") {
        Statement::Query(Plan::Project { input, exprs }) => {
            assert_eq!(func(&exprs[0]), ("coalesce", 2, false));
            assert!(col(&["c1"])(&exprs[1]));
            assert!(matches!(*input, Plan::Relation { ref name, .. } if name == &["db", "t"]));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        stmt("DROP TABLE IF EXISTS IDENTIFIER('ta' || 'b')"),
        Statement::Drop { name: vec!["tab".into()], kind: DropKind::Table, if_exists: true }
    );
    // a backquoted part keeps its dots
    assert!(matches!(
        stmt("SELECT * FROM IDENTIFIER('`a.b`.c')"),
        Statement::Query(Plan::Project { input, .. }) if matches!(*input, Plan::Relation { ref name, .. } if name == &["a.b", "c"])
    ));
    // the string is read as an identifier
    assert!(matches!(err("SELECT IDENTIFIER('c 1') FROM t"), Error::Spark(e) if e.error_class == "PARSE_SYNTAX_ERROR"));
    assert!(matches!(err("SELECT IDENTIFIER('') FROM t"), Error::Spark(e) if e.error_class == "PARSE_EMPTY_STATEMENT"));
    // inside a string it is text
    assert!(matches!(lit("'IDENTIFIER(''x'')'"), ScalarValue::Utf8(Some(s)) if s == "IDENTIFIER('x')"));
}

#[test]
fn spark_only_literal_and_trim_forms() {
    assert!(parse_sql("SELECT timestamp_ltz'2021-01-01 00:00:00', timestamp_ntz'2021-01-01 00:00:00'").is_ok());
    assert_eq!(lit("timestamp_ntz'1970-01-01 00:01:00'"), ScalarValue::TimestampNtz(Some(60_000_000)));
    for (sql, name) in
        [("TRIM(BOTH FROM a)", "trim"), ("TRIM(LEADING FROM a)", "ltrim"), ("TRIM(TRAILING FROM a)", "rtrim")]
    {
        assert_eq!(func(&expr(sql)), (name, 1, false), "{sql}");
    }
    // `INTERVAL ... TO ...` as a cast type
    assert!(matches!(
        expr("CAST(a AS INTERVAL YEAR TO MONTH)"),
        Expr::Cast { to: DataType::Interval(arrow_schema::IntervalUnit::YearMonth), .. }
    ));
}

#[test]
fn scripts() {
    let stmts = parse_sql("SET a=1; ; SELECT 'x;y' -- c;\n; /* ; */ SELECT 2;").expect("parses");
    assert_eq!(stmts.len(), 3);
    assert!(parse_sql("  -- nothing\n ").expect("parses").is_empty());
    assert!(matches!(parse_statement(" ; "), Err(Error::Spark(e)) if e.error_class == "PARSE_EMPTY_STATEMENT"));
    assert!(matches!(parse_statement(""), Err(Error::Spark(e)) if e.error_class == "PARSE_EMPTY_STATEMENT"));
    assert!(
        matches!(parse_statement("SELECT 1; SELECT 2"), Err(Error::Spark(e)) if e.error_class == "PARSE_SYNTAX_ERROR")
    );
}

// -------------------------------------------------------------- errors, spans

#[test]
fn syntax_errors_point_at_the_token() {
    let (token, hint, span) = syntax_error_at("SELECT (1 + 2 FROM t");
    assert_eq!((token.as_str(), hint.as_str(), span), ("'FROM'", ": missing ')'", (14, 18)));
    let (token, hint, span) = syntax_error_at("SELECT a FROM t GROUP a");
    assert_eq!((token.as_str(), hint.as_str(), span), ("'GROUP'", ": extra input 'GROUP'", (16, 21)));
    let (token, _, span) = syntax_error_at("SELECT a FROM t WHERE");
    assert_eq!((token.as_str(), span), ("end of input", (21, 21)));
    let (token, _, span) = syntax_error_at("SELECT 1;\nSELECT (1 +) FROM t");
    assert_eq!((token.as_str(), span), ("')'", (21, 22)));
    let (token, hint, _) = syntax_error_at("SELECT a FROM t t2 t3");
    assert_eq!((token.as_str(), hint.as_str()), ("'t3'", ": extra input 't3'"));
    let (token, _, _) = syntax_error_at("SELEC 1");
    assert_eq!(token, "'SELEC'");
    assert_eq!(
        err("SELECT (1 + 2 FROM t").to_string(),
        "[PARSE_SYNTAX_ERROR] Syntax error at or near 'FROM': missing ')'."
    );
}

#[test]
fn unsupported_syntax_is_not_implemented() {
    for sql in ["SELECT a[1:2] FROM t", "SELECT * FROM t LATERAL VIEW explode(a) x AS y", "UPDATE t SET a = 1"] {
        assert!(matches!(err(sql), Error::NotImplemented(_)), "{sql}: {:?}", parse_sql(sql));
    }
}

#[test]
fn spans_are_byte_ranges_of_the_original_text() {
    let text = "SELECT 1;\nSELECT `café`,  b_col FROM tbl";
    let stmts = parse_sql(text).expect("parses");
    let Statement::Query(Plan::Project { input, exprs }) = &stmts[1] else { panic!() };
    let span = exprs[1].span().expect("span");
    assert_eq!(&text[span.start..span.end], "b_col");
    let span = exprs[0].span().expect("span");
    assert_eq!(&text[span.start..span.end], "`café`");
    let Plan::Relation { span: Some(s), .. } = input.as_ref() else { panic!() };
    assert_eq!(&text[s.start..s.end], "tbl");
    let text = "SELECT -5, f(x), g(h(')'), 1)";
    let e = &select_list(text)[..];
    let s2 = e[2].span().expect("span");
    assert_eq!(&text[s2.start..s2.end], "g(h(')'), 1)");
    let s0 = e[0].span().expect("span");
    assert_eq!(&text[s0.start..s0.end], "-5");
    let s1 = e[1].span().expect("span");
    assert_eq!(&text[s1.start..s1.end], "f(x)");
}

#[test]
fn all_tpch_queries_parse() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/tpch/queries");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("tpch queries") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("sql") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        let stmts = parse_sql(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(stmts.iter().any(|s| matches!(s, Statement::Query(_))), "{}", path.display());
        n += 1;
    }
    assert_eq!(n, 22);
}
