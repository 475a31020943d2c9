//! Transaction and batch Bundles over HTTP: references between entries,
//! all-or-nothing, R4 processing order, per-entry answers of a batch, and
//! errors that name the entry.

mod common;

use common::*;
use serde_json::{Value, json};

fn post_bundle(server: &TestServer, bundle: &Value) -> Answer {
    post_json(&server.base, bundle)
}

fn history_total(server: &TestServer) -> u64 {
    get(&server.url("_history?_summary=count")).json()["total"]
        .as_u64()
        .unwrap()
}

#[test]
fn transaction_rewrites_references_between_entries() {
    let server = TestServer::start();
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a",
         "resource": {"resourceType": "Patient", "name": [{"family": "Bundled"}]},
         "request": {"method": "POST", "url": "Patient"}},
        {"fullUrl": "urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059",
         "resource": {"resourceType": "Observation", "status": "final", "code": {"text": "weight"},
                      "subject": {"reference": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"}},
         "request": {"method": "POST", "url": "Observation"}},
        {"resource": {"resourceType": "Patient", "id": "chosen", "gender": "other"},
         "request": {"method": "PUT", "url": "Patient/chosen"}}
    ]});
    let answer = post_bundle(&server, &bundle);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let response = answer.json();
    assert_eq!(response["type"], "transaction-response");
    let entries = response["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["response"]["status"], "201 Created");
    assert_eq!(entries[2]["response"]["status"], "201 Created");
    let patient_location = entries[0]["response"]["location"].as_str().unwrap();
    let patient_id = patient_location.split('/').nth(1).unwrap();
    let observation_location = entries[1]["response"]["location"].as_str().unwrap();
    let observation_path = observation_location.split("/_history").next().unwrap();
    let observation = get(&server.url(observation_path)).json();
    assert_eq!(
        observation["subject"]["reference"],
        format!("Patient/{patient_id}")
    );
    assert_eq!(get(&server.url("Patient/chosen")).status, 200);
}

#[test]
fn a_failing_entry_leaves_no_trace_and_is_named() {
    let server = TestServer::start();
    let before = history_total(&server);
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Patient", "id": "kept-out"},
         "request": {"method": "PUT", "url": "Patient/kept-out"}},
        {"resource": {"resourceType": "Observation", "status": "not-a-status", "code": {"text": "x"}},
         "request": {"method": "POST", "url": "Observation"}}
    ]});
    let answer = post_bundle(&server, &bundle);
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        answer.issue_paths(),
        vec!["Bundle.entry[1].resource.status"]
    );
    assert_eq!(
        history_total(&server),
        before,
        "nothing of the transaction was stored"
    );
    assert_eq!(get(&server.url("Patient/kept-out")).status, 404);

    let dangling = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "x"},
                      "subject": {"reference": "urn:uuid:00000000-0000-0000-0000-000000000000"}},
         "request": {"method": "POST", "url": "Observation"}}
    ]});
    let answer = post_bundle(&server, &dangling);
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.issue_paths(), vec!["Bundle.entry[0]"]);
}

#[test]
fn entries_run_in_r4_order_once_each_and_stale_if_match_is_412() {
    let server = TestServer::start();
    put_json(
        &server.url("Patient/old"),
        &json!({"resourceType": "Patient", "id": "old"}),
        &[],
    );
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"request": {"method": "GET", "url": "Patient/old-gone-check"}},
        {"resource": {"resourceType": "Patient", "id": "first", "active": true},
         "request": {"method": "PUT", "url": "Patient/first"}}
    ]});
    // A GET of a missing resource changes nothing: its entry alone answers 404.
    let answer = post_bundle(&server, &bundle);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let first = answer.json();
    assert!(
        first["entry"][0]["response"]["status"]
            .as_str()
            .unwrap()
            .starts_with("404")
    );
    assert_eq!(
        first["entry"][0]["response"]["outcome"]["issue"][0]["expression"][0],
        "Bundle.entry[0]"
    );

    // Entries run DELETE, POST, PUT, GET whatever their order in the Bundle:
    // the GET listed first sees the deletion listed last.
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"request": {"method": "GET", "url": "Patient/old"}},
        {"resource": {"resourceType": "Patient", "id": "new", "active": true},
         "request": {"method": "PUT", "url": "Patient/new"}},
        {"request": {"method": "DELETE", "url": "Patient/old"}}
    ]});
    let answer = post_bundle(&server, &bundle);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let entries = answer.json()["entry"].as_array().unwrap().clone();
    assert!(
        entries[0]["response"]["status"]
            .as_str()
            .unwrap()
            .starts_with("410"),
        "{}",
        answer.body
    );
    assert_eq!(entries[1]["response"]["status"], "201 Created");
    assert_eq!(entries[2]["response"]["status"], "204 No Content");

    // Two entries that write one resource fail the transaction (R4 3.1.0.11.2).
    let before = history_total(&server);
    let overlapping = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Patient", "id": "new", "active": false},
         "request": {"method": "PUT", "url": "Patient/new"}},
        {"resource": {"resourceType": "Patient", "id": "elsewhere"},
         "request": {"method": "PUT", "url": "Patient/elsewhere"}},
        {"request": {"method": "DELETE", "url": "Patient/new"}}
    ]});
    let answer = post_bundle(&server, &overlapping);
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.issue_paths(), vec!["Bundle.entry[2]"]);
    assert_eq!(history_total(&server), before);

    let update_new = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Patient", "id": "new"},
         "request": {"method": "PUT", "url": "Patient/new", "ifMatch": "W/\"1\""}}
    ]});
    assert_eq!(post_bundle(&server, &update_new).status, 200);
    let answer = post_bundle(&server, &update_new);
    assert_eq!(answer.status, 412, "{}", answer.body);
    assert_eq!(answer.issue_paths(), vec!["Bundle.entry[0]"]);
}

#[test]
fn batch_answers_each_entry() {
    let server = TestServer::start();
    let bundle = json!({"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": {"resourceType": "Patient", "id": "b1"}, "request": {"method": "PUT", "url": "Patient/b1"}},
        {"resource": {"resourceType": "Patient", "birthDate": "1999-02-30"}, "request": {"method": "POST", "url": "Patient"}},
        {"request": {"method": "GET", "url": "Patient/b1"}},
        {"request": {"method": "GET", "url": "Patient/missing"}}
    ]});
    let answer = post_bundle(&server, &bundle);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let response = answer.json();
    assert_eq!(response["type"], "batch-response");
    let statuses: Vec<&str> = response["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["response"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses[0], "201 Created");
    assert!(statuses[1].starts_with("422"), "{statuses:?}");
    assert_eq!(
        response["entry"][1]["response"]["outcome"]["issue"][0]["expression"][0],
        "Bundle.entry[1].resource.birthDate"
    );
    assert!(statuses[3].starts_with("404"), "{statuses:?}");
    assert_eq!(get(&server.url("Patient/b1")).status, 200);
    let wrong = post_bundle(
        &server,
        &json!({"resourceType": "Bundle", "type": "collection"}),
    );
    assert_eq!(wrong.status, 400);
}

#[test]
fn conditional_create_update_and_delete_resolve_by_search() {
    let server = TestServer::start();
    let mrn = |value: &str| json!([{"system": "http://clinic.example/mrn", "value": value}]);
    let create = |value: &str| {
        json!({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"fullUrl": "urn:uuid:0c0c0c0c-0000-4000-8000-000000000001",
             "resource": {"resourceType": "Patient", "identifier": mrn(value)},
             "request": {"method": "POST", "url": "Patient",
                         "ifNoneExist": format!("identifier=http://clinic.example/mrn|{value}")}}
        ]})
    };
    // Conditional create: the first creates, the second finds it and creates nothing.
    let first = post_bundle(&server, &create("M1"));
    assert_eq!(
        first.json()["entry"][0]["response"]["status"],
        "201 Created",
        "{}",
        first.body
    );
    let second = post_bundle(&server, &create("M1"));
    assert_eq!(
        second.json()["entry"][0]["response"]["status"],
        "200 OK",
        "{}",
        second.body
    );
    assert_eq!(
        get(&server.url("Patient?identifier=M1&_summary=count")).json()["total"],
        1
    );

    // Conditional update: updates the one match, or creates when none.
    let update = |value: &str, gender: &str| {
        json!({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"resource": {"resourceType": "Patient", "identifier": mrn(value), "gender": gender},
             "request": {"method": "PUT", "url": format!("Patient?identifier=http://clinic.example/mrn|{value}")}}
        ]})
    };
    let answer = post_bundle(&server, &update("M1", "female"));
    assert_eq!(
        answer.json()["entry"][0]["response"]["status"],
        "200 OK",
        "{}",
        answer.body
    );
    assert_eq!(
        get(&server.url("Patient?identifier=M1")).json()["entry"][0]["resource"]["gender"],
        "female"
    );
    let answer = post_bundle(&server, &update("M2", "male"));
    assert_eq!(
        answer.json()["entry"][0]["response"]["status"],
        "201 Created",
        "{}",
        answer.body
    );

    // Several matches: 412, and nothing changes.
    put_json(
        &server.url("Patient/dup"),
        &json!({"resourceType": "Patient", "id": "dup", "identifier": mrn("M1")}),
        &[],
    );
    let answer = post_bundle(&server, &update("M1", "other"));
    assert_eq!(answer.status, 412, "{}", answer.body);
    assert_eq!(answer.issue_paths(), vec!["Bundle.entry[0]"]);
    let delete_both = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"request": {"method": "DELETE", "url": "Patient?identifier=http://clinic.example/mrn|M1"}}
    ]});
    assert_eq!(post_bundle(&server, &delete_both).status, 412);

    // Conditional delete of the one match.
    let delete_one = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"request": {"method": "DELETE", "url": "Patient?identifier=http://clinic.example/mrn|M2"}}
    ]});
    let answer = post_bundle(&server, &delete_one);
    assert_eq!(
        answer.json()["entry"][0]["response"]["status"],
        "204 No Content",
        "{}",
        answer.body
    );
    assert_eq!(
        get(&server.url("Patient?identifier=M2&_summary=count")).json()["total"],
        0
    );
}

#[test]
fn transaction_patch_entries_apply_both_formats_or_nothing() {
    let server = TestServer::start();
    for id in ["patched", "renamed"] {
        put_json(
            &server.url(&format!("Patient/{id}")),
            &json!({"resourceType": "Patient", "id": id, "active": false,
                    "name": [{"family": "Before"}]}),
            &[],
        );
    }
    // JSON Patch travels as a Binary, base64: [{"op":"replace","path":"/active","value":true}]
    let json_patch = "W3sib3AiOiJyZXBsYWNlIiwicGF0aCI6Ii9hY3RpdmUiLCJ2YWx1ZSI6dHJ1ZX1d";
    let fhirpath_patch = json!({"resourceType": "Parameters", "parameter": [
        {"name": "operation", "part": [
            {"name": "type", "valueCode": "replace"},
            {"name": "path", "valueString": "Patient.name[0].family"},
            {"name": "value", "valueString": "After"}]}]});
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Binary", "contentType": "application/json-patch+json",
                      "data": json_patch},
         "request": {"method": "PATCH", "url": "Patient/patched"}},
        {"resource": fhirpath_patch,
         "request": {"method": "PATCH", "url": "Patient?_id=renamed", "ifMatch": "W/\"1\""}}
    ]});
    let answer = post_bundle(&server, &bundle);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let entries = answer.json()["entry"].as_array().unwrap().clone();
    assert_eq!(entries[0]["response"]["status"], "200 OK");
    assert_eq!(entries[0]["response"]["etag"], "W/\"2\"");
    assert_eq!(entries[1]["response"]["etag"], "W/\"2\"");
    let patched = get(&server.url("Patient/patched")).json();
    assert_eq!(patched["active"], true);
    assert_eq!(patched["name"][0]["family"], "Before");
    let renamed = get(&server.url("Patient/renamed")).json();
    assert_eq!(renamed["active"], false);
    assert_eq!(renamed["name"][0]["family"], "After");

    // A stale ifMatch on one PATCH entry: 412 naming it, and neither entry lands.
    let before = history_total(&server);
    let stale = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Patient", "id": "other"},
         "request": {"method": "PUT", "url": "Patient/other"}},
        {"resource": {"resourceType": "Parameters", "parameter": [
            {"name": "operation", "part": [
                {"name": "type", "valueCode": "delete"},
                {"name": "path", "valueString": "Patient.active"}]}]},
         "request": {"method": "PATCH", "url": "Patient/patched", "ifMatch": "W/\"1\""}}
    ]});
    let answer = post_bundle(&server, &stale);
    assert_eq!(answer.status, 412, "{}", answer.body);
    assert_eq!(answer.issue_paths(), vec!["Bundle.entry[1]"]);
    assert_eq!(history_total(&server), before);
    assert_eq!(get(&server.url("Patient/other")).status, 404);

    // A patch that is neither format is a 400 naming its entry.
    let wrong = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Binary", "contentType": "text/plain", "data": "aGk="},
         "request": {"method": "PATCH", "url": "Patient/patched"}}
    ]});
    let answer = post_bundle(&server, &wrong);
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.issue_paths(), vec!["Bundle.entry[0]"]);
}
