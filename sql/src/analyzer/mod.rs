//! The Spark analyzer: `spec::Plan` -> resolved, typed `LogicalPlan`.
//!
//! The analysis is one recursive pass over the unresolved plan. Each node
//! becomes a [`Rel`]: the resolved plan plus the [`Scope`] its parent
//! resolves names in (qualifiers, and the hidden `USING` join keys). Scans,
//! projections, aggregates and unions mint fresh column ids; CTEs and views
//! are analyzed afresh at every reference, so a CTE used twice (TPC-H q15)
//! gets distinct ids on each side of the self-join.
//!
//! Layout: `relation` (leaves, aliases, CTEs, views), `select` (projection,
//! filter, sort, limit, distinct), `aggregate` (GROUP BY, HAVING and ORDER BY
//! over aggregates), `join`, `set_op`, `expr` (expression resolution and
//! coercion of operators), `subquery`, `functions` (the registry),
//! `coercion` and `decimal` (Spark's type rules), `names` (output names),
//! `fold` (the few constants Spark folds during analysis).

mod aggregate;
mod coercion;
mod decimal;
mod expr;
mod fold;
mod functions;
mod join;
mod lambda;
mod names;
mod relation;
mod scope;
mod select;
mod set_op;
mod subquery;
mod window;

#[cfg(test)]
mod tests;

use std::rc::Rc;

use ember_core::catalog::Catalog;
use ember_core::spec::{self, Plan};
use ember_core::{EvalMode, Expr, LogicalPlan, Result, SessionConfig};

pub use functions::function_names;
pub use scope::Scope;

/// Resolves an unresolved plan against the catalog. The output attribute
/// names of the result are Spark's output column names.
pub fn analyze(plan: &Plan, catalog: &dyn Catalog, config: &SessionConfig) -> Result<LogicalPlan> {
    let mut a = Analyzer::new(catalog, config);
    Ok(a.plan(plan)?.into_plan())
}

/// Resolves one expression over the output of a resolved plan (Connect's
/// `withColumn`/`filter` on an existing DataFrame, DESCRIBE of expressions).
pub fn analyze_expr(
    e: &spec::Expr,
    input: &LogicalPlan,
    catalog: &dyn Catalog,
    config: &SessionConfig,
) -> Result<Expr> {
    let mut a = Analyzer::new(catalog, config);
    let scope = Scope::new(input.output(), config.case_sensitive());
    a.expr(e, expr::ExprCtx::new(&scope))
}

/// A CTE definition visible to the plan being analyzed.
struct CteDef {
    name: String,
    columns: Vec<String>,
    plan: Plan,
    /// How many CTEs (the earlier ones) its body sees.
    visible: usize,
}

/// A resolved relation and the scope its parent resolves names in.
pub(crate) struct Rel {
    pub plan: LogicalPlan,
    pub scope: Scope,
}

impl Rel {
    fn new(plan: LogicalPlan, case_sensitive: bool) -> Rel {
        let scope = Scope::new(plan.output(), case_sensitive);
        Rel { plan, scope }
    }

    /// The plan whose output is exactly the visible attributes.
    pub fn into_plan(self) -> LogicalPlan {
        let out = self.plan.output();
        let same = out.len() == self.scope.attrs.len() && out.iter().zip(&self.scope.attrs).all(|(a, b)| a.id == b.id);
        if same {
            self.plan
        } else {
            LogicalPlan::Project { input: Box::new(self.plan), exprs: self.scope.attrs.iter().map(Expr::col).collect() }
        }
    }
}

pub(crate) struct Analyzer<'a> {
    catalog: &'a dyn Catalog,
    ansi: bool,
    case_sensitive: bool,
    ctes: Vec<Rc<CteDef>>,
    /// Scopes of the enclosing queries, innermost last (correlated subqueries).
    outer: Vec<Scope>,
    /// Nesting of view and CTE expansion, to stop runaway recursion.
    depth: usize,
    /// Variables of the lambda functions being resolved, innermost last.
    lambda_scopes: Vec<Vec<ember_core::Attribute>>,
}

/// Views nested deeper than this are taken for a cycle.
const MAX_EXPANSION_DEPTH: usize = 64;

impl<'a> Analyzer<'a> {
    fn new(catalog: &'a dyn Catalog, config: &SessionConfig) -> Analyzer<'a> {
        Analyzer {
            catalog,
            ansi: config.ansi_enabled(),
            case_sensitive: config.case_sensitive(),
            ctes: vec![],
            outer: vec![],
            depth: 0,
            lambda_scopes: vec![],
        }
    }

    /// The evaluation mode of arithmetic, casts and functions.
    fn mode(&self) -> EvalMode {
        if self.ansi {
            EvalMode::Ansi
        } else {
            EvalMode::Legacy
        }
    }

    fn rel(&self, plan: LogicalPlan) -> Rel {
        Rel::new(plan, self.case_sensitive)
    }

    fn plan(&mut self, p: &Plan) -> Result<Rel> {
        match p {
            Plan::Relation { name, span } => self.relation(name, *span),
            Plan::ReadFiles { format, paths, options, schema } => {
                self.read_files(format, paths, options, schema.as_deref())
            }
            Plan::Values { rows } => self.values(rows),
            Plan::Range { start, end, step } => self.range(*start, *end, *step),
            Plan::LocalRelation { batches, schema } => Ok(self.local_relation(ember_core::TableSource::Memory {
                batches: std::sync::Arc::new(batches.clone()),
                schema: schema.clone(),
            })),
            Plan::SubqueryAlias { input, alias, columns } => {
                let rel = self.plan(input)?;
                self.alias_relation(rel, alias, columns)
            }
            Plan::With { ctes, input } => self.with(ctes, input),
            Plan::Project { input, exprs } => self.select(input, exprs, None),
            Plan::Filter { input, condition } => self.filter(input, condition),
            Plan::Aggregate { input, group_by, exprs, grouping } => {
                self.aggregate_query(input, group_by, exprs, *grouping, None, None)
            }
            Plan::Having { input, condition } => self.having(input, condition, None),
            Plan::Sort { input, order } => self.sort(input, order),
            Plan::Limit { input, limit } => self.limit(input, limit),
            Plan::Offset { input, offset } => self.offset(input, offset),
            Plan::Distinct { input } => self.distinct(input),
            Plan::Join { left, right, join_type, criteria } => self.join(left, right, *join_type, criteria),
            Plan::SetOperation { left, right, op, all, by_name, allow_missing } => {
                self.set_operation(left, right, *op, *all, *by_name, *allow_missing)
            }
        }
    }
}
