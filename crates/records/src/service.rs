//! [`RecordService`]: create, update, patch, delete, read, vread, history, validate.

use crate::RecordError;
use crate::keys::row_keys;
use crate::patch::{Patch, PatchFormat};
use serde_json::{Map, Value};
use std::sync::Arc;
use tessera_fhir::{Definitions, Issue, IssueType, Severity};
use tessera_store::{
    HistoryPage, HistoryQuery, ResourceKey, ResourceStore, StoredVersion, WriteBatch, WriteOp,
    WriteOutcome,
};

/// Who is writing. Filled from the authenticated identity once identity
/// lands; until then the authoring organisation may come from the resource's
/// own tag ([`crate::AUTHOR_ORGANIZATION_TAG_SYSTEM`]).
#[derive(Debug, Clone, Default)]
pub struct WriteContext {
    pub author_org: Option<String>,
}

/// The result of a write that stored a version.
#[derive(Debug, Clone)]
pub struct WriteResult {
    pub version: StoredVersion,
    /// True when the resource did not exist (or was deleted) before.
    pub created: bool,
}

/// The FHIR record: every read and write of a resource goes through here.
#[derive(Clone)]
pub struct RecordService {
    pub(crate) store: Arc<dyn ResourceStore>,
    definitions: &'static Definitions,
}

impl RecordService {
    pub fn new(store: Arc<dyn ResourceStore>, definitions: &'static Definitions) -> RecordService {
        RecordService { store, definitions }
    }

    pub fn definitions(&self) -> &'static Definitions {
        self.definitions
    }

    /// Checks that `resource_type` is an R4 resource type.
    pub fn check_type(&self, resource_type: &str) -> Result<(), RecordError> {
        if self.definitions.is_resource_type(resource_type) {
            Ok(())
        } else {
            Err(RecordError::UnknownType(resource_type.to_owned()))
        }
    }

    /// Validates without storing (`$validate`). `Ok` carries any warnings.
    pub fn validate(
        &self,
        resource_type: &str,
        resource: &Value,
    ) -> Result<Vec<Issue>, RecordError> {
        self.check_type(resource_type)?;
        check_resource_type(resource, resource_type)?;
        let issues = self.definitions.validate(resource);
        if issues
            .iter()
            .any(|i| matches!(i.severity, Severity::Error | Severity::Fatal))
        {
            Err(RecordError::Invalid(issues))
        } else {
            Ok(issues)
        }
    }

    /// Creates a resource under a new server-assigned id (any id in the body is ignored).
    pub async fn create(
        &self,
        resource_type: &str,
        resource: Value,
        context: &WriteContext,
    ) -> Result<WriteResult, RecordError> {
        let key = ResourceKey::new(resource_type, crate::keys::new_resource_id());
        self.check_type(resource_type)?;
        check_resource_type(&resource, resource_type)?;
        let op = self.prepare_create(&key, resource, context)?;
        self.write_one(op).await
    }

    /// Stores a new version of `key` (or its first: update as create).
    pub async fn update(
        &self,
        key: &ResourceKey,
        resource: Value,
        if_match: Option<i64>,
        context: &WriteContext,
    ) -> Result<WriteResult, RecordError> {
        let op = self.prepare_update(key, resource, if_match, context)?;
        self.write_one(op).await
    }

    /// Everything an update does before the store: checks, validation and
    /// row keys. Callers that write many resources at once (import) prepare
    /// each and hand the operations to [`RecordService::write`] together.
    pub fn prepare_update(
        &self,
        key: &ResourceKey,
        resource: Value,
        if_match: Option<i64>,
        context: &WriteContext,
    ) -> Result<WriteOp, RecordError> {
        self.check_key(key)?;
        match resource.get("id").and_then(Value::as_str) {
            Some(id) if id == key.id => {}
            Some(id) => {
                return Err(malformed(
                    format!(
                        "the resource id '{id}' does not match the id '{}' in the URL",
                        key.id
                    ),
                    "id",
                    resource_type_of(&resource),
                ));
            }
            None => {
                return Err(malformed(
                    format!(
                        "an update must carry the id '{}' of the URL in the resource",
                        key.id
                    ),
                    "id",
                    resource_type_of(&resource),
                ));
            }
        }
        self.validate(&key.resource_type, &resource)?;
        let keys = row_keys(self.definitions, &resource, context.author_org.as_deref());
        Ok(WriteOp::Update {
            key: key.clone(),
            resource: into_object(resource)?.into(),
            keys,
            if_match,
        })
    }

    /// Everything a create with a chosen id does before the store (a
    /// transaction's `POST` entry, whose id the server picked).
    pub fn prepare_create(
        &self,
        key: &ResourceKey,
        resource: Value,
        context: &WriteContext,
    ) -> Result<WriteOp, RecordError> {
        self.check_key(key)?;
        let mut map = into_object(resource)?;
        map.insert("id".into(), Value::String(key.id.clone()));
        let resource = Value::Object(map);
        self.validate(&key.resource_type, &resource)?;
        let keys = row_keys(self.definitions, &resource, context.author_org.as_deref());
        Ok(WriteOp::Create {
            key: key.clone(),
            resource: into_object(resource)?.into(),
            keys,
        })
    }

    /// The write that stores `version` exactly as it is (copy, restore):
    /// its references and index entries derived from its body the same way
    /// as every other write ([`row_keys`]), its patient and organisation
    /// keys kept as stored. Not validated again: it was when first written,
    /// and history must survive a change of the rules.
    pub fn prepare_restore(&self, version: StoredVersion) -> Result<WriteOp, RecordError> {
        self.check_key(&version.key)?;
        if version.is_deleted() {
            return Ok(WriteOp::Restore {
                version,
                references: Vec::new(),
                index: Vec::new(),
            });
        }
        let corrupt = |reason: String| {
            RecordError::Store(tessera_store::StoreError::Corrupt {
                key: version.key.clone(),
                reason,
            })
        };
        let resource: Value =
            serde_json::from_slice(&version.body).map_err(|e| corrupt(e.to_string()))?;
        let names = (
            resource.get("resourceType").and_then(Value::as_str),
            resource.get("id").and_then(Value::as_str),
        );
        if names
            != (
                Some(version.key.resource_type.as_str()),
                Some(version.key.id.as_str()),
            )
        {
            return Err(corrupt(
                "its resourceType and id are not those of the version".into(),
            ));
        }
        let keys = row_keys(self.definitions, &resource, version.author_org.as_deref());
        Ok(WriteOp::Restore {
            version,
            references: keys.references,
            index: keys.index,
        })
    }

    /// Writes prepared operations in one durable transaction, all or nothing.
    pub async fn write(&self, ops: Vec<WriteOp>) -> Result<Vec<WriteOutcome>, RecordError> {
        Ok(self.store.write(WriteBatch { ops }).await?)
    }

    /// Applies a patch (JSON Patch or FHIRPath Patch, per `format`) to the
    /// current version of `key` and stores the result as a new version,
    /// validated like any write. With `if_match` the patch applies only to
    /// that version (412 otherwise); without it, a concurrent write between
    /// the read and the commit makes the patch re-apply to the newer version
    /// (a few times), so no write is ever lost. The document is parsed before
    /// the resource is read, so a malformed patch is reported as such.
    pub async fn patch(
        &self,
        key: &ResourceKey,
        format: PatchFormat,
        document: &Value,
        if_match: Option<i64>,
        context: &WriteContext,
    ) -> Result<WriteResult, RecordError> {
        const ATTEMPTS: usize = 5;
        let patch = Patch::parse(format, document, self.definitions)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (resource, version) = self.patched(key, &patch, if_match).await?;
            let op = self.prepare_update(key, resource, Some(version), context)?;
            match self.write_one(op).await {
                Err(RecordError::VersionConflict { .. })
                    if if_match.is_none() && attempt < ATTEMPTS =>
                {
                    continue;
                }
                other => return other,
            }
        }
    }

    /// The current version of `key` with `patch` applied, and the version
    /// it was applied to (to be written with that version as `If-Match`, so
    /// a concurrent write is noticed). `VersionConflict` when `if_match`
    /// names another version.
    pub(crate) async fn patched(
        &self,
        key: &ResourceKey,
        patch: &Patch,
        if_match: Option<i64>,
    ) -> Result<(Value, i64), RecordError> {
        let current = self.read(key).await?;
        if let Some(expected) = if_match
            && expected != current.version
        {
            return Err(RecordError::VersionConflict {
                key: key.clone(),
                expected,
                current: Some(current.version),
            });
        }
        let mut resource: Value = serde_json::from_slice(&current.body).map_err(|error| {
            RecordError::Store(tessera_store::StoreError::Corrupt {
                key: key.clone(),
                reason: error.to_string(),
            })
        })?;
        patch.apply(&mut resource, self.definitions)?;
        Ok((resource, current.version))
    }

    /// Logically deletes `key`. `None` when it was already deleted.
    pub async fn delete(
        &self,
        key: &ResourceKey,
        if_match: Option<i64>,
        _context: &WriteContext,
    ) -> Result<Option<StoredVersion>, RecordError> {
        self.check_key(key)?;
        let outcome = self
            .store
            .write(WriteBatch::single(WriteOp::Delete {
                key: key.clone(),
                if_match,
            }))
            .await?;
        match outcome.into_iter().next() {
            Some(WriteOutcome::Stored { version, .. }) => Ok(Some(version)),
            Some(WriteOutcome::AlreadyDeleted { .. }) => Ok(None),
            None => Err(RecordError::Store(tessera_store::StoreError::Database(
                "the store answered a delete with no outcome".into(),
            ))),
        }
    }

    /// The current version; `Gone` if it is a deletion.
    pub async fn read(&self, key: &ResourceKey) -> Result<StoredVersion, RecordError> {
        self.check_key(key)?;
        match self.store.read(key).await? {
            Some(version) if version.is_deleted() => Err(RecordError::Gone {
                key: key.clone(),
                version: version.version,
            }),
            Some(version) => Ok(version),
            None => Err(RecordError::NotFound(key.to_string())),
        }
    }

    /// One version; `Gone` if that version is a deletion.
    pub async fn read_version(
        &self,
        key: &ResourceKey,
        version: i64,
    ) -> Result<StoredVersion, RecordError> {
        self.check_key(key)?;
        match self.store.read_version(key, version).await? {
            Some(found) if found.is_deleted() => Err(RecordError::Gone {
                key: key.clone(),
                version,
            }),
            Some(found) => Ok(found),
            None => Err(RecordError::NotFound(format!("{key}/_history/{version}"))),
        }
    }

    pub async fn history(&self, query: &HistoryQuery) -> Result<HistoryPage, RecordError> {
        match &query.scope {
            tessera_store::HistoryScope::System => {}
            tessera_store::HistoryScope::Type(t) => self.check_type(t)?,
            tessera_store::HistoryScope::Instance(key) => self.check_key(key)?,
        }
        Ok(self.store.history(query).await?)
    }

    /// One page of a search (already parsed against the definitions).
    pub async fn search(
        &self,
        query: &tessera_fhir::search::SearchQuery,
        cursor: Option<&str>,
    ) -> Result<tessera_store::SearchPage, RecordError> {
        for resource_type in &query.resource_types {
            self.check_type(resource_type)?;
        }
        Ok(self.store.search(query, cursor).await?)
    }

    /// Rebuilds the search index of every live resource of `types` (all
    /// when empty) from the stored JSON, e.g. after the search-parameter
    /// definitions changed. Safe while other writes go on.
    pub async fn reindex(
        &self,
        types: &[String],
        progress: &mut (dyn FnMut(tessera_store::ReindexProgress) + Send),
    ) -> Result<tessera_store::ReindexProgress, RecordError> {
        for resource_type in types {
            self.check_type(resource_type)?;
        }
        let definitions = self.definitions;
        let extract = move |_: &ResourceKey, resource: &Value| definitions.index_entries(resource);
        Ok(self.store.reindex(types, &extract, progress).await?)
    }

    fn check_key(&self, key: &ResourceKey) -> Result<(), RecordError> {
        self.check_type(&key.resource_type)?;
        if is_valid_id(&key.id) {
            Ok(())
        } else {
            Err(RecordError::InvalidId(key.id.clone()))
        }
    }

    async fn write_one(&self, op: WriteOp) -> Result<WriteResult, RecordError> {
        let outcome = self.store.write(WriteBatch::single(op)).await?;
        match outcome.into_iter().next() {
            Some(WriteOutcome::Stored { version, created }) => Ok(WriteResult { version, created }),
            _ => Err(RecordError::Store(tessera_store::StoreError::Database(
                "the store answered a write with no stored version".into(),
            ))),
        }
    }
}

/// R4 `id`: 1 to 64 characters of `[A-Za-z0-9\-\.]`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn resource_type_of(resource: &Value) -> &str {
    resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or("Resource")
}

fn malformed(message: String, element: &str, resource_type: &str) -> RecordError {
    RecordError::Malformed(Box::new(
        Issue::error(IssueType::Invalid, message).at(format!("{resource_type}.{element}")),
    ))
}

fn check_resource_type(resource: &Value, expected: &str) -> Result<(), RecordError> {
    match resource.get("resourceType").and_then(Value::as_str) {
        Some(found) if found == expected => Ok(()),
        Some(found) => Err(RecordError::Malformed(Box::new(Issue::error(
            IssueType::Invalid,
            format!("the body is a {found}, but the URL is for {expected}"),
        )))),
        None => Err(RecordError::Malformed(Box::new(Issue::error(
            IssueType::Required,
            "the body has no resourceType",
        )))),
    }
}

fn into_object(resource: Value) -> Result<Map<String, Value>, RecordError> {
    match resource {
        Value::Object(map) => Ok(map),
        _ => Err(RecordError::Malformed(Box::new(Issue::error(
            IssueType::Structure,
            "the body must be a JSON object (a FHIR resource)",
        )))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_r4_rule() {
        assert!(is_valid_id("abc-123.x"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("a/b"));
        assert!(!is_valid_id(&"a".repeat(65)));
    }
}
