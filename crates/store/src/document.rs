//! Stamping a resource's JSON with what the store decides: its `id`,
//! `meta.versionId` and `meta.lastUpdated`. Every backend stores exactly the
//! bytes made here, so a read returns them without parsing.

use crate::{Instant, ResourceKey, StoreError};
use serde_json::{Map, Value};

/// Serialises `resource` as stored version `version` of `key`, with
/// `resourceType`, `id` and `meta` first (as FHIR servers conventionally
/// order them).
pub(crate) fn stamp(
    key: &ResourceKey,
    version: i64,
    last_updated: Instant,
    mut resource: Map<String, Value>,
) -> Result<Vec<u8>, StoreError> {
    let mut meta = Map::new();
    meta.insert("versionId".into(), Value::String(version.to_string()));
    meta.insert(
        "lastUpdated".into(),
        Value::String(last_updated.to_string()),
    );
    if let Some(Value::Object(given)) = resource.remove("meta") {
        for (name, value) in given {
            if name != "versionId" && name != "lastUpdated" {
                meta.insert(name, value);
            }
        }
    }
    let mut out = Map::with_capacity(resource.len() + 3);
    out.insert(
        "resourceType".into(),
        Value::String(key.resource_type.clone()),
    );
    out.insert("id".into(), Value::String(key.id.clone()));
    out.insert("meta".into(), Value::Object(meta));
    for (name, value) in resource {
        if name != "resourceType" && name != "id" {
            out.insert(name, value);
        }
    }
    serde_json::to_vec(&Value::Object(out)).map_err(|e| StoreError::Corrupt {
        key: key.clone(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stamps_identity_and_version_first_and_keeps_other_meta() {
        let resource = json!({"gender": "female", "resourceType": "Patient", "id": "ignored",
            "meta": {"versionId": "9", "tag": [{"code": "x"}]}});
        let Value::Object(map) = resource else {
            unreachable!()
        };
        let bytes = stamp(
            &ResourceKey::new("Patient", "p1"),
            2,
            Instant::from_millis(0),
            map,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"resourceType":"Patient","id":"p1","meta":{"versionId":"2","lastUpdated":"1970-01-01T00:00:00.000Z","tag":[{"code":"x"}]},"gender":"female"}"#
        );
    }
}
