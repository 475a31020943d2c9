//! Running a search on SQLite: plan, build, render, execute, then load the
//! page's versions and its includes. The statements a search issues are
//! fixed by its shape, never by its size: the page, one load of the page's
//! versions, one per include (per round for `:iterate`), one load of the
//! included versions, and the count when a total is asked for and the page
//! does not already tell it.

use super::reads::version_from_row;
use crate::search::build::{count_query, page_query};
use crate::search::cursor::{decode, encode, sort_fingerprint};
use crate::search::fetch::{include_query, load_query, revinclude_query};
use crate::search::hash::param_hash;
use crate::search::plan::{Cursor, plan};
use crate::search::render::{Rendered, render};
use crate::search::sql::{Query, SqlValue};
use crate::{SearchPage, StoreError, StoredVersion};
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, Row};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use tessera_fhir::search::{Include, SearchQuery, TotalMode};

/// How many rounds `_include:iterate` / `_revinclude:iterate` follow.
pub const MAX_INCLUDE_DEPTH: usize = 3;
/// The most resources includes may add to one page (a larger set is an
/// error asking for a smaller `_count`, not a silently cut page).
pub const MAX_INCLUDED: usize = 5_000;

/// A page row: rid, seq and the sort values.
struct PageRow {
    rid: i64,
    seq: i64,
    sort_values: Vec<SqlValue>,
}

pub(crate) fn search(
    conn: &Connection,
    query: &SearchQuery,
    cursor: Option<&str>,
) -> Result<SearchPage, StoreError> {
    let fingerprint = sort_fingerprint(&query.sort);
    let after = cursor.map(|text| decode(fingerprint, text)).transpose()?;
    let first_page = after.is_none();
    let needs_types = !query.criteria.is_empty()
        || query
            .sort
            .iter()
            .any(|key| key.param != "_id" && key.param != "_lastUpdated");
    let types = if query.resource_types.is_empty() && needs_types {
        stored_types(conn)?
    } else {
        query.resource_types.clone()
    };
    if needs_types && types.is_empty() {
        // Nothing stored: nothing matches.
        let total = (query.total != TotalMode::None).then_some(0);
        return Ok(SearchPage {
            total,
            ..SearchPage::default()
        });
    }
    let plan = plan(query, &types, after)?;

    let mut rows = Vec::new();
    if plan.page_size > 0 {
        let sort_count = plan.sort.len();
        rows = run(conn, &page_query(&plan), |row| {
            let mut sort_values = Vec::with_capacity(sort_count);
            for i in 0..sort_count {
                sort_values.push(sql_value(row.get_ref(2 + i)?));
            }
            Ok(PageRow {
                rid: row.get(0)?,
                seq: row.get(1)?,
                sort_values,
            })
        })?;
    }
    let has_more = rows.len() > plan.page_size;
    rows.truncate(plan.page_size);
    let next_cursor = match rows.last() {
        Some(last) if has_more => Some(encode(
            fingerprint,
            &Cursor {
                values: last.sort_values.clone(),
                rid: last.rid,
            },
        )),
        _ => None,
    };
    let total = match query.total {
        TotalMode::None => None,
        // A first page that holds every match counts itself.
        _ if first_page && !has_more && plan.page_size > 0 => Some(rows.len() as u64),
        TotalMode::Estimate | TotalMode::Accurate => {
            let counts = run(conn, &count_query(&plan), |row| row.get::<_, i64>(0))?;
            Some(counts.first().map_or(0, |&n| u64::try_from(n).unwrap_or(0)))
        }
    };
    let matches = load(conn, rows.iter().map(|row| row.seq).collect())?;
    let match_rids: Vec<(i64, &StoredVersion)> =
        rows.iter().map(|row| row.rid).zip(matches.iter()).collect();
    let included = includes(conn, query, &match_rids)?;
    Ok(SearchPage {
        matches,
        included,
        total,
        next_cursor,
    })
}

/// Every resource type stored, found by skipping through the type index
/// (one probe per type, not a scan).
fn stored_types(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
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

/// A resource found by an include: rid, seq, type, id.
struct Found {
    rid: i64,
    seq: i64,
    resource_type: String,
    id: String,
}

/// `_include` and `_revinclude` for the page's matches, then `:iterate`
/// ones over what they added, for at most [`MAX_INCLUDE_DEPTH`] more rounds.
fn includes(
    conn: &Connection,
    query: &SearchQuery,
    matches: &[(i64, &StoredVersion)],
) -> Result<Vec<StoredVersion>, StoreError> {
    if (query.includes.is_empty() && query.revincludes.is_empty()) || matches.is_empty() {
        return Ok(Vec::new());
    }
    let mut seen: HashSet<i64> = matches.iter().map(|(rid, _)| *rid).collect();
    let mut sources: Vec<Found> = matches
        .iter()
        .map(|(rid, version)| Found {
            rid: *rid,
            seq: 0,
            resource_type: version.key.resource_type.clone(),
            id: version.key.id.clone(),
        })
        .collect();
    let mut added_seqs = Vec::new();
    for round in 0..=MAX_INCLUDE_DEPTH {
        let applies = |include: &&Include| round == 0 || include.iterate;
        let mut added = Vec::new();
        for include in query.includes.iter().filter(applies) {
            let rids: Vec<i64> = sources
                .iter()
                .filter(|s| s.resource_type == include.source_type)
                .map(|s| s.rid)
                .collect();
            if rids.is_empty() {
                continue;
            }
            let keys = include
                .param
                .as_ref()
                .map(|param| vec![param_hash(&include.source_type, param)]);
            let built = include_query(rids, keys, include.target_type.as_deref());
            added.extend(run(conn, &built, found_from_row)?);
        }
        for include in query.revincludes.iter().filter(applies) {
            let mut by_type: HashMap<&str, Vec<String>> = HashMap::new();
            for source in &sources {
                if include
                    .target_type
                    .as_deref()
                    .is_none_or(|t| t == source.resource_type)
                {
                    by_type
                        .entry(source.resource_type.as_str())
                        .or_default()
                        .push(source.id.clone());
                }
            }
            let key = include
                .param
                .as_ref()
                .map(|param| param_hash(&include.source_type, param));
            for (target_type, ids) in by_type {
                let built = revinclude_query(target_type, ids, key, &include.source_type);
                added.extend(run(conn, &built, found_from_row)?);
            }
        }
        added.retain(|found| seen.insert(found.rid));
        if added.is_empty() {
            break;
        }
        added_seqs.extend(added.iter().map(|found| found.seq));
        if added_seqs.len() > MAX_INCLUDED {
            return Err(StoreError::InvalidSearch(format!(
                "the includes of this page add more than {MAX_INCLUDED} resources; ask for a \
                 smaller _count"
            )));
        }
        sources = added;
    }
    load(conn, added_seqs)
}

fn found_from_row(row: &Row<'_>) -> rusqlite::Result<Found> {
    Ok(Found {
        rid: row.get(0)?,
        seq: row.get(1)?,
        resource_type: row.get(2)?,
        id: row.get(3)?,
    })
}

/// The versions with these seqs, in the order given.
fn load(conn: &Connection, seqs: Vec<i64>) -> Result<Vec<StoredVersion>, StoreError> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let order: HashMap<i64, usize> = seqs.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut loaded = run(conn, &load_query(seqs), version_from_row)?;
    loaded.sort_by_key(|(_, seq)| order.get(seq).copied().unwrap_or(usize::MAX));
    Ok(loaded.into_iter().map(|(version, _)| version).collect())
}

/// Renders, prepares (cached) and runs one statement.
fn run<T>(
    conn: &Connection,
    query: &Query,
    mut map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    let Rendered { sql, params } = render(query);
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
    Ok(render(&page_query(&plan(query, &types, None)?)))
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
