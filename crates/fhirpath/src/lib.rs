//! FHIRPath N1 (as used by FHIR R4) over FHIR JSON: parser and evaluator.
//!
//! Tessera extracts search parameter values with this engine at write time, and later
//! checks invariants and applies FHIRPath Patch with it.
//!
//! Key types: [`Expression`] (a parsed expression, reusable across resources),
//! [`EvaluationContext`] (resource, variables, clock, type model, strictness),
//! [`Value`]/[`Collection`] (results), [`TypeModel`] (FHIR type knowledge supplied by
//! the caller; `tessera-fhir` implements it for R4) and [`Error`].
//!
//! Design: a hand-written lexer and Pratt parser (no parser dependency; FHIRPath's
//! grammar is small) produce an AST that a tree-walking evaluator runs over borrowed
//! `serde_json::Value`s, so evaluating does not copy resources. Decimals are exact
//! ([`Decimal`]) because JSON numbers keep their precision in FHIR. Temporal values
//! keep their precision, and comparisons answer empty when precision makes the
//! answer unknown. Regular expressions use the `regex` crate, whose matching is
//! linear-time, so a hostile pattern cannot hang a server. Strict mode adds a static
//! check of the expression against the model ([`Expression::check`]) before running.
//!
//! Module map: `lexer` and `parser` build the `ast`; `eval` walks it (navigation,
//! operators, equality, type tests); `functions` holds the library by family;
//! `check` is the static checker; `decimal`, `temporal`, `temporal_arith` and
//! `quantity` are the System value types; `model` is the FHIR knowledge interface;
//! `context` is everything an evaluation depends on; `locate` maps result nodes
//! back to their place in the input JSON (what a writer such as FHIRPath Patch needs).
//!
//! Invariants: no I/O, no async, no clock or environment reads (the caller supplies
//! `now`); no panics on any input; nesting is bounded by [`MAX_DEPTH`]. This crate
//! must not depend on HTTP, SQL or the FHIR crate (the dependency points the other way).
//!
//! ```
//! use tessera_fhirpath::{EvaluationContext, Expression, Value};
//! let patient = serde_json::json!({"resourceType": "Patient", "active": true});
//! let expr = Expression::parse("Patient.active").unwrap();
//! let ctx = EvaluationContext::new().with_resource(&patient);
//! let result = expr.evaluate(&ctx).unwrap();
//! assert!(matches!(result[0].to_system().as_ref(), Value::Boolean(true)));
//! ```

mod ast;
mod check;
mod context;
mod decimal;
mod error;
mod eval;
mod functions;
mod lexer;
mod locate;
mod model;
mod parser;
mod quantity;
mod temporal;
mod temporal_arith;
mod value;

pub use context::{EvaluationContext, ExternalFunction, TraceSink};
pub use decimal::Decimal;
pub use error::Error;
pub use locate::{Location, Locator, Step};
pub use model::{ElementTypes, NoModel, TypeModel, is_subtype_of};
pub use quantity::Quantity;
pub use temporal::{DateTime, Precision, Time};
pub use value::{Collection, Node, Value};

/// The deepest nesting of an expression (parentheses, operators, path steps and
/// function arguments together) that we accept. Deep enough for any real FHIR
/// expression, shallow enough that evaluation cannot overflow a thread's stack.
pub const MAX_DEPTH: usize = 100;

/// A parsed FHIRPath expression.
#[derive(Clone, Debug)]
pub struct Expression {
    ast: ast::Expr,
    text: String,
}

impl Expression {
    /// Parses `text`; syntax errors carry the byte offset of the problem.
    pub fn parse(text: &str) -> Result<Expression, Error> {
        Ok(Expression {
            ast: parser::parse(text)?,
            text: text.to_string(),
        })
    }

    /// The source text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Evaluates with the context's resource as input (empty input without one).
    pub fn evaluate<'a>(&self, ctx: &EvaluationContext<'a>) -> Result<Collection<'a>, Error> {
        let input = ctx
            .resource
            .map(|r| vec![Value::Node(Node::resource(r))])
            .unwrap_or_default();
        self.evaluate_on(ctx, input)
    }

    /// Evaluates with `input` as the focus (and `%context`). In strict mode the
    /// expression is first checked against the model for the input's FHIR types.
    pub fn evaluate_on<'a>(
        &self,
        ctx: &EvaluationContext<'a>,
        input: Collection<'a>,
    ) -> Result<Collection<'a>, Error> {
        if ctx.strict && ctx.model.has_type("Element") {
            let input_types: Option<Vec<String>> = input
                .iter()
                .map(|item| item.as_node()?.type_name().map(str::to_string))
                .collect();
            if let Some(types) = input_types.filter(|t| !t.is_empty()) {
                let checker = check::Checker {
                    model: ctx.model,
                    check_ordered_functions: ctx.check_ordered_functions,
                    strict_type_roots: true,
                };
                checker.check(&self.ast, types)?;
            }
        }
        eval::evaluate(ctx, &self.ast, input)
    }

    /// Checks the expression against `model` for input of type `input_type`
    /// (e.g. `Patient`) without evaluating it: an element name that none of the
    /// possible types has is an [`Error::UnknownElement`]; a path rooted at another
    /// type (`Condition.code` when checking for Patient) is fine. Use it to validate
    /// expressions (search parameters, invariants) when they are loaded. Parts whose
    /// type cannot be inferred statically are not checked.
    pub fn check(&self, model: &dyn TypeModel, input_type: &str) -> Result<(), Error> {
        let checker = check::Checker {
            model,
            check_ordered_functions: false,
            strict_type_roots: false,
        };
        checker.check(&self.ast, vec![input_type.to_string()])
    }
}

#[cfg(test)]
mod tests {
    /// Parsed expressions are shared across threads (search indexing parses the R4
    /// parameters once).
    #[test]
    fn expressions_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<super::Expression>();
        assert_send_sync::<super::Error>();
    }
}
