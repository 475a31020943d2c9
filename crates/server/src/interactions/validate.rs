//! `POST [type]/$validate`: the validation a write would do, without storing.
//! The body is the resource itself or a `Parameters` resource whose
//! `resource` parameter holds it.

use super::{RequestContext, read_resource_body};
use crate::error::ApiError;
use crate::response::json_response;
use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use tessera_fhir::OperationOutcome;

pub(crate) async fn validate(
    ctx: &RequestContext<'_>,
    resource_type: &str,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_resource_body(ctx, resource_type, body).await?;
    let resource = unwrap_parameters(body, resource_type);
    let warnings = ctx.app.records.validate(resource_type, &resource)?;
    let outcome = if warnings.is_empty() {
        OperationOutcome::success(format!("the {resource_type} is valid FHIR R4"))
    } else {
        OperationOutcome::new(warnings)
    };
    Ok(json_response(
        StatusCode::OK,
        &outcome.to_json(),
        ctx.pretty,
    ))
}

/// `Parameters { parameter: [{ name: "resource", resource: {...} }] }` → the resource.
fn unwrap_parameters(body: Value, resource_type: &str) -> Value {
    if resource_type == "Parameters"
        || body.get("resourceType").and_then(Value::as_str) != Some("Parameters")
    {
        return body;
    }
    let wrapped = body
        .get("parameter")
        .and_then(Value::as_array)
        .and_then(|parameters| {
            parameters
                .iter()
                .find(|p| p.get("name").and_then(Value::as_str) == Some("resource"))
        })
        .and_then(|p| p.get("resource"))
        .cloned();
    wrapped.unwrap_or(body)
}
