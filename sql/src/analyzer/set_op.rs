//! UNION / INTERSECT / EXCEPT [ALL], by position or by name.
//!
//! Columns are matched by position (or by name for `unionByName`, filling
//! missing columns with NULLs when allowed), widened to their common type
//! through casting projections, and named after the first input. UNION is a
//! `Union` node minting new ids (plus an Aggregate over all columns without
//! ALL); INTERSECT / EXCEPT are `SetOperation`s whose output is the left side's.

use ember_core::plan::SetOpKind;
use ember_core::spec::{Plan, SetOp};
use ember_core::{Attribute, Error, Expr, LogicalPlan, Result, ScalarValue};

use super::coercion::{cast, wider_type};
use super::expr::type_str;
use super::functions::ordinal;
use super::scope::names_equal;
use super::{Analyzer, Rel};

fn op_name(op: SetOp) -> &'static str {
    match op {
        SetOp::Union => "UNION",
        SetOp::Intersect => "INTERSECT",
        SetOp::Except => "EXCEPT",
    }
}

fn project(plan: LogicalPlan, exprs: Vec<Expr>) -> LogicalPlan {
    let unchanged = {
        let out = plan.output();
        out.len() == exprs.len() && out.iter().zip(&exprs).all(|(a, e)| e.output_id() == Some(a.id))
    };
    if unchanged {
        plan
    } else {
        LogicalPlan::Project { input: Box::new(plan), exprs }
    }
}

impl Analyzer<'_> {
    /// Reorders (and completes) `right` to `left`'s column names.
    fn by_name(
        &self,
        left: LogicalPlan,
        right: LogicalPlan,
        allow_missing: bool,
    ) -> Result<(LogicalPlan, LogicalPlan)> {
        let cs = self.case_sensitive;
        let (lo, ro) = (left.output(), right.output());
        let mut left_items: Vec<Expr> = lo.iter().map(Expr::col).collect();
        let mut right_items = Vec::with_capacity(lo.len());
        for a in &lo {
            match ro.iter().find(|b| names_equal(&a.name, &b.name, cs)) {
                Some(b) => right_items.push(Expr::col(b)),
                None if allow_missing => {
                    right_items.push(Expr::Literal(ScalarValue::null_of(&a.data_type)).alias(a.name.clone()))
                }
                None => {
                    return Err(Error::unresolved_column(
                        &a.name,
                        &ro.iter().map(|b| b.name.clone()).collect::<Vec<_>>(),
                    ))
                }
            }
        }
        for b in &ro {
            if !lo.iter().any(|a| names_equal(&a.name, &b.name, cs)) {
                if !allow_missing {
                    return Err(Error::spark(
                        "NUM_COLUMNS_MISMATCH",
                        &[
                            ("operator", "UNION".into()),
                            ("firstNumColumns", lo.len().to_string()),
                            ("invalidOrdinalNum", "second".into()),
                            ("invalidNumColumns", ro.len().to_string()),
                        ],
                    ));
                }
                left_items.push(Expr::Literal(ScalarValue::null_of(&b.data_type)).alias(b.name.clone()));
                right_items.push(Expr::col(b));
            }
        }
        Ok((project(left, left_items), project(right, right_items)))
    }

    pub(crate) fn set_operation(
        &mut self,
        left: &Plan,
        right: &Plan,
        op: SetOp,
        all: bool,
        by_name: bool,
        allow_missing: bool,
    ) -> Result<Rel> {
        let lp = self.plan(left)?.into_plan();
        let rp = self.plan(right)?.into_plan();
        let (lp, rp) = if by_name { self.by_name(lp, rp, allow_missing)? } else { (lp, rp) };
        let (lo, ro) = (lp.output(), rp.output());
        if lo.len() != ro.len() {
            return Err(Error::spark(
                "NUM_COLUMNS_MISMATCH",
                &[
                    ("operator", op_name(op).into()),
                    ("firstNumColumns", lo.len().to_string()),
                    ("invalidOrdinalNum", "second".into()),
                    ("invalidNumColumns", ro.len().to_string()),
                ],
            ));
        }
        let mut types = Vec::with_capacity(lo.len());
        for (i, (a, b)) in lo.iter().zip(&ro).enumerate() {
            let t = wider_type(&a.data_type, &b.data_type, self.ansi).ok_or_else(|| {
                Error::spark(
                    "INCOMPATIBLE_COLUMN_TYPE",
                    &[
                        ("operator", op_name(op).into()),
                        ("columnOrdinalNumber", ordinal(i)),
                        ("tableOrdinalNumber", "second".into()),
                        ("dataType1", type_str(&b.data_type)),
                        ("dataType2", type_str(&a.data_type)),
                        ("hint", String::new()),
                    ],
                )
            })?;
            types.push(t);
        }
        let mode = self.mode();
        let widen = |plan: LogicalPlan, out: &[Attribute]| -> LogicalPlan {
            let exprs =
                out.iter()
                    .zip(&types)
                    .map(|(a, t)| {
                        if &a.data_type == t {
                            Expr::col(a)
                        } else {
                            cast(Expr::col(a), t, mode).alias(a.name.clone())
                        }
                    })
                    .collect();
            project(plan, exprs)
        };
        let lp = widen(lp, &lo);
        let rp = widen(rp, &ro);
        let plan = match op {
            SetOp::Union => {
                let output: Vec<Attribute> = lo
                    .iter()
                    .zip(&ro)
                    .zip(&types)
                    .map(|((a, b), t)| Attribute::new(a.name.clone(), t.clone(), a.nullable || b.nullable))
                    .collect();
                // a chain of UNION ALLs becomes one Union
                let inputs = match lp {
                    LogicalPlan::Union { inputs, .. } if all => {
                        let mut v = inputs;
                        v.push(rp);
                        v
                    }
                    lp => vec![lp, rp],
                };
                let union = LogicalPlan::Union { inputs, output: output.clone() };
                if all {
                    union
                } else {
                    let group_exprs = output.iter().map(Expr::col).collect();
                    LogicalPlan::Aggregate { input: Box::new(union), group_exprs, aggr_exprs: vec![] }
                }
            }
            SetOp::Intersect | SetOp::Except => {
                let kind = if op == SetOp::Intersect { SetOpKind::Intersect } else { SetOpKind::Except };
                LogicalPlan::SetOperation { left: Box::new(lp), right: Box::new(rp), kind, all }
            }
        };
        Ok(self.rel(plan))
    }
}
