//! A PostgreSQL connection as the store uses it: a client with its own
//! cache of prepared statements (a statement is parsed once per connection,
//! then each use is one round trip), pooled by `r2d2`, and the conversion of
//! [`SqlValue`]s to and from PostgreSQL values.

use crate::StoreError;
use crate::search::sql::SqlValue;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, GenericClient, NoTls, Row, Statement};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The most statements a connection keeps prepared (searches vary by
/// shape); past it the cache starts over.
const STATEMENT_CACHE: usize = 512;

/// A connection checked out this recently is handed out again without a
/// test round trip: under load a connection is in constant use, and a test
/// per checkout was one more round trip per request. One that broke while
/// in use is dropped by [`ConnectionFactory::has_broken`].
const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// One pooled connection. Destructure it to use the client (or a
/// transaction on it) and the cache at once.
pub(crate) struct PgConnection {
    pub(crate) client: Client,
    pub(crate) statements: StatementCache,
    /// When the pool last handed this connection out.
    checked_out: Instant,
}

/// A connection's prepared statements, by SQL text.
#[derive(Default)]
pub(crate) struct StatementCache(HashMap<String, Statement>);

impl StatementCache {
    /// The statement for `sql` on `client`, prepared on first use.
    pub(crate) fn get(
        &mut self,
        client: &mut impl GenericClient,
        sql: &str,
    ) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.0.get(sql) {
            return Ok(statement.clone());
        }
        if self.0.len() >= STATEMENT_CACHE {
            self.0.clear();
        }
        let statement = client.prepare(sql)?;
        self.0.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

/// The session settings of every connection Tessera opens, to the primary
/// or to a replica.
///
/// Statements are prepared once per connection and run with generic plans:
/// left to choose, PostgreSQL planned many search statements again on every
/// execution (custom plans it judged cheaper), which was most of its CPU for
/// a simple search. The statements are written so that a generic plan is the
/// intended one: the driver is computed once (`= ANY(ARRAY(...))`) and every
/// other test is a probe by rid that the planner may not reorder.
pub(crate) fn configure_session(config: &mut tokio_postgres::Config) {
    config.application_name("tessera");
    config.options("-c plan_cache_mode=force_generic_plan");
}

/// Opens [`PgConnection`]s for the pool.
pub(crate) struct ConnectionFactory {
    pub(crate) config: postgres::Config,
}

impl r2d2::ManageConnection for ConnectionFactory {
    type Connection = PgConnection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgConnection, postgres::Error> {
        Ok(PgConnection {
            client: self.config.connect(NoTls)?,
            statements: StatementCache::default(),
            checked_out: Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut PgConnection) -> Result<(), postgres::Error> {
        let idle = conn.checked_out.elapsed();
        conn.checked_out = Instant::now();
        if idle < TRUSTED_FOR {
            return Ok(());
        }
        conn.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut PgConnection) -> bool {
        conn.client.is_closed()
    }
}

impl From<postgres::Error> for StoreError {
    fn from(error: postgres::Error) -> StoreError {
        StoreError::from(&error)
    }
}

impl From<&postgres::Error> for StoreError {
    fn from(error: &postgres::Error) -> StoreError {
        if error.is_closed() {
            // PostgreSQL went away (a restart, a failover): worth a retry.
            return StoreError::Unavailable(format!("the database connection closed: {error}"));
        }
        // The server's own message (with its detail) says more than the
        // client's summary.
        match error.as_db_error() {
            Some(db) => StoreError::Database(match db.detail() {
                Some(detail) => format!("{} ({detail})", db.message()),
                None => db.message().to_owned(),
            }),
            None => StoreError::Database(error.to_string()),
        }
    }
}

/// Whether a failed transaction may succeed if run again: a deadlock, a
/// serialization failure, or a unique key taken by a concurrent writer
/// (whose row the next attempt will see).
pub(crate) fn is_retryable(error: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    error.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::UNIQUE_VIOLATION
    })
}

/// A [`SqlValue`] bound to a statement. The renderer casts every typed
/// placeholder, so the types match; a null binds to whatever type the
/// statement expects.
#[derive(Debug)]
pub(crate) struct PgValue<'a>(pub(crate) &'a SqlValue);

impl ToSql for PgValue<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self.0 {
            SqlValue::Null => Ok(IsNull::Yes),
            SqlValue::Int(v) => v.to_sql(ty, out),
            SqlValue::Real(v) => v.to_sql(ty, out),
            SqlValue::Text(v) => v.as_str().to_sql(ty, out),
            SqlValue::IntList(v) => v.as_slice().to_sql(ty, out),
            SqlValue::TextList(v) => v.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Column `i` of `row` as a [`SqlValue`].
pub(crate) fn sql_value(row: &Row, i: usize) -> Result<SqlValue, StoreError> {
    let ty = row.columns().get(i).map(|c| c.type_().clone());
    let value = match ty {
        Some(Type::INT8) => row.try_get::<_, Option<i64>>(i)?.map(SqlValue::Int),
        Some(Type::INT4) => row
            .try_get::<_, Option<i32>>(i)?
            .map(|v| SqlValue::Int(v.into())),
        Some(Type::INT2) => row
            .try_get::<_, Option<i16>>(i)?
            .map(|v| SqlValue::Int(v.into())),
        Some(Type::FLOAT8) => row.try_get::<_, Option<f64>>(i)?.map(SqlValue::Real),
        Some(Type::TEXT | Type::VARCHAR | Type::NAME) => {
            row.try_get::<_, Option<String>>(i)?.map(SqlValue::Text)
        }
        other => {
            return Err(StoreError::Database(format!(
                "a search returned a column of type {other:?}"
            )));
        }
    };
    Ok(value.unwrap_or(SqlValue::Null))
}
