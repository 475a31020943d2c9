//! `tessera export --out DIR`: NDJSON files of the store, written by the same
//! code as the `$export` operation.

use crate::cli::ExportArgs;
use crate::config::StoreSettings;
use crate::runtime::{SystemClock, init_logging, open_store, tokio_runtime};
use anyhow::Context;
use std::sync::Arc;
use tessera_bulk::{ExportLevel, ExportRequest};
use tessera_records::RecordService;
use tessera_store::Instant;

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let settings = StoreSettings::resolve(args.store)?;
    init_logging("warn")?;
    let since = match &args.since {
        Some(text) => Some(
            Instant::parse_fhir(text)
                .with_context(|| {
                    format!("--since '{text}' is not a FHIR instant with a time zone")
                })?
                .millis(),
        ),
        None => None,
    };
    let request = ExportRequest {
        level: if args.patient.is_empty() {
            ExportLevel::System
        } else {
            ExportLevel::Patients(args.patient.clone())
        },
        types: args.types.clone(),
        since,
        type_filters: Vec::new(),
    };
    tokio_runtime()?.block_on(async {
        let store = open_store(&settings, Arc::new(SystemClock))?;
        let records = RecordService::new(store.clone(), tessera_fhir::Definitions::r4());
        for resource_type in &request.types {
            records.check_type(resource_type)?;
        }
        let started = std::time::Instant::now();
        let files = tessera_bulk::export(&records, &request, &args.out, &|| true).await?;
        store.close().await?;
        let total: u64 = files.iter().map(|f| f.count).sum();
        println!(
            "exported {total} resources in {:.1} s to {}",
            started.elapsed().as_secs_f64(),
            args.out.display()
        );
        for file in files {
            println!("  {:<32} {}", file.file, file.count);
        }
        Ok(())
    })
}
