//! From a [`SearchPlan`] to the typed SQL tree of each statement a search
//! runs: the page, the total, the includes and the loading of versions.
//!
//! The one strategic choice is the **driver**: of a single-type search's
//! criteria (and its patient compartment), the most selective one that an
//! index leads with becomes `r.rid IN (SELECT rid FROM idx_... WHERE ...)`
//! and every other test is a correlated `EXISTS` probe by rid. Tests on the
//! resource row that must not steer the planner away from the driver are
//! marked unindexed (`+r.resource_type`). Without a driver the search scans
//! the type (or the patient's chart) in rid order, which a LIMIT stops early.

use super::chain_nested::{nested_links, nested_page};
use super::chain_order::{chain_driver, chain_page};
use super::compartment::{OwnTypes, compartment_rids, in_compartment};
use super::patient_codes::{PatientCodeDriver, patient_code_driver};
use super::plan::{Branch, ChainWalk, CompartmentPlan, Cursor, SearchPlan, Test};
use super::predicate::{driver_score, sort_value};
use super::probes::{criterion_expr, rid_set, test_expr};
use super::sql::{
    Alias, Aliases, CmpOp, Expr, Order, OrderTerm, Query, Select, Source, SqlValue, Table,
};

/// Output column names of the page's derived table, one per sort key.
const SORT_COLUMNS: [&str; super::plan::MAX_SORT_KEYS] =
    ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"];

/// The page: `rid, seq` and each sort value, `page_size + 1` rows (the extra
/// one says whether there is a next page).
pub fn page_query(plan: &SearchPlan) -> Query {
    let mut aliases = Aliases::default();
    let r = aliases.fresh();
    let filters = filters(plan, r, &mut aliases);
    let limit = i64::try_from(plan.page_size.saturating_add(1)).unwrap_or(i64::MAX);
    if plan.chain_walk != ChainWalk::None
        && let Some(chain) = chain_driver(plan)
    {
        if plan.chain_walk == ChainWalk::Nested
            && let Some(links) = nested_links(&chain)
        {
            return nested_page(plan, &chain, &links, limit);
        }
        return chain_page(plan, &chain, limit);
    }
    if plan.sort.is_empty() {
        let mut select = Select::from(Table::Resource, r)
            .column(Expr::col(r, "rid"))
            .column(Expr::col(r, "seq"));
        select.filter = filters;
        if let Some(cursor) = &plan.after {
            select.filter.push(Expr::cmp(
                Expr::col(r, "rid"),
                CmpOp::Gt,
                Expr::int(cursor.rid),
            ));
        }
        select.order_by.push(OrderTerm {
            expr: Expr::col(r, "rid"),
            order: Order::Ascending,
        });
        select.limit = Some(limit);
        return Query::Select(select);
    }
    let mut inner = Select::from(Table::Resource, r)
        .named(Expr::col(r, "rid"), "rid")
        .named(Expr::col(r, "seq"), "seq");
    for (sort, name) in plan.sort.iter().zip(SORT_COLUMNS) {
        inner = inner.named(sort_value(sort, r, &mut aliases), name);
    }
    inner.filter = filters;
    let p = aliases.fresh();
    let mut outer = Select {
        distinct: false,
        columns: Vec::new(),
        from: Source::Derived(Box::new(Query::Select(inner)), p),
        joins: Vec::new(),
        filter: Vec::new(),
        order_by: Vec::new(),
        limit: Some(limit),
    }
    .column(Expr::col(p, "rid"))
    .column(Expr::col(p, "seq"));
    for (sort, name) in plan.sort.iter().zip(SORT_COLUMNS) {
        outer = outer.column(Expr::col(p, name));
        outer.order_by.push(OrderTerm {
            expr: Expr::col(p, name),
            order: if sort.descending() {
                Order::DescendingNullsLast
            } else {
                Order::AscendingNullsLast
            },
        });
    }
    outer.order_by.push(OrderTerm {
        expr: Expr::col(p, "rid"),
        order: Order::Ascending,
    });
    if let Some(cursor) = &plan.after {
        outer.filter.push(keyset(plan, p, cursor));
    }
    Query::Select(outer)
}

/// The number of matches, counted without reading any resource body.
pub fn count_query(plan: &SearchPlan) -> Query {
    let mut aliases = Aliases::default();
    if let Some(counted) = count_from_index(plan, &mut aliases) {
        return counted;
    }
    let r = aliases.fresh();
    let mut select = Select::from(Table::Resource, r).column(Expr::CountAll);
    select.filter = filters(plan, r, &mut aliases);
    Query::Select(select)
}

/// The count of a one-type search read from index rows alone, when its
/// driver is an index and every other test needs only the rid: index rows
/// exist only for live resources and their keys carry the type, so the
/// resource rows need not be read. `None` when the search needs them.
fn count_from_index(plan: &SearchPlan, aliases: &mut Aliases) -> Option<Query> {
    let [branch] = plan.branches.as_slice() else {
        return None;
    };
    if plan.compartment.is_some() || !branch.criteria.iter().flatten().all(needs_only_rid) {
        return None;
    }
    let (_, driver) = best_criterion(branch)?;
    let [driving] = branch.criteria[driver].as_slice() else {
        return None;
    };
    let mut rids = rid_set(driving, &branch.resource_type, aliases)?;
    rids.distinct = true;
    rids.columns = vec![(rids.columns.pop()?.0, Some("rid"))];
    let p = aliases.fresh();
    let mut count = Select {
        distinct: false,
        columns: vec![(Expr::CountAll, None)],
        from: Source::Derived(Box::new(Query::Select(rids)), p),
        joins: Vec::new(),
        filter: Vec::new(),
        order_by: Vec::new(),
        limit: None,
    };
    for (i, criterion) in branch.criteria.iter().enumerate() {
        if i != driver {
            count.filter.push(criterion_expr(criterion, p, aliases));
        }
    }
    Some(Query::Select(count))
}

/// Whether a test reads nothing of the resource row but its rid.
fn needs_only_rid(test: &Test) -> bool {
    match test {
        Test::Index { .. } | Test::Composite { .. } | Test::Missing { .. } | Test::Chain { .. } => {
            true
        }
        Test::Ids(_) | Test::LastUpdated { .. } | Test::Has { .. } => false,
        Test::AnyOf(tests) | Test::AllOf(tests) => tests.iter().all(needs_only_rid),
    }
}

/// Rows after `cursor` in the order (sort values, nulls last; then rid).
fn keyset(plan: &SearchPlan, p: Alias, cursor: &Cursor) -> Expr {
    let mut ways = Vec::with_capacity(plan.sort.len() + 1);
    let mut equal_so_far: Vec<Expr> = Vec::new();
    for ((sort, name), value) in plan.sort.iter().zip(SORT_COLUMNS).zip(&cursor.values) {
        let column = Expr::col(p, name);
        let is_null = Expr::IsNull(Box::new(column.clone()));
        if *value != SqlValue::Null {
            let op = if sort.descending() {
                CmpOp::Lt
            } else {
                CmpOp::Gt
            };
            let beyond = Expr::any(vec![
                Expr::cmp(column.clone(), op, Expr::Value(value.clone())),
                is_null,
            ]);
            let mut way = equal_so_far.clone();
            way.push(beyond);
            ways.push(Expr::all(way));
            equal_so_far.push(Expr::eq(column, Expr::Value(value.clone())));
        } else {
            // Nulls sort last: after a null come only other nulls.
            equal_so_far.push(is_null);
        }
    }
    equal_so_far.push(Expr::cmp(
        Expr::col(p, "rid"),
        CmpOp::Gt,
        Expr::int(cursor.rid),
    ));
    ways.push(Expr::all(equal_so_far));
    Expr::any(ways)
}

/// Every filter on resource row `r`.
fn filters(plan: &SearchPlan, r: Alias, aliases: &mut Aliases) -> Vec<Expr> {
    let compartment = plan.compartment.as_ref();
    let mut filters = match plan.branches.as_slice() {
        [] => compartment
            .map(|c| vec![compartment_driver(c, OwnTypes::All, r, aliases)])
            .unwrap_or_default(),
        [branch] => branch_filters(branch, r, compartment, aliases),
        branches => {
            let types: Vec<String> = branches.iter().map(|b| b.resource_type.clone()).collect();
            let mut filters = Vec::new();
            let of_types = Expr::col(r, "resource_type").in_list(SqlValue::TextList(types.clone()));
            match compartment {
                Some(c) => {
                    filters.push(compartment_driver(c, OwnTypes::Some(types), r, aliases));
                    filters.push(of_types.unindexed());
                }
                None => filters.push(of_types),
            }
            if branches.iter().any(|b| !b.criteria.is_empty()) {
                let alternatives = branches
                    .iter()
                    .map(|branch| {
                        let mut parts = vec![
                            Expr::eq(
                                Expr::col(r, "resource_type"),
                                Expr::text(&branch.resource_type),
                            )
                            .unindexed(),
                        ];
                        for criterion in &branch.criteria {
                            parts.push(criterion_expr(criterion, r, aliases));
                        }
                        Expr::all(parts)
                    })
                    .collect();
                filters.push(Expr::any(alternatives));
            }
            filters
        }
    };
    filters.push(Expr::eq(Expr::col(r, "deleted"), Expr::Literal(0)).unindexed());
    filters
}

/// `r.rid IN (...)` over the compartment's resources of `types`.
fn compartment_driver(
    compartment: &CompartmentPlan,
    types: OwnTypes<'_>,
    r: Alias,
    aliases: &mut Aliases,
) -> Expr {
    Expr::col(r, "rid").in_driver(compartment_rids(compartment, types, aliases))
}

/// The filters of one resource type, driven by its most selective criterion.
pub(super) fn branch_filters(
    branch: &Branch,
    r: Alias,
    compartment: Option<&CompartmentPlan>,
    aliases: &mut Aliases,
) -> Vec<Expr> {
    let resource_type = Expr::eq(
        Expr::col(r, "resource_type"),
        Expr::text(&branch.resource_type),
    );
    // The patient's compartment is small and indexed: it beats every
    // criterion but a list of ids.
    const COMPARTMENT_SCORE: u8 = 1;
    let best = best_criterion(branch);
    let driver = best.filter(|(score, _)| compartment.is_none() || *score < COMPARTMENT_SCORE);
    let mut filters = Vec::with_capacity(branch.criteria.len() + 3);
    // Only a list of ids (or a test that matches nothing) beats the
    // patient's own rows with a code.
    if best.is_none_or(|(score, _)| score > 0)
        && let Some(PatientCodeDriver { driver, code }) =
            patient_code_driver(branch, compartment, r, aliases)
    {
        filters.push(driver);
        filters.push(resource_type.unindexed());
        if let Some(c) = compartment {
            filters.push(in_compartment(c, r, aliases));
        }
        let (code_criterion, mut code_test) = (code.0, Some(code.1));
        for (i, criterion) in branch.criteria.iter().enumerate() {
            match code_test.take_if(|_| i == code_criterion) {
                Some(test) => filters.push(test),
                None => filters.push(criterion_expr(criterion, r, aliases)),
            }
        }
        return filters;
    }
    match (driver, compartment) {
        (Some((_, index)), _) => {
            let (expr, type_indexed) =
                driver_expr(&branch.criteria[index], r, &branch.resource_type, aliases);
            filters.push(expr);
            filters.push(if type_indexed {
                resource_type
            } else {
                resource_type.unindexed()
            });
            if let Some(c) = compartment {
                filters.push(in_compartment(c, r, aliases));
            }
        }
        (None, Some(c)) => {
            filters.push(compartment_driver(
                c,
                OwnTypes::One(&branch.resource_type),
                r,
                aliases,
            ));
            filters.push(resource_type.unindexed());
        }
        (None, None) => filters.push(resource_type),
    }
    for (i, criterion) in branch.criteria.iter().enumerate() {
        if driver.is_some_and(|(_, index)| index == i) {
            continue;
        }
        filters.push(criterion_expr(criterion, r, aliases));
    }
    filters
}

/// The most selective criterion that can drive, with its score (lower is
/// more selective) and index.
pub(super) fn best_criterion(branch: &Branch) -> Option<(u8, usize)> {
    branch
        .criteria
        .iter()
        .enumerate()
        .filter_map(|(i, criterion)| criterion_score(criterion).map(|score| (score, i)))
        .min()
}

/// A criterion's score as a driver: every alternative must have an index.
fn criterion_score(criterion: &[Test]) -> Option<u8> {
    let mut worst = 0;
    for test in criterion {
        let score = match test {
            Test::Ids(_) => 0,
            Test::Index {
                predicate,
                negated: false,
                ..
            } => driver_score(predicate)?,
            Test::Chain { .. } | Test::Has { .. } => 6,
            _ => return None,
        };
        worst = worst.max(score);
    }
    (!criterion.is_empty()).then_some(worst + u8::from(criterion.len() > 1))
}

/// The driving form of a criterion whose every test has one, and whether it
/// needs the type test indexed (ids are found through `(resource_type, id)`).
fn driver_expr(
    criterion: &[Test],
    r: Alias,
    resource_type: &str,
    aliases: &mut Aliases,
) -> (Expr, bool) {
    if let [Test::Ids(ids)] = criterion {
        return (
            Expr::col(r, "id").in_list(SqlValue::TextList(ids.clone())),
            true,
        );
    }
    let mut rid_sets = Vec::with_capacity(criterion.len());
    let mut others = Vec::new();
    for test in criterion {
        match rid_set(test, resource_type, aliases) {
            Some(select) => rid_sets.push(select),
            None => others.push(test_expr(test, r, aliases)),
        }
    }
    let mut ways = others;
    if !rid_sets.is_empty() {
        let query = if rid_sets.len() == 1 {
            Query::Select(rid_sets.remove(0))
        } else {
            Query::UnionAll(rid_sets)
        };
        ways.push(Expr::col(r, "rid").in_query(query));
    }
    (Expr::any(ways), false)
}
