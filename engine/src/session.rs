//! `Session`: runs statements against its catalog and configuration.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use arrow::array::{RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use ember_core::catalog::{Catalog, CatalogEntry};
use ember_core::spec::{DescribeTarget, DropKind, ExplainMode, Plan, Statement};
use ember_core::types::spark_type_name;
use ember_core::{Error, LogicalPlan, Result, SessionConfig};
use ember_exec::QueryContext;
use ember_spill::MemoryPool;

use crate::catalog::SessionCatalog;

/// What a statement returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    /// A query or a command that shows rows (SHOW, DESCRIBE, EXPLAIN, SET k).
    Rows,
    /// A command with nothing to show (CREATE VIEW, SET k=v, DROP).
    Command,
}

/// The result of one statement, fully collected.
#[derive(Debug, Clone)]
pub struct QueryResult {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    pub kind: ResultKind,
}

impl QueryResult {
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }

    fn command() -> QueryResult {
        QueryResult { schema: Arc::new(Schema::empty()), batches: vec![], kind: ResultKind::Command }
    }

    /// A result of string columns.
    fn strings(columns: &[&str], rows: Vec<Vec<String>>) -> Result<QueryResult> {
        let schema =
            Arc::new(Schema::new(columns.iter().map(|c| Field::new(*c, DataType::Utf8, true)).collect::<Vec<_>>()));
        let cols = (0..columns.len())
            .map(|i| Arc::new(StringArray::from(rows.iter().map(|r| r[i].clone()).collect::<Vec<_>>())) as _)
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), cols)?;
        Ok(QueryResult { schema, batches: vec![batch], kind: ResultKind::Rows })
    }
}

/// One user session: its views, tables and configuration.
pub struct Session {
    config: Mutex<SessionConfig>,
    catalog: Arc<SessionCatalog>,
    /// Set to cancel the running query.
    cancel: Mutex<Arc<AtomicBool>>,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

impl Session {
    pub fn new() -> Session {
        Session {
            config: Mutex::new(SessionConfig::new()),
            catalog: SessionCatalog::new(),
            cancel: Mutex::new(Arc::new(AtomicBool::new(false))),
        }
    }

    /// Runs every statement in `text` in order and returns the last result.
    pub fn sql(&self, text: &str) -> Result<QueryResult> {
        let statements = ember_sql::parse_sql(text)?;
        if statements.is_empty() {
            return Err(Error::spark("PARSE_EMPTY_STATEMENT", &[]));
        }
        let mut last = QueryResult::command();
        for s in statements {
            last = self.execute(s)?;
        }
        Ok(last)
    }

    pub fn config(&self) -> SessionConfig {
        self.config.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_config(&self, key: &str, value: &str) -> Result<()> {
        self.config.lock().unwrap_or_else(|e| e.into_inner()).set(key, value)
    }

    /// Cancels the query that is running now, if any.
    pub fn cancel(&self) {
        self.cancel.lock().unwrap_or_else(|e| e.into_inner()).store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Makes in-memory batches queryable as a temporary view.
    pub fn register_batches(&self, name: &str, schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<()> {
        let source = ember_core::TableSource::Memory { batches: Arc::new(batches), schema };
        self.catalog.insert(&[name.to_string()], CatalogEntry::Table { name: name.to_string(), source });
        Ok(())
    }

    /// Resolves a plan (names, types, Spark output names) without optimizing it:
    /// what a client asks for when it wants a DataFrame's schema.
    pub fn analyze(&self, plan: &Plan) -> Result<LogicalPlan> {
        ember_sql::analyze(plan, self.catalog.as_ref(), &self.config())
    }

    /// Temporary views and tables of the session: (name, is temporary).
    pub fn list_tables(&self) -> Vec<(String, bool)> {
        self.catalog.list()
    }

    /// Whether a table or view of this name exists.
    pub fn table_exists(&self, name: &[String]) -> bool {
        self.catalog.get(name).is_some()
    }

    /// Analyzes and optimizes a query plan.
    pub fn plan(&self, plan: &Plan) -> Result<LogicalPlan> {
        let config = self.config();
        let analyzed = ember_sql::analyze(plan, self.catalog.as_ref(), &config)?;
        ember_optimizer::optimize(analyzed)
    }

    /// Runs a resolved plan to completion.
    pub fn execute_plan(&self, plan: &LogicalPlan) -> Result<Vec<RecordBatch>> {
        let config = self.config();
        let cancel = Arc::new(AtomicBool::new(false));
        *self.cancel.lock().unwrap_or_else(|e| e.into_inner()) = cancel.clone();
        let pool = MemoryPool::new(config.memory_limit());
        let ctx = QueryContext::new(config, pool, cancel);
        ember_exec::execute_plan(plan, &ctx)
    }

    fn query(&self, plan: &Plan) -> Result<QueryResult> {
        let optimized = self.plan(plan)?;
        let schema = optimized.schema();
        let batches = self.execute_plan(&optimized)?;
        Ok(QueryResult { schema, batches, kind: ResultKind::Rows })
    }

    /// Runs one parsed statement.
    pub fn execute(&self, statement: Statement) -> Result<QueryResult> {
        match statement {
            Statement::Query(plan) => self.query(&plan),
            Statement::CreateView { name, columns, query, replace, temporary: _, if_not_exists, sql: _ } => {
                if self.catalog.get(&name).is_some() {
                    if if_not_exists {
                        return Ok(QueryResult::command());
                    }
                    if !replace {
                        return Err(Error::spark(
                            "TEMP_TABLE_OR_VIEW_ALREADY_EXISTS",
                            &[("relationName", ember_core::error::quote_ident_path(&name.join(".")))],
                        ));
                    }
                }
                // analyze now so a broken view fails at CREATE, as in Spark
                let analyzed = ember_sql::analyze(&query, self.catalog.as_ref(), &self.config())?;
                if !columns.is_empty() && columns.len() != analyzed.output().len() {
                    return Err(Error::spark_msg(
                        "CREATE_VIEW_COLUMN_ARITY_MISMATCH.NOT_ENOUGH_DATA_COLUMNS",
                        "21S01",
                        format!("Cannot create view {}, the reason is not enough data columns", name.join(".")),
                    ));
                }
                self.catalog.insert(&name, CatalogEntry::View { name: name.join("."), plan: query, columns });
                Ok(QueryResult::command())
            }
            Statement::CreateDataSource { name, format, options, schema, replace, temporary: _, if_not_exists } => {
                if self.catalog.get(&name).is_some() {
                    if if_not_exists {
                        return Ok(QueryResult::command());
                    }
                    if !replace {
                        return Err(Error::spark(
                            "TABLE_OR_VIEW_ALREADY_EXISTS",
                            &[("relationName", ember_core::error::quote_ident_path(&name.join(".")))],
                        ));
                    }
                }
                let paths: Vec<String> = options
                    .iter()
                    .filter(|(k, _)| k == "path" || k == "paths")
                    .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()).collect::<Vec<_>>())
                    .collect();
                let others: Vec<(String, String)> =
                    options.iter().filter(|(k, _)| k != "path" && k != "paths").cloned().collect();
                let source = self.catalog.resolve_files(&format, &paths, &others, schema.as_deref())?;
                self.catalog.insert(&name, CatalogEntry::Table { name: name.join("."), source });
                Ok(QueryResult::command())
            }
            Statement::CreateTableAs { .. } | Statement::Insert { .. } => {
                Err(Error::not_implemented("writing tables (CREATE TABLE AS SELECT, INSERT)"))
            }
            Statement::Drop { name, kind, if_exists } => {
                match self.catalog.remove(&name) {
                    Some(_) => {}
                    None if if_exists => {}
                    None => {
                        let _ = kind == DropKind::View;
                        return Err(Error::table_not_found(&name.join(".")));
                    }
                }
                Ok(QueryResult::command())
            }
            Statement::ShowTables { pattern } => {
                let rows = self
                    .catalog
                    .list()
                    .into_iter()
                    .filter(|(n, _)| pattern.as_ref().is_none_or(|p| like_pattern(p, n)))
                    .map(|(n, temp)| vec![String::new(), n, temp.to_string()])
                    .collect();
                QueryResult::strings(&["namespace", "tableName", "isTemporary"], rows)
            }
            Statement::ShowColumns { table } => {
                let plan = self.plan(&Plan::Relation { name: table, span: None })?;
                QueryResult::strings(&["col_name"], plan.output().into_iter().map(|a| vec![a.name]).collect())
            }
            Statement::ShowFunctions => QueryResult::strings(&["function"], vec![]),
            Statement::Describe { target, extended: _ } => {
                let plan = match target {
                    DescribeTarget::Table(name) => Plan::Relation { name, span: None },
                    DescribeTarget::Query(q) => *q,
                };
                let analyzed = ember_sql::analyze(&plan, self.catalog.as_ref(), &self.config())?;
                let rows = analyzed
                    .output()
                    .into_iter()
                    .map(|a| vec![a.name, spark_type_name(&a.data_type), "NULL".to_string()])
                    .collect();
                QueryResult::strings(&["col_name", "data_type", "comment"], rows)
            }
            Statement::Set { key: None, .. } => {
                let rows = self.config().entries().map(|(k, v)| vec![k.clone(), v.clone()]).collect();
                QueryResult::strings(&["key", "value"], rows)
            }
            Statement::Set { key: Some(k), value: None } => {
                let v = self.config().get(&k).map(|s| s.to_string()).unwrap_or_else(|| "<undefined>".to_string());
                QueryResult::strings(&["key", "value"], vec![vec![k, v]])
            }
            Statement::Set { key: Some(k), value: Some(v) } => {
                self.set_config(&k, &v)?;
                QueryResult::strings(&["key", "value"], vec![vec![k, v]]).map(|mut r| {
                    r.kind = ResultKind::Command;
                    r
                })
            }
            Statement::Reset { key } => {
                let mut c = self.config.lock().unwrap_or_else(|e| e.into_inner());
                match key {
                    Some(k) => c.unset(&k),
                    None => *c = SessionConfig::new(),
                }
                Ok(QueryResult::command())
            }
            Statement::Explain { statement, mode } => self.explain(*statement, mode),
            Statement::NoOp { .. } => Ok(QueryResult::command()),
        }
    }

    fn explain(&self, statement: Statement, mode: ExplainMode) -> Result<QueryResult> {
        let Statement::Query(plan) = statement else {
            return QueryResult::strings(&["plan"], vec![vec!["== Physical Plan ==\nExecute command\n".to_string()]]);
        };
        let config = self.config();
        let analyzed = ember_sql::analyze(&plan, self.catalog.as_ref(), &config)?;
        let optimized = ember_optimizer::optimize(analyzed.clone())?;
        let ctx = QueryContext::new(config, MemoryPool::unlimited(), Arc::new(AtomicBool::new(false)));
        let physical = ember_exec::planner::PhysicalPlanner::new(ctx).describe(&optimized)?;
        let text = match mode {
            ExplainMode::Extended => format!(
                "== Analyzed Logical Plan ==\n{}\n== Optimized Logical Plan ==\n{}\n== Physical Plan ==\n{}",
                analyzed.display_indent(),
                optimized.display_indent(),
                physical
            ),
            ExplainMode::Analyze => {
                let start = std::time::Instant::now();
                let batches = self.execute_plan(&optimized)?;
                let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
                format!(
                    "== Physical Plan ==\n{}\n== Execution ==\n{} rows in {:.3} s\n",
                    physical,
                    rows,
                    start.elapsed().as_secs_f64()
                )
            }
            _ => format!("== Physical Plan ==\n{physical}"),
        };
        QueryResult::strings(&["plan"], vec![vec![text]])
    }
}

/// SHOW TABLES LIKE patterns: `*` any characters, `|` alternatives.
fn like_pattern(pattern: &str, name: &str) -> bool {
    pattern.split('|').any(|p| {
        let p = p.trim().to_lowercase();
        let parts: Vec<&str> = p.split('*').collect();
        if parts.len() == 1 {
            return p == name;
        }
        let mut rest = name;
        for (i, part) in parts.iter().enumerate() {
            if i == 0 {
                if !rest.starts_with(part) {
                    return false;
                }
                rest = &rest[part.len()..];
            } else if i == parts.len() - 1 {
                return rest.ends_with(part);
            } else if let Some(pos) = rest.find(part) {
                rest = &rest[pos + part.len()..];
            } else {
                return false;
            }
        }
        true
    })
}
