//! History at instance, type and system level: a paged `history` Bundle,
//! newest first, with `_since`, `_count`, `_summary` and a cursor.

use super::{RequestContext, parse_stored, subset};
use crate::error::ApiError;
use crate::params::Summary;
use crate::response::{etag, json_response};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};
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

    let link_to = |cursor: Option<i64>| {
        let mut params = form_urlencoded::Serializer::new(String::new());
        params.append_pair("_count", &count.to_string());
        if let Some(since) = since {
            params.append_pair("_since", &since.to_string());
        }
        if let Some(summary) = ctx.params.get("_summary") {
            params.append_pair("_summary", summary);
        }
        if let Some(elements) = ctx.params.get("_elements") {
            params.append_pair("_elements", elements);
        }
        if let Some(cursor) = cursor {
            params.append_pair("_cursor", &cursor.to_string());
        }
        format!("{}/{path}?{}", ctx.base_url, params.finish())
    };
    let mut links = vec![json!({"relation": "self", "url": link_to(cursor)})];
    if let Some(next) = page.next_cursor {
        links.push(json!({"relation": "next", "url": link_to(Some(next))}));
    }
    let entries = page
        .entries
        .iter()
        .map(|version| entry(ctx, version))
        .collect::<Result<Vec<_>, _>>()?;

    let mut bundle = Map::new();
    bundle.insert("resourceType".into(), json!("Bundle"));
    bundle.insert("type".into(), json!("history"));
    if let Some(total) = page.total {
        bundle.insert("total".into(), json!(total));
    }
    bundle.insert("link".into(), Value::Array(links));
    if !entries.is_empty() {
        bundle.insert("entry".into(), Value::Array(entries));
    }
    Ok(json_response(
        StatusCode::OK,
        &Value::Object(bundle),
        ctx.pretty,
    ))
}

fn entry(ctx: &RequestContext<'_>, version: &StoredVersion) -> Result<Value, ApiError> {
    let (method, url, status) = match version.method {
        WriteMethod::Create => ("POST", version.key.resource_type.clone(), "201 Created"),
        WriteMethod::Update if version.version == 1 => {
            ("PUT", version.key.to_string(), "201 Created")
        }
        WriteMethod::Update => ("PUT", version.key.to_string(), "200 OK"),
        WriteMethod::Delete => ("DELETE", version.key.to_string(), "204 No Content"),
    };
    let mut entry = Map::new();
    entry.insert("fullUrl".into(), json!(ctx.resource_url(version)));
    if !version.is_deleted() {
        let resource = parse_stored(version)?;
        let shown = subset(ctx, &resource)?.unwrap_or(resource);
        entry.insert("resource".into(), shown);
    }
    entry.insert("request".into(), json!({"method": method, "url": url}));
    entry.insert(
        "response".into(),
        json!({
            "status": status,
            "etag": etag(version.version),
            "lastModified": version.last_updated.to_string(),
        }),
    );
    Ok(Value::Object(entry))
}
