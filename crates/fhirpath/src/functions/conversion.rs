//! Conversion functions: `toX()` and `convertsToX()` for Boolean, Integer, Decimal,
//! String, Date, DateTime, Time and Quantity, following the FHIRPath conversion table.

use super::Call;
use crate::decimal::Decimal;
use crate::error::Error;
use crate::quantity::Quantity;
use crate::temporal::{DateTime, Precision, Time};
use crate::value::{Collection, Value};

fn is_integer_text(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn to_boolean(value: &Value<'_>) -> Option<bool> {
    match value {
        Value::Boolean(b) => Some(*b),
        Value::Integer(1) => Some(true),
        Value::Integer(0) => Some(false),
        Value::Decimal(d) if d.cmp_value(&Decimal::from_i64(1)).is_eq() => Some(true),
        Value::Decimal(d) if d.is_zero() => Some(false),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "t" | "yes" | "y" | "1" | "1.0" => Some(true),
            "false" | "f" | "no" | "n" | "0" | "0.0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn to_integer(value: &Value<'_>) -> Option<i64> {
    match value {
        Value::Integer(i) => Some(*i),
        Value::Boolean(b) => Some(i64::from(*b)),
        Value::String(s) if is_integer_text(s) => s.parse().ok(),
        _ => None,
    }
}

fn to_decimal(value: &Value<'_>) -> Option<Decimal> {
    match value {
        Value::Integer(i) => Some(Decimal::from_i64(*i)),
        Value::Decimal(d) => Some(*d),
        Value::Boolean(b) => Some(Decimal::from_i64(i64::from(*b))),
        Value::String(s) if !s.contains(['e', 'E']) => Decimal::parse(s),
        _ => None,
    }
}

fn to_date(value: &Value<'_>) -> Option<DateTime> {
    match value {
        Value::Date(d) => Some(*d),
        Value::DateTime(d) => Some(DateTime {
            precision: d.precision.min(Precision::Day),
            offset_minutes: None,
            ..*d
        }),
        Value::String(s) => DateTime::parse_date(s)
            .or_else(|| to_date(&Value::DateTime(DateTime::parse_datetime(s)?))),
        _ => None,
    }
}

fn to_datetime(value: &Value<'_>) -> Option<DateTime> {
    match value {
        Value::Date(d) | Value::DateTime(d) => Some(*d),
        Value::String(s) => DateTime::parse_datetime(s),
        _ => None,
    }
}

fn to_time(value: &Value<'_>) -> Option<Time> {
    match value {
        Value::Time(t) => Some(*t),
        Value::String(s) => Time::parse(s),
        _ => None,
    }
}

fn to_quantity(value: &Value<'_>) -> Option<Quantity> {
    match value {
        Value::Integer(i) => Some(Quantity::new(Decimal::from_i64(*i), "1")),
        Value::Decimal(d) => Some(Quantity::new(*d, "1")),
        Value::Boolean(b) => Some(Quantity::new(
            Decimal::parse(if *b { "1.0" } else { "0.0" })?,
            "1",
        )),
        Value::Quantity(q) => Some(q.clone()),
        Value::String(s) => Quantity::parse(s),
        _ => None,
    }
}

/// The converted value, or `None` when the input does not convert.
fn convert<'a>(
    call: &Call<'_, '_, 'a>,
    target: &str,
    value: &Value<'a>,
) -> Result<Option<Value<'a>>, Error> {
    let value = crate::eval::equality_operand(value);
    let value = value.as_ref();
    Ok(match target {
        "Boolean" => to_boolean(value).map(Value::Boolean),
        "Integer" => to_integer(value).map(Value::Integer),
        "Decimal" => to_decimal(value).map(Value::Decimal),
        "String" => value.to_display_string().map(Value::String),
        "Date" => to_date(value).map(Value::Date),
        "DateTime" => to_datetime(value).map(Value::DateTime),
        "Time" => to_time(value).map(Value::Time),
        "Quantity" => {
            let Some(quantity) = to_quantity(value) else {
                return Ok(None);
            };
            match call.string_arg(0)? {
                None => Some(Value::Quantity(quantity)),
                Some(unit) => {
                    let target = Quantity::new(Decimal::from_i64(1), unit.clone());
                    target
                        .convert_to_unit_of(&quantity)
                        .map(|v| Value::Quantity(Quantity::new(v, unit)))
                }
            }
        }
        _ => None,
    })
}

pub(super) fn call<'a>(call: &Call<'_, '_, 'a>) -> Result<Option<Collection<'a>>, Error> {
    let (checking, target) = if let Some(t) = call.name.strip_prefix("convertsTo") {
        (true, t)
    } else if let Some(t) = call.name.strip_prefix("to") {
        (false, t)
    } else {
        return Ok(None);
    };
    if !matches!(
        target,
        "Boolean" | "Integer" | "Decimal" | "String" | "Date" | "DateTime" | "Time" | "Quantity"
    ) {
        return Ok(None);
    }
    call.arity(0, if target == "Quantity" { 1 } else { 0 })?;
    let Some(item) = call.single_input()? else {
        return Ok(Some(Vec::new()));
    };
    let converted = convert(call, target, item)?;
    Ok(Some(if checking {
        vec![Value::Boolean(converted.is_some())]
    } else {
        converted.into_iter().collect()
    }))
}
