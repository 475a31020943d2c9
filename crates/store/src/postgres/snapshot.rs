//! [`crate::ResourceStore::versions`] on PostgreSQL: one `REPEATABLE READ
//! READ ONLY` transaction on a pooled connection, on the blocking pool; the
//! versions are fetched through a portal, a chunk at a time, so the whole
//! result is never held in memory on either side.

use super::PostgresStore;
use super::connection::PgConnection;
use super::reads::{VERSION_COLUMNS, version_from_row};
use crate::snapshot::{CENSUS_LIVE, CENSUS_VERSIONS, CHUNK, Emitter, VersionStream, census};
use crate::{Census, StoreError};
use postgres::{IsolationLevel, Transaction};

pub(crate) async fn versions(store: &PostgresStore) -> Result<VersionStream, StoreError> {
    let pool = store.pool.handle()?;
    VersionStream::start(
        |run| {
            // Dropping the join handle detaches the task; the stream's end
            // mark says whether it finished.
            drop(tokio::task::spawn_blocking(run));
            Ok(())
        },
        move |emitter| {
            let mut conn = pool
                .get()
                .map_err(|e| StoreError::Unavailable(format!("no database connection: {e}")))?;
            produce(&mut conn, emitter)
        },
    )
    .await
}

fn produce(conn: &mut PgConnection, emitter: &mut Emitter) -> Result<(), StoreError> {
    let mut tx = conn
        .client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    emitter.census(read_census(&mut tx)?)?;
    let portal = tx.bind(
        format!("SELECT {VERSION_COLUMNS} FROM resource_version v ORDER BY v.seq").as_str(),
        &[],
    )?;
    let rows_per_fetch = i32::try_from(CHUNK).unwrap_or(i32::MAX);
    loop {
        let rows = tx.query_portal(&portal, rows_per_fetch)?;
        if rows.is_empty() {
            break;
        }
        let chunk = rows
            .iter()
            .map(|row| version_from_row(row).map(|(version, _)| version))
            .collect::<Result<Vec<_>, _>>()?;
        emitter.chunk(chunk)?;
    }
    tx.commit()?;
    Ok(())
}

fn read_census(tx: &mut Transaction<'_>) -> Result<Census, StoreError> {
    let mut counts = |sql: &str| -> Result<Vec<(String, i64)>, StoreError> {
        tx.query(sql, &[])?
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
    };
    let versions = counts(CENSUS_VERSIONS)?;
    let live = counts(CENSUS_LIVE)?;
    Ok(census(versions, live))
}
