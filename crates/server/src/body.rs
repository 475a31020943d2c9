//! Reading a request body: the size limit (413) and JSON parsing (400 with
//! line and column).

use crate::ApiError;
use axum::body::Body;
use axum::http::{HeaderMap, header};
use serde_json::Value;

/// Reads the whole body, refusing more than `limit` bytes.
pub(crate) async fn read_bytes(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<bytes::Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    axum::body::to_bytes(body, limit).await.map_err(|error| {
        let too_large = std::error::Error::source(&error)
            .is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
        if too_large {
            ApiError::PayloadTooLarge { limit }
        } else {
            ApiError::BadRequest(format!("the body could not be read: {error}"))
        }
    })
}

/// Reads at most `limit` bytes and parses them as one JSON object.
pub(crate) async fn read_json(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Value, ApiError> {
    let bytes = read_bytes(headers, body, limit).await?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|error| ApiError::InvalidJson(format!("the body is not UTF-8: {error}")))?;
    // parse_resource also refuses a property name repeated in one object,
    // which serde_json alone would silently resolve to the last value.
    let value = tessera_fhir::json::parse_resource(text)
        .map_err(|issue| ApiError::InvalidJson(issue.message))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(ApiError::InvalidJson(
            "the body must be a JSON object (a FHIR resource)".into(),
        ))
    }
}
