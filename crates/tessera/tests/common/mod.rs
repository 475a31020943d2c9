//! Shared harness for end-to-end tests: runs the real `tessera serve`
//! binary on a temporary data directory and a free port, and talks to it
//! over real HTTP.
//!
//! The backend comes from `TESSERA_TEST_BACKEND`: `sqlite` (the default: the
//! database file in the data directory) or `postgres` (a fresh database on
//! the server `TESSERA_TEST_POSTGRES` names, one per data directory, handed
//! to every `tessera` command of that directory as `TESSERA_DATABASE`).
#![allow(dead_code)]

use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use tessera_store::postgres::ScratchDatabase;

/// The admin URL of the PostgreSQL server under test, when the backend is
/// PostgreSQL.
pub fn postgres_admin_url() -> Option<String> {
    tessera_store::postgres::test_backend().unwrap_or_else(|message| panic!("{message}"))
}

/// The backend under test: "sqlite" or "postgres".
pub fn backend() -> &'static str {
    if postgres_admin_url().is_some() {
        "postgres"
    } else {
        "sqlite"
    }
}

/// Scratch databases by data directory (PostgreSQL backend only).
fn databases() -> &'static Mutex<HashMap<PathBuf, ScratchDatabase>> {
    static DATABASES: OnceLock<Mutex<HashMap<PathBuf, ScratchDatabase>>> = OnceLock::new();
    DATABASES.get_or_init(Default::default)
}

/// The database URL of `data_dir` under the PostgreSQL backend (created on
/// first use); `None` under SQLite.
pub fn database_url(data_dir: &Path) -> Option<String> {
    let admin = postgres_admin_url()?;
    let mut databases = databases().lock().unwrap_or_else(|e| e.into_inner());
    let db = databases.entry(data_dir.to_path_buf()).or_insert_with(|| {
        ScratchDatabase::create(&admin).unwrap_or_else(|e| {
            panic!("TESSERA_TEST_BACKEND=postgres but no database at {admin}: {e}")
        })
    });
    Some(db.url().to_owned())
}

/// The store of `data_dir` (its SQLite file, or its scratch PostgreSQL
/// database), opened in the test's own process, for what no HTTP
/// request shows.
pub fn open_store_in(data_dir: &Path) -> std::sync::Arc<dyn tessera_store::ResourceStore> {
    struct FixedClock;
    impl tessera_store::Clock for FixedClock {
        fn now_millis(&self) -> i64 {
            1_700_000_000_000
        }
    }
    let clock = std::sync::Arc::new(FixedClock);
    match database_url(data_dir) {
        Some(url) => {
            std::sync::Arc::new(tessera_store::postgres::PostgresStore::open(&url, clock).unwrap())
        }
        None => std::sync::Arc::new(
            tessera_store::sqlite::SqliteStore::open(&data_dir.join("tessera.db"), clock).unwrap(),
        ),
    }
}

/// Drops the database of `data_dir`, if it has one.
fn forget_database(data_dir: &Path) {
    let removed = databases()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(data_dir);
    drop(removed);
}

/// A `tessera` command on `data_dir`'s store, blind to the caller's
/// configuration.
pub fn tessera(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tessera"));
    command
        .env_remove("TESSERA_CONFIG")
        .env_remove("TESSERA_DATABASE");
    if let Some(url) = database_url(data_dir) {
        command.env("TESSERA_DATABASE", url);
    }
    command
}

/// A running `tessera serve`.
pub struct TestServer {
    child: Child,
    /// `http://127.0.0.1:PORT/fhir`
    pub base: String,
    pub data_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl TestServer {
    /// Starts a server on a fresh temporary data directory.
    pub fn start() -> TestServer {
        let temp = tempfile::tempdir().expect("temporary directory");
        let mut server = TestServer::start_in(temp.path(), &[]);
        server._temp = Some(temp);
        server
    }

    /// Starts a server with extra command-line options.
    pub fn start_with(extra: &[&str]) -> TestServer {
        let temp = tempfile::tempdir().expect("temporary directory");
        let mut server = TestServer::start_in(temp.path(), extra);
        server._temp = Some(temp);
        server
    }

    /// Starts a server on `data_dir` (which outlives it).
    pub fn start_in(data_dir: &Path, extra: &[&str]) -> TestServer {
        let mut command = tessera(data_dir);
        command
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--listen", "127.0.0.1:0", "--log", "warn"])
            .args(extra);
        TestServer::spawn(command, data_dir)
    }

    /// Runs `tessera demo` with a small generated network on a fresh
    /// temporary data directory.
    pub fn start_demo(patients: u64) -> TestServer {
        let temp = tempfile::tempdir().expect("temporary directory");
        // The demo always runs on the embedded database, whatever the backend.
        let mut command = Command::new(env!("CARGO_BIN_EXE_tessera"));
        command
            .env_remove("TESSERA_CONFIG")
            .env_remove("TESSERA_DATABASE")
            .args(["demo", "--listen", "127.0.0.1:0", "--patients"])
            .arg(patients.to_string())
            .arg("--data-dir")
            .arg(temp.path());
        let mut server = TestServer::spawn(command, temp.path());
        server._temp = Some(temp);
        server
    }

    /// Spawns `command` and waits for its "tessera listening on" line.
    fn spawn(mut command: Command, data_dir: &Path) -> TestServer {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tessera serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut seen = String::new();
        let base = loop {
            let mut line = String::new();
            let read = reader.read_line(&mut line).expect("read tessera's output");
            if read == 0 {
                panic!("tessera exited before listening; it printed: {seen}");
            }
            if let Some(url) = line.trim().strip_prefix("tessera listening on ") {
                break url.to_owned();
            }
            seen.push_str(&line);
        };
        // Keep reading (and dropping) what it prints, so it never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while reader.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                sink.clear();
            }
        });
        TestServer {
            child,
            base,
            data_dir: data_dir.to_path_buf(),
            _temp: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: the process gets no chance to clean up.
    pub fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }

    /// SIGTERM, then waits for the process to exit; returns its exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("tessera did not stop within 5 s of SIGTERM");
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self._temp.is_some() {
            // The data directory dies with this server: so does its database.
            forget_database(&self.data_dir);
        }
    }
}

/// An HTTP answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `expression` of every issue of an OperationOutcome body.
    pub fn issue_paths(&self) -> Vec<String> {
        self.json()["issue"]
            .as_array()
            .map(|issues| {
                issues
                    .iter()
                    .filter_map(|i| i["expression"][0].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// Sends a request with optional body and headers.
pub fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Answer {
    try_send(method, url, headers, body).expect("HTTP request")
}

/// Like [`send`], but a transport failure (server gone) is `None`.
pub fn try_send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Option<Answer> {
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let result = match body {
        Some(body) => agent().run(request.body(body.to_owned()).expect("request")),
        None => agent().run(request.body(()).expect("request")),
    };
    let mut response = result.ok()?;
    let body = response.body_mut().read_to_string().ok()?;
    Some(Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body,
    })
}

pub const FHIR_JSON: (&str, &str) = ("Content-Type", "application/fhir+json");

pub fn get(url: &str) -> Answer {
    send("GET", url, &[], None)
}

pub fn post_json(url: &str, body: &Value) -> Answer {
    send("POST", url, &[FHIR_JSON], Some(&body.to_string()))
}

pub fn put_json(url: &str, body: &Value, headers: &[(&str, &str)]) -> Answer {
    let mut all = vec![FHIR_JSON];
    all.extend_from_slice(headers);
    send("PUT", url, &all, Some(&body.to_string()))
}
