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

pub mod index;
pub mod query;

pub use index::{IndexEntry, IndexValue};
pub use query::{
    Comparison, Condition, Criterion, DateRange, Include, ParsedSearch, SearchQuery, SortKey,
    StringMatch, TotalMode, UriMatch, ValueTest,
};

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

use crate::Definitions;
use serde_json::Value;

impl Definitions {
    /// Every search-index value of `resource`, for every search parameter of
    /// its type (and of Resource/DomainResource).
    pub fn index_entries(&self, resource: &Value) -> Vec<IndexEntry> {
        let _ = resource;
        Vec::new()
    }

    /// Parses a search request on `resource_type` (`None` for a system
    /// search) from its decoded query parameters, in request order.
    /// Result parameters (`_count`, `_sort`, `_include`, ...) are parsed too;
    /// `_format`, `_pretty`, `_summary` and `_elements` are left to the caller.
    pub fn parse_search(
        &self,
        resource_type: Option<&str>,
        params: &[(String, String)],
    ) -> Result<ParsedSearch, Vec<crate::Issue>> {
        let _ = params;
        Ok(ParsedSearch {
            query: SearchQuery {
                resource_types: resource_type.map(str::to_owned).into_iter().collect(),
                compartment_patient: None,
                criteria: Vec::new(),
                sort: Vec::new(),
                count: 50,
                total: TotalMode::None,
                includes: Vec::new(),
                revincludes: Vec::new(),
            },
            ignored: Vec::new(),
            applied: Vec::new(),
        })
    }
}
