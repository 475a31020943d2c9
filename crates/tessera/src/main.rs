//! `tessera`: the one binary. Reads the command line, the environment, the
//! optional TOML configuration file and the clock (nothing else in Tessera
//! does), then runs the chosen command.

mod backup;
mod cli;
mod config;
mod copy;
mod demo;
mod export;
mod generate;
mod import;
mod parallel;
mod reindex;
mod runtime;
mod serve;
mod transfer;

use clap::Parser;

/// mimalloc instead of the C library's allocator: a request builds and drops
/// many small JSON values, and glibc's malloc spent a third of a large
/// `$everything` answer in its free lists (`malloc_consolidate`,
/// `unlink_chunk`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Serve(args) => serve::run(args),
        cli::Command::Demo(args) => demo::run(args),
        cli::Command::Import(args) => import::run(args),
        cli::Command::Export(args) => export::run(args),
        cli::Command::Reindex(args) => reindex::run(args),
        cli::Command::Generate(args) => generate::run(args),
        cli::Command::Copy(args) => copy::run(args),
        cli::Command::Backup(args) => backup::backup(args),
        cli::Command::Restore(args) => backup::restore(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tessera: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
