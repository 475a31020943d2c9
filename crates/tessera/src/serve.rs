//! `tessera serve`: open the store, bind, serve until SIGTERM or Ctrl-C, then
//! let in-flight requests finish and close the database cleanly.

use crate::cli::ServeArgs;
use crate::config::{DatabaseLocation, ServeSettings};
use anyhow::Context;
use std::io::Write;
use std::sync::Arc;
use tessera_records::RecordService;
use tessera_store::sqlite::SqliteStore;
use tessera_store::{Clock, Instant, ResourceStore};

/// The real clock; only the binary reads it.
struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
    }
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let settings = ServeSettings::resolve(args)?;
    init_logging(&settings.log)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(settings))
}

fn init_logging(filter: &str) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .with_context(|| format!("'{filter}' is not a valid log filter"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    Ok(())
}

async fn serve(settings: ServeSettings) -> anyhow::Result<()> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store: Arc<dyn ResourceStore> = match &settings.database {
        DatabaseLocation::Sqlite(path) => {
            let store = SqliteStore::open(path, clock.clone())?;
            tracing::info!(path = %path.display(), "opened the SQLite database");
            Arc::new(store)
        }
    };
    let records = RecordService::new(store.clone(), tessera_fhir::Definitions::r4());
    let config = tessera_server::ServerConfig {
        public_base_url: settings.base_url.clone(),
        max_body_bytes: settings.max_body_bytes,
        started_at: Instant::from_millis(clock.now_millis()).to_string(),
    };
    let app = tessera_server::router(records, config);
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the bound address")?;
    // Tests and scripts read this line to learn the port when --listen used port 0.
    println!("tessera listening on http://{address}/fhir");
    std::io::stdout().flush().ok();
    tracing::info!(%address, "serving FHIR R4 at /fhir");

    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the HTTP server failed")?;
    tracing::info!("in-flight requests finished; closing the database");
    store.close().await?;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received; shutting down"),
        () = terminate => tracing::info!("SIGTERM received; shutting down"),
    }
}
