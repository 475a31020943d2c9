//! `Definitions::parse_search`: a request's parameters, in order, into a typed
//! [`SearchQuery`], the parameters it ignored (with why) and the ones it
//! applied.
//!
//! Every parameter lands in exactly one of three places: applied (a criterion
//! or a result setting), ignored (unknown parameter, unsupported modifier:
//! the server reports these, or refuses them under `Prefer: handling=strict`),
//! or an error (a value that cannot mean anything: a bad date or prefix, an
//! unknown resource type in a chain). Presentation parameters (`_format`,
//! `_pretty`, `_summary`, `_elements`, `_contained`) belong to the caller and
//! are passed over silently.
//!
//! A chain whose link can point to several types (`general-practitioner` to
//! Practitioner or Organization) becomes one alternative per target type that
//! has the next parameter, OR-ed in the criterion, so the store only ever sees
//! single-type links.

use super::parse_result::{parse_include, parse_sort};
use super::parse_value::{Modifier, parse_date, parse_value, split_unescaped, unescape};
use super::registry::SearchRegistry;
use super::{Condition, Criterion, ParamType, ParsedSearch, SearchQuery, TotalMode, ValueTest};
use crate::{Definitions, Issue, IssueType};

/// Page size when the request has no `_count`.
pub const DEFAULT_COUNT: usize = 50;
/// Deepest chain or `_has` nesting accepted; deeper requests are errors.
pub const MAX_CHAIN_DEPTH: usize = 4;
/// Most alternatives one parameter may expand to (comma values times the
/// target types of ambiguous chain links).
pub const MAX_ALTERNATIVES: usize = 64;

const CALLER_PARAMS: &[&str] = &[
    "_format",
    "_pretty",
    "_summary",
    "_elements",
    "_contained",
    "_containedType",
    "_cursor",
];
const UNSUPPORTED_PARAMS: &[&str] = &["_text", "_content", "_query", "_filter", "_list"];

/// Why one parameter was not applied.
pub(super) enum Problem {
    /// Not applied, reported to the client (or refused under strict handling).
    Ignored(String),
    /// A malformed request: 400.
    Error(String),
}

pub(super) type Parsed<T> = Result<T, Problem>;

/// The resource types a parameter is looked up on: one type, the `_type`
/// list of a system search, or every type.
pub(super) struct Scope<'a> {
    pub(super) types: Vec<&'a str>,
}

pub(crate) fn parse_search(
    definitions: &Definitions,
    resource_type: Option<&str>,
    params: &[(String, String)],
) -> Result<ParsedSearch, Vec<Issue>> {
    let mut errors = Vec::new();
    let mut query = SearchQuery {
        resource_types: Vec::new(),
        compartment: None,
        criteria: Vec::new(),
        sort: Vec::new(),
        count: DEFAULT_COUNT,
        total: TotalMode::None,
        includes: Vec::new(),
        revincludes: Vec::new(),
    };
    let (mut ignored, mut applied) = (Vec::new(), Vec::new());
    match resource_type {
        Some(t) if !definitions.is_resource_type(t) => {
            errors.push(error(format!("'{t}' is not a resource type")));
        }
        Some(t) => query.resource_types.push(t.to_owned()),
        None => {
            for (name, value) in params.iter().filter(|(name, _)| name == "_type") {
                for t in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    if !definitions.is_resource_type(t) {
                        errors.push(error(format!("_type: '{t}' is not a resource type")));
                    } else if !query.resource_types.iter().any(|known| known == t) {
                        query.resource_types.push(t.to_owned());
                    }
                }
                applied.push((name.clone(), value.clone()));
            }
        }
    }
    let all_types: Vec<&str> = definitions.resource_types().collect();
    let scope = Scope {
        types: if query.resource_types.is_empty() {
            all_types
        } else {
            query.resource_types.iter().map(String::as_str).collect()
        },
    };
    for (name, value) in params {
        let name = name.trim();
        // What the self link shows, when it differs from the request.
        let mut applied_value = None;
        if CALLER_PARAMS.contains(&name) || (name == "_type" && resource_type.is_none()) {
            continue;
        }
        let outcome = match name.split(':').next().unwrap_or(name) {
            "_count" => value
                .trim()
                .parse::<usize>()
                .map(|count| query.count = count)
                .map_err(|_| {
                    Problem::Error(format!("_count: '{value}' is not a non-negative integer"))
                }),
            "_total" => match value.trim() {
                "none" => Ok(TotalMode::None),
                "estimate" => Ok(TotalMode::Estimate),
                "accurate" => Ok(TotalMode::Accurate),
                other => Err(Problem::Error(format!(
                    "_total: '{other}' is not none, estimate or accurate"
                ))),
            }
            .map(|total| query.total = total),
            "_sort" => parse_sort(&scope, value, &mut ignored).map(|keys| {
                let applied_keys: Vec<String> = keys
                    .iter()
                    .map(|k| format!("{}{}", if k.descending { "-" } else { "" }, k.param))
                    .collect();
                applied_value = Some(applied_keys.join(","));
                query.sort = keys;
            }),
            "_include" | "_revinclude" => parse_include(definitions, name, value).map(|include| {
                if name.starts_with("_include") {
                    query.includes.push(include);
                } else {
                    query.revincludes.push(include);
                }
            }),
            "_type" => Err(Problem::Ignored(
                "_type applies to a system search (GET [base]?_type=...)".into(),
            )),
            base if UNSUPPORTED_PARAMS.contains(&base) => {
                Err(Problem::Ignored(format!("{base} is not supported")))
            }
            _ => parse_criteria(definitions, &scope, name, value).map(|c| query.criteria.extend(c)),
        };
        match outcome {
            Ok(()) => applied.push((
                name.to_owned(),
                applied_value.unwrap_or_else(|| value.clone()),
            )),
            Err(Problem::Ignored(reason)) => ignored.push((name.to_owned(), reason)),
            Err(Problem::Error(message)) => errors.push(error(message)),
        }
    }
    if errors.is_empty() {
        Ok(ParsedSearch {
            query,
            ignored,
            applied,
        })
    } else {
        Err(errors)
    }
}

fn error(message: String) -> Issue {
    Issue::error(IssueType::Invalid, message)
}

/// One filter parameter: each comma-separated value is one or more
/// alternatives; all of them together are the criterion's OR. The one
/// exception is `:not` (`status:not=a,b`: neither a nor b), which becomes one
/// criterion per value, all of which must hold.
fn parse_criteria(
    definitions: &Definitions,
    scope: &Scope<'_>,
    name: &str,
    value: &str,
) -> Parsed<Vec<Criterion>> {
    if value.is_empty() {
        return Err(Problem::Ignored("the value is empty".into()));
    }
    if name == "_id" {
        let ids = split_unescaped(value, ',')
            .into_iter()
            .map(unescape)
            .collect();
        return Ok(vec![Criterion {
            any_of: vec![Condition::Id(ids)],
        }]);
    }
    let mut per_value = Vec::new();
    let mut alternatives = 0;
    for piece in split_unescaped(value, ',') {
        let conditions = parse_condition(definitions, scope, name, piece, 0)
            .map_err(|problem| in_param(name, problem))?;
        alternatives += conditions.len();
        if alternatives > MAX_ALTERNATIVES {
            return Err(Problem::Error(format!(
                "{name}: expands to more than {MAX_ALTERNATIVES} alternatives"
            )));
        }
        per_value.push(conditions);
    }
    let negated = per_value.iter().flatten().all(|condition| {
        matches!(
            condition,
            Condition::Value {
                test: ValueTest::Token { not: true, .. },
                ..
            }
        )
    });
    if negated {
        return Ok(per_value
            .into_iter()
            .map(|any_of| Criterion { any_of })
            .collect());
    }
    Ok(vec![Criterion {
        any_of: per_value.into_iter().flatten().collect(),
    }])
}

/// Prefixes a problem's message with the parameter it is about.
fn in_param(name: &str, problem: Problem) -> Problem {
    match problem {
        Problem::Error(message) => Problem::Error(format!("{name}: {message}")),
        ignored => ignored,
    }
}

/// One value of a (possibly chained or `_has`) parameter, as alternatives.
fn parse_condition(
    definitions: &Definitions,
    scope: &Scope<'_>,
    key: &str,
    value: &str,
    depth: usize,
) -> Parsed<Vec<Condition>> {
    if depth > MAX_CHAIN_DEPTH {
        return Err(Problem::Error(format!(
            "chains and _has nest at most {MAX_CHAIN_DEPTH} deep"
        )));
    }
    if let Some(rest) = key.strip_prefix("_has:") {
        return parse_has(definitions, scope, rest, value, depth);
    }
    if let Some((link, rest)) = key.split_once('.') {
        return parse_chain(definitions, scope, link, rest, value, depth);
    }
    let (code, modifier) = match key.split_once(':') {
        Some((code, modifier)) => (code, Some(modifier)),
        None => (key, None),
    };
    if code == "_id" {
        if let Some(modifier) = modifier {
            return Err(Problem::Ignored(format!(
                "modifier :{modifier} is not supported on _id"
            )));
        }
        return Ok(vec![Condition::Id(vec![unescape(value)])]);
    }
    if code == "_lastUpdated" {
        if let Some(modifier) = modifier {
            return Err(Problem::Ignored(format!(
                "modifier :{modifier} is not supported on _lastUpdated"
            )));
        }
        return parse_date(value)
            .map(|range| vec![Condition::LastUpdated(range)])
            .map_err(Problem::Error);
    }
    let param_type = lookup(scope, code)?;
    if modifier == Some("missing") {
        let missing = match value {
            "true" => true,
            "false" => false,
            other => return Err(Problem::Error(format!("'{other}' is not true or false"))),
        };
        return Ok(vec![Condition::Missing {
            param: code.to_owned(),
            missing,
        }]);
    }
    let modifier = modifier_for(definitions, scope, code, param_type, modifier)?;
    let test = if param_type == ParamType::Composite {
        parse_composite(definitions, scope, code, value)?
    } else {
        parse_value(definitions, param_type, &modifier, value).map_err(Problem::Error)?
    };
    let test = match test {
        // `patient=X` where `patient` can only point at a Patient is
        // `patient=Patient/X`: the type narrows the index range.
        ValueTest::Reference {
            target_type: None,
            id: Some(id),
            url: None,
            identifier: None,
        } => ValueTest::Reference {
            target_type: only_target(scope, code),
            id: Some(id),
            url: None,
            identifier: None,
        },
        test => test,
    };
    Ok(vec![Condition::Value {
        param: code.to_owned(),
        param_type,
        test,
    }])
}

/// The one resource type reference parameter `code` can point at, when it
/// is the same single type on every type in scope.
fn only_target(scope: &Scope<'_>, code: &str) -> Option<String> {
    let registry = SearchRegistry::r4();
    let mut only: Option<&str> = None;
    for resource_type in &scope.types {
        match registry.param(resource_type, code)?.targets.as_slice() {
            [target] if only.is_none_or(|o| o == target) => only = Some(target),
            _ => return None,
        }
    }
    only.map(str::to_owned)
}

/// The type of parameter `code`, which must exist, with the same type, on
/// every type in scope.
pub(super) fn lookup(scope: &Scope<'_>, code: &str) -> Parsed<ParamType> {
    let registry = SearchRegistry::r4();
    let mut found = None;
    for resource_type in &scope.types {
        let Some(param) = registry.param(resource_type, code) else {
            return Err(Problem::Ignored(if scope.types.len() == 1 {
                format!("{resource_type} has no search parameter '{code}'")
            } else {
                format!("'{code}' is not a search parameter of every type searched")
            }));
        };
        match found {
            None => found = Some(param.param_type),
            Some(t) if t != param.param_type => {
                return Err(Problem::Ignored(format!(
                    "'{code}' has different types on the types searched"
                )));
            }
            Some(_) => {}
        }
    }
    match found {
        Some(ParamType::Special) => Err(Problem::Ignored(format!(
            "'{code}' (special) is not supported"
        ))),
        Some(t) => Ok(t),
        None => Err(Problem::Ignored(format!(
            "unknown search parameter '{code}'"
        ))),
    }
}

/// Which modifiers each type takes; others are ignored (not errors: the
/// client may know a modifier we do not implement).
fn modifier_for(
    definitions: &Definitions,
    scope: &Scope<'_>,
    code: &str,
    param_type: ParamType,
    modifier: Option<&str>,
) -> Parsed<Modifier> {
    let Some(modifier) = modifier else {
        return Ok(Modifier::None);
    };
    let parsed = match (param_type, modifier) {
        (ParamType::String, "exact") => Modifier::Exact,
        (ParamType::String, "contains") => Modifier::Contains,
        (ParamType::Token, "text") => Modifier::Text,
        (ParamType::Token, "not") => Modifier::Not,
        (ParamType::Token, "of-type") => Modifier::OfType,
        (ParamType::Reference, "identifier") => Modifier::Identifier,
        (ParamType::Uri, "below") => Modifier::Below,
        (ParamType::Uri, "above") => Modifier::Above,
        (ParamType::Reference, target) if target.starts_with(|c: char| c.is_ascii_uppercase()) => {
            if !definitions.is_resource_type(target) {
                return Err(Problem::Error(format!("'{target}' is not a resource type")));
            }
            let allowed = reference_targets(scope, code);
            if !allowed.is_empty() && !allowed.iter().any(|t| t == target) {
                return Err(Problem::Error(format!("{code} cannot refer to a {target}")));
            }
            Modifier::TargetType(target.to_owned())
        }
        (_, other) => {
            return Err(Problem::Ignored(format!(
                "modifier :{other} is not supported on {} parameter {code}",
                type_name(param_type)
            )));
        }
    };
    Ok(parsed)
}

/// The target types parameter `code` may point to on the types in scope
/// (empty: any type).
fn reference_targets(scope: &Scope<'_>, code: &str) -> Vec<String> {
    let registry = SearchRegistry::r4();
    let mut targets: Vec<String> = Vec::new();
    for resource_type in &scope.types {
        let Some(param) = registry.param(resource_type, code) else {
            continue;
        };
        if param.targets.is_empty() {
            return Vec::new();
        }
        for target in &param.targets {
            if !targets.contains(target) {
                targets.push(target.clone());
            }
        }
    }
    targets
}

pub(crate) fn type_name(param_type: ParamType) -> &'static str {
    param_type.code()
}

/// `code-value-quantity=http://loinc.org|8480-6$gt100`: one value per
/// component, split at unescaped `$`.
fn parse_composite(
    definitions: &Definitions,
    scope: &Scope<'_>,
    code: &str,
    value: &str,
) -> Parsed<ValueTest> {
    let registry = SearchRegistry::r4();
    let Some(param) = scope.types.first().and_then(|t| registry.param(t, code)) else {
        return Err(Problem::Ignored(format!(
            "unknown search parameter '{code}'"
        )));
    };
    let parts = split_unescaped(value, '$');
    if parts.len() != param.components.len() {
        return Err(Problem::Error(format!(
            "'{value}' has {} part(s) but {code} has {} components (separate them with '$')",
            parts.len(),
            param.components.len()
        )));
    }
    let tests = parts
        .iter()
        .zip(&param.components)
        .map(|(part, component)| {
            parse_value(definitions, component.param_type, &Modifier::None, part)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(Problem::Error)?;
    Ok(ValueTest::Composite(tests))
}

/// `link[:Type].rest`: `link` is a reference parameter in scope; `rest` is
/// parsed on each target type that has its first parameter.
fn parse_chain(
    definitions: &Definitions,
    scope: &Scope<'_>,
    link: &str,
    rest: &str,
    value: &str,
    depth: usize,
) -> Parsed<Vec<Condition>> {
    let (code, target) = match link.split_once(':') {
        Some((code, target)) => (code, Some(target)),
        None => (link, None),
    };
    if lookup(scope, code)? != ParamType::Reference {
        return Err(Problem::Error(format!(
            "{code} is not a reference parameter, so it cannot be chained"
        )));
    }
    let candidates: Vec<String> = match target {
        Some(target) => {
            if !definitions.is_resource_type(target) {
                return Err(Problem::Error(format!("'{target}' is not a resource type")));
            }
            let allowed = reference_targets(scope, code);
            if !allowed.is_empty() && !allowed.iter().any(|t| t == target) {
                return Err(Problem::Error(format!("{code} cannot refer to a {target}")));
            }
            vec![target.to_owned()]
        }
        None => {
            let targets = reference_targets(scope, code);
            if targets.is_empty() {
                definitions.resource_types().map(str::to_owned).collect()
            } else {
                targets
            }
        }
    };
    let next_code = rest.split(['.', ':']).next().unwrap_or(rest);
    let mut alternatives = Vec::new();
    let mut last_problem = None;
    for target_type in &candidates {
        let has_next = next_code.starts_with("_has")
            || matches!(next_code, "_id" | "_lastUpdated")
            || SearchRegistry::r4().param(target_type, next_code).is_some();
        if !has_next && target.is_none() {
            continue;
        }
        let target_scope = Scope {
            types: vec![target_type.as_str()],
        };
        match parse_condition(definitions, &target_scope, rest, value, depth + 1) {
            Ok(conditions) => {
                alternatives.extend(conditions.into_iter().map(|condition| Condition::Chain {
                    param: code.to_owned(),
                    target_type: target_type.clone(),
                    condition: Box::new(condition),
                }))
            }
            Err(problem @ Problem::Error(_)) => return Err(problem),
            Err(problem) => last_problem = Some(problem),
        }
    }
    if alternatives.len() > MAX_ALTERNATIVES {
        return Err(Problem::Error(format!(
            "{code} can refer to {} types that have '{next_code}'; name one with {code}:Type.{rest}",
            alternatives.len()
        )));
    }
    if alternatives.is_empty() {
        return Err(last_problem.unwrap_or_else(|| {
            Problem::Ignored(format!(
                "no type that {code} can refer to has a parameter '{next_code}'"
            ))
        }));
    }
    Ok(alternatives)
}

/// `_has:Source:param:rest`: some `Source` whose reference parameter `param`
/// points here satisfies `rest` (which may be another `_has`).
fn parse_has(
    definitions: &Definitions,
    scope: &Scope<'_>,
    rest: &str,
    value: &str,
    depth: usize,
) -> Parsed<Vec<Condition>> {
    let mut parts = rest.splitn(3, ':');
    let (Some(source_type), Some(param), Some(inner)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(Problem::Error(format!(
            "'_has:{rest}' is not _has:Type:reference:parameter"
        )));
    };
    if !definitions.is_resource_type(source_type) {
        return Err(Problem::Error(format!(
            "'{source_type}' is not a resource type"
        )));
    }
    let source_scope = Scope {
        types: vec![source_type],
    };
    if lookup(&source_scope, param)? != ParamType::Reference {
        return Err(Problem::Error(format!(
            "{source_type}.{param} is not a reference parameter"
        )));
    }
    let targets = reference_targets(&source_scope, param);
    if !targets.is_empty()
        && !scope
            .types
            .iter()
            .any(|t| targets.iter().any(|target| target == t))
    {
        return Err(Problem::Error(format!(
            "{source_type}.{param} cannot refer to {}",
            scope.types.join(", ")
        )));
    }
    let conditions = parse_condition(definitions, &source_scope, inner, value, depth + 1)?;
    Ok(conditions
        .into_iter()
        .map(|condition| Condition::Has {
            source_type: source_type.to_owned(),
            param: param.to_owned(),
            condition: Box::new(condition),
        })
        .collect())
}
