//! create, read, vread, update, delete.

use super::{RequestContext, read_resource_body, resource_response};
use crate::conditional::{PreferReturn, if_match, not_modified, prefer_return};
use crate::error::ApiError;
use crate::response::{empty_response, json_response, set_url_header, set_version_headers};
use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::Response;
use tessera_fhir::OperationOutcome;
use tessera_records::{PatchFormat, RecordError, WriteContext, WriteResult};
use tessera_store::ResourceKey;

pub(crate) async fn create(
    ctx: &RequestContext<'_>,
    resource_type: &str,
    body: Body,
) -> Result<Response, ApiError> {
    let resource = read_resource_body(ctx, resource_type, body).await?;
    let result = ctx
        .app
        .records
        .create(resource_type, resource, &WriteContext::default())
        .await?;
    write_response(ctx, StatusCode::CREATED, &result)
}

pub(crate) async fn update(
    ctx: &RequestContext<'_>,
    key: &ResourceKey,
    body: Body,
) -> Result<Response, ApiError> {
    let expected = if_match(ctx.headers)?;
    let resource = read_resource_body(ctx, &key.resource_type, body).await?;
    let result = ctx
        .app
        .records
        .update(key, resource, expected, &WriteContext::default())
        .await?;
    let status = if result.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    write_response(ctx, status, &result)
}

/// `PATCH` with a JSON Patch document (`application/json-patch+json`) or a
/// FHIRPath Patch `Parameters` resource (`application/fhir+json` or
/// `application/json`).
pub(crate) async fn patch(
    ctx: &RequestContext<'_>,
    key: &ResourceKey,
    body: Body,
) -> Result<Response, ApiError> {
    ctx.app.records.check_type(&key.resource_type)?;
    let declared = ctx
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("(no Content-Type)");
    let media = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let format = match media.as_str() {
        "application/json-patch+json" => PatchFormat::JsonPatch,
        "application/fhir+json" | "application/json" => PatchFormat::FhirPath,
        _ => {
            return Err(ApiError::UnsupportedMediaType(format!(
                "{declared} (a PATCH body must be application/json-patch+json, or a FHIRPath Patch Parameters resource as application/fhir+json)"
            )));
        }
    };
    let expected = if_match(ctx.headers)?;
    let limit = ctx.app.config.max_body_bytes;
    let document: serde_json::Value = match format {
        // A Parameters resource is FHIR JSON, read by FHIR's rules.
        PatchFormat::FhirPath => crate::body::read_json(ctx.headers, body, limit).await?,
        PatchFormat::JsonPatch => {
            let bytes = crate::body::read_bytes(ctx.headers, body, limit).await?;
            serde_json::from_slice(&bytes)
                .map_err(|error| ApiError::InvalidJson(error.to_string()))?
        }
    };
    let result = ctx
        .app
        .records
        .patch(key, format, &document, expected, &WriteContext::default())
        .await?;
    write_response(ctx, StatusCode::OK, &result)
}

pub(crate) async fn delete(
    ctx: &RequestContext<'_>,
    key: &ResourceKey,
) -> Result<Response, ApiError> {
    let expected = if_match(ctx.headers)?;
    let deleted = ctx
        .app
        .records
        .delete(key, expected, &WriteContext::default())
        .await?;
    let message = match &deleted {
        Some(version) => format!("{key} deleted (version {})", version.version),
        None => format!("{key} was already deleted"),
    };
    let mut response = match prefer_return(ctx.headers) {
        PreferReturn::OperationOutcome => json_response(
            StatusCode::OK,
            &OperationOutcome::success(message).to_json(),
            ctx.pretty,
        ),
        _ => empty_response(StatusCode::NO_CONTENT),
    };
    if let Some(version) = &deleted {
        set_version_headers(&mut response, version);
    }
    Ok(response)
}

pub(crate) async fn read(
    ctx: &RequestContext<'_>,
    key: &ResourceKey,
) -> Result<Response, ApiError> {
    let version =
        match ctx.app.records.read(key).await {
            Err(RecordError::Gone { key, version }) => {
                let mut response = axum::response::IntoResponse::into_response(ApiError::Record(
                    RecordError::Gone { key, version },
                ));
                if let Ok(value) = crate::response::etag(version).parse() {
                    response.headers_mut().insert(header::ETAG, value);
                }
                return Ok(response);
            }
            other => other?,
        };
    read_response(ctx, &version)
}

pub(crate) async fn vread(
    ctx: &RequestContext<'_>,
    key: &ResourceKey,
    version: &str,
) -> Result<Response, ApiError> {
    let number = version
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| ApiError::BadRequest(format!("'{version}' is not a version id")))?;
    let found = ctx.app.records.read_version(key, number).await?;
    read_response(ctx, &found)
}

fn read_response(
    ctx: &RequestContext<'_>,
    version: &tessera_store::StoredVersion,
) -> Result<Response, ApiError> {
    let mut response = if not_modified(ctx.headers, version) {
        empty_response(StatusCode::NOT_MODIFIED)
    } else {
        resource_response(ctx, StatusCode::OK, version)?
    };
    set_version_headers(&mut response, version);
    set_url_header(
        &mut response,
        header::CONTENT_LOCATION,
        &ctx.version_url(version),
    );
    Ok(response)
}

/// The answer to a create or update, shaped by `Prefer: return=`.
fn write_response(
    ctx: &RequestContext<'_>,
    status: StatusCode,
    result: &WriteResult,
) -> Result<Response, ApiError> {
    let version = &result.version;
    let mut response = match prefer_return(ctx.headers) {
        PreferReturn::Minimal => empty_response(status),
        PreferReturn::Representation => resource_response(ctx, status, version)?,
        PreferReturn::OperationOutcome => {
            let verb = if result.created { "created" } else { "updated" };
            json_response(
                status,
                &OperationOutcome::success(format!(
                    "{} {verb} (version {})",
                    version.key, version.version
                ))
                .to_json(),
                ctx.pretty,
            )
        }
    };
    set_version_headers(&mut response, version);
    let url = ctx.version_url(version);
    if result.created {
        set_url_header(&mut response, header::LOCATION, &url);
    }
    set_url_header(&mut response, header::CONTENT_LOCATION, &url);
    Ok(response)
}
