//! `tessera backup` and `tessera restore` on the backend under test: a
//! round trip gives the same versions, lastUpdated and history (the two
//! backup files are byte for byte the same), taken while the server runs;
//! restore refuses a store that is not empty and a file cut short.

mod common;

use common::*;
use serde_json::json;
use std::path::Path;

fn run(data: &Path, args: &[&str]) -> (bool, String) {
    let output = tessera(data)
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap();
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

#[test]
fn a_backup_restored_is_the_same_store() {
    let work = tempfile::tempdir().unwrap();
    let (first, second) = (work.path().join("first"), work.path().join("second"));
    let network = work.path().join("network");
    let generated = tessera(work.path())
        .args(["generate", "--patients", "3", "--out"])
        .arg(&network)
        .output()
        .unwrap();
    assert!(generated.status.success());
    let (ok, out) = run(&first, &["import", network.to_str().unwrap()]);
    assert!(ok, "{out}");

    // History: an update, and a resource created then deleted.
    let server = TestServer::start_in(&first, &[]);
    let patient = json!({"resourceType": "Patient", "id": "bk1", "gender": "female"});
    assert_eq!(
        put_json(&server.url("/Patient/bk1"), &patient, &[]).status,
        201
    );
    let patient = json!({"resourceType": "Patient", "id": "bk1", "gender": "male"});
    assert_eq!(
        put_json(&server.url("/Patient/bk1"), &patient, &[]).status,
        200
    );
    let basic = json!({"resourceType": "Basic", "id": "gone", "code": {"text": "x"}});
    assert_eq!(
        put_json(&server.url("/Basic/gone"), &basic, &[]).status,
        201
    );
    assert_eq!(
        send("DELETE", &server.url("/Basic/gone"), &[], None).status,
        204
    );

    // Online: the backup is taken while the server runs.
    let first_file = work.path().join("first.ndjson");
    let (ok, out) = run(&first, &["backup", "--out", first_file.to_str().unwrap()]);
    assert!(ok, "{out}");
    drop(server);

    let (ok, out) = run(&second, &["restore", first_file.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(
        out.contains("SHA-256 of every version's content in write order matches"),
        "{out}"
    );
    let second_file = work.path().join("second.ndjson");
    let (ok, out) = run(&second, &["backup", "--out", second_file.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(
        std::fs::read(&first_file).unwrap() == std::fs::read(&second_file).unwrap(),
        "the restored store's backup differs from the original's"
    );

    // The restored server answers history and reads as the first did.
    let server = TestServer::start_in(&second, &[]);
    let history = get(&server.url("/Patient/bk1/_history")).json();
    assert_eq!(history["total"], 2);
    assert_eq!(get(&server.url("/Basic/gone")).status, 410);
    let read = get(&server.url("/Patient/bk1")).json();
    assert_eq!(read["gender"], "male");
    assert_eq!(read["meta"]["versionId"], "2");
    drop(server);

    // Not into a store that holds anything.
    let (ok, out) = run(&second, &["restore", first_file.to_str().unwrap()]);
    assert!(!ok && out.contains("is not empty"), "{out}");
    // Not from a file cut short.
    let bytes = std::fs::read(&first_file).unwrap();
    let cut = work.path().join("cut.ndjson");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let third = work.path().join("third");
    let (ok, out) = run(&third, &["restore", cut.to_str().unwrap()]);
    assert!(!ok && out.contains("no end line"), "{out}");
}
