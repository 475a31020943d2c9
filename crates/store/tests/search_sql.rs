//! The common clinical queries: their rendered SQL is pinned (a change to it
//! is a deliberate act, seen in review), and SQLite's query plan for each is
//! checked to use indexes: no full scan of any table. These are SQLite's
//! plans, so they run on SQLite whatever `TESSERA_TEST_BACKEND` says.

mod common;

use common::*;
use tessera_fhir::Definitions;
use tessera_fhir::search::{Comparison, Condition, Include, ParamType, SearchQuery, StringMatch};

/// `Patient?name=ada`
fn patient_by_name_prefix() -> SearchQuery {
    and(
        query("Patient"),
        vec![string_is("name", "ada", StringMatch::Prefix)],
    )
}

/// `Observation?patient=p1&code=http://loinc.org|29463-7&date=ge2024-01-01&_sort=-date`
fn observations_by_patient_code_date() -> SearchQuery {
    let q = and(
        query("Observation"),
        vec![refers_to("patient", Some("Patient"), "p1")],
    );
    let q = and(
        q,
        vec![code_is(
            "code",
            Some(Some("http://loinc.org")),
            Some("29463-7"),
        )],
    );
    let (low, high) = day(2024, 1, 1);
    let q = and(q, vec![date_is("date", Comparison::Ge, low, high)]);
    sort(q, "date", ParamType::Date, true)
}

/// `Condition?patient=p1&clinical-status=active`
fn conditions_by_patient_status() -> SearchQuery {
    let q = and(
        query("Condition"),
        vec![refers_to("patient", Some("Patient"), "p1")],
    );
    and(q, vec![code_is("clinical-status", None, Some("active"))])
}

/// `MedicationRequest?patient=p1&_include=MedicationRequest:medication`
fn medication_requests_with_medication() -> SearchQuery {
    let mut q = and(
        query("MedicationRequest"),
        vec![refers_to("patient", Some("Patient"), "p1")],
    );
    q.includes.push(Include {
        source_type: "MedicationRequest".into(),
        param: Some("medication".into()),
        target_type: None,
        iterate: false,
    });
    q
}

/// `Patient/p1/Observation?code=http://loinc.org|29463-7`
fn chart_observations_by_code() -> SearchQuery {
    let mut q = and(
        query("Observation"),
        vec![code_is(
            "code",
            Some(Some("http://loinc.org")),
            Some("29463-7"),
        )],
    );
    q.compartment = Some(Definitions::r4().patient_compartment("p1"));
    q
}

/// `Patient/p1/Observation`: the compartment drives.
fn chart_observations() -> SearchQuery {
    let mut q = query("Observation");
    q.compartment = Some(Definitions::r4().patient_compartment("p1"));
    q
}

/// `Patient/p1/$everything`: the compartment of every type.
fn everything_of_a_patient() -> SearchQuery {
    let mut q = query("Observation");
    q.resource_types.clear();
    q.compartment = Some(Definitions::r4().patient_compartment("p1"));
    q.count = 1000;
    q
}

/// `Observation?patient.organization.name=beta`
fn observations_by_two_link_chain() -> SearchQuery {
    and(
        query("Observation"),
        vec![Condition::Chain {
            param: "patient".into(),
            target_type: "Patient".into(),
            condition: Box::new(Condition::Chain {
                param: "organization".into(),
                target_type: "Organization".into(),
                condition: Box::new(string_is("name", "beta", StringMatch::Prefix)),
            }),
        }],
    )
}

/// `Observation?encounter.patient.family=smi`, the benchmark's chain: an
/// Observation's `encounter` is an Encounter or an EpisodeOfCare.
fn observations_by_encounter_chain() -> SearchQuery {
    let through = |target_type: &str| Condition::Chain {
        param: "encounter".into(),
        target_type: target_type.into(),
        condition: Box::new(Condition::Chain {
            param: "patient".into(),
            target_type: "Patient".into(),
            condition: Box::new(string_is("family", "smi", StringMatch::Prefix)),
        }),
    };
    let mut q = and(
        query("Observation"),
        vec![through("Encounter"), through("EpisodeOfCare")],
    );
    q.count = 20;
    q
}

fn common_queries() -> Vec<(&'static str, SearchQuery)> {
    vec![
        ("patient_by_name_prefix", patient_by_name_prefix()),
        (
            "observations_by_patient_code_date",
            observations_by_patient_code_date(),
        ),
        (
            "conditions_by_patient_status",
            conditions_by_patient_status(),
        ),
        (
            "medication_requests_with_medication",
            medication_requests_with_medication(),
        ),
        (
            "observations_by_two_link_chain",
            observations_by_two_link_chain(),
        ),
        (
            "observations_by_encounter_chain",
            observations_by_encounter_chain(),
        ),
        ("chart_observations_by_code", chart_observations_by_code()),
        ("chart_observations", chart_observations()),
        ("everything_of_a_patient", everything_of_a_patient()),
    ]
}

/// A SQLite store on a temporary file.
fn sqlite() -> (tessera_store::sqlite::SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(TickingClock(std::sync::atomic::AtomicI64::new(0)));
    let store =
        tessera_store::sqlite::SqliteStore::open(&dir.path().join("tessera.db"), clock).unwrap();
    (store, dir)
}

/// What a query compiles to: the SQL, its parameters and SQLite's plan.
fn describe(store: &tessera_store::sqlite::SqliteStore, q: &SearchQuery) -> (String, Vec<String>) {
    let rendered = store.search_sql(q).unwrap();
    let mut text = rendered
        .sql
        .replace(" WHERE ", "\n WHERE ")
        .replace(" AND ", "\n   AND ");
    text.push_str("\n-- parameters:\n");
    for (i, param) in rendered.params.iter().enumerate() {
        text.push_str(&format!("--   ?{} = {param:?}\n", i + 1));
    }
    text.push_str("-- query plan:\n");
    let plan = store.search_query_plan(q).unwrap();
    for line in &plan {
        text.push_str(&format!("--   {line}\n"));
    }
    (text, plan)
}

/// The SQL of each common query is pinned in `tests/expected_sql/<name>.sql`.
/// After a deliberate change, refresh with `TESSERA_BLESS=1 cargo test -p
/// tessera-store --test search_sql` and review the diff.
#[tokio::test]
async fn common_queries_render_the_pinned_sql() {
    let (store, _dir) = sqlite();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected_sql");
    let bless = std::env::var_os("TESSERA_BLESS").is_some();
    let mut stale = Vec::new();
    for (name, q) in common_queries() {
        let (text, _) = describe(&store, &q);
        let path = dir.join(format!("{name}.sql"));
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(format!("{name}:\n{text}"));
        }
    }
    assert!(
        stale.is_empty(),
        "rendered SQL differs from tests/expected_sql (TESSERA_BLESS=1 to refresh):\n{}",
        stale.join("\n")
    );
}

/// Every step of every common query finds its rows through an index (a
/// `SEARCH`), never by reading a whole table (`SCAN`).
#[tokio::test]
async fn common_queries_use_indexes() {
    let (store, _dir) = sqlite();
    for (name, q) in common_queries() {
        let (text, plan) = describe(&store, &q);
        // (A bound list, `IN rarray(?)`, is read whole: it is the list.)
        assert!(
            plan.iter().all(|line| {
                let line = line.trim_start();
                !line.starts_with("SCAN") || line.starts_with("SCAN rarray VIRTUAL TABLE")
            }),
            "{name} scans a table:\n{text}"
        );
        assert!(
            plan.iter().any(|line| line.contains("USING")),
            "{name}:\n{text}"
        );
        // A correlated probe finds its rows by rid, never by walking a
        // value index across every resource. (A chain's test that a target
        // type is stored at all is one lookup by type, not a probe.)
        assert!(
            plan.iter()
                .filter(|line| line.contains(" EXISTS ") || line.contains("CORRELATED"))
                .filter(|line| !line
                    .ends_with("EXISTS USING COVERING INDEX resource_by_type (resource_type=?)"))
                .all(|line| !line.contains("SEARCH") || line.contains("rid=?")),
            "{name} probes without the rid:\n{text}"
        );
        // The same for a probe SQLite runs as a correlated subquery (inside
        // an OR): the first search under it.
        let mut correlated = false;
        for line in &plan {
            if line.contains("CORRELATED") {
                correlated = true;
            } else if correlated && line.contains("SEARCH") {
                assert!(
                    line.contains("rid=?"),
                    "{name} probes without the rid:\n{text}"
                );
                correlated = false;
            }
        }
    }
}
