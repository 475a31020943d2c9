//! The command line (clap). Every setting can also come from an environment
//! variable or the TOML configuration file; the command line wins, then the
//! environment, then the file, then the default.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "tessera",
    version,
    about = "Tessera: an electronic health record and FHIR R4 server in one binary",
    long_about = "Tessera: an electronic health record and FHIR R4 server in one binary.\n\n\
        Settings come from, in order of precedence: command-line options, environment \
        variables (TESSERA_*), the TOML file given by --config / TESSERA_CONFIG, and the defaults."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the FHIR R4 REST API (at /fhir) until SIGTERM or Ctrl-C.
    Serve(ServeArgs),
    /// Generate a synthetic health network (clinics, a hospital, a lab, a
    /// pharmacy, payers...), load it, and serve it: the first thing to run.
    Demo(DemoArgs),
    /// Load FHIR Bundles (transaction, batch, collection) and NDJSON files
    /// into the store: every resource validated, bad files or lines reported
    /// with their location while the rest continues; files already imported
    /// are skipped.
    Import(ImportArgs),
    /// Write resources as NDJSON, one file per type (the same content and
    /// layout as the FHIR `$export` operation).
    Export(ExportArgs),
    /// Rebuild the search indexes from the stored resources (after the
    /// search-parameter definitions change), with a progress bar.
    Reindex(ReindexArgs),
    /// Write a synthetic multi-provider health network as FHIR R4 transaction
    /// Bundles (deterministic: the same seed writes the same bytes).
    Generate(crate::generate::GenerateArgs),
    /// Copy a whole store (every version and its history) to another
    /// database, SQLite or PostgreSQL, then verify it; a copy run again after
    /// an interruption continues where it stopped.
    Copy(crate::copy::CopyArgs),
    /// Write a consistent snapshot of the store (every version) into one
    /// file, while the server keeps running.
    Backup(crate::backup::BackupArgs),
    /// Load a file written by `tessera backup` into an empty store, and
    /// verify it.
    Restore(crate::backup::RestoreArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Data directory to load the network into and serve from; a new
    /// temporary directory when absent. Reused as it is when it already
    /// holds the demo network.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// How many patients to generate (about 1,000 resources each).
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub patients: u64,

    /// Seed of the generator: the same seed gives the same network.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,

    /// Address to listen on. [default: 127.0.0.1:8080]
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: String,
}

#[derive(Debug, Args)]
pub struct ReindexArgs {
    #[command(flatten)]
    pub store: StoreArgs,

    /// Only these resource types (comma-separated); every type when absent.
    #[arg(long = "type", value_delimiter = ',', value_name = "TYPE")]
    pub types: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub store: StoreArgs,

    /// Directory to write `{Type}.ndjson` files into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Only these patients' compartments (comma-separated ids); all
    /// resources when absent.
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub patient: Vec<String>,

    /// Only these resource types (comma-separated).
    #[arg(long = "type", value_delimiter = ',', value_name = "TYPE")]
    pub types: Vec<String>,

    /// Only resources updated at or after this FHIR instant
    /// (e.g. 2026-01-31T00:00:00Z).
    #[arg(long, value_name = "INSTANT")]
    pub since: Option<String>,
}

/// Where the data lives: shared by every command that opens the store.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// TOML configuration file. Keys: data_dir, database, read_replicas (a
    /// list), listen, base_url, max_body_bytes, log (each as the option of
    /// the same name).
    #[arg(long, env = "TESSERA_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Data directory; holds the SQLite database unless --database says otherwise.
    /// [default: ./tessera-data]
    #[arg(long, env = "TESSERA_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Database URL: sqlite:PATH (the default is sqlite:DATA_DIR/tessera.db)
    /// or postgres://USER:PASSWORD@HOST:PORT/DATABASE (migrated on start).
    /// The data directory still holds exports and the import ledger.
    #[arg(long, env = "TESSERA_DATABASE", value_name = "URL")]
    pub database: Option<String>,

    /// A streaming replica of the PostgreSQL database that serves reads and
    /// searches (repeat for several; comma-separated in the environment).
    /// A replica serves a read only once it has replayed this process's
    /// latest write, and a failed replica's reads go to the primary.
    #[arg(
        long = "read-replica",
        env = "TESSERA_READ_REPLICAS",
        value_name = "URL",
        value_delimiter = ','
    )]
    pub read_replicas: Vec<String>,

    /// Log filter (tracing syntax, e.g. info, debug, tessera_server=debug).
    /// [default: info]
    #[arg(long, env = "TESSERA_LOG", value_name = "FILTER")]
    pub log: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub store: StoreArgs,

    /// Resources written per transaction [default: 16000 into SQLite, 2000
    /// into PostgreSQL].
    #[arg(long, value_name = "N")]
    pub batch: Option<usize>,

    /// Files (.json Bundles or resources, .ndjson) or directories of them.
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,

    /// Address to listen on; port 0 picks a free port (the chosen address is
    /// printed on standard output). [default: 127.0.0.1:8080]
    #[arg(long, env = "TESSERA_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,

    /// Public base URL of the FHIR API, used in links and Location headers
    /// (e.g. https://ehr.example.org/fhir). [default: http://{Host header}/fhir]
    #[arg(long, env = "TESSERA_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,

    /// Largest request body accepted, in bytes; larger bodies get 413.
    /// [default: 16777216 (16 MiB)]
    #[arg(long, env = "TESSERA_MAX_BODY_BYTES", value_name = "BYTES")]
    pub max_body_bytes: Option<usize>,
}
