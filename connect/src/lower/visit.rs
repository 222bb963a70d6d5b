//! Rewriting spec trees in place: every expression of a plan, subqueries
//! included. Used to bind SQL parameters and to rewrite pivot aggregates.

use std::collections::HashMap;

use ember_core::spec::{DescribeTarget, Expr, FrameBound, JoinCriteria, Plan, Statement};

/// Calls `f` on `e` and, unless `f` replaced it (returned true), on its
/// children, pre-order; plans inside subqueries are visited too.
pub(crate) fn rewrite_expr(e: &mut Expr, f: &mut dyn FnMut(&mut Expr) -> bool) {
    if f(e) {
        return;
    }
    match e {
        Expr::Column { .. } | Expr::Star { .. } | Expr::Literal { .. } | Expr::Parameter { .. } => {}
        Expr::Alias { expr, .. }
        | Expr::Not { expr, .. }
        | Expr::Negative { expr, .. }
        | Expr::IsNull { expr, .. }
        | Expr::IsBool { expr, .. }
        | Expr::Cast { expr, .. }
        | Expr::Extract { expr, .. } => rewrite_expr(expr, f),
        Expr::Function { args, .. } => args.iter_mut().for_each(|a| rewrite_expr(a, f)),
        Expr::Binary { left, right, .. } => {
            rewrite_expr(left, f);
            rewrite_expr(right, f);
        }
        Expr::Case { operand, branches, else_expr, .. } => {
            if let Some(o) = operand {
                rewrite_expr(o, f);
            }
            for (w, t) in branches {
                rewrite_expr(w, f);
                rewrite_expr(t, f);
            }
            if let Some(x) = else_expr {
                rewrite_expr(x, f);
            }
        }
        Expr::Between { expr, low, high, .. } => {
            rewrite_expr(expr, f);
            rewrite_expr(low, f);
            rewrite_expr(high, f);
        }
        Expr::InList { expr, list, .. } => {
            rewrite_expr(expr, f);
            list.iter_mut().for_each(|x| rewrite_expr(x, f));
        }
        Expr::InSubquery { expr, subquery, .. } => {
            rewrite_expr(expr, f);
            rewrite_plan(subquery, f);
        }
        Expr::Exists { subquery, .. } | Expr::ScalarSubquery { subquery, .. } => rewrite_plan(subquery, f),
        Expr::Like { expr, pattern, .. } => {
            rewrite_expr(expr, f);
            rewrite_expr(pattern, f);
        }
        Expr::Lambda { body, .. } => rewrite_expr(body, f),
        Expr::Window { function, partition_by, order_by, frame, .. } => {
            rewrite_expr(function, f);
            partition_by.iter_mut().for_each(|x| rewrite_expr(x, f));
            order_by.iter_mut().for_each(|s| rewrite_expr(&mut s.expr, f));
            if let Some(frame) = frame {
                for bound in [&mut frame.start, &mut frame.end] {
                    if let FrameBound::Preceding(x) | FrameBound::Following(x) = bound {
                        rewrite_expr(x, f);
                    }
                }
            }
        }
    }
}

/// `rewrite_expr` over every expression of a plan and its inputs.
pub(crate) fn rewrite_plan(p: &mut Plan, f: &mut dyn FnMut(&mut Expr) -> bool) {
    match p {
        Plan::Relation { .. } | Plan::ReadFiles { .. } | Plan::Range { .. } | Plan::LocalRelation { .. } => {}
        Plan::Values { rows } => rows.iter_mut().flatten().for_each(|e| rewrite_expr(e, f)),
        Plan::Project { input, exprs } => {
            rewrite_plan(input, f);
            exprs.iter_mut().for_each(|e| rewrite_expr(e, f));
        }
        Plan::Filter { input, condition } | Plan::Having { input, condition } => {
            rewrite_plan(input, f);
            rewrite_expr(condition, f);
        }
        Plan::Aggregate { input, group_by, exprs, .. } => {
            rewrite_plan(input, f);
            group_by.iter_mut().chain(exprs.iter_mut()).for_each(|e| rewrite_expr(e, f));
        }
        Plan::Sort { input, order } => {
            rewrite_plan(input, f);
            order.iter_mut().for_each(|s| rewrite_expr(&mut s.expr, f));
        }
        Plan::Limit { input, limit: e } | Plan::Offset { input, offset: e } => {
            rewrite_plan(input, f);
            rewrite_expr(e, f);
        }
        Plan::Distinct { input } | Plan::SubqueryAlias { input, .. } => rewrite_plan(input, f),
        Plan::Join { left, right, criteria, .. } => {
            rewrite_plan(left, f);
            rewrite_plan(right, f);
            if let JoinCriteria::On(c) = criteria {
                rewrite_expr(c, f);
            }
        }
        Plan::SetOperation { left, right, .. } => {
            rewrite_plan(left, f);
            rewrite_plan(right, f);
        }
        Plan::With { ctes, input } => {
            ctes.iter_mut().for_each(|(_, _, p)| rewrite_plan(p, f));
            rewrite_plan(input, f);
        }
    }
}

/// Replaces the parameter markers (`:name`, numbered `?`) of a statement
/// by the given values; markers without a value stay for the analyzer to
/// report (`UNBOUND_SQL_PARAMETER`).
pub(crate) fn bind_parameters(s: &mut Statement, values: &HashMap<String, Expr>) {
    let mut bind = |e: &mut Expr| match e {
        Expr::Parameter { name } => match values.get(name.as_str()) {
            Some(v) => {
                *e = v.clone();
                true
            }
            None => false,
        },
        _ => false,
    };
    match s {
        Statement::Query(p)
        | Statement::CreateView { query: p, .. }
        | Statement::CreateTableAs { query: p, .. }
        | Statement::Insert { query: p, .. } => rewrite_plan(p, &mut bind),
        Statement::Describe { target: DescribeTarget::Query(p), .. } => rewrite_plan(p, &mut bind),
        Statement::Explain { statement, .. } => bind_parameters(statement, values),
        _ => {}
    }
}
