//! The CapabilityStatement: what this server really does, and nothing more.
//! Built from the R4 definitions once at start.

use serde_json::{Value, json};
use tessera_fhir::Definitions;
use tessera_fhir::search::registry::SearchRegistry;

/// `GET /fhir/metadata`.
pub fn capability_statement(definitions: &Definitions, date: &str) -> Value {
    let interactions = json!([
        {"code": "read"},
        {"code": "vread"},
        {"code": "update"},
        {"code": "patch"},
        {"code": "delete"},
        {"code": "history-instance"},
        {"code": "history-type"},
        {"code": "create"},
        {"code": "search-type"}
    ]);
    let registry = SearchRegistry::r4();
    let resources: Vec<Value> = definitions
        .resource_types()
        .map(|resource_type| {
            let search_params: Vec<Value> = registry
                .params(resource_type)
                .iter()
                .filter(|p| p.expression.is_some() || p.code == "_id" || p.code == "_lastUpdated")
                .map(|p| json!({"name": p.code, "definition": p.url, "type": p.param_type.code()}))
                .collect();
            let mut operations = vec![json!({
                "name": "validate",
                "definition": "http://hl7.org/fhir/OperationDefinition/Resource-validate"
            })];
            if resource_type == "Patient" {
                operations.push(json!({"name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"}));
                operations.push(json!({"name": "export",
                    "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"}));
            }
            if resource_type == "Group" {
                operations.push(json!({"name": "export",
                    "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export"}));
            }
            json!({
                "type": resource_type,
                "profile": format!("http://hl7.org/fhir/StructureDefinition/{resource_type}"),
                "interaction": interactions,
                "versioning": "versioned-update",
                "readHistory": true,
                "updateCreate": true,
                "conditionalCreate": true,
                "conditionalRead": "not-supported",
                "conditionalUpdate": true,
                "conditionalDelete": "single",
                "searchInclude": [format!("{resource_type}:*")],
                "searchRevInclude": ["*"],
                "searchParam": search_params,
                "operation": operations
            })
        })
        .collect();
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "publisher": "Tessera",
        "kind": "instance",
        "software": {"name": "Tessera", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {"description": "Tessera FHIR R4 server"},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        // JSON Patch, and FHIRPath Patch (a Parameters resource in FHIR JSON).
        "patchFormat": ["application/json-patch+json", "application/fhir+json"],
        "rest": [{
            "mode": "server",
            "resource": resources,
            "interaction": [
                {"code": "transaction"},
                {"code": "batch"},
                {"code": "search-system"},
                {"code": "history-system"}
            ],
            "operation": [{"name": "export",
                "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"}]
        }]
    })
}
