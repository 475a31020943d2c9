//! Read queries and the pool of read connections.

use crate::{
    HistoryPage, HistoryQuery, HistoryScope, Instant, ResourceKey, StoreError, StoredVersion,
    WriteMethod,
};
use bytes::Bytes;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params};
use std::path::PathBuf;
use std::sync::Mutex;

/// Idle read-only connections, opened on demand and reused.
pub(crate) struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl ReadPool {
    pub(crate) fn new(path: PathBuf) -> ReadPool {
        ReadPool {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` on a pooled connection.
    pub(crate) fn with<R>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let pooled = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => self.open()?,
        };
        let result = f(&conn);
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(conn);
        result
    }

    /// A new read-only connection (not pooled).
    pub(crate) fn open(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        super::keep_plans_stable(&conn)?;
        // Searches bind id and rid lists as one parameter (`rarray`), and
        // their statements vary by shape: keep more of them prepared.
        rusqlite::vtab::array::load_module(&conn)?;
        conn.set_prepared_statement_cache_capacity(256);
        // Readers map the whole database: a page is read where the kernel
        // keeps it, shared by every connection, instead of being copied into
        // each connection's page cache by a read(2). On a store larger than
        // the mapping, those copies were a third of a search's CPU. Pages
        // still in the WAL are read from the WAL, through the page cache.
        conn.execute_batch("PRAGMA cache_size=-65536;")?;
        conn.execute_batch(super::MAP_WHOLE_FILE)?;
        Ok(conn)
    }
}

pub(crate) const VERSION_COLUMNS: &str = "v.resource_type, v.id, v.version, v.last_updated, v.method, \
     v.body, v.patient_key, v.author_org, v.seq";

/// Maps a row selected with [`VERSION_COLUMNS`].
pub(crate) fn version_from_row(row: &Row<'_>) -> rusqlite::Result<(StoredVersion, i64)> {
    let method_code: i64 = row.get(4)?;
    let method = WriteMethod::from_code(method_code).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            4,
            rusqlite::types::Type::Integer,
            format!("unknown write method {method_code}").into(),
        )
    })?;
    let body: Option<Vec<u8>> = row.get(5)?;
    Ok((
        StoredVersion {
            key: ResourceKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
            version: row.get(2)?,
            last_updated: Instant::from_millis(row.get(3)?),
            method,
            body: body.map(Bytes::from).unwrap_or_default(),
            patient_key: row.get(6)?,
            author_org: row.get(7)?,
        },
        row.get(8)?,
    ))
}

pub(crate) fn referenced_by(
    conn: &Connection,
    sources: &[ResourceKey],
    target_types: &[&str],
) -> Result<Vec<ResourceKey>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT x.target_type, x.target_id FROM resource r \
         JOIN idx_reference x ON x.rid = r.rid \
         WHERE r.resource_type = ?1 AND r.id = ?2 \
         AND x.target_type IS NOT NULL AND x.target_id IS NOT NULL \
         UNION ALL \
         SELECT l.target_type, l.target_id FROM resource r \
         JOIN resource_link l ON l.source_rid = r.rid \
         WHERE r.resource_type = ?1 AND r.id = ?2",
    )?;
    let mut found = std::collections::BTreeSet::new();
    for source in sources {
        let mut rows = statement.query(params![source.resource_type, source.id])?;
        while let Some(row) = rows.next()? {
            let target_type: String = row.get(0)?;
            if target_types.contains(&target_type.as_str()) {
                found.insert(ResourceKey::new(target_type, row.get::<_, String>(1)?));
            }
        }
    }
    Ok(found.into_iter().collect())
}

pub(crate) fn current(
    conn: &Connection,
    key: &ResourceKey,
) -> Result<Option<StoredVersion>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {VERSION_COLUMNS} FROM resource r JOIN resource_version v ON v.seq = r.seq \
         WHERE r.resource_type = ?1 AND r.id = ?2"
    ))?;
    let found = stmt
        .query_row(params![key.resource_type, key.id], version_from_row)
        .optional()?;
    Ok(found.map(|(version, _)| version))
}

pub(crate) fn version(
    conn: &Connection,
    key: &ResourceKey,
    version: i64,
) -> Result<Option<StoredVersion>, StoreError> {
    let mut stmt = conn.prepare_cached(&one_version_sql())?;
    let found = stmt
        .query_row(
            params![key.resource_type, key.id, version],
            version_from_row,
        )
        .optional()?;
    Ok(found.map(|(version, _)| version))
}

/// Version `?3` of resource `?1/?2`, its rid found by the head row.
fn one_version_sql() -> String {
    format!(
        "SELECT {VERSION_COLUMNS} FROM resource_version v \
         WHERE v.rid = (SELECT rid FROM resource WHERE resource_type = ?1 AND id = ?2) \
         AND v.version = ?3"
    )
}

/// The versions of resource `?4/?5`, its rid found by the head row.
const INSTANCE_HISTORY: &str =
    "v.rid = (SELECT rid FROM resource WHERE resource_type = ?4 AND id = ?5)";

/// A page of history: versions in `scope_filter`, seq in `[?1, ?2)`, newest
/// first, at most `?3`.
fn history_sql(scope_filter: &str) -> String {
    format!(
        "SELECT {VERSION_COLUMNS} FROM resource_version v \
         WHERE {scope_filter} AND v.seq >= ?1 AND v.seq < ?2 ORDER BY v.seq DESC LIMIT ?3"
    )
}

pub(crate) fn history(conn: &Connection, query: &HistoryQuery) -> Result<HistoryPage, StoreError> {
    // lastUpdated never decreases as seq grows (the writer keeps its clock
    // monotonic), so `_since` becomes a lower bound on seq found by index.
    let min_seq: i64 = match query.since {
        Some(since) => conn
            .prepare_cached(
                "SELECT COALESCE(MIN(seq), 9223372036854775807) FROM resource_version \
                 WHERE last_updated >= ?1",
            )?
            .query_row(params![since.millis()], |row| row.get(0))?,
        None => 0,
    };
    let before_seq = query.cursor.unwrap_or(i64::MAX);
    let limit = i64::try_from(query.count)
        .unwrap_or(i64::MAX)
        .saturating_add(1);
    let (scope_filter, type_param, id_param) = match &query.scope {
        HistoryScope::System => ("1 = 1", None, None),
        HistoryScope::Type(resource_type) => ("v.resource_type = ?4", Some(resource_type), None),
        HistoryScope::Instance(key) => (INSTANCE_HISTORY, Some(&key.resource_type), Some(&key.id)),
    };
    let mut stmt = conn.prepare_cached(&history_sql(scope_filter))?;
    let mut rows = match (type_param, id_param) {
        (Some(t), Some(i)) => stmt.query(params![min_seq, before_seq, limit, t, i])?,
        (Some(t), None) => stmt.query(params![min_seq, before_seq, limit, t])?,
        _ => stmt.query(params![min_seq, before_seq, limit])?,
    };
    let mut entries = Vec::new();
    let mut next_cursor = None;
    while let Some(row) = rows.next()? {
        let (version, seq) = version_from_row(row)?;
        if entries.len() == query.count {
            next_cursor = entries.last().map(|_| seq + 1);
            break;
        }
        entries.push(version);
    }
    let total = if query.with_total {
        let count_sql =
            format!("SELECT COUNT(*) FROM resource_version v WHERE {scope_filter} AND v.seq >= ?1");
        let mut stmt = conn.prepare_cached(&count_sql)?;
        let count: i64 = match (type_param, id_param) {
            (Some(t), Some(i)) => stmt.query_row(
                rusqlite::named_params! {"?1": min_seq, "?4": t, "?5": i},
                |r| r.get(0),
            )?,
            (Some(t), None) => stmt
                .query_row(rusqlite::named_params! {"?1": min_seq, "?4": t}, |r| {
                    r.get(0)
                })?,
            _ => stmt.query_row(params![min_seq], |r| r.get(0))?,
        };
        Some(u64::try_from(count).unwrap_or(0))
    } else {
        None
    };
    Ok(HistoryPage {
        entries,
        next_cursor,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A resource's versions are found through (rid, version), never by
    /// walking every version in seq order.
    #[test]
    fn one_resource_s_versions_are_found_by_its_rid() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("tessera.db")).unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        for sql in [one_version_sql(), history_sql(INSTANCE_HISTORY)] {
            let mut explain = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let unbound = vec![rusqlite::types::Null; explain.parameter_count()];
            let plan: Vec<String> = explain
                .query_map(rusqlite::params_from_iter(unbound), |row| row.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let plan = plan.join("\n");
            assert!(
                plan.contains("resource_version_by_rid (rid=?"),
                "{sql}\n{plan}"
            );
        }
    }
}
