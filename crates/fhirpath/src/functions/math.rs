//! Math functions (`abs`, `ceiling`, `exp`, `floor`, `ln`, `log`, `power`, `round`,
//! `sqrt`, `truncate`) and the precision family (`lowBoundary`, `highBoundary`,
//! `precision`, `comparable`).
//!
//! Results that are not real numbers (`sqrt(-1)`, `(-1).power(0.5)`) are empty, as
//! the spec says, rather than errors.

use super::Call;
use crate::decimal::Decimal;
use crate::error::Error;
use crate::quantity::Quantity;
use crate::value::{Collection, Value};

/// The most digits a decimal boundary may ask for.
const MAX_BOUNDARY_PRECISION: i64 = 31;
const DEFAULT_DECIMAL_BOUNDARY_PRECISION: i64 = 8;

/// The smallest/largest decimal the input could denote, at `precision` digits.
fn decimal_boundary(value: Decimal, precision: i64, high: bool) -> Option<Decimal> {
    if !(0..=MAX_BOUNDARY_PRECISION).contains(&precision) {
        return None;
    }
    if value.is_negative() {
        return decimal_boundary(value.neg(), precision, !high).map(|d| d.neg());
    }
    let digits = precision as u32;
    let half_step = Decimal::new(5, value.scale().saturating_add(1));
    if high {
        value.checked_add(&half_step)?.round(digits)
    } else {
        value.checked_sub(&half_step)?.floor_to(digits)
    }
}

fn from_f64<'a>(value: f64) -> Collection<'a> {
    Decimal::from_f64(value)
        .map(Value::Decimal)
        .into_iter()
        .collect()
}

fn number(value: &Value<'_>) -> Option<Decimal> {
    match value {
        Value::Integer(i) => Some(Decimal::from_i64(*i)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

fn to_integer<'a>(value: Option<Decimal>) -> Result<Collection<'a>, Error> {
    let value = value.ok_or_else(|| Error::Evaluation("number out of range".into()))?;
    let integer = value
        .as_exact_i64()
        .ok_or_else(|| Error::Evaluation("number out of range".into()))?;
    Ok(vec![Value::Integer(integer)])
}

pub(super) fn call<'a>(call: &Call<'_, '_, 'a>) -> Result<Option<Collection<'a>>, Error> {
    let arity = match call.name {
        "abs" | "ceiling" | "exp" | "floor" | "ln" | "sqrt" | "truncate" | "precision" => (0, 0),
        "log" | "power" | "comparable" => (1, 1),
        "round" | "lowBoundary" | "highBoundary" => (0, 1),
        _ => return Ok(None),
    };
    call.arity(arity.0, arity.1)?;
    let Some(item) = call.single_input()? else {
        return Ok(Some(Vec::new()));
    };
    let item = crate::eval::equality_operand(item).into_owned();
    let not_a_number = || Error::type_error(format!("{}() needs a number", call.name));
    let result = match call.name {
        "abs" => match &item {
            Value::Integer(i) => {
                vec![Value::Integer(i.checked_abs().ok_or_else(|| {
                    Error::Evaluation("integer overflow".into())
                })?)]
            }
            Value::Decimal(d) => vec![Value::Decimal(d.abs())],
            Value::Quantity(q) => vec![Value::Quantity(Quantity::new(
                q.value.abs(),
                q.unit.clone(),
            ))],
            _ => return Err(not_a_number()),
        },
        "ceiling" => to_integer(number(&item).ok_or_else(not_a_number)?.ceil_to(0))?,
        "floor" => to_integer(number(&item).ok_or_else(not_a_number)?.floor_to(0))?,
        "truncate" => to_integer(number(&item).ok_or_else(not_a_number)?.truncate_to(0))?,
        "round" => {
            let digits = call.integer_arg(0)?.unwrap_or(0);
            let digits = u32::try_from(digits)
                .map_err(|_| Error::Evaluation("round() precision must be >= 0".into()))?;
            let value = number(&item).ok_or_else(not_a_number)?;
            value
                .round(digits)
                .map(Value::Decimal)
                .into_iter()
                .collect()
        }
        "exp" => from_f64(number(&item).ok_or_else(not_a_number)?.to_f64().exp()),
        "ln" => from_f64(number(&item).ok_or_else(not_a_number)?.to_f64().ln()),
        "sqrt" => from_f64(number(&item).ok_or_else(not_a_number)?.to_f64().sqrt()),
        "log" => {
            let base = match call.single_arg(0)? {
                Some(b) => number(&b).ok_or_else(not_a_number)?,
                None => return Ok(Some(Vec::new())),
            };
            let value = number(&item).ok_or_else(not_a_number)?;
            from_f64(value.to_f64().ln() / base.to_f64().ln())
        }
        "power" => {
            let Some(exponent) = call.single_arg(0)? else {
                return Ok(Some(Vec::new()));
            };
            match (&item, &exponent) {
                (Value::Integer(b), Value::Integer(e)) if *e >= 0 => u32::try_from(*e)
                    .ok()
                    .and_then(|e| b.checked_pow(e))
                    .map(Value::Integer)
                    .into_iter()
                    .collect(),
                _ => {
                    let b = number(&item).ok_or_else(not_a_number)?;
                    let e = number(&exponent).ok_or_else(not_a_number)?;
                    from_f64(b.to_f64().powf(e.to_f64()))
                }
            }
        }
        "precision" => match &item {
            Value::Decimal(d) => vec![Value::Integer(i64::from(d.scale()))],
            Value::Integer(_) => vec![Value::Integer(0)],
            Value::Date(d) | Value::DateTime(d) => vec![Value::Integer(d.precision_digits())],
            Value::Time(t) => vec![Value::Integer(t.precision_digits())],
            _ => return Err(not_a_number()),
        },
        "comparable" => match (&item, call.single_arg(0)?) {
            (Value::Quantity(a), Some(Value::Quantity(b))) => {
                vec![Value::Boolean(a.comparable(&b))]
            }
            (_, None) => Vec::new(),
            _ => return Err(Error::type_error("comparable() needs quantities")),
        },
        _ => {
            let high = call.name == "highBoundary";
            let precision = call.integer_arg(0)?;
            let decimal = |d: Decimal| {
                decimal_boundary(
                    d,
                    precision.unwrap_or(DEFAULT_DECIMAL_BOUNDARY_PRECISION),
                    high,
                )
            };
            match &item {
                Value::Integer(_) | Value::Decimal(_) => number(&item)
                    .and_then(decimal)
                    .map(Value::Decimal)
                    .into_iter()
                    .collect(),
                Value::Quantity(q) => decimal(q.value)
                    .map(|v| Value::Quantity(Quantity::new(v, q.unit.clone())))
                    .into_iter()
                    .collect(),
                Value::Date(d) => d
                    .boundary(precision.unwrap_or(8), high, true)
                    .map(Value::Date)
                    .into_iter()
                    .collect(),
                Value::DateTime(d) => d
                    .boundary(precision.unwrap_or(17), high, false)
                    .map(Value::DateTime)
                    .into_iter()
                    .collect(),
                Value::Time(t) => t
                    .boundary(precision.unwrap_or(9), high)
                    .map(Value::Time)
                    .into_iter()
                    .collect(),
                _ => return Err(not_a_number()),
            }
        }
    };
    Ok(Some(result))
}
