//! The SQLite statements behind [`crate::apply`], run on the writer's
//! connection inside its open transaction.

use crate::apply::{Head, NewVersion, REFERRERS_REPORTED, VersionWriter};
use crate::{ResourceKey, StoreError, StoredVersion};
use rusqlite::{Connection, OptionalExtension, params};
use tessera_fhir::search::IndexEntry;

/// The writer connection, seen as a [`VersionWriter`].
pub(crate) struct SqliteWriter<'c>(pub(crate) &'c Connection);

impl VersionWriter for SqliteWriter<'_> {
    fn head(&mut self, key: &ResourceKey) -> Result<Option<Head>, StoreError> {
        let mut stmt = self.0.prepare_cached(
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

    fn current(&mut self, key: &ResourceKey) -> Result<Option<StoredVersion>, StoreError> {
        super::reads::current(self.0, key)
    }

    fn head_keys(
        &mut self,
        key: &ResourceKey,
    ) -> Result<(Option<String>, Option<String>), StoreError> {
        let mut stmt = self.0.prepare_cached(
            "SELECT patient_key, author_org FROM resource WHERE resource_type = ?1 AND id = ?2",
        )?;
        Ok(stmt.query_row(params![key.resource_type, key.id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?)
    }

    fn referrers(&mut self, key: &ResourceKey) -> Result<Vec<ResourceKey>, StoreError> {
        let mut stmt = self.0.prepare_cached(
            "SELECT r.resource_type, r.id FROM resource r WHERE r.rid IN ( \
               SELECT x.rid FROM idx_reference x WHERE x.target_id = ?2 AND x.target_type = ?1 \
               UNION ALL \
               SELECT l.source_rid FROM resource_link l \
               WHERE l.target_type = ?1 AND l.target_id = ?2) \
             AND NOT (r.resource_type = ?1 AND r.id = ?2) LIMIT ?3",
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

    fn insert_head_version(&mut self, v: &NewVersion<'_>) -> Result<i64, StoreError> {
        // The head first, so the version row can carry its rid.
        let (rid, seq) = self.set_head(v)?;
        self.insert_version(v, rid, seq)?;
        Ok(rid)
    }

    fn replace_links(
        &mut self,
        rid: i64,
        _key: &ResourceKey,
        patient_key: Option<&str>,
        references: &[ResourceKey],
        first_version: bool,
    ) -> Result<(), StoreError> {
        if !first_version {
            self.0
                .prepare_cached("DELETE FROM resource_link WHERE source_rid = ?1")?
                .execute([rid])?;
        }
        if references.is_empty() {
            return Ok(());
        }
        let mut insert = self.0.prepare_cached(
            "INSERT OR IGNORE INTO resource_link \
             (source_rid, target_type, target_id, patient_key) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for target in references {
            insert.execute(params![rid, target.resource_type, target.id, patient_key])?;
        }
        Ok(())
    }

    fn replace_index(
        &mut self,
        rid: i64,
        resource_type: &str,
        patient_key: Option<&str>,
        entries: &[IndexEntry],
        fresh: bool,
    ) -> Result<(), StoreError> {
        super::index_rows::replace(self.0, rid, resource_type, patient_key, entries, fresh)
    }
}

impl SqliteWriter<'_> {
    fn insert_version(&mut self, v: &NewVersion<'_>, rid: i64, seq: i64) -> Result<(), StoreError> {
        let mut stmt = self.0.prepare_cached(
            "INSERT INTO resource_version \
             (seq, rid, resource_type, id, version, last_updated, method, patient_key, author_org, \
             body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        stmt.execute(params![
            seq,
            rid,
            v.key.resource_type,
            v.key.id,
            v.version,
            v.last_updated,
            v.method.code(),
            v.keys.patient_key,
            v.keys.author_org,
            v.body
        ])?;
        Ok(())
    }

    /// Makes the version about to be inserted its resource's head; returns
    /// the resource's rid and the version's seq (the next in write order,
    /// as SQLite would have chosen it: the writer is the only one).
    ///
    /// Version 1 is a new resource, with no head row yet (the rules of
    /// [`crate::apply`] see to that); a later version updates the head row
    /// and keeps its rid. Two plain statements, not one upsert: SQLite
    /// copies every page an upsert changes into a statement journal (an
    /// upsert may write two rows), a twentieth of the writer's time in an
    /// import.
    fn set_head(&mut self, v: &NewVersion<'_>) -> Result<(i64, i64), StoreError> {
        let mut stmt = self.0.prepare_cached(if v.version == 1 {
            "INSERT INTO resource \
             (resource_type, id, version, seq, deleted, last_updated, patient_key, author_org) \
             VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(seq), 0) + 1 FROM resource_version), \
             ?4, ?5, ?6, ?7) RETURNING rid, seq"
        } else {
            "UPDATE resource SET version = ?3, \
             seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM resource_version), deleted = ?4, \
             last_updated = ?5, patient_key = ?6, author_org = ?7 \
             WHERE resource_type = ?1 AND id = ?2 RETURNING rid, seq"
        })?;
        Ok(stmt.query_row(
            params![
                v.key.resource_type,
                v.key.id,
                v.version,
                v.body.is_none(),
                v.last_updated,
                v.keys.patient_key,
                v.keys.author_org
            ],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    }
}
