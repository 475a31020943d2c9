//! A search request, parsed and typed against the parameter definitions.
//!
//! The parser (in `Definitions::parse_search`) owns all FHIR search syntax:
//! prefixes, modifiers, escaping (`\,` `\$` `\|`), chains, `_has`, and the
//! result parameters. What comes out names only known parameters with typed
//! values; the store turns it into SQL without looking at request text.

use super::ParamType;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The result of parsing a request: the query, and what was not applied.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedSearch {
    pub query: SearchQuery,
    /// Parameters that were ignored (unknown or unsupported), each with the
    /// reason, for the OperationOutcome entry and the self link. Under
    /// `Prefer: handling=strict` the server refuses the request instead.
    pub ignored: Vec<(String, String)>,
    /// The applied parameters, normalised, in request order: what the self
    /// link shows.
    pub applied: Vec<(String, String)>,
}

/// A typed search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    /// The types searched: one for a type search, several or none (= all)
    /// for a system search (`_type`).
    pub resource_types: Vec<String>,
    /// Restrict to one patient's compartment (`GET /Patient/{id}/Observation`,
    /// `$everything`, a patient-level export); built by
    /// `Definitions::patient_compartment`.
    pub compartment: Option<PatientCompartment>,
    /// All must hold (repeated parameters: AND).
    pub criteria: Vec<Criterion>,
    pub sort: Vec<SortKey>,
    /// Page size (`_count`, capped by the server).
    pub count: usize,
    pub total: TotalMode,
    pub includes: Vec<Include>,
    pub revincludes: Vec<Include>,
}

/// One patient's compartment: the resources that refer to the patient through
/// one of the parameters the R4 Patient CompartmentDefinition names for their
/// type (an Observation by `subject` or `performer`, an Appointment by
/// `actor`), and the Patient itself. A resource can be in several patients'
/// compartments (a family appointment), whatever its one patient key says.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientCompartment {
    /// The patient's id.
    pub patient: String,
    /// Per resource type of the compartment, its parameters' codes; a type
    /// not listed has no resource in any patient's compartment.
    pub params: Arc<CompartmentParams>,
}

/// Resource type -> the codes of the reference parameters through which its
/// resources are in a patient's compartment.
pub type CompartmentParams = BTreeMap<String, Vec<String>>;

impl PatientCompartment {
    /// The compartment parameters of `resource_type` (none: not in it).
    pub fn params_of(&self, resource_type: &str) -> &[String] {
        self.params.get(resource_type).map_or(&[], Vec::as_slice)
    }
}

/// One request parameter: any of its comma-separated values may hold (OR).
/// A chain whose link can point to several types (`general-practitioner.name`:
/// Practitioner or Organization) contributes one alternative per target type,
/// so every `Chain` names exactly one type. `:not` with several values
/// (`status:not=a,b`) becomes one criterion per value (neither a nor b).
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    pub any_of: Vec<Condition>,
}

/// One thing a resource must satisfy.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// A search parameter of the searched type tested against a value.
    /// `param` is its code; `param_type` its type. A token's `:not` holds
    /// when the resource has no value matching (including no value at all);
    /// `ne` on a date, number or quantity holds for a value that is not
    /// equal (a resource without a value does not match), as R4 defines.
    Value {
        param: String,
        param_type: ParamType,
        test: ValueTest,
    },
    /// `:missing=true|false`.
    Missing { param: String, missing: bool },
    /// `_id`.
    Id(Vec<String>),
    /// `_lastUpdated` (a date test on the resource's own column).
    LastUpdated(DateRange),
    /// A chain: `param` (a reference parameter) points to a resource of
    /// `target_type` that satisfies `condition` (`subject:Patient.name=x`;
    /// nests for several links).
    Chain {
        param: String,
        target_type: String,
        condition: Box<Condition>,
    },
    /// `_has:Type:param:...`: some resource of `source_type` whose reference
    /// parameter `param` points here satisfies `condition` (nests).
    Has {
        source_type: String,
        param: String,
        condition: Box<Condition>,
    },
}

/// How a value is tested, by parameter type.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueTest {
    String {
        value: String,
        mode: StringMatch,
    },
    /// `system|code`, `|code` (system: Some(None)), `system|` (code: None),
    /// `code` (system: None = any). `not` for `:not`. `text` for `:text`
    /// (normalised, prefix match). `of_type` for `:of-type`
    /// (type system, type code, value).
    Token {
        system: Option<Option<String>>,
        code: Option<String>,
        not: bool,
        text: Option<String>,
        of_type: Option<(String, String, String)>,
    },
    Date(DateRange),
    /// `low`/`high`: the range the written precision implies (`100` is
    /// [99.5, 100.5]); the value itself is their midpoint. `eq` means the
    /// stored value lies in the range; `gt`/`lt`/... compare with the value.
    Number {
        comparison: Comparison,
        low: f64,
        high: f64,
    },
    Quantity {
        comparison: Comparison,
        low: f64,
        high: f64,
        system: Option<String>,
        code: Option<String>,
        /// The same bounds in canonical units, when the unit converts (system
        /// UCUM or absent): compare with `IndexValue::Quantity::canonical_value`
        /// where `canonical_code` is equal.
        canonical: Option<(f64, f64, String)>,
    },
    /// `id`, `Type/id`, an absolute URL, or `:Type` (target_type set, id any).
    /// `identifier` for `:identifier` (system, value).
    Reference {
        target_type: Option<String>,
        id: Option<String>,
        url: Option<String>,
        identifier: Option<(Option<String>, String)>,
    },
    Uri {
        value: String,
        mode: UriMatch,
    },
    /// One test per component, matched against the same composite entry.
    Composite(Vec<ValueTest>),
}

/// A date search value: the prefix and the range of instants the value
/// covers (ms since epoch, UTC, inclusive), by its precision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DateRange {
    pub comparison: Comparison,
    pub low: i64,
    pub high: i64,
}

/// The R4 search prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Sa,
    Eb,
    Ap,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringMatch {
    /// Default: starts with, case- and accent-insensitive.
    Prefix,
    /// `:exact`: equal, case- and accent-sensitive.
    Exact,
    /// `:contains`: anywhere, case- and accent-insensitive.
    Contains,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UriMatch {
    Exact,
    /// `:below`: the value is a prefix of the stored URI.
    Below,
    /// `:above`: the stored URI is a prefix of the value.
    Above,
}

/// One `_sort` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    /// A parameter code, or `_id` / `_lastUpdated`.
    pub param: String,
    pub param_type: ParamType,
    pub descending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalMode {
    None,
    Estimate,
    Accurate,
}

/// One `_include` or `_revinclude`: `source_type:param[:target_type]`, or
/// `*` (every reference parameter of the source type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub source_type: String,
    /// `None` for `*`.
    pub param: Option<String>,
    pub target_type: Option<String>,
    pub iterate: bool,
}
