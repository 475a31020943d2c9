//! PATCH with JSON Patch over HTTP: applied to the current version, validated
//! like any write, `If-Match` honoured, and clear errors otherwise.

mod common;

use common::*;
use serde_json::json;

const JSON_PATCH: (&str, &str) = ("Content-Type", "application/json-patch+json");

#[test]
fn json_patch_updates_validates_and_honours_if_match() {
    let server = TestServer::start();
    let url = server.url("Patient/pp");
    let created = put_json(
        &url,
        &json!({"resourceType": "Patient", "id": "pp", "gender": "male",
        "name": [{"family": "Patched"}]}),
        &[],
    );
    assert_eq!(created.status, 201);

    let patch = json!([{"op": "replace", "path": "/gender", "value": "female"},
                       {"op": "add", "path": "/birthDate", "value": "1990-01-02"}])
    .to_string();
    let answer = send(
        "PATCH",
        &url,
        &[JSON_PATCH, ("If-Match", "W/\"1\"")],
        Some(&patch),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["gender"], "female");
    assert_eq!(answer.json()["meta"]["versionId"], "2");
    assert_eq!(answer.header("etag"), Some("W/\"2\""));

    let stale = send(
        "PATCH",
        &url,
        &[JSON_PATCH, ("If-Match", "W/\"1\"")],
        Some(&patch),
    );
    assert_eq!(stale.status, 412, "{}", stale.body);

    let invalid =
        json!([{"op": "replace", "path": "/birthDate", "value": "02/01/1990"}]).to_string();
    let answer = send("PATCH", &url, &[JSON_PATCH], Some(&invalid));
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(answer.issue_paths(), vec!["Patient.birthDate"]);

    let failing_test = json!([{"op": "test", "path": "/gender", "value": "other"}]).to_string();
    assert_eq!(
        send("PATCH", &url, &[JSON_PATCH], Some(&failing_test)).status,
        400
    );
    assert_eq!(
        send("PATCH", &url, &[JSON_PATCH], Some("{\"not\": \"a patch\"}")).status,
        400
    );
    assert_eq!(
        send(
            "PATCH",
            &server.url("Patient/nobody"),
            &[JSON_PATCH],
            Some(&patch)
        )
        .status,
        404
    );

    let fhirpath_patch = json!({"resourceType": "Parameters"}).to_string();
    assert_eq!(
        send("PATCH", &url, &[FHIR_JSON], Some(&fhirpath_patch)).status,
        501
    );
    assert_eq!(
        send("PATCH", &url, &[("Content-Type", "text/plain")], Some("x")).status,
        415
    );

    assert_eq!(
        get(&url).json()["meta"]["versionId"],
        "2",
        "failed patches stored nothing"
    );
}
