//! Subsetting and combining: `single`, `first`, `last`, `tail`, `skip`, `take`,
//! `intersect`, `exclude`, `union`, `combine`.

use super::Call;
use super::existence::distinct;
use crate::error::Error;
use crate::eval::equals;
use crate::value::Collection;

fn count_arg(call: &Call<'_, '_, '_>) -> Result<usize, Error> {
    call.arity(1, 1)?;
    let n = call.integer_arg(0)?.unwrap_or(0);
    Ok(usize::try_from(n.max(0)).unwrap_or(usize::MAX))
}

pub(super) fn call<'a>(call: &Call<'_, '_, 'a>) -> Result<Option<Collection<'a>>, Error> {
    let input = call.input;
    Ok(Some(match call.name {
        "single" => {
            call.arity(0, 0)?;
            match input.len() {
                0 | 1 => input.clone(),
                n => {
                    return Err(Error::type_error(format!("single() found {n} items")));
                }
            }
        }
        "first" => {
            call.arity(0, 0)?;
            input.first().cloned().into_iter().collect()
        }
        "last" => {
            call.arity(0, 0)?;
            input.last().cloned().into_iter().collect()
        }
        "tail" => {
            call.arity(0, 0)?;
            input.iter().skip(1).cloned().collect()
        }
        "skip" => {
            let n = count_arg(call)?;
            input.iter().skip(n).cloned().collect()
        }
        "take" => {
            let n = count_arg(call)?;
            input.iter().take(n).cloned().collect()
        }
        "intersect" => {
            call.arity(1, 1)?;
            let other = call.arg(0)?;
            let common: Collection<'a> = input
                .iter()
                .filter(|i| other.iter().any(|o| equals(i, o) == Some(true)))
                .cloned()
                .collect();
            distinct(&common)
        }
        "exclude" => {
            call.arity(1, 1)?;
            let other = call.arg(0)?;
            input
                .iter()
                .filter(|i| !other.iter().any(|o| equals(i, o) == Some(true)))
                .cloned()
                .collect()
        }
        "union" => {
            call.arity(1, 1)?;
            let mut out = Vec::new();
            crate::eval::union_into(&mut out, input.clone());
            crate::eval::union_into(&mut out, call.arg(0)?);
            out
        }
        "combine" => {
            call.arity(1, 1)?;
            let mut out = input.clone();
            out.extend(call.arg(0)?);
            out
        }
        _ => return Ok(None),
    }))
}
