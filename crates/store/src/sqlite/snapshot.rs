//! [`crate::ResourceStore::versions`] on SQLite: one deferred read
//! transaction on a connection of its own (WAL keeps its snapshot while the
//! writer commits), on a thread of its own.

use super::reads::{VERSION_COLUMNS, version_from_row};
use crate::snapshot::{CENSUS_LIVE, CENSUS_VERSIONS, CHUNK, Emitter, VersionStream, census};
use crate::{Census, StoreError};
use rusqlite::Connection;

pub(crate) async fn versions(conn: Connection) -> Result<VersionStream, StoreError> {
    VersionStream::start(
        |run| {
            std::thread::Builder::new()
                .name("tessera-sqlite-snapshot".into())
                .spawn(run)
                .map(drop)
                .map_err(|e| StoreError::Unavailable(format!("cannot start a snapshot: {e}")))
        },
        move |emitter| produce(&conn, emitter),
    )
    .await
}

fn produce(conn: &Connection, emitter: &mut Emitter) -> Result<(), StoreError> {
    // The snapshot starts at the transaction's first read (the census), and
    // every later read of the transaction sees that same state.
    conn.execute_batch("BEGIN DEFERRED")?;
    let result = stream(conn, emitter);
    let _ = conn.execute_batch("COMMIT");
    result
}

fn stream(conn: &Connection, emitter: &mut Emitter) -> Result<(), StoreError> {
    emitter.census(read_census(conn)?)?;
    let mut statement = conn.prepare(&format!(
        "SELECT {VERSION_COLUMNS} FROM resource_version v ORDER BY v.seq"
    ))?;
    let mut rows = statement.query([])?;
    let mut chunk = Vec::with_capacity(CHUNK);
    while let Some(row) = rows.next()? {
        chunk.push(version_from_row(row)?.0);
        if chunk.len() == CHUNK {
            emitter.chunk(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))?;
        }
    }
    if !chunk.is_empty() {
        emitter.chunk(chunk)?;
    }
    Ok(())
}

fn read_census(conn: &Connection) -> Result<Census, StoreError> {
    let counts = |sql: &str| -> Result<Vec<(String, i64)>, StoreError> {
        let mut statement = conn.prepare(sql)?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    Ok(census(counts(CENSUS_VERSIONS)?, counts(CENSUS_LIVE)?))
}
