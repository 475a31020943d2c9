//! Deferred search indexes on PostgreSQL (see
//! [`ResourceStore::defer_search_indexes`](crate::ResourceStore::defer_search_indexes)):
//! the non-unique indexes of the `idx_*` tables, dropped and recorded with
//! their definition from `pg_get_indexdef`, built again one at a time.
//! `deferred_index` is locked for each step, so two processes loading at
//! once defer and build each index once.

use super::connection::PgConnection;
use crate::StoreError;

/// Memory for sorting an index build (PostgreSQL's default is 64 MB).
const BUILD_MEMORY: &str = "256MB";

/// Drops the search tables' secondary indexes if the store holds no version
/// yet; returns the indexes deferred now or by an earlier, unfinished load.
pub(crate) fn defer(conn: &mut PgConnection) -> Result<Vec<String>, StoreError> {
    let mut tx = conn.client.transaction()?;
    tx.batch_execute("LOCK TABLE deferred_index IN EXCLUSIVE MODE")?;
    let already = names(&tx.query("SELECT name FROM deferred_index ORDER BY name", &[])?)?;
    if !already.is_empty() {
        return Ok(already);
    }
    let empty: bool = tx
        .query_one("SELECT NOT EXISTS (SELECT 1 FROM resource_version)", &[])?
        .try_get(0)?;
    if !empty {
        return Ok(Vec::new());
    }
    let indexes = tx.query(
        "SELECT c.relname::text, pg_get_indexdef(c.oid) \
         FROM pg_index x \
         JOIN pg_class c ON c.oid = x.indexrelid \
         JOIN pg_class t ON t.oid = x.indrelid \
         WHERE t.relnamespace = current_schema()::regnamespace \
           AND NOT x.indisunique AND t.relname LIKE 'idx\\_%' \
         ORDER BY 1",
        &[],
    )?;
    let mut deferred = Vec::with_capacity(indexes.len());
    for row in &indexes {
        let name: String = row.try_get(0)?;
        let definition: String = row.try_get(1)?;
        tx.execute(
            "INSERT INTO deferred_index (name, definition) VALUES ($1, $2)",
            &[&name, &definition],
        )?;
        // The name comes from the catalog (our migrations), never from input.
        tx.batch_execute(&format!("DROP INDEX \"{name}\""))?;
        deferred.push(name);
    }
    tx.commit()?;
    Ok(deferred)
}

/// The indexes deferred and not yet built, by name.
pub(crate) fn pending(conn: &mut PgConnection) -> Result<Vec<String>, StoreError> {
    names(
        &conn
            .client
            .query("SELECT name FROM deferred_index ORDER BY name", &[])?,
    )
}

/// Builds the deferred index `name` and forgets it; nothing if it is not
/// deferred (another process built it first). Once none is left, gathers
/// the planner's statistics: after a bulk load PostgreSQL has none until
/// autovacuum comes by, and plans on default guesses meanwhile.
pub(crate) fn build(conn: &mut PgConnection, name: &str) -> Result<(), StoreError> {
    let mut tx = conn.client.transaction()?;
    tx.batch_execute(&format!(
        "SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'"
    ))?;
    let found = tx.query(
        "SELECT definition FROM deferred_index WHERE name = $1 FOR UPDATE",
        &[&name],
    )?;
    if let Some(row) = found.first() {
        let definition: String = row.try_get(0)?;
        tx.batch_execute(&definition)?;
        tx.execute("DELETE FROM deferred_index WHERE name = $1", &[&name])?;
    }
    tx.commit()?;
    if !found.is_empty() && pending(conn)?.is_empty() {
        conn.client.batch_execute("ANALYZE")?;
    }
    Ok(())
}

fn names(rows: &[postgres::Row]) -> Result<Vec<String>, StoreError> {
    rows.iter().map(|row| Ok(row.try_get(0)?)).collect()
}

#[cfg(test)]
mod tests {
    use crate::postgres::{PostgresStore, postgres_only_database};
    use crate::{Clock, ResourceStore};
    use std::sync::Arc;

    struct FixedClock;
    impl Clock for FixedClock {
        fn now_millis(&self) -> i64 {
            1_700_000_000_000
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn building_the_last_deferred_index_gathers_statistics() {
        let Some(db) =
            postgres_only_database("building_the_last_deferred_index_gathers_statistics")
        else {
            return;
        };
        let store = PostgresStore::open(db.url(), Arc::new(FixedClock)).unwrap();
        let deferred = store.defer_search_indexes().await.unwrap();
        assert!(!deferred.is_empty());
        let analysed = || {
            let url = db.url().to_owned();
            std::thread::spawn(move || {
                let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                client
                    .query_one(
                        "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables \
                         WHERE relname = 'idx_token'",
                        &[],
                    )
                    .unwrap()
                    .get::<_, bool>(0)
            })
            .join()
            .unwrap()
        };
        for name in &deferred {
            assert!(!analysed(), "analysed before the last index ({name})");
            store.build_deferred_index(name).await.unwrap();
        }
        assert!(analysed());
        drop(store);
    }
}
