//! Visits outside the patient's primary-care clinic: the hospital's emergency department
//! (with the occasional admission), the cardiology practice, the school and workplace
//! clinics, and flu shots wherever the patient happens to get them.

use crate::care::{CarePath, Event};
use crate::chart::Service;
use crate::date::Day;
use crate::network::OrgKind;
use crate::observations::VitalSet;

const SYMPTOM: (&str, &str) = ("185345009", "Encounter for symptom (procedure)");
const PROBLEM: (&str, &str) = ("185347001", "Encounter for problem (procedure)");
const CHECK_UP: (&str, &str) = ("185349003", "Encounter for check up (procedure)");
const EMERGENCY: (&str, &str) = ("50849002", "Emergency room admission (procedure)");
const ADMISSION: (&str, &str) = ("32485007", "Hospital admission (procedure)");
const VACCINATION: (&str, &str) = (
    "33879002",
    "Administration of vaccine to produce active immunity (procedure)",
);

impl CarePath<'_, '_> {
    pub fn emergency(&mut self, day: Day) {
        let age = self.chart.person.age_on(day);
        let mut problems: Vec<&'static str> = vec![
            "ankle_sprain",
            "hand_laceration",
            "gastroenteritis",
            "headache",
        ];
        if age >= 35 {
            problems.extend(["chest_pain", "chest_pain"]);
        }
        if self
            .plan
            .onset_of("coronary_disease")
            .is_some_and(|onset| onset <= day)
        {
            problems.extend(["chest_pain", "chest_pain", "chest_pain"]);
        }
        if self
            .plan
            .onset_of("asthma")
            .is_some_and(|onset| onset <= day)
        {
            problems.extend(["asthma_exacerbation", "asthma_exacerbation"]);
        }
        let problem = self
            .chart
            .rng
            .pick(&problems)
            .copied()
            .unwrap_or("headache");
        let hospital = self.chart.network.of_kind(OrgKind::Hospital);
        let start = day.at(self.chart.rng.between(0, 23 * 60) as i32);
        let mut visit = self
            .chart
            .open_visit(hospital, "doctor", start, 180, "EMER", EMERGENCY);
        self.chart
            .record_vitals(&visit, VitalSet::Acute, problem == "gastroenteritis");
        let resolved =
            (problem != "chest_pain").then(|| day.plus(self.chart.rng.between(7, 28) as i32));
        let condition =
            self.chart
                .diagnose(&mut visit, problem, day, resolved.or(Some(day.plus(2))));
        let mut severity = "ed_moderate";
        match problem {
            "chest_pain" => {
                severity = "ed_high";
                self.chart.study(
                    &mut visit,
                    "ecg",
                    Some("ecg"),
                    "Sinus rhythm. No acute ST-segment changes.",
                    None,
                );
                for panel in ["troponin", "cbc", "cmp"] {
                    self.chart.run_panel(&mut visit, panel, None);
                }
                self.chart.study(
                    &mut visit,
                    "chest_xray",
                    Some("chest_xray"),
                    "No acute cardiopulmonary process.",
                    None,
                );
                if self.chart.rng.chance(0.5) {
                    self.refer_to_cardiology(&visit, day);
                }
            }
            "ankle_sprain" => {
                self.chart
                    .study(&mut visit, "ankle_xray", None, "No acute fracture.", None);
                self.chart
                    .prescribe(&visit, "ibuprofen", Some(&condition), false);
            }
            "hand_laceration" => {
                self.chart
                    .study(&mut visit, "laceration_repair", None, "", None);
                if self.last_td.is_none_or(|last| day.0 - last.0 > 5 * 365) {
                    self.last_td = Some(day);
                    self.chart.immunize(&mut visit, "tdap");
                }
            }
            "asthma_exacerbation" => {
                severity = "ed_high";
                self.chart.study(&mut visit, "nebulizer", None, "", None);
                self.chart
                    .prescribe(&visit, "prednisone", Some(&condition), false);
            }
            _ => {}
        }
        visit
            .services
            .push(Service::billed(self.chart.tables, severity, None));
        let admitted = problem == "chest_pain" && self.chart.rng.chance(0.2);
        self.chart.close_visit(visit);
        if admitted {
            self.admission(day);
        }
    }

    /// A short inpatient stay after an emergency visit: vitals every day, labs, one claim.
    fn admission(&mut self, day: Day) {
        let hospital = self.chart.network.of_kind(OrgKind::Hospital);
        let nights = self.chart.rng.between(1, 3) as i32;
        let start = day.at(23 * 60);
        let mut visit = self
            .chart
            .open_visit(hospital, "doctor", start, 30, "IMP", ADMISSION);
        visit.end = day.plus(nights).at(11 * 60);
        visit.diagnoses.push(("chest_pain", None));
        for night in 0..=nights {
            let rounds = visit.later_moment(day.plus(night + 1).at(7 * 60));
            self.chart.record_vitals(&rounds, VitalSet::Acute, false);
        }
        self.chart.run_panel(&mut visit, "troponin", None);
        self.chart.run_panel(&mut visit, "cmp", None);
        visit.services.push(Service {
            quantity: nights as u32,
            ..Service::billed(self.chart.tables, "inpatient_day", None)
        });
        self.chart.close_visit(visit);
    }

    pub fn cardiology(&mut self, day: Day) {
        let cardiology = self.chart.network.of_kind(OrgKind::Cardiology);
        let start = day.at(self.chart.rng.between(8 * 60, 16 * 60) as i32);
        let mut visit = self
            .chart
            .open_visit(cardiology, "doctor", start, 40, "AMB", PROBLEM);
        self.chart.record_vitals(&visit, VitalSet::FollowUp, false);
        let mut cardiac = false;
        for key in ["atrial_fibrillation", "coronary_disease"] {
            if self.plan.onset_of(key).is_some_and(|onset| onset <= day) {
                cardiac = true;
                if !self.diagnosed.contains_key(key) {
                    self.diagnose_cardiac(&mut visit, key, day);
                } else if let Some(condition) = self.diagnosed.get(key).cloned() {
                    visit.diagnoses.push((key, Some(condition)));
                }
            }
        }
        if self.diagnosed.contains_key("hypertension")
            && !self.given_once.contains(&"cardiology_hypertension")
        {
            // The specialist keeps their own problem list: the same condition, their record.
            self.given_once.push("cardiology_hypertension");
            let onset = self.plan.onset_of("hypertension").unwrap_or(day);
            self.chart.diagnose(&mut visit, "hypertension", onset, None);
        } else if let Some(condition) = self.diagnosed.get("hypertension").cloned() {
            visit.diagnoses.push(("hypertension", Some(condition)));
        }
        if visit.diagnoses.is_empty() {
            visit.diagnoses.push(("chest_pain", None));
        }
        self.chart.study(
            &mut visit,
            "ecg",
            Some("ecg"),
            if self
                .plan
                .onset_of("atrial_fibrillation")
                .is_some_and(|o| o <= day)
            {
                "Atrial fibrillation with controlled ventricular response."
            } else {
                "Normal sinus rhythm."
            },
            None,
        );
        if !self.echo_done {
            self.echo_done = true;
            self.chart.study(&mut visit, "echo", None, "", None);
        }
        visit
            .services
            .push(Service::billed(self.chart.tables, "visit_moderate", None));
        if self.diagnosed.contains_key("hyperlipidemia")
            || self.diagnosed.contains_key("coronary_disease")
        {
            self.chart
                .order_outpatient_labs(&visit, &["lipid"], &["hyperlipidemia"]);
        }
        self.chart.close_visit(visit);
        let gap = if cardiac { 180 } else { 365 };
        if cardiac || self.chart.rng.chance(0.6) {
            let offset = gap + self.chart.rng.between(-30, 30) as i32;
            self.schedule(day.plus(offset), Event::CardiologyVisit);
        }
    }

    fn diagnose_cardiac(&mut self, visit: &mut crate::chart::Visit, key: &'static str, day: Day) {
        let onset = self.plan.onset_of(key).unwrap_or(day);
        let condition = self.chart.diagnose(visit, key, onset, None);
        self.diagnosed.insert(key, condition.clone());
        let medications: &[&'static str] = match key {
            "atrial_fibrillation" => &["warfarin"],
            _ => &["clopidogrel", "nitroglycerin"],
        };
        for medication in medications {
            self.chart
                .prescribe(visit, medication, Some(&condition), true);
        }
    }

    pub fn school_visit(&mut self, day: Day) {
        let school = self.chart.network.of_kind(OrgKind::School);
        let problem = self
            .chart
            .rng
            .pick(&["headache", "uri", "gastroenteritis", "headache"])
            .copied()
            .unwrap_or("headache");
        let start = day.at(self.chart.rng.between(8 * 60, 14 * 60) as i32);
        let mut visit = self
            .chart
            .open_visit(school, "nurse", start, 20, "AMB", SYMPTOM);
        self.chart
            .record_vitals(&visit, VitalSet::Acute, problem != "headache");
        self.chart
            .diagnose(&mut visit, problem, day, Some(day.plus(3)));
        visit
            .services
            .push(Service::billed(self.chart.tables, "visit_low", None));
        self.chart.close_visit(visit);
    }

    pub fn sports_physical(&mut self, day: Day) {
        let school = self.chart.network.of_kind(OrgKind::School);
        let start = day.at(self.chart.rng.between(8 * 60, 14 * 60) as i32);
        let mut visit = self
            .chart
            .open_visit(school, "doctor", start, 20, "AMB", CHECK_UP);
        visit.diagnoses.push(("exam_sport", None));
        self.chart.record_vitals(&visit, VitalSet::Full, false);
        visit
            .services
            .push(Service::billed(self.chart.tables, "preventive_teen", None));
        self.chart.close_visit(visit);
    }

    pub fn flu_shot(&mut self, day: Day, kind: OrgKind) {
        let org = self.chart.network.of_kind(kind);
        let role = if kind == OrgKind::Pharmacy {
            "pharmacist"
        } else {
            "nurse"
        };
        let start = day.at(self.chart.rng.between(9 * 60, 17 * 60) as i32);
        let mut visit = self
            .chart
            .open_visit(org, role, start, 10, "AMB", VACCINATION);
        self.chart.immunize(&mut visit, "influenza");
        self.chart.close_visit(visit);
    }

    pub fn pre_employment(&mut self, day: Day) {
        let workplace = self.chart.network.of_kind(OrgKind::Workplace);
        let start = day.at(self.chart.rng.between(8 * 60, 16 * 60) as i32);
        let mut visit = self
            .chart
            .open_visit(workplace, "doctor", start, 30, "AMB", CHECK_UP);
        visit.diagnoses.push(("exam_employment", None));
        self.chart.record_vitals(&visit, VitalSet::Full, false);
        visit
            .services
            .push(Service::billed(self.chart.tables, "visit_low", None));
        self.chart.close_visit(visit);
    }

    pub fn workplace_check(&mut self, day: Day) {
        let workplace = self.chart.network.of_kind(OrgKind::Workplace);
        let start = day.at(self.chart.rng.between(8 * 60, 16 * 60) as i32);
        let mut visit = self
            .chart
            .open_visit(workplace, "nurse", start, 15, "AMB", CHECK_UP);
        visit.diagnoses.push(("exam_employment", None));
        self.chart.record_vitals(&visit, VitalSet::FollowUp, false);
        visit
            .services
            .push(Service::billed(self.chart.tables, "visit_low", None));
        self.chart.close_visit(visit);
    }

    pub fn workplace_injury(&mut self, day: Day) {
        let workplace = self.chart.network.of_kind(OrgKind::Workplace);
        let problem = if self.chart.rng.chance(0.5) {
            "hand_laceration"
        } else {
            "back_pain"
        };
        let start = day.at(self.chart.rng.between(8 * 60, 16 * 60) as i32);
        let mut visit = self
            .chart
            .open_visit(workplace, "doctor", start, 30, "AMB", SYMPTOM);
        self.chart.record_vitals(&visit, VitalSet::Acute, false);
        let condition = self
            .chart
            .diagnose(&mut visit, problem, day, Some(day.plus(14)));
        if problem == "hand_laceration" {
            self.chart
                .study(&mut visit, "laceration_repair", None, "", None);
        } else {
            self.chart
                .prescribe(&visit, "ibuprofen", Some(&condition), false);
        }
        visit
            .services
            .push(Service::billed(self.chart.tables, "visit_low", None));
        self.chart.close_visit(visit);
    }
}
