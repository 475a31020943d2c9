//! Search, compiled through typed layers:
//!
//! 1. [`plan`]: a [`tessera_fhir::search::SearchQuery`] becomes a
//!    [`plan::SearchPlan`]: parameter keys and token values hashed
//!    ([`hash`]), FHIR prefixes turned into range conditions, chains and
//!    `_has` resolved per resource type. No SQL.
//! 2. [`build`]: the plan becomes a typed SQL tree ([`sql`]): the page
//!    (driven by its most selective indexed criterion, keyset-paged), the
//!    total, includes; each test as a probe or a driving rid set is
//!    [`probes`]. Table and column names come from this crate only.
//!    A page that a chain drives walks the chain's targets in order
//!    ([`chain_order`]; a two-link chain on SQLite from its innermost
//!    targets, [`chain_nested`]), so it stops once full. A patient
//!    compartment is [`compartment`].
//! 3. [`render`]: the one renderer (SQLite and PostgreSQL dialects), which
//!    alone numbers placeholders, quotes identifiers and escapes LIKE
//!    patterns; every value is bound.
//! 4. [`execute`]: runs the page, total, includes and loads through a
//!    backend's [`execute::SearchConnection`].

pub mod build;
mod chain_nested;
mod chain_order;
mod compartment;
pub mod cursor;
pub mod execute;
pub mod fetch;
pub mod hash;
mod patient_codes;
pub mod plan;
mod predicate;
mod probes;
pub mod render;
pub mod sql;
mod value_tests;
