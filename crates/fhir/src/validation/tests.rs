//! Validator behaviour that the data-driven corpus cannot express: the nesting limit, issue
//! metadata, and messages.

use super::{MAX_ISSUES, MAX_NESTING_DEPTH, codes};
use crate::{Definitions, IssueType, Severity};
use serde_json::{Value, json};

/// A Questionnaire whose items nest `depth` levels deep (items recurse via contentReference).
fn nested_questionnaire(depth: usize) -> Value {
    let mut item = json!({"linkId": "leaf", "type": "string"});
    for level in 0..depth {
        item = json!({"linkId": format!("l{level}"), "type": "group", "item": [item]});
    }
    json!({"resourceType": "Questionnaire", "status": "draft", "item": [item]})
}

#[test]
fn deep_nesting_stops_with_an_issue_instead_of_recursing() {
    let issues = Definitions::r4().validate(&nested_questionnaire(MAX_NESTING_DEPTH + 10));
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].tessera_code, Some(codes::TOO_DEEP.code));
    assert!(
        issues[0]
            .path
            .as_deref()
            .is_some_and(|p| p.starts_with("Questionnaire.item[0].item[0]"))
    );
}

#[test]
fn nesting_within_the_limit_is_validated_fully() {
    assert!(
        Definitions::r4()
            .validate(&nested_questionnaire(30))
            .is_empty()
    );
}

#[test]
fn issues_carry_code_type_severity_and_a_readable_message() {
    let issues =
        Definitions::r4().validate(&json!({"resourceType": "Patient", "birthDate": "1974-02-30"}));
    assert_eq!(issues.len(), 1);
    let issue = &issues[0];
    assert_eq!(issue.severity, Severity::Error);
    assert_eq!(issue.code, IssueType::Value);
    assert_eq!(issue.tessera_code, Some("TSR-1009"));
    assert_eq!(issue.path.as_deref(), Some("Patient.birthDate"));
    assert!(issue.message.contains("1974-02-30"), "{}", issue.message);
}

#[test]
fn long_values_are_shortened_in_messages() {
    let long = "x".repeat(10_000);
    let issues = Definitions::r4().validate(&json!({"resourceType": "Patient", "id": long}));
    assert_eq!(issues.len(), 1);
    assert!(issues[0].message.len() < 300, "{}", issues[0].message.len());
}

#[test]
fn valid_resource_has_no_issues() {
    let patient = json!({
        "resourceType": "Patient", "id": "p1", "active": true,
        "name": [{"use": "official", "family": "Chalmers", "given": ["Peter", "James"]}],
        "gender": "male", "birthDate": "1974-12-25",
        "managingOrganization": {"reference": "Organization/1"}
    });
    assert_eq!(Definitions::r4().validate(&patient), vec![]);
}

/// No R4 core element binds a `Coding` with required strength, so the Coding check is
/// exercised with a small hand-written definitions table that does.
#[test]
fn coding_and_codeable_concept_bindings_with_a_custom_table() {
    let table = r#"{
      "types": {
        "code": {"kind": "primitive", "elements": []},
        "uri": {"kind": "primitive", "elements": []},
        "Coding": {"kind": "complex", "elements": [
          {"path": "Coding.system", "min": 0, "max": "1", "types": ["uri"]},
          {"path": "Coding.code", "min": 0, "max": "1", "types": ["code"]}]},
        "CodeableConcept": {"kind": "complex", "elements": [
          {"path": "CodeableConcept.coding", "min": 0, "max": "*", "types": ["Coding"]}]},
        "Test": {"kind": "resource", "elements": [
          {"path": "Test.kind", "min": 0, "max": "1", "types": ["Coding"], "binding": "urn:vs"},
          {"path": "Test.concept", "min": 0, "max": "1", "types": ["CodeableConcept"], "binding": "urn:vs"}]}
      },
      "abstractTypes": {},
      "valueSets": {"urn:vs": {"urn:system": ["a", "b"]}},
      "patientCompartment": {},
      "patientCompartmentParams": {}
    }"#;
    let definitions = crate::definitions::load::parse(table).expect("test table");
    let located = |resource: Value| -> Vec<Option<String>> {
        definitions
            .validate(&resource)
            .into_iter()
            .map(|issue| {
                assert_eq!(issue.tessera_code, Some(codes::CODE_NOT_IN_VALUE_SET.code));
                issue.path
            })
            .collect()
    };
    let ok: Vec<Option<String>> = Vec::new();
    assert_eq!(
        located(json!({"resourceType": "Test", "kind": {"system": "urn:system", "code": "a"}})),
        ok
    );
    assert_eq!(
        located(json!({"resourceType": "Test", "kind": {"code": "b"}})),
        ok
    );
    assert_eq!(
        located(json!({"resourceType": "Test", "kind": {"system": "urn:other", "code": "a"}})),
        vec![Some("Test.kind".to_owned())]
    );
    assert_eq!(
        located(json!({"resourceType": "Test", "kind": {"system": "urn:system", "code": "c"}})),
        vec![Some("Test.kind".to_owned())]
    );
    assert_eq!(
        located(json!({"resourceType": "Test", "concept": {"coding": [
            {"system": "urn:other", "code": "x"}, {"system": "urn:system", "code": "b"}]}})),
        ok
    );
    assert_eq!(
        located(
            json!({"resourceType": "Test", "concept": {"coding": [{"system": "urn:other", "code": "a"}]}})
        ),
        vec![Some("Test.concept".to_owned())]
    );
}

#[test]
fn issues_stop_at_the_limit_with_one_issue_saying_so() {
    let names: Vec<Value> = (0..10_000).map(|_| json!({"family": ""})).collect();
    let issues = Definitions::r4().validate(&json!({"resourceType": "Patient", "name": names}));
    assert_eq!(issues.len(), MAX_ISSUES + 1);
    assert_eq!(
        issues[MAX_ISSUES].tessera_code,
        Some(codes::TOO_MANY_ISSUES.code)
    );
    assert_eq!(issues[MAX_ISSUES].code, IssueType::TooCostly);
    assert_eq!(
        issues[MAX_ISSUES - 1].path.as_deref(),
        Some("Patient.name[199].family")
    );
}
