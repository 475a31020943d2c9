//! What `copy`, `backup` and `restore` share: one way to move versions.
//!
//! Out of a store, versions come as the store's [`VersionStream`] (every
//! version in write order, from one consistent snapshot). Into a store they
//! go through [`Replay`]: each version becomes a `WriteOp::Restore`
//! prepared by the record service (references and index entries extracted
//! exactly as every write extracts them) and written in batches, in order,
//! one transaction per batch. Afterwards [`verify`] reads the target back
//! in its own snapshot and compares its census (versions and live resources
//! per type) and a SHA-256 over every version's content in write order.

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest as _, Sha256};
use std::collections::VecDeque;
use std::sync::Arc;
use tessera_records::RecordService;
use tessera_store::{Census, ResourceStore, StoredVersion, VersionStream, WriteOp};
use tokio::sync::mpsc;

/// Versions written per target transaction.
pub const BATCH: usize = 500;

/// A SHA-256 over versions in write order: each version's type, id,
/// version number, lastUpdated, method, patient and organisation keys and
/// body bytes, each field length-prefixed so no two versions hash alike.
#[derive(Clone, Default)]
pub struct Checksum {
    hasher: Sha256,
    versions: u64,
}

impl Checksum {
    pub fn add(&mut self, v: &StoredVersion) {
        let mut field = |bytes: &[u8]| {
            self.hasher.update((bytes.len() as u64).to_le_bytes());
            self.hasher.update(bytes);
        };
        field(v.key.resource_type.as_bytes());
        field(v.key.id.as_bytes());
        field(&v.version.to_le_bytes());
        field(&v.last_updated.millis().to_le_bytes());
        field(v.method.name().as_bytes());
        field(v.patient_key.as_deref().unwrap_or("\u{0}").as_bytes());
        field(v.author_org.as_deref().unwrap_or("\u{0}").as_bytes());
        field(&v.body);
        self.versions += 1;
    }

    pub fn versions(&self) -> u64 {
        self.versions
    }

    pub fn hex(&self) -> String {
        self.hasher
            .clone()
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A [`VersionStream`] read a version or a batch at a time.
pub struct Versions {
    stream: VersionStream,
    buffer: VecDeque<StoredVersion>,
}

impl Versions {
    pub async fn open(store: &dyn ResourceStore) -> anyhow::Result<Versions> {
        Ok(Versions {
            stream: store.versions().await?,
            buffer: VecDeque::new(),
        })
    }

    pub fn census(&self) -> &Census {
        self.stream.census()
    }

    async fn fill(&mut self) -> anyhow::Result<bool> {
        while self.buffer.is_empty() {
            match self.stream.next_chunk().await? {
                Some(chunk) => self.buffer.extend(chunk),
                None => return Ok(false),
            }
        }
        Ok(true)
    }

    pub async fn next(&mut self) -> anyhow::Result<Option<StoredVersion>> {
        Ok(if self.fill().await? {
            self.buffer.pop_front()
        } else {
            None
        })
    }

    /// Up to `max` next versions; empty at the end.
    pub async fn batch(&mut self, max: usize) -> anyhow::Result<Vec<StoredVersion>> {
        if !self.fill().await? {
            return Ok(Vec::new());
        }
        let n = max.min(self.buffer.len());
        Ok(self.buffer.drain(..n).collect())
    }
}

/// Writes versions into a store in order: extraction on this task (spread
/// over the CPUs), writing on another, so the two overlap.
pub struct Replay {
    records: RecordService,
    batches: Option<mpsc::Sender<Vec<WriteOp>>>,
    writer: tokio::task::JoinHandle<anyhow::Result<u64>>,
}

impl Replay {
    /// Starts writing into `target` (named `target_name` in errors),
    /// advancing `bar` as batches commit.
    pub fn start(target: Arc<dyn ResourceStore>, target_name: String, bar: ProgressBar) -> Replay {
        let records = RecordService::new(target.clone(), tessera_fhir::Definitions::r4());
        let (batches, mut inbox) = mpsc::channel::<Vec<WriteOp>>(2);
        let writer = tokio::spawn(async move {
            let mut written = 0u64;
            while let Some(ops) = inbox.recv().await {
                let n = ops.len() as u64;
                let first = ops.first().map(|op| op.key().to_string());
                target
                    .write(tessera_store::WriteBatch { ops })
                    .await
                    .with_context(|| {
                        format!(
                            "writing versions into {target_name} (batch from {})",
                            first.unwrap_or_default()
                        )
                    })?;
                written += n;
                bar.inc(n);
            }
            Ok(written)
        });
        Replay {
            records,
            batches: Some(batches),
            writer,
        }
    }

    /// Prepares `versions` and queues them as one transaction.
    pub async fn send(&mut self, versions: Vec<StoredVersion>) -> anyhow::Result<()> {
        let ops = prepare(&self.records, versions)?;
        let queued = match &self.batches {
            Some(batches) => batches.send(ops).await.is_ok(),
            None => false,
        };
        if !queued {
            // The writer stopped: its error says why.
            self.batches = None;
            return Err(self.finish_writer().await.err().unwrap_or_else(|| {
                anyhow::anyhow!("the writer stopped before every version was written")
            }));
        }
        Ok(())
    }

    /// Waits until every queued batch is committed; the versions written.
    pub async fn finish(mut self) -> anyhow::Result<u64> {
        self.batches = None;
        self.finish_writer().await
    }

    async fn finish_writer(&mut self) -> anyhow::Result<u64> {
        (&mut self.writer)
            .await
            .context("the writing task failed")?
    }
}

/// `WriteOp::Restore`s for `versions`, extracted on every core.
fn prepare(records: &RecordService, versions: Vec<StoredVersion>) -> anyhow::Result<Vec<WriteOp>> {
    crate::parallel::map_on_every_core(versions, |v| {
        let key = v.key.clone();
        let number = v.version;
        records
            .prepare_restore(v)
            .with_context(|| format!("{key} version {number}"))
    })
    .into_iter()
    .collect()
}

/// A progress bar over `total` versions.
pub fn progress_bar(total: u64, verb: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{elapsed_precise}} [{{bar:30}}] {{pos}}/{{len}} versions {verb} ({{per_sec}})"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

/// What verification found: the lines to print, and whether all matched.
pub struct Verification {
    pub lines: Vec<String>,
    pub matched: bool,
}

/// Reads `target` back in one snapshot and compares it with `expected`
/// (census and checksum of the source or the backup file).
pub async fn verify(
    target: &dyn ResourceStore,
    expected: &Census,
    expected_sum: &str,
) -> anyhow::Result<Verification> {
    let mut versions = Versions::open(target).await?;
    let census = versions.census().clone();
    let bar = progress_bar(census.versions(), "verified");
    let mut checksum = Checksum::default();
    loop {
        let batch = versions.batch(BATCH).await?;
        if batch.is_empty() {
            break;
        }
        for v in &batch {
            checksum.add(v);
        }
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    let mut lines = Vec::new();
    let mut matched = true;
    if census == *expected {
        lines.push(format!(
            "versions per type match: {} versions of {} types",
            census.versions(),
            census.types.len()
        ));
        lines.push(format!(
            "live resources per type match: {} resources",
            census.live()
        ));
    } else {
        matched = false;
        let types: std::collections::BTreeSet<&String> =
            census.types.keys().chain(expected.types.keys()).collect();
        for t in types {
            let (want, got) = (
                expected.types.get(t).copied().unwrap_or_default(),
                census.types.get(t).copied().unwrap_or_default(),
            );
            if want != got {
                lines.push(format!(
                    "MISMATCH {t}: expected {} versions and {} live, found {} and {}",
                    want.versions, want.live, got.versions, got.live
                ));
            }
        }
    }
    let sum = checksum.hex();
    if sum == expected_sum {
        lines.push(format!(
            "SHA-256 of every version's content in write order matches: {sum}"
        ));
    } else {
        matched = false;
        lines.push(format!(
            "MISMATCH SHA-256 of the versions: expected {expected_sum}, found {sum}"
        ));
    }
    Ok(Verification { lines, matched })
}

/// Fails unless `verification` matched, after printing it.
pub fn report(verification: &Verification, target_name: &str) -> anyhow::Result<()> {
    for line in &verification.lines {
        println!("  {line}");
    }
    if !verification.matched {
        bail!("verification of {target_name} failed (see the MISMATCH lines above)");
    }
    Ok(())
}
