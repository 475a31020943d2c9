//! Chains, `_has`, `_include` and `_revinclude` (with `:iterate` and `*`).

mod common;

use common::*;
use std::collections::BTreeSet;
use tessera_fhir::search::{Condition, Include, SearchQuery, StringMatch};

/// Two organisations, two patients, their observations and a report.
async fn clinic(s: &dyn tessera_store::ResourceStore) {
    put(
        s,
        "Organization",
        "org-a",
        None,
        vec![string("name", "Alpha Clinic")],
    )
    .await;
    put(
        s,
        "Organization",
        "org-b",
        None,
        vec![string("name", "Beta Hospital")],
    )
    .await;
    put(
        s,
        "Practitioner",
        "doc",
        None,
        vec![string("name", "Taussig")],
    )
    .await;
    put(
        s,
        "Patient",
        "ada",
        Some("ada"),
        vec![
            string("name", "Ada"),
            reference("organization", "Organization", "org-a"),
            reference("general-practitioner", "Practitioner", "doc"),
        ],
    )
    .await;
    put(
        s,
        "Patient",
        "grace",
        Some("grace"),
        vec![
            string("name", "Grace"),
            reference("organization", "Organization", "org-b"),
        ],
    )
    .await;
    put(
        s,
        "Observation",
        "o-ada",
        Some("ada"),
        vec![
            token("code", None, "85354-9"),
            reference("subject", "Patient", "ada"),
            reference("patient", "Patient", "ada"),
            reference("performer", "Practitioner", "doc"),
        ],
    )
    .await;
    put(
        s,
        "Observation",
        "o-grace",
        Some("grace"),
        vec![
            token("code", None, "2339-0"),
            reference("subject", "Patient", "grace"),
            reference("patient", "Patient", "grace"),
        ],
    )
    .await;
    put(
        s,
        "DiagnosticReport",
        "dr",
        Some("grace"),
        vec![
            token("code", None, "24323-8"),
            reference("result", "Observation", "o-grace"),
            reference("subject", "Patient", "grace"),
        ],
    )
    .await;
}

fn chain(param: &str, target_type: &str, condition: Condition) -> Condition {
    Condition::Chain {
        param: param.into(),
        target_type: target_type.into(),
        condition: Box::new(condition),
    }
}

fn has(source_type: &str, param: &str, condition: Condition) -> Condition {
    Condition::Has {
        source_type: source_type.into(),
        param: param.into(),
        condition: Box::new(condition),
    }
}

#[tokio::test]
async fn chains_one_and_two_links_deep() {
    let f = open();
    let s = &*f.store;
    clinic(s).await;
    let q = and(
        query("Observation"),
        vec![chain(
            "subject",
            "Patient",
            string_is("name", "ada", StringMatch::Prefix),
        )],
    );
    assert_eq!(id_set(s, &q).await, set(&["o-ada"]));
    let q = and(
        query("Observation"),
        vec![chain(
            "patient",
            "Patient",
            chain(
                "organization",
                "Organization",
                string_is("name", "beta", StringMatch::Prefix),
            ),
        )],
    );
    assert_eq!(id_set(s, &q).await, set(&["o-grace"]));
    // A chain combined with another criterion is probed, not driven.
    let q = and(
        and(
            query("Observation"),
            vec![code_is("code", None, Some("85354-9"))],
        ),
        vec![chain(
            "patient",
            "Patient",
            chain(
                "general-practitioner",
                "Practitioner",
                string_is("name", "tau", StringMatch::Prefix),
            ),
        )],
    );
    assert_eq!(id_set(s, &q).await, set(&["o-ada"]));
    // A deleted target no longer satisfies a chain.
    put(s, "Observation", "o-ada", Some("ada"), vec![]).await;
    put(
        s,
        "Patient",
        "ada",
        Some("ada"),
        vec![string("name", "Ada")],
    )
    .await;
    delete(s, "Organization", "org-a").await;
    let q = and(
        query("Patient"),
        vec![chain(
            "organization",
            "Organization",
            string_is("name", "alpha", StringMatch::Prefix),
        )],
    );
    assert_eq!(id_set(s, &q).await, set(&[]));
}

/// A page that a chain drives walks the chain's targets in order and stops
/// when full; over every page each match comes once, though a resource may
/// refer to several matching targets, or to one target twice.
#[tokio::test]
async fn a_chain_driven_search_pages_through_each_match_once() {
    let f = open();
    let s = &*f.store;
    let names = [
        "Ada One",
        "Ada Two",
        "Bob",
        "Ada Three",
        "Ada Four",
        "Ada Five",
    ];
    for (i, name) in names.iter().enumerate() {
        put(
            s,
            "Practitioner",
            &format!("pr-{i}"),
            None,
            vec![string("name", name)],
        )
        .await;
    }
    for (i, name) in ["Ada Labs", "Zed Labs"].iter().enumerate() {
        put(
            s,
            "Organization",
            &format!("org-{i}"),
            None,
            vec![string("name", name)],
        )
        .await;
    }
    let mut expected = BTreeSet::new();
    let mut vital = BTreeSet::new();
    let mut with_labs = BTreeSet::new();
    for i in 0..60usize {
        // Up to three performers each, a repeat of the first for some.
        let performers = [i % 6, (i * 7 + 2) % 6, i % 6];
        let mut index: Vec<_> = performers[..1 + i % 3]
            .iter()
            .map(|p| reference("performer", "Practitioner", &format!("pr-{p}")))
            .collect();
        // Some performed by a lab as well.
        if i % 5 == 0 {
            index.push(reference(
                "performer",
                "Organization",
                &format!("org-{}", i % 2),
            ));
        }
        let code = if i % 4 == 0 { "vital" } else { "lab" };
        index.push(token("category", None, code));
        let id = format!("obs-{i:02}");
        if performers[..1 + i % 3].iter().any(|&p| p != 2) {
            expected.insert(id.clone());
            if code == "vital" {
                vital.insert(id.clone());
            }
        }
        if expected.contains(&id) || i % 10 == 0 {
            with_labs.insert(id.clone());
        }
        put(s, "Observation", &id, None, index).await;
    }
    // A deleted source matches nothing.
    delete(s, "Observation", "obs-00").await;
    expected.remove("obs-00");
    vital.remove("obs-00");
    with_labs.remove("obs-00");
    let ada = || {
        chain(
            "performer",
            "Practitioner",
            string_is("name", "ada", StringMatch::Prefix),
        )
    };
    let mut q = and(query("Observation"), vec![ada()]);
    q.count = 4;
    let ids = all_ids(s, &q).await;
    let unique: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(unique.len(), ids.len(), "a match came twice: {ids:?}");
    assert_eq!(unique, expected);
    // A chained parameter with two target types walks the targets of both.
    let labs = chain(
        "performer",
        "Organization",
        string_is("name", "ada", StringMatch::Prefix),
    );
    let mut both = and(query("Observation"), vec![ada(), labs]);
    both.count = 4;
    let ids = all_ids(s, &both).await;
    assert_eq!(ids.len(), with_labs.len(), "{ids:?}");
    assert_eq!(ids.into_iter().collect::<BTreeSet<_>>(), with_labs);
    vital_pages_in_their_own_order(s, q, 3, &vital).await;
}

/// With a category criterion added, probed on each candidate of the walk,
/// `chained` pages `count` at a time to exactly `vital`; and its cursor is
/// refused by a search in another order.
async fn vital_pages_in_their_own_order(
    s: &dyn tessera_store::ResourceStore,
    chained: SearchQuery,
    count: usize,
    vital: &BTreeSet<String>,
) {
    let mut q = and(chained, vec![code_is("category", None, Some("vital"))]);
    q.count = count;
    let ids = all_ids(s, &q).await;
    assert_eq!(ids.len(), vital.len(), "{ids:?}");
    assert_eq!(&ids.into_iter().collect::<BTreeSet<_>>(), vital);
    let cursor = s.search(&q, None).await.unwrap().next_cursor.unwrap();
    let sorted = sort(
        q.clone(),
        "_id",
        tessera_fhir::search::ParamType::Token,
        false,
    );
    assert!(matches!(
        s.search(&sorted, Some(&cursor)).await,
        Err(tessera_store::StoreError::InvalidCursor(_))
    ));
}

/// A two-link chain pages from its innermost targets (SQLite walks
/// patients, their encounters, their observations); over every page each
/// match comes once, though an observation may reach matching patients by
/// several encounters, an encounter several patients or one patient twice,
/// and the first link has two target types.
#[tokio::test]
async fn a_two_link_chain_pages_through_each_match_once() {
    let f = open();
    let s = &*f.store;
    let names = ["Ada One", "Ada Two", "Bob", "Ada Three", "Ada Four", "Zed"];
    for (i, name) in names.iter().enumerate() {
        let id = format!("p{i}");
        put(s, "Patient", &id, Some(&id), vec![string("name", name)]).await;
    }
    let ada = |p: usize| names[p].starts_with("Ada");
    // Encounters 0-11 and episodes of care 12-14, each with its patients.
    let mut patients_of = Vec::new();
    for k in 0..15usize {
        let mut patients = vec![k % 6];
        match k % 5 {
            1 => patients.push((k * 5 + 1) % 6),
            2 => patients.push(k % 6),
            _ => {}
        }
        let index = patients
            .iter()
            .map(|p| reference("patient", "Patient", &format!("p{p}")))
            .collect();
        // Patient keys vary, so the link rows' patient hashes do too (none,
        // the patient's own, another's).
        let key = match k % 4 {
            0 => None,
            3 => Some(format!("p{}", (k + 1) % 6)),
            _ => Some(format!("p{}", patients[0])),
        };
        let (resource_type, id) = target(k);
        put(s, resource_type, &id, key.as_deref(), index).await;
        patients_of.push(patients);
    }
    let mut expected = BTreeSet::new();
    let mut vital = BTreeSet::new();
    for i in 0..60usize {
        let encounters = [i % 15, (i * 7 + 3) % 15, i % 15];
        let encounters = &encounters[..1 + i % 3];
        let mut index: Vec<_> = encounters
            .iter()
            .map(|&k| {
                let (resource_type, id) = target(k);
                reference("encounter", resource_type, &id)
            })
            .collect();
        let code = if i % 4 == 0 { "vital" } else { "lab" };
        index.push(token("category", None, code));
        let id = format!("obs-{i:02}");
        if encounters
            .iter()
            .any(|&k| patients_of[k].iter().any(|&p| ada(p)))
        {
            expected.insert(id.clone());
            if code == "vital" {
                vital.insert(id.clone());
            }
        }
        put(s, "Observation", &id, Some(&format!("p{}", i % 6)), index).await;
    }
    delete(s, "Observation", "obs-01").await;
    expected.remove("obs-01");
    let through = |resource_type: &str| {
        chain(
            "encounter",
            resource_type,
            chain(
                "patient",
                "Patient",
                string_is("name", "ada", StringMatch::Prefix),
            ),
        )
    };
    let chained = and(
        query("Observation"),
        vec![through("Encounter"), through("EpisodeOfCare")],
    );
    assert!(expected.len() > 20 && expected.len() < 59, "{expected:?}");
    for count in [1, 3, 4, 7, 100] {
        let mut q = chained.clone();
        q.count = count;
        let ids = all_ids(s, &q).await;
        let unique: BTreeSet<String> = ids.iter().cloned().collect();
        assert_eq!(unique.len(), ids.len(), "a match came twice: {ids:?}");
        assert_eq!(unique, expected, "_count={count}");
    }
    vital_pages_in_their_own_order(s, chained, 2, &vital).await;
}

/// The first link's target of number `k`: an Encounter, or an
/// EpisodeOfCare from 12 on.
fn target(k: usize) -> (&'static str, String) {
    if k < 12 {
        ("Encounter", format!("enc-{k:02}"))
    } else {
        ("EpisodeOfCare", format!("eoc-{k:02}"))
    }
}

#[tokio::test]
async fn has_and_nested_has() {
    let f = open();
    let s = &*f.store;
    clinic(s).await;
    let q = and(
        query("Patient"),
        vec![has(
            "Observation",
            "patient",
            code_is("code", None, Some("85354-9")),
        )],
    );
    assert_eq!(id_set(s, &q).await, set(&["ada"]));
    let q = and(
        query("Patient"),
        vec![has(
            "Observation",
            "patient",
            has(
                "DiagnosticReport",
                "result",
                code_is("code", None, Some("24323-8")),
            ),
        )],
    );
    assert_eq!(id_set(s, &q).await, set(&["grace"]));
    let q = and(
        query("Patient"),
        vec![has(
            "Observation",
            "patient",
            code_is("code", None, Some("nope")),
        )],
    );
    assert_eq!(id_set(s, &q).await, set(&[]));
    // Probed (not driving) form: with a name criterion first.
    let q = and(
        and(
            query("Patient"),
            vec![string_is("name", "grace", StringMatch::Prefix)],
        ),
        vec![has(
            "Observation",
            "patient",
            code_is("code", None, Some("2339-0")),
        )],
    );
    assert_eq!(id_set(s, &q).await, set(&["grace"]));
    let q = and(
        and(
            query("Patient"),
            vec![string_is("name", "grace", StringMatch::Prefix)],
        ),
        vec![has(
            "Observation",
            "patient",
            code_is("code", None, Some("85354-9")),
        )],
    );
    assert_eq!(id_set(s, &q).await, set(&[]));
}

fn include(
    source_type: &str,
    param: Option<&str>,
    target_type: Option<&str>,
    iterate: bool,
) -> Include {
    Include {
        source_type: source_type.into(),
        param: param.map(Into::into),
        target_type: target_type.map(Into::into),
        iterate,
    }
}

async fn page_ids(
    s: &dyn tessera_store::ResourceStore,
    q: &SearchQuery,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let page = s.search(q, None).await.unwrap();
    (
        page.matches.iter().map(|v| v.key.to_string()).collect(),
        page.included.iter().map(|v| v.key.to_string()).collect(),
    )
}

#[tokio::test]
async fn includes_revincludes_iterate_and_wildcard() {
    let f = open();
    let s = &*f.store;
    clinic(s).await;
    let mut q = and(
        query("Observation"),
        vec![Condition::Id(vec!["o-ada".into()])],
    );
    q.includes
        .push(include("Observation", Some("subject"), None, false));
    q.includes.push(include(
        "Patient",
        Some("general-practitioner"),
        None,
        false,
    ));
    assert_eq!(page_ids(s, &q).await.1, set(&["Patient/ada"]));
    q.includes[1].iterate = true;
    assert_eq!(
        page_ids(s, &q).await.1,
        set(&["Patient/ada", "Practitioner/doc"])
    );
    let mut q = and(
        query("Observation"),
        vec![Condition::Id(vec!["o-ada".into()])],
    );
    q.includes.push(include("Observation", None, None, false));
    assert_eq!(
        page_ids(s, &q).await.1,
        set(&["Patient/ada", "Practitioner/doc"])
    );
    q.includes[0].target_type = Some("Practitioner".into());
    assert_eq!(page_ids(s, &q).await.1, set(&["Practitioner/doc"]));

    let mut q = and(query("Patient"), vec![Condition::Id(vec!["grace".into()])]);
    q.revincludes
        .push(include("Observation", Some("patient"), None, false));
    assert_eq!(page_ids(s, &q).await.1, set(&["Observation/o-grace"]));
    q.revincludes
        .push(include("DiagnosticReport", Some("result"), None, true));
    assert_eq!(
        page_ids(s, &q).await.1,
        set(&["Observation/o-grace", "DiagnosticReport/dr"])
    );
    let mut q = and(query("Patient"), vec![Condition::Id(vec!["grace".into()])]);
    q.revincludes
        .push(include("DiagnosticReport", None, None, false));
    assert_eq!(page_ids(s, &q).await.1, set(&["DiagnosticReport/dr"]));
    // A match is never repeated as an include.
    let mut q = and(query("Observation"), vec![]);
    q.criteria.clear();
    q.includes
        .push(include("DiagnosticReport", Some("result"), None, false));
    q.resource_types = vec!["Observation".into(), "DiagnosticReport".into()];
    let (matches, included) = page_ids(s, &q).await;
    assert_eq!(matches.len(), 3);
    assert!(included.is_empty(), "{included:?}");
}
