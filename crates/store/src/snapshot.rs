//! Reading a whole store out, consistently: [`VersionStream`] hands every
//! stored version in write order (`seq`), with a [`Census`] counted in the
//! same snapshot, for copy, backup and verification.
//!
//! A backend runs the snapshot on a thread of its own inside one read
//! transaction (SQLite: a deferred read transaction; PostgreSQL:
//! `REPEATABLE READ READ ONLY`) and sends chunks through a small bounded
//! channel, so memory stays flat whatever the store's size and writes go on
//! meanwhile. The stream ends with an explicit end mark: a producer that
//! stopped early (a panic, a lost connection) is an error, never a short
//! but "complete" stream.

use crate::{Census, StoreError, StoredVersion, TypeCensus};
use tokio::sync::mpsc;

/// Versions per chunk of a [`VersionStream`].
pub(crate) const CHUNK: usize = 500;

/// Chunks a producer may run ahead of its reader.
const AHEAD: usize = 4;

/// The census statements, the same text on both backends: versions by type,
/// then live heads by type.
pub(crate) const CENSUS_VERSIONS: &str =
    "SELECT resource_type, COUNT(*) FROM resource_version GROUP BY resource_type";
pub(crate) const CENSUS_LIVE: &str =
    "SELECT resource_type, COUNT(*) FROM resource WHERE deleted = 0 GROUP BY resource_type";

enum Message {
    Census(Census),
    Chunk(Vec<StoredVersion>),
    End,
    Failed(StoreError),
}

/// Every version of a store in write order, read from one consistent
/// snapshot (from [`crate::ResourceStore::versions`]). Dropping it ends the
/// snapshot's transaction.
pub struct VersionStream {
    census: Census,
    receiver: mpsc::Receiver<Message>,
    ended: bool,
}

impl VersionStream {
    /// Starts `produce` on a thread of the backend's choosing (through
    /// `spawn`) and waits for the snapshot's census.
    pub(crate) async fn start(
        spawn: impl FnOnce(Box<dyn FnOnce() + Send>) -> Result<(), StoreError>,
        produce: impl FnOnce(&mut Emitter) -> Result<(), StoreError> + Send + 'static,
    ) -> Result<VersionStream, StoreError> {
        let (sender, mut receiver) = mpsc::channel(AHEAD);
        spawn(Box::new(move || {
            let mut emitter = Emitter { sender };
            let message = match produce(&mut emitter) {
                Ok(()) => Message::End,
                Err(StoreError::Unavailable(reason)) if reason == READER_GONE => return,
                Err(error) => Message::Failed(error),
            };
            let _ = emitter.sender.blocking_send(message);
        }))?;
        match receiver.recv().await {
            Some(Message::Census(census)) => Ok(VersionStream {
                census,
                receiver,
                ended: false,
            }),
            Some(Message::Failed(error)) => Err(error),
            Some(Message::Chunk(_) | Message::End) | None => Err(stopped_early()),
        }
    }

    /// The counts of the snapshot, by type.
    pub fn census(&self) -> &Census {
        &self.census
    }

    /// The next versions in write order; `None` once every version was read.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<StoredVersion>>, StoreError> {
        if self.ended {
            return Ok(None);
        }
        match self.receiver.recv().await {
            Some(Message::Chunk(chunk)) => Ok(Some(chunk)),
            Some(Message::End) => {
                self.ended = true;
                Ok(None)
            }
            Some(Message::Failed(error)) => Err(error),
            Some(Message::Census(_)) | None => Err(stopped_early()),
        }
    }
}

const READER_GONE: &str = "the snapshot's reader went away";

fn stopped_early() -> StoreError {
    StoreError::Unavailable("the snapshot stopped before its end".into())
}

/// The producer's side of a [`VersionStream`].
pub(crate) struct Emitter {
    sender: mpsc::Sender<Message>,
}

impl Emitter {
    pub(crate) fn census(&mut self, census: Census) -> Result<(), StoreError> {
        self.send(Message::Census(census))
    }

    pub(crate) fn chunk(&mut self, chunk: Vec<StoredVersion>) -> Result<(), StoreError> {
        self.send(Message::Chunk(chunk))
    }

    /// Fails (ending the producer quietly) once the reader has dropped the
    /// stream.
    fn send(&mut self, message: Message) -> Result<(), StoreError> {
        self.sender
            .blocking_send(message)
            .map_err(|_| StoreError::Unavailable(READER_GONE.into()))
    }
}

/// Builds a [`Census`] from the rows of [`CENSUS_VERSIONS`] and
/// [`CENSUS_LIVE`].
pub(crate) fn census(
    versions: impl IntoIterator<Item = (String, i64)>,
    live: impl IntoIterator<Item = (String, i64)>,
) -> Census {
    let mut census = Census::default();
    for (resource_type, n) in versions {
        census
            .types
            .entry(resource_type)
            .or_insert_with(TypeCensus::default)
            .versions = u64::try_from(n).unwrap_or(0);
    }
    for (resource_type, n) in live {
        census
            .types
            .entry(resource_type)
            .or_insert_with(TypeCensus::default)
            .live = u64::try_from(n).unwrap_or(0);
    }
    census
}
