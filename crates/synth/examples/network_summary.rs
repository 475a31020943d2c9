//! Generates a network into a temporary directory and prints what it holds and how long it
//! took: `cargo run --release -p tessera-synth --example network_summary -- 100 [seed]`.

use std::time::Instant;
use tessera_synth::{Day, Settings, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let patients = args.next().map(|n| n.parse()).transpose()?.unwrap_or(100);
    let seed = args.next().map(|n| n.parse()).transpose()?.unwrap_or(1);
    let dir = std::env::temp_dir().join(format!("tessera-synth-summary-{}", std::process::id()));
    let started = Instant::now();
    let settings = Settings {
        patients,
        seed,
        today: Day::from_ymd(2026, 1, 1),
        threads: args.next().map(|n| n.parse()).transpose()?.unwrap_or(2),
    };
    let summary = generate(&settings, &dir, |_| {})?;
    let elapsed = started.elapsed();
    println!(
        "{patients} patients, {} resources ({:.0} per patient), {} duplicates, {:.2} s",
        summary.resources,
        summary.resources as f64 / patients as f64,
        summary.duplicates,
        elapsed.as_secs_f64()
    );
    for (resource_type, count) in &summary.by_type {
        println!("  {resource_type:<20} {count:>9}");
    }
    for (kind, count) in &summary.patients_seen_by_kind {
        println!(
            "  seen by {:<18} {:>5.1}%",
            kind.label(),
            100.0 * *count as f64 / patients as f64
        );
    }
    if std::env::var_os("KEEP").is_none() {
        std::fs::remove_dir_all(&dir)?;
    } else {
        println!("kept {}", dir.display());
    }
    Ok(())
}
