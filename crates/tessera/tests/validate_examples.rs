//! The official R4 examples through `POST /fhir/{type}/$validate` on the
//! real server: every example of the 20 core types is accepted, the
//! examples listed in `testdata/validation/expected-example-rejections.tsv`
//! (each with the R4 rule it breaks) are refused with 422, and everything
//! else is accepted too.

mod common;

use common::*;
use std::collections::HashMap;
use std::path::Path;

const CORE_TYPES: &[&str] = &[
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

#[test]
fn official_examples_pass_validate_over_http() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
    let index =
        std::fs::read_to_string(root.join("fhir-r4-examples/INDEX.tsv")).expect("INDEX.tsv");
    let rejections =
        std::fs::read_to_string(root.join("validation/expected-example-rejections.tsv"))
            .expect("expected-example-rejections.tsv");
    let expected_rejections: Vec<&str> = rejections
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
        .collect();

    let server = TestServer::start();
    let mut core_seen: HashMap<&str, usize> = HashMap::new();
    let mut failures = Vec::new();
    let mut passed = 0;
    let mut total = 0;
    for line in index.lines().skip(1) {
        let mut fields = line.split('\t');
        let (Some(file), Some(resource_type)) = (fields.next(), fields.next()) else {
            continue;
        };
        let body =
            std::fs::read_to_string(root.join("fhir-r4-examples").join(file)).expect("example");
        let answer = send(
            "POST",
            &server.url(&format!("{resource_type}/$validate")),
            &[FHIR_JSON],
            Some(&body),
        );
        total += 1;
        let expected = if expected_rejections.contains(&file) {
            422
        } else {
            200
        };
        if answer.status == expected {
            passed += 1;
        } else {
            failures.push(format!("{file}: {} {}", answer.status, answer.body));
        }
        if let Some(core) = CORE_TYPES.iter().find(|t| **t == resource_type) {
            assert_eq!(
                answer.status, 200,
                "{file} (a core type) must be accepted: {}",
                answer.body
            );
            *core_seen.entry(core).or_default() += 1;
        }
    }
    println!("official R4 examples through $validate: {passed} of {total} as expected");
    for core in CORE_TYPES {
        assert!(
            core_seen.get(core).copied().unwrap_or(0) > 0,
            "no example of {core} found"
        );
    }
    assert!(
        failures.is_empty(),
        "{} unexpected answers:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
