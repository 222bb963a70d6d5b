//! Joins. `ON` conditions resolve against both sides; their conjuncts that
//! equate an expression of the left side with one of the right side become
//! `on` key pairs, the rest stays in `filter` (part of the join condition).
//! `USING` / `NATURAL` joins equate the named columns and output them first
//! (coalesced for FULL OUTER), then the other left columns, then the other
//! right columns, as Spark does; the replaced key columns stay reachable by
//! qualified name (`t2.k`) as hidden attributes of the scope.
//! Comma joins and CROSS JOIN have no keys; a WHERE above stays a Filter.

use ember_core::spec::{self, JoinCriteria, JoinType, Plan};
use ember_core::{Attribute, ColumnId, Error, Expr, LogicalPlan, Result};

use super::expr::{check_filter, quoted, type_str, ExprCtx};
use super::scope::Scope;
use super::{Analyzer, Rel};

fn nullable_all(v: &[Attribute]) -> Vec<Attribute> {
    v.iter().map(|a| a.clone().with_nullable(true)).collect()
}

impl Analyzer<'_> {
    pub(crate) fn join(
        &mut self,
        left: &Plan,
        right: &Plan,
        join_type: JoinType,
        criteria: &JoinCriteria,
    ) -> Result<Rel> {
        let l = self.plan(left)?;
        let r = self.plan(right)?;
        let (mut la, mut ra) = (l.scope.attrs.clone(), r.scope.attrs.clone());
        let (mut lh, mut rh) = (l.scope.hidden.clone(), r.scope.hidden.clone());
        match join_type {
            JoinType::LeftOuter => {
                ra = nullable_all(&ra);
                rh = nullable_all(&rh);
            }
            JoinType::RightOuter => {
                la = nullable_all(&la);
                lh = nullable_all(&lh);
            }
            JoinType::FullOuter => {
                la = nullable_all(&la);
                ra = nullable_all(&ra);
                lh = nullable_all(&lh);
                rh = nullable_all(&rh);
            }
            _ => {}
        }
        let left_ids: Vec<ColumnId> = l.plan.output().iter().map(|a| a.id).collect();
        let right_ids: Vec<ColumnId> = r.plan.output().iter().map(|a| a.id).collect();
        let semi = matches!(join_type, JoinType::LeftSemi | JoinType::LeftAnti);
        let mut both = Scope::new(la.iter().chain(ra.iter()).cloned().collect(), self.case_sensitive);
        both.hidden = lh.iter().chain(rh.iter()).cloned().collect();

        let using: Vec<String> = match criteria {
            JoinCriteria::None => vec![],
            JoinCriteria::On(cond) => {
                let c = self.expr(cond, ExprCtx::new(&both))?;
                let sql = self.sql_of(cond, &both);
                let c = check_filter(c, &sql).map_err(|e| e.with_span(cond.span()))?;
                let (on, filter) = split_keys(c, &left_ids, &right_ids);
                let plan = LogicalPlan::Join {
                    left: Box::new(l.plan),
                    right: Box::new(r.plan),
                    join_type,
                    on,
                    filter,
                    null_aware: false,
                };
                let scope =
                    if semi { Scope { attrs: la, hidden: lh, case_sensitive: self.case_sensitive } } else { both };
                return Ok(Rel { plan, scope });
            }
            JoinCriteria::Using(cols) => cols.clone(),
            JoinCriteria::Natural => la
                .iter()
                .filter(|a| ra.iter().any(|b| both.name_eq(&a.name, &b.name)))
                .map(|a| a.name.clone())
                .collect(),
        };
        if using.is_empty() {
            let plan = LogicalPlan::Join {
                left: Box::new(l.plan),
                right: Box::new(r.plan),
                join_type,
                on: vec![],
                filter: None,
                null_aware: false,
            };
            let scope = if semi { Scope { attrs: la, hidden: lh, case_sensitive: self.case_sensitive } } else { both };
            return Ok(Rel { plan, scope });
        }
        self.using_join(l.plan, r.plan, join_type, &using, (la, lh), (ra, rh))
    }

    fn using_join(
        &mut self,
        lplan: LogicalPlan,
        rplan: LogicalPlan,
        join_type: JoinType,
        using: &[String],
        (la, lh): (Vec<Attribute>, Vec<Attribute>),
        (ra, rh): (Vec<Attribute>, Vec<Attribute>),
    ) -> Result<Rel> {
        let cs = self.case_sensitive;
        let find = |side: &[Attribute], name: &str, side_name: &str| -> Result<Attribute> {
            side.iter().find(|a| super::scope::names_equal(&a.name, name, cs)).cloned().ok_or_else(|| {
                Error::spark(
                    "UNRESOLVED_USING_COLUMN_FOR_JOIN",
                    &[
                        ("colName", ember_core::error::quote_ident(name)),
                        ("side", side_name.to_string()),
                        (
                            "suggestion",
                            side.iter().map(|a| ember_core::error::quote_ident(&a.name)).collect::<Vec<_>>().join(", "),
                        ),
                    ],
                )
            })
        };
        let mut on = Vec::with_capacity(using.len());
        let mut lkeys = Vec::new();
        let mut rkeys = Vec::new();
        for name in using {
            let a = find(&la, name, "left")?;
            let b = find(&ra, name, "right")?;
            let sql = format!("({} = {})", a.name, b.name);
            let (le, re) = self.coerce_comparison(Expr::col(&a), Expr::col(&b)).ok_or_else(|| {
                Error::spark(
                    "DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES",
                    &[("sqlExpr", quoted(&sql)), ("left", type_str(&a.data_type)), ("right", type_str(&b.data_type))],
                )
            })?;
            on.push((le, re));
            lkeys.push(a);
            rkeys.push(b);
        }
        let l_rest: Vec<Attribute> = la.iter().filter(|a| !lkeys.iter().any(|k| k.id == a.id)).cloned().collect();
        let r_rest: Vec<Attribute> = ra.iter().filter(|a| !rkeys.iter().any(|k| k.id == a.id)).cloned().collect();
        let join = LogicalPlan::Join {
            left: Box::new(lplan),
            right: Box::new(rplan),
            join_type,
            on,
            filter: None,
            null_aware: false,
        };
        let (plan, keys, mut hidden) = match join_type {
            JoinType::LeftSemi | JoinType::LeftAnti => {
                let scope = Scope {
                    attrs: lkeys.iter().chain(l_rest.iter()).cloned().collect(),
                    hidden: lh,
                    case_sensitive: cs,
                };
                return Ok(Rel { plan: join, scope });
            }
            JoinType::RightOuter => (join, rkeys.clone(), lkeys.clone()),
            JoinType::FullOuter => {
                let mode = self.mode();
                let mut exprs = Vec::new();
                let mut keys = Vec::new();
                for (a, b) in lkeys.iter().zip(&rkeys) {
                    let t = super::coercion::tightest_common(&a.data_type, &b.data_type)
                        .or_else(|| super::coercion::wider_type(&a.data_type, &b.data_type, self.ansi))
                        .unwrap_or(a.data_type.clone());
                    let c = Expr::ScalarFunction {
                        name: "coalesce".into(),
                        args: vec![
                            super::coercion::cast(Expr::col(a), &t, mode),
                            super::coercion::cast(Expr::col(b), &t, mode),
                        ],
                        data_type: t,
                        mode,
                    };
                    let item = c.alias(a.name.clone());
                    keys.push(item.to_attribute());
                    exprs.push(item);
                }
                let out = join.output();
                exprs.extend(out.iter().map(Expr::col));
                let plan = LogicalPlan::Project { input: Box::new(join), exprs };
                let mut hidden = lkeys.clone();
                hidden.extend(rkeys.iter().cloned());
                (plan, keys, hidden)
            }
            _ => (join, lkeys.clone(), rkeys.clone()),
        };
        hidden.extend(lh);
        hidden.extend(rh);
        let attrs = keys.into_iter().chain(l_rest).chain(r_rest).collect();
        Ok(Rel { plan, scope: Scope { attrs, hidden, case_sensitive: cs } })
    }
}

/// Splits a join condition into equi-key pairs (left expression, right
/// expression) and the remaining condition.
fn split_keys(c: Expr, left: &[ColumnId], right: &[ColumnId]) -> (Vec<(Expr, Expr)>, Option<Expr>) {
    let side = |e: &Expr| -> Option<bool> {
        if e.contains_subquery() || e.contains_outer() {
            return None;
        }
        let ids = e.column_ids();
        if ids.is_empty() {
            None
        } else if ids.iter().all(|i| left.contains(i)) {
            Some(true)
        } else if ids.iter().all(|i| right.contains(i)) {
            Some(false)
        } else {
            None
        }
    };
    let mut on = Vec::new();
    let mut rest = Vec::new();
    for t in c.split_conjunction() {
        match t {
            Expr::Binary { op: spec::BinaryOp::Eq, left: l, right: r, .. } => match (side(&l), side(&r)) {
                (Some(true), Some(false)) => on.push((*l, *r)),
                (Some(false), Some(true)) => on.push((*r, *l)),
                _ => rest.push(Expr::eq(*l, *r)),
            },
            other => rest.push(other),
        }
    }
    (on, Expr::conjunction(rest))
}
