//! `tessera reindex` rebuilds the search index from the stored resources:
//! it counts every live resource and searches answer the same afterwards.

mod common;

use common::*;
use serde_json::json;

#[test]
fn reindex_rebuilds_and_searches_still_answer() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(data.path(), &[]);
    for (id, family) in [("r1", "Rebuilt"), ("r2", "Rebuilt"), ("r3", "Other")] {
        let patient = json!({"resourceType": "Patient", "id": id, "name": [{"family": family}]});
        assert_eq!(
            put_json(&server.url(&format!("Patient/{id}")), &patient, &[]).status,
            201
        );
    }
    assert_eq!(
        send("DELETE", &server.url("Patient/r3"), &[], None).status,
        204
    );
    let before = get(&server.url("Patient?name=rebuilt&_total=accurate")).json()["total"].clone();
    assert_eq!(before, 2);
    drop(server);

    let output = tessera(data.path())
        .args(["reindex", "--type", "Patient", "--data-dir"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("reindexed 2 resources"), "{stdout}");

    let server = TestServer::start_in(data.path(), &[]);
    let after = get(&server.url("Patient?name=rebuilt&_total=accurate")).json()["total"].clone();
    assert_eq!(after, 2);
    let bad = tessera(data.path())
        .args(["reindex", "--type", "Spaceship", "--data-dir"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(!bad.status.success());
}
