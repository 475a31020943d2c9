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
//! A patch ([`PatchFormat`]: JSON Patch, or FHIRPath Patch applied by the
//! `fhirpath_patch` module) is one more way to write: it is applied to the
//! current version and the result goes through the same validation.
//!
//! Errors are [`RecordError`]s with stable codes; they are mapped to HTTP
//! (or HL7 ACKs, or CLI messages) once, at each edge.
//!
//! Invariants: no HTTP types, no SQL; FHIR knowledge comes from
//! `tessera-fhir` (and FHIRPath from `tessera-fhirpath`), persistence from
//! `tessera-store`.

pub mod bundle;
mod error;
mod everything;
mod fhirpath_patch;
mod keys;
mod patch;
mod service;

pub use error::RecordError;
pub use fhirpath_patch::{
    MAX_OPERATIONS as MAX_PATCH_OPERATIONS, MAX_VALUE_DEPTH as MAX_PATCH_VALUE_DEPTH,
};
pub use keys::AUTHOR_ORGANIZATION_TAG_SYSTEM;
pub use patch::PatchFormat;
pub use service::{RecordService, WriteContext, WriteResult};
