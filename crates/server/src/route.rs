//! Parsing a FHIR REST path into the interaction it asks for.

use crate::ApiError;
use axum::http::Method;
use tessera_store::ResourceKey;

/// The FHIR REST interactions Tessera answers, as addressed by path and method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FhirRoute {
    Capabilities,
    HistorySystem,
    /// `POST /fhir`: a transaction or batch Bundle.
    Bundle,
    Create(String),
    /// A search: of one type or (`None`) of every type; within a Patient
    /// compartment when `compartment` is set; parameters also in a
    /// form-encoded body when `form` (`POST .../_search`).
    Search {
        resource_type: Option<String>,
        compartment: Option<ResourceKey>,
        form: bool,
    },
    HistoryType(String),
    Validate(String),
    Read(ResourceKey),
    Update(ResourceKey),
    Patch(ResourceKey),
    Delete(ResourceKey),
    HistoryInstance(ResourceKey),
    VersionRead(ResourceKey, String),
    /// `GET Patient/{id}/$everything`.
    Everything(String),
    /// Bulk export kick-off: `$export`, `Patient/$export`, `Group/{id}/$export`.
    Export(ExportScope),
    /// `GET` (poll) or `DELETE` (cancel) an export job.
    ExportStatus(String),
    /// `GET` one NDJSON file of a completed export.
    ExportFile(String, String),
}

/// What an `$export` covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExportScope {
    System,
    AllPatients,
    Group(String),
}

impl FhirRoute {
    /// `segments` is the path after `/fhir`, split on `/`, without empty parts.
    pub(crate) fn parse(method: &Method, segments: &[&str]) -> Result<FhirRoute, ApiError> {
        let allowed = |methods: &'static [Method]| -> Result<(), ApiError> {
            if methods.contains(method) {
                Ok(())
            } else {
                Err(ApiError::MethodNotAllowed {
                    method: method.to_string(),
                    allowed: methods,
                })
            }
        };
        match segments {
            [] => {
                allowed(&[Method::GET, Method::POST])?;
                if method == Method::POST {
                    return Ok(FhirRoute::Bundle);
                }
                Ok(search(None, None, false))
            }
            ["_search"] => allowed(&[Method::POST]).map(|_| search(None, None, true)),
            ["$export"] => allowed(&[Method::GET]).map(|_| FhirRoute::Export(ExportScope::System)),
            ["Patient", "$export"] => {
                allowed(&[Method::GET]).map(|_| FhirRoute::Export(ExportScope::AllPatients))
            }
            ["Group", id, "$export"] => allowed(&[Method::GET])
                .map(|_| FhirRoute::Export(ExportScope::Group(id.to_string()))),
            ["$export-status", id] => allowed(&[Method::GET, Method::DELETE])
                .map(|_| FhirRoute::ExportStatus(id.to_string())),
            ["$export-file", id, file] => allowed(&[Method::GET])
                .map(|_| FhirRoute::ExportFile(id.to_string(), file.to_string())),
            ["metadata"] => allowed(&[Method::GET]).map(|_| FhirRoute::Capabilities),
            ["_history"] => allowed(&[Method::GET]).map(|_| FhirRoute::HistorySystem),
            [operation] if operation.starts_with('$') => {
                Err(ApiError::UnknownOperation(operation.to_string()))
            }
            [resource_type] => {
                allowed(&[Method::GET, Method::POST])?;
                Ok(if method == Method::POST {
                    FhirRoute::Create(resource_type.to_string())
                } else {
                    search(Some(resource_type), None, false)
                })
            }
            [resource_type, "_search"] => {
                allowed(&[Method::POST]).map(|_| search(Some(resource_type), None, true))
            }
            [resource_type, "_history"] => {
                allowed(&[Method::GET]).map(|_| FhirRoute::HistoryType(resource_type.to_string()))
            }
            [resource_type, "$validate"] => {
                allowed(&[Method::POST]).map(|_| FhirRoute::Validate(resource_type.to_string()))
            }
            [_, operation] if operation.starts_with('$') || operation.starts_with('_') => {
                Err(ApiError::UnknownOperation(operation.to_string()))
            }
            [resource_type, id] => {
                allowed(&[
                    Method::GET,
                    Method::HEAD,
                    Method::PUT,
                    Method::PATCH,
                    Method::DELETE,
                ])?;
                let key = ResourceKey::new(*resource_type, *id);
                Ok(match *method {
                    Method::PUT => FhirRoute::Update(key),
                    Method::PATCH => FhirRoute::Patch(key),
                    Method::DELETE => FhirRoute::Delete(key),
                    _ => FhirRoute::Read(key),
                })
            }
            [resource_type, id, "_history"] => allowed(&[Method::GET])
                .map(|_| FhirRoute::HistoryInstance(ResourceKey::new(*resource_type, *id))),
            ["Patient", id, "$everything"] => {
                allowed(&[Method::GET]).map(|_| FhirRoute::Everything(id.to_string()))
            }
            [compartment, id, resource_type]
                if !resource_type.starts_with('_') && !resource_type.starts_with('$') =>
            {
                allowed(&[Method::GET])?;
                if *compartment != "Patient" {
                    return Err(ApiError::NotImplemented("compartments other than Patient"));
                }
                Ok(search(
                    Some(resource_type),
                    Some(ResourceKey::new(*compartment, *id)),
                    false,
                ))
            }
            [resource_type, id, "_history", version] => {
                allowed(&[Method::GET, Method::HEAD]).map(|_| {
                    FhirRoute::VersionRead(
                        ResourceKey::new(*resource_type, *id),
                        version.to_string(),
                    )
                })
            }
            _ => Err(ApiError::NoSuchPath),
        }
    }
}

fn search(resource_type: Option<&str>, compartment: Option<ResourceKey>, form: bool) -> FhirRoute {
    FhirRoute::Search {
        resource_type: resource_type.map(str::to_owned),
        compartment,
        form,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_path_and_method() {
        let parse = |m: Method, p: &str| {
            let segments: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
            FhirRoute::parse(&m, &segments)
        };
        assert_eq!(
            parse(Method::GET, "metadata").unwrap(),
            FhirRoute::Capabilities
        );
        assert_eq!(
            parse(Method::POST, "Patient").unwrap(),
            FhirRoute::Create("Patient".into())
        );
        assert_eq!(
            parse(Method::GET, "Patient/1/_history/2").unwrap(),
            FhirRoute::VersionRead(ResourceKey::new("Patient", "1"), "2".into())
        );
        assert!(matches!(
            parse(Method::DELETE, "Patient"),
            Err(ApiError::MethodNotAllowed { .. })
        ));
        assert_eq!(
            parse(Method::GET, "Patient/p1/Observation").unwrap(),
            search(
                Some("Observation"),
                Some(ResourceKey::new("Patient", "p1")),
                false
            )
        );
        assert_eq!(
            parse(Method::POST, "Observation/_search").unwrap(),
            search(Some("Observation"), None, true)
        );
        assert_eq!(parse(Method::GET, "").unwrap(), search(None, None, false));
        assert!(matches!(
            parse(Method::GET, "Patient/1/_history/2/x"),
            Err(ApiError::NoSuchPath)
        ));
    }
}
