//! Parses the embedded `r4.json` into the in-memory model: assigns every type an id, turns
//! backbone elements into types of their own, resolves `contentReference`, and pre-computes the
//! JSON property names of choice variants (`value[x]` -> `valueQuantity`, `valueString`, ...).

use super::Definitions;
use super::model::{
    ElementDef, ElementType, Primitive, Special, TypeDef, TypeId, TypeKind, ValueSetDef,
};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Deserialize)]
struct RawDefinitions {
    types: BTreeMap<String, RawType>,
    #[serde(rename = "abstractTypes")]
    abstract_types: BTreeMap<String, Option<String>>,
    #[serde(rename = "valueSets")]
    value_sets: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    #[serde(rename = "patientCompartment")]
    patient_compartment: BTreeMap<String, Vec<String>>,
    #[serde(rename = "patientCompartmentParams")]
    patient_compartment_params: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct RawType {
    kind: String,
    base: Option<String>,
    elements: Vec<RawElement>,
}

#[derive(Deserialize)]
struct RawElement {
    path: String,
    min: u32,
    max: String,
    #[serde(default)]
    types: Vec<String>,
    #[serde(rename = "contentReference")]
    content_reference: Option<String>,
    #[serde(default)]
    summary: bool,
    #[serde(default)]
    attribute: bool,
    binding: Option<String>,
}

/// The pseudo-type of `contained`, `Bundle.entry.resource` and `Parameters.parameter.resource`.
const ANY_RESOURCE: &str = "Resource";

pub(crate) fn parse(text: &str) -> Result<Definitions, String> {
    let raw: RawDefinitions = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut types: Vec<TypeDef> = Vec::new();
    let mut type_ids: HashMap<Box<str>, TypeId> = HashMap::new();
    let mut add_type =
        |types: &mut Vec<TypeDef>, name: &str, kind: TypeKind, base: Option<&str>| -> TypeId {
            let id = types.len() as TypeId;
            types.push(TypeDef {
                name: name.into(),
                kind,
                base: base.map(Into::into),
                special: special(name),
                elements: Vec::new(),
                by_json_name: HashMap::new(),
                required: Vec::new(),
            });
            type_ids.insert(name.into(), id);
            id
        };

    for (name, raw_type) in &raw.types {
        let kind = match raw_type.kind.as_str() {
            "resource" => TypeKind::Resource,
            "complex" => TypeKind::Complex,
            "primitive" => TypeKind::Primitive(
                Primitive::from_name(name).ok_or_else(|| format!("unknown primitive {name}"))?,
            ),
            other => return Err(format!("{name}: unknown kind {other}")),
        };
        add_type(&mut types, name, kind, raw_type.base.as_deref());
    }
    add_type(&mut types, ANY_RESOURCE, TypeKind::AnyResource, None);
    // Backbone elements (any element with children) become types of their own, created before
    // the elements are filled in so that a contentReference can point forwards or backwards.
    for raw_type in raw.types.values() {
        let parents: HashSet<&str> = raw_type
            .elements
            .iter()
            .filter_map(|e| e.path.rsplit_once('.').map(|(parent, _)| parent))
            .collect();
        for element in &raw_type.elements {
            if parents.contains(element.path.as_str()) {
                // Declared `BackboneElement` in resources, `Element` in datatypes (Timing.repeat).
                let base = element.types.first().map(String::as_str);
                add_type(&mut types, &element.path, TypeKind::Backbone, base);
            }
        }
    }

    let value_set_ids: HashMap<&str, u32> = raw
        .value_sets
        .keys()
        .enumerate()
        .map(|(index, url)| (url.as_str(), index as u32))
        .collect();
    for raw_type in raw.types.values() {
        for element in &raw_type.elements {
            add_element(&mut types, &type_ids, &value_set_ids, element)?;
        }
    }

    let mut resource_types: Vec<String> = raw
        .types
        .iter()
        .filter(|(_, t)| t.kind == "resource")
        .map(|(name, _)| name.clone())
        .collect();
    resource_types.sort();

    let value_sets = raw
        .value_sets
        .into_iter()
        .map(|(url, systems)| {
            let all_codes = systems
                .values()
                .flatten()
                .map(|c| c.as_str().into())
                .collect();
            ValueSetDef {
                url: url.into(),
                systems: systems
                    .into_iter()
                    .map(|(system, codes)| {
                        (system.into(), codes.into_iter().map(Into::into).collect())
                    })
                    .collect(),
                all_codes,
            }
        })
        .collect();

    let patient_compartment = raw
        .patient_compartment
        .into_iter()
        .map(|(resource_type, paths)| {
            let paths = paths
                .iter()
                .map(|path| path.split('.').skip(1).map(Into::into).collect())
                .collect();
            (resource_type.into(), paths)
        })
        .collect();

    let abstract_types = raw
        .abstract_types
        .into_iter()
        .map(|(name, base)| (name.into(), base.map(Into::into)))
        .collect();

    Ok(Definitions {
        types,
        type_ids,
        abstract_types,
        resource_types,
        value_sets,
        patient_compartment,
        patient_compartment_params: std::sync::Arc::new(raw.patient_compartment_params),
    })
}

fn special(name: &str) -> Option<Special> {
    match name {
        "Reference" => Some(Special::Reference),
        "Extension" => Some(Special::Extension),
        "Coding" => Some(Special::Coding),
        "CodeableConcept" => Some(Special::CodeableConcept),
        _ => None,
    }
}

fn add_element(
    types: &mut [TypeDef],
    type_ids: &HashMap<Box<str>, TypeId>,
    value_set_ids: &HashMap<&str, u32>,
    raw: &RawElement,
) -> Result<(), String> {
    let (parent, name) = raw
        .path
        .rsplit_once('.')
        .ok_or_else(|| format!("element path without parent: {}", raw.path))?;
    let owner = *type_ids
        .get(parent)
        .ok_or_else(|| format!("no type for parent of {}", raw.path))?;
    let is_choice = name.ends_with("[x]");
    let base_name = name.trim_end_matches("[x]");

    let mut element_types = Vec::new();
    let own_backbone = type_ids.get(raw.path.as_str()).copied();
    let referenced = raw
        .content_reference
        .as_deref()
        .map(|r| r.trim_start_matches('#'));
    if let Some(id) = own_backbone.or_else(|| referenced.and_then(|r| type_ids.get(r).copied())) {
        element_types.push(element_type(name, id, None));
    } else {
        for type_text in &raw.types {
            let (code, targets) = match type_text.split_once('(') {
                Some((code, rest)) => (code, Some(rest.trim_end_matches(')'))),
                None => (type_text.as_str(), None),
            };
            let id = *type_ids
                .get(code)
                .ok_or_else(|| format!("{}: unknown type {code}", raw.path))?;
            let json_name = if is_choice {
                let mut chars = code.chars();
                let first = chars.next().map(|c| c.to_ascii_uppercase());
                format!("{base_name}{}{}", first.unwrap_or_default(), chars.as_str())
            } else {
                name.to_owned()
            };
            // Only Reference targets are checked; a canonical's target is not resolvable here.
            let targets = targets
                .filter(|_| code == "Reference")
                .map(|list| list.split('|').map(Into::into).collect::<Vec<Box<str>>>())
                .filter(|list| !list.iter().any(|t| &**t == "Resource" || &**t == "Any"));
            element_types.push(element_type(&json_name, id, targets));
        }
    }
    if element_types.is_empty() {
        return Err(format!("{}: no type", raw.path));
    }

    let max = match raw.max.as_str() {
        "*" => None,
        number => Some(
            number
                .parse()
                .map_err(|_| format!("{}: bad max {number}", raw.path))?,
        ),
    };
    let element = ElementDef {
        name: name.into(),
        path: raw.path.as_str().into(),
        min: raw.min,
        max,
        is_choice,
        is_summary: raw.summary,
        is_attribute: raw.attribute,
        binding: raw
            .binding
            .as_deref()
            .and_then(|url| value_set_ids.get(url).copied()),
        types: element_types,
    };
    let owner = &mut types[owner as usize];
    let index = owner.elements.len() as u16;
    for (variant, element_type) in element.types.iter().enumerate() {
        owner
            .by_json_name
            .insert(element_type.json_name.clone(), (index, variant as u16));
    }
    if element.min >= 1 {
        owner.required.push(index);
    }
    owner.elements.push(element);
    Ok(())
}

fn element_type(json_name: &str, type_id: TypeId, targets: Option<Vec<Box<str>>>) -> ElementType {
    ElementType {
        type_id,
        json_name: json_name.into(),
        extension_json_name: format!("_{json_name}").into(),
        targets,
    }
}
