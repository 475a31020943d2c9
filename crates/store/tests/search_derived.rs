//! Parameters answered from other parameters' rows (`combo-code`,
//! `code-value-quantity`, `combo-code-value-quantity`, ...; see
//! `tessera_fhir::search::DerivedFrom`): the entries are extracted from
//! real Observations and the searches parsed from query strings, so the
//! whole path from definition to SQL is the one a request takes.

mod common;

use common::*;
use serde_json::{Value, json};
use tessera_fhir::Definitions;
use tessera_store::ResourceStore;

fn observation(code: &str, value: Option<f64>, components: &[(&str, f64)]) -> Value {
    let quantity = |v: f64| json!({"value": v, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L"});
    let mut resource = json!({
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "component": components.iter().map(|(c, v)| json!({
            "code": {"coding": [{"system": "http://loinc.org", "code": c}]},
            "valueQuantity": quantity(*v),
        })).collect::<Vec<_>>(),
    });
    if let Some(v) = value {
        resource["valueQuantity"] = quantity(v);
    }
    resource
}

async fn put_observation(store: &dyn ResourceStore, id: &str, resource: &Value) {
    let entries = Definitions::r4().index_entries(resource);
    assert!(
        !entries
            .iter()
            .any(|e| e.param.starts_with("combo-") || e.param.starts_with("code-value-q")),
        "derived parameters store no rows"
    );
    put(store, "Observation", id, None, entries).await;
}

async fn ids(store: &dyn ResourceStore, search: &str) -> Vec<String> {
    ids_of(store, "Observation", search).await
}

async fn ids_of(store: &dyn ResourceStore, resource_type: &str, search: &str) -> Vec<String> {
    let params: Vec<(String, String)> = search
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let parsed = Definitions::r4()
        .parse_search(Some(resource_type), &params)
        .unwrap_or_else(|issues| panic!("{search}: {issues:?}"));
    assert!(parsed.ignored.is_empty(), "{search}: {:?}", parsed.ignored);
    all_ids(store, &parsed.query).await
}

#[tokio::test]
async fn derived_parameters_answer_from_their_parts() {
    let f = open();
    let s = &*f.store;
    put_observation(s, "glucose", &observation("2339-0", Some(6.3), &[])).await;
    let mut pressure = observation("85354-9", None, &[("8480-6", 120.0), ("8462-4", 80.0)]);
    pressure["subject"] = json!({"reference": "Patient/p1"});
    put_observation(s, "pressure", &pressure).await;
    put(s, "Patient", "p1", None, vec![]).await;
    put(s, "Patient", "p2", None, vec![]).await;
    // The code of one and the value of the other at the Observation's root
    // and in a component: no pair of them is a composite value.
    put_observation(
        s,
        "crossed",
        &observation("2339-0", Some(200.0), &[("9999-9", 6.3)]),
    )
    .await;
    let bare = json!({"resourceType": "Observation", "status": "final"});
    put_observation(s, "bare", &bare).await;

    // Unions: a value of either part matches.
    assert_eq!(ids(s, "combo-code=8480-6").await, ["pressure"]);
    assert_eq!(
        ids(s, "combo-code=http://loinc.org|2339-0").await,
        ["glucose", "crossed"]
    );
    assert_eq!(
        ids(s, "combo-code=9999-9,8462-4").await,
        ["pressure", "crossed"]
    );
    assert_eq!(
        ids(s, "combo-value-quantity=6.3").await,
        ["glucose", "crossed"]
    );
    // `:not` holds when neither part matches.
    assert_eq!(
        ids(s, "combo-code:not=8480-6").await,
        ["glucose", "crossed", "bare"]
    );
    assert_eq!(ids(s, "combo-code:missing=true").await, ["bare"]);
    assert_eq!(
        ids(s, "combo-code:missing=false").await,
        ["glucose", "pressure", "crossed"]
    );
    // Sorted over both parts' values: the smallest of each.
    assert_eq!(
        ids(s, "_sort=combo-value-quantity").await,
        ["glucose", "crossed", "pressure", "bare"]
    );

    // Pairings: both values on the Observation itself.
    assert_eq!(ids(s, "code-value-quantity=2339-0$6.3").await, ["glucose"]);
    assert_eq!(
        ids(s, "code-value-quantity=2339-0$gt100").await,
        ["crossed"]
    );
    assert!(ids(s, "code-value-quantity=9999-9$6.3").await.is_empty());
    assert_eq!(
        ids(s, "code-value-quantity=2339-0$6.3,2339-0$200").await,
        ["glucose", "crossed"]
    );
    // The root's pairs or one component's.
    assert_eq!(
        ids(s, "combo-code-value-quantity=9999-9$6.3").await,
        ["crossed"]
    );
    assert_eq!(
        ids(s, "combo-code-value-quantity=2339-0$6.3").await,
        ["glucose"]
    );
    assert_eq!(
        ids(s, "combo-code-value-quantity=8480-6$gt100").await,
        ["pressure"]
    );
    assert!(
        ids(s, "combo-code-value-quantity=8462-4$gt100")
            .await
            .is_empty()
    );
    // Beside another criterion, and inside `_has`.
    assert_eq!(
        ids(s, "combo-code=2339-0&code-value-quantity=2339-0$lt100").await,
        ["glucose"]
    );
    assert_eq!(
        ids_of(s, "Patient", "_has:Observation:subject:combo-code=8480-6").await,
        ["p1"]
    );
    assert_eq!(
        ids_of(
            s,
            "Patient",
            "_has:Observation:subject:code-value-quantity=85354-9$120"
        )
        .await,
        Vec::<String>::new()
    );
}
