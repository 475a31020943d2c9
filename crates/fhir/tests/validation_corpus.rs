//! Table-driven validation tests: every case in `testdata/validation/invalid/*.json` must be
//! rejected with exactly its expected issues (location, issue type, Tessera code, severity),
//! and every resource in `testdata/validation/valid.json` must produce no issue at all.

use serde_json::Value;
use std::path::{Path, PathBuf};
use tessera_fhir::{Definitions, Issue};

fn validation_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/validation")
}

fn read(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match serde_json::from_str(&text) {
        Ok(Value::Array(cases)) => cases,
        other => panic!(
            "{}: expected an array of cases, got {other:?}",
            path.display()
        ),
    }
}

/// (location, issue type, code, severity), sortable so order does not matter.
type Shape = (Option<String>, String, String, String);

fn shape(issue: &Issue) -> Shape {
    (
        issue.path.clone(),
        issue.code.code().to_owned(),
        issue.tessera_code.unwrap_or("").to_owned(),
        issue.severity.code().to_owned(),
    )
}

fn expected_shape(expect: &Value) -> Shape {
    (
        expect["location"].as_str().map(str::to_owned),
        expect["type"].as_str().expect("type").to_owned(),
        expect["code"].as_str().expect("code").to_owned(),
        expect["severity"].as_str().unwrap_or("error").to_owned(),
    )
}

#[test]
fn invalid_resources_are_rejected_at_their_locations() {
    let definitions = Definitions::r4();
    let mut files: Vec<PathBuf> = std::fs::read_dir(validation_dir().join("invalid"))
        .expect("invalid/")
        .map(|entry| entry.expect("dir entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut count = 0;
    let mut failures = Vec::new();
    for file in &files {
        let file_name = file.file_name().unwrap_or_default().to_string_lossy();
        for case in read(file) {
            count += 1;
            let name = case["name"].as_str().unwrap_or("unnamed");
            let mut expected: Vec<Shape> = case["expect"]
                .as_array()
                .expect("expect must be an array")
                .iter()
                .map(expected_shape)
                .collect();
            assert!(
                !expected.is_empty(),
                "{file_name} / {name}: no expected issues"
            );
            let issues = definitions.validate(&case["resource"]);
            let mut actual: Vec<Shape> = issues.iter().map(shape).collect();
            expected.sort();
            actual.sort();
            if actual != expected {
                failures.push(format!(
                    "{file_name} / {name}:\n    expected {expected:?}\n    actual   {actual:?}\n    messages {:?}",
                    issues.iter().map(|i| &i.message).collect::<Vec<_>>()
                ));
            }
        }
    }
    println!("{count} invalid cases checked");
    assert!(
        count >= 60,
        "the invalid corpus should hold at least 60 cases"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn edge_cases_that_are_valid_are_accepted() {
    let definitions = Definitions::r4();
    let mut failures = Vec::new();
    for case in read(&validation_dir().join("valid.json")) {
        let issues = definitions.validate(&case["resource"]);
        if !issues.is_empty() {
            failures.push(format!("{}: {issues:?}", case["name"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
