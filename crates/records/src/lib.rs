//! The one path every FHIR read and write takes, whatever door it came in by
//! (REST, and later transaction bundles, HL7 v2, import, UI forms).
//!
//! [`RecordService`] validates a resource against the R4 definitions,
//! derives what every stored row must carry (the patient compartment key,
//! the authoring organisation, the local references it holds), and hands
//! one [`WriteBatch`](tessera_store::WriteBatch) to the store, which
//! acknowledges only after a durable commit. Authorisation and audit join
//! this path with the identity issue; nothing else writes to the store.
//!
//! Errors are [`RecordError`]s with stable codes; they are mapped to HTTP
//! (or HL7 ACKs, or CLI messages) once, at each edge.
//!
//! Invariants: no HTTP types, no SQL; FHIR knowledge comes from
//! `tessera-fhir`, persistence from `tessera-store`.

pub mod bundle;
mod error;
mod everything;
mod keys;
mod service;

pub use error::RecordError;
pub use keys::AUTHOR_ORGANIZATION_TAG_SYSTEM;
pub use service::{RecordService, WriteContext, WriteResult};
