//! `EvaluationContext`: everything an evaluation may depend on besides the expression.
//!
//! The engine never reads the clock or the process environment: `now()`/`today()`
//! use the instant the caller supplies, `trace()` calls the caller's sink, and
//! `%name` variables come from here. That keeps evaluation a pure function of its
//! inputs (and makes search extraction reproducible).

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::model::{NoModel, TypeModel};
use crate::temporal::DateTime;
use crate::value::{Collection, Value};

/// Receives `trace(name[, projection])` output.
pub type TraceSink<'a> = dyn Fn(&str, &[Value<'a>]) + 'a;

/// A function the caller adds to the language: called with the input collection and
/// the already-evaluated arguments. This is how knowledge the engine must not have
/// gets in: terminology (`memberOf`, `subsumes`) or narrative checks (`htmlChecks`).
/// It works for any data lifetime, so one function (a `fn` item is simplest) serves
/// every evaluation.
pub type ExternalFunction =
    dyn for<'v> Fn(&[Value<'v>], &[Collection<'v>]) -> Result<Collection<'v>, crate::Error>;

static NO_MODEL: NoModel = NoModel;

/// The inputs of an evaluation other than the expression itself.
pub struct EvaluationContext<'a> {
    pub(crate) model: &'a dyn TypeModel,
    pub(crate) resource: Option<&'a Json>,
    pub(crate) root_resource: Option<&'a Json>,
    pub(crate) variables: HashMap<String, Collection<'a>>,
    pub(crate) now: Option<DateTime>,
    pub(crate) strict: bool,
    pub(crate) reference_placeholders: bool,
    pub(crate) check_ordered_functions: bool,
    pub(crate) trace: Option<&'a TraceSink<'a>>,
    pub(crate) functions: HashMap<String, &'a ExternalFunction>,
}

impl Default for EvaluationContext<'_> {
    fn default() -> Self {
        EvaluationContext::new()
    }
}

impl<'a> EvaluationContext<'a> {
    /// A context with no model, no resource, no clock.
    pub fn new() -> EvaluationContext<'a> {
        EvaluationContext {
            model: &NO_MODEL,
            resource: None,
            root_resource: None,
            variables: HashMap::new(),
            now: None,
            strict: false,
            reference_placeholders: false,
            check_ordered_functions: false,
            trace: None,
            functions: HashMap::new(),
        }
    }

    /// FHIR type knowledge (see [`TypeModel`]).
    pub fn with_model(mut self, model: &'a dyn TypeModel) -> Self {
        self.model = model;
        self
    }

    /// The resource being evaluated: `%resource`, and the default input.
    pub fn with_resource(mut self, resource: &'a Json) -> Self {
        self.resource = Some(resource);
        self
    }

    /// The outermost resource (`%rootResource`), e.g. the Bundle that contains
    /// `%resource`; `resolve()` looks for references there. Defaults to `%resource`.
    pub fn with_root_resource(mut self, root: &'a Json) -> Self {
        self.root_resource = Some(root);
        self
    }

    /// A user environment variable, read as `%name`.
    pub fn with_variable(mut self, name: impl Into<String>, value: Collection<'a>) -> Self {
        self.variables.insert(name.into(), value);
        self
    }

    /// The instant `now()` returns (and `today()` takes the date of).
    pub fn with_now(mut self, now: DateTime) -> Self {
        self.now = Some(now);
        self
    }

    /// Strict mode: a path the model says cannot exist is an error instead of empty,
    /// checked statically before evaluation (see [`crate::Expression::check`]) and
    /// again while navigating; so is a type name at the start of a path that the
    /// input can never be (`Encounter.name` on a Patient). Search indexing runs
    /// lenient, because R4's parameters name several resource types in one
    /// expression (`AllergyIntolerance.code | Condition.code | ...`).
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// With strict mode: reject `first()`, `skip()` and other order-dependent
    /// functions on the unordered results of `children()`/`descendants()`.
    pub fn check_ordered_functions(mut self, enabled: bool) -> Self {
        self.check_ordered_functions = enabled;
        self
    }

    /// When a reference cannot be resolved but names its target type
    /// (`Patient/123`, `http://x/fhir/Patient/123`), `resolve()` returns an empty
    /// placeholder of that type instead of nothing. Search indexing wants this: R4
    /// search parameters such as `Observation.subject.where(resolve() is Patient)`
    /// are written to test the target's type, and the target is usually not in the
    /// resource being indexed.
    pub fn reference_placeholders(mut self, enabled: bool) -> Self {
        self.reference_placeholders = enabled;
        self
    }

    /// Where `trace()` output goes; without a sink, `trace()` only passes its input on.
    pub fn with_trace(mut self, sink: &'a TraceSink<'a>) -> Self {
        self.trace = Some(sink);
        self
    }

    /// Adds a function (see [`ExternalFunction`]). Built-in functions take
    /// precedence: the language's own meaning cannot be redefined.
    pub fn with_function(
        mut self,
        name: impl Into<String>,
        function: &'a ExternalFunction,
    ) -> Self {
        self.functions.insert(name.into(), function);
        self
    }

    pub(crate) fn root(&self) -> Option<&'a Json> {
        self.root_resource.or(self.resource)
    }
}
