//! Search over HTTP beyond the table of cases: `POST _search`, the
//! searchset Bundle's shape (fullUrl, search.mode, self link with only the
//! applied parameters), ignored parameters reported or refused under
//! `Prefer: handling=strict`, `_summary` and `_elements` on results, and
//! deleted or updated resources matching by their current version only.

mod common;

use common::*;
use serde_json::json;

fn load(server: &TestServer) {
    for (id, family, gender) in [
        ("p1", "Nightingale", "female"),
        ("p2", "Seacole", "female"),
        ("p3", "Lister", "male"),
    ] {
        let patient = json!({"resourceType": "Patient", "id": id, "name": [{"family": family}], "gender": gender,
            "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"}});
        assert_eq!(
            put_json(&server.url(&format!("Patient/{id}")), &patient, &[]).status,
            201
        );
    }
}

fn ids(bundle: &serde_json::Value, mode: &str) -> Vec<String> {
    let mut ids: Vec<String> = bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["search"]["mode"] == mode)
        .map(|e| e["resource"]["id"].as_str().unwrap_or("?").to_owned())
        .collect();
    ids.sort();
    ids
}

#[test]
fn searchset_bundle_shape_and_post_search() {
    let server = TestServer::start();
    load(&server);
    let answer = get(&server.url("Patient?gender=female&_total=accurate"));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let bundle = answer.json();
    assert_eq!(bundle["type"], "searchset");
    assert_eq!(bundle["total"], 2);
    assert_eq!(ids(&bundle, "match"), vec!["p1", "p2"]);
    let first = &bundle["entry"][0];
    assert!(
        first["fullUrl"]
            .as_str()
            .unwrap()
            .starts_with(&server.url("Patient/"))
    );
    let self_link = bundle["link"][0]["url"].as_str().unwrap();
    assert!(self_link.contains("gender=female"), "{self_link}");

    let posted = send(
        "POST",
        &server.url("Patient/_search"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some("gender=male"),
    );
    assert_eq!(posted.status, 200, "{}", posted.body);
    assert_eq!(ids(&posted.json(), "match"), vec!["p3"]);
    let wrong_type = send(
        "POST",
        &server.url("Patient/_search"),
        &[FHIR_JSON],
        Some("{}"),
    );
    assert_eq!(wrong_type.status, 415);
}

#[test]
fn unknown_parameters_are_reported_or_refused_when_strict() {
    let server = TestServer::start();
    load(&server);
    let lenient = get(&server.url("Patient?gender=male&colour=blue"));
    assert_eq!(lenient.status, 200, "{}", lenient.body);
    let bundle = lenient.json();
    assert_eq!(ids(&bundle, "match"), vec!["p3"]);
    let outcome = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["search"]["mode"] == "outcome")
        .expect("an OperationOutcome entry");
    assert!(outcome["resource"].to_string().contains("colour"));
    let self_link = bundle["link"][0]["url"].as_str().unwrap();
    assert!(
        !self_link.contains("colour"),
        "the self link shows only what was applied: {self_link}"
    );

    let strict = send(
        "GET",
        &server.url("Patient?gender=male&colour=blue"),
        &[("Prefer", "handling=strict")],
        None,
    );
    assert_eq!(strict.status, 400, "{}", strict.body);
    assert!(strict.body.contains("colour"));
}

#[test]
fn summary_and_elements_apply_to_results() {
    let server = TestServer::start();
    load(&server);
    let bundle = get(&server.url("Patient?_id=p1&_elements=gender")).json();
    let resource = &bundle["entry"][0]["resource"];
    assert_eq!(resource["gender"], "female");
    assert!(resource.get("name").is_none());
    let summary = get(&server.url("Patient?_id=p1&_summary=true")).json();
    assert!(summary["entry"][0]["resource"].get("text").is_none());
    let count = get(&server.url("Patient?_summary=count")).json();
    assert_eq!(count["total"], 3);
    assert!(count.get("entry").is_none());
}

#[test]
fn only_current_versions_match() {
    let server = TestServer::start();
    load(&server);
    let renamed = json!({"resourceType": "Patient", "id": "p1", "name": [{"family": "Barton"}], "gender": "female"});
    assert_eq!(
        put_json(&server.url("Patient/p1"), &renamed, &[]).status,
        200
    );
    assert!(
        ids(
            &get(&server.url("Patient?name=nightingale")).json(),
            "match"
        )
        .is_empty()
    );
    assert_eq!(
        ids(&get(&server.url("Patient?name=barton")).json(), "match"),
        vec!["p1"]
    );
    assert_eq!(
        send("DELETE", &server.url("Patient/p2"), &[], None).status,
        204
    );
    assert_eq!(
        ids(&get(&server.url("Patient?gender=female")).json(), "match"),
        vec!["p1"]
    );
}

#[test]
fn a_cursor_from_nowhere_is_a_client_error() {
    let server = TestServer::start();
    load(&server);
    let answer = get(&server.url("Patient?gender=female&_cursor=not-a-cursor"));
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.json()["resourceType"], "OperationOutcome");
}
