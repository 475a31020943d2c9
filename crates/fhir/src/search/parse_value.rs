//! Search values by parameter type: escaping, prefixes, token and quantity
//! parts, dates as ranges, reference forms. Each function takes one value
//! (already split at unescaped commas) and either types it or says, in words
//! a user can act on, what is wrong with it.

use super::normalize::{canonical_quantity, date_range, normalize_string, number_range};
use super::{Comparison, DateRange, ParamType, StringMatch, UriMatch, ValueTest};
use crate::Definitions;

/// UCUM's code system URL: quantities in it convert to canonical units.
pub const UCUM: &str = "http://unitsofmeasure.org";

/// What the parser does with a modifier, decided per parameter type before
/// the value is read.
#[derive(Debug, Clone, PartialEq)]
pub enum Modifier {
    None,
    Exact,
    Contains,
    Text,
    Not,
    OfType,
    Identifier,
    Below,
    Above,
    /// `:Type` on a reference parameter.
    TargetType(String),
}

/// Splits `text` at each `delimiter` not escaped by a backslash. Escapes are
/// kept, so the pieces can be split again at another delimiter.
pub fn split_unescaped(text: &str, delimiter: char) -> Vec<&str> {
    let mut pieces = Vec::new();
    let (mut start, mut escaped) = (0, false);
    for (index, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == delimiter {
            pieces.push(&text[start..index]);
            start = index + c.len_utf8();
        }
    }
    pieces.push(&text[start..]);
    pieces
}

/// Removes the search escapes `\,` `\$` `\|` `\\`; any other backslash stays.
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && matches!(next, ',' | '$' | '|' | '\\')
        {
            out.push(next);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// The value of one parameter type with its modifier; `Err` is a message
/// about the value.
pub fn parse_value(
    definitions: &Definitions,
    param_type: ParamType,
    modifier: &Modifier,
    raw: &str,
) -> Result<ValueTest, String> {
    match param_type {
        ParamType::String => {
            let value = unescape(raw);
            Ok(match modifier {
                Modifier::Exact => ValueTest::String {
                    value,
                    mode: StringMatch::Exact,
                },
                Modifier::Contains => ValueTest::String {
                    value: normalize_string(&value),
                    mode: StringMatch::Contains,
                },
                _ => ValueTest::String {
                    value: normalize_string(&value),
                    mode: StringMatch::Prefix,
                },
            })
        }
        ParamType::Token => parse_token(modifier, raw),
        ParamType::Date => parse_date(raw).map(ValueTest::Date),
        ParamType::Number => {
            let (comparison, number) = split_prefix(raw)?;
            let (_, low, high) =
                number_range(number).ok_or_else(|| format!("'{number}' is not a number"))?;
            Ok(ValueTest::Number {
                comparison,
                low,
                high,
            })
        }
        ParamType::Quantity => parse_quantity(raw),
        ParamType::Reference => parse_reference(definitions, modifier, raw),
        ParamType::Uri => Ok(ValueTest::Uri {
            value: unescape(raw),
            mode: match modifier {
                Modifier::Below => UriMatch::Below,
                Modifier::Above => UriMatch::Above,
                _ => UriMatch::Exact,
            },
        }),
        ParamType::Composite | ParamType::Special => {
            Err("composite and special values are parsed by their components".into())
        }
    }
}

/// `code`, `system|code`, `|code`, `system|`; `:text` takes the whole value
/// as text; `:of-type` takes `system|code|value`.
fn parse_token(modifier: &Modifier, raw: &str) -> Result<ValueTest, String> {
    let mut test = ValueTest::Token {
        system: None,
        code: None,
        not: *modifier == Modifier::Not,
        text: None,
        of_type: None,
    };
    let ValueTest::Token {
        system,
        code,
        text,
        of_type,
        ..
    } = &mut test
    else {
        return Err("unreachable token shape".into());
    };
    match modifier {
        Modifier::Text => *text = Some(normalize_string(&unescape(raw))),
        Modifier::OfType => {
            let parts = split_unescaped(raw, '|');
            let [type_system, type_code, value] = parts.as_slice() else {
                return Err(format!(
                    "'{raw}' is not an :of-type value (expected type-system|type-code|value)"
                ));
            };
            if type_code.is_empty() || value.is_empty() {
                return Err(format!("'{raw}' needs a type code and a value"));
            }
            *of_type = Some((unescape(type_system), unescape(type_code), unescape(value)));
        }
        _ => {
            let parts = split_unescaped(raw, '|');
            match parts.as_slice() {
                [only] => *code = Some(unescape(only)),
                [system_part, code_part] => {
                    *system = Some((!system_part.is_empty()).then(|| unescape(system_part)));
                    *code = (!code_part.is_empty()).then(|| unescape(code_part));
                    if system_part.is_empty() && code_part.is_empty() {
                        return Err("'|' alone names neither a system nor a code".into());
                    }
                }
                _ => return Err(format!("'{raw}' has more than one unescaped '|'")),
            }
        }
    }
    Ok(test)
}

/// The R4 prefix at the start of a date, number or quantity value (default
/// `eq`); two lower-case letters that are not a prefix are an error.
pub fn split_prefix(raw: &str) -> Result<(Comparison, &str), String> {
    let head = raw.get(..2).unwrap_or("");
    if !head.bytes().all(|b| b.is_ascii_lowercase()) || head.len() < 2 {
        return Ok((Comparison::Eq, raw));
    }
    let comparison = match head {
        "eq" => Comparison::Eq,
        "ne" => Comparison::Ne,
        "gt" => Comparison::Gt,
        "lt" => Comparison::Lt,
        "ge" => Comparison::Ge,
        "le" => Comparison::Le,
        "sa" => Comparison::Sa,
        "eb" => Comparison::Eb,
        "ap" => Comparison::Ap,
        other => {
            return Err(format!(
                "'{raw}' starts with '{other}', which is not a search prefix (eq, ne, gt, lt, ge, le, sa, eb, ap)"
            ));
        }
    };
    Ok((comparison, &raw[2..]))
}

pub fn parse_date(raw: &str) -> Result<DateRange, String> {
    let (comparison, text) = split_prefix(raw)?;
    let (low, high) = date_range(text).ok_or_else(|| {
        format!("'{text}' is not a date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][zone])")
    })?;
    Ok(DateRange {
        comparison,
        low,
        high,
    })
}

/// `[prefix]number[|system|code]`; `number||code` matches the code in any
/// system (or the unit).
fn parse_quantity(raw: &str) -> Result<ValueTest, String> {
    let parts = split_unescaped(raw, '|');
    let (number_part, system, code) = match parts.as_slice() {
        [number] => (*number, None, None),
        [number, system, code] => (
            *number,
            (!system.is_empty()).then(|| unescape(system)),
            (!code.is_empty()).then(|| unescape(code)),
        ),
        _ => {
            return Err(format!(
                "'{raw}' is not a quantity (expected [prefix]number or [prefix]number|system|code)"
            ));
        }
    };
    let (comparison, number) = split_prefix(number_part)?;
    let (_, low, high) =
        number_range(number).ok_or_else(|| format!("'{number}' is not a number"))?;
    let canonical = match (system.as_deref(), code.as_deref()) {
        (Some(UCUM) | None, Some(code)) => {
            match (
                canonical_quantity(low, code),
                canonical_quantity(high, code),
            ) {
                (Some((low, unit)), Some((high, _))) => Some((low, high, unit)),
                _ => None,
            }
        }
        _ => None,
    };
    Ok(ValueTest::Quantity {
        comparison,
        low,
        high,
        system,
        code,
        canonical,
    })
}

/// `id`, `Type/id`, `Type/id/_history/v` (the version is not searched), an
/// absolute URL or URN (a canonical's `|version` is dropped), or
/// `system|value` under `:identifier`.
fn parse_reference(
    definitions: &Definitions,
    modifier: &Modifier,
    raw: &str,
) -> Result<ValueTest, String> {
    let value = unescape(raw);
    let mut test = (None, None, None, None);
    match modifier {
        Modifier::Identifier => {
            let parts = split_unescaped(raw, '|');
            test.3 = Some(match parts.as_slice() {
                [only] => (None, unescape(only)),
                [system, value] => (
                    (!system.is_empty()).then(|| unescape(system)),
                    unescape(value),
                ),
                _ => return Err(format!("'{raw}' is not an identifier (system|value)")),
            });
        }
        // A canonical's `|version` is not kept in the test (ValueTest has no
        // version): `url|1.0` matches the url in any version.
        _ if value.contains("://") || value.starts_with("urn:") => {
            let url = split_unescaped(raw, '|')
                .first()
                .map_or(value.clone(), |u| unescape(u));
            test.2 = Some(url);
        }
        _ => {
            let mut segments = value.split('/');
            match (
                segments.next(),
                segments.next(),
                segments.next(),
                segments.next(),
                segments.next(),
            ) {
                (Some(id), None, ..) if !id.is_empty() => test.1 = Some(id.to_owned()),
                (Some(resource_type), Some(id), rest, version, None)
                    if !id.is_empty()
                        && (rest.is_none() || (rest == Some("_history") && version.is_some())) =>
                {
                    if !definitions.is_resource_type(resource_type) {
                        return Err(format!("'{resource_type}' is not a resource type"));
                    }
                    test.0 = Some(resource_type.to_owned());
                    test.1 = Some(id.to_owned());
                }
                _ => {
                    return Err(format!(
                        "'{value}' is not a reference (id, Type/id or an absolute URL)"
                    ));
                }
            }
        }
    }
    if let Modifier::TargetType(target) = modifier {
        if test.0.as_ref().is_some_and(|t| t != target) {
            return Err(format!("'{value}' is not a {target}"));
        }
        test.0 = Some(target.clone());
    }
    Ok(ValueTest::Reference {
        target_type: test.0,
        id: test.1,
        url: test.2,
        identifier: test.3,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_only_at_unescaped_delimiters() {
        assert_eq!(split_unescaped(r"a,b\,c,d", ','), vec!["a", r"b\,c", "d"]);
        assert_eq!(split_unescaped(r"a\\,b", ','), vec![r"a\\", "b"]);
        assert_eq!(split_unescaped("", ','), vec![""]);
        assert_eq!(unescape(r"a\,b\$c\|d\\e\x"), r"a,b$c|d\e\x");
    }

    #[test]
    fn prefixes_are_two_known_letters() {
        assert_eq!(split_prefix("gt2020"), Ok((Comparison::Gt, "2020")));
        assert_eq!(split_prefix("2020"), Ok((Comparison::Eq, "2020")));
        assert!(split_prefix("xx2020").is_err());
        assert_eq!(split_prefix("é"), Ok((Comparison::Eq, "é")));
    }
}
