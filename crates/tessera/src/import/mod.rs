//! `tessera import FILE_OR_DIR...`: loads transaction, batch and collection
//! Bundles (`.json`) and NDJSON (`.ndjson`, one resource per line) through
//! the same path as every other write (validation, row keys, durable
//! commit), in batches.
//!
//! A transaction Bundle is all or nothing: one bad entry rejects it, with
//! the entry index. In a batch or collection Bundle or an NDJSON file, a bad
//! entry or line is reported with its location and the rest is loaded.
//! Files already imported (same path, size and content) are skipped, so an
//! interrupted import can simply be run again.
//!
//! Into an empty store, the search indexes are deferred: the load writes
//! rows only, and each index is built in one sorted pass at the end
//! (`ResourceStore::defer_search_indexes`). An import that stops before
//! then leaves them deferred; running it again, or `tessera serve`, builds
//! them.

mod ledger;

use crate::cli::ImportArgs;
use crate::config::{DatabaseLocation, StoreSettings};
use crate::runtime::{
    SystemClock, build_deferred_indexes, init_logging, open_store, tokio_runtime,
};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use ledger::ImportLedger;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tessera_records::bundle as bundles;
use tessera_records::{RecordError, RecordService, WriteContext};
use tessera_store::{ResourceKey, ResourceStore, WriteOp};

pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    let settings = StoreSettings::resolve(args.store)?;
    // Progress and problems are the output of an import; logs only warn.
    init_logging("warn")?;
    tokio_runtime()?.block_on(async {
        let store = open_store(&settings, Arc::new(SystemClock))?;
        let records = RecordService::new(store.clone(), tessera_fhir::Definitions::r4());
        let problems = import_paths(
            &records,
            &*store,
            &settings.data_dir,
            &args.paths,
            batch_size(args.batch, &settings.database),
        )
        .await;
        store.close().await?;
        let problems = problems?;
        if problems > 0 {
            anyhow::bail!("{problems} problems (listed above); everything else was imported");
        }
        Ok(())
    })
}

/// Imports every file under `paths` through `records` (writing to
/// `store`), printing progress, problems and a summary; returns how many
/// problems there were.
pub async fn import_paths(
    records: &RecordService,
    store: &dyn ResourceStore,
    data_dir: &Path,
    paths: &[PathBuf],
    batch: usize,
) -> anyhow::Result<u64> {
    let files = list_files(paths)?;
    store
        .defer_search_indexes()
        .await
        .context("cannot defer the search indexes for the load")?;
    let ledger = ImportLedger::open(data_dir)?;
    let mut import = Import::new(records.clone(), batch.max(1), &files, ledger);
    // A bundle whose conditional references name nothing yet is tried
    // again after every other file, once: files may come in any order
    // (e.g. patients before the organisations they refer to).
    let mut deferred = Vec::new();
    for file in &files {
        if import.file(file).await? == FileOutcome::Deferred {
            deferred.push(file);
        }
    }
    import.last_pass = true;
    for file in deferred {
        import.file(file).await?;
    }
    import.flush().await?;
    import.settle().await?;
    import.progress.finish_and_clear();
    build_deferred_indexes(store).await?;
    import.finish();
    Ok(import.errors)
}

/// Every `.json` and `.ndjson` file named or found (recursively) under a
/// named directory, sorted within each directory.
fn list_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            for entry in std::fs::read_dir(path)
                .with_context(|| format!("cannot list {}", path.display()))?
            {
                found.push(entry?.path());
            }
            found.sort();
            let (dirs, plain): (Vec<_>, Vec<_>) = found.into_iter().partition(|p| p.is_dir());
            files.extend(plain.into_iter().filter(|p| is_importable(p)));
            files.extend(list_files(&dirs)?);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            anyhow::bail!("{}: no such file or directory", path.display());
        }
    }
    Ok(files)
}

fn is_importable(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("json" | "ndjson")
    )
}

/// What became of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileOutcome {
    Done,
    /// Left for the last pass: its references may be stored by a later file.
    Deferred,
}

/// Resources written per transaction into SQLite unless `--batch` says
/// otherwise. A larger batch dirties each page of the store's random-keyed
/// indexes (`UNIQUE (resource_type, id)`) once for more resources, and
/// SQLite writes every dirty page to the WAL and back once per commit: at a
/// million resources, 16,000 per batch imported 28% faster than 2,000, for
/// about 300 MB more memory.
pub const SQLITE_BATCH: usize = 16_000;

/// Resources written per transaction into PostgreSQL unless `--batch` says
/// otherwise. PostgreSQL gained nothing from larger batches (a million
/// resources: 174.6 s with 2,000, 178.9 s with 16,000) and Tessera's memory
/// grew from 0.4 to 1.5 GB.
pub const POSTGRES_BATCH: usize = 2_000;

/// The batch size for `database`, unless the user chose one.
fn batch_size(chosen: Option<usize>, database: &DatabaseLocation) -> usize {
    chosen.unwrap_or(match database {
        DatabaseLocation::Sqlite(_) => SQLITE_BATCH,
        DatabaseLocation::Postgres(_) => POSTGRES_BATCH,
    })
}

/// How many batches are handed to the store at once. With one, the store
/// sat idle while the next batch was prepared and the preparer sat idle
/// while a batch committed (a quarter of both cores, measured); with two,
/// each side has the next batch waiting.
const BATCHES_IN_FLIGHT: usize = 2;

/// A batch handed to the store, and what to record once it commits.
struct InFlight {
    write: tokio::task::JoinHandle<Result<Vec<tessera_store::WriteOutcome>, RecordError>>,
    /// The resources it writes: a batch writing one of them again waits
    /// for it, so versions are stored in the order the files give them.
    keys: HashSet<ResourceKey>,
    types: Vec<String>,
    ledger_lines: Vec<String>,
}

/// The state of one import run.
struct Import {
    /// Whether files can no longer be deferred.
    last_pass: bool,
    records: RecordService,
    batch: usize,
    pending: Vec<WriteOp>,
    /// What each pending op is, for the summary once it commits.
    pending_types: Vec<String>,
    /// Ledger lines of files whose every op is pending or earlier.
    pending_ledger: Vec<String>,
    /// The batches being committed while the next one is prepared, oldest
    /// first.
    in_flight: VecDeque<InFlight>,
    ledger: ImportLedger,
    counts: BTreeMap<String, u64>,
    errors: u64,
    skipped_files: u64,
    progress: ProgressBar,
    started: std::time::Instant,
}

impl Import {
    fn new(
        records: RecordService,
        batch: usize,
        files: &[PathBuf],
        ledger: ImportLedger,
    ) -> Import {
        let total: u64 = files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        let progress = ProgressBar::new(total);
        progress.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {bytes}/{total_bytes} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Import {
            last_pass: false,
            records,
            batch,
            pending: Vec::new(),
            pending_types: Vec::new(),
            pending_ledger: Vec::new(),
            in_flight: VecDeque::new(),
            ledger,
            counts: BTreeMap::new(),
            errors: 0,
            skipped_files: 0,
            progress,
            started: std::time::Instant::now(),
        }
    }

    fn report(&mut self, location: String, message: &str) {
        self.errors += 1;
        // suspend, not println: println prints nothing when the bar is hidden
        // (standard error is not a terminal), and problems must always show.
        self.progress.suspend(|| eprintln!("{location}: {message}"));
    }

    async fn file(&mut self, path: &Path) -> anyhow::Result<FileOutcome> {
        let content =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let line = ImportLedger::line(path, &content);
        if self.ledger.contains(&line) {
            self.skipped_files += 1;
            self.progress.inc(content.len() as u64);
            return Ok(FileOutcome::Done);
        }
        let name = path.display().to_string();
        let errors_before = self.errors;
        let text = match std::str::from_utf8(&content) {
            Ok(text) => text,
            Err(error) => {
                self.report(name, &format!("not UTF-8 text: {error}"));
                return Ok(FileOutcome::Done);
            }
        };
        if path.extension().and_then(|e| e.to_str()) == Some("ndjson") {
            for (number, line_text) in text.lines().enumerate() {
                if line_text.trim().is_empty() {
                    continue;
                }
                let location = format!("{name}:{}", number + 1);
                match tessera_fhir::json::parse_resource(line_text) {
                    Ok(resource) => self.add(resource, location).await?,
                    Err(issue) => self.report(location, &issue.message),
                }
                self.progress.inc(line_text.len() as u64 + 1);
            }
        } else {
            match tessera_fhir::json::parse_resource(text) {
                Ok(value)
                    if value.get("resourceType").and_then(Value::as_str) == Some("Bundle") =>
                {
                    if self.bundle(value, text, &name).await? == FileOutcome::Deferred {
                        // Not read yet, as far as the progress bar knows.
                        return Ok(FileOutcome::Deferred);
                    }
                }
                Ok(value) => self.add(value, name.clone()).await?,
                Err(issue) => self.report(name.clone(), &issue.message),
            }
            self.progress.inc(content.len() as u64);
        }
        if self.errors == errors_before {
            // Recorded once the batch holding the file's last resources commits.
            self.pending_ledger.push(line);
        }
        if self.pending.len() >= self.batch {
            self.flush().await?;
        }
        Ok(FileOutcome::Done)
    }

    async fn bundle(
        &mut self,
        bundle: Value,
        text: &str,
        name: &str,
    ) -> anyhow::Result<FileOutcome> {
        if needs_lookup(&bundle, text) {
            // Conditional references look up what earlier files stored.
            self.flush().await?;
            self.settle().await?;
        }
        let transaction = bundles::is_transaction(&bundle);
        let (entries, problems) = bundles::plan_import(&self.records, bundle).await;
        if transaction
            && !self.last_pass
            && !problems.is_empty()
            && problems.iter().all(|p| p.unresolved_only)
        {
            return Ok(FileOutcome::Deferred);
        }
        let mut prepared = Vec::with_capacity(entries.len());
        let mut failed = !problems.is_empty();
        for problem in problems {
            let location = match problem.index {
                Some(index) => format!("{name}: Bundle.entry[{index}]"),
                None => name.to_owned(),
            };
            self.report(location, &problem.message);
        }
        let outcomes = crate::parallel::map_on_every_core(entries, |entry| {
            (entry.index, self.prepare(entry.key, entry.resource))
        });
        for (index, outcome) in outcomes {
            match outcome {
                Ok(op) => prepared.push(op),
                Err(message) => {
                    failed = true;
                    self.report(format!("{name}: Bundle.entry[{index}]"), &message);
                }
            }
        }
        if transaction && failed {
            self.progress.suspend(|| {
                eprintln!("{name}: the transaction was not imported (nothing of it is stored)")
            });
            return Ok(FileOutcome::Done);
        }
        if transaction && self.pending.len() + prepared.len() > self.batch {
            // A transaction commits whole: its entries never straddle two batches.
            self.flush().await?;
        }
        for (op, resource_type) in prepared {
            self.pending.push(op);
            self.pending_types.push(resource_type);
        }
        if !transaction && self.pending.len() >= self.batch {
            self.flush().await?;
        }
        Ok(FileOutcome::Done)
    }

    async fn add(&mut self, mut resource: Value, location: String) -> anyhow::Result<()> {
        let Some(resource_type) = resource
            .get("resourceType")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            self.report(location, "the resource has no resourceType");
            return Ok(());
        };
        let id = match resource.get("id").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                resource["id"] = Value::String(id.clone());
                id
            }
        };
        match self.prepare(ResourceKey::new(resource_type, id), resource) {
            Ok((op, resource_type)) => {
                self.pending.push(op);
                self.pending_types.push(resource_type);
                if self.pending.len() >= self.batch {
                    self.flush().await?;
                }
            }
            Err(message) => self.report(location, &message),
        }
        Ok(())
    }

    fn prepare(&self, key: ResourceKey, resource: Value) -> Result<(WriteOp, String), String> {
        let resource_type = key.resource_type.clone();
        self.records
            .prepare_update(&key, resource, None, &WriteContext::default())
            .map(|op| (op, resource_type))
            .map_err(|error| describe(&key, &error))
    }

    /// Hands what is pending to the store as one durable transaction; the
    /// next batch is prepared while this one commits. Waits first for the
    /// oldest batch in flight when [`BATCHES_IN_FLIGHT`] are, and for every
    /// one when this batch writes a resource one of them writes.
    async fn flush(&mut self) -> anyhow::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let keys: HashSet<ResourceKey> = self.pending.iter().map(|op| op.key().clone()).collect();
        if self
            .in_flight
            .iter()
            .any(|batch| !batch.keys.is_disjoint(&keys))
        {
            self.settle().await?;
        }
        while self.in_flight.len() >= BATCHES_IN_FLIGHT {
            self.settle_oldest().await?;
        }
        let ops = std::mem::take(&mut self.pending);
        let records = self.records.clone();
        self.in_flight.push_back(InFlight {
            write: tokio::spawn(async move { records.write(ops).await }),
            keys,
            types: std::mem::take(&mut self.pending_types),
            ledger_lines: std::mem::take(&mut self.pending_ledger),
        });
        Ok(())
    }

    /// Waits for every batch in flight to commit.
    async fn settle(&mut self) -> anyhow::Result<()> {
        while !self.in_flight.is_empty() {
            self.settle_oldest().await?;
        }
        Ok(())
    }

    /// Waits for the oldest batch in flight to commit, then counts it and
    /// records the files it completed in the ledger. Batches are settled in
    /// the order they were handed over, so a file is recorded only once
    /// every batch holding its resources has committed.
    async fn settle_oldest(&mut self) -> anyhow::Result<()> {
        let Some(batch) = self.in_flight.pop_front() else {
            return Ok(());
        };
        batch
            .write
            .await
            .context("the import's writer stopped")?
            .context("the database refused a batch; nothing of it was stored")?;
        for resource_type in batch.types {
            *self.counts.entry(resource_type).or_default() += 1;
        }
        for line in batch.ledger_lines {
            self.ledger.record(line)?;
        }
        let stored: u64 = self.counts.values().sum();
        let rate = stored as f64 / self.started.elapsed().as_secs_f64().max(0.001);
        self.progress
            .set_message(format!("{stored} resources, {rate:.0}/s"));
        Ok(())
    }

    fn finish(&self) {
        let stored: u64 = self.counts.values().sum();
        let seconds = self.started.elapsed().as_secs_f64();
        println!(
            "imported {stored} resources in {seconds:.1} s ({:.0}/s); {} problems; {} files already imported",
            stored as f64 / seconds.max(0.001),
            self.errors,
            self.skipped_files
        );
        for (resource_type, count) in &self.counts {
            println!("  {resource_type:<28} {count}");
        }
    }
}

/// Whether planning `bundle` (parsed from `text`) searches what is stored
/// (conditional references or conditional creates), so earlier writes must
/// be committed.
fn needs_lookup(bundle: &Value, text: &str) -> bool {
    fn conditional_reference(value: &Value) -> bool {
        match value {
            Value::Object(object) => {
                object
                    .get("reference")
                    .and_then(Value::as_str)
                    .is_some_and(|r| r.contains('?'))
                    || object.values().any(conditional_reference)
            }
            Value::Array(items) => items.iter().any(conditional_reference),
            _ => false,
        }
    }
    bundle["entry"].as_array().is_some_and(|entries| {
        entries
            .iter()
            .any(|e| e["request"].get("ifNoneExist").is_some())
    }) || (may_hold_a_query(text) && conditional_reference(bundle))
}

/// Whether JSON `text` may hold a `?`, as itself or escaped: a conditional
/// reference holds one, so a file without any has none, and its tree (a
/// fiftieth of an import's time) need not be walked.
fn may_hold_a_query(text: &str) -> bool {
    text.contains('?') || text.contains("\\u003f") || text.contains("\\u003F")
}

/// A record error as one line: what, and where in the resource.
fn describe(key: &ResourceKey, error: &RecordError) -> String {
    match error {
        RecordError::Invalid(issues) => {
            let first: Vec<String> = issues
                .iter()
                .filter(|i| {
                    matches!(
                        i.severity,
                        tessera_fhir::Severity::Error | tessera_fhir::Severity::Fatal
                    )
                })
                .take(3)
                .map(|i| match &i.path {
                    Some(path) => format!("{path}: {}", i.message),
                    None => i.message.clone(),
                })
                .collect();
            format!("{key} is not valid: {}", first.join("; "))
        }
        other => format!("{key}: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::needs_lookup;

    fn needs(text: &str) -> bool {
        let bundle: serde_json::Value = serde_json::from_str(text).expect("test JSON");
        needs_lookup(&bundle, text)
    }

    #[test]
    fn conditional_references_are_found_however_the_question_mark_is_written() {
        let plain =
            r#"{"entry": [{"resource": {"subject": {"reference": "Patient?identifier=x"}}}]}"#;
        let escaped =
            r#"{"entry": [{"resource": {"subject": {"reference": "Patient\u003Fidentifier=x"}}}]}"#;
        let elsewhere =
            r#"{"entry": [{"resource": {"note": "why?", "subject": {"reference": "Patient/1"}}}]}"#;
        let none = r#"{"entry": [{"resource": {"subject": {"reference": "Patient/1"}}}]}"#;
        let create = r#"{"entry": [{"request": {"ifNoneExist": "identifier=x"}}]}"#;
        assert!(needs(plain));
        assert!(needs(escaped));
        assert!(!needs(elsewhere));
        assert!(!needs(none));
        assert!(needs(create));
    }
}
