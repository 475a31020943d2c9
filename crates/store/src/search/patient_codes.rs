//! The driver for "this patient's resources with this code": a chart
//! (`Observation?patient=X&code=http://loinc.org|29463-7`), a problem list
//! (`Condition?patient=X&clinical-status=active`), or the same inside a
//! patient compartment (`Patient/X/Observation?code=...`).
//!
//! Driven by the patient's reference alone, such a search probes every
//! resource of the patient for the code (hundreds per chart). Here the
//! candidates come from one range of `idx_token_patient_code`, which is keyed
//! by the patient key of each resource (`patient_hash`) and the code.
//!
//! The compartment key and `patient=X` are different tests: a resource can
//! refer to X under the searched parameter (or a compartment parameter)
//! while its own patient key is another patient. Those referrers are added
//! from `idx_reference_target`, which carries `patient_hash`, so finding them
//! reads the index alone (`super::compartment::referrers_elsewhere`). The
//! driver therefore holds every match; every criterion is still tested by
//! probe on the rows it yields, so the answer stays exact (hash collisions
//! included).

use super::compartment::{members_elsewhere, referrers_elsewhere};
use super::hash::patient_hash;
use super::plan::{Branch, CompartmentPlan, IndexTable, Predicate, Test};
use super::predicate::predicate;
use super::sql::{Alias, Aliases, Expr, Query, Select, Table};

/// `r.rid IN (...)` over the patient's own rows with the code, when the
/// branch has a code criterion and names its patient (a compartment, or a
/// criterion referring to one patient). `None` when it does not.
pub(super) fn patient_code_driver(
    branch: &Branch,
    compartment: Option<&CompartmentPlan>,
    r: Alias,
    aliases: &mut Aliases,
) -> Option<Expr> {
    let code = branch
        .criteria
        .iter()
        .find_map(|criterion| match criterion.as_slice() {
            [
                Test::Index {
                    table: IndexTable::Token,
                    predicate:
                        code @ (Predicate::TokenHash { .. } | Predicate::AnySystemTokenHash(_)),
                    negated: false,
                    ..
                },
            ] => Some(code),
            _ => None,
        })?;
    if let Some(compartment) = compartment {
        // Inside a compartment: the patient's own rows with the code, and
        // every compartment member kept under another patient key.
        let mut driver = vec![own_rows_with_code(
            patient_hash(&compartment.patient),
            code,
            aliases,
        )];
        driver.extend(members_elsewhere(compartment, aliases));
        return Some(Expr::col(r, "rid").in_driver(Query::UnionAll(driver)));
    }
    let (key, reference, id, typed) =
        branch
            .criteria
            .iter()
            .find_map(|criterion| match criterion.as_slice() {
                [
                    Test::Index {
                        table: IndexTable::Reference,
                        key,
                        predicate: reference @ Predicate::Reference { target_type, id },
                        negated: false,
                    },
                ] if target_type.as_deref().is_none_or(|t| t == "Patient") => {
                    Some((*key, reference, id, target_type.is_some()))
                }
                _ => None,
            })?;
    let hash = patient_hash(id);
    let mut driver = vec![own_rows_with_code(hash, code, aliases)];
    driver.extend(referrers_elsewhere(reference, &[key], hash, typed, aliases));
    Some(Expr::col(r, "rid").in_driver(Query::UnionAll(driver)))
}

/// The rids of the token rows of patient key `hash` with `code`.
fn own_rows_with_code(hash: i64, code: &Predicate, aliases: &mut Aliases) -> Select {
    let x = aliases.fresh();
    let select = Select::from(Table::IdxToken, x)
        .column(Expr::col(x, "rid"))
        .filter(Expr::eq(Expr::col(x, "patient_hash"), Expr::int(hash)));
    match code {
        Predicate::TokenHash { hash, any_system } => select
            .filter(Expr::eq(
                Expr::col(x, "any_code_hash"),
                Expr::int(*any_system),
            ))
            .filter(Expr::eq(Expr::col(x, "code_hash"), Expr::int(*hash))),
        other => select.filter(predicate(IndexTable::Token, x, other)),
    }
}
