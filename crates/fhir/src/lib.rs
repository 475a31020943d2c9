//! FHIR R4 (4.0.1) knowledge, and nothing else.
//!
//! This crate knows what a FHIR R4 resource is allowed to look like. It owns:
//!
//! - [`definitions`]: the R4 resource and datatype element definitions, the
//!   required-binding code lists and the Patient compartment, generated from
//!   the official CC0 definitions by `cargo xtask codegen` into
//!   `definitions/r4.json` and loaded once (see [`Definitions::r4`]).
//! - [`validation`]: structural validation of a resource against those
//!   definitions, reporting every problem with its FHIRPath location.
//! - [`outcome`]: the `OperationOutcome` every error in Tessera is reported as.
//! - [`subset`]: `_summary` and `_elements`.
//! - [`compartment`]: which Patient a resource belongs to (the patient key
//!   that every stored row carries).
//! - [`reference`]: parsing `Reference.reference` strings and finding every
//!   reference in a resource.
//!
//! Invariants: no I/O, no async, no SQL, no HTTP. The definitions are
//! compiled into the binary; nothing is read from disk at run time.

pub mod compartment;
pub mod definitions;
pub mod outcome;
pub mod reference;
pub mod subset;
pub mod validation;

pub use definitions::Definitions;
pub use outcome::{Issue, IssueType, OperationOutcome, Severity};
