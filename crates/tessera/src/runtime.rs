//! What every command shares: logging, the real clock, opening the store.

use crate::config::{DatabaseLocation, StoreSettings};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;
use tessera_store::postgres::PostgresStore;
use tessera_store::sqlite::SqliteStore;
use tessera_store::{Clock, ResourceStore};

/// The real clock; only the binary reads it.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
    }
}

/// Logs to standard error with the given filter.
pub fn init_logging(filter: &str) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .with_context(|| format!("'{filter}' is not a valid log filter"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    Ok(())
}

/// A multi-threaded tokio runtime.
pub fn tokio_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Opens the store the settings name.
pub fn open_store(
    settings: &StoreSettings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Arc<dyn ResourceStore>> {
    open_replicated(&settings.database, &settings.read_replicas, clock)
}

/// Opens the store at `location` (no read replicas).
pub fn open_database(
    location: &DatabaseLocation,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Arc<dyn ResourceStore>> {
    open_replicated(location, &[], clock)
}

/// Opens the store at `location`, reading from `read_replicas` too.
fn open_replicated(
    location: &DatabaseLocation,
    read_replicas: &[String],
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Arc<dyn ResourceStore>> {
    match location {
        DatabaseLocation::Sqlite(path) => {
            let store = SqliteStore::open(path, clock)?;
            tracing::info!(path = %path.display(), "opened the SQLite database");
            Ok(Arc::new(store))
        }
        DatabaseLocation::Postgres(url) => {
            let store = PostgresStore::open_with_replicas(url, read_replicas, clock)?;
            tracing::info!(
                url = %store.url(),
                replicas = read_replicas.len(),
                "opened the PostgreSQL database"
            );
            Ok(Arc::new(store))
        }
    }
}

/// Builds the search indexes a bulk load deferred (all of them, one at a
/// time, with a progress bar on a terminal); nothing when none is.
pub async fn build_deferred_indexes(store: &dyn ResourceStore) -> anyhow::Result<()> {
    let names = store
        .deferred_indexes()
        .await
        .context("cannot list the deferred search indexes")?;
    if names.is_empty() {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let progress = ProgressBar::new(names.len() as u64);
    progress.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} search indexes: {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    for name in &names {
        progress.set_message(format!("building {name}"));
        store
            .build_deferred_index(name)
            .await
            .with_context(|| format!("cannot build the search index {name}"))?;
        progress.inc(1);
    }
    progress.finish_and_clear();
    println!(
        "built {} search indexes in {:.1} s",
        names.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
