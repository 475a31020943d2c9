//! FHIR-specific and environment functions: `extension`, `hasValue`, `getValue`,
//! `resolve`, `conformsTo`, and the clock functions `now`, `today`, `timeOfDay`
//! (which read the caller-supplied instant, never the system clock).
//!
//! Functions that need knowledge this crate must not have (`memberOf` and
//! `subsumes` need terminology, `htmlChecks` the narrative rules) are not built in:
//! the caller supplies them with `EvaluationContext::with_function`.

use std::borrow::Cow;

use serde_json::Value as Json;

use super::Call;
use crate::error::Error;
use crate::model::is_subtype_of;
use crate::temporal::{Precision, Time};
use crate::value::{Collection, Node, Value};

const CORE_PROFILE_PREFIX: &str = "http://hl7.org/fhir/StructureDefinition/";

fn extensions_of<'a>(node: &Node<'a>, url: &str, out: &mut Collection<'a>) {
    let holder = if node.is_complex() {
        node.json
    } else {
        node.primitive_extension
    };
    let Some(Json::Array(extensions)) = holder.and_then(|h| h.get("extension")) else {
        return;
    };
    for extension in extensions {
        if extension.get("url").and_then(Json::as_str) == Some(url) {
            out.push(Value::Node(Node {
                json: Some(extension),
                primitive_extension: None,
                type_name: Some(Cow::Borrowed("Extension")),
            }));
        }
    }
}

/// Finds the resource a reference points to: a contained resource (`#id`) of the
/// resource being evaluated, or an entry of the Bundle being evaluated (by `fullUrl`
/// or by `Type/id`).
fn resolve_reference<'a>(call: &Call<'_, '_, 'a>, reference: &str) -> Option<&'a Json> {
    let ctx = call.ev.ctx;
    if let Some(id) = reference.strip_prefix('#') {
        for resource in [ctx.resource, ctx.root_resource].into_iter().flatten() {
            if let Some(Json::Array(contained)) = resource.get("contained")
                && let Some(found) = contained
                    .iter()
                    .find(|c| c.get("id").and_then(Json::as_str) == Some(id))
            {
                return Some(found);
            }
        }
        return None;
    }
    let root = ctx.root()?;
    let Some(Json::Array(entries)) = root.get("entry") else {
        return None;
    };
    // `Patient/123/_history/2` and absolute URLs end with `Type/id[/_history/v]`.
    let path = reference.split("/_history/").next().unwrap_or(reference);
    let mut segments = path.rsplit('/');
    let id = segments.next();
    let resource_type = segments.next();
    entries.iter().find_map(|entry| {
        let resource = entry.get("resource")?;
        if entry.get("fullUrl").and_then(Json::as_str) == Some(reference) {
            return Some(resource);
        }
        let matches = resource.get("resourceType").and_then(Json::as_str) == resource_type
            && resource.get("id").and_then(Json::as_str) == id;
        matches.then_some(resource)
    })
}

/// The resource type a literal reference names (`Patient` in `Patient/1` or
/// `https://x/fhir/Patient/1/_history/2`), if it looks like one.
fn referenced_type(reference: &str) -> Option<&str> {
    let path = reference.split("/_history/").next().unwrap_or(reference);
    let mut segments = path.rsplit('/');
    let _id = segments.next().filter(|id| !id.is_empty())?;
    let resource_type = segments.next()?;
    let looks_like_type = resource_type.starts_with(|c: char| c.is_ascii_uppercase())
        && resource_type.chars().all(|c| c.is_ascii_alphanumeric());
    looks_like_type.then_some(resource_type)
}

pub(super) fn call<'a>(call: &Call<'_, '_, 'a>) -> Result<Option<Collection<'a>>, Error> {
    let input = call.input;
    let ctx = call.ev.ctx;
    Ok(Some(match call.name {
        "extension" => {
            call.arity(1, 1)?;
            let Some(url) = call.string_arg(0)? else {
                return Ok(Some(Vec::new()));
            };
            let mut out = Vec::new();
            for item in input {
                if let Value::Node(node) = item {
                    extensions_of(node, &url, &mut out);
                }
            }
            out
        }
        "hasValue" => {
            call.arity(0, 0)?;
            let has_value = match call.single_input() {
                Ok(Some(Value::Node(node))) => node.json.is_some() && !node.is_complex(),
                Ok(Some(_)) => true,
                _ => false,
            };
            vec![Value::Boolean(has_value)]
        }
        "getValue" => {
            call.arity(0, 0)?;
            match call.single_input()? {
                Some(Value::Node(node)) => node.system_value().into_iter().collect(),
                Some(other) => vec![other.clone()],
                None => Vec::new(),
            }
        }
        "resolve" => {
            call.arity(0, 0)?;
            let mut out = Vec::new();
            for item in input {
                let reference = match item {
                    Value::Node(node) if node.is_complex() => node
                        .json
                        .and_then(|j| j.get("reference"))
                        .and_then(Json::as_str)
                        .map(Cow::Borrowed),
                    other => other.as_string(),
                };
                let Some(reference) = reference else {
                    continue;
                };
                if let Some(found) = resolve_reference(call, &reference) {
                    out.push(Value::Node(Node::resource(found)));
                } else if ctx.reference_placeholders
                    && let Some(type_name) = referenced_type(&reference)
                {
                    out.push(Value::Node(Node {
                        json: None,
                        primitive_extension: None,
                        type_name: Some(Cow::Owned(type_name.to_string())),
                    }));
                }
            }
            out
        }
        "conformsTo" => {
            call.arity(1, 1)?;
            let Some(url) = call.string_arg(0)? else {
                return Ok(Some(Vec::new()));
            };
            let Some(type_name) = url.strip_prefix(CORE_PROFILE_PREFIX) else {
                return Err(Error::Evaluation(format!(
                    "conformsTo() can only check core FHIR types, not {url}"
                )));
            };
            input
                .iter()
                .map(|item| {
                    let conforms = item
                        .as_node()
                        .and_then(Node::type_name)
                        .is_some_and(|t| is_subtype_of(ctx.model, t, type_name));
                    Value::Boolean(conforms)
                })
                .collect()
        }
        "now" | "today" | "timeOfDay" => {
            call.arity(0, 0)?;
            let name = match call.name {
                "now" => "now",
                "today" => "today",
                _ => "timeOfDay",
            };
            let now = ctx.now.ok_or(Error::NoClock(name))?;
            vec![match name {
                "now" => Value::DateTime(now),
                "today" => Value::Date(crate::temporal::DateTime {
                    precision: Precision::Day,
                    offset_minutes: None,
                    ..now
                }),
                _ => Value::Time(Time {
                    hour: now.hour,
                    minute: now.minute,
                    second: now.second,
                    millisecond: now.millisecond,
                    precision: Precision::Millisecond,
                }),
            }]
        }
        _ => return Ok(None),
    }))
}
