//! `reindex` rebuilds every live resource's rows from its stored JSON.

mod common;

use common::*;
use serde_json::{Value, json};
use tessera_fhir::search::{IndexEntry, StringMatch};
use tessera_store::{ReindexProgress, ResourceKey, RowKeys, WriteBatch, WriteOp};

/// An extractor that indexes `name` from the JSON's `family` property.
fn family(_: &ResourceKey, resource: &Value) -> Vec<IndexEntry> {
    resource["family"]
        .as_str()
        .map(|f| vec![string("name", f)])
        .unwrap_or_default()
}

#[tokio::test]
async fn rebuilds_rows_from_stored_json_by_type_with_progress() {
    let f = open();
    let s = &*f.store;
    let mut ops = Vec::new();
    for i in 0..1_200 {
        let (resource_type, name) = if i % 2 == 0 {
            ("Patient", "Curie")
        } else {
            ("Practitioner", "Osler")
        };
        let Value::Object(resource) = json!({"resourceType": resource_type, "family": name}) else {
            unreachable!()
        };
        // Written with no index rows at all, as if extraction had been missing.
        ops.push(WriteOp::Create {
            key: ResourceKey::new(resource_type, format!("r{i}")),
            resource: resource.into(),
            keys: RowKeys::default(),
        });
    }
    s.write(WriteBatch { ops }).await.unwrap();
    delete(s, "Patient", "r0").await;
    let curie = and(
        query("Patient"),
        vec![string_is("name", "cur", StringMatch::Prefix)],
    );
    assert!(id_set(s, &curie).await.is_empty());

    let mut reports = Vec::new();
    let done = s
        .reindex(
            &["Patient".to_owned()],
            &family,
            &mut |p: ReindexProgress| reports.push(p),
        )
        .await
        .unwrap();
    assert_eq!(
        done,
        ReindexProgress {
            done: 599,
            total: 599,
            replaced: 599
        }
    );
    assert_eq!(reports.first().map(|p| p.done), Some(0));
    assert!(reports.len() >= 3, "{reports:?}");
    assert_eq!(id_set(s, &curie).await.len(), 599);
    let osler = and(
        query("Practitioner"),
        vec![string_is("name", "osler", StringMatch::Prefix)],
    );
    assert!(id_set(s, &osler).await.is_empty());
    let all = s.reindex(&[], &family, &mut |_| {}).await.unwrap();
    assert_eq!(all.total, 1_199);
    assert_eq!(id_set(s, &osler).await.len(), 600);
}
