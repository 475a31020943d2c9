//! `tessera serve`: open the store, bind, serve until SIGTERM or Ctrl-C, then
//! let in-flight requests finish and close the database cleanly.

use crate::cli::ServeArgs;
use crate::config::ServeSettings;
use crate::runtime::{SystemClock, init_logging, open_store, tokio_runtime};
use anyhow::Context;
use std::io::Write;
use std::sync::Arc;
use tessera_records::RecordService;
use tessera_store::{Clock, Instant};

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let settings = ServeSettings::resolve(args)?;
    init_logging(&settings.store.log)?;
    tokio_runtime()?.block_on(serve(settings))
}

async fn serve(settings: ServeSettings) -> anyhow::Result<()> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = open_store(&settings.store, clock.clone())?;
    serve_store(&settings, store, clock, |_| {}).await
}

/// SQLite, written in C, still allocates through glibc's malloc. Each search
/// builds and drops temporary B-trees (an `IN (subquery)` list, a sort) whose
/// page caches are allocated in bulk; glibc handed the freed memory back to
/// the system (trim, unmap) after every statement and took it again with
/// page faults and cross-core TLB flushes on the next one. Keeping freed
/// memory up to these sizes doubled the two-link chain search's throughput
/// (2,629 -> 5,290 requests/s over 1 M resources) and cost the others nothing.
/// Only a serving process: during an import it made the index builds slower
/// and kept gigabytes.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_c_memory() {
    const TRIM_THRESHOLD: libc::c_int = 128 << 20;
    const MMAP_THRESHOLD: libc::c_int = 32 << 20;
    // SAFETY: mallopt only sets glibc's allocator parameters, under the
    // allocator's own lock, to values in range.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_c_memory() {}

/// Serves `store` until SIGTERM or Ctrl-C, then closes it. `listening` is
/// told the bound address once the server accepts connections.
pub async fn serve_store(
    settings: &ServeSettings,
    store: Arc<dyn tessera_store::ResourceStore>,
    clock: Arc<dyn Clock>,
    listening: impl FnOnce(std::net::SocketAddr),
) -> anyhow::Result<()> {
    // An import that stopped before building the search indexes it
    // deferred leaves searches exact but slow: build them before serving.
    let deferred = store.deferred_indexes().await?;
    if !deferred.is_empty() {
        tracing::warn!(
            count = deferred.len(),
            "building the search indexes an unfinished import deferred"
        );
        crate::runtime::build_deferred_indexes(&*store).await?;
    }
    let records = RecordService::new(store.clone(), tessera_fhir::Definitions::r4());
    let config = tessera_server::ServerConfig {
        public_base_url: settings.base_url.clone(),
        max_body_bytes: settings.max_body_bytes,
        started_at: Instant::from_millis(clock.now_millis()).to_string(),
    };
    let services = tessera_server::ServerServices {
        exports: tessera_bulk::ExportJobs::open(&settings.store.data_dir)
            .context("cannot open the export jobs in the data directory")?,
        clock: clock.clone(),
    };
    let app = tessera_server::router(records, services, config);
    keep_freed_c_memory();
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
    listening(address);

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
