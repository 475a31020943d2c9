//! `tessera import` on bad input: every problem reported with its file and
//! line (or Bundle entry), the good data loaded, nothing of a failed
//! transaction stored, and a second run skipping what was imported. And
//! the search indexes an import into an empty store defers: built at its
//! end, or by `tessera serve` when the import stopped first.

mod common;

use common::*;
use std::path::Path;

fn import(data: &Path, paths: &[&Path]) -> (bool, String, String) {
    let output = tessera(data)
        .args(["import", "--data-dir"])
        .arg(data)
        .args(paths)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn bad_input_is_reported_with_its_location_and_the_rest_is_loaded() {
    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/import/bad");
    let data = tempfile::tempdir().unwrap();
    let (ok, stdout, stderr) = import(data.path(), &[&bad]);
    assert!(!ok, "problems make the import exit non-zero");
    let line_of = |needle: &str| {
        stderr
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no report for {needle}:\n{stderr}"))
            .to_owned()
    };
    assert!(line_of("truncated.json").contains("line"), "{stderr}");
    assert!(
        line_of("dangling-reference.json").contains("Bundle.entry[1]"),
        "{stderr}"
    );
    assert!(
        line_of("invalid-in-transaction.json").contains("Bundle.entry[1]"),
        "{stderr}"
    );
    assert!(
        line_of("invalid-in-transaction.json").contains("Observation.status"),
        "{stderr}"
    );
    assert!(line_of("mixed.ndjson:3").contains("gender"), "{stderr}");
    assert!(stdout.contains("imported 5 resources"), "{stdout}");
    assert!(
        stdout.contains("search indexes in"),
        "an import into an empty store builds the indexes it deferred: {stdout}"
    );

    let server = TestServer::start_in(data.path(), &[]);
    for id in [
        "line-1",
        "line-2",
        "line-4",
        "dddd0000-0000-4000-8000-000000000001",
    ] {
        assert_eq!(
            get(&server.url(&format!("Patient/{id}"))).status,
            200,
            "Patient/{id}"
        );
    }
    assert_eq!(get(&server.url("Patient/line-3")).status, 404);
    let observation = get(&server.url("Observation/dddd0000-0000-4000-8000-000000000002"));
    assert_eq!(
        observation.json()["subject"]["reference"],
        "Patient/dddd0000-0000-4000-8000-000000000001",
        "references between entries are rewritten"
    );
    for id in [
        "cccc0000-0000-4000-8000-000000000001",
        "bbbb0000-0000-4000-8000-000000000001",
    ] {
        assert_eq!(
            get(&server.url(&format!("Patient/{id}"))).status,
            404,
            "nothing of a failed transaction"
        );
    }
    drop(server);

    let (_, stdout, _) = import(data.path(), &[&bad]);
    assert!(
        stdout.contains("1 files already imported"),
        "the good file is skipped: {stdout}"
    );
    assert!(
        !stdout.contains("search indexes in"),
        "a store that holds data defers nothing: {stdout}"
    );
}

#[test]
fn serve_builds_the_indexes_an_unfinished_import_deferred() {
    let data = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let store = open_store_in(data.path());
    let deferred = runtime.block_on(store.defer_search_indexes()).unwrap();
    assert!(!deferred.is_empty());
    runtime.block_on(store.close()).unwrap();
    drop(store);

    let server = TestServer::start_in(data.path(), &[]);
    let created = post_json(
        &server.url("Patient"),
        &serde_json::json!({"resourceType": "Patient", "name": [{"family": "Quill"}]}),
    );
    assert_eq!(created.status, 201);
    let found = get(&server.url("Patient?name=qui"));
    assert_eq!(found.json()["entry"].as_array().map(Vec::len), Some(1));
    drop(server);

    let store = open_store_in(data.path());
    assert!(
        runtime
            .block_on(store.deferred_indexes())
            .unwrap()
            .is_empty(),
        "serve built every deferred index before serving"
    );
    runtime.block_on(store.close()).unwrap();
}

#[test]
fn versions_of_one_resource_in_successive_batches_are_stored_in_file_order() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("history.ndjson");
    let lines: Vec<String> = ["One", "Two", "Three", "Four"]
        .iter()
        .map(|family| {
            serde_json::json!({"resourceType": "Patient", "id": "twice", "name": [{"family": family}]})
                .to_string()
        })
        .collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    // One resource per batch: every line is its own batch, and each writes
    // the resource the one before it (still in flight) writes.
    let output = tessera(data.path())
        .args(["import", "--batch", "1", "--data-dir"])
        .arg(data.path())
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let server = TestServer::start_in(data.path(), &[]);
    let current = get(&server.url("Patient/twice")).json();
    assert_eq!(current["meta"]["versionId"], "4");
    assert_eq!(current["name"][0]["family"], "Four");
    let history = get(&server.url("Patient/twice/_history")).json();
    let families: Vec<&str> = history["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["name"][0]["family"].as_str().unwrap())
        .collect();
    assert_eq!(families, ["Four", "Three", "Two", "One"]);
}
