//! The version stream and `WriteOp::Restore`, on the backend under test:
//! a store streamed out and restored into an empty one gives the same
//! versions, history, heads, links and search results; restores out of
//! order are refused; a stream is one snapshot.

mod common;

use common::*;
use tessera_fhir::search::{IndexEntry, StringMatch};
use tessera_store::{
    HistoryQuery, HistoryScope, ResourceKey, ResourceStore, StoreError, StoredVersion, TypeCensus,
    WriteBatch, WriteOp,
};

async fn all_versions(store: &dyn ResourceStore) -> (tessera_store::Census, Vec<StoredVersion>) {
    let mut stream = store.versions().await.unwrap();
    let census = stream.census().clone();
    let mut out = Vec::new();
    while let Some(chunk) = stream.next_chunk().await.unwrap() {
        out.extend(chunk);
    }
    (census, out)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_streamed_out_and_restored_is_the_same_store() {
    let source = open();
    let s = &*source.store;
    let name = |n: &str| vec![string("name", n)];
    put(s, "Patient", "p1", Some("p1"), name("Ada")).await;
    put(s, "Patient", "p2", Some("p2"), name("Bob")).await;
    let obs = vec![reference("subject", "Patient", "p1")];
    put(s, "Observation", "o1", Some("p1"), obs.clone()).await;
    put(s, "Observation", "o1", Some("p1"), obs.clone()).await;
    delete(s, "Observation", "o1").await;
    put(
        s,
        "Observation",
        "o2",
        Some("p2"),
        vec![reference("subject", "Patient", "p2")],
    )
    .await;
    put(s, "Patient", "p2", Some("p2"), name("Bobby")).await;

    let (census, versions) = all_versions(s).await;
    assert_eq!(versions.len(), 7);
    assert_eq!(census.versions(), 7);
    assert_eq!(
        census.types.get("Observation"),
        Some(&TypeCensus {
            versions: 4,
            live: 1
        })
    );
    assert_eq!(
        census.types.get("Patient"),
        Some(&TypeCensus {
            versions: 3,
            live: 2
        })
    );
    let order: Vec<(String, i64)> = versions
        .iter()
        .map(|v| (v.key.to_string(), v.version))
        .collect();
    assert_eq!(order[4], ("Observation/o1".to_owned(), 3), "write order");

    // The entries each version would get from extraction, by hand here.
    let entries = |v: &StoredVersion| -> Vec<IndexEntry> {
        match (v.key.id.as_str(), v.version) {
            ("p1", _) => name("Ada"),
            ("p2", 1) => name("Bob"),
            ("p2", _) => name("Bobby"),
            ("o1", 3) => Vec::new(),
            ("o1", _) => obs.clone(),
            _ => vec![reference("subject", "Patient", "p2")],
        }
    };
    let target = open();
    let t = &*target.store;
    let ops: Vec<WriteOp> = versions
        .iter()
        .map(|v| {
            let index = entries(v);
            let references = index
                .iter()
                .filter(|e| e.param == "subject")
                .map(|_| ResourceKey::new("Patient", v.patient_key.clone().unwrap()))
                .collect();
            WriteOp::Restore {
                version: v.clone(),
                references,
                index,
            }
        })
        .collect();
    // Two batches, as a copy writes them.
    let (first, second) = ops.split_at(3);
    t.write(WriteBatch {
        ops: first.to_vec(),
    })
    .await
    .unwrap();
    t.write(WriteBatch {
        ops: second.to_vec(),
    })
    .await
    .unwrap();

    let (target_census, target_versions) = all_versions(t).await;
    assert_eq!(target_census, census);
    assert_eq!(target_versions, versions);
    for key in [
        ResourceKey::new("Patient", "p2"),
        ResourceKey::new("Observation", "o1"),
    ] {
        assert_eq!(t.read(&key).await.unwrap(), s.read(&key).await.unwrap());
        let history = HistoryQuery {
            scope: HistoryScope::Instance(key),
            since: None,
            cursor: None,
            count: 10,
            with_total: true,
        };
        assert_eq!(
            t.history(&history).await.unwrap(),
            s.history(&history).await.unwrap()
        );
    }
    let by_name = and(
        query("Patient"),
        vec![string_is("name", "Bobby", StringMatch::Exact)],
    );
    let found = |page: tessera_store::SearchPage| -> Vec<String> {
        page.matches.iter().map(|v| v.key.to_string()).collect()
    };
    let by_name_contains = and(
        query("Patient"),
        vec![string_is("name", "bob", StringMatch::Prefix)],
    );
    for q in [by_name, by_name_contains, query("Observation")] {
        assert_eq!(
            found(t.search(&q, None).await.unwrap()),
            found(s.search(&q, None).await.unwrap())
        );
    }
    // Links were rebuilt: p2 is still referred to by o2.
    let refused = t
        .write(WriteBatch::single(WriteOp::Delete {
            key: ResourceKey::new("Patient", "p2"),
            if_match: None,
        }))
        .await;
    assert!(
        matches!(refused, Err(StoreError::StillReferenced { .. })),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn restores_out_of_order_are_refused() {
    let source = open();
    put(&*source.store, "Patient", "p1", Some("p1"), Vec::new()).await;
    put(&*source.store, "Patient", "p1", Some("p1"), Vec::new()).await;
    let (_, versions) = all_versions(&*source.store).await;
    let target = open();
    let restore = |v: &StoredVersion| {
        WriteBatch::single(WriteOp::Restore {
            version: v.clone(),
            references: Vec::new(),
            index: Vec::new(),
        })
    };
    let skipped = target.store.write(restore(&versions[1])).await;
    assert!(
        matches!(
            skipped,
            Err(StoreError::RestoreOutOfOrder {
                version: 2,
                current: None,
                ..
            })
        ),
        "{skipped:?}"
    );
    target.store.write(restore(&versions[0])).await.unwrap();
    let again = target.store.write(restore(&versions[0])).await;
    assert!(
        matches!(
            again,
            Err(StoreError::RestoreOutOfOrder {
                version: 1,
                current: Some(1),
                ..
            })
        ),
        "{again:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_is_one_snapshot_while_writes_go_on() {
    let f = open();
    for i in 0..1200 {
        put(&*f.store, "Patient", &format!("p{i}"), None, Vec::new()).await;
    }
    let mut stream = f.store.versions().await.unwrap();
    assert_eq!(stream.census().versions(), 1200);
    let mut seen = stream.next_chunk().await.unwrap().unwrap().len();
    put(&*f.store, "Patient", "late", None, Vec::new()).await;
    put(&*f.store, "Patient", "p0", None, Vec::new()).await;
    while let Some(chunk) = stream.next_chunk().await.unwrap() {
        assert!(chunk.iter().all(|v| v.key.id != "late" && v.version == 1));
        seen += chunk.len();
    }
    assert_eq!(seen, 1200);
    // A stream dropped half-read ends its snapshot without harm.
    let mut early = f.store.versions().await.unwrap();
    early.next_chunk().await.unwrap();
    drop(early);
    assert_eq!(f.store.versions().await.unwrap().census().versions(), 1202);
}
