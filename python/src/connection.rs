//! `ember.connect()` and `Connection`: one engine session in the process.
//!
//! `sql` runs statements in order; commands run at once, and a query (the
//! last statement) comes back as a lazy `DataFrame`. `register` turns Arrow
//! data from Python (anything with `__arrow_c_stream__`) into a temporary
//! view without copying it; `read_parquet`, `read_csv` and `read_json` are
//! DataFrames over files. `interrupt` cancels the queries running now, from
//! any thread.

use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use ember_core::spec::{ColumnDef, DropKind, Plan, Statement};
use ember_core::Error;
use ember_engine::{ResultKind, Session};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString};

use crate::dataframe::DataFrame;
use crate::errors::to_py_err;
use crate::ffi;
use crate::run::{run, Shared};

/// A connection: an engine session with its own views and settings.
#[pyclass(frozen, module = "ember", name = "Connection")]
pub struct Connection {
    shared: Arc<Shared>,
}

/// Opens a connection; `config` holds settings as `SET` takes them,
/// e.g. `{"ember.threads": "4", "spark.sql.ansi.enabled": False}`.
#[pyfunction]
#[pyo3(signature = (config = None))]
pub fn connect(config: Option<&Bound<'_, PyDict>>) -> PyResult<Connection> {
    Connection::new(config)
}

#[pymethods]
impl Connection {
    #[new]
    #[pyo3(signature = (config = None))]
    fn new(config: Option<&Bound<'_, PyDict>>) -> PyResult<Connection> {
        let session = Session::new();
        if let Some(config) = config {
            for (key, value) in config.iter() {
                let key: String = key.extract()?;
                session.set_config(&key, &option_text(&value)?).map_err(|e| to_py_err(config.py(), &e, None))?;
            }
        }
        Ok(Connection { shared: Shared::new(session) })
    }

    /// Runs `;`-separated statements in order. Returns a DataFrame for a
    /// final query (lazy: it runs when its results are asked for) or for a
    /// final command that shows rows (SHOW TABLES, DESCRIBE, SET key, ...);
    /// None after other commands.
    fn sql(&self, py: Python<'_>, query: &str) -> PyResult<Option<DataFrame>> {
        let text: Arc<str> = Arc::from(query);
        let mut statements = ember_sql::parse_sql(query).map_err(|e| to_py_err(py, &e, Some(query)))?;
        let Some(last) = statements.pop() else {
            return Err(to_py_err(py, &Error::spark("PARSE_EMPTY_STATEMENT", &[]), None));
        };
        for statement in statements {
            run(py, &self.shared, Some(query), move |s| s.execute(statement))?;
        }
        match last {
            Statement::Query(plan) => DataFrame::new(py, &self.shared, plan, Some(text)).map(Some),
            statement => {
                let result = run(py, &self.shared, Some(query), move |s| s.execute(statement))?;
                match result.kind {
                    ResultKind::Command => Ok(None),
                    ResultKind::Rows => {
                        let plan = Plan::LocalRelation { batches: result.batches, schema: result.schema };
                        DataFrame::new(py, &self.shared, plan, Some(text)).map(Some)
                    }
                }
            }
        }
    }

    /// A table or view of this connection as a DataFrame.
    fn table(&self, py: Python<'_>, name: &str) -> PyResult<DataFrame> {
        let name = ember_sql::parse_expression(name)
            .ok()
            .and_then(|e| match e {
                ember_core::spec::Expr::Column { name, .. } => Some(name),
                _ => None,
            })
            .ok_or_else(|| PyValueError::new_err(format!("`{name}` is not a table name")))?;
        DataFrame::new(py, &self.shared, Plan::Relation { name, span: None }, None)
    }

    /// Makes `data` queryable as the temporary view `name` (replacing one of
    /// that name). `data` is an ember DataFrame of this connection (kept as
    /// a query), or any object with `__arrow_c_stream__`: a pyarrow Table or
    /// RecordBatchReader, a pandas or polars DataFrame. Other objects go
    /// through `pyarrow.table(data)` (dicts of columns, older pandas).
    /// Arrow data is read once and kept without copying; columns whose types
    /// Spark lacks become the nearest Spark type (unsigned integers widen,
    /// nanosecond timestamps become microseconds, large and view strings
    /// plain strings, dictionaries their values).
    fn register(&self, py: Python<'_>, name: &str, data: &Bound<'_, PyAny>) -> PyResult<()> {
        if let Ok(df) = data.cast::<DataFrame>() {
            let df = df.get();
            if Arc::ptr_eq(df.shared(), &self.shared) {
                let statement = Statement::CreateView {
                    name: vec![name.to_string()],
                    columns: vec![],
                    query: df.plan().clone(),
                    replace: true,
                    temporary: true,
                    if_not_exists: false,
                    sql: String::new(),
                };
                run(py, &self.shared, None, move |s| s.execute(statement))?;
                return Ok(());
            }
        }
        let source = if data.hasattr("__arrow_c_stream__")? {
            data.clone()
        } else {
            py.import("pyarrow")?.call_method1("table", (data,)).map_err(|e| {
                let err = PyTypeError::new_err(format!(
                    "cannot register a {}: it has no __arrow_c_stream__ and pyarrow.table() refused it",
                    data.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                ));
                err.set_cause(py, Some(e));
                err
            })?
        };
        let capsule = source.call_method0("__arrow_c_stream__")?;
        let (schema, batches) = ffi::import_stream(&capsule)?;
        let (schema, batches) = spark_types(&schema, batches).map_err(|e| to_py_err(py, &e, None))?;
        self.shared.session.register_batches(name, schema, batches).map_err(|e| to_py_err(py, &e, None))
    }

    /// Drops the temporary view `name` if there is one.
    fn unregister(&self, py: Python<'_>, name: &str) -> PyResult<()> {
        let statement = Statement::Drop { name: vec![name.to_string()], kind: DropKind::View, if_exists: true };
        run(py, &self.shared, None, move |s| s.execute(statement))?;
        Ok(())
    }

    /// Parquet files (a path, a folder, a glob, or a list of them).
    #[pyo3(signature = (path, **options))]
    fn read_parquet(
        &self,
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<DataFrame> {
        self.read(py, "parquet", path, reader_options(options)?, None)
    }

    /// CSV files. Unlike Spark's reader, the first line is a header and
    /// column types are inferred unless told otherwise. `schema` is a DDL
    /// string ("a INT, b STRING") or a pyarrow schema; other keyword
    /// arguments are Spark's CSV options (`nullValue`, `dateFormat`, ...).
    #[pyo3(signature = (path, header = true, infer_schema = true, sep = None, schema = None, **options))]
    #[allow(clippy::too_many_arguments)]
    fn read_csv(
        &self,
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        header: bool,
        infer_schema: bool,
        sep: Option<&str>,
        schema: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<DataFrame> {
        let mut all =
            vec![("header".to_string(), header.to_string()), ("inferSchema".to_string(), infer_schema.to_string())];
        if let Some(sep) = sep {
            all.push(("sep".to_string(), sep.to_string()));
        }
        all.extend(reader_options(options)?);
        self.read(py, "csv", path, all, schema)
    }

    /// JSON Lines files; `schema` as for `read_csv`.
    #[pyo3(signature = (path, schema = None, **options))]
    fn read_json(
        &self,
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        schema: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<DataFrame> {
        self.read(py, "json", path, reader_options(options)?, schema)
    }

    /// Cancels the queries of this connection that are running now (call it
    /// from another thread); they raise `ember.QueryCancelled`.
    fn interrupt(&self) {
        self.shared.interrupt();
    }

    fn __repr__(&self) -> String {
        "<ember.Connection>".to_string()
    }
}

impl Connection {
    fn read(
        &self,
        py: Python<'_>,
        format: &str,
        path: &Bound<'_, PyAny>,
        options: Vec<(String, String)>,
        schema: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<DataFrame> {
        let schema = match schema {
            Some(s) if !s.is_none() => Some(column_defs(s)?),
            _ => None,
        };
        let plan = Plan::ReadFiles { format: format.to_string(), paths: paths(path)?, options, schema };
        DataFrame::new(py, &self.shared, plan, None)
    }
}

/// A path or a list of paths (str or os.PathLike) as strings.
fn paths(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let list: Vec<PathBuf> = match obj.extract::<PathBuf>() {
        Ok(p) => vec![p],
        Err(_) => obj
            .extract::<Vec<PathBuf>>()
            .map_err(|_| PyTypeError::new_err("path must be a str, an os.PathLike or a list of them"))?,
    };
    list.into_iter()
        .map(|p| {
            p.into_os_string()
                .into_string()
                .map_err(|p| PyValueError::new_err(format!("path {p:?} is not valid UTF-8")))
        })
        .collect()
}

/// A reader's schema: a DDL string or anything with `__arrow_c_schema__`.
fn column_defs(schema: &Bound<'_, PyAny>) -> PyResult<Vec<ColumnDef>> {
    let py = schema.py();
    if schema.is_instance_of::<PyString>() {
        let ddl: String = schema.extract()?;
        return ember_sql::parse_table_schema(&ddl).map_err(|e| to_py_err(py, &e, Some(&ddl)));
    }
    if schema.hasattr("__arrow_c_schema__")? {
        let arrow = ffi::import_schema(&schema.call_method0("__arrow_c_schema__")?)?;
        return Ok(arrow
            .fields()
            .iter()
            .map(|f| ColumnDef { name: f.name().clone(), data_type: f.data_type().clone(), nullable: f.is_nullable() })
            .collect());
    }
    Err(PyTypeError::new_err("schema must be a DDL string such as \"a INT, b STRING\" or a pyarrow schema"))
}

fn reader_options(options: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, String)>> {
    let Some(options) = options else { return Ok(vec![]) };
    options.iter().filter(|(_, v)| !v.is_none()).map(|(k, v)| Ok((k.extract::<String>()?, option_text(&v)?))).collect()
}

/// A setting's value as `SET` spells it: Python booleans as true/false.
fn option_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(b.is_true().to_string());
    }
    value.str()?.extract()
}

/// Registered data in the types the engine computes with (Spark's), as the
/// Parquet reader does: columns that already have them are kept as they are.
fn spark_types(schema: &SchemaRef, batches: Vec<RecordBatch>) -> Result<(SchemaRef, Vec<RecordBatch>), Error> {
    let target = ember_exec::files::spark_schema(schema);
    let batches = batches.iter().map(|b| ffi::conform(b, &target)).collect::<Result<Vec<_>, _>>()?;
    Ok((target, batches))
}
