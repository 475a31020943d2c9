//! FHIRPath N1 (as used by FHIR R4) over FHIR JSON: parser and evaluator.
//!
//! Invariants: no I/O, no async; pure functions of the input.
