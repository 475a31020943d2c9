//! Read queries on PostgreSQL: the current version, one version, history.

use super::connection::StatementCache;
use crate::{
    HistoryPage, HistoryQuery, HistoryScope, Instant, ResourceKey, StoreError, StoredVersion,
    WriteMethod,
};
use bytes::Bytes;
use postgres::types::ToSql;
use postgres::{GenericClient, Row};

pub(crate) const VERSION_COLUMNS: &str = "v.resource_type, v.id, v.version, v.last_updated, \
     v.method, v.body, v.patient_key, v.author_org, v.seq";

/// Maps a row selected with [`VERSION_COLUMNS`]: the version and its seq.
pub(crate) fn version_from_row(row: &Row) -> Result<(StoredVersion, i64), StoreError> {
    version_from_columns(row, 0)
}

/// Maps the [`VERSION_COLUMNS`] of a row that starts them at column `first`.
pub(crate) fn version_from_columns(
    row: &Row,
    first: usize,
) -> Result<(StoredVersion, i64), StoreError> {
    let method_code: i16 = row.try_get(first + 4)?;
    let key = ResourceKey::new(
        row.try_get::<_, String>(first)?,
        row.try_get::<_, String>(first + 1)?,
    );
    let method = WriteMethod::from_code(method_code.into()).ok_or_else(|| StoreError::Corrupt {
        key: key.clone(),
        reason: format!("unknown write method {method_code}"),
    })?;
    let body: Option<Vec<u8>> = row.try_get(first + 5)?;
    Ok((
        StoredVersion {
            key,
            version: row.try_get(first + 2)?,
            last_updated: Instant::from_millis(row.try_get(first + 3)?),
            method,
            body: body.map(Bytes::from).unwrap_or_default(),
            patient_key: row.try_get(first + 6)?,
            author_org: row.try_get(first + 7)?,
        },
        row.try_get(first + 8)?,
    ))
}

fn query(
    client: &mut impl GenericClient,
    statements: &mut StatementCache,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, StoreError> {
    let statement = statements.get(client, sql)?;
    Ok(client.query(&statement, params)?)
}

pub(crate) fn referenced_by(
    client: &mut impl GenericClient,
    statements: &mut StatementCache,
    sources: &[ResourceKey],
    target_types: &[String],
) -> Result<Vec<ResourceKey>, StoreError> {
    let (types, ids) = types_and_ids(sources);
    let rows = query(
        client,
        statements,
        "WITH sources AS ( \
           SELECT r.rid FROM UNNEST($1::text[], $2::text[]) AS s (resource_type, id) \
           JOIN resource r ON r.resource_type = s.resource_type AND r.id = s.id) \
         SELECT x.target_type, x.target_id FROM sources JOIN idx_reference x ON x.rid = sources.rid \
         WHERE x.target_type = ANY($3) AND x.target_id IS NOT NULL \
         UNION \
         SELECT l.target_type, l.target_id FROM sources \
         JOIN resource_link l ON l.source_rid = sources.rid \
         WHERE l.target_type = ANY($3) ORDER BY 1, 2",
        &[&types, &ids, &target_types],
    )?;
    keys_from_rows(&rows)
}

/// Resource keys from rows whose first two columns are type and id.
pub(crate) fn keys_from_rows(rows: &[Row]) -> Result<Vec<ResourceKey>, StoreError> {
    rows.iter()
        .map(|row| {
            Ok(ResourceKey::new(
                row.try_get::<_, String>(0)?,
                row.try_get::<_, String>(1)?,
            ))
        })
        .collect()
}

pub(crate) fn current(
    client: &mut impl GenericClient,
    statements: &mut StatementCache,
    key: &ResourceKey,
) -> Result<Option<StoredVersion>, StoreError> {
    let rows = query(
        client,
        statements,
        &format!(
            "SELECT {VERSION_COLUMNS} FROM resource r JOIN resource_version v ON v.seq = r.seq \
             WHERE r.resource_type = $1 AND r.id = $2"
        ),
        &[&key.resource_type, &key.id],
    )?;
    rows.first()
        .map(|row| version_from_row(row).map(|(version, _)| version))
        .transpose()
}

/// The types and the ids of `keys`, as two arrays to bind.
fn types_and_ids(keys: &[ResourceKey]) -> (Vec<&str>, Vec<&str>) {
    keys.iter()
        .map(|key| (key.resource_type.as_str(), key.id.as_str()))
        .unzip()
}

/// The current versions of those of `keys` that exist, in the order of
/// `keys`, with one statement.
pub(crate) fn current_of_many(
    client: &mut impl GenericClient,
    statements: &mut StatementCache,
    keys: &[ResourceKey],
) -> Result<Vec<StoredVersion>, StoreError> {
    let (types, ids) = types_and_ids(keys);
    let rows = query(
        client,
        statements,
        &format!(
            "SELECT {VERSION_COLUMNS} \
             FROM UNNEST($1::text[], $2::text[]) WITH ORDINALITY AS k (resource_type, id, place) \
             JOIN resource r ON r.resource_type = k.resource_type AND r.id = k.id \
             JOIN resource_version v ON v.seq = r.seq ORDER BY k.place"
        ),
        &[&types, &ids],
    )?;
    rows.iter()
        .map(|row| version_from_row(row).map(|(version, _)| version))
        .collect()
}

pub(crate) fn version(
    client: &mut impl GenericClient,
    statements: &mut StatementCache,
    key: &ResourceKey,
    version: i64,
) -> Result<Option<StoredVersion>, StoreError> {
    let rows = query(
        client,
        statements,
        &format!(
            "SELECT {VERSION_COLUMNS} FROM resource_version v \
             WHERE v.resource_type = $1 AND v.id = $2 AND v.version = $3"
        ),
        &[&key.resource_type, &key.id, &version],
    )?;
    rows.first()
        .map(|row| version_from_row(row).map(|(version, _)| version))
        .transpose()
}

/// A page of history, newest first. Several writers commit concurrently
/// here, so `lastUpdated` is tested directly rather than turned into a seq
/// bound (as SQLite's single writer allows).
pub(crate) fn history(
    client: &mut impl GenericClient,
    statements: &mut StatementCache,
    request: &HistoryQuery,
) -> Result<HistoryPage, StoreError> {
    let since = request.since.map_or(i64::MIN, Instant::millis);
    let before_seq = request.cursor.unwrap_or(i64::MAX);
    let limit = i64::try_from(request.count)
        .unwrap_or(i64::MAX)
        .saturating_add(1);
    let (scope, resource_type, id) = match &request.scope {
        HistoryScope::System => ("TRUE", None, None),
        HistoryScope::Type(t) => ("v.resource_type = $4", Some(t.as_str()), None),
        HistoryScope::Instance(key) => (
            "v.resource_type = $4 AND v.id = $5",
            Some(key.resource_type.as_str()),
            Some(key.id.as_str()),
        ),
    };
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&since, &before_seq, &limit];
    if let Some(t) = &resource_type {
        params.push(t);
    }
    if let Some(i) = &id {
        params.push(i);
    }
    let rows = query(
        client,
        statements,
        &format!(
            "SELECT {VERSION_COLUMNS} FROM resource_version v \
             WHERE {scope} AND v.last_updated >= $1 AND v.seq < $2 ORDER BY v.seq DESC LIMIT $3"
        ),
        &params,
    )?;
    let mut entries = Vec::new();
    let mut next_cursor = None;
    for row in &rows {
        let (version, seq) = version_from_row(row)?;
        if entries.len() == request.count {
            next_cursor = Some(seq + 1);
            break;
        }
        entries.push(version);
    }
    let total = if request.with_total {
        // The count takes the scope's parameters at the same positions.
        let (count_scope, count_params): (&str, Vec<&(dyn ToSql + Sync)>) =
            match (&resource_type, &id) {
                (Some(t), Some(i)) => ("v.resource_type = $2 AND v.id = $3", vec![&since, t, i]),
                (Some(t), None) => ("v.resource_type = $2", vec![&since, t]),
                _ => ("TRUE", vec![&since]),
            };
        let rows = query(
            client,
            statements,
            &format!(
                "SELECT COUNT(*) FROM resource_version v \
                 WHERE {count_scope} AND v.last_updated >= $1"
            ),
            &count_params,
        )?;
        let count: i64 = match rows.first() {
            Some(row) => row.try_get(0)?,
            None => 0,
        };
        Some(u64::try_from(count).unwrap_or(0))
    } else {
        None
    };
    Ok(HistoryPage {
        entries,
        next_cursor,
        total,
    })
}
