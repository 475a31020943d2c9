//! Value tests, continued: quantities (units, canonical forms), references,
//! URIs, composites, `:missing`, `_id`, compartments and system searches.

mod common;

use common::*;
use tessera_fhir::Definitions;
use tessera_fhir::search::{Comparison, Condition, IndexValue, ParamType, UriMatch, ValueTest};

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
    let s = &*f.store;
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
            // `ne` with a unit: a value in a compatible unit, not equal.
            quantity_is(Comparison::Ne, 60.0, ucum, Some("kg"), Some((60000.0, "g"))),
            &["g61000"],
        ),
        (
            quantity_is(Comparison::Ne, 60.0, None, None, None),
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
    let s = &*f.store;
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
    let s = &*f.store;
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
    let s = &*f.store;
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
    let s = &*f.store;
    // A system search with criteria over an empty store.
    let mut nothing = query("Patient");
    nothing.resource_types.clear();
    nothing.total = tessera_fhir::search::TotalMode::Accurate;
    let nothing = and(nothing, vec![Condition::Id(vec!["a".into()])]);
    let page = tessera_store::ResourceStore::search(s, &nothing, None)
        .await
        .unwrap();
    assert!(page.matches.is_empty());
    assert_eq!(page.total, Some(0));
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
    chart.compartment = Some(Definitions::r4().patient_compartment("a"));
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
    two.compartment = Some(Definitions::r4().patient_compartment("b"));
    assert_eq!(id_set(s, &two).await, set(&["b", "ob"]));
}
