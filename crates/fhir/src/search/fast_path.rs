//! A fast path for the search expressions that are plain paths.
//!
//! Most R4 search expressions are a union of plain paths with at most one type
//! filter at the end: `Observation.code`, `(Observation.value as Quantity)`,
//! `Observation.subject.where(resolve() is Patient)`, and component
//! expressions such as `value.as(CodeableConcept)`. Indexing runs on every
//! write, and the general FHIRPath evaluator pays for its generality on each
//! step (choice elements try every allowed type by name). Here such an
//! expression is compiled once into steps and walked straight over the JSON
//! with the definitions' JSON-name tables, which know each choice variant's
//! type. Anything else (functions, operators, indexes) goes to the engine.
//!
//! The two must agree: a test indexes every official R4 example both ways and
//! compares the entries.

use super::registry::split_top_level_union;
use crate::Definitions;
use crate::definitions::{TypeId, TypeKind};
use crate::reference::ReferenceTarget;
use serde_json::Value as Json;

/// An element of the resource being indexed, with its FHIR type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FastNode<'a> {
    pub(crate) json: &'a Json,
    pub(crate) type_id: TypeId,
}

/// A compiled union of plain paths.
#[derive(Debug)]
pub struct FastPath {
    branches: Vec<Branch>,
}

#[derive(Debug)]
struct Branch {
    /// Element names from the input node (the resource, or a composite's
    /// element), without `[x]`.
    steps: Vec<Box<str>>,
    filter: Option<Filter>,
}

#[derive(Debug)]
enum Filter {
    /// `as T`, `.as(T)`, `.ofType(T)`: nodes of type T or a subtype.
    Type(Box<str>),
    /// `.where(resolve() is T)`: References whose target is written as a T
    /// (the engine's reference placeholders answer the same way).
    ResolvesTo(Box<str>),
}

impl FastPath {
    /// Compiles `expression` when every union branch is a plain path. With
    /// `root_type`, each branch starts with that type's name (or `Resource`/
    /// `DomainResource`); without it, branches are relative (`value.as(X)`).
    pub(crate) fn compile(
        expression: &str,
        root_type: Option<&str>,
        definitions: &Definitions,
    ) -> Option<FastPath> {
        let branches = split_top_level_union(expression)?
            .into_iter()
            .map(|branch| compile_branch(branch, root_type, definitions))
            .collect::<Option<Vec<_>>>()?;
        Some(FastPath { branches })
    }

    /// The nodes the expression selects from `input`, in branch order.
    pub(crate) fn evaluate<'a>(
        &self,
        definitions: &Definitions,
        resource: &'a Json,
        input: &[FastNode<'a>],
        out: &mut Vec<FastNode<'a>>,
    ) {
        for branch in &self.branches {
            let mut current: Vec<FastNode<'a>> = input.to_vec();
            for step in &branch.steps {
                let mut next = Vec::new();
                for node in &current {
                    children(definitions, *node, step, &mut next);
                }
                current = next;
                if current.is_empty() {
                    break;
                }
            }
            match &branch.filter {
                None => out.extend(current),
                Some(Filter::Type(wanted)) => out.extend(
                    current
                        .into_iter()
                        .filter(|node| is_of_type(definitions, node.type_id, wanted)),
                ),
                Some(Filter::ResolvesTo(wanted)) => {
                    out.extend(current.into_iter().filter(|node| {
                        reference_target_type(resource, node.json) == Some(wanted.as_ref())
                    }))
                }
            }
        }
    }
}

fn compile_branch(
    branch: &str,
    root_type: Option<&str>,
    definitions: &Definitions,
) -> Option<Branch> {
    let mut text = strip_enclosing_parens(branch.trim());
    let mut filter = None;
    if let Some(head) = text.strip_suffix(')') {
        for (marker, make) in [
            (
                ".where(resolve() is ",
                Filter::ResolvesTo as fn(Box<str>) -> Filter,
            ),
            (".as(", Filter::Type),
            (".ofType(", Filter::Type),
        ] {
            if let Some(position) = head.rfind(marker) {
                let type_name = &head[position + marker.len()..];
                filter = Some(make(type_name.trim().into()));
                text = &head[..position];
                break;
            }
        }
        filter.as_ref()?;
    } else if let Some((path, type_name)) = text.rsplit_once(" as ") {
        filter = Some(Filter::Type(type_name.trim().into()));
        text = path.trim();
    }
    if let Some(Filter::Type(name) | Filter::ResolvesTo(name)) = &filter
        && (!definitions.has_type(name) || !is_identifier(name))
    {
        return None;
    }
    let mut segments = text.split('.');
    if let Some(root) = root_type {
        let first = segments.next()?;
        if first != root && first != "Resource" && first != "DomainResource" {
            return None;
        }
    }
    let steps = segments
        .map(|segment| {
            (is_identifier(segment) && segment.starts_with(|c: char| c.is_ascii_lowercase()))
                .then(|| segment.into())
        })
        .collect::<Option<Vec<Box<str>>>>()?;
    if root_type.is_none() && steps.is_empty() {
        return None;
    }
    Some(Branch { steps, filter })
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `(a.b as X)` -> `a.b as X`, only when the first parenthesis closes last.
fn strip_enclosing_parens(text: &str) -> &str {
    let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) else {
        return text;
    };
    let mut depth = 0i32;
    for byte in inner.bytes() {
        match byte {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth < 0 {
                    return text;
                }
            }
            _ => {}
        }
    }
    if depth == 0 { inner.trim() } else { text }
}

/// The elements called `name` of one node, arrays flattened. A choice
/// (`value`) matches each `valueX` property the type defines, typed by it.
fn children<'a>(
    definitions: &Definitions,
    node: FastNode<'a>,
    name: &str,
    out: &mut Vec<FastNode<'a>>,
) {
    let Json::Object(object) = node.json else {
        return;
    };
    let definition = definitions.type_def(node.type_id);
    if let Some((element, element_type)) = definition.lookup(name)
        && !element.is_choice
    {
        if let Some(value) = object.get(name) {
            push_values(definitions, value, element_type.type_id, out);
        }
        return;
    }
    for (key, value) in object {
        let is_variant = key
            .strip_prefix(name)
            .is_some_and(|suffix| suffix.starts_with(|c: char| c.is_ascii_uppercase()));
        if !is_variant {
            continue;
        }
        if let Some((element, element_type)) = definition.lookup(key)
            && element.is_choice
            && element.name.strip_suffix("[x]") == Some(name)
        {
            push_values(definitions, value, element_type.type_id, out);
        }
    }
}

fn push_values<'a>(
    definitions: &Definitions,
    value: &'a Json,
    type_id: TypeId,
    out: &mut Vec<FastNode<'a>>,
) {
    let mut push = |json: &'a Json| {
        // A `Resource` element (contained, Bundle.entry.resource) is typed by
        // its own resourceType.
        let type_id = match definitions.type_def(type_id).kind {
            TypeKind::AnyResource => json
                .get("resourceType")
                .and_then(Json::as_str)
                .and_then(|name| definitions.resource_type_id(name)),
            _ => Some(type_id),
        };
        if let Some(type_id) = type_id
            && !json.is_null()
        {
            out.push(FastNode { json, type_id });
        }
    };
    match value {
        Json::Array(items) => items.iter().for_each(&mut push),
        single => push(single),
    }
}

/// `as`/`ofType` semantics: a subtype matches (`Age` as `Quantity`), except
/// for primitives, which must be the exact type (`code` is not `as(string)`),
/// as the engine and the official FHIRPath suite have it.
fn is_of_type(definitions: &Definitions, type_id: TypeId, wanted: &str) -> bool {
    let definition = definitions.type_def(type_id);
    if matches!(definition.kind, TypeKind::Primitive(_)) {
        return &*definition.name == wanted;
    }
    let mut current = Some(&*definition.name);
    for _ in 0..16 {
        match current {
            Some(name) if name == wanted => return true,
            Some(name) => current = definitions.base_type(name),
            None => return false,
        }
    }
    false
}

/// The resource type a Reference points to, as written: `Patient/1`,
/// `http://x/fhir/Patient/1[/_history/2]`, or `#id` of a contained resource.
fn reference_target_type<'a>(resource: &'a Json, reference: &'a Json) -> Option<&'a str> {
    let text = reference.get("reference")?.as_str()?;
    if let Some(id) = text.strip_prefix('#') {
        return resource
            .get("contained")?
            .as_array()?
            .iter()
            .find(|contained| contained.get("id").and_then(Json::as_str) == Some(id))?
            .get("resourceType")?
            .as_str();
    }
    match ReferenceTarget::parse(text)? {
        ReferenceTarget::Local { .. } | ReferenceTarget::Conditional { .. } => {
            text.split(['/', '?']).next()
        }
        ReferenceTarget::External(_) => {
            let path = text.split(['?', '#']).next()?;
            let mut segments: Vec<&str> = path.split('/').collect();
            if segments.len() >= 4 && segments[segments.len() - 2] == "_history" {
                segments.truncate(segments.len() - 2);
            }
            let type_name = *segments.get(segments.len().checked_sub(2)?)?;
            type_name
                .starts_with(|c: char| c.is_ascii_uppercase())
                .then_some(type_name)
        }
        ReferenceTarget::Contained(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_plain_paths_and_leaves_the_rest_to_the_engine() {
        let definitions = Definitions::r4();
        let compiles =
            |text: &str, root: Option<&str>| FastPath::compile(text, root, definitions).is_some();
        assert!(compiles("Observation.code", Some("Observation")));
        assert!(compiles(
            "(Observation.value as Quantity) | (Observation.value as SampledData)",
            Some("Observation")
        ));
        assert!(compiles(
            "Observation.subject.where(resolve() is Patient)",
            Some("Observation")
        ));
        assert!(compiles("Resource.meta.tag", Some("Observation")));
        assert!(compiles("Observation", Some("Observation")));
        assert!(compiles("value.as(CodeableConcept)", None));
        assert!(!compiles(
            "Patient.deceased.exists() and Patient.deceased != false",
            Some("Patient")
        ));
        assert!(!compiles(
            "Patient.telecom.where(system='email')",
            Some("Patient")
        ));
        assert!(
            !compiles("value.as(DateTime)", None),
            "System types go to the engine"
        );
        assert!(!compiles("Condition.code", Some("Observation")));
        assert!(!compiles("Bundle.entry[0].resource", Some("Bundle")));
    }

    #[test]
    fn reads_reference_target_types_as_written() {
        let resource = serde_json::json!({"contained": [{"resourceType": "Patient", "id": "p"}]});
        let target = |text: &str| {
            let reference = serde_json::json!({ "reference": text });
            reference_target_type(&resource, &reference).map(str::to_owned)
        };
        assert_eq!(target("Patient/1").as_deref(), Some("Patient"));
        assert_eq!(
            target("http://x.org/fhir/Group/2/_history/3").as_deref(),
            Some("Group")
        );
        assert_eq!(target("#p").as_deref(), Some("Patient"));
        assert_eq!(
            target("urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0"),
            None
        );
    }
}
