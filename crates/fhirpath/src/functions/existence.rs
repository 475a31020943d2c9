//! Existence functions: `empty`, `exists`, `all`, `allTrue`/`anyTrue`/`allFalse`/
//! `anyFalse`, `subsetOf`, `supersetOf`, `count`, `distinct`, `isDistinct`, `not`.

use super::Call;
use crate::error::Error;
use crate::eval::{equals, to_boolean};
use crate::value::{Collection, Value};

fn boolean<'a>(b: bool) -> Option<Collection<'a>> {
    Some(vec![Value::Boolean(b)])
}

fn contains_item(haystack: &[Value<'_>], needle: &Value<'_>) -> bool {
    haystack.iter().any(|h| equals(h, needle) == Some(true))
}

/// Every input item must be a Boolean for the `all*`/`any*` family.
fn booleans(call: &Call<'_, '_, '_>) -> Result<Vec<bool>, Error> {
    call.input
        .iter()
        .map(|item| match &*item.to_system() {
            Value::Boolean(b) => Ok(*b),
            _ => Err(Error::type_error(format!(
                "{}() needs Boolean items",
                call.name
            ))),
        })
        .collect()
}

pub(super) fn distinct<'a>(items: &[Value<'a>]) -> Collection<'a> {
    let mut out: Collection<'a> = Vec::new();
    for item in items {
        if !contains_item(&out, item) {
            out.push(item.clone());
        }
    }
    out
}

pub(super) fn call<'a>(call: &Call<'_, '_, 'a>) -> Result<Option<Collection<'a>>, Error> {
    let input = call.input;
    Ok(match call.name {
        "empty" => {
            call.arity(0, 0)?;
            boolean(input.is_empty())
        }
        "exists" => {
            call.arity(0, 1)?;
            if call.args.is_empty() {
                return Ok(boolean(!input.is_empty()));
            }
            let mut found = false;
            call.per_item(0, |_, _, result| {
                found = to_boolean(&result, "exists() criteria")? == Some(true);
                Ok(!found)
            })?;
            boolean(found)
        }
        "all" => {
            call.arity(1, 1)?;
            let mut all = true;
            call.per_item(0, |_, _, result| {
                all = to_boolean(&result, "all() criteria")? == Some(true);
                Ok(all)
            })?;
            boolean(all)
        }
        "allTrue" => boolean(booleans(call)?.iter().all(|b| *b)),
        "anyTrue" => boolean(booleans(call)?.iter().any(|b| *b)),
        "allFalse" => boolean(booleans(call)?.iter().all(|b| !*b)),
        "anyFalse" => boolean(booleans(call)?.iter().any(|b| !*b)),
        "subsetOf" => {
            call.arity(1, 1)?;
            let other = call.arg(0)?;
            boolean(input.iter().all(|i| contains_item(&other, i)))
        }
        "supersetOf" => {
            call.arity(1, 1)?;
            let other = call.arg(0)?;
            boolean(other.iter().all(|i| contains_item(input, i)))
        }
        "count" => {
            call.arity(0, 0)?;
            Some(vec![Value::Integer(
                i64::try_from(input.len()).unwrap_or(i64::MAX),
            )])
        }
        "distinct" => {
            call.arity(0, 0)?;
            Some(distinct(input))
        }
        "isDistinct" => {
            call.arity(0, 0)?;
            boolean(distinct(input).len() == input.len())
        }
        "not" => {
            call.arity(0, 0)?;
            Some(
                to_boolean(input, "not()")?
                    .map(|b| Value::Boolean(!b))
                    .into_iter()
                    .collect(),
            )
        }
        _ => None,
    })
}
