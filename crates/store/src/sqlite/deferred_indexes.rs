//! Deferred search indexes on SQLite (see
//! [`ResourceStore::defer_search_indexes`](crate::ResourceStore::defer_search_indexes)):
//! the secondary indexes of the `idx_*` tables (but those in
//! [`KEPT_DURING_LOADS`]) and the links' index by target
//! (`resource_link_target`, which only a delete's check for referrers
//! reads), dropped and recorded with their `CREATE INDEX` text from
//! `sqlite_master`, built again one at a time.
//!
//! Each step is one `IMMEDIATE` transaction on a connection of its own, so
//! the writer thread, whose prepared statements SQLite re-prepares after a
//! schema change, waits for it like for any other writer.

use crate::StoreError;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

/// Indexes a load keeps writing. `idx_token_patient_code` leads with the
/// patient: a load writes patient by patient, so each batch's rows land on
/// the pages of its few patients. Kept, it cost a million-resource load
/// 2.5 s; deferred, its build took 9 s.
const KEPT_DURING_LOADS: &[&str] = &["idx_token_patient_code"];

/// How the connection that builds an index sorts its entries: in runs of a
/// small page cache's size, written to temporary files and merged, with one
/// helper thread (the load's other core is idle by then). With the writer's
/// 256 MiB cache and in-memory temporary storage, SQLite sorted each index
/// as one list in memory, which its merge sort walks with a cache miss per
/// step: at a million resources `idx_token_code` took 6.3 s that way and
/// 3.4 s this way, `idx_reference_target` (text keys) 9.6 s and 6.2 s. The
/// temporary files (in `SQLITE_TMPDIR`, else `TMPDIR`, else `/var/tmp`)
/// hold about the index's size while it is built.
const SORTER_SETTINGS: &str = "PRAGMA cache_size=-2000; PRAGMA temp_store=FILE; PRAGMA threads=1;";

/// Drops the search tables' secondary indexes if the store holds no version
/// yet; returns the indexes deferred now or by an earlier, unfinished load.
pub(crate) fn defer(conn: &mut Connection) -> Result<Vec<String>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let already = pending(&tx)?;
    if !already.is_empty() {
        return Ok(already);
    }
    let empty: bool = tx.query_row(
        "SELECT NOT EXISTS (SELECT 1 FROM resource_version)",
        [],
        |row| row.get(0),
    )?;
    if !empty {
        return Ok(Vec::new());
    }
    // sql IS NULL for the indexes behind PRIMARY KEY and UNIQUE constraints.
    let indexes: Vec<(String, String)> = tx
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND (tbl_name LIKE 'idx\\_%' ESCAPE '\\' OR tbl_name = 'resource_link') \
             ORDER BY name",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let indexes: Vec<(String, String)> = indexes
        .into_iter()
        .filter(|(name, _)| !KEPT_DURING_LOADS.contains(&name.as_str()))
        .collect();
    for (name, definition) in &indexes {
        tx.execute(
            "INSERT INTO deferred_index (name, definition) VALUES (?1, ?2)",
            [name, definition],
        )?;
        // The name comes from the catalog (our migrations), never from input.
        tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
    }
    tx.commit()?;
    Ok(indexes.into_iter().map(|(name, _)| name).collect())
}

/// The indexes deferred and not yet built, by name.
pub(crate) fn pending(conn: &Connection) -> Result<Vec<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT name FROM deferred_index ORDER BY name")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Builds the deferred index `name` and forgets it; nothing if it is not
/// deferred (another process built it first).
pub(crate) fn build(conn: &mut Connection, name: &str) -> Result<(), StoreError> {
    conn.execute_batch(SORTER_SETTINGS)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let definition: Option<String> = tx
        .query_row(
            "SELECT definition FROM deferred_index WHERE name = ?1",
            [name],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(definition) = definition {
        tx.execute_batch(&definition)?;
        tx.execute("DELETE FROM deferred_index WHERE name = ?1", [name])?;
    }
    tx.commit()?;
    Ok(())
}
