//! The validator on hostile input: every value of the official examples of Tessera's core
//! resource types is replaced, one at a time, by JSON of the wrong shape. Validation must never
//! panic, and an empty object or empty array anywhere must always be rejected.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use tessera_fhir::{Definitions, Severity};

const CORE_TYPES: [&str; 20] = [
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "Encounter",
    "Observation",
    "Condition",
    "AllergyIntolerance",
    "MedicationRequest",
    "Procedure",
    "DiagnosticReport",
    "Immunization",
    "CarePlan",
    "Coverage",
    "Claim",
    "ChargeItem",
    "Consent",
    "AuditEvent",
    "Provenance",
    "ServiceRequest",
];

/// At most this many positions are mutated per example (spread over the whole resource), to
/// keep the test quick in debug builds.
const POSITIONS_PER_EXAMPLE: usize = 30;

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/fhir-r4-examples")
}

/// JSON pointers of every value below the root.
fn pointers(value: &Value, prefix: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let pointer = format!("{prefix}/{}", key.replace('~', "~0").replace('/', "~1"));
                out.push(pointer.clone());
                pointers(child, &pointer, out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                let pointer = format!("{prefix}/{index}");
                out.push(pointer.clone());
                pointers(child, &pointer, out);
            }
        }
        _ => {}
    }
}

fn has_error(resource: &Value) -> bool {
    Definitions::r4()
        .validate(resource)
        .iter()
        .any(|issue| issue.severity == Severity::Error)
}

#[test]
fn wrong_shapes_anywhere_are_rejected_without_panicking() {
    let index = std::fs::read_to_string(examples_dir().join("INDEX.tsv")).expect("INDEX.tsv");
    let mut mutations = 0;
    let mut failures = Vec::new();
    for line in index.lines().skip(1) {
        let mut columns = line.split('\t');
        let (Some(file), Some(resource_type)) = (columns.next(), columns.next()) else {
            continue;
        };
        if !CORE_TYPES.contains(&resource_type) {
            continue;
        }
        let text = std::fs::read_to_string(examples_dir().join(file)).expect("example");
        let original: Value = serde_json::from_str(&text).expect("JSON");
        let mut all = Vec::new();
        pointers(&original, "", &mut all);
        let step = all.len().div_ceil(POSITIONS_PER_EXAMPLE).max(1);
        for pointer in all.iter().step_by(step) {
            let must_reject = [json!({}), json!([])];
            let must_not_panic = [
                json!(null),
                json!(true),
                json!("\u{0}"),
                json!(-0.0),
                json!([[[[1]]]]),
            ];
            for (replacement, asserted) in must_reject
                .into_iter()
                .map(|v| (v, true))
                .chain(must_not_panic.into_iter().map(|v| (v, false)))
            {
                let mut mutated = original.clone();
                if let Some(slot) = mutated.pointer_mut(pointer) {
                    *slot = replacement.clone();
                }
                mutations += 1;
                if !has_error(&mutated) && asserted {
                    failures.push(format!("{file}: {pointer} = {replacement} was accepted"));
                }
            }
        }
    }
    println!("{mutations} mutations validated");
    assert!(mutations > 1000, "too few mutations: {mutations}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn non_resources_are_rejected_without_panicking() {
    for value in [
        json!(null),
        json!(1),
        json!("Patient"),
        json!([]),
        json!({}),
        json!({"resourceType": null}),
        json!({"resourceType": ""}),
        json!({"resourceType": "Patient", "": 1}),
        json!({"resourceType": "Patient", "_": {}}),
        json!({"resourceType": "Patient", "contained": [null, [], {}]}),
    ] {
        assert!(has_error(&value), "{value} was accepted");
    }
}
