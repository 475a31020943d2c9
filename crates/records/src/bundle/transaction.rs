//! REST `transaction` and `batch` Bundles (`POST /fhir`).
//!
//! A transaction is all or nothing: its entries are planned in the order R4
//! prescribes (DELETE, POST, PUT and PATCH, then GET), `urn:uuid:` and other fullUrl
//! references between entries are rewritten to the ids the server chose,
//! conditional create (`ifNoneExist`), update (`PUT Type?search`) and delete
//! (`DELETE Type?search`) are resolved by search, a PATCH entry (its
//! resource a `Parameters` for FHIRPath Patch or a `Binary` holding a JSON
//! Patch) is applied to the current version and written with that version
//! as its `If-Match`, and every write goes to
//! the store as one [`WriteBatch`](tessera_store::WriteBatch): one durable
//! commit or nothing. Two entries that write the same resource fail the
//! transaction, as R4 requires. A failure names the entry (`Bundle.entry[3]`). A
//! batch runs each entry on its own and answers each.

use super::references::resolve_references;
use crate::patch::Patch;
use crate::{RecordError, RecordService, WriteContext};
use serde_json::Value;
use std::collections::HashMap;
use tessera_fhir::{Issue, IssueType};
use tessera_store::{ResourceKey, SearchPage, StoredVersion, WriteOp, WriteOutcome};

/// What one entry did.
#[derive(Debug, Clone)]
pub enum EntryResult {
    /// A new resource (`201`).
    Created(StoredVersion),
    /// A new version of an existing resource (`200`).
    Updated(StoredVersion),
    /// A deletion (`204`); `None` when there was nothing (left) to delete.
    Deleted(Option<StoredVersion>),
    /// A conditional create whose condition matched: nothing written (`200`).
    Existing(ResourceKey),
    /// A read (`200`).
    Read(StoredVersion),
    /// A search (`200`, a searchset of the first page).
    Searched(SearchPage),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Delete,
    Post,
    Put,
    Patch,
    Get,
}

impl Method {
    /// R4's processing order: DELETE, POST, PUT and PATCH together, GET.
    fn rank(self) -> u8 {
        match self {
            Method::Delete => 0,
            Method::Post => 1,
            Method::Put | Method::Patch => 2,
            Method::Get => 3,
        }
    }
}

struct EntryRequest {
    index: usize,
    method: Method,
    url: String,
    if_match: Option<i64>,
    if_none_exist: Option<String>,
    full_url: Option<String>,
    resource: Option<Value>,
}

/// A write planned for the store, remembering its entry.
enum PlannedWrite {
    Op { index: usize, op: WriteOp },
    Existing { index: usize, key: ResourceKey },
    NothingToDelete { index: usize },
}

fn entry_error(index: usize, error: RecordError) -> RecordError {
    match error {
        RecordError::Invalid(issues) => RecordError::InEntry {
            index,
            error: Box::new(RecordError::Invalid(
                issues
                    .into_iter()
                    .map(|issue| in_entry(index, issue))
                    .collect(),
            )),
        },
        other => RecordError::InEntry {
            index,
            error: Box::new(other),
        },
    }
}

/// `Observation.subject` → `Bundle.entry[3].resource.subject`.
fn in_entry(index: usize, mut issue: Issue) -> Issue {
    let prefix = format!("Bundle.entry[{index}].resource");
    issue.path = Some(match issue.path.take() {
        Some(path) => match path.split_once('.') {
            Some((_, rest)) => format!("{prefix}.{rest}"),
            None => prefix,
        },
        None => prefix,
    });
    issue
}

fn malformed(index: usize, message: impl Into<String>) -> RecordError {
    RecordError::InEntry {
        index,
        error: Box::new(RecordError::Malformed(Box::new(
            Issue::error(IssueType::Invalid, message).at(format!("Bundle.entry[{index}]")),
        ))),
    }
}

fn parse_entries(bundle: &Value) -> Result<Vec<EntryRequest>, RecordError> {
    let entries = bundle
        .get("entry")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let mut parsed = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let request = entry
            .get("request")
            .ok_or_else(|| malformed(index, "the entry has no request"))?;
        let method = match request.get("method").and_then(Value::as_str) {
            Some("DELETE") => Method::Delete,
            Some("POST") => Method::Post,
            Some("PUT") => Method::Put,
            Some("PATCH") => Method::Patch,
            Some("GET") | Some("HEAD") => Method::Get,
            Some(other) => {
                return Err(malformed(
                    index,
                    format!("the method {other} is not supported in a Bundle"),
                ));
            }
            None => return Err(malformed(index, "the entry's request has no method")),
        };
        let url = request
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim_start_matches('/')
            .to_owned();
        let if_match = match request.get("ifMatch").and_then(Value::as_str) {
            None => None,
            Some(tag) => Some(
                tag.trim_start_matches("W/")
                    .trim_matches('"')
                    .parse::<i64>()
                    .map_err(|_| {
                        malformed(index, format!("ifMatch '{tag}' is not a version ETag"))
                    })?,
            ),
        };
        parsed.push(EntryRequest {
            index,
            method,
            url,
            if_match,
            if_none_exist: request
                .get("ifNoneExist")
                .and_then(Value::as_str)
                .map(str::to_owned),
            full_url: entry
                .get("fullUrl")
                .and_then(Value::as_str)
                .map(str::to_owned),
            resource: entry.get("resource").cloned(),
        });
    }
    Ok(parsed)
}

impl RecordService {
    /// Runs a transaction Bundle: every write or none. Results are in entry
    /// order; only a read or search (GET, which runs after the commit and
    /// changes nothing) can fail on its own.
    pub async fn transaction(
        &self,
        bundle: &Value,
        context: &WriteContext,
    ) -> Result<Vec<Result<EntryResult, RecordError>>, RecordError> {
        let entries = parse_entries(bundle)?;
        let count = entries.len();
        let results = self.run_entries(entries, context).await?;
        let mut ordered: Vec<Option<Result<EntryResult, RecordError>>> =
            (0..count).map(|_| None).collect();
        for (index, result) in results {
            if let Some(slot) = ordered.get_mut(index) {
                *slot = Some(result);
            }
        }
        Ok(ordered
            .into_iter()
            .enumerate()
            .map(|(index, result)| {
                result.unwrap_or_else(|| Err(malformed(index, "the entry was not processed")))
            })
            .collect())
    }

    /// Runs a batch Bundle: each entry on its own. Results are in entry order.
    pub async fn batch(
        &self,
        bundle: &Value,
        context: &WriteContext,
    ) -> Result<Vec<Result<EntryResult, RecordError>>, RecordError> {
        let entries = parse_entries(bundle)?;
        let mut results = Vec::with_capacity(entries.len());
        for entry in entries {
            let index = entry.index;
            let result = match self.run_entries(vec![entry], context).await {
                Ok(mut done) => done
                    .pop()
                    .map(|(_, result)| result)
                    .unwrap_or_else(|| Err(malformed(index, "the entry was not processed"))),
                Err(error) => Err(error),
            };
            results.push(result);
        }
        Ok(results)
    }

    /// Plans, writes (one store batch) and then reads: (entry index, result).
    async fn run_entries(
        &self,
        mut entries: Vec<EntryRequest>,
        context: &WriteContext,
    ) -> Result<Vec<(usize, Result<EntryResult, RecordError>)>, RecordError> {
        entries.sort_by_key(|e| e.method.rank());
        let mut results: Vec<(usize, Result<EntryResult, RecordError>)> =
            Vec::with_capacity(entries.len());
        let planned = self.plan_writes(&mut entries, context).await?;
        let mut ops = Vec::new();
        let mut op_entries = Vec::new();
        for write in planned {
            match write {
                PlannedWrite::Op { index, op } => {
                    op_entries.push(index);
                    ops.push(op);
                }
                PlannedWrite::Existing { index, key } => {
                    results.push((index, Ok(EntryResult::Existing(key))))
                }
                PlannedWrite::NothingToDelete { index } => {
                    results.push((index, Ok(EntryResult::Deleted(None))))
                }
            }
        }
        let keys: Vec<ResourceKey> = ops.iter().map(op_key).cloned().collect();
        let outcomes = self.write(ops).await.map_err(|error| {
            // Name the entry the store refused, when the error names its resource.
            let key = match &error {
                RecordError::VersionConflict { key, .. } | RecordError::Gone { key, .. } => {
                    Some(key.clone())
                }
                _ => None,
            };
            match key.and_then(|k| keys.iter().position(|x| *x == k)) {
                Some(position) => entry_error(op_entries[position], error),
                None => error,
            }
        })?;
        for (index, outcome) in op_entries.into_iter().zip(outcomes) {
            results.push((
                index,
                Ok(match outcome {
                    WriteOutcome::Stored { version, .. } if version.is_deleted() => {
                        EntryResult::Deleted(Some(version))
                    }
                    WriteOutcome::Stored {
                        version,
                        created: true,
                    } => EntryResult::Created(version),
                    WriteOutcome::Stored {
                        version,
                        created: false,
                    } => EntryResult::Updated(version),
                    WriteOutcome::AlreadyDeleted { .. } => EntryResult::Deleted(None),
                }),
            ));
        }
        for entry in entries.iter().filter(|e| e.method == Method::Get) {
            let result = self
                .get_entry(entry)
                .await
                .map_err(|e| entry_error(entry.index, e));
            results.push((entry.index, result));
        }
        Ok(results)
    }

    async fn plan_writes(
        &self,
        entries: &mut [EntryRequest],
        context: &WriteContext,
    ) -> Result<Vec<PlannedWrite>, RecordError> {
        // Identities first, so references between entries can be rewritten.
        let mut identities: HashMap<String, String> = HashMap::new();
        let mut keys: HashMap<usize, ResourceKey> = HashMap::new();
        let mut planned = Vec::new();
        for entry in entries.iter() {
            let index = entry.index;
            match entry.method {
                Method::Delete => {
                    let target = match entry.url.split_once('?') {
                        Some((resource_type, condition)) => self
                            .find_one(resource_type, condition)
                            .await
                            .map_err(|e| entry_error(index, e))?
                            .map(|id| ResourceKey::new(resource_type, id)),
                        None => Some(local_key(index, &entry.url)?),
                    };
                    planned.push(match target {
                        Some(key) => PlannedWrite::Op {
                            index,
                            op: WriteOp::Delete {
                                key,
                                if_match: entry.if_match,
                            },
                        },
                        None => PlannedWrite::NothingToDelete { index },
                    });
                    continue;
                }
                Method::Get => continue,
                Method::Patch => {
                    if entry.resource.is_none() {
                        return Err(malformed(
                            index,
                            "the PATCH entry has no resource (a Parameters or a Binary)",
                        ));
                    }
                    let key = self.patch_target(index, &entry.url).await?;
                    if let Some(full_url) = &entry.full_url {
                        identities.insert(full_url.clone(), key.to_string());
                    }
                    keys.insert(index, key);
                    continue;
                }
                Method::Post | Method::Put => {}
            }
            let resource = entry
                .resource
                .as_ref()
                .ok_or_else(|| malformed(index, "the entry has no resource"))?;
            let resource_type = resource
                .get("resourceType")
                .and_then(Value::as_str)
                .ok_or_else(|| malformed(index, "the resource has no resourceType"))?;
            let key = if entry.method == Method::Post {
                let existing = match &entry.if_none_exist {
                    Some(condition) => self
                        .find_one(resource_type, condition)
                        .await
                        .map_err(|e| entry_error(index, e))?,
                    None => None,
                };
                if let Some(existing) = existing {
                    let key = ResourceKey::new(resource_type, existing);
                    if let Some(full_url) = &entry.full_url {
                        identities.insert(full_url.clone(), key.to_string());
                    }
                    planned.push(PlannedWrite::Existing { index, key });
                    continue;
                }
                ResourceKey::new(resource_type, crate::keys::new_resource_id())
            } else {
                match entry.url.split_once('?') {
                    Some((url_type, condition)) => {
                        let found = self
                            .find_one(url_type, condition)
                            .await
                            .map_err(|e| entry_error(index, e))?;
                        let id = found
                            .or_else(|| {
                                resource
                                    .get("id")
                                    .and_then(Value::as_str)
                                    .map(str::to_owned)
                            })
                            .unwrap_or_else(crate::keys::new_resource_id);
                        ResourceKey::new(url_type, id)
                    }
                    None => local_key(index, &entry.url)?,
                }
            };
            if let Some(full_url) = &entry.full_url {
                identities.insert(full_url.clone(), key.to_string());
            }
            keys.insert(index, key);
        }
        for entry in entries.iter_mut() {
            let Some(key) = keys.remove(&entry.index) else {
                continue;
            };
            let index = entry.index;
            let Some(mut resource) = entry.resource.take() else {
                continue;
            };
            let version = if entry.method == Method::Patch {
                let patch = Patch::from_entry_resource(&resource, self.definitions())
                    .map_err(|e| entry_error(index, e))?;
                let (patched, version) = self
                    .patched(&key, &patch, entry.if_match)
                    .await
                    .map_err(|e| entry_error(index, e))?;
                resource = patched;
                Some(version)
            } else {
                entry.if_match
            };
            let problems = resolve_references(self, &mut resource, &identities).await;
            if let Some(problem) = problems.first() {
                return Err(malformed(index, problem.message.clone()));
            }
            let op = if entry.method == Method::Post {
                self.prepare_create(&key, resource, context)
            } else {
                resource["id"] = Value::String(key.id.clone());
                self.prepare_update(&key, resource, version, context)
            }
            .map_err(|e| entry_error(index, e))?;
            planned.push(PlannedWrite::Op { index, op });
        }
        refuse_overlaps(&planned)?;
        // Keep R4's order among the writes: deletes, creates, updates.
        planned.sort_by_key(|w| match w {
            PlannedWrite::Op {
                op: WriteOp::Delete { .. },
                ..
            }
            | PlannedWrite::NothingToDelete { .. } => 0,
            PlannedWrite::Op {
                op: WriteOp::Create { .. },
                ..
            }
            | PlannedWrite::Existing { .. } => 1,
            PlannedWrite::Op { .. } => 2,
        });
        Ok(planned)
    }

    /// The resource a PATCH entry's url names: `Type/id`, or `Type?search`
    /// matching exactly one.
    async fn patch_target(&self, index: usize, url: &str) -> Result<ResourceKey, RecordError> {
        match url.split_once('?') {
            Some((resource_type, condition)) => self
                .find_one(resource_type, condition)
                .await
                .map_err(|e| entry_error(index, e))?
                .map(|id| ResourceKey::new(resource_type, id))
                .ok_or_else(|| {
                    entry_error(
                        index,
                        RecordError::NotFound(format!("{resource_type}?{condition}")),
                    )
                }),
            None => local_key(index, url),
        }
    }

    async fn get_entry(&self, entry: &EntryRequest) -> Result<EntryResult, RecordError> {
        match entry.url.split_once('?') {
            Some((resource_type, query)) => {
                let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                    .into_owned()
                    .collect();
                let parsed = self
                    .definitions()
                    .parse_search(Some(resource_type), &params)
                    .map_err(|issues| {
                        RecordError::Malformed(Box::new(issues.into_iter().next().unwrap_or_else(
                            || Issue::error(IssueType::Invalid, "the search is not valid"),
                        )))
                    })?;
                Ok(EntryResult::Searched(
                    self.search(&parsed.query, None).await?,
                ))
            }
            None => {
                let key = local_key(entry.index, &entry.url)?;
                Ok(EntryResult::Read(self.read(&key).await?))
            }
        }
    }
}

/// R4 (3.1.0.11.2): "If any resource identities (including resolved
/// identities from conditional update/delete) overlap in steps 1-3, then the
/// transaction SHALL fail." The later entry is named.
fn refuse_overlaps(planned: &[PlannedWrite]) -> Result<(), RecordError> {
    let mut written: HashMap<&ResourceKey, usize> = HashMap::new();
    let mut writes: Vec<(usize, &ResourceKey)> = planned
        .iter()
        .filter_map(|write| match write {
            PlannedWrite::Op { index, op } => Some((*index, op.key())),
            _ => None,
        })
        .collect();
    writes.sort_by_key(|(index, _)| *index);
    for (index, key) in writes {
        if let Some(first) = written.insert(key, index) {
            return Err(malformed(
                index,
                format!(
                    "{key} is also written by Bundle.entry[{first}]; a transaction may \
                     write each resource once"
                ),
            ));
        }
    }
    Ok(())
}

fn op_key(op: &WriteOp) -> &ResourceKey {
    op.key()
}

/// `Type/id` from an entry's request URL.
fn local_key(index: usize, url: &str) -> Result<ResourceKey, RecordError> {
    match url.split('/').collect::<Vec<_>>().as_slice() {
        [resource_type, id] if !resource_type.is_empty() && !id.is_empty() => {
            Ok(ResourceKey::new(*resource_type, *id))
        }
        _ => Err(malformed(
            index,
            format!("the request url '{url}' is not Type/id"),
        )),
    }
}
