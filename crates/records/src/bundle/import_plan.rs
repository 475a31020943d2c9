//! Planning the import of a Bundle: every entry becomes a resource to store
//! (an upsert), with ids decided deterministically (the `PUT` URL, the
//! resource's id, or the `urn:uuid:` of its fullUrl, so importing the same
//! file twice stores the same resources), references to other entries
//! rewritten to `Type/id`, conditional references
//! (`Organization?identifier=...`) and `ifNoneExist` resolved by search
//! against what is already stored.

use super::references::resolve_references;
use crate::RecordService;
use serde_json::Value;
use std::collections::HashMap;
use tessera_store::ResourceKey;

/// One resource of a Bundle, ready to prepare and write.
pub struct PlannedEntry {
    pub index: usize,
    pub key: ResourceKey,
    pub resource: Value,
}

/// A problem with one entry (or the bundle, index `None`).
pub struct EntryProblem {
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
pub fn is_transaction(bundle: &Value) -> bool {
    bundle.get("type").and_then(Value::as_str) == Some("transaction")
}

/// Plans every entry of `bundle`, moving each resource out of it (a
/// million-resource import spent a tenth of its preparing thread copying
/// them). Entries that cannot be planned are
/// returned as problems; the caller decides whether one problem rejects the
/// whole bundle (transactions) or only its entry.
pub async fn plan_import(
    records: &RecordService,
    mut bundle: Value,
) -> (Vec<PlannedEntry>, Vec<EntryProblem>) {
    let mut problems = Vec::new();
    let Some(entries) = bundle.get_mut("entry").and_then(Value::as_array_mut) else {
        return (Vec::new(), problems);
    };
    // First pass: decide each entry's identity; map fullUrls to it.
    let mut identities: HashMap<String, String> = HashMap::new();
    let mut planned = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter_mut().enumerate() {
        let mut resource = entry.get_mut("resource").map(Value::take);
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
        let Some(resource) = resource.as_mut().filter(|r| r.is_object()) else {
            problems.push(EntryProblem::at(index, "the entry has no resource"));
            continue;
        };
        let Some(resource_type) = resource
            .get("resourceType")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            problems.push(EntryProblem::at(index, "the resource has no resourceType"));
            continue;
        };
        let full_url = entry.get("fullUrl").and_then(Value::as_str);
        if let Some(condition) = request
            .and_then(|r| r.get("ifNoneExist"))
            .and_then(Value::as_str)
        {
            match records
                .find_one(&resource_type, condition)
                .await
                .map_err(|e| e.to_string())
            {
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
        let id = id_from_put_url(request, &resource_type)
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
            .unwrap_or_else(crate::keys::new_resource_id);
        if let Some(full_url) = full_url {
            identities.insert(full_url.to_owned(), format!("{resource_type}/{id}"));
        }
        let mut resource = resource.take();
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
        let unresolved = resolve_references(records, &mut entry.resource, &identities).await;
        if unresolved.is_empty() {
            rewritten.push(entry);
        } else {
            let mut problem = EntryProblem::at(
                entry.index,
                unresolved
                    .iter()
                    .map(|p| p.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            problem.unresolved_only = unresolved.iter().all(|p| p.matched_nothing);
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
