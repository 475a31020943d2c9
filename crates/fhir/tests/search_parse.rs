//! Search parsing, table-driven from `testdata/search-parse/*.txt`.
//!
//! Each file holds cases: a line `>>> Type?query` (or `>>> ?query` for a
//! system search; the query is form-encoded, so `%2B` is `+` and `+` a space),
//! then the expected parse, one fact per line, then a blank line. Facts:
//! `criterion: <condition> [| <condition> ...]` (OR within a criterion),
//! `types:`, `sort:`, `count:`, `total:`, `include:`, `revinclude:`,
//! `ignored: name: reason`, `applied: name=value&...`, or `error: message` for
//! a refused request. `UPDATE_EXPECT=1` rewrites the expectations from the
//! current output; review the diff.
//!
//! A second test runs every request of the HTTP search suite
//! (`testdata/search/cases.tsv`) through the parser: those expected to be
//! refused with 400 must be errors, the others must parse.

use std::path::{Path, PathBuf};
use tessera_fhir::Definitions;
use tessera_fhir::search::{DEFAULT_COUNT, TotalMode};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// Decodes `application/x-www-form-urlencoded` text (as the server does).
fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => {
                        out.push(byte);
                        index += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `Patient?a=1&b=2` -> (Some("Patient"), [(a, 1), (b, 2)]).
fn split_request(request: &str) -> (Option<String>, Vec<(String, String)>) {
    let (path, query) = request.split_once('?').unwrap_or((request, ""));
    let resource_type = (!path.is_empty()).then(|| path.to_owned());
    let params = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(name), form_decode(value))
        })
        .collect();
    (resource_type, params)
}

fn render(request: &str) -> String {
    let (resource_type, params) = split_request(request);
    let parsed = match Definitions::r4().parse_search(resource_type.as_deref(), &params) {
        Ok(parsed) => parsed,
        Err(issues) => {
            return issues
                .iter()
                .map(|i| format!("error: {}\n", i.message))
                .collect();
        }
    };
    let query = &parsed.query;
    let mut out = String::new();
    if resource_type.is_none() {
        out += &format!("types: {:?}\n", query.resource_types);
    }
    for criterion in &query.criteria {
        let alternatives: Vec<String> = criterion.any_of.iter().map(|c| format!("{c:?}")).collect();
        out += &format!("criterion: {}\n", alternatives.join(" | "));
    }
    for key in &query.sort {
        out += &format!("sort: {key:?}\n");
    }
    if query.count != DEFAULT_COUNT {
        out += &format!("count: {}\n", query.count);
    }
    if query.total != TotalMode::None {
        out += &format!("total: {:?}\n", query.total);
    }
    for include in &query.includes {
        out += &format!("include: {include:?}\n");
    }
    for include in &query.revincludes {
        out += &format!("revinclude: {include:?}\n");
    }
    for (name, reason) in &parsed.ignored {
        out += &format!("ignored: {name}: {reason}\n");
    }
    let applied: Vec<String> = parsed
        .applied
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    out += &format!("applied: {}\n", applied.join("&"));
    out
}

#[test]
fn parses_as_recorded() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(testdata().join("search-parse"))
        .expect("search-parse directory")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let (mut cases, mut mismatches) = (0, Vec::new());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("case file");
        let (mut header, mut blocks) = (String::new(), Vec::<(String, String)>::new());
        for line in text.lines() {
            if let Some(request) = line.strip_prefix(">>> ") {
                blocks.push((request.trim().to_owned(), String::new()));
            } else if let Some((_, expected)) = blocks.last_mut() {
                expected.push_str(line);
                expected.push('\n');
            } else {
                header.push_str(line);
                header.push('\n');
            }
        }
        let mut rewritten = header;
        for (request, expected) in &blocks {
            let actual = render(request);
            cases += 1;
            if actual.trim_end() != expected.trim_end() {
                mismatches.push(format!(
                    "{}: {request}\n--- expected\n{expected}+++ actual\n{actual}",
                    path.file_name().unwrap_or_default().to_string_lossy()
                ));
            }
            rewritten += &format!(">>> {request}\n{actual}\n");
        }
        if update {
            std::fs::write(&path, rewritten).expect("rewrite case file");
        }
    }
    assert!(cases >= 100, "only {cases} parse cases");
    assert!(
        update || mismatches.is_empty(),
        "{} of {cases} cases differ (UPDATE_EXPECT=1 to accept):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn the_http_search_suite_parses() {
    let text = std::fs::read_to_string(testdata().join("search/cases.tsv")).expect("cases.tsv");
    let (mut checked, mut failures) = (0, Vec::new());
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (request, expected) = line.split_once('\t').unwrap_or((line, ""));
        let path = request.split('?').next().unwrap_or_default();
        if path.contains('/') || expected == "!404" {
            continue; // compartment searches and unknown types are the server's
        }
        let (resource_type, params) = split_request(request);
        let params: Vec<_> = params
            .into_iter()
            .filter(|(n, _)| n != "_summary")
            .collect();
        let result = Definitions::r4().parse_search(resource_type.as_deref(), &params);
        checked += 1;
        match (expected, result) {
            ("!400", Ok(parsed)) => {
                failures.push(format!("{request} parsed but must be refused: {parsed:?}"))
            }
            ("!400", Err(_)) => {}
            (_, Err(issues)) => failures.push(format!("{request} was refused: {issues:?}")),
            (_, Ok(parsed)) => {
                let unexpected: Vec<_> = parsed
                    .ignored
                    .iter()
                    .filter(|(name, _)| name != "unknown-thing")
                    .collect();
                if !unexpected.is_empty() {
                    failures.push(format!("{request} ignored {unexpected:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 250, "only {checked} requests");
}

/// Whatever a client sends, the parser answers (parsed, ignored or an error)
/// and never panics.
#[test]
fn hostile_requests_never_panic() {
    let long_chain = format!("{}name", "patient.".repeat(50));
    let many_values = vec!["a"; 5000].join(",");
    let names = [
        "name",
        "name:",
        ":",
        "",
        "_has",
        "_has:",
        "_has:Observation",
        "_has:Observation:patient:",
        "subject.",
        ".name",
        "subject:.name",
        "subject:Patient.",
        "code-value-quantity",
        "_include",
        "_sort",
        "_count",
        "_total",
        "birthdate",
        "value-quantity",
        "identifier:of-type",
        "_id",
        "_lastUpdated",
        &long_chain,
        "naïve:é",
        "subject:identifier",
        "_type",
    ];
    let values = [
        "",
        "\\",
        "\\\\",
        "|",
        "||",
        "|||",
        "$",
        "$$",
        ",",
        ",,",
        "é",
        "ap",
        "gt",
        "9999-99-99",
        "2024-01-01T",
        "2024-01-01T10:00+25:00",
        "1e999",
        "-",
        "-1e-999",
        "Patient/",
        "/x",
        "http://",
        "urn:",
        "*",
        ":",
        "a:b:c:d",
        "\u{0}",
        &many_values,
    ];
    let definitions = Definitions::r4();
    for resource_type in [Some("Patient"), Some("Observation"), None] {
        for name in names {
            for value in values {
                let params = vec![(name.to_owned(), value.to_owned())];
                let _ = definitions.parse_search(resource_type, &params);
            }
        }
    }
}

/// Random values over the characters the value syntaxes give meaning to,
/// for every parameter type: answered, never a panic.
#[test]
fn random_values_never_panic() {
    let alphabet: Vec<char> = "0123456789-T:+Z.eE|$,\\abgtlsp/é ".chars().collect();
    let mut state: u64 = 0x5eed;
    let mut next = move |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).unwrap_or(0) % bound
    };
    let params = [
        "birthdate",
        "_lastUpdated",
        "value-quantity",
        "code",
        "identifier:of-type",
        "subject",
        "subject:identifier",
        "code-value-quantity",
        "component-code-value-quantity",
        "name",
        "url:below",
        "probability",
    ];
    let definitions = Definitions::r4();
    for round in 0..20_000 {
        let length = next(24);
        let value: String = (0..length)
            .map(|_| alphabet[next(alphabet.len())])
            .collect();
        let name = params[round % params.len()];
        let resource_type = match name {
            "url:below" => "ValueSet",
            "probability" => "RiskAssessment",
            "birthdate" | "identifier:of-type" | "name" => "Patient",
            _ => "Observation",
        };
        let _ = definitions.parse_search(Some(resource_type), &[(name.to_owned(), value)]);
    }
}
