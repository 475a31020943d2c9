//! The import ledger: which files were imported completely, so a re-run
//! skips them. One line per file (path, size, FNV-1a 64 of the content) in
//! `DATA_DIR/import-ledger.tsv`, appended and fsynced only after everything
//! the file held was committed.

use anyhow::Context;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

pub(super) struct ImportLedger {
    path: PathBuf,
    done: HashSet<String>,
}

impl ImportLedger {
    pub(super) fn open(data_dir: &Path) -> anyhow::Result<ImportLedger> {
        let path = data_dir.join("import-ledger.tsv");
        let done = match std::fs::read_to_string(&path) {
            Ok(text) => text.lines().map(str::to_owned).collect(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => HashSet::new(),
            Err(error) => {
                return Err(error).with_context(|| format!("cannot read {}", path.display()));
            }
        };
        Ok(ImportLedger { path, done })
    }

    /// The ledger line of a file with this content.
    pub(super) fn line(file: &Path, content: &[u8]) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in content {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        let name = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
        format!("{}\t{}\t{hash:016x}", name.display(), content.len())
    }

    pub(super) fn contains(&self, line: &str) -> bool {
        self.done.contains(line)
    }

    /// Records a file as imported, durably.
    pub(super) fn record(&mut self, line: String) -> anyhow::Result<()> {
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        writeln!(file, "{line}")?;
        file.sync_data()?;
        self.done.insert(line);
        Ok(())
    }
}
