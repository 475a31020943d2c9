//! Writing the search index rows of one resource on SQLite, inside the
//! writer's transaction: the rows of a resource are exactly the index
//! entries of its current version ([`crate::index_rows`]), and a deleted
//! resource has none (so it never matches).
//!
//! This runs for every write, so it allocates nothing per row: statements
//! are prepared once per connection (cached) and taken once per resource.

use crate::StoreError;
use crate::index_rows::{IndexRow, RowKey, for_each_row};
use rusqlite::{CachedStatement, Connection, params};
use tessera_fhir::search::IndexEntry;

const INSERT_STRING: &str = "INSERT INTO idx_string \
    (rid, param_hash, ord, patient_hash, normalized, exact) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const INSERT_TOKEN: &str = "INSERT INTO idx_token \
    (rid, param_hash, ord, patient_hash, code_hash, any_code_hash, system, code, text, \
    type_system, type_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
const INSERT_DATE: &str = "INSERT INTO idx_date \
    (rid, param_hash, ord, patient_hash, low, high) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const INSERT_NUMBER: &str = "INSERT INTO idx_number \
    (rid, param_hash, ord, patient_hash, value, low, high) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const INSERT_QUANTITY: &str = "INSERT INTO idx_quantity \
    (rid, param_hash, ord, patient_hash, value, low, high, system, code, unit, \
    canonical_value, canonical_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
const INSERT_REFERENCE: &str = "INSERT INTO idx_reference \
    (rid, param_hash, ord, patient_hash, target_type, target_id, url, version, \
    identifier_system, identifier_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
const INSERT_URI: &str = "INSERT INTO idx_uri \
    (rid, param_hash, ord, patient_hash, uri) VALUES (?1, ?2, ?3, ?4, ?5)";

/// Every index table's rows of one resource (`?1`, its rid).
const DELETE_ROWS: [&str; 7] = [
    "DELETE FROM idx_string WHERE rid = ?1",
    "DELETE FROM idx_token WHERE rid = ?1",
    "DELETE FROM idx_date WHERE rid = ?1",
    "DELETE FROM idx_number WHERE rid = ?1",
    "DELETE FROM idx_quantity WHERE rid = ?1",
    "DELETE FROM idx_reference WHERE rid = ?1",
    "DELETE FROM idx_uri WHERE rid = ?1",
];

/// Removes every index row of resource `rid`.
pub(crate) fn remove(conn: &Connection, rid: i64) -> Result<(), StoreError> {
    for sql in DELETE_ROWS {
        conn.prepare_cached(sql)?.execute(params![rid])?;
    }
    Ok(())
}

/// Makes the index rows of `rid` exactly `entries`. `fresh` says the
/// resource has no rows yet (its first version), which saves seven deletes.
pub(crate) fn replace(
    conn: &Connection,
    rid: i64,
    resource_type: &str,
    patient_key: Option<&str>,
    entries: &[IndexEntry],
    fresh: bool,
) -> Result<(), StoreError> {
    if !fresh {
        remove(conn, rid)?;
    }
    if entries.is_empty() {
        return Ok(());
    }
    let mut writer = RowWriter {
        conn,
        rid,
        statements: Default::default(),
    };
    for_each_row(resource_type, patient_key, entries, |key, row| {
        writer.insert(key, row)
    })
}

/// Statements taken from the connection's cache at most once per resource.
#[derive(Default)]
struct Statements<'c> {
    string: Option<CachedStatement<'c>>,
    token: Option<CachedStatement<'c>>,
    date: Option<CachedStatement<'c>>,
    number: Option<CachedStatement<'c>>,
    quantity: Option<CachedStatement<'c>>,
    reference: Option<CachedStatement<'c>>,
    uri: Option<CachedStatement<'c>>,
}

struct RowWriter<'c> {
    conn: &'c Connection,
    rid: i64,
    statements: Statements<'c>,
}

fn statement<'s, 'c>(
    slot: &'s mut Option<CachedStatement<'c>>,
    conn: &'c Connection,
    sql: &str,
) -> Result<&'s mut CachedStatement<'c>, StoreError> {
    if slot.is_none() {
        *slot = Some(conn.prepare_cached(sql)?);
    }
    slot.as_mut()
        .ok_or_else(|| StoreError::Database("statement cache".into()))
}

impl RowWriter<'_> {
    fn insert(&mut self, key: RowKey, row: IndexRow<'_>) -> Result<(), StoreError> {
        let (rid, conn) = (self.rid, self.conn);
        let RowKey {
            param_hash,
            ord,
            patient_hash,
        } = key;
        let s = &mut self.statements;
        match row {
            IndexRow::String { normalized, exact } => {
                statement(&mut s.string, conn, INSERT_STRING)?.execute(params![
                    rid,
                    param_hash,
                    ord,
                    patient_hash,
                    normalized,
                    exact
                ])?;
            }
            IndexRow::Token {
                code_hash,
                any_code_hash,
                system,
                code,
                text,
                type_system,
                type_code,
            } => {
                statement(&mut s.token, conn, INSERT_TOKEN)?.execute(params![
                    rid,
                    param_hash,
                    ord,
                    patient_hash,
                    code_hash,
                    any_code_hash,
                    system,
                    code,
                    text,
                    type_system,
                    type_code
                ])?;
            }
            IndexRow::Date { low, high } => {
                statement(&mut s.date, conn, INSERT_DATE)?.execute(params![
                    rid,
                    param_hash,
                    ord,
                    patient_hash,
                    low,
                    high
                ])?;
            }
            IndexRow::Number { value, low, high } => {
                statement(&mut s.number, conn, INSERT_NUMBER)?.execute(params![
                    rid,
                    param_hash,
                    ord,
                    patient_hash,
                    value,
                    low,
                    high
                ])?;
            }
            IndexRow::Quantity {
                value,
                low,
                high,
                system,
                code,
                unit,
                canonical_value,
                canonical_code,
            } => {
                statement(&mut s.quantity, conn, INSERT_QUANTITY)?.execute(params![
                    rid,
                    param_hash,
                    ord,
                    patient_hash,
                    value,
                    low,
                    high,
                    system,
                    code,
                    unit,
                    canonical_value,
                    canonical_code
                ])?;
            }
            IndexRow::Reference {
                target_type,
                target_id,
                url,
                version,
                identifier_system,
                identifier_value,
            } => {
                statement(&mut s.reference, conn, INSERT_REFERENCE)?.execute(params![
                    rid,
                    param_hash,
                    ord,
                    patient_hash,
                    target_type,
                    target_id,
                    url,
                    version,
                    identifier_system,
                    identifier_value
                ])?;
            }
            IndexRow::Uri(uri) => {
                statement(&mut s.uri, conn, INSERT_URI)?.execute(params![
                    rid,
                    param_hash,
                    ord,
                    patient_hash,
                    uri
                ])?;
            }
        }
        Ok(())
    }
}
