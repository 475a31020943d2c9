//! What a resource contributes to the search index.
//!
//! Every value is normalised here, once, at write time, so a search predicate
//! in the store is a plain comparison on a column (often one integer).

/// One value of one search parameter of one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexEntry {
    /// The parameter's code, e.g. `name`, `code`, `subject`, `_lastUpdated`.
    pub param: String,
    pub value: IndexValue,
}

/// A search-parameter value in the shape its type is searched by.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexValue {
    /// `string`: `normalized` is lower case with accents and punctuation
    /// differences removed (what the default prefix match and `:contains`
    /// compare); `exact` is the value as written (`:exact`). A HumanName or
    /// Address contributes one entry per part (family, each given, text, ...).
    String { normalized: String, exact: String },
    /// `token`: a Coding, CodeableConcept coding, Identifier, ContactPoint,
    /// code, boolean (`true`/`false`), id or string. `text` is what `:text`
    /// matches (CodeableConcept.text, Coding.display, Identifier.type.text),
    /// normalised like a string. `of_type` is an Identifier's type coding
    /// (system, code) for `:of-type`.
    Token {
        system: Option<String>,
        code: Option<String>,
        text: Option<String>,
        of_type: Option<(Option<String>, String)>,
    },
    /// `date`: the instants the value covers, in milliseconds since the epoch,
    /// UTC, both ends inclusive: `2024` covers 2024-01-01T00:00:00.000 to
    /// 2024-12-31T23:59:59.999. A date or dateTime without a time zone is
    /// taken as UTC. `None` is an open end (a Period without end).
    Date { low: Option<i64>, high: Option<i64> },
    /// `number`: the value, and the range its written precision implies
    /// (`100` is [99.5, 100.5], `100.0` is [99.95, 100.05]).
    Number { value: f64, low: f64, high: f64 },
    /// `quantity`: as written (value with its precision range, system, code,
    /// unit) and, where the unit is UCUM and converts, in canonical units
    /// (`canonical_value`, `canonical_code`: 150 cm -> 1.5 m, 1500 mg ->
    /// 1.5 g), so a search in any compatible unit compares there.
    Quantity {
        value: f64,
        low: f64,
        high: f64,
        system: Option<String>,
        code: Option<String>,
        unit: Option<String>,
        canonical_value: Option<f64>,
        canonical_code: Option<String>,
    },
    /// `reference`: a Reference (local `Type/id` split into `target_type` and
    /// `id`; an absolute URL kept whole in `url`), or a canonical (`url`, with
    /// `version` after `|`). `identifier` is a Reference.identifier for
    /// `:identifier` (system, value).
    Reference {
        target_type: Option<String>,
        id: Option<String>,
        url: Option<String>,
        version: Option<String>,
        identifier: Option<(Option<String>, String)>,
    },
    /// `uri`: the value as written.
    Uri(String),
    /// `composite`: one value per component, in the order of
    /// `SearchParameter.component`, all taken from the same element instance
    /// (e.g. one Observation.component's code and its valueQuantity).
    Composite(Vec<IndexValue>),
}
