//! Small builders for the FHIR datatypes every resource uses (Coding, CodeableConcept,
//! Reference, Quantity, Money), and [`resource`], which stamps the authoring organisation.

use crate::tables::UCUM_SYSTEM;
use serde_json::{Map, Value, json};

/// The `meta.tag` system naming the organisation that authored a resource (code: the
/// Organization id); `tessera-records` reads it to fill the stored author.
pub const AUTHOR_TAG_SYSTEM: &str = "urn:tessera:authoring-organization";

/// A resource with `resourceType`, `id` and `meta.tag` (the author) first, then `body`'s
/// elements in their order.
pub fn resource(resource_type: &str, id: &str, author_org_id: &str, body: Value) -> Value {
    let mut map = Map::with_capacity(16);
    map.insert("resourceType".into(), Value::from(resource_type));
    map.insert("id".into(), Value::from(id));
    map.insert(
        "meta".into(),
        json!({"tag": [{"system": AUTHOR_TAG_SYSTEM, "code": author_org_id}]}),
    );
    if let Value::Object(body) = body {
        map.extend(body);
    }
    Value::Object(map)
}

pub fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({"system": system, "code": code, "display": display})
}

/// A CodeableConcept with one coding and the display as its text.
pub fn concept(system: &str, code: &str, display: &str) -> Value {
    json!({"coding": [coding(system, code, display)], "text": display})
}

/// A reference with a display.
pub fn reference(target: &str, display: &str) -> Value {
    json!({"reference": target, "display": display})
}

/// A bare reference.
pub fn link(target: &str) -> Value {
    json!({"reference": target})
}

/// A decimal rounded to `decimals` places, written with exactly that many places
/// (`5.60`, `120`), as a lab reports it.
pub fn decimal(value: f64, decimals: u32) -> Value {
    let text = format!("{value:.prec$}", prec = decimals as usize);
    // A formatted finite f64 always parses as a JSON number; the fallback keeps the value.
    text.parse::<serde_json::Number>()
        .map(Value::Number)
        .unwrap_or_else(|_| json!(value))
}

/// A UCUM Quantity.
pub fn quantity(value: f64, decimals: u32, unit: &str) -> Value {
    json!({
        "value": decimal(value, decimals),
        "unit": unit,
        "system": UCUM_SYSTEM,
        "code": unit,
    })
}

/// US dollars from cents.
pub fn money(cents: i64) -> Value {
    json!({"value": decimal(cents as f64 / 100.0, 2), "currency": "USD"})
}
