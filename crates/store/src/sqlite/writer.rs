//! The writer thread: group commit over the one write connection.
//!
//! Callers queue a [`WriteBatch`] and await a reply. The thread takes every
//! batch waiting (up to [`MAX_GROUP`]), opens one transaction, applies each
//! batch inside its own savepoint (a failing batch rolls back alone), commits
//! once, and only then replies. With `synchronous=FULL` the commit is one
//! fsync for the whole group.

use super::apply;
use crate::clock::MonotonicClock;
use crate::{Clock, StoreError, WriteBatch, WriteOutcome};
use rusqlite::Connection;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// The most batches one commit carries. Bounds the latency a batch can add
/// to the others in its group.
pub(crate) const MAX_GROUP: usize = 512;

type Reply = oneshot::Sender<Result<Vec<WriteOutcome>, StoreError>>;

enum Message {
    Write {
        batch: WriteBatch,
        reply: Reply,
    },
    Shutdown {
        done: oneshot::Sender<Result<(), StoreError>>,
    },
}

/// The caller's side of the writer thread.
pub(crate) struct WriterHandle {
    queue: mpsc::Sender<Message>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl WriterHandle {
    pub(crate) fn start(
        conn: Connection,
        clock: Arc<dyn Clock>,
    ) -> Result<WriterHandle, StoreError> {
        let (queue, inbox) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("tessera-sqlite-writer".into())
            .spawn(move || run(conn, clock, inbox))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the writer: {e}")))?;
        Ok(WriterHandle {
            queue,
            thread: Mutex::new(Some(thread)),
        })
    }

    pub(crate) async fn submit(&self, batch: WriteBatch) -> Result<Vec<WriteOutcome>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Message::Write { batch, reply })
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the writer stopped before committing".into()))?
    }

    /// Commits everything queued before this call, checkpoints the WAL and
    /// stops the thread.
    pub(crate) async fn shutdown(&self) -> Result<(), StoreError> {
        let (done, finished) = oneshot::channel();
        if self.queue.send(Message::Shutdown { done }).is_err() {
            return Ok(()); // already stopped
        }
        let result = finished
            .await
            .map_err(|_| StoreError::Unavailable("the writer stopped during shutdown".into()))?;
        let thread = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(thread) = thread {
            // The thread has answered `done` and is returning; joining is brief.
            let _ = thread.join();
        }
        result
    }
}

fn run(mut conn: Connection, clock: Arc<dyn Clock>, inbox: mpsc::Receiver<Message>) {
    let mut clock = MonotonicClock::new(clock);
    match conn.query_row(
        "SELECT MAX(last_updated) FROM resource_version",
        [],
        |row| row.get::<_, Option<i64>>(0),
    ) {
        Ok(Some(newest)) => clock.not_before(newest),
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, "cannot read the newest lastUpdated"),
    }
    while let Ok(first) = inbox.recv() {
        let mut group = Vec::new();
        let mut shutdown = None;
        match first {
            Message::Write { batch, reply } => group.push((batch, reply)),
            Message::Shutdown { done } => shutdown = Some(done),
        }
        while shutdown.is_none() && group.len() < MAX_GROUP {
            match inbox.try_recv() {
                Ok(Message::Write { batch, reply }) => group.push((batch, reply)),
                Ok(Message::Shutdown { done }) => shutdown = Some(done),
                Err(_) => break,
            }
        }
        if !group.is_empty() {
            commit_group(&mut conn, &mut clock, group);
        }
        if let Some(done) = shutdown {
            let result = conn
                .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
                .map_err(StoreError::from);
            drop(conn);
            let _ = done.send(result);
            return;
        }
    }
}

fn commit_group(
    conn: &mut Connection,
    clock: &mut MonotonicClock,
    group: Vec<(WriteBatch, Reply)>,
) {
    if let Err(error) = conn.execute_batch("BEGIN IMMEDIATE") {
        let message = error.to_string();
        for (_, reply) in group {
            let _ = reply.send(Err(StoreError::Database(message.clone())));
        }
        return;
    }
    let mut answers = Vec::with_capacity(group.len());
    if group.len() == 1 {
        // Alone in its group, a batch needs no savepoint: the transaction is
        // the batch. (A savepoint around a large batch makes SQLite keep a
        // statement journal that cost a third of an import's time.)
        for (batch, reply) in group {
            let result = apply::apply_batch(conn, clock, batch);
            if result.is_err() {
                let _ = conn.execute_batch("ROLLBACK");
                let _ = reply.send(result);
                return;
            }
            answers.push((result, reply));
        }
    } else {
        for (batch, reply) in group {
            let result = apply_in_savepoint(conn, clock, batch);
            answers.push((result, reply));
        }
    }
    if let Err(error) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        let message = format!("commit failed: {error}");
        tracing::error!(%message, "group commit failed; every batch in it is rolled back");
        for (_, reply) in answers {
            let _ = reply.send(Err(StoreError::Database(message.clone())));
        }
        return;
    }
    for (result, reply) in answers {
        let _ = reply.send(result);
    }
}

fn apply_in_savepoint(
    conn: &Connection,
    clock: &mut MonotonicClock,
    batch: WriteBatch,
) -> Result<Vec<WriteOutcome>, StoreError> {
    conn.execute_batch("SAVEPOINT batch")?;
    match apply::apply_batch(conn, clock, batch) {
        Ok(outcomes) => {
            conn.execute_batch("RELEASE batch")?;
            Ok(outcomes)
        }
        Err(error) => {
            conn.execute_batch("ROLLBACK TO batch; RELEASE batch")?;
            Err(error)
        }
    }
}
