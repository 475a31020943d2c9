//! A scale probe, not run by default: builds a store of synthetic charts
//! (`TESSERA_SCALE_PATIENTS`, default 2,000 patients with 50 observations,
//! 5 conditions and 3 medication requests each) and prints p50/p99 latency
//! and SQLite's plan, on real data, for the common clinical searches.
//!
//! `cargo test --release -p tessera-store --test search_scale -- --ignored --nocapture`

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tessera_fhir::Definitions;
use tessera_fhir::search::{Comparison, Condition, Include, ParamType, SearchQuery, StringMatch};
use tessera_store::{ResourceKey, RowKeys, WriteBatch, WriteOp};

const CODES: [&str; 10] = [
    "29463-7", "8867-4", "85354-9", "2339-0", "8310-5", "9279-1", "59408-5", "4548-4", "2093-3",
    "718-7",
];
const NAMES: [&str; 8] = [
    "Smith", "Garcia", "Nguyen", "Okafor", "Müller", "Rossi", "Kowalski", "Tanaka",
];

fn op(
    resource_type: &str,
    id: String,
    patient: Option<&str>,
    index: Vec<tessera_fhir::search::IndexEntry>,
) -> WriteOp {
    let Value::Object(resource) = json!({"resourceType": resource_type}) else {
        unreachable!()
    };
    WriteOp::Create {
        key: ResourceKey::new(resource_type, id),
        resource: resource.into(),
        keys: RowKeys {
            patient_key: patient.map(Into::into),
            index,
            ..RowKeys::default()
        },
    }
}

#[tokio::test]
#[ignore = "a measurement, not a check: minutes of loading; run with --ignored --nocapture"]
async fn common_searches_at_scale() {
    let patients: usize = std::env::var("TESSERA_SCALE_PATIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let f = open();
    let s = &*f.store;
    let started = Instant::now();
    let mut ops = Vec::new();
    for o in 0..20 {
        ops.push(op(
            "Organization",
            format!("org{o}"),
            None,
            vec![string("name", &format!("Org {o} Clinic"))],
        ));
        ops.push(op(
            "Medication",
            format!("med{o}"),
            None,
            vec![token(
                "code",
                Some("http://www.nlm.nih.gov/research/umls/rxnorm"),
                &format!("{}", 100 + o),
            )],
        ));
    }
    s.write(WriteBatch {
        ops: std::mem::take(&mut ops),
    })
    .await
    .unwrap();
    for p in 0..patients {
        let pid = format!("p{p}");
        let family = format!("{}{}", NAMES[p % NAMES.len()], p);
        ops.push(op(
            "Patient",
            pid.clone(),
            Some(&pid),
            vec![
                string("name", &family),
                string("family", &family),
                string("name", "Alex"),
                token("gender", None, if p % 2 == 0 { "female" } else { "male" }),
                reference("organization", "Organization", &format!("org{}", p % 20)),
            ],
        ));
        for i in 0..50 {
            let (low, high) = day(
                2020 + ((i / 10) % 5) as i32,
                1 + (i % 12) as u8,
                1 + (i % 28) as u8,
            );
            ops.push(op(
                "Observation",
                format!("o{p}-{i}"),
                Some(&pid),
                vec![
                    token("code", Some("http://loinc.org"), CODES[i % CODES.len()]),
                    token("status", None, "final"),
                    reference("subject", "Patient", &pid),
                    reference("patient", "Patient", &pid),
                    date("date", low, high),
                ],
            ));
        }
        for c in 0..5 {
            ops.push(op(
                "Condition",
                format!("c{p}-{c}"),
                Some(&pid),
                vec![
                    token(
                        "clinical-status",
                        Some("http://terminology.hl7.org/CodeSystem/condition-clinical"),
                        if c % 2 == 0 { "active" } else { "resolved" },
                    ),
                    reference("patient", "Patient", &pid),
                    reference("subject", "Patient", &pid),
                ],
            ));
        }
        for m in 0..3 {
            ops.push(op(
                "MedicationRequest",
                format!("m{p}-{m}"),
                Some(&pid),
                vec![
                    token("status", None, "active"),
                    reference("patient", "Patient", &pid),
                    reference("medication", "Medication", &format!("med{}", (p + m) % 20)),
                ],
            ));
        }
        if ops.len() > 2_000 {
            s.write(WriteBatch {
                ops: std::mem::take(&mut ops),
            })
            .await
            .unwrap();
        }
    }
    s.write(WriteBatch { ops }).await.unwrap();
    let resources = patients * 59 + 40;
    println!(
        "loaded {resources} resources in {:?} ({:.0}/s)",
        started.elapsed(),
        resources as f64 / started.elapsed().as_secs_f64()
    );

    let target = format!("p{}", patients / 2);
    let mut searches: Vec<(&str, SearchQuery)> = Vec::new();
    searches.push((
        "patient by name prefix",
        and(
            query("Patient"),
            vec![string_is("name", "garc", StringMatch::Prefix)],
        ),
    ));
    let obs = and(
        and(
            query("Observation"),
            vec![refers_to("patient", Some("Patient"), &target)],
        ),
        vec![code_is(
            "code",
            Some(Some("http://loinc.org")),
            Some("29463-7"),
        )],
    );
    let (low, _) = day(2021, 1, 1);
    let (_, high) = day(2023, 12, 31);
    let obs = and(
        and(
            obs,
            vec![date_is("date", Comparison::Ge, low, low + 86_399_999)],
        ),
        vec![date_is("date", Comparison::Le, high - 86_399_999, high)],
    );
    searches.push((
        "observations by patient, code, dates, sorted",
        sort(obs, "date", ParamType::Date, true),
    ));
    searches.push((
        "conditions by patient and status",
        and(
            and(
                query("Condition"),
                vec![refers_to("patient", Some("Patient"), &target)],
            ),
            vec![code_is("clinical-status", None, Some("active"))],
        ),
    ));
    let mut meds = and(
        query("MedicationRequest"),
        vec![refers_to("patient", Some("Patient"), &target)],
    );
    meds.includes.push(Include {
        source_type: "MedicationRequest".into(),
        param: Some("medication".into()),
        target_type: None,
        iterate: false,
    });
    searches.push(("medication requests + medication", meds));
    searches.push((
        "two-link chain",
        and(
            and(
                query("Observation"),
                vec![code_is("code", None, Some("718-7"))],
            ),
            vec![Condition::Chain {
                param: "patient".into(),
                target_type: "Patient".into(),
                condition: Box::new(Condition::Chain {
                    param: "organization".into(),
                    target_type: "Organization".into(),
                    condition: Box::new(string_is("name", "org 7", StringMatch::Prefix)),
                }),
            }],
        ),
    ));
    let mut chart = and(
        query("Observation"),
        vec![code_is(
            "code",
            Some(Some("http://loinc.org")),
            Some("8867-4"),
        )],
    );
    chart.compartment = Some(Definitions::r4().patient_compartment(&target));
    searches.push(("chart: observations by code", chart));
    for (name, q) in searches {
        let mut times: Vec<Duration> = Vec::new();
        let mut found = 0;
        for _ in 0..300 {
            let t = Instant::now();
            let page = s.search(&q, None).await.unwrap();
            times.push(t.elapsed());
            found = page.matches.len() + page.included.len();
        }
        times.sort();
        println!(
            "{name}: {found} resources, p50 {:?}, p99 {:?}",
            times[150], times[296]
        );
    }
}

/// Durable single-resource writes from 64 concurrent writers (as the HTTP
/// create benchmark does), with and without 12 index entries each: what the
/// index rows cost the group-commit writer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check: timing depends on the machine; run with --ignored --nocapture"]
async fn concurrent_creates_with_index_rows() {
    for with_index in [false, true] {
        let f = open();
        let store = std::sync::Arc::new(f.store);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..64 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut written = 0u64;
                while started.elapsed() < Duration::from_secs(5) {
                    let index = if with_index {
                        vec![
                            string("name", "Bench"),
                            string("name", "Patient"),
                            string("family", "Bench"),
                            string("given", "Patient"),
                            string("phonetic", "bnch"),
                            token("gender", None, "female"),
                            token("active", None, "true"),
                            token("identifier", Some("http://mrn"), &format!("{w}-{written}")),
                            date("birthdate", 0, 86_399_999),
                            token("_id", None, &format!("b{w}-{written}")),
                            entry(
                                "_lastUpdated",
                                tessera_fhir::search::IndexValue::Date {
                                    low: Some(1),
                                    high: Some(1),
                                },
                            ),
                            reference("organization", "Organization", "org1"),
                        ]
                    } else {
                        Vec::new()
                    };
                    store
                        .write(WriteBatch::single(op(
                            "Patient",
                            format!("b{w}-{written}"),
                            None,
                            index,
                        )))
                        .await
                        .unwrap();
                    written += 1;
                }
                written
            }));
        }
        let mut total = 0;
        for task in tasks {
            total += task.await.unwrap();
        }
        println!(
            "index rows {with_index}: {total} creates in 5 s = {:.0}/s",
            total as f64 / started.elapsed().as_secs_f64()
        );
    }
}
