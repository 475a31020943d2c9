//! End to end: concurrent updates never lose a write, acknowledged writes
//! survive SIGKILL, and SIGTERM shuts down cleanly.

mod common;

use common::*;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn concurrent_if_match_updates_never_lose_a_write() {
    let server = TestServer::start();
    let url = server.url("Patient/contended");
    let created = put_json(
        &url,
        &json!({"resourceType": "Patient", "id": "contended"}),
        &[],
    );
    assert_eq!(created.status, 201);
    let clients: Vec<_> = (0..8)
        .map(|client| {
            let url = url.clone();
            std::thread::spawn(move || {
                let (mut ok, mut conflicts) = (0u64, 0u64);
                for attempt in 0..100 {
                    let current = get(&url);
                    assert_eq!(current.status, 200);
                    let etag = current.header("etag").unwrap().to_owned();
                    let mut resource = current.json();
                    resource["name"] = json!([{"family": format!("client{client}-{attempt}")}]);
                    let answer = put_json(&url, &resource, &[("If-Match", &etag)]);
                    match answer.status {
                        200 => ok += 1,
                        412 => conflicts += 1,
                        other => panic!("unexpected {other}: {}", answer.body),
                    }
                }
                (ok, conflicts)
            })
        })
        .collect();
    let mut successes = 0;
    let mut total = 0;
    for client in clients {
        let (ok, conflicts) = client.join().unwrap();
        successes += ok;
        total += ok + conflicts;
    }
    assert_eq!(total, 800, "every answer was 200 or 412");
    let final_version: u64 = get(&url).json()["meta"]["versionId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // Version 1 is the create (201); each 200 made exactly one more version.
    assert_eq!(final_version, successes + 1, "successes={successes}");
    let history = get(&format!("{url}/_history?_summary=count")).json();
    assert_eq!(history["total"].as_u64().unwrap(), successes + 1);
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(data.path(), &[]);
    let acknowledged: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
    let stop_at = Instant::now() + Duration::from_secs(20);
    let writers: Vec<_> = (0..6)
        .map(|writer| {
            let base = server.base.clone();
            let acknowledged = acknowledged.clone();
            std::thread::spawn(move || {
                for n in 0.. {
                    if Instant::now() > stop_at {
                        break;
                    }
                    let family = format!("w{writer}-{n}");
                    let body = json!({"resourceType": "Patient", "name": [{"family": family}]})
                        .to_string();
                    let Some(answer) = try_send(
                        "POST",
                        &format!("{base}/Patient"),
                        &[FHIR_JSON],
                        Some(&body),
                    ) else {
                        break; // the server is gone
                    };
                    if answer.status != 201 {
                        break;
                    }
                    let resource = answer.json();
                    let id = resource["id"].as_str().unwrap().to_owned();
                    let version = resource["meta"]["versionId"].as_str().unwrap().to_owned();
                    acknowledged.lock().unwrap().push((id, version, family));
                }
            })
        })
        .collect();
    // Kill mid-load, once a good number of writes are acknowledged.
    while acknowledged.lock().unwrap().len() < 300 && Instant::now() < stop_at {
        std::thread::sleep(Duration::from_millis(10));
    }
    server.kill();
    for writer in writers {
        writer.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 300,
        "only {} writes before the deadline",
        acknowledged.len()
    );

    let restarted = TestServer::start_in(data.path(), &[]);
    for (id, version, family) in &acknowledged {
        let answer = get(&restarted.url(&format!("Patient/{id}/_history/{version}")));
        assert_eq!(
            answer.status, 200,
            "acknowledged Patient/{id} v{version} was lost"
        );
        assert_eq!(answer.json()["name"][0]["family"], family.as_str());
    }
}

#[test]
fn sigterm_stops_cleanly_and_keeps_everything() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(data.path(), &[]);
    for i in 0..20 {
        let id = format!("t{i}");
        let answer = put_json(
            &server.url(&format!("Patient/{id}")),
            &json!({"resourceType": "Patient", "id": id}),
            &[],
        );
        assert_eq!(answer.status, 201);
    }
    let status = server.terminate();
    assert!(status.success(), "exit status {status:?}");
    if backend() == "sqlite" {
        let wal = data.path().join("tessera.db-wal");
        let wal_size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert_eq!(wal_size, 0, "the WAL is checkpointed on a clean shutdown");
    } else {
        eprintln!(
            "NOTE: the WAL-checkpoint check is SQLite's; on {} only the restart is checked",
            backend()
        );
    }
    let restarted = TestServer::start_in(data.path(), &[]);
    assert_eq!(
        get(&restarted.url("Patient/_history?_summary=count")).json()["total"],
        20
    );
}
