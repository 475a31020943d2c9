//! The page of a search that a chain drives, in the order of the chain's
//! first targets.
//!
//! `Observation?encounter.patient.family=smi` matches every Observation of
//! every Encounter of every patient named Smi…: thousands of rids. Paged in
//! rid order, all of them must be gathered and sorted before the first 20
//! are known. Paged in the order (target rid, rid) instead, the search walks
//! the matching targets (a few hundred Encounters, from the chain's own
//! driver) in rid order and, per target, the resources referring to it,
//! and stops once the page is full: its work follows the page size, not
//! the number of matches.
//!
//! A search without `_sort` has no order in FHIR; this one is stable, and
//! its cursor carries the target's rid as its one sort value. A resource
//! that refers to several matching targets comes once, with the first of
//! them (the lowest rid; on one target, the first reference).

use super::build::{branch_filters, criterion_expr, test_expr};
use super::plan::{Branch, SearchPlan, Test};
use super::predicate::key_test;
use super::sql::{Aliases, CmpOp, Expr, Order, OrderTerm, Query, Select, Table};

/// The chain that drives a search's page, when it is ordered by its targets.
#[derive(Debug, Clone, Copy)]
pub struct ChainDriver<'a> {
    branch: &'a Branch,
    /// The criterion that is the chain.
    index: usize,
    key: i64,
    target_type: &'a str,
    inner: &'a Test,
}

/// The chain a plan's page is ordered by: a single-type search without
/// `_sort` or compartment whose chosen driver is one chain.
pub fn chain_driver(plan: &SearchPlan) -> Option<ChainDriver<'_>> {
    if !plan.sort.is_empty() || plan.patient.is_some() {
        return None;
    }
    let [branch] = plan.branches.as_slice() else {
        return None;
    };
    let (_, index) = super::build::best_criterion(branch)?;
    let [
        Test::Chain {
            key,
            target_type,
            inner,
        },
    ] = branch.criteria.get(index)?.as_slice()
    else {
        return None;
    };
    Some(ChainDriver {
        branch,
        index,
        key: *key,
        target_type,
        inner,
    })
}

/// The page: `rid, seq` and the target's rid, `page_size + 1` rows.
pub fn chain_page(plan: &SearchPlan, chain: ChainDriver<'_>, limit: i64) -> Query {
    let mut aliases = Aliases::default();
    let t = aliases.fresh();
    let x = aliases.fresh();
    let r = aliases.fresh();
    let mut page = Select::from(Table::Resource, t)
        .column(Expr::col(r, "rid"))
        .column(Expr::col(r, "seq"))
        .column(Expr::col(t, "rid"))
        .join(
            Table::IdxReference,
            x,
            Expr::all(vec![
                Expr::eq(Expr::col(x, "target_id"), Expr::col(t, "id")),
                Expr::eq(Expr::col(x, "target_type"), Expr::text(chain.target_type)),
                key_test(x, &[chain.key]),
            ]),
        )
        .join(
            Table::Resource,
            r,
            Expr::eq(Expr::col(r, "rid"), Expr::col(x, "rid")),
        );
    let targets = Branch {
        resource_type: chain.target_type.to_owned(),
        criteria: vec![vec![chain.inner.clone()]],
    };
    page.filter = branch_filters(&targets, t, None, &mut aliases);
    page.filter.extend([
        Expr::eq(Expr::col(t, "deleted"), Expr::Literal(0)).unindexed(),
        Expr::eq(
            Expr::col(r, "resource_type"),
            Expr::text(&chain.branch.resource_type),
        )
        .unindexed(),
        Expr::eq(Expr::col(r, "deleted"), Expr::Literal(0)).unindexed(),
    ]);
    for (i, criterion) in chain.branch.criteria.iter().enumerate() {
        if i != chain.index {
            page.filter.push(criterion_expr(criterion, r, &mut aliases));
        }
    }
    page.filter
        .push(first_reference(chain, t, x, r, &mut aliases).negated());
    if let Some(cursor) = &plan.after
        && let [after_target] = cursor.values.as_slice()
    {
        page.filter.push(Expr::any(vec![
            Expr::cmp(
                Expr::col(t, "rid"),
                CmpOp::Gt,
                Expr::Value(after_target.clone()),
            ),
            Expr::all(vec![
                Expr::eq(Expr::col(t, "rid"), Expr::Value(after_target.clone())),
                Expr::cmp(Expr::col(r, "rid"), CmpOp::Gt, Expr::int(cursor.rid)),
            ]),
        ]));
    }
    page.order_by = vec![
        OrderTerm {
            expr: Expr::col(t, "rid"),
            order: Order::Ascending,
        },
        OrderTerm {
            expr: Expr::col(r, "rid"),
            order: Order::Ascending,
        },
    ];
    page.limit = Some(limit);
    Query::Select(page)
}

/// Whether resource `r` reaches a matching target before the pair (`t`,
/// reference row `x`): through a target of lower rid, or through an earlier
/// reference to `t` itself. Such a row is a repeat and is left out.
fn first_reference(
    chain: ChainDriver<'_>,
    t: super::sql::Alias,
    x: super::sql::Alias,
    r: super::sql::Alias,
    aliases: &mut Aliases,
) -> Expr {
    let y = aliases.fresh();
    let u = aliases.fresh();
    let earlier_target = Expr::all(vec![
        Expr::cmp(Expr::col(u, "rid"), CmpOp::Lt, Expr::col(t, "rid")).unindexed(),
        test_expr(chain.inner, u, aliases),
    ]);
    let earlier_reference = Expr::all(vec![
        Expr::eq(Expr::col(u, "rid"), Expr::col(t, "rid")).unindexed(),
        Expr::cmp(Expr::col(y, "ord"), CmpOp::Lt, Expr::col(x, "ord")).unindexed(),
    ]);
    Expr::exists(
        Select::from(Table::IdxReference, y)
            .column(Expr::Literal(1))
            .join(
                Table::Resource,
                u,
                Expr::all(vec![
                    Expr::eq(Expr::col(u, "resource_type"), Expr::col(y, "target_type")),
                    Expr::eq(Expr::col(u, "id"), Expr::col(y, "target_id")),
                ]),
            )
            .filter(Expr::eq(Expr::col(y, "rid"), Expr::col(r, "rid")))
            .filter(key_test(y, &[chain.key]))
            .filter(Expr::eq(
                Expr::col(y, "target_type"),
                Expr::text(chain.target_type),
            ))
            .filter(Expr::eq(Expr::col(u, "deleted"), Expr::Literal(0)).unindexed())
            .filter(Expr::any(vec![earlier_target, earlier_reference])),
    )
}
