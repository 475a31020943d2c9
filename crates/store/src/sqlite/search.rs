//! Running a search on SQLite: the [`SearchConnection`] of a read
//! connection (statements rendered for SQLite, prepared once and cached),
//! and the `EXPLAIN QUERY PLAN` tool.

use super::reads::version_from_row;
use crate::search::build::page_query;
use crate::search::execute::{SearchConnection, page_plan};
use crate::search::plan::ChainWalk;
use crate::search::render::{Dialect, Rendered, render};
use crate::search::sql::{Query, SqlValue};
use crate::{SearchPage, StoreError, StoredVersion};
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, Row};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use tessera_fhir::search::SearchQuery;

pub(crate) fn search(
    conn: &Connection,
    query: &SearchQuery,
    cursor: Option<&str>,
) -> Result<SearchPage, StoreError> {
    answered_in_place(crate::search::execute::search(
        &mut SqliteSearch(conn),
        query,
        cursor,
    ))
}

/// The output of `search`, run on this thread. The shared search executor
/// is asynchronous for the network backend's sake; over SQLite every
/// statement answers in place, so the executor's future is ready at its
/// first poll and no runtime is needed.
fn answered_in_place<T>(
    search: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    let mut search = std::pin::pin!(search);
    let mut context = Context::from_waker(Waker::noop());
    match search.as_mut().poll(&mut context) {
        Poll::Ready(output) => output,
        Poll::Pending => Err(StoreError::Database(
            "a SQLite search waited for something, which it never should".into(),
        )),
    }
}

struct SqliteSearch<'c>(&'c Connection);

impl SearchConnection for SqliteSearch<'_> {
    const CHAIN_WALK: ChainWalk = ChainWalk::Joined;

    async fn rows(&mut self, query: &Query) -> Result<Vec<Vec<SqlValue>>, StoreError> {
        run(self.0, query, |row| {
            let width = row.as_ref().column_count();
            (0..width).map(|i| Ok(sql_value(row.get_ref(i)?))).collect()
        })
    }

    async fn versions(&mut self, query: &Query) -> Result<Vec<(StoredVersion, i64)>, StoreError> {
        run(self.0, query, version_from_row)
    }

    /// Found by skipping through the type index (one probe per type, not a scan).
    async fn stored_types(&mut self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.0.prepare_cached(
            "WITH RECURSIVE types(name) AS ( \
               SELECT MIN(resource_type) FROM resource \
               UNION ALL \
               SELECT (SELECT MIN(resource_type) FROM resource WHERE resource_type > name) \
               FROM types WHERE name IS NOT NULL) \
             SELECT name FROM types WHERE name IS NOT NULL",
        )?;
        let names = stmt.query_map([], |row| row.get(0))?;
        Ok(names.collect::<Result<Vec<String>, _>>()?)
    }
}

/// Renders, prepares (cached) and runs one statement.
fn run<T>(
    conn: &Connection,
    query: &Query,
    mut map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    let Rendered { sql, params } = render(query, Dialect::Sqlite);
    let mut stmt = conn.prepare_cached(&sql)?;
    for (i, value) in params.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, to_sql(value))?;
    }
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(map(row)?);
    }
    Ok(out)
}

/// The pointer type rusqlite's `rarray` table-valued function reads.
const RARRAY: &std::ffi::CStr = c"rarray";

fn to_sql(value: &SqlValue) -> ToSqlOutput<'_> {
    match value {
        SqlValue::Null => ToSqlOutput::Owned(Value::Null),
        SqlValue::Int(v) => ToSqlOutput::Owned(Value::Integer(*v)),
        SqlValue::Real(v) => ToSqlOutput::Owned(Value::Real(*v)),
        SqlValue::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
        SqlValue::IntList(list) => ToSqlOutput::from_rc(
            Rc::new(list.iter().map(|v| Value::Integer(*v)).collect::<Vec<_>>()),
            RARRAY,
        ),
        SqlValue::TextList(list) => ToSqlOutput::from_rc(
            Rc::new(
                list.iter()
                    .map(|v| Value::Text(v.clone()))
                    .collect::<Vec<_>>(),
            ),
            RARRAY,
        ),
    }
}

fn sql_value(value: ValueRef<'_>) -> SqlValue {
    match value {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(v) => SqlValue::Int(v),
        ValueRef::Real(v) => SqlValue::Real(v),
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
            SqlValue::Text(String::from_utf8_lossy(bytes).into_owned())
        }
    }
}

/// The rendered SQL of a search's page statement (for tests and tools).
pub(crate) fn explain_page(query: &SearchQuery) -> Result<Rendered, StoreError> {
    let types = query.resource_types.clone();
    let plan = page_plan(query, &types, SqliteSearch::CHAIN_WALK)?;
    Ok(render(&page_query(&plan), Dialect::Sqlite))
}

/// `EXPLAIN QUERY PLAN` of a search's page statement, one line per step.
pub(crate) fn query_plan(
    conn: &Connection,
    query: &SearchQuery,
) -> Result<Vec<String>, StoreError> {
    let Rendered { sql, params } = explain_page(query)?;
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    for (i, value) in params.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, to_sql(value))?;
    }
    let mut rows = stmt.raw_query();
    let mut lines = Vec::new();
    while let Some(row) = rows.next()? {
        lines.push(row.get::<_, String>(3)?);
    }
    Ok(lines)
}
