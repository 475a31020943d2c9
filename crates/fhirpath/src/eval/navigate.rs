//! Path navigation over FHIR JSON: element access, choice elements (`value` finds
//! `valueQuantity`), primitive extensions (`_given`), type-name path roots
//! (`Patient.name`) and `children()`.

use std::borrow::Cow;

use serde_json::Value as Json;

use super::Evaluator;
use crate::error::Error;
use crate::model::{is_primitive_type_name, is_subtype_of};
use crate::value::{Collection, Node, Value};

/// `valueQuantity` -> `Quantity`, `valueString` -> `string` (for JSON primitives).
fn suffix_type_name(suffix: &str, json: &Json) -> String {
    if json.is_object()
        || json
            .as_array()
            .is_some_and(|a| a.iter().any(Json::is_object))
    {
        return suffix.to_string();
    }
    let mut chars = suffix.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

fn capitalized(type_name: &str) -> String {
    let mut chars = type_name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Turns one JSON property (and its `_name` companion) into nodes of `type_name`.
fn expand<'a>(
    value: Option<&'a Json>,
    extension: Option<&'a Json>,
    type_name: Option<Cow<'a, str>>,
    out: &mut Collection<'a>,
) {
    let make = |json: Option<&'a Json>, ext: Option<&'a Json>| {
        let json = json.filter(|j| !j.is_null());
        let ext = ext.filter(|e| !e.is_null());
        if json.is_none() && ext.is_none() {
            return None;
        }
        // Contained and Bundle resources are typed by their own resourceType.
        let type_name = match json
            .and_then(|j| j.get("resourceType"))
            .and_then(Json::as_str)
        {
            Some(resource_type) => Some(Cow::Borrowed(resource_type)),
            None => type_name.clone(),
        };
        Some(Value::Node(Node {
            json,
            primitive_extension: ext,
            type_name,
        }))
    };
    match (value, extension) {
        (Some(Json::Array(values)), ext) => {
            let exts = ext.and_then(Json::as_array);
            for (i, v) in values.iter().enumerate() {
                out.extend(make(Some(v), exts.and_then(|e| e.get(i))));
            }
        }
        (None, Some(Json::Array(exts))) => {
            for e in exts {
                out.extend(make(None, Some(e)));
            }
        }
        (value, ext) => out.extend(make(value, ext)),
    }
}

impl<'a> Evaluator<'_, 'a> {
    /// A name at the start of a path: the focus itself when the name is its type
    /// (`Patient` on a Patient), otherwise the focus's elements of that name.
    pub(super) fn identifier(
        &self,
        focus: &Collection<'a>,
        name: &str,
    ) -> Result<Collection<'a>, Error> {
        if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            let mut out = Vec::new();
            for item in focus {
                if let Value::Node(node) = item
                    && let Some(type_name) = node.type_name()
                    && (type_name == name
                        || is_subtype_of(self.ctx.model, type_name, name)
                        || is_resource_root(node, name))
                {
                    out.push(item.clone());
                    continue;
                }
                let children = self.member(item, name)?;
                if children.is_empty() && self.ctx.strict && item.as_node().is_some() {
                    return Err(Error::UnknownElement {
                        type_name: item
                            .as_node()
                            .and_then(Node::type_name)
                            .unwrap_or("the input")
                            .to_string(),
                        element: name.to_string(),
                    });
                }
                out.extend(children);
            }
            return Ok(out);
        }
        let mut out = Vec::new();
        for item in focus {
            out.extend(self.member(item, name)?);
        }
        Ok(out)
    }

    /// The elements called `name` of one item.
    pub(crate) fn member(&self, item: &Value<'a>, name: &str) -> Result<Collection<'a>, Error> {
        let node = match item {
            Value::Node(node) => node,
            Value::TypeInfo {
                namespace,
                name: type_name,
            } => {
                return Ok(match name {
                    "namespace" => vec![Value::String(namespace.clone())],
                    "name" => vec![Value::String(type_name.clone())],
                    _ => Vec::new(),
                });
            }
            _ => return Ok(Vec::new()),
        };
        let Some(Json::Object(object)) = node.json else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let owner = node.type_name();
        let declared = owner.and_then(|o| self.ctx.model.element_types(o, name));
        if let Some(declared) = declared {
            if declared.is_choice {
                for type_name in declared.types {
                    let key = format!("{name}{}", capitalized(type_name));
                    let value = object.get(&key);
                    let ext = object.get(&format!("_{key}"));
                    if value.is_some() || ext.is_some() {
                        expand(value, ext, Some(Cow::Borrowed(type_name)), &mut out);
                    }
                }
            } else {
                let type_name = declared.types.first().map(|t| Cow::Borrowed(*t));
                expand(
                    object.get(name),
                    object.get(&format!("_{name}")),
                    type_name,
                    &mut out,
                );
            }
            return Ok(out);
        }
        if self.ctx.strict
            && let Some(owner) = owner
            && self.ctx.model.has_type(owner)
        {
            return Err(Error::UnknownElement {
                type_name: owner.to_string(),
                element: name.to_string(),
            });
        }
        // The model does not know this element, or there is no model: outside strict
        // mode take the JSON as it is, so data the model lacks stays reachable. A
        // choice element is recognised by its type suffix (`valueQuantity`); without a
        // model an element that merely starts with the name (`valueSet`) would match
        // too, which is why callers that can should supply a model.
        let value = object.get(name);
        let ext = object.get(&format!("_{name}"));
        if value.is_some() || ext.is_some() {
            expand(value, ext, None, &mut out);
            return Ok(out);
        }
        for (key, value) in object {
            if let Some(suffix) = key.strip_prefix(name)
                && suffix.starts_with(|c: char| c.is_ascii_uppercase())
            {
                let type_name = suffix_type_name(suffix, value);
                let ext = object.get(&format!("_{key}"));
                expand(Some(value), ext, Some(Cow::Owned(type_name)), &mut out);
            }
        }
        Ok(out)
    }

    /// `children()`: every element of an item, in document order.
    pub(crate) fn children_of(&self, item: &Value<'a>) -> Collection<'a> {
        let Value::Node(node) = item else {
            return Vec::new();
        };
        // A primitive's children are the `id` and `extension` of its `_name` object.
        let object = match (node.json, node.primitive_extension) {
            (Some(Json::Object(object)), _) => object,
            (_, Some(Json::Object(object))) => object,
            _ => return Vec::new(),
        };
        let owner = if node.is_complex() {
            node.type_name()
        } else {
            Some("Element")
        };
        let mut out = Vec::new();
        for (key, value) in object {
            if key == "resourceType" {
                continue;
            }
            if let Some(base) = key.strip_prefix('_') {
                // Extensions of a primitive whose value is absent still count.
                if !object.contains_key(base) {
                    expand(None, Some(value), None, &mut out);
                }
                continue;
            }
            let type_name = owner.and_then(|owner| self.child_type(owner, key));
            expand(
                Some(value),
                object.get(&format!("_{key}")),
                type_name,
                &mut out,
            );
        }
        out
    }

    /// The type of JSON property `key` of `owner`, including choice suffixes.
    fn child_type(&self, owner: &str, key: &str) -> Option<Cow<'a, str>> {
        let model = self.ctx.model;
        if let Some(declared) = model.element_types(owner, key)
            && !declared.is_choice
        {
            return declared.types.first().map(|t| Cow::Owned(t.to_string()));
        }
        let split = key
            .char_indices()
            .filter(|(_, c)| c.is_ascii_uppercase())
            .map(|(i, _)| i);
        for at in split {
            let (base, suffix) = key.split_at(at);
            if let Some(declared) = model.element_types(owner, base)
                && declared.is_choice
            {
                return declared
                    .types
                    .iter()
                    .find(|t| capitalized(t) == suffix)
                    .map(|t| Cow::Owned(t.to_string()));
            }
        }
        None
    }
}

/// `Resource.id` matches any resource even without a model (R4's search parameters
/// on `Resource` are written that way).
fn is_resource_root(node: &Node<'_>, name: &str) -> bool {
    let is_resource = node.json.and_then(|j| j.get("resourceType")).is_some();
    match name {
        "Resource" => is_resource,
        // Bundle, Binary and Parameters are the R4 resources that are not DomainResources.
        "DomainResource" => {
            is_resource && !matches!(node.type_name(), Some("Bundle" | "Binary" | "Parameters"))
        }
        _ => false,
    }
}

/// Whether a node's FHIR type is a primitive (JSON scalar) type.
pub(crate) fn is_primitive_node(node: &Node<'_>) -> bool {
    match node.type_name() {
        Some(type_name) => is_primitive_type_name(type_name),
        None => !node.is_complex(),
    }
}
