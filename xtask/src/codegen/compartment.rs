//! Derives, for each resource type in the Patient compartment, its CompartmentDefinition
//! parameter codes (what a compartment search tests: `Observation` is in a patient's compartment
//! when `subject` or `performer` refers to the patient) and the element paths that point to the
//! patient (what the patient key is read from): param codes -> SearchParameter expressions ->
//! simple dotted paths (`Observation.subject`), with `.where(resolve() is Patient)` and similar
//! stripped.

use super::structures::TypeDefinition;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::collections::BTreeMap;

/// Resource type -> the dotted element paths that can reference the patient, in the
/// CompartmentDefinition's parameter order.
pub type CompartmentPaths = BTreeMap<String, Vec<String>>;

/// Resource type -> the codes of the search parameters through which a resource of that type
/// is in the compartment, in the CompartmentDefinition's order.
pub type CompartmentParams = BTreeMap<String, Vec<String>>;

/// The Patient compartment's parameters and element paths, per resource type.
pub struct PatientCompartment {
    pub params: CompartmentParams,
    pub paths: CompartmentPaths,
}

pub fn patient_compartment(
    compartment: &Value,
    search_parameters: &Value,
    types: &[TypeDefinition],
) -> Result<PatientCompartment> {
    let parameters: Vec<&Value> = search_parameters["entry"]
        .as_array()
        .context("search-parameters.json without entry")?
        .iter()
        .map(|entry| &entry["resource"])
        // search-parameters.json also carries a 5.0.0-snapshot1 parameter; R4 only.
        .filter(|parameter| parameter["version"] == super::FHIR_VERSION)
        .collect();
    let mut result = PatientCompartment {
        params: CompartmentParams::new(),
        paths: CompartmentPaths::new(),
    };
    for member in compartment["resource"].as_array().into_iter().flatten() {
        let resource_type = member["code"]
            .as_str()
            .context("compartment resource code")?;
        let mut paths: Vec<String> = Vec::new();
        let mut codes: Vec<String> = Vec::new();
        for param in member["param"].as_array().into_iter().flatten() {
            let code = param.as_str().context("param")?;
            if code == "{def}" {
                // The Patient itself: its own id is the key.
                continue;
            }
            let parameter = parameters
                .iter()
                .find(|p| {
                    p["code"] == code
                        && p["base"]
                            .as_array()
                            .is_some_and(|bases| bases.iter().any(|b| b == resource_type))
                })
                .with_context(|| format!("no search parameter {resource_type}.{code}"))?;
            if parameter["type"] != "reference" {
                bail!("{resource_type}.{code} is not a reference parameter");
            }
            codes.push(code.to_owned());
            let expression = parameter["expression"].as_str().unwrap_or_default();
            for path in simple_paths(expression, resource_type) {
                if !element_exists(types, &path) {
                    bail!("{resource_type}.{code}: {path} is not an element");
                }
                if !paths.contains(&path) {
                    paths.push(path);
                }
            }
        }
        if !codes.is_empty() {
            result.params.insert(resource_type.to_owned(), codes);
        }
        if !paths.is_empty() {
            result.paths.insert(resource_type.to_owned(), paths);
        }
    }
    Ok(result)
}

/// The parts of a `|`-separated expression that start at `resource_type`, reduced to plain
/// element paths: `Observation.subject.where(resolve() is Patient)` -> `Observation.subject`,
/// `(X.y as Reference)` -> `X.y`.
fn simple_paths(expression: &str, resource_type: &str) -> Vec<String> {
    let prefix = format!("{resource_type}.");
    expression
        .split('|')
        .map(|part| part.trim().trim_start_matches('(').trim_end_matches(')'))
        .filter(|part| part.starts_with(&prefix))
        .map(|part| {
            let end = [".where(", " as ", ".as(", ".resolve(", ".ofType("]
                .iter()
                .filter_map(|marker| part.find(marker))
                .min()
                .unwrap_or(part.len());
            part[..end].trim().to_owned()
        })
        .collect()
}

/// Whether `path` names an element, following datatypes (`Provenance.agent.who` etc.).
fn element_exists(types: &[TypeDefinition], path: &str) -> bool {
    let Some((type_name, rest)) = path.split_once('.') else {
        return false;
    };
    let Some(definition) = types.iter().find(|t| t.name == type_name) else {
        return false;
    };
    let full = format!("{type_name}.{rest}");
    if definition.elements.iter().any(|e| e.path == full) {
        return true;
    }
    // Descend through a datatype: find the longest element prefix and continue in its type.
    let segments: Vec<&str> = rest.split('.').collect();
    for split in (1..segments.len()).rev() {
        let head = format!("{type_name}.{}", segments[..split].join("."));
        if let Some(element) = definition.elements.iter().find(|e| e.path == head)
            && let [single] = element.types.as_slice()
        {
            let base = single.split('(').next().unwrap_or(single);
            return element_exists(types, &format!("{base}.{}", segments[split..].join(".")));
        }
    }
    false
}
