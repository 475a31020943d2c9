//! Measures validation speed over the official R4 examples:
//! `cargo run --release -p tessera-fhir --example validation_speed`.
//!
//! Prints the mean time per resource for the whole set and for a typical Patient and
//! Observation, so a regression in the hot path on every write is visible.

use serde_json::Value;
use std::path::Path;
use std::time::Instant;
use tessera_fhir::Definitions;

fn main() {
    let started = Instant::now();
    let definitions = Definitions::r4();
    println!("definitions loaded in {:?}", started.elapsed());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/fhir-r4-examples");
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
    let rounds = 20;
    let started = Instant::now();
    let mut issues = 0;
    for _ in 0..rounds {
        for (_, resource) in &resources {
            issues += definitions.validate(resource).len();
        }
    }
    let per = started.elapsed() / (rounds * resources.len() as u32);
    println!(
        "{} examples, mean {per:?} per resource ({issues} issues)",
        resources.len()
    );
    for name in [
        "Patient-example.json",
        "Observation-example.json",
        "Observation-bmi.json",
    ] {
        let Some((_, resource)) = resources.iter().find(|(n, _)| n == name) else {
            continue;
        };
        let rounds = 20_000;
        let started = Instant::now();
        for _ in 0..rounds {
            issues += definitions.validate(resource).len();
        }
        println!("{name}: {:?} per validation", started.elapsed() / rounds);
    }
    // Keeps the optimiser from discarding the work.
    println!("({issues} issues in total)");
}
