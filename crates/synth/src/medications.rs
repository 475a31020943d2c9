//! Prescriptions and what follows them (pharmacy fills with their pharmacy claims),
//! immunizations, and allergies.
//!
//! A chronic prescription is filled at the pharmacy every supply period (a few days late now
//! and then) until it stops or the history ends; an acute one is filled once, the same or the
//! next day. Each fill is billed by the pharmacy on its own claim, with the RxNorm drug as the
//! billed product, as pharmacy claims are.

use crate::chart::{Chart, Service, Visit};
use crate::date::Day;
use crate::fhir::{concept, link};
use crate::network::OrgKind;
use crate::tables::{AllergenCode, CVX_SYSTEM, RXNORM_SYSTEM, UCUM_SYSTEM};
use serde_json::{Value, json};

impl Chart<'_> {
    /// Prescribes a medication at `visit` for `reason` (a Condition of this bundle). A chronic
    /// prescription runs until `until` (or the end of the history) and is refilled.
    pub fn prescribe(
        &mut self,
        visit: &Visit,
        medication_key: &'static str,
        reason: Option<&str>,
        chronic: bool,
    ) -> String {
        let medication = self.tables.medication(medication_key);
        let status = if chronic { "active" } else { "completed" };
        let refills = if chronic { 3 } else { 0 };
        let mut body = json!({
            "status": status,
            "intent": "order",
            "medicationCodeableConcept": concept(RXNORM_SYSTEM, medication.rxnorm, medication.display),
            "subject": self.subject(visit.org),
            "encounter": link(&visit.encounter_ref),
            "authoredOn": visit.start.later(15).to_string(),
            "requester": self.practitioner_ref(visit.practitioner),
            "dosageInstruction": [{"sequence": 1, "text": medication.dosage}],
            "dispenseRequest": {
                "numberOfRepeatsAllowed": refills,
                "quantity": {"value": medication.quantity},
                "expectedSupplyDuration": {"value": medication.days_supply, "unit": "days", "system": UCUM_SYSTEM, "code": "d"},
            },
        });
        if let (Some(reason), Some(map)) = (reason, body.as_object_mut()) {
            map.insert("reasonReference".into(), json!([link(reason)]));
        }
        let request = self.add("MedicationRequest", visit.org, body);
        let start = visit.start.day.plus(self.rng.between(0, 1) as i32);
        if chronic {
            let mut day = start;
            while day <= self.today {
                self.dispense(medication_key, &request, day);
                let late = if self.rng.chance(0.2) {
                    self.rng.between(3, 20)
                } else {
                    0
                };
                day = day.plus(medication.days_supply as i32 + late as i32);
            }
        } else if start <= self.today {
            self.dispense(medication_key, &request, start);
        }
        request
    }

    /// One pharmacy fill: the MedicationDispense and its pharmacy claim.
    fn dispense(&mut self, medication_key: &'static str, request: &str, day: Day) {
        let pharmacy = self.network.of_kind(OrgKind::Pharmacy);
        let medication = self.tables.medication(medication_key);
        let handed_over = day.at(self.rng.between(9 * 60, 19 * 60) as i32);
        let mut fill = self.open_dispensing(pharmacy, handed_over);
        let body = json!({
            "status": "completed",
            "medicationCodeableConcept": concept(RXNORM_SYSTEM, medication.rxnorm, medication.display),
            "subject": self.subject(pharmacy),
            "performer": [{"actor": self.practitioner_ref(fill.practitioner)}],
            "authorizingPrescription": [link(request)],
            "quantity": {"value": medication.quantity},
            "daysSupply": {"value": medication.days_supply, "unit": "days", "system": UCUM_SYSTEM, "code": "d"},
            "whenPrepared": handed_over.later(-30).to_string(),
            "whenHandedOver": handed_over.to_string(),
            "dosageInstruction": [{"sequence": 1, "text": medication.dosage}],
        });
        let dispense = self.add("MedicationDispense", pharmacy, body);
        fill.services.push(Service {
            system: RXNORM_SYSTEM,
            code: medication.rxnorm,
            display: medication.display,
            // Generic drugs: a dispensing fee plus a small cost per unit.
            unit_price_cents: 1_000 + i64::from(medication.quantity) * 15,
            quantity: 1,
            service_ref: Some(dispense),
        });
        self.close_visit(fill);
    }

    /// Gives a vaccine at `visit` and bills its administration.
    pub fn immunize(&mut self, visit: &mut Visit, vaccine_key: &'static str) {
        let vaccine = self.tables.vaccine(vaccine_key);
        let lot = format!("LOT{}-{:05}", vaccine.cvx, self.rng.below(100_000));
        let body = json!({
            "status": "completed",
            "vaccineCode": concept(CVX_SYSTEM, vaccine.cvx, vaccine.display),
            "patient": self.subject(visit.org),
            "encounter": link(&visit.encounter_ref),
            "occurrenceDateTime": visit.start.later(20).to_string(),
            "primarySource": true,
            "lotNumber": lot,
            "site": concept("http://terminology.hl7.org/CodeSystem/v3-ActSite", "LA", "left arm"),
            "route": concept("http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration", "IM", "Injection, intramuscular"),
            "performer": [{"actor": self.practitioner_ref(visit.practitioner)}],
        });
        let immunization = self.add("Immunization", visit.org, body);
        visit.services.push(Service::billed(
            self.tables,
            "vaccine_admin",
            Some(immunization),
        ));
        if !visit
            .diagnoses
            .iter()
            .any(|(key, _)| *key == "immunization")
        {
            visit.diagnoses.push(("immunization", None));
        }
    }

    /// Records an allergy at `visit`.
    pub fn record_allergy(&mut self, visit: &Visit, allergen: &AllergenCode, onset: Day) {
        let criticality = if matches!(allergen.key, "peanut" | "tree_nut" | "bee_venom") {
            "high"
        } else {
            "low"
        };
        let reaction = match allergen.category {
            "food" => ("39579001", "Anaphylaxis (disorder)"),
            "medication" => ("271807003", "Eruption of skin (disorder)"),
            _ => ("267101005", "Nasal discharge (finding)"),
        };
        let body: Value = json!({
            "clinicalStatus": concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"),
            "verificationStatus": concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed"),
            "type": "allergy",
            "category": [allergen.category],
            "criticality": criticality,
            "code": concept(allergen.system, allergen.code, allergen.display),
            "patient": self.subject(visit.org),
            "encounter": link(&visit.encounter_ref),
            "onsetDateTime": onset.to_string(),
            "recordedDate": visit.start.later(10).to_string(),
            "recorder": self.practitioner_ref(visit.practitioner),
            "reaction": [{"manifestation": [concept(crate::tables::SNOMED_SYSTEM, reaction.0, reaction.1)]}],
        });
        self.add("AllergyIntolerance", visit.org, body);
    }
}
