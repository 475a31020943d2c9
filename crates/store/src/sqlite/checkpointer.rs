//! The checkpointer thread: copies committed WAL frames back into the
//! database file, off the writer's path.
//!
//! SQLite's automatic checkpoint runs inside the committing connection, so
//! the group commit would stall behind it (measured: 15% of the writer's
//! time). The writer turns it off; this thread runs a `PASSIVE` checkpoint
//! on its own connection every [`INTERVAL`], which never blocks the writer or
//! readers. Under continuous writes (a bulk import) a passive checkpoint
//! never gets the chance to restart the WAL, which then grows without end
//! (measured: 8 GB for a 1.2 GB database); so once the WAL passes
//! [`WAL_LIMIT_BYTES`], the checkpoint is a `TRUNCATE` one, which waits for a
//! gap between two commits, copies everything back and empties the WAL.

use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often committed frames are copied back.
pub(crate) const INTERVAL: Duration = Duration::from_millis(200);

/// WAL size below which no checkpoint runs: each checkpoint ends with an
/// fsync of the database file, which the writer's own fsyncs then queue
/// behind, so fewer, larger checkpoints keep commit latency even.
pub(crate) const CHECKPOINT_AFTER_BYTES: u64 = 64 * 1024 * 1024;

/// WAL size past which the checkpoint also empties the WAL.
pub(crate) const WAL_LIMIT_BYTES: u64 = 1024 * 1024 * 1024;

pub(crate) struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub(crate) fn start(path: PathBuf) -> std::io::Result<Checkpointer> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("tessera-sqlite-checkpoint".into())
            .spawn(move || run(path, stopped))?;
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

fn run(path: PathBuf, stopped: mpsc::Receiver<()>) {
    let conn = match Connection::open(&path) {
        Ok(conn) => conn,
        Err(error) => {
            tracing::error!(%error, "the checkpointer cannot open the database; the WAL will grow until restart");
            return;
        }
    };
    let _ = conn.busy_timeout(Duration::from_secs(5));
    let mut wal = path.clone().into_os_string();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    loop {
        match stopped.recv_timeout(INTERVAL) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
        let wal_bytes = std::fs::metadata(&wal).map_or(0, |m| m.len());
        if wal_bytes < CHECKPOINT_AFTER_BYTES {
            continue;
        }
        let pragma = if wal_bytes > WAL_LIMIT_BYTES {
            "PRAGMA wal_checkpoint(TRUNCATE)"
        } else {
            "PRAGMA wal_checkpoint(PASSIVE)"
        };
        if let Err(error) = conn.query_row(pragma, [], |_| Ok(())) {
            tracing::warn!(%error, "WAL checkpoint failed; will retry");
        }
    }
}
