//! `ember server`: binds the Spark Connect service and serves until SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tonic::codec::CompressionEncoding;
use tonic::transport::Server;

use crate::proto::spark::connect::spark_connect_service_server::SparkConnectServiceServer;
use crate::service::EmberConnectService;
use crate::sessions::SessionManager;

/// Spark's `spark.connect.grpc.maxInboundMessageSize`: LocalRelations of real data are large.
pub const MAX_MESSAGE_BYTES: usize = 128 * 1024 * 1024;

/// The service with Spark's message limits and compression.
pub fn service(sessions: Arc<SessionManager>) -> SparkConnectServiceServer<EmberConnectService> {
    SparkConnectServiceServer::new(EmberConnectService { sessions })
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES)
        .accept_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Zstd)
}

/// Serves on an already bound listener until `shutdown` completes.
pub async fn serve_with_listener(
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> Result<(), tonic::transport::Error> {
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    Server::builder()
        .http2_keepalive_interval(Some(Duration::from_secs(30)))
        .http2_keepalive_timeout(Some(Duration::from_secs(20)))
        .add_service(service(Arc::new(SessionManager::default())))
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await
}

/// Runs the server until SIGINT or SIGTERM; prints the address it listens on.
pub fn run(addr: SocketAddr) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        println!("Ember Spark Connect server listening on sc://{local}");
        serve_with_listener(listener, shutdown_signal()).await.map_err(std::io::Error::other)?;
        println!("Ember Spark Connect server stopped");
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

pub const USAGE: &str = "usage: ember server [--host HOST] [--port PORT]

Runs the Spark Connect server: PySpark connects with
SparkSession.builder.remote(\"sc://HOST:PORT\").getOrCreate().

  --host HOST   address to listen on (default 127.0.0.1: this machine only)
  --port PORT   port to listen on (default 15002; 0 picks a free port)";

/// `ember server ...`: parses the arguments and serves; the exit code.
pub fn run_cli(args: &[String]) -> i32 {
    let mut host = "127.0.0.1".to_string();
    let mut port: u16 = 15002;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| format!("{name} needs a value"));
        let parsed = match arg.as_str() {
            "--host" => value("--host").map(|v| host = v),
            "--port" => {
                value("--port").and_then(|v| v.parse().map(|p| port = p).map_err(|_| format!("invalid port `{v}`")))
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return 0;
            }
            other => Err(format!("unknown argument `{other}`")),
        };
        if let Err(message) = parsed {
            eprintln!("error: {message}\n\n{USAGE}");
            return 2;
        }
    }
    let resolved = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port)).ok().and_then(|mut a| a.next());
    let addr = match resolved {
        Some(a) => a,
        None => {
            eprintln!("error: cannot resolve host `{host}`");
            return 2;
        }
    };
    match run(addr) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}
