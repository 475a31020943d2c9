//! Static checking of an expression against the type model, for strict mode.
//!
//! Strict mode promises that a path the model says cannot exist is an error, even
//! when the data would never reach it: `(Observation.value as Period).unit` is wrong
//! because Period has no `unit`, whatever the Observation holds. The checker infers
//! the FHIR types each sub-expression can produce and reports the first element name
//! that none of them has. Where inference gives up (System values, `resolve()`,
//! `repeat()`, variables), the subtree is simply not checked further, so the checker
//! never rejects an expression the evaluator could run meaningfully.
//!
//! It also implements the optional ordered-functions rule: `children()` and
//! `descendants()` produce unordered collections, on which `first()`, `skip()` and
//! friends have no defined meaning.

use crate::ast::{Expr, TypeOp};
use crate::error::Error;
use crate::model::{TypeModel, is_subtype_of};

/// The FHIR types an expression may produce (`None`: unknown), and whether the
/// collection has a defined order.
#[derive(Clone)]
struct Inferred {
    types: Option<Vec<String>>,
    ordered: bool,
}

impl Inferred {
    fn unknown() -> Inferred {
        Inferred {
            types: None,
            ordered: true,
        }
    }

    fn of(types: Vec<String>) -> Inferred {
        Inferred {
            types: Some(types),
            ordered: true,
        }
    }
}

pub(crate) struct Checker<'m> {
    pub model: &'m dyn TypeModel,
    pub check_ordered_functions: bool,
    /// Whether a path rooted at a type the input can never be (`Encounter.name` on
    /// a Patient) is an error (strict evaluation) or just empty (validating R4
    /// search expressions, which root one branch per resource type).
    pub strict_type_roots: bool,
}

const ORDER_DEPENDENT: [&str; 6] = ["first", "last", "tail", "skip", "take", "single"];
/// Functions whose arguments are evaluated on each input item (`iif` on its single
/// input item).
const LAMBDA_FUNCTIONS: [&str; 9] = [
    "iif",
    "where",
    "select",
    "all",
    "exists",
    "repeat",
    "aggregate",
    "sort",
    "trace",
];
const TYPE_PRESERVING: [&str; 10] = [
    "where", "first", "last", "tail", "skip", "take", "single", "distinct", "trace", "exclude",
];

impl Checker<'_> {
    /// Checks `expr` evaluated on input of the given FHIR types.
    pub fn check(&self, expr: &Expr, input_types: Vec<String>) -> Result<(), Error> {
        let input = Inferred::of(input_types);
        self.infer(expr, &input, &input).map(|_| ())
    }

    /// The element `name` of the types in `owner`: an error when every one of them
    /// is known to the model and none has it.
    fn element(&self, owner: &Inferred, name: &str) -> Result<Inferred, Error> {
        let Some(types) = &owner.types else {
            return Ok(Inferred::unknown());
        };
        if types.is_empty() {
            // Known to be empty (a branch for another resource type): nothing to check.
            return Ok(owner.clone());
        }
        let mut found: Vec<String> = Vec::new();
        for type_name in types {
            if !self.model.has_type(type_name) || type_name == "Resource" {
                return Ok(Inferred::unknown());
            }
            if let Some(declared) = self.model.element_types(type_name, name) {
                for t in declared.types {
                    if t == "Resource" || t == "DomainResource" {
                        return Ok(Inferred {
                            types: None,
                            ordered: owner.ordered,
                        });
                    }
                    if !found.iter().any(|f| f == t) {
                        found.push(t.to_string());
                    }
                }
            }
        }
        if found.is_empty() {
            return Err(Error::UnknownElement {
                type_name: types.join(" | "),
                element: name.to_string(),
            });
        }
        Ok(Inferred {
            types: Some(found),
            ordered: owner.ordered,
        })
    }

    /// `Patient` at the start of a path: the focus narrowed to that type, or an
    /// error when the focus can never be of it.
    fn type_root(&self, focus: &Inferred, name: &str) -> Result<Inferred, Error> {
        let Some(types) = &focus.types else {
            return Ok(Inferred::unknown());
        };
        if !self.model.has_type(name) || types.iter().any(|t| !self.model.has_type(t)) {
            return self.element(focus, name);
        }
        let matching: Vec<String> = types
            .iter()
            .filter(|t| is_subtype_of(self.model, t, name))
            .cloned()
            .collect();
        if matching.is_empty() && !self.strict_type_roots {
            return Ok(Inferred::of(Vec::new()));
        }
        if matching.is_empty() {
            return Err(Error::UnknownElement {
                type_name: types.join(" | "),
                element: name.to_string(),
            });
        }
        Ok(Inferred::of(matching))
    }

    fn type_argument(&self, arg: Option<&Expr>) -> Inferred {
        let name = match arg {
            Some(Expr::Identifier(name)) => name,
            Some(Expr::Member(ns, name)) if matches!(ns.as_ref(), Expr::Identifier(n) if n == "FHIR") => {
                name
            }
            _ => return Inferred::unknown(),
        };
        if self.model.has_type(name) {
            Inferred::of(vec![name.clone()])
        } else {
            Inferred::unknown()
        }
    }

    fn infer(&self, expr: &Expr, focus: &Inferred, this: &Inferred) -> Result<Inferred, Error> {
        Ok(match expr {
            Expr::Identifier(name) if name.starts_with(|c: char| c.is_ascii_uppercase()) => {
                self.type_root(focus, name)?
            }
            Expr::Identifier(name) => self.element(focus, name)?,
            Expr::This => this.clone(),
            Expr::Member(target, name) => {
                let target = self.infer(target, focus, this)?;
                self.element(&target, name)?
            }
            Expr::Indexer(target, index) => {
                let target = self.infer(target, focus, this)?;
                self.infer(index, focus, this)?;
                self.require_order(&target, "[]")?;
                Inferred {
                    ordered: true,
                    ..target
                }
            }
            Expr::TypeOp(op, operand, spec) => {
                self.infer(operand, focus, this)?;
                match op {
                    TypeOp::Is => Inferred::unknown(),
                    TypeOp::As
                        if spec.namespace.as_deref() != Some("System")
                            && self.model.has_type(&spec.name) =>
                    {
                        Inferred::of(vec![spec.name.clone()])
                    }
                    TypeOp::As => Inferred::unknown(),
                }
            }
            Expr::Unary(_, operand) => {
                self.infer(operand, focus, this)?;
                Inferred::unknown()
            }
            Expr::Binary(op, left, right) => {
                let left = self.infer(left, focus, this)?;
                let right = self.infer(right, focus, this)?;
                match (op, left.types, right.types) {
                    (crate::ast::BinaryOp::Union, Some(mut a), Some(b)) => {
                        a.extend(b);
                        Inferred::of(a)
                    }
                    _ => Inferred::unknown(),
                }
            }
            Expr::Function {
                target, name, args, ..
            } => {
                let input = match target {
                    Some(target) => self.infer(target, focus, this)?,
                    None => focus.clone(),
                };
                self.function(name, &input, args, focus, this)?
            }
            Expr::Literal(_) | Expr::Index | Expr::Total | Expr::Variable(_) => Inferred::unknown(),
        })
    }

    fn require_order(&self, input: &Inferred, function: &str) -> Result<(), Error> {
        if self.check_ordered_functions && !input.ordered {
            return Err(Error::UnorderedCollection(function.to_string()));
        }
        Ok(())
    }

    fn function(
        &self,
        name: &str,
        input: &Inferred,
        args: &[Expr],
        focus: &Inferred,
        this: &Inferred,
    ) -> Result<Inferred, Error> {
        let lambda = LAMBDA_FUNCTIONS.contains(&name);
        let mut arg_types = Vec::new();
        for arg in args {
            // Type arguments are names, not paths on the focus.
            if matches!(name, "ofType" | "as" | "is") {
                break;
            }
            let inferred = if lambda {
                self.infer(arg, input, input)?
            } else {
                self.infer(arg, focus, this)?
            };
            arg_types.push(inferred);
        }
        if ORDER_DEPENDENT.contains(&name) {
            self.require_order(input, name)?;
        }
        Ok(match name {
            _ if TYPE_PRESERVING.contains(&name) => Inferred {
                types: input.types.clone(),
                // What first()/skip() return has an order even if its input had none.
                ordered: input.ordered || ORDER_DEPENDENT.contains(&name),
            },
            "ofType" | "as" => self.type_argument(args.first()),
            "select" => arg_types
                .into_iter()
                .next()
                .unwrap_or_else(Inferred::unknown),
            "extension" => Inferred::of(vec!["Extension".to_string()]),
            "children" | "descendants" => Inferred {
                types: None,
                ordered: false,
            },
            _ => Inferred::unknown(),
        })
    }
}
