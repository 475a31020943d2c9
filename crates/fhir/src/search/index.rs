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
    /// `string`: `normalized` is lower case, accents removed, whitespace runs
    /// collapsed to one space and trimmed (`search::normalize::normalize_string`;
    /// what the default prefix match and `:contains` compare); `exact` is the
    /// value as written (`:exact`). A HumanName contributes one entry per part
    /// (family, each given, prefix, suffix, text), an Address likewise (each
    /// line, city, district, state, postalCode, country, text). Entries are
    /// unique per parameter.
    String { normalized: String, exact: String },
    /// `token`: a Coding, CodeableConcept coding, Identifier, ContactPoint,
    /// code, boolean (`true`/`false`), id or string. `text` is what `:text`
    /// matches (Coding.display, Identifier.type.text), normalised like a
    /// string; a CodeableConcept.text that differs from every display is one
    /// more entry with only `text` set (system and code `None`). `of_type` is
    /// an Identifier's type coding (system, code) for `:of-type`: one entry per
    /// type coding. A ContactPoint's `system` is its kind (`phone`, `email`).
    /// A `code` element with a required binding to a core value set gets that
    /// code system (`Patient.gender` -> `http://hl7.org/fhir/administrative-gender`);
    /// other plain codes have `system: None`.
    Token {
        system: Option<String>,
        code: Option<String>,
        text: Option<String>,
        of_type: Option<(Option<String>, String)>,
    },
    /// `date`: the instants the value covers, in milliseconds since the epoch,
    /// UTC, both ends inclusive: `2024` covers 2024-01-01T00:00:00.000 to
    /// 2024-12-31T23:59:59.999. A date or dateTime without a time zone is
    /// taken as UTC. `None` is an open end (a Period without start or end).
    /// A Timing contributes one entry per event and one for its boundsPeriod.
    Date { low: Option<i64>, high: Option<i64> },
    /// `number`: the value, and the range its written precision implies
    /// (`100` is [99.5, 100.5], `100.0` is [99.95, 100.05]).
    Number { value: f64, low: f64, high: f64 },
    /// `quantity`: as written (value with its precision range, system, code,
    /// unit) and, where the unit is UCUM and converts, in canonical units
    /// (`canonical_value`, `canonical_code`: 150 cm -> 1.5 m, 1500 mg ->
    /// 1.5 g), so a search in any compatible unit compares there. A Range
    /// indexes `low`/`high` from its ends (an open end is `f64::MIN`/`MAX`)
    /// and `value` as the midpoint; a Money is a quantity with system
    /// `urn:iso:std:iso:4217` and the currency as code. A `number` parameter
    /// over a Quantity or Range indexes the number only.
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
    /// `id`, any `_history` version dropped; an absolute URL or URN kept whole
    /// in `url`), or a canonical/uri (`url`, with `version` after `|`).
    /// `identifier` is a Reference.identifier for `:identifier` (system,
    /// value); a Reference with only an identifier has every other field
    /// `None`. Contained (`#id`) references are not indexed.
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
    /// (e.g. one Observation.component's code and its valueQuantity). Every
    /// combination of the components' values is one entry (a code with two
    /// codings and one quantity: two entries).
    Composite(Vec<IndexValue>),
}
