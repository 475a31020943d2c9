//! The FHIR interactions: one function per interaction, each turning a
//! parsed request into a call on the record service and its answer into a
//! response.

mod answer_bundle;
mod bundle;
mod crud;
mod everything;
mod export;
mod history;
mod search;
mod validate;

pub(crate) use bundle::bundle;
pub(crate) use crud::{create, delete, patch, read, update, vread};
pub(crate) use everything::everything;
pub(crate) use export::{export_file, export_kickoff, export_status};
pub(crate) use history::history;
pub(crate) use search::{SearchScope, search};
pub(crate) use validate::validate;

use crate::App;
use crate::error::ApiError;
use crate::params::{QueryParams, Summary};
use crate::response::{bytes_response, json_response};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;
use tessera_store::StoredVersion;

/// What every interaction needs to know about its request.
pub(crate) struct RequestContext<'a> {
    pub(crate) app: &'a App,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) params: QueryParams,
    pub(crate) pretty: bool,
    /// The absolute FHIR base URL, without a trailing slash.
    pub(crate) base_url: String,
}

impl RequestContext<'_> {
    /// `{base}/{Type}/{id}`.
    pub(crate) fn resource_url(&self, version: &StoredVersion) -> String {
        format!("{}/{}", self.base_url, version.key)
    }

    /// `{base}/{Type}/{id}/_history/{version}`.
    pub(crate) fn version_url(&self, version: &StoredVersion) -> String {
        format!(
            "{}/{}/_history/{}",
            self.base_url, version.key, version.version
        )
    }
}

pub(crate) fn capabilities(ctx: &RequestContext<'_>) -> Response {
    if ctx.pretty {
        let value: Value =
            serde_json::from_slice(&ctx.app.capability_statement).unwrap_or(Value::Null);
        json_response(StatusCode::OK, &value, true)
    } else {
        bytes_response(StatusCode::OK, ctx.app.capability_statement.clone())
    }
}

/// Applies `_summary` and `_elements` to one stored resource. `None` when
/// nothing asks for a subset, so the stored bytes can be sent as they are.
pub(crate) fn subset(
    ctx: &RequestContext<'_>,
    resource: &Value,
) -> Result<Option<Value>, ApiError> {
    let definitions = ctx.app.records.definitions();
    let summary = ctx.params.summary()?;
    let elements = ctx.params.elements();
    Ok(match (summary, elements) {
        (Some(Summary::Subset(mode)), _) => Some(definitions.summary(resource, mode)),
        (_, Some(elements)) => {
            let names: Vec<&str> = elements.iter().map(String::as_str).collect();
            Some(definitions.elements(resource, &names))
        }
        _ => None,
    })
}

/// The answer carrying one stored resource, subsetted and pretty-printed as asked.
pub(crate) fn resource_response(
    ctx: &RequestContext<'_>,
    status: StatusCode,
    version: &StoredVersion,
) -> Result<Response, ApiError> {
    if ctx.params.summary()? == Some(Summary::Count) {
        return Err(ApiError::BadRequest(
            "_summary=count applies to searches and history, not to a single resource".into(),
        ));
    }
    if !wants_subset(ctx) && !ctx.pretty {
        return Ok(bytes_response(status, version.body.clone()));
    }
    let resource = parse_stored(version)?;
    let shown = subset(ctx, &resource)?.unwrap_or(resource);
    Ok(json_response(status, &shown, ctx.pretty))
}

/// The `self` link of a page and, when there is one, the `next` link:
/// `{base}/{path}?{applied}` plus `_summary`/`_elements` as asked and the
/// page's `_cursor`.
pub(crate) fn paging_links(
    ctx: &RequestContext<'_>,
    path: &str,
    applied: &[(String, String)],
    cursor: Option<&str>,
    next: Option<&str>,
) -> Vec<Value> {
    let link = |cursor: Option<&str>| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in applied {
            query.append_pair(name, value);
        }
        for name in ["_summary", "_elements"] {
            if let Some(value) = ctx.params.get(name) {
                query.append_pair(name, value);
            }
        }
        if let Some(cursor) = cursor {
            query.append_pair("_cursor", cursor);
        }
        let query = query.finish();
        let separator = if path.is_empty() { "" } else { "/" };
        if query.is_empty() {
            format!("{}{separator}{path}", ctx.base_url)
        } else {
            format!("{}{separator}{path}?{query}", ctx.base_url)
        }
    };
    let mut links = vec![serde_json::json!({"relation": "self", "url": link(cursor)})];
    if let Some(next) = next {
        links.push(serde_json::json!({"relation": "next", "url": link(Some(next))}));
    }
    links
}

/// Whether the request asks for part of each resource (`_summary` other
/// than `false`, or `_elements`), so stored JSON cannot be sent as it is.
pub(crate) fn wants_subset(ctx: &RequestContext<'_>) -> bool {
    ctx.params.get("_summary").is_some_and(|s| s != "false")
        || ctx.params.get("_elements").is_some()
}

/// Reads the body of a request that carries a resource of `resource_type`:
/// the type must be known, the body FHIR JSON within the size limit.
pub(crate) async fn read_resource_body(
    ctx: &RequestContext<'_>,
    resource_type: &str,
    body: axum::body::Body,
) -> Result<Value, ApiError> {
    ctx.app.records.check_type(resource_type)?;
    crate::negotiate::check_body_format(ctx.headers)?;
    crate::body::read_json(ctx.headers, body, ctx.app.config.max_body_bytes).await
}

/// Parses a stored body (written by this server, so failure means corruption).
pub(crate) fn parse_stored(version: &StoredVersion) -> Result<Value, ApiError> {
    serde_json::from_slice(&version.body).map_err(|error| {
        tracing::error!(key = %version.key, version = version.version, %error, "stored JSON is unreadable");
        ApiError::Internal
    })
}
