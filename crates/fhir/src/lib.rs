//! FHIR R4 (4.0.1) knowledge, and nothing else.
//!
//! This crate knows what a FHIR R4 resource is allowed to look like. It owns:
//!
//! - [`definitions`]: the R4 resource and datatype element definitions, the
//!   required-binding code lists and the Patient compartment, generated from
//!   the official CC0 definitions by `cargo xtask codegen` into
//!   `definitions/r4.json` and loaded once (see [`Definitions::r4`]).
//! - [`validation`]: structural validation of a resource against those
//!   definitions, reporting every problem with its FHIRPath location and a
//!   stable `TSR-1xxx` code ([`validation::codes`]).
//! - [`json`]: reading a resource from JSON text, rejecting what serde_json
//!   accepts but FHIR forbids (duplicate property names).
//! - [`outcome`]: the `OperationOutcome` every error in Tessera is reported as.
//! - [`subset`]: `_summary` and `_elements`.
//! - [`compartment`]: which Patient a resource belongs to (the patient key
//!   that every stored row carries).
//! - [`mod@reference`]: parsing `Reference.reference` strings and finding every
//!   reference in a resource.
//! - [`search`]: the R4 search parameters (official bundle plus Tessera's own),
//!   index extraction with FHIRPath at write time, and search-request parsing.
//!
//! # Design
//!
//! The definitions are data, not generated Rust: one compact JSON file (under
//! 1 MB) embedded with `include_str!` and parsed on first use (~30 ms) into a
//! table of types. Each type maps the JSON property names of its elements
//! straight to (element, type variant), with choice types pre-resolved
//! (`valueQuantity` -> `value[x]` as `Quantity`) and backbone elements turned
//! into types of their own, so validation is one walk over the JSON with hash
//! lookups and a single reused path buffer; it allocates only to report a
//! problem. A typical Patient or Observation validates in a few microseconds
//! (`cargo run --release -p tessera-fhir --example validation_speed`).
//!
//! Validation never panics on input and bounds its recursion
//! ([`validation::MAX_NESTING_DEPTH`]). Everything it reports is an error
//! except a reference to a resource type the element does not allow, which is
//! a warning (see [`validation::codes`] for why).
//!
//! # Invariants
//!
//! No I/O, no async, no SQL, no HTTP; dependencies are serde, serde_json,
//! thiserror and tessera-fhirpath (our FHIRPath engine, which knows FHIR types
//! only through the `TypeModel` this crate implements for it). The definitions
//! are compiled into the binary; nothing is read from disk at run time.

pub mod compartment;
pub mod definitions;
mod fhirpath_model;
pub mod json;
pub mod outcome;
pub mod reference;
pub mod search;
pub mod subset;
pub mod validation;

pub use definitions::Definitions;
pub use outcome::{Issue, IssueType, OperationOutcome, Severity};
