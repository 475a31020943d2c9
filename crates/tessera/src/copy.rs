//! `tessera copy --from URL --to URL`: moves a whole store (every version,
//! deletions and history included) from one database to another, SQLite or
//! PostgreSQL either way, then verifies the target.
//!
//! The source is read in one consistent snapshot, in write order, and
//! written in that order, one transaction per [`transfer::BATCH`] versions;
//! index and link rows are rebuilt on the target by the write itself.
//! **Resuming:** the target therefore always holds exactly the first N
//! versions of the source's write order. A copy run again finds N, checks
//! that the target's N versions are the source's first N (same keys,
//! numbers, lastUpdated and bytes; otherwise it refuses: the target holds
//! something else) and continues with version N + 1. The checksum covers
//! every version, the ones copied by an earlier run too.

use crate::config::{DatabaseLocation, parse_database_url};
use crate::runtime::{SystemClock, init_logging, open_database, tokio_runtime};
use crate::transfer::{self, BATCH, Checksum, Replay, Versions};
use anyhow::{Context, bail};
use clap::Args;
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The database to copy: sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE.
    #[arg(long, value_name = "URL")]
    pub from: String,

    /// The database to copy into (created and migrated if needed); empty,
    /// or holding the beginning of an interrupted copy of the same source.
    #[arg(long, value_name = "URL")]
    pub to: String,
}

pub fn run(args: CopyArgs) -> anyhow::Result<()> {
    let from = parse_database_url(&args.from).context("--from")?;
    let to = parse_database_url(&args.to).context("--to")?;
    if from == to {
        bail!("--from and --to name the same database ({from})");
    }
    init_logging("warn")?;
    tokio_runtime()?.block_on(copy(&from, &to))
}

async fn copy(from: &DatabaseLocation, to: &DatabaseLocation) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let source = open_database(from, Arc::new(SystemClock))
        .with_context(|| format!("opening the source {from}"))?;
    let target = open_database(to, Arc::new(SystemClock))
        .with_context(|| format!("opening the target {to}"))?;
    let result = copy_between(&*source, target.clone(), from, to, started).await;
    let closed_target = target.close().await;
    let closed_source = source.close().await;
    result?;
    closed_target.with_context(|| format!("closing {to}"))?;
    closed_source.with_context(|| format!("closing {from}"))?;
    Ok(())
}

async fn copy_between(
    source: &dyn tessera_store::ResourceStore,
    target: Arc<dyn tessera_store::ResourceStore>,
    from: &DatabaseLocation,
    to: &DatabaseLocation,
    started: std::time::Instant,
) -> anyhow::Result<()> {
    let mut versions = Versions::open(source)
        .await
        .with_context(|| format!("reading {from}"))?;
    let census = versions.census().clone();
    let mut checksum = Checksum::default();
    let already = skip_copied(&mut versions, &*target, &mut checksum, to).await?;
    if already > 0 {
        println!("resuming: {to} already holds the first {already} versions of {from}");
    }
    // Into an empty target (or one a stopped copy left so) the search
    // indexes are built once, after the versions.
    target
        .defer_search_indexes()
        .await
        .with_context(|| format!("deferring the search indexes of {to}"))?;
    let bar = transfer::progress_bar(census.versions(), "copied");
    bar.set_position(already);
    let mut replay = Replay::start(target.clone(), to.to_string(), bar.clone());
    loop {
        let batch = versions
            .batch(BATCH)
            .await
            .with_context(|| format!("reading {from}"))?;
        if batch.is_empty() {
            break;
        }
        for v in &batch {
            checksum.add(v);
        }
        replay.send(batch).await?;
    }
    let written = replay.finish().await?;
    bar.finish_and_clear();
    crate::runtime::build_deferred_indexes(&*target).await?;
    println!(
        "copied {written} versions from {from} to {to} in {:.1} s ({} of {} versions were already there); verifying",
        started.elapsed().as_secs_f64(),
        already,
        census.versions()
    );
    let verification = transfer::verify(&*target, &census, &checksum.hex())
        .await
        .with_context(|| format!("verifying {to}"))?;
    transfer::report(&verification, &to.to_string())?;
    println!(
        "verified {to} against {from} in {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Checks that the target holds a beginning of the source's write order
/// (what an interrupted copy leaves) and reads the source past it, adding
/// it to `checksum`; returns how many versions that is.
async fn skip_copied(
    source: &mut Versions,
    target: &dyn tessera_store::ResourceStore,
    checksum: &mut Checksum,
    to: &DatabaseLocation,
) -> anyhow::Result<u64> {
    let mut copied = Versions::open(target)
        .await
        .with_context(|| format!("reading {to}"))?;
    let held = copied.census().versions();
    if held > source.census().versions() {
        bail!(
            "{to} is not empty: it holds {held} versions, more than the source; copy only into an empty database (or one an interrupted copy of the same source filled)"
        );
    }
    for position in 1..=held {
        let (Some(ours), theirs) = (source.next().await?, copied.next().await?) else {
            bail!("the source ended before version #{position} of its write order");
        };
        if theirs.as_ref() != Some(&ours) {
            bail!(
                "{to} is not empty and is not an interrupted copy of this source: its version #{position} in write order is {}, the source's is {} version {}; copy only into an empty database",
                theirs.map_or_else(
                    || "missing".to_owned(),
                    |v| format!("{} version {}", v.key, v.version)
                ),
                ours.key,
                ours.version
            );
        }
        checksum.add(&ours);
    }
    Ok(held)
}
