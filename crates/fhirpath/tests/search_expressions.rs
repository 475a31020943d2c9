//! The official R4 SearchParameter expressions (`testdata/fhirpath/r4-search-expressions.tsv`,
//! extracted from FHIR R4 4.0.1) are what Tessera's search indexing runs on every
//! write, so every one of them must parse and evaluate without error, and a few
//! are pinned to known values on the suite's example resources.

mod support;

use serde_json::{Value as Json, json};
use support::{TableModel, testdata_dir};
use tessera_fhirpath::{EvaluationContext, Expression};

struct SearchExpression {
    id: String,
    bases: Vec<String>,
    expression: Expression,
}

fn load() -> Vec<SearchExpression> {
    let path = testdata_dir().join("r4-search-expressions.tsv");
    let text = std::fs::read_to_string(&path).expect("search expressions");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.splitn(3, '\t').collect();
            let [id, bases, expression] = fields[..] else {
                panic!("bad line: {line}");
            };
            SearchExpression {
                id: id.to_string(),
                bases: bases.split(',').map(str::to_string).collect(),
                expression: Expression::parse(expression)
                    .unwrap_or_else(|e| panic!("{id}: `{expression}`: {e}")),
            }
        })
        .collect()
}

fn input(name: &str) -> Json {
    let path = testdata_dir().join("input").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("input")).expect("JSON")
}

#[test]
fn every_r4_search_expression_parses_and_evaluates() {
    let expressions = load();
    assert!(
        expressions.len() > 1300,
        "{} expressions",
        expressions.len()
    );
    for search in &expressions {
        for base in &search.bases {
            let resource = json!({"resourceType": base, "id": "x"});
            let ctx = EvaluationContext::new()
                .with_resource(&resource)
                .reference_placeholders(true);
            if let Err(e) = search.expression.evaluate(&ctx) {
                panic!("{} on {base}: {e}", search.id);
            }
        }
    }
}

#[test]
fn search_expressions_extract_known_values_from_the_examples() {
    let model = TableModel::load();
    let expressions = load();
    let patient = input("patient-example.json");
    let observation = input("observation-example.json");
    let cases: &[(&str, &Json, &[&str])] = &[
        ("individual-birthdate", &patient, &["1974-12-25"]),
        ("individual-family", &patient, &["Chalmers", "Windsor"]),
        ("individual-gender", &patient, &["male"]),
        ("Patient-active", &patient, &["true"]),
        (
            "Observation-value-quantity",
            &observation,
            &["185 '[lb_av]'"],
        ),
        (
            "clinical-code",
            &observation,
            &["29463-7", "3141-9", "27113001", "body-weight"],
        ),
        ("Observation-subject", &observation, &["<complex>"]),
        ("clinical-patient", &observation, &["<complex>"]),
        ("clinical-encounter", &observation, &["<complex>"]),
    ];
    for (id, resource, expected) in cases {
        let search = expressions
            .iter()
            .find(|s| s.id == *id)
            .unwrap_or_else(|| panic!("no search parameter {id}"));
        let ctx = EvaluationContext::new()
            .with_model(&model)
            .with_resource(resource)
            .reference_placeholders(true);
        let result = search.expression.evaluate(&ctx).expect(id);
        let mut shown: Vec<String> = result
            .iter()
            .flat_map(|item| {
                // Token parameters index codings; show their codes.
                let codes: Vec<String> = item
                    .as_node()
                    .and_then(|n| n.json)
                    .and_then(|j| j.get("coding"))
                    .and_then(Json::as_array)
                    .map(|codings| {
                        codings
                            .iter()
                            .filter_map(|c| c.get("code").and_then(Json::as_str))
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                if codes.is_empty() {
                    let quantity = item
                        .as_node()
                        .and_then(|n| n.quantity_value())
                        .map(|q| q.to_string());
                    vec![
                        quantity
                            .or_else(|| item.to_display_string())
                            .unwrap_or("<complex>".into()),
                    ]
                } else {
                    codes
                }
            })
            .collect();
        shown.dedup();
        assert_eq!(&shown, expected, "{id}");
    }
}

#[test]
fn search_expressions_check_against_the_model() {
    // The harness's type table has elements for these resource types only.
    const MODELLED: [&str; 9] = [
        "Patient",
        "Observation",
        "Questionnaire",
        "ValueSet",
        "CodeSystem",
        "Appointment",
        "ExplanationOfBenefit",
        "Parameters",
        "Bundle",
    ];
    let model = TableModel::load();
    let mut checked = 0;
    for search in load() {
        for base in search
            .bases
            .iter()
            .filter(|b| MODELLED.contains(&b.as_str()))
        {
            search
                .expression
                .check(&model, base)
                .unwrap_or_else(|e| panic!("{} on {base}: {e}", search.id));
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} checked");
}
