//! After PostgreSQL ends Tessera's connections (a restart, a failover, an
//! administrator), reads and searches answer again without a restart:
//! search clients reconnect on their next turn, and a read whose pooled
//! connection turns out closed runs again on another.

use crate::postgres::{PostgresStore, postgres_only_database};
use crate::{Clock, ResourceKey, ResourceStore};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tessera_fhir::search::{SearchQuery, TotalMode};

struct FixedClock;
impl Clock for FixedClock {
    fn now_millis(&self) -> i64 {
        1_700_000_000_000
    }
}

/// Ends every other session on the database at `url` (as a server
/// restart does) and waits until they are gone.
fn cut_every_other_connection(url: &str) {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let others = "FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()";
        admin
            .execute(&format!("SELECT pg_terminate_backend(pid) {others}"), &[])
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left: i64 = admin
                .query_one(&format!("SELECT COUNT(*) {others}"), &[])
                .unwrap()
                .get(0);
            if left == 0 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{left} sessions outlived termination"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    })
    .join()
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_and_searches_reconnect_after_their_connections_end() {
    let test = "reads_and_searches_reconnect_after_their_connections_end";
    let Some(db) = postgres_only_database(test) else {
        return;
    };
    let store = PostgresStore::open(db.url(), Arc::new(FixedClock)).unwrap();
    let query = SearchQuery {
        resource_types: vec!["Patient".into()],
        compartment: None,
        criteria: Vec::new(),
        sort: Vec::new(),
        count: 10,
        total: TotalMode::None,
        includes: Vec::new(),
        revincludes: Vec::new(),
    };
    let nobody = ResourceKey::new("Patient", "nobody");
    // Every search client connected once; the pool's connections were
    // all handed out within the last second (so trusted without a test).
    for _ in 0..8 {
        store.search(&query, None).await.unwrap();
        assert!(store.read(&nobody).await.unwrap().is_none());
    }
    cut_every_other_connection(db.url());
    // Each client's connection task has seen its socket close by now.
    tokio::time::sleep(Duration::from_millis(200)).await;
    for turn in 0..8 {
        let answer = store.search(&query, None).await;
        assert!(answer.is_ok(), "search {turn} after the cut: {answer:?}");
        let answer = store.read(&nobody).await;
        assert!(answer.is_ok(), "read {turn} after the cut: {answer:?}");
    }
    drop(store);
}
