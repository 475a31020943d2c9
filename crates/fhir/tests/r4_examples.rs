//! Validates every official R4 example in `testdata/fhir-r4-examples` (see its README).
//!
//! Every example must be accepted (no error-severity issue), except those listed in
//! `testdata/validation/expected-example-rejections.tsv`, each with the R4 rule it breaks;
//! a listed example must be rejected (so the list shrinks instead of rotting when the
//! validator or the data changes). The examples of the 20 resource types Tessera needs first
//! may never be listed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tessera_fhir::{Definitions, Severity};

const MUST_PASS_TYPES: [&str; 20] = [
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

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// file name -> (the Tessera code of every error, the R4 rule the example breaks).
fn expected_rejections() -> BTreeMap<String, (String, String)> {
    let path = testdata().join("validation/expected-example-rejections.tsv");
    let text = std::fs::read_to_string(&path).expect("expected-example-rejections.tsv");
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let mut columns = line.splitn(3, '\t');
            let (Some(file), Some(code), Some(rule)) =
                (columns.next(), columns.next(), columns.next())
            else {
                panic!("expected file<TAB>code<TAB>rule, got {line:?}");
            };
            (file.to_owned(), (code.to_owned(), rule.to_owned()))
        })
        .collect()
}

#[test]
fn official_examples_validate() {
    let definitions = Definitions::r4();
    let dir = testdata().join("fhir-r4-examples");
    let index = std::fs::read_to_string(dir.join("INDEX.tsv")).expect("INDEX.tsv");
    let expected = expected_rejections();
    let mut total = 0;
    let mut accepted = 0;
    let mut problems = Vec::new();
    for line in index.lines().skip(1) {
        let mut columns = line.split('\t');
        let (Some(file), Some(resource_type)) = (columns.next(), columns.next()) else {
            continue;
        };
        total += 1;
        let text = std::fs::read_to_string(dir.join(file)).expect("example file");
        // Through the strict reader, so duplicate-property detection meets real files too.
        let resource = match tessera_fhir::json::parse_resource(&text) {
            Ok(resource) => resource,
            Err(issue) => {
                problems.push(format!("{file}: {}", issue.message));
                continue;
            }
        };
        let all_issues = definitions.validate(&resource);
        for warning in all_issues.iter().filter(|i| i.severity != Severity::Error) {
            println!(
                "warning in {file}: {} {:?} {}",
                warning.tessera_code.unwrap_or(""),
                warning.path,
                warning.message
            );
        }
        // Warnings (TSR-1017, a reference type the element does not allow) do not reject.
        let issues: Vec<_> = all_issues
            .into_iter()
            .filter(|issue| issue.severity == Severity::Error)
            .collect();
        if issues.is_empty() {
            accepted += 1;
        }
        match (issues.is_empty(), expected.get(file)) {
            (true, Some(_)) => problems.push(format!(
                "{file}: listed as an expected rejection but now passes; remove it from the list"
            )),
            (false, Some((code, rule))) => {
                assert!(
                    !MUST_PASS_TYPES.contains(&resource_type),
                    "{file}: {resource_type} examples may not be expected rejections"
                );
                if let Some(other) = issues
                    .iter()
                    .find(|i| i.tessera_code != Some(code.as_str()))
                {
                    problems.push(format!(
                        "{file}: expected only {code} errors, also got {:?} at {:?}: {}",
                        other.tessera_code, other.path, other.message
                    ));
                }
                println!("expected rejection {file} ({rule}):");
                for issue in &issues {
                    println!("    {:?} {}", issue.path, issue.message);
                }
            }
            (false, None) => {
                let mut report = format!("{file} ({resource_type}) rejected:");
                for issue in issues.iter().take(10) {
                    report.push_str(&format!(
                        "\n    {} {:?} {}",
                        issue.tessera_code.unwrap_or(""),
                        issue.path,
                        issue.message
                    ));
                }
                problems.push(report);
            }
            (true, None) => {}
        }
    }
    for file in expected.keys() {
        if !index
            .lines()
            .any(|line| line.split('\t').next() == Some(file))
        {
            problems.push(format!(
                "{file}: listed as an expected rejection but not in INDEX.tsv"
            ));
        }
    }
    println!("{accepted} of {total} official R4 examples accepted");
    assert_eq!(total, 941, "INDEX.tsv should list 941 examples");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
