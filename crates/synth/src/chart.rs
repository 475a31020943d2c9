//! One patient's chart as it is being generated: the entries of their bundle, the
//! registrations, and [`Visit`], the frame every encounter is built in.
//!
//! A visit allocates its Encounter's id first and writes the Encounter last, so everything
//! recorded during the visit can point at it and the Encounter can list the diagnoses made.
//! Closing a visit writes its billing trail: a ChargeItem per billed service and, when the
//! patient has coverage, one Claim from the billing organisation to the payer.

use crate::date::{Day, Moment};
use crate::fhir::{concept, link, money, reference, resource};
use crate::network::{Network, OrgKind};
use crate::person::Person;
use crate::physiology::{Courses, Traits};
use crate::rng::Rng;
use crate::tables::{ConditionCode, ICD10_SYSTEM, SNOMED_SYSTEM, Tables};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// One resource of the patient's bundle.
#[derive(Debug)]
pub struct Entry {
    pub resource_type: &'static str,
    pub id: String,
    pub resource: Value,
}

/// The patient's insurance, as the Claims need it.
#[derive(Debug, Clone)]
pub struct Insurance {
    pub payer: usize,
    pub coverage_ref: String,
    /// The member id on the insurance card, and the payer's identifier system for it.
    pub member_system: String,
    pub member_id: String,
}

/// The chart of one patient under construction.
pub struct Chart<'a> {
    pub network: &'a Network,
    pub tables: &'a Tables,
    pub rng: Rng,
    pub person: Person,
    pub today: Day,
    /// The first day of the generated history.
    pub history_start: Day,
    pub traits: Traits,
    pub courses: Courses,
    /// The white-cell differential percentages reported so far in the current CBC.
    pub differential_sum: f64,
    pub master_id: String,
    /// The organisation that registered the patient a second time, and that registration's id.
    pub duplicate: Option<(usize, String)>,
    /// The duplicate as written: (organisation, Patient id, what differs).
    pub duplicate_record: Option<(usize, String, String)>,
    pub insurance: Option<Insurance>,
    pub entries: Vec<Entry>,
    /// Organisations that have authored something for this patient.
    pub seen_by: BTreeSet<usize>,
}

/// A billed service of a visit.
#[derive(Debug, Clone)]
pub struct Service {
    pub system: &'static str,
    pub code: &'static str,
    pub display: &'static str,
    pub unit_price_cents: i64,
    pub quantity: u32,
    /// What the charge is for (a Procedure, Observation, Immunization ... of this bundle).
    pub service_ref: Option<String>,
}

impl Service {
    /// A service from the billing-code table (CPT or HCPCS).
    pub fn billed(tables: &Tables, key: &str, service_ref: Option<String>) -> Service {
        let code = tables.billing(key);
        Service {
            system: code.system,
            code: code.code,
            display: code.display,
            unit_price_cents: code.price_cents,
            quantity: 1,
            service_ref,
        }
    }
}

/// An encounter being recorded.
pub struct Visit {
    pub org: usize,
    /// False for a pharmacy fill, which is billed but has no Encounter.
    pub has_encounter: bool,
    pub practitioner: usize,
    pub encounter_ref: String,
    encounter_id: String,
    slot: usize,
    pub start: Moment,
    pub end: Moment,
    /// Encounter.class (v3 ActCode): AMB, EMER or IMP.
    class: &'static str,
    type_code: (&'static str, &'static str),
    /// Diagnoses: the condition's code and, when one was recorded, its Condition.
    pub diagnoses: Vec<(&'static str, Option<String>)>,
    pub services: Vec<Service>,
}

impl Visit {
    /// The same encounter at a later moment (an inpatient stay's daily rounds): for recording
    /// observations only; it is never closed, so it writes no Encounter and bills nothing.
    pub fn later_moment(&self, start: Moment) -> Visit {
        Visit {
            org: self.org,
            has_encounter: false,
            practitioner: self.practitioner,
            encounter_ref: self.encounter_ref.clone(),
            encounter_id: self.encounter_id.clone(),
            slot: usize::MAX,
            start,
            end: start.later(10),
            class: self.class,
            type_code: self.type_code,
            diagnoses: Vec::new(),
            services: Vec::new(),
        }
    }
}

impl<'a> Chart<'a> {
    pub fn new(
        network: &'a Network,
        tables: &'a Tables,
        mut rng: Rng,
        person: Person,
        today: Day,
        history_start: Day,
    ) -> Chart<'a> {
        let master_id = rng.uuid();
        let traits = Traits::random(&mut rng, person.sex, person.birth);
        Chart {
            network,
            tables,
            rng,
            person,
            today,
            history_start,
            traits,
            courses: Courses::default(),
            differential_sum: 0.0,
            master_id,
            duplicate: None,
            duplicate_record: None,
            insurance: None,
            entries: Vec::with_capacity(1200),
            seen_by: BTreeSet::new(),
        }
    }

    /// The Patient registration an organisation's records point at.
    pub fn patient_ref(&self, org: usize) -> String {
        match &self.duplicate {
            Some((dup_org, id)) if *dup_org == org => format!("urn:uuid:{id}"),
            _ => format!("urn:uuid:{}", self.master_id),
        }
    }

    pub fn subject(&self, org: usize) -> Value {
        reference(&self.patient_ref(org), &self.person.display_name())
    }

    /// Adds a resource authored by `author` and returns its `urn:uuid:` reference.
    pub fn add(&mut self, resource_type: &'static str, author: usize, body: Value) -> String {
        let id = self.rng.uuid();
        let reference = format!("urn:uuid:{id}");
        let resource = resource(resource_type, &id, self.network.orgs[author].id, body);
        self.seen_by.insert(author);
        self.entries.push(Entry {
            resource_type,
            id,
            resource,
        });
        reference
    }

    /// Marks a ServiceRequest of this bundle as still open (`active`): what it orders falls
    /// after the end of the history.
    pub fn still_open(&mut self, request: &str) {
        let id = request.trim_start_matches("urn:uuid:");
        // Requests are looked up from the end: they were added moments ago.
        if let Some(entry) = self.entries.iter_mut().rev().find(|entry| entry.id == id)
            && let Some(map) = entry.resource.as_object_mut()
        {
            map.insert("status".into(), Value::from("active"));
        }
    }

    pub fn org_ref(&self, org: usize) -> Value {
        let org = &self.network.orgs[org];
        reference(&format!("Organization/{}", org.id), org.name)
    }

    pub fn practitioner_ref(&self, practitioner: usize) -> Value {
        let practitioner = &self.network.practitioners[practitioner];
        reference(
            &format!("Practitioner/{}", practitioner.id),
            &practitioner.display(),
        )
    }

    /// A staff member of `org` in `role` (any staff member when none has the role).
    pub fn staff(&mut self, org: usize, role: &str) -> usize {
        let network = self.network;
        let staff = &network.orgs[org].staff;
        let in_role: Vec<usize> = staff
            .iter()
            .copied()
            .filter(|index| network.practitioners[*index].role == role)
            .collect();
        let pool = if in_role.is_empty() { staff } else { &in_role };
        // Every organisation that holds visits has staff; index 0 is a safe stand-in.
        self.rng.pick(pool).copied().unwrap_or(0)
    }

    /// Opens a visit at `org` seen by one of its `role`s.
    pub fn open_visit(
        &mut self,
        org: usize,
        role: &str,
        start: Moment,
        minutes: i32,
        class: &'static str,
        type_code: (&'static str, &'static str),
    ) -> Visit {
        let practitioner = self.staff(org, role);
        let encounter_id = self.rng.uuid();
        let slot = self.entries.len();
        // A placeholder keeps the Encounter before what happened during it.
        self.entries.push(Entry {
            resource_type: "Encounter",
            id: encounter_id.clone(),
            resource: Value::Null,
        });
        self.seen_by.insert(org);
        Visit {
            org,
            has_encounter: true,
            practitioner,
            encounter_ref: format!("urn:uuid:{encounter_id}"),
            encounter_id,
            slot,
            start,
            end: start.later(minutes),
            class,
            type_code,
            diagnoses: Vec::new(),
            services: Vec::new(),
        }
    }

    /// A billing frame for a pharmacy fill: services and a Claim, but no Encounter.
    pub fn open_dispensing(&mut self, org: usize, start: Moment) -> Visit {
        let practitioner = self.staff(org, "pharmacist");
        self.seen_by.insert(org);
        Visit {
            org,
            has_encounter: false,
            practitioner,
            encounter_ref: String::new(),
            encounter_id: String::new(),
            slot: usize::MAX,
            start,
            end: start.later(10),
            class: "AMB",
            type_code: ("", ""),
            diagnoses: Vec::new(),
            services: Vec::new(),
        }
    }

    /// Records a Condition diagnosed at this visit and adds it to the visit's diagnoses.
    /// `resolved` gives the abatement day of an acute problem.
    pub fn diagnose(
        &mut self,
        visit: &mut Visit,
        key: &'static str,
        onset: Day,
        resolved: Option<Day>,
    ) -> String {
        let code: &ConditionCode = self.tables.condition(key);
        let mut codings = vec![
            json!({"system": ICD10_SYSTEM, "code": code.icd10, "display": code.icd10_display}),
        ];
        if let Some((snomed, display)) = code.snomed {
            codings.insert(
                0,
                json!({"system": SNOMED_SYSTEM, "code": snomed, "display": display}),
            );
        }
        let status = if resolved.is_some_and(|day| day <= self.today) {
            "resolved"
        } else {
            "active"
        };
        let category = if resolved.is_some() {
            ("encounter-diagnosis", "Encounter Diagnosis")
        } else {
            ("problem-list-item", "Problem List Item")
        };
        let mut body = json!({
            "clinicalStatus": concept("http://terminology.hl7.org/CodeSystem/condition-clinical", status, if status == "active" { "Active" } else { "Resolved" }),
            "verificationStatus": concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"),
            "category": [concept("http://terminology.hl7.org/CodeSystem/condition-category", category.0, category.1)],
            "code": {"coding": codings, "text": code.icd10_display},
            "subject": self.subject(visit.org),
            "encounter": link(&visit.encounter_ref),
            "onsetDateTime": onset.to_string(),
        });
        if let (Some(day), Value::Object(map)) =
            (resolved.filter(|day| *day <= self.today), &mut body)
        {
            map.insert("abatementDateTime".into(), Value::from(day.to_string()));
        }
        if let Value::Object(map) = &mut body {
            map.insert("recordedDate".into(), Value::from(visit.start.to_string()));
            map.insert("recorder".into(), self.practitioner_ref(visit.practitioner));
        }
        let reference = self.add("Condition", visit.org, body);
        visit.diagnoses.push((key, Some(reference.clone())));
        reference
    }

    /// Closes a visit: writes its Encounter into the reserved place, then its billing trail.
    pub fn close_visit(&mut self, visit: Visit) {
        let org = &self.network.orgs[visit.org];
        let diagnoses: Vec<Value> = visit
            .diagnoses
            .iter()
            .filter_map(|(_, condition)| condition.as_ref())
            .enumerate()
            .map(|(rank, condition)| json!({"condition": link(condition), "rank": rank + 1}))
            .collect();
        let reasons: Vec<Value> = visit
            .diagnoses
            .iter()
            .map(|(key, _)| {
                let code = self.tables.condition(key);
                concept(ICD10_SYSTEM, code.icd10, code.icd10_display)
            })
            .collect();
        let class_display = match visit.class {
            "EMER" => "emergency",
            "IMP" => "inpatient encounter",
            _ => "ambulatory",
        };
        let mut body = json!({
            "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": visit.class, "display": class_display},
            "type": [concept(SNOMED_SYSTEM, visit.type_code.0, visit.type_code.1)],
            "subject": self.subject(visit.org),
            "participant": [{
                "type": [concept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "ATND", "attender")],
                "individual": self.practitioner_ref(visit.practitioner),
            }],
            "period": {"start": visit.start.to_string(), "end": visit.end.to_string()},
            "serviceProvider": self.org_ref(visit.org),
        });
        if let Value::Object(map) = &mut body {
            if !reasons.is_empty() {
                map.insert("reasonCode".into(), Value::Array(reasons));
            }
            if !diagnoses.is_empty() {
                map.insert("diagnosis".into(), Value::Array(diagnoses));
            }
        }
        if visit.has_encounter
            && let Some(entry) = self.entries.get_mut(visit.slot)
        {
            entry.resource = resource("Encounter", &visit.encounter_id, org.id, body);
        }
        self.bill(&visit);
    }

    /// The billing trail of a visit: ChargeItems, then a Claim when the patient is insured.
    fn bill(&mut self, visit: &Visit) {
        if visit.services.is_empty() {
            return;
        }
        let claim_type = match self.network.orgs[visit.org].kind {
            OrgKind::Hospital => ("institutional", "Institutional"),
            OrgKind::Pharmacy => ("pharmacy", "Pharmacy"),
            _ => ("professional", "Professional"),
        };
        let diagnosis_codes: Vec<&ConditionCode> = visit
            .diagnoses
            .iter()
            .map(|(key, _)| self.tables.condition(key))
            .collect();
        let reasons: Vec<Value> = diagnosis_codes
            .iter()
            .map(|code| concept(ICD10_SYSTEM, code.icd10, code.icd10_display))
            .collect();
        let mut items = Vec::new();
        let mut total = 0;
        for (index, service) in visit.services.iter().enumerate() {
            let price = service.unit_price_cents * i64::from(service.quantity);
            total += price;
            let mut charge = json!({
                "status": "billable",
                "code": concept(service.system, service.code, service.display),
                "subject": self.subject(visit.org),
                "occurrenceDateTime": visit.start.to_string(),
                "performer": [{"actor": self.practitioner_ref(visit.practitioner)}],
                "performingOrganization": self.org_ref(visit.org),
                "costCenter": self.org_ref(visit.org),
                "quantity": {"value": service.quantity},
                "priceOverride": money(price),
                "enteredDate": visit.end.to_string(),
                "enterer": self.practitioner_ref(visit.practitioner),
            });
            if let Value::Object(map) = &mut charge {
                if visit.has_encounter {
                    map.insert("context".into(), link(&visit.encounter_ref));
                }
                if !reasons.is_empty() {
                    map.insert("reason".into(), Value::Array(reasons.clone()));
                }
                if let Some(service_ref) = &service.service_ref {
                    map.insert("service".into(), json!([link(service_ref)]));
                }
            }
            self.add("ChargeItem", visit.org, charge);
            let mut item = json!({
                "sequence": index + 1,
                "productOrService": concept(service.system, service.code, service.display),
                "servicedDate": visit.start.day.to_string(),
                "quantity": {"value": service.quantity},
                "unitPrice": money(service.unit_price_cents),
                "net": money(price),
            });
            if let Value::Object(map) = &mut item {
                if !diagnosis_codes.is_empty() {
                    let pointers: Vec<usize> = (1..=diagnosis_codes.len().min(4)).collect();
                    map.insert("diagnosisSequence".into(), json!(pointers));
                }
                if visit.has_encounter {
                    map.insert("encounter".into(), json!([link(&visit.encounter_ref)]));
                }
            }
            items.push(item);
        }
        let Some(insurance) = self.insurance.clone() else {
            return; // Self-pay: the charges go on the patient's statement, not a claim.
        };
        let diagnoses: Vec<Value> = diagnosis_codes
            .iter()
            .enumerate()
            .map(|(index, code)| {
                json!({"sequence": index + 1, "diagnosisCodeableConcept": concept(ICD10_SYSTEM, code.icd10, code.icd10_display)})
            })
            .collect();
        let mut claim = json!({
            "status": "active",
            "type": concept("http://terminology.hl7.org/CodeSystem/claim-type", claim_type.0, claim_type.1),
            "use": "claim",
            "patient": self.subject(visit.org),
            "billablePeriod": {"start": visit.start.to_string(), "end": visit.end.to_string()},
            "created": visit.end.to_string(),
            "insurer": self.org_ref(insurance.payer),
            "provider": self.org_ref(visit.org),
            "priority": concept("http://terminology.hl7.org/CodeSystem/processpriority", "normal", "Normal"),
            "careTeam": [{"sequence": 1, "provider": self.practitioner_ref(visit.practitioner), "responsible": true}],
            "insurance": [{"sequence": 1, "focal": true, "coverage": link(&insurance.coverage_ref)}],
        });
        if let Value::Object(map) = &mut claim {
            if !diagnoses.is_empty() {
                map.insert("diagnosis".into(), Value::Array(diagnoses));
            }
            map.insert("item".into(), Value::Array(items));
            map.insert("total".into(), money(total));
        }
        self.add("Claim", visit.org, claim);
    }
}
