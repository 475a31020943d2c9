//! `tessera backup --out FILE` and `tessera restore FILE`: a whole store in
//! one portable file, for either backend.
//!
//! The backup is the store's [`tessera_store::VersionStream`] (one
//! consistent snapshot, taken while the server keeps running) written as
//! NDJSON, uncompressed so it can be read and checked with ordinary tools:
//!
//! ```text
//! {"tessera":"backup","format":1,"versions":N,"census":{"Patient":{"versions":..,"live":..},..}}
//! {"type":"Patient","id":"p1","version":1,"lastUpdatedMs":1767225600000,"method":"create","patientKey":"p1","authorOrg":"org1","resource":{...}}
//! {"type":"Patient","id":"p1","version":2,"lastUpdatedMs":1767225600456,"method":"delete","patientKey":"p1"}
//! {"end":true,"versions":N,"sha256":"..."}
//! ```
//!
//! One line per version in write order; `resource` is the stored JSON byte
//! for byte (absent for a deletion). The file is written beside its final
//! name and renamed once complete and synced, and the end line carries the
//! count and the checksum of [`transfer::Checksum`], so a cut-short file is
//! refused. Restore writes the versions back with the same replay as
//! `tessera copy`, into an empty store only, and verifies the result
//! against the header's census and the end line's checksum.

use crate::cli::StoreArgs;
use crate::config::StoreSettings;
use crate::runtime::{SystemClock, init_logging, open_store, tokio_runtime};
use crate::transfer::{self, BATCH, Checksum, Replay, Versions};
use anyhow::{Context, bail};
use clap::Args;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tessera_store::{Census, Instant, ResourceKey, StoredVersion, TypeCensus, WriteMethod};

/// The format number in the header; a reader refuses any other.
const FORMAT: u32 = 1;

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub store: StoreArgs,

    /// The backup file to write (replaced only once the new one is complete).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub store: StoreArgs,

    /// A file written by `tessera backup`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Header {
    tessera: String,
    format: u32,
    versions: u64,
    census: BTreeMap<String, CensusLine>,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
struct CensusLine {
    versions: u64,
    live: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionLine<'a> {
    #[serde(rename = "type")]
    resource_type: String,
    id: String,
    version: i64,
    last_updated_ms: i64,
    method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    patient_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author_org: Option<String>,
    #[serde(borrow, skip_serializing_if = "Option::is_none")]
    resource: Option<&'a RawValue>,
}

#[derive(Serialize, Deserialize)]
struct EndLine {
    end: bool,
    versions: u64,
    sha256: String,
}

pub fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let settings = StoreSettings::resolve(args.store)?;
    init_logging("warn")?;
    let out = args.out;
    tokio_runtime()?.block_on(async {
        let started = std::time::Instant::now();
        let store = open_store(&settings, Arc::new(SystemClock))?;
        let result = write_backup(&*store, &out).await;
        let closed = store.close().await;
        let (census, sum) = result.with_context(|| format!("backing up into {}", out.display()))?;
        closed?;
        println!(
            "backed up {} versions ({} live resources of {} types) of {} into {} in {:.1} s; SHA-256 {sum}",
            census.versions(),
            census.live(),
            census.types.len(),
            settings.database,
            out.display(),
            started.elapsed().as_secs_f64()
        );
        Ok(())
    })
}

async fn write_backup(
    store: &dyn tessera_store::ResourceStore,
    out: &Path,
) -> anyhow::Result<(Census, String)> {
    let mut versions = Versions::open(store).await?;
    let census = versions.census().clone();
    let partial = partial_path(out);
    let file =
        File::create(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
    let mut writer = BufWriter::with_capacity(1 << 20, file);
    let header = Header {
        tessera: "backup".into(),
        format: FORMAT,
        versions: census.versions(),
        census: census
            .types
            .iter()
            .map(|(t, c)| {
                let line = CensusLine {
                    versions: c.versions,
                    live: c.live,
                };
                (t.clone(), line)
            })
            .collect(),
    };
    serde_json::to_writer(&mut writer, &header)?;
    writer.write_all(b"\n")?;
    let bar = transfer::progress_bar(census.versions(), "backed up");
    let mut checksum = Checksum::default();
    loop {
        let batch = versions.batch(BATCH).await?;
        if batch.is_empty() {
            break;
        }
        for v in &batch {
            checksum.add(v);
            write_version(&mut writer, v)?;
        }
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    let end = EndLine {
        end: true,
        versions: checksum.versions(),
        sha256: checksum.hex(),
    };
    serde_json::to_writer(&mut writer, &end)?;
    writer.write_all(b"\n")?;
    let file = writer
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {}", partial.display()))?;
    file.sync_all()
        .with_context(|| format!("cannot sync {}", partial.display()))?;
    std::fs::rename(&partial, out)
        .with_context(|| format!("cannot rename {} to {}", partial.display(), out.display()))?;
    Ok((census, end.sha256))
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

fn write_version(writer: &mut impl Write, v: &StoredVersion) -> anyhow::Result<()> {
    let raw;
    let resource = if v.is_deleted() {
        None
    } else {
        let text = std::str::from_utf8(&v.body)
            .with_context(|| format!("{} version {} is not UTF-8", v.key, v.version))?;
        raw = RawValue::from_string(text.to_owned())
            .with_context(|| format!("{} version {} is not JSON", v.key, v.version))?;
        Some(&*raw)
    };
    let line = VersionLine {
        resource_type: v.key.resource_type.clone(),
        id: v.key.id.clone(),
        version: v.version,
        last_updated_ms: v.last_updated.millis(),
        method: v.method.name().into(),
        patient_key: v.patient_key.clone(),
        author_org: v.author_org.clone(),
        resource,
    };
    serde_json::to_writer(&mut *writer, &line)?;
    writer.write_all(b"\n")?;
    Ok(())
}

pub fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let settings = StoreSettings::resolve(args.store)?;
    init_logging("warn")?;
    let path = args.file;
    let end = read_end(&path)?;
    tokio_runtime()?.block_on(async {
        let started = std::time::Instant::now();
        let store = open_store(&settings, Arc::new(SystemClock))?;
        let result = restore_into(store.clone(), &settings, &path, &end).await;
        let closed = store.close().await;
        result?;
        closed?;
        println!(
            "restored and verified {} versions from {} into {} in {:.1} s",
            end.versions,
            path.display(),
            settings.database,
            started.elapsed().as_secs_f64()
        );
        Ok(())
    })
}

async fn restore_into(
    store: Arc<dyn tessera_store::ResourceStore>,
    settings: &StoreSettings,
    path: &Path,
    end: &EndLine,
) -> anyhow::Result<()> {
    let target = settings.database.to_string();
    let held = Versions::open(&*store).await?.census().versions();
    if held > 0 {
        bail!(
            "{target} is not empty (it holds {held} versions): restore only fills an empty store; \
             point --database/--data-dir at a new one"
        );
    }
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut lines = BufReader::with_capacity(1 << 20, file).lines();
    let header_line = lines
        .next()
        .transpose()
        .with_context(|| format!("cannot read {}", path.display()))?
        .unwrap_or_default();
    let header: Header = serde_json::from_str(&header_line)
        .ok()
        .filter(|h: &Header| h.tessera == "backup")
        .with_context(|| format!("{}:1: not a Tessera backup header", path.display()))?;
    if header.format != FORMAT {
        bail!(
            "{}:1: backup format {} is not the format {FORMAT} this Tessera reads",
            path.display(),
            header.format
        );
    }
    let census = Census {
        types: header
            .census
            .iter()
            .map(|(t, c)| {
                let line = TypeCensus {
                    versions: c.versions,
                    live: c.live,
                };
                (t.clone(), line)
            })
            .collect(),
    };
    store
        .defer_search_indexes()
        .await
        .with_context(|| format!("deferring the search indexes of {target}"))?;
    let bar = transfer::progress_bar(header.versions, "restored");
    let mut replay = Replay::start(store.clone(), target.clone(), bar.clone());
    let mut checksum = Checksum::default();
    let mut batch = Vec::with_capacity(BATCH);
    for (number, line) in (2u64..).zip(lines) {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        if line.starts_with("{\"end\":") {
            break;
        }
        let version = parse_version(&line)
            .with_context(|| format!("{}:{number}: not a version line", path.display()))?;
        checksum.add(&version);
        batch.push(version);
        if batch.len() == BATCH {
            replay.send(std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        replay.send(batch).await?;
    }
    replay.finish().await?;
    bar.finish_and_clear();
    crate::runtime::build_deferred_indexes(&*store).await?;
    if checksum.versions() != end.versions || checksum.hex() != end.sha256 {
        bail!(
            "{} is damaged: its end line promises {} versions with SHA-256 {}, its lines hold {} with {} ({target} now holds them: restore again into an empty store from a good file)",
            path.display(),
            end.versions,
            end.sha256,
            checksum.versions(),
            checksum.hex()
        );
    }
    println!("restored {} versions; verifying", checksum.versions());
    let verification = transfer::verify(&*store, &census, &end.sha256).await?;
    transfer::report(&verification, &target)
}

fn parse_version(line: &str) -> anyhow::Result<StoredVersion> {
    let parsed: VersionLine<'_> = serde_json::from_str(line)?;
    let method = WriteMethod::from_name(&parsed.method)
        .with_context(|| format!("unknown method '{}'", parsed.method))?;
    let body = match (method, parsed.resource) {
        (WriteMethod::Delete, None) => Vec::new(),
        (WriteMethod::Delete, Some(_)) => bail!("a deletion carries a resource"),
        (_, Some(raw)) => raw.get().as_bytes().to_vec(),
        (_, None) => bail!("a {} carries no resource", parsed.method),
    };
    Ok(StoredVersion {
        key: ResourceKey::new(parsed.resource_type, parsed.id),
        version: parsed.version,
        last_updated: Instant::from_millis(parsed.last_updated_ms),
        method,
        body: body.into(),
        patient_key: parsed.patient_key,
        author_org: parsed.author_org,
    })
}

/// The end line of a backup file, read before anything is restored, so a
/// file cut short is refused up front.
fn read_end(path: &Path) -> anyhow::Result<EndLine> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let length = file
        .metadata()
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    let tail_start = length.saturating_sub(4096);
    file.seek(SeekFrom::Start(tail_start))
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail)
        .with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8_lossy(&tail)
        .trim_end()
        .rsplit('\n')
        .next()
        .and_then(|line| serde_json::from_str::<EndLine>(line).ok())
        .filter(|end| end.end)
        .with_context(|| {
            format!(
                "{} has no end line: it is not a complete Tessera backup (cut short?)",
                path.display()
            )
        })
}
