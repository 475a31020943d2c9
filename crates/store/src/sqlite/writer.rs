//! The writer thread: group commit over the one write connection.
//!
//! Callers queue a [`WriteBatch`] and await a reply. The thread takes every
//! batch waiting (up to [`MAX_GROUP`]), opens one transaction, applies each
//! batch inside its own savepoint (a failing batch rolls back alone), commits
//! once, and only then replies. With `synchronous=FULL` the commit is one
//! fsync for the whole group.

use super::apply::SqliteWriter;
use super::checkpointer::{self, WalRestart};
use crate::clock::MonotonicClock;
use crate::reindex::FreshEntries;
use crate::{Clock, StoreError, WriteBatch, WriteOutcome};
use rusqlite::{Connection, OptionalExtension};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// The most batches one commit carries. Bounds the latency a batch can add
/// to the others in its group.
pub(crate) const MAX_GROUP: usize = 512;

type Reply = oneshot::Sender<Result<Vec<WriteOutcome>, StoreError>>;
type ReindexReply = oneshot::Sender<Result<u64, StoreError>>;

/// One unit of work in a group commit, applied in its own savepoint.
enum Job {
    Write(WriteBatch, Reply),
    Reindex(Vec<FreshEntries>, ReindexReply),
}

enum Message {
    Write {
        batch: WriteBatch,
        reply: Reply,
    },
    Reindex {
        rows: Vec<FreshEntries>,
        reply: ReindexReply,
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
        restart: WalRestart,
    ) -> Result<WriterHandle, StoreError> {
        let (queue, inbox) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("tessera-sqlite-writer".into())
            .spawn(move || run(conn, clock, restart, inbox))
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

    /// Replaces the index rows of resources whose head is still the version
    /// they were read at; returns how many were replaced. A resource written
    /// since was indexed by that write and is left alone.
    pub(crate) async fn reindex(&self, rows: Vec<FreshEntries>) -> Result<u64, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Message::Reindex { rows, reply })
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

fn run(
    mut conn: Connection,
    clock: Arc<dyn Clock>,
    restart: WalRestart,
    inbox: mpsc::Receiver<Message>,
) {
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
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Write { batch, reply } => group.push(Job::Write(batch, reply)),
                Message::Reindex { rows, reply } => group.push(Job::Reindex(rows, reply)),
                Message::Shutdown { done } => shutdown = Some(done),
            }
            if shutdown.is_none() && group.len() < MAX_GROUP {
                next = inbox.try_recv().ok();
            }
        }
        if !group.is_empty() {
            commit_group(&mut conn, &mut clock, group);
        }
        if restart.take() {
            // Copies what the checkpointer has not yet; the next transaction
            // then starts the WAL over (see `checkpointer`).
            if let Err(error) = checkpointer::checkpoint(&conn) {
                tracing::warn!(%error, "WAL checkpoint before restart failed");
            }
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

fn commit_group(conn: &mut Connection, clock: &mut MonotonicClock, group: Vec<Job>) {
    if let Err(error) = conn.execute_batch("BEGIN IMMEDIATE") {
        let message = error.to_string();
        for job in group {
            job.fail(&message);
        }
        return;
    }
    let mut answers = Vec::with_capacity(group.len());
    // A savepoint isolates a job that can fail for a reason of its own (a
    // stale If-Match, deleting what others refer to) from the rest of its
    // group. A job alone in its group needs none (the transaction is the
    // job), and neither does a group of jobs that can only fail with the
    // database itself (creates, updates without If-Match): savepoints cost
    // a statement journal (a third of an import's time; 7% of a create's).
    let isolate = group.len() > 1 && group.iter().any(Job::may_fail_on_its_own);
    for job in group {
        answers.push(match job {
            Job::Write(batch, reply) => Answer::Write(
                isolated(conn, !isolate, |c| {
                    crate::apply::apply_batch(&mut SqliteWriter(c), &mut || clock.now(), batch)
                }),
                reply,
            ),
            Job::Reindex(rows, reply) => {
                Answer::Reindex(isolated(conn, !isolate, |c| reindex_rows(c, &rows)), reply)
            }
        });
    }
    if !isolate && answers.iter().any(Answer::failed) {
        // Without savepoints a failure spoils the whole transaction: roll
        // it back; jobs that had succeeded are told nothing was stored.
        let _ = conn.execute_batch("ROLLBACK");
        for answer in answers {
            answer.send_rolled_back();
        }
        return;
    }
    if let Err(error) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        let message = format!("commit failed: {error}");
        tracing::error!(%message, "group commit failed; every batch in it is rolled back");
        for answer in answers {
            match answer {
                Answer::Write(_, reply) => {
                    let _ = reply.send(Err(StoreError::Database(message.clone())));
                }
                Answer::Reindex(_, reply) => {
                    let _ = reply.send(Err(StoreError::Database(message.clone())));
                }
            }
        }
        return;
    }
    for answer in answers {
        answer.send();
    }
}

/// A job's result, held until the group commits.
enum Answer {
    Write(Result<Vec<WriteOutcome>, StoreError>, Reply),
    Reindex(Result<u64, StoreError>, ReindexReply),
}

impl Job {
    fn fail(self, message: &str) {
        let error = || StoreError::Database(message.to_owned());
        match self {
            Job::Write(_, reply) => {
                let _ = reply.send(Err(error()));
            }
            Job::Reindex(_, reply) => {
                let _ = reply.send(Err(error()));
            }
        }
    }
}

fn reindex_rows(conn: &Connection, rows: &[FreshEntries]) -> Result<u64, StoreError> {
    let mut replaced = 0;
    for row in rows {
        let head: Option<(i64, bool)> = conn
            .prepare_cached("SELECT seq, deleted FROM resource WHERE rid = ?1")?
            .query_row([row.rid], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if head != Some((row.seq, false)) {
            continue;
        }
        keep_references_as_links(conn, row)?;
        super::index_rows::replace(
            conn,
            row.rid,
            &row.resource_type,
            row.patient_key.as_deref(),
            &row.entries,
            false,
        )?;
        replaced += 1;
    }
    Ok(replaced)
}

/// Before a reindex replaces `row`'s index rows: the local references its
/// reference rows name and its fresh entries no longer do become link rows,
/// so "who refers to X" still finds them (see
/// [`crate::apply::unindexed_references`]).
fn keep_references_as_links(conn: &Connection, row: &FreshEntries) -> Result<(), StoreError> {
    let indexed: Vec<crate::ResourceKey> = conn
        .prepare_cached(
            "SELECT DISTINCT target_type, target_id FROM idx_reference \
             WHERE rid = ?1 AND target_type IS NOT NULL AND target_id IS NOT NULL",
        )?
        .query_map([row.rid], |r| {
            Ok(crate::ResourceKey::new(
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO resource_link (source_rid, target_type, target_id, patient_key) \
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for target in crate::apply::unindexed_references(&indexed, &row.entries) {
        insert.execute(rusqlite::params![
            row.rid,
            target.resource_type,
            target.id,
            row.patient_key
        ])?;
    }
    Ok(())
}

/// Runs `apply` in a savepoint, or directly when the job is alone in its
/// transaction (the caller then rolls the transaction back on failure).
fn isolated<T>(
    conn: &Connection,
    alone: bool,
    apply: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    if alone {
        apply(conn)
    } else {
        in_savepoint(conn, apply)
    }
}

impl Job {
    /// Whether the job can fail for a reason of its own, not the database's.
    fn may_fail_on_its_own(&self) -> bool {
        match self {
            Job::Write(batch, _) => batch.ops.iter().any(|op| {
                matches!(
                    op,
                    crate::WriteOp::Delete { .. }
                        | crate::WriteOp::Restore { .. }
                        | crate::WriteOp::Update {
                            if_match: Some(_),
                            ..
                        }
                )
            }),
            Job::Reindex(..) => false,
        }
    }
}

impl Answer {
    /// Sends the answer of a job whose transaction was rolled back: its own
    /// error, or, if it had succeeded, that nothing was stored.
    fn send_rolled_back(self) {
        let rolled_back =
            || StoreError::Database("rolled back with another write of the same commit".into());
        match self {
            Answer::Write(result, reply) => {
                let _ = reply.send(result.and_then(|_| Err(rolled_back())));
            }
            Answer::Reindex(result, reply) => {
                let _ = reply.send(result.and_then(|_| Err(rolled_back())));
            }
        }
    }

    fn failed(&self) -> bool {
        match self {
            Answer::Write(result, _) => result.is_err(),
            Answer::Reindex(result, _) => result.is_err(),
        }
    }

    fn send(self) {
        match self {
            Answer::Write(result, reply) => {
                let _ = reply.send(result);
            }
            Answer::Reindex(result, reply) => {
                let _ = reply.send(result);
            }
        }
    }
}

fn in_savepoint<T>(
    conn: &Connection,
    apply: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.execute_batch("SAVEPOINT batch")?;
    match apply(conn) {
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
