//! Evaluator behaviour beyond the official suite: the context (variables, clock,
//! trace, strictness), `resolve()` in Bundles and contained resources, JSON number
//! precision, evaluation without a type model, and limits on hostile input.

mod support;

use std::cell::RefCell;

use serde_json::{Value as Json, json};
use support::TableModel;
use tessera_fhirpath::{
    Collection, DateTime, Error, EvaluationContext, Expression, MAX_DEPTH, Value,
};

fn strings(items: &Collection<'_>) -> Vec<String> {
    items
        .iter()
        .map(|i| i.to_display_string().unwrap_or_else(|| "<complex>".into()))
        .collect()
}

fn eval_strings(expression: &str, ctx: &EvaluationContext<'_>) -> Vec<String> {
    let expr = Expression::parse(expression).unwrap_or_else(|e| panic!("{expression}: {e}"));
    let result = expr
        .evaluate(ctx)
        .unwrap_or_else(|e| panic!("{expression}: {e}"));
    strings(&result)
}

/// Parsed from text, not `json!`, so the decimal keeps its written precision.
fn observation() -> Json {
    let text = r#"{
        "resourceType": "Observation",
        "id": "bp",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
        "subject": {"reference": "Patient/p1"},
        "valueQuantity": {"value": 185.00, "unit": "lbs", "system": "http://unitsofmeasure.org", "code": "[lb_av]"},
        "effectiveDateTime": "2016-03-28T09:30:00+10:00"
    }"#;
    serde_json::from_str(text).expect("observation JSON")
}

#[test]
fn table_of_expressions_on_an_observation() {
    let model = TableModel::load();
    let resource = observation();
    let ctx = EvaluationContext::new()
        .with_model(&model)
        .with_resource(&resource);
    let cases: &[(&str, &[&str])] = &[
        // JSON numbers keep their written precision (serde_json arbitrary_precision).
        ("Observation.value.value", &["185.00"]),
        ("Observation.value.value.precision()", &["2"]),
        ("Observation.value > 80 'kg'", &["true"]),
        ("Observation.value < 80 'kg'", &["false"]),
        ("Observation.value.ofType(Quantity).code", &["[lb_av]"]),
        ("Observation.effective.is(dateTime)", &["true"]),
        ("Observation.effective > @2016-03-27", &["true"]),
        (
            "Observation.effective.toString()",
            &["2016-03-28T09:30:00+10:00"],
        ),
        (
            "Observation.code.coding.where(system = %loinc).code",
            &["29463-7"],
        ),
        ("Observation.value.type().name", &["Quantity"]),
        ("Observation.status.type().name", &["code"]),
        ("(Observation.value.value * 2).toString()", &["370.00"]),
        ("Observation.children().count()", &["6"]),
        ("%resource.id | %context.id", &["bp"]),
        ("Observation.subject.resolve()", &[]),
    ];
    for (expression, expected) in cases {
        assert_eq!(&eval_strings(expression, &ctx), expected, "{expression}");
    }
}

#[test]
fn resolve_finds_bundle_entries_and_contained_resources() {
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient", "id": "p1", "active": true}},
            {"fullUrl": "urn:uuid:2", "resource": {
                "resourceType": "Observation", "id": "o1",
                "subject": {"reference": "Patient/p1"},
                "performer": [{"reference": "urn:uuid:1"}, {"reference": "#pr"}],
                "contained": [{"resourceType": "Practitioner", "id": "pr", "active": false}]
            }}
        ]
    });
    let observation = &bundle["entry"][1]["resource"];
    let ctx = EvaluationContext::new()
        .with_resource(observation)
        .with_root_resource(&bundle);
    assert_eq!(eval_strings("subject.resolve().active", &ctx), ["true"]);
    assert_eq!(
        eval_strings("performer.resolve().active", &ctx),
        ["true", "false"]
    );
    assert_eq!(
        eval_strings("subject.where(resolve() is Patient).reference", &ctx),
        ["Patient/p1"]
    );
    assert_eq!(eval_strings("%rootResource.type", &ctx), ["collection"]);
}

#[test]
fn unresolvable_references_can_yield_typed_placeholders() {
    let resource = observation();
    let plain = EvaluationContext::new().with_resource(&resource);
    let expression = "Observation.subject.where(resolve() is Patient).reference";
    assert!(eval_strings(expression, &plain).is_empty());
    let indexing = EvaluationContext::new()
        .with_resource(&resource)
        .reference_placeholders(true);
    assert_eq!(eval_strings(expression, &indexing), ["Patient/p1"]);
    assert!(eval_strings("subject.resolve() is Group", &indexing) == ["false"]);
}

#[test]
fn choice_elements_and_primitive_extensions_work_without_a_model() {
    let resource = json!({
        "resourceType": "Patient",
        "birthDate": "1974-12-25",
        "_birthDate": {"extension": [{"url": "http://x/birthTime", "valueDateTime": "1974-12-25T14:35:45-05:00"}]},
        "deceasedBoolean": false,
        "name": [{"given": ["Peter", null], "_given": [null, {"extension": [{"url": "http://x/e", "valueString": "v"}]}]}]
    });
    let ctx = EvaluationContext::new().with_resource(&resource);
    assert_eq!(eval_strings("Patient.deceased", &ctx), ["false"]);
    assert_eq!(
        eval_strings("Resource.deceased | DomainResource.deceased", &ctx),
        ["false"]
    );
    // A primitive's extensions are its children.
    assert_eq!(
        eval_strings("birthDate.children().url", &ctx),
        ["http://x/birthTime"]
    );
    assert_eq!(
        eval_strings("Patient.deceased.type().name", &ctx),
        ["boolean"]
    );
    assert_eq!(
        eval_strings("birthDate.extension('http://x/birthTime').value", &ctx),
        ["1974-12-25T14:35:45-05:00"]
    );
    // Untyped strings still compare with dates.
    assert_eq!(eval_strings("birthDate < @2000-01-01", &ctx), ["true"]);
    assert_eq!(eval_strings("name.given.count()", &ctx), ["2"]);
    // Complex elements are equivalent property by property, strings ignoring case.
    let names = json!({"resourceType": "Patient", "name": [
        {"family": "Doe", "given": ["Jane", "Q"]},
        {"given": ["q", "jane"], "family": "DOE"}
    ]});
    let names_ctx = EvaluationContext::new().with_resource(&names);
    assert_eq!(eval_strings("name[0] ~ name[1]", &names_ctx), ["true"]);
    assert_eq!(eval_strings("name[0] = name[1]", &names_ctx), ["false"]);
    // hasValue() asks about a single item: false for two.
    assert_eq!(eval_strings("name.given.hasValue()", &ctx), ["false"]);
    assert_eq!(
        eval_strings("name.given.select(hasValue())", &ctx),
        ["true", "false"]
    );
}

#[test]
fn variables_clock_and_trace_come_from_the_context() {
    let traced: RefCell<Vec<(String, usize)>> = RefCell::new(Vec::new());
    let sink = |name: &str, items: &[Value<'_>]| {
        traced.borrow_mut().push((name.to_string(), items.len()));
    };
    let now = DateTime::parse_datetime("2026-11-25T13:00:00.000+01:00").unwrap();
    let ctx = EvaluationContext::new()
        .with_variable("limit", vec![Value::Integer(3)])
        .with_variable("name", vec![Value::String("x".into())])
        .with_now(now)
        .with_trace(&sink);
    assert_eq!(eval_strings("%limit + 1", &ctx), ["4"]);
    assert_eq!(eval_strings("%'name' & %`name`", &ctx), ["xx"]);
    assert_eq!(eval_strings("today()", &ctx), ["2026-11-25"]);
    assert_eq!(
        eval_strings("now()", &ctx),
        ["2026-11-25T13:00:00.000+01:00"]
    );
    assert_eq!(eval_strings("(1 | 2).trace('two').count()", &ctx), ["2"]);
    assert_eq!(traced.borrow().as_slice(), [("two".to_string(), 2)]);

    let no_clock = EvaluationContext::new();
    let result = Expression::parse("today()").unwrap().evaluate(&no_clock);
    assert!(matches!(result, Err(Error::NoClock("today"))), "{result:?}");
    let result = Expression::parse("%missing").unwrap().evaluate(&no_clock);
    assert!(
        matches!(result, Err(Error::UndefinedVariable(_))),
        "{result:?}"
    );
}

#[test]
fn callers_can_add_functions_the_engine_must_not_know() {
    // A stand-in terminology service: memberOf() for one value set.
    fn member_of<'v>(
        input: &[Value<'v>],
        args: &[Collection<'v>],
    ) -> Result<Collection<'v>, Error> {
        let value_set = args
            .first()
            .and_then(|a| a.first())
            .and_then(|v| v.to_display_string())
            .unwrap_or_default();
        let known = value_set == "http://hl7.org/fhir/ValueSet/administrative-gender";
        Ok(input
            .iter()
            .map(|item| {
                let code = item.to_display_string().unwrap_or_default();
                Value::Boolean(
                    known && ["male", "female", "other", "unknown"].contains(&code.as_str()),
                )
            })
            .collect())
    }
    let patient = json!({"resourceType": "Patient", "gender": "male"});
    let ctx = EvaluationContext::new()
        .with_resource(&patient)
        .with_function("memberOf", &member_of);
    assert_eq!(
        eval_strings("gender.memberOf(%`vs-administrative-gender`)", &ctx),
        ["true"]
    );
    let without = EvaluationContext::new().with_resource(&patient);
    let result = Expression::parse("gender.memberOf('x')")
        .unwrap()
        .evaluate(&without);
    assert!(
        matches!(result, Err(Error::UnknownFunction { .. })),
        "{result:?}"
    );
}

#[test]
fn strict_mode_rejects_paths_the_model_does_not_know() {
    let model = TableModel::load();
    let resource = observation();
    let lenient = EvaluationContext::new()
        .with_model(&model)
        .with_resource(&resource);
    assert!(eval_strings("Observation.valu", &lenient).is_empty());
    let strict = EvaluationContext::new()
        .with_model(&model)
        .with_resource(&resource)
        .strict(true);
    let result = Expression::parse("Observation.valu")
        .unwrap()
        .evaluate(&strict);
    assert!(
        matches!(&result, Err(Error::UnknownElement { type_name, element }) if type_name == "Observation" && element == "valu"),
        "{result:?}"
    );
    // Type names that do not match the input are still just empty.
    assert!(eval_strings("Patient.name", &lenient).is_empty());
}

#[test]
fn check_finds_paths_no_type_can_have() {
    let model = TableModel::load();
    let check = |text: &str, input_type: &str| {
        Expression::parse(text)
            .expect("parses")
            .check(&model, input_type)
    };
    assert!(check("Observation.value.unit", "Observation").is_ok());
    assert!(check("Patient.name.given | Observation.code", "Patient").is_ok());
    assert!(
        check(
            "Patient.name.where(use = 'official').given.first()",
            "Patient"
        )
        .is_ok()
    );
    assert!(check("Patient.contact.name.family", "Patient").is_ok());
    assert!(check("Questionnaire.item.item.linkId", "Questionnaire").is_ok());
    assert!(matches!(
        check("(Observation.value as Period).unit", "Observation"),
        Err(Error::UnknownElement { element, .. }) if element == "unit"
    ));
    assert!(matches!(
        check("Patient.name.where(famly = 'x')", "Patient"),
        Err(Error::UnknownElement { type_name, element }) if type_name == "HumanName" && element == "famly"
    ));
    assert!(check("Patient.contact.nam", "Patient").is_err());
}

#[test]
fn errors_name_what_went_wrong() {
    let ctx = EvaluationContext::new();
    let run = |text: &str| Expression::parse(text).and_then(|e| e.evaluate(&ctx));
    assert!(matches!(run("1 +"), Err(Error::Syntax { position: 3, .. })));
    assert!(matches!(
        run("frobnicate()"),
        Err(Error::UnknownFunction { .. })
    ));
    assert!(matches!(run("1.substring()"), Err(Error::Arity { .. })));
    assert!(matches!(run("'a' - 'b'"), Err(Error::Type(_))));
    assert!(matches!(run("'a'.matches('(')"), Err(Error::Evaluation(_))));
    assert!(matches!(
        run("9223372036854775807 + 1"),
        Err(Error::Evaluation(_))
    ));
}

/// A deterministic stream of FHIRPath-ish fragments, to check that no input panics.
fn fragments(seed: u64, count: usize) -> Vec<String> {
    const PIECES: &[&str] = &[
        "name",
        "given",
        ".",
        "(",
        ")",
        "[",
        "]",
        "0",
        "1",
        "2.5",
        "'a'",
        "@2020",
        "@T10:00",
        "@2020-01-01T10:00:00Z",
        "+",
        "-",
        "*",
        "/",
        "div",
        "mod",
        "&",
        "|",
        "=",
        "!=",
        "~",
        "<",
        ">=",
        "and",
        "or",
        "xor",
        "implies",
        "is",
        "as",
        "in",
        "contains",
        "where(",
        "select(",
        "repeat(",
        "children()",
        "descendants()",
        "first()",
        "count()",
        "iif(",
        ",",
        "$this",
        "$index",
        "$total",
        "%resource",
        "{}",
        "true",
        "4 'mg'",
        "3 days",
        "toString()",
        "substring(",
        "power(",
        "exp()",
        "aggregate(",
        "sort(",
        "lowBoundary(",
        "Patient",
        "ofType(",
        "String",
        "extension(",
        "resolve()",
        "combine(",
        "union(",
        " ",
    ];
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let length = (state >> 33) % 12 + 1;
            (0..length)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    PIECES[((state >> 33) as usize) % PIECES.len()]
                })
                .collect::<String>()
        })
        .collect()
}

#[test]
fn arbitrary_input_never_panics() {
    let patient: Json = serde_json::from_str(
        &std::fs::read_to_string(support::testdata_dir().join("input/patient-example.json"))
            .expect("patient example"),
    )
    .expect("json");
    let model = TableModel::load();
    let now = DateTime::parse_datetime("2026-01-01T00:00:00Z").unwrap();
    let ctx = EvaluationContext::new()
        .with_model(&model)
        .with_resource(&patient)
        .with_now(now);
    for text in fragments(42, 20_000) {
        if let Ok(expr) = Expression::parse(&text) {
            let _ = expr.evaluate(&ctx);
        }
    }
}

#[test]
fn odd_json_shapes_are_handled_not_trusted() {
    let odd = json!({
        "resourceType": "Patient",
        "name": [[{"given": "nested array"}], null, 3, "text", {"given": [[1, 2]]}],
        "birthDate": {"not": "a date"},
        "active": "yes",
        "extension": {"url": "not an array"},
        "_gender": [1, 2],
        "contained": [{"no": "resourceType"}, 7],
        "valueQuantity": {"value": "12", "unit": 5}
    });
    let model = TableModel::load();
    for model_present in [false, true] {
        let mut ctx = EvaluationContext::new()
            .with_resource(&odd)
            .reference_placeholders(true);
        if model_present {
            ctx = ctx.with_model(&model);
        }
        for expression in [
            "name.given",
            "name.given.first() + 1",
            "birthDate < today()",
            "birthDate.extension('x')",
            "active and true",
            "extension('not an array')",
            "gender.extension.count()",
            "contained.resolve()",
            "descendants().count()",
            "value > 3 'mg'",
            "children().type().name",
            "name ~ name",
            "repeat(children()).count()",
        ] {
            // Errors are fine; panics and hangs are not.
            let _ = Expression::parse(expression).map(|e| e.evaluate(&ctx));
        }
    }
}

#[test]
fn the_deepest_accepted_expression_evaluates_on_a_small_stack() {
    // Nesting through function arguments exercises the evaluator's deepest path.
    let levels = MAX_DEPTH / 3;
    let text = format!("{}1{}", "(1).select(".repeat(levels), ")".repeat(levels));
    let expr = Expression::parse(&text).expect("within the limit");
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let ctx = EvaluationContext::new();
            expr.evaluate(&ctx).map(|r| r.len())
        })
        .expect("spawn");
    assert_eq!(handle.join().expect("no stack overflow"), Ok(1));
    let too_deep = format!(
        "{}1{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert!(matches!(
        Expression::parse(&too_deep),
        Err(Error::TooDeep { .. })
    ));
}
