//! `cargo xtask`: project automation that is not part of any shipped crate.
//!
//! Commands:
//! - `cargo xtask codegen [SOURCE_DIR]`: regenerate `crates/fhir/definitions/r4.json` from the
//!   official FHIR R4 4.0.1 definitions (default source: `../shared/fhir-r4` relative to the
//!   repository root).
//!
//! The freshness test in [`codegen`] regenerates the file in memory and fails when the committed
//! copy is stale, so `cargo test --workspace` catches a forgotten `cargo xtask codegen`.

mod codegen;

use anyhow::{Result, bail};
use std::path::PathBuf;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("codegen") => {
            let source = match args.get(1) {
                Some(dir) => PathBuf::from(dir),
                None => codegen::default_source_dir(),
            };
            let output = codegen::output_path();
            let text = codegen::generate(&source)?;
            std::fs::write(&output, text)?;
            println!("wrote {}", output.display());
            Ok(())
        }
        _ => bail!(
            "usage: cargo xtask codegen [SOURCE_DIR]   (default SOURCE_DIR: ../shared/fhir-r4)"
        ),
    }
}
