//! "Who refers to X" on every backend: a reference a reference search
//! parameter indexes is stored once, as an index row, and only the others
//! as link rows; a delete's check, `referenced_by` and a reindex must see
//! both kinds.

mod common;

use serde_json::{Value, json};
use tessera_fhir::search::IndexEntry;
use tessera_store::{ResourceKey, ResourceStore, RowKeys, StoreError, WriteBatch, WriteOp};

async fn put(
    store: &dyn ResourceStore,
    key: &ResourceKey,
    body: Value,
    references: Vec<ResourceKey>,
    index: Vec<IndexEntry>,
) {
    let Value::Object(map) = body else {
        panic!("not an object")
    };
    store
        .write(WriteBatch::single(WriteOp::Update {
            key: key.clone(),
            resource: map.into(),
            keys: RowKeys {
                patient_key: Some("p1".into()),
                author_org: None,
                references,
                index,
            },
            if_match: None,
        }))
        .await
        .unwrap();
}

async fn referrers_of(store: &dyn ResourceStore, key: &ResourceKey) -> Vec<ResourceKey> {
    match store
        .write(WriteBatch::single(WriteOp::Delete {
            key: key.clone(),
            if_match: None,
        }))
        .await
    {
        Err(StoreError::StillReferenced { referrers, .. }) => referrers,
        Ok(_) => Vec::new(),
        Err(other) => panic!("{other}"),
    }
}

/// An Observation referring to its patient through `subject` (indexed)
/// and to a practitioner through an extension (no parameter indexes it).
async fn observation_with_both(store: &dyn ResourceStore) -> ResourceKey {
    let patient = ResourceKey::new("Patient", "p1");
    let practitioner = ResourceKey::new("Practitioner", "d1");
    put(
        store,
        &patient,
        json!({"resourceType": "Patient"}),
        vec![],
        vec![],
    )
    .await;
    put(
        store,
        &practitioner,
        json!({"resourceType": "Practitioner"}),
        vec![],
        vec![],
    )
    .await;
    let observation = ResourceKey::new("Observation", "o1");
    put(
        store,
        &observation,
        json!({
            "resourceType": "Observation",
            "subject": {"reference": "Patient/p1"},
            "extension": [{"url": "urn:x", "valueReference": {"reference": "Practitioner/d1"}}]
        }),
        vec![patient, practitioner],
        vec![common::reference("subject", "Patient", "p1")],
    )
    .await;
    observation
}

#[tokio::test]
async fn deletes_are_refused_for_indexed_and_unindexed_references() {
    let fixture = common::open();
    let store = &*fixture.store;
    let observation = observation_with_both(store).await;
    let patient = ResourceKey::new("Patient", "p1");
    let practitioner = ResourceKey::new("Practitioner", "d1");
    assert_eq!(
        referrers_of(store, &patient).await,
        vec![observation.clone()]
    );
    assert_eq!(
        referrers_of(store, &practitioner).await,
        vec![observation.clone()]
    );
    let mut found = store
        .referenced_by(
            std::slice::from_ref(&observation),
            &["Patient", "Practitioner"],
        )
        .await
        .unwrap();
    found.sort();
    assert_eq!(found, vec![patient.clone(), practitioner.clone()]);

    // The new version refers to nothing: both may go.
    put(
        store,
        &observation,
        json!({"resourceType": "Observation"}),
        vec![],
        vec![],
    )
    .await;
    assert!(
        store
            .referenced_by(std::slice::from_ref(&observation), &["Patient"])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(referrers_of(store, &patient).await.is_empty());
    assert!(referrers_of(store, &practitioner).await.is_empty());
}

#[tokio::test]
async fn a_reindex_that_drops_a_reference_row_keeps_the_reference() {
    let fixture = common::open();
    let store = &*fixture.store;
    let observation = observation_with_both(store).await;
    // New definitions index nothing of the Observation.
    let extract = |_: &ResourceKey, _: &Value| Vec::new();
    let done = store
        .reindex(&["Observation".to_owned()], &extract, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(done.replaced, 1);
    let patient = ResourceKey::new("Patient", "p1");
    assert_eq!(
        referrers_of(store, &patient).await,
        vec![observation.clone()]
    );
    assert_eq!(
        store
            .referenced_by(std::slice::from_ref(&observation), &["Patient"])
            .await
            .unwrap(),
        vec![patient]
    );
}
