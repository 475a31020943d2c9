//! `tessera import` of Synthea output: the hospital and practitioner Bundles
//! and patient transactions whose conditional references resolve against
//! them load with zero problems and exactly the counts in the files, in
//! whatever order the files come; Bundles whose conditional references name
//! nothing are reported with the reference and leave no trace.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn counts_in(dir: &Path) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let bundle: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        for entry in bundle["entry"].as_array().unwrap() {
            *counts
                .entry(
                    entry["resource"]["resourceType"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                )
                .or_default() += 1;
        }
    }
    counts
}

#[test]
fn synthea_bundles_import_with_their_conditional_references() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/synthea");
    let data = tempfile::tempdir().unwrap();
    // The patient bundles sort before the hospital and practitioner bundles
    // they refer to: the import must cope with that order.
    let output = tessera(data.path())
        .args(["import", "--data-dir"])
        .arg(data.path())
        .arg(root.join("hiv"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("; 0 problems;"), "{stdout}");

    let server = TestServer::start_in(data.path(), &[]);
    for (resource_type, expected) in counts_in(&root.join("hiv")) {
        let answer = get(&server.url(&format!("{resource_type}?_summary=count")));
        assert_eq!(
            answer.json()["total"].as_u64(),
            Some(expected),
            "{resource_type}"
        );
    }
    // Conditional references were rewritten to the stored resources.
    let encounters = get(&server.url("Encounter?_count=5")).json();
    let provider = encounters["entry"][0]["resource"]["serviceProvider"]["reference"]
        .as_str()
        .unwrap();
    assert!(
        provider.starts_with("Organization/") && !provider.contains('?'),
        "{provider}"
    );
    assert_eq!(get(&server.url(provider)).status, 200);
    let before = get(&server.url("_history?_summary=count")).json()["total"]
        .as_u64()
        .unwrap();
    drop(server);

    let output = tessera(data.path())
        .args(["import", "--data-dir"])
        .arg(data.path())
        .arg(root.join("pathling"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for file in ["Bennett146_Swaniawski813", "Dino214_Parisian75"] {
        let reported = stderr
            .lines()
            .filter(|l| l.contains(file))
            .collect::<Vec<_>>();
        assert!(
            reported
                .iter()
                .any(|l| l.contains("matches nothing") && l.contains("?identifier=")),
            "{file} reported with its unresolved reference:\n{stderr}"
        );
        assert!(
            reported.iter().any(|l| l.contains("not imported")),
            "{file}: nothing of it is stored:\n{stderr}"
        );
    }
    let server = TestServer::start_in(data.path(), &[]);
    let after = get(&server.url("_history?_summary=count")).json()["total"]
        .as_u64()
        .unwrap();
    assert_eq!(after, before, "the unresolvable bundles left no trace");
}
