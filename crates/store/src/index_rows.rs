//! What a resource's search-index entries become as table rows, for every
//! backend: which entries are stored at all, the hashes each row carries,
//! and how a composite spreads over its components' tables. Backends only
//! decide how the rows reach their tables ([`IndexRow`] borrows from the
//! entries, so producing rows allocates nothing).

use crate::search::hash::{
    any_system_token_hash, component_hash, param_hash, patient_hash, token_hash,
};
use tessera_fhir::search::{IndexEntry, IndexValue};

/// Parameters searched on `resource`'s own columns (`id`, `last_updated`),
/// never through index rows: storing them would cost two rows per write,
/// one of them at a random place in the token index (a unique id).
const COLUMN_PARAMS: [&str; 2] = ["_id", "_lastUpdated"];

/// The columns every index row starts with: `param_hash`, `ord` (the
/// entry's position, shared by a composite's components) and
/// `patient_hash`. The rid is the caller's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowKey {
    pub(crate) param_hash: i64,
    pub(crate) ord: i64,
    pub(crate) patient_hash: Option<i64>,
}

/// One row of one index table.
pub(crate) enum IndexRow<'a> {
    String {
        normalized: &'a str,
        exact: &'a str,
    },
    Token {
        code_hash: Option<i64>,
        any_code_hash: Option<i64>,
        system: Option<&'a str>,
        code: Option<&'a str>,
        text: Option<&'a str>,
        type_system: Option<&'a str>,
        type_code: Option<&'a str>,
    },
    Date {
        low: i64,
        high: i64,
    },
    Number {
        value: f64,
        low: f64,
        high: f64,
    },
    Quantity {
        value: f64,
        low: f64,
        high: f64,
        system: Option<&'a str>,
        code: Option<&'a str>,
        unit: Option<&'a str>,
        canonical_value: Option<f64>,
        canonical_code: Option<&'a str>,
    },
    Reference {
        target_type: Option<&'a str>,
        target_id: Option<&'a str>,
        url: Option<&'a str>,
        version: Option<&'a str>,
        identifier_system: Option<&'a str>,
        identifier_value: Option<&'a str>,
    },
    Uri(&'a str),
}

/// Calls `row` for every index row of a resource of `resource_type` in
/// `patient_key`'s compartment with `entries`, stopping at the first error.
pub(crate) fn for_each_row<E>(
    resource_type: &str,
    patient_key: Option<&str>,
    entries: &[IndexEntry],
    mut row: impl FnMut(RowKey, IndexRow<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let patient = patient_key.map(patient_hash);
    for (ord, entry) in entries.iter().enumerate() {
        if COLUMN_PARAMS.contains(&entry.param.as_str()) {
            continue;
        }
        let ord = i64::try_from(ord).unwrap_or(i64::MAX);
        let key = |param_hash| RowKey {
            param_hash,
            ord,
            patient_hash: patient,
        };
        match &entry.value {
            IndexValue::Composite(components) => {
                for (index, component) in components.iter().enumerate() {
                    let hash = component_hash(resource_type, &entry.param, index);
                    if let Some(value) = to_row(hash, component) {
                        row(key(hash), value)?;
                    }
                }
            }
            value => {
                let hash = param_hash(resource_type, &entry.param);
                if let Some(value) = to_row(hash, value) {
                    row(key(hash), value)?;
                }
            }
        }
    }
    Ok(())
}

/// The row of one (non-composite) value under parameter key `key`.
fn to_row(key: i64, value: &IndexValue) -> Option<IndexRow<'_>> {
    Some(match value {
        IndexValue::String { normalized, exact } => IndexRow::String { normalized, exact },
        IndexValue::Token {
            system,
            code,
            text,
            of_type,
        } => {
            let (type_system, type_code) = match of_type {
                Some((system, code)) => (system.as_deref(), Some(code.as_str())),
                None => (None, None),
            };
            IndexRow::Token {
                code_hash: code
                    .as_deref()
                    .map(|c| token_hash(key, system.as_deref(), c)),
                any_code_hash: code.as_deref().map(|c| any_system_token_hash(key, c)),
                system: system.as_deref(),
                code: code.as_deref(),
                text: text.as_deref(),
                type_system,
                type_code,
            }
        }
        IndexValue::Date { low, high } => IndexRow::Date {
            low: low.unwrap_or(i64::MIN),
            high: high.unwrap_or(i64::MAX),
        },
        IndexValue::Number { value, low, high } => IndexRow::Number {
            value: *value,
            low: *low,
            high: *high,
        },
        IndexValue::Quantity {
            value,
            low,
            high,
            system,
            code,
            unit,
            canonical_value,
            canonical_code,
        } => IndexRow::Quantity {
            value: *value,
            low: *low,
            high: *high,
            system: system.as_deref(),
            code: code.as_deref(),
            unit: unit.as_deref(),
            canonical_value: *canonical_value,
            canonical_code: canonical_code.as_deref(),
        },
        IndexValue::Reference {
            target_type,
            id,
            url,
            version,
            identifier,
        } => {
            let (identifier_system, identifier_value) = match identifier {
                Some((system, value)) => (system.as_deref(), Some(value.as_str())),
                None => (None, None),
            };
            IndexRow::Reference {
                target_type: target_type.as_deref(),
                target_id: id.as_deref(),
                url: url.as_deref(),
                version: version.as_deref(),
                identifier_system,
                identifier_value,
            }
        }
        IndexValue::Uri(uri) => IndexRow::Uri(uri),
        // A composite inside a composite has no meaning in R4.
        IndexValue::Composite(_) => return None,
    })
}
