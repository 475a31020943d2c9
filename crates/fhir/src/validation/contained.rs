//! The rules of contained resources (R4 DomainResource invariants):
//!
//! - dom-2: a contained resource does not contain resources (checked in [`super`]);
//! - dom-3: every contained resource is referenced from elsewhere in the resource (a
//!   `Reference` or a canonical/uri/url `#id`), or itself refers to its container (`#`);
//! - dom-4: a contained resource has no `meta.versionId` or `meta.lastUpdated`;
//! - dom-5: a contained resource has no `meta.security`.
//!
//! Each resource that is not itself contained opens a [`Scope`] that collects the `#id`
//! references found anywhere below it (its contained resources included), and is checked
//! when the walk of the resource is done.

use super::{Validator, codes};
use serde_json::{Map, Value};

/// The contained resources of one resource, and what refers to them.
#[derive(Debug, Default)]
pub(super) struct Scope<'v> {
    /// The `contained` entries, in order.
    contained: Vec<&'v Value>,
    /// `#id` targets referred to anywhere in the resource.
    referenced: Vec<&'v str>,
    /// Which contained resources refer to their container with `#`.
    refers_to_container: Vec<bool>,
    /// The index of the contained resource being walked, if any.
    current: Option<usize>,
}

impl<'v> Scope<'v> {
    pub(super) fn of(resource: &'v Map<String, Value>) -> Scope<'v> {
        let contained: Vec<&Value> = resource
            .get("contained")
            .and_then(Value::as_array)
            .map(|entries| entries.iter().collect())
            .unwrap_or_default();
        Scope {
            refers_to_container: vec![false; contained.len()],
            contained,
            referenced: Vec::new(),
            current: None,
        }
    }

    /// Whether a contained resource has this id.
    pub(super) fn has_contained(&self, id: &str) -> bool {
        self.contained
            .iter()
            .any(|c| c.get("id").and_then(Value::as_str) == Some(id))
    }
}

impl<'v> Validator<'_, 'v> {
    /// Records a `#id` (or `#`) found in a Reference or a canonical/uri/url value.
    pub(super) fn note_local_reference(&mut self, id: &'v str) {
        let Some(scope) = self.scopes.last_mut() else {
            return;
        };
        if id.is_empty() {
            if let Some(current) = scope.current
                && let Some(flag) = scope.refers_to_container.get_mut(current)
            {
                *flag = true;
            }
        } else {
            scope.referenced.push(id);
        }
    }

    /// Marks `resource` as the contained resource being walked, and checks dom-4 and dom-5.
    /// Returns the previous marker, for [`Self::leave_contained`].
    pub(super) fn enter_contained(
        &mut self,
        resource: &'v Value,
        object: &Map<String, Value>,
    ) -> Option<usize> {
        let scope = self.scopes.last_mut()?;
        let previous = scope.current;
        scope.current = scope
            .contained
            .iter()
            .position(|c| std::ptr::eq(*c, resource));
        if let Some(meta) = object.get("meta").and_then(Value::as_object) {
            for key in ["versionId", "lastUpdated", "security"] {
                if meta.contains_key(key) {
                    self.at("meta", |v| {
                        v.at(key, |v| {
                            v.report(
                                codes::CONTAINED_META,
                                format!(
                                    "a contained resource must not have meta.{key} (dom-4, dom-5)"
                                ),
                            )
                        })
                    });
                }
            }
        }
        previous
    }

    pub(super) fn leave_contained(&mut self, previous: Option<usize>) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.current = previous;
        }
    }

    /// dom-3, once the whole resource (path: the resource) has been walked.
    pub(super) fn close_scope(&mut self) {
        let Some(scope) = self.scopes.pop() else {
            return;
        };
        for (index, contained) in scope.contained.iter().enumerate() {
            // Entries that are not resources were already reported as such.
            let is_resource = contained
                .get("resourceType")
                .and_then(Value::as_str)
                .is_some_and(|t| self.definitions.is_resource_type(t));
            if !is_resource {
                continue;
            }
            let id = contained.get("id").and_then(Value::as_str);
            let referenced = id.is_some_and(|id| scope.referenced.contains(&id));
            if !referenced && !scope.refers_to_container[index] {
                self.at("contained", |v| {
                    v.at_index(index, |v| {
                        v.report(
                            codes::UNREFERENCED_CONTAINED,
                            "a contained resource must be referenced from elsewhere in the \
                             resource (#id) or refer to its container (#) (dom-3)",
                        )
                    })
                });
            }
        }
    }
}
