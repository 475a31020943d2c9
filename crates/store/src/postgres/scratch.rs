//! [`ScratchDatabase`]: a fresh, uniquely named database on a PostgreSQL
//! server, dropped when it goes out of scope. Tests run each case on one,
//! so cases never see each other's data and can run in parallel.

use crate::StoreError;
use postgres::NoTls;
use std::sync::atomic::{AtomicU64, Ordering};

/// The PostgreSQL server tests use unless `TESSERA_TEST_POSTGRES` names another.
pub const DEFAULT_TEST_SERVER: &str = "postgres://tessera:tessera@127.0.0.1:5432/postgres";

/// The server tests create scratch databases on: `TESSERA_TEST_POSTGRES`,
/// else [`DEFAULT_TEST_SERVER`].
pub fn test_server_url() -> String {
    std::env::var("TESSERA_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_TEST_SERVER.into())
}

/// Which backend the test suites run on, from `TESSERA_TEST_BACKEND`:
/// `Ok(None)` for SQLite (`sqlite` or unset), `Ok(Some(server URL))` for
/// PostgreSQL (`postgres`), an error for anything else.
pub fn test_backend() -> Result<Option<String>, String> {
    match std::env::var("TESSERA_TEST_BACKEND").as_deref() {
        Ok("postgres") => Ok(Some(test_server_url())),
        Ok("sqlite") | Err(_) => Ok(None),
        Ok(other) => Err(format!(
            "TESSERA_TEST_BACKEND={other}: expected sqlite or postgres"
        )),
    }
}

/// A fresh database for a test that only means something on PostgreSQL:
/// created in the PostgreSQL pass; in the SQLite pass, `None`, after a
/// note on standard error that `test` runs in the other pass.
pub fn postgres_only_database(test: &str) -> Option<ScratchDatabase> {
    let admin = test_backend().unwrap_or_else(|message| panic!("{message}"));
    let Some(admin) = admin else {
        eprintln!(
            "NOTE: {test} runs in the PostgreSQL pass (TESSERA_TEST_BACKEND=postgres); \
             this is the SQLite pass"
        );
        return None;
    };
    Some(ScratchDatabase::create(&admin).unwrap_or_else(|e| {
        panic!("TESSERA_TEST_BACKEND=postgres but no database at {admin}: {e}")
    }))
}

/// A database created for one use and dropped after it.
pub struct ScratchDatabase {
    admin_url: String,
    name: String,
    url: String,
}

/// Every scratch database's name starts with this, so a run can clear what
/// an interrupted run left behind.
pub const SCRATCH_PREFIX: &str = "tessera_scratch_";

impl ScratchDatabase {
    /// Creates a new database through `admin_url` (a URL of any database on
    /// the server, for a role that may create databases).
    pub fn create(admin_url: &str) -> Result<ScratchDatabase, StoreError> {
        super::off_runtime(|| ScratchDatabase::create_here(admin_url))
    }

    fn create_here(admin_url: &str) -> Result<ScratchDatabase, StoreError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "{SCRATCH_PREFIX}{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let mut client = postgres::Client::connect(admin_url, NoTls)?;
        // The name is ours (digits and the prefix), never input.
        client.batch_execute(&format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
        ))?;
        let url = with_database(admin_url, &name).ok_or_else(|| {
            StoreError::Database(format!("'{admin_url}' has no database name to replace"))
        })?;
        Ok(ScratchDatabase {
            admin_url: admin_url.to_owned(),
            name,
            url,
        })
    }

    /// The URL of the new database.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let dropped = super::off_runtime(|| {
            let mut client = postgres::Client::connect(&self.admin_url, NoTls)?;
            client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))?;
            Ok(())
        });
        if let Err(error) = dropped {
            eprintln!("could not drop scratch database {}: {error}", self.name);
        }
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> Option<String> {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let after_scheme = base.find("://")? + 3;
    let path_start = base[after_scheme..]
        .find('/')
        .map(|i| i + after_scheme)
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5432/postgres", "x").as_deref(),
            Some("postgres://u:p@127.0.0.1:5432/x")
        );
        assert_eq!(
            with_database("postgres://u@h?sslmode=disable", "x").as_deref(),
            Some("postgres://u@h/x?sslmode=disable")
        );
    }
}
