//! Vital signs, laboratory panels and imaging studies: Observations with LOINC codes, UCUM
//! units, reference ranges and interpretations, the ServiceRequests that order them and the
//! DiagnosticReports that report them.
//!
//! Outpatient labs follow the real path: the ordering clinic writes a ServiceRequest, the
//! patient goes to the laboratory (its own Encounter, its own billing), and the laboratory
//! authors the results. Emergency labs are run in the hospital during the visit.

use crate::chart::{Chart, Service, Visit};
use crate::date::Day;
use crate::fhir::{concept, link, quantity};
use crate::network::OrgKind;
use crate::tables::{LOINC_SYSTEM, SNOMED_SYSTEM, TestCode};
use serde_json::{Value, json};

const CATEGORY_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
const INTERPRETATION_SYSTEM: &str =
    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";

/// Which vital signs a visit takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VitalSet {
    /// A check-up: growth, blood pressure, pulse, breathing, temperature, oxygen, pain.
    Full,
    /// A follow-up of a chronic condition: weight, BMI, blood pressure, pulse, breathing,
    /// temperature, oxygen.
    FollowUp,
    /// An acute problem: temperature, pulse, breathing, oxygen, blood pressure, pain.
    Acute,
}

impl Chart<'_> {
    /// A test's value on `day` for this patient, before rounding.
    fn test_value(&mut self, test: &TestCode, day: Day, febrile: bool) -> f64 {
        let traits = &self.traits;
        let courses = &self.courses;
        let rng = &mut self.rng;
        match test.key {
            "height" => traits.height_cm(day) + rng.normal(0.0, 0.4),
            "weight" => traits.weight_kg(day, self.history_start) + rng.normal(0.0, 0.8),
            "bmi" => traits.bmi(day, self.history_start),
            "head_circumference" => {
                35.0 + 12.0 * (traits.age(day) / 3.0).min(1.0) + rng.normal(0.0, 0.5)
            }
            "systolic" => traits.systolic(day, courses) + rng.normal(0.0, 6.0),
            "diastolic" => traits.systolic(day, courses) * 0.62 + 4.0 + rng.normal(0.0, 4.0),
            "heart_rate" => {
                traits.heart_rate(day) + rng.normal(0.0, 5.0) + if febrile { 15.0 } else { 0.0 }
            }
            "respiratory_rate" => traits.respiratory_rate(day) + rng.normal(0.0, 1.5),
            "temperature" => {
                if febrile {
                    rng.normal(38.3, 0.4)
                } else {
                    rng.normal(36.8, 0.2)
                }
            }
            "oxygen_saturation" => rng.normal(97.5, 1.0).min(100.0),
            "pain" => {
                if febrile {
                    rng.between(2, 6) as f64
                } else {
                    rng.between(0, 2) as f64
                }
            }
            "a1c" => traits.a1c(day, courses) + rng.normal(0.0, 0.25),
            "glucose" => traits.glucose(day, courses) + rng.normal(0.0, 10.0),
            "ldl" => traits.ldl(day, courses) + rng.normal(0.0, 10.0),
            "hdl" => traits.hdl_base + rng.normal(0.0, 4.0),
            "triglycerides" => {
                110.0
                    + if courses.diabetes.is_some() {
                        70.0
                    } else {
                        0.0
                    }
                    + rng.normal(0.0, 30.0)
            }
            "cholesterol" => {
                traits.ldl(day, courses) + traits.hdl_base + 25.0 + rng.normal(0.0, 10.0)
            }
            "creatinine" => traits.creatinine(day) + rng.normal(0.0, 0.08),
            "egfr" => traits.egfr(day) + rng.normal(0.0, 5.0),
            "troponin" => rng.normal(0.012, 0.006),
            "phq2" => rng.weighted(&[70, 15, 8, 4, 2, 1, 0]) as f64,
            // The white-cell differential is one count split five ways, so its percentages
            // add up to 100: neutrophils take what the other four leave.
            // (The table lists neutrophils last.)
            "lymphocytes" | "monocytes" | "eosinophils" | "basophils" => {
                let (mean, sd, low, high) = match test.key {
                    "lymphocytes" => (30.0, 5.0, 15.0, 45.0),
                    "monocytes" => (5.0, 1.2, 1.0, 10.0),
                    "eosinophils" => (2.5, 0.8, 0.3, 6.0),
                    _ => (0.7, 0.15, 0.2, 1.5),
                };
                let value = (rng.normal(mean, sd).clamp(low, high) * 10.0).round() / 10.0;
                self.differential_sum += value;
                value
            }
            "neutrophils" => 100.0 - std::mem::take(&mut self.differential_sum),
            _ => match (test.low, test.high) {
                (Some(low), Some(high)) => rng.normal((low + high) / 2.0, (high - low) / 6.0),
                (Some(low), None) => low * 1.3,
                (None, Some(high)) => high * 0.7,
                (None, None) => 0.0,
            },
        }
        .max(0.0)
    }

    /// One Observation with a quantity value, reference range and interpretation.
    fn quantity_observation(
        &mut self,
        visit: &Visit,
        test_key: &str,
        category: (&str, &str),
        day_time: &str,
        febrile: bool,
        based_on: Option<&str>,
    ) -> String {
        let tables = self.tables;
        let test = tables.test(test_key);
        let Some(unit) = test.unit else {
            return self.qualitative_observation(visit, test, day_time, based_on);
        };
        let value = self.test_value(test, visit.start.day, febrile);
        let mut body = json!({
            "status": "final",
            "category": [concept(CATEGORY_SYSTEM, category.0, category.1)],
            "code": concept(LOINC_SYSTEM, test.loinc, test.display),
            "subject": self.subject(visit.org),
            "encounter": link(&visit.encounter_ref),
            "effectiveDateTime": day_time,
            "issued": visit.end.to_string(),
            "performer": [self.org_ref(visit.org)],
            "valueQuantity": quantity(value, test.decimals, unit),
        });
        let map = body.as_object_mut();
        if let Some(map) = map {
            if let Some(based_on) = based_on {
                map.insert("basedOn".into(), json!([link(based_on)]));
            }
            if test.low.is_some() || test.high.is_some() {
                let rounded_scale = 10f64.powi(test.decimals as i32);
                let shown = (value * rounded_scale).round() / rounded_scale;
                let (code, display) = match (test.low, test.high) {
                    (Some(low), _) if shown < low => ("L", "Low"),
                    (_, Some(high)) if shown > high => ("H", "High"),
                    _ => ("N", "Normal"),
                };
                map.insert(
                    "interpretation".into(),
                    json!([concept(INTERPRETATION_SYSTEM, code, display)]),
                );
                let mut range = serde_json::Map::new();
                if let Some(low) = test.low {
                    range.insert("low".into(), quantity(low, test.decimals, unit));
                }
                if let Some(high) = test.high {
                    range.insert("high".into(), quantity(high, test.decimals, unit));
                }
                map.insert("referenceRange".into(), json!([range]));
            }
        }
        self.add("Observation", visit.org, body)
    }

    /// A strip test reported as Negative or Positive (glucose spills into the urine when
    /// diabetes is poorly controlled).
    fn qualitative_observation(
        &mut self,
        visit: &Visit,
        test: &TestCode,
        day_time: &str,
        based_on: Option<&str>,
    ) -> String {
        let positive = match test.key {
            "urine_glucose" => self.traits.a1c(visit.start.day, &self.courses) > 8.0,
            "urine_protein" => self.courses.diabetes.is_some() && self.rng.chance(0.2),
            _ => self.rng.chance(0.03),
        };
        let (value, interpretation) = if positive {
            (("10828004", "Positive"), ("POS", "Positive"))
        } else {
            (("260385009", "Negative"), ("NEG", "Negative"))
        };
        let mut body = json!({
            "status": "final",
            "category": [concept(CATEGORY_SYSTEM, "laboratory", "Laboratory")],
            "code": concept(LOINC_SYSTEM, test.loinc, test.display),
            "subject": self.subject(visit.org),
            "encounter": link(&visit.encounter_ref),
            "effectiveDateTime": day_time,
            "issued": visit.end.to_string(),
            "performer": [self.org_ref(visit.org)],
            "valueCodeableConcept": concept(SNOMED_SYSTEM, value.0, value.1),
            "interpretation": [concept(INTERPRETATION_SYSTEM, interpretation.0, interpretation.1)],
        });
        if let (Some(based_on), Some(map)) = (based_on, body.as_object_mut()) {
            map.insert("basedOn".into(), json!([link(based_on)]));
        }
        self.add("Observation", visit.org, body)
    }

    /// The vital signs of a visit, as Observations authored by the visit's organisation.
    pub fn record_vitals(&mut self, visit: &Visit, set: VitalSet, febrile: bool) {
        let age = self.traits.age(visit.start.day);
        let when = visit.start.later(5).to_string();
        let keys: &[&str] = match set {
            VitalSet::Full if age < 3.0 => &[
                "height",
                "weight",
                "head_circumference",
                "heart_rate",
                "respiratory_rate",
                "temperature",
            ],
            VitalSet::Full => &[
                "height",
                "weight",
                "bmi",
                "heart_rate",
                "respiratory_rate",
                "temperature",
                "oxygen_saturation",
                "pain",
            ],
            VitalSet::FollowUp => &[
                "weight",
                "bmi",
                "heart_rate",
                "respiratory_rate",
                "temperature",
                "oxygen_saturation",
            ],
            VitalSet::Acute => &[
                "heart_rate",
                "respiratory_rate",
                "temperature",
                "oxygen_saturation",
                "pain",
            ],
        };
        for key in keys {
            self.quantity_observation(
                visit,
                key,
                ("vital-signs", "Vital Signs"),
                &when,
                febrile,
                None,
            );
        }
        if age >= 3.0 {
            self.blood_pressure(visit, &when);
        }
    }

    /// The blood pressure panel: systolic and diastolic as components.
    fn blood_pressure(&mut self, visit: &Visit, when: &str) {
        let tables = self.tables;
        let day = visit.start.day;
        let systolic = self.test_value(tables.test("systolic"), day, false);
        let diastolic = self.test_value(tables.test("diastolic"), day, false);
        let component = |key: &str, value: f64| {
            let test = tables.test(key);
            let high = test.high.unwrap_or(f64::MAX);
            let (code, display) = if value.round() > high {
                ("H", "High")
            } else {
                ("N", "Normal")
            };
            json!({
                "code": concept(LOINC_SYSTEM, test.loinc, test.display),
                "valueQuantity": quantity(value, 0, test.unit.unwrap_or("mm[Hg]")),
                "interpretation": [concept(INTERPRETATION_SYSTEM, code, display)],
            })
        };
        let panel = tables.test("bp_panel");
        let body = json!({
            "status": "final",
            "category": [concept(CATEGORY_SYSTEM, "vital-signs", "Vital Signs")],
            "code": concept(LOINC_SYSTEM, panel.loinc, panel.display),
            "subject": self.subject(visit.org),
            "encounter": link(&visit.encounter_ref),
            "effectiveDateTime": when,
            "issued": visit.end.to_string(),
            "performer": [self.org_ref(visit.org)],
            "component": [component("systolic", systolic), component("diastolic", diastolic)],
        });
        self.add("Observation", visit.org, body);
    }

    /// Screening questions of a check-up: smoking status (13+) and PHQ-2 (12+).
    pub fn record_screening(&mut self, visit: &mut Visit, smoker: (&str, &str)) {
        let age = self.traits.age(visit.start.day);
        let when = visit.start.later(10).to_string();
        if age >= 13.0 {
            let body = json!({
                "status": "final",
                "category": [concept(CATEGORY_SYSTEM, "social-history", "Social History")],
                "code": concept(LOINC_SYSTEM, "72166-2", "Tobacco smoking status"),
                "subject": self.subject(visit.org),
                "encounter": link(&visit.encounter_ref),
                "effectiveDateTime": when,
                "issued": visit.end.to_string(),
                "valueCodeableConcept": concept(SNOMED_SYSTEM, smoker.0, smoker.1),
            });
            self.add("Observation", visit.org, body);
        }
        if age >= 12.0 {
            let score =
                self.quantity_observation(visit, "phq2", ("survey", "Survey"), &when, false, None);
            visit.services.push(Service::billed(
                self.tables,
                "depression_screen",
                Some(score),
            ));
        }
    }

    /// Lab panels ordered at `ordering` and drawn at the laboratory on the next weekday:
    /// ServiceRequests by the clinic, then the laboratory's visit, results and reports.
    pub fn order_outpatient_labs(
        &mut self,
        ordering: &Visit,
        panels: &[&'static str],
        reasons: &[&'static str],
    ) {
        let lab = self.network.of_kind(OrgKind::Laboratory);
        let mut requests = Vec::new();
        for panel in panels {
            let code = self.tables.panel(panel);
            let code = concept(LOINC_SYSTEM, code.loinc, code.display);
            requests.push(self.service_request(
                ordering,
                code,
                lab,
                ("108252007", "Laboratory procedure"),
            ));
        }
        let day = ordering
            .start
            .day
            .plus(self.rng.between(0, 3) as i32)
            .on_weekday();
        if day > self.today {
            for request in &requests {
                self.still_open(request);
            }
            return;
        }
        let start = day.at(self.rng.between(7 * 60, 11 * 60) as i32);
        let mut visit = self.open_visit(
            lab,
            "nurse",
            start,
            15,
            "AMB",
            ("108252007", "Laboratory procedure"),
        );
        visit
            .diagnoses
            .extend(reasons.iter().map(|key| (*key, None)));
        visit
            .services
            .push(Service::billed(self.tables, "venipuncture", None));
        for (panel, request) in panels.iter().zip(&requests) {
            self.run_panel(&mut visit, panel, Some(request));
        }
        self.close_visit(visit);
    }

    /// A ServiceRequest from `ordering` to `performer` for a panel, study or referral.
    pub fn service_request(
        &mut self,
        ordering: &Visit,
        code: Value,
        performer: usize,
        category: (&str, &str),
    ) -> String {
        let body = json!({
            "status": "completed",
            "intent": "order",
            "category": [concept(SNOMED_SYSTEM, category.0, category.1)],
            "priority": "routine",
            "code": code,
            "subject": self.subject(ordering.org),
            "encounter": link(&ordering.encounter_ref),
            "authoredOn": ordering.start.later(20).to_string(),
            "requester": self.practitioner_ref(ordering.practitioner),
            "performer": [self.org_ref(performer)],
        });
        self.add("ServiceRequest", ordering.org, body)
    }

    /// Runs one lab panel during `visit`: its Observations, a DiagnosticReport and the charge.
    pub fn run_panel(&mut self, visit: &mut Visit, panel: &'static str, request: Option<&String>) {
        let tables = self.tables;
        let code = tables.panel(panel);
        let when = visit.start.later(2).to_string();
        let keys: Vec<&'static str> = tables.panel_tests(panel).map(|test| test.key).collect();
        let mut results = Vec::new();
        for key in keys {
            let result = self.quantity_observation(
                visit,
                key,
                ("laboratory", "Laboratory"),
                &when,
                false,
                request.map(String::as_str),
            );
            results.push(link(&result));
        }
        let mut report = json!({
            "status": "final",
            "category": [concept("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory")],
            "code": concept(LOINC_SYSTEM, code.loinc, code.display),
            "subject": self.subject(visit.org),
            "encounter": link(&visit.encounter_ref),
            "effectiveDateTime": when,
            "issued": visit.end.to_string(),
            "performer": [self.org_ref(visit.org)],
            "result": results,
        });
        if let (Some(request), Some(map)) = (request, report.as_object_mut()) {
            map.insert("basedOn".into(), json!([link(request)]));
        }
        let report = self.add("DiagnosticReport", visit.org, report);
        visit
            .services
            .push(Service::billed(tables, code.billing_key, Some(report)));
    }

    /// An imaging or cardiac study done during `visit`: the Procedure, a DiagnosticReport
    /// with a conclusion when the study has a LOINC report code, and the charge.
    pub fn study(
        &mut self,
        visit: &mut Visit,
        billing_key: &'static str,
        report_panel: Option<&str>,
        conclusion: &str,
        request: Option<&String>,
    ) {
        let tables = self.tables;
        let code = tables.billing(billing_key);
        let mut codings =
            vec![json!({"system": code.system, "code": code.code, "display": code.display})];
        if let Some((snomed, display)) = code.snomed {
            codings.insert(
                0,
                json!({"system": SNOMED_SYSTEM, "code": snomed, "display": display}),
            );
        }
        let mut procedure = json!({
            "status": "completed",
            "code": {"coding": codings, "text": code.display},
            "subject": self.subject(visit.org),
            "encounter": link(&visit.encounter_ref),
            "performedPeriod": {"start": visit.start.later(5).to_string(), "end": visit.start.later(25).to_string()},
            "performer": [{"actor": self.practitioner_ref(visit.practitioner), "onBehalfOf": self.org_ref(visit.org)}],
        });
        if let (Some(request), Some(map)) = (request, procedure.as_object_mut()) {
            map.insert("basedOn".into(), json!([link(request)]));
        }
        let procedure = self.add("Procedure", visit.org, procedure);
        visit.services.push(Service::billed(
            tables,
            billing_key,
            Some(procedure.clone()),
        ));
        if let Some(panel) = report_panel {
            let report_code = tables.panel(panel);
            let category = if panel == "ecg" {
                ("CG", "Cardiac Electrophysiology")
            } else {
                ("RAD", "Radiology")
            };
            let mut report = json!({
                "status": "final",
                "category": [concept("http://terminology.hl7.org/CodeSystem/v2-0074", category.0, category.1)],
                "code": concept(LOINC_SYSTEM, report_code.loinc, report_code.display),
                "subject": self.subject(visit.org),
                "encounter": link(&visit.encounter_ref),
                "effectiveDateTime": visit.start.later(5).to_string(),
                "issued": visit.end.to_string(),
                "performer": [self.org_ref(visit.org)],
                "resultsInterpreter": [self.practitioner_ref(visit.practitioner)],
                "conclusion": conclusion,
            });
            if let (Some(request), Some(map)) = (request, report.as_object_mut()) {
                map.insert("basedOn".into(), json!([link(request)]));
            }
            self.add("DiagnosticReport", visit.org, report);
        }
    }
}
