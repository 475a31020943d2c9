//! The R4 definitions as a FHIRPath type model.
//!
//! `tessera-fhirpath` asks three questions of its caller (see
//! [`tessera_fhirpath::TypeModel`]); [`Definitions`] already answers exactly
//! those ([`Definitions::element_types`], [`Definitions::base_type`],
//! [`Definitions::has_type`]), so this adapter only changes the shape of the
//! answer. It lives here, not in `definitions/`, so that the definitions stay
//! usable without the engine in mind and the dependency edge is in one file.

use crate::Definitions;
use tessera_fhirpath::{ElementTypes, TypeModel};

impl TypeModel for Definitions {
    fn element_types(&self, owner: &str, element: &str) -> Option<ElementTypes<'_>> {
        let declared = Definitions::element_types(self, owner, element)?;
        Some(ElementTypes {
            types: declared.types,
            is_choice: declared.is_choice,
        })
    }

    fn base_type(&self, type_name: &str) -> Option<&str> {
        Definitions::base_type(self, type_name)
    }

    fn has_type(&self, type_name: &str) -> bool {
        Definitions::has_type(self, type_name)
    }
}

#[cfg(test)]
mod tests {
    use crate::Definitions;
    use tessera_fhirpath::{EvaluationContext, Expression};

    /// With the model, choice elements and FHIR types are known: `as(Quantity)`
    /// selects the Quantity variant, and the node carries its FHIR type.
    #[test]
    fn types_nodes_from_the_r4_definitions() {
        let observation = serde_json::json!({
            "resourceType": "Observation",
            "valueQuantity": {"value": 3, "unit": "kg"},
            "subject": {"reference": "Patient/1"}
        });
        let ctx = EvaluationContext::new()
            .with_model(Definitions::r4())
            .with_resource(&observation);
        let value = Expression::parse("Observation.value.as(Quantity)")
            .and_then(|e| e.evaluate(&ctx))
            .unwrap();
        assert_eq!(value.len(), 1);
        assert_eq!(value[0].as_node().unwrap().type_name(), Some("Quantity"));
        let subject = Expression::parse("Observation.subject")
            .and_then(|e| e.evaluate(&ctx))
            .unwrap();
        assert_eq!(subject[0].as_node().unwrap().type_name(), Some("Reference"));
    }
}
