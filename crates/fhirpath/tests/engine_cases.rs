//! Table-driven engine cases from `testdata/fhirpath/engine-cases.tsv`: one line per
//! case, expression and expected result, so adding a case is adding a line. Run
//! with `UPDATE_EXPECT=1` to rewrite the expectations from the engine's output
//! (then review the diff).

mod support;

use serde_json::Value as Json;
use support::{TableModel, testdata_dir};
use tessera_fhirpath::{DateTime, EvaluationContext, Expression};

const CLOCK: &str = "2026-01-15T10:30:00.000+00:00";

fn actual(expression: &str, ctx: &EvaluationContext<'_>) -> String {
    match Expression::parse(expression).and_then(|e| e.evaluate(ctx)) {
        Err(e) => {
            let message = e.to_string();
            format!("error: {}", message.split(' ').next().unwrap_or(""))
        }
        Ok(items) if items.is_empty() => "{}".to_string(),
        Ok(items) => items
            .iter()
            .map(|i| i.to_display_string().unwrap_or_else(|| "<complex>".into()))
            .collect::<Vec<_>>()
            .join(" | "),
    }
}

#[test]
fn engine_cases() {
    let path = testdata_dir().join("engine-cases.tsv");
    let text = std::fs::read_to_string(&path).expect("engine-cases.tsv");
    let patient: Json = serde_json::from_str(
        &std::fs::read_to_string(testdata_dir().join("input/patient-example.json")).expect("input"),
    )
    .expect("JSON");
    let model = TableModel::load();
    let ctx = EvaluationContext::new()
        .with_model(&model)
        .with_resource(&patient)
        .with_now(DateTime::parse_datetime(CLOCK).expect("clock"));
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut rewritten = String::new();
    let mut failures = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            rewritten.push_str(line);
            rewritten.push('\n');
            continue;
        }
        let (expression, expected) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("line without a tab: {line}"));
        let got = actual(expression, &ctx);
        if got != expected {
            failures.push(format!(
                "{expression}\n    expected {expected}\n    got      {got}"
            ));
        }
        rewritten.push_str(&format!("{expression}\t{got}\n"));
    }
    if update {
        std::fs::write(&path, rewritten).expect("rewrite engine-cases.tsv");
        return;
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
