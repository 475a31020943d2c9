//! [`RecordError`]: why a read or write of a record did not happen.

use tessera_fhir::Issue;
use tessera_store::{ResourceKey, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Not an R4 resource type.
    #[error("{0} is not a FHIR R4 resource type")]
    UnknownType(String),
    /// Not a valid FHIR id.
    #[error("'{0}' is not a valid resource id (1-64 of A-Z, a-z, 0-9, '-', '.')")]
    InvalidId(String),
    /// No such resource (or version).
    #[error("{0} is not known")]
    NotFound(String),
    /// The resource was deleted (at this version).
    #[error("{key} was deleted (version {version})")]
    Gone { key: ResourceKey, version: i64 },
    /// The request body is not a resource this request can use
    /// (not JSON, wrong resourceType, id missing or not matching the URL).
    #[error("{}", .0.message)]
    Malformed(Box<Issue>),
    /// The resource breaks the R4 definitions; every problem is listed.
    #[error("the resource is not valid FHIR R4 ({} problems)", .0.len())]
    Invalid(Vec<Issue>),
    /// `If-Match` named another version than the current one.
    #[error("{key} is at version {current}, not the expected version {expected}", current = .current.map_or("none".to_string(), |v| v.to_string()))]
    VersionConflict {
        key: ResourceKey,
        expected: i64,
        current: Option<i64>,
    },
    /// The change conflicts with other records (e.g. deleting a resource
    /// that live resources refer to).
    #[error("{0}")]
    Conflict(String),
    /// Persistence failed.
    #[error(transparent)]
    Store(StoreError),
    /// A conditional operation's search matched more than one resource.
    #[error("'{0}' matches more than one resource")]
    MultipleMatches(String),
    /// One entry of a transaction Bundle failed; nothing of the Bundle was stored.
    #[error("Bundle.entry[{index}]: {error}")]
    InEntry {
        index: usize,
        error: Box<RecordError>,
    },
}

impl RecordError {
    /// Every code [`RecordError::code`] can return.
    pub const CODES: &'static [&'static str] = &[
        "TSR-2001", "TSR-2002", "TSR-2003", "TSR-2004", "TSR-2005", "TSR-2006", "TSR-2007",
        "TSR-2008", "TSR-2009", "TSR-2010", "TSR-2011", "TSR-2012",
    ];

    /// A stable code a user can search for. Unique per variant (tested).
    pub fn code(&self) -> &'static str {
        match self {
            RecordError::UnknownType(_) => "TSR-2001",
            RecordError::InvalidId(_) => "TSR-2002",
            RecordError::NotFound(_) => "TSR-2003",
            RecordError::Gone { .. } => "TSR-2004",
            RecordError::Malformed(_) => "TSR-2005",
            RecordError::Invalid(_) => "TSR-2006",
            RecordError::VersionConflict { .. } => "TSR-2007",
            RecordError::Conflict(_) => "TSR-2008",
            RecordError::Store(StoreError::Unavailable(_)) => "TSR-2009",
            RecordError::Store(_) => "TSR-2010",
            RecordError::MultipleMatches(_) => "TSR-2011",
            RecordError::InEntry { .. } => "TSR-2012",
        }
    }
}

impl From<StoreError> for RecordError {
    fn from(error: StoreError) -> RecordError {
        match error {
            StoreError::NotFound(key) => RecordError::NotFound(key.to_string()),
            StoreError::VersionConflict {
                key,
                expected,
                current,
            } => RecordError::VersionConflict {
                key,
                expected,
                current,
            },
            error @ StoreError::StillReferenced { .. } => RecordError::Conflict(error.to_string()),
            error @ StoreError::AlreadyExists(_) => RecordError::Conflict(error.to_string()),
            // The request asked for something the search cannot do (a bad
            // cursor, too many included resources): the client's to fix.
            error @ (StoreError::InvalidCursor(_) | StoreError::InvalidSearch(_)) => {
                RecordError::Malformed(Box::new(tessera_fhir::Issue::error(
                    tessera_fhir::IssueType::Invalid,
                    error.to_string(),
                )))
            }
            other => RecordError::Store(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_fhir::IssueType;

    #[test]
    fn every_variant_has_its_own_listed_code() {
        let key = ResourceKey::new("Patient", "p");
        let samples = [
            RecordError::UnknownType("X".into()),
            RecordError::InvalidId("!".into()),
            RecordError::NotFound("Patient/p".into()),
            RecordError::Gone {
                key: key.clone(),
                version: 2,
            },
            RecordError::Malformed(Box::new(Issue::error(IssueType::Invalid, "x"))),
            RecordError::Invalid(Vec::new()),
            RecordError::VersionConflict {
                key,
                expected: 1,
                current: None,
            },
            RecordError::Conflict("x".into()),
            RecordError::Store(StoreError::Unavailable("x".into())),
            RecordError::Store(StoreError::Database("x".into())),
            RecordError::MultipleMatches("Patient?name=x".into()),
            RecordError::InEntry {
                index: 1,
                error: Box::new(RecordError::Conflict("x".into())),
            },
        ];
        let codes: Vec<&str> = samples.iter().map(RecordError::code).collect();
        assert_eq!(codes, RecordError::CODES);
    }
}
