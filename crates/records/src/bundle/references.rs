//! Resolving the references of a Bundle's resources: a reference to another
//! entry's `fullUrl` (`urn:uuid:...` or an absolute URL) becomes `Type/id`;
//! a conditional reference (`Organization?identifier=...`) becomes the one
//! stored resource it matches.

use crate::{RecordError, RecordService};
use serde_json::Value;
use std::collections::HashMap;

/// Why one reference could not be resolved.
#[derive(Debug)]
pub struct ReferenceProblem {
    pub message: String,
    /// A conditional reference that matched nothing (another file or a
    /// later write may still store its target).
    pub matched_nothing: bool,
}

/// Rewrites every reference of `resource`; `identities` maps fullUrls of
/// the bundle to `Type/id`.
pub(crate) async fn resolve_references(
    records: &RecordService,
    resource: &mut Value,
    identities: &HashMap<String, String>,
) -> Vec<ReferenceProblem> {
    let mut problems = Vec::new();
    let mut conditional = Vec::new();
    rewrite(resource, identities, &mut problems, &mut conditional);
    for reference in conditional {
        let Some((target_type, condition)) = reference.split_once('?') else {
            continue;
        };
        match records.find_one(target_type, condition).await {
            Ok(Some(id)) => replace(resource, &reference, &format!("{target_type}/{id}")),
            Ok(None) => problems.push(ReferenceProblem {
                message: format!("the reference '{reference}' matches nothing"),
                matched_nothing: true,
            }),
            Err(error) => problems.push(ReferenceProblem {
                message: format!("the reference '{reference}' cannot be resolved: {error}"),
                matched_nothing: false,
            }),
        }
    }
    problems
}

fn rewrite(
    value: &mut Value,
    identities: &HashMap<String, String>,
    problems: &mut Vec<ReferenceProblem>,
    conditional: &mut Vec<String>,
) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get_mut("reference") {
                if let Some(target) = identities.get(reference.as_str()) {
                    *reference = target.clone();
                } else if reference.starts_with("urn:uuid:") || reference.starts_with("urn:oid:") {
                    problems.push(ReferenceProblem {
                        message: format!(
                            "the reference '{reference}' names no entry of the bundle"
                        ),
                        matched_nothing: false,
                    });
                } else if reference.contains('?') && !conditional.contains(reference) {
                    conditional.push(reference.clone());
                }
            }
            for child in object.values_mut() {
                rewrite(child, identities, problems, conditional);
            }
        }
        Value::Array(items) => {
            for item in items {
                rewrite(item, identities, problems, conditional);
            }
        }
        _ => {}
    }
}

fn replace(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get_mut("reference")
                && reference == from
            {
                *reference = to.to_owned();
            }
            for child in object.values_mut() {
                replace(child, from, to);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| replace(item, from, to)),
        _ => {}
    }
}

impl RecordService {
    /// The ids of stored `resource_type` resources matching `condition` (a
    /// search query string such as `identifier=http://x|1`), at most `limit`.
    pub async fn find(
        &self,
        resource_type: &str,
        condition: &str,
        limit: usize,
    ) -> Result<Vec<String>, RecordError> {
        let params: Vec<(String, String)> = form_urlencoded::parse(condition.as_bytes())
            .into_owned()
            .collect();
        let mut parsed = self
            .definitions()
            .parse_search(Some(resource_type), &params)
            .map_err(|issues| {
                let message = issues.iter().map(|i| i.message.as_str()).collect::<Vec<_>>().join("; ");
                RecordError::Malformed(Box::new(tessera_fhir::Issue::error(
                    tessera_fhir::IssueType::Invalid,
                    format!("the condition '{resource_type}?{condition}' is not a valid search: {message}"),
                )))
            })?;
        parsed.query.count = limit;
        let page = self.search(&parsed.query, None).await?;
        Ok(page.matches.into_iter().map(|m| m.key.id).collect())
    }

    /// The id of the one stored resource matching `condition`; `None` when
    /// nothing matches; an error (412 at the edge) when several do.
    pub async fn find_one(
        &self,
        resource_type: &str,
        condition: &str,
    ) -> Result<Option<String>, RecordError> {
        let mut found = self.find(resource_type, condition, 2).await?;
        match found.len() {
            0 => Ok(None),
            1 => Ok(found.pop()),
            _ => Err(RecordError::MultipleMatches(format!(
                "{resource_type}?{condition}"
            ))),
        }
    }
}
