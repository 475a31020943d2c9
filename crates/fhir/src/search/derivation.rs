//! Parameters answered from other parameters' index rows instead of rows of
//! their own, decided from the definitions alone.
//!
//! R4 defines several Observation parameters as unions or pairings of
//! others: `combo-code` is `code` together with `component-code`, and
//! `code-value-quantity` pairs `code` with `value-quantity` on the
//! Observation itself. Storing their values again repeated a quarter of a
//! generated network's index rows. A parameter is **derived** when its
//! expression shows that its values are exactly other, stored parameters':
//!
//! - a *union*: its branches are exactly the branches of other parameters of
//!   the same type and kind (`Observation.code | Observation.component.code`);
//! - a *composite over the resource itself* (`expression: Observation`) whose
//!   every component is exactly another parameter: a composite pairs every
//!   value of each component found on one node, and here the node is the
//!   whole resource, so "one entry matches every part" is "the resource has a
//!   matching value of each parameter";
//! - a composite whose base has several branches, each such a root or the
//!   base of a stored composite with the same components
//!   (`combo-code-value-quantity` over `Observation | Observation.component`).
//!
//! Branches are compared after a normal form (`(X as T)` and `X.as(T)` are
//! one branch; a type's first letter is not significant, `DateTime` being
//! FHIRPath's name for `dateTime`). A `SampledData` branch of a quantity
//! parameter is dropped: it has no `value`, so it never yields a quantity.
//!
//! Reference parameters are never derived: chains, `_include`, `_has` and the
//! patient compartment read their rows by key.

use super::ParamType;
use super::registry::{SearchParam, split_top_level_union};
use std::collections::BTreeSet;

/// Where one alternative of a derived parameter's values is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DerivedFrom {
    /// Another parameter's values (`code` for `combo-code`).
    Param(String),
    /// One value of each of these parameters, by component position, on the
    /// same resource (`code` and `value-quantity` for `code-value-quantity`).
    Pairing(Vec<String>),
    /// A stored composite with the same components
    /// (`component-code-value-quantity` for `combo-code-value-quantity`).
    Composite(String),
}

/// Each parameter's derivation (`None`: it stores rows of its own), in the
/// order of `params`, all of one resource type.
pub(super) fn derivations(
    resource_type: &str,
    params: &[&SearchParam],
) -> Vec<Option<Vec<DerivedFrom>>> {
    let branches: Vec<Option<BTreeSet<String>>> = params
        .iter()
        .map(|param| {
            let text = param.expression.as_ref()?.text();
            normal_branches(text, param.param_type, "")
        })
        .collect();
    let mut derived: Vec<Option<Vec<DerivedFrom>>> = vec![None; params.len()];
    // Composites last (their components must be settled), and fewer
    // branches first: a union's parts have fewer branches than it, and must
    // themselves stay stored.
    let mut order: Vec<usize> = (0..params.len()).collect();
    order.sort_by_key(|&i| {
        (
            params[i].param_type == ParamType::Composite,
            branches[i].as_ref().map_or(0, BTreeSet::len),
        )
    });
    for &i in &order {
        let param = params[i];
        let Some(own) = &branches[i] else { continue };
        let stored = |j: usize| j != i && derived[j].is_none();
        derived[i] = match param.param_type {
            ParamType::Composite => composite(resource_type, params, &branches, i, &stored),
            ParamType::Reference | ParamType::Special => None,
            _ if own.len() < 2 => None,
            _ => union(params, &branches, i, &stored),
        };
    }
    derived
}

/// The stored parameters whose branches together are exactly `params[i]`'s.
fn union(
    params: &[&SearchParam],
    branches: &[Option<BTreeSet<String>>],
    i: usize,
    stored: &dyn Fn(usize) -> bool,
) -> Option<Vec<DerivedFrom>> {
    let own = branches[i].as_ref()?;
    let mut parts: Vec<usize> = (0..params.len())
        .filter(|&j| {
            stored(j)
                && params[j].param_type == params[i].param_type
                && params[j].code_value_set == params[i].code_value_set
                && branches[j]
                    .as_ref()
                    .is_some_and(|theirs| theirs.len() < own.len() && theirs.is_subset(own))
        })
        .collect();
    // The widest parts first; a part adding no branch is left out.
    parts.sort_by_key(|&j| std::cmp::Reverse(branches[j].as_ref().map_or(0, BTreeSet::len)));
    let mut covered = BTreeSet::new();
    let mut sources = Vec::new();
    for j in parts {
        let theirs = branches[j].as_ref()?;
        if !theirs.is_subset(&covered) {
            covered.extend(theirs.iter().cloned());
            sources.push(DerivedFrom::Param(params[j].code.clone()));
        }
    }
    (covered == *own).then_some(sources)
}

/// A composite's sources, one per branch of its base; `None` when some
/// branch has no equivalent.
fn composite(
    resource_type: &str,
    params: &[&SearchParam],
    branches: &[Option<BTreeSet<String>>],
    i: usize,
    stored: &dyn Fn(usize) -> bool,
) -> Option<Vec<DerivedFrom>> {
    let param = params[i];
    let mut sources = Vec::new();
    for branch in branches[i].as_ref()? {
        if branch == resource_type {
            let mut pairing = Vec::with_capacity(param.components.len());
            for component in &param.components {
                let wanted = normal_branches(
                    component.expression.text(),
                    component.param_type,
                    resource_type,
                )?;
                let j = (0..params.len()).find(|&j| {
                    stored(j)
                        && params[j].param_type == component.param_type
                        && params[j].code_value_set == component.code_value_set
                        && branches[j].as_ref() == Some(&wanted)
                })?;
                pairing.push(params[j].code.clone());
            }
            sources.push(DerivedFrom::Pairing(pairing));
        } else {
            let j = (0..params.len()).find(|&j| {
                stored(j)
                    && params[j].param_type == ParamType::Composite
                    && branches[j]
                        .as_ref()
                        .is_some_and(|theirs| theirs.len() == 1 && theirs.contains(branch))
                    && same_components(param, params[j])
            })?;
            sources.push(DerivedFrom::Composite(params[j].code.clone()));
        }
    }
    // A composite equal to one stored composite is that composite's twin:
    // leave both stored rather than choose.
    let pairs = sources
        .iter()
        .any(|source| matches!(source, DerivedFrom::Pairing(_)));
    (pairs || sources.len() > 1).then_some(sources)
}

fn same_components(a: &SearchParam, b: &SearchParam) -> bool {
    a.components.len() == b.components.len()
        && a.components.iter().zip(&b.components).all(|(x, y)| {
            x.param_type == y.param_type
                && x.code_value_set == y.code_value_set
                && normal_branches(x.expression.text(), x.param_type, "")
                    == normal_branches(y.expression.text(), y.param_type, "")
        })
}

/// The normal form of each union branch of `expression`, each prefixed with
/// `prefix` and a dot when `prefix` is not empty; `None` when the
/// expression does not split into plain branches.
fn normal_branches(
    expression: &str,
    param_type: ParamType,
    prefix: &str,
) -> Option<BTreeSet<String>> {
    let mut set = BTreeSet::new();
    for branch in split_top_level_union(expression)? {
        let branch = normal_branch(branch)?;
        if param_type == ParamType::Quantity && branch.ends_with(".as(sampledData)") {
            continue;
        }
        set.insert(if prefix.is_empty() {
            branch
        } else {
            format!("{prefix}.{branch}")
        });
    }
    (!set.is_empty()).then_some(set)
}

/// `(Observation.value as Quantity)` and `Observation.value.as(Quantity)`
/// both become `Observation.value.as(quantity)`; `None` for a branch that is
/// not a path with at most one type cast at its end.
fn normal_branch(branch: &str) -> Option<String> {
    let mut text = branch.trim();
    while let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        text = inner.trim();
    }
    let (path, cast) = if let Some((path, type_name)) = text.split_once(" as ") {
        (path.trim(), Some(type_name.trim()))
    } else if let Some(head) = text.strip_suffix(')')
        && let Some((path, type_name)) = head.rsplit_once(".as(")
    {
        (path, Some(type_name))
    } else {
        (text, None)
    };
    let plain = |s: &str| {
        !s.is_empty()
            && s.split('.')
                .all(|step| !step.is_empty() && step.bytes().all(|b| b.is_ascii_alphanumeric()))
    };
    if !plain(path) || cast.is_some_and(|c| !plain(c) || c.contains('.')) {
        return None;
    }
    Some(match cast {
        None => path.to_owned(),
        Some(type_name) => {
            let mut chars = type_name.chars();
            let first = chars.next()?.to_ascii_lowercase();
            format!("{path}.as({first}{})", chars.as_str())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SearchRegistry;

    fn derivation(resource_type: &str, code: &str) -> Option<Vec<DerivedFrom>> {
        SearchRegistry::r4()
            .param(resource_type, code)
            .and_then(|param| param.derived_from.clone())
    }

    fn param(code: &str) -> DerivedFrom {
        DerivedFrom::Param(code.into())
    }

    #[test]
    fn normal_branches_agree_across_cast_syntaxes() {
        assert_eq!(
            normal_branch("(Observation.value as Quantity)").as_deref(),
            Some("Observation.value.as(quantity)")
        );
        assert_eq!(
            normal_branch("Observation.value.as(Quantity)").as_deref(),
            Some("Observation.value.as(quantity)")
        );
        assert_eq!(
            normal_branch("value.as(DateTime)").as_deref(),
            Some("value.as(dateTime)")
        );
        assert_eq!(
            normal_branch("Observation.subject.where(resolve() is Patient)"),
            None
        );
        assert_eq!(
            normal_branches(
                "(Observation.value as Quantity) | (Observation.value as SampledData)",
                ParamType::Quantity,
                ""
            ),
            normal_branches("value.as(Quantity)", ParamType::Quantity, "Observation")
        );
    }

    #[test]
    fn observation_unions_come_from_their_parts() {
        assert_eq!(
            derivation("Observation", "combo-code"),
            Some(vec![param("code"), param("component-code")])
        );
        assert_eq!(
            derivation("Observation", "combo-value-quantity"),
            Some(vec![
                param("component-value-quantity"),
                param("value-quantity")
            ])
        );
        assert_eq!(
            derivation("Observation", "combo-data-absent-reason"),
            Some(vec![
                param("component-data-absent-reason"),
                param("data-absent-reason")
            ])
        );
        for stored in [
            "code",
            "component-code",
            "value-quantity",
            "patient",
            "subject",
        ] {
            assert_eq!(derivation("Observation", stored), None, "{stored}");
        }
    }

    #[test]
    fn observation_composites_pair_stored_parameters() {
        let pairing =
            |codes: &[&str]| DerivedFrom::Pairing(codes.iter().map(|&c| c.to_owned()).collect());
        assert_eq!(
            derivation("Observation", "code-value-quantity"),
            Some(vec![pairing(&["code", "value-quantity"])])
        );
        assert_eq!(
            derivation("Observation", "code-value-date"),
            Some(vec![pairing(&["code", "value-date"])])
        );
        // `value-string` also takes a CodeableConcept's text; the component
        // does not.
        assert_eq!(derivation("Observation", "code-value-string"), None);
        assert_eq!(
            derivation("Observation", "combo-code-value-concept"),
            Some(vec![
                pairing(&["code", "value-concept"]),
                DerivedFrom::Composite("component-code-value-concept".into())
            ])
        );
        // Pairs within one component must stay pairs: stored.
        assert_eq!(
            derivation("Observation", "component-code-value-quantity"),
            None
        );
        assert_eq!(derivation("Group", "characteristic-value"), None);
    }

    #[test]
    fn only_observation_parameters_are_derived() {
        let registry = SearchRegistry::r4();
        let mut derived = Vec::new();
        for resource_type in crate::Definitions::r4().resource_types() {
            for param in registry.params(resource_type) {
                if param.derived_from.is_some() {
                    derived.push(format!("{resource_type}.{}", param.code));
                }
            }
        }
        derived.sort();
        assert_eq!(
            derived,
            [
                "Observation.code-value-concept",
                "Observation.code-value-date",
                "Observation.code-value-quantity",
                "Observation.combo-code",
                "Observation.combo-code-value-concept",
                "Observation.combo-code-value-quantity",
                "Observation.combo-data-absent-reason",
                "Observation.combo-value-concept",
                "Observation.combo-value-quantity",
            ]
        );
    }
}
