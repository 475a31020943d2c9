//! Content negotiation: Tessera speaks FHIR JSON only. A request for XML (or
//! anything else that is not JSON) gets 406; a body that is not JSON gets 415.

use crate::ApiError;
use crate::params::QueryParams;
use axum::http::{HeaderMap, header};

const JSON_FORMATS: &[&str] = &[
    "json",
    "application/fhir+json",
    "application/json",
    "application/json+fhir",
];

/// Checks `_format` (which overrides `Accept`) and then `Accept`.
pub(crate) fn check_response_format(
    params: &QueryParams,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    if let Some(format) = params.get("_format") {
        let media = format
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        return if JSON_FORMATS.contains(&media.as_str()) {
            Ok(())
        } else {
            Err(ApiError::NotAcceptable(format!("_format={format}")))
        };
    }
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    if accept.trim().is_empty() {
        return Ok(());
    }
    let acceptable = accept.split(',').any(|range| {
        let media = range
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        media == "*/*" || media == "application/*" || JSON_FORMATS.contains(&media.as_str())
    });
    if acceptable {
        Ok(())
    } else {
        Err(ApiError::NotAcceptable(format!("Accept: {accept}")))
    }
}

/// Checks that a request body is declared as FHIR JSON.
pub(crate) fn check_body_format(headers: &HeaderMap) -> Result<(), ApiError> {
    let declared = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not text)"))
        .unwrap_or("(no Content-Type)");
    let media = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if JSON_FORMATS[1..].contains(&media.as_str()) {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(declared.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn json_or_anything_is_acceptable_xml_is_not() {
        let none = QueryParams::default();
        assert!(check_response_format(&none, &accept("application/fhir+json")).is_ok());
        assert!(check_response_format(&none, &accept("text/html, */*;q=0.8")).is_ok());
        assert!(check_response_format(&none, &accept("application/fhir+xml")).is_err());
        let xml = QueryParams::parse(Some("_format=xml"));
        assert!(check_response_format(&xml, &HeaderMap::new()).is_err());
        let json = QueryParams::parse(Some("_format=json"));
        assert!(check_response_format(&json, &accept("application/xml")).is_ok());
    }
}
