//! The CapabilityStatement: what this server really does, and nothing more.
//! Built from the R4 definitions once at start.

use serde_json::{Value, json};
use tessera_fhir::Definitions;

/// `GET /fhir/metadata`.
pub fn capability_statement(definitions: &Definitions, date: &str) -> Value {
    let interactions = json!([
        {"code": "read"},
        {"code": "vread"},
        {"code": "update"},
        {"code": "delete"},
        {"code": "history-instance"},
        {"code": "history-type"},
        {"code": "create"}
    ]);
    let resources: Vec<Value> = definitions
        .resource_types()
        .map(|resource_type| {
            json!({
                "type": resource_type,
                "profile": format!("http://hl7.org/fhir/StructureDefinition/{resource_type}"),
                "interaction": interactions,
                "versioning": "versioned-update",
                "readHistory": true,
                "updateCreate": true,
                "conditionalCreate": false,
                "conditionalRead": "not-supported",
                "conditionalUpdate": false,
                "conditionalDelete": "not-supported",
                "operation": [{
                    "name": "validate",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Resource-validate"
                }]
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
        "rest": [{
            "mode": "server",
            "resource": resources,
            "interaction": [{"code": "history-system"}]
        }]
    })
}
