//! One test of a search plan as SQL over a resource row: a boolean probe
//! by rid ([`test_expr`], [`criterion_expr`]), or the set of rids an index
//! leading with it yields ([`rid_set`]), which drives a statement.

use super::build::branch_filters;
use super::plan::{Branch, Test};
use super::predicate::{implies_key, key_test, point_range, predicate, table};
use super::sql::{Alias, Aliases, Expr, Join, JoinSource, Query, Select, SqlValue, Table};

/// The rids of resources passing `test`, from the index that leads with it.
pub(super) fn rid_set(test: &Test, resource_type: &str, aliases: &mut Aliases) -> Option<Select> {
    match test {
        Test::Index {
            table: index_table,
            key,
            predicate: tested,
            negated: false,
        } => {
            let x = aliases.fresh();
            let mut select = Select::from(table(*index_table), x).column(Expr::col(x, "rid"));
            select.filter.push(predicate(*index_table, x, tested));
            if !implies_key(tested) {
                select.filter.push(key_test(x, &[*key]));
            }
            Some(select)
        }
        Test::Chain {
            key,
            target_type,
            inner,
        } => {
            let x = aliases.fresh();
            let t = aliases.fresh();
            let mut targets = Select::from(Table::Resource, t).column(Expr::col(t, "id"));
            let inner_branch = Branch {
                resource_type: target_type.clone(),
                criteria: vec![vec![(**inner).clone()]],
            };
            targets.filter = branch_filters(&inner_branch, t, None, aliases);
            targets
                .filter
                .push(Expr::eq(Expr::col(t, "deleted"), Expr::Literal(0)).unindexed());
            Some(
                Select::from(Table::IdxReference, x)
                    .column(Expr::col(x, "rid"))
                    .filter(Expr::col(x, "target_id").in_query(Query::Select(targets)))
                    .filter(Expr::eq(
                        Expr::col(x, "target_type"),
                        Expr::text(target_type),
                    ))
                    .filter(key_test(x, &[*key])),
            )
        }
        Test::Has { .. } => {
            // Targets found through the referring sources: the ids they point
            // to, looked up through (resource_type, id).
            let r = aliases.fresh();
            Some(
                Select::from(Table::Resource, r)
                    .column(Expr::col(r, "rid"))
                    .filter(Expr::eq(
                        Expr::col(r, "resource_type"),
                        Expr::text(resource_type),
                    ))
                    .filter(Expr::col(r, "id").in_query(Query::Select(has_targets(
                        test,
                        resource_type,
                        aliases,
                    )?))),
            )
        }
        _ => None,
    }
}

/// For a `_has` test: the ids of `resource_type` that passing sources refer to.
fn has_targets(test: &Test, resource_type: &str, aliases: &mut Aliases) -> Option<Select> {
    let Test::Has {
        key,
        source_type,
        inner,
    } = test
    else {
        return None;
    };
    let x = aliases.fresh();
    let s = aliases.fresh();
    let inner_branch = Branch {
        resource_type: source_type.clone(),
        criteria: vec![vec![(**inner).clone()]],
    };
    let mut select = Select::from(Table::Resource, s)
        .column(Expr::col(x, "target_id"))
        .join(
            Table::IdxReference,
            x,
            Expr::eq(Expr::col(x, "rid"), Expr::col(s, "rid")),
        );
    select.filter = branch_filters(&inner_branch, s, None, aliases);
    select
        .filter
        .push(Expr::eq(Expr::col(s, "deleted"), Expr::Literal(0)).unindexed());
    select.filter.push(key_test(x, &[*key]));
    select.filter.push(Expr::eq(
        Expr::col(x, "target_type"),
        Expr::text(resource_type),
    ));
    Some(select)
}

/// An OR of tests as a boolean on resource row `r`.
pub(super) fn criterion_expr(criterion: &[Test], r: Alias, aliases: &mut Aliases) -> Expr {
    Expr::any(
        criterion
            .iter()
            .map(|test| test_expr(test, r, aliases))
            .collect(),
    )
}

/// Whether resource row `t` is the target of reference row `x`.
pub(super) fn is_target_of(t: Alias, x: Alias) -> Expr {
    Expr::all(vec![
        Expr::eq(Expr::col(t, "resource_type"), Expr::col(x, "target_type")),
        Expr::eq(Expr::col(t, "id"), Expr::col(x, "target_id")),
    ])
}

/// One test as a boolean on resource row `r`, probing indexes by rid.
pub(super) fn test_expr(test: &Test, r: Alias, aliases: &mut Aliases) -> Expr {
    match test {
        Test::Index {
            table: index_table,
            key,
            predicate: tested,
            negated,
        } => {
            // A probe goes by the primary key (rid, param_hash): the value
            // test is kept off the value indexes, which would otherwise walk
            // every resource's rows for a common code.
            let x = aliases.fresh();
            let select = Select::from(table(*index_table), x)
                .column(Expr::Literal(1))
                .filter(Expr::eq(Expr::col(x, "rid"), Expr::col(r, "rid")))
                .filter(key_test(x, &[*key]))
                .filter(predicate(*index_table, x, tested).unindexed());
            let exists = Expr::exists(select);
            if *negated { exists.negated() } else { exists }
        }
        Test::Composite { parts } => {
            let Some(((first_table, first_key, first), rest)) = parts.split_first() else {
                return Expr::Bool(false);
            };
            let x = aliases.fresh();
            let mut select = Select::from(table(*first_table), x)
                .column(Expr::Literal(1))
                .filter(Expr::eq(Expr::col(x, "rid"), Expr::col(r, "rid")))
                .filter(key_test(x, &[*first_key]))
                .filter(predicate(*first_table, x, first).unindexed());
            for (part_table, part_key, part) in rest {
                let y = aliases.fresh();
                select.joins.push(Join {
                    source: JoinSource::Table(table(*part_table)),
                    alias: y,
                    on: Expr::all(vec![
                        Expr::eq(Expr::col(y, "rid"), Expr::col(x, "rid")),
                        key_test(y, &[*part_key]),
                        Expr::eq(Expr::col(y, "ord"), Expr::col(x, "ord")),
                    ]),
                });
                select
                    .filter
                    .push(predicate(*part_table, y, part).unindexed());
            }
            Expr::exists(select)
        }
        Test::Missing { keys, missing } => {
            let present = Expr::any(
                Table::INDEXES
                    .iter()
                    .map(|index_table| {
                        let x = aliases.fresh();
                        Expr::exists(
                            Select::from(*index_table, x)
                                .column(Expr::Literal(1))
                                .filter(Expr::eq(Expr::col(x, "rid"), Expr::col(r, "rid")))
                                .filter(key_test(x, keys)),
                        )
                    })
                    .collect(),
            );
            if *missing { present.negated() } else { present }
        }
        Test::AnyOf(tests) => Expr::any(tests.iter().map(|t| test_expr(t, r, aliases)).collect()),
        Test::AllOf(tests) => Expr::all(tests.iter().map(|t| test_expr(t, r, aliases)).collect()),
        Test::Ids(ids) => Expr::col(r, "id").in_list(SqlValue::TextList(ids.clone())),
        Test::LastUpdated { range, negated } => {
            let test = point_range(r, "last_updated", range);
            if *negated { test.negated() } else { test }
        }
        Test::Chain {
            key,
            target_type,
            inner,
        } => {
            let x = aliases.fresh();
            let t = aliases.fresh();
            let inner_test = test_expr(inner, t, aliases);
            Expr::exists(
                Select::from(Table::IdxReference, x)
                    .column(Expr::Literal(1))
                    .join(Table::Resource, t, is_target_of(t, x))
                    .filter(Expr::eq(Expr::col(x, "rid"), Expr::col(r, "rid")))
                    .filter(key_test(x, &[*key]))
                    .filter(Expr::eq(
                        Expr::col(x, "target_type"),
                        Expr::text(target_type),
                    ))
                    .filter(Expr::eq(Expr::col(t, "deleted"), Expr::Literal(0)).unindexed())
                    .filter(inner_test),
            )
        }
        Test::Has { key, inner, .. } => {
            let x = aliases.fresh();
            let s = aliases.fresh();
            let inner_test = test_expr(inner, s, aliases);
            Expr::exists(
                Select::from(Table::IdxReference, x)
                    .column(Expr::Literal(1))
                    .join(
                        Table::Resource,
                        s,
                        Expr::eq(Expr::col(s, "rid"), Expr::col(x, "rid")),
                    )
                    .filter(Expr::eq(Expr::col(x, "target_id"), Expr::col(r, "id")))
                    .filter(Expr::eq(
                        Expr::col(x, "target_type"),
                        Expr::col(r, "resource_type"),
                    ))
                    .filter(key_test(x, &[*key]))
                    .filter(Expr::eq(Expr::col(s, "deleted"), Expr::Literal(0)).unindexed())
                    .filter(inner_test),
            )
        }
    }
}
