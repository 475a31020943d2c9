//! FHIRPath Patch against the R4 definitions: each operation, values built
//! from parts, and the errors, each located at its `Parameters.parameter[i]`.

use super::FhirPathPatch;
use crate::RecordError;
use serde_json::{Value as Json, json};
use tessera_fhir::Definitions;

/// One `operation` parameter: its type, path and further parts.
fn op(kind: &str, path: &str, parts: &[Json]) -> Json {
    let mut all = vec![
        json!({"name": "type", "valueCode": kind}),
        json!({"name": "path", "valueString": path}),
    ];
    all.extend_from_slice(parts);
    json!({"name": "operation", "part": all})
}

fn name(value: &str) -> Json {
    json!({"name": "name", "valueString": value})
}

fn index(part: &str, value: i64) -> Json {
    json!({"name": part, "valueInteger": value})
}

/// A `value` part: `("valueString", "x")` style.
fn value(key: &str, json: Json) -> Json {
    let mut part = json!({"name": "value"});
    part[key] = json;
    part
}

fn patch(resource: &Json, operations: &[Json]) -> Result<Json, RecordError> {
    let definitions = Definitions::r4();
    let document = json!({"resourceType": "Parameters", "parameter": operations});
    let parsed = FhirPathPatch::parse(&document, definitions)?;
    let mut patched = resource.clone();
    parsed.apply(&mut patched, definitions)?;
    Ok(patched)
}

/// The error's message and location, for asserting on both.
fn failure(resource: &Json, operations: &[Json]) -> (String, String) {
    match patch(resource, operations) {
        Err(RecordError::Malformed(issue)) => {
            (issue.message.clone(), issue.path.unwrap_or_default())
        }
        other => panic!("expected a malformed-patch error, got {other:?}"),
    }
}

fn patient() -> Json {
    json!({"resourceType": "Patient", "id": "p", "active": true,
        "name": [{"family": "Ann", "given": ["A", "B", "C"]}, {"family": "Bee"}],
        "birthDate": "1990-01-02"})
}

#[test]
fn add_fills_an_empty_element_and_appends_to_a_list() {
    let patched = patch(
        &patient(),
        &[
            op(
                "add",
                "Patient",
                &[name("gender"), value("valueCode", json!("female"))],
            ),
            op(
                "add",
                "Patient.name[1]",
                &[name("given"), value("valueString", json!("X"))],
            ),
            op(
                "add",
                "Patient.name[1]",
                &[name("given"), value("valueString", json!("Y"))],
            ),
            op(
                "add",
                "Patient",
                &[
                    name("identifier"),
                    value("valueIdentifier", json!({"value": "1"})),
                ],
            ),
        ],
    )
    .unwrap();
    assert_eq!(patched["gender"], "female");
    assert_eq!(patched["name"][1]["given"], json!(["X", "Y"]));
    assert_eq!(patched["identifier"], json!([{"value": "1"}]));
}

#[test]
fn add_refuses_to_overwrite_a_single_element() {
    let (message, at) = failure(
        &patient(),
        &[op(
            "add",
            "Patient",
            &[name("birthDate"), value("valueDate", json!("2000-01-01"))],
        )],
    );
    assert!(message.contains("already has a value"), "{message}");
    assert_eq!(at, "Parameters.parameter[0]");
}

#[test]
fn add_builds_a_backbone_element_from_nested_parts() {
    let contact = json!({"name": "value", "part": [
        {"name": "name", "valueHumanName": {"family": "Smith"}},
        {"name": "telecom", "valueContactPoint": {"system": "phone", "value": "1"}},
        {"name": "telecom", "valueContactPoint": {"system": "email", "value": "a@b"}},
        {"name": "gender", "valueCode": "male"},
        {"name": "period", "part": [{"name": "start", "valueDateTime": "2020-01-01"}]}
    ]});
    let patched = patch(
        &patient(),
        &[op("add", "Patient", &[name("contact"), contact])],
    )
    .unwrap();
    assert_eq!(
        patched["contact"],
        json!([{"name": {"family": "Smith"},
            "telecom": [{"system": "phone", "value": "1"}, {"system": "email", "value": "a@b"}],
            "gender": "male", "period": {"start": "2020-01-01"}}])
    );
}

#[test]
fn nested_parts_are_checked_against_the_definitions() {
    let twice = json!({"name": "value", "part": [
        {"name": "gender", "valueCode": "male"}, {"name": "gender", "valueCode": "female"}]});
    let (message, _) = failure(
        &patient(),
        &[op("add", "Patient", &[name("contact"), twice])],
    );
    assert!(message.contains("takes one value"), "{message}");
    let unknown = json!({"name": "value", "part": [{"name": "nickname", "valueString": "x"}]});
    let (message, _) = failure(
        &patient(),
        &[op("add", "Patient", &[name("contact"), unknown])],
    );
    assert_eq!(message, "Patient.contact has no element 'nickname'");
}

#[test]
fn insert_places_an_item_in_the_whole_list() {
    let patched = patch(
        &patient(),
        &[op(
            "insert",
            "Patient.name[0].given",
            &[value("valueString", json!("Z")), index("index", 1)],
        )],
    )
    .unwrap();
    assert_eq!(patched["name"][0]["given"], json!(["A", "Z", "B", "C"]));
    let at_end = patch(
        &patient(),
        &[op(
            "insert",
            "Patient.name",
            &[
                value("valueHumanName", json!({"family": "Cee"})),
                index("index", 2),
            ],
        )],
    )
    .unwrap();
    assert_eq!(at_end["name"][2]["family"], "Cee");
    let (message, _) = failure(
        &patient(),
        &[op(
            "insert",
            "Patient.name",
            &[
                value("valueHumanName", json!({"family": "D"})),
                index("index", 3),
            ],
        )],
    );
    assert!(message.contains("past the end"), "{message}");
}

#[test]
fn insert_needs_items_of_one_existing_list() {
    let (message, _) = failure(
        &patient(),
        &[op(
            "insert",
            "Patient.identifier",
            &[
                value("valueIdentifier", json!({"value": "1"})),
                index("index", 0),
            ],
        )],
    );
    assert!(message.contains("use add"), "{message}");
    let (message, _) = failure(
        &patient(),
        &[op(
            "insert",
            "Patient.name.given | Patient.name.family",
            &[value("valueString", json!("x")), index("index", 0)],
        )],
    );
    assert!(
        message.contains("not an item of a list") || message.contains("more than one list"),
        "{message}"
    );
}

#[test]
fn delete_removes_one_element_and_ignores_a_missing_one() {
    let patched = patch(
        &patient(),
        &[
            op("delete", "Patient.name[0].given[1]", &[]),
            op("delete", "Patient.birthDate", &[]),
            op("delete", "Patient.name[1].family", &[]),
            op("delete", "Patient.gender", &[]),
        ],
    )
    .unwrap();
    assert_eq!(patched["name"][0]["given"], json!(["A", "C"]));
    assert_eq!(patched.get("birthDate"), None);
    assert_eq!(patched["name"][1], json!({}));
    let (message, _) = failure(&patient(), &[op("delete", "Patient.name", &[])]);
    assert!(message.contains("matches 2 elements"), "{message}");
    assert!(
        message.contains("Patient.name[0], Patient.name[1]"),
        "{message}"
    );
}

#[test]
fn deleting_the_last_item_removes_the_list() {
    let patched = patch(
        &patient(),
        &[
            op("delete", "Patient.name[1]", &[]),
            op("delete", "Patient.name", &[]),
        ],
    )
    .unwrap();
    assert_eq!(patched.get("name"), None);
}

#[test]
fn replace_changes_one_element_and_a_choice_may_change_its_type() {
    let patched = patch(
        &patient(),
        &[
            op(
                "replace",
                "Patient.birthDate",
                &[value("valueDate", json!("1991-03-04"))],
            ),
            op(
                "replace",
                "Patient.name.where(family = 'Bee')",
                &[value("valueHumanName", json!({"family": "Bea"}))],
            ),
            op(
                "replace",
                "Patient.name[0].given[2]",
                &[value("valueString", json!("D"))],
            ),
        ],
    )
    .unwrap();
    assert_eq!(patched["birthDate"], "1991-03-04");
    assert_eq!(patched["name"][1], json!({"family": "Bea"}));
    assert_eq!(patched["name"][0]["given"], json!(["A", "B", "D"]));

    let observation = json!({"resourceType": "Observation", "status": "final",
        "code": {"text": "x"}, "valueQuantity": {"value": 1}});
    let patched = patch(
        &observation,
        &[op(
            "replace",
            "Observation.value",
            &[value("valueString", json!("high"))],
        )],
    )
    .unwrap();
    assert_eq!(patched.get("valueQuantity"), None);
    assert_eq!(patched["valueString"], "high");
}

#[test]
fn replace_needs_the_right_type_and_exactly_one_match() {
    let (message, _) = failure(
        &patient(),
        &[op(
            "replace",
            "Patient.gender",
            &[value("valueCode", json!("male"))],
        )],
    );
    assert!(message.contains("matches no element"), "{message}");
    let (message, _) = failure(
        &patient(),
        &[op(
            "replace",
            "Patient.birthDate",
            &[value("valueBoolean", json!(true))],
        )],
    );
    assert_eq!(message, "Patient.birthDate is date, not boolean");
    let (message, _) = failure(
        &patient(),
        &[op(
            "replace",
            "Patient",
            &[value("valueString", json!("x"))],
        )],
    );
    assert!(message.contains("resource itself"), "{message}");
}

#[test]
fn move_reorders_a_list() {
    let patched = patch(
        &patient(),
        &[op(
            "move",
            "Patient.name[0].given",
            &[index("source", 0), index("destination", 2)],
        )],
    )
    .unwrap();
    assert_eq!(patched["name"][0]["given"], json!(["B", "C", "A"]));
    let (message, _) = failure(
        &patient(),
        &[op(
            "move",
            "Patient.name[0].given",
            &[index("source", 3), index("destination", 0)],
        )],
    );
    assert!(
        message.contains("source index 3 is past the end"),
        "{message}"
    );
}

#[test]
fn primitive_extensions_move_with_their_values() {
    let resource = json!({"resourceType": "Patient", "name": [{
        "given": ["A", "B"], "_given": [{"id": "a"}, null]}]});
    let patched = patch(
        &resource,
        &[op(
            "insert",
            "Patient.name.given",
            &[value("valueString", json!("Z")), index("index", 0)],
        )],
    )
    .unwrap();
    assert_eq!(patched["name"][0]["given"], json!(["Z", "A", "B"]));
    assert_eq!(
        patched["name"][0]["_given"],
        json!([null, {"id": "a"}, null])
    );
}

#[test]
fn an_extension_can_be_added_to_a_primitive() {
    let extension = json!({"name": "value", "valueExtension":
        {"url": "http://example.org/x", "valueString": "y"}});
    let patched = patch(
        &patient(),
        &[op(
            "add",
            "Patient.birthDate",
            &[name("extension"), extension],
        )],
    )
    .unwrap();
    assert_eq!(patched["birthDate"], "1990-01-02");
    assert_eq!(
        patched["_birthDate"],
        json!({"extension": [{"url": "http://example.org/x", "valueString": "y"}]})
    );
}

#[test]
fn contained_resources_are_patched_by_their_own_type() {
    let resource = json!({"resourceType": "Patient",
        "contained": [{"resourceType": "Organization", "id": "o", "name": "Old"}]});
    let patched = patch(
        &resource,
        &[op(
            "replace",
            "Patient.contained[0].name",
            &[value("valueString", json!("New"))],
        )],
    )
    .unwrap();
    assert_eq!(patched["contained"][0]["name"], "New");
    let added = patch(
        &resource,
        &[op(
            "add",
            "Patient",
            &[
                name("contained"),
                json!({"name": "value", "resource": {"resourceType": "Practitioner", "id": "d"}}),
            ],
        )],
    )
    .unwrap();
    assert_eq!(added["contained"][1]["resourceType"], "Practitioner");
}

#[test]
fn operations_apply_in_order_and_errors_name_their_parameter() {
    let (message, at) = failure(
        &patient(),
        &[
            op("delete", "Patient.birthDate", &[]),
            op(
                "replace",
                "Patient.birthDate",
                &[value("valueDate", json!("2000-01-01"))],
            ),
        ],
    );
    assert!(message.contains("matches no element"), "{message}");
    assert_eq!(at, "Parameters.parameter[1]");
}

#[test]
fn malformed_documents_are_refused_before_anything_applies() {
    let cases: Vec<(Json, &str)> = vec![
        (
            op("remove", "Patient.active", &[]),
            "'remove' is not a patch operation",
        ),
        (op("replace", "Patient.active", &[]), "no 'value' part"),
        (op("delete", "Patient.(", &[]), "the path 'Patient.('"),
        (
            op("delete", "Patient.active", &[index("index", 0)]),
            "a delete operation takes no 'index' part",
        ),
        (
            op(
                "insert",
                "Patient.name",
                &[value("valueString", json!("x")), index("index", -1)],
            ),
            "valueInteger of 0 or more",
        ),
        (
            op(
                "replace",
                "Patient.active",
                &[json!({"name": "value", "valueBoolean": true, "valueString": "x"})],
            ),
            "exactly one of value[x], resource or part",
        ),
        (
            op("replace", "Patient.active", &[value("valueFoo", json!(1))]),
            "valueFoo names no R4 data type",
        ),
        (
            json!({"name": "op", "part": []}),
            "only 'operation' parameters",
        ),
        (
            op(
                "delete",
                "Patient.active",
                &[json!({"name": "path", "valueString": "x"})],
            ),
            "the 'path' part is repeated",
        ),
    ];
    for (operation, expected) in cases {
        let (message, at) = failure(
            &patient(),
            &[op("delete", "Patient.active", &[]), operation],
        );
        assert!(
            message.contains(expected),
            "{message} should say {expected}"
        );
        assert_eq!(at, "Parameters.parameter[1]", "{message}");
    }
    let not_parameters = FhirPathPatch::parse(&patient(), Definitions::r4());
    assert!(
        matches!(not_parameters, Err(RecordError::Malformed(issue)) if issue.message.contains("not Patient"))
    );
}

#[test]
fn a_path_must_select_elements_of_this_resource() {
    let (message, _) = failure(
        &patient(),
        &[op(
            "replace",
            "Patient.name.count()",
            &[value("valueInteger", json!(1))],
        )],
    );
    assert!(
        message.contains("not an element of this resource"),
        "{message}"
    );
}

#[test]
fn paths_are_checked_against_the_model() {
    // A misspelt element would make a delete silently do nothing; strict
    // evaluation reports it instead.
    let (message, _) = failure(&patient(), &[op("delete", "Patient.birthdate", &[])]);
    assert!(
        message.contains("Patient has no element named birthdate"),
        "{message}"
    );
    let observation = json!({"resourceType": "Observation", "status": "final",
        "code": {"text": "x"}, "valueQuantity": {"value": 1}});
    let (message, _) = failure(
        &observation,
        &[op("delete", "Observation.valueQuantity", &[])],
    );
    assert!(
        message.contains("Observation.value.ofType(Quantity)"),
        "{message}"
    );
    let patched = patch(
        &observation,
        &[op("delete", "Observation.value.ofType(Quantity)", &[])],
    )
    .unwrap();
    assert_eq!(patched.get("valueQuantity"), None);
}

#[test]
fn a_location_selected_twice_is_one_element() {
    let patched = patch(
        &patient(),
        &[op(
            "delete",
            "Patient.name.first().combine(Patient.name[0])",
            &[],
        )],
    )
    .unwrap();
    assert_eq!(patched["name"], json!([{"family": "Bee"}]));
}
