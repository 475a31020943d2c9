//! Running a search on PostgreSQL: the [`SearchConnection`] of a shared
//! asynchronous client (statements rendered for PostgreSQL, prepared once
//! per client), and `EXPLAIN` for the plan tools.

use super::async_reads::ReadClient;
use super::connection::{PgConnection, PgValue, sql_value};
use super::reads::{VERSION_COLUMNS, version_from_columns, version_from_row};
use crate::search::build::page_query;
use crate::search::execute::{SearchConnection, page_plan};
use crate::search::plan::ChainWalk;
use crate::search::render::{Dialect, Rendered, render};
use crate::search::sql::{Query, SqlValue};
use crate::{StoreError, StoredVersion};
use postgres::Row;
use postgres::types::ToSql;
use tessera_fhir::search::SearchQuery;

/// Every resource type stored, found by skipping through the type index
/// (one probe per type, not a scan).
const STORED_TYPES: &str = "WITH RECURSIVE types(name) AS ( \
       SELECT MIN(resource_type) FROM resource \
       UNION ALL \
       SELECT (SELECT MIN(resource_type) FROM resource WHERE resource_type > name) \
       FROM types WHERE name IS NOT NULL) \
     SELECT name FROM types WHERE name IS NOT NULL";

pub(crate) struct PgSearch<'c>(pub(crate) &'c ReadClient);

impl PgSearch<'_> {
    async fn run(&self, query: &Query) -> Result<Vec<Row>, StoreError> {
        let Rendered { sql, params } = render(query, Dialect::Postgres);
        self.0.query(&sql, &params).await
    }
}

impl SearchConnection for PgSearch<'_> {
    const CHAIN_WALK: ChainWalk = ChainWalk::Lateral;

    async fn rows(&mut self, query: &Query) -> Result<Vec<Vec<SqlValue>>, StoreError> {
        self.run(query)
            .await?
            .iter()
            .map(|row| (0..row.len()).map(|i| sql_value(row, i)).collect())
            .collect()
    }

    async fn versions(&mut self, query: &Query) -> Result<Vec<(StoredVersion, i64)>, StoreError> {
        self.run(query)
            .await?
            .iter()
            .map(version_from_row)
            .collect()
    }

    /// The page and its versions in one statement (one round trip, where
    /// two cost PostgreSQL's name-prefix search a fifth of its rate): the
    /// page's rows numbered in their order, each joined to its version.
    /// Every row's version comes back, `keep` or not.
    async fn page(
        &mut self,
        page: &Query,
        _keep: usize,
    ) -> Result<(Vec<Vec<SqlValue>>, Vec<StoredVersion>), StoreError> {
        let Rendered { sql, params } = render(page, Dialect::Postgres);
        let sql = format!(
            "SELECT q.*, {VERSION_COLUMNS} FROM ( \
               SELECT p.*, row_number() OVER () AS page_row \
               FROM ({sql}) AS p (page_rid, page_seq)) q \
             JOIN resource_version v ON v.seq = q.page_seq ORDER BY q.page_row"
        );
        let rows = self.0.query(&sql, &params).await?;
        let version_columns = VERSION_COLUMNS.split(',').count();
        let mut page_rows = Vec::with_capacity(rows.len());
        let mut versions = Vec::with_capacity(rows.len());
        for row in &rows {
            // The page's columns, its row number, then the version's.
            let page_columns = row.len().saturating_sub(version_columns + 1);
            page_rows.push(
                (0..page_columns)
                    .map(|i| sql_value(row, i))
                    .collect::<Result<Vec<_>, _>>()?,
            );
            versions.push(version_from_columns(row, page_columns + 1)?.0);
        }
        Ok((page_rows, versions))
    }

    async fn stored_types(&mut self) -> Result<Vec<String>, StoreError> {
        self.0
            .query(STORED_TYPES, &[])
            .await?
            .iter()
            .map(|row| Ok(row.try_get::<_, String>(0)?))
            .collect()
    }
}

/// The rendered SQL of a search's page statement.
pub(crate) fn explain_page(query: &SearchQuery) -> Result<Rendered, StoreError> {
    let types = query.resource_types.clone();
    let plan = page_plan(query, &types, PgSearch::CHAIN_WALK)?;
    Ok(render(&page_query(&plan), Dialect::Postgres))
}

/// PostgreSQL's `EXPLAIN` of a search's page statement, one line per row.
pub(crate) fn query_plan(
    conn: &mut PgConnection,
    query: &SearchQuery,
) -> Result<Vec<String>, StoreError> {
    let Rendered { sql, params } = explain_page(query)?;
    let values: Vec<PgValue<'_>> = params.iter().map(PgValue).collect();
    let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
    conn.client
        .query(&format!("EXPLAIN {sql}"), &refs)?
        .iter()
        .map(|row| Ok(row.try_get::<_, String>(0)?))
        .collect()
}
