//! String functions: `indexOf`, `substring`, `startsWith`, `endsWith`, `contains`,
//! `upper`, `lower`, `replace`, `matches`, `matchesFull`, `replaceMatches`, `length`,
//! `toChars`, `trim`, `split`, `join`, `encode`, `decode`, `escape`, `unescape`.
//!
//! Positions and lengths count Unicode scalar values, not bytes. Regular expressions
//! run in single-line mode (`.` matches newlines) as FHIRPath specifies.

use regex::{Regex, RegexBuilder};

use super::Call;
use super::encoding::{decode, encode, escape, unescape};
use crate::error::Error;
use crate::value::{Collection, Value};

/// Compiled-regex size cap: a pattern from an expression must not eat the heap.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// How many compiled patterns one evaluation keeps.
const REGEX_CACHE_LIMIT: usize = 32;

fn regex(call: &Call<'_, '_, '_>, pattern: &str, anchored: bool) -> Result<Regex, Error> {
    let pattern = if anchored {
        format!("^(?:{pattern})$")
    } else {
        pattern.to_string()
    };
    if let Some(found) = call.ev.regexes.borrow().get(&pattern) {
        return Ok(found.clone());
    }
    let compiled = RegexBuilder::new(&pattern)
        .dot_matches_new_line(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| Error::Evaluation(format!("invalid regular expression: {e}")))?;
    let mut cache = call.ev.regexes.borrow_mut();
    if cache.len() < REGEX_CACHE_LIMIT {
        cache.insert(pattern, compiled.clone());
    }
    Ok(compiled)
}

fn input_string(call: &Call<'_, '_, '_>) -> Result<Option<String>, Error> {
    match call.single_input()? {
        None => Ok(None),
        Some(item) => match item.as_string() {
            Some(s) => Ok(Some(s.into_owned())),
            None => Err(Error::type_error(format!(
                "{}() needs a String input",
                call.name
            ))),
        },
    }
}

fn string<'a>(s: String) -> Collection<'a> {
    vec![Value::String(s)]
}

fn boolean<'a>(b: bool) -> Collection<'a> {
    vec![Value::Boolean(b)]
}

pub(super) fn call<'a>(call: &Call<'_, '_, 'a>) -> Result<Option<Collection<'a>>, Error> {
    let arity: (usize, usize) = match call.name {
        "upper" | "lower" | "length" | "toChars" | "trim" => (0, 0),
        "indexOf" | "startsWith" | "endsWith" | "contains" | "matches" | "matchesFull"
        | "split" | "encode" | "decode" | "escape" | "unescape" => (1, 1),
        "substring" => (1, 2),
        "replace" | "replaceMatches" => (2, 2),
        "join" => (0, 1),
        _ => return Ok(None),
    };
    call.arity(arity.0, arity.1)?;
    if call.name == "join" {
        let separator = call.string_arg(0)?.unwrap_or_default();
        let parts: Result<Vec<String>, Error> = call
            .input
            .iter()
            .map(|item| {
                item.as_string()
                    .map(|s| s.into_owned())
                    .ok_or_else(|| Error::type_error("join() needs String items"))
            })
            .collect();
        return Ok(Some(string(parts?.join(&separator))));
    }
    let Some(s) = input_string(call)? else {
        return Ok(Some(Vec::new()));
    };
    let result = match call.name {
        "upper" => string(s.to_uppercase()),
        "lower" => string(s.to_lowercase()),
        "length" => vec![Value::Integer(s.chars().count() as i64)],
        "toChars" => s.chars().map(|c| Value::String(c.to_string())).collect(),
        "trim" => string(s.trim().to_string()),
        "substring" => {
            let Some(start) = call.integer_arg(0)? else {
                return Ok(Some(Vec::new()));
            };
            let length = call.integer_arg(1)?;
            let count = s.chars().count() as i64;
            if start < 0 || start >= count {
                return Ok(Some(Vec::new()));
            }
            let take = match length {
                Some(n) => usize::try_from(n.max(0)).unwrap_or(0),
                None => usize::MAX,
            };
            string(s.chars().skip(start as usize).take(take).collect())
        }
        _ => {
            // Every remaining function takes a String first argument; empty -> empty.
            let Some(arg) = call.string_arg(0)? else {
                return Ok(Some(Vec::new()));
            };
            match call.name {
                "indexOf" => vec![Value::Integer(match s.find(&arg) {
                    Some(byte) => s[..byte].chars().count() as i64,
                    None => -1,
                })],
                "startsWith" => boolean(s.starts_with(&arg)),
                "endsWith" => boolean(s.ends_with(&arg)),
                "contains" => boolean(s.contains(&arg)),
                "matches" => boolean(regex(call, &arg, false)?.is_match(&s)),
                "matchesFull" => boolean(regex(call, &arg, true)?.is_match(&s)),
                "split" => s
                    .split(arg.as_str())
                    .map(|p| Value::String(p.to_string()))
                    .collect(),
                "encode" => encode(&s, &arg)?.map(string).unwrap_or_default(),
                "decode" => decode(&s, &arg)?.map(string).unwrap_or_default(),
                "escape" => escape(&s, &arg).map(string).unwrap_or_default(),
                "unescape" => unescape(&s, &arg).map(string).unwrap_or_default(),
                "replace" | "replaceMatches" => {
                    let Some(replacement) = call.string_arg(1)? else {
                        return Ok(Some(Vec::new()));
                    };
                    if call.name == "replace" {
                        string(s.replace(&arg, &replacement))
                    } else if arg.is_empty() {
                        string(s)
                    } else {
                        string(
                            regex(call, &arg, false)?
                                .replace_all(&s, replacement.as_str())
                                .into_owned(),
                        )
                    }
                }
                _ => return Ok(None),
            }
        }
    };
    Ok(Some(result))
}
