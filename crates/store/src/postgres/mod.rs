//! The PostgreSQL backend: for a hospital or a network that outgrows one
//! file. Chosen with a `postgres://` database URL.
//!
//! Every call runs on a pooled connection ([`connection`], `r2d2` over the
//! synchronous `postgres` client) on tokio's blocking pool, so a slow
//! statement never stalls the async workers. A write batch is one
//! transaction ([`apply`]): the head rows it touches are locked
//! (`SELECT ... FOR UPDATE`), so `If-Match` is exact across connections and
//! across Tessera processes sharing the database, and a batch that loses a
//! race (deadlock, a key taken by a concurrent create) runs again, up to
//! [`WRITE_ATTEMPTS`] times. Durability is PostgreSQL's: the commit returns
//! once its WAL record is flushed (`synchronous_commit=on`, the default),
//! and concurrent commits share that flush.
//!
//! Searches use the same compiler as SQLite, rendered in the PostgreSQL
//! dialect ([`search`]). Reads and searches may be served by streaming
//! replicas ([`replicas`], which says what consistency that gives).

mod apply;
mod async_reads;
mod connection;
mod deferred_indexes;
mod index_rows;
mod new_resources;
mod reads;
#[cfg(test)]
mod reconnect_tests;
mod reindex;
mod replicas;
mod schema;
mod scratch;
mod search;
mod snapshot;

pub use replicas::DOWN_PAUSE;
pub use scratch::{
    DEFAULT_TEST_SERVER, SCRATCH_PREFIX, ScratchDatabase, postgres_only_database, test_backend,
    test_server_url,
};

use crate::clock::MonotonicClock;
use crate::{
    Clock, HistoryPage, HistoryQuery, ResourceKey, ResourceStore, SearchPage, StoreError,
    StoredVersion, WriteBatch, WriteOutcome,
};
use async_trait::async_trait;
use connection::{ConnectionFactory, PgConnection};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How many times a write batch that lost a race is tried in all.
pub const WRITE_ATTEMPTS: usize = 5;

/// Connections each Tessera process keeps to the database (and to each
/// replica) in its pool at most, and again as shared clients for searches:
/// twice this machine's cores, at least 4.
///
/// More connections do not serve more requests: on a machine whose cores
/// Tessera and PostgreSQL share, sixteen backends busy at once made the
/// kernel's scheduler the queue, and one request in a hundred waited 100-700
/// ms while the median took 3 ms (BENCHMARKS.md). With few connections the
/// wait is in Tessera, in arrival order (`PostgresStore::gate`, and the
/// search clients' turns).
pub fn pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    u32::try_from(cores.saturating_mul(2))
        .unwrap_or(u32::MAX)
        .max(4)
}

/// The connection pool. Dropping it closes its connections, which the
/// synchronous client does by running its own runtime: so the last handle
/// is dropped on a thread of its own, never on an async worker.
pub(crate) struct Pool(pub(crate) Option<r2d2::Pool<ConnectionFactory>>);

impl Pool {
    pub(crate) fn handle(&self) -> Result<r2d2::Pool<ConnectionFactory>, StoreError> {
        self.0
            .clone()
            .ok_or_else(|| StoreError::Unavailable("the store is closed".into()))
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        if let Some(pool) = self.0.take() {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

/// The PostgreSQL implementation of [`ResourceStore`].
pub struct PostgresStore {
    pool: Pool,
    /// One permit per connection the pools hold. A request takes a permit,
    /// first come first served, before it takes a thread and a connection:
    /// the pool's own wait lets a thread that just gave a connection back
    /// take it again ahead of older waiters, which made a long tail.
    gate: Arc<Semaphore>,
    /// The shared asynchronous clients searches run on.
    searches: Arc<async_reads::ReadClients>,
    replicas: Arc<replicas::Replicas>,
    clock: Arc<Mutex<MonotonicClock>>,
    /// The URL without its password, for messages.
    display_url: String,
}

/// A database URL with any password replaced by `***`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Runs `f` on a thread of its own. The synchronous client drives its
/// socket with a runtime of its own, which cannot start on a thread that
/// is already inside an async runtime.
pub(crate) fn off_runtime<T: Send>(
    f: impl FnOnce() -> Result<T, StoreError> + Send,
) -> Result<T, StoreError> {
    std::thread::scope(|scope| {
        scope
            .spawn(f)
            .join()
            .unwrap_or_else(|_| Err(StoreError::Unavailable("a database thread panicked".into())))
    })
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db`),
    /// applies pending migrations and opens the pool. May be called from
    /// inside an async runtime.
    pub fn open(url: &str, clock: Arc<dyn Clock>) -> Result<PostgresStore, StoreError> {
        PostgresStore::open_with_replicas(url, &[], clock)
    }

    /// [`PostgresStore::open`], with streaming replicas of the primary at
    /// `replica_urls` serving reads and searches (see [`replicas`] for the
    /// consistency this gives).
    pub fn open_with_replicas(
        url: &str,
        replica_urls: &[String],
        clock: Arc<dyn Clock>,
    ) -> Result<PostgresStore, StoreError> {
        let replicas = Arc::new(replicas::Replicas::open(replica_urls)?);
        off_runtime(|| PostgresStore::open_here(url, clock, replicas))
    }

    fn open_here(
        url: &str,
        clock: Arc<dyn Clock>,
        replicas: Arc<replicas::Replicas>,
    ) -> Result<PostgresStore, StoreError> {
        let display_url = redact(url);
        let open_error = |reason: String| StoreError::Open {
            path: display_url.clone(),
            reason,
        };
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| open_error(e.to_string()))?;
        connection::configure_session(&mut config);
        config.connect_timeout(Duration::from_secs(10));
        let searches = async_reads::ReadClients::new(config.clone());
        let pool = r2d2::Pool::builder()
            .max_size(pool_size())
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(30))
            .error_handler(Box::new(r2d2::LoggingErrorHandler))
            .build(ConnectionFactory {
                config: config.into(),
            })
            .map_err(|e| open_error(e.to_string()))?;
        let mut conn = pool.get().map_err(|e| open_error(e.to_string()))?;
        schema::migrate(&mut conn.client).map_err(|e| open_error(e.to_string()))?;
        let mut monotonic = MonotonicClock::new(clock);
        let newest: Option<i64> = conn
            .client
            .query_one("SELECT MAX(last_updated) FROM resource_version", &[])?
            .try_get(0)?;
        if let Some(newest) = newest {
            monotonic.not_before(newest);
        }
        drop(conn);
        // One permit per connection of the pool and of each replica's.
        let pools = replicas.len().saturating_add(1);
        let permits = usize::try_from(pool_size())
            .unwrap_or(usize::MAX)
            .saturating_mul(pools);
        Ok(PostgresStore {
            pool: Pool(Some(pool)),
            gate: Arc::new(Semaphore::new(permits)),
            searches: Arc::new(searches),
            replicas,
            clock: Arc::new(Mutex::new(monotonic)),
            display_url,
        })
    }

    /// The database URL, password redacted.
    pub fn url(&self) -> &str {
        &self.display_url
    }

    /// A turn at the database, in the order requests asked for one.
    async fn permit(&self) -> Result<OwnedSemaphorePermit, StoreError> {
        self.gate
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Unavailable("the store is closed".into()))
    }

    /// Runs `f` on a pooled connection on the blocking pool.
    async fn with_connection<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut PgConnection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let pool = self.pool.handle()?;
        let permit = self.permit().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut conn = pool
                .get()
                .map_err(|e| StoreError::Unavailable(format!("no database connection: {e}")))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("a database task failed: {e}")))?
    }

    /// Runs `read` on a replica that has replayed this process's writes,
    /// else on the primary.
    async fn with_reader<T: Send + 'static>(
        &self,
        read: impl Fn(&mut PgConnection) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> Result<T, StoreError> {
        let replicas = self.replicas.clone();
        let pool = self.pool.handle()?;
        let permit = self.permit().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            if let Some(result) = replicas.try_read(&read) {
                return result;
            }
            read_on_a_live_connection(&pool, &read)
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("a database task failed: {e}")))?
    }

    /// The SQL and parameters of a search's first-page statement, as run.
    pub fn search_sql(
        &self,
        query: &tessera_fhir::search::SearchQuery,
    ) -> Result<crate::search::render::Rendered, StoreError> {
        search::explain_page(query)
    }

    /// PostgreSQL's `EXPLAIN` of a search's first-page statement.
    pub async fn search_query_plan(
        &self,
        query: &tessera_fhir::search::SearchQuery,
    ) -> Result<Vec<String>, StoreError> {
        let query = query.clone();
        self.with_connection(move |conn| search::query_plan(conn, &query))
            .await
    }
}

/// Runs `read` on a pooled connection; again on another when the one it
/// got turns out closed (PostgreSQL restarted since it was last tested:
/// see `connection::TRUSTED_FOR`), as many times as the pool holds
/// connections. Only reads are run again: a write whose connection closed
/// may have committed.
fn read_on_a_live_connection<T>(
    pool: &r2d2::Pool<ConnectionFactory>,
    read: &dyn Fn(&mut PgConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut tries = pool.max_size();
    loop {
        let mut conn = pool
            .get()
            .map_err(|e| StoreError::Unavailable(format!("no database connection: {e}")))?;
        match read(&mut conn) {
            Err(_) if conn.client.is_closed() && tries > 0 => tries -= 1,
            answer => return answer,
        }
    }
}

/// Applies `batch` in one transaction, again if it lost a race.
fn write_batch(
    conn: &mut PgConnection,
    clock: &Mutex<MonotonicClock>,
    batch: WriteBatch,
) -> Result<Vec<WriteOutcome>, StoreError> {
    let mut now = || clock.lock().unwrap_or_else(|e| e.into_inner()).now();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let last = attempt >= WRITE_ATTEMPTS;
        let PgConnection {
            client, statements, ..
        } = &mut *conn;
        let tx = client.transaction()?;
        let mut writer = apply::PgWriter {
            tx,
            statements,
            index: index_rows::IndexBuffer::default(),
            links: apply::LinkBuffer::default(),
            new: Default::default(),
            heads: Default::default(),
            retryable: false,
        };
        match crate::apply::apply_batch(&mut writer, &mut now, batch.clone()) {
            Ok(outcomes) => match writer.commit() {
                Ok(()) => return Ok(outcomes),
                Err((_, true)) if !last => {}
                Err((error, _)) => return Err(error),
            },
            Err(error) => {
                // Dropping the writer rolls its transaction back.
                let retry = writer.retryable && !last;
                drop(writer);
                if !retry {
                    return Err(error);
                }
            }
        }
        tracing::debug!(
            attempt,
            "a write batch lost a race with another writer; retrying"
        );
        std::thread::sleep(Duration::from_millis(2 << attempt));
    }
}

#[async_trait]
impl ResourceStore for PostgresStore {
    async fn write(&self, batch: WriteBatch) -> Result<Vec<WriteOutcome>, StoreError> {
        let clock = self.clock.clone();
        let replicas = self.replicas.clone();
        self.with_connection(move |conn| {
            let outcomes = write_batch(conn, &clock, batch)?;
            if !replicas.is_empty() {
                // Where this write ends in the WAL: replicas serve this
                // process's reads once they have replayed past it.
                let lsn: i64 = conn
                    .client
                    .query_one(replicas::CURRENT_LSN, &[])?
                    .try_get(0)?;
                replicas.wrote(u64::try_from(lsn).unwrap_or(0));
            }
            Ok(outcomes)
        })
        .await
    }

    async fn read(&self, key: &ResourceKey) -> Result<Option<StoredVersion>, StoreError> {
        let key = key.clone();
        self.with_reader(move |conn| {
            let PgConnection {
                client, statements, ..
            } = conn;
            reads::current(client, statements, &key)
        })
        .await
    }

    async fn referenced_by(
        &self,
        sources: &[ResourceKey],
        target_types: &[&str],
    ) -> Result<Vec<ResourceKey>, StoreError> {
        let sources = sources.to_vec();
        let target_types: Vec<String> = target_types.iter().map(|t| t.to_string()).collect();
        self.with_reader(move |conn| {
            let PgConnection {
                client, statements, ..
            } = conn;
            reads::referenced_by(client, statements, &sources, &target_types)
        })
        .await
    }

    async fn read_many(&self, keys: &[ResourceKey]) -> Result<Vec<StoredVersion>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let keys = keys.to_vec();
        self.with_reader(move |conn| {
            let PgConnection {
                client, statements, ..
            } = conn;
            reads::current_of_many(client, statements, &keys)
        })
        .await
    }

    async fn read_version(
        &self,
        key: &ResourceKey,
        version: i64,
    ) -> Result<Option<StoredVersion>, StoreError> {
        let key = key.clone();
        self.with_reader(move |conn| {
            let PgConnection {
                client, statements, ..
            } = conn;
            reads::version(client, statements, &key, version)
        })
        .await
    }

    async fn history(&self, query: &HistoryQuery) -> Result<HistoryPage, StoreError> {
        let query = query.clone();
        self.with_reader(move |conn| {
            let PgConnection {
                client, statements, ..
            } = conn;
            reads::history(client, statements, &query)
        })
        .await
    }

    async fn search(
        &self,
        query: &tessera_fhir::search::SearchQuery,
        cursor: Option<&str>,
    ) -> Result<SearchPage, StoreError> {
        if let Some(answer) = self.replicas.try_search(query, cursor).await {
            return answer;
        }
        let turn = self.searches.turn().await?;
        crate::search::execute::search(&mut search::PgSearch(&turn), query, cursor).await
    }

    async fn reindex(
        &self,
        types: &[String],
        extract: &crate::IndexExtractor,
        progress: &mut (dyn FnMut(crate::ReindexProgress) + Send),
    ) -> Result<crate::ReindexProgress, StoreError> {
        crate::reindex::reindex(self, types, extract, progress).await
    }

    async fn versions(&self) -> Result<crate::VersionStream, StoreError> {
        snapshot::versions(self).await
    }

    async fn defer_search_indexes(&self) -> Result<Vec<String>, StoreError> {
        self.with_connection(deferred_indexes::defer).await
    }

    async fn deferred_indexes(&self) -> Result<Vec<String>, StoreError> {
        self.with_connection(deferred_indexes::pending).await
    }

    async fn build_deferred_index(&self, name: &str) -> Result<(), StoreError> {
        let name = name.to_owned();
        self.with_connection(move |conn| deferred_indexes::build(conn, &name))
            .await
    }

    async fn close(&self) -> Result<(), StoreError> {
        // Writes are transactions that have committed or rolled back by the
        // time their callers return; the pool closes its connections when
        // the store is dropped.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://tessera:secret@127.0.0.1:5432/db"),
            "postgres://tessera:***@127.0.0.1:5432/db"
        );
        assert_eq!(
            redact("postgres://tessera@host/db"),
            "postgres://tessera@host/db"
        );
        assert_eq!(redact("postgres:///db"), "postgres:///db");
    }
}
