//! From a [`SearchQuery`] to a [`SearchPlan`]: what to match, in the terms of
//! the index (parameter keys hashed per resource type, token values hashed,
//! prefixes turned into range conditions), with no SQL yet. Every backend
//! builds its SQL from this plan; the FHIR semantics of prefixes live here.

use super::hash::{component_hash, param_hash};
use super::sql::{CmpOp, SqlValue};
use super::value_tests::{date_condition, value_predicate};
use crate::StoreError;
use tessera_fhir::search::{Condition, SearchQuery, ValueTest};
use tessera_fhir::search::{DerivedFrom, ParamType, SearchRegistry};

/// How deep chains and `_has` may nest (`a.b.c.d`).
pub const MAX_CHAIN_DEPTH: usize = 4;
/// How many `_sort` keys a search may have.
pub const MAX_SORT_KEYS: usize = 8;
/// The character above every other: `prefix || MAX_CHAR` bounds a prefix range.
pub const MAX_CHAR: char = '\u{10FFFF}';

/// How a page that a chain drives walks the chain's targets
/// ([`super::chain_order`]), stopping once full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainWalk {
    /// It does not: the page is in rid order.
    None,
    /// One join of targets, references and resources, sorted by both rids
    /// (SQLite sorts each target's few referrers and stops).
    Joined,
    /// Each target's referrers in a lateral subquery, sorted and cut to a
    /// page. PostgreSQL, estimating a row or two for the targets, sorted
    /// every candidate of the joined form; this one it stops.
    Lateral,
    /// A two-link chain walked from its innermost targets
    /// ([`super::chain_nested`]), where the joined form is the backend's:
    /// neither level of targets is gathered whole.
    Nested,
}

impl ChainWalk {
    /// How many values beside the rid a page row's place in this order
    /// takes (what a cursor carries).
    pub fn order_values(self) -> usize {
        match self {
            ChainWalk::None => 0,
            ChainWalk::Joined | ChainWalk::Lateral => 1,
            ChainWalk::Nested => 4,
        }
    }
}

/// A search, ready to become SQL.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPlan {
    /// One branch per searched type; empty when the search names no type
    /// and no criterion (every type, unfiltered).
    pub branches: Vec<Branch>,
    /// Only this patient's compartment.
    pub compartment: Option<CompartmentPlan>,
    pub sort: Vec<SortPlan>,
    /// Continue after this row (keyset paging).
    pub after: Option<Cursor>,
    /// Whether, and how, the page walks the driving chain's targets.
    pub chain_walk: ChainWalk,
    pub page_size: usize,
}

/// A patient's compartment in the terms of the index
/// ([`super::compartment`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CompartmentPlan {
    /// The patient's id: the patient key of most of its compartment.
    pub patient: String,
    /// The keys of the searched types' compartment parameters: a resource
    /// with a reference row under one of them naming `Patient/{patient}` is
    /// in the compartment whatever its patient key.
    pub keys: Vec<i64>,
}

/// The criteria for one resource type: all must hold, each an OR of tests.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    pub resource_type: String,
    pub criteria: Vec<Vec<Test>>,
}

/// One test a resource must pass.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Some row of `table` under parameter key `key` satisfies `predicate`
    /// (or, `negated`, none does).
    Index {
        table: IndexTable,
        key: i64,
        predicate: Predicate,
        negated: bool,
    },
    /// One composite entry whose components (same `ord`) each satisfy theirs.
    Composite {
        parts: Vec<(IndexTable, i64, Predicate)>,
    },
    /// The parameter has no value (`missing`) or has one.
    Missing {
        keys: Vec<i64>,
        missing: bool,
    },
    Ids(Vec<String>),
    LastUpdated {
        range: RangeCondition,
        negated: bool,
    },
    /// A reference under `key` points to a live `target_type` passing `inner`.
    Chain {
        key: i64,
        target_type: String,
        inner: Box<Test>,
    },
    /// A live `source_type` passing `inner` refers here under `key`.
    Has {
        key: i64,
        source_type: String,
        inner: Box<Test>,
    },
    /// At least one of these holds: a test of a parameter answered from
    /// other parameters' rows (`combo-code` from `code` and
    /// `component-code`). At the top of a criterion it is spread into the
    /// criterion's own alternatives, where an index can drive each.
    AnyOf(Vec<Test>),
    /// Every one of these holds (`code-value-quantity` as `code` and
    /// `value-quantity` on one resource; `:not` of a derived parameter).
    AllOf(Vec<Test>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexTable {
    String,
    Token,
    Date,
    Number,
    Quantity,
    Reference,
    Uri,
}

/// A test on one index row.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// `normalized` in `[from, to)`.
    StringRange {
        from: String,
        to: String,
    },
    StringExact(String),
    StringContains(String),
    /// A code in a system (or in none): `hash` is the row's `code_hash`,
    /// `any_system` its `any_code_hash` (the same code in any system).
    TokenHash {
        hash: i64,
        any_system: i64,
    },
    AnySystemTokenHash(i64),
    TokenSystem(String),
    /// `:text`: `text` in `[from, to)`.
    TokenText {
        from: String,
        to: String,
    },
    TokenOfType {
        system: String,
        code: String,
        value: String,
    },
    /// Date rows (`low`, `high`) or number rows (`value`).
    Range(RangeCondition),
    Quantity {
        range: RangeCondition,
        system: Option<String>,
        code: Option<String>,
        /// The same test on `canonical_value`, for rows in this canonical unit.
        canonical: Option<(RangeCondition, String)>,
    },
    Reference {
        target_type: Option<String>,
        id: String,
    },
    ReferenceType(String),
    ReferenceUrl(String),
    ReferenceIdentifier {
        system: Option<String>,
        value: String,
    },
    UriExact(String),
    UriRange {
        from: String,
        to: String,
    },
    /// The stored URI is one of these (every prefix of an `:above` value).
    UriIn(Vec<String>),
    /// Matches nothing (e.g. `system|` with neither).
    Nothing,
}

/// The columns a range condition reads: a date row's `low`/`high`, a
/// number's or quantity's `value` (both ends are the same point).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Low,
    High,
}

/// An OR of ANDs of bound comparisons.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeCondition(pub Vec<Vec<(Bound, CmpOp, SqlValue)>>);

/// A `_sort` key.
#[derive(Debug, Clone, PartialEq)]
pub enum SortPlan {
    Id {
        descending: bool,
    },
    LastUpdated {
        descending: bool,
    },
    /// Parameter keys (one per searched type) and the parameter's type.
    Param {
        keys: Vec<i64>,
        param_type: ParamType,
        descending: bool,
    },
}

impl SortPlan {
    pub fn descending(&self) -> bool {
        match self {
            SortPlan::Id { descending }
            | SortPlan::LastUpdated { descending }
            | SortPlan::Param { descending, .. } => *descending,
        }
    }
}

/// The last row of a page: its sort values and rid.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub values: Vec<SqlValue>,
    pub rid: i64,
}

/// Plans `query` over `types` (the query's types, or every stored type for
/// a system search with criteria), from its first page.
pub fn plan(query: &SearchQuery, types: &[String]) -> Result<SearchPlan, StoreError> {
    if types.is_empty() && !query.criteria.is_empty() {
        // Parameter keys are per type: with no type there is nothing to test.
        return Err(StoreError::InvalidSearch(
            "a search with criteria must name its resource types".into(),
        ));
    }
    let mut branches = Vec::with_capacity(types.len());
    for resource_type in types {
        let mut criteria = Vec::with_capacity(query.criteria.len());
        for criterion in &query.criteria {
            let mut tests = Vec::with_capacity(criterion.any_of.len());
            for condition in &criterion.any_of {
                match resolve(condition, resource_type, 0)? {
                    Test::AnyOf(alternatives) => tests.extend(alternatives),
                    test => tests.push(test),
                }
            }
            criteria.push(tests);
        }
        branches.push(Branch {
            resource_type: resource_type.clone(),
            criteria,
        });
    }
    if query.sort.len() > MAX_SORT_KEYS {
        return Err(StoreError::InvalidSearch(format!(
            "at most {MAX_SORT_KEYS} _sort keys are supported"
        )));
    }
    let sort = query
        .sort
        .iter()
        .map(|key| match key.param.as_str() {
            "_id" => Ok(SortPlan::Id {
                descending: key.descending,
            }),
            "_lastUpdated" => Ok(SortPlan::LastUpdated {
                descending: key.descending,
            }),
            param => match key.param_type {
                ParamType::Composite | ParamType::Special => Err(StoreError::InvalidSearch(
                    format!("cannot sort by the {:?} parameter {param}", key.param_type),
                )),
                param_type => Ok(SortPlan::Param {
                    keys: types.iter().flat_map(|t| stored_keys(t, param)).collect(),
                    param_type,
                    descending: key.descending,
                }),
            },
        })
        .collect::<Result<Vec<_>, _>>()?;
    let compartment = query.compartment.as_ref().map(|compartment| {
        let keys = if types.is_empty() {
            compartment
                .params
                .iter()
                .flat_map(|(t, codes)| codes.iter().map(|code| param_hash(t, code)))
                .collect()
        } else {
            types
                .iter()
                .flat_map(|t| {
                    compartment
                        .params_of(t)
                        .iter()
                        .map(|code| param_hash(t, code))
                })
                .collect()
        };
        CompartmentPlan {
            patient: compartment.patient.clone(),
            keys,
        }
    });
    Ok(SearchPlan {
        branches,
        compartment,
        sort,
        after: None,
        chain_walk: ChainWalk::None,
        page_size: query.count,
    })
}

fn resolve(condition: &Condition, resource_type: &str, depth: usize) -> Result<Test, StoreError> {
    if depth > MAX_CHAIN_DEPTH {
        return Err(StoreError::InvalidSearch(format!(
            "chains and _has nest at most {MAX_CHAIN_DEPTH} deep"
        )));
    }
    Ok(match condition {
        Condition::Value { param, test, .. } => match derived_from(resource_type, param) {
            Some(sources) => derived_test(resource_type, sources, test),
            None => value_test(resource_type, param, param_hash(resource_type, param), test),
        },
        Condition::Missing { param, missing } => Test::Missing {
            keys: match derived_from(resource_type, param) {
                Some(sources) => sources
                    .iter()
                    .map(|source| match source {
                        DerivedFrom::Param(code) => param_hash(resource_type, code),
                        // A composite has a value when its first component has.
                        DerivedFrom::Pairing(codes) => codes
                            .first()
                            .map_or(0, |code| param_hash(resource_type, code)),
                        DerivedFrom::Composite(code) => component_hash(resource_type, code, 0),
                    })
                    .collect(),
                None => vec![
                    param_hash(resource_type, param),
                    component_hash(resource_type, param, 0),
                ],
            },
            missing: *missing,
        },
        Condition::Id(ids) => Test::Ids(ids.clone()),
        Condition::LastUpdated(range) => Test::LastUpdated {
            range: date_condition(range.comparison, range.low, range.high),
            negated: false,
        },
        Condition::Chain {
            param,
            target_type,
            condition,
        } => Test::Chain {
            key: param_hash(resource_type, param),
            target_type: target_type.clone(),
            inner: Box::new(resolve(condition, target_type, depth + 1)?),
        },
        Condition::Has {
            source_type,
            param,
            condition,
        } => Test::Has {
            key: param_hash(source_type, param),
            source_type: source_type.clone(),
            inner: Box::new(resolve(condition, source_type, depth + 1)?),
        },
    })
}

/// Where a parameter answered from other parameters' rows finds them
/// (`tessera_fhir::search::DerivedFrom`); `None` for one with rows of its own.
fn derived_from(resource_type: &str, param: &str) -> Option<&'static [DerivedFrom]> {
    SearchRegistry::r4()
        .param(resource_type, param)?
        .derived_from
        .as_deref()
}

/// The keys a parameter's values are stored under, for sorting: its own,
/// or those of the parameters it is a union of.
fn stored_keys(resource_type: &str, param: &str) -> Vec<i64> {
    match derived_from(resource_type, param) {
        Some(sources) => sources
            .iter()
            .filter_map(|source| match source {
                DerivedFrom::Param(code) => Some(param_hash(resource_type, code)),
                DerivedFrom::Pairing(_) | DerivedFrom::Composite(_) => None,
            })
            .collect(),
        None => vec![param_hash(resource_type, param)],
    }
}

/// `test` on the rows stored under `key` (a composite's under its
/// components' keys).
fn value_test(resource_type: &str, param: &str, key: i64, test: &ValueTest) -> Test {
    match test {
        ValueTest::Composite(components) => composite_test(resource_type, param, components),
        test => {
            let (table, predicate, negated) = value_predicate(key, test);
            Test::Index {
                table,
                key,
                predicate,
                negated,
            }
        }
    }
}

/// One stored composite entry (its components share an `ord`) passing a
/// test per component.
fn composite_test(resource_type: &str, param: &str, components: &[ValueTest]) -> Test {
    Test::Composite {
        parts: components
            .iter()
            .enumerate()
            .map(|(i, component)| {
                let key = component_hash(resource_type, param, i);
                let (table, predicate, _) = value_predicate(key, component);
                (table, key, predicate)
            })
            .collect(),
    }
}

/// `test` of a parameter answered from `sources`: one of them matching is a
/// match, and for a negated test (`:not`) none may match.
fn derived_test(resource_type: &str, sources: &[DerivedFrom], test: &ValueTest) -> Test {
    let tests: Vec<Test> = sources
        .iter()
        .map(|source| match (source, test) {
            (DerivedFrom::Param(code), test) => {
                value_test(resource_type, code, param_hash(resource_type, code), test)
            }
            (DerivedFrom::Pairing(codes), ValueTest::Composite(components))
                if codes.len() == components.len() =>
            {
                Test::AllOf(
                    codes
                        .iter()
                        .zip(components)
                        .map(|(code, component)| {
                            let key = param_hash(resource_type, code);
                            let (table, predicate, _) = value_predicate(key, component);
                            Test::Index {
                                table,
                                key,
                                predicate,
                                negated: false,
                            }
                        })
                        .collect(),
                )
            }
            (DerivedFrom::Composite(code), ValueTest::Composite(components)) => {
                composite_test(resource_type, code, components)
            }
            // The parser gives a composite one test per component.
            (DerivedFrom::Pairing(_) | DerivedFrom::Composite(_), _) => Test::AnyOf(Vec::new()),
        })
        .collect();
    let negated = tests
        .iter()
        .any(|test| matches!(test, Test::Index { negated: true, .. }));
    if negated {
        Test::AllOf(tests)
    } else {
        Test::AnyOf(tests)
    }
}
