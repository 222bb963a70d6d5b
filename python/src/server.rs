//! The Spark Connect server inside the Python process, for `ember.SparkSession`.
//!
//! One server per process, started on first use: it listens on a free
//! loopback port (127.0.0.1:0, so nothing outside this machine can reach it)
//! and serves from a tokio runtime on a thread of its own, where it touches
//! no Python state. PySpark's Connect client then talks to it like to any
//! remote server. It runs until `stop_connect_server()` or process exit.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Mutex;
use std::thread::JoinHandle;

use pyo3::prelude::*;

use crate::errors::EmberError;

struct Running {
    port: u16,
    stop: tokio::sync::oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

static SERVER: Mutex<Option<Running>> = Mutex::new(None);

fn start() -> std::io::Result<u16> {
    let mut server = SERVER.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(running) = server.as_ref() {
        if !running.thread.is_finished() {
            return Ok(running.port);
        }
    }
    // bound here, not on the server thread, so a failure is reported to the caller
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let runtime = tokio::runtime::Builder::new_multi_thread().thread_name("ember-connect").enable_all().build()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new().name("ember-connect-server".into()).spawn(move || {
        let served = runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).map_err(std::io::Error::other)?;
            ember_connect::serve_with_listener(listener, async {
                let _ = stopped.await;
            })
            .await
            .map_err(std::io::Error::other)
        });
        if let Err(e) = served {
            eprintln!("ember: the in-process Spark Connect server stopped: {e}");
        }
    })?;
    *server = Some(Running { port, stop, thread });
    Ok(port)
}

/// Starts the in-process Spark Connect server if it is not running; its port.
#[pyfunction]
pub fn start_connect_server(py: Python<'_>) -> PyResult<u16> {
    py.detach(start).map_err(|e| EmberError::new_err(format!("cannot start the Spark Connect server: {e}")))
}

/// Stops the in-process Spark Connect server (sessions on it end); a later
/// `start_connect_server` starts a new one on a new port.
#[pyfunction]
pub fn stop_connect_server(py: Python<'_>) {
    let running = SERVER.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(running) = running {
        let _ = running.stop.send(());
        py.detach(|| {
            let _ = running.thread.join();
        });
    }
}
