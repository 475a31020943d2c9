//! A FHIR JSON property as a list of elements, each a value and its `_name`
//! companion (the id and extensions of a primitive).
//!
//! FHIR JSON splits a primitive element in two: `"given": ["A", null]` and
//! `"_given": [null, {"extension": [...]}]` are two elements, the second with
//! only extensions. Every change a patch makes goes through [`take`] and
//! [`put`], so the two arrays can never drift apart (an insert into `given`
//! without `_given` would attach an extension to the wrong name).

use serde_json::{Map, Value as Json};
use tessera_fhirpath::Step;

/// One element of a property.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Slot {
    pub value: Option<Json>,
    /// The `_name` companion: the element's id and extensions when it is a primitive.
    pub extension: Option<Json>,
}

impl Slot {
    pub fn value(value: Json) -> Slot {
        Slot {
            value: Some(value),
            extension: None,
        }
    }
}

/// The elements of property `name` of `object` (empty when absent), and whether
/// the property is an array.
pub(super) fn take(object: &Map<String, Json>, name: &str) -> (Vec<Slot>, bool) {
    let values = object.get(name).filter(|v| !v.is_null());
    let extensions = object.get(&format!("_{name}")).filter(|v| !v.is_null());
    match (values, extensions) {
        (None, None) => (Vec::new(), false),
        (Some(Json::Array(_)), _) | (_, Some(Json::Array(_))) => {
            let values = values.and_then(Json::as_array);
            let extensions = extensions.and_then(Json::as_array);
            let count = values
                .map_or(0, Vec::len)
                .max(extensions.map_or(0, Vec::len));
            let item = |list: Option<&Vec<Json>>, i: usize| {
                list.and_then(|l| l.get(i))
                    .filter(|v| !v.is_null())
                    .cloned()
            };
            let slots = (0..count)
                .map(|i| Slot {
                    value: item(values, i),
                    extension: item(extensions, i),
                })
                .collect();
            (slots, true)
        }
        (value, extension) => (
            vec![Slot {
                value: value.cloned(),
                extension: extension.cloned(),
            }],
            false,
        ),
    }
}

/// Writes `slots` as property `name` of `object` (an array when `as_array`),
/// with the `_name` companion only where an element has one, and removes the
/// property when nothing is left. Existing properties keep their place.
pub(super) fn put(object: &mut Map<String, Json>, name: &str, slots: Vec<Slot>, as_array: bool) {
    let companion = format!("_{name}");
    let has_values = slots.iter().any(|s| s.value.is_some());
    let has_extensions = slots.iter().any(|s| s.extension.is_some());
    let (values, extensions): (Vec<Json>, Vec<Json>) = slots
        .into_iter()
        .map(|s| {
            (
                s.value.unwrap_or(Json::Null),
                s.extension.unwrap_or(Json::Null),
            )
        })
        .unzip();
    let shape = |items: Vec<Json>| {
        if as_array {
            Some(Json::Array(items))
        } else {
            items.into_iter().next()
        }
    };
    for (key, present, items) in [
        (name, has_values, values),
        (companion.as_str(), has_extensions, extensions),
    ] {
        match shape(items).filter(|_| present) {
            Some(json) => {
                object.insert(key.to_string(), json);
            }
            None => {
                object.shift_remove(key);
            }
        }
    }
}

/// The value at `steps` from `root`.
pub(super) fn value_at<'j>(root: &'j Json, steps: &[Step]) -> Option<&'j Json> {
    steps.iter().try_fold(root, |value, step| match step {
        Step::Key(key) => value.get(key),
        Step::Index(index) => value.get(index),
    })
}

/// The object at `steps` from `root`, to change.
pub(super) fn object_at_mut<'j>(
    root: &'j mut Json,
    steps: &[Step],
) -> Option<&'j mut Map<String, Json>> {
    steps
        .iter()
        .try_fold(root, |value, step| match step {
            Step::Key(key) => value.get_mut(key),
            Step::Index(index) => value.get_mut(index),
        })?
        .as_object_mut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Json) -> Map<String, Json> {
        match value {
            Json::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn primitive_arrays_and_their_companions_stay_aligned() {
        let mut name = object(json!({"given": ["A", null, "C"],
            "_given": [null, {"extension": [{"url": "u"}]}], "family": "F"}));
        let (mut slots, is_array) = take(&name, "given");
        assert!(is_array);
        assert_eq!(slots.len(), 3);
        assert_eq!(slots[1].value, None);
        slots.remove(0);
        slots.insert(2, Slot::value(json!("D")));
        put(&mut name, "given", slots, true);
        assert_eq!(
            Json::Object(name),
            json!({"given": [null, "C", "D"], "_given": [{"extension": [{"url": "u"}]}, null, null],
                "family": "F"})
        );
    }

    #[test]
    fn an_emptied_property_disappears_and_others_keep_their_order() {
        let mut patient = object(json!({"a": 1, "active": true, "_active": {"id": "x"}, "z": 2}));
        let (slots, is_array) = take(&patient, "active");
        assert_eq!(slots.len(), 1);
        assert!(!is_array);
        put(&mut patient, "active", Vec::new(), false);
        let keys: Vec<&String> = patient.keys().collect();
        assert_eq!(keys, ["a", "z"]);
    }
}
