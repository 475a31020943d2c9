//! `Value`: one item of a FHIRPath collection, either a System value (computed or
//! literal) or a `Node` pointing into the FHIR JSON being evaluated.
//!
//! Nodes borrow the input JSON (no copying of resources) and remember their FHIR type
//! when it is known, so `is`, `as` and `type()` can answer in FHIR terms while
//! operators see the System value (`Node::system_value`) of a primitive.

use std::borrow::Cow;

use serde_json::Value as Json;

use crate::decimal::Decimal;
use crate::quantity::Quantity;
use crate::temporal::{DateTime, Time};

/// A FHIRPath collection.
pub type Collection<'a> = Vec<Value<'a>>;

/// One item in a collection.
#[derive(Clone, Debug)]
pub enum Value<'a> {
    Boolean(bool),
    Integer(i64),
    Decimal(Decimal),
    String(String),
    Date(DateTime),
    DateTime(DateTime),
    Time(Time),
    Quantity(Quantity),
    /// An element or resource of the FHIR input.
    Node(Node<'a>),
    /// The result of `type()`: a namespace (`System`/`FHIR`) and a name.
    TypeInfo {
        namespace: String,
        name: String,
    },
}

/// An element of the input JSON.
#[derive(Clone, Debug)]
pub struct Node<'a> {
    /// The element's JSON; `None` for a primitive that has only extensions (`_given`).
    pub json: Option<&'a Json>,
    /// The `_name` companion object of a primitive (its `id` and `extension`).
    pub primitive_extension: Option<&'a Json>,
    /// The FHIR type, when the model or the JSON says what it is.
    pub type_name: Option<Cow<'a, str>>,
}

impl<'a> Node<'a> {
    /// A resource node, typed by its `resourceType`.
    pub fn resource(json: &'a Json) -> Node<'a> {
        Node {
            json: Some(json),
            primitive_extension: None,
            type_name: json
                .get("resourceType")
                .and_then(Json::as_str)
                .map(Cow::Borrowed),
        }
    }

    pub fn type_name(&self) -> Option<&str> {
        self.type_name.as_deref()
    }

    /// True when the JSON is an object (a complex element or resource).
    pub fn is_complex(&self) -> bool {
        matches!(self.json, Some(Json::Object(_)))
    }

    /// The System value of a primitive element; `None` for complex elements and
    /// primitives without a value.
    pub fn system_value(&self) -> Option<Value<'a>> {
        let json = self.json?;
        let type_name = self.type_name.as_deref().unwrap_or("");
        match json {
            Json::Bool(b) => Some(Value::Boolean(*b)),
            Json::Number(n) => {
                let text = n.to_string();
                let is_integer_type = matches!(
                    type_name,
                    "integer" | "positiveInt" | "unsignedInt" | "integer64"
                );
                if (is_integer_type || (type_name.is_empty() && !text.contains(['.', 'e', 'E'])))
                    && let Ok(i) = text.parse::<i64>()
                {
                    return Some(Value::Integer(i));
                }
                Decimal::parse(&text).map(Value::Decimal)
            }
            Json::String(s) => Some(match type_name {
                "date" => {
                    DateTime::parse_date(s).map_or_else(|| Value::String(s.clone()), Value::Date)
                }
                "dateTime" | "instant" => {
                    // A FHIR dateTime may be just a date; FHIRPath still types it DateTime.
                    DateTime::parse_datetime(s)
                        .map_or_else(|| Value::String(s.clone()), Value::DateTime)
                }
                "time" => Time::parse(s).map_or_else(|| Value::String(s.clone()), Value::Time),
                "decimal" => {
                    Decimal::parse(s).map_or_else(|| Value::String(s.clone()), Value::Decimal)
                }
                _ => Value::String(s.clone()),
            }),
            _ => None,
        }
    }

    /// A FHIR Quantity (or Age, Duration, ...) element as a System Quantity. Uses the
    /// UCUM `code` when present, else `unit`, as FHIR's quantity comparison does.
    pub fn quantity_value(&self) -> Option<Quantity> {
        let json = self.json?;
        let value = match json.get("value")? {
            Json::Number(n) => Decimal::parse(&n.to_string())?,
            _ => return None,
        };
        let code = json.get("code").and_then(Json::as_str);
        let unit = json.get("unit").and_then(Json::as_str);
        let system = json.get("system").and_then(Json::as_str);
        let unit = match (system, code, unit) {
            (Some("http://unitsofmeasure.org"), Some(code), _) => code,
            (_, _, Some(unit)) => unit,
            (_, Some(code), None) => code,
            _ => "1",
        };
        Some(Quantity::new(value, unit))
    }
}

impl<'a> Value<'a> {
    /// Operators and most functions work on System values: a primitive node becomes
    /// its value; complex nodes (and nodes without a value) stay as they are.
    pub fn to_system(&self) -> Cow<'_, Value<'a>> {
        match self {
            Value::Node(node) => match node.system_value() {
                Some(value) => Cow::Owned(value),
                None => Cow::Borrowed(self),
            },
            other => Cow::Borrowed(other),
        }
    }

    pub fn as_node(&self) -> Option<&Node<'a>> {
        match self {
            Value::Node(node) => Some(node),
            _ => None,
        }
    }

    /// The string value of a String or a string-like primitive node.
    pub fn as_string(&self) -> Option<Cow<'_, str>> {
        match self {
            Value::String(s) => Some(Cow::Borrowed(s)),
            Value::Node(node) => match node.json {
                Some(Json::String(s)) => Some(Cow::Borrowed(s)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The System type name of a value (`Integer`, `String`, ...), or `None` for nodes.
    pub fn system_type_name(&self) -> Option<&'static str> {
        Some(match self {
            Value::Boolean(_) => "Boolean",
            Value::Integer(_) => "Integer",
            Value::Decimal(_) => "Decimal",
            Value::String(_) => "String",
            Value::Date(_) => "Date",
            Value::DateTime(_) => "DateTime",
            Value::Time(_) => "Time",
            Value::Quantity(_) => "Quantity",
            Value::TypeInfo { .. } => "TypeInfo",
            Value::Node(_) => return None,
        })
    }

    /// FHIRPath's string form of a System value (as `toString()` gives it).
    pub fn to_display_string(&self) -> Option<String> {
        match &*self.to_system() {
            Value::Boolean(b) => Some(b.to_string()),
            Value::Integer(i) => Some(i.to_string()),
            Value::Decimal(d) => Some(d.to_string()),
            Value::String(s) => Some(s.clone()),
            Value::Date(d) | Value::DateTime(d) => Some(d.to_string()),
            Value::Time(t) => Some(t.to_string()),
            Value::Quantity(q) => Some(q.to_string()),
            _ => None,
        }
    }
}
