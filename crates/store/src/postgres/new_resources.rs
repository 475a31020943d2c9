//! First versions of resources that do not exist yet, written with one
//! statement per batch instead of one round trip each.
//!
//! When every resource a batch writes is new (an import, a transaction of
//! creates), the batch takes its `rid`s and `seq`s from the two identity
//! sequences up front, with one statement ([`NewResources::reserve`]). Each
//! first version is then buffered with its reserved numbers, so the caller
//! knows the `rid` its index rows need at once, and all of them go into
//! `resource_version` and `resource` together at the next flush. Numbers are
//! used in the order of the batch's writes, so `seq` order stays write order.
//!
//! A batch that touches any existing resource takes none of this: mixing
//! reserved numbers with numbers drawn later would break that order.

use super::connection::StatementCache;
use crate::apply::NewVersion;
use postgres::Transaction;
use std::collections::VecDeque;

/// The reserved numbers and the buffered rows of one batch.
#[derive(Default)]
pub(crate) struct NewResources {
    /// `(rid, seq)` pairs reserved and not used yet.
    reserved: VecDeque<(i64, i64)>,
    rows: Vec<NewRow>,
}

/// One first version, with its reserved numbers.
struct NewRow {
    rid: i64,
    seq: i64,
    resource_type: String,
    id: String,
    last_updated: i64,
    method: i16,
    patient_key: Option<String>,
    author_org: Option<String>,
    body: Option<Vec<u8>>,
}

impl NewResources {
    /// Reserves `count` pairs of `(rid, seq)`.
    pub(crate) fn reserve(
        &mut self,
        tx: &mut Transaction<'_>,
        statements: &mut StatementCache,
        count: usize,
    ) -> Result<(), postgres::Error> {
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        let statement = statements.get(
            tx,
            "SELECT nextval(pg_get_serial_sequence('resource', 'rid')), \
                    nextval(pg_get_serial_sequence('resource_version', 'seq')) \
             FROM generate_series(1, $1::bigint)",
        )?;
        for row in tx.query(&statement, &[&count])? {
            self.reserved.push_back((row.try_get(0)?, row.try_get(1)?));
        }
        Ok(())
    }

    /// Buffers `version` if it is a first version and numbers are left, and
    /// returns its rid; `None` when the caller must insert it itself (and
    /// then every later version of the batch too).
    pub(crate) fn buffer(&mut self, version: &NewVersion<'_>) -> Option<i64> {
        if version.version != 1 {
            self.stop();
            return None;
        }
        let (rid, seq) = self.reserved.pop_front()?;
        self.rows.push(NewRow {
            rid,
            seq,
            resource_type: version.key.resource_type.clone(),
            id: version.key.id.clone(),
            last_updated: version.last_updated,
            method: i16::try_from(version.method.code()).unwrap_or(0),
            patient_key: version.keys.patient_key.clone(),
            author_org: version.keys.author_org.clone(),
            body: version.body.map(<[u8]>::to_vec),
        });
        Some(rid)
    }

    /// Stops reserving for this batch: what is left is never used (a gap in
    /// the sequences, as a rolled-back insert leaves).
    pub(crate) fn stop(&mut self) {
        self.reserved.clear();
    }

    /// Inserts the buffered rows, versions and heads, with one statement.
    pub(crate) fn flush(
        &mut self,
        tx: &mut Transaction<'_>,
        statements: &mut StatementCache,
    ) -> Result<(), postgres::Error> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.rows);
        let rids: Vec<i64> = rows.iter().map(|r| r.rid).collect();
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        let types: Vec<&str> = rows.iter().map(|r| r.resource_type.as_str()).collect();
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let times: Vec<i64> = rows.iter().map(|r| r.last_updated).collect();
        let methods: Vec<i16> = rows.iter().map(|r| r.method).collect();
        let patients: Vec<Option<&str>> = rows.iter().map(|r| r.patient_key.as_deref()).collect();
        let orgs: Vec<Option<&str>> = rows.iter().map(|r| r.author_org.as_deref()).collect();
        let bodies: Vec<Option<&[u8]>> = rows.iter().map(|r| r.body.as_deref()).collect();
        let deleted: Vec<i16> = rows.iter().map(|r| i16::from(r.body.is_none())).collect();
        let statement = statements.get(
            tx,
            "WITH v AS (INSERT INTO resource_version \
               (seq, resource_type, id, version, last_updated, method, patient_key, author_org, \
                body) OVERRIDING SYSTEM VALUE \
               SELECT s, t, i, 1, l, m, p, o, b FROM UNNEST($2::bigint[], $3::text[], \
                 $4::text[], $5::bigint[], $6::smallint[], $7::text[], $8::text[], $9::bytea[]) \
                 AS u (s, t, i, l, m, p, o, b)) \
             INSERT INTO resource \
               (rid, resource_type, id, version, seq, deleted, last_updated, patient_key, \
                author_org) OVERRIDING SYSTEM VALUE \
             SELECT r, t, i, 1, s, d, l, p, o FROM UNNEST($1::bigint[], $2::bigint[], \
               $3::text[], $4::text[], $10::smallint[], $5::bigint[], $7::text[], $8::text[]) \
               AS u (r, s, t, i, d, l, p, o)",
        )?;
        tx.execute(
            &statement,
            &[
                &rids, &seqs, &types, &ids, &times, &methods, &patients, &orgs, &bodies, &deleted,
            ],
        )?;
        Ok(())
    }
}
