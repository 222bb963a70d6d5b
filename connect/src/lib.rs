//! Spark Connect server: unmodified PySpark 4.x clients drive Ember through
//! `SparkSession.builder.remote("sc://host:port")`.
//!
//! - [`proto`]: the protocol, generated from PySpark's own descriptors and
//!   checked in (see `connect/proto/` and `connect/codegen/`).
//! - [`lower`]: Connect relations and expressions -> Ember's unresolved `spec` plan.
//! - `service`: the gRPC service; `sessions` keeps one engine session per
//!   client session, `operation` the reattachable executions, `execute` and
//!   `analyze` what the RPCs do, `errors` Spark-shaped statuses.

#[allow(clippy::all, clippy::pedantic, missing_docs, rustdoc::all)]
pub mod proto {
    pub mod spark {
        pub mod connect {
            include!("proto/spark.connect.rs");
        }
    }
}

mod analyze;
mod config;
mod errors;
mod execute;
pub mod lower;
mod operation;
mod results;
pub mod server;
mod service;
mod sessions;
mod write;

pub use server::{run, serve_with_listener};
