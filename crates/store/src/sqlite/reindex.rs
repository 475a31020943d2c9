//! Rebuilding the search index from stored resources (after a change to the
//! search-parameter definitions or their extraction).
//!
//! Resources are read in rid order in chunks from a read connection, their
//! entries extracted on the caller's thread (the costly part, kept out of
//! the writer), and each chunk is handed to the writer, which replaces the
//! rows of every resource whose head is still the version that was read. A
//! resource written meanwhile was indexed by that write, so concurrent
//! traffic never sees stale or missing rows from a reindex.

use super::SqliteStore;
use super::writer::ReindexRow;
use crate::{IndexExtractor, ReindexProgress, ResourceKey, StoreError};
use rusqlite::{Connection, params};

/// Resources read, extracted and written per step.
const CHUNK: i64 = 500;

/// One live resource as read for reindexing.
struct Stored {
    rid: i64,
    seq: i64,
    key: ResourceKey,
    patient_key: Option<String>,
    body: Vec<u8>,
}

pub(crate) async fn reindex(
    store: &SqliteStore,
    types: &[String],
    extract: &IndexExtractor,
    progress: &mut (dyn FnMut(ReindexProgress) + Send),
) -> Result<ReindexProgress, StoreError> {
    let scopes: Vec<Option<&str>> = if types.is_empty() {
        vec![None]
    } else {
        types.iter().map(|t| Some(t.as_str())).collect()
    };
    let mut state = ReindexProgress {
        done: 0,
        total: 0,
        replaced: 0,
    };
    for scope in &scopes {
        state.total += store.readers.with(|conn| count(conn, *scope))?;
    }
    progress(state);
    for scope in scopes {
        let mut after = 0;
        loop {
            let chunk = store.readers.with(|conn| read_chunk(conn, scope, after))?;
            let Some(last) = chunk.last() else { break };
            after = last.rid;
            let mut rows = Vec::with_capacity(chunk.len());
            for stored in chunk {
                let resource: serde_json::Value =
                    serde_json::from_slice(&stored.body).map_err(|e| StoreError::Corrupt {
                        key: stored.key.clone(),
                        reason: e.to_string(),
                    })?;
                let entries = extract(&stored.key, &resource);
                rows.push(ReindexRow {
                    rid: stored.rid,
                    seq: stored.seq,
                    resource_type: stored.key.resource_type,
                    patient_key: stored.patient_key,
                    entries,
                });
            }
            let read = rows.len() as u64;
            state.replaced += store.writer.reindex(rows).await?;
            state.done += read;
            progress(state);
        }
    }
    Ok(state)
}

fn count(conn: &Connection, resource_type: Option<&str>) -> Result<u64, StoreError> {
    let n: i64 = match resource_type {
        Some(t) => conn
            .prepare_cached(
                "SELECT COUNT(*) FROM resource WHERE resource_type = ?1 AND deleted = 0",
            )?
            .query_row([t], |row| row.get(0))?,
        None => conn
            .prepare_cached("SELECT COUNT(*) FROM resource WHERE deleted = 0")?
            .query_row([], |row| row.get(0))?,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

fn read_chunk(
    conn: &Connection,
    resource_type: Option<&str>,
    after: i64,
) -> Result<Vec<Stored>, StoreError> {
    const COLUMNS: &str = "r.rid, r.seq, r.resource_type, r.id, r.patient_key, v.body \
        FROM resource r JOIN resource_version v ON v.seq = r.seq";
    let map = |row: &rusqlite::Row<'_>| {
        Ok(Stored {
            rid: row.get(0)?,
            seq: row.get(1)?,
            key: ResourceKey::new(row.get::<_, String>(2)?, row.get::<_, String>(3)?),
            patient_key: row.get(4)?,
            body: row.get::<_, Option<Vec<u8>>>(5)?.unwrap_or_default(),
        })
    };
    let rows = match resource_type {
        Some(t) => conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} WHERE r.resource_type = ?1 AND r.rid > ?2 AND r.deleted = 0 \
                 ORDER BY r.rid LIMIT ?3"
            ))?
            .query_map(params![t, after, CHUNK], map)?
            .collect::<Result<Vec<_>, _>>()?,
        None => conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} WHERE r.rid > ?1 AND r.deleted = 0 ORDER BY r.rid LIMIT ?2"
            ))?
            .query_map(params![after, CHUNK], map)?
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(rows)
}
