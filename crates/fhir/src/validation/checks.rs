//! Checks that look at a value's meaning rather than its shape: reference syntax and target
//! types, `#id` references to contained resources, required-binding codes, and the
//! value-or-children rule of extensions.

use super::{Validator, codes, shown};
use crate::definitions::TypeDef;
use crate::reference::ReferenceTarget;
use serde_json::{Map, Value};

impl<'v> Validator<'_, 'v> {
    /// `Reference.reference`: syntax, a known resource type, a target type the element allows,
    /// and `#id` matching a contained resource of the enclosing resource.
    pub(super) fn check_reference(
        &mut self,
        reference: &'v Map<String, Value>,
        targets: Option<&[Box<str>]>,
    ) {
        let Some(Value::String(text)) = reference.get("reference") else {
            return;
        };
        self.at("reference", |v| match ReferenceTarget::parse(text) {
            None => v.report(
                codes::BAD_REFERENCE,
                format!(
                    "'{}' is not a reference (expected Type/id, Type/id/_history/vid, an absolute \
                     URL, urn:uuid:, urn:oid: or #id)",
                    shown(text)
                ),
            ),
            Some(
                ReferenceTarget::Local { resource_type, .. }
                | ReferenceTarget::Conditional { resource_type, .. },
            ) => {
                if v.definitions.is_resource_type(&resource_type) {
                    v.check_target_type(&resource_type, targets);
                } else {
                    v.report(
                        codes::BAD_REFERENCE,
                        format!("'{}' does not name an R4 resource type", shown(text)),
                    );
                }
            }
            Some(ReferenceTarget::Contained(_)) => {
                // `text` is `#` + id; borrowed from the input so the scope can keep it.
                let id = &text[1..];
                v.note_local_reference(id);
                let resolved =
                    id.is_empty() || v.scopes.last().is_some_and(|s| s.has_contained(id));
                if !resolved {
                    v.report(
                        codes::UNRESOLVED_CONTAINED_REFERENCE,
                        format!("no contained resource has id '{}'", shown(id)),
                    );
                }
            }
            Some(ReferenceTarget::External(_)) => {
                // A RESTful absolute URL ends in Type/id (or Type/id/_history/vid); its type
                // is checked like a relative one. Other URLs and URNs say nothing about type.
                if let Some(resource_type) = restful_url_type(text)
                    && v.definitions.is_resource_type(resource_type)
                {
                    v.check_target_type(resource_type, targets);
                }
            }
        });
    }

    /// Warns when `resource_type` is not among the element's allowed `targets`.
    fn check_target_type(&mut self, resource_type: &str, targets: Option<&[Box<str>]>) {
        if let Some(targets) = targets
            && !targets.iter().any(|t| **t == *resource_type)
        {
            let allowed: Vec<&str> = targets.iter().map(|t| &**t).collect();
            self.report(
                codes::WRONG_REFERENCE_TARGET,
                format!(
                    "a reference to {resource_type} is not allowed here (allowed: {})",
                    allowed.join(", ")
                ),
            );
        }
    }

    /// A `code` element with a required binding.
    pub(super) fn check_code(&mut self, value_set: u32, code: &str) {
        if !self.definitions.value_set_contains(value_set, None, code) {
            let url = self.definitions.value_set_url(value_set);
            self.report(
                codes::CODE_NOT_IN_VALUE_SET,
                format!(
                    "'{}' is not a code of the required value set {url}",
                    shown(code)
                ),
            );
        }
    }

    /// A `Coding` with a required binding: its system and code must be in the value set.
    pub(super) fn check_coding(&mut self, coding: &Map<String, Value>, value_set: u32) {
        let Some(code) = coding.get("code").and_then(Value::as_str) else {
            return;
        };
        let system = coding.get("system").and_then(Value::as_str);
        if !self.definitions.value_set_contains(value_set, system, code) {
            let url = self.definitions.value_set_url(value_set);
            self.report(
                codes::CODE_NOT_IN_VALUE_SET,
                format!(
                    "{}|{} is not in the required value set {url}",
                    system.unwrap_or(""),
                    shown(code)
                ),
            );
        }
    }

    /// A `CodeableConcept` with a required binding: when it is coded, one of its codings must
    /// be from the value set (a text-only concept carries no code to check).
    pub(super) fn check_codeable_concept(&mut self, concept: &Map<String, Value>, value_set: u32) {
        let Some(codings) = concept.get("coding").and_then(Value::as_array) else {
            return;
        };
        let mut coded = false;
        for coding in codings {
            let Some(code) = coding.get("code").and_then(Value::as_str) else {
                continue;
            };
            coded = true;
            let system = coding.get("system").and_then(Value::as_str);
            if self.definitions.value_set_contains(value_set, system, code) {
                return;
            }
        }
        if coded {
            let url = self.definitions.value_set_url(value_set);
            self.report(
                codes::CODE_NOT_IN_VALUE_SET,
                format!("no coding is from the required value set {url}"),
            );
        }
    }

    /// ext-1: an extension has either a value or nested extensions, not both and not neither.
    /// Only known `value[x]` variants count as a value (an unknown `valueText` is reported as
    /// an unknown element, and is no value).
    pub(super) fn check_extension_content(
        &mut self,
        extension: &Map<String, Value>,
        definition: &TypeDef,
    ) {
        let has_value = extension.keys().any(|key| {
            definition
                .lookup(key.strip_prefix('_').unwrap_or(key))
                .is_some_and(|(element, _)| element.is_choice)
        });
        let has_children = extension.contains_key("extension");
        if has_value == has_children {
            let problem = if has_value {
                "both a value and extensions"
            } else {
                "neither a value nor extensions"
            };
            self.report(
                codes::EXTENSION_VALUE_AND_CHILDREN,
                format!(
                    "an extension must have either a value or extensions, but this one has {problem} (ext-1)"
                ),
            );
        }
    }
}

/// The resource type of an http(s) URL of the form `.../Type/id` or
/// `.../Type/id/_history/vid`, if it has that form.
fn restful_url_type(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let mut segments: Vec<&str> = rest.split('/').skip(1).collect();
    if segments.len() >= 4 && segments[segments.len() - 2] == "_history" {
        segments.truncate(segments.len() - 2);
    }
    let [.., resource_type, id] = segments.as_slice() else {
        return None;
    };
    let looks_like_type = resource_type.starts_with(|c: char| c.is_ascii_uppercase());
    (looks_like_type && !id.is_empty() && !id.contains(['?', '#'])).then_some(*resource_type)
}
