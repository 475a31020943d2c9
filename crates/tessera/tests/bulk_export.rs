//! Bulk export over HTTP and on the command line: kick-off, polling, the
//! manifest and its NDJSON files; a round trip (export, import into an empty
//! store, identical resources by type, id and content); cancellation; and a
//! job cut short by a restart reported failed, not lost.

mod common;

use common::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

fn load_fixture(server: &TestServer) -> BTreeMap<String, Value> {
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/search/fixture.json");
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(root).unwrap()).unwrap();
    let mut loaded = BTreeMap::new();
    for entry in fixture["entry"].as_array().unwrap() {
        let resource = &entry["resource"];
        let key = format!(
            "{}/{}",
            resource["resourceType"].as_str().unwrap(),
            resource["id"].as_str().unwrap()
        );
        assert_eq!(put_json(&server.url(&key), resource, &[]).status, 201);
        loaded.insert(key, without_meta_version(resource.clone()));
    }
    loaded
}

fn without_meta_version(mut resource: Value) -> Value {
    if let Some(meta) = resource.get_mut("meta").and_then(Value::as_object_mut) {
        meta.remove("versionId");
        meta.remove("lastUpdated");
        if meta.is_empty() {
            resource.as_object_mut().unwrap().remove("meta");
        }
    }
    resource
}

fn wait_for_manifest(status_url: &str) -> Value {
    for _ in 0..200 {
        let answer = get(status_url);
        match answer.status {
            202 => {
                assert_eq!(answer.header("x-progress"), Some("in-progress"));
                assert!(answer.header("retry-after").is_some());
                std::thread::sleep(Duration::from_millis(50));
            }
            200 => return answer.json(),
            other => panic!("status {other}: {}", answer.body),
        }
    }
    panic!("the export did not finish");
}

#[test]
fn export_then_import_gives_identical_resources() {
    let server = TestServer::start();
    let loaded = load_fixture(&server);
    assert_eq!(
        get(&server.url("$export")).status,
        400,
        "Prefer: respond-async is required"
    );
    let kickoff = send(
        "GET",
        &server.url("$export"),
        &[("Prefer", "respond-async")],
        None,
    );
    assert_eq!(kickoff.status, 202, "{}", kickoff.body);
    let status_url = kickoff.header("content-location").unwrap().to_owned();
    let manifest = wait_for_manifest(&status_url);
    assert_eq!(manifest["requiresAccessToken"], false);
    let output = manifest["output"].as_array().unwrap();
    let export_dir = tempfile::tempdir().unwrap();
    for file in output {
        let url = file["url"].as_str().unwrap();
        let answer = get(url);
        assert_eq!(answer.status, 200);
        assert_eq!(
            answer.header("content-type"),
            Some("application/fhir+ndjson")
        );
        let name = url.rsplit('/').next().unwrap();
        std::fs::write(export_dir.path().join(name), answer.body).unwrap();
    }
    let fresh = tempfile::tempdir().unwrap();
    let import = tessera(fresh.path())
        .args(["import", "--data-dir"])
        .arg(fresh.path())
        .arg(export_dir.path())
        .output()
        .unwrap();
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let second = TestServer::start_in(fresh.path(), &[]);
    for (key, original) in &loaded {
        let copy = get(&second.url(key));
        assert_eq!(copy.status, 200, "{key} did not survive the round trip");
        assert_eq!(
            without_meta_version(copy.json()),
            *original,
            "{key} changed"
        );
    }
    assert_eq!(
        get(&second.url("_history?_summary=count")).json()["total"]
            .as_u64()
            .unwrap(),
        loaded.len() as u64
    );

    // The same through the command line, restricted to a patient and a type.
    let cli_out = tempfile::tempdir().unwrap();
    drop(second);
    let cli = tessera(fresh.path())
        .args([
            "export",
            "--patient",
            "pat-ada",
            "--type",
            "Observation",
            "--data-dir",
        ])
        .arg(fresh.path())
        .arg("--out")
        .arg(cli_out.path())
        .output()
        .unwrap();
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let observations = std::fs::read_to_string(cli_out.path().join("Observation.ndjson")).unwrap();
    assert_eq!(
        observations.lines().count(),
        5,
        "pat-ada has five observations"
    );
    assert_eq!(std::fs::read_dir(cli_out.path()).unwrap().count(), 1);
}

#[test]
fn patient_and_type_exports_and_cancel() {
    let server = TestServer::start();
    load_fixture(&server);
    let kickoff = send(
        "GET",
        &server.url("Patient/$export?_type=Patient,Condition"),
        &[("Prefer", "respond-async")],
        None,
    );
    assert_eq!(kickoff.status, 202, "{}", kickoff.body);
    let status_url = kickoff.header("content-location").unwrap().to_owned();
    let manifest = wait_for_manifest(&status_url);
    let types: Vec<&str> = manifest["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["Condition", "Patient"]);
    assert_eq!(send("DELETE", &status_url, &[], None).status, 202);
    assert_eq!(get(&status_url).status, 404, "a deleted export is gone");
    let bad_format = send(
        "GET",
        &server.url("$export?_outputFormat=text/csv"),
        &[("Prefer", "respond-async")],
        None,
    );
    assert_eq!(bad_format.status, 400);
}

#[test]
fn an_export_cut_short_by_a_restart_is_reported_failed() {
    let data = tempfile::tempdir().unwrap();
    let job = data.path().join("exports/cut-short");
    std::fs::create_dir_all(&job).unwrap();
    std::fs::write(
        job.join("job.json"),
        json!({"id": "cut-short", "status": "in-progress", "request": {"level": "System", "types": [], "since": null, "type_filters": []},
               "request_url": "x", "transaction_time": "2026-01-01T00:00:00.000Z", "output": [], "error": null}).to_string(),
    )
    .unwrap();
    let server = TestServer::start_in(data.path(), &[]);
    let answer = get(&server.url("$export-status/cut-short"));
    assert_eq!(answer.status, 500, "{}", answer.body);
    assert!(answer.body.contains("stopped"), "{}", answer.body);
}
