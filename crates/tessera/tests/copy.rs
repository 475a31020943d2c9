//! `tessera copy` round trip SQLite -> PostgreSQL -> SQLite of a generated
//! network (200 patients, about 218,000 versions, unless
//! `TESSERA_COPY_TEST_PATIENTS` says otherwise): the same versions byte for
//! byte (compared as `tessera backup` files) and the same answers to ten
//! typical clinical searches through `tessera serve`. It runs once, in the
//! PostgreSQL pass of `scripts/test`; there a missing server fails the
//! test under CI and is skipped loudly elsewhere.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use tessera_store::postgres::ScratchDatabase;

/// A `tessera` command blind to the caller's configuration and backend.
fn tessera_plain() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tessera"));
    command
        .env_remove("TESSERA_CONFIG")
        .env_remove("TESSERA_DATABASE");
    command
}

fn run(command: &mut Command, what: &str) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn scratch_postgres() -> Option<ScratchDatabase> {
    let admin = tessera_store::postgres::test_server_url();
    match ScratchDatabase::create(&admin) {
        Ok(db) => Some(db),
        Err(error) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true and no PostgreSQL at {admin}: {error}")
        }
        Err(error) => {
            eprintln!(
                "\n*** SKIPPED: the copy round trip needs PostgreSQL at {admin} ({error}) ***\n"
            );
            None
        }
    }
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("tessera.db").display())
}

fn backup(database: &str, out: &Path) -> Vec<u8> {
    run(
        tessera_plain()
            .args(["backup", "--database", database, "--out"])
            .arg(out),
        "tessera backup",
    );
    std::fs::read(out).unwrap()
}

/// The matches (and includes) of each search, with the server's base URL
/// taken out.
fn search_results(dir: &Path, database: &str, searches: &[String]) -> Vec<Value> {
    let server = TestServer::start_in(dir, &["--database", database]);
    let results = searches
        .iter()
        .map(|search| {
            let answer = get(&server.url(search));
            assert_eq!(answer.status, 200, "{search}: {}", answer.body);
            let text = answer.body.replace(&server.base, "BASE");
            let bundle: Value = serde_json::from_str(&text).unwrap();
            serde_json::json!({"total": bundle["total"], "entry": bundle["entry"]})
        })
        .collect();
    drop(server);
    results
}

#[test]
fn a_network_copied_to_postgres_and_back_is_the_same_network() {
    if backend() != "postgres" {
        // It copies between both backends whatever the backend under test:
        // once per run is enough, and it takes minutes.
        eprintln!(
            "NOTE: the copy round trip runs in the PostgreSQL pass \
             (TESSERA_TEST_BACKEND=postgres); this is the {} pass",
            backend()
        );
        return;
    }
    let Some(postgres) = scratch_postgres() else {
        return;
    };
    let patients: u64 = std::env::var("TESSERA_COPY_TEST_PATIENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let started = std::time::Instant::now();
    let work = tempfile::tempdir().unwrap();
    let (generated, first, last) = (
        work.path().join("network"),
        work.path().join("first"),
        work.path().join("last"),
    );
    run(
        tessera_plain()
            .args(["generate", "--patients", &patients.to_string(), "--out"])
            .arg(&generated),
        "tessera generate",
    );
    let (first_url, last_url) = (sqlite_url(&first), sqlite_url(&last));
    run(
        tessera_plain()
            .args(["import", "--data-dir"])
            .arg(&first)
            .args(["--database", &first_url])
            .arg(&generated),
        "tessera import",
    );
    eprintln!(
        "generated and imported {patients} patients in {:?}",
        started.elapsed()
    );

    let copied = std::time::Instant::now();
    let there = run(
        tessera_plain().args(["copy", "--from", &first_url, "--to", postgres.url()]),
        "tessera copy to PostgreSQL",
    );
    let back = run(
        tessera_plain().args(["copy", "--from", postgres.url(), "--to", &last_url]),
        "tessera copy back to SQLite",
    );
    eprintln!("copied there and back in {:?}", copied.elapsed());
    for output in [&there, &back] {
        assert!(output.contains("versions per type match"), "{output}");
        assert!(output.contains("live resources per type match"), "{output}");
        assert!(
            output.contains("SHA-256 of every version's content"),
            "{output}"
        );
    }

    // Every version, byte for byte, with its metadata, in write order.
    let before = backup(&first_url, &work.path().join("first.ndjson"));
    let middle = backup(postgres.url(), &work.path().join("middle.ndjson"));
    let after = backup(&last_url, &work.path().join("last.ndjson"));
    assert!(
        before == middle,
        "the PostgreSQL copy differs from the source"
    );
    assert!(before == after, "the copy back differs from the source");

    // A patient to search around: the first of the generated network.
    let a_patient = {
        let server = TestServer::start_in(&first, &["--database", &first_url]);
        let bundle = get(&server.url("/Patient?_count=1")).json();
        bundle["entry"][0]["resource"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let searches: Vec<String> = [
        "/Patient?name=a&_count=100&_total=accurate".to_owned(),
        "/Patient?gender=female&birthdate=lt1970-01-01&_sort=birthdate&_count=100".to_owned(),
        "/Observation?code=http://loinc.org|4548-4&value-quantity=gt7&_count=200&_total=accurate"
            .to_owned(),
        format!("/Observation?patient=Patient/{a_patient}&code=4548-4&_sort=-date"),
        "/Condition?clinical-status=active&_count=200&_total=accurate".to_owned(),
        format!("/Encounter?patient={a_patient}&date=ge2020-01-01&_sort=date&_include=Encounter:service-provider"),
        "/MedicationRequest?status=active&_count=100&_include=MedicationRequest:requester".to_owned(),
        format!("/Patient?_id={a_patient}&_revinclude=Condition:subject"),
        "/Claim?_count=100&_sort=-_lastUpdated".to_owned(),
        "/Organization?_count=50&_sort=name".to_owned(),
    ]
    .to_vec();
    let expected = search_results(&first, &first_url, &searches);
    let on_postgres = search_results(&work.path().join("pg"), postgres.url(), &searches);
    let on_last = search_results(&last, &last_url, &searches);
    for (i, search) in searches.iter().enumerate() {
        let matched = expected[i]["entry"].as_array().map_or(0, Vec::len);
        assert!(matched > 0 || i == 1, "{search} found nothing to compare");
        assert_eq!(on_postgres[i], expected[i], "{search} on PostgreSQL");
        assert_eq!(on_last[i], expected[i], "{search} after the round trip");
    }
    eprintln!("the whole round trip took {:?}", started.elapsed());
}
