//! Read replicas: streaming standbys that serve reads and searches, so the
//! primary keeps its capacity for writes.
//!
//! **Consistency.** Each Tessera process remembers the WAL position (LSN)
//! of the newest write it committed. A replica serves a read only once it
//! has replayed past that position; otherwise the read goes to the primary.
//! So whoever wrote through this process reads their own write at once
//! (and every client of the process sees time move forward: a read never
//! shows an older state than one this process already wrote). Writes made
//! through *other* processes reach this process's replica reads when the
//! replica has replayed them, typically within milliseconds. A replica
//! that fails (down, unreachable, cancelled by recovery) is left alone for
//! [`DOWN_PAUSE`] and its reads go to the primary meanwhile.

use super::async_reads::{ReadClients, ReadTurn};
use super::connection::{ConnectionFactory, PgConnection};
use super::search::PgSearch;
use super::{Pool, off_runtime};
use crate::{SearchPage, StoreError};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tessera_fhir::search::SearchQuery;

/// How long a replica that failed is not asked again.
pub const DOWN_PAUSE: Duration = Duration::from_secs(5);

/// How long a read waits for a replica connection before using the primary.
const CONNECT_WAIT: Duration = Duration::from_secs(1);

/// The replayed (or, on a primary, written) WAL position, as a number.
const REPLAYED_LSN: &str =
    "SELECT (COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_lsn()) - '0/0'::pg_lsn)::bigint";

/// The primary's current WAL position, as a number.
pub(crate) const CURRENT_LSN: &str = "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint";

struct Replica {
    pool: Pool,
    searches: ReadClients,
    url: String,
    /// The newest position this replica is known to have replayed.
    replayed: AtomicU64,
    down_until: Mutex<Option<Instant>>,
}

/// The replicas of one store, and the newest write position it committed.
#[derive(Default)]
pub(crate) struct Replicas {
    members: Vec<Replica>,
    next: AtomicUsize,
    written: AtomicU64,
}

impl Replicas {
    /// Pools for `urls`. A replica that is down now is not an error: its
    /// reads go to the primary until it answers.
    pub(crate) fn open(urls: &[String]) -> Result<Replicas, StoreError> {
        let mut members = Vec::with_capacity(urls.len());
        for url in urls {
            let display = super::redact(url);
            let mut config: tokio_postgres::Config =
                url.parse().map_err(|e: postgres::Error| StoreError::Open {
                    path: display.clone(),
                    reason: e.to_string(),
                })?;
            super::connection::configure_session(&mut config);
            config.connect_timeout(CONNECT_WAIT);
            let searches = ReadClients::new(config.clone());
            let pool = off_runtime(|| {
                Ok(r2d2::Pool::builder()
                    .max_size(super::pool_size())
                    .min_idle(Some(0))
                    .connection_timeout(CONNECT_WAIT)
                    .error_handler(Box::new(r2d2::NopErrorHandler))
                    .build_unchecked(ConnectionFactory {
                        config: config.into(),
                    }))
            })?;
            members.push(Replica {
                pool: Pool(Some(pool)),
                searches,
                url: display,
                replayed: AtomicU64::new(0),
                down_until: Mutex::new(None),
            });
        }
        Ok(Replicas {
            members,
            next: AtomicUsize::new(0),
            written: AtomicU64::new(0),
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// How many replicas there are.
    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    /// The replicas to ask, starting with the next in turn, skipping those
    /// left alone after a failure.
    fn in_turn(&self) -> impl Iterator<Item = &Replica> {
        let count = self.members.len();
        let start = if count == 0 {
            0
        } else {
            self.next.fetch_add(1, Ordering::Relaxed)
        };
        (0..count)
            .map(move |offset| &self.members[(start + offset) % count])
            .filter(|replica| !replica.is_down())
    }

    /// Notes that this process committed a write at WAL position `lsn`.
    pub(crate) fn wrote(&self, lsn: u64) {
        self.written.fetch_max(lsn, Ordering::SeqCst);
    }

    /// Runs `read` on a replica that has replayed every write of this
    /// process; `None` when no replica can (the caller uses the primary).
    /// Runs on a blocking thread.
    pub(crate) fn try_read<T>(
        &self,
        read: &dyn Fn(&mut PgConnection) -> Result<T, StoreError>,
    ) -> Option<Result<T, StoreError>> {
        let needed = self.written.load(Ordering::SeqCst);
        for replica in self.in_turn() {
            if let Some(answer) = replica.settle(replica.read_if_caught_up(needed, read)) {
                return Some(answer);
            }
        }
        None
    }

    /// Runs a search on a replica that has replayed every write of this
    /// process, as [`try_read`](Self::try_read) does a read; on the
    /// replica's shared search clients.
    pub(crate) async fn try_search(
        &self,
        query: &SearchQuery,
        cursor: Option<&str>,
    ) -> Option<Result<SearchPage, StoreError>> {
        let needed = self.written.load(Ordering::SeqCst);
        for replica in self.in_turn() {
            let searched = replica.search_if_caught_up(needed, query, cursor).await;
            if let Some(answer) = replica.settle(searched) {
                return Some(answer);
            }
        }
        None
    }
}

impl Replica {
    fn is_down(&self) -> bool {
        let mut down = self.down_until.lock().unwrap_or_else(|e| e.into_inner());
        match *down {
            Some(until) if Instant::now() < until => true,
            Some(_) => {
                *down = None;
                false
            }
            None => false,
        }
    }

    /// What a read here came to: `Some` answer for the caller (its result,
    /// or the store's own refusal), `None` to try elsewhere (not caught up,
    /// or failed: then this replica is left alone for a while).
    fn settle<T>(&self, outcome: Result<Option<T>, StoreError>) -> Option<Result<T, StoreError>> {
        match outcome {
            Ok(Some(result)) => Some(Ok(result)),
            Ok(None) => None,
            // The store's own refusals are answers, not failures.
            Err(error @ (StoreError::InvalidSearch(_) | StoreError::InvalidCursor(_))) => {
                Some(Err(error))
            }
            Err(error) => {
                tracing::warn!(replica = %self.url, %error,
                    "a read replica failed; its reads go to the primary for a while");
                self.mark_down();
                None
            }
        }
    }

    /// Notes a replayed position read from this replica.
    fn replayed(&self, replayed: i64) {
        self.replayed
            .fetch_max(u64::try_from(replayed).unwrap_or(0), Ordering::SeqCst);
    }

    /// Runs `query` here if this replica has replayed `needed`; `Ok(None)`
    /// if it has not yet.
    async fn search_if_caught_up(
        &self,
        needed: u64,
        query: &SearchQuery,
        cursor: Option<&str>,
    ) -> Result<Option<SearchPage>, StoreError> {
        let turn: ReadTurn = self.searches.turn().await?;
        if self.replayed.load(Ordering::SeqCst) < needed {
            let rows = turn.query(REPLAYED_LSN, &[]).await?;
            let replayed: i64 = match rows.first() {
                Some(row) => row.try_get(0)?,
                None => 0,
            };
            self.replayed(replayed);
            if self.replayed.load(Ordering::SeqCst) < needed {
                return Ok(None);
            }
        }
        crate::search::execute::search(&mut PgSearch(&turn), query, cursor)
            .await
            .map(Some)
    }

    fn mark_down(&self) {
        *self.down_until.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Instant::now() + DOWN_PAUSE);
    }

    /// Runs `read` here if this replica has replayed `needed`; `Ok(None)`
    /// if it has not yet.
    fn read_if_caught_up<T>(
        &self,
        needed: u64,
        read: &dyn Fn(&mut PgConnection) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        let pool = self.pool.handle()?;
        let mut conn = pool
            .get()
            .map_err(|e| StoreError::Database(format!("no replica connection: {e}")))?;
        if self.replayed.load(Ordering::SeqCst) < needed {
            let replayed: i64 = conn.client.query_one(REPLAYED_LSN, &[])?.try_get(0)?;
            self.replayed(replayed);
            if self.replayed.load(Ordering::SeqCst) < needed {
                return Ok(None);
            }
        }
        read(&mut conn).map(Some)
    }
}
