//! Predicates implied by a disjunction for one side of a join (the OR
//! factoring of Spark's and DuckDB's optimizers): from
//! `(n1 = 'FRANCE' AND n2 = 'GERMANY') OR (n1 = 'GERMANY' AND n2 = 'FRANCE')`
//! follows `n1 IN ('FRANCE', 'GERMANY')`, which can filter n1's input before
//! the join, while the disjunction itself stays where it was. Each branch
//! contributes the conjunction of its terms over the side's columns; a branch
//! without such a term implies nothing, and then neither does the whole.
//! Only selective implications are pushed.

use std::collections::HashSet;

use ember_core::expr::BinaryOp;
use ember_core::{ColumnId, Expr};

use crate::cardinality::selectivity;
use crate::util::{covered_by, is_deterministic, is_movable};

/// Largest estimated selectivity of an implied predicate worth evaluating:
/// it costs an extra pass over the side's rows (filters evaluate every
/// conjunct on every row), which pays only when most rows go (q7's nations,
/// q19's parts; not q19's line items, where the quantity ranges keep ~40%).
const WORTH_PUSHING: f64 = 0.25;

/// What `e` implies for `side` (see `implied_for`), when it is selective
/// enough to filter that side.
pub fn pushable_for(e: &Expr, side: &HashSet<ColumnId>) -> Option<Expr> {
    implied_for(e, side).filter(|p| selectivity(p) <= WORTH_PUSHING)
}

/// A predicate over the columns `side` alone that holds wherever `e` holds,
/// when `e` is a disjunction that yields one.
pub fn implied_for(e: &Expr, side: &HashSet<ColumnId>) -> Option<Expr> {
    let Expr::Binary { op: BinaryOp::Or, .. } = e else { return None };
    if !is_movable(e) || !is_deterministic(e) {
        return None;
    }
    let mut parts = Vec::new();
    for branch in split_disjunction(e) {
        let mut terms = Vec::new();
        for t in branch.clone().split_conjunction() {
            if !t.column_ids().is_empty() && covered_by(&t, side) {
                terms.push(t);
            } else if let Some(inner) = implied_for(&t, side) {
                terms.push(inner);
            }
        }
        parts.push(Expr::conjunction(terms)?);
    }
    Some(as_in_list(parts))
}

/// `x = a OR x = b` as `x IN (a, b)`; anything else as the disjunction.
fn as_in_list(parts: Vec<Expr>) -> Expr {
    let mut column: Option<&Expr> = None;
    let mut values = Vec::new();
    for p in &parts {
        let Expr::Binary { op: BinaryOp::Eq, left, right, .. } = p else { break };
        let (c, v) = if right.is_literal() { (left.as_ref(), right.as_ref()) } else { (right.as_ref(), left.as_ref()) };
        if !v.is_literal() || !matches!(c, Expr::Column(_)) || column.is_some_and(|k| k != c) {
            break;
        }
        column = Some(c);
        values.push(v.clone());
    }
    match column {
        Some(c) if values.len() == parts.len() && parts.len() > 1 => {
            Expr::InList { expr: Box::new(c.clone()), list: values, negated: false }
        }
        _ => parts.into_iter().reduce(Expr::or).unwrap_or(Expr::Literal(ember_core::ScalarValue::Boolean(Some(true)))),
    }
}

pub fn split_disjunction(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Binary { op: BinaryOp::Or, left, right, .. } => {
            let mut v = split_disjunction(left);
            v.extend(split_disjunction(right));
            v
        }
        other => vec![other],
    }
}

#[cfg(test)]
mod tests {
    use arrow_schema::DataType;
    use ember_core::{Attribute, ScalarValue};

    use super::*;

    fn s(v: &str) -> Expr {
        Expr::lit(ScalarValue::Utf8(Some(v.into())))
    }

    #[test]
    fn each_side_gets_the_disjunction_of_its_terms() {
        let n1 = Attribute::new("n1", DataType::Utf8, true);
        let n2 = Attribute::new("n2", DataType::Utf8, true);
        let e = Expr::or(
            Expr::and(Expr::eq(Expr::col(&n1), s("FRANCE")), Expr::eq(Expr::col(&n2), s("GERMANY"))),
            Expr::and(Expr::eq(Expr::col(&n1), s("GERMANY")), Expr::eq(Expr::col(&n2), s("FRANCE"))),
        );
        let side: HashSet<ColumnId> = [n1.id].into();
        let Some(Expr::InList { expr, list, negated: false }) = implied_for(&e, &side) else {
            panic!("no IN list implied")
        };
        assert_eq!(*expr, Expr::col(&n1));
        assert_eq!(list, vec![s("FRANCE"), s("GERMANY")]);
    }

    #[test]
    fn a_branch_without_terms_of_the_side_implies_nothing() {
        let a = Attribute::new("a", DataType::Utf8, true);
        let b = Attribute::new("b", DataType::Utf8, true);
        let e = Expr::or(
            Expr::and(Expr::eq(Expr::col(&a), s("x")), Expr::eq(Expr::col(&b), s("y"))),
            Expr::eq(Expr::col(&b), s("z")),
        );
        assert_eq!(implied_for(&e, &[a.id].into()), None);
        let Some(implied) = implied_for(&e, &[b.id].into()) else { panic!("nothing implied for b") };
        assert_eq!(implied, Expr::InList { expr: Box::new(Expr::col(&b)), list: vec![s("y"), s("z")], negated: false });
    }
}
