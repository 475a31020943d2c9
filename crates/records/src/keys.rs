//! Deriving the [`RowKeys`] every stored row carries from a resource.

use serde_json::Value;
use tessera_fhir::Definitions;
use tessera_fhir::reference::ReferenceTarget;
use tessera_store::{ResourceKey, RowKeys};

/// The `meta.tag` system naming the organisation that authored a resource
/// (code: the Organization id), used when the writer's identity does not
/// say. Once authentication lands, the authenticated organisation wins.
pub const AUTHOR_ORGANIZATION_TAG_SYSTEM: &str = "urn:tessera:authoring-organization";

/// A new server-assigned resource id: a UUID version 7, whose leading bits
/// are the creation time in milliseconds. Ids assigned in time order land at
/// the end of the id indexes instead of on a random page each, which keeps
/// the pages a group commit dirties (and writes to the WAL) few. The cost:
/// the id reveals when the resource was created, which its first version's
/// `meta.lastUpdated` says anyway.
pub(crate) fn new_resource_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub(crate) fn row_keys(
    definitions: &Definitions,
    resource: &Value,
    author_org: Option<&str>,
) -> RowKeys {
    let mut references: Vec<ResourceKey> = definitions
        .references(resource)
        .into_iter()
        .filter_map(|found| match found.target {
            ReferenceTarget::Local {
                resource_type, id, ..
            } => Some(ResourceKey::new(resource_type, id)),
            _ => None,
        })
        .collect();
    references.sort();
    references.dedup();
    RowKeys {
        patient_key: definitions.patient_key(resource),
        author_org: author_org
            .map(str::to_owned)
            .or_else(|| tagged_author(resource)),
        references,
        index: definitions.index_entries(resource),
    }
}

fn tagged_author(resource: &Value) -> Option<String> {
    resource
        .get("meta")?
        .get("tag")?
        .as_array()?
        .iter()
        .find(|tag| {
            tag.get("system").and_then(Value::as_str) == Some(AUTHOR_ORGANIZATION_TAG_SYSTEM)
        })?
        .get("code")?
        .as_str()
        .map(str::to_owned)
}
