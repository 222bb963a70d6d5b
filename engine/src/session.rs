//! `Session`: runs statements against its catalog and configuration.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use arrow::array::{RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use ember_core::catalog::{Catalog, CatalogEntry};
use ember_core::error::quote_ident;
use ember_core::plan::{FileFormat, TableSource};
use ember_core::spec::{
    ColumnDef, DescribeTarget, DropKind, ExplainMode, ObjectName, Plan, SaveMode, Statement, WriteTarget,
};
use ember_core::types::spark_type_name;
use ember_core::{Error, LogicalPlan, Result, SessionConfig};
use ember_exec::write::assign::{check_store_assignment, StoreAssignmentPolicy};
use ember_exec::write::{local_path, qualified_path, WriteSpec};
use ember_exec::QueryContext;
use ember_spill::MemoryPool;

use crate::catalog::{FileTableMeta, SessionCatalog};

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

    /// A result of string columns that may hold NULLs.
    fn optional_strings(columns: &[&str], rows: Vec<Vec<Option<String>>>) -> Result<QueryResult> {
        let schema =
            Arc::new(Schema::new(columns.iter().map(|c| Field::new(*c, DataType::Utf8, true)).collect::<Vec<_>>()));
        let cols = (0..columns.len())
            .map(|i| Arc::new(StringArray::from(rows.iter().map(|r| r[i].clone()).collect::<Vec<_>>())) as _)
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), cols)?;
        Ok(QueryResult { schema, batches: vec![batch], kind: ResultKind::Rows })
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

    /// A new session starting with a copy of this one's views, tables and
    /// configuration (Spark Connect's CloneSession).
    pub fn fork(&self) -> Session {
        Session {
            config: Mutex::new(self.config()),
            catalog: self.catalog.snapshot(),
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
        // a zone is checked when it is set, as Spark does, not at the next query
        if key.trim() == ember_core::config::SESSION_TIME_ZONE && ember_vector::tz::TimeZone::parse(value).is_err() {
            return Err(Error::spark_msg(
                "INVALID_CONF_VALUE.TIME_ZONE",
                "22022",
                format!(
                    "The value '{value}' in the config \"{}\" is invalid. Cannot resolve the given timezone.",
                    ember_core::config::SESSION_TIME_ZONE
                ),
            ));
        }
        self.config.lock().unwrap_or_else(|e| e.into_inner()).set(key, value)
    }

    pub fn unset_config(&self, key: &str) {
        self.config.lock().unwrap_or_else(|e| e.into_inner()).unset(key)
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
        ember_exec::execute_plan(plan, &self.query_context())
    }

    /// A context for one query, whose cancellation `cancel` reaches.
    fn query_context(&self) -> Arc<QueryContext> {
        let config = self.config();
        let cancel = Arc::new(AtomicBool::new(false));
        *self.cancel.lock().unwrap_or_else(|e| e.into_inner()) = cancel.clone();
        let pool = MemoryPool::new(config.memory_limit());
        QueryContext::new(config, pool, cancel)
    }

    fn query(&self, plan: &Plan) -> Result<QueryResult> {
        let optimized = self.plan(plan)?;
        let schema = optimized.schema();
        let batches = self.execute_plan(&optimized)?;
        // TIMESTAMP results print in the session time zone
        let (schema, batches) = crate::render::in_time_zone(&schema, batches, self.config().time_zone())?;
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
            Statement::CreateDataSource {
                name,
                format,
                options,
                schema,
                partition_by,
                replace,
                temporary,
                if_not_exists,
            } => {
                if !temporary {
                    let table = NewTable { name: &name, format: &format, partition_by, replace, if_not_exists };
                    return self.create_table(table, options, schema);
                }
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
            Statement::CreateTableAs { name, format, options, partition_by, query, replace, if_not_exists } => {
                let table = NewTable { name: &name, format: &format, partition_by, replace, if_not_exists };
                self.create_table_as(table, options, &query)
            }
            Statement::Insert { name, columns, partition, query, overwrite } => {
                let plan = self.plan(&query)?;
                let plan = if columns.is_empty() && partition.is_empty() {
                    plan
                } else {
                    self.insert_columns(&name, plan, &columns, &partition, overwrite)?
                };
                self.insert_into(&name, plan, overwrite)?;
                Ok(QueryResult::command())
            }
            Statement::Truncate { name } => {
                let meta = self.writable_table(&name, "TRUNCATE TABLE")?;
                // the folder stays (a LOCATION is the user's); its files go
                let entries = std::fs::read_dir(&meta.location).map_err(|e| Error::file(meta.location.display(), e))?;
                for entry in entries {
                    let path = entry.map_err(|e| Error::file(meta.location.display(), e))?.path();
                    let removed =
                        if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
                    removed.map_err(|e| Error::file(path.display(), e))?;
                }
                self.catalog.register_table(meta)?;
                Ok(QueryResult::command())
            }
            Statement::InsertDirectory { path, format, options, query } => {
                let target = WriteTarget {
                    format: Some(format),
                    path: Some(path),
                    mode: SaveMode::Overwrite,
                    options,
                    ..WriteTarget::default()
                };
                self.write(&query, &target)?;
                Ok(QueryResult::command())
            }
            Statement::ShowCreateTable { name } => {
                let text = self.show_create_table(&name)?;
                QueryResult::strings(&["createtab_stmt"], vec![vec![text]])
            }
            Statement::Drop { name, kind, if_exists } => {
                if let (DropKind::View, Some(meta)) = (kind, self.catalog.table_meta(&name)) {
                    return Err(wrong_command_for_object(&name, &meta));
                }
                match self.catalog.remove_table(&name) {
                    (Some(_), Some(meta)) if meta.managed => remove_folder(&meta.location)?,
                    (Some(_), _) => {}
                    (None, _) if if_exists => {}
                    (None, _) => return Err(Error::table_not_found(&name.join("."))),
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
                let partitions = match &plan {
                    Plan::Relation { name, .. } => self.catalog.table_meta(name).map(|m| m.partition_by),
                    _ => None,
                };
                let analyzed = ember_sql::analyze(&plan, self.catalog.as_ref(), &self.config())?;
                let output = analyzed.output();
                let mut rows: Vec<Vec<Option<String>>> = output
                    .iter()
                    .map(|a| vec![Some(a.name.clone()), Some(spark_type_name(&a.data_type)), None])
                    .collect();
                // Spark's DescribeTableCommand lists partition columns again
                if let Some(parts) = partitions.filter(|p| !p.is_empty()) {
                    rows.push(vec![Some("# Partition Information".into()), Some(String::new()), Some(String::new())]);
                    rows.push(vec![Some("# col_name".into()), Some("data_type".into()), Some("comment".into())]);
                    for p in parts {
                        if let Some(a) = output.iter().find(|a| a.name.eq_ignore_ascii_case(&p)) {
                            rows.push(vec![Some(a.name.clone()), Some(spark_type_name(&a.data_type)), None]);
                        }
                    }
                }
                QueryResult::optional_strings(&["col_name", "data_type", "comment"], rows)
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
        if mode == ExplainMode::Analyze {
            // the pipelines with what each stage did; rows are dropped
            let profile = ember_exec::executor::explain_analyze(&optimized, &self.query_context())?;
            return QueryResult::strings(&["plan"], vec![vec![format!("== Physical Plan ==\n{profile}")]]);
        }
        let ctx = QueryContext::new(config, MemoryPool::unlimited(), Arc::new(AtomicBool::new(false)));
        let physical = ember_exec::planner::PhysicalPlanner::new(ctx).describe(&optimized)?;
        let text = match mode {
            ExplainMode::Extended => format!(
                "== Analyzed Logical Plan ==\n{}\n== Optimized Logical Plan ==\n{}\n== Physical Plan ==\n{}",
                analyzed.display_indent(),
                optimized.display_indent(),
                physical
            ),
            _ => format!("== Physical Plan ==\n{physical}"),
        };
        QueryResult::strings(&["plan"], vec![vec![text]])
    }
}

/// The warehouse folder of managed tables: `spark.sql.warehouse.dir`,
/// default `spark-warehouse` under the current folder, as in Spark.
const WAREHOUSE_DIR: &str = "spark.sql.warehouse.dir";

/// Writing tables and files: `DataFrame.write`, CTAS, `CREATE TABLE`,
/// `INSERT`.
impl Session {
    /// Runs `plan` and stores its rows as `target` says: files under a path
    /// (`df.write.format(..).save(path)`), or a table of the session
    /// catalog (`saveAsTable`, `insertInto`).
    pub fn write(&self, plan: &Plan, target: &WriteTarget) -> Result<()> {
        if let Some(name) = &target.table {
            return self.write_table(plan, name, target);
        }
        let path = target
            .path
            .clone()
            .or_else(|| target.options.iter().find(|(k, _)| k.eq_ignore_ascii_case("path")).map(|(_, v)| v.clone()))
            .ok_or_else(|| Error::spark_msg("_LEGACY_ERROR_TEMP_2047", "XX000", "'path' is not specified"))?;
        let format = self.file_format(target.format.as_deref())?;
        let options: Vec<(String, String)> =
            target.options.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("path")).cloned().collect();
        let plan = self.plan(plan)?;
        let spec = WriteSpec {
            format,
            path: local_path(&path),
            mode: target.mode,
            options,
            partition_by: target.partition_by.clone(),
            target: None,
        };
        ember_exec::write::write_plan(&plan, &self.query_context(), &spec)?;
        Ok(())
    }

    /// `spark.sql.warehouse.dir` as a local folder.
    fn warehouse(&self) -> PathBuf {
        match self.config().get(WAREHOUSE_DIR) {
            Some(dir) => local_path(dir),
            None => {
                std::env::current_dir().map(|d| d.join("spark-warehouse")).unwrap_or_else(|_| "spark-warehouse".into())
            }
        }
    }

    /// The file format of a data source name (None: `spark.sql.sources.default`).
    fn file_format(&self, name: Option<&str>) -> Result<FileFormat> {
        let config = self.config();
        let name = name.unwrap_or_else(|| config.get("spark.sql.sources.default").unwrap_or("parquet"));
        if let Some(f) = FileFormat::parse(name) {
            return Ok(f);
        }
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "hive" | "textfile" | "sequencefile" | "rcfile" | "avrofile" => Err(Error::spark_msg(
                "NOT_SUPPORTED_COMMAND_WITHOUT_HIVE_SUPPORT",
                "0A000",
                "CREATE Hive TABLE (AS SELECT) is not supported, if you want to enable it, please set \"spark.sql.catalogImplementation\" to \"hive\".",
            )),
            "orc" | "avro" | "jdbc" | "binaryfile" | "xml" => {
                Err(Error::not_implemented(format!("the {lower} data source")))
            }
            _ => Err(Error::Spark(Box::new(ember_core::error::SparkError {
                error_class: "DATA_SOURCE_NOT_FOUND".into(),
                sql_state: "42K02".into(),
                parameters: vec![("provider".into(), name.to_string())],
                message: format!("Failed to find the data source: {name}. Make sure the provider name is correct and the package is properly registered and compatible with your Spark version."),
                span: None,
            }))),
        }
    }

    /// Where a new table's files go: its LOCATION (external), or a folder
    /// named after it in the warehouse (managed). Returns (folder, managed,
    /// the other options).
    fn table_location(
        &self,
        name: &[String],
        options: Vec<(String, String)>,
    ) -> (PathBuf, bool, Vec<(String, String)>) {
        let path = options.iter().find(|(k, _)| k.eq_ignore_ascii_case("path")).map(|(_, v)| v.clone());
        let others = options.into_iter().filter(|(k, _)| !k.eq_ignore_ascii_case("path")).collect();
        match path {
            Some(p) => (local_path(&p), false, others),
            None => (self.warehouse().join(crate::catalog::key(name)), true, others),
        }
    }

    /// Fails unless the name is free (Ok(false): IF NOT EXISTS and taken).
    fn check_new_table(&self, name: &[String], replace: bool, if_not_exists: bool, operation: &str) -> Result<bool> {
        if replace {
            let table = table_ident(name);
            return Err(spark_error(
                "UNSUPPORTED_FEATURE.TABLE_OPERATION",
                "0A000",
                vec![("tableName", table.clone()), ("operation", operation.to_string())],
                format!("The feature is not supported: Table {table} does not support {operation}. Please check the current catalog and namespace to make sure the qualified table name is expected, and also check the catalog implementation which is configured by \"spark.sql.catalog\"."),
            ));
        }
        if self.catalog.get(name).is_some() {
            if if_not_exists {
                return Ok(false);
            }
            return Err(Error::spark("TABLE_OR_VIEW_ALREADY_EXISTS", &[("relationName", table_ident(name))]));
        }
        Ok(true)
    }

    /// `CREATE TABLE name [(cols)] USING fmt [OPTIONS] [PARTITIONED BY
    /// (cols)] [LOCATION]`; partition columns move to the end of the schema,
    /// as in Spark.
    fn create_table(
        &self,
        table: NewTable,
        options: Vec<(String, String)>,
        schema: Option<Vec<ColumnDef>>,
    ) -> Result<QueryResult> {
        let name = table.name;
        if !self.check_new_table(name, table.replace, table.if_not_exists, "REPLACE TABLE")? {
            return Ok(QueryResult::command());
        }
        let fmt = self.file_format(Some(table.format))?;
        let (location, managed, options) = self.table_location(name, options);
        let case_sensitive = self.config().case_sensitive();
        let same = |a: &str, b: &str| if case_sensitive { a == b } else { a.eq_ignore_ascii_case(b) };
        let schema = match schema {
            Some(cols) => {
                let fields: Vec<Field> = cols.iter().map(|c| Field::new(&c.name, c.data_type.clone(), true)).collect();
                check_table_schema(&fields, case_sensitive)?;
                Arc::new(Schema::new(fields))
            }
            // no columns: read them from the files at LOCATION (Spark's error when there is none)
            None => {
                let paths: Vec<String> = if managed { vec![] } else { vec![location.display().to_string()] };
                self.catalog.resolve_files(fmt.name(), &paths, &options, None)?.schema()
            }
        };
        let mut partition_by = Vec::with_capacity(table.partition_by.len());
        for p in &table.partition_by {
            let Some(f) = schema.fields().iter().find(|f| same(f.name(), p)) else {
                let columns = schema.fields().iter().map(|f| quote_ident(f.name())).collect::<Vec<_>>().join(", ");
                return Err(spark_error(
                    "COLUMN_NOT_DEFINED_IN_TABLE",
                    "42703",
                    vec![
                        ("colType", "partition".into()),
                        ("colName", quote_ident(p)),
                        ("tableName", table_ident(name)),
                        ("tableCols", columns.clone()),
                    ],
                    format!(
                        "partition column {} is not defined in table {}, defined table columns are: {columns}.",
                        quote_ident(p),
                        table_ident(name)
                    ),
                ));
            };
            partition_by.push(f.name().clone());
        }
        let schema = if partition_by.is_empty() {
            schema
        } else {
            let data = schema.fields().iter().filter(|f| !partition_by.contains(f.name()));
            let parts = partition_by.iter().filter_map(|p| schema.fields().iter().find(|f| f.name() == p));
            Arc::new(Schema::new(data.chain(parts).map(|f| f.as_ref().clone()).collect::<Vec<_>>()))
        };
        if managed {
            check_managed_location(name, &location)?;
        }
        if !location.exists() {
            std::fs::create_dir_all(&location).map_err(|e| Error::file(location.display(), e))?;
        }
        let meta = FileTableMeta {
            name: crate::catalog::key(name),
            format: fmt,
            location,
            options,
            schema,
            partition_by,
            managed,
        };
        self.catalog.register_table(meta)?;
        Ok(QueryResult::command())
    }

    /// `CREATE TABLE name [USING fmt] [OPTIONS] [PARTITIONED BY (cols)]
    /// [LOCATION] AS query`.
    fn create_table_as(&self, table: NewTable, options: Vec<(String, String)>, query: &Plan) -> Result<QueryResult> {
        let name = table.name;
        if !self.check_new_table(name, table.replace, table.if_not_exists, "REPLACE TABLE AS SELECT")? {
            return Ok(QueryResult::command());
        }
        let fmt = self.file_format(Some(table.format))?;
        let plan = self.plan(query)?;
        self.create_from_query(name, fmt, options, table.partition_by, plan)?;
        Ok(QueryResult::command())
    }

    /// `INSERT INTO t [PARTITION (p = v, q)] [(cols)] query`: the query's
    /// columns go to the listed columns (all but the static partition
    /// columns, in table order, without a list); static partition values
    /// fill their columns; unlisted columns are NULL. The result has the
    /// table's columns in order.
    fn insert_columns(
        &self,
        name: &[String],
        plan: LogicalPlan,
        columns: &[String],
        partition: &[(String, Option<ember_core::spec::Expr>)],
        overwrite: bool,
    ) -> Result<LogicalPlan> {
        let meta = self.writable_table(name, "INSERT")?;
        let config = self.config();
        let same = |a: &str, b: &str| if config.case_sensitive() { a == b } else { a.eq_ignore_ascii_case(b) };
        let fields = meta.schema.fields();
        let position = |c: &str| fields.iter().position(|f| same(f.name(), c));
        let mut fixed: Vec<Option<ember_core::Expr>> = vec![None; fields.len()];
        for (column, value) in partition {
            let Some(k) = position(column).filter(|k| meta.partition_by.iter().any(|p| same(p, fields[*k].name())))
            else {
                return Err(spark_error(
                    "NON_PARTITION_COLUMN",
                    "42000",
                    vec![("columnName", quote_ident(column))],
                    format!("PARTITION clause cannot contain the non-partition column: {}.", quote_ident(column)),
                ));
            };
            if let Some(v) = value {
                if overwrite {
                    return Err(Error::not_implemented("INSERT OVERWRITE with a static PARTITION value"));
                }
                fixed[k] = Some(ember_sql::analyzer::analyze_expr(v, &plan, self.catalog.as_ref(), &config)?);
            }
        }
        let targets: Vec<usize> = if columns.is_empty() {
            (0..fields.len()).filter(|k| fixed[*k].is_none()).collect()
        } else {
            let mut out = Vec::with_capacity(columns.len());
            for c in columns {
                match position(c) {
                    Some(k) if fixed[k].is_none() && !out.contains(&k) => out.push(k),
                    Some(_) => {
                        return Err(spark_error(
                            "COLUMN_ALREADY_EXISTS",
                            "42711",
                            vec![("columnName", quote_ident(c))],
                            format!(
                                "The column {} already exists. Choose another name or rename the existing column.",
                                quote_ident(c)
                            ),
                        ))
                    }
                    None => {
                        let proposal = fields.iter().map(|f| quote_ident(f.name())).collect::<Vec<_>>().join(", ");
                        return Err(Error::spark(
                            "UNRESOLVED_COLUMN.WITH_SUGGESTION",
                            &[("objectName", quote_ident(c)), ("proposal", proposal)],
                        ));
                    }
                }
            }
            out
        };
        let output = plan.output();
        // the arity check of the store assignment, over the target columns
        let data: Vec<(String, DataType)> = output.iter().map(|a| (a.name.clone(), a.data_type.clone())).collect();
        let wanted: Vec<(String, DataType)> =
            targets.iter().map(|&k| (fields[k].name().clone(), fields[k].data_type().clone())).collect();
        let policy = StoreAssignmentPolicy::from_config(&config)?;
        check_store_assignment(&table_ident(name), &data, &wanted, policy)?;
        let exprs = fields
            .iter()
            .enumerate()
            .map(|(k, f)| {
                let e = match (&fixed[k], targets.iter().position(|&t| t == k)) {
                    (Some(v), _) => v.clone(),
                    (None, Some(i)) => ember_core::Expr::col(&output[i]),
                    (None, None) => ember_core::Expr::Literal(ember_core::ScalarValue::null_of(f.data_type())),
                };
                e.alias(f.name().clone())
            })
            .collect();
        Ok(LogicalPlan::Project { input: Box::new(plan), exprs })
    }

    /// `SHOW CREATE TABLE` of a file table, as Spark prints it.
    fn show_create_table(&self, name: &[String]) -> Result<String> {
        let Some(meta) = self.catalog.table_meta(name) else {
            return match self.catalog.get(name) {
                None => Err(Error::table_not_found(&name.join("."))),
                Some(_) => Err(Error::not_implemented("SHOW CREATE TABLE of a view or temporary view")),
            };
        };
        let columns: Vec<String> = meta
            .schema
            .fields()
            .iter()
            .map(|f| {
                let t = spark_type_name(f.data_type()).to_uppercase();
                // Spark 4 spells out the default collation of strings
                let t = if matches!(f.data_type(), DataType::Utf8) { format!("{t} COLLATE UTF8_BINARY") } else { t };
                format!("  {} {t}", quote_if_needed(f.name()))
            })
            .collect();
        let mut text =
            format!("CREATE TABLE {} (\n{})\nUSING {}\n", table_path(name), columns.join(",\n"), meta.format.name());
        if !meta.options.is_empty() {
            let redact = |k: &str| {
                ["secret", "password", "token", "access.key", "accesskey"]
                    .iter()
                    .any(|w| k.to_ascii_lowercase().contains(w))
            };
            let opts: Vec<String> = meta
                .options
                .iter()
                .map(|(k, v)| {
                    let v = if redact(k) { "*********(redacted)" } else { v.as_str() };
                    format!("  '{k}' = '{v}'")
                })
                .collect();
            text.push_str(&format!("OPTIONS (\n{})\n", opts.join(",\n")));
        }
        if !meta.partition_by.is_empty() {
            let parts: Vec<String> = meta.partition_by.iter().map(|p| quote_if_needed(p)).collect();
            text.push_str(&format!("PARTITIONED BY ({})\n", parts.join(", ")));
        }
        if !meta.managed {
            text.push_str(&format!("LOCATION '{}'\n", qualified_path(&meta.location)));
        }
        Ok(text)
    }

    /// Creates a table holding the rows of `plan` (CTAS, `saveAsTable` of a
    /// new table) in a new folder.
    fn create_from_query(
        &self,
        name: &[String],
        format: FileFormat,
        options: Vec<(String, String)>,
        partition_by: Vec<String>,
        plan: LogicalPlan,
    ) -> Result<()> {
        let (location, managed, options) = self.table_location(name, options);
        if managed {
            check_managed_location(name, &location)?;
        } else if folder_has_entries(&location) {
            let shown = qualified_path(&location);
            return Err(spark_error(
                "_LEGACY_ERROR_TEMP_1241",
                "XX000",
                vec![("tablePath", shown.clone()), ("config", "spark.sql.legacy.allowNonEmptyLocationInCTAS".into())],
                format!(
                    "CREATE-TABLE-AS-SELECT cannot create table with location to a non-empty directory {shown}. To allow overwriting the existing non-empty directory, set 'spark.sql.legacy.allowNonEmptyLocationInCTAS' to true."
                ),
            ));
        }
        let meta = FileTableMeta {
            name: crate::catalog::key(name),
            format,
            location,
            options,
            schema: Arc::new(Schema::empty()),
            partition_by,
            managed,
        };
        self.store_query_as_table(meta, plan)
    }

    /// Writes `plan` as the whole content of the table `meta` (whose schema
    /// is set from the query: its columns, the partition columns last, as in
    /// Spark) and registers the table.
    fn store_query_as_table(&self, mut meta: FileTableMeta, plan: LogicalPlan) -> Result<()> {
        let output = plan.output();
        let case_sensitive = self.config().case_sensitive();
        let same = |a: &str, b: &str| if case_sensitive { a == b } else { a.eq_ignore_ascii_case(b) };
        let found: Vec<Option<usize>> =
            meta.partition_by.iter().map(|p| output.iter().position(|a| same(&a.name, p))).collect();
        let mut order: Vec<usize> = (0..output.len()).collect();
        if found.iter().all(Option::is_some) {
            let part: Vec<usize> = found.into_iter().flatten().collect();
            let mut uniq = part.clone();
            uniq.sort_unstable();
            uniq.dedup();
            if uniq.len() == part.len() {
                order = (0..output.len()).filter(|i| !part.contains(i)).chain(part.iter().copied()).collect();
                meta.partition_by = part.iter().map(|&i| output[i].name.clone()).collect();
            }
        }
        // otherwise the writer reports the bad partition column in Spark's words
        let fields: Vec<Field> =
            order.iter().map(|&i| Field::new(&output[i].name, output[i].data_type.clone(), true)).collect();
        check_table_schema(&fields, case_sensitive)?;
        meta.schema = Arc::new(Schema::new(fields));
        let plan = reorder(plan, &order);
        self.write_files(&meta, &plan, SaveMode::Overwrite, &meta.partition_by)?;
        self.catalog.register_table(meta)
    }

    /// `INSERT INTO|OVERWRITE name query` and `insertInto`: the query's
    /// columns by position, cast to the table's types (store assignment).
    fn insert_into(&self, name: &[String], plan: LogicalPlan, overwrite: bool) -> Result<()> {
        let meta = self.writable_table(name, "INSERT")?;
        let data: Vec<(String, DataType)> = plan.output().into_iter().map(|a| (a.name, a.data_type)).collect();
        let columns: Vec<(String, DataType)> =
            meta.schema.fields().iter().map(|f| (f.name().clone(), f.data_type().clone())).collect();
        let policy = StoreAssignmentPolicy::from_config(&self.config())?;
        check_store_assignment(&table_ident(name), &data, &columns, policy)?;
        let mode = if overwrite { SaveMode::Overwrite } else { SaveMode::Append };
        self.write_files(&meta, &plan, mode, &meta.partition_by)?;
        self.catalog.register_table(meta)
    }

    /// The file table behind `name`, or Spark's error for what is there.
    fn writable_table(&self, name: &[String], operation: &str) -> Result<FileTableMeta> {
        if let Some(meta) = self.catalog.table_meta(name) {
            return Ok(meta);
        }
        match self.catalog.get(name) {
            None => Err(Error::table_not_found(&name.join("."))),
            Some(CatalogEntry::View { .. }) => {
                let view = ember_core::error::quote_ident_path(&name.join("."));
                Err(spark_error(
                    "EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE",
                    "42809",
                    vec![("operation", operation.to_string()), ("viewName", view.clone())],
                    format!("'{operation}' expects a table but {view} is a view."),
                ))
            }
            Some(CatalogEntry::Table { source: TableSource::Files(_), .. }) => {
                Err(Error::not_implemented("writing into a temporary view over files"))
            }
            Some(CatalogEntry::Table { .. }) => Err(Error::not_implemented("writing into an in-memory table")),
        }
    }

    /// Writes `plan` (already in the table's column order) into the table's folder.
    fn write_files(
        &self,
        meta: &FileTableMeta,
        plan: &LogicalPlan,
        mode: SaveMode,
        partition_by: &[String],
    ) -> Result<()> {
        let spec = WriteSpec {
            format: meta.format,
            path: meta.location.clone(),
            mode,
            options: meta.options.clone(),
            partition_by: partition_by.to_vec(),
            target: Some(meta.schema.clone()),
        };
        ember_exec::write::write_plan(plan, &self.query_context(), &spec)?;
        Ok(())
    }

    /// `saveAsTable` / `insertInto`.
    fn write_table(&self, plan: &Plan, name: &ObjectName, target: &WriteTarget) -> Result<()> {
        if target.insert_into {
            if !target.partition_by.is_empty() {
                return Err(Error::spark_msg(
                    "_LEGACY_ERROR_TEMP_1309",
                    "XX000",
                    "insertInto() can't be used together with partitionBy(). Partition columns have already been defined for the table. It is not necessary to use partitionBy().",
                ));
            }
            let plan = self.plan(plan)?;
            return self.insert_into(name, plan, target.mode == SaveMode::Overwrite);
        }
        let exists = self.catalog.get(name).is_some();
        match (exists, target.mode) {
            (true, SaveMode::ErrorIfExists) => {
                Err(Error::spark("TABLE_OR_VIEW_ALREADY_EXISTS", &[("relationName", table_ident(name))]))
            }
            (true, SaveMode::Ignore) => Ok(()),
            (true, SaveMode::Append) => {
                let meta = self.writable_table(name, "INSERT")?;
                let plan = self.plan(plan)?;
                let plan = by_name(plan, &meta, &table_ident(name), self.config().case_sensitive())?;
                self.insert_into(name, plan, false)
            }
            (true, SaveMode::Overwrite) => {
                let old = self.writable_table(name, "INSERT OVERWRITE")?;
                let format = match &target.format {
                    Some(f) => self.file_format(Some(f))?,
                    None => old.format,
                };
                let plan = self.plan(plan)?;
                // the new table replaces the old one in its folder (staged, so the
                // query may read the old data)
                let (location, managed, options) = if target.options.iter().any(|(k, _)| k.eq_ignore_ascii_case("path"))
                {
                    self.table_location(name, target.options.clone())
                } else {
                    (old.location.clone(), old.managed, target.options.clone())
                };
                let partition_by = target.partition_by.clone();
                self.store_query_as_table(
                    FileTableMeta { location, managed, options, format, partition_by, ..old },
                    plan,
                )
            }
            (false, _) => {
                let format = self.file_format(target.format.as_deref())?;
                let plan = self.plan(plan)?;
                self.create_from_query(name, format, target.options.clone(), target.partition_by.clone(), plan)
            }
        }
    }
}

/// A Spark error with its parameters and rendered message.
fn spark_error(class: &str, sql_state: &str, params: Vec<(&str, String)>, message: String) -> Error {
    Error::Spark(Box::new(ember_core::error::SparkError {
        error_class: class.to_string(),
        sql_state: sql_state.to_string(),
        parameters: params.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        message,
        span: None,
    }))
}

/// `` `spark_catalog`.`default`.`t` ``: how Spark names a session table.
/// What CREATE TABLE and CTAS share.
struct NewTable<'a> {
    name: &'a [String],
    format: &'a str,
    partition_by: Vec<String>,
    replace: bool,
    if_not_exists: bool,
}

/// `spark_catalog.default.t`, as SHOW CREATE TABLE names a table.
fn table_path(name: &[String]) -> String {
    format!("spark_catalog.default.{}", quote_if_needed(&crate::catalog::key(name)))
}

/// A name in backquotes unless it is a plain identifier.
fn quote_if_needed(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        name.to_string()
    } else {
        quote_ident(name)
    }
}

fn table_ident(name: &[String]) -> String {
    format!("`spark_catalog`.`default`.{}", ember_core::error::quote_ident(&crate::catalog::key(name)))
}

fn folder_has_entries(path: &Path) -> bool {
    std::fs::read_dir(path).map(|mut d| d.next().is_some()).unwrap_or(false) || path.is_file()
}

/// Spark refuses a managed table whose folder already holds something.
fn check_managed_location(name: &[String], location: &Path) -> Result<()> {
    if !folder_has_entries(location) {
        return Ok(());
    }
    let (identifier, shown) = (table_ident(name), qualified_path(location));
    Err(spark_error(
        "LOCATION_ALREADY_EXISTS",
        "42710",
        vec![("identifier", identifier.clone()), ("location", format!("'{shown}'"))],
        format!("Cannot name the managed table as {identifier}, as its associated location '{shown}' already exists. Please pick a different table name, or remove the existing location first."),
    ))
}

/// Column checks of a new table: unique names, no CalendarInterval.
fn check_table_schema(fields: &[Field], case_sensitive: bool) -> Result<()> {
    let names: Vec<String> = fields.iter().map(|f| f.name().clone()).collect();
    ember_exec::write::check_duplicate_columns(&names, case_sensitive)?;
    if fields.iter().any(|f| matches!(f.data_type(), DataType::Interval(arrow::datatypes::IntervalUnit::MonthDayNano)))
    {
        return Err(Error::spark_msg(
            "_LEGACY_ERROR_TEMP_1183",
            "XX000",
            "Cannot use interval type in the table schema.",
        ));
    }
    Ok(())
}

/// `plan` with its columns in `order` (a projection unless already so).
fn reorder(plan: LogicalPlan, order: &[usize]) -> LogicalPlan {
    if order.iter().enumerate().all(|(i, &o)| i == o) {
        return plan;
    }
    let output = plan.output();
    let exprs = order.iter().map(|&i| ember_core::Expr::Column(output[i].clone())).collect();
    LogicalPlan::Project { input: Box::new(plan), exprs }
}

/// `saveAsTable` appends by name: the query's columns in the table's order.
fn by_name(plan: LogicalPlan, meta: &FileTableMeta, table: &str, case_sensitive: bool) -> Result<LogicalPlan> {
    let output = plan.output();
    if output.len() != meta.schema.fields().len() {
        let catalog = |fields: Vec<(String, String)>| {
            format!("struct<{}>", fields.into_iter().map(|(n, t)| format!("{n}:{t}")).collect::<Vec<_>>().join(","))
        };
        let existing =
            catalog(meta.schema.fields().iter().map(|f| (f.name().clone(), spark_type_name(f.data_type()))).collect());
        let query = catalog(output.iter().map(|a| (a.name.clone(), spark_type_name(&a.data_type))).collect());
        return Err(spark_error(
            "_LEGACY_ERROR_TEMP_1161",
            "XX000",
            vec![
                ("tableName", table.to_string()),
                ("existingTableSchema", existing.clone()),
                ("querySchema", query.clone()),
            ],
            format!(
                "The column number of the existing table {table}({existing}) doesn't match the data schema({query})."
            ),
        ));
    }
    let mut order = Vec::with_capacity(output.len());
    for f in meta.schema.fields() {
        let found = output.iter().position(|a| {
            if case_sensitive {
                &a.name == f.name()
            } else {
                a.name.eq_ignore_ascii_case(f.name())
            }
        });
        match found {
            Some(i) => order.push(i),
            None => {
                let inputs = output.iter().map(|a| a.name.clone()).collect::<Vec<_>>().join(", ");
                return Err(spark_error(
                    "_LEGACY_ERROR_TEMP_1162",
                    "XX000",
                    vec![("col", f.name().clone()), ("inputColumns", inputs.clone())],
                    format!("cannot resolve '{}' given input columns: [{inputs}]", f.name()),
                ));
            }
        }
    }
    Ok(reorder(plan, &order))
}

/// `DROP VIEW` names a table.
fn wrong_command_for_object(name: &[String], meta: &FileTableMeta) -> Error {
    let object = format!("spark_catalog.default.{}", crate::catalog::key(name));
    let found = if meta.managed { "MANAGED" } else { "EXTERNAL" };
    spark_error(
        "WRONG_COMMAND_FOR_OBJECT_TYPE",
        "42809",
        vec![
            ("operation", "DROP VIEW".into()),
            ("requiredType", "VIEW".into()),
            ("objectName", object.clone()),
            ("foundType", found.into()),
            ("alternative", "DROP TABLE".into()),
        ],
        format!("The operation DROP VIEW requires a VIEW. But {object} is a {found}. Use DROP TABLE instead."),
    )
}

/// Deletes a managed table's folder (gone already is fine).
fn remove_folder(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::file(path.display(), e)),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A session whose warehouse is a fresh folder, removed on drop.
    struct Fixture {
        session: Session,
        dir: PathBuf,
    }

    impl Fixture {
        fn new() -> Fixture {
            let dir = std::env::temp_dir().join(format!("ember-session-test-{}", uuid_like()));
            std::fs::create_dir_all(&dir).unwrap();
            let session = Session::new();
            session.set_config(WAREHOUSE_DIR, &dir.join("warehouse").display().to_string()).unwrap();
            session.set_config("ember.threads", "2").unwrap();
            Fixture { session, dir }
        }

        fn sql(&self, text: &str) -> Vec<Vec<String>> {
            let r = self.session.sql(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            crate::render::format_rows(&r.batches)
        }

        fn err(&self, text: &str) -> Error {
            match self.session.sql(text) {
                Ok(_) => panic!("{text}: expected an error"),
                Err(e) => e,
            }
        }

        fn path(&self, rel: &str) -> PathBuf {
            self.dir.join(rel)
        }
    }

    impl Drop for Fixture {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn uuid_like() -> String {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        format!("{}-{}-{nanos}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
    }

    fn rows(v: &[&[&str]]) -> Vec<Vec<String>> {
        v.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect()
    }

    #[test]
    fn explain_analyze_counts_rows_per_operator() {
        let f = Fixture::new();
        f.sql("CREATE TABLE t USING parquet AS SELECT id, id % 10 AS k FROM range(1000)");
        let text = f.sql("EXPLAIN ANALYZE SELECT k, count(*) FROM t WHERE id < 500 GROUP BY k")[0][0].clone();
        // the scan applies the filter itself: 500 of the 1,000 rows leave it
        assert!(text.contains("ParquetScan"), "{text}");
        assert!(text.contains("filter (id"), "{text}");
        assert!(text.contains("out 500 rows"), "{text}");
        assert!(text.contains("HashAggregate"), "{text}");
        assert!(text.contains("in 500 rows"), "{text}");
        assert!(text.contains("(2 workers") || text.contains("(1 worker"), "{text}");
        assert!(text.contains("peak memory"), "{text}");
        assert!(text.contains("10 result rows"), "{text}");
        // a plain EXPLAIN runs nothing and has no figures
        let plain = f.sql("EXPLAIN SELECT k FROM t")[0][0].clone();
        assert!(!plain.contains("rows,"), "{plain}");
    }

    #[test]
    fn large_aggregations_merge_radix_partitions_in_parallel() {
        let f = Fixture::new();
        f.sql("SET ember.threads = 4");
        let q = "SELECT id % 40000 AS g, count(*) FROM range(160000) GROUP BY 1";
        let text = f.sql(&format!("EXPLAIN ANALYZE {q}"))[0][0].clone();
        assert!(text.contains("in 64 tasks on 4 workers"), "{text}");
        assert!(text.contains("40000 result rows"), "{text}");
        let sums = f.sql(&format!("SELECT count(*), sum(g), min(`count(1)`), max(`count(1)`) FROM ({q})"));
        assert_eq!(sums, rows(&[&["40000", "799980000", "4", "4"]]));
        // few groups: one serial merge, no tasks
        let small = f.sql("EXPLAIN ANALYZE SELECT id % 10, count(*) FROM range(160000) GROUP BY 1")[0][0].clone();
        assert!(!small.contains("tasks on"), "{small}");
    }

    /// A filter right above an aggregate (a HAVING) runs in the aggregate:
    /// each partition's task keeps only its passing rows, so the result
    /// source sees the 800 groups that pass, not the 100,000.
    #[test]
    fn a_having_filters_inside_the_aggregate() {
        let f = Fixture::new();
        f.sql("SET ember.threads = 2");
        let q = "SELECT id DIV 4 AS g, sum(id) AS s FROM range(400000) GROUP BY 1 HAVING sum(id) % 1000 = 6";
        let text = f.sql(&format!("EXPLAIN ANALYZE {q}"))[0][0].clone();
        assert!(text.contains("filter ((sum(id"), "{text}");
        assert!(text.contains("AggregateResult  [out 800 rows"), "{text}");
        assert!(!text.contains("-> Filter"), "{text}");
        // the groups g with 16g + 6 = 6 (mod 1000): every 125th
        let sums = f.sql(&format!("SELECT count(*), sum(s), min(g), max(g) FROM ({q})"));
        assert_eq!(sums, rows(&[&["800", "639204800", "0", "99875"]]));
    }

    #[test]
    fn filtered_parquet_scans_keep_every_column_of_the_surviving_rows() {
        let f = Fixture::new();
        f.sql(
            "CREATE TABLE t USING parquet AS SELECT id, CAST(id AS STRING) AS s, id % 7 AS m,              CASE WHEN id % 5 = 0 THEN NULL ELSE id END AS n FROM range(20000)",
        );
        // columns read in the first pass (m, n), in the second (id, s), in
        // another order than the file's
        assert_eq!(
            f.sql("SELECT s, n, id FROM t WHERE m = 3 AND n > 19000 ORDER BY id LIMIT 3"),
            rows(&[&["19001", "19001", "19001"], &["19008", "19008", "19008"], &["19022", "19022", "19022"]])
        );
        assert_eq!(f.sql("SELECT count(*), sum(id) FROM t WHERE m = 3"), rows(&[&["2857", "28567143"]]));
        // every row rejected, every row kept, only filter columns
        assert_eq!(f.sql("SELECT count(*) FROM t WHERE m > 100"), rows(&[&["0"]]));
        assert_eq!(f.sql("SELECT count(s) FROM t WHERE id >= 0"), rows(&[&["20000"]]));
        assert_eq!(f.sql("SELECT sum(m) FROM t WHERE m = 6"), rows(&[&["17142"]]));
        // a conjunct that would fail is not evaluated on rows an earlier one rejected
        assert_eq!(f.sql("SELECT count(*) FROM t WHERE m <> 0 AND 10 / m > 2"), rows(&[&["11428"]]));
        // a nondeterministic conjunct stays above the scan
        assert_eq!(f.sql("SELECT count(*) FROM t WHERE m = 1 AND rand() >= 0"), rows(&[&["2857"]]));
    }

    #[test]
    fn ctas_insert_overwrite_and_drop() {
        let f = Fixture::new();
        f.sql("CREATE TABLE t USING parquet AS SELECT id, id * 2 AS twice FROM range(3)");
        assert_eq!(f.sql("SELECT * FROM t ORDER BY id"), rows(&[&["0", "0"], &["1", "2"], &["2", "4"]]));
        let location = f.path("warehouse/t");
        assert!(location.join("_SUCCESS").exists());

        f.sql("INSERT INTO t VALUES (10, 20)");
        f.sql("INSERT INTO TABLE t SELECT id + 100, id FROM range(2)");
        assert_eq!(f.sql("SELECT count(*), sum(id) FROM t"), rows(&[&["6", "214"]]));

        f.sql("INSERT OVERWRITE t SELECT id, twice FROM t WHERE id >= 100");
        assert_eq!(f.sql("SELECT * FROM t ORDER BY id"), rows(&[&["100", "0"], &["101", "1"]]));

        assert_eq!(f.err("CREATE TABLE t AS SELECT 1").error_class(), Some("TABLE_OR_VIEW_ALREADY_EXISTS"));
        f.sql("CREATE TABLE IF NOT EXISTS t AS SELECT 1");
        assert_eq!(
            f.err("CREATE OR REPLACE TABLE t USING parquet AS SELECT 1").error_class(),
            Some("UNSUPPORTED_FEATURE.TABLE_OPERATION")
        );
        assert_eq!(f.err("DROP VIEW t").error_class(), Some("WRONG_COMMAND_FOR_OBJECT_TYPE"));
        f.sql("DROP TABLE t");
        assert!(!location.exists(), "a managed table's folder goes with it");
        assert_eq!(f.err("SELECT * FROM t").error_class(), Some("TABLE_OR_VIEW_NOT_FOUND"));
    }

    #[test]
    fn empty_managed_table_with_store_assignment() {
        let f = Fixture::new();
        f.sql("CREATE TABLE s (a INT, b STRING, c DECIMAL(5,2)) USING parquet");
        assert!(f.path("warehouse/s").is_dir());
        assert!(f.sql("SELECT * FROM s").is_empty());
        f.sql("INSERT INTO s VALUES (1, 'x', 1.5), (2L, NULL, 3)");
        f.sql("INSERT INTO s SELECT 3, 42, 0.125");
        assert_eq!(
            f.sql("SELECT a, b, c, typeof(a) FROM s ORDER BY a"),
            rows(&[&["1", "x", "1.50", "int"], &["2", "NULL", "3.00", "int"], &["3", "42", "0.13", "int"]])
        );

        let e = f.err("INSERT INTO s VALUES (1, 'a', 1, 2)");
        assert_eq!(e.error_class(), Some("INSERT_COLUMN_ARITY_MISMATCH.TOO_MANY_DATA_COLUMNS"));
        assert!(e.to_string().contains("Cannot write to `spark_catalog`.`default`.`s`"), "{e}");
        let e = f.err("INSERT INTO s VALUES (1, 'a')");
        assert_eq!(e.error_class(), Some("INSERT_COLUMN_ARITY_MISMATCH.NOT_ENOUGH_DATA_COLUMNS"));
        let e = f.err("INSERT INTO s VALUES ('1', 'a', 1)");
        assert_eq!(e.error_class(), Some("INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST"));
        // an overflow fails the insert and leaves the table as it was
        let e = f.err("INSERT INTO s VALUES (1, 'a', 1), (3000000000, 'b', 2)");
        assert_eq!(e.error_class(), Some("CAST_OVERFLOW_IN_TABLE_INSERT"));
        assert_eq!(f.sql("SELECT count(*) FROM s"), rows(&[&["3"]]));
        let leftovers: Vec<_> = std::fs::read_dir(f.path("warehouse"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(leftovers, vec!["s".to_string()]);

        assert_eq!(f.err("INSERT INTO nope VALUES (1)").error_class(), Some("TABLE_OR_VIEW_NOT_FOUND"));
        f.sql("CREATE TEMPORARY VIEW v AS SELECT 1 AS a");
        assert_eq!(f.err("INSERT INTO v VALUES (2)").error_class(), Some("EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE"));
    }

    #[test]
    fn managed_location_must_be_free() {
        let f = Fixture::new();
        std::fs::create_dir_all(f.path("warehouse/taken")).unwrap();
        std::fs::write(f.path("warehouse/taken/x"), b"x").unwrap();
        assert_eq!(f.err("CREATE TABLE taken (a INT) USING parquet").error_class(), Some("LOCATION_ALREADY_EXISTS"));
        assert_eq!(f.err("CREATE TABLE taken AS SELECT 1 AS a").error_class(), Some("LOCATION_ALREADY_EXISTS"));
        // an empty leftover folder is fine
        std::fs::create_dir_all(f.path("warehouse/empty")).unwrap();
        f.sql("CREATE TABLE empty AS SELECT 1 AS a");
        assert_eq!(f.sql("SELECT * FROM empty"), rows(&[&["1"]]));
    }

    #[test]
    fn external_tables_keep_their_files() {
        let f = Fixture::new();
        let ext = f.path("ext");
        f.sql(&format!(
            "CREATE TABLE e (a INT, b STRING) USING csv OPTIONS (header 'true') LOCATION '{}'",
            ext.display()
        ));
        f.sql("INSERT INTO e VALUES (1, 'a,b'), (2, NULL)");
        assert_eq!(f.sql("SELECT * FROM e ORDER BY a"), rows(&[&["1", "a,b"], &["2", "NULL"]]));
        let part = std::fs::read_dir(&ext)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == "csv"))
            .unwrap();
        assert_eq!(std::fs::read_to_string(part).unwrap(), "a,b\n1,\"a,b\"\n2,\n");
        f.sql("DROP TABLE e");
        assert!(ext.is_dir(), "DROP TABLE keeps an external table's files");
        // CTAS into a non-empty location fails
        let e = f.err(&format!("CREATE TABLE e2 USING json LOCATION '{}' AS SELECT 1 AS a", ext.display()));
        assert_eq!(e.error_class(), Some("_LEGACY_ERROR_TEMP_1241"));
    }

    #[test]
    fn dataframe_writes_to_paths() {
        let f = Fixture::new();
        let out = f.path("out");
        let plan = ember_sql::parse_sql("SELECT id, CAST(id AS STRING) AS s FROM range(4)").unwrap();
        let Some(Statement::Query(plan)) = plan.into_iter().next() else { panic!("not a query") };
        let mut target = WriteTarget { path: Some(out.display().to_string()), ..Default::default() };
        f.session.write(&plan, &target).unwrap();
        let read = format!("SELECT count(*) FROM parquet.`{}`", out.display());
        assert_eq!(f.sql(&read), rows(&[&["4"]]));
        assert_eq!(f.session.write(&plan, &target).unwrap_err().error_class(), Some("PATH_ALREADY_EXISTS"));
        target.mode = SaveMode::Append;
        f.session.write(&plan, &target).unwrap();
        assert_eq!(f.sql(&read), rows(&[&["8"]]));
        target.mode = SaveMode::Overwrite;
        f.session.write(&plan, &target).unwrap();
        assert_eq!(f.sql(&read), rows(&[&["4"]]));

        let json = f.path("json");
        let target = WriteTarget {
            format: Some("json".into()),
            options: vec![("path".into(), json.display().to_string())],
            ..Default::default()
        };
        f.session.write(&plan, &target).unwrap();
        let back = format!("SELECT s FROM json.`{}` ORDER BY id", json.display());
        assert_eq!(f.sql(&back), rows(&[&["0"], &["1"], &["2"], &["3"]]));

        let bad = WriteTarget { format: Some("nosuch".into()), path: Some("x".into()), ..Default::default() };
        assert_eq!(f.session.write(&plan, &bad).unwrap_err().error_class(), Some("DATA_SOURCE_NOT_FOUND"));
    }

    #[test]
    fn save_as_table_partitioned_and_insert_into() {
        let f = Fixture::new();
        let plan = |sql: &str| match ember_sql::parse_sql(sql).unwrap().into_iter().next() {
            Some(Statement::Query(p)) => p,
            _ => panic!("not a query"),
        };
        let target =
            WriteTarget { table: Some(vec!["p".into()]), partition_by: vec!["k".into()], ..Default::default() };
        f.session.write(&plan("SELECT id % 2 AS k, id AS v FROM range(5)"), &target).unwrap();
        assert!(f.path("warehouse/p/k=0").is_dir() && f.path("warehouse/p/k=1").is_dir());
        // partition columns come last
        assert_eq!(
            f.sql("SELECT * FROM p ORDER BY v"),
            rows(&[&["0", "0"], &["1", "1"], &["2", "0"], &["3", "1"], &["4", "0"]])
        );
        assert_eq!(f.sql("SELECT typeof(k) FROM p LIMIT 1"), rows(&[&["bigint"]]));
        assert_eq!(f.sql("SHOW TABLES"), rows(&[&["", "p", "false"]]));

        // append by name, insertInto by position
        let append = WriteTarget { table: Some(vec!["p".into()]), mode: SaveMode::Append, ..Default::default() };
        f.session.write(&plan("SELECT 7 AS v, 2 AS k"), &append).unwrap();
        let insert = WriteTarget { insert_into: true, ..append.clone() };
        f.session.write(&plan("SELECT 8, 3"), &insert).unwrap();
        assert_eq!(f.sql("SELECT v, k FROM p WHERE v > 4 ORDER BY v"), rows(&[&["7", "2"], &["8", "3"]]));
        f.sql("INSERT INTO p VALUES (9, NULL)");
        assert!(f.path("warehouse/p/k=__HIVE_DEFAULT_PARTITION__").is_dir());
        assert_eq!(f.sql("SELECT v FROM p WHERE k IS NULL"), rows(&[&["9"]]));

        let exists = WriteTarget { table: Some(vec!["p".into()]), ..Default::default() };
        assert_eq!(
            f.session.write(&plan("SELECT 1"), &exists).unwrap_err().error_class(),
            Some("TABLE_OR_VIEW_ALREADY_EXISTS")
        );
        let ignore = WriteTarget { mode: SaveMode::Ignore, ..exists.clone() };
        f.session.write(&plan("SELECT 1"), &ignore).unwrap();
        let overwrite = WriteTarget { mode: SaveMode::Overwrite, ..exists };
        f.session.write(&plan("SELECT 'new' AS x"), &overwrite).unwrap();
        assert_eq!(f.sql("SELECT * FROM p"), rows(&[&["new"]]));
        assert!(!f.path("warehouse/p/k=0").exists());
    }

    #[test]
    fn show_create_table_as_spark_prints_it() {
        let f = Fixture::new();
        f.sql("CREATE TABLE tbl (a INT, b STRING, c INT) USING parquet PARTITIONED BY (a)");
        let text = &f.sql("SHOW CREATE TABLE tbl")[0][0];
        // show-create-table.sql.out
        assert_eq!(
            text,
            "CREATE TABLE spark_catalog.default.tbl (\n  b STRING COLLATE UTF8_BINARY,\n  c INT,\n  a INT)\n\
             USING parquet\nPARTITIONED BY (a)\n"
        );
        let dir = f.path("external");
        f.sql(&format!(
            "CREATE TABLE ext (a DOUBLE) USING csv OPTIONS ('sep' = ';', password 'pw') LOCATION '{}'",
            dir.display()
        ));
        let text = &f.sql("SHOW CREATE TABLE ext")[0][0];
        assert!(
            text.starts_with("CREATE TABLE spark_catalog.default.ext (\n  a DOUBLE)\nUSING csv\nOPTIONS (\n"),
            "{text}"
        );
        assert!(text.contains("  'sep' = ';'") && text.contains("  'password' = '*********(redacted)'"), "{text}");
        assert!(text.ends_with(&format!("LOCATION 'file:{}'\n", dir.display())), "{text}");
        assert_eq!(f.err("SHOW CREATE TABLE nope").error_class(), Some("TABLE_OR_VIEW_NOT_FOUND"));
    }

    #[test]
    fn insert_into_columns_and_static_partitions() {
        let f = Fixture::new();
        f.sql("CREATE TABLE t (a INT, b STRING, p INT) USING parquet PARTITIONED BY (p)");
        f.sql("INSERT INTO t PARTITION (p = 1) SELECT 10, 'x'");
        f.sql("INSERT INTO t (b, p, a) VALUES ('y', 2, 20)");
        f.sql("INSERT INTO t PARTITION (p) (b, a, p) VALUES ('z', 30, 3)");
        f.sql("INSERT INTO t (p) VALUES (4)");
        assert_eq!(
            f.sql("SELECT * FROM t ORDER BY p"),
            rows(&[&["10", "x", "1"], &["20", "y", "2"], &["30", "z", "3"], &["NULL", "NULL", "4"]])
        );
        assert!(f.path("warehouse/t/p=1").is_dir());
        let e = f.err("INSERT INTO t (a) VALUES (1, 2)");
        assert_eq!(e.error_class(), Some("INSERT_COLUMN_ARITY_MISMATCH.TOO_MANY_DATA_COLUMNS"));
        assert_eq!(f.err("INSERT INTO t (nope) VALUES (1)").error_class(), Some("UNRESOLVED_COLUMN.WITH_SUGGESTION"));
        assert_eq!(
            f.err("INSERT INTO t PARTITION (a = 1) VALUES ('b', 1)").error_class(),
            Some("NON_PARTITION_COLUMN")
        );
        f.sql("TRUNCATE TABLE t");
        assert!(f.sql("SELECT * FROM t").is_empty());
        assert!(f.path("warehouse/t").is_dir(), "TRUNCATE keeps the folder");
    }
}
