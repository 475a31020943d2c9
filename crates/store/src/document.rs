//! Stamping a resource's JSON with what the store decides: its `id`,
//! `meta.versionId` and `meta.lastUpdated`. Every backend stores exactly the
//! bytes made here, so a read returns them without parsing.

use crate::{Instant, ResourceKey, StoreError};
use serde_json::{Map, Value};
use std::io::Write;

/// A resource's JSON, serialised before its write reaches the store: all
/// of it but `resourceType`, `id`, `meta.versionId` and `meta.lastUpdated`,
/// which [`stamp`] writes around it once the store has decided them. Made
/// on the thread that prepares the write (the caller's), so the store's
/// single writer only copies bytes: serialising there was an eighth of an
/// import's writer time.
#[derive(Clone, PartialEq)]
pub struct UnstampedBody {
    /// `,"name":value` for each other member of `meta`, in order.
    other_meta: Vec<u8>,
    /// `,"name":value` for each other member of the resource, in order.
    members: Vec<u8>,
}

impl UnstampedBody {
    /// Serialises `resource`, leaving out what the store stamps.
    pub fn new(mut resource: Map<String, Value>) -> UnstampedBody {
        let mut other_meta = Vec::new();
        if let Some(Value::Object(meta)) = resource.remove("meta") {
            for (name, value) in &meta {
                if name != "versionId" && name != "lastUpdated" {
                    write_member(&mut other_meta, name, value);
                }
            }
        }
        let mut members = Vec::with_capacity(1024);
        for (name, value) in &resource {
            if name != "resourceType" && name != "id" {
                write_member(&mut members, name, value);
            }
        }
        UnstampedBody {
            other_meta,
            members,
        }
    }
}

impl From<Map<String, Value>> for UnstampedBody {
    fn from(resource: Map<String, Value>) -> UnstampedBody {
        UnstampedBody::new(resource)
    }
}

impl std::fmt::Debug for UnstampedBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnstampedBody")
            .field("other_meta", &String::from_utf8_lossy(&self.other_meta))
            .field("members", &String::from_utf8_lossy(&self.members))
            .finish()
    }
}

/// Appends `,"name":value`. Writing a `Value` into a `Vec` cannot fail
/// (its keys are strings and the vector grows), so nothing is lost here.
fn write_member(out: &mut Vec<u8>, name: &str, value: &Value) {
    out.push(b',');
    let _ = serde_json::to_writer(&mut *out, name);
    out.push(b':');
    let _ = serde_json::to_writer(&mut *out, value);
}

/// The stored bytes of version `version` of `key`: `resourceType`, `id`
/// and `meta` first (as FHIR servers conventionally order them), then the
/// rest of `body`.
pub(crate) fn stamp(
    key: &ResourceKey,
    version: i64,
    last_updated: Instant,
    body: &UnstampedBody,
) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(body.members.len() + body.other_meta.len() + 160);
    let written = (|| -> Result<(), serde_json::Error> {
        out.extend_from_slice(b"{\"resourceType\":");
        serde_json::to_writer(&mut out, &key.resource_type)?;
        out.extend_from_slice(b",\"id\":");
        serde_json::to_writer(&mut out, &key.id)?;
        write!(
            out,
            ",\"meta\":{{\"versionId\":\"{version}\",\"lastUpdated\":\"{last_updated}\""
        )
        .map_err(serde_json::Error::io)?;
        out.extend_from_slice(&body.other_meta);
        out.push(b'}');
        out.extend_from_slice(&body.members);
        out.push(b'}');
        Ok(())
    })();
    written.map_err(|e| StoreError::Corrupt {
        key: key.clone(),
        reason: e.to_string(),
    })?;
    Ok(out)
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
            &UnstampedBody::new(map),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"resourceType":"Patient","id":"p1","meta":{"versionId":"2","lastUpdated":"1970-01-01T00:00:00.000Z","tag":[{"code":"x"}]},"gender":"female"}"#
        );
    }

    #[test]
    fn stamps_the_same_bytes_as_serialising_the_whole_resource() {
        let resource = json!({"resourceType": "Observation", "id": "x",
            "status": "final", "note": [{"text": "said \"hello\"\n\u{e9}\u{1}"}],
            "meta": "not an object", "valueQuantity": {"value": 1.5e-3}});
        let Value::Object(map) = resource.clone() else {
            unreachable!()
        };
        let key = ResourceKey::new("Observation", "o\"1");
        let bytes = stamp(
            &key,
            7,
            Instant::from_millis(1_700_000_000_123),
            &map.into(),
        )
        .unwrap();
        let expected = json!({"resourceType": "Observation", "id": "o\"1",
            "meta": {"versionId": "7", "lastUpdated": "2023-11-14T22:13:20.123Z"},
            "status": "final", "note": [{"text": "said \"hello\"\n\u{e9}\u{1}"}],
            "valueQuantity": {"value": 1.5e-3}});
        assert_eq!(bytes, serde_json::to_vec(&expected).unwrap());
    }
}
