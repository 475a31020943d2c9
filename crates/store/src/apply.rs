//! The rules of a [`WriteBatch`], the same for every backend: a create
//! needs a free id, `If-Match` must name the current version, a deletion of
//! a deleted resource changes nothing, a resource that live resources refer
//! to cannot be deleted, and every stored version replaces the head row,
//! the link rows and the index rows of its resource. A restored version
//! (copy, restore) skips every rule but one: it must follow its resource's
//! head, so a version stream replays into the same history.
//!
//! A backend supplies the primitive reads and writes ([`VersionWriter`]),
//! run inside the one transaction that holds the batch.

use crate::document::{UnstampedBody, stamp};
use crate::{
    Instant, ResourceKey, RowKeys, StoreError, StoredVersion, WriteBatch, WriteMethod, WriteOp,
    WriteOutcome,
};
use bytes::Bytes;
use tessera_fhir::search::{IndexEntry, IndexValue};

/// How many referrers a refused delete names.
pub(crate) const REFERRERS_REPORTED: i64 = 10;

/// The head row of a resource, as a write needs it.
#[derive(Clone, Copy)]
pub(crate) struct Head {
    pub(crate) version: i64,
    pub(crate) deleted: bool,
}

/// A version row to insert.
pub(crate) struct NewVersion<'a> {
    pub(crate) key: &'a ResourceKey,
    pub(crate) version: i64,
    pub(crate) last_updated: i64,
    pub(crate) method: WriteMethod,
    /// `None` for a deletion.
    pub(crate) body: Option<&'a [u8]>,
    pub(crate) keys: &'a RowKeys,
}

/// The statements a write is made of, inside the transaction holding the
/// batch.
pub(crate) trait VersionWriter {
    /// Reads (and locks) the heads of all of `keys` at once, for the
    /// [`head`](VersionWriter::head) calls that follow; backends where a
    /// statement costs a round trip do.
    fn prefetch_heads(&mut self, _keys: &[&ResourceKey]) -> Result<(), StoreError> {
        Ok(())
    }
    /// The head of `key`; backends with concurrent writers lock it until
    /// the transaction ends.
    fn head(&mut self, key: &ResourceKey) -> Result<Option<Head>, StoreError>;
    /// The current version of `key`.
    fn current(&mut self, key: &ResourceKey) -> Result<Option<StoredVersion>, StoreError>;
    /// The patient and organisation keys of the head of `key`.
    fn head_keys(
        &mut self,
        key: &ResourceKey,
    ) -> Result<(Option<String>, Option<String>), StoreError>;
    /// Live resources (other than `key`) whose current version refers to
    /// `key`, at most [`REFERRERS_REPORTED`].
    fn referrers(&mut self, key: &ResourceKey) -> Result<Vec<ResourceKey>, StoreError>;
    /// Inserts a version row and makes it the head of its resource; returns
    /// the resource's rid (kept from the first version).
    fn insert_head_version(&mut self, version: &NewVersion<'_>) -> Result<i64, StoreError>;
    /// Makes the link rows of `key` (whose rid is `rid`) exactly
    /// `references`.
    fn replace_links(
        &mut self,
        rid: i64,
        key: &ResourceKey,
        patient_key: Option<&str>,
        references: &[ResourceKey],
        first_version: bool,
    ) -> Result<(), StoreError>;
    /// Makes the index rows of `rid` exactly `entries`; `fresh` says it has
    /// none yet.
    fn replace_index(
        &mut self,
        rid: i64,
        resource_type: &str,
        patient_key: Option<&str>,
        entries: &[IndexEntry],
        fresh: bool,
    ) -> Result<(), StoreError>;
}

/// Applies `batch` through `writer`, taking each version's `lastUpdated`
/// from `now`.
pub(crate) fn apply_batch(
    writer: &mut impl VersionWriter,
    now: &mut dyn FnMut() -> Instant,
    batch: WriteBatch,
) -> Result<Vec<WriteOutcome>, StoreError> {
    let mut outcomes = Vec::with_capacity(batch.ops.len());
    let keys: Vec<&ResourceKey> = batch.ops.iter().map(WriteOp::key).collect();
    writer.prefetch_heads(&keys)?;
    for op in batch.ops {
        let outcome = match op {
            WriteOp::Create {
                key,
                resource,
                keys,
            } => {
                if writer.head(&key)?.is_some() {
                    return Err(StoreError::AlreadyExists(key));
                }
                let version = store_version(
                    writer,
                    now,
                    key,
                    1,
                    WriteMethod::Create,
                    Some(resource),
                    keys,
                )?;
                WriteOutcome::Stored {
                    version,
                    created: true,
                }
            }
            WriteOp::Update {
                key,
                resource,
                keys,
                if_match,
            } => {
                let head = writer.head(&key)?;
                check_if_match(&key, if_match, head.as_ref())?;
                let created = head.as_ref().is_none_or(|h| h.deleted);
                let next = head.map_or(1, |h| h.version + 1);
                let version = store_version(
                    writer,
                    now,
                    key,
                    next,
                    WriteMethod::Update,
                    Some(resource),
                    keys,
                )?;
                WriteOutcome::Stored { version, created }
            }
            WriteOp::Restore {
                version,
                references,
                index,
            } => restore(writer, version, references, index)?,
            WriteOp::Delete { key, if_match } => {
                let Some(head) = writer.head(&key)? else {
                    return Err(StoreError::NotFound(key));
                };
                check_if_match(&key, if_match, Some(&head))?;
                if head.deleted {
                    let version = writer
                        .current(&key)?
                        .ok_or_else(|| StoreError::NotFound(key.clone()))?;
                    WriteOutcome::AlreadyDeleted { version }
                } else {
                    let referrers = writer.referrers(&key)?;
                    if !referrers.is_empty() {
                        return Err(StoreError::StillReferenced { key, referrers });
                    }
                    // The deletion keeps the patient and organisation of the
                    // version it ends, so it stays inside the same
                    // compartment; it holds no references.
                    let (patient_key, author_org) = writer.head_keys(&key)?;
                    let keys = RowKeys {
                        patient_key,
                        author_org,
                        references: Vec::new(),
                        index: Vec::new(),
                    };
                    let version = store_version(
                        writer,
                        now,
                        key,
                        head.version + 1,
                        WriteMethod::Delete,
                        None,
                        keys,
                    )?;
                    WriteOutcome::Stored {
                        version,
                        created: false,
                    }
                }
            }
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

fn check_if_match(
    key: &ResourceKey,
    if_match: Option<i64>,
    head: Option<&Head>,
) -> Result<(), StoreError> {
    match (if_match, head) {
        (Some(expected), Some(head)) if head.version == expected => Ok(()),
        (Some(expected), current) => Err(StoreError::VersionConflict {
            key: key.clone(),
            expected,
            current: current.map(|h| h.version),
        }),
        (None, _) => Ok(()),
    }
}

/// Stores version `version` of `key`: a resource, or a deletion when `resource` is `None`.
fn store_version(
    writer: &mut impl VersionWriter,
    now: &mut dyn FnMut() -> Instant,
    key: ResourceKey,
    version: i64,
    method: WriteMethod,
    resource: Option<UnstampedBody>,
    keys: RowKeys,
) -> Result<StoredVersion, StoreError> {
    let last_updated = now();
    let body = resource
        .map(|resource| stamp(&key, version, last_updated, &resource))
        .transpose()?;
    put_version(
        writer,
        &NewVersion {
            key: &key,
            version,
            last_updated: last_updated.millis(),
            method,
            body: body.as_deref(),
            keys: &keys,
        },
    )?;
    Ok(StoredVersion {
        key,
        version,
        last_updated,
        method,
        body: body.map(Bytes::from).unwrap_or_default(),
        patient_key: keys.patient_key,
        author_org: keys.author_org,
    })
}

/// Stores a version exactly as given, after its resource's head.
fn restore(
    writer: &mut impl VersionWriter,
    version: StoredVersion,
    references: Vec<ResourceKey>,
    index: Vec<IndexEntry>,
) -> Result<WriteOutcome, StoreError> {
    let head = writer.head(&version.key)?;
    if version.version != head.as_ref().map_or(0, |h| h.version) + 1 {
        return Err(StoreError::RestoreOutOfOrder {
            key: version.key,
            version: version.version,
            current: head.map(|h| h.version),
        });
    }
    let created = !version.is_deleted() && head.is_none_or(|h| h.deleted);
    let keys = RowKeys {
        patient_key: version.patient_key.clone(),
        author_org: version.author_org.clone(),
        references,
        index,
    };
    put_version(
        writer,
        &NewVersion {
            key: &version.key,
            version: version.version,
            last_updated: version.last_updated.millis(),
            method: version.method,
            body: (!version.is_deleted()).then_some(&version.body[..]),
            keys: &keys,
        },
    )?;
    Ok(WriteOutcome::Stored { version, created })
}

/// Inserts `row` and makes it its resource's head, with its links and index
/// rows.
fn put_version(writer: &mut impl VersionWriter, row: &NewVersion<'_>) -> Result<(), StoreError> {
    let rid = writer.insert_head_version(row)?;
    let first = row.version == 1;
    writer.replace_links(
        rid,
        row.key,
        row.keys.patient_key.as_deref(),
        &unindexed_references(&row.keys.references, &row.keys.index),
        first,
    )?;
    // A deletion carries no entries, so this also empties a deleted
    // resource's rows: it can never match a search.
    writer.replace_index(
        rid,
        &row.key.resource_type,
        row.keys.patient_key.as_deref(),
        &row.keys.index,
        first,
    )
}

/// The link rows of a version: its local references that none of its
/// reference index rows names. "Who refers to X" (a delete's check,
/// `$everything`) reads `idx_reference` by target and `resource_link`
/// together, so a reference a search parameter indexes is not stored twice
/// (of the 4.26 million link rows of a million generated resources, all but
/// 124,000 were such duplicates); the links keep the rest, such as references inside
/// extensions, which no parameter indexes.
pub(crate) fn unindexed_references(
    references: &[ResourceKey],
    index: &[IndexEntry],
) -> Vec<ResourceKey> {
    let indexed = |target: &ResourceKey| {
        index.iter().any(|entry| {
            matches!(
                &entry.value,
                IndexValue::Reference {
                    target_type: Some(resource_type),
                    id: Some(id),
                    ..
                } if *resource_type == target.resource_type && *id == target.id
            )
        })
    };
    references
        .iter()
        .filter(|target| !indexed(target))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::unindexed_references;
    use crate::ResourceKey;
    use tessera_fhir::search::{IndexEntry, IndexValue};

    fn reference(resource_type: &str, id: &str) -> IndexEntry {
        IndexEntry {
            param: "subject".into(),
            value: IndexValue::Reference {
                target_type: Some(resource_type.into()),
                id: Some(id.into()),
                url: None,
                version: None,
                identifier: None,
            },
        }
    }

    #[test]
    fn links_keep_only_the_references_no_index_row_names() {
        let references = vec![
            ResourceKey::new("Patient", "p1"),
            ResourceKey::new("Practitioner", "d1"),
            ResourceKey::new("Organization", "o1"),
        ];
        let index = vec![
            reference("Patient", "p1"),
            // Same id, another type: not the same target.
            reference("Practitioner", "o1"),
            IndexEntry {
                param: "code".into(),
                value: IndexValue::Token {
                    system: None,
                    code: Some("d1".into()),
                    text: None,
                    of_type: None,
                },
            },
        ];
        assert_eq!(
            unindexed_references(&references, &index),
            vec![
                ResourceKey::new("Practitioner", "d1"),
                ResourceKey::new("Organization", "o1"),
            ]
        );
        assert!(unindexed_references(&[], &index).is_empty());
    }
}
