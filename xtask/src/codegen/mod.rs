//! `cargo xtask codegen`: turns the official FHIR R4 JSON definitions into the one compact file
//! `crates/fhir/definitions/r4.json` that `tessera-fhir` embeds.
//!
//! The output is deterministic (sorted types, value sets and compartment entries; one type,
//! value set or compartment entry per line so diffs stay reviewable) and starts with the
//! command that generates it.

mod compartment;
mod render;
mod structures;
mod valuesets;

use anyhow::{Context, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The FHIR version whose definitions are generated; content of other versions in the source
/// files is skipped.
pub const FHIR_VERSION: &str = "4.0.1";

/// The command that regenerates the definitions; written as the file's first field.
pub const COMMAND: &str = "cargo xtask codegen";

/// The repository root (the parent of `xtask/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `../shared/fhir-r4` relative to the repository root.
pub fn default_source_dir() -> PathBuf {
    repo_root().join("../shared/fhir-r4")
}

/// Where the generated definitions are committed.
pub fn output_path() -> PathBuf {
    repo_root().join("crates/fhir/definitions/r4.json")
}

fn read_json(dir: &Path, name: &str) -> Result<Value> {
    let path = dir.join(name);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Reads the R4 definitions in `source` and returns the text of `r4.json`.
pub fn generate(source: &Path) -> Result<String> {
    let resources = read_json(source, "profiles-resources.json")?;
    let types = read_json(source, "profiles-types.json")?;
    let value_sets = read_json(source, "valuesets.json")?;
    let search_parameters = read_json(source, "search-parameters.json")?;
    let compartment_definition = read_json(source, "compartmentdefinition-patient.json")?;

    let structures = structures::collect(&[&types, &resources])?;
    let abstract_types = structures::abstract_types(&[&types, &resources]);
    let bound: Vec<String> = structures::required_value_sets(&structures);
    let expansions = valuesets::expand_all(&value_sets, &bound);
    let compartment =
        compartment::patient_compartment(&compartment_definition, &search_parameters, &structures)?;
    Ok(render::render(
        &structures,
        &abstract_types,
        &expansions,
        &compartment,
    ))
}

/// Whether the committed definitions match what codegen would write now.
#[derive(Debug, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    Stale,
    /// The R4 sources are not there, so nothing could be compared.
    SourceMissing(PathBuf),
}

/// Regenerates in memory from `source` and compares with the file at `committed`.
pub fn check_freshness(source: &Path, committed: &Path) -> Result<Freshness> {
    if !source.join("profiles-resources.json").exists() {
        return Ok(Freshness::SourceMissing(source.to_path_buf()));
    }
    let expected = generate(source)?;
    let actual = std::fs::read_to_string(committed).unwrap_or_default();
    Ok(if actual == expected {
        Freshness::Fresh
    } else {
        Freshness::Stale
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails when `crates/fhir/definitions/r4.json` is not what `cargo xtask codegen` would write.
    #[test]
    fn committed_definitions_are_fresh() {
        match check_freshness(&default_source_dir(), &output_path()) {
            Ok(Freshness::Fresh) => {}
            Ok(Freshness::Stale) => panic!(
                "crates/fhir/definitions/r4.json is stale; run `{COMMAND}` and commit the result"
            ),
            Ok(Freshness::SourceMissing(source)) => eprintln!(
                "\n==========================================================================\n\
                 SKIPPED committed_definitions_are_fresh: the FHIR R4 source definitions were\n\
                 not found at {} (expected profiles-resources.json there).\n\
                 The freshness of crates/fhir/definitions/r4.json was NOT checked.\n\
                 ==========================================================================\n",
                source.display()
            ),
            Err(error) => panic!("`{COMMAND}` fails on the R4 sources: {error:#}"),
        }
    }

    #[test]
    fn missing_sources_are_reported_not_compared() {
        let nowhere = repo_root().join("no-such-fhir-source-dir");
        assert_eq!(
            check_freshness(&nowhere, &output_path()).ok(),
            Some(Freshness::SourceMissing(nowhere))
        );
    }
}
