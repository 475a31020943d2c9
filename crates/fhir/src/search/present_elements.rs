//! Which of a resource's elements are present, for skipping the search
//! parameters it cannot have a value for ([`SearchParam::may_apply`]).

#[cfg(doc)]
use super::SearchParam;
use serde_json::Value;
use std::collections::HashSet;

/// The element names a resource's top-level keys can stand for, computed
/// once per resource for every [`SearchParam::may_apply`]: each key without
/// its `_` (primitive extensions), and each part of it before an upper-case
/// letter, since a choice element `value[x]` appears as `valueQuantity`.
/// (`basedOn` gives `based` too, which no element of a resource is named.)
pub struct PresentElements<'a>(HashSet<&'a str>);

impl<'a> PresentElements<'a> {
    pub fn of(resource: &'a serde_json::Map<String, Value>) -> PresentElements<'a> {
        let mut names = HashSet::new();
        for key in resource.keys() {
            let key = key.strip_prefix('_').unwrap_or(key);
            names.insert(key);
            for (at, c) in key.char_indices() {
                if c.is_ascii_uppercase() {
                    names.insert(&key[..at]);
                }
            }
        }
        PresentElements(names)
    }

    /// Whether an element of this name may be present.
    pub fn contains(&self, element: &str) -> bool {
        self.0.contains(element)
    }
}

#[cfg(test)]
mod tests {
    use super::PresentElements;
    use crate::search::SearchRegistry;

    #[test]
    fn a_parameter_applies_when_its_root_element_is_present() {
        let registry = SearchRegistry::r4();
        let param = |code: &str| {
            registry
                .params("Observation")
                .iter()
                .find(|p| p.code == code)
                .expect("an R4 Observation parameter")
        };
        let observation = serde_json::json!({
            "resourceType": "Observation",
            "_status": {"extension": []},
            "valueQuantity": {"value": 1},
            "basedOn": [{"reference": "ServiceRequest/1"}]
        });
        let present = PresentElements::of(observation.as_object().expect("an object"));
        assert!(
            param("status").may_apply(&present),
            "status through _status"
        );
        assert!(param("value-quantity").may_apply(&present), "value[x]");
        assert!(param("based-on").may_apply(&present));
        assert!(!param("code").may_apply(&present));
        assert!(!param("subject").may_apply(&present));
    }
}
