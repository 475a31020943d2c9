//! Writing transaction Bundles entry by entry, straight to a buffered file.
//!
//! The bundle's envelope is written by hand and each entry's resource is serialised directly
//! by serde_json, so a bundle is never built as one JSON value and nothing is parsed back.
//! Every entry sits on its own line, which keeps the files readable with `grep` and `head`.

use crate::error::SynthError;
use serde_json::Value;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A transaction Bundle being written to a file.
pub struct BundleWriter {
    path: PathBuf,
    out: BufWriter<File>,
    entries: usize,
}

impl BundleWriter {
    pub fn create(path: &Path) -> Result<BundleWriter, SynthError> {
        let file = File::create(path).map_err(|source| SynthError::Write {
            path: path.to_owned(),
            source,
        })?;
        let mut writer = BundleWriter {
            path: path.to_owned(),
            out: BufWriter::with_capacity(256 * 1024, file),
            entries: 0,
        };
        writer.raw(b"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[\n")?;
        Ok(writer)
    }

    fn raw(&mut self, bytes: &[u8]) -> Result<(), SynthError> {
        self.out
            .write_all(bytes)
            .map_err(|source| SynthError::Write {
                path: self.path.clone(),
                source,
            })
    }

    /// Adds one entry: `fullUrl` is `urn:uuid:{full_url_uuid}`, the request `PUT Type/id`.
    pub fn entry(
        &mut self,
        full_url_uuid: &str,
        resource_type: &str,
        id: &str,
        resource: &Value,
    ) -> Result<(), SynthError> {
        if self.entries > 0 {
            self.raw(b",\n")?;
        }
        self.entries += 1;
        self.raw(b"{\"fullUrl\":\"urn:uuid:")?;
        self.raw(full_url_uuid.as_bytes())?;
        self.raw(b"\",\"resource\":")?;
        serde_json::to_writer(&mut self.out, resource).map_err(|source| SynthError::Serialise {
            path: self.path.clone(),
            source,
        })?;
        self.raw(b",\"request\":{\"method\":\"PUT\",\"url\":\"")?;
        // Resource types and ids are [A-Za-z0-9-.] only, so they need no JSON escaping.
        self.raw(resource_type.as_bytes())?;
        self.raw(b"/")?;
        self.raw(id.as_bytes())?;
        self.raw(b"\"}}")?;
        Ok(())
    }

    /// Closes the bundle and flushes it to disk; returns how many entries it holds.
    pub fn finish(mut self) -> Result<usize, SynthError> {
        self.raw(b"\n]}\n")?;
        self.out.flush().map_err(|source| SynthError::Write {
            path: self.path.clone(),
            source,
        })?;
        Ok(self.entries)
    }
}
