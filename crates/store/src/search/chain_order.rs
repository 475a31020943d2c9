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
//! A chained parameter with several target types (`encounter` is an
//! Encounter or an EpisodeOfCare) walks the targets of all of them.
//!
//! A search without `_sort` has no order in FHIR; this one is stable, and
//! its cursor carries the target's rid as its one sort value. A resource
//! that refers to several matching targets comes once, with the first of
//! them (the lowest rid; on one target, the first reference).

use super::build::branch_filters;
use super::plan::{Branch, ChainWalk, SearchPlan, Test};
use super::predicate::key_test;
use super::probes::{criterion_expr, is_target_of, rid_set, test_expr};
use super::sql::{
    Alias, Aliases, CmpOp, Expr, Join, JoinSource, Order, OrderTerm, Query, Select, Table,
};

/// The chain that drives a search's page, when it is ordered by its targets.
#[derive(Debug, Clone)]
pub struct ChainDriver<'a> {
    pub(super) branch: &'a Branch,
    /// The criterion that is the chain.
    pub(super) index: usize,
    /// The reference parameter's key.
    pub(super) key: i64,
    /// Per target type the chain may take (`encounter` is an Encounter or
    /// an EpisodeOfCare), the test on the target.
    pub(super) targets: Vec<(&'a str, &'a Test)>,
}

/// The chain a plan's page is ordered by: a single-type search without
/// `_sort` or compartment whose chosen driver is one chained parameter,
/// over one or several target types.
pub fn chain_driver(plan: &SearchPlan) -> Option<ChainDriver<'_>> {
    if !plan.sort.is_empty() || plan.compartment.is_some() {
        return None;
    }
    let [branch] = plan.branches.as_slice() else {
        return None;
    };
    let (_, index) = super::build::best_criterion(branch)?;
    let mut chain_key = None;
    let mut targets: Vec<(&str, &Test)> = Vec::new();
    for test in branch.criteria.get(index)? {
        let Test::Chain {
            key,
            target_type,
            inner,
        } = test
        else {
            return None;
        };
        if *chain_key.get_or_insert(*key) != *key
            || targets.iter().any(|(other, _)| other == target_type)
        {
            return None;
        }
        targets.push((target_type, inner));
    }
    let key = chain_key?;
    // Several target types are driven together through their index rows.
    if targets.len() > 1
        && targets.iter().any(|(target_type, inner)| {
            rid_set(inner, target_type, &mut Aliases::default()).is_none()
        })
    {
        return None;
    }
    Some(ChainDriver {
        branch,
        index,
        key,
        targets,
    })
}

/// The page: `rid, seq` and the target's rid, `page_size + 1` rows.
pub fn chain_page(plan: &SearchPlan, chain: &ChainDriver<'_>, limit: i64) -> Query {
    let mut aliases = Aliases::default();
    let t = aliases.fresh();
    let x = aliases.fresh();
    let r = aliases.fresh();
    let refers_to_t = Expr::all(vec![
        Expr::eq(Expr::col(x, "target_id"), Expr::col(t, "id")),
        Expr::eq(Expr::col(x, "target_type"), Expr::col(t, "resource_type")),
        key_test(x, &[chain.key]),
    ]);
    let mut referrer_tests = vec![
        Expr::eq(
            Expr::col(r, "resource_type"),
            Expr::text(&chain.branch.resource_type),
        )
        .unindexed(),
        Expr::eq(Expr::col(r, "deleted"), Expr::Literal(0)).unindexed(),
    ];
    for (i, criterion) in chain.branch.criteria.iter().enumerate() {
        if i != chain.index {
            referrer_tests.push(criterion_expr(criterion, r, &mut aliases));
        }
    }
    referrer_tests.push(first_reference(chain, t, x, r, &mut aliases).negated());
    let after = plan
        .after
        .as_ref()
        .and_then(|cursor| match cursor.values.as_slice() {
            [target] => Some((target.clone(), cursor.rid)),
            _ => None,
        });
    let mut target_tests = target_filters(chain, t, &mut aliases);
    target_tests.push(Expr::eq(Expr::col(t, "deleted"), Expr::Literal(0)).unindexed());
    let by_target_then_rid = |rid: Expr| {
        vec![
            OrderTerm {
                expr: Expr::col(t, "rid"),
                order: Order::Ascending,
            },
            OrderTerm {
                expr: rid,
                order: Order::Ascending,
            },
        ]
    };
    let mut page = match plan.chain_walk {
        ChainWalk::Lateral => {
            // Each target's referrers, sorted and cut to a page, so the
            // planner sees the targets' order carry through and stops.
            let mut referrers = Select::from(Table::IdxReference, x)
                .named(Expr::col(r, "rid"), "rid")
                .named(Expr::col(r, "seq"), "seq")
                .join(
                    Table::Resource,
                    r,
                    Expr::eq(Expr::col(r, "rid"), Expr::col(x, "rid")),
                )
                .filter(refers_to_t);
            referrers.filter.extend(referrer_tests);
            if let Some((target, rid)) = &after {
                referrers.filter.push(Expr::any(vec![
                    Expr::cmp(Expr::col(t, "rid"), CmpOp::Gt, Expr::Value(target.clone())),
                    Expr::cmp(Expr::col(r, "rid"), CmpOp::Gt, Expr::int(*rid)),
                ]));
                target_tests.push(Expr::cmp(
                    Expr::col(t, "rid"),
                    CmpOp::Ge,
                    Expr::Value(target.clone()),
                ));
            }
            referrers.order_by = vec![OrderTerm {
                expr: Expr::col(r, "rid"),
                order: Order::Ascending,
            }];
            referrers.limit = Some(limit);
            let p = aliases.fresh();
            let mut page = Select::from(Table::Resource, t)
                .column(Expr::col(p, "rid"))
                .column(Expr::col(p, "seq"))
                .column(Expr::col(t, "rid"));
            page.joins.push(Join {
                source: JoinSource::Lateral(Box::new(Query::Select(referrers))),
                alias: p,
                on: Expr::Bool(true),
            });
            page.order_by = by_target_then_rid(Expr::col(p, "rid"));
            page
        }
        ChainWalk::Joined | ChainWalk::Nested | ChainWalk::None => {
            let mut page = Select::from(Table::Resource, t)
                .column(Expr::col(r, "rid"))
                .column(Expr::col(r, "seq"))
                .column(Expr::col(t, "rid"))
                .join(Table::IdxReference, x, refers_to_t)
                .join(
                    Table::Resource,
                    r,
                    Expr::eq(Expr::col(r, "rid"), Expr::col(x, "rid")),
                );
            page.filter.extend(referrer_tests);
            if let Some((target, rid)) = &after {
                page.filter.push(Expr::any(vec![
                    Expr::cmp(Expr::col(t, "rid"), CmpOp::Gt, Expr::Value(target.clone())),
                    Expr::all(vec![
                        Expr::eq(Expr::col(t, "rid"), Expr::Value(target.clone())),
                        Expr::cmp(Expr::col(r, "rid"), CmpOp::Gt, Expr::int(*rid)),
                    ]),
                ]));
            }
            page.order_by = by_target_then_rid(Expr::col(r, "rid"));
            page
        }
    };
    target_tests.append(&mut page.filter);
    page.filter = target_tests;
    page.limit = Some(limit);
    Query::Select(page)
}

/// The filters that make row `t` a matching target, driven by the index.
fn target_filters(chain: &ChainDriver<'_>, t: Alias, aliases: &mut Aliases) -> Vec<Expr> {
    if let [(target_type, inner)] = chain.targets.as_slice() {
        if let Some(rids) = rid_set(inner, target_type, aliases) {
            return vec![Expr::col(t, "rid").in_driver(Query::Select(rids))];
        }
        let targets = Branch {
            resource_type: (*target_type).to_owned(),
            criteria: vec![vec![(*inner).clone()]],
        };
        return branch_filters(&targets, t, None, aliases);
    }
    // Index rows carry their type in their key: the rids found under each
    // target type's key are of that type and pass its test. A type with no
    // resource at all (often most of a reference's target types) is skipped
    // by a test the database evaluates once, before the branch's work.
    let rid_sets = chain
        .targets
        .iter()
        .filter_map(|(target_type, inner)| {
            let g = aliases.fresh();
            let stored = Select::from(Table::Resource, g)
                .column(Expr::Literal(1))
                .filter(Expr::eq(
                    Expr::col(g, "resource_type"),
                    Expr::text(*target_type),
                ));
            Some(rid_set(inner, target_type, aliases)?.filter(Expr::exists(stored)))
        })
        .collect();
    vec![Expr::col(t, "rid").in_driver(Query::UnionAll(rid_sets))]
}

/// Whether target row `u` passes the chain's test for its type.
fn target_test(chain: &ChainDriver<'_>, u: Alias, aliases: &mut Aliases) -> Expr {
    if let [(_, inner)] = chain.targets.as_slice() {
        return test_expr(inner, u, aliases);
    }
    Expr::any(
        chain
            .targets
            .iter()
            .map(|(target_type, inner)| {
                Expr::all(vec![
                    Expr::eq(Expr::col(u, "resource_type"), Expr::text(*target_type)).unindexed(),
                    test_expr(inner, u, aliases),
                ])
            })
            .collect(),
    )
}

/// Whether resource `r` reaches a matching target before the pair (`t`,
/// reference row `x`): through a target of lower rid, or through an earlier
/// reference to `t` itself. Such a row is a repeat and is left out.
fn first_reference(
    chain: &ChainDriver<'_>,
    t: Alias,
    x: Alias,
    r: Alias,
    aliases: &mut Aliases,
) -> Expr {
    let y = aliases.fresh();
    let u = aliases.fresh();
    let earlier_target = Expr::all(vec![
        Expr::cmp(Expr::col(u, "rid"), CmpOp::Lt, Expr::col(t, "rid")).unindexed(),
        target_test(chain, u, aliases),
    ]);
    let earlier_reference = Expr::all(vec![
        Expr::eq(Expr::col(u, "rid"), Expr::col(t, "rid")).unindexed(),
        Expr::cmp(Expr::col(y, "ord"), CmpOp::Lt, Expr::col(x, "ord")).unindexed(),
    ]);
    Expr::exists(
        Select::from(Table::IdxReference, y)
            .column(Expr::Literal(1))
            .join(Table::Resource, u, is_target_of(u, y))
            .filter(Expr::eq(Expr::col(y, "rid"), Expr::col(r, "rid")))
            .filter(key_test(y, &[chain.key]))
            // The row `x` itself, usually the only one, needs no lookup.
            .filter(Expr::cmp(Expr::col(y, "ord"), CmpOp::Ne, Expr::col(x, "ord")).unindexed())
            .filter(Expr::any(
                chain
                    .targets
                    .iter()
                    .map(|(target_type, _)| {
                        Expr::eq(Expr::col(y, "target_type"), Expr::text(*target_type))
                    })
                    .collect(),
            ))
            .filter(Expr::eq(Expr::col(u, "deleted"), Expr::Literal(0)).unindexed())
            .filter(Expr::any(vec![earlier_target, earlier_reference])),
    )
}
