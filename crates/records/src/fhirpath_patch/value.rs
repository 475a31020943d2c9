//! The value an operation writes: read from its `value` part, checked against
//! the element it lands in, and turned into that element's JSON.
//!
//! A value is one `value[x]` (its type named by the key: `valueHumanName`), a
//! `resource`, or nested `part`s, one per child element, for types that have
//! no `value[x]` form (backbone elements such as `Patient.contact`). Which
//! JSON key a child goes under (`valueQuantity` for a choice), and whether it
//! is an array, come from the R4 definitions, never from guessing at the
//! parts, so a patch cannot write a shape that FHIR JSON does not have.

use super::Failure;
use super::slots::{self, Slot};
use serde_json::{Map, Value as Json};
use tessera_fhir::Definitions;
use tessera_fhirpath::is_subtype_of;

/// The deepest nesting of `part`s inside one value. Deeper than any R4
/// element tree; it bounds the recursion over a request body.
pub const MAX_VALUE_DEPTH: usize = 16;

/// A value as the patch gives it.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum PatchValue {
    /// `value[x]`: the R4 type its key names, its JSON, and its `_value[x]`
    /// companion (a primitive's id and extensions).
    Typed {
        type_name: String,
        json: Json,
        extension: Option<Json>,
    },
    /// `resource`: a whole resource (e.g. for `contained`).
    Resource(Json),
    /// Nested `part`s: (element name, value) in the order given.
    Parts(Vec<(String, PatchValue)>),
}

impl PatchValue {
    /// Reads the value a `value` part (or a nested part) carries.
    pub fn read(
        part: &Map<String, Json>,
        definitions: &Definitions,
        depth: usize,
    ) -> Result<PatchValue, Failure> {
        let label = part.get("name").and_then(Json::as_str).unwrap_or("value");
        let typed: Vec<&String> = part.keys().filter(|k| is_value_key(k)).collect();
        let carried = typed.len()
            + usize::from(part.contains_key("resource"))
            + usize::from(part.contains_key("part"));
        if carried != 1 {
            return Err(Failure::invalid(format!(
                "the '{label}' part must carry exactly one of value[x], resource or part, not {carried}"
            )));
        }
        if let Some(key) = typed.first() {
            let suffix = &key["value".len()..];
            let type_name = type_for_suffix(definitions, suffix).ok_or_else(|| {
                Failure::invalid(format!("the '{label}' part's {key} names no R4 data type"))
            })?;
            return Ok(PatchValue::Typed {
                type_name,
                json: part.get(*key).cloned().unwrap_or(Json::Null),
                extension: part.get(&format!("_{key}")).cloned(),
            });
        }
        if let Some(resource) = part.get("resource") {
            if resource
                .get("resourceType")
                .and_then(Json::as_str)
                .is_none()
            {
                return Err(Failure::invalid(format!(
                    "the '{label}' part's resource has no resourceType"
                )));
            }
            return Ok(PatchValue::Resource(resource.clone()));
        }
        if depth >= MAX_VALUE_DEPTH {
            return Err(Failure::invalid(format!(
                "the value nests parts deeper than {MAX_VALUE_DEPTH} levels"
            )));
        }
        let Some(Json::Array(children)) = part.get("part") else {
            return Err(Failure::invalid(format!(
                "the '{label}' part's part must be an array"
            )));
        };
        let mut parts = Vec::with_capacity(children.len());
        for child in children {
            let child = child.as_object().ok_or_else(|| {
                Failure::invalid(format!("a part inside '{label}' is not an object"))
            })?;
            let name = child
                .get("name")
                .and_then(Json::as_str)
                .ok_or_else(|| Failure::invalid(format!("a part inside '{label}' has no name")))?;
            parts.push((
                name.to_string(),
                PatchValue::read(child, definitions, depth + 1)?,
            ));
        }
        Ok(PatchValue::Parts(parts))
    }

    fn type_name(&self) -> Option<&str> {
        match self {
            PatchValue::Typed { type_name, .. } => Some(type_name),
            PatchValue::Resource(json) => json.get("resourceType").and_then(Json::as_str),
            PatchValue::Parts(_) => None,
        }
    }
}

/// `valueString`, `valueHumanName`: `value` followed by a type name.
fn is_value_key(key: &str) -> bool {
    key.strip_prefix("value")
        .is_some_and(|suffix| suffix.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// `HumanName` -> `HumanName`, `DateTime` -> `dateTime`: complex types keep their
/// capital, primitives are spelled with a lower-case first letter.
fn type_for_suffix(definitions: &Definitions, suffix: &str) -> Option<String> {
    if definitions.has_type(suffix) && !definitions.is_resource_type(suffix) {
        return Some(suffix.to_string());
    }
    let mut chars = suffix.chars();
    let primitive = chars.next()?.to_ascii_lowercase().to_string() + chars.as_str();
    definitions.has_type(&primitive).then_some(primitive)
}

fn capitalized(type_name: &str) -> String {
    let mut chars = type_name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// The element a value is written to, as the definitions describe it.
#[derive(Debug)]
pub(super) struct Target {
    /// The JSON key: the element's name, or for a choice its name and the
    /// value's type (`valueQuantity`).
    pub key: String,
    /// Every key a choice element can have (`valueQuantity`, `valueString`, ...);
    /// empty for other elements.
    pub variants: Vec<String>,
    /// Whether the element repeats (is a JSON array).
    pub repeats: bool,
    /// Definition path of the element (`Patient.contact`), for its children.
    pub path: String,
}

impl Target {
    /// The element `name` (`value`, `valueQuantity`, `given`) of `owner` (a
    /// definition path: `Patient`, `Patient.contact`, `Observation.valueQuantity`)
    /// for writing `value`.
    pub fn resolve(
        definitions: &Definitions,
        owner: &str,
        name: &str,
        value: &PatchValue,
    ) -> Result<Target, Failure> {
        let info = definitions
            .element(&format!("{owner}.{name}"))
            .ok_or_else(|| Failure::invalid(format!("{owner} has no element '{name}'")))?;
        let repeats = info.max != Some(1);
        let choice = info
            .path
            .rsplit('.')
            .next()
            .and_then(|last| last.strip_suffix("[x]"));
        let Some(base) = choice else {
            check_fits(definitions, value, &info.types, &format!("{owner}.{name}"))?;
            return Ok(Target {
                key: name.to_string(),
                variants: Vec::new(),
                repeats,
                path: format!("{owner}.{name}"),
            });
        };
        let element = format!("{owner}.{base}[x]");
        let allowed = definitions
            .element(&element)
            .map(|e| e.types)
            .unwrap_or_default();
        let variant = match value {
            PatchValue::Typed { type_name, .. } => type_name,
            _ => {
                return Err(Failure::invalid(format!(
                    "{element} is a choice: give the value as value[x] so its type is known"
                )));
            }
        };
        if !allowed.contains(&variant.as_str()) {
            return Err(Failure::invalid(format!(
                "{element} cannot be a {variant} (it can be {})",
                allowed.join(", ")
            )));
        }
        let variants = allowed
            .iter()
            .map(|t| format!("{base}{}", capitalized(t)))
            .collect();
        let key = format!("{base}{}", capitalized(variant));
        if name != base && name != key {
            return Err(Failure::invalid(format!(
                "the name '{name}' and the value's type {variant} disagree"
            )));
        }
        Ok(Target {
            path: format!("{owner}.{key}"),
            key,
            variants,
            repeats,
        })
    }

    /// The name under which `key` (a JSON key of `owner`) is written to: the
    /// choice's name for a choice (`valueQuantity` -> `value`), else `key`.
    pub fn element_name(definitions: &Definitions, owner: &str, key: &str) -> String {
        definitions
            .element(&format!("{owner}.{key}"))
            .and_then(|info| {
                let last = info.path.rsplit('.').next()?;
                last.strip_suffix("[x]").map(str::to_string)
            })
            .unwrap_or_else(|| key.to_string())
    }

    /// The JSON of one element of this target built from `value`.
    pub fn build(&self, definitions: &Definitions, value: &PatchValue) -> Result<Slot, Failure> {
        build(definitions, value, &self.path)
    }
}

/// R4 says a value's type must be right for where it goes; a subtype (a
/// `code` where a `string` goes, an `Age` where a `Quantity` goes) is right.
fn check_fits(
    definitions: &Definitions,
    value: &PatchValue,
    allowed: &[&str],
    element: &str,
) -> Result<(), Failure> {
    let is_primitive = |t: &str| t.starts_with(|c: char| c.is_ascii_lowercase());
    let fits = match value.type_name() {
        Some(given) => allowed
            .iter()
            .any(|a| *a == given || is_subtype_of(definitions, given, a)),
        None => !allowed.iter().all(|a| is_primitive(a)),
    };
    if fits {
        return Ok(());
    }
    let given = value.type_name().unwrap_or("an element built from parts");
    Err(Failure::invalid(format!(
        "{element} is {}, not {given}",
        allowed.join(" | ")
    )))
}

fn build(definitions: &Definitions, value: &PatchValue, path: &str) -> Result<Slot, Failure> {
    let children = match value {
        PatchValue::Typed {
            json, extension, ..
        } => {
            return Ok(Slot {
                value: Some(json.clone()),
                extension: extension.clone(),
            });
        }
        PatchValue::Resource(json) => return Ok(Slot::value(json.clone())),
        PatchValue::Parts(children) => children,
    };
    // Parts of one name are the items of one (repeating) element, in order.
    let mut by_name: Vec<(&str, Vec<&PatchValue>)> = Vec::new();
    for (name, child) in children {
        match by_name.iter_mut().find(|(n, _)| n == name) {
            Some((_, values)) => values.push(child),
            None => by_name.push((name, vec![child])),
        }
    }
    let mut object = Map::new();
    for (name, values) in by_name {
        let mut key = None;
        let mut repeats = false;
        let mut items = Vec::with_capacity(values.len());
        for child in &values {
            let target = Target::resolve(definitions, path, name, child)?;
            items.push(target.build(definitions, child)?);
            repeats = target.repeats;
            key = Some(target.key);
        }
        if !repeats && items.len() > 1 {
            return Err(Failure::invalid(format!(
                "{path}.{name} takes one value, but {} parts give it one each",
                items.len()
            )));
        }
        if let Some(key) = key {
            slots::put(&mut object, &key, items, repeats);
        }
    }
    Ok(Slot::value(Json::Object(object)))
}
