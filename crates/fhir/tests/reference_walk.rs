//! `Definitions::references` walks by element type; this checks it against a blind scan of
//! the official examples (every object with a string `reference` that parses), so a reference
//! missed through a contentReference, a choice type, an extension or a contained resource fails.

use serde_json::Value;
use std::path::Path;
use tessera_fhir::Definitions;
use tessera_fhir::reference::ReferenceTarget;

fn blind_scan(value: &Value, out: &mut Vec<ReferenceTarget>) {
    match value {
        Value::Object(object) => {
            if let Some(target) = object
                .get("reference")
                .and_then(Value::as_str)
                .and_then(ReferenceTarget::parse)
            {
                out.push(target);
            }
            for child in object.values() {
                blind_scan(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| blind_scan(item, out)),
        _ => {}
    }
}

fn sorted(mut targets: Vec<ReferenceTarget>) -> Vec<String> {
    let mut out: Vec<String> = targets.drain(..).map(|t| format!("{t:?}")).collect();
    out.sort();
    out
}

#[test]
fn type_guided_walk_finds_every_reference_of_the_examples() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/fhir-r4-examples");
    let index = std::fs::read_to_string(dir.join("INDEX.tsv")).expect("INDEX.tsv");
    let mut checked = 0;
    let mut total_references = 0;
    let mut mismatches = Vec::new();
    for line in index.lines().skip(1) {
        let mut columns = line.split('\t');
        let (Some(file), Some(resource_type)) = (columns.next(), columns.next()) else {
            continue;
        };
        // Their entries/parameters are separate resources, which the walk leaves alone.
        if resource_type == "Bundle" || resource_type == "Parameters" {
            continue;
        }
        let text = std::fs::read_to_string(dir.join(file)).expect("example");
        let resource: Value = serde_json::from_str(&text).expect("JSON");
        let mut blind = Vec::new();
        // Not the root itself: `DetectedIssue.reference` is a uri element, not a Reference.
        for child in resource.as_object().into_iter().flat_map(|o| o.values()) {
            blind_scan(child, &mut blind);
        }
        let found: Vec<ReferenceTarget> = Definitions::r4()
            .references(&resource)
            .into_iter()
            .map(|f| f.target)
            .collect();
        total_references += found.len();
        checked += 1;
        let (blind, found) = (sorted(blind), sorted(found));
        if blind != found {
            mismatches.push(format!("{file}:\n  blind {blind:?}\n  found {found:?}"));
        }
    }
    println!("{checked} examples, {total_references} references");
    assert!(total_references > 1000);
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
