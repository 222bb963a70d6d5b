//! Connect relations and expressions -> Ember's unresolved `spec` plan.
//!
//! The DataFrame API's plans are lowered into the same unresolved nodes the
//! SQL front end produces, so the analyzer resolves them exactly like SQL:
//! Spark's output names (`(a + 1)`, `sum(x)`), coercions and errors come
//! from one place. Operations Spark defines over a DataFrame's columns
//! (`drop`, `withColumns`, `na.fill`, ...) read the input's resolved output
//! first (`Lowerer::columns`) and become projections.
//!
//! A few relations need data, not just a plan: `tail`, `sample`,
//! `describe`/`summary`, `pivot` without values, the catalog calls and SQL
//! commands run (part of) their input while being lowered and answer with a
//! local relation, as Spark's server also runs them eagerly.
//!
//! Layout: this file (entry points, the relation dispatch, joins, SQL),
//! `expr` (expressions), `literal`, `types`, `columns` (column-wise
//! DataFrame operations), `aggregate` (group by, pivot), `local`
//! (LocalRelation), `stats` (describe, summary, sample, tail), `catalog`,
//! `visit` (rewriting spec trees).

mod aggregate;
mod catalog;
mod columns;
pub(crate) mod expr;
pub mod literal;
mod local;
mod stats;
pub mod types;
mod visit;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use ember_core::spec::{ColumnDef, Expr, JoinCriteria, JoinType, Plan, SetOp, Statement};
use ember_core::{Error, Result, ScalarValue};

use crate::proto::spark::connect as proto;
use proto::relation::RelType;

pub use expr::parse_identifier;

/// What lowering needs from the server: the client's engine session (for
/// the catalog, the schemas of inputs and the few eager relations).
pub struct LowerContext<'a> {
    pub session: &'a ember_engine::Session,
}

impl LowerContext<'_> {
    /// The schema of a lowered plan (Spark's output names and types).
    pub fn schema_of(&self, plan: &Plan) -> Result<SchemaRef> {
        Ok(self.session.analyze(plan)?.schema())
    }
}

/// Lowers a Connect relation. `ShowString`, `HtmlString` and commands are
/// the server's business and are refused here.
pub fn lower_relation(rel: &proto::Relation, cx: &LowerContext) -> Result<Plan> {
    Lowerer::new(cx).relation(rel)
}

/// Lowers a Connect expression that refers to no particular DataFrame.
pub fn lower_expression(e: &proto::Expression, cx: &LowerContext) -> Result<Expr> {
    Lowerer::new(cx).expr(e)
}

/// A malformed request: a required field is missing or out of range.
/// Spark raises `InvalidPlanInput` for these.
pub(crate) fn invalid_plan(message: impl Into<String>) -> Error {
    Error::spark_msg("INVALID_PLAN_INPUT", "XX000", message.into())
}

/// The state of one lowering: which qualifier reaches the columns of a
/// DataFrame referred to by plan id (`df1.id == df2.id`), and the relations
/// a `WithRelations` root refers to.
pub(crate) struct Lowerer<'a, 'b> {
    cx: &'a LowerContext<'b>,
    /// plan id -> the qualifier its columns answer to
    qualifiers: HashMap<i64, Vec<String>>,
    /// plan ids of the relations lowered so far, children before parents
    lowered_ids: Vec<i64>,
    /// `WithRelations` references by plan id (subqueries)
    references: HashMap<i64, proto::Relation>,
    /// plan ids the expressions of the relations being lowered refer to,
    /// one set per enclosing relation (what a join's inputs must answer)
    above: Vec<HashSet<i64>>,
}

impl<'a, 'b> Lowerer<'a, 'b> {
    fn new(cx: &'a LowerContext<'b>) -> Self {
        Lowerer { cx, qualifiers: HashMap::new(), lowered_ids: vec![], references: HashMap::new(), above: vec![] }
    }

    fn session(&self) -> &ember_engine::Session {
        self.cx.session
    }

    fn case_sensitive(&self) -> bool {
        self.session().config().case_sensitive()
    }

    pub(crate) fn relation(&mut self, rel: &proto::Relation) -> Result<Plan> {
        let mut refs = HashSet::new();
        for e in own_expressions(rel) {
            expr::referenced_plan_ids(e, &mut refs);
        }
        let pushed = !refs.is_empty();
        if pushed {
            self.above.push(refs);
        }
        let plan = self.relation_kind(rel);
        if pushed {
            self.above.pop();
        }
        let plan = plan?;
        if let Some(id) = rel.common.as_ref().and_then(|c| c.plan_id) {
            self.lowered_ids.push(id);
        }
        Ok(plan)
    }

    /// The input of a unary relation.
    fn input(&mut self, input: &Option<Box<proto::Relation>>) -> Result<Plan> {
        match input {
            Some(r) => self.relation(r),
            None => Err(invalid_plan("a relation without its input")),
        }
    }

    fn relation_kind(&mut self, rel: &proto::Relation) -> Result<Plan> {
        let Some(kind) = &rel.rel_type else {
            return Err(invalid_plan("a relation without a type"));
        };
        match kind {
            RelType::Read(r) => self.read(r),
            RelType::Project(p) => {
                let input = match &p.input {
                    Some(r) => self.relation(r)?,
                    // `select` without a DataFrame: one row, no columns
                    None => Plan::Values { rows: vec![vec![]] },
                };
                let exprs = self.exprs(&p.expressions)?;
                Ok(Plan::Project { input: Box::new(input), exprs })
            }
            RelType::Filter(f) => {
                let input = self.input(&f.input)?;
                let condition = match &f.condition {
                    Some(c) => self.expr(c)?,
                    None => return Err(invalid_plan("a filter without a condition")),
                };
                Ok(Plan::Filter { input: Box::new(input), condition })
            }
            RelType::Join(j) => self.join(j),
            RelType::SetOp(s) => self.set_operation(s),
            RelType::Sort(s) => {
                let input = self.input(&s.input)?;
                let order = s.order.iter().map(|o| self.sort_order(o)).collect::<Result<Vec<_>>>()?;
                Ok(Plan::Sort { input: Box::new(input), order })
            }
            RelType::Limit(l) => {
                let input = self.input(&l.input)?;
                Ok(Plan::Limit { input: Box::new(input), limit: Expr::lit(ScalarValue::Int32(Some(l.limit))) })
            }
            RelType::Offset(o) => {
                let input = self.input(&o.input)?;
                Ok(Plan::Offset { input: Box::new(input), offset: Expr::lit(ScalarValue::Int32(Some(o.offset))) })
            }
            RelType::Tail(t) => {
                let input = self.input(&t.input)?;
                self.tail(input, t.limit)
            }
            RelType::Aggregate(a) => self.aggregate(a),
            RelType::Sql(s) => self.sql(s),
            RelType::LocalRelation(l) => local::local_relation(l),
            RelType::Sample(s) => self.sample(s),
            RelType::Deduplicate(d) => self.deduplicate(d),
            RelType::Range(r) => Ok(Plan::Range { start: r.start.unwrap_or(0), end: r.end, step: r.step }),
            RelType::SubqueryAlias(s) => {
                let input = self.input(&s.input)?;
                Ok(Plan::SubqueryAlias { input: Box::new(input), alias: s.alias.clone(), columns: vec![] })
            }
            // one machine, one partition: repartitioning changes nothing visible
            RelType::Repartition(r) => self.input(&r.input),
            RelType::RepartitionByExpression(r) => self.input(&r.input),
            // hints steer Spark's planner only; Ember plans on its own
            RelType::Hint(h) => self.input(&h.input),
            // a watermark only matters to streaming queries; batch Spark ignores it
            RelType::WithWatermark(w) => self.input(&w.input),
            RelType::ToDf(t) => self.lower_to_df(t),
            RelType::WithColumnsRenamed(w) => self.with_columns_renamed(w),
            RelType::Drop(d) => self.drop(d),
            RelType::WithColumns(w) => self.with_columns(w),
            RelType::ToSchema(t) => self.lower_to_schema(t),
            RelType::Unpivot(u) => self.unpivot(u),
            RelType::FillNa(f) => self.fill_na(f),
            RelType::DropNa(d) => self.drop_na(d),
            RelType::Replace(r) => self.replace(r),
            RelType::Summary(s) => {
                let input = self.input(&s.input)?;
                self.summary(input, &s.statistics)
            }
            RelType::Describe(d) => {
                let input = self.input(&d.input)?;
                self.describe(input, &d.cols)
            }
            RelType::Catalog(c) => self.catalog(c),
            RelType::WithRelations(w) => {
                for r in &w.references {
                    if let Some(id) = r.common.as_ref().and_then(|c| c.plan_id) {
                        self.references.insert(id, r.clone());
                    }
                }
                let root = self.input(&w.root)?;
                // `spark.sql("... {df} ...", df=df)`: the DataFrames arrive as
                // aliased references the SQL text names, visible to that query only
                let sql_root =
                    matches!(w.root.as_deref(), Some(proto::Relation { rel_type: Some(RelType::Sql(_)), .. }));
                let mut ctes = vec![];
                if sql_root {
                    for r in &w.references {
                        if let Some(RelType::SubqueryAlias(a)) = &r.rel_type {
                            ctes.push((a.alias.clone(), vec![], self.input(&a.input)?));
                        }
                    }
                }
                if ctes.is_empty() {
                    Ok(root)
                } else {
                    Ok(Plan::With { ctes, input: Box::new(root) })
                }
            }
            RelType::UnresolvedTableValuedFunction(f) => self.table_function(f),
            RelType::ShowString(_) | RelType::HtmlString(_) => {
                Err(invalid_plan("showString/htmlString can only be the root of a plan"))
            }
            RelType::CachedLocalRelation(_) | RelType::ChunkedCachedLocalRelation(_) => {
                Err(Error::not_implemented("cached local relations (spark.sql.session.localRelationCacheThreshold)"))
            }
            RelType::CachedRemoteRelation(_) => Err(Error::not_implemented("cached remote relations")),
            RelType::MapPartitions(_)
            | RelType::GroupMap(_)
            | RelType::CoGroupMap(_)
            | RelType::ApplyInPandasWithState(_)
            | RelType::CommonInlineUserDefinedTableFunction(_)
            | RelType::CommonInlineUserDefinedDataSource(_) => {
                Err(Error::not_implemented("Python user-defined functions and data sources"))
            }
            RelType::CollectMetrics(_) => Err(Error::not_implemented("observe (CollectMetrics)")),
            RelType::Parse(_) => Err(Error::not_implemented("parsing a dataset of CSV/JSON strings")),
            RelType::AsOfJoin(_) => Err(Error::not_implemented("as-of joins")),
            RelType::LateralJoin(_) => Err(Error::not_implemented("lateral joins")),
            RelType::NearestByJoin(_) => Err(Error::not_implemented("nearest-neighbour joins")),
            RelType::Transpose(_) => Err(Error::not_implemented("transpose")),
            RelType::RelationChanges(_) => Err(Error::not_implemented("change data feeds")),
            RelType::Crosstab(_) => Err(Error::not_implemented("crosstab")),
            RelType::Cov(_) => Err(Error::not_implemented("cov")),
            RelType::Corr(_) => Err(Error::not_implemented("corr")),
            RelType::ApproxQuantile(_) => Err(Error::not_implemented("approxQuantile")),
            RelType::FreqItems(_) => Err(Error::not_implemented("freqItems")),
            RelType::SampleBy(_) => Err(Error::not_implemented("sampleBy")),
            RelType::MlRelation(_) => Err(Error::not_implemented("Spark ML")),
            RelType::Extension(_) => Err(Error::not_implemented("relation extensions")),
            RelType::Unknown(_) => Err(invalid_plan("an unknown relation")),
        }
    }

    fn read(&mut self, r: &proto::Read) -> Result<Plan> {
        use proto::read::ReadType;
        if r.is_streaming {
            return Err(Error::not_implemented("streaming reads"));
        }
        match &r.read_type {
            Some(ReadType::NamedTable(t)) => {
                Ok(Plan::Relation { name: parse_identifier(&t.unparsed_identifier)?, span: None })
            }
            Some(ReadType::DataSource(ds)) => {
                if !ds.predicates.is_empty() {
                    return Err(Error::not_implemented("JDBC predicates"));
                }
                let format = ds.format.clone().unwrap_or_else(|| "parquet".to_string()).to_ascii_lowercase();
                let mut options: Vec<(String, String)> =
                    ds.options.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect();
                options.sort();
                let mut paths = ds.paths.clone();
                if paths.is_empty() {
                    if let Some((_, p)) = options.iter().find(|(k, _)| k == "path") {
                        paths.push(p.clone());
                    }
                }
                let schema = match ds.schema.as_deref().filter(|s| !s.trim().is_empty()) {
                    Some(s) => Some(schema_columns(s)?),
                    None => None,
                };
                Ok(Plan::ReadFiles { format, paths, options, schema })
            }
            None => Err(invalid_plan("a read without a source")),
        }
    }

    /// `spark.tvf.range(...)`: the one table-valued function Ember has.
    fn table_function(&mut self, f: &proto::UnresolvedTableValuedFunction) -> Result<Plan> {
        if !f.function_name.eq_ignore_ascii_case("range") {
            return Err(Error::not_implemented(format!("the table-valued function {}", f.function_name)));
        }
        let mut args = vec![];
        for a in &f.arguments {
            match self.expr(a)? {
                Expr::Literal { value, .. } if value.as_i64().is_some() => args.push(value.as_i64().unwrap_or(0)),
                _ => return Err(Error::not_implemented("range() with non-integer-literal arguments")),
            }
        }
        let (start, end, step) = match args.as_slice() {
            [end] => (0, *end, 1),
            [start, end] => (*start, *end, 1),
            [start, end, step] | [start, end, step, _] => (*start, *end, *step),
            _ => {
                return Err(Error::spark(
                    "WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                    &[
                        ("functionName", "`range`".to_string()),
                        ("expectedNum", "[1, 2, 3, 4]".to_string()),
                        ("actualNum", args.len().to_string()),
                    ],
                ))
            }
        };
        Ok(Plan::Range { start, end, step })
    }

    fn join(&mut self, j: &proto::Join) -> Result<Plan> {
        use proto::join::JoinType as J;
        let start = self.lowered_ids.len();
        let mut left = self.input(&j.left)?;
        let mid = self.lowered_ids.len();
        let mut right = self.input(&j.right)?;
        let left_ids = self.lowered_ids[start..mid].to_vec();
        let right_ids = self.lowered_ids[mid..].to_vec();
        // the DataFrames the condition, or the relations above the join, name
        let mut referenced: HashSet<i64> = self.above.iter().flatten().copied().collect();
        if let Some(cond) = &j.join_condition {
            expr::referenced_plan_ids(cond, &mut referenced);
        }
        if !referenced.is_empty() {
            let right_name = relation_name(&right);
            left = self.qualify_side(left, &left_ids, &referenced, right_name.as_deref());
            let left_name = relation_name(&left);
            right = self.qualify_side(right, &right_ids, &referenced, left_name.as_deref());
        }
        if j.join_data_type.as_ref().is_some_and(|t| t.is_left_struct || t.is_right_struct) {
            return Err(Error::not_implemented("joinWith"));
        }
        let join_type = match J::try_from(j.join_type) {
            Ok(J::Unspecified) | Ok(J::Inner) => JoinType::Inner,
            Ok(J::FullOuter) => JoinType::FullOuter,
            Ok(J::LeftOuter) => JoinType::LeftOuter,
            Ok(J::RightOuter) => JoinType::RightOuter,
            Ok(J::LeftAnti) => JoinType::LeftAnti,
            Ok(J::LeftSemi) => JoinType::LeftSemi,
            Ok(J::Cross) => JoinType::Cross,
            Err(_) => return Err(invalid_plan(format!("unknown join type {}", j.join_type))),
        };
        let condition = j.join_condition.as_ref().map(|c| self.expr(c)).transpose()?;
        let criteria = match (condition, j.using_columns.is_empty()) {
            (Some(_), false) => return Err(invalid_plan("a join with both a condition and using columns")),
            (None, false) => JoinCriteria::Using(j.using_columns.clone()),
            (Some(c), true) => JoinCriteria::On(c),
            (None, true) => JoinCriteria::None,
        };
        // an inner join without a condition is a cartesian product
        let join_type =
            if join_type == JoinType::Inner && criteria == JoinCriteria::None { JoinType::Cross } else { join_type };
        Ok(Plan::Join { left: Box::new(left), right: Box::new(right), join_type, criteria })
    }

    /// Makes the columns of a join side reachable by the plan ids a join
    /// condition refers to (`df1.id == df2.id`): through the side's alias or
    /// table name when it has one, else through a generated alias. A side
    /// that already holds qualified DataFrames (a nested join) is left
    /// alone, so that their qualifiers stay visible.
    fn qualify_side(&mut self, plan: Plan, ids: &[i64], referenced: &HashSet<i64>, other: Option<&str>) -> Plan {
        let wanted = ids.iter().any(|id| referenced.contains(id) && !self.qualifiers.contains_key(id));
        if !wanted {
            return plan;
        }
        let (plan, qualifier) = match &plan {
            Plan::SubqueryAlias { alias, .. } if other != Some(alias.as_str()) => {
                let q = alias.clone();
                (plan, q)
            }
            Plan::Relation { name, .. } if name.last().is_some_and(|n| Some(n.as_str()) != other) => {
                let q = name.last().cloned().unwrap_or_default();
                (plan, q)
            }
            _ if ids.iter().any(|id| self.qualifiers.contains_key(id)) => return plan,
            _ => {
                let alias = format!("__plan_{}", ids.last().copied().unwrap_or_default());
                (Plan::SubqueryAlias { input: Box::new(plan), alias: alias.clone(), columns: vec![] }, alias)
            }
        };
        for id in ids {
            self.qualifiers.entry(*id).or_insert_with(|| vec![qualifier.clone()]);
        }
        plan
    }

    fn set_operation(&mut self, s: &proto::SetOperation) -> Result<Plan> {
        use proto::set_operation::SetOpType as S;
        let left = self.input(&s.left_input)?;
        let right = self.input(&s.right_input)?;
        let op = match S::try_from(s.set_op_type) {
            Ok(S::Union) => SetOp::Union,
            Ok(S::Intersect) => SetOp::Intersect,
            Ok(S::Except) => SetOp::Except,
            _ => return Err(invalid_plan(format!("unknown set operation {}", s.set_op_type))),
        };
        Ok(Plan::SetOperation {
            left: Box::new(left),
            right: Box::new(right),
            op,
            all: s.is_all.unwrap_or(false),
            by_name: s.by_name.unwrap_or(false),
            allow_missing: s.allow_missing_columns.unwrap_or(false),
        })
    }

    /// `spark.sql(query, args)`: a query becomes its plan with the
    /// arguments bound; a command runs now and answers with its result.
    fn sql(&mut self, s: &proto::Sql) -> Result<Plan> {
        #[allow(deprecated)]
        let positional: Vec<Expr> = if !s.pos_arguments.is_empty() {
            self.exprs(&s.pos_arguments)?
        } else {
            s.pos_args.iter().map(literal::literal_expr).collect::<Result<_>>()?
        };
        let mut named: HashMap<String, Expr> = HashMap::new();
        for (k, v) in &s.args {
            named.insert(k.clone(), literal::literal_expr(v)?);
        }
        for (k, v) in &s.named_arguments {
            named.insert(k.clone(), self.expr(v)?);
        }
        if !positional.is_empty() && !named.is_empty() {
            return Err(Error::spark_msg(
                "INVALID_QUERY_MIXED_QUERY_PARAMETERS",
                "42613",
                "Parameterized query must either use positional, or named parameters, but not both.",
            ));
        }
        let mut statement = if positional.is_empty() {
            ember_sql::parse_statement(&s.query)?
        } else {
            ember_sql::parse_statement_with_positional_parameters(&s.query)?
        };
        for (i, e) in positional.into_iter().enumerate() {
            named.insert(format!("?{}", i + 1), e);
        }
        if !named.is_empty() {
            visit::bind_parameters(&mut statement, &named);
        }
        match statement {
            Statement::Query(plan) => Ok(plan),
            command => {
                let result = self.session().execute(command)?;
                Ok(Plan::LocalRelation { batches: result.batches, schema: result.schema })
            }
        }
    }

    /// Runs a plan to completion (for the relations Spark also runs eagerly).
    fn execute(&self, plan: &Plan) -> Result<(SchemaRef, Vec<RecordBatch>)> {
        let logical = self.session().plan(plan)?;
        let schema = logical.schema();
        let batches = self.session().execute_plan(&logical)?;
        // keep the plan's names and types on the batches
        let batches = batches
            .into_iter()
            .map(|b| RecordBatch::try_new(Arc::clone(&schema), b.columns().to_vec()).or(Ok::<_, Error>(b)))
            .collect::<Result<Vec<_>>>()?;
        Ok((schema, batches))
    }
}

/// The expressions a relation itself holds (not those of its inputs).
fn own_expressions(rel: &proto::Relation) -> Vec<&proto::Expression> {
    let Some(kind) = &rel.rel_type else { return vec![] };
    match kind {
        RelType::Project(p) => p.expressions.iter().collect(),
        RelType::Filter(f) => f.condition.iter().collect(),
        RelType::Sort(s) => s.order.iter().filter_map(|o| o.child.as_deref()).collect(),
        RelType::Aggregate(a) => a
            .grouping_expressions
            .iter()
            .chain(&a.aggregate_expressions)
            .chain(a.pivot.as_ref().and_then(|p| p.col.as_ref()))
            .collect(),
        RelType::Drop(d) => d.columns.iter().collect(),
        RelType::WithColumns(w) => w.aliases.iter().filter_map(|a| a.expr.as_deref()).collect(),
        RelType::Unpivot(u) => u.ids.iter().chain(u.values.iter().flat_map(|v| &v.values)).collect(),
        RelType::RepartitionByExpression(r) => r.partition_exprs.iter().collect(),
        RelType::Hint(h) => h.parameters.iter().collect(),
        _ => vec![],
    }
}

/// The table name of a plain table reference.
fn relation_name(plan: &Plan) -> Option<String> {
    match plan {
        Plan::Relation { name, .. } => name.last().cloned(),
        Plan::SubqueryAlias { alias, .. } => Some(alias.clone()),
        _ => None,
    }
}

/// The columns of a schema string (JSON or DDL) that must describe a struct.
pub(crate) fn schema_columns(text: &str) -> Result<Vec<ColumnDef>> {
    let t = types::parse_type_string(text)?;
    types::columns_of_struct(&t).ok_or_else(|| {
        Error::spark_msg(
            "INVALID_SCHEMA.NON_STRUCT_TYPE",
            "42K07",
            format!(
                "The input schema \"{text}\" is not a valid schema string. The input expression must be a struct type, \
                 but got \"{}\".",
                ember_core::types::spark_sql_type_name(&t)
            ),
        )
    })
}
