//! The search-parameter registry: the official R4 SearchParameter bundle plus
//! Tessera's own, compiled once into per-type tables of parameters with parsed
//! FHIRPath expressions.
//!
//! R4 expressions often name several resource types at once
//! (`AllergyIntolerance.code | Condition.code | Observation.code | ...`). For
//! each resource type we keep only the union branches rooted at that type (or
//! at `Resource`/`DomainResource`), so indexing an Observation does not
//! evaluate a dozen branches that can never match. Expressions with operators
//! weaker than `|` at the top level are kept whole, because splitting them
//! would change their meaning.

use super::ParamType;
use super::derivation::{DerivedFrom, derivations};
use super::fast_path::FastPath;
use super::present_elements::PresentElements;
use crate::Definitions;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tessera_fhirpath::Expression;

const R4_SEARCH_PARAMETERS: &str = include_str!("../../definitions/search-parameters.json");
const TESSERA_SEARCH_PARAMETERS: &str =
    include_str!("../../definitions/search-parameters-tessera.json");

/// The only FHIR version whose parameters we load; the vendored bundle also
/// carries one `5.0.0-snapshot1` definition.
const FHIR_VERSION: &str = "4.0.1";

/// Known errors in the official R4 definitions, corrected as they are read:
/// (parameter URL, component expression, the definition the component
/// should name). The vendored file stays verbatim.
const COMPONENT_ERRATA: &[(&str, &str, &str)] = &[
    // R4 swaps the two component definitions of `relationship` (R5 fixes it):
    // `code` is the relation (token), `target` the related document (reference).
    (
        "http://hl7.org/fhir/SearchParameter/DocumentReference-relationship",
        "code",
        "http://hl7.org/fhir/SearchParameter/DocumentReference-relation",
    ),
    (
        "http://hl7.org/fhir/SearchParameter/DocumentReference-relationship",
        "target",
        "http://hl7.org/fhir/SearchParameter/DocumentReference-relatesto",
    ),
];

/// One search parameter as it applies to one resource type.
#[derive(Debug)]
pub struct SearchParam {
    /// The code used in requests, e.g. `name`, `code-value-quantity`.
    pub code: String,
    /// The canonical URL of the definition.
    pub url: String,
    pub param_type: ParamType,
    /// The expression restricted to this resource type; `None` for the
    /// parameters answered another way (`_id`, `_lastUpdated` from the store's
    /// own columns; `_text`, `_content`, `_query`, which have no expression).
    pub expression: Option<Expression>,
    /// The same expression compiled for direct navigation, when it is a union
    /// of plain paths (see `fast_path`); indexing uses it instead of the engine.
    pub fast_path: Option<FastPath>,
    /// Allowed target types of a reference parameter (empty: any).
    pub targets: Vec<String>,
    /// The components of a composite parameter, in definition order.
    pub components: Vec<Component>,
    /// For a token parameter over a plain `code` element with a required
    /// binding: the binding's value set, whose code system becomes the token's
    /// system (`Patient.gender` -> `http://hl7.org/fhir/administrative-gender`).
    pub code_value_set: Option<u32>,
    /// The top-level elements the expression starts from (`value` for
    /// `Observation.value as Quantity`), when every branch starts with one:
    /// a resource with none of them present cannot have a value, so the
    /// expression is not evaluated at all. Most parameters of a type are
    /// absent from any one resource, so this skips most evaluations.
    pub root_elements: Option<Vec<String>>,
    /// `Some` when the parameter has no index rows of its own: a value
    /// matches when it matches one of these ([`super::derivation`]).
    pub derived_from: Option<Vec<DerivedFrom>>,
}

impl SearchParam {
    /// Whether the resource might have a value for this parameter (see
    /// [`SearchParam::root_elements`]).
    pub fn may_apply(&self, present: &PresentElements<'_>) -> bool {
        match &self.root_elements {
            Some(roots) => roots.iter().any(|root| present.contains(root)),
            None => true,
        }
    }
}

/// One component of a composite parameter.
#[derive(Debug)]
pub struct Component {
    /// The type of the component's own definition (`token`, `quantity`, ...).
    pub param_type: ParamType,
    /// Evaluated relative to each node of the composite's expression.
    pub expression: Expression,
    pub fast_path: Option<FastPath>,
    /// As [`SearchParam::code_value_set`], from the component's own
    /// definition on this resource type.
    pub code_value_set: Option<u32>,
}

/// Every search parameter, by resource type and code.
#[derive(Debug, Default)]
pub struct SearchRegistry {
    by_type: HashMap<String, HashMap<String, Arc<SearchParam>>>,
    /// Each type's parameters in a stable order (by code), for extraction.
    ordered: HashMap<String, Vec<Arc<SearchParam>>>,
    /// Definitions that could not be compiled (an expression that does not
    /// parse, a component whose definition is unknown), each said in words.
    /// The tests require it to be empty.
    problems: Vec<String>,
}

impl SearchRegistry {
    /// The registry for the R4 definitions, built on first use.
    pub fn r4() -> &'static SearchRegistry {
        static REGISTRY: OnceLock<SearchRegistry> = OnceLock::new();
        REGISTRY.get_or_init(|| SearchRegistry::build(Definitions::r4()))
    }

    /// The parameter `code` of `resource_type` (including the Resource and
    /// DomainResource parameters such as `_tag`).
    pub fn param(&self, resource_type: &str, code: &str) -> Option<&Arc<SearchParam>> {
        self.by_type.get(resource_type)?.get(code)
    }

    /// Every parameter of `resource_type`, ordered by code.
    pub fn params(&self, resource_type: &str) -> &[Arc<SearchParam>] {
        self.ordered.get(resource_type).map_or(&[], Vec::as_slice)
    }

    /// What could not be compiled (see the field); empty for the shipped files.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    fn build(definitions: &Definitions) -> SearchRegistry {
        let mut raw = Vec::new();
        for text in [R4_SEARCH_PARAMETERS, TESSERA_SEARCH_PARAMETERS] {
            // Both files are compiled in and checked by the tests; a bundle that
            // does not parse contributes nothing rather than taking the server down.
            if let Ok(Value::Object(bundle)) = serde_json::from_str::<Value>(text)
                && let Some(Value::Array(entries)) = bundle.get("entry")
            {
                raw.extend(
                    entries
                        .iter()
                        .filter_map(|e| RawParam::read(e.get("resource")?)),
                );
            }
        }
        let by_url: HashMap<&str, &RawParam> = raw.iter().map(|p| (p.url.as_str(), p)).collect();
        let resource_types: Vec<&str> = definitions.resource_types().collect();
        let mut registry = SearchRegistry::default();
        for param in &raw {
            let applies_to: Vec<&str> = if param
                .base
                .iter()
                .any(|b| b == "Resource" || b == "DomainResource")
            {
                let domain_only = !param.base.iter().any(|b| b == "Resource");
                resource_types
                    .iter()
                    .copied()
                    .filter(|t| !domain_only || !matches!(*t, "Bundle" | "Binary" | "Parameters"))
                    .collect()
            } else {
                param.base.iter().map(String::as_str).collect()
            };
            for resource_type in applies_to {
                let compiled =
                    param.compile(definitions, resource_type, &by_url, &mut registry.problems);
                let table = registry
                    .by_type
                    .entry(resource_type.to_owned())
                    .or_default();
                table.insert(param.code.clone(), Arc::new(compiled));
            }
        }
        for (resource_type, table) in &mut registry.by_type {
            let mut codes: Vec<String> = table.keys().cloned().collect();
            codes.sort();
            let derived = {
                let params: Vec<&SearchParam> = codes.iter().map(|c| &*table[c]).collect();
                derivations(resource_type, &params)
            };
            for (code, derived_from) in codes.iter().zip(derived) {
                // Each parameter has one owner until `ordered` is filled below.
                if let Some(param) = table.get_mut(code).and_then(Arc::get_mut) {
                    param.derived_from = derived_from;
                }
            }
        }
        for (resource_type, table) in &registry.by_type {
            let mut params: Vec<Arc<SearchParam>> = table.values().cloned().collect();
            params.sort_by(|a, b| a.code.cmp(&b.code));
            registry.ordered.insert(resource_type.clone(), params);
        }
        registry
    }
}

/// A SearchParameter resource, read but not yet compiled.
struct RawParam {
    code: String,
    url: String,
    param_type: ParamType,
    base: Vec<String>,
    expression: Option<String>,
    targets: Vec<String>,
    components: Vec<(String, String)>,
}

impl RawParam {
    fn read(resource: &Value) -> Option<RawParam> {
        let text = |key: &str| resource.get(key).and_then(Value::as_str);
        if text("resourceType") != Some("SearchParameter") {
            return None;
        }
        if text("version").is_some_and(|v| v != FHIR_VERSION) {
            return None;
        }
        let strings = |key: &str| -> Vec<String> {
            resource
                .get(key)
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let components = resource
            .get("component")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|c| {
                        let mut definition = c.get("definition")?.as_str()?;
                        let expression = c.get("expression")?.as_str()?;
                        if let Some((_, _, corrected)) =
                            COMPONENT_ERRATA.iter().find(|(param, component, _)| {
                                Some(*param) == resource.get("url").and_then(Value::as_str)
                                    && *component == expression
                            })
                        {
                            definition = corrected;
                        }
                        Some((definition.to_owned(), expression.to_owned()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(RawParam {
            code: text("code")?.to_owned(),
            url: text("url").unwrap_or_default().to_owned(),
            param_type: param_type(text("type")?)?,
            base: strings("base"),
            expression: text("expression").map(str::to_owned),
            targets: strings("target"),
            components,
        })
    }

    fn compile(
        &self,
        definitions: &Definitions,
        resource_type: &str,
        by_url: &HashMap<&str, &RawParam>,
        problems: &mut Vec<String>,
    ) -> SearchParam {
        let store_column = matches!(self.code.as_str(), "_id" | "_lastUpdated");
        let expression_text = self
            .expression
            .as_deref()
            .filter(|_| !store_column)
            .and_then(|text| branches_for(text, resource_type, definitions));
        let mut problem =
            |what: String| problems.push(format!("{resource_type}.{}: {what}", self.code));
        if let (Some(text), None, false) = (&self.expression, &expression_text, store_column) {
            problem(format!("no branch of '{text}' applies to {resource_type}"));
        }
        let expression =
            expression_text
                .as_deref()
                .and_then(|text| match Expression::parse(text) {
                    Ok(expression) => Some(expression),
                    Err(error) => {
                        problem(format!("'{text}' does not parse: {error}"));
                        None
                    }
                });
        let components = self
            .components
            .iter()
            .filter_map(|(definition, expression)| {
                let Some(component_definition) = by_url.get(definition.as_str()) else {
                    problem(format!("component definition {definition} is unknown"));
                    return None;
                };
                let code_value_set = match component_definition.param_type {
                    ParamType::Token => component_definition
                        .expression
                        .as_deref()
                        .and_then(|text| branches_for(text, resource_type, definitions))
                        .and_then(|text| required_code_binding(definitions, &text)),
                    _ => None,
                };
                let parsed = match Expression::parse(expression) {
                    Ok(parsed) => parsed,
                    Err(error) => {
                        problem(format!("component '{expression}' does not parse: {error}"));
                        return None;
                    }
                };
                Some(Component {
                    param_type: component_definition.param_type,
                    code_value_set,
                    expression: parsed,
                    fast_path: FastPath::compile(expression, None, definitions),
                })
            })
            .collect();
        let code_value_set = match (self.param_type, expression_text.as_deref()) {
            (ParamType::Token, Some(text)) => required_code_binding(definitions, text),
            _ => None,
        };
        let root_elements = expression_text.as_deref().and_then(root_elements);
        let fast_path = expression_text
            .as_deref()
            .filter(|_| expression.is_some())
            .and_then(|text| FastPath::compile(text, Some(resource_type), definitions));
        SearchParam {
            fast_path,
            root_elements,
            code: self.code.clone(),
            url: self.url.clone(),
            param_type: self.param_type,
            expression,
            targets: self.targets.clone(),
            components,
            code_value_set,
            derived_from: None,
        }
    }
}

fn param_type(text: &str) -> Option<ParamType> {
    Some(match text {
        "number" => ParamType::Number,
        "date" => ParamType::Date,
        "string" => ParamType::String,
        "token" => ParamType::Token,
        "reference" => ParamType::Reference,
        "composite" => ParamType::Composite,
        "quantity" => ParamType::Quantity,
        "uri" => ParamType::Uri,
        "special" => ParamType::Special,
        _ => return None,
    })
}

/// The union branches of `expression` that can apply to `resource_type`,
/// joined again with `|`; the whole expression when it cannot be split
/// safely; `None` when no branch applies.
fn branches_for(
    expression: &str,
    resource_type: &str,
    definitions: &Definitions,
) -> Option<String> {
    let Some(branches) = split_top_level_union(expression) else {
        return Some(expression.to_owned());
    };
    let kept: Vec<&str> = branches
        .into_iter()
        .filter(|branch| {
            let root: String = branch
                .trim_start_matches(|c: char| c == '(' || c.is_whitespace())
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            root == resource_type
                || !definitions.has_type(&root)
                || !root.starts_with(|c: char| c.is_ascii_uppercase())
                || matches!(root.as_str(), "Resource" | "DomainResource")
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join(" | "))
}

/// Splits at `|` outside parentheses, brackets and quotes. `None` when the top
/// level also has an operator that binds more weakly than `|` (comparison,
/// `and`, `or`, ...), where a split would change the meaning.
pub(super) fn split_top_level_union(expression: &str) -> Option<Vec<&str>> {
    let bytes = expression.as_bytes();
    let (mut depth, mut quote, mut start) = (0i32, None::<u8>, 0);
    let mut branches = Vec::new();
    let mut top_level = String::new();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        match (quote, byte) {
            (Some(_), b'\\') => index += 1,
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'`' | b'"') => quote = Some(byte),
            (None, b'(' | b'[' | b'{') => depth += 1,
            (None, b')' | b']' | b'}') => depth -= 1,
            (None, b'|') if depth == 0 => {
                branches.push(expression.get(start..index)?.trim());
                start = index + 1;
            }
            (None, b) if depth == 0 => top_level.push(b as char),
            _ => {}
        }
        index += 1;
    }
    branches.push(expression.get(start..)?.trim());
    let weaker = [
        "=",
        "<",
        ">",
        "~",
        " and ",
        " or ",
        " xor ",
        " implies ",
        " in ",
        " contains ",
    ];
    if weaker.iter().any(|op| top_level.contains(op)) || branches.iter().any(|b| b.is_empty()) {
        return None;
    }
    Some(branches)
}

/// The first element after the type name of every union branch
/// (`Observation.value as Quantity | Observation.component.value` ->
/// `value`, `component`); `None` when some branch does not start with
/// `Type.element`.
fn root_elements(expression: &str) -> Option<Vec<String>> {
    let branches = split_top_level_union(expression)?;
    let mut roots: Vec<String> = Vec::new();
    for branch in branches {
        let path = branch.trim_start_matches(|c: char| c == '(' || c.is_whitespace());
        let (type_name, rest) = path.split_once('.')?;
        if !type_name.starts_with(|c: char| c.is_ascii_uppercase())
            || !type_name.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return None;
        }
        let element: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if element.is_empty() || !element.starts_with(|c: char| c.is_ascii_lowercase()) {
            return None;
        }
        if !roots.contains(&element) {
            roots.push(element);
        }
    }
    Some(roots)
}

/// For an expression that is one plain path to a `code` element
/// (`Patient.gender`), the element's required value set.
fn required_code_binding(definitions: &Definitions, expression: &str) -> Option<u32> {
    let mut segments = expression.split('.');
    let mut type_id = definitions.resource_type_id(segments.next()?)?;
    let mut binding = None;
    for segment in segments {
        if !segment.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let (element, element_type) = definitions.type_def(type_id).lookup(segment)?;
        binding = element.binding;
        type_id = element_type.type_id;
    }
    let is_code = &*definitions.type_def(type_id).name == "code";
    binding.filter(|_| is_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_definition_compiles() {
        let registry = SearchRegistry::r4();
        assert_eq!(registry.problems(), &[] as &[String]);
        let observation = registry.params("Observation");
        assert!(observation.len() > 40, "{}", observation.len());
        let code = registry.param("Observation", "code").unwrap();
        assert_eq!(code.param_type, ParamType::Token);
        assert_eq!(code.expression.as_ref().unwrap().text(), "Observation.code");
        assert!(code.fast_path.is_some());
        let subject = registry.param("Observation", "subject").unwrap();
        assert!(subject.targets.iter().any(|t| t == "Patient"));
        let composite = registry
            .param("Observation", "code-value-quantity")
            .unwrap();
        let types: Vec<ParamType> = composite.components.iter().map(|c| c.param_type).collect();
        assert_eq!(types, [ParamType::Token, ParamType::Quantity]);
        for common in [
            "_tag",
            "_profile",
            "_security",
            "_source",
            "_id",
            "_lastUpdated",
        ] {
            assert!(registry.param("Patient", common).is_some(), "{common}");
        }
        assert!(
            registry
                .param("Patient", "_id")
                .unwrap()
                .expression
                .is_none()
        );
        assert!(
            registry.param("Observation", "interpretation").is_some(),
            "Tessera's own"
        );
    }

    #[test]
    fn corrects_the_known_r4_errata() {
        let relationship = SearchRegistry::r4()
            .param("DocumentReference", "relationship")
            .unwrap();
        let types: Vec<ParamType> = relationship
            .components
            .iter()
            .map(|c| c.param_type)
            .collect();
        assert_eq!(types, [ParamType::Token, ParamType::Reference]);
    }

    #[test]
    fn skips_definitions_of_other_fhir_versions() {
        // The vendored bundle's one 5.0.0-snapshot1 entry.
        assert!(
            SearchRegistry::r4()
                .param("DeviceDefinition", "classification")
                .is_none()
        );
        assert!(
            SearchRegistry::r4()
                .param("DeviceDefinition", "type")
                .is_some()
        );
    }

    #[test]
    fn keeps_only_the_union_branches_of_the_indexed_type() {
        let definitions = Definitions::r4();
        let text = "AllergyIntolerance.code | Condition.code | (Observation.value as Quantity)";
        assert_eq!(
            branches_for(text, "Condition", definitions).as_deref(),
            Some("Condition.code")
        );
        assert_eq!(
            branches_for(text, "Observation", definitions).as_deref(),
            Some("(Observation.value as Quantity)")
        );
        assert_eq!(branches_for(text, "Patient", definitions), None);
        let whole = "Patient.deceased.exists() and Patient.deceased != false";
        assert_eq!(
            branches_for(whole, "Patient", definitions).as_deref(),
            Some(whole)
        );
        assert_eq!(
            root_elements("Observation.code | (Observation.value as X)"),
            Some(vec!["code".into(), "value".into()])
        );
        assert_eq!(root_elements("Observation"), None);
    }
}
