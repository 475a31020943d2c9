//! The tree-walking evaluator: expression dispatch, scopes (`$this`, `$index`,
//! `$total`) and environment variables. Navigation, operators, equality and type
//! tests live in the submodules; functions in `crate::functions`.

mod equality;
mod navigate;
mod operators;
mod types;

pub(crate) use equality::{compare, equals, equivalent, operand as equality_operand};
pub(crate) use operators::union_into;
pub(crate) use types::type_info;

use crate::MAX_DEPTH;
use crate::ast::{BinaryOp, Expr, Literal, TypeOp, UnaryOp};
use crate::context::EvaluationContext;
use crate::error::Error;
use crate::value::{Collection, Node, Value};

/// The iteration variables visible inside a function argument.
#[derive(Clone, Default)]
pub(crate) struct Scope<'a> {
    pub this: Option<Value<'a>>,
    pub index: Option<i64>,
    /// Shared, because every item of a nested lambda inside `aggregate()` sees it.
    pub total: Option<std::rc::Rc<Collection<'a>>>,
}

pub(crate) struct Evaluator<'c, 'a> {
    pub ctx: &'c EvaluationContext<'a>,
    /// `%context`: the input the evaluation started from.
    pub context: Collection<'a>,
    /// Compiled regular expressions by pattern, so `where(x.matches(p))` compiles
    /// `p` once per evaluation rather than once per item.
    pub regexes: std::cell::RefCell<std::collections::HashMap<String, regex::Regex>>,
}

pub(crate) fn evaluate<'a>(
    ctx: &EvaluationContext<'a>,
    expr: &Expr,
    input: Collection<'a>,
) -> Result<Collection<'a>, Error> {
    let evaluator = Evaluator {
        ctx,
        context: input.clone(),
        regexes: Default::default(),
    };
    evaluator.eval(expr, &input, &Scope::default(), 0)
}

fn literal<'a>(literal: &Literal) -> Collection<'a> {
    let value = match literal {
        Literal::Empty => return Vec::new(),
        Literal::Boolean(b) => Value::Boolean(*b),
        Literal::String(s) => Value::String(s.clone()),
        Literal::Integer(i) => Value::Integer(*i),
        Literal::Decimal(d) => Value::Decimal(*d),
        Literal::Date(d) => Value::Date(*d),
        Literal::DateTime(d) => Value::DateTime(*d),
        Literal::Time(t) => Value::Time(*t),
        Literal::Quantity(q) => Value::Quantity(q.clone()),
    };
    vec![value]
}

impl<'a> Evaluator<'_, 'a> {
    pub fn eval(
        &self,
        expr: &Expr,
        focus: &Collection<'a>,
        scope: &Scope<'a>,
        depth: usize,
    ) -> Result<Collection<'a>, Error> {
        // The parser bounds nesting already; this guards ASTs built any other way.
        if depth > 4 * MAX_DEPTH {
            return Err(Error::TooDeep {
                position: 0,
                limit: MAX_DEPTH,
            });
        }
        let depth = depth + 1;
        match expr {
            Expr::Literal(l) => Ok(literal(l)),
            Expr::Identifier(name) => self.identifier(focus, name),
            Expr::This => Ok(match &scope.this {
                Some(this) => vec![this.clone()],
                None => focus.clone(),
            }),
            Expr::Index => Ok(scope.index.map(Value::Integer).into_iter().collect()),
            Expr::Total => Ok(scope.total.as_deref().cloned().unwrap_or_default()),
            Expr::Variable(name) => self.variable(name),
            Expr::Member(target, name) => {
                let items = self.eval(target, focus, scope, depth)?;
                let mut out = Vec::new();
                for item in &items {
                    out.extend(self.member(item, name)?);
                }
                Ok(out)
            }
            Expr::Function {
                target,
                name,
                args,
                position,
            } => {
                let input = match target {
                    Some(target) => self.eval(target, focus, scope, depth)?,
                    None => focus.clone(),
                };
                let call = crate::functions::Call {
                    ev: self,
                    name,
                    input: &input,
                    args,
                    focus,
                    scope,
                    depth,
                };
                crate::functions::call(&call, *position)
            }
            Expr::Indexer(target, index) => {
                let items = self.eval(target, focus, scope, depth)?;
                let index = self.eval(index, focus, scope, depth)?;
                match index.as_slice() {
                    [] => Ok(Vec::new()),
                    [single] => match &*single.to_system() {
                        Value::Integer(i) => Ok(usize::try_from(*i)
                            .ok()
                            .and_then(|i| items.get(i).cloned())
                            .into_iter()
                            .collect()),
                        _ => Err(Error::type_error("an index must be an Integer")),
                    },
                    _ => Err(Error::type_error("an index must be a single Integer")),
                }
            }
            Expr::Unary(op, operand) => {
                let items = self.eval(operand, focus, scope, depth)?;
                operators::unary(*op == UnaryOp::Minus, &items)
            }
            Expr::Binary(op @ (BinaryOp::And | BinaryOp::Or | BinaryOp::Implies), left, right) => {
                // Short-circuit: when the left side decides the answer, the right side
                // is not evaluated (so `x.exists() implies x.single() ...` is safe).
                let left = self.eval(left, focus, scope, depth)?;
                let decided = match (op, to_boolean(&left, "a Boolean operator")?) {
                    (BinaryOp::And, Some(false)) => Some(false),
                    (BinaryOp::Or, Some(true)) => Some(true),
                    (BinaryOp::Implies, Some(false)) => Some(true),
                    _ => None,
                };
                if let Some(answer) = decided {
                    return Ok(vec![Value::Boolean(answer)]);
                }
                let right = self.eval(right, focus, scope, depth)?;
                operators::binary(*op, left, right)
            }
            Expr::Binary(op, left, right) => {
                let left = self.eval(left, focus, scope, depth)?;
                let right = self.eval(right, focus, scope, depth)?;
                operators::binary(*op, left, right)
            }
            Expr::TypeOp(op, operand, spec) => {
                let items = self.eval(operand, focus, scope, depth)?;
                let test = self.type_test(spec)?;
                match (op, items.as_slice()) {
                    (_, []) => Ok(Vec::new()),
                    (TypeOp::Is, [item]) => {
                        Ok(vec![Value::Boolean(self.is_type(item, &test, false))])
                    }
                    (TypeOp::Is, _) => {
                        Err(Error::type_error("'is' needs a single item on its left"))
                    }
                    // The `as` operator filters rather than insisting on one item:
                    // R4's own SearchParameters apply it to repeating elements
                    // (`ActivityDefinition.useContext.value as CodeableConcept`), and
                    // its invariants do the same with as() (dom-3).
                    (TypeOp::As, _) => Ok(items
                        .iter()
                        .filter(|item| self.is_type(item, &test, true))
                        .cloned()
                        .collect()),
                }
            }
        }
    }

    fn variable(&self, name: &str) -> Result<Collection<'a>, Error> {
        let string = |s: String| Ok(vec![Value::String(s)]);
        match name {
            "resource" => Ok(self
                .ctx
                .resource
                .map(|r| Value::Node(Node::resource(r)))
                .into_iter()
                .collect()),
            "rootResource" => Ok(self
                .ctx
                .root()
                .map(|r| Value::Node(Node::resource(r)))
                .into_iter()
                .collect()),
            "context" => Ok(self.context.clone()),
            _ if self.ctx.variables.contains_key(name) => {
                Ok(self.ctx.variables.get(name).cloned().unwrap_or_default())
            }
            "ucum" => string("http://unitsofmeasure.org".into()),
            "sct" => string("http://snomed.info/sct".into()),
            "loinc" => string("http://loinc.org".into()),
            _ => {
                if let Some(rest) = name.strip_prefix("vs-") {
                    return string(format!("http://hl7.org/fhir/ValueSet/{rest}"));
                }
                if let Some(rest) = name.strip_prefix("ext-") {
                    return string(format!("http://hl7.org/fhir/StructureDefinition/{rest}"));
                }
                Err(Error::UndefinedVariable(name.to_string()))
            }
        }
    }

    /// Evaluates `expr` once per item of `input`, with `$this` and `$index` set.
    pub fn eval_per_item(
        &self,
        expr: &Expr,
        input: &Collection<'a>,
        scope: &Scope<'a>,
        depth: usize,
        mut each: impl FnMut(usize, &Value<'a>, Collection<'a>) -> Result<bool, Error>,
    ) -> Result<(), Error> {
        for (index, item) in input.iter().enumerate() {
            let inner = Scope {
                this: Some(item.clone()),
                index: i64::try_from(index).ok(),
                total: scope.total.clone(),
            };
            let focus = vec![item.clone()];
            let result = self.eval(expr, &focus, &inner, depth)?;
            if !each(index, item, result)? {
                break;
            }
        }
        Ok(())
    }
}

/// FHIRPath's singleton evaluation of collections as a Boolean: empty is unknown, a
/// single Boolean is itself, any other single item is `true`, more items are an error.
pub(crate) fn to_boolean(items: &[Value<'_>], what: &str) -> Result<Option<bool>, Error> {
    match items {
        [] => Ok(None),
        [item] => match &*item.to_system() {
            Value::Boolean(b) => Ok(Some(*b)),
            _ => Ok(Some(true)),
        },
        _ => Err(Error::type_error(format!(
            "{what} needs a single Boolean, got {} items",
            items.len()
        ))),
    }
}

/// Like [`to_boolean`], but only a real Boolean counts (used in strict checks).
pub(crate) fn to_strict_boolean(items: &[Value<'_>], what: &str) -> Result<Option<bool>, Error> {
    match items {
        [] => Ok(None),
        [item] => match &*item.to_system() {
            Value::Boolean(b) => Ok(Some(*b)),
            _ => Err(Error::type_error(format!("{what} must be a Boolean"))),
        },
        _ => Err(Error::type_error(format!(
            "{what} needs a single Boolean, got {} items",
            items.len()
        ))),
    }
}
