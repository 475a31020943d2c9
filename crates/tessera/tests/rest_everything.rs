//! `Patient/{id}/$everything` over HTTP: every resource of a loaded patient
//! bundle comes back (with the practitioners and organisations they refer
//! to), and every resource in the patient's compartment under another
//! patient's key (a family appointment), nothing else of another patient
//! does, and paging covers it all.

mod common;

use common::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn load_patient(server: &TestServer, patient: &str, observations: usize) {
    let mut entries = vec![
        json!({"resource": {"resourceType": "Patient", "id": patient,
        "generalPractitioner": [{"reference": "Practitioner/doc"}]},
        "request": {"method": "PUT", "url": format!("Patient/{patient}")}}),
    ];
    for n in 0..observations {
        entries.push(json!({"resource": {"resourceType": "Observation", "id": format!("{patient}-o{n}"),
            "status": "final", "code": {"text": "pulse"}, "subject": {"reference": format!("Patient/{patient}")},
            "performer": [{"reference": "Organization/lab"}]},
            "request": {"method": "PUT", "url": format!("Observation/{patient}-o{n}")}}));
    }
    entries.push(
        json!({"resource": {"resourceType": "Condition", "id": format!("{patient}-c"),
        "code": {"text": "cough"}, "subject": {"reference": format!("Patient/{patient}")}},
        "request": {"method": "PUT", "url": format!("Condition/{patient}-c")}}),
    );
    let answer = post_json(
        &server.base,
        &json!({"resourceType": "Bundle", "type": "transaction", "entry": entries}),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
}

fn walk(server: &TestServer, first: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut matches, mut included) = (BTreeSet::new(), BTreeSet::new());
    let mut url = server.url(first);
    for _ in 0..100 {
        let bundle = get(&url).json();
        for entry in bundle["entry"].as_array().into_iter().flatten() {
            let key = format!(
                "{}/{}",
                entry["resource"]["resourceType"].as_str().unwrap(),
                entry["resource"]["id"].as_str().unwrap()
            );
            match entry["search"]["mode"].as_str() {
                Some("match") => assert!(matches.insert(key), "a match came twice"),
                _ => {
                    included.insert(key);
                }
            }
        }
        let next = bundle["link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["relation"] == "next")
            .and_then(|l| l["url"].as_str())
            .map(str::to_owned);
        match next {
            Some(next) => url = next,
            None => return (matches, included),
        }
    }
    panic!("too many pages");
}

#[test]
fn everything_returns_the_whole_record_and_nothing_else() {
    let server = TestServer::start();
    put_json(
        &server.url("Practitioner/doc"),
        &json!({"resourceType": "Practitioner", "id": "doc"}),
        &[],
    );
    put_json(
        &server.url("Organization/lab"),
        &json!({"resourceType": "Organization", "id": "lab", "name": "Lab"}),
        &[],
    );
    load_patient(&server, "mine", 30);
    load_patient(&server, "other", 5);
    // A family appointment: its patient key is the first patient's, and it
    // is in both patients' compartments (Appointment.actor).
    put_json(
        &server.url("Appointment/family"),
        &json!({"resourceType": "Appointment", "id": "family", "status": "booked",
            "participant": [{"actor": {"reference": "Patient/other"}, "status": "accepted"},
                            {"actor": {"reference": "Patient/mine"}, "status": "accepted"}]}),
        &[],
    );

    let (matches, included) = walk(&server, "Patient/mine/$everything?_count=7");
    assert_eq!(matches.len(), 33, "{matches:?}");
    assert!(matches.contains("Patient/mine") && matches.contains("Condition/mine-c"));
    assert!(matches.contains("Appointment/family"), "{matches:?}");
    assert!(
        matches.iter().all(|key| !key.contains("other")),
        "{matches:?}"
    );
    assert!(
        included.contains("Practitioner/doc") && included.contains("Organization/lab"),
        "{included:?}"
    );

    let (only, _) = walk(&server, "Patient/mine/$everything?_type=Condition");
    assert_eq!(only, BTreeSet::from(["Condition/mine-c".to_owned()]));
    let (theirs, _) = walk(&server, "Patient/other/$everything");
    assert_eq!(theirs.len(), 8, "{theirs:?}");
    assert!(theirs.contains("Appointment/family"), "{theirs:?}");
    let (two_types, _) = walk(
        &server,
        "Patient/mine/$everything?_type=Appointment,Condition&_since=2000-01-01T00:00:00Z",
    );
    assert_eq!(
        two_types,
        BTreeSet::from([
            "Appointment/family".to_owned(),
            "Condition/mine-c".to_owned()
        ])
    );

    let bundle: Value =
        get(&server.url("Patient/mine/$everything?_since=2999-01-01T00:00:00Z")).json();
    assert!(
        bundle.get("entry").is_none(),
        "nothing changed since the future: {bundle}"
    );
    assert_eq!(get(&server.url("Patient/nobody/$everything")).status, 404);
}
