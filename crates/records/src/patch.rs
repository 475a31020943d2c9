//! [`PatchFormat`]: the two patch formats R4 allows, parsed once into a
//! [`Patch`] that the service's read-patch-write loop applies (and re-applies
//! after a concurrent write) without caring which format it came in.

use crate::RecordError;
use crate::fhirpath_patch::FhirPathPatch;
use serde_json::Value;
use tessera_fhir::{Definitions, Issue, IssueType};

/// How the body of a patch is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchFormat {
    /// RFC 6902 JSON Patch (`application/json-patch+json`).
    JsonPatch,
    /// FHIRPath Patch: a `Parameters` resource (FHIR JSON).
    FhirPath,
}

/// A parsed patch document.
#[derive(Debug)]
pub(crate) enum Patch {
    Json(json_patch::Patch),
    FhirPath(FhirPathPatch),
}

impl Patch {
    pub(crate) fn parse(
        format: PatchFormat,
        document: &Value,
        definitions: &Definitions,
    ) -> Result<Patch, RecordError> {
        match format {
            PatchFormat::JsonPatch => serde_json::from_value(document.clone())
                .map(Patch::Json)
                .map_err(|error| {
                    RecordError::Malformed(Box::new(Issue::error(
                        IssueType::Structure,
                        format!("the body is not a JSON Patch document: {error}"),
                    )))
                }),
            PatchFormat::FhirPath => {
                FhirPathPatch::parse(document, definitions).map(Patch::FhirPath)
            }
        }
    }

    /// Changes `resource`; on error it may be half-changed and is to be discarded.
    pub(crate) fn apply(
        &self,
        resource: &mut Value,
        definitions: &Definitions,
    ) -> Result<(), RecordError> {
        match self {
            Patch::Json(operations) => json_patch::patch(resource, operations).map_err(|error| {
                RecordError::Malformed(Box::new(Issue::error(
                    IssueType::Processing,
                    format!("the patch cannot be applied: {error}"),
                )))
            }),
            Patch::FhirPath(patch) => patch.apply(resource, definitions),
        }
    }
}
