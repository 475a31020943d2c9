//! The statements that fetch what a page needs besides its matches:
//! `_include`, `_revinclude`, and the stored versions themselves. Each takes
//! a list bound as one parameter, so a page costs one statement per
//! include, never one per resource.

use super::predicate::key_test;
use super::sql::{Aliases, Expr, Query, Select, SqlValue, Table};

/// Resources that the references of `source_rids` point to (an `_include`):
/// under parameter `keys` (every reference parameter when `None`, for `*`),
/// of `target_type` when given. Yields `rid, seq, resource_type, id`.
pub fn include_query(
    source_rids: Vec<i64>,
    keys: Option<Vec<i64>>,
    target_type: Option<&str>,
) -> Query {
    let mut aliases = Aliases::default();
    let x = aliases.fresh();
    let t = aliases.fresh();
    let mut select = Select::from(Table::IdxReference, x)
        .column(Expr::col(t, "rid"))
        .column(Expr::col(t, "seq"))
        .column(Expr::col(t, "resource_type"))
        .column(Expr::col(t, "id"))
        .join(
            Table::Resource,
            t,
            Expr::all(vec![
                Expr::eq(Expr::col(t, "resource_type"), Expr::col(x, "target_type")),
                Expr::eq(Expr::col(t, "id"), Expr::col(x, "target_id")),
            ]),
        )
        .filter(Expr::col(x, "rid").in_list(SqlValue::IntList(source_rids)));
    if let Some(keys) = keys {
        select
            .filter
            .push(Expr::col(x, "param_hash").in_list(SqlValue::IntList(keys)));
    }
    if let Some(target_type) = target_type {
        select.filter.push(Expr::eq(
            Expr::col(x, "target_type"),
            Expr::text(target_type),
        ));
    }
    select
        .filter
        .push(Expr::eq(Expr::col(t, "deleted"), Expr::Literal(0)).unindexed());
    Query::Select(select)
}

/// Resources of `source_type` referring to `target_ids` of `target_type`
/// (a `_revinclude`), under parameter `key` (any when `None`, for `*`).
/// Yields `rid, seq, resource_type, id`.
pub fn revinclude_query(
    target_type: &str,
    target_ids: Vec<String>,
    key: Option<i64>,
    source_type: &str,
) -> Query {
    let mut aliases = Aliases::default();
    let x = aliases.fresh();
    let s = aliases.fresh();
    let mut select = Select::from(Table::IdxReference, x)
        .column(Expr::col(s, "rid"))
        .column(Expr::col(s, "seq"))
        .column(Expr::col(s, "resource_type"))
        .column(Expr::col(s, "id"))
        .join(
            Table::Resource,
            s,
            Expr::eq(Expr::col(s, "rid"), Expr::col(x, "rid")),
        )
        .filter(Expr::col(x, "target_id").in_list(SqlValue::TextList(target_ids)))
        .filter(Expr::eq(
            Expr::col(x, "target_type"),
            Expr::text(target_type),
        ));
    if let Some(key) = key {
        select.filter.push(key_test(x, &[key]));
    }
    select
        .filter
        .push(Expr::eq(Expr::col(s, "resource_type"), Expr::text(source_type)).unindexed());
    select
        .filter
        .push(Expr::eq(Expr::col(s, "deleted"), Expr::Literal(0)).unindexed());
    Query::Select(select)
}

/// The stored versions with these `seq`s, and each one's rid.
pub fn load_query(seqs: Vec<i64>) -> Query {
    let mut aliases = Aliases::default();
    let v = aliases.fresh();
    let mut select = Select::from(Table::ResourceVersion, v);
    for column in [
        "resource_type",
        "id",
        "version",
        "last_updated",
        "method",
        "body",
        "patient_key",
        "author_org",
        "seq",
    ] {
        select = select.column(Expr::col(v, column));
    }
    Query::Select(select.filter(Expr::col(v, "seq").in_list(SqlValue::IntList(seqs))))
}
