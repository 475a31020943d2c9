//! The PostgreSQL statements behind [`crate::apply`], inside one
//! transaction per batch. The head row is read `FOR UPDATE`, so writers on
//! other connections (or other Tessera processes) wait for this one and
//! then see its version: `If-Match` stays exact. A version and its head row
//! go in with one statement (or, when the whole batch is new resources, all
//! of them with one, [`NewResources`]); index rows and reference links are
//! buffered and inserted at the end ([`IndexBuffer`], [`LinkBuffer`]), one
//! statement per table for the whole batch, because on PostgreSQL every
//! statement is a round trip.

use super::connection::{StatementCache, is_retryable};
use super::index_rows::{self, IndexBuffer};
use super::new_resources::NewResources;
use crate::apply::{Head, NewVersion, REFERRERS_REPORTED, VersionWriter};
use crate::{ResourceKey, StoreError, StoredVersion};
use postgres::Transaction;
use std::collections::HashMap;
use tessera_fhir::search::IndexEntry;

/// The fewest new resources a batch writes with one statement: below it,
/// reserving their numbers costs about the round trips it saves.
const NEW_IN_ONE_STATEMENT_FROM: usize = 3;

/// One batch's transaction, seen as a [`VersionWriter`].
pub(crate) struct PgWriter<'t, 'c> {
    pub(crate) tx: Transaction<'t>,
    pub(crate) statements: &'c mut StatementCache,
    pub(crate) index: IndexBuffer,
    pub(crate) links: LinkBuffer,
    /// First versions of new resources, when the whole batch is new.
    pub(crate) new: NewResources,
    /// Heads read by [`VersionWriter::prefetch_heads`] and not written since.
    pub(crate) heads: HashMap<ResourceKey, Option<Head>>,
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

    /// Writes the buffered new resources, before a statement that may read them.
    fn flush_new(&mut self) -> Result<(), StoreError> {
        let flushed = self.new.flush(&mut self.tx, self.statements);
        self.track(flushed)
    }

    /// Inserts the buffered new resources, index rows and links, and
    /// commits. On failure, the error and whether the batch may succeed if
    /// run again.
    pub(crate) fn commit(mut self) -> Result<(), (StoreError, bool)> {
        let flushed = self.new.flush(&mut self.tx, self.statements);
        flushed
            .and_then(|()| self.index.flush(&mut self.tx, self.statements))
            .and_then(|()| self.links.flush(&mut self.tx, self.statements))
            .and_then(|()| self.tx.commit())
            .map_err(|error| (StoreError::from(&error), is_retryable(&error)))
    }
}

impl VersionWriter for PgWriter<'_, '_> {
    /// One statement for the batch, locking the rows in key order (so two
    /// batches over the same resources cannot deadlock on each other).
    fn prefetch_heads(&mut self, keys: &[&ResourceKey]) -> Result<(), StoreError> {
        let mut keys = keys.to_vec();
        keys.sort();
        keys.dedup();
        let (types, ids): (Vec<&str>, Vec<&str>) = keys
            .iter()
            .map(|key| (key.resource_type.as_str(), key.id.as_str()))
            .unzip();
        let rows = self.query(
            "SELECT r.resource_type, r.id, r.version, r.deleted FROM resource r \
             JOIN UNNEST($1::text[], $2::text[]) AS k (resource_type, id) \
               ON r.resource_type = k.resource_type AND r.id = k.id \
             ORDER BY r.resource_type, r.id FOR UPDATE OF r",
            &[&types, &ids],
        )?;
        for key in keys {
            self.heads.insert(key.clone(), None);
        }
        for row in &rows {
            let key = ResourceKey::new(row.try_get::<_, String>(0)?, row.try_get::<_, String>(1)?);
            let head = Head {
                version: row.try_get(2)?,
                deleted: row.try_get::<_, i16>(3)? != 0,
            };
            self.heads.insert(key, Some(head));
        }
        // A batch of only new resources (an import, a transaction of
        // creates) writes their first versions with one statement.
        if rows.is_empty() && self.heads.len() >= NEW_IN_ONE_STATEMENT_FROM {
            let reserved = self
                .new
                .reserve(&mut self.tx, self.statements, self.heads.len());
            self.track(reserved)?;
        }
        Ok(())
    }

    fn head(&mut self, key: &ResourceKey) -> Result<Option<Head>, StoreError> {
        if let Some(head) = self.heads.get(key) {
            return Ok(*head);
        }
        // A resource this batch already wrote: from here on the batch
        // inserts row by row, so seq order stays write order.
        self.new.stop();
        self.flush_new()?;
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
        self.flush_new()?;
        super::reads::current(&mut self.tx, self.statements, key)
    }

    fn head_keys(
        &mut self,
        key: &ResourceKey,
    ) -> Result<(Option<String>, Option<String>), StoreError> {
        self.flush_new()?;
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
        self.flush_new()?;
        let flushed = self.index.flush(&mut self.tx, self.statements);
        self.track(flushed)?;
        let flushed = self.links.flush(&mut self.tx, self.statements);
        self.track(flushed)?;
        let rows = self.query(
            "SELECT r.resource_type, r.id FROM resource r WHERE r.rid IN ( \
               SELECT x.rid FROM idx_reference x WHERE x.target_id = $2 AND x.target_type = $1 \
               UNION ALL \
               SELECT l.source_rid FROM resource_link l \
               WHERE l.target_type = $1 AND l.target_id = $2) \
             AND NOT (r.resource_type = $1 AND r.id = $2) LIMIT $3",
            &[&key.resource_type, &key.id, &REFERRERS_REPORTED],
        )?;
        super::reads::keys_from_rows(&rows)
    }

    /// One statement (one round trip) for both rows.
    fn insert_head_version(&mut self, v: &NewVersion<'_>) -> Result<i64, StoreError> {
        self.heads.remove(v.key);
        if let Some(rid) = self.new.buffer(v) {
            return Ok(rid);
        }
        let method = i16::try_from(v.method.code()).unwrap_or(0);
        let deleted = i16::from(v.body.is_none());
        let rows = self.query(
            "WITH v AS (INSERT INTO resource_version \
               (resource_type, id, version, last_updated, method, patient_key, author_org, body) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq) \
             INSERT INTO resource \
             (resource_type, id, version, seq, deleted, last_updated, patient_key, author_org) \
             SELECT $1, $2, $3, v.seq, $9, $4, $6, $7 FROM v \
             ON CONFLICT (resource_type, id) DO UPDATE SET version = excluded.version, \
             seq = excluded.seq, deleted = excluded.deleted, \
             last_updated = excluded.last_updated, patient_key = excluded.patient_key, \
             author_org = excluded.author_org RETURNING rid",
            &[
                &v.key.resource_type,
                &v.key.id,
                &v.version,
                &v.last_updated,
                &method,
                &v.keys.patient_key,
                &v.keys.author_org,
                &v.body,
                &deleted,
            ],
        )?;
        first_int(&rows)
    }

    fn replace_links(
        &mut self,
        rid: i64,
        key: &ResourceKey,
        patient_key: Option<&str>,
        references: &[ResourceKey],
        first_version: bool,
    ) -> Result<(), StoreError> {
        if !first_version {
            self.links.forget(rid);
            self.query("DELETE FROM resource_link WHERE source_rid = $1", &[&rid])?;
        }
        self.links.add(rid, key, patient_key, references);
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

/// Reference links of the batch's writes, inserted with one statement.
#[derive(Default)]
pub(crate) struct LinkBuffer {
    rows: Vec<LinkRow>,
}

/// One `resource_link` row.
struct LinkRow {
    target: ResourceKey,
    source: ResourceKey,
    source_rid: i64,
    patient_key: Option<String>,
}

impl LinkBuffer {
    fn add(
        &mut self,
        source_rid: i64,
        source: &ResourceKey,
        patient_key: Option<&str>,
        targets: &[ResourceKey],
    ) {
        for target in targets {
            self.rows.push(LinkRow {
                target: target.clone(),
                source: source.clone(),
                source_rid,
                patient_key: patient_key.map(str::to_owned),
            });
        }
    }

    /// Drops the buffered links of the resource `source_rid` (a newer
    /// version replaces them).
    fn forget(&mut self, source_rid: i64) {
        self.rows.retain(|row| row.source_rid != source_rid);
    }

    fn flush(
        &mut self,
        tx: &mut Transaction<'_>,
        statements: &mut StatementCache,
    ) -> Result<(), postgres::Error> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.rows);
        let column = |pick: fn(&LinkRow) -> &str| rows.iter().map(pick).collect::<Vec<&str>>();
        let target_types = column(|r| &r.target.resource_type);
        let target_ids = column(|r| &r.target.id);
        let source_types = column(|r| &r.source.resource_type);
        let source_ids = column(|r| &r.source.id);
        let source_rids: Vec<i64> = rows.iter().map(|r| r.source_rid).collect();
        let patients: Vec<Option<&str>> = rows.iter().map(|r| r.patient_key.as_deref()).collect();
        let statement = statements.get(
            tx,
            "INSERT INTO resource_link \
             (target_type, target_id, source_type, source_id, source_rid, patient_key) \
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], \
               $5::bigint[], $6::text[]) \
             ON CONFLICT DO NOTHING",
        )?;
        tx.execute(
            &statement,
            &[
                &target_types,
                &target_ids,
                &source_types,
                &source_ids,
                &source_rids,
                &patients,
            ],
        )?;
        Ok(())
    }
}

fn first_int(rows: &[postgres::Row]) -> Result<i64, StoreError> {
    match rows.first() {
        Some(row) => Ok(row.try_get(0)?),
        None => Err(StoreError::Database("an INSERT returned no row".into())),
    }
}
