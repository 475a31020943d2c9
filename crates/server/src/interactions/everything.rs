//! `GET Patient/{id}/$everything` with `_since`, `_type`, `_count` and
//! cursor paging, answered as a searchset Bundle.

use super::RequestContext;
use super::search::searchset_response;
use crate::error::ApiError;
use crate::params::MAX_PAGE_SIZE;
use axum::response::Response;

pub(crate) async fn everything(
    ctx: &RequestContext<'_>,
    patient: &str,
) -> Result<Response, ApiError> {
    let types: Vec<String> = ctx
        .params
        .get("_type")
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    for resource_type in &types {
        ctx.app.records.check_type(resource_type)?;
    }
    let since = ctx.params.since()?;
    let count = ctx.params.count()?.min(MAX_PAGE_SIZE);
    let cursor = ctx.params.get("_cursor");
    let page = ctx
        .app
        .records
        .everything(patient, types, since, count, cursor)
        .await?;
    let mut applied = Vec::new();
    for name in ["_type", "_since"] {
        if let Some(value) = ctx.params.get(name) {
            applied.push((name.to_owned(), value.to_owned()));
        }
    }
    applied.push(("_count".to_owned(), count.to_string()));
    searchset_response(
        ctx,
        &page,
        &format!("Patient/{patient}/$everything"),
        &applied,
        &[],
        cursor,
    )
}
