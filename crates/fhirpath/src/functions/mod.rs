//! The function library: dispatch by name, arity checks and argument helpers.
//! Each family lives in its own module.

mod conversion;
mod encoding;
mod existence;
mod fhir;
mod math;
mod navigation;
mod strings;
mod subsetting;

use crate::ast::Expr;
use crate::error::Error;
use crate::eval::{Evaluator, Scope};
use crate::value::{Collection, Value};

/// Everything a function implementation needs.
pub(crate) struct Call<'e, 'c, 'a> {
    pub ev: &'e Evaluator<'c, 'a>,
    pub name: &'e str,
    pub input: &'e Collection<'a>,
    pub args: &'e [Expr],
    /// The focus at the call site, against which ordinary arguments are evaluated.
    pub focus: &'e Collection<'a>,
    pub scope: &'e Scope<'a>,
    pub depth: usize,
}

impl<'a> Call<'_, '_, 'a> {
    pub fn arity(&self, min: usize, max: usize) -> Result<(), Error> {
        let actual = self.args.len();
        if actual < min || actual > max {
            return Err(Error::Arity {
                name: self.name.to_string(),
                expected: if min == max {
                    min.to_string()
                } else {
                    format!("{min} to {max}")
                },
                actual,
            });
        }
        Ok(())
    }

    /// Evaluates ordinary argument `i` in the caller's context.
    pub fn arg(&self, i: usize) -> Result<Collection<'a>, Error> {
        match self.args.get(i) {
            Some(expr) => self.ev.eval(expr, self.focus, self.scope, self.depth),
            None => Ok(Vec::new()),
        }
    }

    /// Argument `i` as a single value (`None` when empty or absent).
    pub fn single_arg(&self, i: usize) -> Result<Option<Value<'a>>, Error> {
        let items = self.arg(i)?;
        match items.len() {
            0 => Ok(None),
            1 => Ok(items.into_iter().next().map(|v| v.to_system().into_owned())),
            n => Err(Error::type_error(format!(
                "argument {} of {}() must be a single value, got {n}",
                i + 1,
                self.name
            ))),
        }
    }

    pub fn string_arg(&self, i: usize) -> Result<Option<String>, Error> {
        match self.single_arg(i)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Error::type_error(format!(
                "argument {} of {}() must be a String",
                i + 1,
                self.name
            ))),
        }
    }

    pub fn integer_arg(&self, i: usize) -> Result<Option<i64>, Error> {
        match self.single_arg(i)? {
            None => Ok(None),
            Some(Value::Integer(n)) => Ok(Some(n)),
            Some(_) => Err(Error::type_error(format!(
                "argument {} of {}() must be an Integer",
                i + 1,
                self.name
            ))),
        }
    }

    /// The input as a single item (`None` when empty); more items are an error.
    pub fn single_input(&self) -> Result<Option<&Value<'a>>, Error> {
        match self.input.as_slice() {
            [] => Ok(None),
            [item] => Ok(Some(item)),
            _ => Err(Error::type_error(format!(
                "{}() needs a single input item, got {}",
                self.name,
                self.input.len()
            ))),
        }
    }

    /// Evaluates lambda argument `i` for every input item.
    pub fn per_item(
        &self,
        i: usize,
        each: impl FnMut(usize, &Value<'a>, Collection<'a>) -> Result<bool, Error>,
    ) -> Result<(), Error> {
        match self.args.get(i) {
            Some(expr) => self
                .ev
                .eval_per_item(expr, self.input, self.scope, self.depth, each),
            None => Ok(()),
        }
    }
}

/// Runs the function `call.name`; an unknown name is an error.
pub(crate) fn call<'a>(call: &Call<'_, '_, 'a>, position: usize) -> Result<Collection<'a>, Error> {
    let name = call.name;
    if let Some(result) = existence::call(call)? {
        return Ok(result);
    }
    if let Some(result) = subsetting::call(call)? {
        return Ok(result);
    }
    if let Some(result) = navigation::call(call)? {
        return Ok(result);
    }
    if let Some(result) = conversion::call(call)? {
        return Ok(result);
    }
    if let Some(result) = strings::call(call)? {
        return Ok(result);
    }
    if let Some(result) = math::call(call)? {
        return Ok(result);
    }
    if let Some(result) = fhir::call(call)? {
        return Ok(result);
    }
    if let Some(external) = call.ev.ctx.functions.get(name) {
        let args = (0..call.args.len())
            .map(|i| call.arg(i))
            .collect::<Result<Vec<_>, Error>>()?;
        return external(call.input, &args);
    }
    Err(Error::UnknownFunction {
        name: name.to_string(),
        position,
    })
}
