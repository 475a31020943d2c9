//! `cargo xtask`: project automation that is not part of any shipped crate.
//!
//! Commands:
//! - `cargo xtask codegen [SOURCE_DIR]`: regenerate `crates/fhir/definitions/r4.json` from the
//!   official FHIR R4 4.0.1 definitions (default source: `../shared/fhir-r4` relative to the
//!   repository root).
//! - `cargo xtask codegen --check [SOURCE_DIR]`: fail if the committed file is stale.
//!
//! The freshness test in [`codegen`] does the same check, so `cargo test --workspace` catches a
//! forgotten `cargo xtask codegen`.

mod codegen;

use anyhow::{Result, bail};
use codegen::Freshness;
use std::path::PathBuf;

const USAGE: &str =
    "usage: cargo xtask codegen [--check] [SOURCE_DIR]   (default SOURCE_DIR: ../shared/fhir-r4)";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        bail!(USAGE);
    };
    if command != "codegen" {
        bail!(USAGE);
    }
    let check = rest.iter().any(|a| a == "--check");
    let source = match rest.iter().find(|a| !a.starts_with("--")) {
        Some(dir) => PathBuf::from(dir),
        None => codegen::default_source_dir(),
    };
    let output = codegen::output_path();
    if check {
        return match codegen::check_freshness(&source, &output)? {
            Freshness::Fresh => {
                println!("{} is up to date", output.display());
                Ok(())
            }
            Freshness::Stale => bail!("{} is stale; run `{}`", output.display(), codegen::COMMAND),
            Freshness::SourceMissing(dir) => {
                bail!("no FHIR R4 definitions at {}", dir.display())
            }
        };
    }
    let text = codegen::generate(&source)?;
    std::fs::write(&output, text)?;
    println!("wrote {}", output.display());
    Ok(())
}
