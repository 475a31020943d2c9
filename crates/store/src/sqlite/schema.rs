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
    (
        3,
        "links by source rid",
        include_str!("../../migrations/sqlite/0003_links_by_source_rid.sql"),
    ),
    (
        4,
        "deferred indexes",
        include_str!("../../migrations/sqlite/0004_deferred_indexes.sql"),
    ),
    (
        5,
        "links keyed by source",
        include_str!("../../migrations/sqlite/0005_links_keyed_by_source.sql"),
    ),
    (
        6,
        "versions keyed by rid",
        include_str!("../../migrations/sqlite/0006_versions_keyed_by_rid.sql"),
    ),
];

/// Brings the schema up to date inside one transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_to(conn, i64::MAX)
}

/// Applies the migrations not yet applied, up to and including `last`.
fn migrate_to(conn: &mut Connection, last: i64) -> Result<(), StoreError> {
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
        if *version <= applied || *version > last {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_written_before_migration_3_keep_their_source_through_migration_5() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("tessera.db")).unwrap();
        migrate_to(&mut conn, 2).unwrap();
        conn.execute_batch(
            "INSERT INTO resource (rid, resource_type, id, version, seq, deleted, last_updated) \
               VALUES (7, 'Observation', 'o1', 1, 1, 0, 0), (8, 'Patient', 'p1', 1, 2, 0, 0); \
             INSERT INTO resource_link (target_type, target_id, source_type, source_id) \
               VALUES ('Patient', 'p1', 'Observation', 'o1'), ('Practitioner', 'd1', 'Observation', 'o1');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let rids: Vec<Option<i64>> = conn
            .prepare("SELECT source_rid FROM resource_link ORDER BY target_type")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rids, vec![Some(7), Some(7)]);
        let plan = |sql: &str| -> String {
            conn.query_row(&format!("EXPLAIN QUERY PLAN {sql}"), [], |row| row.get(3))
                .unwrap()
        };
        // Migration 5 keys the links by their source and indexes their target.
        let by_source = plan("SELECT 1 FROM resource_link WHERE source_rid = 7");
        assert!(by_source.contains("PRIMARY KEY"), "{by_source}");
        let by_target =
            plan("SELECT 1 FROM resource_link WHERE target_type = 'Patient' AND target_id = 'p1'");
        assert!(by_target.contains("resource_link_target"), "{by_target}");
    }

    #[test]
    fn versions_written_before_migration_6_get_their_resource_rid() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("tessera.db")).unwrap();
        migrate_to(&mut conn, 5).unwrap();
        conn.execute_batch(
            "INSERT INTO resource_version (seq, resource_type, id, version, last_updated, method) \
               VALUES (1, 'Patient', 'p1', 1, 0, 1), (2, 'Observation', 'o1', 1, 0, 1), \
                      (3, 'Patient', 'p1', 2, 0, 2); \
             INSERT INTO resource (rid, resource_type, id, version, seq, deleted, last_updated) \
               VALUES (7, 'Patient', 'p1', 2, 3, 0, 0), (8, 'Observation', 'o1', 1, 2, 0, 0);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let rows: Vec<(i64, i64, i64)> = conn
            .prepare("SELECT seq, rid, version FROM resource_version ORDER BY seq")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows, vec![(1, 7, 1), (2, 8, 1), (3, 7, 2)]);
        let duplicate = conn.execute(
            "INSERT INTO resource_version (rid, resource_type, id, version, last_updated, method) \
             VALUES (7, 'Patient', 'p1', 2, 0, 2)",
            [],
        );
        assert!(duplicate.is_err(), "(rid, version) must be unique");
    }
}
