//! `tessera demo`: generate a synthetic health network, load it, serve it,
//! and say what to try. One command shows what makes Tessera an EHR: one
//! patient's record built by several providers, with the billing behind it.

use crate::cli::DemoArgs;
use crate::config::{DatabaseLocation, ServeSettings, StoreSettings};
use crate::runtime::{SystemClock, init_logging, open_store, tokio_runtime};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use std::sync::Arc;
use tessera_records::RecordService;
use tessera_store::Clock;

pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    init_logging("warn")?;
    let data_dir = match &args.data_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("tessera-demo-{}", std::process::id())),
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let network = data_dir.join("network");
    if !network.join(tessera_synth::NETWORK_FILE).exists() {
        generate(&args, &network)?;
    }
    let settings = ServeSettings {
        store: StoreSettings {
            data_dir: data_dir.clone(),
            database: DatabaseLocation::Sqlite(data_dir.join("tessera.db")),
            read_replicas: Vec::new(),
            log: "warn".into(),
        },
        listen: args.listen.clone(),
        base_url: None,
        max_body_bytes: tessera_server::DEFAULT_MAX_BODY_BYTES,
    };
    tokio_runtime()?.block_on(async {
        let store = open_store(&settings.store, clock.clone())?;
        let records = RecordService::new(store.clone(), tessera_fhir::Definitions::r4());
        println!("loading the network into {}", data_dir.display());
        let problems = crate::import::import_paths(
            &records,
            &*store,
            &data_dir,
            std::slice::from_ref(&network),
            crate::import::SQLITE_BATCH,
        )
        .await?;
        if problems > 0 {
            eprintln!("warning: {problems} problems while loading (listed above)");
        }
        crate::serve::serve_store(&settings, store, clock, |address| {
            print_tour(&format!("http://{address}/fhir"), &data_dir);
        })
        .await
    })
}

fn generate(args: &DemoArgs, out: &std::path::Path) -> anyhow::Result<()> {
    let settings = tessera_synth::Settings {
        patients: args.patients,
        seed: args.seed,
        // A fixed last day (the `generate` default): the demo network, and
        // so the README's tour, is the same every day.
        today: tessera_synth::Day::from_ymd(2026, 1, 1),
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let progress = ProgressBar::new(args.patients);
    progress.set_style(
        ProgressStyle::with_template("generating {pos}/{len} patients [{bar:30}] {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let summary = tessera_synth::generate(&settings, out, |done| progress.set_position(done))
        .with_context(|| format!("cannot generate the network into {}", out.display()))?;
    progress.finish_and_clear();
    println!(
        "generated {} patients, {} resources, in {}",
        summary.patients,
        summary.resources,
        out.display()
    );
    Ok(())
}

fn print_tour(base: &str, data_dir: &std::path::Path) {
    println!();
    println!("Tessera demo: a synthetic health network at {base}");
    println!(
        "  data: {} (removed by nothing: delete it when done)",
        data_dir.display()
    );
    println!();
    println!("Try:");
    println!("  curl -s '{base}/Patient?_count=5&_elements=name,birthDate'");
    println!("  curl -s '{base}/Organization?_elements=name,type'");
    println!("  curl -s '{base}/Patient/{{id}}/$everything?_count=20'");
    println!(
        "  curl -s '{base}/Observation?patient={{id}}&code=http://loinc.org|4548-4&_sort=date'"
    );
    println!("  curl -s '{base}/Claim?patient={{id}}'");
    println!("  curl -s '{base}/metadata'");
    println!();
    println!("Ctrl-C stops the server.");
}
