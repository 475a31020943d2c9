//! A patient's compartment in SQL: which rows a compartment search
//! (`Patient/X/Observation`, `$everything`, a patient-level export) covers.
//!
//! A resource is in X's compartment when it refers to `Patient/X` through
//! one of its type's compartment parameters (R4 CompartmentDefinition), or
//! is Patient X. Every resource keeps one patient key, the first such
//! patient, so "patient key = X" finds almost all of them from one index
//! range; the rest are the resources that refer to X while their key names
//! another patient (a family appointment listing X second). Those are read
//! from `idx_reference_target`, which carries each row's `patient_hash`: with
//! the target's type known, three ranges of it (none, below X's, above X's),
//! each next to empty.

use super::hash::patient_hash;
use super::plan::{CompartmentPlan, IndexTable, Predicate};
use super::predicate::{key_test, predicate};
use super::sql::{Alias, Aliases, CmpOp, Expr, Query, Select, SqlValue, Table};

/// The types a compartment driver reads own rows of.
pub(super) enum OwnTypes<'a> {
    One(&'a str),
    Some(Vec<String>),
    All,
}

/// The rids of the compartment's resources of `types`: the rows whose
/// patient key is the patient's, and the referrers kept under another key
/// (any type: the caller tests the type).
pub(super) fn compartment_rids(
    compartment: &CompartmentPlan,
    types: OwnTypes<'_>,
    aliases: &mut Aliases,
) -> Query {
    let g = aliases.fresh();
    let mut own = Select::from(Table::Resource, g)
        .column(Expr::col(g, "rid"))
        .filter(Expr::eq(
            Expr::col(g, "patient_key"),
            Expr::text(&compartment.patient),
        ));
    match types {
        OwnTypes::One(resource_type) => {
            own = own.filter(Expr::eq(
                Expr::col(g, "resource_type"),
                Expr::text(resource_type),
            ));
        }
        OwnTypes::Some(types) => {
            own = own.filter(Expr::col(g, "resource_type").in_list(SqlValue::TextList(types)));
        }
        OwnTypes::All => {}
    }
    let mut arms = vec![own];
    arms.extend(members_elsewhere(compartment, aliases));
    Query::UnionAll(arms)
}

/// The rids of the compartment's members kept under another patient key
/// (usually none).
pub(super) fn members_elsewhere(
    compartment: &CompartmentPlan,
    aliases: &mut Aliases,
) -> Vec<Select> {
    referrers_elsewhere(
        &patient_reference(compartment),
        &compartment.keys,
        patient_hash(&compartment.patient),
        true,
        aliases,
    )
}

/// Whether resource row `r` is in the compartment, as a probe: its patient
/// key, else one of its reference rows under a compartment parameter.
pub(super) fn in_compartment(
    compartment: &CompartmentPlan,
    r: Alias,
    aliases: &mut Aliases,
) -> Expr {
    let own = Expr::eq(
        Expr::col(r, "patient_key"),
        Expr::text(&compartment.patient),
    )
    .unindexed();
    if compartment.keys.is_empty() {
        return own;
    }
    let y = aliases.fresh();
    let refers = Select::from(Table::IdxReference, y)
        .column(Expr::Literal(1))
        .filter(Expr::eq(Expr::col(y, "rid"), Expr::col(r, "rid")))
        .filter(key_test(y, &compartment.keys))
        // Found by rid: the target's range holds the whole chart.
        .filter(predicate(IndexTable::Reference, y, &patient_reference(compartment)).unindexed());
    Expr::any(vec![own, Expr::exists(refers)])
}

/// The rids of the reference rows under `keys` matching `reference` whose
/// resource's patient key is not the one hashed `hash`. With the target's
/// type known (`typed`), `patient_hash` follows it in the index: three
/// ranges (none, below, above), each next to empty. Without it, one pass
/// over every reference to the id, testing each. No keys, no rows.
pub(super) fn referrers_elsewhere(
    reference: &Predicate,
    keys: &[i64],
    hash: i64,
    typed: bool,
    aliases: &mut Aliases,
) -> Vec<Select> {
    if keys.is_empty() {
        return Vec::new();
    }
    let elsewhere: Vec<fn(Expr, i64) -> Expr> = if typed {
        vec![
            |patient, _| Expr::IsNull(Box::new(patient)),
            |patient, hash| Expr::cmp(patient, CmpOp::Lt, Expr::int(hash)),
            |patient, hash| Expr::cmp(patient, CmpOp::Gt, Expr::int(hash)),
        ]
    } else {
        vec![|patient, hash| {
            Expr::any(vec![
                Expr::IsNull(Box::new(patient.clone())),
                Expr::cmp(patient, CmpOp::Ne, Expr::int(hash)),
            ])
        }]
    };
    elsewhere
        .into_iter()
        .map(|test| {
            let y = aliases.fresh();
            Select::from(Table::IdxReference, y)
                .column(Expr::col(y, "rid"))
                .filter(predicate(IndexTable::Reference, y, reference))
                .filter(key_test(y, keys))
                .filter(test(Expr::col(y, "patient_hash"), hash))
        })
        .collect()
}

/// `Patient/{patient}` as a reference row's target.
fn patient_reference(compartment: &CompartmentPlan) -> Predicate {
    Predicate::Reference {
        target_type: Some("Patient".to_owned()),
        id: compartment.patient.clone(),
    }
}
