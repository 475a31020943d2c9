//! The Patient compartment: which patient a resource belongs to, and which
//! resources a compartment search covers.
//!
//! Every stored row carries one patient key (DESIGN.md, "Storage"). It is
//! derived from the R4 Patient CompartmentDefinition: for a `Patient` it is
//! the resource's own id; for another type, the first `Patient/{id}`
//! reference found through the compartment's element paths (generated from the
//! CompartmentDefinition's parameters, e.g. `Observation.subject` then
//! `Observation.performer`). Absolute URLs, `urn:uuid:` and contained
//! references are not keys: only a local `Patient/{id}` names a stored patient.
//!
//! A compartment is wider than a key: a resource is in the compartment of
//! every patient it refers to through one of its type's compartment
//! parameters ([`PatientCompartment`]), so a family appointment is in each
//! member's compartment while its key names one of them.

use crate::Definitions;
use crate::reference::ReferenceTarget;
use crate::search::PatientCompartment;
use serde_json::Value;

impl Definitions {
    /// The compartment of the patient with id `patient`, for a search.
    pub fn patient_compartment(&self, patient: &str) -> PatientCompartment {
        PatientCompartment {
            patient: patient.to_owned(),
            params: self.patient_compartment_params.clone(),
        }
    }

    /// The id of the Patient `resource` belongs to, if any.
    pub fn patient_key(&self, resource: &Value) -> Option<String> {
        let resource_type = resource.get("resourceType")?.as_str()?;
        if resource_type == "Patient" {
            return resource.get("id")?.as_str().map(str::to_owned);
        }
        // The element naming the person cared for wins over the order of the
        // CompartmentDefinition, which lists e.g. Coverage.policyHolder before
        // Coverage.beneficiary: a child on a parent's policy is the child's record.
        let paths = self.patient_paths(resource_type);
        let names_care_subject = |path: &&[Box<str>]| {
            path.last()
                .is_some_and(|l| CARE_SUBJECT_ELEMENTS.contains(&&**l))
        };
        paths
            .iter()
            .map(|p| &**p)
            .filter(names_care_subject)
            .chain(
                paths
                    .iter()
                    .map(|p| &**p)
                    .filter(|p| !names_care_subject(p)),
            )
            .find_map(|path| first_patient_reference(resource, path))
    }
}

/// Elements that name the patient a resource is about.
const CARE_SUBJECT_ELEMENTS: &[&str] = &["patient", "subject", "beneficiary"];

/// Follows `path` (JSON names, arrays flattened) and returns the first `Patient/{id}` found.
fn first_patient_reference(value: &Value, path: &[Box<str>]) -> Option<String> {
    match value {
        Value::Array(items) => items
            .iter()
            .find_map(|item| first_patient_reference(item, path)),
        Value::Object(object) => match path.split_first() {
            Some((segment, rest)) => first_patient_reference(object.get(&**segment)?, rest),
            None => match ReferenceTarget::parse(object.get("reference")?.as_str()?)? {
                ReferenceTarget::Local {
                    resource_type, id, ..
                } if resource_type == "Patient" => Some(id),
                _ => None,
            },
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn coverage_belongs_to_its_beneficiary_not_the_policy_holder() {
        let coverage = json!({"resourceType": "Coverage", "status": "active",
            "policyHolder": {"reference": "Patient/parent"},
            "subscriber": {"reference": "Patient/parent"},
            "beneficiary": {"reference": "Patient/child"},
            "payor": [{"reference": "Organization/payer"}]});
        assert_eq!(
            Definitions::r4().patient_key(&coverage),
            Some("child".into())
        );
    }

    #[test]
    fn compartment_parameters_come_from_the_compartment_definition() {
        let compartment = Definitions::r4().patient_compartment("p1");
        assert_eq!(compartment.patient, "p1");
        assert_eq!(
            compartment.params_of("Observation"),
            ["subject", "performer"]
        );
        assert_eq!(compartment.params_of("Appointment"), ["actor"]);
        assert_eq!(compartment.params_of("Patient"), ["link"]);
        assert!(compartment.params_of("Organization").is_empty());
        assert_eq!(compartment.params.len(), 67);
    }

    #[test]
    fn patient_is_its_own_key() {
        let patient = json!({"resourceType": "Patient", "id": "p1"});
        assert_eq!(Definitions::r4().patient_key(&patient), Some("p1".into()));
        assert_eq!(
            Definitions::r4().patient_key(&json!({"resourceType": "Patient"})),
            None
        );
    }

    #[test]
    fn follows_compartment_paths_in_order() {
        let definitions = Definitions::r4();
        let observation = json!({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
            "subject": {"reference": "Group/g1"},
            "performer": [{"reference": "Practitioner/d1"}, {"reference": "Patient/p2"}]});
        assert_eq!(definitions.patient_key(&observation), Some("p2".into()));
        let with_subject = json!({"resourceType": "Observation", "subject": {"reference": "Patient/p1"},
            "performer": [{"reference": "Patient/p2"}]});
        assert_eq!(definitions.patient_key(&with_subject), Some("p1".into()));
        let allergy = json!({"resourceType": "AllergyIntolerance", "patient": {"reference": "Patient/a/_history/3"}});
        assert_eq!(definitions.patient_key(&allergy), Some("a".into()));
        let group_member =
            json!({"resourceType": "Group", "member": [{"entity": {"reference": "Patient/m"}}]});
        assert_eq!(definitions.patient_key(&group_member), Some("m".into()));
    }

    #[test]
    fn ignores_non_local_and_non_compartment_references() {
        let definitions = Definitions::r4();
        for resource in [
            json!({"resourceType": "Observation", "subject": {"reference": "http://x.org/Patient/1"}}),
            json!({"resourceType": "Observation", "subject": {"reference": "urn:uuid:c757873d-ec9a-4326-a141-556f43239520"}}),
            json!({"resourceType": "Observation", "subject": {"reference": "#p"}}),
            json!({"resourceType": "Observation", "focus": [{"reference": "Patient/1"}]}),
            json!({"resourceType": "Organization", "partOf": {"reference": "Patient/1"}}),
            json!({"resourceType": "Nope", "subject": {"reference": "Patient/1"}}),
            json!("Patient/1"),
        ] {
            assert_eq!(definitions.patient_key(&resource), None, "{resource}");
        }
    }
}
