//! Schema migrations for SQLite, applied in order on open. Each migration is
//! an embedded SQL file; `schema_migration` records which have run.

use crate::StoreError;
use rusqlite::Connection;

/// Every migration, in order. Never edit one that has shipped: add another.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "resources",
        include_str!("../../migrations/sqlite/0001_resources.sql"),
    ),
    (
        2,
        "patient codes",
        include_str!("../../migrations/sqlite/0002_patient_codes.sql"),
    ),
];

/// Brings the schema up to date inside one transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migration (
             version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    )?;
    let applied: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migration",
        [],
        |row| row.get(0),
    )?;
    for (version, name, sql) in MIGRATIONS {
        if *version <= applied {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migration (version, name, applied_at) VALUES (?1, ?2, unixepoch())",
            rusqlite::params![version, name],
        )?;
        tracing::info!(version, name, "applied schema migration");
    }
    tx.commit()?;
    Ok(())
}
