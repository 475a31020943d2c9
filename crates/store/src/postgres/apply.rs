//! The PostgreSQL statements behind [`crate::apply`], inside one
//! transaction per batch. The head row is read `FOR UPDATE`, so writers on
//! other connections (or other Tessera processes) wait for this one and
//! then see its version: `If-Match` stays exact. Index rows are buffered
//! and inserted at the end ([`IndexBuffer`]).

use super::connection::{StatementCache, is_retryable};
use super::index_rows::{self, IndexBuffer};
use crate::apply::{Head, NewVersion, REFERRERS_REPORTED, VersionWriter};
use crate::{ResourceKey, StoreError, StoredVersion};
use postgres::Transaction;
use tessera_fhir::search::IndexEntry;

/// One batch's transaction, seen as a [`VersionWriter`].
pub(crate) struct PgWriter<'t, 'c> {
    pub(crate) tx: Transaction<'t>,
    pub(crate) statements: &'c mut StatementCache,
    pub(crate) index: IndexBuffer,
    /// Whether a statement failed in a way another attempt may not.
    pub(crate) retryable: bool,
}

impl PgWriter<'_, '_> {
    /// Notes whether `error` is worth another attempt of the whole batch.
    fn track<T>(&mut self, result: Result<T, postgres::Error>) -> Result<T, StoreError> {
        result.map_err(|error| {
            self.retryable |= is_retryable(&error);
            StoreError::from(error)
        })
    }

    fn query(
        &mut self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, StoreError> {
        let statement = self.statements.get(&mut self.tx, sql);
        let statement = self.track(statement)?;
        let rows = self.tx.query(&statement, params);
        self.track(rows)
    }

    /// Inserts the buffered index rows and commits. On failure, the error
    /// and whether the batch may succeed if run again.
    pub(crate) fn commit(mut self) -> Result<(), (StoreError, bool)> {
        let flushed = self.index.flush(&mut self.tx, self.statements);
        flushed
            .and_then(|()| self.tx.commit())
            .map_err(|error| (StoreError::from(&error), is_retryable(&error)))
    }
}

impl VersionWriter for PgWriter<'_, '_> {
    fn head(&mut self, key: &ResourceKey) -> Result<Option<Head>, StoreError> {
        let rows = self.query(
            "SELECT version, deleted FROM resource \
             WHERE resource_type = $1 AND id = $2 FOR UPDATE",
            &[&key.resource_type, &key.id],
        )?;
        Ok(match rows.first() {
            Some(row) => Some(Head {
                version: row.try_get(0)?,
                deleted: row.try_get::<_, i16>(1)? != 0,
            }),
            None => None,
        })
    }

    fn current(&mut self, key: &ResourceKey) -> Result<Option<StoredVersion>, StoreError> {
        super::reads::current(&mut self.tx, self.statements, key)
    }

    fn head_keys(
        &mut self,
        key: &ResourceKey,
    ) -> Result<(Option<String>, Option<String>), StoreError> {
        let rows = self.query(
            "SELECT patient_key, author_org FROM resource WHERE resource_type = $1 AND id = $2",
            &[&key.resource_type, &key.id],
        )?;
        match rows.first() {
            Some(row) => Ok((row.try_get(0)?, row.try_get(1)?)),
            None => Err(StoreError::NotFound(key.clone())),
        }
    }

    fn referrers(&mut self, key: &ResourceKey) -> Result<Vec<ResourceKey>, StoreError> {
        let rows = self.query(
            "SELECT source_type, source_id FROM resource_link \
             WHERE target_type = $1 AND target_id = $2 \
             AND NOT (source_type = $1 AND source_id = $2) LIMIT $3",
            &[&key.resource_type, &key.id, &REFERRERS_REPORTED],
        )?;
        super::reads::keys_from_rows(&rows)
    }

    fn insert_version(&mut self, v: &NewVersion<'_>) -> Result<i64, StoreError> {
        let method = i16::try_from(v.method.code()).unwrap_or(0);
        let rows = self.query(
            "INSERT INTO resource_version \
             (resource_type, id, version, last_updated, method, patient_key, author_org, body) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq",
            &[
                &v.key.resource_type,
                &v.key.id,
                &v.version,
                &v.last_updated,
                &method,
                &v.keys.patient_key,
                &v.keys.author_org,
                &v.body,
            ],
        )?;
        first_int(&rows)
    }

    fn upsert_head(&mut self, v: &NewVersion<'_>, seq: i64) -> Result<i64, StoreError> {
        let deleted = i16::from(v.body.is_none());
        let rows = self.query(
            "INSERT INTO resource \
             (resource_type, id, version, seq, deleted, last_updated, patient_key, author_org) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (resource_type, id) DO UPDATE SET version = excluded.version, \
             seq = excluded.seq, deleted = excluded.deleted, \
             last_updated = excluded.last_updated, patient_key = excluded.patient_key, \
             author_org = excluded.author_org RETURNING rid",
            &[
                &v.key.resource_type,
                &v.key.id,
                &v.version,
                &seq,
                &deleted,
                &v.last_updated,
                &v.keys.patient_key,
                &v.keys.author_org,
            ],
        )?;
        first_int(&rows)
    }

    fn replace_links(
        &mut self,
        key: &ResourceKey,
        patient_key: Option<&str>,
        references: &[ResourceKey],
        first_version: bool,
    ) -> Result<(), StoreError> {
        if !first_version {
            self.query(
                "DELETE FROM resource_link WHERE source_type = $1 AND source_id = $2",
                &[&key.resource_type, &key.id],
            )?;
        }
        if references.is_empty() {
            return Ok(());
        }
        let types: Vec<&str> = references
            .iter()
            .map(|r| r.resource_type.as_str())
            .collect();
        let ids: Vec<&str> = references.iter().map(|r| r.id.as_str()).collect();
        self.query(
            "INSERT INTO resource_link \
             (target_type, target_id, source_type, source_id, patient_key) \
             SELECT t, i, $3, $4, $5 FROM UNNEST($1::text[], $2::text[]) AS u(t, i) \
             ON CONFLICT DO NOTHING",
            &[&types, &ids, &key.resource_type, &key.id, &patient_key],
        )?;
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
        if !fresh {
            self.index.forget(rid);
            let removed = index_rows::remove(&mut self.tx, self.statements, rid);
            self.track(removed)?;
        }
        self.index.add(rid, resource_type, patient_key, entries);
        Ok(())
    }
}

fn first_int(rows: &[postgres::Row]) -> Result<i64, StoreError> {
    match rows.first() {
        Some(row) => Ok(row.try_get(0)?),
        None => Err(StoreError::Database("an INSERT returned no row".into())),
    }
}
