//! The result parameters of a search: `_sort` and `_include`/`_revinclude`
//! (`_count` and `_total` are one-liners in `parse`).

use super::ParamType;
use super::parse::{Parsed, Problem, Scope, lookup};
use super::{Include, SortKey};
use crate::Definitions;

/// `_sort=a,-b`: keys in order; unknown keys are ignored one by one.
pub(super) fn parse_sort(
    scope: &Scope<'_>,
    value: &str,
    ignored: &mut Vec<(String, String)>,
) -> Parsed<Vec<SortKey>> {
    let mut keys = Vec::new();
    for key in value.split(',').map(str::trim).filter(|k| !k.is_empty()) {
        let (descending, code) = match key.strip_prefix('-') {
            Some(code) => (true, code),
            None => (false, key),
        };
        let param_type = match code {
            "_id" => Ok(ParamType::Token),
            "_lastUpdated" => Ok(ParamType::Date),
            _ => lookup(scope, code),
        };
        match param_type {
            Ok(ParamType::Composite) => ignored.push((
                "_sort".into(),
                format!("cannot sort by composite parameter {code}"),
            )),
            Ok(param_type) => keys.push(SortKey {
                param: code.to_owned(),
                param_type,
                descending,
            }),
            Err(Problem::Ignored(reason) | Problem::Error(reason)) => {
                ignored.push(("_sort".into(), reason));
            }
        }
    }
    if keys.is_empty() {
        return Err(Problem::Ignored("no sort key applies".into()));
    }
    Ok(keys)
}

/// `Source:param[:Target]` or `Source:*`, with `:iterate` (or R3's
/// `:recurse`) on the parameter name.
pub(super) fn parse_include(definitions: &Definitions, name: &str, value: &str) -> Parsed<Include> {
    let iterate = match name.split_once(':').map(|(_, m)| m) {
        None => false,
        Some("iterate" | "recurse") => true,
        Some(other) => {
            return Err(Problem::Ignored(format!(
                "modifier :{other} is not supported (only :iterate)"
            )));
        }
    };
    if value.trim() == "*" {
        return Err(Problem::Ignored(format!(
            "{name}=* (every reference of every type) is not supported; name the source type"
        )));
    }
    let mut parts = value.split(':');
    let (Some(source_type), Some(param)) = (parts.next(), parts.next()) else {
        return Err(Problem::Error(format!(
            "{name}: '{value}' is not Type:parameter[:target]"
        )));
    };
    let target_type = parts.next().map(str::to_owned);
    if parts.next().is_some() {
        return Err(Problem::Error(format!(
            "{name}: '{value}' is not Type:parameter[:target]"
        )));
    }
    for t in std::iter::once(source_type).chain(target_type.as_deref()) {
        if !definitions.is_resource_type(t) {
            return Err(Problem::Error(format!(
                "{name}: '{t}' is not a resource type"
            )));
        }
    }
    let param = if param == "*" {
        None
    } else {
        let scope = Scope {
            types: vec![source_type],
        };
        if lookup(&scope, param)? != ParamType::Reference {
            return Err(Problem::Error(format!(
                "{name}: {source_type}.{param} is not a reference parameter"
            )));
        }
        Some(param.to_owned())
    };
    Ok(Include {
        source_type: source_type.to_owned(),
        param,
        target_type,
        iterate,
    })
}
