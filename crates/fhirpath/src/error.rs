//! `Error`: everything that can go wrong parsing or evaluating FHIRPath.
//!
//! Each variant has a stable code (`TSR-FP-xxx`) so a user can search for it; parse
//! errors carry the byte offset in the expression where the problem was found.

use thiserror::Error;

/// A FHIRPath parse or evaluation failure.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    /// The expression text is not valid FHIRPath.
    #[error("TSR-FP-001 syntax error at offset {position}: {message}")]
    Syntax { position: usize, message: String },
    /// The expression nests deeper than [`crate::MAX_DEPTH`].
    #[error("TSR-FP-002 expression nests deeper than {limit} levels (at offset {position})")]
    TooDeep { position: usize, limit: usize },
    /// A function name that FHIRPath (or this engine) does not define.
    #[error("TSR-FP-003 unknown function {name}() at offset {position}")]
    UnknownFunction { name: String, position: usize },
    /// A function called with the wrong number of arguments.
    #[error("TSR-FP-004 {name}() takes {expected} argument(s), got {actual}")]
    Arity {
        name: String,
        expected: String,
        actual: usize,
    },
    /// An operand or argument of the wrong type or cardinality.
    #[error("TSR-FP-005 {0}")]
    Type(String),
    /// A `%name` that the context does not define.
    #[error("TSR-FP-006 undefined environment variable %{0}")]
    UndefinedVariable(String),
    /// A path that the type model says cannot exist (strict mode only).
    #[error("TSR-FP-007 {type_name} has no element named {element}")]
    UnknownElement { type_name: String, element: String },
    /// A type name the model does not know.
    #[error("TSR-FP-008 unknown type {0}")]
    UnknownType(String),
    /// `today()`/`now()` without a clock in the evaluation context.
    #[error("TSR-FP-009 no clock supplied: {0}() needs EvaluationContext::with_now")]
    NoClock(&'static str),
    /// An order-dependent function applied to an unordered collection (only when
    /// [`crate::EvaluationContext::check_ordered_functions`] is on).
    #[error(
        "TSR-FP-011 {0}() needs an ordered collection, but children()/descendants() have no order"
    )]
    UnorderedCollection(String),
    /// Anything else that makes an evaluation fail (invalid regex, bad argument value).
    #[error("TSR-FP-010 {0}")]
    Evaluation(String),
}

impl Error {
    pub(crate) fn syntax(position: usize, message: impl Into<String>) -> Error {
        Error::Syntax {
            position,
            message: message.into(),
        }
    }

    pub(crate) fn type_error(message: impl Into<String>) -> Error {
        Error::Type(message.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes are how users search for an error: every variant has its own.
    #[test]
    fn error_codes_are_unique() {
        let samples = [
            Error::syntax(0, "x"),
            Error::TooDeep {
                position: 0,
                limit: 1,
            },
            Error::UnknownFunction {
                name: "f".into(),
                position: 0,
            },
            Error::Arity {
                name: "f".into(),
                expected: "1".into(),
                actual: 2,
            },
            Error::type_error("x"),
            Error::UndefinedVariable("v".into()),
            Error::UnknownElement {
                type_name: "T".into(),
                element: "e".into(),
            },
            Error::UnknownType("T".into()),
            Error::NoClock("now"),
            Error::UnorderedCollection("first".into()),
            Error::Evaluation("x".into()),
        ];
        let mut codes: Vec<String> = samples
            .iter()
            .map(|e| e.to_string().split(' ').next().unwrap_or("").to_string())
            .collect();
        assert!(codes.iter().all(|c| c.starts_with("TSR-FP-")), "{codes:?}");
        let count = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), count, "duplicate error codes");
    }
}
