//! A sample of the generated network checked by a second, independent FHIR
//! R4 validator: the Python package `fhir.resources` 6.1.0 (FHIR 4.0.1
//! models, pydantic 1), through `scripts/validate-with-fhir-resources.py`.
//! `.ci/run` installs it in a virtualenv and names its Python in
//! `TESSERA_PYTHON`; in CI a missing validator fails the test, elsewhere it
//! is skipped with a loud message.

use std::path::Path;
use std::process::Command;

#[test]
fn generated_resources_pass_an_independent_validator() {
    let python = std::env::var("TESSERA_PYTHON").unwrap_or_else(|_| "python3".into());
    let available = Command::new(&python)
        .args(["-c", "import fhir.resources"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var("CI").is_err(),
            "fhir.resources is not installed for {python}: .ci/run must install it"
        );
        eprintln!(
            "SKIPPED generated_resources_pass_an_independent_validator: fhir.resources 6.1.0 \
             is not installed for {python} (run .ci/run, or pip install 'fhir.resources==6.1.0' 'pydantic<2')"
        );
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let generate = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["generate", "--patients", "3", "--seed", "11", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        generate.status.success(),
        "{}",
        String::from_utf8_lossy(&generate.stderr)
    );
    let mut files: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 4,
        "the network and three patients: {files:?}"
    );
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/validate-with-fhir-resources.py");
    let check = Command::new(&python)
        .arg(script)
        .args(&files)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&check.stdout);
    println!("{report}");
    assert!(
        check.status.success(),
        "the independent validator found problems:\n{report}"
    );
    assert!(report.contains(" 0 invalid"), "{report}");
}
