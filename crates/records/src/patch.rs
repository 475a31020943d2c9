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

    /// The patch a transaction or batch entry carries as its resource: a
    /// `Parameters` resource (FHIRPath Patch) or a `Binary` whose
    /// `contentType` is `application/json-patch+json` and whose `data` is
    /// the JSON Patch document, base64-encoded (R4 3.1.0.11.3, "Patch using
    /// Transaction").
    pub(crate) fn from_entry_resource(
        resource: &Value,
        definitions: &Definitions,
    ) -> Result<Patch, RecordError> {
        let malformed = |message: String| {
            RecordError::Malformed(Box::new(Issue::error(IssueType::Invalid, message)))
        };
        match resource.get("resourceType").and_then(Value::as_str) {
            Some("Parameters") => Patch::parse(PatchFormat::FhirPath, resource, definitions),
            Some("Binary") => {
                let content_type = resource.get("contentType").and_then(Value::as_str);
                let media = content_type
                    .and_then(|c| c.split(';').next())
                    .map(str::trim)
                    .unwrap_or("");
                if !media.eq_ignore_ascii_case("application/json-patch+json") {
                    return Err(malformed(format!(
                        "a PATCH entry's Binary must have contentType \
                         application/json-patch+json, not {}",
                        content_type.unwrap_or("none")
                    )));
                }
                use base64::Engine;
                let data = resource.get("data").and_then(Value::as_str).unwrap_or("");
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(data.trim())
                    .map_err(|error| {
                        malformed(format!("the Binary's data is not base64: {error}"))
                    })?;
                let document: Value = serde_json::from_slice(&bytes).map_err(|error| {
                    malformed(format!("the Binary's data is not a JSON document: {error}"))
                })?;
                Patch::parse(PatchFormat::JsonPatch, &document, definitions)
            }
            other => Err(malformed(format!(
                "a PATCH entry's resource must be a Parameters (FHIRPath Patch) or a Binary \
                 (JSON Patch), not {}",
                other.unwrap_or("a resource without resourceType")
            ))),
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
