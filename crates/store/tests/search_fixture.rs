//! The shared search fixture (`testdata/search`) at the store API: every
//! resource indexed by the real extraction (`Definitions::index_entries`),
//! every case of `cases.tsv` parsed by the real parser and run here,
//! following cursors. Complements the HTTP suite: a failure here is in the
//! store or the parser/extraction, never in the HTTP layer. Cases that
//! expect a refusal (`!NNN`) or only a total (`#N`) belong to the HTTP suite.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use tessera_fhir::Definitions;
use tessera_store::{ResourceKey, RowKeys, WriteBatch, WriteOp};

#[tokio::test]
async fn every_fixture_case_gives_the_known_answer() {
    let definitions = Definitions::r4();
    let f = open();
    let store = &*f.store;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/search");
    let bundle: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("fixture.json")).unwrap()).unwrap();
    let mut ops = Vec::new();
    for entry in bundle["entry"].as_array().unwrap() {
        let resource = &entry["resource"];
        let key = ResourceKey::new(
            resource["resourceType"].as_str().unwrap(),
            resource["id"].as_str().unwrap(),
        );
        ops.push(WriteOp::Update {
            key,
            resource: resource.as_object().unwrap().clone().into(),
            keys: RowKeys {
                patient_key: definitions.patient_key(resource),
                author_org: None,
                references: Vec::new(),
                index: definitions.index_entries(resource),
            },
            if_match: None,
        });
    }
    store.write(WriteBatch { ops }).await.unwrap();

    let cases = std::fs::read_to_string(root.join("cases.tsv")).unwrap();
    let mut failures = Vec::new();
    let mut ran = 0;
    for line in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (request, expected) = line.split_once('\t').unwrap();
        if expected.starts_with('!') || expected.starts_with('#') {
            continue;
        }
        let (path, query_string) = request.split_once('?').unwrap_or((request, ""));
        let params: Vec<(String, String)> = form_urlencoded::parse(query_string.as_bytes())
            .into_owned()
            .collect();
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let (resource_type, compartment) = match parts.as_slice() {
            [] => (None, None),
            [t] => (Some(*t), None),
            ["Patient", id, t] => (Some(*t), Some(id.to_string())),
            _ => panic!("unexpected request {request}"),
        };
        ran += 1;
        let mut query = match definitions.parse_search(resource_type, &params) {
            Ok(parsed) => parsed.query,
            Err(issues) => {
                failures.push(format!("{request}: refused by the parser: {issues:?}"));
                continue;
            }
        };
        query.compartment = compartment.map(|p| Definitions::r4().patient_compartment(&p));
        let mut ids = Vec::new();
        let mut included = BTreeSet::new();
        let mut cursor: Option<String> = None;
        loop {
            match store.search(&query, cursor.as_deref()).await {
                Ok(page) => {
                    ids.extend(page.matches.iter().map(|v| v.key.id.clone()));
                    included.extend(page.included.iter().map(|v| v.key.id.clone()));
                    match page.next_cursor {
                        Some(next) => cursor = Some(next),
                        None => break,
                    }
                }
                Err(error) => {
                    failures.push(format!("{request}: {error}"));
                    break;
                }
            }
        }
        let ordered = expected.starts_with('=');
        let items = expected.trim_start_matches('=').split(',');
        let mut expected_ids: Vec<String> = items
            .clone()
            .filter(|i| !i.is_empty() && *i != "-" && !i.starts_with('+'))
            .map(String::from)
            .collect();
        let expected_included: BTreeSet<String> = items
            .filter_map(|i| i.strip_prefix('+'))
            .map(String::from)
            .collect();
        if !ordered {
            expected_ids.sort();
            ids.sort();
        }
        if ids != expected_ids || included != expected_included {
            failures.push(format!(
                "{request}\n  expected {expected_ids:?} +{expected_included:?}\n  got      {ids:?} +{included:?}"
            ));
        }
    }
    assert!(ran > 200, "only {ran} cases ran");
    assert!(
        failures.is_empty(),
        "{} of {ran} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
