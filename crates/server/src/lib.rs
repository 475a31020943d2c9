//! The HTTP application: the FHIR R4 REST API over [`tessera_records`].
//!
//! Only this crate knows HTTP. A request flows: tower layers (request id,
//! tracing span, panic guard) → [`endpoint::fhir_endpoint`], which parses the
//! path into a [`route::FhirRoute`], negotiates the format
//! ([`negotiate`]), reads conditional headers ([`conditional`]) and the body
//! ([`body`]), and calls one interaction ([`interactions`]), which calls the
//! [`RecordService`](tessera_records::RecordService). Every failure becomes
//! an [`ApiError`], turned into an HTTP status and an `OperationOutcome` by
//! exactly one function, [`error::ApiError::status_and_outcome`].
//!
//! Invariants: no SQL, no direct store access for writes, no clock or
//! environment reads (the binary passes what it read in [`ServerConfig`]).

mod body;
pub mod capability;
mod conditional;
mod endpoint;
pub mod error;
mod interactions;
mod negotiate;
mod params;
mod response;
mod route;

pub use error::ApiError;

use axum::Router;
use axum::routing::{any, get};
use std::sync::Arc;
use tessera_records::RecordService;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Default largest request body accepted: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// What the server needs to know that the binary decides.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Absolute base URL of the FHIR API as clients see it (e.g.
    /// `https://ehr.example.org/fhir`). When `None`, it is derived from each
    /// request's `Host` header as `http://{host}/fhir`.
    pub public_base_url: Option<String>,
    /// Largest request body accepted; larger ones get 413.
    pub max_body_bytes: usize,
    /// When the server started, as a FHIR dateTime (CapabilityStatement.date).
    pub started_at: String,
}

/// What the server uses besides the record service, made by the binary.
pub struct ServerServices {
    /// Bulk export jobs of this data directory.
    pub exports: tessera_bulk::ExportJobs,
    /// The clock (the server never reads the system clock itself).
    pub clock: Arc<dyn tessera_store::Clock>,
}

/// Shared state of every request.
pub(crate) struct App {
    pub(crate) records: RecordService,
    pub(crate) services: ServerServices,
    pub(crate) config: ServerConfig,
    /// The CapabilityStatement, serialised once at start.
    pub(crate) capability_statement: bytes::Bytes,
}

/// Builds the axum application.
pub fn router(records: RecordService, services: ServerServices, config: ServerConfig) -> Router {
    let capability_statement =
        capability::capability_statement(records.definitions(), &config.started_at);
    let app = Arc::new(App {
        records,
        services,
        config,
        capability_statement: bytes::Bytes::from(capability_statement.to_string()),
    });
    Router::new()
        .route("/fhir", any(endpoint::fhir_endpoint))
        .route("/fhir/", any(endpoint::fhir_endpoint))
        .route("/fhir/{*path}", any(endpoint::fhir_endpoint))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(endpoint::not_found)
        .with_state(app)
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(endpoint::request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}
