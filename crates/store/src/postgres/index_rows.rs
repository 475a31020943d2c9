//! Writing search index rows on PostgreSQL: the rows of every resource a
//! transaction writes are gathered per table ([`IndexBuffer`]) and sent at
//! the end as one `INSERT ... SELECT FROM UNNEST(arrays)` per table, so a
//! batch of a thousand resources costs seven statements, not twenty
//! thousand round trips.

use super::connection::StatementCache;
use crate::index_rows::{IndexRow, RowKey, for_each_row};
use postgres::Transaction;
use postgres::types::ToSql;
use tessera_fhir::search::IndexEntry;

type Text = Option<String>;

fn own(text: Option<&str>) -> Text {
    text.map(str::to_owned)
}

/// The leading columns of every index table.
#[derive(Default)]
struct Keys {
    rid: Vec<i64>,
    param_hash: Vec<i64>,
    ord: Vec<i64>,
    patient_hash: Vec<Option<i64>>,
}

impl Keys {
    fn push(&mut self, rid: i64, key: RowKey) {
        self.rid.push(rid);
        self.param_hash.push(key.param_hash);
        self.ord.push(key.ord);
        self.patient_hash.push(key.patient_hash);
    }

    fn len(&self) -> usize {
        self.rid.len()
    }

    /// Drops the rows of `rid` (kept in step with the other columns by the
    /// caller through the returned mask).
    fn keep_mask(&self, rid: i64) -> Vec<bool> {
        self.rid.iter().map(|r| *r != rid).collect()
    }
}

fn retain<T>(column: &mut Vec<T>, mask: &[bool]) {
    let mut i = 0;
    column.retain(|_| {
        let keep = mask.get(i).copied().unwrap_or(true);
        i += 1;
        keep
    });
}

/// Rows waiting to be inserted, one column array per table column.
#[derive(Default)]
pub(crate) struct IndexBuffer {
    string: (Keys, Vec<String>, Vec<String>),
    token: (Keys, TokenColumns),
    date: (Keys, Vec<i64>, Vec<i64>),
    number: (Keys, Vec<f64>, Vec<f64>, Vec<f64>),
    quantity: (Keys, QuantityColumns),
    reference: (Keys, ReferenceColumns),
    uri: (Keys, Vec<String>),
}

#[derive(Default)]
struct TokenColumns {
    code_hash: Vec<Option<i64>>,
    any_code_hash: Vec<Option<i64>>,
    system: Vec<Text>,
    code: Vec<Text>,
    text: Vec<Text>,
    type_system: Vec<Text>,
    type_code: Vec<Text>,
}

#[derive(Default)]
struct QuantityColumns {
    value: Vec<f64>,
    low: Vec<f64>,
    high: Vec<f64>,
    system: Vec<Text>,
    code: Vec<Text>,
    unit: Vec<Text>,
    canonical_value: Vec<Option<f64>>,
    canonical_code: Vec<Text>,
}

#[derive(Default)]
struct ReferenceColumns {
    target_type: Vec<Text>,
    target_id: Vec<Text>,
    url: Vec<Text>,
    version: Vec<Text>,
    identifier_system: Vec<Text>,
    identifier_value: Vec<Text>,
}

impl IndexBuffer {
    /// Adds the rows of resource `rid`.
    pub(crate) fn add(
        &mut self,
        rid: i64,
        resource_type: &str,
        patient_key: Option<&str>,
        entries: &[IndexEntry],
    ) {
        let _ = for_each_row::<()>(resource_type, patient_key, entries, |key, row| {
            self.push(rid, key, row);
            Ok(())
        });
    }

    fn push(&mut self, rid: i64, key: RowKey, row: IndexRow<'_>) {
        match row {
            IndexRow::String { normalized, exact } => {
                let (keys, n, e) = &mut self.string;
                keys.push(rid, key);
                n.push(normalized.to_owned());
                e.push(exact.to_owned());
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
                let (keys, c) = &mut self.token;
                keys.push(rid, key);
                c.code_hash.push(code_hash);
                c.any_code_hash.push(any_code_hash);
                c.system.push(own(system));
                c.code.push(own(code));
                c.text.push(own(text));
                c.type_system.push(own(type_system));
                c.type_code.push(own(type_code));
            }
            IndexRow::Date { low, high } => {
                let (keys, l, h) = &mut self.date;
                keys.push(rid, key);
                l.push(low);
                h.push(high);
            }
            IndexRow::Number { value, low, high } => {
                let (keys, v, l, h) = &mut self.number;
                keys.push(rid, key);
                v.push(value);
                l.push(low);
                h.push(high);
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
                let (keys, c) = &mut self.quantity;
                keys.push(rid, key);
                c.value.push(value);
                c.low.push(low);
                c.high.push(high);
                c.system.push(own(system));
                c.code.push(own(code));
                c.unit.push(own(unit));
                c.canonical_value.push(canonical_value);
                c.canonical_code.push(own(canonical_code));
            }
            IndexRow::Reference {
                target_type,
                target_id,
                url,
                version,
                identifier_system,
                identifier_value,
            } => {
                let (keys, c) = &mut self.reference;
                keys.push(rid, key);
                c.target_type.push(own(target_type));
                c.target_id.push(own(target_id));
                c.url.push(own(url));
                c.version.push(own(version));
                c.identifier_system.push(own(identifier_system));
                c.identifier_value.push(own(identifier_value));
            }
            IndexRow::Uri(uri) => {
                let (keys, u) = &mut self.uri;
                keys.push(rid, key);
                u.push(uri.to_owned());
            }
        }
    }

    /// Forgets the buffered rows of `rid` (a later version in the same
    /// transaction replaces them).
    pub(crate) fn forget(&mut self, rid: i64) {
        macro_rules! drop_rows {
            ($keys:expr, $($column:expr),*) => {{
                let mask = $keys.keep_mask(rid);
                if mask.iter().any(|keep| !keep) {
                    retain(&mut $keys.rid, &mask);
                    retain(&mut $keys.param_hash, &mask);
                    retain(&mut $keys.ord, &mask);
                    retain(&mut $keys.patient_hash, &mask);
                    $(retain(&mut $column, &mask);)*
                }
            }};
        }
        let s = &mut self.string;
        drop_rows!(s.0, s.1, s.2);
        let t = &mut self.token;
        drop_rows!(
            t.0,
            t.1.code_hash,
            t.1.any_code_hash,
            t.1.system,
            t.1.code,
            t.1.text,
            t.1.type_system,
            t.1.type_code
        );
        let d = &mut self.date;
        drop_rows!(d.0, d.1, d.2);
        let n = &mut self.number;
        drop_rows!(n.0, n.1, n.2, n.3);
        let q = &mut self.quantity;
        drop_rows!(
            q.0,
            q.1.value,
            q.1.low,
            q.1.high,
            q.1.system,
            q.1.code,
            q.1.unit,
            q.1.canonical_value,
            q.1.canonical_code
        );
        let r = &mut self.reference;
        drop_rows!(
            r.0,
            r.1.target_type,
            r.1.target_id,
            r.1.url,
            r.1.version,
            r.1.identifier_system,
            r.1.identifier_value
        );
        let u = &mut self.uri;
        drop_rows!(u.0, u.1);
    }

    /// Inserts every buffered row and empties the buffer.
    pub(crate) fn flush(
        &mut self,
        tx: &mut Transaction<'_>,
        statements: &mut StatementCache,
    ) -> Result<(), postgres::Error> {
        let buffer = std::mem::take(self);
        let (k, n, e) = &buffer.string;
        insert(
            tx,
            statements,
            "idx_string",
            "normalized, exact",
            &["text", "text"],
            k,
            &[n, e],
        )?;
        let (k, c) = &buffer.token;
        insert(
            tx,
            statements,
            "idx_token",
            "code_hash, any_code_hash, system, code, text, type_system, type_code",
            &["bigint", "bigint", "text", "text", "text", "text", "text"],
            k,
            &[
                &c.code_hash,
                &c.any_code_hash,
                &c.system,
                &c.code,
                &c.text,
                &c.type_system,
                &c.type_code,
            ],
        )?;
        let (k, l, h) = &buffer.date;
        insert(
            tx,
            statements,
            "idx_date",
            "low, high",
            &["bigint", "bigint"],
            k,
            &[l, h],
        )?;
        let (k, v, l, h) = &buffer.number;
        insert(
            tx,
            statements,
            "idx_number",
            "value, low, high",
            &["float8", "float8", "float8"],
            k,
            &[v, l, h],
        )?;
        let (k, c) = &buffer.quantity;
        insert(
            tx,
            statements,
            "idx_quantity",
            "value, low, high, system, code, unit, canonical_value, canonical_code",
            &[
                "float8", "float8", "float8", "text", "text", "text", "float8", "text",
            ],
            k,
            &[
                &c.value,
                &c.low,
                &c.high,
                &c.system,
                &c.code,
                &c.unit,
                &c.canonical_value,
                &c.canonical_code,
            ],
        )?;
        let (k, c) = &buffer.reference;
        insert(
            tx,
            statements,
            "idx_reference",
            "target_type, target_id, url, version, identifier_system, identifier_value",
            &["text", "text", "text", "text", "text", "text"],
            k,
            &[
                &c.target_type,
                &c.target_id,
                &c.url,
                &c.version,
                &c.identifier_system,
                &c.identifier_value,
            ],
        )?;
        let (k, u) = &buffer.uri;
        insert(tx, statements, "idx_uri", "uri", &["text"], k, &[u])
    }
}

/// One `INSERT ... SELECT * FROM UNNEST(...)` of `keys` and `columns`.
fn insert(
    tx: &mut Transaction<'_>,
    statements: &mut StatementCache,
    table: &str,
    names: &str,
    types: &[&str],
    keys: &Keys,
    columns: &[&(dyn ToSql + Sync)],
) -> Result<(), postgres::Error> {
    if keys.len() == 0 {
        return Ok(());
    }
    let mut arrays = String::from("$1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]");
    for (i, ty) in types.iter().enumerate() {
        arrays.push_str(&format!(", ${}::{ty}[]", i + 5));
    }
    let sql = format!(
        "INSERT INTO {table} (rid, param_hash, ord, patient_hash, {names}) \
         SELECT * FROM UNNEST({arrays})"
    );
    let statement = statements.get(tx, &sql)?;
    let mut params: Vec<&(dyn ToSql + Sync)> =
        vec![&keys.rid, &keys.param_hash, &keys.ord, &keys.patient_hash];
    params.extend_from_slice(columns);
    tx.execute(&statement, &params)?;
    Ok(())
}

/// Every index row of one resource (`$1`, its rid), removed in one statement.
const DELETE_ROWS: &str = "WITH \
    d0 AS (DELETE FROM idx_string WHERE rid = $1), \
    d1 AS (DELETE FROM idx_token WHERE rid = $1), \
    d2 AS (DELETE FROM idx_date WHERE rid = $1), \
    d3 AS (DELETE FROM idx_number WHERE rid = $1), \
    d4 AS (DELETE FROM idx_quantity WHERE rid = $1), \
    d5 AS (DELETE FROM idx_reference WHERE rid = $1) \
    DELETE FROM idx_uri WHERE rid = $1";

/// Deletes every index row of `rid`.
pub(crate) fn remove(
    tx: &mut Transaction<'_>,
    statements: &mut StatementCache,
    rid: i64,
) -> Result<(), postgres::Error> {
    let statement = statements.get(tx, DELETE_ROWS)?;
    tx.execute(&statement, &[&rid])?;
    Ok(())
}
