//! Tests of the lowering: spec shapes of hand-built Connect messages, and
//! lowered plans run on a real session (names and values as Spark gives).

use std::sync::Arc;

use arrow::array::{Array, Int64Array, LargeStringArray, RecordBatch, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use ember_core::spec::{BinaryOp, Expr, JoinType, Plan};
use ember_core::ScalarValue;
use ember_engine::Session;

use super::literal::{literal_expr, literal_to_scalar, scalar_to_literal};
use super::types::{data_type_from_proto, data_type_to_proto, parse_type_string, schema_to_proto};
use super::*;
use crate::proto::spark::connect as pb;
use pb::expression::{literal::LiteralType, ExprType, Literal};
use pb::relation::RelType;

// ---- builders -------------------------------------------------------------

fn rel(t: RelType) -> pb::Relation {
    pb::Relation { common: None, rel_type: Some(t) }
}

fn with_id(mut r: pb::Relation, id: i64) -> pb::Relation {
    r.common = Some(pb::RelationCommon { plan_id: Some(id), ..Default::default() });
    r
}

fn boxed(r: pb::Relation) -> Option<Box<pb::Relation>> {
    Some(Box::new(r))
}

fn table(name: &str) -> pb::Relation {
    rel(RelType::Read(pb::Read {
        is_streaming: false,
        read_type: Some(pb::read::ReadType::NamedTable(pb::read::NamedTable {
            unparsed_identifier: name.to_string(),
            options: Default::default(),
        })),
    }))
}

fn ex(t: ExprType) -> pb::Expression {
    pb::Expression { common: None, expr_type: Some(t) }
}

fn col(name: &str) -> pb::Expression {
    ex(ExprType::UnresolvedAttribute(pb::expression::UnresolvedAttribute {
        unparsed_identifier: name.to_string(),
        plan_id: None,
        is_metadata_column: None,
    }))
}

fn col_of(name: &str, plan_id: i64) -> pb::Expression {
    ex(ExprType::UnresolvedAttribute(pb::expression::UnresolvedAttribute {
        unparsed_identifier: name.to_string(),
        plan_id: Some(plan_id),
        is_metadata_column: None,
    }))
}

fn lit(t: LiteralType) -> pb::Expression {
    ex(ExprType::Literal(Literal { data_type: None, literal_type: Some(t) }))
}

fn int(v: i32) -> pb::Expression {
    lit(LiteralType::Integer(v))
}

fn string(v: &str) -> pb::Expression {
    lit(LiteralType::String(v.to_string()))
}

fn func(name: &str, args: Vec<pb::Expression>) -> pb::Expression {
    ex(ExprType::UnresolvedFunction(pb::expression::UnresolvedFunction {
        function_name: name.to_string(),
        arguments: args,
        is_distinct: false,
        is_user_defined_function: false,
        is_internal: None,
    }))
}

fn alias(e: pb::Expression, name: &str) -> pb::Expression {
    ex(ExprType::Alias(Box::new(pb::expression::Alias {
        expr: Some(Box::new(e)),
        name: vec![name.to_string()],
        metadata: None,
    })))
}

fn sql_expr(text: &str) -> pb::Expression {
    ex(ExprType::ExpressionString(pb::expression::ExpressionString { expression: text.to_string() }))
}

fn project(input: pb::Relation, exprs: Vec<pb::Expression>) -> pb::Relation {
    rel(RelType::Project(Box::new(pb::Project { input: boxed(input), expressions: exprs })))
}

fn filter(input: pb::Relation, condition: pb::Expression) -> pb::Relation {
    rel(RelType::Filter(Box::new(pb::Filter { input: boxed(input), condition: Some(condition) })))
}

fn sort(input: pb::Relation, keys: Vec<(pb::Expression, bool)>) -> pb::Relation {
    use pb::expression::sort_order::{NullOrdering, SortDirection};
    let order = keys
        .into_iter()
        .map(|(e, asc)| pb::expression::SortOrder {
            child: Some(Box::new(e)),
            direction: if asc { SortDirection::Ascending } else { SortDirection::Descending } as i32,
            null_ordering: NullOrdering::SortNullsUnspecified as i32,
        })
        .collect();
    rel(RelType::Sort(Box::new(pb::Sort { input: boxed(input), order, is_global: Some(true) })))
}

fn group_by(input: pb::Relation, keys: Vec<pb::Expression>, aggs: Vec<pb::Expression>) -> pb::Relation {
    rel(RelType::Aggregate(Box::new(pb::Aggregate {
        input: boxed(input),
        group_type: pb::aggregate::GroupType::Groupby as i32,
        grouping_expressions: keys,
        aggregate_expressions: aggs,
        pivot: None,
        grouping_sets: vec![],
    })))
}

// ---- running --------------------------------------------------------------

/// A session with `t(a INT, b STRING, c DOUBLE)` and `u(a INT, d STRING)`.
fn session() -> Session {
    let s = Session::new();
    s.sql("CREATE TEMPORARY VIEW t AS SELECT * FROM VALUES (1, 'a', 1.5), (2, 'b', CAST(NULL AS DOUBLE)), (3, NULL, 3.0) AS t(a, b, c)")
        .unwrap();
    s.sql("CREATE TEMPORARY VIEW u AS SELECT * FROM VALUES (1, 'x'), (3, 'z'), (4, 'w') AS u(a, d)").unwrap();
    s
}

fn lower(s: &Session, r: &pb::Relation) -> ember_core::Result<Plan> {
    lower_relation(r, &LowerContext { session: s })
}

/// Column names and rows (as strings, "NULL" for NULL) of a relation.
fn run(s: &Session, r: &pb::Relation) -> (Vec<String>, Vec<Vec<String>>) {
    let plan = lower(s, r).unwrap();
    let logical = s.plan(&plan).unwrap();
    let names = logical.schema().fields().iter().map(|f| f.name().clone()).collect();
    let batches = s.execute_plan(&logical).unwrap();
    (names, ember_engine::render::format_rows(&batches))
}

fn run_err(s: &Session, r: &pb::Relation) -> ember_core::Error {
    match lower(s, r).and_then(|p| s.plan(&p)).and_then(|l| s.execute_plan(&l)) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

fn rows(v: &[&[&str]]) -> Vec<Vec<String>> {
    v.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

fn sorted(mut v: Vec<Vec<String>>) -> Vec<Vec<String>> {
    v.sort();
    v
}

fn lower_expr(e: &pb::Expression) -> Expr {
    let s = Session::new();
    lower_expression(e, &LowerContext { session: &s }).unwrap()
}

// ---- expressions ----------------------------------------------------------

#[test]
fn operators_become_spec_nodes() {
    assert!(matches!(lower_expr(&func("+", vec![col("a"), int(1)])), Expr::Binary { op: BinaryOp::Plus, .. }));
    assert!(matches!(lower_expr(&func("==", vec![col("a"), int(1)])), Expr::Binary { op: BinaryOp::Eq, .. }));
    assert!(matches!(lower_expr(&func("-", vec![col("a")])), Expr::Negative { .. }));
    assert!(matches!(lower_expr(&func("not", vec![col("a")])), Expr::Not { .. }));
    assert!(matches!(lower_expr(&func("isNull", vec![col("a")])), Expr::IsNull { negated: false, .. }));
    assert!(matches!(lower_expr(&func("isNotNull", vec![col("a")])), Expr::IsNull { negated: true, .. }));
    assert!(
        matches!(lower_expr(&func("in", vec![col("a"), int(1), int(2)])), Expr::InList { list, .. } if list.len() == 2)
    );
    match lower_expr(&func("when", vec![func(">", vec![col("a"), int(1)]), string("x"), string("y")])) {
        Expr::Case { branches, else_expr: Some(_), operand: None, .. } => assert_eq!(branches.len(), 1),
        other => panic!("{other:?}"),
    }
    // `and` of three conditions associates to the left
    match lower_expr(&func("and", vec![col("a"), col("b"), col("c")])) {
        Expr::Binary { op: BinaryOp::And, left, .. } => {
            assert!(matches!(*left, Expr::Binary { op: BinaryOp::And, .. }))
        }
        other => panic!("{other:?}"),
    }
    match lower_expr(&func("count", vec![ex(ExprType::UnresolvedStar(Default::default()))])) {
        Expr::Function { name, args, .. } => assert!(name == "count" && args.is_empty()),
        other => panic!("{other:?}"),
    }
    match lower_expr(&func("upper", vec![col("b")])) {
        Expr::Function { name, .. } => assert_eq!(name, "upper"),
        other => panic!("{other:?}"),
    }
    let e = Session::new();
    let err = lower_expression(&func("==", vec![col("a")]), &LowerContext { session: &e }).unwrap_err();
    assert_eq!(err.error_class(), Some("WRONG_NUM_ARGS.WITHOUT_SUGGESTION"));
}

#[test]
fn window_expressions() {
    use pb::expression::sort_order::{NullOrdering, SortDirection};
    use pb::expression::window::window_frame::{frame_boundary::Boundary, FrameBoundary, FrameType};
    use pb::expression::window::WindowFrame as PbFrame;
    let bound = |b: Boundary| Some(Box::new(FrameBoundary { boundary: Some(b) }));
    let w = ex(ExprType::Window(Box::new(pb::expression::Window {
        window_function: Some(Box::new(func("sum", vec![col("a")]))),
        partition_spec: vec![col("b")],
        order_spec: vec![pb::expression::SortOrder {
            child: Some(Box::new(col("a"))),
            direction: SortDirection::Descending as i32,
            null_ordering: NullOrdering::SortNullsUnspecified as i32,
        }],
        frame_spec: Some(Box::new(PbFrame {
            frame_type: FrameType::Row as i32,
            lower: bound(Boundary::Value(Box::new(int(-1)))),
            upper: bound(Boundary::Unbounded(true)),
        })),
    })));
    match lower_expr(&w) {
        Expr::Window { function, partition_by, order_by, frame: Some(frame), .. } => {
            assert!(matches!(*function, Expr::Function { ref name, .. } if name == "sum"));
            assert_eq!(partition_by.len(), 1);
            assert!(!order_by[0].ascending);
            assert_eq!(frame.units, ember_core::spec::FrameUnits::Rows);
            assert_eq!(
                frame.start,
                ember_core::spec::FrameBound::Following(Box::new(Expr::lit(ScalarValue::Int32(Some(-1)))))
            );
            assert_eq!(frame.end, ember_core::spec::FrameBound::UnboundedFollowing);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn identifiers_split_like_spark() {
    assert_eq!(parse_identifier("a").unwrap(), ["a"]);
    assert_eq!(parse_identifier("t.a").unwrap(), ["t", "a"]);
    assert_eq!(parse_identifier("`a.b`.c").unwrap(), ["a.b", "c"]);
    assert_eq!(parse_identifier("`a``b`").unwrap(), ["a`b"]);
    for bad in ["a..b", "a.", ".a", "`a", "`a`b", "a`b`"] {
        assert_eq!(parse_identifier(bad).unwrap_err().error_class(), Some("INVALID_ATTRIBUTE_NAME_SYNTAX"), "{bad}");
    }
}

#[test]
fn unsupported_expressions_say_so() {
    let s = Session::new();
    let cx = LowerContext { session: &s };
    // Python UDFs need a Python worker, which Ember does not have
    let udf = ex(ExprType::CommonInlineUserDefinedFunction(Default::default()));
    assert!(matches!(lower_expression(&udf, &cx), Err(ember_core::Error::NotImplemented(_))));
    // a lambda without a body is a malformed plan, not an unsupported one
    let lambda = ex(ExprType::LambdaFunction(Box::default()));
    assert!(lower_expression(&lambda, &cx).is_err());
    let empty = pb::Expression::default();
    assert!(lower_expression(&empty, &cx).is_err());
}

#[test]
fn spark_names_of_dataframe_expressions() {
    let s = session();
    let r = project(
        table("t"),
        vec![
            func("+", vec![col("a"), int(1)]),
            func("==", vec![col("a"), int(1)]),
            func("not", vec![func("==", vec![col("a"), int(1)])]),
            func("isNull", vec![col("b")]),
            func("negative", vec![col("a")]),
            func("when", vec![func(">", vec![col("a"), int(1)]), string("big"), string("small")]),
            ex(ExprType::Cast(Box::new(pb::expression::Cast {
                expr: Some(Box::new(col("a"))),
                eval_mode: 0,
                cast_to_type: Some(pb::expression::cast::CastToType::TypeStr("string".into())),
            }))),
            alias(func("upper", vec![col("b")]), "B"),
            sql_expr("a * 2 AS twice"),
            func("in", vec![col("a"), int(1), int(2)]),
        ],
    );
    let (names, data) = run(&s, &sort(r, vec![(col("a"), true)]));
    assert_eq!(
        names,
        [
            "(a + 1)",
            "(a = 1)",
            "(NOT (a = 1))",
            "(b IS NULL)",
            "(- a)",
            "CASE WHEN (a > 1) THEN big ELSE small END",
            "CAST(a AS STRING)",
            "B",
            "twice",
            "(a IN (1, 2))"
        ]
    );
    assert_eq!(data[0], ["2", "true", "false", "false", "-1", "small", "1", "A", "2", "true"]);
    assert_eq!(data[2], ["4", "false", "true", "true", "-3", "big", "3", "NULL", "6", "false"]);
}

#[test]
fn aggregates_are_named_like_spark() {
    let s = session();
    let r = group_by(
        table("t"),
        vec![func("%", vec![col("a"), int(2)])],
        vec![func("sum", vec![col("a")]), func("count", vec![ex(ExprType::UnresolvedStar(Default::default()))])],
    );
    let (names, data) = run(&s, &r);
    assert_eq!(names, ["(a % 2)", "sum(a)", "count(1)"]);
    assert_eq!(sorted(data), rows(&[&["0", "2", "1"], &["1", "4", "2"]]));
    // a select of aggregates is a global aggregate
    let (names, data) = run(&s, &project(table("t"), vec![func("max", vec![col("c")])]));
    assert_eq!(names, ["max(c)"]);
    assert_eq!(data, rows(&[&["3.0"]]));
}

// ---- literals and types ---------------------------------------------------

#[test]
fn literals_of_every_atomic_type() {
    let l = |t| Literal { data_type: None, literal_type: Some(t) };
    let dec = |v: &str, p: Option<i32>, sc: Option<i32>| {
        literal_to_scalar(&l(LiteralType::Decimal(pb::expression::literal::Decimal {
            value: v.into(),
            precision: p,
            scale: sc,
        })))
        .unwrap()
    };
    assert_eq!(dec("1.50", None, None), ScalarValue::Decimal(Some(150), 3, 2));
    assert_eq!(dec("-0.05", None, None), ScalarValue::Decimal(Some(-5), 2, 2));
    assert_eq!(dec("1E+2", None, None), ScalarValue::Decimal(Some(100), 3, 0));
    assert_eq!(dec("1.5", Some(10), Some(3)), ScalarValue::Decimal(Some(1500), 10, 3));
    assert!(literal_to_scalar(&l(LiteralType::Decimal(pb::expression::literal::Decimal {
        value: "1.2.3".into(),
        precision: None,
        scale: None
    })))
    .is_err());
    assert_eq!(literal_to_scalar(&l(LiteralType::Byte(5))).unwrap(), ScalarValue::Int8(Some(5)));
    assert!(literal_to_scalar(&l(LiteralType::Byte(500))).is_err());
    assert_eq!(literal_to_scalar(&l(LiteralType::Date(19000))).unwrap(), ScalarValue::Date(Some(19000)));
    assert_eq!(literal_to_scalar(&l(LiteralType::TimestampNtz(5))).unwrap(), ScalarValue::TimestampNtz(Some(5)));
    let typed_null = l(LiteralType::Null(data_type_to_proto(&DataType::Int32)));
    assert_eq!(literal_to_scalar(&typed_null).unwrap(), ScalarValue::Int32(None));
    for v in [
        ScalarValue::Int64(Some(-7)),
        ScalarValue::Utf8(Some("x".into())),
        ScalarValue::Decimal(Some(-1234), 6, 2),
        ScalarValue::Float64(Some(2.5)),
        ScalarValue::Boolean(None),
        ScalarValue::IntervalDayTime(Some(1_000_000)),
    ] {
        assert_eq!(literal_to_scalar(&scalar_to_literal(&v)).unwrap(), v);
    }
}

#[test]
fn nested_literals_become_constructors() {
    let l = |t| Literal { data_type: None, literal_type: Some(t) };
    let arr = l(LiteralType::Array(pb::expression::literal::Array {
        elements: vec![l(LiteralType::Integer(1)), l(LiteralType::Integer(2))],
        ..Default::default()
    }));
    match literal_expr(&arr).unwrap() {
        Expr::Function { name, args, .. } => assert!(name == "array" && args.len() == 2),
        other => panic!("{other:?}"),
    }
    let st = Literal {
        data_type: Some(data_type_to_proto(&parse_type_string("struct<x:int>").unwrap())),
        literal_type: Some(LiteralType::Struct(pb::expression::literal::Struct {
            elements: vec![l(LiteralType::Integer(1))],
            ..Default::default()
        })),
    };
    match literal_expr(&st).unwrap() {
        Expr::Function { name, args, .. } => {
            assert_eq!(name, "named_struct");
            assert_eq!(args[0], Expr::lit(ScalarValue::Utf8(Some("x".into()))));
        }
        other => panic!("{other:?}"),
    }
    let null_array = l(LiteralType::Null(data_type_to_proto(&parse_type_string("array<int>").unwrap())));
    assert!(matches!(literal_expr(&null_array).unwrap(), Expr::Cast { .. }));
}

#[test]
fn types_round_trip() {
    for text in [
        "int",
        "bigint",
        "decimal(12,3)",
        "string",
        "binary",
        "date",
        "timestamp",
        "timestamp_ntz",
        "array<string>",
        "map<string,array<int>>",
        "struct<a:int,b:struct<c:string>>",
        "interval day to second",
        "interval year to month",
    ] {
        let t = parse_type_string(text).unwrap();
        assert_eq!(data_type_from_proto(&data_type_to_proto(&t)).unwrap(), t, "{text}");
    }
    let schema = Schema::new(vec![Field::new("a", DataType::Int32, false), Field::new("b", DataType::Utf8, true)]);
    let pb::data_type::Kind::Struct(st) = schema_to_proto(&schema).kind.unwrap() else { panic!() };
    assert_eq!(st.fields.len(), 2);
    assert!(!st.fields[0].nullable && st.fields[1].nullable);
}

#[test]
fn schema_strings_json_and_ddl() {
    let json = r#"{"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":{}},
        {"name":"b","type":{"type":"array","elementType":"string","containsNull":true},"nullable":false,"metadata":{}},
        {"name":"c","type":"decimal(10,2)","nullable":true,"metadata":{}},
        {"name":"d","type":{"type":"map","keyType":"string","valueType":"integer","valueContainsNull":true},"nullable":true,"metadata":{}}]}"#;
    let DataType::Struct(fields) = parse_type_string(json).unwrap() else { panic!() };
    assert_eq!(fields[0].data_type(), &DataType::Int64);
    assert!(matches!(fields[1].data_type(), DataType::List(_)));
    assert!(!fields[1].is_nullable());
    assert_eq!(fields[2].data_type(), &DataType::Decimal128(10, 2));
    assert!(matches!(fields[3].data_type(), DataType::Map(..)));
    let DataType::Struct(fields) = parse_type_string("a int, b string").unwrap() else { panic!() };
    assert_eq!(fields.len(), 2);
    assert_eq!(parse_type_string("int").unwrap(), DataType::Int32);
    assert!(matches!(parse_type_string("struct<a:int>").unwrap(), DataType::Struct(_)));
    assert!(parse_type_string("a int,").is_err());
}

// ---- relations ------------------------------------------------------------

#[test]
fn read_filter_sort_limit_offset() {
    let s = session();
    let r = filter(table("t"), func(">", vec![col("a"), int(1)]));
    let r = sort(r, vec![(col("a"), false)]);
    let r = rel(RelType::Limit(Box::new(pb::Limit { input: boxed(r), limit: 5 })));
    let (names, data) = run(&s, &r);
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(data, rows(&[&["3", "NULL", "3.0"], &["2", "b", "NULL"]]));
    let r = rel(RelType::Offset(Box::new(pb::Offset {
        input: boxed(sort(table("t"), vec![(col("a"), true)])),
        offset: 2,
    })));
    assert_eq!(run(&s, &r).1, rows(&[&["3", "NULL", "3.0"]]));
    // filter given as SQL text
    let r = filter(table("t"), sql_expr("b = 'a' OR c > 2"));
    assert_eq!(sorted(run(&s, &r).1), rows(&[&["1", "a", "1.5"], &["3", "NULL", "3.0"]]));
    let err = run_err(&s, &table("nope"));
    assert_eq!(err.error_class(), Some("TABLE_OR_VIEW_NOT_FOUND"));
}

#[test]
fn range_and_project_without_input() {
    let s = Session::new();
    let r = rel(RelType::Range(pb::Range { start: None, end: 3, step: 1, num_partitions: None }));
    assert_eq!(run(&s, &r), (vec!["id".to_string()], rows(&[&["0"], &["1"], &["2"]])));
    let r = rel(RelType::Project(Box::new(pb::Project { input: None, expressions: vec![alias(int(1), "one")] })));
    assert_eq!(run(&s, &r), (vec!["one".to_string()], rows(&[&["1"]])));
}

#[test]
fn joins_of_every_kind() {
    use pb::join::JoinType as J;
    let s = session();
    let join = |jt: J, cond: Option<pb::Expression>, using: Vec<&str>| {
        rel(RelType::Join(Box::new(pb::Join {
            left: boxed(table("t")),
            right: boxed(table("u")),
            join_condition: cond,
            join_type: jt as i32,
            using_columns: using.into_iter().map(String::from).collect(),
            join_data_type: None,
        })))
    };
    let (names, data) = run(&s, &join(J::Inner, None, vec!["a"]));
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert_eq!(sorted(data), rows(&[&["1", "a", "1.5", "x"], &["3", "NULL", "3.0", "z"]]));
    let (names, data) = run(&s, &join(J::FullOuter, None, vec!["a"]));
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert_eq!(data.len(), 4);
    let (_, data) = run(&s, &join(J::LeftAnti, None, vec!["a"]));
    assert_eq!(data, rows(&[&["2", "b", "NULL"]]));
    let (_, data) = run(&s, &join(J::LeftSemi, Some(sql_expr("t.a = u.a")), vec![]));
    assert_eq!(data.len(), 2);
    let (names, data) = run(&s, &join(J::Cross, None, vec![]));
    assert_eq!(names, ["a", "b", "c", "a", "d"]);
    assert_eq!(data.len(), 9);
    // an inner join without a condition is a cross join
    assert_eq!(run(&s, &join(J::Inner, None, vec![])).1.len(), 9);
}

#[test]
fn columns_of_joined_dataframes_by_plan_id() {
    use pb::join::JoinType as J;
    let s = session();
    // df1 = spark.table("t").filter(...); df2 = spark.table("u")
    let df1 = with_id(filter(with_id(table("t"), 1), func(">", vec![col("a"), int(0)])), 2);
    let df2 = with_id(project(with_id(table("u"), 3), vec![col("a"), col("d")]), 4);
    let joined = with_id(
        rel(RelType::Join(Box::new(pb::Join {
            left: boxed(df1),
            right: boxed(df2),
            join_condition: Some(func("==", vec![col_of("a", 2), col_of("a", 4)])),
            join_type: J::LeftOuter as i32,
            using_columns: vec![],
            join_data_type: None,
        }))),
        5,
    );
    let r = project(joined.clone(), vec![col_of("a", 2), col_of("a", 4), col("d")]);
    let (names, data) = run(&s, &sort(r, vec![(col_of("a", 2), true)]));
    assert_eq!(names, ["a", "a", "d"]);
    assert_eq!(data, rows(&[&["1", "1", "x"], &["2", "NULL", "NULL"], &["3", "3", "z"]]));
    // drop(df2.a) keeps df1's a
    let r = rel(RelType::Drop(Box::new(pb::Drop {
        input: boxed(joined),
        columns: vec![col_of("a", 4)],
        column_names: vec![],
    })));
    let (names, data) = run(&s, &r);
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert_eq!(data.len(), 3);
    // a join without a condition: the columns named above it still reach
    // their DataFrame (`df1.join(df2, "a").select(df2.d, df1["*"])`)
    let df1 = with_id(filter(with_id(table("t"), 1), func(">", vec![col("a"), int(0)])), 2);
    let df2 = with_id(project(with_id(table("u"), 3), vec![col("a"), col("d")]), 4);
    let using = rel(RelType::Join(Box::new(pb::Join {
        left: boxed(df1),
        right: boxed(df2),
        join_condition: None,
        join_type: J::Inner as i32,
        using_columns: vec!["a".into()],
        join_data_type: None,
    })));
    let star = ex(ExprType::UnresolvedStar(pb::expression::UnresolvedStar { unparsed_target: None, plan_id: Some(2) }));
    let r = project(using, vec![col_of("d", 4), star]);
    let (names, data) = run(&s, &sort(r, vec![(col("d"), true)]));
    assert_eq!(names, ["d", "a", "b", "c"]);
    assert_eq!(data, rows(&[&["x", "1", "a", "1.5"], &["z", "3", "NULL", "3.0"]]));
}

#[test]
fn set_operations() {
    use pb::set_operation::SetOpType as S;
    let s = session();
    let ids = |r: pb::Relation| project(r, vec![col("a")]);
    let setop = |op: S, all: bool| {
        rel(RelType::SetOp(Box::new(pb::SetOperation {
            left_input: boxed(ids(table("t"))),
            right_input: boxed(ids(table("u"))),
            set_op_type: op as i32,
            is_all: Some(all),
            by_name: Some(false),
            allow_missing_columns: Some(false),
        })))
    };
    assert_eq!(run(&s, &setop(S::Union, true)).1.len(), 6);
    assert_eq!(sorted(run(&s, &setop(S::Intersect, false)).1), rows(&[&["1"], &["3"]]));
    assert_eq!(run(&s, &setop(S::Except, false)).1, rows(&[&["2"]]));
}

#[test]
fn with_columns_drop_rename_to_df() {
    let s = session();
    let wc = rel(RelType::WithColumns(Box::new(pb::WithColumns {
        input: boxed(table("t")),
        aliases: vec![
            pb::expression::Alias {
                expr: Some(Box::new(func("*", vec![col("a"), int(10)]))),
                name: vec!["A".into()],
                metadata: None,
            },
            pb::expression::Alias { expr: Some(Box::new(string("k"))), name: vec!["e".into()], metadata: None },
        ],
    })));
    let (names, data) = run(&s, &sort(wc.clone(), vec![(col("a"), true)]));
    assert_eq!(names, ["A", "b", "c", "e"]);
    assert_eq!(data[0], ["10", "a", "1.5", "k"]);
    let dropped = rel(RelType::Drop(Box::new(pb::Drop {
        input: boxed(wc),
        columns: vec![col("c")],
        column_names: vec!["B".into(), "nope".into()],
    })));
    assert_eq!(run(&s, &dropped).0, ["A", "e"]);
    let renamed = rel(RelType::WithColumnsRenamed(Box::new(pb::WithColumnsRenamed {
        input: boxed(table("t")),
        rename_columns_map: Default::default(),
        renames: vec![
            pb::with_columns_renamed::Rename { col_name: "a".into(), new_col_name: "b".into() },
            pb::with_columns_renamed::Rename { col_name: "b".into(), new_col_name: "x".into() },
        ],
    })));
    // applied from the last pair to the first, as Spark folds them
    assert_eq!(run(&s, &renamed).0, ["b", "x", "c"]);
    let to_df = |names: &[&str]| {
        rel(RelType::ToDf(Box::new(pb::ToDf {
            input: boxed(table("u")),
            column_names: names.iter().map(|n| n.to_string()).collect(),
        })))
    };
    assert_eq!(run(&s, &to_df(&["x", "y"])).0, ["x", "y"]);
    let err = lower(&s, &to_df(&["x"])).unwrap_err();
    assert!(err.to_string().contains("The number of columns doesn't match"), "{err}");
    let dup = rel(RelType::WithColumns(Box::new(pb::WithColumns {
        input: boxed(table("t")),
        aliases: vec![
            pb::expression::Alias { expr: Some(Box::new(int(1))), name: vec!["x".into()], metadata: None },
            pb::expression::Alias { expr: Some(Box::new(int(2))), name: vec!["X".into()], metadata: None },
        ],
    })));
    assert_eq!(lower(&s, &dup).unwrap_err().error_class(), Some("COLUMN_ALREADY_EXISTS"));
}

#[test]
fn columns_with_the_same_name_stay_reachable() {
    let s = session();
    // select(a, a + 0 AS a, b): two different columns named a
    let twice = project(table("t"), vec![col("a"), alias(func("+", vec![col("a"), int(0)]), "a"), col("b")]);
    let r = rel(RelType::WithColumns(Box::new(pb::WithColumns {
        input: boxed(twice),
        aliases: vec![pb::expression::Alias {
            expr: Some(Box::new(func("upper", vec![col("b")]))),
            name: vec!["b".into()],
            metadata: None,
        }],
    })));
    let (names, data) = run(&s, &r);
    assert_eq!(names, ["a", "a", "b"]);
    assert_eq!(sorted(data)[0], ["1", "1", "A"]);
}

#[test]
fn to_schema_reorders_and_casts() {
    let s = session();
    let schema = parse_type_string("c string, A bigint").unwrap();
    let r = rel(RelType::ToSchema(Box::new(pb::ToSchema {
        input: boxed(table("t")),
        schema: Some(data_type_to_proto(&schema)),
    })));
    let plan = lower(&s, &r).unwrap();
    let schema = s.analyze(&plan).unwrap().schema();
    assert_eq!(schema.field(0).name(), "c");
    assert_eq!(schema.field(0).data_type(), &DataType::Utf8);
    assert_eq!(schema.field(1).name(), "A");
    assert_eq!(schema.field(1).data_type(), &DataType::Int64);
    let missing = rel(RelType::ToSchema(Box::new(pb::ToSchema {
        input: boxed(table("t")),
        schema: Some(data_type_to_proto(&parse_type_string("zz int").unwrap())),
    })));
    assert!(lower(&s, &missing).unwrap_err().error_class().unwrap().starts_with("UNRESOLVED_COLUMN"));
}

#[test]
fn deduplicate_all_or_by_subset() {
    let s = Session::new();
    s.sql("CREATE TEMPORARY VIEW d AS SELECT * FROM VALUES (1, 'x', 10), (1, 'x', 10), (1, 'y', 20), (2, 'x', 30) AS d(k, v, w)")
        .unwrap();
    let dedup = |cols: &[&str]| {
        rel(RelType::Deduplicate(Box::new(pb::Deduplicate {
            input: boxed(table("d")),
            column_names: cols.iter().map(|c| c.to_string()).collect(),
            all_columns_as_keys: Some(cols.is_empty()),
            within_watermark: None,
        })))
    };
    assert_eq!(run(&s, &dedup(&[])).1.len(), 3);
    let (names, data) = run(&s, &dedup(&["k"]));
    assert_eq!(names, ["k", "v", "w"]);
    let data = sorted(data);
    assert_eq!(data.len(), 2);
    assert_eq!(data[1], ["2", "x", "30"]);
    // the other columns of one row come together
    assert!(data[0] == ["1", "x", "10"] || data[0] == ["1", "y", "20"], "{data:?}");
    let err = lower(&s, &dedup(&["nope"])).unwrap_err();
    assert_eq!(err.error_class(), Some("UNRESOLVED_COLUMN_AMONG_FIELD_NAMES"));
}

#[test]
fn unpivot_keeps_row_order() {
    let s = Session::new();
    s.sql("CREATE TEMPORARY VIEW w AS SELECT * FROM VALUES (1, 11, 1.1), (2, 12, 1.2) AS w(id, int, double)").unwrap();
    let r = rel(RelType::Unpivot(Box::new(pb::Unpivot {
        input: boxed(table("w")),
        ids: vec![col("id")],
        values: Some(pb::unpivot::Values { values: vec![col("int"), col("double")] }),
        variable_column_name: "var".into(),
        value_column_name: "val".into(),
    })));
    let (names, data) = run(&s, &r);
    assert_eq!(names, ["id", "var", "val"]);
    assert_eq!(
        data,
        rows(&[&["1", "int", "11.0"], &["1", "double", "1.1"], &["2", "int", "12.0"], &["2", "double", "1.2"]])
    );
    // without values: every non-id column
    let r = rel(RelType::Unpivot(Box::new(pb::Unpivot {
        input: boxed(table("w")),
        ids: vec![col("id")],
        values: None,
        variable_column_name: "k".into(),
        value_column_name: "v".into(),
    })));
    assert_eq!(run(&s, &r).1.len(), 4);
}

#[test]
fn na_fill_drop_replace() {
    let s = session();
    let lit_of = |t| Literal { data_type: None, literal_type: Some(t) };
    let fill = |cols: &[&str], values: Vec<Literal>| {
        rel(RelType::FillNa(Box::new(pb::NaFill {
            input: boxed(sort(table("t"), vec![(col("a"), true)])),
            cols: cols.iter().map(|c| c.to_string()).collect(),
            values,
        })))
    };
    // a number fills numeric columns only
    let (names, data) = run(&s, &fill(&[], vec![lit_of(LiteralType::Long(0))]));
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(data[1], ["2", "b", "0.0"]);
    assert_eq!(data[2], ["3", "NULL", "3.0"]);
    let (_, data) = run(&s, &fill(&[], vec![lit_of(LiteralType::String("?".into()))]));
    assert_eq!(data[2], ["3", "?", "3.0"]);
    let (_, data) =
        run(&s, &fill(&["b", "c"], vec![lit_of(LiteralType::String("-".into())), lit_of(LiteralType::Double(9.5))]));
    assert_eq!(data[1], ["2", "b", "9.5"]);
    assert_eq!(data[2], ["3", "-", "3.0"]);
    assert!(lower(&s, &fill(&["zz"], vec![lit_of(LiteralType::Long(0))])).is_err());

    let drop_na = |cols: &[&str], min: Option<i32>| {
        rel(RelType::DropNa(Box::new(pb::NaDrop {
            input: boxed(table("t")),
            cols: cols.iter().map(|c| c.to_string()).collect(),
            min_non_nulls: min,
        })))
    };
    assert_eq!(run(&s, &drop_na(&[], None)).1, rows(&[&["1", "a", "1.5"]]));
    assert_eq!(run(&s, &drop_na(&[], Some(3))).1.len(), 1);
    assert_eq!(run(&s, &drop_na(&[], Some(2))).1.len(), 3);
    assert_eq!(run(&s, &drop_na(&["b"], None)).1.len(), 2);

    let replace = rel(RelType::Replace(Box::new(pb::NaReplace {
        input: boxed(sort(table("t"), vec![(col("a"), true)])),
        cols: vec![],
        replacements: vec![pb::na_replace::Replacement {
            old_value: Some(lit_of(LiteralType::Double(1.0))),
            new_value: Some(lit_of(LiteralType::Double(100.0))),
        }],
    })));
    let (_, data) = run(&s, &replace);
    assert_eq!(data[0], ["100", "a", "1.5"]);
    assert_eq!(data[1], ["2", "b", "NULL"]);
}

#[test]
fn describe_and_summary() {
    let s = Session::new();
    s.sql(
        "CREATE TEMPORARY VIEW p AS SELECT * FROM VALUES ('Bob', 13L, 40.3D), ('Alice', 12L, 37.8D), ('Tom', 11L, 44.1D) \
         AS p(name, age, weight)",
    )
    .unwrap();
    let describe = rel(RelType::Describe(Box::new(pb::StatDescribe { input: boxed(table("p")), cols: vec![] })));
    let (names, data) = run(&s, &describe);
    assert_eq!(names, ["summary", "name", "age", "weight"]);
    assert_eq!(data[0], ["count", "3", "3", "3"]);
    assert_eq!(data[1], ["mean", "NULL", "12.0", "40.73333333333333"]);
    assert_eq!(data[2][2], "1.0");
    assert_eq!(data[3], ["min", "Alice", "11", "37.8"]);
    assert_eq!(data[4], ["max", "Tom", "13", "44.1"]);
    let summary = rel(RelType::Summary(Box::new(pb::StatSummary {
        input: boxed(project(table("p"), vec![col("age"), col("weight")])),
        statistics: vec![],
    })));
    let (names, data) = run(&s, &summary);
    assert_eq!(names, ["summary", "age", "weight"]);
    let firsts: Vec<&str> = data.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(firsts, ["count", "mean", "stddev", "min", "25%", "50%", "75%", "max"]);
    assert_eq!(data[4], ["25%", "11", "37.8"]);
    assert_eq!(data[5], ["50%", "12", "40.3"]);
    assert_eq!(data[6], ["75%", "13", "44.1"]);
    let bad =
        rel(RelType::Summary(Box::new(pb::StatSummary { input: boxed(table("p")), statistics: vec!["x".into()] })));
    assert!(lower(&s, &bad).is_err());
}

#[test]
fn tail_and_sample() {
    let s = Session::new();
    let range = rel(RelType::Range(pb::Range { start: Some(0), end: 100, step: 1, num_partitions: None }));
    let tail = rel(RelType::Tail(Box::new(pb::Tail { input: boxed(range.clone()), limit: 2 })));
    assert_eq!(run(&s, &tail).1, rows(&[&["98"], &["99"]]));
    let sample = |lb: f64, ub: f64, seed: i64| {
        rel(RelType::Sample(Box::new(pb::Sample {
            input: boxed(range.clone()),
            lower_bound: lb,
            upper_bound: ub,
            with_replacement: Some(false),
            seed: Some(seed),
            deterministic_order: true,
        })))
    };
    let a = run(&s, &sample(0.0, 0.5, 7)).1;
    assert_eq!(a, run(&s, &sample(0.0, 0.5, 7)).1, "same seed, same rows");
    let b = run(&s, &sample(0.5, 1.0, 7)).1;
    assert_eq!(a.len() + b.len(), 100, "adjacent bounds split the rows");
    assert!(a.iter().all(|r| !b.contains(r)));
    assert!((20..80).contains(&a.len()), "{}", a.len());
    assert!(lower(&s, &sample(0.0, 1.5, 1)).is_err());
}

#[test]
fn pivot_with_and_without_values() {
    let s = Session::new();
    s.sql(
        "CREATE TEMPORARY VIEW e AS SELECT * FROM VALUES (2012, 'dotNET', 10000), (2012, 'Java', 20000), \
         (2012, 'dotNET', 5000), (2013, 'dotNET', 48000), (2013, 'Java', 30000) AS e(year, course, earnings)",
    )
    .unwrap();
    let pivot = |values: Vec<&str>, aggs: Vec<pb::Expression>| {
        let input = rel(RelType::Aggregate(Box::new(pb::Aggregate {
            input: boxed(table("e")),
            group_type: pb::aggregate::GroupType::Pivot as i32,
            grouping_expressions: vec![col("year")],
            aggregate_expressions: aggs,
            pivot: Some(pb::aggregate::Pivot {
                col: Some(col("course")),
                values: values
                    .into_iter()
                    .map(|v| Literal { data_type: None, literal_type: Some(LiteralType::String(v.into())) })
                    .collect(),
            }),
            grouping_sets: vec![],
        })));
        sort(input, vec![(col("year"), true)])
    };
    let (names, data) = run(&s, &pivot(vec!["dotNET", "Java"], vec![func("sum", vec![col("earnings")])]));
    assert_eq!(names, ["year", "dotNET", "Java"]);
    assert_eq!(data, rows(&[&["2012", "15000", "20000"], &["2013", "48000", "30000"]]));
    let (names, _) = run(&s, &pivot(vec![], vec![func("sum", vec![col("earnings")])]));
    assert_eq!(names, ["year", "Java", "dotNET"]);
    let (names, data) = run(
        &s,
        &pivot(vec!["Java"], vec![func("sum", vec![col("earnings")]), alias(func("count", vec![int(1)]), "n")]),
    );
    assert_eq!(names, ["year", "Java_sum(earnings)", "Java_n"]);
    assert_eq!(data, rows(&[&["2012", "20000", "1"], &["2013", "30000", "1"]]));
}

#[test]
fn sql_with_named_and_positional_arguments() {
    let s = session();
    let sql = |query: &str, named: Vec<(&str, pb::Expression)>, pos: Vec<pb::Expression>| {
        rel(RelType::Sql(pb::Sql {
            query: query.to_string(),
            named_arguments: named.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            pos_arguments: pos,
            ..Default::default()
        }))
    };
    let (names, data) =
        run(&s, &sql("SELECT a FROM t WHERE a > :lo AND b = :b", vec![("lo", int(0)), ("b", string("b"))], vec![]));
    assert_eq!(names, ["a"]);
    assert_eq!(data, rows(&[&["2"]]));
    let (_, data) =
        run(&s, &sql("SELECT a, '?' FROM t WHERE a >= ? AND a < ? ORDER BY a", vec![], vec![int(2), int(3)]));
    assert_eq!(data, rows(&[&["2", "?"]]));
    let err = run_err(&s, &sql("SELECT :missing", vec![], vec![]));
    assert_eq!(err.error_class(), Some("UNBOUND_SQL_PARAMETER"));
    // a command runs now and answers with its rows
    let (_, data) = run(&s, &sql("SHOW TABLES", vec![], vec![]));
    assert_eq!(data.len(), 2);
}

#[test]
fn local_relation_from_arrow_ipc() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("_1", DataType::Int64, true),
        Field::new("_2", DataType::LargeUtf8, true),
        Field::new("_3", DataType::Timestamp(TimeUnit::Microsecond, Some("America/New_York".into())), true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(vec![Some(1), None])),
            Arc::new(LargeStringArray::from(vec![Some("x"), Some("y")])),
            Arc::new(TimestampMicrosecondArray::from(vec![0, 1_000_000]).with_timezone("America/New_York")),
        ],
    )
    .unwrap();
    let mut data = vec![];
    {
        let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut data, &schema).unwrap();
        w.write(&batch).unwrap();
        w.finish().unwrap();
    }
    let json = r#"{"type":"struct","fields":[{"name":"id","type":"integer","nullable":true,"metadata":{}},
        {"name":"name","type":"string","nullable":true,"metadata":{}},
        {"name":"ts","type":"timestamp","nullable":true,"metadata":{}}]}"#;
    let r = rel(RelType::LocalRelation(pb::LocalRelation { data: Some(data.clone()), schema: Some(json.into()) }));
    let s = Session::new();
    let plan = lower(&s, &r).unwrap();
    let Plan::LocalRelation { schema: out, batches } = &plan else { panic!() };
    assert_eq!(out.field(0).name(), "id");
    assert_eq!(out.field(0).data_type(), &DataType::Int32);
    assert_eq!(out.field(1).data_type(), &DataType::Utf8);
    assert_eq!(out.field(2).data_type(), &ember_core::types::timestamp_type());
    assert_eq!(batches[0].column(0).null_count(), 1);
    let (names, data_rows) = run(&s, &r);
    assert_eq!(names, ["id", "name", "ts"]);
    assert_eq!(data_rows[0][..2], ["1".to_string(), "x".to_string()]);
    // a DDL schema and a column-count mismatch
    let r = rel(RelType::LocalRelation(pb::LocalRelation { data: Some(data), schema: Some("a int, b string".into()) }));
    assert!(lower(&s, &r).is_err());
    // schema only: an empty relation
    let r = rel(RelType::LocalRelation(pb::LocalRelation { data: None, schema: Some("a int, b string".into()) }));
    let (names, data_rows) = run(&s, &r);
    assert_eq!(names, ["a", "b"]);
    assert!(data_rows.is_empty());
}

#[test]
fn read_data_source_and_subquery_alias() {
    let s = session();
    let r = rel(RelType::Read(pb::Read {
        is_streaming: false,
        read_type: Some(pb::read::ReadType::DataSource(pb::read::DataSource {
            format: Some("CSV".into()),
            schema: Some("a INT, b STRING".into()),
            options: [("Header".to_string(), "true".to_string())].into_iter().collect(),
            paths: vec!["/tmp/x.csv".into()],
            predicates: vec![],
            source_name: None,
        })),
    }));
    match lower(&s, &r).unwrap() {
        Plan::ReadFiles { format, paths, options, schema } => {
            assert_eq!(format, "csv");
            assert_eq!(paths, ["/tmp/x.csv"]);
            assert_eq!(options, [("header".to_string(), "true".to_string())]);
            assert_eq!(schema.unwrap().len(), 2);
        }
        other => panic!("{other:?}"),
    }
    let aliased = rel(RelType::SubqueryAlias(Box::new(pb::SubqueryAlias {
        input: boxed(table("t")),
        alias: "x".into(),
        qualifier: vec![],
    })));
    let (names, _) = run(&s, &project(aliased, vec![col("x.a")]));
    assert_eq!(names, ["a"]);
    assert!(matches!(
        lower(&s, &rel(RelType::Read(pb::Read { is_streaming: true, read_type: None }))),
        Err(ember_core::Error::NotImplemented(_))
    ));
}

#[test]
fn catalog_calls() {
    use pb::catalog::CatType;
    let s = session();
    let cat = |t: CatType| rel(RelType::Catalog(pb::Catalog { cat_type: Some(t) }));
    let (names, data) = run(&s, &cat(CatType::ListTables(pb::ListTables { db_name: None, pattern: None })));
    assert_eq!(names, ["name", "catalog", "namespace", "description", "tableType", "isTemporary"]);
    assert_eq!(
        data,
        rows(&[&["t", "NULL", "[]", "NULL", "TEMPORARY", "true"], &["u", "NULL", "[]", "NULL", "TEMPORARY", "true"]])
    );
    let (_, data) = run(&s, &cat(CatType::ListTables(pb::ListTables { db_name: None, pattern: Some("U*".into()) })));
    assert_eq!(data.len(), 1);
    assert_eq!(run(&s, &cat(CatType::CurrentDatabase(Default::default()))).1, rows(&[&["default"]]));
    assert_eq!(run(&s, &cat(CatType::CurrentCatalog(Default::default()))).1, rows(&[&["spark_catalog"]]));
    let exists = |n: &str| cat(CatType::TableExists(pb::TableExists { table_name: n.into(), db_name: None }));
    assert_eq!(run(&s, &exists("T")).1, rows(&[&["true"]]));
    assert_eq!(run(&s, &exists("nope")).1, rows(&[&["false"]]));
    let (names, data) = run(&s, &cat(CatType::ListColumns(pb::ListColumns { table_name: "t".into(), db_name: None })));
    assert_eq!(names.len(), 7);
    assert_eq!(data[0][..3], ["a".to_string(), "NULL".to_string(), "int".to_string()]);
    assert_eq!(data[1][2], "string");
    let err = lower(&s, &cat(CatType::ListTables(pb::ListTables { db_name: Some("other".into()), pattern: None })))
        .unwrap_err();
    assert_eq!(err.error_class(), Some("SCHEMA_NOT_FOUND"));
    let drop = cat(CatType::DropTempView(pb::DropTempView { view_name: "u".into() }));
    assert_eq!(run(&s, &drop).1, rows(&[&["true"]]));
    assert_eq!(run(&s, &drop).1, rows(&[&["false"]]));
    assert!(!s.table_exists(&["u".to_string()]));
    let (_, data) =
        run(&s, &cat(CatType::ListFunctions(pb::ListFunctions { db_name: None, pattern: Some("upp*".into()) })));
    assert_eq!(data, rows(&[&["upper", "NULL", "NULL", "NULL", "NULL", "true"]]));
}

#[test]
fn other_relations_are_refused_cleanly() {
    let s = session();
    let show = rel(RelType::ShowString(Box::new(pb::ShowString { input: boxed(table("t")), ..Default::default() })));
    assert!(lower(&s, &show).is_err());
    let crosstab =
        rel(RelType::Crosstab(Box::new(pb::StatCrosstab { input: boxed(table("t")), ..Default::default() })));
    assert!(matches!(lower(&s, &crosstab), Err(ember_core::Error::NotImplemented(_))));
    assert!(lower(&s, &pb::Relation::default()).is_err());
    let no_input = rel(RelType::Filter(Box::new(pb::Filter { input: None, condition: Some(int(1)) })));
    assert!(lower(&s, &no_input).is_err());
    let join = rel(RelType::Join(Box::new(pb::Join {
        left: boxed(table("t")),
        right: boxed(table("u")),
        join_type: 99,
        ..Default::default()
    })));
    assert!(lower(&s, &join).is_err());
    assert!(matches!(
        lower(
            &s,
            &rel(RelType::Join(Box::new(pb::Join {
                left: boxed(table("t")),
                right: boxed(table("u")),
                join_type: pb::join::JoinType::Inner as i32,
                ..Default::default()
            })))
        )
        .unwrap(),
        Plan::Join { join_type: JoinType::Cross, .. }
    ));
}

#[test]
fn window_functions_run() {
    use pb::expression::sort_order::{NullOrdering, SortDirection};
    use pb::expression::window::window_frame::{frame_boundary::Boundary, FrameBoundary, FrameType};
    use pb::expression::window::WindowFrame as PbFrame;
    let s = session();
    let order = |asc: bool| pb::expression::SortOrder {
        child: Some(Box::new(col("a"))),
        direction: if asc { SortDirection::Ascending } else { SortDirection::Descending } as i32,
        null_ordering: NullOrdering::SortNullsUnspecified as i32,
    };
    let row_number = ex(ExprType::Window(Box::new(pb::expression::Window {
        window_function: Some(Box::new(func("row_number", vec![]))),
        partition_spec: vec![],
        order_spec: vec![order(false)],
        frame_spec: None,
    })));
    let bound = |b: Boundary| Some(Box::new(FrameBoundary { boundary: Some(b) }));
    let running = ex(ExprType::Window(Box::new(pb::expression::Window {
        window_function: Some(Box::new(func("sum", vec![col("a")]))),
        partition_spec: vec![],
        order_spec: vec![order(true)],
        frame_spec: Some(Box::new(PbFrame {
            frame_type: FrameType::Row as i32,
            lower: bound(Boundary::Value(Box::new(int(-1)))),
            upper: bound(Boundary::CurrentRow(true)),
        })),
    })));
    let (names, data) =
        run(&s, &sort(project(table("t"), vec![col("a"), row_number, running]), vec![(col("a"), true)]));
    assert_eq!(names[0], "a");
    assert_eq!(
        names[1],
        "row_number() OVER (ORDER BY a DESC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    );
    assert_eq!(names[2], "sum(a) OVER (ORDER BY a ASC NULLS FIRST ROWS BETWEEN -1 FOLLOWING AND CURRENT ROW)");
    assert_eq!(data, rows(&[&["1", "3", "1"], &["2", "2", "3"], &["3", "1", "5"]]));
}
