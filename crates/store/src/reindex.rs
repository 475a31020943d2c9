//! Rebuilding the search index from stored resources (after a change to the
//! search-parameter definitions or their extraction), for every backend.
//!
//! Live resources are read in rid order in chunks, their entries extracted
//! on the caller's thread (the costly part, kept off the write path), and
//! each chunk handed back to the backend, which replaces the rows of every
//! resource whose head is still the version that was read. A resource
//! written meanwhile was indexed by that write, so concurrent traffic never
//! sees stale or missing rows from a reindex. A backend supplies the three
//! steps ([`ReindexSource`]).

use crate::{IndexExtractor, ReindexProgress, ResourceKey, StoreError};
use async_trait::async_trait;

/// One live resource as read for reindexing.
pub(crate) struct LiveResource {
    pub(crate) rid: i64,
    pub(crate) seq: i64,
    pub(crate) key: ResourceKey,
    pub(crate) patient_key: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// The fresh index entries of one resource, as read at `seq`.
pub(crate) struct FreshEntries {
    pub(crate) rid: i64,
    pub(crate) seq: i64,
    pub(crate) resource_type: String,
    pub(crate) patient_key: Option<String>,
    pub(crate) entries: Vec<tessera_fhir::search::IndexEntry>,
}

/// What a backend does for a reindex.
#[async_trait]
pub(crate) trait ReindexSource: Sync {
    /// Live resources of `resource_type` (every type when `None`).
    async fn count_live(&self, resource_type: Option<String>) -> Result<u64, StoreError>;
    /// Up to one chunk of live resources with a rid above `after`, in rid order.
    async fn read_chunk(
        &self,
        resource_type: Option<String>,
        after: i64,
    ) -> Result<Vec<LiveResource>, StoreError>;
    /// Replaces the rows of each resource still at the version read;
    /// returns how many were replaced.
    async fn replace(&self, rows: Vec<FreshEntries>) -> Result<u64, StoreError>;
}

pub(crate) async fn reindex(
    source: &impl ReindexSource,
    types: &[String],
    extract: &IndexExtractor,
    progress: &mut (dyn FnMut(ReindexProgress) + Send),
) -> Result<ReindexProgress, StoreError> {
    let scopes: Vec<Option<String>> = if types.is_empty() {
        vec![None]
    } else {
        types.iter().cloned().map(Some).collect()
    };
    let mut state = ReindexProgress::default();
    for scope in &scopes {
        state.total += source.count_live(scope.clone()).await?;
    }
    progress(state);
    for scope in scopes {
        let mut after = 0;
        loop {
            let chunk = source.read_chunk(scope.clone(), after).await?;
            let Some(last) = chunk.last() else { break };
            after = last.rid;
            let mut rows = Vec::with_capacity(chunk.len());
            for live in chunk {
                let resource: serde_json::Value =
                    serde_json::from_slice(&live.body).map_err(|e| StoreError::Corrupt {
                        key: live.key.clone(),
                        reason: e.to_string(),
                    })?;
                let entries = extract(&live.key, &resource);
                rows.push(FreshEntries {
                    rid: live.rid,
                    seq: live.seq,
                    resource_type: live.key.resource_type,
                    patient_key: live.patient_key,
                    entries,
                });
            }
            let read = rows.len() as u64;
            state.replaced += source.replace(rows).await?;
            state.done += read;
            progress(state);
        }
    }
    Ok(state)
}
