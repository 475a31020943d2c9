//! Applying one [`WriteBatch`] inside the writer's open transaction.

use crate::clock::MonotonicClock;
use crate::document::stamp;
use crate::{
    ResourceKey, RowKeys, StoreError, StoredVersion, WriteBatch, WriteMethod, WriteOp, WriteOutcome,
};
use bytes::Bytes;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

/// How many referrers a refused delete names.
const REFERRERS_REPORTED: i64 = 10;

/// The head row of a resource, as the writer needs it.
struct Head {
    version: i64,
    deleted: bool,
}

pub(crate) fn apply_batch(
    conn: &Connection,
    clock: &mut MonotonicClock,
    batch: WriteBatch,
) -> Result<Vec<WriteOutcome>, StoreError> {
    let mut outcomes = Vec::with_capacity(batch.ops.len());
    for op in batch.ops {
        let outcome = match op {
            WriteOp::Create {
                key,
                resource,
                keys,
            } => {
                if head(conn, &key)?.is_some() {
                    return Err(StoreError::AlreadyExists(key));
                }
                let version = store_version(
                    conn,
                    clock,
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
                let head = head(conn, &key)?;
                check_if_match(&key, if_match, head.as_ref())?;
                let created = head.as_ref().is_none_or(|h| h.deleted);
                let next = head.map_or(1, |h| h.version + 1);
                let version = store_version(
                    conn,
                    clock,
                    key,
                    next,
                    WriteMethod::Update,
                    Some(resource),
                    keys,
                )?;
                WriteOutcome::Stored { version, created }
            }
            WriteOp::Delete { key, if_match } => {
                let Some(head) = head(conn, &key)? else {
                    return Err(StoreError::NotFound(key));
                };
                check_if_match(&key, if_match, Some(&head))?;
                if head.deleted {
                    let version = super::reads::current(conn, &key)?
                        .ok_or_else(|| StoreError::NotFound(key.clone()))?;
                    WriteOutcome::AlreadyDeleted { version }
                } else {
                    let referrers = referrers(conn, &key)?;
                    if !referrers.is_empty() {
                        return Err(StoreError::StillReferenced { key, referrers });
                    }
                    let version = store_deletion(conn, clock, key, head.version + 1)?;
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

fn head(conn: &Connection, key: &ResourceKey) -> Result<Option<Head>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT version, deleted FROM resource WHERE resource_type = ?1 AND id = ?2",
    )?;
    Ok(stmt
        .query_row(params![key.resource_type, key.id], |row| {
            Ok(Head {
                version: row.get(0)?,
                deleted: row.get(1)?,
            })
        })
        .optional()?)
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
    conn: &Connection,
    clock: &mut MonotonicClock,
    key: ResourceKey,
    version: i64,
    method: WriteMethod,
    resource: Option<Map<String, Value>>,
    keys: RowKeys,
) -> Result<StoredVersion, StoreError> {
    let last_updated = clock.now();
    let body = resource
        .map(|resource| stamp(&key, version, last_updated, resource))
        .transpose()?;
    let millis = last_updated.millis();
    let seq = insert_version(conn, &key, version, millis, method, body.as_deref(), &keys)?;
    let rid = upsert_head(conn, &key, version, seq, body.is_none(), millis, &keys)?;
    replace_links(conn, &key, &keys, version == 1)?;
    // A deletion carries no entries, so this also empties a deleted
    // resource's rows: it can never match a search.
    super::index_rows::replace(
        conn,
        rid,
        &key.resource_type,
        keys.patient_key.as_deref(),
        &keys.index,
        version == 1,
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

fn store_deletion(
    conn: &Connection,
    clock: &mut MonotonicClock,
    key: ResourceKey,
    version: i64,
) -> Result<StoredVersion, StoreError> {
    // The deletion keeps the patient and organisation of the version it ends,
    // so it stays inside the same compartment; it holds no references.
    let mut stmt = conn.prepare_cached(
        "SELECT patient_key, author_org FROM resource WHERE resource_type = ?1 AND id = ?2",
    )?;
    let (patient_key, author_org) = stmt.query_row(params![key.resource_type, key.id], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })?;
    let keys = RowKeys {
        patient_key,
        author_org,
        references: Vec::new(),
        index: Vec::new(),
    };
    store_version(conn, clock, key, version, WriteMethod::Delete, None, keys)
}

fn insert_version(
    conn: &Connection,
    key: &ResourceKey,
    version: i64,
    last_updated: i64,
    method: WriteMethod,
    body: Option<&[u8]>,
    keys: &RowKeys,
) -> Result<i64, StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO resource_version \
         (resource_type, id, version, last_updated, method, patient_key, author_org, body) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    stmt.execute(params![
        key.resource_type,
        key.id,
        version,
        last_updated,
        method.code(),
        keys.patient_key,
        keys.author_org,
        body
    ])?;
    Ok(conn.last_insert_rowid())
}

#[allow(clippy::too_many_arguments)]
fn upsert_head(
    conn: &Connection,
    key: &ResourceKey,
    version: i64,
    seq: i64,
    deleted: bool,
    last_updated: i64,
    keys: &RowKeys,
) -> Result<i64, StoreError> {
    // The upsert keeps the row (and its rid) of an existing resource.
    let mut stmt = conn.prepare_cached(
        "INSERT INTO resource \
         (resource_type, id, version, seq, deleted, last_updated, patient_key, author_org) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT (resource_type, id) DO UPDATE SET version = excluded.version, \
         seq = excluded.seq, deleted = excluded.deleted, last_updated = excluded.last_updated, \
         patient_key = excluded.patient_key, author_org = excluded.author_org RETURNING rid",
    )?;
    let rid = stmt.query_row(
        params![
            key.resource_type,
            key.id,
            version,
            seq,
            deleted,
            last_updated,
            keys.patient_key,
            keys.author_org
        ],
        |row| row.get(0),
    )?;
    Ok(rid)
}

/// Makes the link rows of `key` exactly `keys.references`.
fn replace_links(
    conn: &Connection,
    key: &ResourceKey,
    keys: &RowKeys,
    first_version: bool,
) -> Result<(), StoreError> {
    if !first_version {
        conn.prepare_cached("DELETE FROM resource_link WHERE source_type = ?1 AND source_id = ?2")?
            .execute(params![key.resource_type, key.id])?;
    }
    if keys.references.is_empty() {
        return Ok(());
    }
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO resource_link \
         (target_type, target_id, source_type, source_id, patient_key) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for target in &keys.references {
        insert.execute(params![
            target.resource_type,
            target.id,
            key.resource_type,
            key.id,
            keys.patient_key
        ])?;
    }
    Ok(())
}

/// Live resources (other than `key` itself) whose current version refers to `key`.
fn referrers(conn: &Connection, key: &ResourceKey) -> Result<Vec<ResourceKey>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT source_type, source_id FROM resource_link \
         WHERE target_type = ?1 AND target_id = ?2 \
         AND NOT (source_type = ?1 AND source_id = ?2) LIMIT ?3",
    )?;
    let rows = stmt.query_map(
        params![key.resource_type, key.id, REFERRERS_REPORTED],
        |row| {
            Ok(ResourceKey::new(
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
            ))
        },
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
