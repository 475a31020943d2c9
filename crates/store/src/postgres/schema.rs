//! Schema migrations for PostgreSQL, applied in order on open, inside one
//! transaction that holds an advisory lock: several Tessera processes
//! starting at once on one database migrate it exactly once.

use crate::StoreError;
use postgres::Client;

/// Every migration, in order. Never edit one that has shipped: add another.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "resources",
        include_str!("../../migrations/postgres/0001_resources.sql"),
    ),
    (
        2,
        "patient codes",
        include_str!("../../migrations/postgres/0002_patient_codes.sql"),
    ),
];

/// The advisory lock key that serialises migrations ("tessera" in ASCII).
const MIGRATION_LOCK: i64 = 0x0074_6573_7365_7261;

pub(crate) fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migration (
             version BIGINT PRIMARY KEY, name TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )?;
    let applied: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migration",
            &[],
        )?
        .try_get(0)?;
    for (version, name, sql) in MIGRATIONS {
        if *version <= applied {
            continue;
        }
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO schema_migration (version, name) VALUES ($1, $2)",
            &[version, name],
        )?;
        tracing::info!(version, name, "applied schema migration");
    }
    tx.commit()?;
    Ok(())
}
