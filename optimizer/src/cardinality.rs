//! Cardinality estimates for join ordering and build sides: row counts from
//! the sources (Parquet footers, memory), textbook selectivities for
//! predicates, and for each column a domain, the number of distinct values it
//! can take. Without column statistics the domain of a scanned column is its
//! table's row count: exact for a key, too large for a foreign key. An
//! equi-join therefore divides by the smaller domain of each key pair (the
//! key side's), which gives a key / foreign-key join the foreign-key side's
//! row count scaled by the filters on the key side. Columns that come from one
//! relation share an origin, and a key tuple over one origin has at most that
//! relation's row count of distinct values (partsupp's `(partkey, suppkey)`).
//! Crude, but it orders the joins of star and snowflake queries.

use std::collections::HashMap;

use ember_core::expr::BinaryOp;
use ember_core::plan::JoinType;
use ember_core::{ColumnId, Expr, LogicalPlan};

/// What the estimator knows of one column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnStats {
    /// Distinct values the column can take (an upper bound, not lowered by
    /// filters: the join formulas rely on the unfiltered domain).
    pub domain: f64,
    /// The relation the column comes from: columns of one origin form key
    /// tuples bounded by `origin_rows`.
    pub origin: ColumnId,
    pub origin_rows: f64,
}

/// Rows and column statistics of a plan.
#[derive(Debug, Clone, Default)]
pub struct Estimate {
    pub rows: f64,
    pub columns: HashMap<ColumnId, ColumnStats>,
}

impl Estimate {
    /// Statistics of a key expression: a column's own, or (for a computed
    /// key) a domain as large as the input, with an origin of its own.
    pub fn key(&self, e: &Expr, unique: ColumnId) -> ColumnStats {
        if let Expr::Column(a) = e.unalias() {
            if let Some(s) = self.columns.get(&a.id) {
                return *s;
            }
        }
        ColumnStats { domain: self.rows.max(1.0), origin: unique, origin_rows: self.rows.max(1.0) }
    }
}

/// Rows in a table whose size is unknown (CSV, JSON without metadata).
const UNKNOWN_TABLE_ROWS: f64 = 1_000_000.0;

/// Estimated output rows of a plan.
pub fn rows(plan: &LogicalPlan) -> f64 {
    estimate(plan).rows
}

/// Rows of the largest table under a plan, ignoring filters: what tells the
/// fact table from the dimensions.
pub fn base_rows(plan: &LogicalPlan) -> f64 {
    match plan {
        LogicalPlan::Scan { source, .. } => source.row_count().map(|n| n as f64).unwrap_or(UNKNOWN_TABLE_ROWS),
        other if other.children().is_empty() => rows(other),
        other => other.children().into_iter().map(base_rows).fold(0.0, f64::max),
    }
}

/// Rows and column statistics of a plan, bottom up.
pub fn estimate(plan: &LogicalPlan) -> Estimate {
    match plan {
        LogicalPlan::Scan { source, output, .. } => {
            // the pushed filters are hints; the Filter above the scan counts them
            let n = source.row_count().map(|n| n as f64).unwrap_or(UNKNOWN_TABLE_ROWS);
            leaf(n, output.iter().map(|a| a.id))
        }
        LogicalPlan::Values { rows, output } => leaf(rows.len() as f64, output.iter().map(|a| a.id)),
        LogicalPlan::Range { start, end, step, output } => {
            let n = if *step == 0 { 0.0 } else { ((*end as f64 - *start as f64) / *step as f64).max(0.0) };
            leaf(n, [output.id])
        }
        LogicalPlan::Empty { output } => leaf(0.0, output.iter().map(|a| a.id)),
        LogicalPlan::Project { input, exprs } => {
            let inp = estimate(input);
            let mut out = Estimate { rows: inp.rows, columns: HashMap::new() };
            for e in exprs {
                let Some(id) = e.output_id() else { continue };
                let stats = inp.key(e, id);
                out.columns.insert(id, stats);
            }
            out
        }
        LogicalPlan::Filter { input, predicate } => {
            let mut e = estimate(input);
            // a query filters for rows that exist: TPC-H's `r_name = 'ASIA'`
            // keeps one of region's five rows, not the half row a 10%
            // guess gives, an error every join above multiplies
            let selectivity = conjunction_selectivity(&predicate.clone().split_conjunction());
            // (a predicate known to keep nothing, `x AND NULL`, keeps nothing)
            e.rows = if selectivity > 0.0 { (e.rows * selectivity).max(e.rows.min(1.0)) } else { 0.0 };
            e
        }
        LogicalPlan::Aggregate { input, group_exprs, aggr_exprs } => {
            let inp = estimate(input);
            let origin = group_exprs.iter().chain(aggr_exprs).find_map(|e| e.output_id()).unwrap_or(0);
            let n = if group_exprs.is_empty() {
                1.0
            } else {
                // a fixed reduction per key, bounded by the keys' domain
                let guess = inp.rows * 0.1_f64.powi(group_exprs.len().min(3) as i32).max(0.001);
                let keys: Vec<ColumnStats> = group_exprs.iter().map(|g| inp.key(g, origin)).collect();
                guess.min(key_domain(&keys)).min(inp.rows).max(1.0)
            };
            let mut out = Estimate { rows: n, columns: HashMap::new() };
            for g in group_exprs {
                let Some(id) = g.output_id() else { continue };
                let s = inp.key(g, id);
                // the grouping keys are unique in the output: one origin
                out.columns.insert(id, ColumnStats { domain: s.domain.min(n), origin, origin_rows: n });
            }
            for a in aggr_exprs {
                if let Some(id) = a.output_id() {
                    out.columns.insert(id, ColumnStats { domain: n, origin: id, origin_rows: n });
                }
            }
            out
        }
        LogicalPlan::Join { left, right, join_type, on, filter, .. } => {
            join_estimate(estimate(left), estimate(right), *join_type, on, filter.as_ref())
        }
        LogicalPlan::Sort { input, fetch, .. } | LogicalPlan::Limit { input, fetch, .. } => {
            let mut e = estimate(input);
            if let Some(n) = fetch {
                e.rows = e.rows.min(*n as f64);
            }
            e
        }
        LogicalPlan::SetOperation { left, .. } => estimate(left),
        // every input row comes out once per projection (grouping set)
        LogicalPlan::Expand { input, projections, output } => {
            let inp = estimate(input);
            let n = inp.rows * projections.len().max(1) as f64;
            let mut out = Estimate { rows: n, columns: HashMap::new() };
            for a in output {
                let s = inp.columns.get(&a.id).copied();
                out.columns.insert(a.id, s.unwrap_or(ColumnStats { domain: n.max(1.0), origin: a.id, origin_rows: n }));
            }
            out
        }
        other => {
            // windows and unions: rows add up; columns the node
            // passes through keep their statistics
            let children: Vec<Estimate> = other.children().into_iter().map(estimate).collect();
            let n: f64 = children.iter().map(|c| c.rows).sum();
            let mut out = Estimate { rows: n, columns: HashMap::new() };
            for a in other.output() {
                let s = children.iter().find_map(|c| c.columns.get(&a.id).copied());
                out.columns.insert(a.id, s.unwrap_or(ColumnStats { domain: n.max(1.0), origin: a.id, origin_rows: n }));
            }
            out
        }
    }
}

fn leaf(n: f64, ids: impl IntoIterator<Item = ColumnId>) -> Estimate {
    let ids: Vec<ColumnId> = ids.into_iter().collect();
    let origin = ids.first().copied().unwrap_or(0);
    let stats = ColumnStats { domain: n.max(1.0), origin, origin_rows: n.max(1.0) };
    Estimate { rows: n, columns: ids.into_iter().map(|id| (id, stats)).collect() }
}

/// Distinct values of a key tuple: per origin the product of the domains,
/// at most the origin's rows; the origins multiply.
pub fn key_domain(keys: &[ColumnStats]) -> f64 {
    let mut per_origin: Vec<(ColumnId, f64, f64)> = Vec::new();
    for k in keys {
        match per_origin.iter_mut().find(|(o, _, _)| *o == k.origin) {
            Some(entry) => entry.1 *= k.domain.max(1.0),
            None => per_origin.push((k.origin, k.domain.max(1.0), k.origin_rows.max(1.0))),
        }
    }
    per_origin.iter().map(|(_, d, cap)| d.min(*cap)).product::<f64>().max(1.0)
}

/// The key statistics of both sides of an equi-join, each pair capped at
/// the smaller domain of the two (the values both sides can share).
pub fn shared_keys(l: &[ColumnStats], r: &[ColumnStats]) -> (Vec<ColumnStats>, Vec<ColumnStats>) {
    let cap = |s: &ColumnStats, d: f64| ColumnStats { domain: s.domain.min(d), ..*s };
    l.iter()
        .zip(r)
        .map(|(a, b)| {
            let d = a.domain.min(b.domain);
            (cap(a, d), cap(b, d))
        })
        .unzip()
}

/// Fraction of the cross product an equi-join on these keys keeps.
pub fn equi_selectivity(l: &[ColumnStats], r: &[ColumnStats]) -> f64 {
    let (l, r) = shared_keys(l, r);
    1.0 / key_domain(&l).min(key_domain(&r)).max(1.0)
}

/// Fraction of the `probe` side's rows with a partner in `other` on these
/// keys (semi joins): the distinct keys of `other` over those of `probe`.
/// The smaller set of keys is taken to be contained in the larger one.
fn match_fraction(probe: (&[ColumnStats], f64), other: (&[ColumnStats], f64)) -> f64 {
    let p_distinct = key_domain(probe.0).min(probe.1).max(1.0);
    let o_distinct = key_domain(other.0).min(other.1).max(0.0);
    (o_distinct / p_distinct).min(1.0)
}

fn join_estimate(l: Estimate, r: Estimate, jt: JoinType, on: &[(Expr, Expr)], filter: Option<&Expr>) -> Estimate {
    // computed keys get origins of their own, distinct from every column id
    let lk: Vec<ColumnStats> = on.iter().enumerate().map(|(i, (a, _))| l.key(a, u64::MAX - 2 * i as u64)).collect();
    let rk: Vec<ColumnStats> = on.iter().enumerate().map(|(i, (_, b))| r.key(b, u64::MAX - 2 * i as u64 - 1)).collect();
    let filter_sel = filter.map(|f| conjunction_selectivity(&f.clone().split_conjunction())).unwrap_or(1.0);
    let inner = if on.is_empty() { l.rows * r.rows } else { l.rows * r.rows * equi_selectivity(&lk, &rk) } * filter_sel;
    // an extra condition makes fewer partners count
    let semi = |probe: (&[ColumnStats], f64), other: (&[ColumnStats], f64)| {
        let f = if on.is_empty() { 0.5 } else { match_fraction(probe, other) };
        if filter.is_some() {
            f * 0.8
        } else {
            f
        }
    };
    let anti_floor = if filter.is_some() { 0.3 } else { 0.1 };
    let (rows, keep_left, keep_right) = match jt {
        JoinType::Inner | JoinType::Cross => (inner, true, true),
        JoinType::LeftOuter => (inner.max(l.rows), true, true),
        JoinType::RightOuter => (inner.max(r.rows), true, true),
        JoinType::FullOuter => (inner.max(l.rows + r.rows), true, true),
        JoinType::LeftSemi => (l.rows * semi((&lk, l.rows), (&rk, r.rows)), true, false),
        JoinType::LeftAnti => (l.rows * (1.0 - semi((&lk, l.rows), (&rk, r.rows))).max(anti_floor), true, false),
        JoinType::RightSemi => (r.rows * semi((&rk, r.rows), (&lk, l.rows)), false, true),
        JoinType::RightAnti => (r.rows * (1.0 - semi((&rk, r.rows), (&lk, l.rows))).max(anti_floor), false, true),
    };
    let mut columns = HashMap::new();
    if keep_left {
        columns.extend(l.columns);
    }
    if keep_right {
        columns.extend(r.columns);
    }
    Estimate { rows, columns }
}

/// Fraction of rows a conjunction keeps. A column bounded from both sides
/// (`d >= x AND d < y`) counts as one range, narrower than either bound.
pub fn conjunction_selectivity(terms: &[Expr]) -> f64 {
    let mut lower: Vec<ColumnId> = Vec::new();
    let mut upper: Vec<ColumnId> = Vec::new();
    let mut sel = 1.0;
    for t in terms {
        match bound_of(t) {
            Some((id, is_lower)) => {
                let (same, other) = if is_lower { (&mut lower, &upper) } else { (&mut upper, &lower) };
                if same.contains(&id) {
                    // a second bound on the same side narrows little
                    sel *= 0.9;
                } else if other.contains(&id) {
                    sel *= CLOSED_RANGE / OPEN_RANGE;
                    same.push(id);
                } else {
                    sel *= OPEN_RANGE;
                    same.push(id);
                }
            }
            None => sel *= selectivity(t),
        }
    }
    sel
}

/// `col < literal` and the like.
const OPEN_RANGE: f64 = 0.4;
/// `col BETWEEN a AND b` (TPC-H's date ranges keep 1-30% of the rows).
const CLOSED_RANGE: f64 = 0.15;

/// `(column, is lower bound)` of a comparison between a column and a constant.
fn bound_of(e: &Expr) -> Option<(ColumnId, bool)> {
    let Expr::Binary { op, left, right, .. } = e else { return None };
    let is_lower = match op {
        BinaryOp::Gt | BinaryOp::GtEq => true,
        BinaryOp::Lt | BinaryOp::LtEq => false,
        _ => return None,
    };
    let column = |x: &Expr| match x {
        Expr::Column(a) => Some(a.id),
        Expr::Cast { expr, .. } => match expr.as_ref() {
            Expr::Column(a) => Some(a.id),
            _ => None,
        },
        _ => None,
    };
    let constant = |x: &Expr| x.column_ids().is_empty() && !x.contains_subquery();
    match (column(left), column(right)) {
        (Some(id), None) if constant(right) => Some((id, is_lower)),
        (None, Some(id)) if constant(left) => Some((id, !is_lower)),
        _ => None,
    }
}

/// Fraction of rows a predicate keeps (textbook constants).
pub fn selectivity(e: &Expr) -> f64 {
    match e {
        Expr::Binary { op: BinaryOp::And, .. } => conjunction_selectivity(&e.clone().split_conjunction()),
        Expr::Binary { op: BinaryOp::Or, left, right, .. } => {
            let (a, b) = (selectivity(left), selectivity(right));
            (a + b - a * b).min(1.0)
        }
        Expr::Binary { op: BinaryOp::Eq | BinaryOp::EqNullSafe, .. } => 0.1,
        Expr::Binary { op: BinaryOp::NotEq, .. } => 0.9,
        Expr::Binary { op, left, right, .. } if op.is_comparison() => {
            // two columns of a row (`l_commitdate < l_receiptdate`) are less
            // predictable than a column against a constant
            if !left.column_ids().is_empty() && !right.column_ids().is_empty() {
                0.5
            } else {
                OPEN_RANGE
            }
        }
        Expr::Like { negated, .. } => {
            if *negated {
                0.9
            } else {
                0.1
            }
        }
        Expr::InList { list, negated, .. } => {
            if *negated {
                0.9
            } else {
                (0.1 * list.len() as f64).min(0.5)
            }
        }
        Expr::IsNotNull(_) => 0.95,
        Expr::IsNull(_) => 0.05,
        Expr::Not(inner) => 1.0 - selectivity(inner),
        Expr::Literal(v) if v.is_null() => 0.0,
        _ => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use crate::test_plans::{col, table};
    use arrow_schema::DataType;
    use ember_core::ScalarValue;

    use super::*;

    fn join(l: LogicalPlan, r: LogicalPlan, jt: JoinType, on: Vec<(Expr, Expr)>) -> LogicalPlan {
        LogicalPlan::Join { left: Box::new(l), right: Box::new(r), join_type: jt, on, filter: None, null_aware: false }
    }

    #[test]
    fn key_foreign_key_join_keeps_the_foreign_side() {
        let fact = table(&["f_key", "f_x"], 6000);
        let dim = table(&["d_key", "d_name"], 100);
        let dim_filtered = LogicalPlan::Filter {
            input: Box::new(dim.clone()),
            predicate: Expr::eq(col(&dim, 1), Expr::lit(ScalarValue::Int32(Some(1)))),
        };
        let on = vec![(col(&fact, 0), col(&dim, 0))];
        assert_eq!(rows(&join(fact.clone(), dim, JoinType::Inner, on.clone())), 6000.0);
        // the dimension's filter (0.1) carries over to the fact rows
        let r = rows(&join(fact, dim_filtered, JoinType::Inner, on));
        assert!((r - 600.0).abs() < 1e-6, "{r}");
    }

    #[test]
    fn composite_keys_of_one_relation_are_bounded_by_its_rows() {
        // lineitem (l_partkey, l_suppkey) joins partsupp's composite key
        let part = table(&["p_key"], 200);
        let supp = table(&["s_key"], 10);
        let partsupp = table(&["ps_part", "ps_supp"], 800);
        let lineitem = table(&["l_part", "l_supp"], 6000);
        let ls = join(lineitem, supp, JoinType::Inner, vec![]);
        let (l_part, l_supp) = (col(&ls, 0), col(&ls, 1));
        let lsp = join(ls, part, JoinType::Inner, vec![]);
        let j = join(
            lsp,
            partsupp.clone(),
            JoinType::Inner,
            vec![(l_part, col(&partsupp, 0)), (l_supp, col(&partsupp, 1))],
        );
        // 6000 * 10 * 200 rows on the left, each finds one of 800 tuples
        let r = rows(&j);
        assert!((r - 6000.0 * 10.0 * 200.0 * 800.0 / 800.0).abs() < 1.0, "{r}");
    }

    #[test]
    fn a_filter_on_a_tiny_table_keeps_a_row() {
        let region = table(&["r_key", "r_name"], 5);
        let asia = LogicalPlan::Filter {
            input: Box::new(region.clone()),
            predicate: Expr::eq(col(&region, 1), Expr::lit(ScalarValue::Int32(Some(2)))),
        };
        assert_eq!(rows(&asia), 1.0);
        // larger tables keep the guess, and nothing comes from nothing
        let nation = table(&["n_key", "n_name"], 25);
        let one = LogicalPlan::Filter {
            input: Box::new(nation.clone()),
            predicate: Expr::eq(col(&nation, 1), Expr::lit(ScalarValue::Int32(Some(2)))),
        };
        assert!((rows(&one) - 2.5).abs() < 1e-9);
        let empty = table(&["e"], 0);
        let none = LogicalPlan::Filter {
            input: Box::new(empty.clone()),
            predicate: Expr::eq(col(&empty, 0), Expr::lit(ScalarValue::Int32(Some(2)))),
        };
        assert_eq!(rows(&none), 0.0);
    }

    #[test]
    fn a_closed_range_is_one_predicate() {
        let t = table(&["d"], 1000);
        let d = col(&t, 0);
        let bound = |op: BinaryOp, v: i32| Expr::Binary {
            op,
            left: Box::new(d.clone()),
            right: Box::new(Expr::lit(ScalarValue::Int32(Some(v)))),
            data_type: DataType::Boolean,
            mode: ember_core::EvalMode::Ansi,
        };
        let closed = conjunction_selectivity(&[bound(BinaryOp::GtEq, 1), bound(BinaryOp::Lt, 5)]);
        assert!((closed - CLOSED_RANGE).abs() < 1e-9);
        assert!((conjunction_selectivity(&[bound(BinaryOp::GtEq, 1)]) - OPEN_RANGE).abs() < 1e-9);
    }

    #[test]
    fn semi_join_keeps_the_matching_share() {
        let orders = table(&["o_key"], 1500);
        let big = table(&["l_key"], 6000);
        let small = LogicalPlan::Aggregate {
            input: Box::new(big.clone()),
            group_exprs: vec![col(&big, 0)],
            aggr_exprs: vec![],
        };
        let semi = join(orders.clone(), small.clone(), JoinType::LeftSemi, vec![(col(&orders, 0), col(&small, 0))]);
        let r = rows(&semi);
        // 600 groups of at most 1500 keys
        assert!((r - 600.0).abs() < 1e-6, "{r}");
        let anti = join(orders.clone(), big.clone(), JoinType::LeftAnti, vec![(col(&orders, 0), col(&big, 0))]);
        assert!((rows(&anti) - 150.0).abs() < 1e-6);
    }
}
