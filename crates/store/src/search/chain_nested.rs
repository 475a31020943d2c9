//! The page of a search that a two-link chain drives, walked from the
//! innermost targets (SQLite).
//!
//! `Observation?encounter.patient.family=smi` ordered by its first targets
//! ([`super::chain_order`]) must still gather every Encounter of every
//! patient named Smi… (about 570 over a dozen patients) and sort them
//! before it walks the first. Walked from the patients instead, in the
//! order (patient rid, link key, encounter's patient hash, encounter rid,
//! rid), every level comes from an index in that order: the patients from
//! the name's index rows (a dozen, sorted), each patient's Encounters from
//! `idx_reference_target` (equal target, so ordered by the remaining key
//! columns), and each Encounter's Observations, the only level sorted,
//! a few at a time. The page stops once full.
//!
//! A path is (innermost target, the link's reference row, the first
//! target, the source's reference row). A resource reachable by several
//! paths comes once, at its first: two probes leave out a row when its
//! first target reaches an earlier matching innermost target (or the same
//! one through an earlier reference row), or when the resource reaches an
//! earlier path through another of its reference rows. Both are usually a
//! single index seek that finds the row's own reference.

use super::chain_order::ChainDriver;
use super::plan::{SearchPlan, Test};
use super::predicate::key_test;
use super::probes::{criterion_expr, is_target_of, rid_set, test_expr};
use super::sql::{Alias, Aliases, CmpOp, Expr, Order, OrderTerm, Query, Select, Table};

/// One way through a two-link chain: the first target's type, the second
/// link's key on it, and the innermost target's type and test.
#[derive(Debug, Clone, Copy)]
pub struct Link<'a> {
    first_type: &'a str,
    key: i64,
    target_type: &'a str,
    inner: &'a Test,
}

/// The links of `chain` when every way through it is exactly two links
/// deep and ends in an indexed test, one test per innermost type (a target
/// of that type reached by any link must pass it); `None` otherwise.
pub fn nested_links<'a>(chain: &ChainDriver<'a>) -> Option<Vec<Link<'a>>> {
    let links: Vec<Link<'a>> = chain
        .targets
        .iter()
        // An index test that is not negated always has a rid set (the
        // innermost targets' driver).
        .map(|(first_type, test)| match test {
            Test::Chain {
                key,
                target_type,
                inner,
            } if matches!(**inner, Test::Index { negated: false, .. }) => Some(Link {
                first_type,
                key: *key,
                target_type,
                inner,
            }),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let one_test_per_type = links.iter().all(|a| {
        links
            .iter()
            .all(|b| a.target_type != b.target_type || a.inner == b.inner)
    });
    one_test_per_type.then_some(links)
}

/// The page: `rid, seq` and the path's order values (innermost rid, link
/// key, first target's patient hash, first target's rid), `limit` rows.
pub fn nested_page(
    plan: &SearchPlan,
    chain: &ChainDriver<'_>,
    links: &[Link<'_>],
    limit: i64,
) -> Query {
    let mut aliases = Aliases::default();
    let [q, xe, e, xo, o] = [(); 5].map(|()| aliases.fresh());
    let link_keys: Vec<i64> = links.iter().map(|link| link.key).collect();
    let mut page = Select::from(Table::Resource, q)
        .column(Expr::col(o, "rid"))
        .column(Expr::col(o, "seq"))
        .column(Expr::col(q, "rid"))
        .column(Expr::col(xe, "param_hash"))
        .column(Expr::col(xe, "patient_hash"))
        .column(Expr::col(xe, "rid"))
        .join(
            Table::IdxReference,
            xe,
            Expr::all(vec![is_target_of(q, xe), key_test(xe, &link_keys)]),
        )
        .join(
            Table::Resource,
            e,
            Expr::eq(Expr::col(e, "rid"), Expr::col(xe, "rid")),
        )
        .join(
            Table::IdxReference,
            xo,
            Expr::all(vec![is_target_of(e, xo), key_test(xo, &[chain.key])]),
        )
        .join(
            Table::Resource,
            o,
            Expr::eq(Expr::col(o, "rid"), Expr::col(xo, "rid")),
        );
    page.filter
        .push(Expr::col(q, "rid").in_driver(innermost_rids(links, &mut aliases)));
    page.filter
        .push(linked_as_planned(links, q, xe).unindexed());
    for alias in [q, e, o] {
        page.filter
            .push(Expr::eq(Expr::col(alias, "deleted"), Expr::Literal(0)).unindexed());
    }
    page.filter.push(
        Expr::eq(
            Expr::col(o, "resource_type"),
            Expr::text(&chain.branch.resource_type),
        )
        .unindexed(),
    );
    for (i, criterion) in chain.branch.criteria.iter().enumerate() {
        if i != chain.index {
            page.filter.push(criterion_expr(criterion, o, &mut aliases));
        }
    }
    let path = |q: Alias, xe: Alias| {
        vec![
            (Expr::col(q, "rid"), false),
            (Expr::col(xe, "param_hash"), false),
            (Expr::col(xe, "patient_hash"), true),
            (Expr::col(xe, "rid"), false),
        ]
    };
    page.filter
        .push(earlier_innermost(links, &link_keys, q, xe, &mut aliases).negated());
    page.filter.push(
        earlier_path(
            chain,
            links,
            &link_keys,
            (q, xe, e, xo, o),
            &path,
            &mut aliases,
        )
        .negated(),
    );
    if let Some(cursor) = &plan.after {
        if let Some(first) = cursor.values.first() {
            page.filter.push(Expr::cmp(
                Expr::col(q, "rid"),
                CmpOp::Ge,
                Expr::Value(first.clone()),
            ));
        }
        let mut after: Vec<(Expr, Expr, bool)> = cursor
            .values
            .iter()
            .zip(path(q, xe))
            .map(|(value, (column, nullable))| (Expr::Value(value.clone()), column, nullable))
            .collect();
        after.push((Expr::int(cursor.rid), Expr::col(o, "rid"), false));
        page.filter.push(before(after).unindexed());
    }
    page.order_by = [
        Expr::col(q, "rid"),
        Expr::col(xe, "param_hash"),
        Expr::col(xe, "patient_hash"),
        Expr::col(xe, "rid"),
        Expr::col(o, "rid"),
    ]
    .into_iter()
    .map(|expr| OrderTerm {
        expr,
        order: Order::Ascending,
    })
    .collect();
    page.limit = Some(limit);
    Query::Select(page)
}

/// The innermost targets' rids, one index range per distinct test.
fn innermost_rids(links: &[Link<'_>], aliases: &mut Aliases) -> Query {
    let mut seen: Vec<(&str, &Test)> = Vec::new();
    let mut arms = Vec::new();
    for link in links {
        if seen.contains(&(link.target_type, link.inner)) {
            continue;
        }
        seen.push((link.target_type, link.inner));
        if let Some(rids) = rid_set(link.inner, link.target_type, aliases) {
            arms.push(rids);
        }
    }
    Query::UnionAll(arms)
}

/// Whether reference row `x` (under a link key) and its target row `t`
/// are one of the links: the key's innermost type is the target's.
fn linked_as_planned(links: &[Link<'_>], t: Alias, x: Alias) -> Expr {
    Expr::any(
        links
            .iter()
            .map(|link| {
                Expr::all(vec![
                    Expr::eq(Expr::col(x, "param_hash"), Expr::int(link.key)),
                    Expr::eq(Expr::col(t, "resource_type"), Expr::text(link.target_type)),
                ])
            })
            .collect(),
    )
}

/// Whether target row `t`, reached by reference row `x`, is a live
/// innermost target passing its link's test.
fn innermost_match(links: &[Link<'_>], t: Alias, x: Alias, aliases: &mut Aliases) -> Expr {
    Expr::all(vec![
        Expr::eq(Expr::col(t, "deleted"), Expr::Literal(0)).unindexed(),
        Expr::any(
            links
                .iter()
                .map(|link| {
                    Expr::all(vec![
                        Expr::eq(Expr::col(x, "param_hash"), Expr::int(link.key)).unindexed(),
                        Expr::eq(Expr::col(t, "resource_type"), Expr::text(link.target_type))
                            .unindexed(),
                        test_expr(link.inner, t, aliases),
                    ])
                })
                .collect(),
        ),
    ])
}

/// Whether the first target of link row `xe` reaches a matching innermost
/// target by an earlier path than (`q`, `xe`): through another of its link
/// rows, to a lower rid, or to `q` under a lower key or an earlier row.
fn earlier_innermost(
    links: &[Link<'_>],
    link_keys: &[i64],
    q: Alias,
    xe: Alias,
    aliases: &mut Aliases,
) -> Expr {
    let z = aliases.fresh();
    let v = aliases.fresh();
    let same_row = Expr::all(vec![
        Expr::eq(Expr::col(z, "param_hash"), Expr::col(xe, "param_hash")),
        Expr::eq(Expr::col(z, "ord"), Expr::col(xe, "ord")),
    ]);
    // The rows of one resource share its patient hash and rid: the path
    // order among them is (innermost rid, key, ord).
    let earlier = before(vec![
        (Expr::col(v, "rid"), Expr::col(q, "rid"), false),
        (
            Expr::col(z, "param_hash"),
            Expr::col(xe, "param_hash"),
            false,
        ),
        (Expr::col(z, "ord"), Expr::col(xe, "ord"), false),
    ]);
    let matches = innermost_match(links, v, z, aliases);
    Expr::exists(
        Select::from(Table::IdxReference, z)
            .column(Expr::Literal(1))
            .join(Table::Resource, v, is_target_of(v, z))
            .filter(Expr::eq(Expr::col(z, "rid"), Expr::col(xe, "rid")))
            .filter(key_test(z, link_keys))
            .filter(same_row.negated().unindexed())
            .filter(earlier.unindexed())
            .filter(matches),
    )
}

/// Whether source row `o` reaches a matching path before the current one
/// through another of its reference rows under the chain's key: to the
/// current first target by an earlier row, or to another first target whose
/// own path comes first.
fn earlier_path(
    chain: &ChainDriver<'_>,
    links: &[Link<'_>],
    link_keys: &[i64],
    (q, xe, e, xo, o): (Alias, Alias, Alias, Alias, Alias),
    path: &dyn Fn(Alias, Alias) -> Vec<(Expr, bool)>,
    aliases: &mut Aliases,
) -> Expr {
    let y = aliases.fresh();
    let u = aliases.fresh();
    let z = aliases.fresh();
    let v = aliases.fresh();
    let first_types = Expr::any(
        links
            .iter()
            .map(|link| Expr::eq(Expr::col(y, "target_type"), Expr::text(link.first_type)))
            .collect(),
    );
    let same_target_earlier_row = Expr::all(vec![
        Expr::eq(Expr::col(u, "rid"), Expr::col(e, "rid")),
        Expr::cmp(Expr::col(y, "ord"), CmpOp::Lt, Expr::col(xo, "ord")),
    ])
    .unindexed();
    let theirs: Vec<(Expr, Expr, bool)> = path(v, z)
        .into_iter()
        .zip(path(q, xe))
        .map(|((their, nullable), (ours, _))| (their, ours, nullable))
        .collect();
    let matches = innermost_match(links, v, z, aliases);
    let earlier_elsewhere = Expr::exists(
        Select::from(Table::IdxReference, z)
            .column(Expr::Literal(1))
            .join(Table::Resource, v, is_target_of(v, z))
            .filter(Expr::eq(Expr::col(z, "rid"), Expr::col(u, "rid")))
            .filter(key_test(z, link_keys))
            .filter(before(theirs).unindexed())
            .filter(matches),
    );
    Expr::exists(
        Select::from(Table::IdxReference, y)
            .column(Expr::Literal(1))
            .join(Table::Resource, u, is_target_of(u, y))
            .filter(Expr::eq(Expr::col(y, "rid"), Expr::col(o, "rid")))
            .filter(key_test(y, &[chain.key]))
            // The row `xo` itself, usually the only one, needs no lookup.
            .filter(Expr::cmp(Expr::col(y, "ord"), CmpOp::Ne, Expr::col(xo, "ord")).unindexed())
            .filter(first_types)
            .filter(Expr::eq(Expr::col(u, "deleted"), Expr::Literal(0)).unindexed())
            .filter(Expr::any(vec![same_target_earlier_row, earlier_elsewhere])),
    )
}

/// Whether tuple `a` comes before tuple `b` (pairs `(a_i, b_i, nullable)`),
/// in index order: lexicographic, a null before every value.
fn before(pairs: Vec<(Expr, Expr, bool)>) -> Expr {
    let mut ways = Vec::with_capacity(pairs.len());
    let mut equal_so_far: Vec<Expr> = Vec::new();
    for (a, b, nullable) in pairs {
        let (less, equal) = if nullable {
            let a_null = Expr::IsNull(Box::new(a.clone()));
            let b_null = Expr::IsNull(Box::new(b.clone()));
            (
                Expr::any(vec![
                    Expr::all(vec![a_null.clone(), b_null.clone().negated()]),
                    Expr::cmp(a.clone(), CmpOp::Lt, b.clone()),
                ]),
                Expr::any(vec![Expr::all(vec![a_null, b_null]), Expr::eq(a, b)]),
            )
        } else {
            (Expr::cmp(a.clone(), CmpOp::Lt, b.clone()), Expr::eq(a, b))
        };
        let mut way = equal_so_far.clone();
        way.push(less);
        ways.push(Expr::all(way));
        equal_so_far.push(equal);
    }
    Expr::any(ways)
}
