//! Where an evaluated element sits in the JSON it came from: [`Locator`] and
//! [`Location`].
//!
//! Evaluation answers with nodes that borrow the input JSON, never copies, so a
//! node's address identifies its place in the document. [`Locator`] indexes every
//! value of a document by address once and then turns any node of an evaluation
//! over that document into a [`Location`]: the parent object, the property name
//! and the position in the property's array. This is what a writer needs to change
//! the document at what an expression selects (FHIRPath Patch does exactly that),
//! without the engine knowing anything about writing.
//!
//! A primitive that has only extensions (`"_given": [{...}]` with no value) has no
//! value to point at; it is located through its `_name` companion and reported
//! under the plain name, so both halves of the element can be changed together.
//! Nodes not borrowed from the indexed document (a variable bound to other JSON,
//! a computed System value) have no location.

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::value::Node;

/// One step from a JSON value to one of its children.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// An object's property.
    Key(String),
    /// An array's item.
    Index(usize),
}

/// The place of one element in the document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// The document itself (the resource being evaluated).
    Root,
    /// The value of property `name` of the object reached by `parent`, or its
    /// `index`th item when the property is an array.
    Element {
        parent: Vec<Step>,
        name: String,
        index: Option<usize>,
    },
}

impl Location {
    /// The steps from the root to the element itself (for a primitive that has only
    /// extensions, to where its value would be).
    pub fn steps(&self) -> Vec<Step> {
        match self {
            Location::Root => Vec::new(),
            Location::Element {
                parent,
                name,
                index,
            } => {
                let mut steps = parent.clone();
                steps.push(Step::Key(name.clone()));
                steps.extend(index.map(Step::Index));
                steps
            }
        }
    }

    /// FHIRPath-style text for messages: `Patient.name[0].given[1]`, with `root`
    /// (e.g. the resource type) as the first segment.
    pub fn describe(&self, root: &str) -> String {
        let mut text = root.to_string();
        for step in self.steps() {
            match step {
                Step::Key(key) => {
                    text.push('.');
                    text.push_str(&key);
                }
                Step::Index(index) => text.push_str(&format!("[{index}]")),
            }
        }
        text
    }
}

/// An index of one JSON document by the address of each of its values.
pub struct Locator<'a> {
    root: &'a Json,
    /// Each value's parent and the step from the parent to it.
    parents: HashMap<*const Json, (*const Json, Step)>,
}

impl<'a> Locator<'a> {
    /// Indexes `root` (one walk over the document).
    pub fn new(root: &'a Json) -> Locator<'a> {
        let mut parents = HashMap::new();
        // An explicit stack: documents nest as deep as their sender likes.
        let mut pending = vec![root];
        while let Some(value) = pending.pop() {
            let parent: *const Json = value;
            match value {
                Json::Object(map) => {
                    for (key, child) in map {
                        parents.insert(child as *const Json, (parent, Step::Key(key.clone())));
                        pending.push(child);
                    }
                }
                Json::Array(items) => {
                    for (index, child) in items.iter().enumerate() {
                        parents.insert(child as *const Json, (parent, Step::Index(index)));
                        pending.push(child);
                    }
                }
                _ => {}
            }
        }
        Locator { root, parents }
    }

    /// Where `node` sits; `None` when it is not part of the indexed document.
    pub fn locate(&self, node: &Node<'_>) -> Option<Location> {
        let (target, companion) = match (node.json, node.primitive_extension) {
            (Some(json), _) => (json, false),
            (None, Some(extension)) => (extension, true),
            (None, None) => return None,
        };
        if std::ptr::eq(target, self.root) {
            return (!companion).then_some(Location::Root);
        }
        let mut steps = Vec::new();
        let mut current: *const Json = target;
        while !std::ptr::eq(current, self.root) {
            let (parent, step) = self.parents.get(&current)?;
            steps.push(step.clone());
            current = *parent;
        }
        steps.reverse();
        let index = match steps.last() {
            Some(Step::Index(index)) => {
                let index = *index;
                steps.pop();
                Some(index)
            }
            _ => None,
        };
        let Some(Step::Key(key)) = steps.pop() else {
            return None;
        };
        let name = if companion {
            key.strip_prefix('_')?.to_string()
        } else {
            key
        };
        Some(Location::Element {
            parent: steps,
            name,
            index,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EvaluationContext, Expression};
    use serde_json::json;

    fn locations(resource: &Json, expression: &str) -> Vec<Option<Location>> {
        let ctx = EvaluationContext::new().with_resource(resource);
        let result = Expression::parse(expression)
            .and_then(|e| e.evaluate(&ctx))
            .unwrap();
        let locator = Locator::new(resource);
        result
            .iter()
            .map(|item| item.as_node().and_then(|node| locator.locate(node)))
            .collect()
    }

    fn element(parent: &[Step], name: &str, index: Option<usize>) -> Option<Location> {
        Some(Location::Element {
            parent: parent.to_vec(),
            name: name.into(),
            index,
        })
    }

    #[test]
    fn locates_properties_items_and_the_root() {
        let patient = json!({"resourceType": "Patient", "active": true,
            "name": [{"given": ["A", "B"]}, {"family": "F"}]});
        assert_eq!(locations(&patient, "Patient"), vec![Some(Location::Root)]);
        assert_eq!(
            locations(&patient, "active"),
            vec![element(&[], "active", None)]
        );
        let name0 = [Step::Key("name".into()), Step::Index(0)];
        assert_eq!(
            locations(&patient, "name.given"),
            vec![
                element(&name0, "given", Some(0)),
                element(&name0, "given", Some(1))
            ]
        );
        let family = locations(&patient, "name.family");
        assert_eq!(
            family[0].as_ref().unwrap().describe("Patient"),
            "Patient.name[1].family"
        );
    }

    #[test]
    fn a_primitive_with_only_extensions_is_located_under_its_plain_name() {
        let patient = json!({"resourceType": "Patient", "name": [{
            "given": [null, "B"],
            "_given": [{"extension": [{"url": "u", "valueString": "x"}]}, null]}]});
        let name0 = [Step::Key("name".into()), Step::Index(0)];
        assert_eq!(
            locations(&patient, "name.given"),
            vec![
                element(&name0, "given", Some(0)),
                element(&name0, "given", Some(1))
            ]
        );
    }

    #[test]
    fn computed_values_and_other_documents_have_no_location() {
        let patient = json!({"resourceType": "Patient", "active": true});
        let other = json!({"resourceType": "Patient", "active": false});
        let ctx = EvaluationContext::new().with_resource(&other);
        let result = Expression::parse("active")
            .and_then(|e| e.evaluate(&ctx))
            .unwrap();
        let locator = Locator::new(&patient);
        assert_eq!(locator.locate(result[0].as_node().unwrap()), None);
        assert_eq!(locations(&patient, "active.not()"), vec![None]);
    }
}
