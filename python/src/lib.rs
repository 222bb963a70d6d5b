//! `ember._ember`: the Rust half of the `ember` Python package.
//!
//! - [`connection`]: `ember.connect()` and `Connection` (SQL, registering
//!   Arrow data, reading files, interrupting).
//! - [`dataframe`]: the lazy `DataFrame` a query returns; it runs when results
//!   are asked for and hands them to Python through the Arrow C stream
//!   interface, without copying.
//! - [`ffi`]: the Arrow PyCapsule interface (`__arrow_c_stream__`) both ways.
//! - [`run`]: runs engine work on its own thread while the Python thread waits
//!   without the GIL and watches for Ctrl-C.
//! - [`errors`]: Ember errors as `ember.EmberError` with Spark's error class.
//! - [`server`]: the Spark Connect server inside the process, for
//!   `ember.SparkSession`.
//!
//! The pure-Python half (`python/ember/__init__.py`) re-exports these and adds
//! the `SparkSession` builder.

use pyo3::prelude::*;

mod connection;
mod dataframe;
mod errors;
mod ffi;
mod run;
mod server;

#[pymodule]
fn _ember(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<connection::Connection>()?;
    m.add_class::<dataframe::DataFrame>()?;
    m.add_function(wrap_pyfunction!(connection::connect, m)?)?;
    m.add_function(wrap_pyfunction!(server::start_connect_server, m)?)?;
    m.add_function(wrap_pyfunction!(server::stop_connect_server, m)?)?;
    errors::register(py, m)?;
    Ok(())
}
