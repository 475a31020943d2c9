//! Expands the value sets of required bindings from the CodeSystems and ValueSets in
//! `valuesets.json`.
//!
//! A value set is expanded only when every part of it can be expanded exactly: explicit concept
//! lists, whole complete code systems (nested concepts included), `is-a` / `descendent-of`
//! filters on a hierarchical code system in the bundle, and imports of other expandable value
//! sets. Anything else (filters on external systems, BCP-47 languages, mime types, UCUM, code
//! systems not in the bundle) is recorded as not checkable, with the reason, and skipped at
//! validation time.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Codes per system.
pub type Expansion = BTreeMap<String, BTreeSet<String>>;

/// The outcome for every requested value set: its expansion, or why it cannot be checked.
pub type Expansions = BTreeMap<String, Result<Expansion, String>>;

struct Catalogue<'a> {
    code_systems: HashMap<&'a str, &'a Value>,
    value_sets: HashMap<&'a str, &'a Value>,
}

/// Expands each of `urls` (canonical URLs without version).
pub fn expand_all(bundle: &Value, urls: &[String]) -> Expansions {
    let mut catalogue = Catalogue {
        code_systems: HashMap::new(),
        value_sets: HashMap::new(),
    };
    for entry in bundle["entry"].as_array().into_iter().flatten() {
        let resource = &entry["resource"];
        let Some(url) = resource["url"].as_str() else {
            continue;
        };
        // FHIR-owned terminology of another FHIR version (valuesets.json carries an R5
        // `detectedissue-status`) is not R4; external code systems keep their own versions.
        if url.starts_with("http://hl7.org/fhir/") && resource["version"] != super::FHIR_VERSION {
            continue;
        }
        match resource["resourceType"].as_str() {
            Some("CodeSystem") => {
                catalogue.code_systems.insert(url, resource);
            }
            Some("ValueSet") => {
                catalogue.value_sets.insert(url, resource);
            }
            _ => {}
        }
    }
    urls.iter()
        .map(|url| (url.clone(), catalogue.expand(url, 0)))
        .collect()
}

fn strip_version(url: &str) -> &str {
    url.split('|').next().unwrap_or(url)
}

impl Catalogue<'_> {
    fn expand(&self, url: &str, depth: usize) -> Result<Expansion, String> {
        if depth > 16 {
            return Err(format!("value set imports nest too deeply at {url}"));
        }
        let value_set = self
            .value_sets
            .get(strip_version(url))
            .ok_or_else(|| format!("value set {url} is not in valuesets.json"))?;
        let compose = &value_set["compose"];
        if compose.is_null() {
            return Err(format!("value set {url} has no compose"));
        }
        let mut expansion = Expansion::new();
        for include in compose["include"].as_array().into_iter().flatten() {
            for (system, codes) in self.include(include, depth)? {
                expansion.entry(system).or_default().extend(codes);
            }
        }
        for exclude in compose["exclude"].as_array().into_iter().flatten() {
            let system = exclude["system"].as_str().unwrap_or_default();
            let concepts = exclude["concept"].as_array();
            match concepts {
                Some(concepts) if exclude["filter"].is_null() && exclude["valueSet"].is_null() => {
                    if let Some(codes) = expansion.get_mut(strip_version(system)) {
                        for concept in concepts {
                            if let Some(code) = concept["code"].as_str() {
                                codes.remove(code);
                            }
                        }
                    }
                }
                _ => {
                    return Err(format!(
                        "value set {url} has an exclude that is not a concept list"
                    ));
                }
            }
        }
        Ok(expansion)
    }

    fn include(&self, include: &Value, depth: usize) -> Result<Expansion, String> {
        let system = include["system"].as_str().map(strip_version);
        let imports = include["valueSet"].as_array();
        if let Some(imports) = imports {
            if system.is_some() {
                return Err("include combines a system with value set imports".into());
            }
            let mut expansion = Expansion::new();
            for import in imports {
                let url = import.as_str().unwrap_or_default();
                for (system, codes) in self.expand(url, depth + 1)? {
                    expansion.entry(system).or_default().extend(codes);
                }
            }
            return Ok(expansion);
        }
        let system = system.ok_or("include without system or value set")?;
        let mut codes = BTreeSet::new();
        if let Some(concepts) = include["concept"].as_array() {
            // An explicit list is exact even for systems we do not hold.
            codes.extend(
                concepts
                    .iter()
                    .filter_map(|c| c["code"].as_str().map(str::to_owned)),
            );
        } else {
            let code_system = self.complete_code_system(system)?;
            let filters = include["filter"].as_array();
            match filters {
                None => collect_concepts(&code_system["concept"], &mut codes),
                Some(filters) => {
                    let mut filtered: Option<BTreeSet<String>> = None;
                    for filter in filters {
                        let matched = filter_concepts(system, code_system, filter)?;
                        filtered = Some(match filtered {
                            None => matched,
                            Some(previous) => previous.intersection(&matched).cloned().collect(),
                        });
                    }
                    codes.extend(filtered.unwrap_or_default());
                }
            }
        }
        Ok(Expansion::from([(system.to_owned(), codes)]))
    }

    fn complete_code_system(&self, system: &str) -> Result<&Value, String> {
        let code_system = self
            .code_systems
            .get(system)
            .ok_or_else(|| format!("code system {system} is not in valuesets.json"))?;
        if code_system["content"] != "complete" {
            return Err(format!(
                "code system {system} is not complete in valuesets.json"
            ));
        }
        Ok(code_system)
    }
}

/// Every code of `concepts` and their nested concepts.
fn collect_concepts(concepts: &Value, codes: &mut BTreeSet<String>) {
    for concept in concepts.as_array().into_iter().flatten() {
        if let Some(code) = concept["code"].as_str() {
            codes.insert(code.to_owned());
        }
        collect_concepts(&concept["concept"], codes);
    }
}

/// `is-a` (the concept and its descendants) and `descendent-of` (descendants only) over the
/// nested concept hierarchy of a code system we hold. Other operators are not expanded.
fn filter_concepts(
    system: &str,
    code_system: &Value,
    filter: &Value,
) -> Result<BTreeSet<String>, String> {
    let op = filter["op"].as_str().unwrap_or_default();
    let property = filter["property"].as_str().unwrap_or_default();
    let value = filter["value"].as_str().unwrap_or_default();
    if property != "concept" || !(op == "is-a" || op == "descendent-of") {
        return Err(format!(
            "filter {property} {op} {value} on {system} is not expanded"
        ));
    }
    if defines_hierarchy_by_property(&code_system["concept"]) {
        return Err(format!(
            "{system} states its hierarchy through properties; not expanded"
        ));
    }
    let root = find_concept(&code_system["concept"], value)
        .ok_or_else(|| format!("filter root {value} not found in {system}"))?;
    let mut codes = BTreeSet::new();
    if op == "is-a" {
        codes.insert(value.to_owned());
    }
    collect_concepts(&root["concept"], &mut codes);
    Ok(codes)
}

fn find_concept<'a>(concepts: &'a Value, code: &str) -> Option<&'a Value> {
    for concept in concepts.as_array().into_iter().flatten() {
        if concept["code"] == code {
            return Some(concept);
        }
        if let Some(found) = find_concept(&concept["concept"], code) {
            return Some(found);
        }
    }
    None
}

/// Whether any concept states its parent through a property rather than by nesting.
fn defines_hierarchy_by_property(concepts: &Value) -> bool {
    concepts.as_array().into_iter().flatten().any(|concept| {
        concept["property"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|property| property["code"] == "parent" || property["code"] == "subsumedBy")
            || defines_hierarchy_by_property(&concept["concept"])
    })
}
