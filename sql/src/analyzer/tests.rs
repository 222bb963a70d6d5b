//! Analyzer tests against Spark's known behaviour: output names and types,
//! decimal typing of TPC-H expressions, error classes, ORDER BY / GROUP BY
//! resolution rules, joins, subqueries, CTEs.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema};
use ember_core::catalog::{Catalog, CatalogEntry};
use ember_core::spec::{self, ColumnDef, Plan};
use ember_core::{ColumnId, Error, Expr, LogicalPlan, Result, SessionConfig, TableSource};

use super::analyze;

struct TestCatalog {
    tables: HashMap<String, Vec<(String, DataType, bool)>>,
    views: HashMap<String, (Plan, Vec<String>)>,
}

fn dec(p: u8, s: i8) -> DataType {
    DataType::Decimal128(p, s)
}

impl TestCatalog {
    fn new() -> TestCatalog {
        use DataType::*;
        let mut tables = HashMap::new();
        let mut add = |name: &str, cols: &[(&str, DataType)]| {
            tables.insert(
                name.to_string(),
                cols.iter().map(|(n, t)| (n.to_string(), t.clone(), true)).collect::<Vec<_>>(),
            );
        };
        add("t", &[("a", Int32), ("b", Int32), ("c", Utf8), ("d", dec(15, 2)), ("dt", Date32)]);
        add("u", &[("a", Int32), ("x", Int64), ("c", Utf8)]);
        add("nation", &[("n_nationkey", Int64), ("n_name", Utf8), ("n_regionkey", Int64), ("n_comment", Utf8)]);
        add("region", &[("r_regionkey", Int64), ("r_name", Utf8), ("r_comment", Utf8)]);
        add(
            "part",
            &[
                ("p_partkey", Int64),
                ("p_name", Utf8),
                ("p_mfgr", Utf8),
                ("p_brand", Utf8),
                ("p_type", Utf8),
                ("p_size", Int32),
                ("p_container", Utf8),
                ("p_retailprice", dec(15, 2)),
                ("p_comment", Utf8),
            ],
        );
        add(
            "supplier",
            &[
                ("s_suppkey", Int64),
                ("s_name", Utf8),
                ("s_address", Utf8),
                ("s_nationkey", Int64),
                ("s_phone", Utf8),
                ("s_acctbal", dec(15, 2)),
                ("s_comment", Utf8),
            ],
        );
        add(
            "partsupp",
            &[
                ("ps_partkey", Int64),
                ("ps_suppkey", Int64),
                ("ps_availqty", Int32),
                ("ps_supplycost", dec(15, 2)),
                ("ps_comment", Utf8),
            ],
        );
        add(
            "customer",
            &[
                ("c_custkey", Int64),
                ("c_name", Utf8),
                ("c_address", Utf8),
                ("c_nationkey", Int64),
                ("c_phone", Utf8),
                ("c_acctbal", dec(15, 2)),
                ("c_mktsegment", Utf8),
                ("c_comment", Utf8),
            ],
        );
        add(
            "orders",
            &[
                ("o_orderkey", Int64),
                ("o_custkey", Int64),
                ("o_orderstatus", Utf8),
                ("o_totalprice", dec(15, 2)),
                ("o_orderdate", Date32),
                ("o_orderpriority", Utf8),
                ("o_clerk", Utf8),
                ("o_shippriority", Int32),
                ("o_comment", Utf8),
            ],
        );
        add(
            "lineitem",
            &[
                ("l_orderkey", Int64),
                ("l_partkey", Int64),
                ("l_suppkey", Int64),
                ("l_linenumber", Int32),
                ("l_quantity", dec(15, 2)),
                ("l_extendedprice", dec(15, 2)),
                ("l_discount", dec(15, 2)),
                ("l_tax", dec(15, 2)),
                ("l_returnflag", Utf8),
                ("l_linestatus", Utf8),
                ("l_shipdate", Date32),
                ("l_commitdate", Date32),
                ("l_receiptdate", Date32),
                ("l_shipinstruct", Utf8),
                ("l_shipmode", Utf8),
                ("l_comment", Utf8),
            ],
        );
        TestCatalog { tables, views: HashMap::new() }
    }
}

impl Catalog for TestCatalog {
    fn lookup(&self, name: &[String]) -> Result<Option<CatalogEntry>> {
        let key = name.last().map(|s| s.to_ascii_lowercase()).unwrap_or_default();
        if let Some((plan, columns)) = self.views.get(&key) {
            return Ok(Some(CatalogEntry::View { name: key.clone(), plan: plan.clone(), columns: columns.clone() }));
        }
        Ok(self.tables.get(&key).map(|cols| {
            let fields: Vec<Field> = cols.iter().map(|(n, t, null)| Field::new(n, t.clone(), *null)).collect();
            let schema = Arc::new(Schema::new(fields));
            CatalogEntry::Table {
                name: key.clone(),
                source: TableSource::Memory { batches: Arc::new(Vec::new()), schema },
            }
        }))
    }

    fn resolve_files(
        &self,
        _: &str,
        paths: &[String],
        _: &[(String, String)],
        _: Option<&[ColumnDef]>,
    ) -> Result<TableSource> {
        Err(Error::spark("PATH_NOT_FOUND", &[("path", paths.join(", "))]))
    }
}

fn conf(ansi: bool) -> SessionConfig {
    let mut c = SessionConfig::new();
    c.set("spark.sql.ansi.enabled", if ansi { "true" } else { "false" }).unwrap();
    c
}

fn query(text: &str) -> Plan {
    match crate::frontend::parse_statement(text) {
        Ok(spec::Statement::Query(p)) => p,
        other => panic!("not a query: {text}: {other:?}"),
    }
}

fn sql_with(text: &str, ansi: bool) -> Result<LogicalPlan> {
    analyze(&query(text), &TestCatalog::new(), &conf(ansi))
}

fn sql(text: &str) -> LogicalPlan {
    match sql_with(text, true) {
        Ok(p) => p,
        Err(e) => panic!("{text}: {e}"),
    }
}

fn err(text: &str) -> Error {
    match sql_with(text, true) {
        Ok(p) => panic!("expected an error for {text}, got\n{}", p.display_indent()),
        Err(e) => e,
    }
}

fn names(p: &LogicalPlan) -> Vec<String> {
    p.output().iter().map(|a| a.name.clone()).collect()
}

fn types(p: &LogicalPlan) -> Vec<DataType> {
    p.output().iter().map(|a| a.data_type.clone()).collect()
}

fn param(e: &Error, key: &str) -> String {
    match e {
        Error::Spark(s) => s.parameters.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default(),
        _ => String::new(),
    }
}

#[test]
fn projection_names_and_types() {
    let p = sql("SELECT a + 1, a, c AS name, d * 2, a / b, 1 FROM t");
    assert_eq!(names(&p), ["(a + 1)", "a", "name", "(d * 2)", "(a / b)", "1"]);
    assert_eq!(types(&p)[0], DataType::Int32);
    assert_eq!(types(&p)[3], dec(17, 2)); // decimal(15,2) * decimal(1,0) -> (17,2)
    assert_eq!(types(&p)[4], DataType::Float64);
}

fn tpch_query(n: usize) -> String {
    let path = format!("{}/../../shared/tpch/queries/q{n:02}.sql", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every id defined by a Scan, Alias or Union anywhere in the plan (subqueries included).
fn defined_ids(p: &LogicalPlan, out: &mut Vec<ColumnId>) {
    match p {
        LogicalPlan::Scan { output, .. } | LogicalPlan::Union { output, .. } => out.extend(output.iter().map(|a| a.id)),
        LogicalPlan::Range { output, .. } => out.push(output.id),
        _ => {}
    }
    for e in p.expressions() {
        e.walk(&mut |x| match x {
            Expr::Alias { id, .. } => out.push(*id),
            Expr::ScalarSubquery { plan, .. } | Expr::InSubquery { plan, .. } | Expr::Exists { plan, .. } => {
                defined_ids(plan, out)
            }
            _ => {}
        });
    }
    for c in p.children() {
        defined_ids(c, out);
    }
}

fn assert_unique_ids(p: &LogicalPlan) {
    let mut ids = Vec::new();
    defined_ids(p, &mut ids);
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "duplicate ids in\n{}", p.display_indent());
}

fn any_expr(p: &LogicalPlan, pred: &mut dyn FnMut(&Expr) -> bool) -> bool {
    if p.expressions().iter().any(|e| {
        e.any(&mut |x| {
            pred(x)
                || match x {
                    Expr::ScalarSubquery { plan, .. } | Expr::InSubquery { plan, .. } | Expr::Exists { plan, .. } => {
                        any_expr(plan, pred)
                    }
                    _ => false,
                }
        })
    }) {
        return true;
    }
    p.children().iter().any(|c| any_expr(c, pred))
}

#[test]
fn all_tpch_queries_analyze() {
    for n in 1..=22 {
        let text = tpch_query(n);
        let p = match sql_with(&text, true) {
            Ok(p) => p,
            Err(e) => panic!("q{n:02}: {e}"),
        };
        assert_unique_ids(&p);
        // legacy mode too
        if let Err(e) = sql_with(&text, false) {
            panic!("q{n:02} (ansi off): {e}");
        }
    }
}

#[test]
fn tpch_q1_types() {
    let p = sql(&tpch_query(1));
    assert_eq!(
        names(&p),
        [
            "l_returnflag",
            "l_linestatus",
            "sum_qty",
            "sum_base_price",
            "sum_disc_price",
            "sum_charge",
            "avg_qty",
            "avg_price",
            "avg_disc",
            "count_order"
        ]
    );
    let t = types(&p);
    assert_eq!(t[2], dec(25, 2));
    assert_eq!(t[3], dec(25, 2));
    assert_eq!(t[4], dec(38, 4));
    assert_eq!(t[5], dec(38, 6));
    assert_eq!(t[6], dec(19, 6));
    assert_eq!(t[9], DataType::Int64);
    assert!(!p.output()[9].nullable);
}

#[test]
fn tpch_decimal_expressions() {
    let p = sql("SELECT l_extendedprice * (1 - l_discount), 1 - l_discount, sum(l_extendedprice * (1 - l_discount)) FROM lineitem GROUP BY 1, 2");
    assert_eq!(
        names(&p),
        ["(l_extendedprice * (1 - l_discount))", "(1 - l_discount)", "sum((l_extendedprice * (1 - l_discount)))"]
    );
    assert_eq!(types(&p), [dec(32, 4), dec(16, 2), dec(38, 4)]);
    // q14: 100.00 * sum(case ...) / sum(...)
    let p = sql(&tpch_query(14));
    assert_eq!(names(&p), ["promo_revenue"]);
    assert_eq!(types(&p), [dec(38, 6)]);
}

#[test]
fn tpch_q15_cte_twice_has_distinct_ids() {
    let p = sql(&tpch_query(15));
    assert_unique_ids(&p);
    assert_eq!(names(&p), ["s_suppkey", "s_name", "s_address", "s_phone", "total_revenue"]);
}

#[test]
fn aggregate_names_and_types() {
    let p = sql("SELECT sum(d), count(*), avg(a), count(DISTINCT a), mean(d), min(c), sum(a) FROM t");
    assert_eq!(names(&p), ["sum(d)", "count(1)", "avg(a)", "count(DISTINCT a)", "mean(d)", "min(c)", "sum(a)"]);
    assert_eq!(
        types(&p),
        [dec(25, 2), DataType::Int64, DataType::Float64, DataType::Int64, dec(19, 6), DataType::Utf8, DataType::Int64]
    );
    let mut distinct = false;
    any_expr(&p, &mut |e| {
        if let Expr::Aggregate(a) = e {
            distinct |= a.distinct;
        }
        false
    });
    assert!(distinct);
    // sum(a)/count(b) computed above the Aggregate
    let p = sql("SELECT c, sum(a) / count(b) AS r FROM t GROUP BY c");
    assert_eq!(names(&p), ["c", "r"]);
    assert_eq!(types(&p), [DataType::Utf8, DataType::Float64]);
}

#[test]
fn group_by_ordinals_and_aliases() {
    let p = sql("SELECT c, sum(a) FROM t GROUP BY 1");
    assert_eq!(names(&p), ["c", "sum(a)"]);
    let p = sql("SELECT a + 1 AS k, count(*) FROM t GROUP BY k");
    assert_eq!(names(&p), ["k", "count(1)"]);
    let p = sql("SELECT a + 1, count(*) FROM t GROUP BY a + 1");
    assert_eq!(names(&p), ["(a + 1)", "count(1)"]);
    let e = err("SELECT c, sum(a) FROM t GROUP BY 3");
    assert_eq!(e.error_class(), Some("GROUP_BY_POS_OUT_OF_RANGE"));
    let e = err("SELECT c, sum(a) FROM t GROUP BY 2");
    assert_eq!(e.error_class(), Some("GROUP_BY_POS_AGGREGATE"));
}

#[test]
fn aggregate_errors() {
    let e = err("SELECT a, sum(b) FROM t GROUP BY c");
    assert_eq!(e.error_class(), Some("MISSING_AGGREGATION"));
    assert_eq!(param(&e, "expression"), "\"a\"");
    let e = err("SELECT a, sum(b) FROM t");
    assert_eq!(e.error_class(), Some("MISSING_GROUP_BY"));
    let e = err("SELECT sum(max(a)) FROM t");
    assert_eq!(e.error_class(), Some("NESTED_AGGREGATE_FUNCTION"));
    let e = err("SELECT a FROM t GROUP BY sum(a)");
    assert_eq!(e.error_class(), Some("GROUP_BY_AGGREGATE"));
    let e = err("SELECT a FROM t WHERE sum(a) > 1");
    assert_eq!(e.error_class(), Some("INVALID_WHERE_CONDITION"));
}

#[test]
fn having_with_hidden_aggregate() {
    let p = sql("SELECT c FROM t GROUP BY c HAVING sum(a) > 10 AND count(*) > 1");
    assert_eq!(names(&p), ["c"]);
    let LogicalPlan::Project { input, .. } = &p else { panic!("{}", p.display_indent()) };
    let LogicalPlan::Filter { input, .. } = input.as_ref() else { panic!("{}", p.display_indent()) };
    let LogicalPlan::Aggregate { aggr_exprs, .. } = input.as_ref() else { panic!("{}", p.display_indent()) };
    assert_eq!(aggr_exprs.len(), 2);
    // HAVING by select alias
    let p = sql("SELECT c, sum(a) AS s FROM t GROUP BY c HAVING s > 1");
    assert_eq!(names(&p), ["c", "s"]);
}

#[test]
fn order_by_rules() {
    // not selected: sorted below, projected away above
    let p = sql("SELECT a FROM t ORDER BY b DESC");
    assert_eq!(names(&p), ["a"]);
    let LogicalPlan::Project { input, .. } = &p else { panic!("{}", p.display_indent()) };
    let LogicalPlan::Sort { order, .. } = input.as_ref() else { panic!("{}", p.display_indent()) };
    assert!(!order[0].ascending && !order[0].nulls_first);
    // alias and ordinal
    let p = sql("SELECT a AS z, b FROM t ORDER BY z, 2");
    let LogicalPlan::Sort { order, .. } = &p else { panic!("{}", p.display_indent()) };
    assert!(order[0].nulls_first);
    assert_eq!(order[0].expr.sql_name(), "z");
    assert_eq!(order[1].expr.sql_name(), "b");
    let e = err("SELECT a FROM t ORDER BY 2");
    assert_eq!(e.error_class(), Some("ORDER_BY_POS_OUT_OF_RANGE"));
    // aggregate queries: by an aggregate not selected, by a group column not selected
    let p = sql("SELECT c FROM t GROUP BY c, a ORDER BY sum(b), a");
    assert_eq!(names(&p), ["c"]);
    // set operation output
    let p = sql("SELECT a FROM t UNION SELECT a FROM u ORDER BY a");
    assert_eq!(names(&p), ["a"]);
}

#[test]
fn unresolved_column_suggestions_and_span() {
    let e = err("SELECT aa FROM t");
    assert_eq!(e.error_class(), Some("UNRESOLVED_COLUMN.WITH_SUGGESTION"));
    assert_eq!(param(&e, "objectName"), "`aa`");
    assert!(param(&e, "proposal").starts_with("`t`.`a`"), "{}", param(&e, "proposal"));
    let span = e.span().expect("span");
    assert_eq!((span.start, span.end), (7, 9));
    let e = err("SELECT * FROM nope");
    assert_eq!(e.error_class(), Some("TABLE_OR_VIEW_NOT_FOUND"));
    assert!(e.span().is_some());
    let e = err("SELECT a FROM t, u");
    assert_eq!(e.error_class(), Some("AMBIGUOUS_REFERENCE"));
    let e = err("SELECT t.x FROM t");
    assert_eq!(param(&e, "objectName"), "`t`.`x`");
}

#[test]
fn qualified_names_and_star() {
    let p = sql("SELECT t.a, x.b, t.* FROM t, t AS x WHERE t.a = x.a");
    assert_eq!(names(&p), ["a", "b", "a", "b", "c", "d", "dt"]);
    let p = sql("SELECT s.k FROM (SELECT a AS k FROM t) AS s");
    assert_eq!(names(&p), ["k"]);
    let p = sql("SELECT k2 FROM (SELECT a, b FROM t) AS s(k1, k2)");
    assert_eq!(names(&p), ["k2"]);
    let p = sql("SELECT A FROM T");
    assert_eq!(names(&p), ["a"]);
}

#[test]
fn using_and_natural_joins() {
    let p = sql("SELECT * FROM t JOIN u USING (a)");
    assert_eq!(names(&p), ["a", "b", "c", "d", "dt", "x", "c"]);
    let p = sql("SELECT u.a, t.a, a FROM t JOIN u USING (a)");
    assert_eq!(names(&p), ["a", "a", "a"]);
    let p = sql("SELECT * FROM t FULL OUTER JOIN u USING (a)");
    assert_eq!(names(&p), ["a", "b", "c", "d", "dt", "x", "c"]);
    assert!(any_expr(&p, &mut |e| matches!(e, Expr::ScalarFunction { name, .. } if name == "coalesce")));
    let p = sql("SELECT * FROM t NATURAL JOIN u");
    assert_eq!(names(&p), ["a", "c", "b", "d", "dt", "x"]);
    let p = sql("SELECT * FROM t JOIN u ON t.a = u.a AND t.b > 1");
    let mut keys = 0;
    let mut walk = |p: &LogicalPlan| {
        if let LogicalPlan::Join { on, filter, .. } = p {
            keys = on.len();
            assert!(filter.is_some());
        }
    };
    fn visit(p: &LogicalPlan, f: &mut dyn FnMut(&LogicalPlan)) {
        f(p);
        for c in p.children() {
            visit(c, f);
        }
    }
    visit(&p, &mut walk);
    assert_eq!(keys, 1);
}

#[test]
fn correlated_subqueries() {
    let p = sql("SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a)");
    assert!(any_expr(&p, &mut |e| matches!(e, Expr::OuterColumn(a) if a.name == "a")));
    let p = sql("SELECT a, (SELECT max(x) FROM u WHERE u.a = t.a) AS m FROM t");
    assert_eq!(names(&p), ["a", "m"]);
    assert_eq!(types(&p)[1], DataType::Int64);
    let p = sql("SELECT a FROM t WHERE a IN (SELECT x FROM u)");
    assert!(any_expr(&p, &mut |e| matches!(e, Expr::InSubquery { expr, .. } if expr.data_type() == DataType::Int64)));
    let e = err("SELECT (SELECT a, x FROM u) FROM t");
    assert_eq!(e.error_class(), Some("INVALID_SUBQUERY_EXPRESSION.SCALAR_SUBQUERY_RETURN_MORE_THAN_ONE_OUTPUT_COLUMN"));
}

#[test]
fn ctes_and_views() {
    let p = sql("WITH v AS (SELECT a, b FROM t), w AS (SELECT a FROM v) SELECT * FROM v JOIN w ON v.a = w.a JOIN v AS v2 ON v2.a = w.a");
    assert_unique_ids(&p);
    assert_eq!(names(&p), ["a", "b", "a", "a", "b"]);
    let p = sql("WITH v(x, y) AS (SELECT a, b FROM t) SELECT y FROM v");
    assert_eq!(names(&p), ["y"]);
    let mut cat = TestCatalog::new();
    cat.views.insert("vw".into(), (query("SELECT a, c FROM t"), vec!["k".into(), "s".into()]));
    let p = analyze(&query("SELECT vw.k, other.s FROM vw, vw AS other"), &cat, &conf(true)).unwrap();
    assert_eq!(names(&p), ["k", "s"]);
    assert_unique_ids(&p);
}

#[test]
fn functions_and_errors() {
    let e = err("SELECT foo(a) FROM t");
    assert_eq!(e.error_class(), Some("UNRESOLVED_ROUTINE"));
    assert_eq!(param(&e, "routineName"), "`foo`");
    assert_eq!(param(&e, "searchPath"), "[`system`.`builtin`, `system`.`session`, `spark_catalog`.`default`]");
    let e = err("SELECT upper(c, c) FROM t");
    assert_eq!(e.error_class(), Some("WRONG_NUM_ARGS.WITHOUT_SUGGESTION"));
    let p = sql("SELECT substr(c, 1, 2), upper(c), length(c), round(d, 1), coalesce(a, b), if(a > 1, 'x', 'y'), c || 'z' FROM t");
    assert_eq!(names(&p)[..3], ["substr(c, 1, 2)", "upper(c)", "length(c)"]);
    assert_eq!(names(&p)[6], "concat(c, z)");
    assert_eq!(types(&p)[3], dec(15, 1));
    assert!(any_expr(&p, &mut |e| matches!(e, Expr::ScalarFunction { name, .. } if name == "substring")));
    let p = sql("SELECT extract(year FROM dt), year(dt) FROM t");
    assert_eq!(names(&p), ["extract(YEAR FROM dt)", "year(dt)"]);
    assert_eq!(types(&p), [DataType::Int32, DataType::Int32]);
}

#[test]
fn type_errors() {
    let e = err("SELECT * FROM t WHERE a + 1");
    assert_eq!(e.error_class(), Some("DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN"));
    assert_eq!(param(&e, "sqlExpr"), "\"(a + 1)\"");
    let e = err("SELECT CAST(dt AS INT) FROM t");
    assert_eq!(e.error_class(), Some("DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION"));
    assert!(sql_with("SELECT CAST(dt AS INT) FROM t", false).is_ok());
    let e = err("SELECT dt * 2 FROM t");
    assert!(e.error_class().unwrap_or("").starts_with("DATATYPE_MISMATCH"), "{e}");
    let e = err("SELECT a AND b FROM t");
    assert_eq!(e.error_class(), Some("DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE"));
}

#[test]
fn comparison_coercion() {
    // ANSI: string vs int -> bigint on both sides; legacy: the string becomes int
    let p = sql("SELECT a = '1' FROM t");
    assert!(any_expr(&p, &mut |e| matches!(e, Expr::Binary { left, .. } if left.data_type() == DataType::Int64)));
    let p = sql_with("SELECT a = '1' FROM t", false).unwrap();
    assert!(any_expr(&p, &mut |e| matches!(e, Expr::Binary { left, .. } if left.data_type() == DataType::Int32)));
    // string vs date: the string is cast to date
    let p = sql("SELECT * FROM t WHERE dt >= '1994-01-01'");
    assert!(any_expr(&p, &mut |e| matches!(e, Expr::Cast { to: DataType::Date32, .. })));
    // decimal vs int literal
    let p = sql("SELECT * FROM t WHERE d < 24");
    assert!(any_expr(&p, &mut |e| matches!(e, Expr::Binary { right, .. } if right.data_type() == dec(15, 2))));
}

#[test]
fn date_arithmetic() {
    let p = sql("SELECT dt + INTERVAL '3' MONTH, dt - INTERVAL '1' DAY, dt + 1, date_add(dt, 2) FROM t");
    assert_eq!(types(&p), [DataType::Date32, DataType::Date32, DataType::Date32, DataType::Date32]);
    assert!(any_expr(&p, &mut |e| matches!(e, Expr::ScalarFunction { name, .. } if name == "date_add_interval")));
}

#[test]
fn set_operations() {
    let p = sql("SELECT a FROM t UNION ALL SELECT x FROM u");
    assert_eq!(names(&p), ["a"]);
    assert_eq!(types(&p), [DataType::Int64]);
    assert!(matches!(p, LogicalPlan::Union { .. }));
    let p = sql("SELECT a FROM t UNION SELECT x FROM u");
    assert!(matches!(p, LogicalPlan::Aggregate { .. }));
    let p = sql("SELECT a, c FROM t INTERSECT SELECT a, c FROM u");
    assert!(matches!(p, LogicalPlan::SetOperation { .. }));
    let e = err("SELECT a, b FROM t UNION SELECT a FROM u");
    assert_eq!(e.error_class(), Some("NUM_COLUMNS_MISMATCH"));
    let e = err("SELECT dt FROM t EXCEPT SELECT x FROM u");
    assert_eq!(e.error_class(), Some("INCOMPATIBLE_COLUMN_TYPE"));
}

#[test]
fn values_range_limit_distinct() {
    let p = sql("SELECT * FROM VALUES (1, 'a'), (2, NULL)");
    assert_eq!(names(&p), ["col1", "col2"]);
    assert_eq!(types(&p), [DataType::Int32, DataType::Utf8]);
    let p = sql("SELECT id FROM range(10)");
    assert_eq!(types(&p), [DataType::Int64]);
    assert!(!p.output()[0].nullable);
    let p = sql("SELECT a FROM t LIMIT 5");
    assert!(matches!(p, LogicalPlan::Limit { fetch: Some(5), skip: 0, .. }));
    let e = err("SELECT a FROM t LIMIT -1");
    assert_eq!(e.error_class(), Some("INVALID_LIMIT_LIKE_EXPRESSION.IS_NEGATIVE"));
    let p = sql("SELECT DISTINCT a, c FROM t");
    assert!(matches!(p, LogicalPlan::Aggregate { .. }));
    assert_eq!(names(&p), ["a", "c"]);
    let p = sql("SELECT 1 + 1, 'x'");
    assert_eq!(names(&p), ["(1 + 1)", "x"]);
}

#[test]
fn union_by_name() {
    let left = query("SELECT a, c FROM t");
    let right = query("SELECT c, a, x FROM u");
    let plan = |allow_missing| Plan::SetOperation {
        left: Box::new(left.clone()),
        right: Box::new(right.clone()),
        op: spec::SetOp::Union,
        all: true,
        by_name: true,
        allow_missing,
    };
    let e = analyze(&plan(false), &TestCatalog::new(), &conf(true)).unwrap_err();
    assert_eq!(e.error_class(), Some("NUM_COLUMNS_MISMATCH"));
    let p = analyze(&plan(true), &TestCatalog::new(), &conf(true)).unwrap();
    assert_eq!(names(&p), ["a", "c", "x"]);
    assert_eq!(types(&p), [DataType::Int32, DataType::Utf8, DataType::Int64]);
}

#[test]
fn boolean_predicates() {
    let p = sql("SELECT a > 1 IS TRUE, c IS NULL, c LIKE 'x%', a BETWEEN 1 AND 3, a IN (1, 2L) FROM t");
    assert_eq!(types(&p), vec![DataType::Boolean; 5]);
    assert_eq!(names(&p)[1], "(c IS NULL)");
    assert!(any_expr(&p, &mut |e| matches!(e, Expr::Binary { op: spec::BinaryOp::EqNullSafe, .. })));
    assert!(any_expr(&p, &mut |e| matches!(e, Expr::InList { expr, .. } if expr.data_type() == DataType::Int64)));
}

#[test]
#[ignore]
fn print_tpch_plans() {
    for n in [13, 17, 22] {
        println!("q{n}\n{}", sql(&tpch_query(n)).display_indent());
    }
}

#[test]
fn typeof_is_a_constant_named_like_spark() {
    let p = sql("SELECT typeof(a), typeof(d * 2), typeof(sum(a)), typeof(NULL) FROM t");
    assert_eq!(names(&p), ["typeof(a)", "typeof((d * 2))", "typeof(sum(a))", "typeof(NULL)"]);
    assert_eq!(types(&p), vec![DataType::Utf8; 4]);
    let mut values = Vec::new();
    any_expr(&p, &mut |e| {
        if let Expr::Literal(ember_core::ScalarValue::Utf8(Some(s))) = e {
            values.push(s.clone());
        }
        false
    });
    assert_eq!(values, ["int", "decimal(17,2)", "bigint", "void"]);
}

#[test]
fn output_names_follow_spark_expressions() {
    let p = sql("SELECT a != 1, a <> 1, a BETWEEN 1 AND 3, a NOT BETWEEN 1 AND 3, substr(c, 2), substring(c FROM 2), \
         trim(BOTH 'x' FROM c), trim(LEADING 'x' FROM c), trim(TRAILING 'x' FROM c), trim(c), position('b' IN c), \
         locate('b', c), replace(c, 'b'), int(c), floor(a), ceiling(a) FROM t");
    assert_eq!(
        names(&p),
        [
            "(NOT (a = 1))",
            "(NOT (a = 1))",
            "between(a, 1, 3)",
            "(NOT between(a, 1, 3))",
            "substr(c, 2, 2147483647)",
            "substring(c, 2, 2147483647)",
            "TRIM(BOTH x FROM c)",
            "TRIM(LEADING x FROM c)",
            "TRIM(TRAILING x FROM c)",
            "trim(c)",
            "locate(b, c, 1)",
            "locate(b, c, 1)",
            "replace(c, b, )",
            "c",
            "FLOOR(a)",
            "ceiling(a)",
        ]
    );
}
