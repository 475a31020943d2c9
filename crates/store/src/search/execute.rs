//! Running a search, for every backend: plan, build, then execute the page,
//! the total, the includes and the loads through a [`SearchConnection`].
//! The statements a search issues are fixed by its shape, never by its
//! size: the page, one load of the page's versions, one per include (per
//! round for `:iterate`), one load of the included versions, and the count
//! when a total is asked for and the page does not already tell it.

use super::build::{count_query, page_query};
use super::chain_nested::nested_links;
use super::chain_order::chain_driver;
use super::cursor::{decode, encode, order_fingerprint};
use super::fetch::{include_query, load_query, revinclude_query};
use super::hash::param_hash;
use super::plan::{ChainWalk, Cursor, SearchPlan, plan};
use super::sql::{Query, SqlValue};
use crate::{SearchPage, StoreError, StoredVersion};
use std::collections::{HashMap, HashSet};
use tessera_fhir::search::{Include, SearchQuery, TotalMode};

/// How many rounds `_include:iterate` / `_revinclude:iterate` follow.
pub const MAX_INCLUDE_DEPTH: usize = 3;
/// The most resources includes may add to one page (a larger set is an
/// error asking for a smaller `_count`, not a silently cut page).
pub const MAX_INCLUDED: usize = 5_000;

/// What a backend runs a search's statements on. Asynchronous, so that a
/// network database's statements wait without holding a thread; SQLite's
/// connection answers in place and never suspends.
pub(crate) trait SearchConnection {
    /// Renders and runs `query`, each row as its column values.
    async fn rows(&mut self, query: &Query) -> Result<Vec<Vec<SqlValue>>, StoreError>;
    /// Runs a [`load_query`]: the versions and each one's seq.
    async fn versions(&mut self, query: &Query) -> Result<Vec<(StoredVersion, i64)>, StoreError>;
    /// Every resource type stored.
    async fn stored_types(&mut self) -> Result<Vec<String>, StoreError>;
    /// Runs a [`page_query`] and loads the versions of its rows: every row
    /// (as its column values), and the versions of at least the first
    /// `keep` of them, in the rows' order. By default the page, then one
    /// load of the first `keep`; a backend where every statement is a round
    /// trip does both in one.
    async fn page(
        &mut self,
        page: &Query,
        keep: usize,
    ) -> Result<(Vec<Vec<SqlValue>>, Vec<StoredVersion>), StoreError> {
        let rows = self.rows(page).await?;
        let seqs = rows
            .iter()
            .take(keep)
            .map(|row| int(row, 1))
            .collect::<Result<Vec<_>, _>>()?;
        let versions = load(self, seqs).await?;
        Ok((rows, versions))
    }
    /// The form of a chain-target walk the backend's planner stops once the
    /// page is full.
    const CHAIN_WALK: ChainWalk;
}

/// The plan of a search's page on a backend: the order it is paged in
/// depends on what the backend's planner does well.
pub(crate) fn page_plan(
    query: &SearchQuery,
    types: &[String],
    chain_walk: ChainWalk,
) -> Result<SearchPlan, StoreError> {
    let mut plan = plan(query, types)?;
    let walk = chain_driver(&plan).map(|chain| match chain_walk {
        ChainWalk::Joined if nested_links(&chain).is_some() => ChainWalk::Nested,
        walk => walk,
    });
    if let Some(walk) = walk {
        plan.chain_walk = walk;
    }
    Ok(plan)
}

/// A page row: its rid and the sort values (its seq, the second column,
/// is what [`SearchConnection::page`] loaded its version by).
struct PageRow {
    rid: i64,
    sort_values: Vec<SqlValue>,
}

fn int(row: &[SqlValue], column: usize) -> Result<i64, StoreError> {
    match row.get(column) {
        Some(SqlValue::Int(value)) => Ok(*value),
        other => Err(StoreError::Database(format!(
            "column {column} of a search row is {other:?}, not an integer"
        ))),
    }
}

fn text(row: &mut [SqlValue], column: usize) -> Result<String, StoreError> {
    match row.get_mut(column) {
        Some(SqlValue::Text(value)) => Ok(std::mem::take(value)),
        other => Err(StoreError::Database(format!(
            "column {column} of a search row is {other:?}, not text"
        ))),
    }
}

pub(crate) async fn search<C: SearchConnection>(
    conn: &mut C,
    query: &SearchQuery,
    cursor: Option<&str>,
) -> Result<SearchPage, StoreError> {
    let first_page = cursor.is_none();
    let needs_types = !query.criteria.is_empty()
        || query
            .sort
            .iter()
            .any(|key| key.param != "_id" && key.param != "_lastUpdated");
    let types = if query.resource_types.is_empty() && needs_types {
        conn.stored_types().await?
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
    let mut plan = page_plan(query, &types, C::CHAIN_WALK)?;
    let fingerprint = order_fingerprint(&query.sort, plan.chain_walk);
    if let Some(text) = cursor {
        let after = decode(fingerprint, text)?;
        if after.values.len() != plan.sort.len() + plan.chain_walk.order_values() {
            return Err(StoreError::InvalidCursor(
                "the cursor belongs to a search with another order".into(),
            ));
        }
        plan.after = Some(after);
    }

    let mut rows = Vec::new();
    let mut matches = Vec::new();
    if plan.page_size > 0 {
        let (page_rows, versions) = conn.page(&page_query(&plan), plan.page_size).await?;
        for mut row in page_rows {
            rows.push(PageRow {
                rid: int(&row, 0)?,
                sort_values: row.drain(2..).collect(),
            });
        }
        matches = versions;
    }
    let has_more = rows.len() > plan.page_size;
    rows.truncate(plan.page_size);
    matches.truncate(plan.page_size);
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
            let counts = conn.rows(&count_query(&plan)).await?;
            let count = match counts.first() {
                Some(row) => int(row, 0)?,
                None => 0,
            };
            Some(u64::try_from(count).unwrap_or(0))
        }
    };
    let match_rids: Vec<(i64, &StoredVersion)> =
        rows.iter().map(|row| row.rid).zip(matches.iter()).collect();
    let included = includes(conn, query, &match_rids).await?;
    Ok(SearchPage {
        matches,
        included,
        total,
        next_cursor,
    })
}

/// A resource found by an include: rid, seq, type, id.
struct Found {
    rid: i64,
    seq: i64,
    resource_type: String,
    id: String,
}

async fn found(conn: &mut impl SearchConnection, query: &Query) -> Result<Vec<Found>, StoreError> {
    conn.rows(query)
        .await?
        .into_iter()
        .map(|mut row| {
            Ok(Found {
                rid: int(&row, 0)?,
                seq: int(&row, 1)?,
                resource_type: text(&mut row, 2)?,
                id: text(&mut row, 3)?,
            })
        })
        .collect()
}

/// `_include` and `_revinclude` for the page's matches, then `:iterate`
/// ones over what they added, for at most [`MAX_INCLUDE_DEPTH`] more rounds.
async fn includes(
    conn: &mut impl SearchConnection,
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
            added.extend(found(conn, &built).await?);
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
                added.extend(found(conn, &built).await?);
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
    load(conn, added_seqs).await
}

/// The versions with these seqs, in the order given.
async fn load<C: SearchConnection + ?Sized>(
    conn: &mut C,
    seqs: Vec<i64>,
) -> Result<Vec<StoredVersion>, StoreError> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let order: HashMap<i64, usize> = seqs.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut loaded = conn.versions(&load_query(seqs)).await?;
    loaded.sort_by_key(|(_, seq)| order.get(seq).copied().unwrap_or(usize::MAX));
    Ok(loaded.into_iter().map(|(version, _)| version).collect())
}
