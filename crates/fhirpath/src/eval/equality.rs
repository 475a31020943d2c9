//! Equality (`=`), equivalence (`~`) and ordering of single items.
//!
//! `equals` answers `None` when FHIRPath says "unknown" (temporal values that differ
//! only in precision, quantities in incomparable units). `compare` errors on types
//! that cannot be ordered against each other, as the spec requires.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value as Json;

use crate::decimal::Decimal;
use crate::error::Error;
use crate::quantity::Quantity;
use crate::temporal::{DateTime, compare_datetimes, compare_times};
use crate::value::{Node, Value};

/// A FHIR Quantity-like node (Quantity, Age, Duration, ...) as a System Quantity.
pub(crate) fn quantity_of(node: &Node<'_>) -> Option<Quantity> {
    let json = node.json?;
    if !json.is_object() || json.get("value").is_none() {
        return None;
    }
    node.quantity_value()
}

/// The value operators work on: System values for primitives and quantities.
pub(crate) fn operand<'v, 'a>(value: &'v Value<'a>) -> Cow<'v, Value<'a>> {
    match value {
        Value::Node(node) if node.is_complex() => match node.type_name() {
            Some("Quantity" | "Age" | "Duration" | "Distance" | "Count" | "SimpleQuantity")
            | None => match quantity_of(node) {
                Some(q) => Cow::Owned(Value::Quantity(q)),
                None => Cow::Borrowed(value),
            },
            Some(_) => Cow::Borrowed(value),
        },
        _ => value.to_system(),
    }
}

fn as_decimal(value: &Value<'_>) -> Option<Decimal> {
    match value {
        Value::Integer(i) => Some(Decimal::from_i64(*i)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

/// Untyped JSON strings may hold dates; compare them as dates against dates.
fn string_as_datetime(s: &str) -> Option<DateTime> {
    DateTime::parse_datetime(s)
}

fn temporal_pair(a: &Value<'_>, b: &Value<'_>) -> Option<(DateTime, DateTime)> {
    let pick = |v: &Value<'_>, other_is_temporal: bool| match v {
        Value::Date(d) | Value::DateTime(d) => Some(*d),
        Value::String(s) if other_is_temporal => string_as_datetime(s),
        _ => None,
    };
    let a_temporal = matches!(a, Value::Date(_) | Value::DateTime(_));
    let b_temporal = matches!(b, Value::Date(_) | Value::DateTime(_));
    if !a_temporal && !b_temporal {
        return None;
    }
    Some((pick(a, b_temporal)?, pick(b, a_temporal)?))
}

/// `=` on single items; `None` means unknown (an empty result).
pub(crate) fn equals(a: &Value<'_>, b: &Value<'_>) -> Option<bool> {
    let (a, b) = (operand(a), operand(b));
    if let (Some(x), Some(y)) = (as_decimal(&a), as_decimal(&b)) {
        return Some(x.cmp_value(&y) == Ordering::Equal);
    }
    if let Some((x, y)) = temporal_pair(&a, &b) {
        return compare_datetimes(&x, &y).map(|o| o == Ordering::Equal);
    }
    match (&*a, &*b) {
        (Value::Boolean(x), Value::Boolean(y)) => Some(x == y),
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::Time(x), Value::Time(y)) => compare_times(x, y).map(|o| o == Ordering::Equal),
        (Value::Quantity(x), Value::Quantity(y)) => x
            .common_values(y)
            .map(|(p, q)| p.cmp_value(&q) == Ordering::Equal),
        (Value::Node(x), Value::Node(y)) => Some(x.json.is_some() && x.json == y.json),
        (
            Value::TypeInfo {
                namespace: n1,
                name: t1,
            },
            Value::TypeInfo {
                namespace: n2,
                name: t2,
            },
        ) => Some(n1 == n2 && t1 == t2),
        _ => Some(false),
    }
}

/// Decimal equivalence: equal when rounded to the less precise operand's scale.
fn decimals_equivalent(x: &Decimal, y: &Decimal) -> bool {
    let scale = x.scale().min(y.scale());
    match (x.round(scale), y.round(scale)) {
        (Some(p), Some(q)) => p.cmp_value(&q) == Ordering::Equal,
        _ => false,
    }
}

fn normalize_whitespace(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// How deep `~` follows complex elements; JSON from serde_json is at most 128 deep,
/// but a caller may build deeper values by hand.
const MAX_EQUIVALENCE_DEPTH: usize = 128;

/// Equivalence of two JSON element trees: strings by normalized text, numbers by
/// decimal equivalence, objects property by property, arrays in any order.
fn json_equivalent(a: &Json, b: &Json, depth: usize) -> bool {
    if depth > MAX_EQUIVALENCE_DEPTH {
        return false;
    }
    match (a, b) {
        (Json::String(x), Json::String(y)) => normalize_whitespace(x) == normalize_whitespace(y),
        (Json::Number(x), Json::Number(y)) => {
            match (
                Decimal::parse(&x.to_string()),
                Decimal::parse(&y.to_string()),
            ) {
                (Some(p), Some(q)) => decimals_equivalent(&p, &q),
                _ => x == y,
            }
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(key, value)| {
                    y.get(key)
                        .is_some_and(|other| json_equivalent(value, other, depth + 1))
                })
        }
        (Json::Array(x), Json::Array(y)) => {
            let mut used = vec![false; y.len()];
            x.len() == y.len()
                && x.iter().all(|item| {
                    let found = y
                        .iter()
                        .enumerate()
                        .position(|(i, other)| !used[i] && json_equivalent(item, other, depth + 1));
                    found.map(|i| used[i] = true).is_some()
                })
        }
        _ => a == b,
    }
}

/// `~` on single items.
pub(crate) fn equivalent(a: &Value<'_>, b: &Value<'_>) -> bool {
    let (a, b) = (operand(a), operand(b));
    if let (Some(x), Some(y)) = (as_decimal(&a), as_decimal(&b)) {
        return decimals_equivalent(&x, &y);
    }
    if let Some((x, y)) = temporal_pair(&a, &b) {
        return x.precision.min(crate::temporal::Precision::Second)
            == y.precision.min(crate::temporal::Precision::Second)
            && compare_datetimes(&x, &y) == Some(Ordering::Equal);
    }
    match (&*a, &*b) {
        (Value::String(x), Value::String(y)) => normalize_whitespace(x) == normalize_whitespace(y),
        (Value::Quantity(x), Value::Quantity(y)) => match x.common_values(y) {
            Some((p, q)) => decimals_equivalent(&p, &q),
            None => false,
        },
        (Value::Time(x), Value::Time(y)) => {
            x.precision == y.precision && compare_times(x, y) == Some(Ordering::Equal)
        }
        (Value::Node(x), Value::Node(y)) => match (x.json, y.json) {
            (Some(p), Some(q)) => json_equivalent(p, q, 0),
            _ => false,
        },
        _ => equals(&a, &b).unwrap_or(false),
    }
}

/// Ordering for `<`, `>`, `<=`, `>=`; `Ok(None)` when unknown, `Err` when the
/// operands cannot be compared at all.
pub(crate) fn compare(a: &Value<'_>, b: &Value<'_>) -> Result<Option<Ordering>, Error> {
    let (a, b) = (operand(a), operand(b));
    if let (Some(x), Some(y)) = (as_decimal(&a), as_decimal(&b)) {
        return Ok(Some(x.cmp_value(&y)));
    }
    if let Some((x, y)) = temporal_pair(&a, &b) {
        return Ok(compare_datetimes(&x, &y));
    }
    match (&*a, &*b) {
        (Value::String(x), Value::String(y)) => Ok(Some(x.cmp(y))),
        (Value::Time(x), Value::Time(y)) => Ok(compare_times(x, y)),
        (Value::Quantity(x), Value::Quantity(y)) => {
            Ok(x.common_values(y).map(|(p, q)| p.cmp_value(&q)))
        }
        _ => Err(Error::type_error(format!(
            "cannot compare {} with {}",
            describe(&a),
            describe(&b)
        ))),
    }
}

pub(crate) fn describe(value: &Value<'_>) -> String {
    match value {
        Value::Node(node) => node.type_name().unwrap_or("an element").to_string(),
        other => other.system_type_name().unwrap_or("a value").to_string(),
    }
}
