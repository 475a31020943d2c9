//! FHIRPath Patch (R4, <http://hl7.org/fhir/R4/fhirpatch.html>): a
//! `Parameters` resource whose `operation` parameters add, insert, delete,
//! replace or move elements named by FHIRPath expressions.
//!
//! [`FhirPathPatch::parse`] reads the whole document before anything is
//! applied, so a malformed operation anywhere is reported without reading the
//! resource; [`FhirPathPatch::apply`] runs the operations in order, each
//! against the result of the one before. Every error names its operation as
//! `Parameters.parameter[i]`, the location a client can fix.
//!
//! How a path becomes a place to change: the path is evaluated with the R4
//! model over the current resource, and each resulting node is mapped back to
//! its JSON location by [`tessera_fhirpath::Locator`] (nodes borrow the JSON,
//! so their addresses identify them). A result that is not an element of this
//! resource (a computed value) is an error, which also keeps a patch from
//! reaching into anything but the resource it names.
//!
//! Where R4 is silent, Tessera chooses:
//! - Paths are evaluated strictly against the R4 model: an element that the
//!   type does not have (`Patient.birthdate`) is an error, not an empty match,
//!   so a misspelt `delete` cannot silently do nothing. Choice elements are
//!   named the FHIRPath way (`Observation.value.ofType(Quantity)`).
//! - `delete` of a path matching nothing changes nothing ("if found"); every
//!   other operation needs its path to match.
//! - `replace` replaces the whole element, a primitive's id and extensions
//!   (its `_name` companion) included; a choice may change type.
//! - `insert` and `move` take a path whose matches all lie in one list; the
//!   index counts in that whole list. `insert` into a list that does not exist
//!   yet is an error: `add` starts a list.
//! - `add` appends to a repeating element, and fails on a non-repeating one
//!   that already has a value (R4: "as long as they do not already exist").
//! - A value's type must be the element's type or a subtype of it
//!   (`valueCode` fits a `string`, `valueString` does not fit a `code`).
//! - A malformed or inapplicable operation is a 400 (`RecordError::Malformed`),
//!   like a JSON Patch that cannot be applied; a result that breaks R4 is a 422,
//!   like any write.

mod apply;
mod slots;
#[cfg(test)]
mod tests;
mod value;

pub use value::MAX_VALUE_DEPTH;

use crate::RecordError;
use serde_json::{Map, Value as Json};
use tessera_fhir::{Definitions, Issue, IssueType};
use tessera_fhirpath::Expression;
use value::PatchValue;

/// The most operations one patch may carry.
pub const MAX_OPERATIONS: usize = 1000;

/// A parsed FHIRPath Patch document.
#[derive(Debug)]
pub struct FhirPathPatch {
    operations: Vec<Operation>,
}

#[derive(Debug)]
struct Operation {
    /// Its index in `Parameters.parameter`, to locate errors.
    position: usize,
    path: Expression,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Add { name: String, value: PatchValue },
    Insert { value: PatchValue, index: usize },
    Delete,
    Replace { value: PatchValue },
    Move { source: usize, destination: usize },
}

/// Why one operation failed, before it is given its location.
#[derive(Debug)]
pub(crate) struct Failure {
    code: IssueType,
    message: String,
}

impl Failure {
    /// The operation is malformed, or names something the resource cannot have.
    fn invalid(message: impl Into<String>) -> Failure {
        Failure {
            code: IssueType::Invalid,
            message: message.into(),
        }
    }

    /// The operation is well formed but cannot be applied to this resource.
    fn processing(message: impl Into<String>) -> Failure {
        Failure {
            code: IssueType::Processing,
            message: message.into(),
        }
    }

    fn at(self, position: usize) -> RecordError {
        RecordError::Malformed(Box::new(
            Issue::error(self.code, self.message).at(format!("Parameters.parameter[{position}]")),
        ))
    }
}

impl FhirPathPatch {
    /// Reads a `Parameters` resource of `operation` parameters.
    pub fn parse(document: &Json, definitions: &Definitions) -> Result<FhirPathPatch, RecordError> {
        let malformed = |message: String, at: &str| {
            RecordError::Malformed(Box::new(
                Issue::error(IssueType::Structure, message).at(at.to_string()),
            ))
        };
        match document.get("resourceType").and_then(Json::as_str) {
            Some("Parameters") => {}
            found => {
                return Err(malformed(
                    format!(
                        "a FHIRPath Patch is a Parameters resource, not {}",
                        found.unwrap_or("a body without resourceType")
                    ),
                    "Parameters",
                ));
            }
        }
        let parameters = match document.get("parameter") {
            None => &Vec::new(),
            Some(Json::Array(parameters)) => parameters,
            Some(_) => {
                return Err(malformed(
                    "Parameters.parameter must be an array".into(),
                    "Parameters.parameter",
                ));
            }
        };
        if parameters.len() > MAX_OPERATIONS {
            return Err(malformed(
                format!(
                    "the patch has {} operations; the limit is {MAX_OPERATIONS}",
                    parameters.len()
                ),
                "Parameters.parameter",
            ));
        }
        let operations = parameters
            .iter()
            .enumerate()
            .map(|(position, parameter)| {
                Operation::parse(position, parameter, definitions).map_err(|f| f.at(position))
            })
            .collect::<Result<_, _>>()?;
        Ok(FhirPathPatch { operations })
    }

    /// Applies the operations in order to `resource`. On error the resource is
    /// half-changed: the caller discards it.
    pub fn apply(&self, resource: &mut Json, definitions: &Definitions) -> Result<(), RecordError> {
        for operation in &self.operations {
            apply::operation(resource, definitions, &operation.path, &operation.kind)
                .map_err(|f| f.at(operation.position))?;
        }
        Ok(())
    }
}

impl Operation {
    fn parse(
        position: usize,
        parameter: &Json,
        definitions: &Definitions,
    ) -> Result<Operation, Failure> {
        let parameter = parameter
            .as_object()
            .ok_or_else(|| Failure::invalid("a parameter must be an object"))?;
        match parameter.get("name").and_then(Json::as_str) {
            Some("operation") => {}
            Some(other) => {
                return Err(Failure::invalid(format!(
                    "a FHIRPath Patch has only 'operation' parameters, not '{other}'"
                )));
            }
            None => return Err(Failure::invalid("the parameter has no name")),
        }
        let parts = Parts::read(parameter)?;
        let kind_name = parts.string("type", "valueCode")?;
        let path_text = parts.string("path", "valueString")?;
        let path = Expression::parse(&path_text)
            .map_err(|error| Failure::invalid(format!("the path '{path_text}': {error}")))?;
        let (kind, used): (Kind, &[&str]) = match kind_name.as_str() {
            "add" => (
                Kind::Add {
                    name: parts.string("name", "valueString")?,
                    value: parts.value(definitions)?,
                },
                &["name", "value"],
            ),
            "insert" => (
                Kind::Insert {
                    value: parts.value(definitions)?,
                    index: parts.index("index")?,
                },
                &["value", "index"],
            ),
            "delete" => (Kind::Delete, &[]),
            "replace" => (
                Kind::Replace {
                    value: parts.value(definitions)?,
                },
                &["value"],
            ),
            "move" => (
                Kind::Move {
                    source: parts.index("source")?,
                    destination: parts.index("destination")?,
                },
                &["source", "destination"],
            ),
            other => {
                return Err(Failure::invalid(format!(
                    "'{other}' is not a patch operation (add, insert, delete, replace, move)"
                )));
            }
        };
        if let Some(extra) = parts
            .names()
            .find(|n| !matches!(*n, "type" | "path") && !used.contains(n))
        {
            return Err(Failure::invalid(format!(
                "a {kind_name} operation takes no '{extra}' part"
            )));
        }
        Ok(Operation {
            position,
            path,
            kind,
        })
    }
}

/// The parts of one `operation` parameter, by name.
struct Parts<'p> {
    parts: Vec<(&'p str, &'p Map<String, Json>)>,
}

impl<'p> Parts<'p> {
    const NAMES: [&'static str; 7] = [
        "type",
        "path",
        "name",
        "value",
        "index",
        "source",
        "destination",
    ];

    fn read(parameter: &'p Map<String, Json>) -> Result<Parts<'p>, Failure> {
        let Some(Json::Array(items)) = parameter.get("part") else {
            return Err(Failure::invalid("the operation has no parts"));
        };
        let mut parts: Vec<(&str, &Map<String, Json>)> = Vec::with_capacity(items.len());
        for item in items {
            let part = item
                .as_object()
                .ok_or_else(|| Failure::invalid("a part must be an object"))?;
            let name = part
                .get("name")
                .and_then(Json::as_str)
                .ok_or_else(|| Failure::invalid("a part has no name"))?;
            if !Self::NAMES.contains(&name) {
                return Err(Failure::invalid(format!(
                    "'{name}' is not a part of a patch operation ({})",
                    Self::NAMES.join(", ")
                )));
            }
            if parts.iter().any(|(n, _)| *n == name) {
                return Err(Failure::invalid(format!("the '{name}' part is repeated")));
            }
            parts.push((name, part));
        }
        Ok(Parts { parts })
    }

    fn names(&self) -> impl Iterator<Item = &'p str> + '_ {
        self.parts.iter().map(|(name, _)| *name)
    }

    fn get(&self, name: &str) -> Result<&'p Map<String, Json>, Failure> {
        self.parts
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, part)| *part)
            .ok_or_else(|| Failure::invalid(format!("the operation has no '{name}' part")))
    }

    fn string(&self, name: &str, key: &str) -> Result<String, Failure> {
        self.get(name)?
            .get(key)
            .and_then(Json::as_str)
            .map(str::to_string)
            .ok_or_else(|| Failure::invalid(format!("the '{name}' part needs a {key}")))
    }

    fn index(&self, name: &str) -> Result<usize, Failure> {
        let part = self.get(name)?;
        part.get("valueInteger")
            .and_then(Json::as_u64)
            .and_then(|i| usize::try_from(i).ok())
            .ok_or_else(|| {
                Failure::invalid(format!(
                    "the '{name}' part needs a valueInteger of 0 or more"
                ))
            })
    }

    fn value(&self, definitions: &Definitions) -> Result<PatchValue, Failure> {
        PatchValue::read(self.get("value")?, definitions, 0)
    }
}
