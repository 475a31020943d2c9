//! Index extraction: evaluate each search parameter's expression on a
//! resource (through the fast path for plain paths, the FHIRPath engine
//! otherwise) and turn every resulting element into [`IndexValue`]s
//! (`values`); composites combine their components per element.
//!
//! Evaluation is lenient (R4 expressions name several resource types) with
//! reference placeholders on, so `subject.where(resolve() is Patient)` tests
//! the type written in the reference. An expression that fails on odd input
//! contributes nothing for that parameter; it never fails the write, because
//! the resource has already passed validation and the index is derived data
//! that `tessera reindex` can rebuild.

use super::fast_path::FastNode;
use super::present_elements::PresentElements;
use super::registry::{Component, SearchParam, SearchRegistry};
use super::values::item_values;
use super::{IndexEntry, IndexValue, ParamType};
use crate::Definitions;
use serde_json::Value as Json;
use std::borrow::Cow;
use std::collections::HashMap;
use tessera_fhirpath::{EvaluationContext, Node, Value};

/// Composite parameters multiply their components' values; this caps what one
/// element instance contributes, so a pathological resource cannot blow up
/// the index.
const MAX_COMPOSITE_COMBINATIONS: usize = 64;

/// How expressions are evaluated: through the fast path where one exists
/// (always, outside tests), or only through the engine (to check that the two
/// agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Evaluation {
    Fast,
    EngineOnly,
}

/// One element an expression selected, from either evaluator.
enum Item<'a> {
    Fast(FastNode<'a>),
    Engine(Value<'a>),
}

impl<'a> Item<'a> {
    fn to_value(&self, definitions: &'a Definitions) -> Value<'a> {
        match self {
            Item::Fast(node) => Value::Node(Node {
                json: Some(node.json),
                primitive_extension: None,
                type_name: Some(Cow::Borrowed(&definitions.type_def(node.type_id).name)),
            }),
            Item::Engine(value) => value.clone(),
        }
    }
}

/// Every index entry of `resource`; each parameter whose expression fails to
/// evaluate is passed to `on_failure` with the error and skipped.
pub(crate) fn index_entries<'a>(
    definitions: &'a Definitions,
    resource: &'a Json,
    evaluation: Evaluation,
    on_failure: &mut dyn FnMut(&str, String),
) -> Vec<IndexEntry> {
    let Some(object) = resource.as_object() else {
        return Vec::new();
    };
    let Some(resource_type) = object.get("resourceType").and_then(Json::as_str) else {
        return Vec::new();
    };
    let root = definitions
        .resource_type_id(resource_type)
        .map(|type_id| FastNode {
            json: resource,
            type_id,
        });
    let ctx = EvaluationContext::new()
        .with_model(definitions)
        .with_resource(resource)
        .reference_placeholders(true);
    let mut entries = Vec::new();
    // Composites share components (`code` is in eight Observation composites):
    // each component's values per element are computed once.
    let mut component_cache = ComponentCache::new();
    let present = PresentElements::of(object);
    for param in SearchRegistry::r4().params(resource_type) {
        let Some(expression) = &param.expression else {
            continue;
        };
        if param.derived_from.is_some() || !param.may_apply(&present) {
            continue;
        }
        let items: Vec<Item<'a>> = match (&param.fast_path, root, evaluation) {
            (Some(fast_path), Some(root), Evaluation::Fast) => {
                let mut nodes = Vec::new();
                fast_path.evaluate(definitions, resource, &[root], &mut nodes);
                nodes.into_iter().map(Item::Fast).collect()
            }
            _ => match expression.evaluate(&ctx) {
                Ok(values) => values.into_iter().map(Item::Engine).collect(),
                Err(error) => {
                    on_failure(&param.code, error.to_string());
                    continue;
                }
            },
        };
        let mut values: Vec<IndexValue> = Vec::new();
        for item in &items {
            if param.param_type == ParamType::Composite {
                let composite = CompositeInput {
                    definitions,
                    ctx: &ctx,
                    resource,
                    evaluation,
                };
                values.extend(composite.values(param, item, &mut component_cache));
            } else {
                let value = item.to_value(definitions);
                item_values(
                    definitions,
                    param.param_type,
                    param.code_value_set,
                    &value,
                    &mut values,
                );
            }
        }
        entries.extend(
            without_duplicates(values)
                .into_iter()
                .map(|value| IndexEntry {
                    param: param.code.clone(),
                    value,
                }),
        );
    }
    entries
}

/// Above this many values of one parameter, duplicates are found by hashing
/// their printed form instead of comparing every pair, so a resource with
/// thousands of repeated elements costs linear time, not quadratic.
const PAIRWISE_DEDUP_LIMIT: usize = 64;

/// `values` without repeats (the same given name in two HumanNames would be
/// a duplicate index row that changes no answer), in first-seen order.
fn without_duplicates(values: Vec<IndexValue>) -> Vec<IndexValue> {
    let mut unique: Vec<IndexValue> = Vec::with_capacity(values.len());
    if values.len() <= PAIRWISE_DEDUP_LIMIT {
        for value in values {
            if !unique.contains(&value) {
                unique.push(value);
            }
        }
        return unique;
    }
    // IndexValue holds f64s, so it is neither Hash nor Eq; its Debug form is
    // exact for what it holds and serves as the key.
    let mut seen = std::collections::HashSet::with_capacity(values.len());
    for value in values {
        if seen.insert(format!("{value:?}")) {
            unique.push(value);
        }
    }
    unique
}

/// Component values by (element address, component expression, type).
type ComponentCache = HashMap<(usize, &'static str, ParamType), Vec<IndexValue>>;

/// What evaluating a composite's components needs.
struct CompositeInput<'a, 'c> {
    definitions: &'a Definitions,
    ctx: &'c EvaluationContext<'a>,
    resource: &'a Json,
    evaluation: Evaluation,
}

impl<'a> CompositeInput<'a, '_> {
    /// Every combination of the components' values, each component evaluated
    /// on the same element instance.
    fn values(
        &self,
        param: &'static SearchParam,
        item: &Item<'a>,
        cache: &mut ComponentCache,
    ) -> Vec<IndexValue> {
        if param.components.is_empty() {
            return Vec::new();
        }
        let mut combinations: Vec<Vec<IndexValue>> = vec![Vec::new()];
        for component in &param.components {
            let key = match item {
                Item::Fast(node) => Some((
                    std::ptr::from_ref(node.json) as usize,
                    component.expression.text(),
                    component.param_type,
                )),
                Item::Engine(_) => None,
            };
            let values = match key.as_ref().and_then(|key| cache.get(key)) {
                Some(values) => values.clone(),
                None => {
                    let Some(values) = self.component_values(component, item) else {
                        return Vec::new();
                    };
                    if let Some(key) = key {
                        cache.insert(key, values.clone());
                    }
                    values
                }
            };
            let mut next = Vec::new();
            for prefix in &combinations {
                for value in &values {
                    if next.len() >= MAX_COMPOSITE_COMBINATIONS {
                        break;
                    }
                    let mut combination = prefix.clone();
                    combination.push(value.clone());
                    next.push(combination);
                }
            }
            combinations = next;
            if combinations.is_empty() {
                return Vec::new();
            }
        }
        combinations
            .into_iter()
            .map(IndexValue::Composite)
            .collect()
    }

    /// One component's values on one element; `None` when it cannot be
    /// evaluated.
    fn component_values(&self, component: &Component, item: &Item<'a>) -> Option<Vec<IndexValue>> {
        let definitions = self.definitions;
        let nodes: Vec<Value<'a>> = match (item, &component.fast_path, self.evaluation) {
            (Item::Fast(node), Some(fast_path), Evaluation::Fast) => {
                let mut nodes = Vec::new();
                fast_path.evaluate(definitions, self.resource, &[*node], &mut nodes);
                nodes
                    .into_iter()
                    .map(|n| Item::Fast(n).to_value(definitions))
                    .collect()
            }
            _ => component
                .expression
                .evaluate_on(self.ctx, vec![item.to_value(definitions)])
                .ok()?,
        };
        let mut values = Vec::new();
        for node in &nodes {
            item_values(
                definitions,
                component.param_type,
                component.code_value_set,
                node,
                &mut values,
            );
        }
        // A CodeableConcept's text-only token is for `:text`, which composite
        // components do not take; pairing it would only add rows.
        values.retain(|value| !matches!(value, IndexValue::Token { code: None, .. }));
        Some(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn rendered(definitions: &Definitions, resource: &Json, evaluation: Evaluation) -> Vec<String> {
        let mut lines: Vec<String> =
            index_entries(definitions, resource, evaluation, &mut |_, _| {})
                .iter()
                .map(|entry| format!("{} {:?}", entry.param, entry.value))
                .collect();
        lines.sort();
        lines
    }

    #[test]
    fn duplicates_go_in_linear_time_and_keep_first_seen_order() {
        let name = |text: &str| IndexValue::String {
            normalized: text.to_lowercase(),
            exact: text.to_owned(),
        };
        let few = vec![name("B"), name("A"), name("B")];
        assert_eq!(without_duplicates(few), vec![name("B"), name("A")]);
        let many: Vec<IndexValue> = (0..50_000)
            .map(|i| name(&format!("N{}", i % 100)))
            .collect();
        let unique = without_duplicates(many);
        assert_eq!(unique.len(), 100);
        assert_eq!(unique[0], name("N0"));
    }

    /// Examples where the two evaluators differ on purpose, with why; each
    /// must still differ, so the list cannot rot.
    const KNOWN_DIFFERENCES: &[(&str, &str)] = &[(
        "Observation-decimal.json",
        "FHIRPath's union (`|`) removes items equal by value, so the engine keeps one of \
         `1.0 g` and `1.00 g`; the fast path indexes both precisions, which is more faithful",
    )];

    /// The fast path is an optimisation: over every official R4 example it
    /// must give exactly what the FHIRPath engine gives.
    #[test]
    fn fast_path_and_engine_agree_on_every_r4_example() {
        let definitions = Definitions::r4();
        let directory =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/fhir-r4-examples");
        let mut checked = 0;
        let mut mismatches = Vec::new();
        for entry in std::fs::read_dir(&directory).expect("examples directory") {
            let path = entry.expect("directory entry").path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("example");
            let resource: Json = serde_json::from_str(&text).expect("example JSON");
            let fast = rendered(definitions, &resource, Evaluation::Fast);
            let engine = rendered(definitions, &resource, Evaluation::EngineOnly);
            checked += 1;
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if KNOWN_DIFFERENCES.iter().any(|(known, _)| *known == name) {
                assert_ne!(
                    fast, engine,
                    "{name} no longer differs: remove it from the list"
                );
                continue;
            }
            if fast != engine {
                let only_fast: Vec<_> = fast.iter().filter(|l| !engine.contains(l)).collect();
                let only_engine: Vec<_> = engine.iter().filter(|l| !fast.contains(l)).collect();
                mismatches.push(format!(
                    "{}\n  fast only: {only_fast:?}\n  engine only: {only_engine:?}",
                    path.display()
                ));
            }
        }
        assert!(checked > 900, "only {checked} examples");
        assert!(
            mismatches.is_empty(),
            "{} examples differ:\n{}",
            mismatches.len(),
            mismatches
                .iter()
                .take(15)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
