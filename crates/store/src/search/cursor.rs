//! The paging cursor: an opaque, URL-safe string holding the last row's sort
//! values and rid, and a fingerprint of the search's order (its sort keys)
//! so a cursor is refused by a search it does not belong to.
//!
//! Format (version 1): `1.<fingerprint hex>.<rid>` then `.<value>` per sort
//! key, a value being `n` (null), `i<decimal>`, `r<f64 bits hex>` or
//! `s<UTF-8 hex>`. Only characters `[0-9a-z.-]` appear.

use super::hash::fingerprint;
use super::plan::{ChainWalk, Cursor};
use super::sql::SqlValue;
use crate::StoreError;
use std::fmt::Write;
use tessera_fhir::search::SortKey;

/// The fingerprint of a search's page order: its sort keys, or (no `_sort`,
/// a chain driving) the order of the chain's targets.
pub fn order_fingerprint(sort: &[SortKey], chain_walk: ChainWalk) -> i64 {
    let chain = match chain_walk {
        ChainWalk::None => None,
        // Both walk the first targets in rid order.
        ChainWalk::Joined | ChainWalk::Lateral => Some("~chain-target"),
        ChainWalk::Nested => Some("~chain-innermost"),
    };
    fingerprint(
        sort.iter()
            .flat_map(|key| [key.param.as_str(), if key.descending { "-" } else { "+" }])
            .chain(chain),
    )
}

pub fn encode(fingerprint: i64, cursor: &Cursor) -> String {
    let mut out = format!("1.{:x}.{}", fingerprint as u64, cursor.rid);
    for value in &cursor.values {
        out.push('.');
        match value {
            SqlValue::Int(v) => {
                let _ = write!(out, "i{v}");
            }
            SqlValue::Real(v) => {
                let _ = write!(out, "r{:x}", v.to_bits());
            }
            SqlValue::Text(text) => {
                out.push('s');
                for byte in text.as_bytes() {
                    let _ = write!(out, "{byte:02x}");
                }
            }
            // Lists never come from a row; they encode as null.
            SqlValue::Null | SqlValue::IntList(_) | SqlValue::TextList(_) => out.push('n'),
        }
    }
    out
}

pub fn decode(fingerprint: i64, text: &str) -> Result<Cursor, StoreError> {
    let invalid = |why: &str| StoreError::InvalidCursor(why.to_owned());
    let mut parts = text.split('.');
    if parts.next() != Some("1") {
        return Err(invalid("unknown cursor version"));
    }
    let print = parts
        .next()
        .and_then(|p| u64::from_str_radix(p, 16).ok())
        .ok_or_else(|| invalid("malformed"))?;
    if print != fingerprint as u64 {
        return Err(invalid(
            "the cursor belongs to a search with other sort keys",
        ));
    }
    let rid = parts
        .next()
        .and_then(|p| p.parse::<i64>().ok())
        .ok_or_else(|| invalid("malformed"))?;
    let values = parts
        .map(|part| {
            let (kind, body) = part
                .split_at_checked(1)
                .ok_or_else(|| invalid("malformed"))?;
            match kind {
                "n" if body.is_empty() => Ok(SqlValue::Null),
                "i" => body
                    .parse()
                    .map(SqlValue::Int)
                    .map_err(|_| invalid("malformed integer")),
                "r" => u64::from_str_radix(body, 16)
                    .map(|bits| SqlValue::Real(f64::from_bits(bits)))
                    .map_err(|_| invalid("malformed number")),
                "s" => hex_text(body)
                    .map(SqlValue::Text)
                    .ok_or_else(|| invalid("malformed text")),
                _ => Err(invalid("malformed")),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Cursor { values, rid })
}

fn hex_text(hex: &str) -> Option<String> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_kind_of_value() {
        let cursor = Cursor {
            values: vec![
                SqlValue::Null,
                SqlValue::Int(-5),
                SqlValue::Real(0.27),
                SqlValue::Text("Łódź.ü".into()),
            ],
            rid: 42,
        };
        let text = encode(7, &cursor);
        assert!(
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        );
        assert_eq!(decode(7, &text).unwrap(), cursor);
        assert!(matches!(
            decode(8, &text),
            Err(StoreError::InvalidCursor(_))
        ));
        for bad in [
            "",
            "2.7.1",
            "1.7",
            "1.7.x",
            "1.7.1.q",
            "1.7.1.sabc",
            "1.7.1.sff",
            "1.7.1.iz",
        ] {
            assert!(decode(7, bad).is_err(), "{bad}");
        }
    }
}
