//! A first pass over search: token, string, date and reference predicates,
//! their combination, and paging by cursor.

mod common;

use common::*;
use tessera_fhir::search::{Comparison, ParamType, StringMatch};

#[tokio::test]
async fn token_string_date_and_reference_predicates_combine() {
    let f = open();
    let s = &*f.store;
    put(
        s,
        "Patient",
        "ada",
        Some("ada"),
        vec![
            string("name", "Ada"),
            string("name", "Lovelace"),
            token("gender", None, "female"),
        ],
    )
    .await;
    put(
        s,
        "Patient",
        "alan",
        Some("alan"),
        vec![
            string("name", "Alan"),
            string("name", "Turing"),
            token("gender", None, "male"),
        ],
    )
    .await;
    let (w1l, w1h) = day(2024, 1, 15);
    let (w2l, w2h) = day(2024, 6, 1);
    put(
        s,
        "Observation",
        "w1",
        Some("ada"),
        vec![
            token("code", Some("http://loinc.org"), "29463-7"),
            reference("subject", "Patient", "ada"),
            date("date", w1l, w1h),
        ],
    )
    .await;
    put(
        s,
        "Observation",
        "w2",
        Some("ada"),
        vec![
            token("code", Some("http://loinc.org"), "29463-7"),
            reference("subject", "Patient", "ada"),
            date("date", w2l, w2h),
        ],
    )
    .await;
    put(
        s,
        "Observation",
        "w3",
        Some("alan"),
        vec![
            token("code", Some("http://loinc.org"), "29463-7"),
            reference("subject", "Patient", "alan"),
            date("date", w2l, w2h),
        ],
    )
    .await;

    let q = and(
        query("Patient"),
        vec![string_is("name", "lov", StringMatch::Prefix)],
    );
    assert_eq!(id_set(s, &q).await, set(&["ada"]));
    let q = and(
        query("Patient"),
        vec![code_is("gender", None, Some("male"))],
    );
    assert_eq!(id_set(s, &q).await, set(&["alan"]));
    let q = and(
        query("Observation"),
        vec![refers_to("subject", Some("Patient"), "ada")],
    );
    assert_eq!(id_set(s, &q).await, set(&["w1", "w2"]));
    let q = and(
        q,
        vec![code_is(
            "code",
            Some(Some("http://loinc.org")),
            Some("29463-7"),
        )],
    );
    let q = and(
        q,
        vec![date_is(
            "date",
            Comparison::Ge,
            day(2024, 6, 1).0,
            day(2024, 6, 1).1,
        )],
    );
    assert_eq!(id_set(s, &q).await, set(&["w2"]));
    let q = sort(query("Observation"), "date", ParamType::Date, true);
    assert_eq!(all_ids(s, &q).await[2], "w1");
}

#[tokio::test]
async fn pages_follow_the_cursor() {
    let f = open();
    let s = &*f.store;
    for i in 0..25 {
        put(
            s,
            "Patient",
            &format!("p{i:02}"),
            None,
            vec![token("gender", None, "female")],
        )
        .await;
    }
    let mut q = and(
        query("Patient"),
        vec![code_is("gender", None, Some("female"))],
    );
    q.count = 10;
    let first = s.search(&q, None).await.unwrap();
    assert_eq!(first.matches.len(), 10);
    assert!(first.next_cursor.is_some());
    assert_eq!(all_ids(s, &q).await.len(), 25);
}
