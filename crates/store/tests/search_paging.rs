//! Sorting (several keys, stable), keyset paging over 10,000 matches while
//! the data changes, totals, and the index staying exact through updates
//! and deletes.

mod common;

use common::*;
use serde_json::{Value, json};
use std::collections::HashSet;
use tessera_fhir::Definitions;
use tessera_fhir::search::{IndexEntry, ParamType, TotalMode};
use tessera_store::{ResourceKey, ResourceStore, RowKeys, StoreError, WriteBatch, WriteOp};

/// Writes many resources in batches (one commit per batch).
async fn put_many(store: &dyn ResourceStore, items: Vec<(String, Vec<IndexEntry>)>) {
    for chunk in items.chunks(500) {
        let ops = chunk
            .iter()
            .map(|(id, index)| WriteOp::Update {
                key: ResourceKey::new("Observation", id.clone()),
                resource: match json!({"resourceType": "Observation"}) {
                    Value::Object(map) => map.into(),
                    _ => unreachable!(),
                },
                keys: RowKeys {
                    index: index.clone(),
                    ..RowKeys::default()
                },
                if_match: None,
            })
            .collect();
        store.write(WriteBatch { ops }).await.unwrap();
    }
}

#[tokio::test]
async fn sorts_on_several_keys_with_ties_broken_by_rid() {
    let f = open();
    let s = &*f.store;
    let people = [
        ("marie", "female", 1867),
        ("ada", "female", 1815),
        ("alan", "male", 1912),
        ("grace", "female", 1906),
        ("jose", "male", 1980),
        ("nobody", "unknown", 0),
    ];
    for (id, gender, year) in people {
        let mut index = vec![token("gender", None, gender)];
        if year > 0 {
            index.push(date(
                "birthdate",
                ms(year, 1, 1, 0, 0),
                ms(year, 12, 31, 0, 0),
            ));
        }
        put(s, "Patient", id, None, index).await;
    }
    let q = sort(query("Patient"), "birthdate", ParamType::Date, false);
    assert_eq!(
        all_ids(s, &q).await,
        ["ada", "marie", "grace", "alan", "jose", "nobody"]
    );
    // Nulls last in both directions.
    let q = sort(query("Patient"), "birthdate", ParamType::Date, true);
    assert_eq!(
        all_ids(s, &q).await,
        ["jose", "alan", "grace", "marie", "ada", "nobody"]
    );
    let q = sort(
        sort(query("Patient"), "gender", ParamType::Token, false),
        "birthdate",
        ParamType::Date,
        true,
    );
    assert_eq!(
        all_ids(s, &q).await,
        ["grace", "marie", "ada", "jose", "alan", "nobody"]
    );
    let mut q = sort(query("Patient"), "_id", ParamType::Token, true);
    q.count = 1;
    assert_eq!(
        all_ids(s, &q).await,
        ["nobody", "marie", "jose", "grace", "alan", "ada"]
    );
    // Equal sort values: insertion (rid) order, across pages of two.
    let mut q = sort(query("Patient"), "gender", ParamType::Token, false);
    q.count = 2;
    assert_eq!(
        all_ids(s, &q).await,
        ["marie", "ada", "grace", "alan", "jose", "nobody"]
    );
    let mut q = sort(query("Patient"), "_lastUpdated", ParamType::Date, true);
    q.count = 4;
    assert_eq!(
        all_ids(s, &q).await,
        ["nobody", "jose", "grace", "alan", "ada", "marie"]
    );
}

#[tokio::test]
async fn cursors_are_checked() {
    let f = open();
    let s = &*f.store;
    for i in 0..3 {
        put(
            s,
            "Patient",
            &format!("p{i}"),
            None,
            vec![token("gender", None, "female")],
        )
        .await;
    }
    let mut q = sort(query("Patient"), "gender", ParamType::Token, false);
    q.count = 1;
    let cursor = s.search(&q, None).await.unwrap().next_cursor.unwrap();
    let other = sort(query("Patient"), "_id", ParamType::Token, false);
    assert!(matches!(
        s.search(&other, Some(&cursor)).await,
        Err(StoreError::InvalidCursor(_))
    ));
    assert!(matches!(
        s.search(&q, Some("garbage")).await,
        Err(StoreError::InvalidCursor(_))
    ));
}

/// 10,000 matches in pages of 97, while between pages resources are
/// updated (seen and unseen), created and deleted: every match that matches
/// throughout comes exactly once, and nothing comes twice.
#[tokio::test]
async fn ten_thousand_matches_page_exactly_once_while_data_changes() {
    let f = open();
    let s = &*f.store;
    let day_ms = 86_400_000;
    let items = (0..10_000)
        .map(|i| {
            (
                format!("o{i:05}"),
                vec![
                    token("code", None, "x"),
                    date("date", (i % 500) * day_ms, (i % 500) * day_ms + 1),
                ],
            )
        })
        .collect();
    put_many(s, items).await;
    let mut deleted = HashSet::new();
    for (sorted, descending) in [(false, false), (true, false), (true, true)] {
        let mut q = and(query("Observation"), vec![code_is("code", None, Some("x"))]);
        if sorted {
            q = sort(q, "date", ParamType::Date, descending);
        }
        q.count = 97;
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut round = 0;
        loop {
            let page = s.search(&q, cursor.as_deref()).await.unwrap();
            seen.extend(page.matches.iter().map(|v| v.key.id.clone()));
            round += 1;
            // Touch one seen and one unseen resource (same values), create a
            // new match and a non-match, delete one not yet seen.
            let touched = vec![
                (
                    seen[seen.len() / 2].clone(),
                    vec![token("code", None, "x"), date("date", 0, 1)],
                ),
                (
                    format!("o{:05}", (round * 37) % 10_000),
                    vec![
                        token("code", None, "x"),
                        date(
                            "date",
                            ((round * 37) % 500) * day_ms,
                            ((round * 37) % 500) * day_ms + 1,
                        ),
                    ],
                ),
                (format!("new{round}"), vec![token("code", None, "x")]),
                (format!("other{round}"), vec![token("code", None, "y")]),
            ];
            if !sorted {
                put_many(s, touched).await;
                let victim = format!("o{:05}", 9_999 - round);
                delete(s, "Observation", &victim).await;
                deleted.insert(victim);
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "a match came twice (sorted {sorted})"
        );
        for i in 0..10_000 {
            let id = format!("o{i:05}");
            assert!(
                deleted.contains(&id) || unique.contains(&id),
                "{id} never came (sorted {sorted})"
            );
        }
        assert!(seen.iter().all(|id| !id.starts_with("other")));
    }
}

#[tokio::test]
async fn totals_none_estimate_accurate_and_count_only() {
    let f = open();
    let s = &*f.store;
    for i in 0..30 {
        put(
            s,
            "Patient",
            &format!("p{i}"),
            None,
            vec![token(
                "gender",
                None,
                if i % 3 == 0 { "male" } else { "female" },
            )],
        )
        .await;
    }
    let mut q = and(
        query("Patient"),
        vec![code_is("gender", None, Some("female"))],
    );
    q.count = 5;
    assert_eq!(s.search(&q, None).await.unwrap().total, None);
    q.total = TotalMode::Accurate;
    assert_eq!(s.search(&q, None).await.unwrap().total, Some(20));
    q.total = TotalMode::Estimate;
    assert_eq!(s.search(&q, None).await.unwrap().total, Some(20));
    q.count = 0;
    let page = s.search(&q, None).await.unwrap();
    assert!(page.matches.is_empty());
    assert_eq!(page.total, Some(20));
    q.count = 100;
    assert_eq!(s.search(&q, None).await.unwrap().total, Some(20));
    // Counted from index rows: deleted resources and other criteria count
    // right, on a later page too.
    delete(s, "Patient", "p1").await;
    put(
        s,
        "Patient",
        "p2",
        None,
        vec![
            token("gender", None, "female"),
            token("active", None, "true"),
        ],
    )
    .await;
    q.count = 5;
    let first = s.search(&q, None).await.unwrap();
    assert_eq!(first.total, Some(19));
    let second = s.search(&q, first.next_cursor.as_deref()).await.unwrap();
    assert_eq!(second.total, Some(19));
    let mut inactive = and(
        q.clone(),
        vec![tessera_fhir::search::Condition::Missing {
            param: "active".into(),
            missing: true,
        }],
    );
    inactive.count = 1;
    assert_eq!(s.search(&inactive, None).await.unwrap().total, Some(18));
    let mut chart = q.clone();
    chart.compartment = Some(Definitions::r4().patient_compartment("nobody"));
    assert_eq!(s.search(&chart, None).await.unwrap().total, Some(0));
}

#[tokio::test]
async fn updates_and_deletes_keep_the_index_exact() {
    let f = open();
    let s = &*f.store;
    put(
        s,
        "Patient",
        "p",
        None,
        vec![string("name", "Ada"), token("gender", None, "female")],
    )
    .await;
    let by_name = |n: &str| {
        and(
            query("Patient"),
            vec![string_is(
                "name",
                n,
                tessera_fhir::search::StringMatch::Prefix,
            )],
        )
    };
    assert_eq!(id_set(s, &by_name("ada")).await, set(&["p"]));
    put(s, "Patient", "p", None, vec![string("name", "Grace")]).await;
    assert_eq!(id_set(s, &by_name("ada")).await, set(&[]));
    assert_eq!(id_set(s, &by_name("grace")).await, set(&["p"]));
    let female = and(
        query("Patient"),
        vec![code_is("gender", None, Some("female"))],
    );
    assert_eq!(id_set(s, &female).await, set(&[]));
    let missing = and(
        query("Patient"),
        vec![tessera_fhir::search::Condition::Missing {
            param: "gender".into(),
            missing: true,
        }],
    );
    assert_eq!(id_set(s, &missing).await, set(&["p"]));
    delete(s, "Patient", "p").await;
    assert_eq!(id_set(s, &by_name("grace")).await, set(&[]));
    // Deleted resources match nothing, not even :missing or an unfiltered search.
    assert_eq!(id_set(s, &missing).await, set(&[]));
    assert_eq!(id_set(s, &query("Patient")).await, set(&[]));
    // Re-created after deletion: indexed again.
    put(s, "Patient", "p", None, vec![string("name", "Ada")]).await;
    assert_eq!(id_set(s, &by_name("ada")).await, set(&["p"]));
    // A failed batch leaves no index rows behind.
    let failing = WriteBatch {
        ops: vec![
            WriteOp::Update {
                key: ResourceKey::new("Patient", "q"),
                resource: match json!({"resourceType": "Patient"}) {
                    Value::Object(m) => m.into(),
                    _ => unreachable!(),
                },
                keys: RowKeys {
                    index: vec![string("name", "Adam")],
                    ..RowKeys::default()
                },
                if_match: None,
            },
            WriteOp::Update {
                key: ResourceKey::new("Patient", "p"),
                resource: match json!({"resourceType": "Patient"}) {
                    Value::Object(m) => m.into(),
                    _ => unreachable!(),
                },
                keys: RowKeys::default(),
                if_match: Some(99),
            },
        ],
    };
    assert!(s.write(failing).await.is_err());
    assert_eq!(id_set(s, &by_name("ada")).await, set(&["p"]));
}
