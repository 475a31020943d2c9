//! Writing the search index rows of one resource, inside the writer's
//! transaction: the rows of a resource are exactly the index entries of its
//! current version, and a deleted resource has none (so it never matches).
//!
//! This runs for every write, so it allocates nothing per row: statements
//! are prepared once per connection (cached) and taken once per resource,
//! hashes are computed over borrowed strings.

use crate::StoreError;
use crate::search::hash::token_hash;
use crate::search::hash::{any_system_token_hash, component_hash, param_hash, patient_hash};
use rusqlite::{CachedStatement, Connection, params};
use tessera_fhir::search::{IndexEntry, IndexValue};

/// Parameters searched on `resource`'s own columns (`id`, `last_updated`),
/// never through index rows: storing them would cost two rows per write,
/// one of them at a random place in the token index (a unique id).
const COLUMN_PARAMS: [&str; 2] = ["_id", "_lastUpdated"];

/// Every index table, for removing a resource's rows.
const INDEX_TABLES: [&str; 7] = [
    "DELETE FROM idx_string WHERE rid = ?1",
    "DELETE FROM idx_token WHERE rid = ?1",
    "DELETE FROM idx_date WHERE rid = ?1",
    "DELETE FROM idx_number WHERE rid = ?1",
    "DELETE FROM idx_quantity WHERE rid = ?1",
    "DELETE FROM idx_reference WHERE rid = ?1",
    "DELETE FROM idx_uri WHERE rid = ?1",
];

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

/// Removes every index row of resource `rid`.
pub(crate) fn remove(conn: &Connection, rid: i64) -> Result<(), StoreError> {
    for sql in INDEX_TABLES {
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
        patient: patient_key.map(patient_hash),
        statements: Default::default(),
    };
    for (ord, entry) in entries.iter().enumerate() {
        if COLUMN_PARAMS.contains(&entry.param.as_str()) {
            continue;
        }
        let ord = i64::try_from(ord).unwrap_or(i64::MAX);
        match &entry.value {
            IndexValue::Composite(components) => {
                for (index, component) in components.iter().enumerate() {
                    let key = component_hash(resource_type, &entry.param, index);
                    writer.insert(key, ord, component)?;
                }
            }
            value => writer.insert(param_hash(resource_type, &entry.param), ord, value)?,
        }
    }
    Ok(())
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
    patient: Option<i64>,
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
    fn insert(&mut self, key: i64, ord: i64, value: &IndexValue) -> Result<(), StoreError> {
        let (rid, patient, conn) = (self.rid, self.patient, self.conn);
        let s = &mut self.statements;
        match value {
            IndexValue::String { normalized, exact } => {
                statement(&mut s.string, conn, INSERT_STRING)?
                    .execute(params![rid, key, ord, patient, normalized, exact])?;
            }
            IndexValue::Token {
                system,
                code,
                text,
                of_type,
            } => {
                let code_hash = code
                    .as_deref()
                    .map(|c| token_hash(key, system.as_deref(), c));
                let any_code_hash = code.as_deref().map(|c| any_system_token_hash(key, c));
                let (type_system, type_code) = match of_type {
                    Some((system, code)) => (system.as_deref(), Some(code.as_str())),
                    None => (None, None),
                };
                statement(&mut s.token, conn, INSERT_TOKEN)?.execute(params![
                    rid,
                    key,
                    ord,
                    patient,
                    code_hash,
                    any_code_hash,
                    system,
                    code,
                    text,
                    type_system,
                    type_code
                ])?;
            }
            IndexValue::Date { low, high } => {
                statement(&mut s.date, conn, INSERT_DATE)?.execute(params![
                    rid,
                    key,
                    ord,
                    patient,
                    low.unwrap_or(i64::MIN),
                    high.unwrap_or(i64::MAX)
                ])?;
            }
            IndexValue::Number { value, low, high } => {
                statement(&mut s.number, conn, INSERT_NUMBER)?
                    .execute(params![rid, key, ord, patient, value, low, high])?;
            }
            IndexValue::Quantity {
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
                    key,
                    ord,
                    patient,
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
            IndexValue::Reference {
                target_type,
                id,
                url,
                version,
                identifier,
            } => {
                let (identifier_system, identifier_value) = match identifier {
                    Some((system, value)) => (system.as_deref(), Some(value.as_str())),
                    None => (None, None),
                };
                statement(&mut s.reference, conn, INSERT_REFERENCE)?.execute(params![
                    rid,
                    key,
                    ord,
                    patient,
                    target_type,
                    id,
                    url,
                    version,
                    identifier_system,
                    identifier_value
                ])?;
            }
            IndexValue::Uri(uri) => {
                statement(&mut s.uri, conn, INSERT_URI)?
                    .execute(params![rid, key, ord, patient, uri])?;
            }
            // A composite inside a composite has no meaning in R4.
            IndexValue::Composite(_) => {}
        }
        Ok(())
    }
}
