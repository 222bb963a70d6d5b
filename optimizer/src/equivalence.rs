//! Columns a cluster of inner joins equates, directly or through others:
//! `c_nationkey = s_nationkey AND s_nationkey = n_nationkey` puts the three
//! in one class. Join ordering may then join any two inputs that have
//! members of a class, not only the pairs the query equates (TPC-H Q9 can
//! join `part` to `partsupp` before either meets `lineitem`), and the joined
//! tree gets one equality per class at each join that brings members
//! together, so no key is compared twice.
//!
//! Only equalities of two plain columns of different inputs (and of one
//! type) form classes. Equality is transitive for every value an inner
//! join keeps (a NULL fails each equality it is in), so replacing the
//! query's equalities by another set that connects the same members keeps
//! the same rows.

use std::collections::HashMap;

use ember_core::expr::BinaryOp;
use ember_core::{Attribute, ColumnId, Expr, LogicalPlan};

#[derive(Debug, Default)]
pub struct EquivalenceClasses {
    /// Per class: its members, as (input index, column), in the order the
    /// conditions named them.
    members: Vec<Vec<(usize, Attribute)>>,
    class_of: HashMap<ColumnId, usize>,
}

impl EquivalenceClasses {
    /// The classes the equalities among `conds` form over `leaves` (the
    /// inputs of one cluster of inner joins).
    pub fn new(leaves: &[LogicalPlan], conds: &[Expr]) -> EquivalenceClasses {
        let leaf_of: HashMap<ColumnId, usize> =
            leaves.iter().enumerate().flat_map(|(i, l)| l.output().into_iter().map(move |a| (a.id, i))).collect();
        let mut classes = EquivalenceClasses::default();
        for c in conds {
            let Some((a, b)) = column_equality(c) else { continue };
            let (Some(&la), Some(&lb)) = (leaf_of.get(&a.id), leaf_of.get(&b.id)) else { continue };
            if la == lb || a.data_type != b.data_type {
                continue;
            }
            classes.union((la, a), (lb, b));
        }
        classes
    }

    fn union(&mut self, a: (usize, &Attribute), b: (usize, &Attribute)) {
        match (self.class_of.get(&a.1.id).copied(), self.class_of.get(&b.1.id).copied()) {
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) => {
                let (keep, gone) = (x.min(y), x.max(y));
                let moved = std::mem::take(&mut self.members[gone]);
                for (_, m) in &moved {
                    self.class_of.insert(m.id, keep);
                }
                self.members[keep].extend(moved);
            }
            (Some(x), None) => self.add(x, b),
            (None, Some(y)) => self.add(y, a),
            (None, None) => {
                let class = self.members.len();
                self.members.push(vec![]);
                self.add(class, a);
                self.add(class, b);
            }
        }
    }

    fn add(&mut self, class: usize, (leaf, column): (usize, &Attribute)) {
        self.class_of.insert(column.id, class);
        self.members[class].push((leaf, column.clone()));
    }

    /// Every member: (class, input index, column).
    pub fn members(&self) -> impl Iterator<Item = (usize, usize, &Attribute)> {
        self.members.iter().enumerate().flat_map(|(c, m)| m.iter().map(move |(leaf, a)| (c, *leaf, a)))
    }

    /// The class of `e` when it is a member column.
    pub fn class_of(&self, e: &Expr) -> Option<usize> {
        match e {
            Expr::Column(a) => self.class_of.get(&a.id).copied(),
            _ => None,
        }
    }

    /// Whether `cond` equates two members of one class (the classes stand
    /// for it: see `joining` and `within_inputs`).
    pub fn is_class_equality(&self, cond: &Expr) -> bool {
        column_equality(cond).is_some_and(|(a, b)| {
            let class = self.class_of.get(&a.id);
            class.is_some() && class == self.class_of.get(&b.id)
        })
    }

    /// One equality for every pair of inputs with members of a class that
    /// no condition in `conds` equates directly: the edges join ordering
    /// may use besides the query's own.
    pub fn implied(&self, conds: &[Expr]) -> Vec<Expr> {
        let mut direct: Vec<(usize, usize, usize)> = Vec::new();
        let leaf_of =
            |id: ColumnId, class: usize| self.members[class].iter().find(|(_, m)| m.id == id).map(|(l, _)| *l);
        for c in conds {
            let Some((a, b)) = column_equality(c) else { continue };
            let Some(&class) = self.class_of.get(&a.id) else { continue };
            if let (Some(la), Some(lb)) = (leaf_of(a.id, class), leaf_of(b.id, class)) {
                direct.push((class, la.min(lb), la.max(lb)));
            }
        }
        let mut out = Vec::new();
        for (class, members) in self.members.iter().enumerate() {
            let firsts = first_per_input(members);
            for (x, (la, a)) in firsts.iter().enumerate() {
                for (lb, b) in &firsts[x + 1..] {
                    if !direct.contains(&(class, (*la).min(*lb), (*la).max(*lb))) {
                        out.push(Expr::eq(Expr::Column((*a).clone()), Expr::Column((*b).clone())));
                    }
                }
            }
        }
        out
    }

    /// For a join of the inputs in `left` with those in `right` (bit sets
    /// of input indices): one equality per class with members on both sides.
    pub fn joining(&self, left: u32, right: u32) -> Vec<Expr> {
        let pick = |members: &[(usize, Attribute)], side: u32| {
            members.iter().find(|(l, _)| side & (1 << l) != 0).map(|(_, a)| Expr::Column(a.clone()))
        };
        self.members.iter().filter_map(|m| Some(Expr::eq(pick(m, left)?, pick(m, right)?))).collect()
    }

    /// Equalities between members of a class that come from the same input
    /// (`joining` compares only one member per side).
    pub fn within_inputs(&self) -> Vec<Expr> {
        let mut out = Vec::new();
        for members in &self.members {
            for (x, (leaf, a)) in members.iter().enumerate() {
                if let Some((_, first)) = members[..x].iter().find(|(l, _)| l == leaf) {
                    out.push(Expr::eq(Expr::Column(first.clone()), Expr::Column(a.clone())));
                }
            }
        }
        out
    }
}

/// The first member of each input, in member order.
fn first_per_input(members: &[(usize, Attribute)]) -> Vec<(usize, &Attribute)> {
    let mut out: Vec<(usize, &Attribute)> = Vec::new();
    for (leaf, a) in members {
        if !out.iter().any(|(l, _)| l == leaf) {
            out.push((*leaf, a));
        }
    }
    out
}

/// `a = b` over two plain columns.
fn column_equality(e: &Expr) -> Option<(&Attribute, &Attribute)> {
    match e {
        Expr::Binary { op: BinaryOp::Eq, left, right, .. } => match (left.as_ref(), right.as_ref()) {
            (Expr::Column(a), Expr::Column(b)) => Some((a, b)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use arrow_schema::DataType;

    use super::*;
    use crate::test_plans::{col, table};

    fn names(exprs: &[Expr]) -> Vec<String> {
        let mut out: Vec<String> =
            exprs.iter().map(|e| e.to_string().replace(|c: char| c == '#' || c.is_ascii_digit(), "")).collect();
        out.sort();
        out
    }

    #[test]
    fn equalities_through_a_shared_column_form_one_class() {
        let c = table(&["c_nationkey"], 10);
        let s = table(&["s_nationkey"], 10);
        let n = table(&["n_nationkey", "n_name"], 25);
        let conds = vec![Expr::eq(col(&c, 0), col(&s, 0)), Expr::eq(col(&s, 0), col(&n, 0))];
        let leaves = vec![c.clone(), s.clone(), n.clone()];
        let classes = EquivalenceClasses::new(&leaves, &conds);
        assert_eq!(classes.class_of(&col(&c, 0)), classes.class_of(&col(&n, 0)));
        assert!(classes.class_of(&col(&n, 1)).is_none());
        assert!(conds.iter().all(|e| classes.is_class_equality(e)));
        // customer and nation were not equated directly
        assert_eq!(names(&classes.implied(&conds)), vec!["(c_nationkey = n_nationkey)"]);
        // joining {c} with {s, n}: one equality, not two
        assert_eq!(classes.joining(0b001, 0b110).len(), 1);
        assert!(classes.joining(0b001, 0b000).is_empty());
        assert!(classes.within_inputs().is_empty());
    }

    #[test]
    fn two_members_of_one_input_stay_equal_to_each_other() {
        let l = table(&["l_a", "l_b"], 10);
        let x = table(&["x_k"], 10);
        let conds = vec![Expr::eq(col(&l, 0), col(&x, 0)), Expr::eq(col(&l, 1), col(&x, 0))];
        let classes = EquivalenceClasses::new(&[l.clone(), x.clone()], &conds);
        // the join compares one of them; the input keeps l_a = l_b
        assert_eq!(classes.joining(0b01, 0b10).len(), 1);
        assert_eq!(names(&classes.within_inputs()), vec!["(l_a = l_b)"]);
        assert!(classes.implied(&conds).is_empty());
    }

    #[test]
    fn only_plain_columns_of_one_type_in_different_inputs_are_classed() {
        let a = table(&["a", "a2"], 10);
        let b = LogicalPlan::Values { output: vec![Attribute::new("b", DataType::Int64, true)], rows: vec![] };
        let conds = vec![Expr::eq(col(&a, 0), col(&b, 0)), Expr::eq(col(&a, 0), col(&a, 1))];
        let classes = EquivalenceClasses::new(&[a, b], &conds);
        assert!(conds.iter().all(|e| !classes.is_class_equality(e)));
        assert!(classes.within_inputs().is_empty());
    }
}
