//! Every value test, modifier and prefix, over hand-made index entries.

mod common;

use common::*;
use tessera_fhir::search::{
    Comparison, Condition, IndexValue, ParamType, StringMatch, UriMatch, ValueTest,
};

#[tokio::test]
async fn string_prefix_exact_contains_and_or_and() {
    let f = open();
    let s = &f.store;
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
    let s = &f.store;
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
    let s = &f.store;
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
        (Comparison::Ne, may, &["year", "open", "instant", "none"]),
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
    let s = &f.store;
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

fn quantity_is(
    comparison: Comparison,
    value: f64,
    system: Option<&str>,
    code: Option<&str>,
    canonical: Option<(f64, &str)>,
) -> Condition {
    let half = 0.5;
    crate::value(
        "value-quantity",
        ParamType::Quantity,
        ValueTest::Quantity {
            comparison,
            low: value - half,
            high: value + half,
            system: system.map(Into::into),
            code: code.map(Into::into),
            canonical: canonical
                .map(|(v, c)| (v - half * v / value, v + half * v / value, c.to_owned())),
        },
    )
}

fn quantity(value: f64, code: &str, canonical: Option<(f64, &str)>) -> IndexValue {
    IndexValue::Quantity {
        value,
        low: value - 0.5,
        high: value + 0.5,
        system: Some("http://unitsofmeasure.org".into()),
        code: Some(code.into()),
        unit: Some(code.into()),
        canonical_value: canonical.map(|(v, _)| v),
        canonical_code: canonical.map(|(_, c)| c.into()),
    }
}

#[tokio::test]
async fn quantity_units_and_canonical_comparison() {
    let f = open();
    let s = &f.store;
    let ucum = Some("http://unitsofmeasure.org");
    put(
        s,
        "Observation",
        "kg60",
        None,
        vec![entry(
            "value-quantity",
            quantity(60.0, "kg", Some((60000.0, "g"))),
        )],
    )
    .await;
    put(
        s,
        "Observation",
        "g61000",
        None,
        vec![entry(
            "value-quantity",
            quantity(61000.0, "g", Some((61000.0, "g"))),
        )],
    )
    .await;
    put(
        s,
        "Observation",
        "mg180",
        None,
        vec![entry("value-quantity", quantity(180.0, "mg/dL", None))],
    )
    .await;
    let search = |c| and(query("Observation"), vec![c]);
    let cases: Vec<(Condition, &[&str])> = vec![
        (
            quantity_is(Comparison::Eq, 60.0, None, None, None),
            &["kg60"],
        ),
        (
            quantity_is(Comparison::Eq, 60.0, None, Some("kg"), None),
            &["kg60"],
        ),
        (
            quantity_is(Comparison::Eq, 60.0, ucum, Some("kg"), Some((60000.0, "g"))),
            &["kg60"],
        ),
        (
            quantity_is(Comparison::Eq, 61.0, ucum, Some("kg"), Some((61000.0, "g"))),
            &["g61000"],
        ),
        (
            quantity_is(Comparison::Gt, 70.0, None, None, None),
            &["g61000", "mg180"],
        ),
        (
            quantity_is(Comparison::Gt, 100.0, ucum, Some("mg/dL"), None),
            &["mg180"],
        ),
        (
            quantity_is(Comparison::Ne, 60.0, ucum, Some("kg"), Some((60000.0, "g"))),
            &["g61000", "mg180"],
        ),
    ];
    for (condition, expected) in cases {
        assert_eq!(
            id_set(s, &search(condition.clone())).await,
            set(expected),
            "{condition:?}"
        );
    }
}

#[tokio::test]
async fn reference_forms() {
    let f = open();
    let s = &f.store;
    put(s, "Patient", "p1", None, vec![]).await;
    put(s, "Group", "p1", None, vec![]).await;
    put(
        s,
        "Observation",
        "o1",
        None,
        vec![reference("subject", "Patient", "p1")],
    )
    .await;
    put(
        s,
        "Observation",
        "o2",
        None,
        vec![reference("subject", "Group", "p1")],
    )
    .await;
    put(
        s,
        "Observation",
        "o3",
        None,
        vec![
            entry(
                "subject",
                IndexValue::Reference {
                    target_type: None,
                    id: None,
                    url: Some("http://other/fhir/Patient/9".into()),
                    version: None,
                    identifier: None,
                },
            ),
            entry(
                "subject",
                IndexValue::Reference {
                    target_type: None,
                    id: None,
                    url: None,
                    version: None,
                    identifier: Some((Some("http://b/mrn".into()), "B201".into())),
                },
            ),
        ],
    )
    .await;
    let search = |t: Option<&str>,
                  id: Option<&str>,
                  url: Option<&str>,
                  identifier: Option<(Option<&str>, &str)>| {
        and(
            query("Observation"),
            vec![value(
                "subject",
                ParamType::Reference,
                ValueTest::Reference {
                    target_type: t.map(Into::into),
                    id: id.map(Into::into),
                    url: url.map(Into::into),
                    identifier: identifier.map(|(s, v)| (s.map(Into::into), v.into())),
                },
            )],
        )
    };
    assert_eq!(
        id_set(s, &search(None, Some("p1"), None, None)).await,
        set(&["o1", "o2"])
    );
    assert_eq!(
        id_set(s, &search(Some("Patient"), Some("p1"), None, None)).await,
        set(&["o1"])
    );
    assert_eq!(
        id_set(s, &search(Some("Group"), None, None, None)).await,
        set(&["o2"])
    );
    assert_eq!(
        id_set(
            s,
            &search(None, None, Some("http://other/fhir/Patient/9"), None)
        )
        .await,
        set(&["o3"])
    );
    assert_eq!(
        id_set(
            s,
            &search(None, None, None, Some((Some("http://b/mrn"), "B201")))
        )
        .await,
        set(&["o3"])
    );
    assert_eq!(
        id_set(s, &search(None, None, None, Some((None, "B201")))).await,
        set(&["o3"])
    );
    assert_eq!(
        id_set(
            s,
            &search(None, None, None, Some((Some("http://a/mrn"), "B201")))
        )
        .await,
        set(&[])
    );
}

#[tokio::test]
async fn uri_exact_below_above() {
    let f = open();
    let s = &f.store;
    put(
        s,
        "ValueSet",
        "vs1",
        None,
        vec![entry(
            "url",
            IndexValue::Uri("http://example.org/fhir/ValueSet/colors".into()),
        )],
    )
    .await;
    put(
        s,
        "ValueSet",
        "vs2",
        None,
        vec![entry(
            "url",
            IndexValue::Uri("http://example.org/fhir/ValueSet".into()),
        )],
    )
    .await;
    let search = |v: &str, mode| {
        and(
            query("ValueSet"),
            vec![value(
                "url",
                ParamType::Uri,
                ValueTest::Uri {
                    value: v.into(),
                    mode,
                },
            )],
        )
    };
    assert_eq!(
        id_set(
            s,
            &search("http://example.org/fhir/ValueSet/colors", UriMatch::Exact)
        )
        .await,
        set(&["vs1"])
    );
    assert_eq!(
        id_set(s, &search("http://example.org", UriMatch::Exact)).await,
        set(&[])
    );
    assert_eq!(
        id_set(s, &search("http://example.org", UriMatch::Below)).await,
        set(&["vs1", "vs2"])
    );
    assert_eq!(
        id_set(
            s,
            &search(
                "http://example.org/fhir/ValueSet/colors/warm",
                UriMatch::Above
            )
        )
        .await,
        set(&["vs1", "vs2"])
    );
}

#[tokio::test]
async fn composite_components_match_within_one_entry() {
    let f = open();
    let s = &f.store;
    let component = |code: &str, v: f64| {
        entry(
            "component-code-value-quantity",
            IndexValue::Composite(vec![
                IndexValue::Token {
                    system: Some("http://loinc.org".into()),
                    code: Some(code.into()),
                    text: None,
                    of_type: None,
                },
                quantity(v, "mm[Hg]", None),
            ]),
        )
    };
    put(
        s,
        "Observation",
        "bp1",
        None,
        vec![component("8480-6", 120.0), component("8462-4", 80.0)],
    )
    .await;
    put(
        s,
        "Observation",
        "bp2",
        None,
        vec![component("8480-6", 150.0), component("8462-4", 95.0)],
    )
    .await;
    let search = |code: &str, c: Comparison, v: f64| {
        and(
            query("Observation"),
            vec![value(
                "component-code-value-quantity",
                ParamType::Composite,
                ValueTest::Composite(vec![
                    ValueTest::Token {
                        system: Some(Some("http://loinc.org".into())),
                        code: Some(code.into()),
                        not: false,
                        text: None,
                        of_type: None,
                    },
                    ValueTest::Quantity {
                        comparison: c,
                        low: v - 0.5,
                        high: v + 0.5,
                        system: None,
                        code: None,
                        canonical: None,
                    },
                ]),
            )],
        )
    };
    assert_eq!(
        id_set(s, &search("8480-6", Comparison::Gt, 140.0)).await,
        set(&["bp2"])
    );
    assert_eq!(
        id_set(s, &search("8462-4", Comparison::Gt, 140.0)).await,
        set(&[])
    );
    assert_eq!(
        id_set(s, &search("8480-6", Comparison::Lt, 130.0)).await,
        set(&["bp1"])
    );
    // :missing on a composite sees its components.
    let missing = and(
        query("Observation"),
        vec![Condition::Missing {
            param: "component-code-value-quantity".into(),
            missing: false,
        }],
    );
    assert_eq!(id_set(s, &missing).await, set(&["bp1", "bp2"]));
}

#[tokio::test]
async fn missing_id_and_compartment() {
    let f = open();
    let s = &f.store;
    put(
        s,
        "Patient",
        "a",
        Some("a"),
        vec![token("active", None, "true")],
    )
    .await;
    put(s, "Patient", "b", Some("b"), vec![]).await;
    put(
        s,
        "Observation",
        "oa",
        Some("a"),
        vec![token("code", None, "x")],
    )
    .await;
    put(
        s,
        "Observation",
        "ob",
        Some("b"),
        vec![token("code", None, "x")],
    )
    .await;
    let missing = |m| {
        and(
            query("Patient"),
            vec![Condition::Missing {
                param: "active".into(),
                missing: m,
            }],
        )
    };
    assert_eq!(id_set(s, &missing(true)).await, set(&["b"]));
    assert_eq!(id_set(s, &missing(false)).await, set(&["a"]));
    let ids = and(
        query("Patient"),
        vec![Condition::Id(vec!["a".into(), "b".into(), "zz".into()])],
    );
    assert_eq!(id_set(s, &ids).await, set(&["a", "b"]));
    let mut chart = query("Observation");
    chart.compartment_patient = Some("a".into());
    assert_eq!(id_set(s, &chart).await, set(&["oa"]));
    let chart = and(chart, vec![code_is("code", None, Some("x"))]);
    assert_eq!(id_set(s, &chart).await, set(&["oa"]));
    // A system search over every type, with and without criteria.
    let mut everything = query("Patient");
    everything.resource_types.clear();
    assert_eq!(id_set(s, &everything).await.len(), 4);
    let by_id = and(
        everything.clone(),
        vec![Condition::Id(vec!["a".into(), "ob".into()])],
    );
    assert_eq!(id_set(s, &by_id).await, set(&["a", "ob"]));
    let mut two = query("Patient");
    two.resource_types = vec!["Patient".into(), "Observation".into()];
    two.compartment_patient = Some("b".into());
    assert_eq!(id_set(s, &two).await, set(&["b", "ob"]));
}
