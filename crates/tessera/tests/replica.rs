//! Read replicas, end to end: a second PostgreSQL instance on another
//! loopback port, made a streaming replica of the first with
//! `pg_basebackup`; `tessera serve` pointed at both. Reads are served by the
//! replica (its statistics show them), a client reads its own write at
//! once, and stopping the replica does not break reads.
//!
//! Runs in the PostgreSQL pass (`TESSERA_TEST_BACKEND=postgres`, as
//! `scripts/test` runs it); it needs the PostgreSQL server binaries and
//! root (to run the replica as the `postgres` user).

mod common;

use common::*;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The newest installed PostgreSQL's binaries.
fn postgres_bin() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<u32> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("PostgreSQL server binaries under {}: {e}", root.display()))
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    versions.sort_unstable();
    let newest = versions.last().expect("a PostgreSQL version installed");
    root.join(newest.to_string()).join("bin")
}

/// Runs `program` with `args` as the `postgres` user; panics with its
/// output if it fails.
fn as_postgres(program: &Path, args: &[&str]) {
    let output = Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(program)
        .args(args)
        .env("PGPASSWORD", "tessera")
        .output()
        .expect("run runuser");
    assert!(
        output.status.success(),
        "{} {args:?} failed:\n{}{}",
        program.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// One value from `sql` on the database at `url`.
fn psql(url: &str, sql: &str) -> String {
    let output = Command::new("psql")
        .args([url, "-Atc", sql])
        .output()
        .expect("run psql");
    assert!(
        output.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A streaming replica of the primary, stopped and removed on drop.
struct Replica {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    running: bool,
}

impl Replica {
    fn start(primary_port: u16) -> Replica {
        let bin = postgres_bin();
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success());
        let data = dir.path().join("data");
        let data_text = data.to_str().unwrap();
        // -R: write standby.signal and primary_conninfo (streaming replica).
        as_postgres(
            &bin.join("pg_basebackup"),
            &[
                "-d",
                &format!("host=127.0.0.1 port={primary_port} user=tessera password=tessera"),
                "-D",
                data_text,
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ],
        );
        // Debian keeps configuration outside the data directory: give the
        // copy its own.
        let port = free_port();
        let socket = dir.path().to_str().unwrap();
        let write = |name: &str, text: String| {
            std::fs::write(data.join(name), text).unwrap();
            let status = Command::new("chown")
                .arg("postgres:postgres")
                .arg(data.join(name))
                .status()
                .unwrap();
            assert!(status.success());
        };
        write(
            "postgresql.conf",
            format!(
                "listen_addresses = '127.0.0.1'\nport = {port}\n\
                 unix_socket_directories = '{socket}'\nhot_standby = on\n"
            ),
        );
        write(
            "pg_hba.conf",
            "host all all 127.0.0.1/32 scram-sha-256\nlocal all all trust\n".into(),
        );
        write("pg_ident.conf", String::new());
        let log = dir.path().join("replica.log");
        as_postgres(
            &bin.join("pg_ctl"),
            &[
                "-D",
                data_text,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        Replica {
            dir,
            bin,
            port,
            running: true,
        }
    }

    fn url(&self, database: &str) -> String {
        format!(
            "postgres://tessera:tessera@127.0.0.1:{}/{database}",
            self.port
        )
    }

    fn stop(&mut self) {
        if self.running {
            let data = self.dir.path().join("data");
            as_postgres(
                &self.bin.join("pg_ctl"),
                &[
                    "-D",
                    data.to_str().unwrap(),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
            );
            self.running = false;
        }
    }

    /// Transactions committed on `database` on this replica so far.
    fn transactions(&self, database: &str) -> i64 {
        psql(
            &self.url("postgres"),
            &format!("SELECT xact_commit FROM pg_stat_database WHERE datname = '{database}'"),
        )
        .parse()
        .unwrap_or(0)
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if self.running {
            let data = self.dir.path().join("data");
            let _ = Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(self.bin.join("pg_ctl"))
                .args(["-D", data.to_str().unwrap_or(""), "-m", "immediate", "stop"])
                .status();
        }
    }
}

#[test]
fn replicas_serve_reads_and_a_writer_reads_its_own_writes() {
    if backend() != "postgres" {
        eprintln!(
            "NOTE: the replica test runs in the PostgreSQL pass (TESSERA_TEST_BACKEND=postgres); \
             this is the {} pass",
            backend()
        );
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let primary_url = database_url(data.path()).expect("a primary database");
    let database = primary_url
        .rsplit('/')
        .next()
        .expect("a database name")
        .to_owned();
    let primary_port: u16 = primary_url
        .rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next()?.parse().ok())
        .expect("the primary's port");
    let mut replica = Replica::start(primary_port);
    let replica_url = replica.url(&database);
    let server = TestServer::start_in(data.path(), &["--read-replica", &replica_url]);

    // Read-your-own-writes: each write is read back at once, by id and by search.
    let mut ids = Vec::new();
    for i in 0..30 {
        let family = format!("Replica{i}");
        let created = post_json(
            &server.url("Patient"),
            &json!({"resourceType": "Patient", "name": [{"family": family}]}),
        );
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.json()["id"].as_str().unwrap().to_owned();
        let read = get(&server.url(&format!("Patient/{id}")));
        assert_eq!(read.status, 200, "{}", read.body);
        assert_eq!(read.json()["name"][0]["family"], family.as_str());
        let found = get(&server.url(&format!("Patient?family={family}")));
        assert_eq!(found.json()["entry"].as_array().map(Vec::len), Some(1));
        let updated = put_json(
            &server.url(&format!("Patient/{id}")),
            &json!({"resourceType": "Patient", "id": id, "active": true,
                    "name": [{"family": family}]}),
            &[],
        );
        assert_eq!(updated.status, 200);
        let reread = get(&server.url(&format!("Patient/{id}")));
        assert_eq!(
            reread.json()["meta"]["versionId"],
            "2",
            "the new version at once"
        );
        ids.push(id);
    }

    // Reads are served by the replica: its statistics count them.
    std::thread::sleep(Duration::from_millis(500));
    let before = replica.transactions(&database);
    for _ in 0..5 {
        for id in &ids {
            assert_eq!(get(&server.url(&format!("Patient/{id}"))).status, 200);
        }
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut served = replica.transactions(&database) - before;
    while served < 100 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(250));
        served = replica.transactions(&database) - before;
    }
    assert!(
        served >= 100,
        "150 reads after replication caught up, but the replica ran only {served} transactions"
    );

    // Stopping the replica does not break reads (or writes).
    replica.stop();
    for id in &ids {
        let read = get(&server.url(&format!("Patient/{id}")));
        assert_eq!(read.status, 200, "{}", read.body);
    }
    let search = get(&server.url("Patient?family=Replica1&_total=accurate"));
    assert_eq!(search.status, 200, "{}", search.body);
    let created = post_json(
        &server.url("Patient"),
        &json!({"resourceType": "Patient", "name": [{"family": "AfterTheReplica"}]}),
    );
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(get(&server.url(&format!("Patient/{id}"))).status, 200);
}
