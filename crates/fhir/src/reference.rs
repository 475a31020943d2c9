//! `Reference.reference` parsing, and finding every reference in a resource.
//!
//! [`Definitions::references`] walks a resource guided by its element types (not by key
//! names), so it finds exactly the `Reference` datatypes, including inside extensions and
//! contained resources. It does not descend into `Bundle.entry.resource` or
//! `Parameters.parameter.resource`: those are resources of their own, not parts of this one.

use crate::Definitions;
use crate::definitions::{Special, TypeId, TypeKind};
use serde_json::{Map, Value};

/// A parsed `Reference.reference`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceTarget {
    /// `Type/id` or `Type/id/_history/vid`, relative to this server.
    Local {
        resource_type: String,
        id: String,
        version: Option<String>,
    },
    /// `#id`: a contained resource (`#` alone: the containing resource).
    Contained(String),
    /// An absolute URL or a URN (`urn:uuid:`, `urn:oid:`).
    External(String),
    /// `Type?search`: a conditional reference, resolved by the server in a transaction.
    Conditional {
        resource_type: String,
        query: String,
    },
}

impl ReferenceTarget {
    /// Parses a `Reference.reference` string; `None` when it is not a valid reference.
    pub fn parse(text: &str) -> Option<ReferenceTarget> {
        if let Some(id) = text.strip_prefix('#') {
            return (id.is_empty() || is_id(id)).then(|| ReferenceTarget::Contained(id.into()));
        }
        if let Some(uuid) = text.strip_prefix("urn:uuid:") {
            return is_uuid(uuid).then(|| ReferenceTarget::External(text.into()));
        }
        if let Some(oid) = text.strip_prefix("urn:oid:") {
            let valid = oid
                .split('.')
                .all(|arc| !arc.is_empty() && arc.bytes().all(|b| b.is_ascii_digit()));
            return valid.then(|| ReferenceTarget::External(text.into()));
        }
        if text.chars().any(char::is_whitespace) {
            return None;
        }
        if let Some((scheme, rest)) = text.split_once(':')
            && !scheme.contains('/')
            && !scheme.contains('?')
        {
            let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
            return (scheme_ok && !rest.is_empty()).then(|| ReferenceTarget::External(text.into()));
        }
        if let Some((resource_type, query)) = text.split_once('?') {
            return (is_type_name(resource_type) && !query.is_empty()).then(|| {
                ReferenceTarget::Conditional {
                    resource_type: resource_type.into(),
                    query: query.into(),
                }
            });
        }
        let mut parts = text.split('/');
        let (resource_type, id) = (parts.next()?, parts.next()?);
        let version = match (parts.next(), parts.next(), parts.next()) {
            (None, _, _) => None,
            (Some("_history"), Some(version), None) if is_id(version) => Some(version.to_owned()),
            _ => return None,
        };
        (is_type_name(resource_type) && is_id(id)).then(|| ReferenceTarget::Local {
            resource_type: resource_type.into(),
            id: id.into(),
            version,
        })
    }
}

fn is_type_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_uppercase())
        && text.bytes().all(|b| b.is_ascii_alphabetic())
}

fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(index, b)| match index {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// One reference found in a resource, with the FHIRPath location of the `Reference` element
/// it was found in (e.g. `Observation.performer[1]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundReference {
    pub path: String,
    pub target: ReferenceTarget,
}

/// How deep the reference walk follows nested elements; deeper input is not walked (validation
/// reports it).
const MAX_REFERENCE_DEPTH: usize = 64;

impl Definitions {
    /// Every `Reference.reference` in `resource` (contained resources included); references
    /// whose text is not a valid reference are skipped (validation reports them).
    pub fn references(&self, resource: &Value) -> Vec<FoundReference> {
        let mut found = Vec::new();
        let Some(object) = resource.as_object() else {
            return found;
        };
        let Some(resource_type) = object.get("resourceType").and_then(Value::as_str) else {
            return found;
        };
        let Some(type_id) = self.resource_type_id(resource_type) else {
            return found;
        };
        let mut path = resource_type.to_owned();
        self.collect_references(object, type_id, &mut path, 0, &mut found);
        found
    }

    fn collect_references(
        &self,
        object: &Map<String, Value>,
        type_id: TypeId,
        path: &mut String,
        depth: usize,
        found: &mut Vec<FoundReference>,
    ) {
        if depth > MAX_REFERENCE_DEPTH {
            return;
        }
        let definition = self.type_def(type_id);
        if definition.special == Some(Special::Reference)
            && let Some(target) = object
                .get("reference")
                .and_then(Value::as_str)
                .and_then(ReferenceTarget::parse)
        {
            found.push(FoundReference {
                path: path.clone(),
                target,
            });
        }
        for (key, value) in object {
            let Some((element, element_type)) = definition.lookup(key) else {
                continue;
            };
            let child_type = self.type_def(element_type.type_id);
            let is_contained = child_type.kind == TypeKind::AnyResource
                && definition.kind == TypeKind::Resource
                && key == "contained";
            if matches!(child_type.kind, TypeKind::Primitive(_))
                || (child_type.kind == TypeKind::AnyResource && !is_contained)
            {
                continue;
            }
            let length = path.len();
            path.push('.');
            path.push_str(key);
            let items: Vec<(Option<usize>, &Value)> = match value {
                Value::Array(items) if element.is_repeating() => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (Some(i), v))
                    .collect(),
                other => vec![(None, other)],
            };
            for (index, item) in items {
                let item_length = path.len();
                if let Some(index) = index {
                    path.push_str(&format!("[{index}]"));
                }
                if let Some(child) = item.as_object() {
                    let child_type_id = if is_contained {
                        child
                            .get("resourceType")
                            .and_then(Value::as_str)
                            .and_then(|t| self.resource_type_id(t))
                    } else {
                        Some(element_type.type_id)
                    };
                    if let Some(child_type_id) = child_type_id {
                        self.collect_references(child, child_type_id, path, depth + 1, found);
                    }
                }
                path.truncate(item_length);
            }
            path.truncate(length);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_every_reference_form() {
        let local = |t: &str, id: &str, v: Option<&str>| ReferenceTarget::Local {
            resource_type: t.into(),
            id: id.into(),
            version: v.map(Into::into),
        };
        assert_eq!(
            ReferenceTarget::parse("Patient/p1"),
            Some(local("Patient", "p1", None))
        );
        assert_eq!(
            ReferenceTarget::parse("Patient/p1/_history/2"),
            Some(local("Patient", "p1", Some("2")))
        );
        assert_eq!(
            ReferenceTarget::parse("#med1"),
            Some(ReferenceTarget::Contained("med1".into()))
        );
        assert!(matches!(
            ReferenceTarget::parse("http://example.org/fhir/Patient/1"),
            Some(ReferenceTarget::External(_))
        ));
        assert!(matches!(
            ReferenceTarget::parse("urn:uuid:c757873d-ec9a-4326-a141-556f43239520"),
            Some(ReferenceTarget::External(_))
        ));
        assert!(matches!(
            ReferenceTarget::parse("urn:oid:1.2.3"),
            Some(ReferenceTarget::External(_))
        ));
        assert!(matches!(
            ReferenceTarget::parse("Patient?identifier=x|1"),
            Some(ReferenceTarget::Conditional { .. })
        ));
        for bad in [
            "Patient",
            "Patient/",
            "Patient/a b",
            "patient/1",
            "Patient/1/2",
            "Patient/1/_history/",
            "urn:uuid:123",
            "#a_b",
            "",
        ] {
            assert_eq!(ReferenceTarget::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn finds_references_with_their_paths_including_contained() {
        let observation = json!({
            "resourceType": "Observation",
            "contained": [{"resourceType": "Practitioner", "id": "pr",
                "extension": [{"url": "http://x", "valueReference": {"reference": "Organization/o1"}}]}],
            "status": "final",
            "code": {"text": "x"},
            "subject": {"reference": "Patient/p1"},
            "performer": [{"reference": "#pr"}, {"display": "no reference"}, {"reference": "Practitioner/d/_history/3"}],
            "note": [{"authorReference": {"reference": "http://example.org/Practitioner/9"}, "text": "t"}],
            "identifier": [{"value": "Patient/not-a-reference"}]
        });
        let found = Definitions::r4().references(&observation);
        let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "Observation.contained[0].extension[0].valueReference",
                "Observation.subject",
                "Observation.performer[0]",
                "Observation.performer[2]",
                "Observation.note[0].authorReference",
            ]
        );
        assert_eq!(
            found[1].target,
            ReferenceTarget::Local {
                resource_type: "Patient".into(),
                id: "p1".into(),
                version: None
            }
        );
        assert_eq!(found[2].target, ReferenceTarget::Contained("pr".into()));
    }

    #[test]
    fn does_not_walk_into_bundle_entries_or_non_resources() {
        let bundle = json!({"resourceType": "Bundle", "type": "collection",
            "entry": [{"resource": {"resourceType": "Observation", "subject": {"reference": "Patient/1"}}}]});
        assert!(Definitions::r4().references(&bundle).is_empty());
        assert!(Definitions::r4().references(&json!([1, 2])).is_empty());
        assert!(
            Definitions::r4()
                .references(&json!({"resourceType": "Nope"}))
                .is_empty()
        );
    }
}
