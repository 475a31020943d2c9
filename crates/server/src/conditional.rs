//! Conditional request headers: `If-Match` (optimistic locking),
//! `If-None-Match` and `If-Modified-Since` (304 on reads), and `Prefer`.

use crate::ApiError;
use axum::http::{HeaderMap, header};
use std::time::UNIX_EPOCH;
use tessera_store::StoredVersion;

/// `Prefer: return=...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PreferReturn {
    Minimal,
    Representation,
    OperationOutcome,
}

pub(crate) fn prefer_return(headers: &HeaderMap) -> PreferReturn {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .find_map(|token| match token.trim().replace(' ', "").as_str() {
            "return=minimal" => Some(PreferReturn::Minimal),
            "return=representation" => Some(PreferReturn::Representation),
            "return=OperationOutcome" => Some(PreferReturn::OperationOutcome),
            _ => None,
        })
        .unwrap_or(PreferReturn::Representation)
}

/// Parses a version ETag: `W/"3"` or `"3"`.
fn parse_etag(text: &str) -> Option<i64> {
    let text = text.trim();
    let text = text.strip_prefix("W/").unwrap_or(text);
    text.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
}

/// The version `If-Match` requires, if any.
pub(crate) fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(parse_etag)
        .map(Some)
        .ok_or_else(|| {
            ApiError::BadRequest("If-Match must be a version ETag such as W/\"3\"".to_owned())
        })
}

/// Whether a read of `version` may answer 304 Not Modified.
pub(crate) fn not_modified(headers: &HeaderMap, version: &StoredVersion) -> bool {
    if let Some(value) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        // If-None-Match wins over If-Modified-Since (RFC 9110, 13.2.2).
        return value
            .split(',')
            .any(|tag| tag.trim() == "*" || parse_etag(tag) == Some(version.version));
    }
    if let Some(since) = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
    {
        let since_seconds = since
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        return version.last_updated.unix_seconds() <= since_seconds;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_etags_and_prefer() {
        assert_eq!(parse_etag("W/\"12\""), Some(12));
        assert_eq!(parse_etag("\"3\""), Some(3));
        assert_eq!(parse_etag("3"), None);
        let mut headers = HeaderMap::new();
        headers.insert("prefer", "handling=strict, return=minimal".parse().unwrap());
        assert_eq!(prefer_return(&headers), PreferReturn::Minimal);
        assert_eq!(
            prefer_return(&HeaderMap::new()),
            PreferReturn::Representation
        );
    }
}
