//! Building FHIR JSON responses and their versioning headers.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::Value;
use std::time::{Duration, UNIX_EPOCH};
use tessera_store::StoredVersion;

pub(crate) const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// A response carrying `value` as FHIR JSON.
pub(crate) fn json_response(status: StatusCode, value: &Value, pretty: bool) -> Response {
    let bytes = if pretty {
        serde_json::to_vec_pretty(value)
    } else {
        serde_json::to_vec(value)
    };
    // Serialising a Value cannot fail (no non-string keys, no custom Serialize).
    bytes_response(status, bytes.unwrap_or_default().into())
}

/// A response carrying already-serialised FHIR JSON.
pub(crate) fn bytes_response(status: StatusCode, body: bytes::Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    response
}

/// An empty response.
pub(crate) fn empty_response(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// `W/"{version}"`.
pub(crate) fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

/// Adds `ETag` and `Last-Modified` for a stored version.
pub(crate) fn set_version_headers(response: &mut Response, version: &StoredVersion) {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag(version.version)) {
        headers.insert(header::ETAG, value);
    }
    let seconds = u64::try_from(version.last_updated.unix_seconds()).unwrap_or(0);
    let modified = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(seconds));
    if let Ok(value) = HeaderValue::from_str(&modified) {
        headers.insert(header::LAST_MODIFIED, value);
    }
}

/// Sets a `Location`-like header to `url`.
pub(crate) fn set_url_header(response: &mut Response, name: header::HeaderName, url: &str) {
    if let Ok(value) = HeaderValue::from_str(url) {
        response.headers_mut().insert(name, value);
    }
}
