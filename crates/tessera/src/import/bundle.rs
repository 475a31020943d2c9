//! Turning a Bundle into the resources to store: ids decided, `urn:uuid:`
//! and absolute `fullUrl` references rewritten to `Type/id`, conditional
//! references (`Organization?identifier=...`) and `ifNoneExist` resolved by
//! search against what is already stored.

use serde_json::Value;
use std::collections::HashMap;
use tessera_records::RecordService;
use tessera_store::ResourceKey;

/// One resource of a Bundle, ready to prepare and write.
pub(super) struct PlannedEntry {
    pub index: usize,
    pub key: ResourceKey,
    pub resource: Value,
}

/// A problem with one entry (or the bundle, index `None`).
pub(super) struct EntryProblem {
    pub index: Option<usize>,
    pub message: String,
    /// Only a conditional reference that matched nothing: another file of
    /// the same import may still store its target.
    pub unresolved_only: bool,
}

impl EntryProblem {
    fn at(index: usize, message: impl Into<String>) -> EntryProblem {
        EntryProblem {
            index: Some(index),
            message: message.into(),
            unresolved_only: false,
        }
    }
}

/// Whether a Bundle is all-or-nothing.
pub(super) fn is_transaction(bundle: &Value) -> bool {
    bundle.get("type").and_then(Value::as_str) == Some("transaction")
}

/// Plans every entry of `bundle`. Entries that cannot be planned are
/// returned as problems; the caller decides whether one problem rejects the
/// whole bundle (transactions) or only its entry.
pub(super) async fn plan(
    records: &RecordService,
    bundle: &Value,
) -> (Vec<PlannedEntry>, Vec<EntryProblem>) {
    let mut problems = Vec::new();
    let Some(entries) = bundle.get("entry").and_then(Value::as_array) else {
        return (Vec::new(), problems);
    };
    // First pass: decide each entry's identity; map fullUrls to it.
    let mut identities: HashMap<String, String> = HashMap::new();
    let mut planned = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let request = entry.get("request");
        let method = request
            .and_then(|r| r.get("method"))
            .and_then(Value::as_str)
            .unwrap_or("PUT");
        if method == "GET" || method == "DELETE" {
            problems.push(EntryProblem::at(
                index,
                format!("{method} entries are not imported (import only stores resources)"),
            ));
            continue;
        }
        let Some(resource) = entry.get("resource").filter(|r| r.is_object()) else {
            problems.push(EntryProblem::at(index, "the entry has no resource"));
            continue;
        };
        let Some(resource_type) = resource.get("resourceType").and_then(Value::as_str) else {
            problems.push(EntryProblem::at(index, "the resource has no resourceType"));
            continue;
        };
        let full_url = entry.get("fullUrl").and_then(Value::as_str);
        if let Some(condition) = request
            .and_then(|r| r.get("ifNoneExist"))
            .and_then(Value::as_str)
        {
            match find_one(records, resource_type, condition).await {
                Ok(Some(existing)) => {
                    if let Some(full_url) = full_url {
                        identities
                            .insert(full_url.to_owned(), format!("{resource_type}/{existing}"));
                    }
                    continue; // already there: conditional create does nothing
                }
                Ok(None) => {}
                Err(message) => {
                    problems.push(EntryProblem::at(index, message));
                    continue;
                }
            }
        }
        let id = id_from_put_url(request, resource_type)
            .or_else(|| {
                resource
                    .get("id")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .or_else(|| {
                full_url
                    .and_then(|u| u.strip_prefix("urn:uuid:"))
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        if let Some(full_url) = full_url {
            identities.insert(full_url.to_owned(), format!("{resource_type}/{id}"));
        }
        let mut resource = resource.clone();
        resource["id"] = Value::String(id.clone());
        planned.push(PlannedEntry {
            index,
            key: ResourceKey::new(resource_type, id),
            resource,
        });
    }
    // Second pass: rewrite references.
    let mut rewritten = Vec::with_capacity(planned.len());
    for mut entry in planned {
        let mut unresolved = Vec::new();
        let mut conditional = Vec::new();
        let mut matched_nothing = 0;
        rewrite_references(
            &mut entry.resource,
            &identities,
            &mut unresolved,
            &mut conditional,
        );
        for reference in conditional {
            let resolved = match reference.split_once('?') {
                Some((target_type, condition)) => find_one(records, target_type, condition)
                    .await
                    .and_then(|found| {
                        found
                            .map(|id| format!("{target_type}/{id}"))
                            .ok_or_else(|| {
                                matched_nothing += 1;
                                format!("the reference '{reference}' matches nothing")
                            })
                    }),
                None => Err(format!("'{reference}' is not a conditional reference")),
            };
            match resolved {
                Ok(target) => replace_reference(&mut entry.resource, &reference, &target),
                Err(message) => unresolved.push(message),
            }
        }
        if unresolved.is_empty() {
            rewritten.push(entry);
        } else {
            let mut problem = EntryProblem::at(entry.index, unresolved.join("; "));
            problem.unresolved_only = matched_nothing == unresolved.len();
            problems.push(problem);
        }
    }
    (rewritten, problems)
}

fn id_from_put_url(request: Option<&Value>, resource_type: &str) -> Option<String> {
    let request = request?;
    if request.get("method").and_then(Value::as_str) != Some("PUT") {
        return None;
    }
    let url = request.get("url").and_then(Value::as_str)?;
    let (url_type, id) = url.split_once('/')?;
    (url_type == resource_type && !id.contains(['?', '/'])).then(|| id.to_owned())
}

/// Rewrites every `reference` that names a fullUrl of the bundle; collects
/// `urn:` references that name nothing and conditional references.
fn rewrite_references(
    value: &mut Value,
    identities: &HashMap<String, String>,
    unresolved: &mut Vec<String>,
    conditional: &mut Vec<String>,
) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get_mut("reference") {
                if let Some(target) = identities.get(reference.as_str()) {
                    *reference = target.clone();
                } else if reference.starts_with("urn:uuid:") || reference.starts_with("urn:oid:") {
                    unresolved.push(format!(
                        "the reference '{reference}' names no entry of the bundle"
                    ));
                } else if reference.contains('?') {
                    conditional.push(reference.clone());
                }
            }
            for child in object.values_mut() {
                rewrite_references(child, identities, unresolved, conditional);
            }
        }
        Value::Array(items) => {
            for item in items {
                rewrite_references(item, identities, unresolved, conditional);
            }
        }
        _ => {}
    }
}

fn replace_reference(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get_mut("reference")
                && reference == from
            {
                *reference = to.to_owned();
            }
            for child in object.values_mut() {
                replace_reference(child, from, to);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| replace_reference(item, from, to)),
        _ => {}
    }
}

/// The id of the one stored `resource_type` matching `condition` (a search
/// query string), `None` when nothing matches, an error when several do.
async fn find_one(
    records: &RecordService,
    resource_type: &str,
    condition: &str,
) -> Result<Option<String>, String> {
    let params: Vec<(String, String)> = form_urlencoded::parse(condition.as_bytes())
        .into_owned()
        .collect();
    let mut parsed = records
        .definitions()
        .parse_search(Some(resource_type), &params)
        .map_err(|issues| {
            format!(
                "the condition '{resource_type}?{condition}' is not a valid search: {}",
                issues
                    .iter()
                    .map(|i| i.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })?;
    parsed.query.count = 2;
    let page = records
        .search(&parsed.query, None)
        .await
        .map_err(|error| format!("searching '{resource_type}?{condition}' failed: {error}"))?;
    match page.matches.as_slice() {
        [] => Ok(None),
        [only] => Ok(Some(only.key.id.clone())),
        _ => Err(format!(
            "'{resource_type}?{condition}' matches more than one resource"
        )),
    }
}
