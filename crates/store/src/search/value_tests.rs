//! One value test of a search (`name=smi`, `date=ge2020`, `code=a|b`,
//! `value-quantity=lt5||mg`) in the terms of the index: the table to probe,
//! the row predicate, and for ordered values the range conditions that carry
//! the FHIR semantics of the prefixes (`eq` as containment, `ne` as its
//! opposite, `gt`/`lt`/`ge`/`le`/`sa`/`eb`/`ap` on ranges).

use super::hash::{any_system_token_hash, token_hash};
use super::plan::{Bound, IndexTable, MAX_CHAR, Predicate, RangeCondition};
use super::sql::{CmpOp, SqlValue};
use tessera_fhir::search::{Comparison, StringMatch, UriMatch, ValueTest};

/// `[prefix, prefix || MAX_CHAR)`: every string starting with `prefix`.
fn prefix_range(prefix: &str) -> (String, String) {
    let mut to = String::with_capacity(prefix.len() + 4);
    to.push_str(prefix);
    to.push(MAX_CHAR);
    (prefix.to_owned(), to)
}

/// The table, the row predicate, and whether the test is negated (`:not`;
/// `ne` is a positive range test: a value outside the searched range).
pub(super) fn value_predicate(key: i64, test: &ValueTest) -> (IndexTable, Predicate, bool) {
    match test {
        ValueTest::String { value, mode } => {
            let predicate = match mode {
                // The parser normalises; lower-casing again is idempotent and
                // keeps a raw value from missing on case alone.
                StringMatch::Prefix => {
                    let (from, to) = prefix_range(&value.to_lowercase());
                    Predicate::StringRange { from, to }
                }
                StringMatch::Exact => Predicate::StringExact(value.clone()),
                StringMatch::Contains => Predicate::StringContains(value.to_lowercase()),
            };
            (IndexTable::String, predicate, false)
        }
        ValueTest::Token {
            system,
            code,
            not,
            text,
            of_type,
        } => {
            let predicate = if let Some(text) = text {
                let (from, to) = prefix_range(&text.to_lowercase());
                Predicate::TokenText { from, to }
            } else if let Some((system, code, value)) = of_type {
                Predicate::TokenOfType {
                    system: system.clone(),
                    code: code.clone(),
                    value: value.clone(),
                }
            } else {
                match (system, code) {
                    (None, Some(code)) => {
                        Predicate::AnySystemTokenHash(any_system_token_hash(key, code))
                    }
                    (Some(system), Some(code)) => Predicate::TokenHash {
                        hash: token_hash(key, system.as_deref(), code),
                        any_system: any_system_token_hash(key, code),
                    },
                    (Some(Some(system)), None) => Predicate::TokenSystem(system.clone()),
                    (_, None) => Predicate::Nothing,
                }
            };
            (IndexTable::Token, predicate, *not)
        }
        ValueTest::Date(range) => (
            IndexTable::Date,
            Predicate::Range(date_condition(range.comparison, range.low, range.high)),
            false,
        ),
        ValueTest::Number {
            comparison,
            low,
            high,
        } => (
            IndexTable::Number,
            Predicate::Range(number_condition(*comparison, *low, *high)),
            false,
        ),
        ValueTest::Quantity {
            comparison,
            low,
            high,
            system,
            code,
            canonical,
        } => (
            IndexTable::Quantity,
            Predicate::Quantity {
                range: number_condition(*comparison, *low, *high),
                system: system.clone(),
                code: code.clone(),
                canonical: canonical.as_ref().map(|(low, high, code)| {
                    (number_condition(*comparison, *low, *high), code.clone())
                }),
            },
            false,
        ),
        ValueTest::Reference {
            target_type,
            id,
            url,
            identifier,
        } => {
            let predicate = match (identifier, id, url, target_type) {
                (Some((system, value)), ..) => Predicate::ReferenceIdentifier {
                    system: system.clone(),
                    value: value.clone(),
                },
                (None, Some(id), ..) => Predicate::Reference {
                    target_type: target_type.clone(),
                    id: id.clone(),
                },
                (None, None, Some(url), _) => Predicate::ReferenceUrl(url.clone()),
                (None, None, None, Some(target_type)) => {
                    Predicate::ReferenceType(target_type.clone())
                }
                (None, None, None, None) => Predicate::Nothing,
            };
            (IndexTable::Reference, predicate, false)
        }
        ValueTest::Uri { value, mode } => {
            let predicate = match mode {
                UriMatch::Exact => Predicate::UriExact(value.clone()),
                UriMatch::Below => {
                    let (from, to) = prefix_range(value);
                    Predicate::UriRange { from, to }
                }
                UriMatch::Above => Predicate::UriIn(
                    value
                        .char_indices()
                        .map(|(i, c)| value[..i + c.len_utf8()].to_owned())
                        .collect(),
                ),
            };
            (IndexTable::Uri, predicate, false)
        }
        // Composites are resolved by the caller; one nested here matches nothing.
        ValueTest::Composite(_) => (IndexTable::Token, Predicate::Nothing, false),
    }
}

fn bound(bound: Bound, op: CmpOp, value: SqlValue) -> (Bound, CmpOp, SqlValue) {
    (bound, op, value)
}

/// R4 date prefixes over a stored range `[low, high]` and the searched range
/// `[sl, sh]` (both inclusive). `ne` holds for a value not contained in the
/// searched range; a resource without a value does not match (unlike a
/// token's `:not`).
pub(super) fn date_condition(comparison: Comparison, sl: i64, sh: i64) -> RangeCondition {
    use Bound::{High, Low};
    use CmpOp::{Ge, Gt, Le, Lt};
    let v = SqlValue::Int;
    let eq = vec![bound(Low, Ge, v(sl)), bound(High, Le, v(sh))];
    RangeCondition(match comparison {
        Comparison::Eq => vec![eq],
        Comparison::Ne => vec![vec![bound(Low, Lt, v(sl))], vec![bound(High, Gt, v(sh))]],
        // Some of the stored range lies after the searched one.
        Comparison::Gt => vec![vec![bound(High, Gt, v(sh))]],
        Comparison::Lt => vec![vec![bound(Low, Lt, v(sl))]],
        // gt, or contained (eq): together "starts in or after, or ends after".
        Comparison::Ge => vec![vec![bound(Low, Ge, v(sl))], vec![bound(High, Gt, v(sh))]],
        Comparison::Le => vec![vec![bound(High, Le, v(sh))], vec![bound(Low, Lt, v(sl))]],
        Comparison::Sa => vec![vec![bound(Low, Gt, v(sh))]],
        Comparison::Eb => vec![vec![bound(High, Lt, v(sl))]],
        // Overlaps the searched range widened by a tenth of its width (at
        // least a day): "about this date".
        Comparison::Ap => {
            let width = sh.saturating_sub(sl).saturating_add(1);
            let slack = (width / 10).max(86_400_000);
            vec![vec![
                bound(Low, Le, v(sh.saturating_add(slack))),
                bound(High, Ge, v(sl.saturating_sub(slack))),
            ]]
        }
    })
}

/// R4 number and quantity prefixes over a stored point value. The searched
/// value is the middle of its precision range `[sl, sh]`; `eq` means inside
/// that range; order comparisons use the value itself, with a tolerance far
/// below the written precision so `le0.27` finds a stored 0.27.
fn number_condition(comparison: Comparison, sl: f64, sh: f64) -> RangeCondition {
    use Bound::Low;
    use CmpOp::{Ge, Gt, Le, Lt};
    let v = SqlValue::Real;
    let middle = (sl + sh) / 2.0;
    let tolerance = ((sh - sl).abs() * 1e-6).max(f64::EPSILON * middle.abs());
    RangeCondition(match comparison {
        Comparison::Eq => vec![vec![bound(Low, Ge, v(sl)), bound(Low, Le, v(sh))]],
        // A value outside the precision range; no value, no match.
        Comparison::Ne => vec![vec![bound(Low, Lt, v(sl))], vec![bound(Low, Gt, v(sh))]],
        Comparison::Gt | Comparison::Sa => vec![vec![bound(Low, Gt, v(middle + tolerance))]],
        Comparison::Lt | Comparison::Eb => vec![vec![bound(Low, Lt, v(middle - tolerance))]],
        Comparison::Ge => vec![vec![bound(Low, Ge, v(middle - tolerance))]],
        Comparison::Le => vec![vec![bound(Low, Le, v(middle + tolerance))]],
        // Within 10% of the value.
        Comparison::Ap => {
            let slack = middle.abs() / 10.0;
            vec![vec![
                bound(Low, Ge, v(sl - slack)),
                bound(Low, Le, v(sh + slack)),
            ]]
        }
    })
}
