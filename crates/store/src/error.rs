//! [`StoreError`]: everything that can go wrong persisting or reading.

use crate::ResourceKey;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No resource with this type and id was ever stored.
    #[error("{0} is not known")]
    NotFound(ResourceKey),
    /// `If-Match` named a version that is not the current one.
    #[error("{key} is at version {current:?}, not the expected version {expected}")]
    VersionConflict {
        key: ResourceKey,
        expected: i64,
        current: Option<i64>,
    },
    /// A create chose an id that is already taken.
    #[error("{0} already exists")]
    AlreadyExists(ResourceKey),
    /// Deleting a resource that current resources still refer to.
    #[error("{key} is still referred to by {}", .referrers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
    StillReferenced {
        key: ResourceKey,
        referrers: Vec<ResourceKey>,
    },
    /// A restored version that does not follow its resource's head.
    #[error("{key} version {version} cannot be restored: the store holds {} of it", match .current { Some(v) => format!("versions up to {v}"), None => "no version".to_owned() })]
    RestoreOutOfOrder {
        key: ResourceKey,
        version: i64,
        current: Option<i64>,
    },
    /// A stored document could not be parsed or produced (a bug or corruption).
    #[error("stored JSON for {key} is unusable: {reason}")]
    Corrupt { key: ResourceKey, reason: String },
    /// The database failed.
    #[error("database error: {0}")]
    Database(String),
    /// The store is shutting down or its writer stopped.
    #[error("the store is not accepting writes: {0}")]
    Unavailable(String),
    /// A search the store cannot run as asked (too deep, an unsortable
    /// parameter, too many included resources).
    #[error("search not supported: {0}")]
    InvalidSearch(String),
    /// A paging cursor that is malformed or belongs to another search.
    #[error("invalid paging cursor: {0}")]
    InvalidCursor(String),
    /// The data directory or database file could not be opened.
    #[error("cannot open the database at {path}: {reason}")]
    Open { path: String, reason: String },
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        StoreError::Database(error.to_string())
    }
}
