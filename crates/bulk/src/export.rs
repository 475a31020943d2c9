//! Writing an export: one NDJSON file per resource type.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use tessera_fhir::search::{
    Comparison, Condition, Criterion, DateRange, PatientCompartment, SearchQuery, TotalMode,
};
use tessera_records::{RecordError, RecordService};
use tessera_store::ResourceKey;

/// Resources fetched per page while exporting.
const PAGE: usize = 500;

/// Which resources an export covers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ExportLevel {
    /// Everything (`/$export`).
    System,
    /// Every patient's compartment (`/Patient/$export`).
    AllPatients,
    /// These patients' compartments (`/Patient/{id}/$everything`-like, or a
    /// Group's members).
    Patients(Vec<String>),
    /// A Group's member patients (`/Group/{id}/$export`).
    Group(String),
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExportRequest {
    pub level: ExportLevel,
    /// `_type`: only these types (all when empty).
    pub types: Vec<String>,
    /// `_since`: only resources updated at or after this instant (ms).
    pub since: Option<i64>,
    /// `_typeFilter`: search queries (`Observation?code=...`) a resource of
    /// that type must match (applied in system-level exports).
    pub type_filters: Vec<String>,
}

/// One file of an export.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutputFile {
    pub resource_type: String,
    /// The file name inside the export directory, `{Type}.ndjson`.
    pub file: String,
    pub count: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("_typeFilter '{0}' is not a search query on a resource type (Type?params)")]
    TypeFilter(String),
    #[error("the export was cancelled")]
    Cancelled,
}

/// Writes the resources `request` selects into `dir` (created if needed),
/// one `{Type}.ndjson` per type that has any. `keep_going` is asked between
/// pages; when it answers false the export stops with `Cancelled`.
pub async fn export(
    records: &RecordService,
    request: &ExportRequest,
    dir: &Path,
    keep_going: &(dyn Fn() -> bool + Send + Sync),
) -> Result<Vec<OutputFile>, ExportError> {
    std::fs::create_dir_all(dir).map_err(|source| ExportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let filters = parse_type_filters(records, &request.type_filters)?;
    let mut writer = NdjsonFiles::new(dir);
    let since = request.since.map(|millis| Criterion {
        any_of: vec![Condition::LastUpdated(DateRange {
            comparison: Comparison::Ge,
            low: millis,
            high: millis,
        })],
    });
    match &request.level {
        ExportLevel::System => {
            let types: Vec<String> = if request.types.is_empty() {
                records
                    .definitions()
                    .resource_types()
                    .map(str::to_owned)
                    .collect()
            } else {
                request.types.clone()
            };
            for resource_type in types {
                let mut query = base_query(vec![resource_type.clone()], None, since.clone());
                if let Some(filter) = filters.get(&resource_type) {
                    query.criteria.extend(filter.criteria.iter().cloned());
                }
                write_all(records, &query, &mut writer, keep_going).await?;
            }
        }
        ExportLevel::AllPatients | ExportLevel::Patients(_) | ExportLevel::Group(_) => {
            for patient in patients(records, &request.level).await? {
                let compartment = records.definitions().patient_compartment(&patient);
                let query = base_query(request.types.clone(), Some(compartment), since.clone());
                write_all(records, &query, &mut writer, keep_going).await?;
            }
        }
    }
    writer.finish()
}

fn base_query(
    types: Vec<String>,
    compartment: Option<PatientCompartment>,
    since: Option<Criterion>,
) -> SearchQuery {
    SearchQuery {
        resource_types: types,
        compartment,
        criteria: since.into_iter().collect(),
        sort: Vec::new(),
        count: PAGE,
        total: TotalMode::None,
        includes: Vec::new(),
        revincludes: Vec::new(),
    }
}

/// The patients a patient-level export covers.
async fn patients(
    records: &RecordService,
    level: &ExportLevel,
) -> Result<Vec<String>, ExportError> {
    match level {
        ExportLevel::Patients(ids) => Ok(ids.clone()),
        ExportLevel::Group(id) => {
            let group = records
                .read(&ResourceKey::new("Group", id.as_str()))
                .await?;
            let group: serde_json::Value = serde_json::from_slice(&group.body).unwrap_or_default();
            Ok(group["member"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| m["entity"]["reference"].as_str())
                .filter_map(|r| r.strip_prefix("Patient/"))
                .map(str::to_owned)
                .collect())
        }
        _ => {
            let mut ids = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let query = base_query(vec!["Patient".into()], None, None);
                let page = records.search(&query, cursor.as_deref()).await?;
                ids.extend(page.matches.into_iter().map(|v| v.key.id));
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => return Ok(ids),
                }
            }
        }
    }
}

async fn write_all(
    records: &RecordService,
    query: &SearchQuery,
    writer: &mut NdjsonFiles,
    keep_going: &(dyn Fn() -> bool + Send + Sync),
) -> Result<(), ExportError> {
    let mut cursor: Option<String> = None;
    loop {
        if !keep_going() {
            return Err(ExportError::Cancelled);
        }
        let page = records.search(query, cursor.as_deref()).await?;
        for version in &page.matches {
            writer.write(&version.key.resource_type, &version.body)?;
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(()),
        }
    }
}

fn parse_type_filters(
    records: &RecordService,
    filters: &[String],
) -> Result<BTreeMap<String, SearchQuery>, ExportError> {
    let mut parsed = BTreeMap::new();
    for filter in filters {
        let (resource_type, query) = filter
            .split_once('?')
            .ok_or_else(|| ExportError::TypeFilter(filter.clone()))?;
        let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let search = records
            .definitions()
            .parse_search(Some(resource_type), &params)
            .map_err(|_| ExportError::TypeFilter(filter.clone()))?;
        parsed.insert(resource_type.to_owned(), search.query);
    }
    Ok(parsed)
}

/// Open NDJSON files, one per type, written as resources arrive.
struct NdjsonFiles {
    dir: PathBuf,
    open: BTreeMap<String, (std::io::BufWriter<std::fs::File>, u64)>,
}

impl NdjsonFiles {
    fn new(dir: &Path) -> NdjsonFiles {
        NdjsonFiles {
            dir: dir.to_path_buf(),
            open: BTreeMap::new(),
        }
    }

    fn write(&mut self, resource_type: &str, json: &[u8]) -> Result<(), ExportError> {
        if !self.open.contains_key(resource_type) {
            let path = self.dir.join(format!("{resource_type}.ndjson"));
            let file =
                std::fs::File::create(&path).map_err(|source| ExportError::Io { path, source })?;
            self.open
                .insert(resource_type.to_owned(), (std::io::BufWriter::new(file), 0));
        }
        let path = self.dir.join(format!("{resource_type}.ndjson"));
        if let Some((file, count)) = self.open.get_mut(resource_type) {
            file.write_all(json)
                .and_then(|()| file.write_all(b"\n"))
                .map_err(|source| ExportError::Io { path, source })?;
            *count += 1;
        }
        Ok(())
    }

    /// Flushes every file to disk and lists them.
    fn finish(self) -> Result<Vec<OutputFile>, ExportError> {
        let mut files = Vec::new();
        for (resource_type, (writer, count)) in self.open {
            let path = self.dir.join(format!("{resource_type}.ndjson"));
            let file = writer.into_inner().map_err(|e| ExportError::Io {
                path: path.clone(),
                source: e.into_error(),
            })?;
            file.sync_all().map_err(|source| ExportError::Io {
                path: path.clone(),
                source,
            })?;
            files.push(OutputFile {
                file: format!("{resource_type}.ndjson"),
                resource_type,
                count,
            });
        }
        Ok(files)
    }
}
