//! Runs the official FHIRPath R4 test suite (`testdata/fhirpath/tests-fhir-r4.json`,
//! the JSON rendering of `tests-fhir-r4.xml`) against the engine.
//!
//! Every case runs. Cases listed in `testdata/fhirpath/skip.tsv` (name, tab, reason)
//! may fail; the run fails when a listed case passes (remove it from the list) or
//! when an unlisted case fails. Set `FHIRPATH_SUITE_VERBOSE=1` to see each result.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use serde_json::Value as Json;
use support::{TableModel, testdata_dir};
use tessera_fhirpath::{Collection, DateTime, Decimal, EvaluationContext, Expression, Value};

/// The instant `now()` returns in the suite: fixed, so runs are reproducible.
const SUITE_NOW: &str = "2026-01-15T10:30:00.000+00:00";

struct Case {
    name: String,
    input_file: Option<String>,
    expression: String,
    invalid: bool,
    strict: bool,
    check_ordered_functions: bool,
    predicate: bool,
    ordered: bool,
    outputs: Vec<(Option<String>, String)>,
}

fn load_cases() -> Vec<Case> {
    let path = testdata_dir().join("tests-fhir-r4.json");
    let text = std::fs::read_to_string(&path).expect("read suite");
    let suite: Json = serde_json::from_str(&text).expect("parse suite");
    let mut cases = Vec::new();
    for group in suite["groups"].as_array().expect("groups") {
        for test in group["tests"].as_array().expect("tests") {
            let field = |name: &str| test.get(name).and_then(Json::as_str);
            let outputs = test["outputs"]
                .as_array()
                .map(|outputs| {
                    outputs
                        .iter()
                        .map(|o| {
                            (
                                o.get("type").and_then(Json::as_str).map(str::to_string),
                                o.get("value")
                                    .and_then(Json::as_str)
                                    .unwrap_or("")
                                    .to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            cases.push(Case {
                name: field("name").expect("name").to_string(),
                input_file: field("inputfileJson").map(str::to_string),
                expression: field("expression").expect("expression").to_string(),
                invalid: field("expression_invalid").is_some(),
                strict: field("mode") == Some("strict")
                    || field("expression_mode") == Some("strict"),
                check_ordered_functions: field("checkOrderedFunctions") == Some("true"),
                predicate: field("predicate") == Some("true"),
                ordered: field("ordered") != Some("false"),
                outputs,
            });
        }
    }
    cases
}

fn load_skips() -> BTreeMap<String, String> {
    let path = testdata_dir().join("skip.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (name, reason) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("skip.tsv line without a reason: {line}"));
            (name.to_string(), reason.to_string())
        })
        .collect()
}

/// Whether one actual item matches one expected `(type, value)` output.
fn matches_output(actual: &Value<'_>, expected_type: Option<&str>, expected: &str) -> bool {
    let system = actual.to_system();
    let node_type = actual.as_node().and_then(|n| n.type_name());
    match expected_type {
        Some("boolean") => matches!(&*system, Value::Boolean(b) if b.to_string() == expected),
        Some("integer") => matches!(&*system, Value::Integer(i) if i.to_string() == expected),
        Some("decimal") => match (&*system, Decimal::parse(expected)) {
            (Value::Decimal(d), Some(e)) => d.cmp_value(&e).is_eq(),
            _ => false,
        },
        Some("date") => matches!(&*system, Value::Date(_)) && display_matches(actual, expected),
        Some("dateTime") => {
            matches!(&*system, Value::DateTime(_)) && display_matches(actual, expected)
        }
        Some("time") => matches!(&*system, Value::Time(_)) && display_matches(actual, expected),
        Some("Quantity") => {
            matches!(&*system, Value::Quantity(_)) && display_matches(actual, expected)
        }
        Some(fhir_type @ ("code" | "id" | "uri")) => {
            node_type == Some(fhir_type) && display_matches(actual, expected)
        }
        Some(_) => matches!(&*system, Value::String(_)) && display_matches(actual, expected),
        None => display_matches(actual, expected),
    }
}

fn display_matches(actual: &Value<'_>, expected: &str) -> bool {
    let expected = expected.strip_prefix('@').unwrap_or(expected);
    let expected = expected
        .strip_prefix('T')
        .filter(|_| matches!(&*actual.to_system(), Value::Time(_)))
        .unwrap_or(expected);
    let Some(text) = actual.to_display_string() else {
        return false;
    };
    if text == expected {
        return true;
    }
    // `-0.0` and `0.0` are the same decimal; compare value and scale.
    match (&*actual.to_system(), Decimal::parse(expected)) {
        (Value::Decimal(d), Some(e)) => d.cmp_value(&e).is_eq() && d.scale() == e.scale(),
        _ => false,
    }
}

fn outputs_match(actual: &Collection<'_>, case: &Case) -> bool {
    if actual.len() != case.outputs.len() {
        return false;
    }
    if case.ordered {
        return actual
            .iter()
            .zip(&case.outputs)
            .all(|(a, (t, v))| matches_output(a, t.as_deref(), v));
    }
    let mut used = vec![false; actual.len()];
    case.outputs.iter().all(|(t, v)| {
        let found = actual
            .iter()
            .enumerate()
            .find(|(i, a)| !used[*i] && matches_output(a, t.as_deref(), v));
        found.map(|(i, _)| used[i] = true).is_some()
    })
}

fn describe(result: &Result<Collection<'_>, tessera_fhirpath::Error>) -> String {
    match result {
        Err(e) => format!("error: {e}"),
        Ok(items) => {
            let shown: Vec<String> = items
                .iter()
                .map(|i| {
                    let type_name = i
                        .as_node()
                        .and_then(|n| n.type_name().map(str::to_string))
                        .or_else(|| i.to_system().system_type_name().map(str::to_string))
                        .unwrap_or_default();
                    format!(
                        "{type_name}:{}",
                        i.to_display_string().unwrap_or("<complex>".into())
                    )
                })
                .collect();
            format!("[{}]", shown.join(", "))
        }
    }
}

fn run_case(case: &Case, inputs: &HashMap<String, Json>, model: &TableModel) -> (bool, String) {
    let now = DateTime::parse_datetime(SUITE_NOW).expect("suite clock");
    let mut ctx = EvaluationContext::new()
        .with_model(model)
        .with_now(now)
        .strict(case.strict)
        .check_ordered_functions(case.check_ordered_functions);
    if let Some(file) = &case.input_file {
        ctx = ctx.with_resource(&inputs[file]);
    }
    let result = Expression::parse(&case.expression).and_then(|e| e.evaluate(&ctx));
    let result = match result {
        Ok(items) if case.predicate => Ok(vec![Value::Boolean(!items.is_empty())]),
        other => other,
    };
    let passed = match &result {
        Err(_) => case.invalid,
        Ok(items) => !case.invalid && outputs_match(items, case),
    };
    (passed, describe(&result))
}

#[test]
fn official_fhirpath_r4_suite() {
    let cases = load_cases();
    let skips = load_skips();
    let model = TableModel::load();
    let mut inputs = HashMap::new();
    for case in &cases {
        if let Some(file) = &case.input_file
            && !inputs.contains_key(file)
        {
            let path = testdata_dir().join("input").join(file);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            inputs.insert(
                file.clone(),
                serde_json::from_str(&text).expect("input JSON"),
            );
        }
    }
    let verbose = std::env::var_os("FHIRPATH_SUITE_VERBOSE").is_some();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut problems = Vec::new();
    let mut skipped_lines = Vec::new();
    for case in &cases {
        let (ok, got) = run_case(case, &inputs, &model);
        let expected = if case.invalid {
            "an error".to_string()
        } else {
            format!("{:?}", case.outputs)
        };
        if verbose {
            println!(
                "{} {}: {} => {got}",
                if ok { "PASS" } else { "FAIL" },
                case.name,
                case.expression
            );
        }
        match (ok, skips.get(&case.name)) {
            (true, None) => passed += 1,
            (true, Some(_)) => {
                passed += 1;
                problems.push(format!(
                    "{} now passes: remove it from testdata/fhirpath/skip.tsv",
                    case.name
                ));
            }
            (false, Some(reason)) => {
                skipped += 1;
                skipped_lines.push(format!("  skipped {}: {reason}", case.name));
            }
            (false, None) => {
                failed += 1;
                problems.push(format!(
                    "{} failed: `{}` expected {expected}, got {got}",
                    case.name, case.expression
                ));
            }
        }
    }
    let unknown: Vec<&String> = skips
        .keys()
        .filter(|name| !cases.iter().any(|c| &c.name == *name))
        .collect();
    for name in unknown {
        problems.push(format!("skip.tsv names {name}, which is not in the suite"));
    }
    // Written past the test harness's capture of `println!`, so every
    // `cargo test` run (CI's included) shows the count and each skip.
    let mut report =
        format!("fhirpath official suite: {passed} passed, {failed} failed, {skipped} skipped\n");
    for line in &skipped_lines {
        report.push_str(line);
        report.push('\n');
    }
    let _ = std::io::stdout().lock().write_all(report.as_bytes());
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
