//! The SQLite backend: the embedded default, one database file in the data
//! directory, in WAL mode with `synchronous=FULL`.
//!
//! Writes go to one writer thread that owns the only write connection
//! ([`writer`]). It takes every batch waiting in its queue, applies each
//! inside its own savepoint in one transaction, commits once (one fsync for
//! the whole group) and only then answers each caller. So throughput grows
//! with concurrency while every acknowledged write is durable, and
//! `If-Match` checks are exact because writes are serialised.
//!
//! Reads use a small pool of read-only connections and run inline on the
//! calling task: each is a bounded index lookup that takes microseconds,
//! cheaper than a hand-off to a blocking thread. WAL lets them proceed while
//! the writer commits.

mod apply;
mod checkpointer;
mod deferred_indexes;
mod index_rows;
mod reads;
mod reindex;
mod schema;
mod search;
mod snapshot;
mod writer;

use crate::{
    Clock, HistoryPage, HistoryQuery, ResourceKey, ResourceStore, StoreError, StoredVersion,
    WriteBatch, WriteOutcome,
};
use async_trait::async_trait;
use reads::ReadPool;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use writer::WriterHandle;

/// SQLite settings that matter for durability and speed, recorded beside
/// every benchmark figure.
pub const PRAGMAS: &str = "journal_mode=WAL, synchronous=FULL, wal_autocheckpoint=0 \
    (PASSIVE checkpoints every 200 ms on a separate thread; the writer starts the WAL \
    over past 4,096 frames), journal_size_limit=64 MiB, temp_store=MEMORY, \
    cache_size 256 MiB (writer) / 64 MiB (readers), mmap_size=1 TiB (the whole file), \
    query planner stability guarantee on";

/// `mmap_size` for every connection: more than any database file, so the
/// whole file is mapped (SQLite caps it at `SQLITE_MAX_MMAP_SIZE`, which
/// `.cargo/config.toml` raises from its 2 GiB default).
pub(crate) const MAP_WHOLE_FILE: &str = "PRAGMA mmap_size=1099511627776;";

/// The SQLite implementation of [`ResourceStore`].
pub struct SqliteStore {
    path: PathBuf,
    writer: WriterHandle,
    readers: ReadPool,
    checkpointer: std::sync::Mutex<checkpointer::Checkpointer>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, applies pending
    /// migrations and starts the writer thread.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<SqliteStore, StoreError> {
        let open_error = |reason: String| StoreError::Open {
            path: path.display().to_string(),
            reason,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| open_error(e.to_string()))?;
        }
        let mut conn = Connection::open(path).map_err(|e| open_error(e.to_string()))?;
        configure_writer(&conn).map_err(|e| open_error(e.to_string()))?;
        schema::migrate(&mut conn)?;
        let restart = checkpointer::WalRestart::default();
        let writer = WriterHandle::start(conn, clock, restart.clone())?;
        let checkpointer = checkpointer::Checkpointer::start(path.to_path_buf(), restart)
            .map_err(|e| open_error(format!("cannot start the checkpointer: {e}")))?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            writer,
            readers: ReadPool::new(path.to_path_buf()),
            checkpointer: std::sync::Mutex::new(checkpointer),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The SQL and parameters of a search's first-page statement, as run
    /// (for tests that pin it and for `EXPLAIN` tools).
    pub fn search_sql(
        &self,
        query: &tessera_fhir::search::SearchQuery,
    ) -> Result<crate::search::render::Rendered, StoreError> {
        search::explain_page(query)
    }

    /// Runs `f` on a write connection of its own, on the blocking pool: for
    /// schema work that holds the write lock for seconds.
    async fn with_own_writer<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = Connection::open(&path)?;
            configure_writer(&conn)?;
            f(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("a database task failed: {e}")))?
    }

    /// SQLite's `EXPLAIN QUERY PLAN` for a search's first-page statement,
    /// one line per step (e.g. `SEARCH t1 USING INDEX idx_token_code ...`).
    pub fn search_query_plan(
        &self,
        query: &tessera_fhir::search::SearchQuery,
    ) -> Result<Vec<String>, StoreError> {
        self.readers.with(|conn| search::query_plan(conn, query))
    }
}

/// Turns on the query planner stability guarantee. The bundled SQLite is
/// built with STAT4, which otherwise re-prepares a cached statement whenever
/// a bound value changes (measured: a third of the CPU of a read-by-id).
pub(crate) fn keep_plans_stable(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

/// How long the writer waits for the database lock, which no connection of
/// this process takes but the writer: only another process writing the same
/// file (a `tessera import` beside a running server) makes it wait. Waiting
/// is right; failing the commit ("database is locked") is not.
const WRITER_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

fn configure_writer(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(WRITER_BUSY_TIMEOUT)?;
    keep_plans_stable(conn)?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidQuery);
    }
    // FULL: the WAL is fsynced at every commit, so an acknowledged write
    // survives a power cut, not only a killed process. Checkpoints run on
    // their own thread (see `checkpointer`), not inside the writer's commits.
    // Savepoint journals stay in memory. Clean pages are read through the
    // mapping (like the readers'); the page cache then holds what a
    // transaction dirties, and 256 MiB keeps an import batch (2,000
    // resources and their index rows) from spilling half-built pages into
    // the WAL before its commit. It only grows that large when a batch needs it.
    conn.execute_batch(
        "PRAGMA synchronous=FULL; PRAGMA cache_size=-262144; \
         PRAGMA wal_autocheckpoint=0; PRAGMA temp_store=MEMORY;",
    )?;
    conn.execute_batch(MAP_WHOLE_FILE)?;
    conn.pragma_update(
        None,
        "journal_size_limit",
        checkpointer::WAL_FILE_LIMIT_BYTES,
    )?;
    Ok(())
}

#[async_trait]
impl ResourceStore for SqliteStore {
    async fn write(&self, batch: WriteBatch) -> Result<Vec<WriteOutcome>, StoreError> {
        self.writer.submit(batch).await
    }

    async fn read(&self, key: &ResourceKey) -> Result<Option<StoredVersion>, StoreError> {
        self.readers.with(|conn| reads::current(conn, key))
    }

    async fn read_many(&self, keys: &[ResourceKey]) -> Result<Vec<StoredVersion>, StoreError> {
        self.readers.with(|conn| {
            let mut found = Vec::with_capacity(keys.len());
            for key in keys {
                found.extend(reads::current(conn, key)?);
            }
            Ok(found)
        })
    }

    async fn read_version(
        &self,
        key: &ResourceKey,
        version: i64,
    ) -> Result<Option<StoredVersion>, StoreError> {
        self.readers.with(|conn| reads::version(conn, key, version))
    }

    async fn referenced_by(
        &self,
        sources: &[ResourceKey],
        target_types: &[&str],
    ) -> Result<Vec<ResourceKey>, StoreError> {
        self.readers
            .with(|conn| reads::referenced_by(conn, sources, target_types))
    }

    async fn history(&self, query: &HistoryQuery) -> Result<HistoryPage, StoreError> {
        self.readers.with(|conn| reads::history(conn, query))
    }

    async fn search(
        &self,
        query: &tessera_fhir::search::SearchQuery,
        cursor: Option<&str>,
    ) -> Result<crate::SearchPage, StoreError> {
        self.readers
            .with(|conn| search::search(conn, query, cursor))
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
        snapshot::versions(self.readers.open()?).await
    }

    async fn defer_search_indexes(&self) -> Result<Vec<String>, StoreError> {
        self.with_own_writer(deferred_indexes::defer).await
    }

    async fn deferred_indexes(&self) -> Result<Vec<String>, StoreError> {
        self.readers.with(deferred_indexes::pending)
    }

    async fn build_deferred_index(&self, name: &str) -> Result<(), StoreError> {
        let name = name.to_owned();
        self.with_own_writer(move |conn| deferred_indexes::build(conn, &name))
            .await
    }

    async fn close(&self) -> Result<(), StoreError> {
        self.checkpointer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .stop();
        self.writer.shutdown().await
    }
}
