//! Settings, merged from the command line, the environment (both through
//! clap) and the TOML file.

use crate::cli::{ServeArgs, StoreArgs};
use anyhow::{Context, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The TOML configuration file. Unknown keys are an error, so a typo is
/// reported instead of silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    data_dir: Option<PathBuf>,
    database: Option<String>,
    read_replicas: Option<Vec<String>>,
    listen: Option<String>,
    base_url: Option<String>,
    max_body_bytes: Option<usize>,
    log: Option<String>,
}

impl FileSettings {
    fn read(path: Option<&Path>) -> anyhow::Result<FileSettings> {
        let Some(path) = path else {
            return Ok(FileSettings::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        toml::from_str::<FileSettings>(&text).map_err(|error| {
            let line = error
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            match line {
                Some(line) => anyhow::anyhow!("{}:{line}: {}", path.display(), error.message()),
                None => anyhow::anyhow!("{}: {}", path.display(), error.message()),
            }
        })
    }
}

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    Sqlite(PathBuf),
    /// A `postgres://` URL.
    Postgres(String),
}

impl std::fmt::Display for DatabaseLocation {
    /// The location as a URL, password hidden.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseLocation::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            DatabaseLocation::Postgres(url) => f.write_str(&tessera_store::postgres::redact(url)),
        }
    }
}

/// The settings every command that opens the store shares.
#[derive(Debug, Clone)]
pub struct StoreSettings {
    pub data_dir: PathBuf,
    pub database: DatabaseLocation,
    /// Streaming replicas serving reads (PostgreSQL only).
    pub read_replicas: Vec<String>,
    pub log: String,
}

/// Every setting of `tessera serve`, resolved.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub store: StoreSettings,
    pub listen: String,
    pub base_url: Option<String>,
    pub max_body_bytes: usize,
}

impl StoreSettings {
    pub fn resolve(args: StoreArgs) -> anyhow::Result<StoreSettings> {
        let file = FileSettings::read(args.config.as_deref())?;
        StoreSettings::merge(args, &file)
    }

    fn merge(args: StoreArgs, file: &FileSettings) -> anyhow::Result<StoreSettings> {
        let data_dir = args
            .data_dir
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from("tessera-data"));
        let database = match args.database.or_else(|| file.database.clone()) {
            None => DatabaseLocation::Sqlite(data_dir.join("tessera.db")),
            Some(url) => parse_database_url(&url)?,
        };
        let read_replicas = if args.read_replicas.is_empty() {
            file.read_replicas.clone().unwrap_or_default()
        } else {
            args.read_replicas
        };
        for url in &read_replicas {
            if !matches!(parse_database_url(url)?, DatabaseLocation::Postgres(_)) {
                bail!(
                    "the read replica '{}' is not a postgres:// URL",
                    tessera_store::postgres::redact(url)
                );
            }
        }
        if !read_replicas.is_empty() && !matches!(database, DatabaseLocation::Postgres(_)) {
            bail!("read replicas need a PostgreSQL database (--database postgres://...)");
        }
        Ok(StoreSettings {
            data_dir,
            database,
            read_replicas,
            log: args
                .log
                .or_else(|| file.log.clone())
                .unwrap_or_else(|| "info".into()),
        })
    }
}

impl ServeSettings {
    pub fn resolve(args: ServeArgs) -> anyhow::Result<ServeSettings> {
        let file = FileSettings::read(args.store.config.as_deref())?;
        Ok(ServeSettings {
            listen: args
                .listen
                .or_else(|| file.listen.clone())
                .unwrap_or_else(|| "127.0.0.1:8080".into()),
            base_url: args.base_url.or_else(|| file.base_url.clone()),
            max_body_bytes: args
                .max_body_bytes
                .or(file.max_body_bytes)
                .unwrap_or(tessera_server::DEFAULT_MAX_BODY_BYTES),
            store: StoreSettings::merge(args.store, &file)?,
        })
    }
}

pub fn parse_database_url(url: &str) -> anyhow::Result<DatabaseLocation> {
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        if path.is_empty() {
            bail!("the database URL '{url}' names no file");
        }
        return Ok(DatabaseLocation::Sqlite(PathBuf::from(path)));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(DatabaseLocation::Postgres(url.to_owned()));
    }
    bail!(
        "'{}' is not a database URL Tessera knows (expected sqlite:PATH or \
         postgres://USER:PASSWORD@HOST:PORT/DATABASE)",
        tessera_store::postgres::redact(url)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls() {
        assert_eq!(
            parse_database_url("sqlite:/tmp/x.db").unwrap(),
            DatabaseLocation::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(
            parse_database_url("sqlite://rel/x.db").unwrap(),
            DatabaseLocation::Sqlite("rel/x.db".into())
        );
        assert_eq!(
            parse_database_url("postgres://u:p@localhost/db").unwrap(),
            DatabaseLocation::Postgres("postgres://u:p@localhost/db".into())
        );
        assert!(parse_database_url("mysql://x").is_err());
    }
}
