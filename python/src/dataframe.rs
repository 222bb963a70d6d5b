//! `ember.DataFrame`: a lazy query.
//!
//! A DataFrame holds an unresolved plan and the session it belongs to. It is
//! analyzed when it is made (so a misspelled column fails where the query is
//! written, as `spark.sql` does) and runs each time results are asked for:
//! `collect`, `show`, `arrow`, `to_pandas`, `to_polars`, or a consumer of
//! `__arrow_c_stream__`. Results reach Python as the engine's own Arrow
//! buffers through the C stream interface; pyarrow, pandas and polars wrap
//! them without copying.

use std::sync::Arc;

use arrow::array::{AsArray, RecordBatch};
use arrow::datatypes::SchemaRef;
use ember_core::spec::{ExplainMode, Expr, Plan, Statement};
use ember_core::types::spark_type_name;
use ember_core::{Error, ScalarValue};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyCapsule, PyDict, PyList, PyTuple};

use crate::errors::to_py_err;
use crate::ffi;
use crate::run::{run, Shared};

/// A query of a connection; runs when its results are asked for.
#[pyclass(frozen, module = "ember", name = "DataFrame")]
pub struct DataFrame {
    shared: Arc<Shared>,
    plan: Arc<Plan>,
    /// The analyzed schema (names and types of the result).
    schema: SchemaRef,
    /// The SQL text the plan came from: error spans point into it.
    sql: Option<Arc<str>>,
}

impl DataFrame {
    /// Analyzes `plan` (with the GIL released: file sources infer their
    /// schema here) and wraps it.
    pub fn new(py: Python<'_>, shared: &Arc<Shared>, plan: Plan, sql: Option<Arc<str>>) -> PyResult<DataFrame> {
        let plan = Arc::new(plan);
        let to_analyze = plan.clone();
        let schema = run(py, shared, sql.as_deref(), move |s| Ok(s.analyze(&to_analyze)?.schema()))?;
        Ok(DataFrame { shared: shared.clone(), plan, schema, sql })
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Runs `plan` to completion: the result schema and batches, each batch
    /// under that schema.
    fn execute(&self, py: Python<'_>, plan: Arc<Plan>) -> PyResult<(SchemaRef, Vec<RecordBatch>)> {
        run(py, &self.shared, self.sql.as_deref(), move |s| {
            let logical = s.plan(&plan)?;
            let schema = logical.schema();
            let batches = s.execute_plan(&logical)?;
            // operators may label columns differently; the stream promises one schema
            let batches = batches.iter().map(|b| ffi::conform(b, &schema)).collect::<Result<Vec<_>, _>>()?;
            Ok((schema, batches))
        })
    }

    /// The plan with `LIMIT n` on top.
    fn limited(&self, n: usize) -> Plan {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        Plan::Limit { input: Box::new((*self.plan).clone()), limit: Expr::lit(ScalarValue::Int64(Some(n))) }
    }

    fn derived(&self, plan: Plan) -> DataFrame {
        DataFrame {
            shared: self.shared.clone(),
            plan: Arc::new(plan),
            schema: self.schema.clone(),
            sql: self.sql.clone(),
        }
    }
}

#[pymethods]
impl DataFrame {
    /// The result as a list of tuples, one per row.
    fn collect<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyList>> {
        let py = slf.py();
        let table = Self::arrow(slf)?;
        let num_rows: usize = table.getattr("num_rows")?.extract()?;
        let num_columns: usize = table.getattr("num_columns")?.extract()?;
        let columns = (0..num_columns)
            .map(|i| {
                table
                    .call_method1("column", (i,))?
                    .call_method0("to_pylist")?
                    .cast_into::<PyList>()
                    .map_err(PyErr::from)
            })
            .collect::<PyResult<Vec<_>>>()?;
        let rows = PyList::empty(py);
        for row in 0..num_rows {
            let values = columns.iter().map(|c| c.get_item(row)).collect::<PyResult<Vec<_>>>()?;
            rows.append(PyTuple::new(py, values)?)?;
        }
        Ok(rows)
    }

    /// Prints the first `n` rows as Spark's `Dataset.show` does. `truncate`:
    /// True cuts cells to 20 characters, False keeps them whole, a number
    /// cuts them to that many; `vertical` prints one line per column.
    #[pyo3(signature = (n = 20, truncate = None, vertical = false))]
    fn show(&self, py: Python<'_>, n: i64, truncate: Option<&Bound<'_, PyAny>>, vertical: bool) -> PyResult<()> {
        let text = self.show_string(py, n, truncate, vertical)?;
        py.import("builtins")?.getattr("print")?.call1((text,))?;
        Ok(())
    }

    /// What `show` prints, as a string.
    #[pyo3(signature = (n = 20, truncate = None, vertical = false))]
    fn show_string(
        &self,
        py: Python<'_>,
        n: i64,
        truncate: Option<&Bound<'_, PyAny>>,
        vertical: bool,
    ) -> PyResult<String> {
        let truncate = match truncate {
            None => 20,
            Some(t) => match t.cast::<PyBool>() {
                Ok(b) => {
                    if b.is_true() {
                        20
                    } else {
                        0
                    }
                }
                Err(_) => t.extract::<i64>()?.max(0) as usize,
            },
        };
        let n = n.max(0) as usize;
        // one row more than shown tells whether to print "only showing top n rows"
        let (schema, batches) = self.execute(py, Arc::new(self.limited(n + 1)))?;
        let zone = self.shared.session.config().time_zone().to_string();
        Ok(ember_engine::show::show_string(&schema, &batches, n, truncate, vertical, &zone))
    }

    /// The result as a `pyarrow.Table` (the engine's buffers, not a copy).
    fn arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let pyarrow = slf.py().import("pyarrow")?;
        let reader = pyarrow.getattr("RecordBatchReader")?.call_method1("from_stream", (slf,))?;
        reader.call_method0("read_all")
    }

    /// The result as a pandas DataFrame (`pyarrow.Table.to_pandas(**kwargs)`).
    #[pyo3(signature = (**kwargs))]
    fn to_pandas<'py>(slf: &Bound<'py, Self>, kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
        Self::arrow(slf)?.call_method("to_pandas", (), kwargs)
    }

    /// The result as a polars DataFrame.
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let table = Self::arrow(slf)?;
        let kwargs = PyDict::new(py);
        // keep the engine's batches as polars chunks instead of concatenating them
        kwargs.set_item("rechunk", false)?;
        py.import("polars")?.call_method("from_arrow", (table,), Some(&kwargs))
    }

    /// The result's schema as a `pyarrow.Schema` (no query runs).
    #[getter]
    fn schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let capsule = ffi::schema_capsule(py, &self.schema)?;
        py.import("pyarrow")?.getattr("Schema")?.call_method1("_import_from_c_capsule", (capsule,))
    }

    /// The result's column names.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.schema.fields().iter().map(|f| f.name().clone()).collect()
    }

    /// At most `n` rows of this DataFrame.
    fn limit(&self, n: usize) -> DataFrame {
        self.derived(self.limited(n))
    }

    /// Prints the plan, as PySpark's `DataFrame.explain`: `explain()` the
    /// physical plan, `explain(True)` all plans, `explain(mode=...)` with
    /// mode "simple", "extended", "formatted", "cost" or "codegen".
    #[pyo3(signature = (extended = None, mode = None))]
    fn explain(&self, py: Python<'_>, extended: Option<&Bound<'_, PyAny>>, mode: Option<&str>) -> PyResult<()> {
        let mode = explain_mode(extended, mode)?;
        let statement = Statement::Explain { statement: Box::new(Statement::Query((*self.plan).clone())), mode };
        let result = run(py, &self.shared, self.sql.as_deref(), move |s| s.execute(statement))?;
        let text = result
            .batches
            .iter()
            .find(|b| b.num_rows() > 0 && b.num_columns() > 0)
            .and_then(|b| b.column(0).as_string_opt::<i32>().map(|s| s.value(0).to_string()))
            .ok_or_else(|| to_py_err(py, &Error::internal("EXPLAIN returned no plan"), None))?;
        py.import("builtins")?.getattr("print")?.call1((text,))?;
        Ok(())
    }

    /// The Arrow PyCapsule interface: runs the query and hands its batches
    /// over as an `ArrowArrayStream`. A `requested_schema` capsule with the
    /// same number of columns renames and casts them.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let requested = match requested_schema {
            Some(capsule) if !capsule.is_none() => Some(Arc::new(ffi::import_schema(capsule)?)),
            _ => None,
        };
        let (mut schema, mut batches) = self.execute(py, self.plan.clone())?;
        if let Some(requested) = requested {
            batches = batches
                .iter()
                .map(|b| ffi::conform(b, &requested))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ffi::arrow_err(py, e))?;
            schema = requested;
        }
        ffi::stream_capsule(py, schema, batches)
    }

    /// PySpark's form: `DataFrame[id: bigint, name: string]`.
    fn __repr__(&self) -> String {
        let columns: Vec<String> =
            self.schema.fields().iter().map(|f| format!("{}: {}", f.name(), spark_type_name(f.data_type()))).collect();
        format!("DataFrame[{}]", columns.join(", "))
    }
}

fn explain_mode(extended: Option<&Bound<'_, PyAny>>, mode: Option<&str>) -> PyResult<ExplainMode> {
    use pyo3::exceptions::PyValueError;
    let named = match (extended, mode) {
        (Some(_), Some(_)) => return Err(PyValueError::new_err("give `extended` or `mode`, not both")),
        (Some(e), None) => match e.cast::<PyBool>() {
            Ok(b) => return Ok(if b.is_true() { ExplainMode::Extended } else { ExplainMode::Simple }),
            Err(_) => e.extract::<String>()?,
        },
        (None, Some(m)) => m.to_string(),
        (None, None) => return Ok(ExplainMode::Simple),
    };
    match named.to_ascii_lowercase().as_str() {
        "simple" => Ok(ExplainMode::Simple),
        "extended" => Ok(ExplainMode::Extended),
        "formatted" => Ok(ExplainMode::Formatted),
        "cost" => Ok(ExplainMode::Cost),
        "codegen" => Ok(ExplainMode::Codegen),
        other => Err(PyValueError::new_err(format!(
            "unknown explain mode `{other}`: use simple, extended, formatted, cost or codegen"
        ))),
    }
}
