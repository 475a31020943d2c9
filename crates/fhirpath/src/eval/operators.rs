//! Operators: arithmetic, string concatenation, comparison, equality on
//! collections, union and membership, and three-valued Boolean logic.

use std::cmp::Ordering;

use super::equality::describe;
use super::{compare, equals, equivalent, to_boolean};
use crate::ast::BinaryOp;
use crate::decimal::Decimal;
use crate::error::Error;
use crate::quantity::Quantity;
use crate::temporal_arith::{add_to_datetime, add_to_time};
use crate::value::{Collection, Value};

fn single<'c, 'a>(items: &'c [Value<'a>], op: &str) -> Result<Option<&'c Value<'a>>, Error> {
    match items {
        [] => Ok(None),
        [item] => Ok(Some(item)),
        _ => Err(Error::type_error(format!(
            "operator {op} needs single items, got {}",
            items.len()
        ))),
    }
}

pub(super) fn unary<'a>(negate: bool, items: &[Value<'a>]) -> Result<Collection<'a>, Error> {
    let Some(item) = single(items, if negate { "-" } else { "+" })? else {
        return Ok(Vec::new());
    };
    let value = match (&*item.to_system(), negate) {
        (Value::Integer(i), true) => Value::Integer(
            i.checked_neg()
                .ok_or_else(|| Error::Evaluation("integer overflow".into()))?,
        ),
        (Value::Decimal(d), true) => Value::Decimal(d.neg()),
        (Value::Quantity(q), true) => Value::Quantity(Quantity::new(q.value.neg(), q.unit.clone())),
        (v @ (Value::Integer(_) | Value::Decimal(_) | Value::Quantity(_)), false) => v.clone(),
        (other, _) => {
            return Err(Error::type_error(format!(
                "unary sign needs a number, got {}",
                describe(other)
            )));
        }
    };
    Ok(vec![value])
}

fn decimal_of(value: &Value<'_>) -> Option<Decimal> {
    match value {
        Value::Integer(i) => Some(Decimal::from_i64(*i)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

fn overflow() -> Error {
    Error::Evaluation("arithmetic overflow".into())
}

/// `+ - * / div mod` on two single System values; `Ok(None)` for an empty result
/// (division by zero).
fn arithmetic<'a>(op: BinaryOp, a: &Value<'a>, b: &Value<'a>) -> Result<Option<Value<'a>>, Error> {
    use BinaryOp::*;
    let a = super::equality_operand(a);
    let b = super::equality_operand(b);
    match (op, &*a, &*b) {
        (Add, Value::Integer(x), Value::Integer(y)) => Ok(Some(Value::Integer(
            x.checked_add(*y).ok_or_else(overflow)?,
        ))),
        (Subtract, Value::Integer(x), Value::Integer(y)) => Ok(Some(Value::Integer(
            x.checked_sub(*y).ok_or_else(overflow)?,
        ))),
        (Multiply, Value::Integer(x), Value::Integer(y)) => Ok(Some(Value::Integer(
            x.checked_mul(*y).ok_or_else(overflow)?,
        ))),
        // Rust's integer division truncates toward zero, as FHIRPath's div does.
        (Div, Value::Integer(x), Value::Integer(y)) => Ok(x.checked_div(*y).map(Value::Integer)),
        (Mod, Value::Integer(x), Value::Integer(y)) => Ok(x.checked_rem(*y).map(Value::Integer)),
        (Add, Value::String(x), Value::String(y)) => Ok(Some(Value::String(format!("{x}{y}")))),
        (Add | Subtract, Value::Date(d), Value::Quantity(q)) => {
            let mut result = add_to_datetime(d, q, op == Subtract)?;
            result.precision = d.precision;
            Ok(Some(Value::Date(result)))
        }
        (Add | Subtract, Value::DateTime(d), Value::Quantity(q)) => Ok(Some(Value::DateTime(
            add_to_datetime(d, q, op == Subtract)?,
        ))),
        (Add | Subtract, Value::Time(t), Value::Quantity(q)) => {
            Ok(Some(Value::Time(add_to_time(t, q, op == Subtract)?)))
        }
        (Add | Subtract, Value::Quantity(x), Value::Quantity(y)) => {
            let Some(other) = x.convert_to_unit_of(y) else {
                return Ok(None);
            };
            let value = if op == Add {
                x.value.checked_add(&other)
            } else {
                x.value.checked_sub(&other)
            };
            Ok(Some(Value::Quantity(Quantity::new(
                value.ok_or_else(overflow)?,
                x.unit.clone(),
            ))))
        }
        (Multiply | Divide, Value::Quantity(x), Value::Quantity(y)) => {
            if op == Divide && y.value.is_zero() {
                return Ok(None);
            }
            Ok(x.multiply(y, op == Divide).map(Value::Quantity))
        }
        (Multiply | Divide, Value::Quantity(q), n) if decimal_of(n).is_some() => {
            let n = decimal_of(n).unwrap_or(Decimal::ZERO);
            let value = if op == Multiply {
                q.value.checked_mul(&n)
            } else {
                q.value.checked_div(&n)
            };
            Ok(value.map(|v| Value::Quantity(Quantity::new(v, q.unit.clone()))))
        }
        (Multiply, n, Value::Quantity(q)) if decimal_of(n).is_some() => {
            let n = decimal_of(n).unwrap_or(Decimal::ZERO);
            Ok(q.value
                .checked_mul(&n)
                .map(|v| Value::Quantity(Quantity::new(v, q.unit.clone()))))
        }
        (_, x, y) => {
            let (Some(x), Some(y)) = (decimal_of(x), decimal_of(y)) else {
                return Err(Error::type_error(format!(
                    "cannot apply {op:?} to {} and {}",
                    describe(x),
                    describe(y)
                )));
            };
            let result = match op {
                Add => Some(x.checked_add(&y).ok_or_else(overflow)?),
                Subtract => Some(x.checked_sub(&y).ok_or_else(overflow)?),
                Multiply => Some(x.checked_mul(&y).ok_or_else(overflow)?),
                Divide => x.checked_div(&y),
                Div => {
                    if y.is_zero() {
                        None
                    } else {
                        let q = x.checked_div(&y).ok_or_else(overflow)?;
                        return Ok(q.to_i64_truncated().map(Value::Integer));
                    }
                }
                Mod => {
                    if y.is_zero() {
                        None
                    } else {
                        let q = x.checked_div(&y).ok_or_else(overflow)?.truncate_to(0);
                        let product = q.and_then(|q| q.checked_mul(&y)).ok_or_else(overflow)?;
                        Some(x.checked_sub(&product).ok_or_else(overflow)?)
                    }
                }
                _ => None,
            };
            Ok(result.map(Value::Decimal))
        }
    }
}

fn boolean<'a>(value: Option<bool>) -> Collection<'a> {
    value.map(Value::Boolean).into_iter().collect()
}

/// Collection `=`: empty when either side is empty, else item-wise in order.
fn collections_equal(left: &[Value<'_>], right: &[Value<'_>]) -> Option<bool> {
    if left.is_empty() || right.is_empty() {
        return None;
    }
    if left.len() != right.len() {
        return Some(false);
    }
    let mut result = Some(true);
    for (a, b) in left.iter().zip(right) {
        match equals(a, b) {
            Some(true) => {}
            Some(false) => return Some(false),
            None => result = None,
        }
    }
    result
}

/// Collection `~`: order-independent, empty ~ empty.
fn collections_equivalent(left: &[Value<'_>], right: &[Value<'_>]) -> bool {
    if left.len() != right.len() {
        return false;
    }
    let mut used = vec![false; right.len()];
    left.iter().all(|a| {
        let found = right
            .iter()
            .enumerate()
            .find(|(i, b)| !used[*i] && equivalent(a, b));
        match found {
            Some((i, _)) => {
                used[i] = true;
                true
            }
            None => false,
        }
    })
}

/// Appends the items of `more` not already in `into` (by `=`).
pub(crate) fn union_into<'a>(into: &mut Collection<'a>, more: Collection<'a>) {
    for item in more {
        if !into.iter().any(|x| equals(x, &item) == Some(true)) {
            into.push(item);
        }
    }
}

pub(super) fn binary<'a>(
    op: BinaryOp,
    left: Collection<'a>,
    right: Collection<'a>,
) -> Result<Collection<'a>, Error> {
    use BinaryOp::*;
    match op {
        Union => {
            let mut out = Vec::new();
            union_into(&mut out, left);
            union_into(&mut out, right);
            Ok(out)
        }
        Equal => Ok(boolean(collections_equal(&left, &right))),
        NotEqual => Ok(boolean(collections_equal(&left, &right).map(|b| !b))),
        Equivalent => Ok(boolean(Some(collections_equivalent(&left, &right)))),
        NotEquivalent => Ok(boolean(Some(!collections_equivalent(&left, &right)))),
        And | Or | Xor | Implies => {
            let a = to_boolean(&left, "a Boolean operator")?;
            let b = to_boolean(&right, "a Boolean operator")?;
            Ok(boolean(match op {
                And => match (a, b) {
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                },
                Or => match (a, b) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                },
                Xor => a.zip(b).map(|(x, y)| x != y),
                _ => match (a, b) {
                    (Some(false), _) | (_, Some(true)) => Some(true),
                    (Some(true), b) => b,
                    (None, _) => None,
                },
            }))
        }
        In | Contains => {
            let (needle, haystack) = if op == In {
                (left, right)
            } else {
                (right, left)
            };
            match single(&needle, "in/contains")? {
                None => Ok(Vec::new()),
                Some(item) => Ok(vec![Value::Boolean(
                    haystack.iter().any(|h| equals(item, h) == Some(true)),
                )]),
            }
        }
        Concatenate => {
            let text = |items: &[Value<'a>]| -> Result<String, Error> {
                Ok(match single(items, "&")? {
                    None => String::new(),
                    Some(v) => v
                        .to_display_string()
                        .ok_or_else(|| Error::type_error("& needs strings"))?,
                })
            };
            Ok(vec![Value::String(text(&left)? + &text(&right)?)])
        }
        LessThan | LessOrEqual | GreaterThan | GreaterOrEqual => {
            let (Some(a), Some(b)) = (single(&left, "comparison")?, single(&right, "comparison")?)
            else {
                return Ok(Vec::new());
            };
            let ordering = compare(a, b)?;
            Ok(boolean(ordering.map(|o| match op {
                LessThan => o == Ordering::Less,
                LessOrEqual => o != Ordering::Greater,
                GreaterThan => o == Ordering::Greater,
                _ => o != Ordering::Less,
            })))
        }
        Add | Subtract | Multiply | Divide | Div | Mod => {
            let (Some(a), Some(b)) = (single(&left, "arithmetic")?, single(&right, "arithmetic")?)
            else {
                return Ok(Vec::new());
            };
            Ok(arithmetic(op, a, b)?.into_iter().collect())
        }
    }
}
