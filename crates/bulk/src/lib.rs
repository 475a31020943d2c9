//! FHIR Bulk Data 2.0 export: what leaves Tessera in bulk (analytics, a
//! patient's download, a move to another server).
//!
//! - [`export`]: writes the resources an [`ExportRequest`] selects as one
//!   NDJSON file per resource type (`Observation.ndjson`), page by page from
//!   the record service's search, so an export never holds more than one
//!   page in memory. `tessera export` calls it directly.
//! - [`jobs`]: asynchronous `$export` jobs: kicked off, polled, cancelled,
//!   their state kept as a JSON file beside their output in the data
//!   directory, so a job survives a restart as what it was: completed jobs
//!   stay downloadable, a job cut short by the restart is reported failed,
//!   never silently lost.
//!
//! Invariants: no HTTP; every resource read goes through
//! [`RecordService`](tessera_records::RecordService).

pub mod export;
pub mod jobs;

pub use export::{ExportError, ExportLevel, ExportRequest, OutputFile, export};
pub use jobs::{ExportJobs, JobState, JobStatus};
