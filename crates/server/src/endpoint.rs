//! The one handler behind `/fhir/...`: route, negotiate, dispatch.

use crate::App;
use crate::error::ApiError;
use crate::interactions::{self, RequestContext};
use crate::negotiate::check_response_format;
use crate::params::QueryParams;
use crate::route::FhirRoute;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Answers every request under `/fhir`.
pub(crate) async fn fhir_endpoint(State(app): State<Arc<App>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    match handle(&app, &parts, body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn handle(
    app: &App,
    parts: &axum::http::request::Parts,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(parts.uri.query());
    check_response_format(&params, &parts.headers)?;
    let rest = parts.uri.path().strip_prefix("/fhir").unwrap_or("");
    // Operation names may arrive percent-encoded (`%24validate`); ids and
    // type names cannot contain '%', so decoding only `$` is enough.
    let decoded = rest.replace("%24", "$");
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    let route = FhirRoute::parse(&parts.method, &segments)?;
    let ctx = RequestContext {
        app,
        headers: &parts.headers,
        pretty: params.pretty()?,
        base_url: base_url(app, &parts.headers),
        params,
    };
    match route {
        FhirRoute::Capabilities => Ok(interactions::capabilities(&ctx)),
        FhirRoute::Bundle => interactions::bundle(&ctx, body).await,
        FhirRoute::Everything(patient) => interactions::everything(&ctx, &patient).await,
        FhirRoute::Export(scope) => {
            interactions::export_kickoff(&ctx, scope, parts.uri.to_string())
        }
        FhirRoute::ExportStatus(id) => interactions::export_status(&ctx, &parts.method, &id),
        FhirRoute::ExportFile(id, file) => interactions::export_file(&ctx, &id, &file).await,
        FhirRoute::Create(resource_type) => interactions::create(&ctx, &resource_type, body).await,
        FhirRoute::Search {
            resource_type,
            compartment,
            form,
        } => {
            let scope = interactions::SearchScope {
                resource_type,
                compartment,
                form,
            };
            interactions::search(&ctx, scope, body).await
        }
        FhirRoute::Validate(resource_type) => {
            interactions::validate(&ctx, &resource_type, body).await
        }
        FhirRoute::Read(key) => interactions::read(&ctx, &key).await,
        FhirRoute::VersionRead(key, version) => interactions::vread(&ctx, &key, &version).await,
        FhirRoute::Update(key) => interactions::update(&ctx, &key, body).await,
        FhirRoute::Patch(key) => interactions::patch(&ctx, &key, body).await,
        FhirRoute::Delete(key) => interactions::delete(&ctx, &key).await,
        FhirRoute::HistorySystem => {
            interactions::history(&ctx, tessera_store::HistoryScope::System, "_history").await
        }
        FhirRoute::HistoryType(resource_type) => {
            let path = format!("{resource_type}/_history");
            interactions::history(
                &ctx,
                tessera_store::HistoryScope::Type(resource_type),
                &path,
            )
            .await
        }
        FhirRoute::HistoryInstance(key) => {
            let path = format!("{key}/_history");
            interactions::history(&ctx, tessera_store::HistoryScope::Instance(key), &path).await
        }
    }
}

/// The FHIR base URL clients should see in links and `Location` headers.
fn base_url(app: &App, headers: &HeaderMap) -> String {
    if let Some(configured) = &app.config.public_base_url {
        return configured.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("localhost");
    format!("http://{host}/fhir")
}

/// Anything outside `/fhir` and the health check.
pub(crate) async fn not_found() -> Response {
    ApiError::NoSuchPath.into_response()
}

/// The tracing span of one request, named by its request id.
pub(crate) fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}
