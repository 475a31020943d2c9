//! Helpers for the store tests: a store on the backend under test (a real
//! SQLite file in a temporary directory, or a fresh database on a real
//! PostgreSQL server when `TESSERA_TEST_BACKEND=postgres`), resources
//! written with hand-made index entries (so these tests do not depend on
//! the FHIRPath extraction), and queries built directly in the typed form
//! the parser produces.

#![allow(dead_code)]

use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tessera_fhir::search::{
    Comparison, Condition, Criterion, DateRange, IndexEntry, IndexValue, ParamType, SearchQuery,
    SortKey, StringMatch, TotalMode, ValueTest,
};
use tessera_store::postgres::{PostgresStore, ScratchDatabase};
use tessera_store::sqlite::SqliteStore;
use tessera_store::{ResourceKey, ResourceStore, RowKeys, WriteBatch, WriteOp};

/// A clock that advances one millisecond per reading.
pub struct TickingClock(pub AtomicI64);

impl tessera_store::Clock for TickingClock {
    fn now_millis(&self) -> i64 {
        self.0.fetch_add(1, Ordering::SeqCst)
    }
}

/// The backend under test, from `TESSERA_TEST_BACKEND` (`sqlite`, the
/// default, or `postgres`).
pub fn postgres_admin_url() -> Option<String> {
    tessera_store::postgres::test_backend().unwrap_or_else(|message| panic!("{message}"))
}

/// Where a fixture's data lives.
enum Location {
    Sqlite(tempfile::TempDir),
    Postgres(ScratchDatabase),
}

pub struct Fixture {
    // Declared first: dropped (closing its connections) before the location.
    pub store: Arc<dyn ResourceStore>,
    location: Location,
    clock: Arc<TickingClock>,
}

pub fn open() -> Fixture {
    let clock = Arc::new(TickingClock(AtomicI64::new(1_700_000_000_000)));
    let location = match postgres_admin_url() {
        Some(admin) => Location::Postgres(ScratchDatabase::create(&admin).unwrap_or_else(|e| {
            panic!("TESSERA_TEST_BACKEND=postgres but no database at {admin}: {e}")
        })),
        None => Location::Sqlite(tempfile::tempdir().unwrap()),
    };
    let store = open_at(&location, clock.clone());
    Fixture {
        store,
        location,
        clock,
    }
}

fn open_at(location: &Location, clock: Arc<TickingClock>) -> Arc<dyn ResourceStore> {
    match location {
        Location::Sqlite(dir) => {
            Arc::new(SqliteStore::open(&dir.path().join("tessera.db"), clock).unwrap())
        }
        Location::Postgres(db) => Arc::new(PostgresStore::open(db.url(), clock).unwrap()),
    }
}

impl Fixture {
    /// Closes the store and opens it again on the same data.
    pub async fn reopen(&mut self) {
        self.store.close().await.unwrap();
        self.store = open_at(&self.location, self.clock.clone());
    }

    /// Which backend this is, for messages.
    pub fn backend(&self) -> &'static str {
        match self.location {
            Location::Sqlite(_) => "sqlite",
            Location::Postgres(_) => "postgres",
        }
    }
}

pub fn entry(param: &str, value: IndexValue) -> IndexEntry {
    IndexEntry {
        param: param.into(),
        value,
    }
}

pub fn string(param: &str, exact: &str) -> IndexEntry {
    entry(
        param,
        IndexValue::String {
            normalized: exact.to_lowercase(),
            exact: exact.into(),
        },
    )
}

pub fn token(param: &str, system: Option<&str>, code: &str) -> IndexEntry {
    entry(
        param,
        IndexValue::Token {
            system: system.map(Into::into),
            code: Some(code.into()),
            text: None,
            of_type: None,
        },
    )
}

pub fn date(param: &str, low: i64, high: i64) -> IndexEntry {
    entry(
        param,
        IndexValue::Date {
            low: Some(low),
            high: Some(high),
        },
    )
}

pub fn reference(param: &str, target_type: &str, id: &str) -> IndexEntry {
    entry(
        param,
        IndexValue::Reference {
            target_type: Some(target_type.into()),
            id: Some(id.into()),
            url: None,
            version: None,
            identifier: None,
        },
    )
}

pub fn number(param: &str, value: f64, half_width: f64) -> IndexValue {
    let _ = param;
    IndexValue::Number {
        value,
        low: value - half_width,
        high: value + half_width,
    }
}

fn body(resource_type: &str) -> Map<String, Value> {
    match json!({ "resourceType": resource_type }) {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// Creates or updates `type/id` with these index entries and patient key.
pub async fn put(
    store: &dyn ResourceStore,
    resource_type: &str,
    id: &str,
    patient: Option<&str>,
    index: Vec<IndexEntry>,
) {
    let references = index
        .iter()
        .filter_map(|e| match &e.value {
            IndexValue::Reference {
                target_type: Some(t),
                id: Some(i),
                ..
            } => Some(ResourceKey::new(t.clone(), i.clone())),
            _ => None,
        })
        .collect();
    store
        .write(WriteBatch::single(WriteOp::Update {
            key: ResourceKey::new(resource_type, id),
            resource: body(resource_type).into(),
            keys: RowKeys {
                patient_key: patient.map(Into::into),
                author_org: None,
                references,
                index,
            },
            if_match: None,
        }))
        .await
        .unwrap();
}

pub async fn delete(store: &dyn ResourceStore, resource_type: &str, id: &str) {
    store
        .write(WriteBatch::single(WriteOp::Delete {
            key: ResourceKey::new(resource_type, id),
            if_match: None,
        }))
        .await
        .unwrap();
}

pub fn query(resource_type: &str) -> SearchQuery {
    SearchQuery {
        resource_types: vec![resource_type.into()],
        compartment: None,
        criteria: Vec::new(),
        sort: Vec::new(),
        count: 50,
        total: TotalMode::None,
        includes: Vec::new(),
        revincludes: Vec::new(),
    }
}

/// Adds a criterion (AND) whose conditions are alternatives (OR).
pub fn and(mut query: SearchQuery, any_of: Vec<Condition>) -> SearchQuery {
    query.criteria.push(Criterion { any_of });
    query
}

pub fn value(param: &str, param_type: ParamType, test: ValueTest) -> Condition {
    Condition::Value {
        param: param.into(),
        param_type,
        test,
    }
}

pub fn string_is(param: &str, value_text: &str, mode: StringMatch) -> Condition {
    value(
        param,
        ParamType::String,
        ValueTest::String {
            value: value_text.into(),
            mode,
        },
    )
}

pub fn code_is(param: &str, system: Option<Option<&str>>, code: Option<&str>) -> Condition {
    value(
        param,
        ParamType::Token,
        ValueTest::Token {
            system: system.map(|s| s.map(Into::into)),
            code: code.map(Into::into),
            not: false,
            text: None,
            of_type: None,
        },
    )
}

pub fn date_is(param: &str, comparison: Comparison, low: i64, high: i64) -> Condition {
    value(
        param,
        ParamType::Date,
        ValueTest::Date(DateRange {
            comparison,
            low,
            high,
        }),
    )
}

pub fn refers_to(param: &str, target_type: Option<&str>, id: &str) -> Condition {
    value(
        param,
        ParamType::Reference,
        ValueTest::Reference {
            target_type: target_type.map(Into::into),
            id: Some(id.into()),
            url: None,
            identifier: None,
        },
    )
}

pub fn sort(
    mut query: SearchQuery,
    param: &str,
    param_type: ParamType,
    descending: bool,
) -> SearchQuery {
    query.sort.push(SortKey {
        param: param.into(),
        param_type,
        descending,
    });
    query
}

/// The ids of every match, following cursors to the last page, in order.
pub async fn all_ids(store: &dyn ResourceStore, query: &SearchQuery) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.search(query, cursor.as_deref()).await.unwrap();
        ids.extend(page.matches.iter().map(|v| v.key.id.clone()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return ids,
        }
    }
}

/// The ids of every match as a set.
pub async fn id_set(store: &dyn ResourceStore, query: &SearchQuery) -> BTreeSet<String> {
    all_ids(store, query).await.into_iter().collect()
}

pub fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// Milliseconds of a UTC date and time.
pub fn ms(year: i32, month: u8, day: u8, hour: u8, minute: u8) -> i64 {
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(month).unwrap(), day).unwrap();
    let at = date.with_hms(hour, minute, 0).unwrap().assume_utc();
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap()
}

/// The inclusive range of one UTC day.
pub fn day(year: i32, month: u8, d: u8) -> (i64, i64) {
    let low = ms(year, month, d, 0, 0);
    (low, low + 86_400_000 - 1)
}
