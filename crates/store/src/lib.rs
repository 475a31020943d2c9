//! Versioned storage of FHIR resources, behind one trait.
//!
//! [`ResourceStore`] is the only way Tessera persists or reads a resource.
//! Every version of every resource is kept. Each stored row carries its
//! **patient key** (the Patient compartment the resource belongs to) and its
//! **authoring organisation**, so that access checks, `$everything` and a
//! later distribution by patient never need to parse JSON.
//!
//! Writes arrive as a [`WriteBatch`]: a list of [`WriteOp`]s applied
//! all-or-nothing. A batch is acknowledged only after the database
//! transaction that holds it has committed durably (fsync). Backends group
//! concurrent batches into one commit so durability does not cost throughput
//! (see [`sqlite`]).
//!
//! The store knows JSON only as far as stamping `id`, `meta.versionId` and
//! `meta.lastUpdated`; FHIR rules (validation, which patient a resource
//! belongs to) are decided above it, in `tessera-records`.
//!
//! A whole store is read out as a [`VersionStream`] (every version in write
//! order, from one snapshot) and written back one version at a time with
//! [`WriteOp::Restore`]: `tessera copy`, `backup` and `restore` are that
//! stream and that write.
//!
//! Invariants: no HTTP types, no authorisation decisions, no clock reads of
//! its own (time comes from a [`Clock`] given by the binary).

mod apply;
mod clock;
mod document;
mod error;
mod index_rows;
mod model;
pub mod postgres;
mod reindex;
pub mod search;
mod snapshot;
pub mod sqlite;

pub use clock::{Clock, Instant};
pub use document::UnstampedBody;
pub use error::StoreError;
pub use model::{
    Census, HistoryPage, HistoryQuery, HistoryScope, ResourceKey, RowKeys, SearchPage,
    StoredVersion, TypeCensus, WriteBatch, WriteMethod, WriteOp, WriteOutcome,
};
pub use snapshot::VersionStream;

use async_trait::async_trait;

/// Extracts a resource's search-index entries (in the binary:
/// `Definitions::index_entries`), for [`ResourceStore::reindex`].
pub type IndexExtractor =
    dyn Fn(&ResourceKey, &serde_json::Value) -> Vec<tessera_fhir::search::IndexEntry> + Send + Sync;

/// How far a [`ResourceStore::reindex`] has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReindexProgress {
    /// Live resources read and extracted so far.
    pub done: u64,
    /// Live resources to reindex (counted at the start).
    pub total: u64,
    /// Resources whose rows were replaced (the others were written during
    /// the reindex, and so indexed by their own write).
    pub replaced: u64,
}

/// Persistence of versioned FHIR resources. Implemented by
/// [`sqlite::SqliteStore`] and [`postgres::PostgresStore`].
///
/// All methods are cancel-safe in the sense that dropping the future never
/// leaves a half-applied write: a write batch, once handed to the backend,
/// commits or rolls back as a whole whether or not its caller still waits.
#[async_trait]
pub trait ResourceStore: Send + Sync + 'static {
    /// Applies every operation of `batch` in one transaction, all or nothing,
    /// and returns one outcome per operation once the commit is durable.
    async fn write(&self, batch: WriteBatch) -> Result<Vec<WriteOutcome>, StoreError>;

    /// The current version of a resource (which may be a deletion).
    async fn read(&self, key: &ResourceKey) -> Result<Option<StoredVersion>, StoreError>;

    /// The current versions (deletions included) of those of `keys` that
    /// exist, in the order of `keys`: one round trip for many reads.
    async fn read_many(&self, keys: &[ResourceKey]) -> Result<Vec<StoredVersion>, StoreError>;

    /// One specific version of a resource.
    async fn read_version(
        &self,
        key: &ResourceKey,
        version: i64,
    ) -> Result<Option<StoredVersion>, StoreError>;

    /// The resources of `target_types` that the current versions of
    /// `sources` refer to by local reference (their reference index rows
    /// and link rows, which delete checks read too), each once, in key
    /// order. Answers `$everything`'s "and what
    /// the record refers to" without parsing the record.
    async fn referenced_by(
        &self,
        sources: &[ResourceKey],
        target_types: &[&str],
    ) -> Result<Vec<ResourceKey>, StoreError>;

    /// A page of history, newest first.
    async fn history(&self, query: &HistoryQuery) -> Result<HistoryPage, StoreError>;

    /// One page of a search: the current, live resources matching `query`,
    /// after `cursor` (from [`SearchPage::next_cursor`]) when given.
    async fn search(
        &self,
        query: &tessera_fhir::search::SearchQuery,
        cursor: Option<&str>,
    ) -> Result<SearchPage, StoreError>;

    /// Rebuilds the index rows of every live resource of `types` (every
    /// type when empty) from its stored JSON with `extract`, calling
    /// `progress` after each chunk. Safe while other writes go on.
    async fn reindex(
        &self,
        types: &[String],
        extract: &IndexExtractor,
        progress: &mut (dyn FnMut(ReindexProgress) + Send),
    ) -> Result<ReindexProgress, StoreError>;

    /// Every stored version, deletions included, in write order, from one
    /// consistent snapshot taken now (with its [`Census`]), while writes go
    /// on. Replaying the stream with [`WriteOp::Restore`] into an empty
    /// store gives the same resources, versions and history.
    async fn versions(&self) -> Result<VersionStream, StoreError>;

    /// Prepares an empty store for a bulk load: drops the secondary indexes
    /// of the search tables (the indexes only searches read; on SQLite also
    /// the links' index by target, which only a delete reads), recording
    /// each, so that the load writes rows without maintaining them. Once
    /// the load ends, [`build_deferred_index`](Self::build_deferred_index)
    /// builds each in one sorted pass. Returns the indexes deferred: those
    /// dropped now, or those an earlier load left deferred when it stopped
    /// before building them; none when the store already holds data.
    /// Meanwhile every search still answers exactly, only more slowly.
    async fn defer_search_indexes(&self) -> Result<Vec<String>, StoreError>;

    /// The indexes deferred and not yet built, by name.
    async fn deferred_indexes(&self) -> Result<Vec<String>, StoreError>;

    /// Builds the deferred index `name` and forgets it (nothing if it is
    /// not deferred). Writes wait while it builds.
    async fn build_deferred_index(&self, name: &str) -> Result<(), StoreError>;

    /// Finishes pending writes and closes the database cleanly.
    async fn close(&self) -> Result<(), StoreError>;
}
