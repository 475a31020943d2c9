//! The SQLite side of a reindex ([`crate::reindex`]): live resources are
//! read from a read connection, and the writer thread replaces their rows.

use super::SqliteStore;
use crate::reindex::{FreshEntries, LiveResource, ReindexSource};
use crate::{ResourceKey, StoreError};
use async_trait::async_trait;
use rusqlite::{Connection, params};

/// Resources read, extracted and written per step.
const CHUNK: i64 = 500;

#[async_trait]
impl ReindexSource for SqliteStore {
    async fn count_live(&self, resource_type: Option<String>) -> Result<u64, StoreError> {
        self.readers
            .with(|conn| count(conn, resource_type.as_deref()))
    }

    async fn read_chunk(
        &self,
        resource_type: Option<String>,
        after: i64,
    ) -> Result<Vec<LiveResource>, StoreError> {
        self.readers
            .with(|conn| read_chunk(conn, resource_type.as_deref(), after))
    }

    async fn replace(&self, rows: Vec<FreshEntries>) -> Result<u64, StoreError> {
        self.writer.reindex(rows).await
    }
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
) -> Result<Vec<LiveResource>, StoreError> {
    const COLUMNS: &str = "r.rid, r.seq, r.resource_type, r.id, r.patient_key, v.body \
        FROM resource r JOIN resource_version v ON v.seq = r.seq";
    let map = |row: &rusqlite::Row<'_>| {
        Ok(LiveResource {
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
