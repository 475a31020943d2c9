//! Search: type, system (`_type`) and Patient-compartment searches, by GET or
//! by `POST .../_search` with a form body, answered as a `searchset` Bundle
//! with `search.mode` match/include, paging links built on a cursor, and the
//! parameters that were not applied reported in an OperationOutcome entry
//! (or refused under `Prefer: handling=strict`).

use super::answer_bundle::{AnswerEntry, EntryResource, bundle_response};
use super::{RequestContext, paging_links};
use crate::error::ApiError;
use crate::params::{MAX_PAGE_SIZE, Summary};
use axum::body::Body;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde_json::json;
use tessera_fhir::search::TotalMode;
use tessera_fhir::{Issue, IssueType, OperationOutcome, Severity};
use tessera_store::{ResourceKey, StoredVersion};

/// Parameters the server handles itself; the search parser never sees them.
const PRESENTATION_PARAMS: &[&str] = &["_format", "_pretty", "_summary", "_elements", "_cursor"];

/// What is searched.
pub(crate) struct SearchScope {
    pub(crate) resource_type: Option<String>,
    pub(crate) compartment: Option<ResourceKey>,
    pub(crate) form: bool,
}

pub(crate) async fn search(
    ctx: &RequestContext<'_>,
    scope: SearchScope,
    body: Body,
) -> Result<Response, ApiError> {
    if let Some(resource_type) = &scope.resource_type {
        ctx.app.records.check_type(resource_type)?;
    }
    let mut params = ctx.params.pairs().to_vec();
    if scope.form {
        params.extend(read_form(ctx, body).await?);
    }
    let search_params: Vec<(String, String)> = params
        .iter()
        .filter(|(name, _)| !PRESENTATION_PARAMS.contains(&name.as_str()))
        .cloned()
        .collect();
    let definitions = ctx.app.records.definitions();
    let mut parsed = definitions
        .parse_search(scope.resource_type.as_deref(), &search_params)
        .map_err(ApiError::InvalidSearch)?;
    if !parsed.ignored.is_empty() && handling_is_strict(ctx.headers) {
        return Err(ApiError::InvalidSearch(
            parsed
                .ignored
                .iter()
                .map(|(name, reason)| {
                    Issue::error(IssueType::NotSupported, format!("{name}: {reason}"))
                })
                .collect(),
        ));
    }
    let count_only = ctx.params.summary()? == Some(Summary::Count);
    let query = &mut parsed.query;
    query.count = if count_only {
        0
    } else {
        query.count.min(MAX_PAGE_SIZE)
    };
    if count_only {
        query.total = TotalMode::Accurate;
    }
    if let Some(compartment) = &scope.compartment {
        ctx.app.records.check_type(&compartment.resource_type)?;
        query.compartment = Some(definitions.patient_compartment(&compartment.id));
    }
    let cursor = ctx.params.get("_cursor");
    let page = ctx.app.records.search(&parsed.query, cursor).await?;

    let path = match (&scope.compartment, &scope.resource_type) {
        (Some(compartment), Some(resource_type)) => format!("{compartment}/{resource_type}"),
        (None, Some(resource_type)) => resource_type.clone(),
        _ => String::new(),
    };
    searchset_response(ctx, &page, &path, &parsed.applied, &parsed.ignored, cursor)
}

/// A `searchset` Bundle for one page: matches, includes, the ignored
/// parameters as an OperationOutcome entry, and self/next links that carry
/// only the `applied` parameters (plus `_summary`/`_elements`).
pub(super) fn searchset_response(
    ctx: &RequestContext<'_>,
    page: &tessera_store::SearchPage,
    path: &str,
    applied: &[(String, String)],
    ignored: &[(String, String)],
    cursor: Option<&str>,
) -> Result<Response, ApiError> {
    let links = paging_links(ctx, path, applied, cursor, page.next_cursor.as_deref());
    let mut entries = Vec::with_capacity(page.matches.len() + page.included.len() + 1);
    for version in &page.matches {
        entries.push(entry(ctx, version, "match")?);
    }
    for version in &page.included {
        entries.push(entry(ctx, version, "include")?);
    }
    if !ignored.is_empty() {
        let issues = ignored
            .iter()
            .map(|(name, reason)| {
                Issue::error(
                    IssueType::NotSupported,
                    format!("{name} was ignored: {reason}"),
                )
                .with_severity(Severity::Warning)
            })
            .collect();
        entries.push(AnswerEntry {
            full_url: None,
            resource: Some(EntryResource::Json(OperationOutcome::new(issues).to_json())),
            rest: vec![("search", json!({"mode": "outcome"}))],
        });
    }
    bundle_response(ctx, "searchset", page.total, links, entries)
}

fn entry<'a>(
    ctx: &RequestContext<'_>,
    version: &'a StoredVersion,
    mode: &str,
) -> Result<AnswerEntry<'a>, ApiError> {
    Ok(AnswerEntry {
        full_url: Some(ctx.resource_url(version)),
        resource: Some(EntryResource::of(ctx, version)?),
        rest: vec![("search", json!({"mode": mode}))],
    })
}

/// `Prefer: handling=strict`.
fn handling_is_strict(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .any(|token| token.trim().replace(' ', "") == "handling=strict")
}

/// The parameters of a `POST .../_search` form body.
async fn read_form(
    ctx: &RequestContext<'_>,
    body: Body,
) -> Result<Vec<(String, String)>, ApiError> {
    let declared = ctx
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = declared.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(ApiError::UnsupportedMediaType(format!(
            "{declared} (a _search body must be application/x-www-form-urlencoded)"
        )));
    }
    let bytes = crate::body::read_bytes(ctx.headers, body, ctx.app.config.max_body_bytes).await?;
    Ok(form_urlencoded::parse(&bytes).into_owned().collect())
}
