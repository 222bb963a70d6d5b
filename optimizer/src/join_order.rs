//! Join ordering for clusters of inner joins, and build sides.
//!
//! A cluster (inner and cross joins over any other inputs) is flattened into
//! its inputs and conditions. Up to `DP_LIMIT` inputs, dynamic programming
//! over the connected subsets (DPsub) finds the cheapest bushy tree: each
//! subset's rows are estimated once (independent of its order: the product of
//! the inputs' rows and of the selectivities of the conditions inside it), and
//! a hash join costs its probe rows, twice its build rows (hashing, memory)
//! and its output rows. Each join's right input is the build side. Subsets are
//! only joined through a condition; when no order avoids a cross product, and
//! past `DP_LIMIT` inputs, a greedy order is used instead: start from the
//! largest input and repeatedly join the smallest input linked to what is
//! joined so far. The conditions are put back as a filter over the new join
//! tree and the following predicate push-down turns them into join keys.
//!
//! After that, semi, anti and left outer joins whose left input is the
//! smaller one swap their inputs (right semi / anti / outer joins), so the
//! hash table holds the smaller side.

use std::collections::{HashMap, HashSet};

use ember_core::expr::BinaryOp;
use ember_core::plan::JoinType;
use ember_core::{ColumnId, Expr, LogicalPlan, Result};

use crate::cardinality::{self, base_rows, equi_selectivity, ColumnStats, Estimate};
use crate::disjunction::pushable_for;
use crate::equivalence::EquivalenceClasses;
use crate::util::{covered_by, filter, ids, is_movable};

/// Largest cluster ordered by dynamic programming (3^n subset pairs).
const DP_LIMIT: usize = 12;
/// Cost of a build row relative to a probe row or an output row.
const BUILD_COST: f64 = 2.0;

pub fn reorder_joins(plan: LogicalPlan) -> Result<LogicalPlan> {
    match plan {
        LogicalPlan::Join { join_type: JoinType::Inner | JoinType::Cross, null_aware: false, .. } => {
            let original = plan.output();
            let mut leaves = Vec::new();
            let mut conds = Vec::new();
            flatten(plan, &mut leaves, &mut conds);
            let leaves = leaves.into_iter().map(reorder_joins).collect::<Result<Vec<_>>>()?;
            // ordering may join any two inputs a class of equal columns
            // links; the joined tree then gets the class equalities it needs
            // (sets of inputs are bit sets of 32)
            let classes = if leaves.len() <= 32 {
                EquivalenceClasses::new(&leaves, &conds)
            } else {
                EquivalenceClasses::default()
            };
            let mut ordering = conds.clone();
            ordering.extend(classes.implied(&conds));
            let (joined, equalities) = order(leaves, &ordering, &classes);
            let kept = conds
                .into_iter()
                .filter(|c| !classes.is_class_equality(c))
                .chain(equalities)
                .chain(classes.within_inputs());
            let with_filter = filter(joined, kept.collect());
            let out = with_filter.output();
            if out.iter().map(|a| a.id).eq(original.iter().map(|a| a.id)) {
                Ok(with_filter)
            } else {
                Ok(LogicalPlan::Project {
                    input: Box::new(with_filter),
                    exprs: original.iter().map(|a| Expr::Column(a.clone())).collect(),
                })
            }
        }
        other => other.map_children(reorder_joins),
    }
}

fn flatten(plan: LogicalPlan, leaves: &mut Vec<LogicalPlan>, conds: &mut Vec<Expr>) {
    match plan {
        LogicalPlan::Join {
            left,
            right,
            join_type: JoinType::Inner | JoinType::Cross,
            on,
            filter,
            null_aware: false,
        } => {
            flatten(*left, leaves, conds);
            flatten(*right, leaves, conds);
            for (l, r) in on {
                conds.push(Expr::eq(l, r));
            }
            if let Some(f) = filter {
                conds.extend(f.split_conjunction());
            }
        }
        // filters directly above a leaf stay with it (they shape its size)
        other => leaves.push(other),
    }
}

/// A join tree over leaf indices.
enum Tree {
    Leaf(usize),
    /// (probe, build)
    Join(Box<Tree>, Box<Tree>),
}

/// The joined inputs, and the class equalities their joins need.
fn order(leaves: Vec<LogicalPlan>, conds: &[Expr], classes: &EquivalenceClasses) -> (LogicalPlan, Vec<Expr>) {
    let tree = if leaves.len() <= DP_LIMIT { dp(&leaves, conds, classes) } else { None };
    let tree = tree.unwrap_or_else(|| greedy(&leaves, conds));
    let mut equalities = Vec::new();
    class_equalities(&tree, classes, &mut equalities);
    let mut slots: Vec<Option<LogicalPlan>> = leaves.into_iter().map(Some).collect();
    (build(tree, &mut slots), equalities)
}

/// Adds one equality per class for each join of `tree` that brings members
/// of it together; returns the inputs under `tree` (a bit set).
fn class_equalities(tree: &Tree, classes: &EquivalenceClasses, out: &mut Vec<Expr>) -> u32 {
    match tree {
        Tree::Leaf(i) => 1 << i,
        Tree::Join(l, r) => {
            let (left, right) = (class_equalities(l, classes, out), class_equalities(r, classes, out));
            out.extend(classes.joining(left, right));
            left | right
        }
    }
}

fn build(tree: Tree, slots: &mut [Option<LogicalPlan>]) -> LogicalPlan {
    match tree {
        Tree::Leaf(i) => slots[i].take().unwrap_or(LogicalPlan::Empty { output: vec![] }),
        Tree::Join(l, r) => {
            let left = build(*l, slots);
            let right = build(*r, slots);
            LogicalPlan::Join {
                left: Box::new(left),
                right: Box::new(right),
                join_type: JoinType::Cross,
                on: vec![],
                filter: None,
                null_aware: false,
            }
        }
    }
}

/// The join graph of a cluster: equalities between two inputs (edges) and
/// other conditions over several inputs (hyperedges).
struct Graph {
    rows: Vec<f64>,
    /// The equalities between inputs i and j, from i's side.
    pair_keys: Vec<Vec<Vec<EdgeKey>>>,
    /// Bit set of the inputs each input shares an equality with.
    adjacent: Vec<u32>,
    /// Other conditions: the inputs they read, and their selectivity.
    others: Vec<(u32, f64)>,
}

/// The members of a bit set of inputs, lowest first.
fn bits(mut set: u32) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (set != 0).then(|| {
            let i = set.trailing_zeros() as usize;
            set &= set - 1;
            i
        })
    })
}

/// One equality of an edge, seen from one of its inputs.
struct EdgeKey {
    this: ColumnStats,
    other: ColumnStats,
    /// The class of equal columns it belongs to, if any.
    class: Option<usize>,
}

impl Graph {
    /// Fraction of the cross product of input `i` and the inputs in `rest`
    /// their equalities keep. A class counts once, however many inputs of
    /// `rest` share it with `i` (they are equal among themselves already),
    /// through the input sharing the most keys with `i`, which keeps a
    /// composite key such as partsupp's (partkey, suppkey) whole.
    fn joining_selectivity(&self, i: usize, rest: u32) -> f64 {
        let candidates = rest & self.adjacent[i];
        // per class: the input of `rest` that speaks for it
        let mut speaker: Vec<(usize, usize, usize)> = Vec::new();
        for j in bits(candidates) {
            let keys = &self.pair_keys[i][j];
            for k in keys {
                let Some(class) = k.class else { continue };
                match speaker.iter_mut().find(|(c, _, _)| *c == class) {
                    Some(entry) if entry.2 >= keys.len() => {}
                    Some(entry) => *entry = (class, j, keys.len()),
                    None => speaker.push((class, j, keys.len())),
                }
            }
        }
        let mut sel = 1.0;
        for j in bits(candidates) {
            let (mut lk, mut rk, mut seen) = (Vec::new(), Vec::new(), Vec::new());
            for k in &self.pair_keys[i][j] {
                if let Some(class) = k.class {
                    if seen.contains(&class) || !speaker.iter().any(|(c, s, _)| *c == class && *s == j) {
                        continue;
                    }
                    seen.push(class);
                }
                lk.push(k.this);
                rk.push(k.other);
            }
            if !lk.is_empty() {
                sel *= equi_selectivity(&lk, &rk);
            }
        }
        sel
    }
}

fn graph(leaves: &[LogicalPlan], conds: &[Expr], classes: &EquivalenceClasses) -> Graph {
    let n = leaves.len();
    let estimates: Vec<Estimate> = leaves.iter().map(cardinality::estimate).collect();
    let leaf_ids: Vec<HashSet<ColumnId>> = leaves.iter().map(|l| ids(&l.output())).collect();
    let mask_of = |e: &Expr| -> u32 {
        let cols = e.column_ids();
        (0..n).filter(|i| cols.iter().any(|c| leaf_ids[*i].contains(c))).fold(0, |m, i| m | (1 << i))
    };
    let mut rows: Vec<f64> = estimates.iter().map(|e| e.rows).collect();
    let mut edges: Vec<(usize, usize, Expr, Expr)> = Vec::new();
    let mut others = Vec::new();
    for c in conds {
        if !is_movable(c) {
            // stays above the joins (a subquery): joins nothing
            continue;
        }
        let mask = mask_of(c);
        if let Expr::Binary { op: BinaryOp::Eq, left, right, .. } = c {
            let (lm, rm) = (mask_of(left), mask_of(right));
            if lm.count_ones() == 1 && rm.count_ones() == 1 && lm != rm && (lm | rm) == mask {
                let (i, j) = (lm.trailing_zeros() as usize, rm.trailing_zeros() as usize);
                edges.push((i, j, (**left).clone(), (**right).clone()));
                continue;
            }
        }
        match mask.count_ones() {
            0 => {}
            // a filter of one input (push-down normally put it there already)
            1 => rows[mask.trailing_zeros() as usize] *= cardinality::selectivity(c),
            _ => {
                // what a disjunction implies for each input filters that input
                // already: count only the rest
                let mut sel = cardinality::selectivity(c);
                for (i, side) in leaf_ids.iter().enumerate() {
                    if mask & (1 << i) != 0 {
                        if let Some(implied) = pushable_for(c, side) {
                            sel /= cardinality::selectivity(&implied).max(1e-9);
                        }
                    }
                }
                others.push((mask, sel.min(1.0)))
            }
        }
    }
    // every member of a class of equal columns (c_nationkey = s_nationkey
    // = n_nationkey) has at most the smallest member's domain
    let stats = |k: usize, e: &Expr| estimates[k].key(e, u64::MAX - k as u64);
    let mut class_domain: HashMap<usize, f64> = HashMap::new();
    for (class, leaf, column) in classes.members() {
        let d = stats(leaf, &Expr::Column(column.clone())).domain;
        let entry = class_domain.entry(class).or_insert(d);
        *entry = entry.min(d);
    }
    let capped = |k: usize, e: &Expr| -> ColumnStats {
        let s = stats(k, e);
        match classes.class_of(e).and_then(|c| class_domain.get(&c)) {
            Some(d) => ColumnStats { domain: s.domain.min(*d), ..s },
            None => s,
        }
    };
    let mut pair_keys: Vec<Vec<Vec<EdgeKey>>> = (0..n).map(|_| (0..n).map(|_| Vec::new()).collect()).collect();
    let mut adjacent = vec![0u32; n];
    for (a, b, l, r) in &edges {
        let class = classes.class_of(l).filter(|c| classes.class_of(r) == Some(*c));
        pair_keys[*a][*b].push(EdgeKey { this: capped(*a, l), other: capped(*b, r), class });
        pair_keys[*b][*a].push(EdgeKey { this: capped(*b, r), other: capped(*a, l), class });
        adjacent[*a] |= 1 << b;
        adjacent[*b] |= 1 << a;
    }
    Graph { rows, pair_keys, adjacent, others }
}

/// The cheapest bushy tree of connected joins, or None when the inputs are
/// not connected by conditions.
fn dp(leaves: &[LogicalPlan], conds: &[Expr], classes: &EquivalenceClasses) -> Option<Tree> {
    let n = leaves.len();
    if n < 2 {
        return None;
    }
    let g = graph(leaves, conds, classes);
    let full: u32 = (1u32 << n) - 1;
    let size = 1usize << n;
    // rows of every subset: add the lowest input to the subset without it
    let mut rows = vec![1.0_f64; size];
    for s in 1..size {
        let i = (s as u32).trailing_zeros() as usize;
        let rest = s & !(1 << i);
        let mut r = rows[rest] * g.rows[i] * g.joining_selectivity(i, rest as u32);
        for (mask, sel) in &g.others {
            if mask & (1 << i) != 0 && (*mask as usize) & !s == 0 {
                r *= sel;
            }
        }
        rows[s] = r;
    }
    let est = |s: usize| rows[s].max(1.0);
    let adjacent_of = |s: usize| {
        let mut m = s as u32;
        let mut adj = 0u32;
        while m != 0 {
            adj |= g.adjacent[m.trailing_zeros() as usize];
            m &= m - 1;
        }
        adj
    };
    // best[s] = (cost, probe subset, build subset)
    let mut best: Vec<Option<(f64, usize, usize)>> = vec![None; size];
    for i in 0..n {
        best[1 << i] = Some((0.0, 0, 0));
    }
    for s in 1..size {
        if s.count_ones() < 2 {
            continue;
        }
        let mut sub = (s - 1) & s;
        while sub != 0 {
            let (p, b) = (sub, s ^ sub);
            if let (Some((cp, _, _)), Some((cb, _, _))) = (best[p], best[b]) {
                let equi = adjacent_of(p) as usize & b != 0;
                let hyper = g.others.iter().any(|(m, _)| {
                    let m = *m as usize;
                    m & !s == 0 && m & p != 0 && m & b != 0
                });
                if equi || hyper {
                    let join = if equi {
                        est(p) + BUILD_COST * est(b) + est(s)
                    } else {
                        // a nested loop compares every pair
                        est(p) * est(b) + est(s)
                    };
                    let cost = cp + cb + join;
                    if best[s].is_none_or(|(c, _, _)| cost < c) {
                        best[s] = Some((cost, p, b));
                    }
                }
            }
            sub = (sub - 1) & s;
        }
    }
    best[full as usize]?;
    fn tree(best: &[Option<(f64, usize, usize)>], s: usize) -> Tree {
        match best[s] {
            Some((_, p, b)) if p != 0 => Tree::Join(Box::new(tree(best, p)), Box::new(tree(best, b))),
            _ => Tree::Leaf(s.trailing_zeros() as usize),
        }
    }
    Some(tree(&best, full as usize))
}

/// Left-deep order: the largest input streams as the probe side (ties go to
/// the input over the larger table), then the smallest input linked to what
/// is joined so far by an equality (else by any condition; a cross product
/// only when nothing is linked).
fn greedy(leaves: &[LogicalPlan], conds: &[Expr]) -> Tree {
    let sizes: Vec<f64> = leaves.iter().map(cardinality::rows).collect();
    let base: Vec<f64> = leaves.iter().map(base_rows).collect();
    let leaf_ids: Vec<HashSet<ColumnId>> = leaves.iter().map(|l| ids(&l.output())).collect();
    let mut remaining: Vec<usize> = (0..leaves.len()).collect();
    let start = *remaining
        .iter()
        .max_by(|a, b| {
            (sizes[**a], base[**a]).partial_cmp(&(sizes[**b], base[**b])).unwrap_or(std::cmp::Ordering::Equal)
        })
        .unwrap_or(&0);
    remaining.retain(|i| *i != start);
    let mut tree = Tree::Leaf(start);
    let mut joined_ids = leaf_ids[start].clone();
    while !remaining.is_empty() {
        let linked = |i: usize, equi_only: bool| {
            conds.iter().any(|c| {
                if equi_only {
                    let Expr::Binary { op: BinaryOp::Eq, left, right, .. } = c else { return false };
                    let (l, r) = (left.column_ids(), right.column_ids());
                    let side = |ids: &[ColumnId], set: &HashSet<ColumnId>| {
                        !ids.is_empty() && ids.iter().all(|x| set.contains(x))
                    };
                    return (side(&l, &joined_ids) && side(&r, &leaf_ids[i]))
                        || (side(&r, &joined_ids) && side(&l, &leaf_ids[i]));
                }
                let mut both = joined_ids.clone();
                both.extend(leaf_ids[i].iter().copied());
                let cols = c.column_ids();
                !cols.is_empty()
                    && covered_by(c, &both)
                    && cols.iter().any(|id| leaf_ids[i].contains(id))
                    && cols.iter().any(|id| joined_ids.contains(id))
            })
        };
        let pick_from: Vec<usize> = {
            let equi: Vec<usize> = remaining.iter().copied().filter(|i| linked(*i, true)).collect();
            let any: Vec<usize> = remaining.iter().copied().filter(|i| linked(*i, false)).collect();
            if !equi.is_empty() {
                equi
            } else if !any.is_empty() {
                any
            } else {
                remaining.clone()
            }
        };
        let next = *pick_from
            .iter()
            .min_by(|a, b| sizes[**a].partial_cmp(&sizes[**b]).unwrap_or(std::cmp::Ordering::Equal))
            .unwrap_or(&remaining[0]);
        remaining.retain(|i| *i != next);
        joined_ids.extend(leaf_ids[next].iter().copied());
        tree = Tree::Join(Box::new(tree), Box::new(Tree::Leaf(next)));
    }
    tree
}

/// A join builds its right side; semi, anti and left outer joins whose left
/// side is the smaller one swap their inputs (a right semi / anti join builds
/// the left rows and marks those the probe finds; a right outer join emits the
/// unmatched build rows at the end). `NOT IN` keeps its form: its NULL rules
/// are defined from the left side.
pub fn choose_build_sides(plan: LogicalPlan) -> Result<LogicalPlan> {
    plan.transform_up(&mut |node| match node {
        LogicalPlan::Join {
            left,
            right,
            join_type: jt @ (JoinType::LeftSemi | JoinType::LeftAnti | JoinType::LeftOuter),
            on,
            filter,
            null_aware: false,
        } if cardinality::rows(&left) < cardinality::rows(&right) => {
            let original = LogicalPlan::Join {
                left: left.clone(),
                right: right.clone(),
                join_type: jt,
                on: vec![],
                filter: None,
                null_aware: false,
            }
            .output();
            let join_type = match jt {
                JoinType::LeftSemi => JoinType::RightSemi,
                JoinType::LeftAnti => JoinType::RightAnti,
                _ => JoinType::RightOuter,
            };
            let on = on.into_iter().map(|(l, r)| (r, l)).collect();
            let swapped = LogicalPlan::Join { left: right, right: left, join_type, on, filter, null_aware: false };
            if jt != JoinType::LeftOuter {
                return Ok(swapped);
            }
            // the outer join's columns come in the original order
            Ok(LogicalPlan::Project {
                input: Box::new(swapped),
                exprs: original.iter().map(|a| Expr::Column(a.clone())).collect(),
            })
        }
        other => Ok(other),
    })
}

#[cfg(test)]
mod tests {
    use crate::test_plans::{col, table};

    use ember_core::ScalarValue;

    use super::*;

    fn eq_lit(e: Expr, v: i32) -> Expr {
        Expr::eq(e, Expr::lit(ScalarValue::Int32(Some(v))))
    }

    fn cross(l: LogicalPlan, r: LogicalPlan) -> LogicalPlan {
        LogicalPlan::Join {
            left: Box::new(l),
            right: Box::new(r),
            join_type: JoinType::Cross,
            on: vec![],
            filter: None,
            null_aware: false,
        }
    }

    fn filtered(p: LogicalPlan, pred: Expr) -> LogicalPlan {
        LogicalPlan::Filter { input: Box::new(p), predicate: pred }
    }

    /// The leaf tables of a join tree, left to right, by their first column's name.
    fn shape(p: &LogicalPlan) -> String {
        match p {
            LogicalPlan::Join { left, right, .. } => format!("({} {})", shape(left), shape(right)),
            LogicalPlan::Filter { input, .. } | LogicalPlan::Project { input, .. } => shape(input),
            other => other.output()[0].name.clone(),
        }
    }

    /// TPC-H q7's shape: lineitem joins orders and supplier; each of those
    /// reaches a filtered nation (through customer for orders). The filtered
    /// branches are joined first, into small build sides, and the fact table
    /// streams through them.
    #[test]
    fn dimensions_reduce_before_the_fact_table_is_probed() {
        let lineitem = table(&["l_orderkey", "l_suppkey"], 6000);
        let orders = table(&["o_orderkey", "o_custkey"], 1500);
        let customer = table(&["c_custkey", "c_nationkey"], 150);
        let supplier = table(&["s_suppkey", "s_nationkey"], 10);
        let n1 = table(&["n1_key", "n1_name"], 25);
        let n2 = table(&["n2_key", "n2_name"], 25);
        let conds = vec![
            Expr::eq(col(&lineitem, 0), col(&orders, 0)),
            Expr::eq(col(&lineitem, 1), col(&supplier, 0)),
            Expr::eq(col(&orders, 1), col(&customer, 0)),
            Expr::eq(col(&supplier, 1), col(&n1, 0)),
            Expr::eq(col(&customer, 1), col(&n2, 0)),
        ];
        let n1f = filtered(n1.clone(), eq_lit(col(&n1, 1), 1));
        let n2f = filtered(n2.clone(), eq_lit(col(&n2, 1), 2));
        let leaves = vec![lineitem, orders, customer, supplier, n1f, n2f];
        let classes = EquivalenceClasses::new(&leaves, &conds);
        let (plan, _) = order(leaves, &conds, &classes);
        // orders (probing customer, which probes nation 2) is built for
        // lineitem, whose result then probes supplier (probing nation 1)
        assert_eq!(shape(&plan), "((l_orderkey (o_orderkey (c_custkey n2_key))) (s_suppkey n1_key))");
    }

    /// TPC-H q9's shape: part and partsupp share no condition, but both
    /// equal lineitem's part key. The class of equal keys lets the filtered
    /// part reduce partsupp before lineitem probes the result, and each
    /// join compares a class once.
    #[test]
    fn inputs_equal_through_a_third_can_join_first() {
        let lineitem = table(&["l_partkey", "l_suppkey"], 60_000);
        let partsupp = table(&["ps_partkey", "ps_suppkey"], 8_000);
        let part = table(&["p_partkey", "p_name"], 2_000);
        let pf = filtered(part.clone(), eq_lit(col(&part, 1), 1));
        let conds = vec![
            Expr::eq(col(&partsupp, 0), col(&lineitem, 0)),
            Expr::eq(col(&partsupp, 1), col(&lineitem, 1)),
            Expr::eq(col(&part, 0), col(&lineitem, 0)),
        ];
        let joined = LogicalPlan::Join {
            left: Box::new(cross(lineitem, partsupp)),
            right: Box::new(pf),
            join_type: JoinType::Inner,
            on: vec![],
            filter: Expr::conjunction(conds),
            null_aware: false,
        };
        let plan = reorder_joins(joined).unwrap();
        assert_eq!(shape(&plan), "(l_partkey (ps_partkey p_partkey))");
        let LogicalPlan::Filter { predicate, .. } = plan else { panic!("no join conditions above the joins") };
        let mut equalities: Vec<String> = predicate.split_conjunction().iter().map(|e| e.to_string()).collect();
        equalities.sort();
        // ps_partkey = p_partkey joins part first; lineitem then compares
        // its part key once (not with both) and its supplier key
        assert_eq!(equalities.len(), 3, "{equalities:?}");
        assert!(equalities.iter().any(|e| e.contains("ps_partkey") && e.contains("p_partkey")), "{equalities:?}");
        assert_eq!(equalities.iter().filter(|e| e.contains("l_partkey")).count(), 1, "{equalities:?}");
        assert_eq!(equalities.iter().filter(|e| e.contains("l_suppkey")).count(), 1, "{equalities:?}");
    }

    #[test]
    fn a_filtered_fact_table_still_probes_the_larger_dimension_when_cheaper() {
        // q12: orders (1500) joins a heavily filtered lineitem (6000 * 0.1 * 0.1)
        let orders = table(&["o_orderkey"], 1500);
        let lineitem = table(&["l_orderkey", "l_mode", "l_date"], 6000);
        let lf = filtered(lineitem.clone(), Expr::and(eq_lit(col(&lineitem, 1), 1), eq_lit(col(&lineitem, 2), 1)));
        let conds = vec![Expr::eq(col(&orders, 0), col(&lineitem, 0))];
        let plan = reorder_joins(filter(cross(orders, lf), conds)).unwrap();
        assert_eq!(shape(&plan), "(o_orderkey l_orderkey)");
    }

    #[test]
    fn disconnected_inputs_fall_back_to_a_greedy_order() {
        let a = table(&["a"], 10);
        let b = table(&["b"], 1000);
        let (plan, _) = order(vec![a, b], &[], &EquivalenceClasses::default());
        assert_eq!(shape(&plan), "(b a)");
    }

    #[test]
    fn a_small_left_side_of_an_outer_join_is_built() {
        let customer = table(&["c_custkey"], 150);
        let orders = table(&["o_custkey", "o_orderkey"], 1500);
        let join = LogicalPlan::Join {
            left: Box::new(customer.clone()),
            right: Box::new(orders.clone()),
            join_type: JoinType::LeftOuter,
            on: vec![(col(&customer, 0), col(&orders, 0))],
            filter: None,
            null_aware: false,
        };
        let out = join.output();
        let plan = choose_build_sides(join).unwrap();
        assert_eq!(plan.output(), out);
        let LogicalPlan::Project { input, .. } = plan else { panic!("no projection restoring the column order") };
        let LogicalPlan::Join { join_type, on, left, .. } = *input else { panic!("not a join") };
        assert_eq!(join_type, JoinType::RightOuter);
        assert_eq!(shape(&left), "o_custkey");
        assert_eq!(on[0].0, col(&orders, 0));
    }
}
