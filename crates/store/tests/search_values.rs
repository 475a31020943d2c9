//! Every value test, modifier and prefix, over hand-made index entries.

mod common;

use common::*;
use tessera_fhir::search::{Comparison, Condition, IndexValue, ParamType, StringMatch, ValueTest};

#[tokio::test]
async fn string_prefix_exact_contains_and_or_and() {
    let f = open();
    let s = &*f.store;
    put(
        s,
        "Patient",
        "ada",
        None,
        vec![string("name", "Ada"), string("name", "Lovelace")],
    )
    .await;
    put(
        s,
        "Patient",
        "jose",
        None,
        vec![entry(
            "name",
            IndexValue::String {
                normalized: "alvarez".into(),
                exact: "Álvarez".into(),
            },
        )],
    )
    .await;
    put(s, "Patient", "pct", None, vec![string("name", "50%_off")]).await;
    let q = |c| and(query("Patient"), vec![c]);
    assert_eq!(
        id_set(s, &q(string_is("name", "ADA", StringMatch::Prefix))).await,
        set(&["ada"])
    );
    assert_eq!(
        id_set(s, &q(string_is("name", "lace", StringMatch::Prefix))).await,
        set(&[])
    );
    assert_eq!(
        id_set(s, &q(string_is("name", "lace", StringMatch::Contains))).await,
        set(&["ada"])
    );
    assert_eq!(
        id_set(s, &q(string_is("name", "Álvarez", StringMatch::Exact))).await,
        set(&["jose"])
    );
    assert_eq!(
        id_set(s, &q(string_is("name", "Alvarez", StringMatch::Exact))).await,
        set(&[])
    );
    assert_eq!(
        id_set(s, &q(string_is("name", "alv", StringMatch::Prefix))).await,
        set(&["jose"])
    );
    // LIKE wildcards in the value are literal.
    assert_eq!(
        id_set(s, &q(string_is("name", "%", StringMatch::Contains))).await,
        set(&["pct"])
    );
    assert_eq!(
        id_set(s, &q(string_is("name", "0%_", StringMatch::Contains))).await,
        set(&["pct"])
    );
    assert_eq!(
        id_set(s, &q(string_is("name", "_", StringMatch::Contains))).await,
        set(&["pct"])
    );
    let either = and(
        query("Patient"),
        vec![
            string_is("name", "ada", StringMatch::Prefix),
            string_is("name", "alv", StringMatch::Prefix),
        ],
    );
    assert_eq!(id_set(s, &either).await, set(&["ada", "jose"]));
    let both = and(
        and(
            query("Patient"),
            vec![string_is("name", "ada", StringMatch::Prefix)],
        ),
        vec![string_is("name", "alv", StringMatch::Prefix)],
    );
    assert_eq!(id_set(s, &both).await, set(&[]));
}

fn token_test(
    system: Option<Option<&str>>,
    code: Option<&str>,
    not: bool,
    text: Option<&str>,
    of_type: Option<(&str, &str, &str)>,
) -> Condition {
    value(
        "identifier",
        ParamType::Token,
        ValueTest::Token {
            system: system.map(|s| s.map(Into::into)),
            code: code.map(Into::into),
            not,
            text: text.map(Into::into),
            of_type: of_type.map(|(a, b, c)| (a.into(), b.into(), c.into())),
        },
    )
}

#[tokio::test]
async fn token_forms_and_modifiers() {
    let f = open();
    let s = &*f.store;
    let mrn =
        |system: Option<&str>, code: &str, text: Option<&str>, of_type: Option<(&str, &str)>| {
            entry(
                "identifier",
                IndexValue::Token {
                    system: system.map(Into::into),
                    code: Some(code.into()),
                    text: text.map(Into::into),
                    of_type: of_type.map(|(s, c)| (Some(s.into()), c.into())),
                },
            )
        };
    let v2 = "http://terminology.hl7.org/CodeSystem/v2-0203";
    put(
        s,
        "Patient",
        "a",
        None,
        vec![mrn(
            Some("http://a/mrn"),
            "A100",
            Some("medical record"),
            Some((v2, "MR")),
        )],
    )
    .await;
    put(
        s,
        "Patient",
        "b",
        None,
        vec![mrn(Some("http://b/mrn"), "A100", None, None)],
    )
    .await;
    put(s, "Patient", "c", None, vec![mrn(None, "A100", None, None)]).await;
    put(s, "Patient", "d", None, vec![]).await;
    let q = |c| and(query("Patient"), vec![c]);
    assert_eq!(
        id_set(s, &q(token_test(None, Some("A100"), false, None, None))).await,
        set(&["a", "b", "c"])
    );
    assert_eq!(
        id_set(
            s,
            &q(token_test(
                Some(Some("http://a/mrn")),
                Some("A100"),
                false,
                None,
                None
            ))
        )
        .await,
        set(&["a"])
    );
    assert_eq!(
        id_set(
            s,
            &q(token_test(Some(None), Some("A100"), false, None, None))
        )
        .await,
        set(&["c"])
    );
    assert_eq!(
        id_set(
            s,
            &q(token_test(
                Some(Some("http://b/mrn")),
                None,
                false,
                None,
                None
            ))
        )
        .await,
        set(&["b"])
    );
    assert_eq!(
        id_set(
            s,
            &q(token_test(
                Some(Some("http://a/mrn")),
                Some("A100"),
                true,
                None,
                None
            ))
        )
        .await,
        set(&["b", "c", "d"])
    );
    assert_eq!(
        id_set(s, &q(token_test(None, None, false, Some("medical"), None))).await,
        set(&["a"])
    );
    assert_eq!(
        id_set(
            s,
            &q(token_test(
                None,
                None,
                false,
                None,
                Some((v2, "MR", "A100"))
            ))
        )
        .await,
        set(&["a"])
    );
    assert_eq!(
        id_set(
            s,
            &q(token_test(
                None,
                None,
                false,
                None,
                Some((v2, "MR", "A101"))
            ))
        )
        .await,
        set(&[])
    );
    // Two :not criteria: neither value.
    let not_a = token_test(Some(Some("http://a/mrn")), Some("A100"), true, None, None);
    let not_b = token_test(Some(Some("http://b/mrn")), Some("A100"), true, None, None);
    assert_eq!(
        id_set(s, &and(q(not_a), vec![not_b])).await,
        set(&["c", "d"])
    );
}

/// Stored ranges: a day, a year, an open-ended period, an instant.
#[tokio::test]
async fn date_prefixes_follow_r4_range_semantics() {
    let f = open();
    let s = &*f.store;
    let (d_low, d_high) = day(2024, 5, 1);
    let year = (ms(2024, 1, 1, 0, 0), ms(2025, 1, 1, 0, 0) - 1);
    put(
        s,
        "Observation",
        "day",
        None,
        vec![date("date", d_low, d_high)],
    )
    .await;
    put(
        s,
        "Observation",
        "year",
        None,
        vec![date("date", year.0, year.1)],
    )
    .await;
    put(
        s,
        "Observation",
        "open",
        None,
        vec![entry(
            "date",
            IndexValue::Date {
                low: Some(ms(2024, 6, 1, 0, 0)),
                high: None,
            },
        )],
    )
    .await;
    let instant = ms(2023, 12, 31, 23, 30);
    put(
        s,
        "Observation",
        "instant",
        None,
        vec![date("date", instant, instant)],
    )
    .await;
    put(s, "Observation", "none", None, vec![]).await;
    let search = |c: Comparison, range: (i64, i64)| {
        and(
            query("Observation"),
            vec![date_is("date", c, range.0, range.1)],
        )
    };
    let may = day(2024, 5, 1);
    let june = (ms(2024, 6, 1, 0, 0), ms(2024, 7, 1, 0, 0) - 1);
    let cases: Vec<(Comparison, (i64, i64), &[&str])> = vec![
        (Comparison::Eq, may, &["day"]),
        (Comparison::Eq, year, &["day", "year"]),
        (Comparison::Ne, may, &["year", "open", "instant"]),
        (Comparison::Gt, may, &["year", "open"]),
        (Comparison::Lt, may, &["year", "instant"]),
        (Comparison::Ge, may, &["day", "year", "open"]),
        (Comparison::Le, may, &["day", "year", "instant"]),
        (Comparison::Sa, may, &["open"]),
        (Comparison::Eb, may, &["instant"]),
        (Comparison::Eb, june, &["day", "instant"]),
        (Comparison::Ap, day(2024, 5, 2), &["day", "year"]),
        (Comparison::Ap, day(2024, 1, 1), &["year", "instant"]),
        (Comparison::Eq, (instant, instant + 59_999), &["instant"]),
    ];
    for (comparison, range, expected) in cases {
        assert_eq!(
            id_set(s, &search(comparison, range)).await,
            set(expected),
            "{comparison:?} {range:?}"
        );
    }
    // _lastUpdated uses the same semantics on the resource's own column.
    let all = and(
        query("Observation"),
        vec![Condition::LastUpdated(tessera_fhir::search::DateRange {
            comparison: Comparison::Gt,
            low: 0,
            high: 1,
        })],
    );
    assert_eq!(id_set(s, &all).await.len(), 5);
    let none = and(
        query("Observation"),
        vec![Condition::LastUpdated(tessera_fhir::search::DateRange {
            comparison: Comparison::Lt,
            low: 0,
            high: 1,
        })],
    );
    assert_eq!(id_set(s, &none).await, set(&[]));
}

fn number_is(comparison: Comparison, low: f64, high: f64) -> Condition {
    value(
        "probability",
        ParamType::Number,
        ValueTest::Number {
            comparison,
            low,
            high,
        },
    )
}

#[tokio::test]
async fn number_prefixes() {
    let f = open();
    let s = &*f.store;
    put(
        s,
        "RiskAssessment",
        "r27",
        None,
        vec![entry("probability", number("probability", 0.27, 0.005))],
    )
    .await;
    put(
        s,
        "RiskAssessment",
        "r5",
        None,
        vec![entry("probability", number("probability", 0.5, 0.05))],
    )
    .await;
    let search = |c| and(query("RiskAssessment"), vec![c]);
    let cases: Vec<(Condition, &[&str])> = vec![
        (number_is(Comparison::Eq, 0.265, 0.275), &["r27"]),
        (number_is(Comparison::Eq, 0.25, 0.35), &["r27"]),
        (number_is(Comparison::Eq, 0.15, 0.25), &[]),
        (number_is(Comparison::Gt, 0.15, 0.25), &["r27", "r5"]),
        (number_is(Comparison::Lt, 0.265, 0.275), &[]),
        (number_is(Comparison::Le, 0.265, 0.275), &["r27"]),
        (number_is(Comparison::Ge, 0.265, 0.275), &["r27", "r5"]),
        (number_is(Comparison::Ne, 0.45, 0.55), &["r27"]),
        (number_is(Comparison::Sa, 0.265, 0.275), &["r5"]),
        (number_is(Comparison::Eb, 0.45, 0.55), &["r27"]),
        (number_is(Comparison::Ap, 0.475, 0.485), &["r5"]),
    ];
    for (condition, expected) in cases {
        assert_eq!(
            id_set(s, &search(condition.clone())).await,
            set(expected),
            "{condition:?}"
        );
    }
}
