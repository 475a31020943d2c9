//! Search-index extraction over the official R4 examples in
//! `testdata/fhir-r4-examples`:
//!
//! - every example indexes without an expression failing, except those listed
//!   in `testdata/search-index/expected-failures.tsv` (with the reason), which
//!   must still fail, so the list shrinks instead of rotting;
//! - every example of the core clinical types yields entries;
//! - the entries of a few examples are pinned in `testdata/search-index/*.txt`
//!   (one file per example: a Patient with HumanNames and an Address, an
//!   Observation with a composite, a blood pressure with components, an
//!   Encounter with a Period, a CarePlan with a Timing). `UPDATE_EXPECT=1`
//!   rewrites them from the current output; review the diff.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tessera_fhir::Definitions;
use tessera_fhir::search::{IndexEntry, IndexValue};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn example(name: &str) -> Value {
    let path = testdata().join("fhir-r4-examples").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn examples() -> Vec<(String, Value)> {
    let mut names: Vec<String> = std::fs::read_dir(testdata().join("fhir-r4-examples"))
        .expect("examples directory")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().to_string_lossy().into_owned();
            name.ends_with(".json").then_some(name)
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let resource = example(&name);
            (name, resource)
        })
        .collect()
}

#[test]
fn every_example_indexes_without_failures() {
    let expected_text =
        std::fs::read_to_string(testdata().join("search-index/expected-failures.tsv"))
            .expect("expected-failures.tsv");
    let expected: BTreeSet<(String, String)> = expected_text
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let mut columns = line.split('\t');
            let (Some(file), Some(param), Some(_reason)) =
                (columns.next(), columns.next(), columns.next())
            else {
                panic!("expected file<TAB>param<TAB>reason, got {line:?}");
            };
            (file.to_owned(), param.to_owned())
        })
        .collect();
    let definitions = Definitions::r4();
    let mut actual = BTreeSet::new();
    let mut unexpected = Vec::new();
    let all = examples();
    assert!(
        all.len() > 900,
        "the R4 examples are missing: {}",
        all.len()
    );
    for (name, resource) in &all {
        for (param, error) in definitions.index_failures(resource) {
            if !expected.contains(&(name.clone(), param.clone())) {
                unexpected.push(format!("{name}\t{param}\t{error}"));
            }
            actual.insert((name.clone(), param));
        }
    }
    let stale: Vec<_> = expected.difference(&actual).collect();
    assert!(
        unexpected.is_empty(),
        "unexpected failures:\n{}",
        unexpected.join("\n")
    );
    assert!(
        stale.is_empty(),
        "listed failures that now pass (remove them): {stale:?}"
    );
}

#[test]
fn core_examples_yield_entries() {
    const CORE: [&str; 12] = [
        "Patient",
        "Practitioner",
        "Organization",
        "Encounter",
        "Observation",
        "Condition",
        "AllergyIntolerance",
        "MedicationRequest",
        "Procedure",
        "DiagnosticReport",
        "Immunization",
        "ServiceRequest",
    ];
    let definitions = Definitions::r4();
    let mut checked = 0;
    for (name, resource) in examples() {
        let resource_type = resource["resourceType"].as_str().unwrap_or_default();
        if CORE.contains(&resource_type) {
            checked += 1;
            assert!(
                !definitions.index_entries(&resource).is_empty(),
                "{name} yields no index entries"
            );
        }
    }
    assert!(checked > 100, "only {checked} core examples");
}

fn render(entries: &[IndexEntry]) -> String {
    entries
        .iter()
        .map(|entry| format!("{} {:?}\n", entry.param, entry.value))
        .collect()
}

#[test]
fn pinned_examples_index_as_recorded() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let directory = testdata().join("search-index");
    let mut pinned: Vec<PathBuf> = std::fs::read_dir(&directory)
        .expect("search-index directory")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .collect();
    pinned.sort();
    assert!(pinned.len() >= 5, "pinned examples are missing");
    let mut mismatches = Vec::new();
    for path in pinned {
        let stem = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let actual = render(&Definitions::r4().index_entries(&example(&format!("{stem}.json"))));
        let recorded = std::fs::read_to_string(&path).unwrap_or_default();
        if actual != recorded {
            if update {
                std::fs::write(&path, &actual).expect("write pinned entries");
            } else {
                mismatches.push(format!(
                    "{stem}:\n--- recorded\n{recorded}+++ actual\n{actual}"
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "run with UPDATE_EXPECT=1 if the change is intended\n{}",
        mismatches.join("\n")
    );
}

fn values<'a>(entries: &'a [IndexEntry], param: &str) -> Vec<&'a IndexValue> {
    entries
        .iter()
        .filter(|e| e.param == param)
        .map(|e| &e.value)
        .collect()
}

/// The facts the pinned files hold that matter most, said explicitly.
#[test]
fn key_values_are_normalised_as_the_store_expects() {
    let definitions = Definitions::r4();
    let patient = definitions.index_entries(&example("Patient-example.json"));
    // birthDate 1974-12-25: the whole day, UTC.
    assert_eq!(
        values(&patient, "birthdate"),
        [&IndexValue::Date {
            low: Some(157_161_600_000),
            high: Some(157_247_999_999)
        }]
    );
    assert!(values(&patient, "given").contains(&&IndexValue::String {
        normalized: "jim".into(),
        exact: "Jim".into()
    }));
    assert!(
        matches!(values(&patient, "gender")[..], [IndexValue::Token { system: Some(s), code: Some(c), .. }]
        if s == "http://hl7.org/fhir/administrative-gender" && c == "male")
    );
    assert!(values(&patient, "_id").is_empty() && values(&patient, "_lastUpdated").is_empty());

    let observation = definitions.index_entries(&example("Observation-example.json"));
    // `code-value-quantity` pairs two parameters on the Observation itself:
    // it is answered from their rows and stores none of its own.
    assert!(values(&observation, "code-value-quantity").is_empty());
    assert!(values(&observation, "combo-code").is_empty());
    assert!(values(&observation, "code").iter().any(|v| matches!(v,
        IndexValue::Token { code: Some(code), .. } if code == "29463-7")));
    assert!(
        values(&observation, "value-quantity")
            .iter()
            .any(|v| matches!(v,
        IndexValue::Quantity { value, canonical_code: Some(unit), .. }
        if *value == 185.0 && unit == "g"))
    );
    // A component's code and value stay paired in a stored composite.
    let pressure = definitions.index_entries(&example("Observation-blood-pressure.json"));
    assert!(
        values(&pressure, "component-code-value-quantity")
            .iter()
            .any(|v| matches!(v,
        IndexValue::Composite(parts) if matches!(&parts[..], [
            IndexValue::Token { code: Some(code), .. },
            IndexValue::Quantity { value, .. },
        ] if code == "8480-6" && *value == 107.0)))
    );
    assert!(
        matches!(values(&observation, "subject")[..], [IndexValue::Reference { target_type: Some(t), id: Some(id), .. }]
        if t == "Patient" && id == "example")
    );

    let encounter = definitions.index_entries(&example("Encounter-home.json"));
    assert!(values(&encounter, "date").iter().any(|v| matches!(
        v,
        IndexValue::Date {
            low: Some(_),
            high: Some(_)
        }
    )));

    let care_plan = definitions.index_entries(&example("CarePlan-preg.json"));
    assert!(
        !values(&care_plan, "activity-date").is_empty(),
        "Timing bounds are indexed"
    );
}

/// Shapes the examples rarely have: a Range for a number and a quantity
/// parameter, an Identifier with a type, a contained reference, an accented
/// name, a primitive with only an extension.
#[test]
fn less_common_shapes_index_sensibly() {
    let definitions = Definitions::r4();
    let risk = serde_json::json!({
        "resourceType": "RiskAssessment", "status": "final",
        "subject": {"reference": "Patient/p"},
        "prediction": [{"probabilityRange": {"low": {"value": 0.1}, "high": {"value": 0.3}}}]
    });
    let entries = definitions.index_entries(&risk);
    assert!(matches!(values(&entries, "probability")[..],
        [IndexValue::Number { value, low, high }] if (*value - 0.2).abs() < 1e-9 && *low < 0.1 && *high > 0.3));

    let condition = serde_json::json!({
        "resourceType": "Condition", "subject": {"reference": "#p"},
        "contained": [{"resourceType": "Patient", "id": "p"}],
        "onsetRange": {"low": {"value": 40, "system": "http://unitsofmeasure.org", "code": "a"}}
    });
    let entries = definitions.index_entries(&condition);
    assert!(matches!(values(&entries, "onset-age")[..],
        [IndexValue::Quantity { value, high, code: Some(code), .. }] if *value == 40.0 && *high == f64::MAX && code == "a"));
    assert!(
        values(&entries, "subject").is_empty(),
        "contained references name no stored resource"
    );

    let patient = serde_json::json!({
        "resourceType": "Patient",
        "name": [{"family": "Skłodowska-Curie", "given": ["Marie"], "_given": [{"extension": []}]}],
        "birthDate": "1867-11-07",
        "_gender": {"extension": [{"url": "http://example.org/x", "valueString": "y"}]},
        "identifier": [{"system": "http://x/mrn", "value": "7", "type": {"text": "Medical Record",
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}}]
    });
    let entries = definitions.index_entries(&patient);
    assert!(values(&entries, "family").contains(&&IndexValue::String {
        normalized: "sklodowska-curie".into(),
        exact: "Skłodowska-Curie".into()
    }));
    assert!(
        values(&entries, "gender").is_empty(),
        "an extension-only primitive has no value"
    );
    assert!(matches!(values(&entries, "identifier")[..],
        [IndexValue::Token { system: Some(s), code: Some(c), text: Some(t), of_type: Some((Some(ts), tc)) }]
        if s == "http://x/mrn" && c == "7" && t == "medical record"
            && ts == "http://terminology.hl7.org/CodeSystem/v2-0203" && tc == "MR"));

    // A composite's `code` component gets its required binding's system.
    let document = serde_json::json!({
        "resourceType": "DocumentReference", "status": "current", "content": [],
        "relatesTo": [{"code": "replaces", "target": {"reference": "DocumentReference/old"}}]
    });
    let entries = definitions.index_entries(&document);
    assert!(
        matches!(values(&entries, "relationship")[..],
            [IndexValue::Composite(parts)] if matches!(&parts[..], [
                IndexValue::Token { system: Some(s), code: Some(c), .. },
                IndexValue::Reference { id: Some(id), .. },
            ] if s == "http://hl7.org/fhir/document-relationship-type" && c == "replaces" && id == "old")),
        "{entries:?}"
    );

    // Not a resource at all: nothing, and no panic.
    for odd in [
        serde_json::json!(null),
        serde_json::json!([1]),
        serde_json::json!({"resourceType": 3}),
        serde_json::json!({"resourceType": "Nope", "id": "x"}),
    ] {
        assert!(definitions.index_entries(&odd).is_empty());
    }
}

/// Resources are validated before they are indexed, but indexing must not
/// panic even on what validation would refuse: every top-level element of the
/// core examples replaced by values of the wrong JSON shape.
#[test]
fn malformed_elements_never_panic() {
    let definitions = Definitions::r4();
    let odd_values = [
        serde_json::json!(null),
        serde_json::json!(7),
        serde_json::json!("x"),
        serde_json::json!([null, 1, "y", {}]),
        serde_json::json!({"value": "nope", "start": 3, "coding": "z", "reference": 9}),
    ];
    for name in [
        "Patient-example.json",
        "Observation-blood-pressure.json",
        "CarePlan-preg.json",
        "Encounter-home.json",
    ] {
        let original = example(name);
        let keys: Vec<String> = original
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        for key in keys.iter().filter(|k| *k != "resourceType") {
            for odd in &odd_values {
                let mut resource = original.clone();
                resource[key.as_str()] = odd.clone();
                let _ = definitions.index_entries(&resource);
            }
        }
    }
}
