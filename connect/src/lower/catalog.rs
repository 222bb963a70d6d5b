//! `spark.catalog.*`: answered from the session catalog as local
//! relations with the columns Spark's encoders give (`Table`, `Column`,
//! `Database`, `Function`, `CatalogMetadata`, or one `value`), which the
//! client reads by position (`pyspark/sql/connect/catalog.py`).
//!
//! Ember has one catalog (`spark_catalog`) and one database (`default`);
//! its views are temporary views, its tables external tables over files.
//! Calls that change the catalog run now, as Spark runs them when the
//! relation is planned.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, ListBuilder, RecordBatch, StringArray, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema};
use ember_core::spec::{DropKind, Plan, Statement};
use ember_core::types::spark_type_name;
use ember_core::{Error, Result};

use super::types::{columns_of_struct, data_type_from_proto};
use super::{invalid_plan, parse_identifier, Lowerer};
use crate::proto::spark::connect as proto;
use proto::catalog::CatType;

const CATALOG: &str = "spark_catalog";
const DATABASE: &str = "default";

/// One cell of a catalog answer.
enum Cell {
    Str(Option<String>),
    Bool(bool),
    /// a namespace: `array<string>`, NULL when None
    Names(Option<Vec<String>>),
}

fn s(v: &str) -> Cell {
    Cell::Str(Some(v.to_string()))
}

const NULL: Cell = Cell::Str(None);

/// A local relation of the given columns and rows.
fn rows(columns: &[(&str, DataType)], rows: Vec<Vec<Cell>>) -> Result<Plan> {
    let fields: Vec<Field> = columns.iter().map(|(n, t)| Field::new(*n, t.clone(), true)).collect();
    let schema = Arc::new(Schema::new(fields));
    let mut arrays: Vec<ArrayRef> = vec![];
    for (i, (_, t)) in columns.iter().enumerate() {
        let cells = rows.iter().map(|r| &r[i]);
        let array: ArrayRef = match t {
            DataType::Utf8 => Arc::new(StringArray::from(
                cells.map(|c| if let Cell::Str(v) = c { v.clone() } else { None }).collect::<Vec<_>>(),
            )),
            DataType::Boolean => Arc::new(BooleanArray::from(
                cells.map(|c| if let Cell::Bool(b) = c { Some(*b) } else { None }).collect::<Vec<_>>(),
            )),
            _ => {
                let mut b =
                    ListBuilder::new(StringBuilder::new()).with_field(Field::new("element", DataType::Utf8, true));
                for c in cells {
                    match c {
                        Cell::Names(Some(names)) => {
                            for n in names {
                                b.values().append_value(n);
                            }
                            b.append(true);
                        }
                        _ => b.append(false),
                    }
                }
                Arc::new(b.finish())
            }
        };
        arrays.push(array);
    }
    let batch = RecordBatch::try_new(Arc::clone(&schema), arrays)?;
    Ok(Plan::LocalRelation { batches: vec![batch], schema })
}

fn value(v: Cell) -> Result<Plan> {
    let t = if matches!(v, Cell::Bool(_)) { DataType::Boolean } else { DataType::Utf8 };
    rows(&[("value", t)], vec![vec![v]])
}

/// Spark's relation for catalog calls that return nothing.
fn empty() -> Plan {
    Plan::LocalRelation { batches: vec![], schema: Arc::new(Schema::empty()) }
}

fn namespace_type() -> DataType {
    DataType::List(Arc::new(Field::new("element", DataType::Utf8, true)))
}

fn table_columns() -> Vec<(&'static str, DataType)> {
    vec![
        ("name", DataType::Utf8),
        ("catalog", DataType::Utf8),
        ("namespace", namespace_type()),
        ("description", DataType::Utf8),
        ("tableType", DataType::Utf8),
        ("isTemporary", DataType::Boolean),
    ]
}

fn function_columns() -> Vec<(&'static str, DataType)> {
    vec![
        ("name", DataType::Utf8),
        ("catalog", DataType::Utf8),
        ("namespace", namespace_type()),
        ("description", DataType::Utf8),
        ("className", DataType::Utf8),
        ("isTemporary", DataType::Boolean),
    ]
}

fn database_columns() -> Vec<(&'static str, DataType)> {
    vec![
        ("name", DataType::Utf8),
        ("catalog", DataType::Utf8),
        ("description", DataType::Utf8),
        ("locationUri", DataType::Utf8),
    ]
}

/// Spark's `StringUtils.filterPattern`: `|`-separated alternatives, `*`
/// for any run of characters, case-insensitive.
fn matches_pattern(pattern: Option<&str>, name: &str) -> bool {
    let Some(pattern) = pattern else { return true };
    pattern.split('|').any(|p| glob(&p.trim().to_lowercase(), &name.to_lowercase()))
}

fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // classic two-pointer wildcard matching with backtracking to the last `*`
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn schema_not_found(db: &str) -> Error {
    Error::spark_msg(
        "SCHEMA_NOT_FOUND",
        "42704",
        format!(
            "The schema {} cannot be found. Verify the spelling and correctness of the schema and catalog.",
            ember_core::error::quote_ident(db)
        ),
    )
}

fn check_database(db: Option<&str>) -> Result<()> {
    // `spark_catalog.default` names the same database as `default`
    let unqualified = db.map(|d| match d.split_once('.') {
        Some((catalog, rest)) if catalog.eq_ignore_ascii_case("spark_catalog") => rest,
        _ => d,
    });
    match unqualified {
        Some(d) if !d.eq_ignore_ascii_case(DATABASE) => Err(schema_not_found(db.unwrap_or(d))),
        _ => Ok(()),
    }
}

/// A table name with an optional database, as the catalog API takes them.
fn table_name(name: &str, db: Option<&str>) -> Result<Vec<String>> {
    check_database(db)?;
    let parts = parse_identifier(name)?;
    if parts.len() > 1 {
        let db = &parts[parts.len() - 2];
        if !db.eq_ignore_ascii_case(DATABASE) && !db.eq_ignore_ascii_case("global_temp") {
            return Err(schema_not_found(db));
        }
    }
    Ok(parts)
}

impl Lowerer<'_, '_> {
    /// (name, is a temporary view) of the session's relations: tables
    /// first, then temporary views, each by name (Spark's order).
    fn tables(&self) -> Vec<(String, bool)> {
        let mut all = self.session().list_tables();
        all.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        all
    }

    fn table_row(name: &str, temporary: bool) -> Vec<Cell> {
        if temporary {
            vec![s(name), NULL, Cell::Names(Some(vec![])), NULL, s("TEMPORARY"), Cell::Bool(true)]
        } else {
            vec![
                s(name),
                s(CATALOG),
                Cell::Names(Some(vec![DATABASE.to_string()])),
                NULL,
                s("EXTERNAL"),
                Cell::Bool(false),
            ]
        }
    }

    fn find_table(&self, parts: &[String]) -> Option<(String, bool)> {
        let last = parts.last()?;
        self.tables().into_iter().find(|(n, _)| n.eq_ignore_ascii_case(last))
    }

    fn require_table(&self, name: &str) -> Result<(Vec<String>, (String, bool))> {
        let parts = table_name(name, None)?;
        match self.find_table(&parts) {
            Some(t) => Ok((parts, t)),
            None => Err(Error::table_not_found(name)),
        }
    }

    fn warehouse() -> String {
        let cwd = std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_default();
        format!("file:{cwd}/spark-warehouse")
    }

    pub(crate) fn catalog(&mut self, c: &proto::Catalog) -> Result<Plan> {
        let Some(kind) = &c.cat_type else {
            return Err(invalid_plan("a catalog call without a type"));
        };
        match kind {
            CatType::CurrentCatalog(_) => value(s(CATALOG)),
            CatType::SetCurrentCatalog(x) => {
                if x.catalog_name.eq_ignore_ascii_case(CATALOG) {
                    Ok(empty())
                } else {
                    Err(Error::spark_msg(
                        "CATALOG_NOT_FOUND",
                        "42P08",
                        format!("The catalog {} not found.", ember_core::error::quote_ident(&x.catalog_name)),
                    ))
                }
            }
            CatType::ListCatalogs(x) => {
                let found = matches_pattern(x.pattern.as_deref(), CATALOG);
                let data = if found { vec![vec![s(CATALOG), NULL]] } else { vec![] };
                rows(&[("name", DataType::Utf8), ("description", DataType::Utf8)], data)
            }
            CatType::CurrentDatabase(_) => value(s(DATABASE)),
            CatType::SetCurrentDatabase(x) => check_database(Some(&x.db_name)).map(|_| empty()),
            CatType::ListDatabases(x) => {
                let data = if matches_pattern(x.pattern.as_deref(), DATABASE) {
                    vec![vec![s(DATABASE), s(CATALOG), s("default database"), s(&Self::warehouse())]]
                } else {
                    vec![]
                };
                rows(&database_columns(), data)
            }
            CatType::GetDatabase(x) => {
                check_database(Some(&x.db_name))?;
                rows(
                    &database_columns(),
                    vec![vec![s(DATABASE), s(CATALOG), s("default database"), s(&Self::warehouse())]],
                )
            }
            CatType::DatabaseExists(x) => value(Cell::Bool(check_database(Some(&x.db_name)).is_ok())),
            CatType::ListTables(x) => {
                check_database(x.db_name.as_deref())?;
                let data = self
                    .tables()
                    .into_iter()
                    .filter(|(n, _)| matches_pattern(x.pattern.as_deref(), n))
                    .map(|(n, temp)| Self::table_row(&n, temp))
                    .collect();
                rows(&table_columns(), data)
            }
            CatType::ListViews(x) => {
                check_database(x.db_name.as_deref())?;
                let data = self
                    .tables()
                    .into_iter()
                    .filter(|(n, temp)| *temp && matches_pattern(x.pattern.as_deref(), n))
                    .map(|(n, temp)| Self::table_row(&n, temp))
                    .collect();
                rows(&table_columns(), data)
            }
            CatType::GetTable(x) => {
                let parts = table_name(&x.table_name, x.db_name.as_deref())?;
                match self.find_table(&parts) {
                    Some((n, temp)) => rows(&table_columns(), vec![Self::table_row(&n, temp)]),
                    None => Err(Error::table_not_found(&x.table_name)),
                }
            }
            CatType::TableExists(x) => {
                let parts = table_name(&x.table_name, x.db_name.as_deref())?;
                value(Cell::Bool(self.find_table(&parts).is_some()))
            }
            CatType::ListColumns(x) => {
                let parts = table_name(&x.table_name, x.db_name.as_deref())?;
                if self.find_table(&parts).is_none() {
                    return Err(Error::table_not_found(&x.table_name));
                }
                let attrs = self.output(&Plan::Relation { name: parts, span: None })?;
                let data = attrs
                    .iter()
                    .map(|a| {
                        vec![
                            s(&a.name),
                            NULL,
                            s(&spark_type_name(&a.data_type)),
                            Cell::Bool(a.nullable),
                            Cell::Bool(false),
                            Cell::Bool(false),
                            Cell::Bool(false),
                        ]
                    })
                    .collect();
                rows(
                    &[
                        ("name", DataType::Utf8),
                        ("description", DataType::Utf8),
                        ("dataType", DataType::Utf8),
                        ("nullable", DataType::Boolean),
                        ("isPartition", DataType::Boolean),
                        ("isBucket", DataType::Boolean),
                        ("isCluster", DataType::Boolean),
                    ],
                    data,
                )
            }
            CatType::ListFunctions(x) => {
                check_database(x.db_name.as_deref())?;
                let data = ember_sql::analyzer::function_names()
                    .into_iter()
                    .filter(|n| matches_pattern(x.pattern.as_deref(), n))
                    .map(|n| vec![s(n), NULL, Cell::Names(None), NULL, NULL, Cell::Bool(true)])
                    .collect();
                rows(&function_columns(), data)
            }
            CatType::FunctionExists(x) => {
                let name = x.function_name.to_ascii_lowercase();
                value(Cell::Bool(ember_sql::analyzer::function_names().contains(&name.as_str())))
            }
            CatType::GetFunction(x) => {
                let name = x.function_name.to_ascii_lowercase();
                if !ember_sql::analyzer::function_names().contains(&name.as_str()) {
                    return Err(Error::spark(
                        "UNRESOLVED_ROUTINE",
                        &[
                            ("routineName", ember_core::error::quote_ident(&x.function_name)),
                            (
                                "searchPath",
                                "[`system`.`builtin`, `system`.`session`, `spark_catalog`.`default`]".to_string(),
                            ),
                        ],
                    ));
                }
                rows(&function_columns(), vec![vec![s(&name), NULL, Cell::Names(None), NULL, NULL, Cell::Bool(true)]])
            }
            CatType::DropTempView(x) => {
                let parts = table_name(&x.view_name, None)?;
                let dropped = match self.find_table(&parts) {
                    Some((_, true)) => {
                        self.session().execute(Statement::Drop {
                            name: parts,
                            kind: DropKind::View,
                            if_exists: true,
                        })?;
                        true
                    }
                    _ => false,
                };
                value(Cell::Bool(dropped))
            }
            // Ember has no global temporary views
            CatType::DropGlobalTempView(_) => value(Cell::Bool(false)),
            CatType::DropTable(x) => {
                let name = table_name(&x.table_name, None)?;
                self.session().execute(Statement::Drop { name, kind: DropKind::Table, if_exists: x.if_exists })?;
                Ok(empty())
            }
            CatType::DropView(x) => {
                let name = table_name(&x.view_name, None)?;
                self.session().execute(Statement::Drop { name, kind: DropKind::View, if_exists: x.if_exists })?;
                Ok(empty())
            }
            // Ember caches nothing: as the SQL CACHE/UNCACHE/REFRESH commands,
            // these check the table and change nothing
            CatType::IsCached(x) => {
                self.require_table(&x.table_name)?;
                value(Cell::Bool(false))
            }
            CatType::CacheTable(x) => self.require_table(&x.table_name).map(|_| empty()),
            CatType::UncacheTable(x) => self.require_table(&x.table_name).map(|_| empty()),
            CatType::RefreshTable(x) => self.require_table(&x.table_name).map(|_| empty()),
            CatType::ClearCache(_) | CatType::RefreshByPath(_) => Ok(empty()),
            CatType::CreateExternalTable(x) => {
                self.create_table(&x.table_name, x.path.as_deref(), x.source.as_deref(), x.schema.as_ref(), &x.options)
            }
            CatType::CreateTable(x) => {
                self.create_table(&x.table_name, x.path.as_deref(), x.source.as_deref(), x.schema.as_ref(), &x.options)
            }
            CatType::RecoverPartitions(_) => Err(Error::not_implemented("recoverPartitions (partitioned tables)")),
            CatType::ListPartitions(_) => Err(Error::not_implemented("listPartitions (partitioned tables)")),
            CatType::CreateDatabase(_) | CatType::DropDatabase(_) => {
                Err(Error::not_implemented("databases other than default"))
            }
            CatType::GetTableProperties(_) => Err(Error::not_implemented("table properties")),
            CatType::GetCreateTableString(_) => Err(Error::not_implemented("SHOW CREATE TABLE")),
            CatType::TruncateTable(_) => Err(Error::not_implemented("TRUNCATE TABLE")),
            CatType::AnalyzeTable(_) => Err(Error::not_implemented("ANALYZE TABLE")),
        }
    }

    /// `createTable(name, path, source, schema, **options)`: a table over
    /// the files at `path`, answered with the table itself.
    fn create_table(
        &mut self,
        name: &str,
        path: Option<&str>,
        source: Option<&str>,
        schema: Option<&proto::DataType>,
        options: &std::collections::HashMap<String, String>,
    ) -> Result<Plan> {
        let name = table_name(name, None)?;
        let mut opts: Vec<(String, String)> =
            options.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect();
        if let Some(p) = path {
            opts.retain(|(k, _)| k != "path");
            opts.push(("path".to_string(), p.to_string()));
        }
        opts.sort();
        // without a path the session creates a managed table under spark.sql.warehouse.dir
        let schema = match schema {
            Some(t) => {
                let t = data_type_from_proto(t)?;
                match columns_of_struct(&t) {
                    Some(cols) if !cols.is_empty() => Some(cols),
                    Some(_) => None,
                    None => return Err(invalid_plan("createTable with a schema that is not a struct")),
                }
            }
            None => None,
        };
        let format = source.unwrap_or("parquet").to_ascii_lowercase();
        self.session().execute(Statement::CreateDataSource {
            name: name.clone(),
            format,
            options: opts,
            schema,
            partition_by: vec![],
            replace: false,
            temporary: false,
            if_not_exists: false,
        })?;
        Ok(Plan::Relation { name, span: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_like_spark() {
        assert!(matches_pattern(None, "t"));
        assert!(matches_pattern(Some("t*"), "table1"));
        assert!(matches_pattern(Some("X*|tab*"), "table1"));
        assert!(matches_pattern(Some("*1"), "Table1"));
        assert!(matches_pattern(Some("T*B*"), "tableb"));
        assert!(!matches_pattern(Some("t*x"), "table1"));
        assert!(!matches_pattern(Some("abc"), "abcd"));
    }
}
