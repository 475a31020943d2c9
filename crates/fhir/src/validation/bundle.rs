//! The Bundle invariants of R4 (bdl-1 to bdl-12, except bdl-6, which R4 withdrew): which
//! entries carry `request`, `response` and `search` for each Bundle type, unique and
//! version-independent `fullUrl`s, and what documents and messages start with. The server
//! relies on these before it processes a batch or transaction.

use super::{Validator, codes};
use serde_json::{Map, Value};
use std::collections::HashSet;

impl Validator<'_, '_> {
    /// Checks `bundle` (already walked structurally); the path is the Bundle's.
    pub(super) fn check_bundle(&mut self, bundle: &Map<String, Value>) {
        let bundle_type = bundle.get("type").and_then(Value::as_str).unwrap_or("");
        let is_history = bundle_type == "history";
        if bundle.contains_key("total") && bundle_type != "searchset" && !is_history {
            self.bundle_rule(
                "total",
                "bdl-1: total only occurs in a search or history bundle",
            );
        }
        let entries: &[Value] = bundle
            .get("entry")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        let needs_request = matches!(bundle_type, "batch" | "transaction" | "history");
        let needs_response = matches!(
            bundle_type,
            "batch-response" | "transaction-response" | "history"
        );
        let mut full_urls: HashSet<(&str, Option<&str>)> = HashSet::new();
        for (index, entry) in entries.iter().enumerate() {
            let Some(entry) = entry.as_object() else {
                continue;
            };
            self.at("entry", |v| {
                v.at_index(index, |v| {
                    if entry.contains_key("search") && bundle_type != "searchset" {
                        v.bundle_rule("search", "bdl-2: entry.search only when a search");
                    }
                    let has_request = entry.contains_key("request");
                    if has_request != needs_request {
                        let rule = if needs_request {
                            "bdl-3: each entry of a batch, transaction or history must have a request"
                        } else {
                            "bdl-3: entry.request only in a batch, transaction or history"
                        };
                        v.bundle_rule(if has_request { "request" } else { "" }, rule);
                    }
                    let has_response = entry.contains_key("response");
                    if has_response != needs_response {
                        let rule = if needs_response {
                            "bdl-4: each entry of a batch-response, transaction-response or history must have a response"
                        } else {
                            "bdl-4: entry.response only in a batch-response, transaction-response or history"
                        };
                        v.bundle_rule(if has_response { "response" } else { "" }, rule);
                    }
                    if !entry.contains_key("resource") && !has_request && !has_response {
                        v.bundle_rule("", "bdl-5: an entry must have a resource, a request or a response");
                    }
                    if let Some(full_url) = entry.get("fullUrl").and_then(Value::as_str) {
                        if full_url.contains("/_history/") {
                            v.bundle_rule("fullUrl", "bdl-8: fullUrl cannot be a version-specific reference");
                        }
                        let version = entry
                            .get("resource")
                            .and_then(|r| r.get("meta"))
                            .and_then(|m| m.get("versionId"))
                            .and_then(Value::as_str);
                        if !is_history && !full_urls.insert((full_url, version)) {
                            v.bundle_rule(
                                "fullUrl",
                                "bdl-7: fullUrl must be unique in a bundle, unless the entries have different meta.versionId",
                            );
                        }
                    }
                })
            });
        }
        let first_resource_type = entries
            .first()
            .and_then(|e| e.get("resource"))
            .and_then(|r| r.get("resourceType"))
            .and_then(Value::as_str);
        if bundle_type == "document" {
            let identifier = bundle.get("identifier");
            let identified = identifier.and_then(|i| i.get("system")).is_some()
                && identifier.and_then(|i| i.get("value")).is_some();
            if !identified {
                self.bundle_rule(
                    "identifier",
                    "bdl-9: a document must have an identifier with a system and a value",
                );
            }
            if !bundle.contains_key("timestamp") {
                self.bundle_rule("timestamp", "bdl-10: a document must have a timestamp");
            }
            if first_resource_type != Some("Composition") {
                self.bundle_rule(
                    "entry",
                    "bdl-11: a document must have a Composition as the first resource",
                );
            }
        }
        if bundle_type == "message" && first_resource_type != Some("MessageHeader") {
            self.bundle_rule(
                "entry",
                "bdl-12: a message must have a MessageHeader as the first resource",
            );
        }
    }

    /// Reports a Bundle rule at `.element` below the current path (or at it, for `""`).
    fn bundle_rule(&mut self, element: &str, rule: &str) {
        if element.is_empty() {
            self.report(codes::BUNDLE_RULE, rule);
        } else {
            self.at(element, |v| v.report(codes::BUNDLE_RULE, rule));
        }
    }
}
