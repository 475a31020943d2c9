//! End to end: every REST interaction of the core server, over real HTTP
//! against the real binary, including each error status it promises.

mod common;

use common::*;
use serde_json::{Value, json};

fn patient(id: Option<&str>, family: &str) -> Value {
    let mut patient = json!({
        "resourceType": "Patient",
        "name": [{"family": family, "given": ["Ada"]}],
        "gender": "female",
        "birthDate": "1970-03-01",
        "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Ada</div>"}
    });
    if let Some(id) = id {
        patient["id"] = json!(id);
    }
    patient
}

#[test]
fn create_read_update_delete_and_versions() {
    let server = TestServer::start();
    let created = post_json(
        &server.url("Patient"),
        &patient(Some("ignored"), "Lovelace"),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let body = created.json();
    let id = body["id"].as_str().unwrap().to_owned();
    assert_ne!(id, "ignored", "POST assigns the id");
    assert_eq!(body["meta"]["versionId"], "1");
    assert!(body["meta"]["lastUpdated"].as_str().unwrap().ends_with('Z'));
    assert_eq!(created.header("etag"), Some("W/\"1\""));
    let location = created.header("location").unwrap();
    assert_eq!(location, server.url(&format!("Patient/{id}/_history/1")));
    assert!(created.header("last-modified").is_some());
    assert!(
        created.header("x-request-id").is_some(),
        "every response has a request id"
    );

    let read = get(&server.url(&format!("Patient/{id}")));
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["name"][0]["family"], "Lovelace");
    assert_eq!(read.header("etag"), Some("W/\"1\""));
    assert_eq!(read.header("content-location"), Some(location));
    assert!(
        read.header("content-type")
            .unwrap()
            .starts_with("application/fhir+json")
    );

    let mut changed = read.json();
    changed["name"][0]["family"] = json!("King");
    let updated = put_json(
        &server.url(&format!("Patient/{id}")),
        &changed,
        &[("If-Match", "W/\"1\"")],
    );
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.json()["meta"]["versionId"], "2");
    assert_eq!(updated.header("etag"), Some("W/\"2\""));

    let stale = put_json(
        &server.url(&format!("Patient/{id}")),
        &changed,
        &[("If-Match", "W/\"1\"")],
    );
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert_eq!(stale.json()["resourceType"], "OperationOutcome");

    let v1 = get(&server.url(&format!("Patient/{id}/_history/1")));
    assert_eq!(v1.status, 200);
    assert_eq!(v1.json()["name"][0]["family"], "Lovelace");
    assert_eq!(
        get(&server.url(&format!("Patient/{id}/_history/9"))).status,
        404
    );
    assert_eq!(
        get(&server.url(&format!("Patient/{id}/_history/x"))).status,
        400
    );

    let deleted = send("DELETE", &server.url(&format!("Patient/{id}")), &[], None);
    assert_eq!(deleted.status, 204);
    let gone = get(&server.url(&format!("Patient/{id}")));
    assert_eq!(gone.status, 410, "{}", gone.body);
    assert_eq!(gone.json()["issue"][0]["code"], "deleted");
    assert_eq!(
        get(&server.url(&format!("Patient/{id}/_history/3"))).status,
        410
    );
    assert_eq!(
        get(&server.url(&format!("Patient/{id}/_history/2"))).status,
        200
    );
    let again = send("DELETE", &server.url(&format!("Patient/{id}")), &[], None);
    assert_eq!(again.status, 204, "deleting twice is idempotent");

    // Update of a deleted resource brings it back as a new version.
    let mut revived = patient(Some(&id), "Back");
    revived["id"] = json!(id);
    let back = put_json(&server.url(&format!("Patient/{id}")), &revived, &[]);
    assert_eq!(back.status, 201, "{}", back.body);
    assert_eq!(back.json()["meta"]["versionId"], "4");
}

#[test]
fn update_as_create_with_client_id() {
    let server = TestServer::start();
    let answer = put_json(
        &server.url("Patient/chosen-1"),
        &patient(Some("chosen-1"), "Hopper"),
        &[],
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    assert_eq!(
        answer.header("location"),
        Some(server.url("Patient/chosen-1/_history/1").as_str())
    );
    assert_eq!(
        get(&server.url("Patient/chosen-1")).json()["name"][0]["family"],
        "Hopper"
    );
    // If-Match on a resource that does not exist cannot match.
    let answer = put_json(
        &server.url("Patient/other"),
        &patient(Some("other"), "X"),
        &[("If-Match", "W/\"1\"")],
    );
    assert_eq!(answer.status, 412);
}

#[test]
fn history_at_every_level_with_paging_since_and_count() {
    let server = TestServer::start();
    for i in 0..5 {
        let id = format!("p{i}");
        put_json(
            &server.url(&format!("Patient/{id}")),
            &patient(Some(&id), "One"),
            &[],
        );
        put_json(
            &server.url(&format!("Patient/{id}")),
            &patient(Some(&id), "Two"),
            &[],
        );
    }
    let obs = json!({"resourceType": "Observation", "status": "final",
        "code": {"text": "weight"}, "subject": {"reference": "Patient/p0"}});
    assert_eq!(post_json(&server.url("Observation"), &obs).status, 201);
    send("DELETE", &server.url("Patient/p4"), &[], None);

    let instance = get(&server.url("Patient/p4/_history")).json();
    assert_eq!(instance["type"], "history");
    assert_eq!(instance["total"], 3);
    let entries = instance["entry"].as_array().unwrap();
    assert_eq!(entries[0]["request"]["method"], "DELETE");
    assert!(entries[0].get("resource").is_none());
    assert_eq!(entries[1]["resource"]["meta"]["versionId"], "2");
    assert_eq!(entries[2]["request"]["method"], "PUT");
    assert_eq!(entries[2]["fullUrl"], server.url("Patient/p4"));

    // Type history, walked page by page through the next links.
    let mut url = server.url("Patient/_history?_count=3");
    let mut seen = Vec::new();
    loop {
        let page = get(&url).json();
        for entry in page["entry"].as_array().into_iter().flatten() {
            seen.push(format!(
                "{}@{}",
                entry["fullUrl"], entry["response"]["etag"]
            ));
        }
        match page["link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["relation"] == "next")
        {
            Some(next) => url = next["url"].as_str().unwrap().to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 11, "10 puts and a delete: {seen:?}");
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 11, "no version twice");

    let system = get(&server.url("_history")).json();
    assert_eq!(system["total"], 12);
    assert_eq!(system["entry"][0]["request"]["method"], "DELETE");
    assert_eq!(system["entry"][1]["request"]["method"], "POST");

    let count = get(&server.url("_history?_summary=count")).json();
    assert_eq!(count["total"], 12);
    assert!(count.get("entry").is_none());

    // _since: only what changed at or after the Observation was created.
    let since = system["entry"][1]["response"]["lastModified"]
        .as_str()
        .unwrap();
    let recent = get(&server.url(&format!("_history?_since={}", since.replace('+', "%2B")))).json();
    assert!(recent["total"].as_u64().unwrap() >= 2, "{recent}");
    assert!(recent["total"].as_u64().unwrap() < 12, "{recent}");
    assert_eq!(get(&server.url("_history?_since=yesterday")).status, 400);
    assert_eq!(get(&server.url("Nonsense/_history")).status, 404);
}

#[test]
fn conditional_reads_answer_304() {
    let server = TestServer::start();
    put_json(
        &server.url("Patient/c1"),
        &patient(Some("c1"), "Curie"),
        &[],
    );
    let read = get(&server.url("Patient/c1"));
    let etag = read.header("etag").unwrap().to_owned();
    let modified = read.header("last-modified").unwrap().to_owned();
    let same = send(
        "GET",
        &server.url("Patient/c1"),
        &[("If-None-Match", &etag)],
        None,
    );
    assert_eq!(same.status, 304);
    assert_eq!(same.header("etag"), Some(etag.as_str()));
    let other = send(
        "GET",
        &server.url("Patient/c1"),
        &[("If-None-Match", "W/\"7\"")],
        None,
    );
    assert_eq!(other.status, 200);
    let unchanged = send(
        "GET",
        &server.url("Patient/c1"),
        &[("If-Modified-Since", &modified)],
        None,
    );
    assert_eq!(unchanged.status, 304);
    let old = send(
        "GET",
        &server.url("Patient/c1"),
        &[("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")],
        None,
    );
    assert_eq!(old.status, 200);
}

#[test]
fn prefer_return_shapes_the_answer() {
    let server = TestServer::start();
    let minimal = send(
        "POST",
        &server.url("Patient"),
        &[FHIR_JSON, ("Prefer", "return=minimal")],
        Some(&patient(None, "Min").to_string()),
    );
    assert_eq!(minimal.status, 201);
    assert!(minimal.body.is_empty());
    assert!(minimal.header("location").is_some());
    let outcome = send(
        "POST",
        &server.url("Patient"),
        &[FHIR_JSON, ("Prefer", "return=OperationOutcome")],
        Some(&patient(None, "Out").to_string()),
    );
    assert_eq!(outcome.status, 201);
    assert_eq!(outcome.json()["resourceType"], "OperationOutcome");
    let full = send(
        "POST",
        &server.url("Patient"),
        &[FHIR_JSON, ("Prefer", "return=representation")],
        Some(&patient(None, "Rep").to_string()),
    );
    assert_eq!(full.json()["name"][0]["family"], "Rep");
}

#[test]
fn formats_summary_and_elements() {
    let server = TestServer::start();
    put_json(
        &server.url("Patient/f1"),
        &patient(Some("f1"), "Franklin"),
        &[],
    );
    let plain = get(&server.url("Patient/f1?_format=json"));
    assert_eq!(plain.status, 200);
    assert!(!plain.body.contains('\n'));
    let pretty = get(&server.url("Patient/f1?_pretty=true"));
    assert!(pretty.body.contains("\n  "), "pretty JSON is indented");
    assert_eq!(
        send(
            "GET",
            &server.url("Patient/f1"),
            &[("Accept", "application/json")],
            None
        )
        .status,
        200
    );

    let xml = send(
        "GET",
        &server.url("Patient/f1"),
        &[("Accept", "application/fhir+xml")],
        None,
    );
    assert_eq!(xml.status, 406);
    assert_eq!(xml.json()["resourceType"], "OperationOutcome");
    assert_eq!(get(&server.url("Patient/f1?_format=xml")).status, 406);

    let subsetted = |body: &Value| {
        body["meta"]["tag"]
            .as_array()
            .is_some_and(|tags| tags.iter().any(|t| t["code"] == "SUBSETTED"))
    };
    let summary = get(&server.url("Patient/f1?_summary=true")).json();
    assert!(
        summary.get("text").is_none(),
        "text is not a summary element"
    );
    assert_eq!(summary["birthDate"], "1970-03-01");
    assert!(subsetted(&summary));
    let text = get(&server.url("Patient/f1?_summary=text")).json();
    assert!(text.get("text").is_some());
    assert!(text.get("birthDate").is_none());
    let data = get(&server.url("Patient/f1?_summary=data")).json();
    assert!(data.get("text").is_none());
    assert_eq!(data["gender"], "female");
    let elements = get(&server.url("Patient/f1?_elements=gender")).json();
    assert_eq!(elements["gender"], "female");
    assert!(elements.get("name").is_none());
    assert_eq!(elements["id"], "f1");
    assert!(subsetted(&elements));
    assert_eq!(get(&server.url("Patient/f1?_summary=maybe")).status, 400);
}

#[test]
fn capability_statement_lists_what_works_and_is_itself_valid() {
    let server = TestServer::start();
    let answer = get(&server.url("metadata"));
    assert_eq!(answer.status, 200);
    let statement = answer.json();
    assert_eq!(statement["resourceType"], "CapabilityStatement");
    assert_eq!(statement["fhirVersion"], "4.0.1");
    let resources = statement["rest"][0]["resource"].as_array().unwrap();
    assert!(resources.len() >= 140, "every R4 resource type");
    let patient = resources.iter().find(|r| r["type"] == "Patient").unwrap();
    let codes: Vec<&str> = patient["interaction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"vread") && codes.contains(&"history-type"));
    assert!(codes.contains(&"search-type") && codes.contains(&"patch"));
    let params: Vec<&str> = patient["searchParam"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(params.contains(&"name") && params.contains(&"birthdate") && params.contains(&"_id"));
    assert!(
        !params.contains(&"_text"),
        "only parameters that work are listed"
    );
    let check = post_json(&server.url("CapabilityStatement/$validate"), &statement);
    assert_eq!(check.status, 200, "{}", check.body);
}

#[test]
fn validate_answers_without_storing() {
    let server = TestServer::start();
    let good = post_json(&server.url("Patient/$validate"), &patient(None, "Valid"));
    assert_eq!(good.status, 200, "{}", good.body);
    assert_eq!(good.json()["resourceType"], "OperationOutcome");
    let wrapped = json!({"resourceType": "Parameters",
        "parameter": [{"name": "resource", "resource": {"resourceType": "Patient", "birthDate": "1970-13-45"}}]});
    let bad = post_json(&server.url("Patient/$validate"), &wrapped);
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.issue_paths(), vec!["Patient.birthDate"]);
    let history = get(&server.url("_history")).json();
    assert_eq!(history["total"], 0, "$validate stores nothing");
}
