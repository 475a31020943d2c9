//! Reading a resource from JSON text with the FHIR JSON rules serde_json does not enforce.
//!
//! serde_json keeps the last of two properties with the same name; FHIR's JSON format forbids
//! duplicates, and silently keeping one of two `status` values is how a "final" result becomes
//! "preliminary". [`parse_resource`] parses (numbers keep their text, as the workspace builds
//! serde_json with `arbitrary_precision`), then scans the text once for duplicate property
//! names, and reports either problem as an [`Issue`] with its line and column.

use crate::validation::codes;
use crate::{Issue, IssueType};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashSet;

/// Parses `text` as one JSON value, rejecting syntax errors and duplicate property names.
pub fn parse_resource(text: &str) -> Result<Value, Issue> {
    let value: Value = serde_json::from_str(text).map_err(|error| {
        Issue::error(
            IssueType::Structure,
            format!(
                "not valid JSON at line {}, column {}: {error}",
                error.line(),
                error.column()
            ),
        )
        .with_tessera_code(codes::INVALID_JSON.code)
    })?;
    if let Some(duplicate) = first_duplicate_key(text) {
        return Err(Issue::error(
            codes::DUPLICATE_PROPERTY.issue_type,
            format!(
                "property '{}' appears twice in one object (line {}, column {})",
                duplicate.name, duplicate.line, duplicate.column
            ),
        )
        .with_tessera_code(codes::DUPLICATE_PROPERTY.code));
    }
    Ok(value)
}

struct DuplicateKey {
    name: String,
    line: usize,
    column: usize,
}

/// Scans already-validated JSON text for an object with a repeated property name (compared
/// after unescaping, so `"a"` and `"\u0061"` are the same name).
///
/// Names are borrowed from `text` (unescaped only when they hold an escape) and each object's
/// names are kept in a vector reused across objects, searched linearly while the object is
/// small: a Bundle is mostly small objects, and a set and a string per name made this scan a
/// third of an import's parsing.
fn first_duplicate_key(text: &str) -> Option<DuplicateKey> {
    // One entry per open container: the names seen so far for an object, None for an array.
    let mut open: Vec<Option<ObjectNames<'_>>> = Vec::new();
    let mut spare: Vec<ObjectNames<'_>> = Vec::new();
    let mut expecting_key = false;
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'{' => {
                open.push(Some(spare.pop().unwrap_or_default()));
                expecting_key = true;
            }
            b'[' => {
                open.push(None);
                expecting_key = false;
            }
            b'}' | b']' => {
                if let Some(Some(mut names)) = open.pop() {
                    names.clear();
                    spare.push(names);
                }
                expecting_key = false;
            }
            b',' => expecting_key = matches!(open.last(), Some(Some(_))),
            b'"' => {
                let start = index;
                let mut escaped = false;
                index += 1;
                while index < bytes.len() && bytes[index] != b'"' {
                    if bytes[index] == b'\\' {
                        escaped = true;
                        index += 2;
                    } else {
                        index += 1;
                    }
                }
                if expecting_key {
                    let name: Cow<'_, str> = if escaped {
                        let raw = text.get(start..=index.min(bytes.len() - 1))?;
                        Cow::Owned(serde_json::from_str(raw).ok()?)
                    } else {
                        Cow::Borrowed(text.get(start + 1..index)?)
                    };
                    if let Some(Some(names)) = open.last_mut()
                        && !names.insert(name.clone())
                    {
                        let before = &text[..start];
                        let line = before.matches('\n').count() + 1;
                        let column = before.len() - before.rfind('\n').map_or(0, |n| n + 1) + 1;
                        return Some(DuplicateKey {
                            name: name.into_owned(),
                            line,
                            column,
                        });
                    }
                    expecting_key = false;
                }
            }
            _ => {}
        }
        index += 1;
    }
    None
}

/// The property names of one open object.
#[derive(Default)]
struct ObjectNames<'t> {
    few: Vec<Cow<'t, str>>,
    /// Every name, once the object has more than [`ObjectNames::FEW`] (so a
    /// huge object is not searched name by name).
    many: HashSet<Cow<'t, str>>,
}

impl<'t> ObjectNames<'t> {
    const FEW: usize = 16;

    /// Adds `name`; false if the object already has it.
    fn insert(&mut self, name: Cow<'t, str>) -> bool {
        if self.many.is_empty() {
            if self.few.contains(&name) {
                return false;
            }
            self.few.push(name);
            if self.few.len() > Self::FEW {
                self.many.extend(self.few.drain(..));
            }
            true
        } else {
            self.many.insert(name)
        }
    }

    fn clear(&mut self) {
        self.few.clear();
        self.many.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_json_and_keeps_number_text() {
        let value =
            parse_resource(r#"{"resourceType": "Observation", "valueQuantity": {"value": 1.50}}"#)
                .unwrap();
        assert_eq!(value["valueQuantity"]["value"].to_string(), "1.50");
    }

    /// An object with more names than are searched one by one, then `repeated` again.
    fn many_names_then(repeated: &str) -> String {
        let names: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        format!("{{{}, \"{repeated}\": 0}}", names.join(", "))
    }

    #[test]
    fn accepts_the_same_name_in_different_objects() {
        for text in [
            "{\"a\": {\"a\": {\"a\": 1}}, \"b\": [{\"a\": 1}, {\"a\": 2}]}",
            "{\"x\": {\"k1\": 1}, \"k1\": 2}",
            &many_names_then("other"),
            "{\"a\\\"b\": 1, \"a\\\\\": 2, \"a\": 3}",
        ] {
            assert!(parse_resource(text).is_ok(), "{text}");
        }
    }

    #[test]
    fn rejects_duplicate_properties_at_any_depth() {
        for (text, name, line) in [
            (
                "{\"resourceType\": \"Patient\", \"gender\": \"male\", \"gender\": \"female\"}",
                "gender",
                1,
            ),
            (
                "{\"a\": [{\"b\": 1}, {\"b\": 2, \"c\": {\"d\": 1,\n \"d\": 2}}]}",
                "d",
                2,
            ),
            ("{\"a\": 1, \"\\u0061\": 2}", "a", 1),
            (&many_names_then("k3"), "k3", 1),
            (
                "{\"x\": {\"x\": 1, \"y\": {}}, \"y\": [{\"x\": 1}, {\"x\": 2}], \"y\": 0}",
                "y",
                1,
            ),
        ] {
            let issue = parse_resource(text).unwrap_err();
            assert_eq!(
                issue.tessera_code,
                Some(codes::DUPLICATE_PROPERTY.code),
                "{text}"
            );
            assert!(
                issue.message.contains(&format!("'{name}'")),
                "{}",
                issue.message
            );
            assert!(
                issue.message.contains(&format!("line {line}")),
                "{}",
                issue.message
            );
        }
    }

    #[test]
    fn same_names_in_different_objects_are_fine() {
        let text = r#"{"name": [{"given": ["a"], "use": "x"}, {"given": ["b"], "use": "y"}],
            "text": "{\"name\": 1, \"name\": 2}", "k": ["\"", "\\"], "use": "z"}"#;
        assert!(parse_resource(text).is_ok());
    }

    #[test]
    fn reports_syntax_errors_with_their_position() {
        let issue = parse_resource("{\n  \"resourceType\": \"Patient\",\n}").unwrap_err();
        assert_eq!(issue.tessera_code, Some(codes::INVALID_JSON.code));
        assert!(issue.message.contains("line 3"), "{}", issue.message);
    }
}
