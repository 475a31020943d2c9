//! [`ApiError`] and the one place it becomes HTTP.
//!
//! | error | status | issue code | Tessera code |
//! | --- | --- | --- | --- |
//! | invalid JSON body | 400 | structure | TSR-3001 |
//! | bad request parameter or header | 400 | invalid | TSR-3002 |
//! | unknown path | 404 | not-found | TSR-3003 |
//! | unknown operation | 404 | not-supported | TSR-3004 |
//! | method not allowed on the path | 405 | not-supported | TSR-3005 |
//! | response format not JSON (e.g. XML) | 406 | not-supported | TSR-3006 |
//! | body larger than the limit | 413 | too-costly | TSR-3007 |
//! | body media type not FHIR JSON | 415 | not-supported | TSR-3008 |
//! | interaction not implemented yet | 501 | not-supported | TSR-3009 |
//! | server fault (a bug: a caught panic) | 500 | exception | TSR-3010 |
//! | search parameter value malformed, or ignored under `handling=strict` | 400 | as reported per issue | TSR-3011 |
//! | unknown resource type | 404 | not-supported | TSR-2001 |
//! | invalid id | 400 | invalid | TSR-2002 |
//! | unknown resource or version | 404 | not-found | TSR-2003 |
//! | deleted resource | 410 | deleted | TSR-2004 |
//! | body not usable for this request | 400 | invalid (or as reported) | TSR-2005 |
//! | resource breaks the R4 definitions | 422 | as reported per issue | TSR-2006 + TSR-1xxx per issue |
//! | stale `If-Match` | 412 | conflict | TSR-2007 |
//! | conflict with other records | 409 | conflict | TSR-2008 |
//! | conditional operation matches several resources | 412 | duplicate | TSR-2011 |
//! | one entry of a transaction Bundle failed | the entry's own status | the entry's own, located at `Bundle.entry[i]` | TSR-2012 + the entry's |
//! | store shutting down | 503 | transient | TSR-2009 |
//! | database failure | 500 | exception | TSR-2010 |

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tessera_fhir::{Issue, IssueType, OperationOutcome};
use tessera_records::RecordError;

/// Why a request failed, at the HTTP edge.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("there is no FHIR endpoint at this path")]
    NoSuchPath,
    #[error("the operation {0} is not supported here")]
    UnknownOperation(String),
    #[error("{method} is not allowed here; allowed: {}", .allowed.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
    MethodNotAllowed {
        method: String,
        allowed: &'static [axum::http::Method],
    },
    #[error("Tessera answers in FHIR JSON only (application/fhir+json); {0} is not available")]
    NotAcceptable(String),
    #[error("the body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("the body must be application/fhir+json or application/json, not {0}")]
    UnsupportedMediaType(String),
    #[error("not implemented yet: {0}")]
    NotImplemented(&'static str),
    #[error("the search cannot be run: {}", .0.iter().map(|i| i.message.as_str()).collect::<Vec<_>>().join("; "))]
    InvalidSearch(Vec<Issue>),
    #[error("internal error")]
    Internal,
    #[error(transparent)]
    Record(#[from] RecordError),
}

/// Every Tessera code the HTTP edge itself reports (TSR-3xxx).
pub const CODES: &[&str] = &[
    "TSR-3001", "TSR-3002", "TSR-3003", "TSR-3004", "TSR-3005", "TSR-3006", "TSR-3007", "TSR-3008",
    "TSR-3009", "TSR-3010", "TSR-3011",
];

impl ApiError {
    /// The single mapping from an error to (HTTP status, OperationOutcome).
    pub fn status_and_outcome(&self) -> (StatusCode, OperationOutcome) {
        let message = self.to_string();
        let simple = |status: StatusCode, code: IssueType, tessera: &'static str| {
            (
                status,
                OperationOutcome::single(
                    Issue::error(code, message.clone()).with_tessera_code(tessera),
                ),
            )
        };
        match self {
            ApiError::InvalidJson(_) => {
                simple(StatusCode::BAD_REQUEST, IssueType::Structure, "TSR-3001")
            }
            ApiError::BadRequest(_) => {
                simple(StatusCode::BAD_REQUEST, IssueType::Invalid, "TSR-3002")
            }
            ApiError::NoSuchPath => simple(StatusCode::NOT_FOUND, IssueType::NotFound, "TSR-3003"),
            ApiError::UnknownOperation(_) => {
                simple(StatusCode::NOT_FOUND, IssueType::NotSupported, "TSR-3004")
            }
            ApiError::MethodNotAllowed { .. } => simple(
                StatusCode::METHOD_NOT_ALLOWED,
                IssueType::NotSupported,
                "TSR-3005",
            ),
            ApiError::NotAcceptable(_) => simple(
                StatusCode::NOT_ACCEPTABLE,
                IssueType::NotSupported,
                "TSR-3006",
            ),
            ApiError::PayloadTooLarge { .. } => simple(
                StatusCode::PAYLOAD_TOO_LARGE,
                IssueType::TooCostly,
                "TSR-3007",
            ),
            ApiError::UnsupportedMediaType(_) => simple(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                IssueType::NotSupported,
                "TSR-3008",
            ),
            ApiError::NotImplemented(_) => simple(
                StatusCode::NOT_IMPLEMENTED,
                IssueType::NotSupported,
                "TSR-3009",
            ),
            ApiError::InvalidSearch(issues) => {
                let issues = issues
                    .iter()
                    .map(|issue| {
                        let mut issue = issue.clone();
                        issue.tessera_code.get_or_insert("TSR-3011");
                        issue
                    })
                    .collect();
                (StatusCode::BAD_REQUEST, OperationOutcome::new(issues))
            }
            ApiError::Internal => simple(
                StatusCode::INTERNAL_SERVER_ERROR,
                IssueType::Exception,
                "TSR-3010",
            ),
            ApiError::Record(error) => record_outcome(error),
        }
    }
}

fn record_outcome(error: &RecordError) -> (StatusCode, OperationOutcome) {
    if let RecordError::InEntry { index, error } = error {
        // The entry's own error decides the status; every issue names the entry.
        let (status, mut outcome) = record_outcome(error);
        let entry = format!("Bundle.entry[{index}]");
        for issue in &mut outcome.issues {
            match &issue.path {
                Some(path) if path.starts_with("Bundle.entry[") => {}
                _ => issue.path = Some(entry.clone()),
            }
            issue.message = format!("{entry}: {}", issue.message);
        }
        return (status, outcome);
    }
    let code = error.code();
    let single = |status: StatusCode, issue_type: IssueType| {
        (
            status,
            OperationOutcome::single(
                Issue::error(issue_type, error.to_string()).with_tessera_code(code),
            ),
        )
    };
    match error {
        RecordError::UnknownType(_) => single(StatusCode::NOT_FOUND, IssueType::NotSupported),
        RecordError::InvalidId(_) => single(StatusCode::BAD_REQUEST, IssueType::Invalid),
        RecordError::NotFound(_) => single(StatusCode::NOT_FOUND, IssueType::NotFound),
        RecordError::Gone { .. } => single(StatusCode::GONE, IssueType::Deleted),
        RecordError::Malformed(issue) => {
            let mut issue = (**issue).clone();
            issue.tessera_code.get_or_insert(code);
            (StatusCode::BAD_REQUEST, OperationOutcome::single(issue))
        }
        RecordError::Invalid(issues) => {
            let issues = issues
                .iter()
                .map(|issue| {
                    let mut issue = issue.clone();
                    issue.tessera_code.get_or_insert(code);
                    issue
                })
                .collect();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                OperationOutcome::new(issues),
            )
        }
        RecordError::VersionConflict { .. } => {
            single(StatusCode::PRECONDITION_FAILED, IssueType::Conflict)
        }
        RecordError::Conflict(_) => single(StatusCode::CONFLICT, IssueType::Conflict),
        RecordError::MultipleMatches(_) => {
            single(StatusCode::PRECONDITION_FAILED, IssueType::Duplicate)
        }
        RecordError::InEntry { .. } => single(StatusCode::BAD_REQUEST, IssueType::Invalid),
        RecordError::Store(tessera_store::StoreError::Unavailable(_)) => {
            single(StatusCode::SERVICE_UNAVAILABLE, IssueType::Timeout)
        }
        RecordError::Store(_) => {
            tracing::error!(%error, "storage failure");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                OperationOutcome::single(
                    Issue::error(
                        IssueType::Exception,
                        "the database failed; nothing was changed",
                    )
                    .with_tessera_code(code),
                ),
            )
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, outcome) = self.status_and_outcome();
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), error = %self, "request failed");
        } else {
            tracing::debug!(status = status.as_u16(), error = %self, "request refused");
        }
        let mut response = crate::response::json_response(status, &outcome.to_json(), false);
        if let ApiError::MethodNotAllowed { allowed, .. } = &self {
            let allow = allowed
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            if let Ok(value) = axum::http::HeaderValue::from_str(&allow) {
                response
                    .headers_mut()
                    .insert(axum::http::header::ALLOW, value);
            }
        }
        response
    }
}

/// The answer when a handler panicked (a bug): 500 with an OperationOutcome.
pub(crate) fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::Internal.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn code_of(error: &ApiError) -> String {
        let (_, outcome) = error.status_and_outcome();
        outcome.issues[0]
            .tessera_code
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn every_edge_error_has_its_own_listed_code() {
        let samples = [
            ApiError::InvalidJson("x".into()),
            ApiError::BadRequest("x".into()),
            ApiError::NoSuchPath,
            ApiError::UnknownOperation("$x".into()),
            ApiError::MethodNotAllowed {
                method: "PATCH".into(),
                allowed: &[],
            },
            ApiError::NotAcceptable("xml".into()),
            ApiError::PayloadTooLarge { limit: 1 },
            ApiError::UnsupportedMediaType("text/plain".into()),
            ApiError::NotImplemented("x"),
            ApiError::Internal,
            ApiError::InvalidSearch(vec![Issue::error(IssueType::Invalid, "x")]),
        ];
        let codes: Vec<String> = samples.iter().map(code_of).collect();
        assert_eq!(codes, CODES);
    }

    #[test]
    fn codes_are_unique_across_crates() {
        let all: Vec<&str> = tessera_fhir::validation::codes::ALL
            .iter()
            .map(|rule| rule.code)
            .chain(RecordError::CODES.iter().copied())
            .chain(CODES.iter().copied())
            .collect();
        let unique: HashSet<&str> = all.iter().copied().collect();
        assert_eq!(
            unique.len(),
            all.len(),
            "a Tessera error code is used twice: {all:?}"
        );
    }
}
