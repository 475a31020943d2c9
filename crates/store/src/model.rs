//! The values that cross the [`crate::ResourceStore`] boundary.

use crate::{Instant, UnstampedBody};
use bytes::Bytes;
use std::fmt;

/// A resource's identity: its type and logical id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceKey {
    pub resource_type: String,
    pub id: String,
}

impl ResourceKey {
    pub fn new(resource_type: impl Into<String>, id: impl Into<String>) -> ResourceKey {
        ResourceKey {
            resource_type: resource_type.into(),
            id: id.into(),
        }
    }
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.resource_type, self.id)
    }
}

/// How a version came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMethod {
    Create,
    Update,
    Delete,
}

impl WriteMethod {
    pub(crate) fn code(self) -> i64 {
        match self {
            WriteMethod::Create => 1,
            WriteMethod::Update => 2,
            WriteMethod::Delete => 3,
        }
    }

    pub(crate) fn from_code(code: i64) -> Option<WriteMethod> {
        match code {
            1 => Some(WriteMethod::Create),
            2 => Some(WriteMethod::Update),
            3 => Some(WriteMethod::Delete),
            _ => None,
        }
    }

    /// A stable name, for files that outlive a process (backups).
    pub fn name(self) -> &'static str {
        match self {
            WriteMethod::Create => "create",
            WriteMethod::Update => "update",
            WriteMethod::Delete => "delete",
        }
    }

    /// The method named `name` (see [`WriteMethod::name`]).
    pub fn from_name(name: &str) -> Option<WriteMethod> {
        match name {
            "create" => Some(WriteMethod::Create),
            "update" => Some(WriteMethod::Update),
            "delete" => Some(WriteMethod::Delete),
            _ => None,
        }
    }
}

/// One stored version of a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVersion {
    pub key: ResourceKey,
    pub version: i64,
    pub last_updated: Instant,
    pub method: WriteMethod,
    /// The resource as JSON, with `id`, `meta.versionId` and
    /// `meta.lastUpdated` stamped. Empty for a deletion.
    pub body: Bytes,
    pub patient_key: Option<String>,
    pub author_org: Option<String>,
}

impl StoredVersion {
    pub fn is_deleted(&self) -> bool {
        self.method == WriteMethod::Delete
    }
}

/// What every stored row carries besides the resource itself, decided above
/// the store (from FHIR knowledge and the caller's identity).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowKeys {
    /// The Patient id of the compartment the resource belongs to.
    pub patient_key: Option<String>,
    /// The organisation that authored this version (`Organization/{id}` id).
    pub author_org: Option<String>,
    /// Local resources this version refers to; a resource that current
    /// resources refer to cannot be deleted.
    pub references: Vec<ResourceKey>,
    /// The search-index values of this version (from
    /// `Definitions::index_entries`), stored in the same transaction.
    pub index: Vec<tessera_fhir::search::IndexEntry>,
}

/// One change to one resource.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    /// Store a new resource under a fresh id chosen by the caller. Fails with
    /// [`crate::StoreError::AlreadyExists`] if the id is taken.
    Create {
        key: ResourceKey,
        resource: UnstampedBody,
        keys: RowKeys,
    },
    /// Store a new version (or the first one: update-as-create).
    Update {
        key: ResourceKey,
        resource: UnstampedBody,
        keys: RowKeys,
        if_match: Option<i64>,
    },
    /// Logically delete: a new version marked deleted.
    Delete {
        key: ResourceKey,
        if_match: Option<i64>,
    },
    /// Store `version` exactly as given (copy and restore): its version
    /// number, `lastUpdated`, method, body (stored byte for byte, already
    /// stamped), patient and organisation keys, deletions included. It must
    /// follow the resource's head (version 1 of an unknown resource, or the
    /// head's version + 1); otherwise
    /// [`crate::StoreError::RestoreOutOfOrder`]. The head, link and index
    /// rows are set as for any write, from `references` and `index` (empty
    /// for a deletion), which the caller derives from the body the same way
    /// every write does. No other rule applies: the version was checked when
    /// it was first written.
    Restore {
        version: StoredVersion,
        references: Vec<ResourceKey>,
        index: Vec<tessera_fhir::search::IndexEntry>,
    },
}

impl WriteOp {
    /// The resource this operation writes.
    pub fn key(&self) -> &ResourceKey {
        match self {
            WriteOp::Create { key, .. }
            | WriteOp::Update { key, .. }
            | WriteOp::Delete { key, .. } => key,
            WriteOp::Restore { version, .. } => &version.key,
        }
    }
}

/// Operations applied together, all or nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteBatch {
    pub ops: Vec<WriteOp>,
}

impl WriteBatch {
    pub fn single(op: WriteOp) -> WriteBatch {
        WriteBatch { ops: vec![op] }
    }
}

/// The result of one [`WriteOp`].
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOutcome {
    /// A new version was stored; `created` is true when no earlier version
    /// of this resource existed.
    Stored {
        version: StoredVersion,
        created: bool,
    },
    /// A delete of a resource whose current version is already a deletion:
    /// nothing changed.
    AlreadyDeleted { version: StoredVersion },
}

/// Which history to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryScope {
    System,
    Type(String),
    Instance(ResourceKey),
}

/// A request for one page of history, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    pub scope: HistoryScope,
    /// Only versions last updated at or after this instant (`_since`).
    pub since: Option<Instant>,
    /// Continue after this cursor (from [`HistoryPage::next_cursor`]).
    pub cursor: Option<i64>,
    /// Page size.
    pub count: usize,
    /// Whether to count all matching versions (costs a scan for type and
    /// system history).
    pub with_total: bool,
}

/// One page of history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPage {
    pub entries: Vec<StoredVersion>,
    /// Cursor for the next page, if there is one.
    pub next_cursor: Option<i64>,
    pub total: Option<u64>,
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchPage {
    /// The matches of this page, in result order (`search.mode = match`).
    pub matches: Vec<StoredVersion>,
    /// Resources added by `_include` / `_revinclude` (`search.mode = include`).
    pub included: Vec<StoredVersion>,
    /// The number of matches, when the query asked for it.
    pub total: Option<u64>,
    /// An opaque cursor for the next page, if there is one.
    pub next_cursor: Option<String>,
}

/// How many versions and live resources of each type a store holds, as
/// counted in one consistent snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Census {
    /// By resource type, in type order.
    pub types: std::collections::BTreeMap<String, TypeCensus>,
}

/// One type's line of a [`Census`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypeCensus {
    /// Stored versions, deletions included.
    pub versions: u64,
    /// Resources whose current version is not a deletion.
    pub live: u64,
}

impl Census {
    /// Every stored version, of every type.
    pub fn versions(&self) -> u64 {
        self.types.values().map(|t| t.versions).sum()
    }

    /// Every live resource, of every type.
    pub fn live(&self) -> u64 {
        self.types.values().map(|t| t.live).sum()
    }
}
