//! The store conformance suite: behaviour every backend must show. Runs on
//! the backend `TESSERA_TEST_BACKEND` names (see `common`): a real SQLite
//! file, or a fresh database on a real PostgreSQL server.

mod common;

use serde_json::{Map, Value, json};
use tessera_store::{
    HistoryQuery, HistoryScope, ResourceKey, ResourceStore, RowKeys, StoreError, WriteBatch,
    WriteOp, WriteOutcome,
};

fn patient(family: &str) -> Map<String, Value> {
    match json!({"resourceType": "Patient", "name": [{"family": family}]}) {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

fn body(version: &tessera_store::StoredVersion) -> Value {
    serde_json::from_slice(&version.body).unwrap()
}

async fn put(
    store: &dyn ResourceStore,
    key: &ResourceKey,
    family: &str,
    if_match: Option<i64>,
) -> Result<WriteOutcome, StoreError> {
    let mut outcomes = store
        .write(WriteBatch::single(WriteOp::Update {
            key: key.clone(),
            resource: patient(family).into(),
            keys: RowKeys {
                patient_key: Some(key.id.clone()),
                ..RowKeys::default()
            },
            if_match,
        }))
        .await?;
    Ok(outcomes.remove(0))
}

#[tokio::test]
async fn versions_are_kept_and_stamped() {
    let fixture = common::open();
    let store = &*fixture.store;
    let key = ResourceKey::new("Patient", "p1");
    let first = put(store, &key, "One", None).await.unwrap();
    assert!(matches!(first, WriteOutcome::Stored { created: true, .. }));
    let second = put(store, &key, "Two", Some(1)).await.unwrap();
    let WriteOutcome::Stored { version, created } = second else {
        panic!("expected a stored version")
    };
    assert!(!created);
    assert_eq!(version.version, 2);
    assert_eq!(body(&version)["meta"]["versionId"], "2");
    assert_eq!(body(&version)["id"], "p1");

    let current = store.read(&key).await.unwrap().unwrap();
    assert_eq!(body(&current)["name"][0]["family"], "Two");
    assert_eq!(current.patient_key.as_deref(), Some("p1"));
    let old = store.read_version(&key, 1).await.unwrap().unwrap();
    assert_eq!(body(&old)["name"][0]["family"], "One");
    assert!(store.read_version(&key, 3).await.unwrap().is_none());
    store.close().await.unwrap();
}

#[tokio::test]
async fn stale_if_match_is_refused_and_changes_nothing() {
    let fixture = common::open();
    let store = &*fixture.store;
    let key = ResourceKey::new("Patient", "p1");
    put(store, &key, "One", None).await.unwrap();
    put(store, &key, "Two", Some(1)).await.unwrap();
    let stale = put(store, &key, "Three", Some(1)).await;
    assert!(matches!(
        stale,
        Err(StoreError::VersionConflict {
            expected: 1,
            current: Some(2),
            ..
        })
    ));
    assert_eq!(store.read(&key).await.unwrap().unwrap().version, 2);
}

#[tokio::test]
async fn a_failing_batch_leaves_no_trace_and_does_not_harm_its_group() {
    let fixture = common::open();
    let store = fixture.store.clone();
    let good = ResourceKey::new("Patient", "good");
    let bad_batch = WriteBatch {
        ops: vec![
            WriteOp::Update {
                key: ResourceKey::new("Patient", "half"),
                resource: patient("Half").into(),
                keys: RowKeys::default(),
                if_match: None,
            },
            WriteOp::Delete {
                key: ResourceKey::new("Patient", "missing"),
                if_match: None,
            },
        ],
    };
    let (bad, good_result) =
        tokio::join!(store.write(bad_batch), put(&*store, &good, "Good", None));
    assert!(matches!(bad, Err(StoreError::NotFound(_))));
    assert!(good_result.is_ok());
    assert!(
        store
            .read(&ResourceKey::new("Patient", "half"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.read(&good).await.unwrap().is_some());
}

#[tokio::test]
async fn delete_keeps_history_and_refuses_while_referenced() {
    let fixture = common::open();
    let store = &*fixture.store;
    let patient_key = ResourceKey::new("Patient", "p1");
    put(store, &patient_key, "One", None).await.unwrap();
    let observation = ResourceKey::new("Observation", "o1");
    store
        .write(WriteBatch::single(WriteOp::Create {
            key: observation.clone(),
            resource: match json!({"resourceType": "Observation", "subject": {"reference": "Patient/p1"}}) {
                Value::Object(map) => map.into(),
                _ => unreachable!(),
            },
            keys: RowKeys {
                patient_key: Some("p1".into()),
                author_org: Some("org1".into()),
                references: vec![patient_key.clone()],
                index: Vec::new(),
            },
        }))
        .await
        .unwrap();
    let refused = store
        .write(WriteBatch::single(WriteOp::Delete {
            key: patient_key.clone(),
            if_match: None,
        }))
        .await;
    match refused {
        Err(StoreError::StillReferenced { referrers, .. }) => {
            assert_eq!(referrers, vec![observation.clone()])
        }
        other => panic!("expected StillReferenced, got {other:?}"),
    }
    store
        .write(WriteBatch::single(WriteOp::Delete {
            key: observation.clone(),
            if_match: None,
        }))
        .await
        .unwrap();
    let deleted = store
        .write(WriteBatch::single(WriteOp::Delete {
            key: patient_key.clone(),
            if_match: Some(1),
        }))
        .await
        .unwrap();
    assert!(
        matches!(&deleted[0], WriteOutcome::Stored { version, .. } if version.is_deleted() && version.version == 2)
    );
    let again = store
        .write(WriteBatch::single(WriteOp::Delete {
            key: patient_key.clone(),
            if_match: None,
        }))
        .await
        .unwrap();
    assert!(matches!(&again[0], WriteOutcome::AlreadyDeleted { .. }));
    let deleted_observation = store.read(&observation).await.unwrap().unwrap();
    assert_eq!(deleted_observation.author_org.as_deref(), Some("org1"));
    assert_eq!(deleted_observation.patient_key.as_deref(), Some("p1"));
    let history = store
        .history(&HistoryQuery {
            scope: HistoryScope::Instance(patient_key.clone()),
            since: None,
            cursor: None,
            count: 10,
            with_total: true,
        })
        .await
        .unwrap();
    assert_eq!(history.total, Some(2));
    assert_eq!(
        history
            .entries
            .iter()
            .map(|v| v.version)
            .collect::<Vec<_>>(),
        vec![2, 1]
    );
}

#[tokio::test]
async fn history_pages_cover_every_version_once_newest_first() {
    let fixture = common::open();
    let store = &*fixture.store;
    for i in 0..25 {
        put(
            store,
            &ResourceKey::new("Patient", format!("p{}", i % 7)),
            "X",
            None,
        )
        .await
        .unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .history(&HistoryQuery {
                scope: HistoryScope::Type("Patient".into()),
                since: None,
                cursor,
                count: 4,
                with_total: true,
            })
            .await
            .unwrap();
        assert_eq!(page.total, Some(25));
        seen.extend(page.entries.iter().map(|v| v.last_updated));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );
    let since = seen[9];
    let recent = store
        .history(&HistoryQuery {
            scope: HistoryScope::System,
            since: Some(since),
            cursor: None,
            count: 100,
            with_total: true,
        })
        .await
        .unwrap();
    assert_eq!(recent.entries.len(), 10);
    assert_eq!(recent.total, Some(10));
}

#[tokio::test]
async fn acknowledged_writes_survive_reopening() {
    let mut fixture = common::open();
    let key = ResourceKey::new("Patient", "p1");
    put(&*fixture.store, &key, "One", None).await.unwrap();
    put(&*fixture.store, &key, "Two", None).await.unwrap();
    fixture.reopen().await;
    let store = &*fixture.store;
    assert_eq!(store.read(&key).await.unwrap().unwrap().version, 2);
    let third = put(store, &key, "Three", None).await.unwrap();
    let WriteOutcome::Stored { version, .. } = third else {
        panic!()
    };
    let second = store.read_version(&key, 2).await.unwrap().unwrap();
    assert!(
        version.last_updated >= second.last_updated,
        "time never runs backwards"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_never_lose_an_update() {
    let fixture = common::open();
    let store = fixture.store.clone();
    let key = ResourceKey::new("Patient", "shared");
    put(&*store, &key, "Start", None).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        let key = key.clone();
        tasks.push(tokio::spawn(async move {
            let mut won = 0;
            for _ in 0..50 {
                let current = store.read(&key).await.unwrap().unwrap().version;
                if put(&*store, &key, "Mine", Some(current)).await.is_ok() {
                    won += 1;
                }
            }
            won
        }));
    }
    let mut wins = 0;
    for task in tasks {
        wins += task.await.unwrap();
    }
    let last = store.read(&key).await.unwrap().unwrap().version;
    assert_eq!(last, wins + 1);
}

#[tokio::test]
async fn referenced_by_follows_the_current_versions_only() {
    let fixture = common::open();
    let store = &*fixture.store;
    let doctor = ResourceKey::new("Practitioner", "doc");
    let lab = ResourceKey::new("Organization", "lab");
    let patient_key = ResourceKey::new("Patient", "p1");
    let observation = ResourceKey::new("Observation", "o1");
    let write = |references: Vec<ResourceKey>| WriteOp::Update {
        key: observation.clone(),
        resource: match json!({"resourceType": "Observation"}) {
            Value::Object(map) => map.into(),
            _ => unreachable!(),
        },
        keys: RowKeys {
            patient_key: Some("p1".into()),
            references,
            ..RowKeys::default()
        },
        if_match: None,
    };
    store
        .write(WriteBatch::single(write(vec![
            patient_key.clone(),
            doctor.clone(),
            lab.clone(),
        ])))
        .await
        .unwrap();
    let sources = [observation.clone(), ResourceKey::new("Observation", "none")];
    let found = store
        .referenced_by(&sources, &["Practitioner", "Organization"])
        .await
        .unwrap();
    assert_eq!(
        found,
        vec![lab.clone(), doctor.clone()],
        "in key order, Patient left out"
    );
    store
        .write(WriteBatch::single(write(vec![
            patient_key.clone(),
            lab.clone(),
        ])))
        .await
        .unwrap();
    let found = store
        .referenced_by(&sources, &["Practitioner", "Organization"])
        .await
        .unwrap();
    assert_eq!(found, vec![lab], "the reference the update dropped is gone");
    assert!(
        store
            .referenced_by(&[], &["Organization"])
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn read_many_answers_in_the_order_asked_and_skips_the_missing() {
    let fixture = common::open();
    let store = &*fixture.store;
    let one = ResourceKey::new("Patient", "p1");
    let two = ResourceKey::new("Patient", "p2");
    let gone = ResourceKey::new("Patient", "p3");
    put(store, &one, "One", None).await.unwrap();
    put(store, &two, "Two", None).await.unwrap();
    put(store, &two, "Two again", Some(1)).await.unwrap();
    put(store, &gone, "Three", None).await.unwrap();
    common::delete(store, "Patient", "p3").await;
    let asked = [
        two.clone(),
        ResourceKey::new("Patient", "missing"),
        gone.clone(),
        one.clone(),
    ];
    let found = store.read_many(&asked).await.unwrap();
    let summary: Vec<(ResourceKey, i64, bool)> = found
        .iter()
        .map(|v| (v.key.clone(), v.version, v.is_deleted()))
        .collect();
    assert_eq!(
        summary,
        vec![(two, 2, false), (gone, 2, true), (one, 1, false)],
        "current versions, deletions included, in the order asked"
    );
    assert_eq!(body(&found[0])["name"][0]["family"], "Two again");
    assert!(store.read_many(&[]).await.unwrap().is_empty());
}
