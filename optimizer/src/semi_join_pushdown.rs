//! Moves a semi or anti join below the inner joins of its left side, onto
//! the input whose columns its condition reads (Spark's
//! `PushLeftSemiLeftAntiThroughJoin`): the semi join only drops rows of that
//! input, so it may run before the joins, and join ordering then sees the
//! reduced input (TPC-H q18: `o_orderkey IN (...)` shrinks orders to a few
//! rows before lineitem and customer join it). It moves only when its other
//! side is estimated smaller than that input: a large subquery side (q21's
//! EXISTS over lineitem) is cheaper to probe with the rows left after the
//! joins.

use std::collections::HashSet;

use ember_core::plan::JoinType;
use ember_core::{ColumnId, Expr, LogicalPlan, Result};

use crate::cardinality;
use crate::util::ids;

pub fn push_semi_joins(plan: LogicalPlan) -> Result<LogicalPlan> {
    plan.transform_up(&mut |node| match node {
        LogicalPlan::Join {
            left,
            right,
            join_type: jt @ (JoinType::LeftSemi | JoinType::LeftAnti),
            on,
            filter,
            null_aware,
        } if matches!(left.as_ref(), LogicalPlan::Join { join_type: JoinType::Inner | JoinType::Cross, .. }) => {
            let right_ids = ids(&right.output());
            let mut reads: HashSet<ColumnId> = on.iter().flat_map(|(l, _)| l.column_ids()).collect();
            if let Some(f) = &filter {
                reads.extend(f.column_ids().into_iter().filter(|id| !right_ids.contains(id)));
            }
            let mut semi = Some(Semi { right: *right, join_type: jt, on, filter, null_aware });
            let right_rows = semi.as_ref().map(|s| cardinality::rows(&s.right)).unwrap_or(0.0);
            let left = place(*left, &reads, right_rows, &mut semi);
            Ok(match semi {
                // not moved: it stays above the joins
                Some(s) => s.over(left),
                None => left,
            })
        }
        other => Ok(other),
    })
}

struct Semi {
    right: LogicalPlan,
    join_type: JoinType,
    on: Vec<(Expr, Expr)>,
    filter: Option<Expr>,
    null_aware: bool,
}

impl Semi {
    fn over(self, left: LogicalPlan) -> LogicalPlan {
        LogicalPlan::Join {
            left: Box::new(left),
            right: Box::new(self.right),
            join_type: self.join_type,
            on: self.on,
            filter: self.filter,
            null_aware: self.null_aware,
        }
    }
}

/// Descends into the inner joins (and filters) towards the input holding
/// `reads`, and puts the semi join over it when that input is the larger.
fn place(plan: LogicalPlan, reads: &HashSet<ColumnId>, right_rows: f64, semi: &mut Option<Semi>) -> LogicalPlan {
    match plan {
        LogicalPlan::Join {
            left,
            right,
            join_type: jt @ (JoinType::Inner | JoinType::Cross),
            on,
            filter,
            null_aware,
        } if !null_aware => {
            let covers = |p: &LogicalPlan| {
                let out = ids(&p.output());
                reads.iter().all(|id| out.contains(id))
            };
            let (left, right) = if covers(&left) {
                (place(*left, reads, right_rows, semi), *right)
            } else if covers(&right) {
                (*left, place(*right, reads, right_rows, semi))
            } else {
                (*left, *right)
            };
            LogicalPlan::Join { left: Box::new(left), right: Box::new(right), join_type: jt, on, filter, null_aware }
        }
        LogicalPlan::Filter { input, predicate } => {
            LogicalPlan::Filter { input: Box::new(place(*input, reads, right_rows, semi)), predicate }
        }
        other => {
            if !reads.is_empty() && cardinality::rows(&other) > right_rows {
                if let Some(s) = semi.take() {
                    return s.over(other);
                }
            }
            other
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_plans::{col, table};

    use super::*;

    fn join(l: LogicalPlan, r: LogicalPlan, jt: JoinType, on: Vec<(Expr, Expr)>) -> LogicalPlan {
        LogicalPlan::Join { left: Box::new(l), right: Box::new(r), join_type: jt, on, filter: None, null_aware: false }
    }

    /// q18: customer ⋈ orders ⋈ lineitem, `o_orderkey IN (small subquery)`.
    #[test]
    fn a_small_semi_join_moves_onto_the_input_it_filters() {
        let customer = table(&["c_custkey"], 150);
        let orders = table(&["o_orderkey", "o_custkey"], 1500);
        let lineitem = table(&["l_orderkey"], 6000);
        let sub = table(&["s_orderkey"], 50);
        let co = join(customer.clone(), orders.clone(), JoinType::Inner, vec![(col(&customer, 0), col(&orders, 1))]);
        let col_ = join(co, lineitem.clone(), JoinType::Inner, vec![(col(&orders, 0), col(&lineitem, 0))]);
        let out = col_.output();
        let plan = join(col_, sub.clone(), JoinType::LeftSemi, vec![(col(&orders, 0), col(&sub, 0))]);
        let plan = push_semi_joins(plan).unwrap();
        assert_eq!(plan.output(), out);
        let LogicalPlan::Join { join_type: JoinType::Inner, left, .. } = plan else {
            panic!("semi join stayed on top")
        };
        let LogicalPlan::Join { join_type: JoinType::Inner, right, .. } = *left else { panic!("not the inner join") };
        let LogicalPlan::Join { join_type: JoinType::LeftSemi, left, .. } = *right else {
            panic!("orders not reduced")
        };
        assert_eq!(left.output()[0].name, "o_orderkey");
    }

    #[test]
    fn a_large_semi_join_stays_above_the_joins() {
        let orders = table(&["o_orderkey"], 1500);
        let lineitem = table(&["l_orderkey"], 6000);
        let big = table(&["b_orderkey"], 6000);
        let ol = join(orders.clone(), lineitem.clone(), JoinType::Inner, vec![(col(&orders, 0), col(&lineitem, 0))]);
        let plan = join(ol, big.clone(), JoinType::LeftAnti, vec![(col(&lineitem, 0), col(&big, 0))]);
        let pushed = push_semi_joins(plan.clone()).unwrap();
        assert_eq!(pushed, plan);
    }
}
