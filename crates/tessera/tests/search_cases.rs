//! The table-driven search suite: `testdata/search/fixture.json` is loaded
//! into a real server, then every request of `testdata/search/cases.tsv` runs
//! over HTTP (following `next` links to the last page) and must give exactly
//! the expected matches, order and includes. Cases in
//! `testdata/search/known-failures.tsv` must fail (each with its reason), so
//! that list only shrinks.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// What a case expects.
#[derive(Debug, PartialEq)]
enum Expected {
    Matches {
        ids: Vec<String>,
        ordered: bool,
        included: BTreeSet<String>,
    },
    Total(u64),
    Status(u16),
}

fn parse_expected(text: &str) -> Expected {
    if let Some(total) = text.strip_prefix('#') {
        return Expected::Total(total.parse().expect("#N"));
    }
    if let Some(status) = text.strip_prefix('!') {
        return Expected::Status(status.parse().expect("!NNN"));
    }
    let (ordered, list) = match text.strip_prefix('=') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut ids = Vec::new();
    let mut included = BTreeSet::new();
    for item in list.split(',').filter(|i| !i.is_empty() && *i != "-") {
        match item.strip_prefix('+') {
            Some(id) => {
                included.insert(id.to_owned());
            }
            None => ids.push(item.to_owned()),
        }
    }
    if !ordered {
        ids.sort();
    }
    Expected::Matches {
        ids,
        ordered,
        included,
    }
}

/// Runs one request, following next links; what it found, in the same shape.
fn run(server: &TestServer, request: &str) -> Result<Expected, String> {
    let mut url = format!("{}/{}", server.base, request.trim_start_matches('/'));
    if request.starts_with('?') {
        url = format!("{}{}", server.base, request);
    }
    let mut ids = Vec::new();
    let mut included = BTreeSet::new();
    let mut total = None;
    let mut pages = 0;
    loop {
        let answer = get(&url);
        if answer.status != 200 {
            return Ok(Expected::Status(answer.status));
        }
        let bundle = answer.json();
        if bundle["type"] != "searchset" {
            return Err(format!("not a searchset: {}", answer.body));
        }
        if pages == 0 {
            total = bundle["total"].as_u64();
        }
        for entry in bundle["entry"].as_array().into_iter().flatten() {
            let id = entry["resource"]["id"].as_str().unwrap_or("?").to_owned();
            match entry["search"]["mode"].as_str() {
                Some("match") => ids.push(id),
                Some("include") => {
                    included.insert(id);
                }
                Some("outcome") => {}
                other => return Err(format!("entry with search.mode {other:?}")),
            }
        }
        pages += 1;
        match next_link(&bundle) {
            Some(next) if pages < 50 => url = next,
            Some(_) => return Err("more than 50 pages".into()),
            None => break,
        }
    }
    if let Some(total) = total {
        if ids.is_empty() && total > 0 {
            return Ok(Expected::Total(total));
        }
        if total != ids.len() as u64 {
            return Err(format!("Bundle.total {total} but {} matches", ids.len()));
        }
    }
    Ok(Expected::Matches {
        ids,
        ordered: true,
        included,
    })
}

fn next_link(bundle: &Value) -> Option<String> {
    bundle["link"]
        .as_array()?
        .iter()
        .find(|l| l["relation"] == "next")
        .and_then(|l| l["url"].as_str())
        .map(str::to_owned)
}

fn matches(expected: &Expected, found: &Expected) -> bool {
    match (expected, found) {
        (
            Expected::Matches {
                ids,
                ordered,
                included,
            },
            Expected::Matches {
                ids: found_ids,
                included: found_included,
                ..
            },
        ) => {
            let mut found_ids = found_ids.clone();
            if !ordered {
                found_ids.sort();
            }
            *ids == found_ids && included == found_included
        }
        (Expected::Total(0), Expected::Matches { ids, .. }) => ids.is_empty(),
        (a, b) => a == b,
    }
}

#[test]
fn search_cases_over_the_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/search");
    let fixture: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("fixture.json")).unwrap()).unwrap();
    let cases = std::fs::read_to_string(root.join("cases.tsv")).unwrap();
    let known = std::fs::read_to_string(root.join("known-failures.tsv")).unwrap_or_default();
    let known_failures: BTreeSet<&str> = known
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
        .collect();

    let server = TestServer::start();
    for entry in fixture["entry"].as_array().unwrap() {
        let resource = &entry["resource"];
        let path = format!(
            "{}/{}",
            resource["resourceType"].as_str().unwrap(),
            resource["id"].as_str().unwrap()
        );
        let answer = put_json(&server.url(&path), resource, &[]);
        assert_eq!(answer.status, 201, "loading {path}: {}", answer.body);
    }

    let mut passed = 0;
    let mut failures = Vec::new();
    let mut now_passing = Vec::new();
    let mut total = 0;
    for line in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut columns = line.split('\t');
        let request = columns.next().unwrap();
        let expected = parse_expected(
            columns
                .next()
                .unwrap_or_else(|| panic!("no expectation: {line}")),
        );
        total += 1;
        let outcome = run(&server, request);
        let ok = matches!(&outcome, Ok(found) if matches(&expected, found));
        match (ok, known_failures.contains(request)) {
            (true, false) => passed += 1,
            (true, true) => now_passing.push(request.to_owned()),
            (false, true) => {}
            (false, false) => failures.push(format!(
                "{request}\n    expected {expected:?}\n    found    {outcome:?}"
            )),
        }
    }
    println!(
        "search cases: {passed} passed, {} failed, {} known failures (of {total})",
        failures.len(),
        known_failures.len()
    );
    assert!(total >= 200, "only {total} cases");
    assert!(
        now_passing.is_empty(),
        "these known failures pass now; remove them from known-failures.tsv: {now_passing:#?}"
    );
    assert!(
        failures.is_empty(),
        "{} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
