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

/// SQLite, written in C, still allocates through glibc's malloc. Each search
/// builds and drops temporary B-trees (an `IN (subquery)` list, a sort) whose
/// page caches are allocated in bulk; glibc handed the freed memory back to
/// the system (trim, unmap) after every statement and took it again with
/// page faults and cross-core TLB flushes on the next one. Keeping freed
/// memory up to these sizes doubled the two-link chain search's throughput
/// (2,629 -> 5,290 requests/s over 1 M resources) and cost the others nothing.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_c_memory() {
    const TRIM_THRESHOLD: libc::c_int = 128 << 20;
    const MMAP_THRESHOLD: libc::c_int = 32 << 20;
    // SAFETY: mallopt only sets glibc allocator parameters; it is called
    // once, before any other thread exists, with values in range.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_c_memory() {}

fn main() -> std::process::ExitCode {
    keep_freed_c_memory();
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
