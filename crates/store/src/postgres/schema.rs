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
    (
        3,
        "links by source rid",
        include_str!("../../migrations/postgres/0003_links_by_source_rid.sql"),
    ),
    (
        4,
        "deferred indexes",
        include_str!("../../migrations/postgres/0004_deferred_indexes.sql"),
    ),
];

/// The advisory lock key that serialises migrations ("tessera" in ASCII).
const MIGRATION_LOCK: i64 = 0x0074_6573_7365_7261;

pub(crate) fn migrate(client: &mut Client) -> Result<(), StoreError> {
    migrate_to(client, i64::MAX)
}

/// Applies the migrations not yet applied, up to and including `last`.
fn migrate_to(client: &mut Client, last: i64) -> Result<(), StoreError> {
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
        if *version <= applied || *version > last {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postgres::postgres_only_database;

    #[test]
    fn links_written_before_migration_3_get_their_source_rid() {
        let Some(db) =
            postgres_only_database("links_written_before_migration_3_get_their_source_rid")
        else {
            return;
        };
        let mut client = Client::connect(db.url(), postgres::NoTls).unwrap();
        migrate_to(&mut client, 2).unwrap();
        client
            .batch_execute(
                "INSERT INTO resource (rid, resource_type, id, version, seq, deleted, last_updated) \
                   OVERRIDING SYSTEM VALUE \
                   VALUES (7, 'Observation', 'o1', 1, 1, 0, 0), (8, 'Patient', 'p1', 1, 2, 0, 0); \
                 INSERT INTO resource_link (target_type, target_id, source_type, source_id) \
                   VALUES ('Patient', 'p1', 'Observation', 'o1'), \
                   ('Practitioner', 'd1', 'Observation', 'o1');",
            )
            .unwrap();
        migrate(&mut client).unwrap();
        let rids: Vec<Option<i64>> = client
            .query(
                "SELECT source_rid FROM resource_link ORDER BY target_type",
                &[],
            )
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        assert_eq!(rids, vec![Some(7), Some(7)]);
        drop(client);
    }
}
