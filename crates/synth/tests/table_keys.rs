//! The generator looks codes up by key (`tables.condition("hypertension")`), and a missing key
//! would be a bug that only a rare care path reaches. This test reads the generator's source
//! and fails on any lower-case string literal that is neither a key of a table in `data/` nor
//! a known non-key word (`testdata/synth/non-key-literals.txt`).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

fn literals(source: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('"') else { break };
        let literal = &after[..end];
        let looks_like_key = literal
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase())
            && literal
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if looks_like_key {
            found.push(literal);
        }
        rest = &after[end + 1..];
    }
    found
}

#[test]
fn every_key_in_the_source_is_in_a_table() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut known: BTreeSet<String> = BTreeSet::new();
    for entry in fs::read_dir(crate_dir.join("data")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "tsv") {
            for line in fs::read_to_string(&path)
                .unwrap()
                .lines()
                .filter(|l| !l.starts_with('#'))
            {
                known.extend(line.split('\t').next().map(str::to_owned));
            }
        }
    }
    let allowed =
        fs::read_to_string(crate_dir.join("../../testdata/synth/non-key-literals.txt")).unwrap();
    known.extend(
        allowed
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned),
    );
    let mut unknown = Vec::new();
    for entry in fs::read_dir(crate_dir.join("src")).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|name| name == "tables.rs") {
            continue;
        }
        let source = fs::read_to_string(&path).unwrap();
        for literal in literals(&source) {
            if !known.contains(literal) {
                unknown.push(format!("{}: {literal:?}", path.display()));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "not a table key (mistyped?) nor a listed word:\n{}",
        unknown.join("\n")
    );
}
