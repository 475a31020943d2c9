//! The checkpointer thread: copies committed WAL frames back into the
//! database file, off the writer's path.
//!
//! SQLite's automatic checkpoint runs inside the committing connection, so
//! the group commit would stall behind it (measured: 15% of the writer's
//! time). The writer turns it off; this thread runs a `PASSIVE` checkpoint
//! on its own connection every [`INTERVAL`], which never blocks the writer or
//! readers.
//!
//! A passive checkpoint alone cannot keep the WAL short under continuous
//! writes: SQLite starts the WAL over only when a write transaction begins
//! with every frame already copied back, and with a commit landing every few
//! milliseconds the checkpointer never catches up (measured: the WAL grew by
//! 36 MB/s during a create benchmark). So once the WAL holds more than
//! [`RESTART_AFTER_FRAMES`], this thread asks the writer for a
//! [`WalRestart`]: between two groups the writer runs one more passive
//! checkpoint itself, copying only the few frames committed since this
//! thread's last pass, and its next transaction starts the WAL over. No
//! connection ever waits on another's lock for it (an earlier design used a
//! `TRUNCATE` checkpoint, which held the write lock while it copied the
//! whole WAL: stalls of half a second).

use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often committed frames are copied back.
pub(crate) const INTERVAL: Duration = Duration::from_millis(200);

/// WAL length (in frames, a page each) past which the writer is asked to
/// start the WAL over: 16 MiB with 4 KiB pages.
pub(crate) const RESTART_AFTER_FRAMES: i64 = 4096;

/// The most a WAL file keeps on disk after it starts over (SQLite's
/// `journal_size_limit`, applied by the writer).
pub(crate) const WAL_FILE_LIMIT_BYTES: i64 = 64 * 1024 * 1024;

/// The checkpointer's request that the writer start the WAL over.
#[derive(Clone, Default)]
pub(crate) struct WalRestart(Arc<AtomicBool>);

impl WalRestart {
    fn request(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether a restart was asked for since the last call.
    pub(crate) fn take(&self) -> bool {
        self.0.swap(false, Ordering::AcqRel)
    }
}

pub(crate) struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub(crate) fn start(path: PathBuf, restart: WalRestart) -> std::io::Result<Checkpointer> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("tessera-sqlite-checkpoint".into())
            .spawn(move || run(path, restart, stopped))?;
        Ok(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Stops the thread and waits for it.
    pub(crate) fn stop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(path: PathBuf, restart: WalRestart, stopped: mpsc::Receiver<()>) {
    let conn = match Connection::open(&path) {
        Ok(conn) => conn,
        Err(error) => {
            tracing::error!(%error, "the checkpointer cannot open the database; the WAL will grow until restart");
            return;
        }
    };
    loop {
        match stopped.recv_timeout(INTERVAL) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
        match checkpoint(&conn) {
            Ok(frames) if frames > RESTART_AFTER_FRAMES => restart.request(),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "WAL checkpoint failed; will retry"),
        }
    }
}

/// Runs a `PASSIVE` checkpoint on `conn`; returns the WAL's length in frames.
pub(crate) fn checkpoint(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))
}
