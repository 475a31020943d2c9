//! Paging a large search over HTTP: 10,000 matches loaded with `tessera
//! import`, walked page by page through the `next` links while new matching
//! resources are written: every original match comes back exactly once.

mod common;

use common::*;
use serde_json::json;
use std::collections::HashMap;
use std::io::Write;

const MATCHES: usize = 10_000;

#[test]
fn walking_every_page_returns_every_match_exactly_once() {
    let data = tempfile::tempdir().unwrap();
    let ndjson = data.path().join("observations.ndjson");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&ndjson).unwrap());
    for n in 0..MATCHES {
        let resource = json!({"resourceType": "Observation", "id": format!("o{n:05}"), "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
            "valueQuantity": {"value": n % 200, "system": "http://unitsofmeasure.org", "code": "/min"}});
        writeln!(file, "{resource}").unwrap();
    }
    file.flush().unwrap();
    drop(file);
    let import = tessera(data.path())
        .args(["import", "--data-dir"])
        .arg(data.path())
        .arg(&ndjson)
        .output()
        .unwrap();
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );

    let server = TestServer::start_in(data.path(), &[]);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut url = server.url("Observation?code=http://loinc.org|8867-4&_count=400");
    let mut pages = 0;
    loop {
        let page = get(&url);
        assert_eq!(page.status, 200, "{}", page.body);
        let bundle = page.json();
        for entry in bundle["entry"].as_array().into_iter().flatten() {
            *seen
                .entry(entry["resource"]["id"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        pages += 1;
        if pages == 3 {
            // Data changes under the walk: new matches must not shift or repeat old ones.
            for n in 0..50 {
                let id = format!("new{n}");
                let resource = json!({"resourceType": "Observation", "id": id, "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]}});
                assert_eq!(
                    put_json(&server.url(&format!("Observation/{id}")), &resource, &[]).status,
                    201
                );
            }
        }
        let next = bundle["link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["relation"] == "next")
            .and_then(|l| l["url"].as_str())
            .map(str::to_owned);
        match next {
            Some(next) => url = next,
            None => break,
        }
        assert!(pages < 100, "too many pages");
    }
    let repeated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.is_empty(), "seen more than once: {repeated:?}");
    let missing = (0..MATCHES)
        .map(|n| format!("o{n:05}"))
        .filter(|id| !seen.contains_key(id))
        .count();
    assert_eq!(missing, 0, "{missing} original matches never came back");
    assert!(pages >= 25, "{pages} pages");
}
