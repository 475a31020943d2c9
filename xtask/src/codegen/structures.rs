//! Reads the StructureDefinitions of the resource and datatype bundles into the element model
//! written to `r4.json`: every concrete resource type and every datatype (complex and
//! primitive), each with its snapshot elements.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::collections::BTreeSet;

const FHIR_TYPE_EXTENSION: &str =
    "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type";
const FHIRPATH_SYSTEM_PREFIX: &str = "http://hl7.org/fhirpath/System.";
const STRUCTURE_DEFINITION_PREFIX: &str = "http://hl7.org/fhir/StructureDefinition/";

/// What kind of type a StructureDefinition defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Resource,
    Complex,
    Primitive,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Resource => "resource",
            Kind::Complex => "complex",
            Kind::Primitive => "primitive",
        }
    }
}

/// One element of a type's snapshot, reduced to what Tessera validates with.
#[derive(Debug, Clone)]
pub struct Element {
    /// Full dotted path, e.g. `Observation.component.code` or `Observation.value[x]`.
    pub path: String,
    pub min: u64,
    /// `"1"`, `"*"` or another number, as in the definition.
    pub max: String,
    /// Type codes; `Reference(Patient|Group)` / `canonical(ValueSet)` carry their targets.
    pub types: Vec<String>,
    /// `#Questionnaire.item` style reference to another element's definition.
    pub content_reference: Option<String>,
    pub is_summary: bool,
    /// Represented as an XML attribute (`Element.id`, `Extension.url`): in JSON a plain
    /// property that cannot carry a `_name` extension object.
    pub is_attribute: bool,
    /// Canonical URL (version stripped) of the required-strength binding, if any.
    pub required_binding: Option<String>,
}

/// One resource type or datatype.
#[derive(Debug, Clone)]
pub struct TypeDefinition {
    pub name: String,
    pub kind: Kind,
    /// The type this one specializes (`DomainResource`, `Element`, `string`, `Quantity`...).
    pub base: Option<String>,
    pub elements: Vec<Element>,
}

/// Every concrete resource type and every datatype from the given bundles, sorted by name.
pub fn collect(bundles: &[&Value]) -> Result<Vec<TypeDefinition>> {
    let mut types = Vec::new();
    for bundle in bundles {
        let entries = bundle["entry"].as_array().context("bundle without entry")?;
        for entry in entries {
            let resource = &entry["resource"];
            if resource["resourceType"] != "StructureDefinition" {
                continue;
            }
            if let Some(definition) = type_definition(resource)? {
                types.push(definition);
            }
        }
    }
    types.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(types)
}

fn type_definition(structure: &Value) -> Result<Option<TypeDefinition>> {
    let kind = match structure["kind"].as_str() {
        Some("resource") => Kind::Resource,
        Some("complex-type") => Kind::Complex,
        Some("primitive-type") => Kind::Primitive,
        _ => return Ok(None),
    };
    // Abstract bases (Resource, DomainResource, Element, BackboneElement) are already folded into
    // every snapshot, and constraint profiles (SimpleQuantity, MoneyQuantity) validate as their
    // base type, so only concrete specializations are types of their own.
    if structure["abstract"] == true || structure["derivation"] != "specialization" {
        return Ok(None);
    }
    // The vendored bundle also holds a later-version definition (SubscriptionStatus, 4.3.0);
    // only R4 4.0.1 types belong in the R4 model.
    if structure["fhirVersion"] != super::FHIR_VERSION {
        return Ok(None);
    }
    let name = structure["type"]
        .as_str()
        .context("StructureDefinition without type")?;
    let snapshot = structure["snapshot"]["element"]
        .as_array()
        .with_context(|| format!("{name}: no snapshot"))?;
    let mut elements = Vec::new();
    for element in snapshot {
        let path = element["path"].as_str().context("element without path")?;
        if path == name {
            continue;
        }
        // The `value` of a primitive is the JSON primitive itself, not an element.
        if kind == Kind::Primitive && path == format!("{name}.value") {
            continue;
        }
        elements
            .push(element_definition(path, element).with_context(|| format!("element {path}"))?);
    }
    Ok(Some(TypeDefinition {
        name: name.to_owned(),
        kind,
        base: base_name(structure),
        elements,
    }))
}

fn element_definition(path: &str, element: &Value) -> Result<Element> {
    let min = element["min"].as_u64().context("min")?;
    let max = element["max"].as_str().context("max")?.to_owned();
    let content_reference = element["contentReference"].as_str().map(str::to_owned);
    let mut types = Vec::new();
    if let Some(list) = element["type"].as_array() {
        for element_type in list {
            types.push(type_code(element, element_type)?);
        }
    }
    if types.is_empty() && content_reference.is_none() {
        bail!("neither type nor contentReference");
    }
    let required_binding = match &element["binding"] {
        binding if binding["strength"] == "required" => binding["valueSet"]
            .as_str()
            .map(|url| url.split('|').next().unwrap_or(url).to_owned()),
        _ => None,
    };
    Ok(Element {
        path: path.to_owned(),
        min,
        max,
        types,
        content_reference,
        is_summary: element["isSummary"] == true,
        is_attribute: element["representation"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == "xmlAttr")),
        required_binding,
    })
}

fn type_code(element: &Value, element_type: &Value) -> Result<String> {
    let code = element_type["code"].as_str().context("type without code")?;
    if let Some(system) = code.strip_prefix(FHIRPATH_SYSTEM_PREFIX) {
        // R4 snapshots type `Resource.id` as System.String with fhir-type `string`, but the
        // specification (and every server) treats a resource id as the `id` datatype.
        if element["base"]["path"] == "Resource.id" {
            return Ok("id".to_owned());
        }
        let fhir_type = element_type["extension"]
            .as_array()
            .and_then(|extensions| {
                extensions
                    .iter()
                    .find(|extension| extension["url"] == FHIR_TYPE_EXTENSION)
            })
            .and_then(|extension| extension["valueUrl"].as_str());
        return Ok(match (fhir_type, system) {
            (Some(fhir_type), _) => fhir_type.to_owned(),
            (None, "Boolean") => "boolean".to_owned(),
            (None, "Integer") => "integer".to_owned(),
            (None, "Decimal") => "decimal".to_owned(),
            (None, _) => "string".to_owned(),
        });
    }
    let targets: Vec<&str> = element_type["targetProfile"]
        .as_array()
        .map(|profiles| {
            profiles
                .iter()
                .filter_map(Value::as_str)
                .map(|url| url.strip_prefix(STRUCTURE_DEFINITION_PREFIX).unwrap_or(url))
                .collect()
        })
        .unwrap_or_default();
    if (code == "Reference" || code == "canonical") && !targets.is_empty() {
        return Ok(format!("{code}({})", targets.join("|")));
    }
    Ok(code.to_owned())
}

fn base_name(structure: &Value) -> Option<String> {
    structure["baseDefinition"].as_str().map(|url| {
        url.strip_prefix(STRUCTURE_DEFINITION_PREFIX)
            .unwrap_or(url)
            .to_owned()
    })
}

/// The abstract types every snapshot builds on (`Resource`, `DomainResource`, `Element`,
/// `BackboneElement`), each with its base, sorted by name. FHIRPath's type tests (`is`, `as`,
/// `ofType`) walk this hierarchy.
pub fn abstract_types(bundles: &[&Value]) -> Vec<(String, Option<String>)> {
    let mut found: Vec<(String, Option<String>)> = bundles
        .iter()
        .flat_map(|bundle| bundle["entry"].as_array().into_iter().flatten())
        .map(|entry| &entry["resource"])
        .filter(|r| {
            r["resourceType"] == "StructureDefinition"
                && r["abstract"] == true
                && r["fhirVersion"] == super::FHIR_VERSION
                && matches!(r["kind"].as_str(), Some("resource" | "complex-type"))
        })
        .filter_map(|r| Some((r["type"].as_str()?.to_owned(), base_name(r))))
        .collect();
    found.sort();
    found
}

/// Every value set bound with required strength by some element, sorted and deduplicated.
pub fn required_value_sets(types: &[TypeDefinition]) -> Vec<String> {
    let urls: BTreeSet<String> = types
        .iter()
        .flat_map(|t| t.elements.iter())
        .filter_map(|e| e.required_binding.clone())
        .collect();
    urls.into_iter().collect()
}
