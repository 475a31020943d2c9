//! Asynchronous export jobs (`$export`), each a folder in
//! `DATA_DIR/exports/{id}/` holding its NDJSON files and `job.json`, the
//! job's state, rewritten (and fsynced) at every change.

use crate::export::{ExportError, ExportRequest, OutputFile, export};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tessera_records::RecordService;

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobStatus {
    InProgress,
    Completed,
    Failed,
    Cancelled,
}

/// A job's state, as kept in `job.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JobState {
    pub id: String,
    pub status: JobStatus,
    pub request: ExportRequest,
    /// The kick-off request's URL, for the manifest's `request`.
    pub request_url: String,
    /// When the export started (FHIR instant): the manifest's `transactionTime`.
    pub transaction_time: String,
    pub output: Vec<OutputFile>,
    pub error: Option<String>,
}

/// A job's state and the flag that cancels it.
type JobEntry = (JobState, Arc<AtomicBool>);

/// Every export job of this data directory.
#[derive(Clone)]
pub struct ExportJobs {
    root: PathBuf,
    jobs: Arc<Mutex<HashMap<String, JobEntry>>>,
}

impl ExportJobs {
    /// Loads the jobs under `data_dir/exports`. A job still "in progress"
    /// was cut short by a stop: it is marked failed, with the reason.
    pub fn open(data_dir: &Path) -> std::io::Result<ExportJobs> {
        let root = data_dir.join("exports");
        std::fs::create_dir_all(&root)?;
        let mut jobs = HashMap::new();
        for entry in std::fs::read_dir(&root)? {
            let path = entry?.path().join("job.json");
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(mut state) = serde_json::from_str::<JobState>(&text) else {
                tracing::warn!(path = %path.display(), "unreadable export job state; ignored");
                continue;
            };
            if state.status == JobStatus::InProgress {
                state.status = JobStatus::Failed;
                state.error =
                    Some("the server stopped while this export was running; start it again".into());
                save(&root, &state)?;
            }
            jobs.insert(state.id.clone(), (state, Arc::new(AtomicBool::new(false))));
        }
        Ok(ExportJobs {
            root,
            jobs: Arc::new(Mutex::new(jobs)),
        })
    }

    /// Starts an export in the background and returns its id.
    pub fn start(
        &self,
        records: RecordService,
        request: ExportRequest,
        request_url: String,
        transaction_time: String,
    ) -> std::io::Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let state = JobState {
            id: id.clone(),
            status: JobStatus::InProgress,
            request: request.clone(),
            request_url,
            transaction_time,
            output: Vec::new(),
            error: None,
        };
        std::fs::create_dir_all(self.root.join(&id))?;
        save(&self.root, &state)?;
        let cancelled = Arc::new(AtomicBool::new(false));
        self.lock().insert(id.clone(), (state, cancelled.clone()));
        let jobs = self.clone();
        let job_id = id.clone();
        tokio::spawn(async move {
            let dir = jobs.root.join(&job_id);
            let keep_going = move || !cancelled.load(Ordering::Relaxed);
            let result = export(&records, &request, &dir, &keep_going).await;
            jobs.finish(&job_id, result);
        });
        Ok(id)
    }

    fn finish(&self, id: &str, result: Result<Vec<OutputFile>, ExportError>) {
        let mut jobs = self.lock();
        let Some((state, _)) = jobs.get_mut(id) else {
            return;
        };
        match result {
            Ok(output) => {
                state.status = JobStatus::Completed;
                state.output = output;
            }
            Err(ExportError::Cancelled) => state.status = JobStatus::Cancelled,
            Err(error) => {
                state.status = JobStatus::Failed;
                state.error = Some(error.to_string());
            }
        }
        if let Err(error) = save(&self.root, state) {
            tracing::error!(%error, id, "cannot record the export job's end");
        }
        if state.status == JobStatus::Cancelled {
            let _ = std::fs::remove_dir_all(self.root.join(id));
            jobs.remove(id);
        }
    }

    /// A job's state.
    pub fn state(&self, id: &str) -> Option<JobState> {
        self.lock().get(id).map(|(state, _)| state.clone())
    }

    /// Cancels a running job, or deletes a finished one and its files.
    /// False when there is no such job.
    pub fn cancel(&self, id: &str) -> bool {
        let mut jobs = self.lock();
        let Some((state, cancelled)) = jobs.get(id) else {
            return false;
        };
        if state.status == JobStatus::InProgress {
            cancelled.store(true, Ordering::Relaxed);
        } else {
            let _ = std::fs::remove_dir_all(self.root.join(id));
            jobs.remove(id);
        }
        true
    }

    /// The path of an output file of a completed job, if it is one.
    pub fn file(&self, id: &str, name: &str) -> Option<PathBuf> {
        let jobs = self.lock();
        let (state, _) = jobs.get(id)?;
        state
            .output
            .iter()
            .find(|f| f.file == name)
            .map(|f| self.root.join(id).join(&f.file))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, JobEntry>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Writes `job.json` durably (write a temporary file, fsync, rename).
fn save(root: &Path, state: &JobState) -> std::io::Result<()> {
    let dir = root.join(&state.id);
    std::fs::create_dir_all(&dir)?;
    let temporary = dir.join("job.json.tmp");
    let text = serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?;
    {
        let mut file = std::fs::File::create(&temporary)?;
        std::io::Write::write_all(&mut file, &text)?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, dir.join("job.json"))
}
