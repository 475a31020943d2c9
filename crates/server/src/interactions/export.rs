//! FHIR Bulk Data 2.0 export over HTTP: the asynchronous kick-off (`202` and
//! `Content-Location`), status polling (`202` with `X-Progress` and
//! `Retry-After` while running, then the JSON manifest), cancelling with
//! `DELETE`, and the NDJSON files, streamed from the data directory.

use super::RequestContext;
use crate::error::ApiError;
use crate::response::{empty_response, json_response, set_url_header};
use crate::route::ExportScope;
use axum::body::Body;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::json;
use tessera_bulk::{ExportLevel, ExportRequest, JobStatus};
use tessera_fhir::{Issue, IssueType, OperationOutcome};
use tessera_store::Instant;

const NDJSON_FORMATS: &[&str] = &["application/fhir+ndjson", "application/ndjson", "ndjson"];

pub(crate) fn export_kickoff(
    ctx: &RequestContext<'_>,
    scope: ExportScope,
    request_url: String,
) -> Result<Response, ApiError> {
    let respond_async = ctx
        .headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split([',', ';']).any(|t| t.trim() == "respond-async"));
    if !respond_async {
        return Err(ApiError::BadRequest(
            "a bulk export runs asynchronously: send 'Prefer: respond-async'".into(),
        ));
    }
    if let Some(format) = ctx.params.get("_outputFormat")
        && !NDJSON_FORMATS.contains(&format)
    {
        return Err(ApiError::BadRequest(format!(
            "_outputFormat '{format}' is not supported; exports are application/fhir+ndjson"
        )));
    }
    let list = |name: &str| -> Vec<String> {
        ctx.params
            .pairs()
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let types = list("_type");
    for resource_type in &types {
        ctx.app.records.check_type(resource_type)?;
    }
    let level = match scope {
        ExportScope::System => ExportLevel::System,
        ExportScope::AllPatients => ExportLevel::AllPatients,
        ExportScope::Group(id) => ExportLevel::Group(id),
    };
    let request = ExportRequest {
        level,
        types,
        since: ctx.params.since()?.map(Instant::millis),
        type_filters: list("_typeFilter"),
    };
    let now = Instant::from_millis(ctx.app.services.clock.now_millis()).to_string();
    let url = format!("{}{}", ctx.base_url.trim_end_matches("/fhir"), request_url);
    let id = ctx
        .app
        .services
        .exports
        .start(ctx.app.records.clone(), request, url, now)
        .map_err(|error| {
            tracing::error!(%error, "cannot start an export");
            ApiError::Internal
        })?;
    let mut response = empty_response(StatusCode::ACCEPTED);
    set_url_header(
        &mut response,
        header::CONTENT_LOCATION,
        &format!("{}/$export-status/{id}", ctx.base_url),
    );
    Ok(response)
}

pub(crate) fn export_status(
    ctx: &RequestContext<'_>,
    method: &Method,
    id: &str,
) -> Result<Response, ApiError> {
    let exports = &ctx.app.services.exports;
    if method == Method::DELETE {
        return if exports.cancel(id) {
            Ok(empty_response(StatusCode::ACCEPTED))
        } else {
            Err(ApiError::NoSuchPath)
        };
    }
    let state = exports.state(id).ok_or(ApiError::NoSuchPath)?;
    match state.status {
        JobStatus::InProgress | JobStatus::Cancelled => {
            let mut response = empty_response(StatusCode::ACCEPTED);
            response
                .headers_mut()
                .insert("x-progress", HeaderValue::from_static("in-progress"));
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            Ok(response)
        }
        JobStatus::Completed => {
            let output: Vec<_> = state
                .output
                .iter()
                .map(|file| {
                    json!({"type": file.resource_type, "count": file.count,
                           "url": format!("{}/$export-file/{id}/{}", ctx.base_url, file.file)})
                })
                .collect();
            let manifest = json!({
                "transactionTime": state.transaction_time,
                "request": state.request_url,
                "requiresAccessToken": false,
                "output": output,
                "error": []
            });
            let mut response = json_response(StatusCode::OK, &manifest, ctx.pretty);
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Ok(response)
        }
        JobStatus::Failed => {
            let message = state.error.unwrap_or_else(|| "the export failed".into());
            let outcome = OperationOutcome::single(Issue::error(IssueType::Exception, message));
            Ok(json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                &outcome.to_json(),
                ctx.pretty,
            ))
        }
    }
}

pub(crate) async fn export_file(
    ctx: &RequestContext<'_>,
    id: &str,
    name: &str,
) -> Result<Response, ApiError> {
    let path = ctx
        .app
        .services
        .exports
        .file(id, name)
        .ok_or(ApiError::NoSuchPath)?;
    let file = tokio::fs::File::open(&path).await.map_err(|error| {
        tracing::error!(%error, path = %path.display(), "cannot open an export file");
        ApiError::NoSuchPath
    })?;
    let mut response = Response::new(Body::from_stream(tokio_util::io::ReaderStream::new(file)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/fhir+ndjson"),
    );
    Ok(response)
}
