//! PATCH with JSON Patch and FHIRPath Patch over HTTP: applied to the
//! current version, validated like any write, `If-Match` honoured, and clear
//! errors otherwise (a FHIRPath Patch's at its `Parameters.parameter[i]`).

mod common;

use common::*;
use serde_json::{Value, json};

const JSON_PATCH: (&str, &str) = ("Content-Type", "application/json-patch+json");

#[test]
fn json_patch_updates_validates_and_honours_if_match() {
    let server = TestServer::start();
    let url = server.url("Patient/pp");
    let created = put_json(
        &url,
        &json!({"resourceType": "Patient", "id": "pp", "gender": "male",
        "name": [{"family": "Patched"}, {"family": "Other"}]}),
        &[],
    );
    assert_eq!(created.status, 201);

    let patch = json!([{"op": "replace", "path": "/gender", "value": "female"},
                       {"op": "add", "path": "/birthDate", "value": "1990-01-02"}])
    .to_string();
    let answer = send(
        "PATCH",
        &url,
        &[JSON_PATCH, ("If-Match", "W/\"1\"")],
        Some(&patch),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["gender"], "female");
    assert_eq!(answer.json()["meta"]["versionId"], "2");
    assert_eq!(answer.header("etag"), Some("W/\"2\""));

    let stale = send(
        "PATCH",
        &url,
        &[JSON_PATCH, ("If-Match", "W/\"1\"")],
        Some(&patch),
    );
    assert_eq!(stale.status, 412, "{}", stale.body);

    let invalid =
        json!([{"op": "replace", "path": "/birthDate", "value": "02/01/1990"}]).to_string();
    let answer = send("PATCH", &url, &[JSON_PATCH], Some(&invalid));
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(answer.issue_paths(), vec!["Patient.birthDate"]);

    let failing_test = json!([{"op": "test", "path": "/gender", "value": "other"}]).to_string();
    assert_eq!(
        send("PATCH", &url, &[JSON_PATCH], Some(&failing_test)).status,
        400
    );
    assert_eq!(
        send("PATCH", &url, &[JSON_PATCH], Some("{\"not\": \"a patch\"}")).status,
        400
    );
    assert_eq!(
        send(
            "PATCH",
            &server.url("Patient/nobody"),
            &[JSON_PATCH],
            Some(&patch)
        )
        .status,
        404
    );

    let failing_fhirpath = parameters(&[op("delete", "Patient.name", &[])]);
    assert_eq!(
        send("PATCH", &url, &[FHIR_JSON], Some(&failing_fhirpath)).status,
        400,
        "two names match; a FHIRPath Patch deletes one element"
    );
    assert_eq!(
        send("PATCH", &url, &[("Content-Type", "text/plain")], Some("x")).status,
        415
    );

    assert_eq!(
        get(&url).json()["meta"]["versionId"],
        "2",
        "failed patches stored nothing"
    );
}

/// One FHIRPath Patch `operation` parameter.
fn op(kind: &str, path: &str, parts: &[Value]) -> Value {
    let mut all = vec![
        json!({"name": "type", "valueCode": kind}),
        json!({"name": "path", "valueString": path}),
    ];
    all.extend_from_slice(parts);
    json!({"name": "operation", "part": all})
}

/// A FHIRPath Patch document of `operations`, as request body text.
fn parameters(operations: &[Value]) -> String {
    json!({"resourceType": "Parameters", "parameter": operations}).to_string()
}

fn part(name: &str, key: &str, value: Value) -> Value {
    let mut part = json!({"name": name});
    part[key] = value;
    part
}

#[test]
fn fhirpath_patch_applies_each_operation_in_order() {
    let server = TestServer::start();
    let url = server.url("Patient/fp");
    let created = put_json(
        &url,
        &json!({"resourceType": "Patient", "id": "fp", "active": true,
            "name": [{"family": "Fp", "given": ["A", "B", "C"]}],
            "birthDate": "1980-05-06"}),
        &[],
    );
    assert_eq!(created.status, 201, "{}", created.body);

    // (operation, a JSON pointer into the result, what it must hold after)
    let steps: Vec<(Value, &str, Value)> = vec![
        (
            op(
                "add",
                "Patient",
                &[
                    part("name", "valueString", json!("gender")),
                    part("value", "valueCode", json!("female")),
                ],
            ),
            "/gender",
            json!("female"),
        ),
        (
            op(
                "insert",
                "Patient.name[0].given",
                &[
                    part("value", "valueString", json!("Z")),
                    part("index", "valueInteger", json!(0)),
                ],
            ),
            "/name/0/given",
            json!(["Z", "A", "B", "C"]),
        ),
        (
            op("delete", "Patient.name[0].given[1]", &[]),
            "/name/0/given",
            json!(["Z", "B", "C"]),
        ),
        (
            op(
                "replace",
                "Patient.birthDate",
                &[part("value", "valueDate", json!("1981-07-08"))],
            ),
            "/birthDate",
            json!("1981-07-08"),
        ),
        (
            op(
                "move",
                "Patient.name[0].given",
                &[
                    part("source", "valueInteger", json!(0)),
                    part("destination", "valueInteger", json!(2)),
                ],
            ),
            "/name/0/given",
            json!(["B", "C", "Z"]),
        ),
    ];
    // Each operation alone, then all of them in one document: the same result.
    for (i, (operation, pointer, expected)) in steps.iter().enumerate() {
        // `application/json` is accepted for a Parameters body too.
        let content_type = if i % 2 == 0 {
            FHIR_JSON
        } else {
            ("Content-Type", "application/json")
        };
        let answer = send(
            "PATCH",
            &url,
            &[content_type],
            Some(&parameters(std::slice::from_ref(operation))),
        );
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(
            answer.json().pointer(pointer),
            Some(expected),
            "{operation}"
        );
        assert_eq!(answer.json()["meta"]["versionId"], (i + 2).to_string());
    }
    let patched = get(&url).json();

    let again = server.url("Patient/fp2");
    let original = json!({"resourceType": "Patient", "id": "fp2", "active": true,
        "name": [{"family": "Fp", "given": ["A", "B", "C"]}], "birthDate": "1980-05-06"});
    assert_eq!(put_json(&again, &original, &[]).status, 201);
    let operations: Vec<Value> = steps.into_iter().map(|(operation, ..)| operation).collect();
    let answer = send(
        "PATCH",
        &again,
        &[FHIR_JSON],
        Some(&parameters(&operations)),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["meta"]["versionId"], "2");
    for key in ["gender", "name", "birthDate", "active"] {
        assert_eq!(answer.json()[key], patched[key], "{key}");
    }
}

#[test]
fn fhirpath_patch_builds_complex_values_from_nested_parts() {
    let server = TestServer::start();
    let url = server.url("Patient/nested");
    assert_eq!(
        put_json(
            &url,
            &json!({"resourceType": "Patient", "id": "nested"}),
            &[]
        )
        .status,
        201
    );
    let contact = json!({"name": "value", "part": [
        {"name": "name", "valueHumanName": {"family": "Kin", "given": ["Next"]}},
        {"name": "telecom", "valueContactPoint": {"system": "phone", "value": "555"}},
        {"name": "telecom", "valueContactPoint": {"system": "email", "value": "kin@example.org"}},
        {"name": "relationship", "valueCodeableConcept": {"text": "sister"}},
        {"name": "period", "part": [{"name": "start", "valueDateTime": "2020-01-01"}]}
    ]});
    let answer = send(
        "PATCH",
        &url,
        &[FHIR_JSON],
        Some(&parameters(&[op(
            "add",
            "Patient",
            &[part("name", "valueString", json!("contact")), contact],
        )])),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.json()["contact"],
        json!([{"name": {"family": "Kin", "given": ["Next"]},
            "telecom": [{"system": "phone", "value": "555"},
                        {"system": "email", "value": "kin@example.org"}],
            "relationship": [{"text": "sister"}],
            "period": {"start": "2020-01-01"}}])
    );
}

#[test]
fn fhirpath_patch_honours_if_match_and_validates_the_result() {
    let server = TestServer::start();
    let url = server.url("Observation/o1");
    let created = put_json(
        &url,
        &json!({"resourceType": "Observation", "id": "o1", "status": "final",
            "code": {"text": "weight"}, "valueQuantity": {"value": 70, "unit": "kg"}}),
        &[],
    );
    assert_eq!(created.status, 201, "{}", created.body);

    // A choice element may change its type: valueQuantity gives way to valueString.
    let to_string = parameters(&[op(
        "replace",
        "Observation.value",
        &[part("value", "valueString", json!("heavy"))],
    )]);
    let answer = send(
        "PATCH",
        &url,
        &[FHIR_JSON, ("If-Match", "W/\"1\"")],
        Some(&to_string),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["valueString"], "heavy");
    assert_eq!(answer.json().get("valueQuantity"), None);
    assert_eq!(answer.header("etag"), Some("W/\"2\""));

    let stale = send(
        "PATCH",
        &url,
        &[FHIR_JSON, ("If-Match", "W/\"1\"")],
        Some(&to_string),
    );
    assert_eq!(stale.status, 412, "{}", stale.body);

    // Deleting a required element leaves an invalid Observation: 422, located.
    let invalid = send(
        "PATCH",
        &url,
        &[FHIR_JSON],
        Some(&parameters(&[op("delete", "Observation.status", &[])])),
    );
    assert_eq!(invalid.status, 422, "{}", invalid.body);
    assert_eq!(invalid.issue_paths(), vec!["Observation.status"]);

    assert_eq!(
        get(&url).json()["meta"]["versionId"],
        "2",
        "failed patches stored nothing"
    );
}

#[test]
fn fhirpath_patch_errors_name_the_failing_operation() {
    let server = TestServer::start();
    let url = server.url("Patient/bad");
    assert_eq!(
        put_json(
            &url,
            &json!({"resourceType": "Patient", "id": "bad", "name": [{"family": "Bad"}]}),
            &[]
        )
        .status,
        201
    );
    let fine = op("delete", "Patient.gender", &[]);
    let cases = [
        (
            op(
                "replace",
                "Patient.birthDate",
                &[part("value", "valueDate", json!("2000-01-01"))],
            ),
            "matches no element",
        ),
        (
            op("delete", "Patient.name.(", &[]),
            "the path 'Patient.name.('",
        ),
        (
            op(
                "replace",
                "Patient.name.family",
                &[part("value", "valueBoolean", json!(true))],
            ),
            "is string, not boolean",
        ),
        (op("rename", "Patient.name", &[]), "not a patch operation"),
        (
            op(
                "add",
                "Patient",
                &[
                    part("name", "valueString", json!("nickname")),
                    part("value", "valueString", json!("x")),
                ],
            ),
            "has no element 'nickname'",
        ),
    ];
    for (operation, expected) in cases {
        let answer = send(
            "PATCH",
            &url,
            &[FHIR_JSON],
            Some(&parameters(&[fine.clone(), operation])),
        );
        assert_eq!(answer.status, 400, "{}", answer.body);
        assert_eq!(
            answer.issue_paths(),
            vec!["Parameters.parameter[1]"],
            "{}",
            answer.body
        );
        let message = answer.json()["issue"][0]["diagnostics"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(
            message.contains(expected),
            "{message} should say {expected}"
        );
    }
    assert_eq!(
        get(&server.url("metadata")).json()["patchFormat"],
        json!(["application/json-patch+json", "application/fhir+json"]),
        "both formats are advertised"
    );
    let not_parameters = send(
        "PATCH",
        &url,
        &[FHIR_JSON],
        Some(&json!({"resourceType": "Patient"}).to_string()),
    );
    assert_eq!(not_parameters.status, 400, "{}", not_parameters.body);
    assert_eq!(
        get(&url).json()["meta"]["versionId"],
        "1",
        "failed patches stored nothing"
    );
}
