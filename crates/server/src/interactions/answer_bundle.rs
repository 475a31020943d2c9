//! The Bundles the server answers searches, `$everything` and history with.
//!
//! A stored resource goes into its entry as the JSON it was stored as,
//! spliced in without being parsed or serialised again, unless the request
//! asks for a subset (`_summary`, `_elements`) or pretty printing. A page of
//! a thousand resources is a megabyte or more; building it as a
//! `serde_json::Value` tree cost most of a large `$everything`.

use super::{RequestContext, parse_stored, subset};
use crate::error::ApiError;
use crate::response::{bytes_response, json_response};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};
use tessera_store::StoredVersion;

/// The resource of one entry.
pub(crate) enum EntryResource<'a> {
    /// The stored JSON, as stored.
    Stored(&'a StoredVersion),
    /// A resource built or rewritten here (a subset, an OperationOutcome).
    Json(Value),
}

impl<'a> EntryResource<'a> {
    /// `version` as the request asks to see it: as stored, or parsed and
    /// subsetted when `_summary`/`_elements` or `_pretty` ask for it.
    pub(crate) fn of(
        ctx: &RequestContext<'_>,
        version: &'a StoredVersion,
    ) -> Result<EntryResource<'a>, ApiError> {
        if !ctx.pretty && !super::wants_subset(ctx) {
            return Ok(EntryResource::Stored(version));
        }
        let resource = parse_stored(version)?;
        Ok(EntryResource::Json(
            subset(ctx, &resource)?.unwrap_or(resource),
        ))
    }

    fn into_value(self) -> Result<Value, ApiError> {
        match self {
            EntryResource::Stored(version) => parse_stored(version),
            EntryResource::Json(value) => Ok(value),
        }
    }
}

/// One `Bundle.entry`: `fullUrl`, `resource`, then the other elements
/// (`search`, `request`, `response`) in the order given.
pub(crate) struct AnswerEntry<'a> {
    pub(crate) full_url: Option<String>,
    pub(crate) resource: Option<EntryResource<'a>>,
    pub(crate) rest: Vec<(&'static str, Value)>,
}

/// A Bundle of `bundle_type` with its total (if counted), links and entries.
pub(crate) fn bundle_response(
    ctx: &RequestContext<'_>,
    bundle_type: &str,
    total: Option<u64>,
    links: Vec<Value>,
    entries: Vec<AnswerEntry<'_>>,
) -> Result<Response, ApiError> {
    let mut head = Map::new();
    head.insert("resourceType".into(), Value::from("Bundle"));
    head.insert("type".into(), Value::from(bundle_type));
    if let Some(total) = total {
        head.insert("total".into(), Value::from(total));
    }
    head.insert("link".into(), Value::Array(links));
    if ctx.pretty {
        if !entries.is_empty() {
            let entries = entries
                .into_iter()
                .map(AnswerEntry::into_value)
                .collect::<Result<Vec<_>, _>>()?;
            head.insert("entry".into(), Value::Array(entries));
        }
        return Ok(json_response(StatusCode::OK, &Value::Object(head), true));
    }
    let stored: usize = entries
        .iter()
        .map(|entry| match &entry.resource {
            Some(EntryResource::Stored(version)) => version.body.len(),
            _ => 0,
        })
        .sum();
    let mut out = Vec::with_capacity(stored + 200 * entries.len() + 512);
    write_json(&mut out, &Value::Object(head));
    if !entries.is_empty() {
        out.pop(); // the head's closing brace
        out.extend_from_slice(b",\"entry\":[");
        for (n, entry) in entries.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            entry.write(&mut out);
        }
        out.extend_from_slice(b"]}");
    }
    Ok(bytes_response(StatusCode::OK, out.into()))
}

impl AnswerEntry<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        let mut first = true;
        let mut name = |out: &mut Vec<u8>, name: &str| {
            if !first {
                out.push(b',');
            }
            first = false;
            write_json(out, name);
            out.push(b':');
        };
        if let Some(full_url) = &self.full_url {
            name(out, "fullUrl");
            write_json(out, full_url);
        }
        match &self.resource {
            Some(EntryResource::Stored(version)) => {
                name(out, "resource");
                out.extend_from_slice(&version.body);
            }
            Some(EntryResource::Json(value)) => {
                name(out, "resource");
                write_json(out, value);
            }
            None => {}
        }
        for (element, value) in &self.rest {
            name(out, element);
            write_json(out, value);
        }
        out.push(b'}');
    }

    fn into_value(self) -> Result<Value, ApiError> {
        let mut entry = Map::new();
        if let Some(full_url) = self.full_url {
            entry.insert("fullUrl".into(), Value::from(full_url));
        }
        if let Some(resource) = self.resource {
            entry.insert("resource".into(), resource.into_value()?);
        }
        for (element, value) in self.rest {
            entry.insert(element.into(), value);
        }
        Ok(Value::Object(entry))
    }
}

/// Appends `value` (a string or a `Value`) as compact JSON. Writing these to
/// memory cannot fail (no I/O, string keys only).
fn write_json(out: &mut Vec<u8>, value: &(impl serde::Serialize + ?Sized)) {
    let _ = serde_json::to_writer(out, value);
}
