//! Functions that take expressions (lambdas) or walk the tree: `where`, `select`,
//! `repeat`, `aggregate`, `sort`, `iif`, `trace`, `children`, `descendants`, and the
//! type functions `ofType`, `as`, `is`, `type`.

use std::cmp::Ordering;

use super::Call;
use crate::ast::{Expr, UnaryOp};
use crate::error::Error;
use crate::eval::{Scope, compare, equals, to_boolean, to_strict_boolean, type_info};
use crate::value::{Collection, Value};

/// Upper bound on items `repeat()`/`descendants()` may produce, so a pathological
/// projection cannot exhaust memory.
pub const MAX_REPEAT_ITEMS: usize = 1_000_000;

/// Same item: the same JSON element for nodes, `=` for System values.
fn same_item(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Node(x), Value::Node(y)) => match (x.json, y.json) {
            (Some(p), Some(q)) => std::ptr::eq(p, q),
            _ => false,
        },
        (Value::Node(_), _) | (_, Value::Node(_)) => false,
        _ => equals(a, b) == Some(true),
    }
}

fn too_many() -> Error {
    Error::Evaluation(format!(
        "repeat()/descendants() produced more than {MAX_REPEAT_ITEMS} items"
    ))
}

pub(super) fn call<'a>(call: &Call<'_, '_, 'a>) -> Result<Option<Collection<'a>>, Error> {
    let input = call.input;
    let ev = call.ev;
    Ok(Some(match call.name {
        "where" => {
            call.arity(1, 1)?;
            let mut out = Vec::new();
            call.per_item(0, |_, item, result| {
                if to_boolean(&result, "where() criteria")? == Some(true) {
                    out.push(item.clone());
                }
                Ok(true)
            })?;
            out
        }
        "select" => {
            call.arity(1, 1)?;
            let mut out = Vec::new();
            call.per_item(0, |_, _, result| {
                out.extend(result);
                Ok(true)
            })?;
            out
        }
        "repeat" => {
            call.arity(1, 1)?;
            let mut out: Collection<'a> = Vec::new();
            let mut frontier = input.clone();
            while !frontier.is_empty() {
                let mut next = Vec::new();
                ev.eval_per_item(
                    &call.args[0],
                    &frontier,
                    call.scope,
                    call.depth,
                    |_, _, r| {
                        for item in r {
                            if !out.iter().any(|o| same_item(o, &item)) {
                                out.push(item.clone());
                                next.push(item);
                            }
                        }
                        Ok(out.len() <= MAX_REPEAT_ITEMS)
                    },
                )?;
                if out.len() > MAX_REPEAT_ITEMS {
                    return Err(too_many());
                }
                frontier = next;
            }
            out
        }
        "children" => {
            call.arity(0, 0)?;
            input.iter().flat_map(|i| ev.children_of(i)).collect()
        }
        "descendants" => {
            call.arity(0, 0)?;
            let mut out = Vec::new();
            let mut frontier: Collection<'a> =
                input.iter().flat_map(|i| ev.children_of(i)).collect();
            while !frontier.is_empty() {
                let next: Collection<'a> =
                    frontier.iter().flat_map(|i| ev.children_of(i)).collect();
                out.extend(frontier);
                if out.len() > MAX_REPEAT_ITEMS {
                    return Err(too_many());
                }
                frontier = next;
            }
            out
        }
        "aggregate" => {
            call.arity(1, 2)?;
            let mut total = call.arg(1)?;
            for (index, item) in input.iter().enumerate() {
                let scope = Scope {
                    this: Some(item.clone()),
                    index: i64::try_from(index).ok(),
                    total: Some(std::rc::Rc::new(total)),
                };
                total = ev.eval(&call.args[0], &vec![item.clone()], &scope, call.depth)?;
            }
            total
        }
        "sort" => sort(call)?,
        "iif" => {
            call.arity(2, 3)?;
            let item = call.single_input()?;
            let (focus, scope) = match item {
                Some(item) => (
                    vec![item.clone()],
                    Scope {
                        this: Some(item.clone()),
                        ..call.scope.clone()
                    },
                ),
                None => (call.focus.clone(), call.scope.clone()),
            };
            let criterion = ev.eval(&call.args[0], &focus, &scope, call.depth)?;
            let criterion = if ev.ctx.strict {
                to_strict_boolean(&criterion, "iif() criterion")?
            } else {
                to_boolean(&criterion, "iif() criterion")?
            };
            let branch = if criterion == Some(true) { 1 } else { 2 };
            match call.args.get(branch) {
                Some(expr) => ev.eval(expr, &focus, &scope, call.depth)?,
                None => Vec::new(),
            }
        }
        "trace" => {
            call.arity(1, 2)?;
            let name = call.string_arg(0)?.unwrap_or_default();
            if let Some(sink) = ev.ctx.trace {
                if call.args.len() == 2 {
                    let mut projected = Vec::new();
                    call.per_item(1, |_, _, r| {
                        projected.extend(r);
                        Ok(true)
                    })?;
                    sink(&name, &projected);
                } else {
                    sink(&name, input);
                }
            }
            input.clone()
        }
        // Like the `as` operator, as() filters: R4's own dom-3 invariant, checked on
        // every resource with contained resources, applies it to collections
        // (`%resource.descendants().as(canonical)`).
        "ofType" | "as" => {
            call.arity(1, 1)?;
            let test = ev.type_argument(&call.args[0])?;
            input
                .iter()
                .filter(|i| ev.is_type(i, &test, true))
                .cloned()
                .collect()
        }
        "is" => {
            call.arity(1, 1)?;
            let test = ev.type_argument(&call.args[0])?;
            match call.single_input()? {
                None => Vec::new(),
                Some(item) => vec![Value::Boolean(ev.is_type(item, &test, false))],
            }
        }
        "type" => {
            call.arity(0, 0)?;
            input.iter().map(type_info).collect()
        }
        _ => return Ok(None),
    }))
}

/// `sort(keys...)`: a key written `-expr` sorts descending.
fn sort<'a>(call: &Call<'_, '_, 'a>) -> Result<Collection<'a>, Error> {
    let keys: Vec<(&Expr, bool)> = call
        .args
        .iter()
        .map(|arg| match arg {
            Expr::Unary(UnaryOp::Minus, inner) => (inner.as_ref(), true),
            other => (other, false),
        })
        .collect();
    let mut rows: Vec<(Vec<Collection<'a>>, Value<'a>)> = Vec::new();
    for (index, item) in call.input.iter().enumerate() {
        let scope = Scope {
            this: Some(item.clone()),
            index: i64::try_from(index).ok(),
            total: None,
        };
        let mut values = Vec::new();
        for (expr, _) in &keys {
            values.push(
                call.ev
                    .eval(expr, &vec![item.clone()], &scope, call.depth)?,
            );
        }
        rows.push((values, item.clone()));
    }
    let mut failure = None;
    let order = |a: &Collection<'a>, b: &Collection<'a>| -> Result<Ordering, Error> {
        Ok(match (a.first(), b.first()) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => compare(x, y)?.unwrap_or(Ordering::Equal),
        })
    };
    rows.sort_by(|(a, x), (b, y)| {
        if keys.is_empty() {
            return order(&vec![x.clone()], &vec![y.clone()]).unwrap_or_else(|e| {
                failure.get_or_insert(e);
                Ordering::Equal
            });
        }
        for (i, (_, descending)) in keys.iter().enumerate() {
            // Items without a key come first in either direction.
            match (a[i].is_empty(), b[i].is_empty()) {
                (true, true) => continue,
                (true, false) => return Ordering::Less,
                (false, true) => return Ordering::Greater,
                _ => {}
            }
            match order(&a[i], &b[i]) {
                Ok(Ordering::Equal) => continue,
                Ok(o) => return if *descending { o.reverse() } else { o },
                Err(e) => {
                    failure.get_or_insert(e);
                    return Ordering::Equal;
                }
            }
        }
        Ordering::Equal
    });
    if let Some(error) = failure {
        return Err(error);
    }
    Ok(rows.into_iter().map(|(_, item)| item).collect())
}
