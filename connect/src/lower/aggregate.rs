//! `groupBy(...).agg(...)`, `rollup`, `cube`, `groupingSets` and `pivot`.
//!
//! The output is the grouping expressions followed by the aggregates, as
//! Spark's `RelationalGroupedDataset` builds it. A pivot becomes one
//! conditional aggregate per (value, aggregate): the aggregate's arguments
//! become `if(pivot <=> value, arg, NULL)` (`first`/`last` ignore the NULLs
//! so made), named after the value, or `value_aggregate` when there are
//! several aggregates, as Spark's analyzer does.

use arrow::array::{Array, AsArray};
use ember_core::spec::{BinaryOp, CastMode, Expr, GroupingKind, Plan, SortExpr};
use ember_core::{Error, Result, ScalarValue};

use super::literal::literal_expr;
use super::visit::rewrite_expr;
use super::{invalid_plan, Lowerer};
use crate::proto::spark::connect as proto;

/// Spark's default `spark.sql.pivotMaxValues`.
const DEFAULT_PIVOT_MAX_VALUES: usize = 10000;

pub(crate) fn strip_alias(e: &Expr) -> Expr {
    match e {
        Expr::Alias { expr, .. } => (**expr).clone(),
        other => other.clone(),
    }
}

/// Function names of the grouping analytics the analyzer reads in a GROUP
/// BY list (`sql/src/analyzer/aggregate.rs`, `sql/src/frontend/query.rs`).
const GROUPING_SETS_BY: &str = "grouping sets by";
const GROUPING_SET: &str = "grouping set";

fn grouping_call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function { name: name.to_string(), args, distinct: false, span: None }
}

fn alias(e: Expr, name: &str) -> Expr {
    Expr::Alias { expr: Box::new(e), name: name.to_string() }
}

impl Lowerer<'_, '_> {
    pub(crate) fn aggregate(&mut self, a: &proto::Aggregate) -> Result<Plan> {
        use proto::aggregate::GroupType as G;
        let input = self.input(&a.input)?;
        let grouping = self.exprs(&a.grouping_expressions)?;
        let aggs = self.exprs(&a.aggregate_expressions)?;
        let group_by: Vec<Expr> = grouping.iter().map(strip_alias).collect();
        let kind = match G::try_from(a.group_type) {
            Ok(G::Unspecified) | Ok(G::Groupby) => GroupingKind::GroupBy,
            Ok(G::Rollup) => GroupingKind::Rollup,
            Ok(G::Cube) => GroupingKind::Cube,
            Ok(G::Pivot) => {
                let Some(pivot) = &a.pivot else {
                    return Err(invalid_plan("a pivot aggregate without its pivot"));
                };
                return self.pivot(input, grouping, group_by, aggs, pivot);
            }
            Ok(G::GroupingSets) => {
                // Spark's GroupingSets(sets, userGivenGroupByExprs): the
                // grouping expressions fix the grouping id's bits, the sets
                // pick among them; encoded as the SQL front end encodes
                // `GROUP BY a, b GROUPING SETS (..)` (see the analyzer's
                // `aggregate.rs`)
                let set = |exprs: Vec<Expr>| grouping_call(GROUPING_SET, exprs);
                let mut args = vec![set(group_by)];
                for s in &a.grouping_sets {
                    let exprs = self.exprs(&s.grouping_set)?;
                    args.push(set(exprs.iter().map(strip_alias).collect()));
                }
                let exprs = grouping.into_iter().chain(aggs).collect();
                let group_by = vec![grouping_call(GROUPING_SETS_BY, args)];
                return Ok(Plan::Aggregate {
                    input: Box::new(input),
                    group_by,
                    exprs,
                    grouping: GroupingKind::GroupBy,
                });
            }
            Err(_) => return Err(invalid_plan(format!("unknown group type {}", a.group_type))),
        };
        let exprs = grouping.into_iter().chain(aggs).collect();
        Ok(Plan::Aggregate { input: Box::new(input), group_by, exprs, grouping: kind })
    }

    fn pivot(
        &mut self,
        input: Plan,
        grouping: Vec<Expr>,
        group_by: Vec<Expr>,
        aggs: Vec<Expr>,
        pivot: &proto::aggregate::Pivot,
    ) -> Result<Plan> {
        let column = match &pivot.col {
            Some(c) => strip_alias(&self.expr(c)?),
            None => return Err(invalid_plan("a pivot without its column")),
        };
        let values: Vec<Expr> = if pivot.values.is_empty() {
            self.pivot_values(&input, &column)?
        } else {
            pivot.values.iter().map(literal_expr).collect::<Result<_>>()?
        };
        let value_names = self.value_names(&values)?;
        let agg_names: Vec<String> = if aggs.len() > 1 {
            aggs.iter()
                .map(|a| match a {
                    Expr::Alias { name, .. } => Ok(name.clone()),
                    other => self.aggregate_name(&input, &group_by, other),
                })
                .collect::<Result<_>>()?
        } else {
            vec![]
        };
        let mut exprs = grouping;
        for (value, value_name) in values.iter().zip(&value_names) {
            for (i, a) in aggs.iter().enumerate() {
                let name = match agg_names.get(i) {
                    Some(agg) => format!("{value_name}_{agg}"),
                    None => value_name.clone(),
                };
                exprs.push(alias(pivoted(strip_alias(a), &column, value), &name));
            }
        }
        Ok(Plan::Aggregate { input: Box::new(input), group_by, exprs, grouping: GroupingKind::GroupBy })
    }

    /// The distinct values of the pivot column, sorted (Spark runs the same
    /// query when `pivot` is given no values).
    fn pivot_values(&self, input: &Plan, column: &Expr) -> Result<Vec<Expr>> {
        let max = self
            .session()
            .config()
            .get("spark.sql.pivotMaxValues")
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(DEFAULT_PIVOT_MAX_VALUES);
        let key = Expr::Column { name: vec!["__ember_pivot".to_string()], span: None };
        let distinct = Plan::Distinct {
            input: Box::new(Plan::Project {
                input: Box::new(input.clone()),
                exprs: vec![alias(column.clone(), "__ember_pivot")],
            }),
        };
        let sorted = Plan::Sort {
            input: Box::new(distinct),
            order: vec![SortExpr { expr: key, ascending: true, nulls_first: None }],
        };
        let limited = Plan::Limit {
            input: Box::new(sorted),
            limit: Expr::lit(ScalarValue::Int32(Some(i32::try_from(max.saturating_add(1)).unwrap_or(i32::MAX)))),
        };
        let (_, batches) = self.execute(&limited)?;
        let mut values = vec![];
        for b in &batches {
            let c = b.column(0);
            for i in 0..c.len() {
                values.push(Expr::lit(ScalarValue::try_from_array(c.as_ref(), i)?));
            }
        }
        if values.len() > max {
            return Err(Error::spark_msg(
                "PIVOT_TOO_MANY_VALUES",
                "54000",
                format!(
                    "The pivot column has more than {max} distinct values, this could indicate an error. If this was \
                     intended, set spark.sql.pivotMaxValues to at least the number of distinct values of the pivot \
                     column."
                ),
            ));
        }
        Ok(values)
    }

    /// The pivot values as Spark names their columns: cast to a string,
    /// `null` for NULL.
    fn value_names(&self, values: &[Expr]) -> Result<Vec<String>> {
        if values.is_empty() {
            return Ok(vec![]);
        }
        let exprs = values
            .iter()
            .map(|v| Expr::Cast {
                expr: Box::new(v.clone()),
                to: arrow::datatypes::DataType::Utf8,
                mode: CastMode::Default,
                span: None,
            })
            .collect();
        let probe = Plan::Project { input: Box::new(Plan::Values { rows: vec![vec![]] }), exprs };
        let (_, batches) = self.execute(&probe)?;
        let Some(row) = batches.iter().find(|b| b.num_rows() > 0) else {
            return Err(Error::internal("a one-row projection returned no row"));
        };
        Ok(row
            .columns()
            .iter()
            .map(|c| {
                let s = c.as_string::<i32>();
                if s.is_null(0) {
                    "null".to_string()
                } else {
                    s.value(0).to_string()
                }
            })
            .collect())
    }

    /// Spark's name of an aggregate expression (`sum(x)`).
    fn aggregate_name(&self, input: &Plan, group_by: &[Expr], e: &Expr) -> Result<String> {
        let probe = Plan::Aggregate {
            input: Box::new(input.clone()),
            group_by: group_by.to_vec(),
            exprs: vec![e.clone()],
            grouping: GroupingKind::GroupBy,
        };
        let schema = self.cx.schema_of(&probe)?;
        schema.fields().first().map(|f| f.name().clone()).ok_or_else(|| Error::internal("an aggregate without output"))
    }
}

/// An aggregate expression restricted to the rows whose pivot column is
/// `value`.
fn pivoted(mut agg: Expr, column: &Expr, value: &Expr) -> Expr {
    let cond = Expr::Binary {
        op: BinaryOp::EqNullSafe,
        left: Box::new(column.clone()),
        right: Box::new(value.clone()),
        span: None,
    };
    let only = |x: Expr| Expr::Function {
        name: "if".to_string(),
        args: vec![cond.clone(), x, Expr::lit(ScalarValue::Null)],
        distinct: false,
        span: None,
    };
    rewrite_expr(&mut agg, &mut |e| {
        let Expr::Function { name, args, .. } = e else {
            return false;
        };
        if !ember_sql::is_aggregate_function(name) {
            return false;
        }
        let lower = name.to_ascii_lowercase();
        let taken = std::mem::take(args);
        *args = match lower.as_str() {
            // first/last keep their NULL rows unless told to ignore them
            "first" | "last" | "first_value" | "last_value" | "any_value" => match taken.into_iter().next() {
                Some(x) => vec![only(x), Expr::lit(ScalarValue::Boolean(Some(true)))],
                None => vec![],
            },
            "count" if taken.is_empty() || matches!(taken.as_slice(), [Expr::Star { qualifier: None, .. }]) => {
                vec![only(Expr::lit(ScalarValue::Int32(Some(1))))]
            }
            // the accuracy and percentage arguments stay literals
            "percentile" | "percentile_approx" | "approx_percentile" => {
                let mut it = taken.into_iter();
                it.next().map(only).into_iter().chain(it).collect()
            }
            _ => taken.into_iter().map(only).collect(),
        };
        true
    });
    agg
}
