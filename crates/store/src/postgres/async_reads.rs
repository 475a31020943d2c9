//! Searches on asynchronous connections: a few `tokio-postgres` clients
//! that every search shares. A client sends each statement as soon as it is
//! asked for, so the statements of several requests travel together on one
//! connection (pipelined), and a search waits for PostgreSQL without
//! holding a thread. Each client keeps its statements prepared, by SQL
//! text.
//!
//! Turns are first come, first served, two statements in flight per client:
//! left unbounded, requests queued inside PostgreSQL's backends, which the
//! operating system runs unevenly, and the slowest percentile of a search
//! grew to six times its median; bounded at one per client, a client sat
//! idle between its answer and the next request.

use super::connection::PgValue;
use crate::StoreError;
use crate::search::sql::SqlValue;
use postgres::types::ToSql;
use postgres::{Row, Statement};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The most statements a client keeps prepared; past it the cache starts over.
const STATEMENT_CACHE: usize = 512;

/// Searches in flight per client.
const TURNS_PER_CLIENT: usize = 2;

/// The shared clients of one database.
pub(crate) struct ReadClients {
    config: tokio_postgres::Config,
    slots: Vec<tokio::sync::Mutex<Option<Arc<ReadClient>>>>,
    next: AtomicUsize,
    turns: Arc<Semaphore>,
}

/// A search's use of a client, until it is dropped.
pub(crate) struct ReadTurn {
    client: Arc<ReadClient>,
    _turn: OwnedSemaphorePermit,
}

impl std::ops::Deref for ReadTurn {
    type Target = ReadClient;
    fn deref(&self) -> &ReadClient {
        &self.client
    }
}

/// One connection and its prepared statements.
pub(crate) struct ReadClient {
    client: tokio_postgres::Client,
    statements: Mutex<HashMap<String, Statement>>,
}

impl ReadClients {
    /// As many clients as the pool holds connections
    /// ([`pool_size`](super::pool_size)), each connected on first use.
    pub(crate) fn new(config: tokio_postgres::Config) -> ReadClients {
        let count = usize::try_from(super::pool_size()).unwrap_or(1).max(1);
        ReadClients {
            config,
            slots: (0..count).map(|_| tokio::sync::Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
            turns: Arc::new(Semaphore::new(count.saturating_mul(TURNS_PER_CLIENT))),
        }
    }

    /// A turn on the next client, once one is free.
    pub(crate) async fn turn(&self) -> Result<ReadTurn, StoreError> {
        let turn = self
            .turns
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Unavailable("the store is closed".into()))?;
        Ok(ReadTurn {
            client: self.client().await?,
            _turn: turn,
        })
    }

    /// The next client in turn, connected now if it is not (or no longer).
    async fn client(&self) -> Result<Arc<ReadClient>, StoreError> {
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        let mut slot = self.slots[turn].lock().await;
        if let Some(client) = slot.as_ref().filter(|c| !c.client.is_closed()) {
            return Ok(client.clone());
        }
        let (client, connection) = self
            .config
            .connect(tokio_postgres::NoTls)
            .await
            .map_err(|e| StoreError::Unavailable(format!("no database connection: {e}")))?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::warn!(%error, "a PostgreSQL read connection ended");
            }
        });
        let client = Arc::new(ReadClient {
            client,
            statements: Mutex::default(),
        });
        *slot = Some(client.clone());
        Ok(client)
    }
}

impl ReadClient {
    /// Runs `sql` with `params`, prepared on first use.
    pub(crate) async fn query(
        &self,
        sql: &str,
        params: &[SqlValue],
    ) -> Result<Vec<Row>, StoreError> {
        let values: Vec<PgValue<'_>> = params.iter().map(PgValue).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        let statement = self.statement(sql).await?;
        Ok(self.client.query(&statement, &refs).await?)
    }

    async fn statement(&self, sql: &str) -> Result<Statement, StoreError> {
        let cached = self
            .statements
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(sql)
            .cloned();
        if let Some(statement) = cached {
            return Ok(statement);
        }
        let statement = self.client.prepare(sql).await?;
        let mut statements = self.statements.lock().unwrap_or_else(|e| e.into_inner());
        if statements.len() >= STATEMENT_CACHE {
            statements.clear();
        }
        statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}
