//! One evaluated element into [`IndexValue`]s, by the parameter's type and
//! the element's FHIR type: the normal forms of `normalize` applied to
//! HumanName, Address, Coding, CodeableConcept, Identifier, ContactPoint,
//! Period, Timing, Quantity, Reference and the primitives.

use super::normalize::{canonical_quantity, date_range, normalize_string, number_range};
use super::{IndexValue, ParamType};
use crate::Definitions;
use crate::reference::ReferenceTarget;
use serde_json::Value as Json;
use tessera_fhirpath::{Node, Value};

/// The index values of one evaluated item for a parameter of `param_type`.
pub(super) fn item_values(
    definitions: &Definitions,
    param_type: ParamType,
    code_value_set: Option<u32>,
    item: &Value<'_>,
    out: &mut Vec<IndexValue>,
) {
    let Value::Node(node) = item else {
        // A computed System value (rare in search expressions): index its text.
        if let Some(text) = item.to_display_string() {
            primitive_values(
                definitions,
                param_type,
                code_value_set,
                "string",
                &text,
                out,
            );
        }
        return;
    };
    let Some(json) = node.json else {
        return;
    };
    let kind = value_kind(definitions, node, json);
    match json {
        Json::String(text) => {
            primitive_values(definitions, param_type, code_value_set, kind, text, out)
        }
        Json::Bool(b) if param_type == ParamType::Token => {
            out.push(plain_token(None, b.to_string()));
        }
        Json::Number(n) => primitive_values(
            definitions,
            param_type,
            code_value_set,
            "decimal",
            &n.to_string(),
            out,
        ),
        Json::Object(_) => complex_values(param_type, kind, json, out),
        _ => {}
    }
}

/// The datatype that decides how a node is indexed: its FHIR type, walked up
/// to a type we handle (`Age` -> `Quantity`, `code` stays `code`), or guessed
/// from the JSON when the model does not know it.
fn value_kind<'n>(definitions: &'n Definitions, node: &'n Node<'_>, json: &Json) -> &'n str {
    const HANDLED: &[&str] = &[
        "Quantity",
        "Range",
        "Money",
        "Coding",
        "CodeableConcept",
        "Identifier",
        "ContactPoint",
        "HumanName",
        "Address",
        "Period",
        "Timing",
        "Reference",
        "canonical",
        "code",
        "id",
        "uri",
        "url",
        "oid",
        "uuid",
        "date",
        "dateTime",
        "instant",
        "string",
        "markdown",
    ];
    let mut current = node.type_name();
    for _ in 0..8 {
        match current {
            Some(name) if HANDLED.contains(&name) => return name,
            Some(name) if definitions.is_resource_type(name) => return "Resource",
            Some(name) => current = definitions.base_type(name),
            None => break,
        }
    }
    match json {
        Json::Object(map) if map.contains_key("resourceType") => "Resource",
        Json::Object(map) if map.contains_key("coding") => "CodeableConcept",
        Json::Object(map) if map.contains_key("reference") => "Reference",
        Json::Object(map) if map.contains_key("start") || map.contains_key("end") => "Period",
        _ => "",
    }
}

fn plain_token(system: Option<String>, code: String) -> IndexValue {
    IndexValue::Token {
        system,
        code: Some(code),
        text: None,
        of_type: None,
    }
}

fn primitive_values(
    definitions: &Definitions,
    param_type: ParamType,
    code_value_set: Option<u32>,
    kind: &str,
    text: &str,
    out: &mut Vec<IndexValue>,
) {
    match param_type {
        ParamType::String => out.push(string_value(text)),
        ParamType::Token => {
            let system =
                code_value_set.and_then(|value_set| code_system_of(definitions, value_set, text));
            out.push(plain_token(system, text.to_owned()));
        }
        ParamType::Date => {
            if let Some((low, high)) = date_range(text) {
                out.push(IndexValue::Date {
                    low: Some(low),
                    high: Some(high),
                });
            }
        }
        ParamType::Number | ParamType::Quantity => {
            if let Some((value, low, high)) = number_range(text) {
                out.push(if param_type == ParamType::Number {
                    IndexValue::Number { value, low, high }
                } else {
                    IndexValue::Quantity {
                        value,
                        low,
                        high,
                        system: None,
                        code: None,
                        unit: None,
                        canonical_value: None,
                        canonical_code: None,
                    }
                });
            }
        }
        ParamType::Reference => out.extend(reference_from_text(kind, text)),
        ParamType::Uri => out.push(IndexValue::Uri(text.to_owned())),
        ParamType::Composite | ParamType::Special => {}
    }
}

fn string_value(text: &str) -> IndexValue {
    IndexValue::String {
        normalized: normalize_string(text),
        exact: text.to_owned(),
    }
}

/// The code system of `code` in a required value set. Core value sets are
/// published at `http://hl7.org/fhir/ValueSet/x` with their code system at
/// `http://hl7.org/fhir/x`; that convention is checked against the expansion,
/// so a wrong guess gives no system rather than a wrong one.
fn code_system_of(definitions: &Definitions, value_set: u32, code: &str) -> Option<String> {
    let name = definitions
        .value_set_url(value_set)
        .strip_prefix("http://hl7.org/fhir/ValueSet/")?;
    let candidate = format!("http://hl7.org/fhir/{name}");
    definitions
        .value_set_contains(value_set, Some(&candidate), code)
        .then_some(candidate)
}

fn complex_values(param_type: ParamType, kind: &str, json: &Json, out: &mut Vec<IndexValue>) {
    let text = |key: &str| json.get(key).and_then(Json::as_str);
    match (param_type, kind) {
        (ParamType::String, "HumanName") => {
            for key in ["family", "text"] {
                out.extend(text(key).map(string_value));
            }
            for key in ["given", "prefix", "suffix"] {
                out.extend(strings(json.get(key)).map(string_value));
            }
        }
        (ParamType::String, "Address") => {
            out.extend(strings(json.get("line")).map(string_value));
            for key in ["city", "district", "state", "postalCode", "country", "text"] {
                out.extend(text(key).map(string_value));
            }
        }
        (ParamType::Token, "Coding") => out.extend(coding_token(json)),
        (ParamType::Token, "CodeableConcept") => {
            let codings: Vec<IndexValue> = objects(json.get("coding"))
                .filter_map(coding_token)
                .collect();
            if let Some(concept_text) = text("text") {
                let normalized = normalize_string(concept_text);
                let already = codings.iter().any(
                    |t| matches!(t, IndexValue::Token { text: Some(t), .. } if *t == normalized),
                );
                if !already {
                    out.push(IndexValue::Token {
                        system: None,
                        code: None,
                        text: Some(normalized),
                        of_type: None,
                    });
                }
            }
            out.extend(codings);
        }
        (ParamType::Token, "Identifier") => {
            let Some(value) = text("value") else {
                return;
            };
            let type_concept = json.get("type");
            let type_text = type_concept
                .and_then(|t| t.get("text"))
                .and_then(Json::as_str)
                .map(normalize_string);
            let type_codings: Vec<(Option<String>, String)> =
                objects(type_concept.and_then(|t| t.get("coding")))
                    .filter_map(|c| {
                        let code = c.get("code")?.as_str()?.to_owned();
                        Some((
                            c.get("system").and_then(Json::as_str).map(str::to_owned),
                            code,
                        ))
                    })
                    .collect();
            let token = |of_type| IndexValue::Token {
                system: text("system").map(str::to_owned),
                code: Some(value.to_owned()),
                text: type_text.clone(),
                of_type,
            };
            if type_codings.is_empty() {
                out.push(token(None));
            }
            out.extend(type_codings.into_iter().map(|t| token(Some(t))));
        }
        (ParamType::Token, "ContactPoint") => {
            if let Some(value) = text("value") {
                out.push(plain_token(
                    text("system").map(str::to_owned),
                    value.to_owned(),
                ));
            }
        }
        (ParamType::Date, "Period") => {
            let low = text("start").and_then(date_range).map(|r| r.0);
            let high = text("end").and_then(date_range).map(|r| r.1);
            if low.is_some() || high.is_some() {
                out.push(IndexValue::Date { low, high });
            }
        }
        (ParamType::Date, "Timing") => {
            for event in strings(json.get("event")) {
                if let Some((low, high)) = date_range(event) {
                    out.push(IndexValue::Date {
                        low: Some(low),
                        high: Some(high),
                    });
                }
            }
            if let Some(bounds) = json.get("repeat").and_then(|r| r.get("boundsPeriod")) {
                complex_values(param_type, "Period", bounds, out);
            }
        }
        (ParamType::Quantity, "Quantity") => out.extend(quantity_value(json)),
        (ParamType::Quantity, "Money") => out.extend(money_value(json)),
        (ParamType::Quantity | ParamType::Number, "Range") => {
            out.extend(range_value(param_type, json))
        }
        (ParamType::Number, "Quantity") => {
            if let Some(IndexValue::Quantity {
                value, low, high, ..
            }) = quantity_value(json)
            {
                out.push(IndexValue::Number { value, low, high });
            }
        }
        (ParamType::Reference, "Reference") => out.extend(reference_value(json)),
        (ParamType::Reference, "Resource") => {
            if let (Some(resource_type), Some(id)) = (text("resourceType"), text("id")) {
                out.push(IndexValue::Reference {
                    target_type: Some(resource_type.to_owned()),
                    id: Some(id.to_owned()),
                    url: None,
                    version: None,
                    identifier: None,
                });
            }
        }
        _ => {}
    }
}

fn strings(value: Option<&Json>) -> impl Iterator<Item = &str> {
    value
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
}

fn objects(value: Option<&Json>) -> impl Iterator<Item = &Json> {
    value
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v.is_object())
}

fn coding_token(coding: &Json) -> Option<IndexValue> {
    let text = |key: &str| coding.get(key).and_then(Json::as_str);
    let (system, code, display) = (text("system"), text("code"), text("display"));
    if system.is_none() && code.is_none() && display.is_none() {
        return None;
    }
    Some(IndexValue::Token {
        system: system.map(str::to_owned),
        code: code.map(str::to_owned),
        text: display.map(normalize_string),
        of_type: None,
    })
}

/// A Money as a quantity in its ISO 4217 currency (`urn:iso:std:iso:4217|USD`).
fn money_value(json: &Json) -> Option<IndexValue> {
    let (value, low, high) = number_range(&json.get("value")?.as_number()?.to_string())?;
    let currency = json
        .get("currency")
        .and_then(Json::as_str)
        .map(str::to_owned);
    Some(IndexValue::Quantity {
        value,
        low,
        high,
        system: currency.as_ref().map(|_| "urn:iso:std:iso:4217".to_owned()),
        code: currency,
        unit: None,
        canonical_value: None,
        canonical_code: None,
    })
}

/// A Range as the values it covers: `low` from its low end, `high` from its
/// high end (an open end is unbounded), `value` the midpoint (or the one end
/// given), units from whichever end has them.
fn range_value(param_type: ParamType, json: &Json) -> Option<IndexValue> {
    let end = |key: &str| json.get(key).and_then(quantity_value);
    let (low_end, high_end) = (end("low"), end("high"));
    // (value as written, edge of its precision range on the range's side)
    let bound = |end: &Option<IndexValue>, outer_low: bool| match end {
        Some(IndexValue::Quantity {
            value, low, high, ..
        }) => Some((*value, if outer_low { *low } else { *high })),
        _ => None,
    };
    let (low, high) = (bound(&low_end, true), bound(&high_end, false));
    let value = match (low, high) {
        (Some((low, _)), Some((high, _))) => (low + high) / 2.0,
        (Some((only, _)), None) | (None, Some((only, _))) => only,
        (None, None) => return None,
    };
    let (low, high) = (low.map(|b| b.1), high.map(|b| b.1));
    let (low, high) = (low.unwrap_or(f64::MIN), high.unwrap_or(f64::MAX));
    if param_type == ParamType::Number {
        return Some(IndexValue::Number { value, low, high });
    }
    let Some(IndexValue::Quantity {
        system, code, unit, ..
    }) = low_end.or(high_end)
    else {
        return None;
    };
    let canonical = match (system.as_deref(), code.as_deref()) {
        (Some("http://unitsofmeasure.org"), Some(code)) => canonical_quantity(value, code),
        _ => None,
    };
    let (canonical_value, canonical_code) =
        canonical.map_or((None, None), |(v, c)| (Some(v), Some(c)));
    Some(IndexValue::Quantity {
        value,
        low,
        high,
        system,
        code,
        unit,
        canonical_value,
        canonical_code,
    })
}

fn quantity_value(json: &Json) -> Option<IndexValue> {
    let (value, low, high) = number_range(&json.get("value")?.as_number()?.to_string())?;
    let text = |key: &str| json.get(key).and_then(Json::as_str).map(str::to_owned);
    let (system, code) = (text("system"), text("code"));
    let canonical = match (system.as_deref(), code.as_deref()) {
        (Some("http://unitsofmeasure.org"), Some(code)) => canonical_quantity(value, code),
        _ => None,
    };
    let (canonical_value, canonical_code) =
        canonical.map_or((None, None), |(v, c)| (Some(v), Some(c)));
    Some(IndexValue::Quantity {
        value,
        low,
        high,
        system,
        code,
        unit: text("unit"),
        canonical_value,
        canonical_code,
    })
}

fn reference_value(json: &Json) -> Option<IndexValue> {
    let identifier = json.get("identifier").and_then(|identifier| {
        let value = identifier.get("value")?.as_str()?.to_owned();
        Some((
            identifier
                .get("system")
                .and_then(Json::as_str)
                .map(str::to_owned),
            value,
        ))
    });
    let reference = json.get("reference").and_then(Json::as_str);
    let mut value = reference
        .and_then(|text| reference_from_text("Reference", text))
        .unwrap_or(IndexValue::Reference {
            target_type: None,
            id: None,
            url: None,
            version: None,
            identifier: None,
        });
    if let IndexValue::Reference {
        identifier: slot,
        target_type,
        id,
        url,
        ..
    } = &mut value
    {
        *slot = identifier;
        if slot.is_none() && target_type.is_none() && id.is_none() && url.is_none() {
            return None;
        }
    }
    Some(value)
}

/// A reference string: `Type/id` (local), an absolute URL or URN (kept
/// whole), or a canonical `url|version`. Contained (`#id`) and conditional
/// references index nothing: they name no resource of their own.
fn reference_from_text(kind: &str, text: &str) -> Option<IndexValue> {
    let empty = |url: Option<String>, version: Option<String>| IndexValue::Reference {
        target_type: None,
        id: None,
        url,
        version,
        identifier: None,
    };
    if matches!(kind, "canonical" | "uri" | "url") {
        let (url, version) = match text.split_once('|') {
            Some((url, version)) => (url, Some(version.to_owned())),
            None => (text, None),
        };
        return Some(empty(Some(url.to_owned()), version));
    }
    match ReferenceTarget::parse(text)? {
        ReferenceTarget::Local {
            resource_type, id, ..
        } => Some(IndexValue::Reference {
            target_type: Some(resource_type),
            id: Some(id),
            url: None,
            version: None,
            identifier: None,
        }),
        ReferenceTarget::External(url) => Some(empty(Some(url), None)),
        ReferenceTarget::Contained(_) | ReferenceTarget::Conditional { .. } => None,
    }
}
