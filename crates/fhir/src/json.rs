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
fn first_duplicate_key(text: &str) -> Option<DuplicateKey> {
    // One entry per open container: the names seen so far for an object, None for an array.
    let mut open: Vec<Option<HashSet<String>>> = Vec::new();
    let mut expecting_key = false;
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'{' => {
                open.push(Some(HashSet::new()));
                expecting_key = true;
            }
            b'[' => {
                open.push(None);
                expecting_key = false;
            }
            b'}' | b']' => {
                open.pop();
                expecting_key = false;
            }
            b',' => expecting_key = matches!(open.last(), Some(Some(_))),
            b'"' => {
                let start = index;
                index += 1;
                while index < bytes.len() && bytes[index] != b'"' {
                    index += if bytes[index] == b'\\' { 2 } else { 1 };
                }
                if expecting_key {
                    let raw = text.get(start..=index.min(bytes.len() - 1))?;
                    let name: String = serde_json::from_str(raw).ok()?;
                    if let Some(Some(names)) = open.last_mut()
                        && !names.insert(name.clone())
                    {
                        let before = &text[..start];
                        let line = before.matches('\n').count() + 1;
                        let column = before.len() - before.rfind('\n').map_or(0, |n| n + 1) + 1;
                        return Some(DuplicateKey { name, line, column });
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
