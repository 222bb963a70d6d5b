//! Subquery expressions: scalar, `IN (subquery)` and `EXISTS`. The subquery
//! is analyzed with the enclosing scope pushed as an outer scope, so its
//! correlated references resolve to `Expr::OuterColumn`; decorrelation is the
//! optimizer's job.

use ember_core::spec::{self, Plan};
use ember_core::{Error, Expr, LogicalPlan, Result};

use super::coercion::cast;
use super::expr::{quoted, type_str, ExprCtx};
use super::scope::Scope;
use super::Analyzer;

impl Analyzer<'_> {
    /// Analyzes a subquery that may refer to `scope` (and the scopes around it).
    pub(crate) fn subquery_plan(&mut self, p: &Plan, scope: &Scope) -> Result<LogicalPlan> {
        self.outer.push(scope.clone());
        let r = self.plan(p);
        self.outer.pop();
        Ok(r?.into_plan())
    }

    pub(crate) fn scalar_subquery(&mut self, p: &Plan, cx: ExprCtx) -> Result<Expr> {
        let plan = self.subquery_plan(p, cx.scope)?;
        let out = plan.output();
        if out.len() != 1 {
            return Err(Error::spark(
                "INVALID_SUBQUERY_EXPRESSION.SCALAR_SUBQUERY_RETURN_MORE_THAN_ONE_OUTPUT_COLUMN",
                &[("number", out.len().to_string())],
            ));
        }
        let data_type = out[0].data_type.clone();
        Ok(Expr::ScalarSubquery { plan: Box::new(plan), data_type })
    }

    pub(crate) fn in_subquery(
        &mut self,
        whole: &spec::Expr,
        value: &spec::Expr,
        p: &Plan,
        negated: bool,
        cx: ExprCtx,
    ) -> Result<Expr> {
        let v = self.expr(value, cx)?;
        let plan = self.subquery_plan(p, cx.scope)?;
        let out = plan.output();
        let sql = self.sql_of(whole, cx.scope);
        if out.len() != 1 {
            return Err(Error::spark(
                "DATATYPE_MISMATCH.IN_SUBQUERY_LENGTH_MISMATCH",
                &[
                    ("sqlExpr", quoted(&sql)),
                    ("leftLength", "1".into()),
                    ("rightLength", out.len().to_string()),
                    ("leftColumns", quoted(&v.sql_name())),
                    ("rightColumns", quoted(&out.iter().map(|a| a.name.clone()).collect::<Vec<_>>().join(", "))),
                ],
            ));
        }
        let col = Expr::col(&out[0]);
        let vt = v.data_type();
        let (v2, c2) = self.coerce_comparison(v, col).ok_or_else(|| {
            Error::spark(
                "DATATYPE_MISMATCH.IN_SUBQUERY_DATA_TYPE_MISMATCH",
                &[
                    ("sqlExpr", quoted(&sql)),
                    (
                        "mismatchedColumns",
                        format!(
                            "({}:{}, {}:{})",
                            value_name(&sql),
                            type_str(&vt),
                            out[0].name,
                            type_str(&out[0].data_type)
                        ),
                    ),
                    ("leftType", type_str(&vt)),
                    ("rightType", type_str(&out[0].data_type)),
                ],
            )
        })?;
        let plan = match c2 {
            Expr::Column(_) => plan,
            casted => {
                let item = cast(casted, &v2.data_type(), self.mode()).alias(out[0].name.clone());
                LogicalPlan::Project { input: Box::new(plan), exprs: vec![item] }
            }
        };
        Ok(Expr::InSubquery { expr: Box::new(v2), plan: Box::new(plan), negated })
    }
}

fn value_name(sql: &str) -> String {
    sql.split(" IN ").next().unwrap_or(sql).trim_start_matches('(').to_string()
}
