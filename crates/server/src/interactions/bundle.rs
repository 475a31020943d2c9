//! `POST /fhir` with a `transaction` or `batch` Bundle, answered with a
//! `transaction-response` or `batch-response` Bundle whose entries follow
//! the request's order: each with its status, location, ETag and
//! lastModified, the resource for reads, a searchset for searches, and for a
//! failed batch entry its OperationOutcome.

use super::{RequestContext, parse_stored, read_resource_body};
use crate::error::ApiError;
use crate::response::{etag, json_response};
use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};
use tessera_records::WriteContext;
use tessera_records::bundle::transaction::EntryResult;
use tessera_store::StoredVersion;

pub(crate) async fn bundle(ctx: &RequestContext<'_>, body: Body) -> Result<Response, ApiError> {
    let bundle = read_resource_body(ctx, "Bundle", body).await?;
    let kind = bundle.get("type").and_then(Value::as_str).unwrap_or("");
    let context = WriteContext::default();
    let (response_type, results) = match kind {
        "transaction" => (
            "transaction-response",
            ctx.app.records.transaction(&bundle, &context).await?,
        ),
        "batch" => (
            "batch-response",
            ctx.app.records.batch(&bundle, &context).await?,
        ),
        other => {
            return Err(ApiError::BadRequest(format!(
                "POST to the base takes a transaction or batch Bundle, not a Bundle of type '{other}'"
            )));
        }
    };
    let mut entries = Vec::with_capacity(results.len());
    for result in results {
        entries.push(match result {
            Ok(done) => entry(ctx, &done)?,
            Err(error) => {
                let (status, outcome) = ApiError::Record(error).status_and_outcome();
                json!({"response": {"status": status_line(status), "outcome": outcome.to_json()}})
            }
        });
    }
    let answer = json!({"resourceType": "Bundle", "type": response_type, "entry": entries});
    Ok(json_response(StatusCode::OK, &answer, ctx.pretty))
}

fn status_line(status: StatusCode) -> String {
    format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )
}

fn entry(ctx: &RequestContext<'_>, result: &EntryResult) -> Result<Value, ApiError> {
    let written = |status: StatusCode, version: &StoredVersion| {
        let mut response = Map::new();
        response.insert("status".into(), json!(status_line(status)));
        response.insert(
            "location".into(),
            json!(format!("{}/_history/{}", version.key, version.version)),
        );
        response.insert("etag".into(), json!(etag(version.version)));
        response.insert(
            "lastModified".into(),
            json!(version.last_updated.to_string()),
        );
        json!({"fullUrl": ctx.resource_url(version), "response": response})
    };
    Ok(match result {
        EntryResult::Created(version) => written(StatusCode::CREATED, version),
        EntryResult::Updated(version) => written(StatusCode::OK, version),
        EntryResult::Deleted(Some(version)) => {
            json!({"response": {"status": status_line(StatusCode::NO_CONTENT), "etag": etag(version.version)}})
        }
        EntryResult::Deleted(None) => {
            json!({"response": {"status": status_line(StatusCode::NO_CONTENT)}})
        }
        EntryResult::Existing(key) => json!({
            "fullUrl": format!("{}/{key}", ctx.base_url),
            "response": {"status": status_line(StatusCode::OK), "location": key.to_string()}
        }),
        EntryResult::Read(version) => json!({
            "fullUrl": ctx.resource_url(version),
            "resource": parse_stored(version)?,
            "response": {"status": status_line(StatusCode::OK), "etag": etag(version.version),
                         "lastModified": version.last_updated.to_string()}
        }),
        EntryResult::Searched(page) => {
            let entries = page
                .matches
                .iter()
                .map(|version| {
                    Ok(json!({"fullUrl": ctx.resource_url(version), "resource": parse_stored(version)?,
                              "search": {"mode": "match"}}))
                })
                .collect::<Result<Vec<_>, ApiError>>()?;
            let mut searchset =
                json!({"resourceType": "Bundle", "type": "searchset", "entry": entries});
            if let Some(total) = page.total {
                searchset["total"] = json!(total);
            }
            json!({"resource": searchset, "response": {"status": status_line(StatusCode::OK)}})
        }
    })
}
