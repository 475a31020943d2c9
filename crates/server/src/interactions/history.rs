//! History at instance, type and system level: a paged `history` Bundle,
//! newest first, with `_since`, `_count`, `_summary` and a cursor.

use super::answer_bundle::{AnswerEntry, EntryResource, bundle_response};
use super::{RequestContext, paging_links};
use crate::error::ApiError;
use crate::params::Summary;
use crate::response::etag;
use axum::response::Response;
use serde_json::json;
use tessera_store::{HistoryQuery, HistoryScope, StoredVersion, WriteMethod};

pub(crate) async fn history(
    ctx: &RequestContext<'_>,
    scope: HistoryScope,
    path: &str,
) -> Result<Response, ApiError> {
    let summary = ctx.params.summary()?;
    let count_only = summary == Some(Summary::Count);
    let count = if count_only { 0 } else { ctx.params.count()? };
    let since = ctx.params.since()?;
    let cursor = ctx.params.cursor()?;
    let with_total = count_only || matches!(scope, HistoryScope::Instance(_)) || cursor.is_none();
    let query = HistoryQuery {
        scope,
        since,
        cursor,
        count,
        with_total,
    };
    let page = ctx.app.records.history(&query).await?;

    let mut applied = vec![("_count".to_owned(), count.to_string())];
    if let Some(since) = since {
        applied.push(("_since".to_owned(), since.to_string()));
    }
    let links = paging_links(
        ctx,
        path,
        &applied,
        cursor.map(|c| c.to_string()).as_deref(),
        page.next_cursor.map(|c| c.to_string()).as_deref(),
    );
    let entries = page
        .entries
        .iter()
        .map(|version| entry(ctx, version))
        .collect::<Result<Vec<_>, _>>()?;

    bundle_response(ctx, "history", page.total, links, entries)
}

fn entry<'a>(
    ctx: &RequestContext<'_>,
    version: &'a StoredVersion,
) -> Result<AnswerEntry<'a>, ApiError> {
    let (method, url, status) = match version.method {
        WriteMethod::Create => ("POST", version.key.resource_type.clone(), "201 Created"),
        WriteMethod::Update if version.version == 1 => {
            ("PUT", version.key.to_string(), "201 Created")
        }
        WriteMethod::Update => ("PUT", version.key.to_string(), "200 OK"),
        WriteMethod::Delete => ("DELETE", version.key.to_string(), "204 No Content"),
    };
    let resource = if version.is_deleted() {
        None
    } else {
        Some(EntryResource::of(ctx, version)?)
    };
    Ok(AnswerEntry {
        full_url: Some(ctx.resource_url(version)),
        resource,
        rest: vec![
            ("request", json!({"method": method, "url": url})),
            (
                "response",
                json!({
                    "status": status,
                    "etag": etag(version.version),
                    "lastModified": version.last_updated.to_string(),
                }),
            ),
        ],
    })
}
