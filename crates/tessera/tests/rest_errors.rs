//! End to end: each error status the REST API promises, always with an
//! OperationOutcome that says what is wrong and where.

mod common;

use common::*;
use serde_json::json;

fn assert_outcome(answer: &Answer, status: u16, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["resourceType"], "OperationOutcome", "{}", answer.body);
    assert_eq!(body["issue"][0]["code"], code, "{}", answer.body);
    assert!(
        body["issue"][0]["diagnostics"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
}

#[test]
fn bad_requests_are_400() {
    let server = TestServer::start();
    let broken = send(
        "POST",
        &server.url("Patient"),
        &[FHIR_JSON],
        Some("{\"resourceType\": \"Patient\",\n  \"gender\": }"),
    );
    assert_outcome(&broken, 400, "structure");
    assert!(
        broken.json()["issue"][0]["diagnostics"]
            .as_str()
            .unwrap()
            .contains("line 2")
    );
    let duplicate = send(
        "POST",
        &server.url("Patient"),
        &[FHIR_JSON],
        Some(r#"{"resourceType": "Patient", "gender": "male", "gender": "female"}"#),
    );
    assert_outcome(&duplicate, 400, "structure");
    assert!(duplicate.body.contains("gender"), "{}", duplicate.body);
    let array = send("POST", &server.url("Patient"), &[FHIR_JSON], Some("[1, 2]"));
    assert_outcome(&array, 400, "structure");
    let wrong_type = post_json(
        &server.url("Patient"),
        &json!({"resourceType": "Observation"}),
    );
    assert_outcome(&wrong_type, 400, "invalid");
    let mismatch = put_json(
        &server.url("Patient/a"),
        &json!({"resourceType": "Patient", "id": "b"}),
        &[],
    );
    assert_outcome(&mismatch, 400, "invalid");
    assert_eq!(mismatch.issue_paths(), vec!["Patient.id"]);
    let no_id = put_json(
        &server.url("Patient/a"),
        &json!({"resourceType": "Patient"}),
        &[],
    );
    assert_outcome(&no_id, 400, "invalid");
    let bad_id = get(&server.url("Patient/not_valid!"));
    assert_outcome(&bad_id, 400, "invalid");
    let bad_if_match = put_json(
        &server.url("Patient/a"),
        &json!({"resourceType": "Patient", "id": "a"}),
        &[("If-Match", "three")],
    );
    assert_outcome(&bad_if_match, 400, "invalid");
}

#[test]
fn unknown_things_are_404() {
    let server = TestServer::start();
    assert_outcome(&get(&server.url("Patient/nobody")), 404, "not-found");
    assert_outcome(&get(&server.url("Spaceship/1")), 404, "not-supported");
    assert_outcome(
        &post_json(
            &server.url("Spaceship"),
            &json!({"resourceType": "Spaceship"}),
        ),
        404,
        "not-supported",
    );
    assert_outcome(
        &get(&server.url("Patient/1/_history/1/more")),
        404,
        "not-found",
    );
    assert_outcome(
        &get(&(server.base.trim_end_matches("/fhir").to_owned() + "/nowhere")),
        404,
        "not-found",
    );
    assert_outcome(
        &post_json(&server.url("Patient/$frobnicate"), &json!({})),
        404,
        "not-supported",
    );
}

#[test]
fn wrong_method_is_405_with_allow() {
    let server = TestServer::start();
    let answer = send("DELETE", &server.url("Patient"), &[], None);
    assert_outcome(&answer, 405, "not-supported");
    assert_eq!(answer.header("allow"), Some("GET, POST"));
    assert_outcome(
        &send("POST", &server.url("Patient/1"), &[FHIR_JSON], Some("{}")),
        405,
        "not-supported",
    );
    assert_outcome(
        &send("PUT", &server.url("metadata"), &[FHIR_JSON], Some("{}")),
        405,
        "not-supported",
    );
}

#[test]
fn xml_is_406() {
    let server = TestServer::start();
    assert_outcome(
        &send(
            "GET",
            &server.url("metadata"),
            &[("Accept", "application/fhir+xml")],
            None,
        ),
        406,
        "not-supported",
    );
    assert_outcome(
        &get(&server.url("metadata?_format=application/fhir%2Bxml")),
        406,
        "not-supported",
    );
}

#[test]
fn deleting_what_others_refer_to_is_409() {
    let server = TestServer::start();
    put_json(
        &server.url("Patient/p1"),
        &json!({"resourceType": "Patient", "id": "p1"}),
        &[],
    );
    let observation = post_json(
        &server.url("Observation"),
        &json!({"resourceType": "Observation", "status": "final", "code": {"text": "pulse"},
                "subject": {"reference": "Patient/p1"}}),
    );
    assert_eq!(observation.status, 201, "{}", observation.body);
    let refused = send("DELETE", &server.url("Patient/p1"), &[], None);
    assert_outcome(&refused, 409, "conflict");
    let id = observation.json()["id"].as_str().unwrap().to_owned();
    assert!(
        refused.body.contains(&format!("Observation/{id}")),
        "names the referrer"
    );
    assert_eq!(
        get(&server.url("Patient/p1")).status,
        200,
        "nothing was deleted"
    );
    assert_eq!(
        send(
            "DELETE",
            &server.url(&format!("Observation/{id}")),
            &[],
            None
        )
        .status,
        204
    );
    assert_eq!(
        send("DELETE", &server.url("Patient/p1"), &[], None).status,
        204
    );
}

#[test]
fn deleted_is_410_and_stale_version_is_412() {
    let server = TestServer::start();
    put_json(
        &server.url("Patient/p1"),
        &json!({"resourceType": "Patient", "id": "p1"}),
        &[],
    );
    put_json(
        &server.url("Patient/p1"),
        &json!({"resourceType": "Patient", "id": "p1", "active": true}),
        &[],
    );
    let stale = send(
        "DELETE",
        &server.url("Patient/p1"),
        &[("If-Match", "W/\"1\"")],
        None,
    );
    assert_outcome(&stale, 412, "conflict");
    assert_eq!(
        send(
            "DELETE",
            &server.url("Patient/p1"),
            &[("If-Match", "W/\"2\"")],
            None
        )
        .status,
        204
    );
    let gone = get(&server.url("Patient/p1"));
    assert_outcome(&gone, 410, "deleted");
    assert_eq!(gone.header("etag"), Some("W/\"3\""));
}

#[test]
fn oversized_body_is_413() {
    let server = TestServer::start_with(&["--max-body-bytes", "2000"]);
    let big = json!({"resourceType": "Patient", "name": [{"family": "x".repeat(3000)}]});
    assert_outcome(&post_json(&server.url("Patient"), &big), 413, "too-costly");
    let small = json!({"resourceType": "Patient", "name": [{"family": "Small"}]});
    assert_eq!(post_json(&server.url("Patient"), &small).status, 201);
}

#[test]
fn non_json_body_is_415() {
    let server = TestServer::start();
    let xml = send(
        "POST",
        &server.url("Patient"),
        &[("Content-Type", "application/fhir+xml")],
        Some("<Patient xmlns=\"http://hl7.org/fhir\"/>"),
    );
    assert_outcome(&xml, 415, "not-supported");
    let form = send(
        "PUT",
        &server.url("Patient/a"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some("a=b"),
    );
    assert_outcome(&form, 415, "not-supported");
    let json_ok = send(
        "POST",
        &server.url("Patient"),
        &[("Content-Type", "application/json; charset=utf-8")],
        Some("{\"resourceType\":\"Patient\"}"),
    );
    assert_eq!(json_ok.status, 201, "{}", json_ok.body);
}

#[test]
fn invalid_resources_are_422_with_every_location() {
    let server = TestServer::start();
    let resource = json!({
        "resourceType": "Observation",
        "status": "finished",
        "code": {"text": "pulse"},
        "effectiveDateTime": "yesterday",
        "colour": "blue",
        "component": [
            {"code": {"text": "a"}, "valueQuantity": {"value": 1}},
            {"valueString": "no code"}
        ]
    });
    let answer = post_json(&server.url("Observation"), &resource);
    assert_outcome(
        &answer,
        422,
        answer.json()["issue"][0]["code"].as_str().unwrap_or("?"),
    );
    let mut paths = answer.issue_paths();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            "Observation.colour",
            "Observation.component[1].code",
            "Observation.effectiveDateTime",
            "Observation.status",
        ],
        "{}",
        answer.body
    );
    assert_eq!(
        get(&server.url("_history")).json()["total"],
        0,
        "nothing was stored"
    );
}
