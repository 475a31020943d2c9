//! `tessera reindex [--type T,...]`: rebuild the search indexes from the
//! stored resources, with a progress bar.

use crate::cli::ReindexArgs;
use crate::config::StoreSettings;
use crate::runtime::{SystemClock, init_logging, open_store, tokio_runtime};
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;
use tessera_records::RecordService;

pub fn run(args: ReindexArgs) -> anyhow::Result<()> {
    let settings = StoreSettings::resolve(args.store)?;
    init_logging("warn")?;
    tokio_runtime()?.block_on(async {
        let store = open_store(&settings, Arc::new(SystemClock))?;
        let records = RecordService::new(store.clone(), tessera_fhir::Definitions::r4());
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} resources ({per_sec})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        let started = std::time::Instant::now();
        let result = records
            .reindex(&args.types, &mut |progress| {
                bar.set_length(progress.total);
                bar.set_position(progress.done);
            })
            .await;
        bar.finish_and_clear();
        store.close().await?;
        let done = result?;
        println!(
            "reindexed {} resources in {:.1} s ({} rebuilt; the rest were rewritten meanwhile and indexed by their own write)",
            done.done,
            started.elapsed().as_secs_f64(),
            done.replaced
        );
        Ok(())
    })
}
