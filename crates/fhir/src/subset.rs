//! `_summary` and `_elements`: returning a subset of a resource.
//!
//! Both mark the result with the `SUBSETTED` meta tag, as R4 requires of any
//! resource that is not complete. Which elements are "summary" and which are
//! mandatory comes from the definitions. `_summary=true` filters the resource's
//! own elements and its backbone elements by `isSummary`; datatype values
//! (a `HumanName`, a `CodeableConcept`) are kept whole, since every element of
//! a summary datatype value is needed to read it.

use crate::Definitions;
use crate::definitions::{TypeDef, TypeId, TypeKind};
use serde_json::{Map, Value, json};

/// The `_summary` modes that apply to a single resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryMode {
    /// `_summary=true`: only elements marked `isSummary` in the definitions.
    True,
    /// `_summary=text`: `text`, `id`, `meta` and mandatory top-level elements.
    Text,
    /// `_summary=data`: everything except `text`.
    Data,
}

/// The system and code of the tag that marks a subsetted resource.
pub const SUBSETTED_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";
pub const SUBSETTED_CODE: &str = "SUBSETTED";

/// Elements every subset keeps, whatever was asked for.
const ALWAYS_KEPT: [&str; 3] = ["resourceType", "id", "meta"];

impl Definitions {
    /// Applies a `_summary` mode and marks the result `SUBSETTED`.
    pub fn summary(&self, resource: &Value, mode: SummaryMode) -> Value {
        let Some((object, definition)) = self.resource_definition(resource) else {
            return resource.clone();
        };
        let subset = match mode {
            SummaryMode::True => self.summary_elements(object, definition),
            SummaryMode::Text => filter_top_level(object, definition, |name| {
                name == "text" || is_mandatory(definition, name)
            }),
            SummaryMode::Data => filter_top_level(object, definition, |name| name != "text"),
        };
        mark_subsetted(subset)
    }

    /// Applies `_elements` (top-level element names, optionally prefixed with the resource
    /// type, e.g. `Patient.name`) and marks the result `SUBSETTED`. `resourceType`, `id`,
    /// `meta` and mandatory elements are always kept. A choice element is asked for by its
    /// name without `[x]` (`value` keeps `valueQuantity`).
    pub fn elements(&self, resource: &Value, elements: &[&str]) -> Value {
        let Some((object, definition)) = self.resource_definition(resource) else {
            return resource.clone();
        };
        let type_prefix = format!("{}.", definition.name);
        let wanted: Vec<&str> = elements
            .iter()
            .map(|e| e.trim())
            .map(|e| e.strip_prefix(type_prefix.as_str()).unwrap_or(e))
            .collect();
        let subset = filter_top_level(object, definition, |name| {
            let base = name.trim_end_matches("[x]");
            wanted.contains(&base) || is_mandatory(definition, name)
        });
        mark_subsetted(subset)
    }

    fn resource_definition<'a>(
        &self,
        resource: &'a Value,
    ) -> Option<(&'a Map<String, Value>, &TypeDef)> {
        let object = resource.as_object()?;
        let type_id = self.resource_type_id(object.get("resourceType")?.as_str()?)?;
        Some((object, self.type_def(type_id)))
    }

    /// `_summary=true` for one object: keep summary elements, and filter backbone elements
    /// (`Observation.component`) by their own children's summary flags.
    fn summary_elements(
        &self,
        object: &Map<String, Value>,
        definition: &TypeDef,
    ) -> Map<String, Value> {
        let mut kept = Map::new();
        for (key, value) in object {
            let name = key.strip_prefix('_').unwrap_or(key);
            if ALWAYS_KEPT.contains(&name) {
                kept.insert(key.clone(), value.clone());
                continue;
            }
            let Some((element, element_type)) = definition.lookup(name) else {
                continue;
            };
            if !element.is_summary {
                continue;
            }
            let child_type = self.type_def(element_type.type_id);
            let value = if child_type.kind == TypeKind::Backbone {
                self.summary_backbone(value, element_type.type_id)
            } else {
                value.clone()
            };
            kept.insert(key.clone(), value);
        }
        kept
    }

    fn summary_backbone(&self, value: &Value, type_id: TypeId) -> Value {
        let definition = self.type_def(type_id);
        match value {
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.summary_backbone(item, type_id))
                    .collect(),
            ),
            Value::Object(object) => Value::Object(self.summary_elements(object, definition)),
            other => other.clone(),
        }
    }
}

fn is_mandatory(definition: &TypeDef, name: &str) -> bool {
    definition
        .required
        .iter()
        .any(|&index| &*definition.elements[index as usize].name == name)
}

/// Keeps `resourceType`, `id`, `meta` and the top-level elements (with their `_` siblings)
/// whose defined name (`value[x]` for a choice) `keep` accepts.
fn filter_top_level(
    object: &Map<String, Value>,
    definition: &TypeDef,
    keep: impl Fn(&str) -> bool,
) -> Map<String, Value> {
    object
        .iter()
        .filter(|(key, _)| {
            let name = key.strip_prefix('_').unwrap_or(key);
            ALWAYS_KEPT.contains(&name)
                || definition
                    .lookup(name)
                    .is_some_and(|(element, _)| keep(&element.name))
        })
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// Adds the `SUBSETTED` tag to `meta.tag` (once), creating `meta` when needed.
fn mark_subsetted(mut object: Map<String, Value>) -> Value {
    let tag = json!({"system": SUBSETTED_SYSTEM, "code": SUBSETTED_CODE});
    let meta = object
        .entry("meta")
        .or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    if let Value::Object(meta) = meta {
        let tags = meta
            .entry("tag")
            .or_insert_with(|| Value::Array(Vec::new()));
        if !tags.is_array() {
            *tags = Value::Array(Vec::new());
        }
        if let Value::Array(tags) = tags {
            let present = tags.iter().any(|t| {
                t.get("system").and_then(Value::as_str) == Some(SUBSETTED_SYSTEM)
                    && t.get("code").and_then(Value::as_str) == Some(SUBSETTED_CODE)
            });
            if !present {
                tags.push(tag);
            }
        }
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observation() -> Value {
        json!({
            "resourceType": "Observation",
            "id": "o1",
            "meta": {"versionId": "2"},
            "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"},
            "status": "final",
            "_status": {"extension": [{"url": "http://x", "valueString": "y"}]},
            "code": {"text": "glucose"},
            "subject": {"reference": "Patient/p1"},
            "valueQuantity": {"value": 5.5},
            "note": [{"text": "not a summary element"}],
            "component": [{"code": {"text": "c"}, "valueString": "v",
                "interpretation": [{"text": "component.interpretation is not summary"}]}]
        })
    }

    fn keys(value: &Value) -> Vec<&str> {
        value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect()
    }

    fn is_subsetted(value: &Value) -> bool {
        value["meta"]["tag"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["code"] == SUBSETTED_CODE && t["system"] == SUBSETTED_SYSTEM)
    }

    #[test]
    fn summary_true_keeps_summary_elements_and_filters_backbones() {
        let summary = Definitions::r4().summary(&observation(), SummaryMode::True);
        assert_eq!(
            keys(&summary),
            vec![
                "resourceType",
                "id",
                "meta",
                "status",
                "_status",
                "code",
                "subject",
                "valueQuantity",
                "component"
            ]
        );
        assert_eq!(keys(&summary["component"][0]), vec!["code", "valueString"]);
        assert!(is_subsetted(&summary));
        assert_eq!(summary["meta"]["versionId"], "2");
    }

    #[test]
    fn summary_text_keeps_text_and_mandatory_elements() {
        let summary = Definitions::r4().summary(&observation(), SummaryMode::Text);
        assert_eq!(
            keys(&summary),
            vec![
                "resourceType",
                "id",
                "meta",
                "text",
                "status",
                "_status",
                "code"
            ]
        );
        assert!(is_subsetted(&summary));
    }

    #[test]
    fn summary_data_drops_only_text() {
        let summary = Definitions::r4().summary(&observation(), SummaryMode::Data);
        assert!(summary.get("text").is_none());
        assert!(summary.get("note").is_some());
        assert!(is_subsetted(&summary));
    }

    #[test]
    fn elements_keeps_asked_and_mandatory_elements() {
        let definitions = Definitions::r4();
        let subset = definitions.elements(&observation(), &["subject", "Observation.value"]);
        assert_eq!(
            keys(&subset),
            vec![
                "resourceType",
                "id",
                "meta",
                "status",
                "_status",
                "code",
                "subject",
                "valueQuantity"
            ]
        );
        assert!(is_subsetted(&subset));
        let again = definitions.elements(&subset, &["subject"]);
        assert_eq!(
            again["meta"]["tag"].as_array().unwrap().len(),
            1,
            "tag added once"
        );
        let without_meta = definitions.elements(
            &json!({"resourceType": "Patient", "id": "p", "gender": "male"}),
            &[],
        );
        assert_eq!(keys(&without_meta), vec!["resourceType", "id", "meta"]);
        assert!(is_subsetted(&without_meta));
    }

    #[test]
    fn non_resources_are_returned_unchanged() {
        let odd = json!({"resourceType": "Nope", "x": 1});
        assert_eq!(Definitions::r4().summary(&odd, SummaryMode::True), odd);
        assert_eq!(Definitions::r4().elements(&json!(3), &["x"]), json!(3));
    }
}
