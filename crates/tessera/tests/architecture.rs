//! The dependency direction of the workspace, checked: the domain crates
//! must not reach the layers above them or the machinery they must not
//! know (ARCHITECTURE.md, "Invariants"). Reads `cargo metadata`.

use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::process::Command;

/// (crate, crates it must not depend on, directly or through others)
const FORBIDDEN_ANYWHERE: &[(&str, &[&str])] = &[
    ("tessera-bulk", &["axum", "hyper", "tessera-server"]),
    (
        "tessera-synth",
        &[
            "tokio",
            "axum",
            "hyper",
            "rusqlite",
            "postgres",
            "tessera-store",
            "tessera-records",
            "tessera-server",
        ],
    ),
    (
        "tessera-fhirpath",
        &[
            "tessera-fhir",
            "tokio",
            "axum",
            "hyper",
            "rusqlite",
            "postgres",
            "tessera-store",
        ],
    ),
    (
        "tessera-fhir",
        &[
            "tokio",
            "axum",
            "hyper",
            "rusqlite",
            "postgres",
            "tessera-store",
            "tessera-records",
            "tessera-server",
        ],
    ),
    (
        "tessera-store",
        &[
            "axum",
            "hyper",
            "http",
            "tower",
            "tessera-records",
            "tessera-server",
        ],
    ),
    (
        "tessera-records",
        &["axum", "hyper", "http", "tower", "tessera-server"],
    ),
];

/// (crate, crates it must not use itself; it reaches them only through the
/// crate that owns them: SQL only through `tessera-store`)
const FORBIDDEN_DIRECT: &[(&str, &[&str])] = &[
    ("tessera-records", &["rusqlite", "postgres", "r2d2"]),
    (
        "tessera-server",
        &["rusqlite", "postgres", "r2d2", "clap", "toml"],
    ),
];

#[test]
fn no_crate_depends_on_what_it_must_not_know() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let rustc = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("run rustc -vV");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .expect("rustc names its host");
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            &host,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata JSON");

    let names: HashMap<&str, &str> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    // Normal (non-dev, non-build) dependency edges, by package name.
    let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
    for node in metadata["resolve"]["nodes"].as_array().unwrap() {
        let from = names[node["id"].as_str().unwrap()];
        for dep in node["deps"].as_array().unwrap() {
            let normal = dep["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].is_null());
            if normal {
                edges
                    .entry(from)
                    .or_default()
                    .push(names[dep["pkg"].as_str().unwrap()]);
            }
        }
    }
    let mut violations = Vec::new();
    for (krate, forbidden) in FORBIDDEN_DIRECT {
        for bad in *forbidden {
            if edges.get(krate).is_some_and(|deps| deps.contains(bad)) {
                violations.push(format!("{krate} -> {bad} (direct)"));
            }
        }
    }
    for (krate, forbidden) in FORBIDDEN_ANYWHERE {
        let mut reachable = BTreeSet::new();
        let mut stack = vec![*krate];
        while let Some(next) = stack.pop() {
            for dep in edges.get(next).into_iter().flatten() {
                if reachable.insert(*dep) {
                    stack.push(dep);
                }
            }
        }
        for bad in *forbidden {
            if reachable.contains(bad) {
                violations.push(format!("{krate} -> {bad}"));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "forbidden dependencies: {violations:?}"
    );
}
