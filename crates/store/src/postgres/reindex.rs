//! The PostgreSQL side of a reindex ([`crate::reindex`]): each chunk is
//! written in one transaction that replaces the rows of every resource
//! whose head is still the version read (its head row locked meanwhile).

use super::PostgresStore;
use super::connection::{PgConnection, StatementCache};
use super::index_rows::{self, IndexBuffer};
use crate::reindex::{FreshEntries, LiveResource, ReindexSource};
use crate::{ResourceKey, StoreError};
use async_trait::async_trait;
use postgres::types::ToSql;
use postgres::{GenericClient, Row};

/// Resources read, extracted and written per step.
const CHUNK: i64 = 500;

#[async_trait]
impl ReindexSource for PostgresStore {
    async fn count_live(&self, resource_type: Option<String>) -> Result<u64, StoreError> {
        self.with_connection(move |conn| count(conn, resource_type.as_deref()))
            .await
    }

    async fn read_chunk(
        &self,
        resource_type: Option<String>,
        after: i64,
    ) -> Result<Vec<LiveResource>, StoreError> {
        self.with_connection(move |conn| read_chunk(conn, resource_type.as_deref(), after))
            .await
    }

    async fn replace(&self, rows: Vec<FreshEntries>) -> Result<u64, StoreError> {
        self.with_connection(move |conn| write(conn, rows)).await
    }
}

fn count(conn: &mut PgConnection, resource_type: Option<&str>) -> Result<u64, StoreError> {
    let rows = match resource_type {
        Some(t) => conn.client.query(
            "SELECT COUNT(*) FROM resource WHERE resource_type = $1 AND deleted = 0",
            &[&t],
        )?,
        None => conn
            .client
            .query("SELECT COUNT(*) FROM resource WHERE deleted = 0", &[])?,
    };
    let n: i64 = match rows.first() {
        Some(row) => row.try_get(0)?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

fn read_chunk(
    conn: &mut PgConnection,
    resource_type: Option<&str>,
    after: i64,
) -> Result<Vec<LiveResource>, StoreError> {
    const COLUMNS: &str = "r.rid, r.seq, r.resource_type, r.id, r.patient_key, v.body \
        FROM resource r JOIN resource_version v ON v.seq = r.seq";
    let rows = match resource_type {
        Some(t) => query(
            conn,
            &format!(
                "SELECT {COLUMNS} WHERE r.resource_type = $1 AND r.rid > $2 AND r.deleted = 0 \
                 ORDER BY r.rid LIMIT $3"
            ),
            &[&t, &after, &CHUNK],
        )?,
        None => query(
            conn,
            &format!("SELECT {COLUMNS} WHERE r.rid > $1 AND r.deleted = 0 ORDER BY r.rid LIMIT $2"),
            &[&after, &CHUNK],
        )?,
    };
    rows.iter()
        .map(|row| {
            Ok(LiveResource {
                rid: row.try_get(0)?,
                seq: row.try_get(1)?,
                key: ResourceKey::new(row.try_get::<_, String>(2)?, row.try_get::<_, String>(3)?),
                patient_key: row.try_get(4)?,
                body: row.try_get::<_, Option<Vec<u8>>>(5)?.unwrap_or_default(),
            })
        })
        .collect()
}

fn query(
    conn: &mut PgConnection,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, StoreError> {
    let PgConnection {
        client, statements, ..
    } = conn;
    let statement = statements.get(client, sql)?;
    Ok(client.query(&statement, params)?)
}

fn write(conn: &mut PgConnection, rows: Vec<FreshEntries>) -> Result<u64, StoreError> {
    let PgConnection {
        client, statements, ..
    } = conn;
    let mut tx = client.transaction()?;
    let mut buffer = IndexBuffer::default();
    let mut replaced = 0;
    for row in rows {
        if !still_head(&mut tx, statements, row.rid, row.seq)? {
            continue;
        }
        keep_references_as_links(&mut tx, statements, &row)?;
        index_rows::remove(&mut tx, statements, row.rid)?;
        buffer.add(
            row.rid,
            &row.resource_type,
            row.patient_key.as_deref(),
            &row.entries,
        );
        replaced += 1;
    }
    buffer.flush(&mut tx, statements)?;
    tx.commit()?;
    Ok(replaced)
}

/// Before a reindex replaces `row`'s index rows: the local references its
/// reference rows name and its fresh entries no longer do become link rows,
/// so "who refers to X" still finds them (see
/// [`crate::apply::unindexed_references`]).
fn keep_references_as_links(
    tx: &mut impl GenericClient,
    statements: &mut StatementCache,
    row: &FreshEntries,
) -> Result<(), StoreError> {
    let statement = statements.get(
        tx,
        "SELECT DISTINCT target_type, target_id FROM idx_reference \
         WHERE rid = $1 AND target_type IS NOT NULL AND target_id IS NOT NULL",
    )?;
    let indexed = super::reads::keys_from_rows(&tx.query(&statement, &[&row.rid])?)?;
    let kept = crate::apply::unindexed_references(&indexed, &row.entries);
    if kept.is_empty() {
        return Ok(());
    }
    let (types, ids): (Vec<&str>, Vec<&str>) = kept
        .iter()
        .map(|key| (key.resource_type.as_str(), key.id.as_str()))
        .unzip();
    let statement = statements.get(
        tx,
        "INSERT INTO resource_link \
         (target_type, target_id, source_type, source_id, source_rid, patient_key) \
         SELECT u.target_type, u.target_id, r.resource_type, r.id, r.rid, r.patient_key \
         FROM UNNEST($2::text[], $3::text[]) AS u (target_type, target_id) \
         JOIN resource r ON r.rid = $1 \
         ON CONFLICT DO NOTHING",
    )?;
    tx.execute(&statement, &[&row.rid, &types, &ids])?;
    Ok(())
}

/// Whether live resource `rid` is still at `seq` (locking its head).
fn still_head(
    tx: &mut impl GenericClient,
    statements: &mut StatementCache,
    rid: i64,
    seq: i64,
) -> Result<bool, StoreError> {
    let statement = statements.get(
        tx,
        "SELECT 1 FROM resource WHERE rid = $1 AND seq = $2 AND deleted = 0 FOR UPDATE",
    )?;
    Ok(!tx.query(&statement, &[&rid, &seq])?.is_empty())
}
