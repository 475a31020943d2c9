//! Plan predicates and sort keys as SQL expressions over one index row or
//! one resource row: the mapping from plan terms to this schema's columns.

use super::plan::{Bound, IndexTable, Predicate, RangeCondition, SortPlan};
use super::sql::{
    Aggregate, Alias, Aliases, CmpOp, Expr, LikePattern, Query, Select, SqlValue, Table,
};
use tessera_fhir::search::ParamType;

pub fn table(table: IndexTable) -> Table {
    match table {
        IndexTable::String => Table::IdxString,
        IndexTable::Token => Table::IdxToken,
        IndexTable::Date => Table::IdxDate,
        IndexTable::Number => Table::IdxNumber,
        IndexTable::Quantity => Table::IdxQuantity,
        IndexTable::Reference => Table::IdxReference,
        IndexTable::Uri => Table::IdxUri,
    }
}

/// How well a predicate drives a search from its index (lower is better),
/// or `None` when no index leads with what it tests.
pub fn driver_score(predicate: &Predicate) -> Option<u8> {
    match predicate {
        Predicate::Nothing => Some(0),
        Predicate::Reference { .. } => Some(2),
        Predicate::TokenHash { .. } | Predicate::AnySystemTokenHash(_) => Some(3),
        Predicate::UriExact(_) | Predicate::UriIn(_) => Some(4),
        Predicate::StringRange { .. } | Predicate::UriRange { .. } => Some(5),
        Predicate::StringExact(_) => Some(7),
        Predicate::Range(_) | Predicate::Quantity { .. } => Some(8),
        Predicate::StringContains(_) => Some(9),
        Predicate::TokenSystem(_)
        | Predicate::TokenText { .. }
        | Predicate::TokenOfType { .. }
        | Predicate::ReferenceType(_)
        | Predicate::ReferenceUrl(_)
        | Predicate::ReferenceIdentifier { .. } => None,
    }
}

/// Whether the predicate's value already pins the parameter key (a token
/// hash includes it), so the driving index need not test `param_hash`.
pub fn implies_key(predicate: &Predicate) -> bool {
    matches!(
        predicate,
        Predicate::TokenHash { .. } | Predicate::AnySystemTokenHash(_)
    )
}

fn range(
    table: IndexTable,
    x: Alias,
    condition: &RangeCondition,
    value_column: &'static str,
) -> Expr {
    Expr::any(
        condition
            .0
            .iter()
            .map(|clause| {
                Expr::all(
                    clause
                        .iter()
                        .map(|(bound, op, value)| {
                            let column = match (table, bound) {
                                (IndexTable::Date, Bound::Low) => "low",
                                (IndexTable::Date, Bound::High) => "high",
                                _ => value_column,
                            };
                            Expr::cmp(Expr::col(x, column), *op, Expr::Value(value.clone()))
                        })
                        .collect(),
                )
            })
            .collect(),
    )
}

/// A range condition over one column holding a point (`last_updated`).
pub fn point_range(alias: Alias, column: &'static str, condition: &RangeCondition) -> Expr {
    range(IndexTable::Number, alias, condition, column)
}

fn between(x: Alias, column: &'static str, from: &str, to: &str) -> Expr {
    Expr::all(vec![
        Expr::cmp(Expr::col(x, column), CmpOp::Ge, Expr::text(from)),
        Expr::cmp(Expr::col(x, column), CmpOp::Lt, Expr::text(to)),
    ])
}

/// The predicate over index row `x` of `table`.
pub fn predicate(table: IndexTable, x: Alias, predicate: &Predicate) -> Expr {
    let eq = |column: &'static str, value: &str| Expr::eq(Expr::col(x, column), Expr::text(value));
    match predicate {
        Predicate::StringRange { from, to } => between(x, "normalized", from, to),
        Predicate::StringExact(value) => eq("exact", value),
        Predicate::StringContains(value) => Expr::Like(
            Box::new(Expr::col(x, "normalized")),
            LikePattern::Contains(value.clone()),
        ),
        Predicate::TokenHash { hash, .. } => Expr::eq(Expr::col(x, "code_hash"), Expr::int(*hash)),
        Predicate::AnySystemTokenHash(hash) => {
            Expr::eq(Expr::col(x, "any_code_hash"), Expr::int(*hash))
        }
        Predicate::TokenSystem(system) => eq("system", system),
        Predicate::TokenText { from, to } => between(x, "text", from, to),
        Predicate::TokenOfType {
            system,
            code,
            value,
        } => Expr::all(vec![
            eq("type_system", system),
            eq("type_code", code),
            eq("code", value),
        ]),
        Predicate::Range(condition) => range(table, x, condition, "value"),
        Predicate::Quantity {
            range: condition,
            system,
            code,
            canonical,
        } => {
            let mut as_written = Vec::with_capacity(3);
            match (system, code) {
                (Some(system), Some(code)) => {
                    as_written.push(eq("system", system));
                    as_written.push(eq("code", code));
                }
                // `||unit`: the code or the human unit.
                (None, Some(code)) => {
                    as_written.push(Expr::any(vec![eq("code", code), eq("unit", code)]))
                }
                (Some(system), None) => as_written.push(eq("system", system)),
                (None, None) => {}
            }
            as_written.push(range(table, x, condition, "value"));
            let mut ways = vec![Expr::all(as_written)];
            if let Some((condition, code)) = canonical {
                ways.push(Expr::all(vec![
                    eq("canonical_code", code),
                    range(table, x, condition, "canonical_value"),
                ]));
            }
            Expr::any(ways)
        }
        Predicate::Reference { target_type, id } => {
            let mut parts = vec![eq("target_id", id)];
            if let Some(target_type) = target_type {
                parts.push(eq("target_type", target_type));
            }
            Expr::all(parts)
        }
        Predicate::ReferenceType(target_type) => eq("target_type", target_type),
        Predicate::ReferenceUrl(url) => eq("url", url),
        Predicate::ReferenceIdentifier { system, value } => {
            let mut parts = vec![eq("identifier_value", value)];
            if let Some(system) = system {
                parts.push(eq("identifier_system", system));
            }
            Expr::all(parts)
        }
        Predicate::UriExact(uri) => eq("uri", uri),
        Predicate::UriRange { from, to } => between(x, "uri", from, to),
        Predicate::UriIn(uris) => Expr::col(x, "uri").in_list(SqlValue::TextList(uris.clone())),
        Predicate::Nothing => Expr::Bool(false),
    }
}

/// `param_hash = key`, or `IN` several keys (one per searched type).
pub fn key_test(x: Alias, keys: &[i64]) -> Expr {
    match keys {
        [key] => Expr::eq(Expr::col(x, "param_hash"), Expr::int(*key)),
        keys => Expr::col(x, "param_hash").in_list(SqlValue::IntList(keys.to_vec())),
    }
}

/// The value resource `r` sorts by: its lowest value ascending, its highest
/// descending (so `-date` orders by the latest end of each resource).
pub fn sort_value(sort: &SortPlan, r: Alias, aliases: &mut Aliases) -> Expr {
    let (keys, param_type, descending) = match sort {
        SortPlan::Id { .. } => return Expr::col(r, "id"),
        SortPlan::LastUpdated { .. } => return Expr::col(r, "last_updated"),
        SortPlan::Param {
            keys,
            param_type,
            descending,
        } => (keys, *param_type, *descending),
    };
    let (table, column) = match (param_type, descending) {
        (ParamType::String, _) => (Table::IdxString, "normalized"),
        (ParamType::Token, _) => (Table::IdxToken, "code"),
        (ParamType::Date, false) => (Table::IdxDate, "low"),
        (ParamType::Date, true) => (Table::IdxDate, "high"),
        (ParamType::Number, _) => (Table::IdxNumber, "value"),
        (ParamType::Quantity, _) => (Table::IdxQuantity, "value"),
        (ParamType::Reference, _) => (Table::IdxReference, "target_id"),
        (ParamType::Uri | ParamType::Composite | ParamType::Special, _) => (Table::IdxUri, "uri"),
    };
    let x = aliases.fresh();
    let aggregate = if descending {
        Aggregate::Max
    } else {
        Aggregate::Min
    };
    // Found by rid through the primary key. Left to itself SQLite would
    // answer MIN/MAX from the (param_hash, value) index, walking every row
    // of the parameter for each resource: quadratic.
    let select = Select::from(table, x)
        .column(Expr::Aggregate(
            aggregate,
            Box::new(Expr::col(x, column).unindexed()),
        ))
        .filter(Expr::eq(Expr::col(x, "rid"), Expr::col(r, "rid")))
        .filter(key_test(x, keys).unindexed());
    Expr::Scalar(Box::new(Query::Select(select)))
}
