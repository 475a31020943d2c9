//! Deferred search indexes, on the backend under test: an empty store drops
//! them for a bulk load, searches stay exact meanwhile, an interrupted load
//! finds them still deferred, and building them brings every one back.

mod common;

use common::*;
use tessera_fhir::search::StringMatch;
use tessera_store::{ResourceKey, StoreError, WriteBatch, WriteOp};

#[tokio::test]
async fn an_empty_store_defers_its_search_indexes_and_builds_them_back() {
    let mut f = open();
    let deferred = f.store.defer_search_indexes().await.unwrap();
    for expected in [
        "idx_string_prefix",
        "idx_token_code",
        "idx_reference_target",
    ] {
        assert!(deferred.iter().any(|name| name == expected), "{deferred:?}");
    }
    assert_eq!(f.store.deferred_indexes().await.unwrap(), deferred);

    for (id, name, code) in [
        ("p1", "Ada", "female"),
        ("p2", "Alan", "male"),
        ("p3", "Adele", "female"),
    ] {
        put(
            &*f.store,
            "Patient",
            id,
            Some(id),
            vec![string("name", name), token("gender", None, code)],
        )
        .await;
    }
    let women = and(
        query("Patient"),
        vec![code_is("gender", Some(None), Some("female"))],
    );
    let named_ad = and(
        query("Patient"),
        vec![string_is("name", "ad", StringMatch::Prefix)],
    );
    assert_eq!(id_set(&*f.store, &women).await, set(&["p1", "p3"]));
    assert_eq!(id_set(&*f.store, &named_ad).await, set(&["p1", "p3"]));
    if f.backend() == "sqlite" {
        // SQLite also defers the links' index by target; a delete still
        // finds what refers to the resource without it.
        assert!(
            deferred.iter().any(|name| name == "resource_link_target"),
            "{deferred:?}"
        );
        // Led by the patient, it stays cheap to write during a load.
        assert!(
            !deferred.iter().any(|name| name == "idx_token_patient_code"),
            "{deferred:?}"
        );
    }
    put(
        &*f.store,
        "Observation",
        "o1",
        Some("p2"),
        vec![reference("subject", "Patient", "p2")],
    )
    .await;
    let refused = f
        .store
        .write(WriteBatch::single(WriteOp::Delete {
            key: ResourceKey::new("Patient", "p2"),
            if_match: None,
        }))
        .await;
    assert!(
        matches!(refused, Err(StoreError::StillReferenced { .. })),
        "{refused:?}"
    );

    // A load that stopped before building them finds them still deferred,
    // though the store is no longer empty.
    f.reopen().await;
    assert_eq!(f.store.defer_search_indexes().await.unwrap(), deferred);

    for name in &deferred {
        f.store.build_deferred_index(name).await.unwrap();
    }
    f.store
        .build_deferred_index("idx_token_code")
        .await
        .unwrap();
    assert!(f.store.deferred_indexes().await.unwrap().is_empty());
    assert_eq!(id_set(&*f.store, &women).await, set(&["p1", "p3"]));
    assert_eq!(id_set(&*f.store, &named_ad).await, set(&["p1", "p3"]));
    let men = and(
        query("Patient"),
        vec![code_is("gender", Some(None), Some("male"))],
    );
    assert_eq!(id_set(&*f.store, &men).await, set(&["p2"]));

    // Built, they are ordinary indexes again: a store with data defers none.
    assert!(f.store.defer_search_indexes().await.unwrap().is_empty());
}
