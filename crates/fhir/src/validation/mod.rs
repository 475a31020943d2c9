//! Structural validation of a resource against the R4 definitions: known resource type, known
//! elements, cardinality, JSON representation rules, primitive formats, choice types, contained
//! resources, reference syntax and targets, and required bindings.
//!
//! The validator walks the JSON once, looking every property up by its JSON name in the type's
//! element map; it keeps one path buffer and builds an [`Issue`] only when something is wrong,
//! so a valid resource costs a few hash lookups per element. Every problem is one issue with a
//! stable code from [`codes`] and a FHIRPath location (`Observation.component[1].code`).

mod bundle;
mod checks;
pub mod codes;
mod contained;
mod primitives;
mod xhtml;

use crate::definitions::{ElementDef, ElementType, Primitive, Special, TypeDef, TypeId, TypeKind};
use crate::{Definitions, Issue};
use codes::Rule;
use primitives::PrimitiveError;
use serde_json::{Map, Value};

/// How many JSON objects deep a resource may nest before validation stops with an issue. Real
/// resources stay far below this (a deep Questionnaire reaches ~20); the limit bounds stack use
/// on hostile input.
pub const MAX_NESTING_DEPTH: usize = 64;

/// How many problems are reported before validation stops (with one more issue saying so):
/// a hostile resource with a million bad values must not become a million issues.
pub const MAX_ISSUES: usize = 200;

impl Definitions {
    /// Validates `resource` and returns every problem found (empty when valid).
    pub fn validate(&self, resource: &Value) -> Vec<Issue> {
        let mut validator = Validator {
            definitions: self,
            issues: Vec::new(),
            path: String::with_capacity(96),
            scopes: Vec::new(),
        };
        validator.resource(resource, Nesting::Root, 0);
        validator.issues
    }
}

/// Where a resource sits, which decides its rules and its `#id` scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nesting {
    /// The resource being validated.
    Root,
    /// In `contained`: shares its container's `#id` scope and may not contain resources.
    Contained,
    /// A resource inside a resource (`Bundle.entry.resource`, `Parameters.parameter.resource`).
    Inline,
}

struct Validator<'d, 'v> {
    definitions: &'d Definitions,
    issues: Vec<Issue>,
    /// FHIRPath location of the value being checked.
    path: String,
    /// The contained resources of each enclosing resource and the `#id` references to them,
    /// innermost last.
    scopes: Vec<contained::Scope<'v>>,
}

/// Shortens a value for a message so an issue never echoes a huge payload.
fn shown(text: &str) -> String {
    const LIMIT: usize = 80;
    match text.char_indices().nth(LIMIT) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

impl<'d, 'v> Validator<'d, 'v> {
    fn report(&mut self, rule: Rule, message: impl Into<String>) {
        if self.issues.len() >= MAX_ISSUES {
            if self.issues.len() == MAX_ISSUES {
                self.issues.push(
                    Issue::error(
                        codes::TOO_MANY_ISSUES.issue_type,
                        format!("more than {MAX_ISSUES} problems; validation stopped here"),
                    )
                    .with_tessera_code(codes::TOO_MANY_ISSUES.code),
                );
            }
            return;
        }
        let mut issue = Issue::error(rule.issue_type, message)
            .with_tessera_code(rule.code)
            .with_severity(rule.severity);
        if !self.path.is_empty() {
            issue = issue.at(self.path.clone());
        }
        self.issues.push(issue);
    }

    /// Runs `check` with `.segment` appended to the path.
    fn at<R>(&mut self, segment: &str, check: impl FnOnce(&mut Self) -> R) -> R {
        let length = self.path.len();
        self.path.push('.');
        self.path.push_str(segment);
        let result = check(self);
        self.path.truncate(length);
        result
    }

    /// Runs `check` with `[index]` appended to the path.
    fn at_index<R>(&mut self, index: usize, check: impl FnOnce(&mut Self) -> R) -> R {
        use std::fmt::Write;
        let length = self.path.len();
        let _ = write!(self.path, "[{index}]");
        let result = check(self);
        self.path.truncate(length);
        result
    }

    fn resource(&mut self, value: &'v Value, nesting: Nesting, depth: usize) {
        let Some(object) = value.as_object() else {
            self.report(codes::NOT_AN_OBJECT, "a resource must be a JSON object");
            return;
        };
        let resource_type = match object.get("resourceType") {
            Some(Value::String(name)) => name.as_str(),
            Some(_) => {
                self.report(codes::WRONG_JSON_TYPE, "resourceType must be a string");
                return;
            }
            None => {
                self.report(
                    codes::MISSING_RESOURCE_TYPE,
                    "the resource has no resourceType",
                );
                return;
            }
        };
        let Some(type_id) = self.definitions.resource_type_id(resource_type) else {
            self.report(
                codes::UNKNOWN_RESOURCE_TYPE,
                format!("'{}' is not an R4 resource type", shown(resource_type)),
            );
            return;
        };
        let is_root = self.path.is_empty();
        if is_root {
            self.path.push_str(resource_type);
        }
        let own_scope = nesting != Nesting::Contained;
        let mut previous_contained = None;
        if own_scope {
            self.scopes.push(contained::Scope::of(object));
        } else {
            previous_contained = self.enter_contained(value, object);
            if object.contains_key("contained") {
                self.at("contained", |v| {
                    v.report(
                        codes::NESTED_CONTAINED,
                        "a contained resource must not itself contain resources (dom-2)",
                    )
                });
            }
        }
        self.object(object, type_id, depth);
        if resource_type == "Bundle" {
            self.check_bundle(object);
        }
        if own_scope {
            self.close_scope();
        } else {
            self.leave_contained(previous_contained);
        }
        if is_root {
            self.path.clear();
        }
    }

    fn object(&mut self, object: &'v Map<String, Value>, type_id: TypeId, depth: usize) {
        if self.issues.len() > MAX_ISSUES {
            return;
        }
        if depth > MAX_NESTING_DEPTH {
            self.report(
                codes::TOO_DEEP,
                format!("nesting deeper than {MAX_NESTING_DEPTH} levels is not validated"),
            );
            return;
        }
        let definitions: &'d Definitions = self.definitions;
        let definition = definitions.type_def(type_id);
        if object.is_empty() {
            self.report(codes::EMPTY, "an element must not be an empty object");
            return;
        }
        // (choice element, JSON name of the variant seen first)
        let mut choices_seen: Vec<(&'d ElementDef, &'v str)> = Vec::new();
        for (key, value) in object {
            if let Some(base) = key.strip_prefix('_') {
                if let Some((element, _)) = definition.lookup(base)
                    && element.is_choice
                    && !object.contains_key(base)
                {
                    self.note_choice(&mut choices_seen, element, key);
                }
                self.primitive_extension(object, definition.lookup(base), key, base, value, depth);
                continue;
            }
            if key == "resourceType" && definition.kind == TypeKind::Resource {
                continue;
            }
            let Some((element, element_type)) = definition.lookup(key) else {
                self.unknown_element(definition, key);
                continue;
            };
            if element.is_choice {
                self.note_choice(&mut choices_seen, element, key);
            }
            self.element(object, element, element_type, key, value, depth);
        }
        for &index in &definition.required {
            let element = &definition.elements[index as usize];
            let present = element.types.iter().any(|t| {
                object.contains_key(&*t.json_name) || object.contains_key(&*t.extension_json_name)
            });
            if !present {
                self.at(&element.name, |v| {
                    v.report(
                        codes::MISSING_REQUIRED,
                        format!(
                            "{} is mandatory (minimum cardinality {})",
                            element.path, element.min
                        ),
                    )
                });
            }
        }
        if definition.special == Some(Special::Extension) {
            self.check_extension_content(object, definition);
        }
    }

    /// Reports a property the type does not define, saying so precisely when it is a choice
    /// element with a type the element does not allow (`valueHumanName`).
    fn unknown_element(&mut self, definition: &TypeDef, key: &str) {
        let choice = definition.elements.iter().find(|element| {
            element.is_choice
                && key
                    .strip_prefix(element.name.trim_end_matches("[x]"))
                    .is_some_and(|suffix| suffix.starts_with(|c: char| c.is_ascii_uppercase()))
        });
        self.at(key, |v| match choice {
            Some(element) => {
                let allowed: Vec<&str> = element
                    .types
                    .iter()
                    .map(|t| &*v.definitions.type_def(t.type_id).name)
                    .collect();
                v.report(
                    codes::CHOICE_TYPE_NOT_ALLOWED,
                    format!(
                        "'{key}' is not an allowed type of {} (allowed: {})",
                        element.path,
                        allowed.join(", ")
                    ),
                )
            }
            None => v.report(
                codes::UNKNOWN_ELEMENT,
                format!("'{key}' is not an element of {}", definition.name),
            ),
        });
    }

    fn note_choice(
        &mut self,
        seen: &mut Vec<(&'d ElementDef, &'v str)>,
        element: &'d ElementDef,
        key: &'v str,
    ) {
        let base = key.trim_start_matches('_');
        match seen.iter().find(|(e, _)| std::ptr::eq(*e, element)) {
            Some((_, first)) if first.trim_start_matches('_') != base => {
                let first = *first;
                self.at(base, |v| {
                    v.report(
                        codes::MULTIPLE_CHOICES,
                        format!(
                            "{} allows one type, but both {first} and {base} are present",
                            element.path
                        ),
                    )
                });
            }
            Some(_) => {}
            None => seen.push((element, key)),
        }
    }

    fn element(
        &mut self,
        parent: &'v Map<String, Value>,
        element: &ElementDef,
        element_type: &ElementType,
        key: &str,
        value: &'v Value,
        depth: usize,
    ) {
        self.at(key, |v| match value {
            Value::Array(items) => {
                if !element.is_repeating() {
                    v.report(
                        codes::TOO_MANY,
                        format!("{} allows at most one value, not an array", element.path),
                    );
                    return;
                }
                if items.is_empty() {
                    v.report(codes::EMPTY, "an array must not be empty");
                    return;
                }
                if let Some(max) = element.max
                    && items.len() > max as usize
                {
                    v.report(
                        codes::TOO_MANY,
                        format!("{} allows at most {max} values, found {}", element.path, items.len()),
                    );
                }
                if items.len() < element.min as usize {
                    v.report(
                        codes::TOO_FEW,
                        format!("{} needs at least {} values, found {}", element.path, element.min, items.len()),
                    );
                }
                let extensions = parent
                    .get(&*element_type.extension_json_name)
                    .and_then(Value::as_array);
                for (index, item) in items.iter().enumerate() {
                    v.at_index(index, |v| {
                        if item.is_null() {
                            let has_extension =
                                extensions.and_then(|e| e.get(index)).is_some_and(Value::is_object);
                            if !has_extension {
                                v.report(
                                    codes::MISPLACED_NULL,
                                    format!("null is only allowed where _{key} has an entry at the same index"),
                                );
                            }
                        } else {
                            v.value(item, element, element_type, depth);
                        }
                    });
                }
            }
            Value::Null => v.report(codes::MISPLACED_NULL, "null is only allowed inside arrays"),
            _ if element.is_repeating() => v.report(
                codes::NOT_AN_ARRAY,
                format!("{} repeats, so its value must be a JSON array", element.path),
            ),
            _ => v.value(value, element, element_type, depth),
        });
    }

    fn value(
        &mut self,
        value: &'v Value,
        element: &ElementDef,
        element_type: &ElementType,
        depth: usize,
    ) {
        let definition = self.definitions.type_def(element_type.type_id);
        match definition.kind {
            TypeKind::Primitive(primitive) => match primitives::check(primitive, value) {
                Ok(()) => {
                    if let (Some(value_set), Some(code)) = (element.binding, value.as_str()) {
                        self.check_code(value_set, code);
                    }
                    if primitive == Primitive::Xhtml
                        && let Some(Err(problem)) = value.as_str().map(xhtml::check_narrative)
                    {
                        self.report(codes::UNSAFE_NARRATIVE, format!("{problem} (txt-1)"));
                    }
                    // A canonical or uri `#id` refers to a contained resource (dom-3 counts it).
                    if matches!(
                        primitive,
                        Primitive::Uri | Primitive::Url | Primitive::Canonical
                    ) && let Some(id) = value.as_str().and_then(|t| t.strip_prefix('#'))
                    {
                        self.note_local_reference(id);
                    }
                }
                Err(PrimitiveError::WrongJsonType(expected)) => self.report(
                    codes::WRONG_JSON_TYPE,
                    format!(
                        "{} must be a JSON {expected} ({})",
                        element.path, definition.name
                    ),
                ),
                Err(PrimitiveError::Empty) => {
                    self.report(codes::EMPTY, "a string must not be empty")
                }
                Err(PrimitiveError::Format(expected)) => {
                    let text = match value {
                        Value::String(text) => shown(text),
                        other => shown(&other.to_string()),
                    };
                    self.report(codes::BAD_PRIMITIVE, format!("'{text}' is not {expected}"));
                }
            },
            TypeKind::AnyResource => {
                let nesting = if &*element.name == "contained" {
                    Nesting::Contained
                } else {
                    Nesting::Inline
                };
                self.resource(value, nesting, depth + 1);
            }
            TypeKind::Complex | TypeKind::Backbone | TypeKind::Resource => {
                let Some(object) = value.as_object() else {
                    self.report(
                        codes::WRONG_JSON_TYPE,
                        format!(
                            "{} must be a JSON object ({})",
                            element.path, definition.name
                        ),
                    );
                    return;
                };
                self.object(object, element_type.type_id, depth + 1);
                match (definition.special, element.binding) {
                    (Some(Special::Reference), _) => {
                        self.check_reference(object, element_type.targets.as_deref())
                    }
                    (Some(Special::Coding), Some(value_set)) => {
                        self.check_coding(object, value_set)
                    }
                    (Some(Special::CodeableConcept), Some(value_set)) => {
                        self.check_codeable_concept(object, value_set)
                    }
                    _ => {}
                }
            }
        }
    }

    /// `_name`: the id and extensions of primitive `name`, an object (or, for a repeating
    /// element, an array aligned index by index with the values).
    fn primitive_extension(
        &mut self,
        parent: &'v Map<String, Value>,
        found: Option<(&ElementDef, &ElementType)>,
        key: &str,
        base: &str,
        value: &'v Value,
        depth: usize,
    ) {
        let primitive = found.filter(|(_, t)| {
            matches!(
                self.definitions.type_def(t.type_id).kind,
                TypeKind::Primitive(_)
            )
        });
        let Some((element, element_type)) = primitive else {
            self.at(key, |v| {
                v.report(
                    codes::UNKNOWN_ELEMENT,
                    format!("'{key}' does not name a primitive element"),
                )
            });
            return;
        };
        if element.is_attribute {
            self.at(key, |v| {
                v.report(
                    codes::ATTRIBUTE_EXTENSION,
                    format!("'{base}' is a plain property and cannot have extensions ('{key}')"),
                )
            });
            return;
        }
        let values = parent.get(base);
        self.at(base, |v| {
            if !element.is_repeating() {
                match value {
                    Value::Object(object) => v.object(object, element_type.type_id, depth + 1),
                    _ => v.report(
                        codes::BAD_PRIMITIVE_EXTENSION,
                        format!("{key} must be an object with id and/or extension"),
                    ),
                }
                return;
            }
            let Value::Array(items) = value else {
                v.report(
                    codes::BAD_PRIMITIVE_EXTENSION,
                    format!("{key} must be an array aligned with {base}"),
                );
                return;
            };
            if items.is_empty() {
                v.report(codes::EMPTY, "an array must not be empty");
                return;
            }
            let values = values.and_then(Value::as_array);
            if let Some(values) = values
                && values.len() != items.len()
            {
                v.report(
                    codes::BAD_PRIMITIVE_EXTENSION,
                    format!(
                        "{key} has {} entries but {base} has {}",
                        items.len(),
                        values.len()
                    ),
                );
            }
            for (index, item) in items.iter().enumerate() {
                v.at_index(index, |v| match item {
                    Value::Object(object) => v.object(object, element_type.type_id, depth + 1),
                    Value::Null => {
                        let has_value = values
                            .and_then(|values| values.get(index))
                            .is_some_and(|value| !value.is_null());
                        if !has_value {
                            v.report(
                                codes::MISPLACED_NULL,
                                format!("{key} is null where {base} has no value either"),
                            );
                        }
                    }
                    _ => v.report(
                        codes::BAD_PRIMITIVE_EXTENSION,
                        format!(
                            "entries of {key} must be objects with id and/or extension, or null"
                        ),
                    ),
                });
            }
        });
    }
}

#[cfg(test)]
mod tests;
