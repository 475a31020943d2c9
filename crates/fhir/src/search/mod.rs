//! FHIR search: the R4 search parameters, the values they index, and the
//! typed form of a search request.
//!
//! - [`index`]: what a resource contributes to the search index
//!   ([`IndexEntry`]), extracted at write time by evaluating each parameter's
//!   FHIRPath expression ([`Definitions::index_entries`]).
//! - [`query`]: a search request parsed against the parameter definitions
//!   ([`SearchQuery`], [`Definitions::parse_search`]): types, modifiers and
//!   prefixes decided here, so the store only translates a typed plan to SQL.
//!
//! The parameters are the official R4 SearchParameter bundle, vendored
//! verbatim in `definitions/search-parameters.json` (entries whose version is
//! not 4.0.1 are skipped), plus Tessera's own in
//! `definitions/search-parameters-tessera.json`.
//!
//! How it works:
//!
//! - [`registry`] compiles the bundles once, on first use (~40 ms), into per
//!   type tables: each parameter's expression restricted to that type's
//!   branches and parsed with `tessera-fhirpath`, its targets, components and
//!   required code binding. It also corrects known R4 errata.
//! - `extract` indexes a resource: plain-path expressions (most of them) are
//!   walked directly over the JSON by `fast_path`, the rest run in the
//!   FHIRPath engine (lenient, with reference placeholders for
//!   `resolve() is T`); a test checks the two agree on every R4 example.
//!   `values` turns each selected element into [`IndexValue`]s with the
//!   normal forms of [`normalize`] (the same ones the parser uses, so both
//!   sides of a comparison normalise alike). A typical Observation indexes in
//!   tens of microseconds (`cargo run --release -p tessera-fhir --example
//!   index_speed`).
//! - `parse` (with `parse_value` for value syntax and `parse_result` for
//!   `_sort`/`_include`) types a request: unknown parameters and unsupported
//!   modifiers are *ignored* with a reason, malformed values are *errors*
//!   naming the parameter. Chains that could point to several types become
//!   OR-ed single-type alternatives; limits are [`MAX_CHAIN_DEPTH`] and
//!   [`MAX_ALTERNATIVES`].

mod derivation;
mod extract;
mod fast_path;
pub mod index;
pub mod normalize;
mod parse;
mod parse_result;
mod parse_value;
mod present_elements;
pub mod query;
pub mod registry;
mod values;

pub use derivation::DerivedFrom;
pub use index::{IndexEntry, IndexValue};
pub use parse::{DEFAULT_COUNT, MAX_ALTERNATIVES, MAX_CHAIN_DEPTH};
pub use present_elements::PresentElements;
pub use query::{
    Comparison, CompartmentParams, Condition, Criterion, DateRange, Include, ParsedSearch,
    PatientCompartment, SearchQuery, SortKey, StringMatch, TotalMode, UriMatch, ValueTest,
};
pub use registry::{SearchParam, SearchRegistry};

/// `SearchParameter.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamType {
    Number,
    Date,
    String,
    Token,
    Reference,
    Composite,
    Quantity,
    Uri,
    Special,
}

impl ParamType {
    /// The `SearchParameter.type` code (`token`, `date`, ...).
    pub fn code(self) -> &'static str {
        match self {
            ParamType::Number => "number",
            ParamType::Date => "date",
            ParamType::String => "string",
            ParamType::Token => "token",
            ParamType::Reference => "reference",
            ParamType::Composite => "composite",
            ParamType::Quantity => "quantity",
            ParamType::Uri => "uri",
            ParamType::Special => "special",
        }
    }
}

use crate::Definitions;
use serde_json::Value;

impl Definitions {
    /// Every search-index value of `resource`, for every search parameter of
    /// its type (and of Resource/DomainResource).
    ///
    /// Never fails: a parameter whose expression cannot be evaluated on this
    /// resource contributes nothing (see [`Definitions::index_failures`]).
    pub fn index_entries(&self, resource: &Value) -> Vec<IndexEntry> {
        extract::index_entries(self, resource, extract::Evaluation::Fast, &mut |_, _| {})
    }

    /// The parameters whose expressions fail to evaluate on `resource` in the
    /// FHIRPath engine, with its error: what [`Definitions::index_entries`]
    /// skips (its fast path for plain paths agrees with the engine, which a
    /// test checks over every R4 example). For tests and `reindex` diagnostics.
    pub fn index_failures(&self, resource: &Value) -> Vec<(String, String)> {
        let mut failures = Vec::new();
        extract::index_entries(
            self,
            resource,
            extract::Evaluation::EngineOnly,
            &mut |param, error| {
                failures.push((param.to_owned(), error));
            },
        );
        failures
    }

    /// Parses a search request on `resource_type` (`None` for a system
    /// search) from its decoded query parameters, in request order.
    /// Result parameters (`_count`, `_sort`, `_include`, ...) are parsed too;
    /// `_format`, `_pretty`, `_summary`, `_elements` and `_contained` are left
    /// to the caller. Errors name the parameter they are about.
    pub fn parse_search(
        &self,
        resource_type: Option<&str>,
        params: &[(String, String)],
    ) -> Result<ParsedSearch, Vec<crate::Issue>> {
        parse::parse_search(self, resource_type, params)
    }
}
