//! `tessera generate`: writes a synthetic multi-provider network (see `tessera-synth`) as
//! FHIR R4 transaction Bundles, with a progress bar. The seed and "today" come from the
//! command line, never the clock, so one command line always writes the same bytes.

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use tessera_synth::{Day, Settings};

/// The fixed default "today": a date, not the clock, so output is reproducible.
const DEFAULT_TODAY: &str = "2026-01-01";

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of patients (one transaction Bundle file each).
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub patients: u64,

    /// Seed of the pseudo-random generator: the same seed writes the same bytes.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,

    /// Directory to write network.json, patient-NNNNNN.json and duplicates.tsv into
    /// (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Last day of the generated history (YYYY-MM-DD).
    #[arg(long, default_value = DEFAULT_TODAY, value_name = "DATE")]
    pub today: String,

    /// Worker threads (the output does not depend on it). [default: the number of CPUs]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

pub fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let today = Day::parse(&args.today)
        .with_context(|| format!("--today {:?} is not a date (YYYY-MM-DD)", args.today))?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let settings = Settings {
        patients: args.patients,
        seed: args.seed,
        today,
        threads,
    };
    let progress = ProgressBar::new(args.patients);
    progress.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} patients {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let summary = tessera_synth::generate(&settings, &args.out, |done| progress.set_position(done))
        .with_context(|| format!("generating into {}", args.out.display()))?;
    progress.finish_and_clear();
    println!(
        "wrote {} patients, {} resources ({} files, {} duplicate registrations) to {} in {:.1} s",
        summary.patients,
        summary.resources,
        summary.files,
        summary.duplicates,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
