//! The one error type of the generator: writing files can fail, and the
//! compiled-in code tables are checked when they are loaded.

use std::path::PathBuf;

/// Everything that can go wrong while generating a network.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A file or directory under the output directory could not be written.
    #[error("TSR-6001: cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A resource could not be serialised (only an I/O failure underneath can cause this).
    #[error("TSR-6002: cannot serialise a resource into {path}: {source}")]
    Serialise {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// A compiled-in code table is malformed: a bug in `crates/synth/data`, caught by the tests.
    #[error("TSR-6003: code table {table}, line {line}: {problem}")]
    Table {
        table: &'static str,
        line: usize,
        problem: String,
    },
    /// The settings cannot produce a network (for example a "today" before 1900).
    #[error("TSR-6004: {0}")]
    Settings(String),
}
