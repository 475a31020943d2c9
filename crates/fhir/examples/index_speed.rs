//! Measures search-index extraction over the official R4 examples:
//! `cargo run --release -p tessera-fhir --example index_speed [File.json ...]`.
//!
//! Extraction runs on every write, so this prints the mean time per resource
//! for the whole set and for a typical Patient and Observation. With file
//! names, it prints those examples' index entries instead.

use serde_json::Value;
use std::path::Path;
use std::time::Instant;
use tessera_fhir::Definitions;

fn main() {
    let definitions = Definitions::r4();
    let started = Instant::now();
    definitions.index_entries(&serde_json::json!({"resourceType": "Patient"}));
    println!(
        "definitions and search parameters loaded in {:?}",
        started.elapsed()
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/fhir-r4-examples");
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    if !wanted.is_empty() {
        for name in wanted {
            let text = std::fs::read_to_string(dir.join(&name)).expect("example file");
            let resource: Value = serde_json::from_str(&text).expect("JSON");
            println!("{name}:");
            for entry in definitions.index_entries(&resource) {
                println!("  {} {:?}", entry.param, entry.value);
            }
        }
        return;
    }
    let mut resources: Vec<(String, Value)> = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("examples directory") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).expect("example");
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            resources.push((name, serde_json::from_str(&text).expect("JSON")));
        }
    }
    let rounds = 5;
    let started = Instant::now();
    let mut entries = 0;
    for _ in 0..rounds {
        for (_, resource) in &resources {
            entries += definitions.index_entries(resource).len();
        }
    }
    let per_resource = started.elapsed() / (rounds * resources.len()) as u32;
    println!(
        "{} examples: {per_resource:?} per resource, {} entries per resource",
        resources.len(),
        entries / (rounds * resources.len())
    );
    for name in [
        "Patient-example.json",
        "Observation-example.json",
        "Observation-blood-pressure.json",
    ] {
        let Some((_, resource)) = resources.iter().find(|(n, _)| n == name) else {
            continue;
        };
        let rounds = 2000;
        let started = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(definitions.index_entries(resource));
        }
        println!(
            "{name}: {:?} per extraction ({} entries)",
            started.elapsed() / rounds,
            definitions.index_entries(resource).len()
        );
    }
}
