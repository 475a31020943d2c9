//! Writes the generated model as `r4.json`: compact JSON with one type, value set or
//! compartment entry per line, fields in a fixed order, so the output is byte-for-byte
//! deterministic and its diffs readable.

use super::COMMAND;
use super::compartment::PatientCompartment;
use super::structures::{Element, TypeDefinition};
use super::valuesets::Expansions;
use serde_json::{Map, Value, json};
use std::fmt::Write;

pub fn render(
    types: &[TypeDefinition],
    abstract_types: &[(String, Option<String>)],
    expansions: &Expansions,
    compartment: &PatientCompartment,
) -> String {
    let mut out = String::new();
    out.push_str("{\n");
    let _ = writeln!(out, "\"generatedBy\": {},", json!(COMMAND));
    let _ = writeln!(
        out,
        "\"source\": {},",
        json!("FHIR R4 4.0.1 (hl7.fhir.r4.core), CC0; see definitions/README.md")
    );
    out.push_str("\"types\": {\n");
    write_lines(
        &mut out,
        types.iter().map(|t| {
            let elements: Vec<Value> = t.elements.iter().map(element_json).collect();
            let mut object = Map::new();
            object.insert("kind".into(), json!(t.kind.as_str()));
            if let Some(base) = &t.base {
                object.insert("base".into(), json!(base));
            }
            object.insert("elements".into(), json!(elements));
            (t.name.clone(), Value::Object(object))
        }),
    );
    out.push_str("},\n\"abstractTypes\": {\n");
    write_lines(
        &mut out,
        abstract_types
            .iter()
            .map(|(name, base)| (name.clone(), json!(base))),
    );
    out.push_str("},\n\"valueSets\": {\n");
    write_lines(
        &mut out,
        expansions.iter().filter_map(|(url, expansion)| {
            let expansion = expansion.as_ref().ok()?;
            let systems: Map<String, Value> = expansion
                .iter()
                .map(|(system, codes)| (system.clone(), json!(codes)))
                .collect();
            Some((url.clone(), Value::Object(systems)))
        }),
    );
    out.push_str("},\n\"uncheckableValueSets\": {\n");
    write_lines(
        &mut out,
        expansions.iter().filter_map(|(url, expansion)| {
            let reason = expansion.as_ref().err()?;
            Some((url.clone(), json!(reason)))
        }),
    );
    out.push_str("},\n\"patientCompartment\": {\n");
    write_lines(
        &mut out,
        compartment
            .paths
            .iter()
            .map(|(resource_type, paths)| (resource_type.clone(), json!(paths))),
    );
    out.push_str("},\n\"patientCompartmentParams\": {\n");
    write_lines(
        &mut out,
        compartment
            .params
            .iter()
            .map(|(resource_type, codes)| (resource_type.clone(), json!(codes))),
    );
    out.push_str("}\n}\n");
    out
}

fn write_lines(out: &mut String, entries: impl Iterator<Item = (String, Value)>) {
    let mut first = true;
    for (key, value) in entries {
        if !first {
            out.push_str(",\n");
        }
        first = false;
        let _ = write!(out, "{}: {}", json!(key), value);
    }
    if !first {
        out.push('\n');
    }
}

/// `{"path", "min", "max", "types"|"contentReference", "summary"?, "attribute"?, "binding"?}`;
/// defaults omitted.
fn element_json(element: &Element) -> Value {
    let mut object = Map::new();
    object.insert("path".into(), json!(element.path));
    object.insert("min".into(), json!(element.min));
    object.insert("max".into(), json!(element.max));
    if let Some(reference) = &element.content_reference {
        object.insert("contentReference".into(), json!(reference));
    } else {
        object.insert("types".into(), json!(element.types));
    }
    if element.is_summary {
        object.insert("summary".into(), json!(true));
    }
    if element.is_attribute {
        object.insert("attribute".into(), json!(true));
    }
    if let Some(binding) = &element.required_binding {
        object.insert("binding".into(), json!(binding));
    }
    Value::Object(object)
}
