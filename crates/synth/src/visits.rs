//! The visits of each care path, one method per kind of event: what is measured, diagnosed,
//! prescribed, ordered and billed at a check-up, a follow-up, an acute visit, an emergency,
//! a cardiology consultation, the school or workplace clinic, and a flu shot.

use crate::care::{CarePath, Event};
use crate::chart::{Service, Visit};
use crate::date::Day;
use crate::fhir::concept;
use crate::network::OrgKind;
use crate::observations::VitalSet;
use crate::person::Sex;
use crate::tables::SNOMED_SYSTEM;

const CHECK_UP: (&str, &str) = ("185349003", "Encounter for check up (procedure)");
const WELL_CHILD: (&str, &str) = ("410620009", "Well child visit (procedure)");
const FOLLOW_UP: (&str, &str) = ("390906007", "Follow-up encounter (procedure)");
const SYMPTOM: (&str, &str) = ("185345009", "Encounter for symptom (procedure)");
const IMAGING: (&str, &str) = ("363679005", "Imaging (procedure)");

/// Chronic conditions a primary-care clinic diagnoses itself (the cardiac ones it refers).
const PRIMARY_CARE_CHRONIC: [&str; 7] = [
    "hypertension",
    "diabetes",
    "prediabetes",
    "hyperlipidemia",
    "asthma",
    "allergic_rhinitis",
    "osteoporosis",
];

impl CarePath<'_, '_> {
    fn clinic_hours(&mut self, day: Day) -> crate::date::Moment {
        day.at(self.chart.rng.between(8 * 60, 16 * 60) as i32)
    }

    fn age(&self, day: Day) -> i32 {
        self.chart.person.age_on(day)
    }

    /// Diagnoses a chronic condition and starts its usual treatment.
    fn diagnose_chronic(&mut self, visit: &mut Visit, key: &'static str, day: Day) {
        let onset = self.plan.onset_of(key).unwrap_or(day);
        let condition = self.chart.diagnose(visit, key, onset, None);
        self.diagnosed.insert(key, condition.clone());
        let treated = Some(day);
        let courses = &mut self.chart.courses;
        match key {
            "hypertension" => {
                courses.hypertension = courses
                    .hypertension
                    .map(|c| crate::physiology::Course { treated, ..c })
            }
            "diabetes" => {
                courses.diabetes = courses
                    .diabetes
                    .map(|c| crate::physiology::Course { treated, ..c })
            }
            "hyperlipidemia" => {
                courses.hyperlipidemia = courses
                    .hyperlipidemia
                    .map(|c| crate::physiology::Course { treated, ..c })
            }
            _ => {}
        }
        let medications: &[&'static str] = match key {
            "hypertension" if self.chart.rng.chance(0.3) => &["lisinopril", "amlodipine"],
            "hypertension" => &["lisinopril"],
            "diabetes" => &["metformin"],
            "hyperlipidemia" => &["simvastatin"],
            "asthma" if self.chart.rng.chance(0.4) => &["albuterol", "fluticasone"],
            "asthma" => &["albuterol"],
            "allergic_rhinitis" => &["fexofenadine"],
            "osteoporosis" => &["alendronate"],
            "atrial_fibrillation" => &["warfarin"],
            "coronary_disease" => &["clopidogrel", "nitroglycerin"],
            _ => &[],
        };
        for medication in medications {
            self.chart
                .prescribe(visit, medication, Some(&condition), true);
        }
    }

    /// Adds the patient's known problems to a visit's diagnoses (for the claim).
    fn known_problems(&self, visit: &mut Visit) {
        for (key, condition) in &self.diagnosed {
            if visit.diagnoses.len() < 8 && !visit.diagnoses.iter().any(|(known, _)| known == key) {
                visit.diagnoses.push((key, Some(condition.clone())));
            }
        }
    }

    /// Diagnoses the chronic conditions that began since the last visit; refers cardiac ones.
    fn catch_up_chronic(&mut self, visit: &mut Visit, day: Day) {
        let chronic = self.plan.chronic.clone();
        for condition in chronic {
            if condition.onset > day || self.diagnosed.contains_key(condition.key) {
                continue;
            }
            if PRIMARY_CARE_CHRONIC.contains(&condition.key) {
                if condition.key == "osteoporosis" && !self.given_once.contains(&"dexa") {
                    continue; // found by the bone density scan
                }
                self.diagnose_chronic(visit, condition.key, day);
                // Cardiology sees many hypertensive patients and some with high cholesterol
                // for a cardiovascular risk assessment.
                let referral_chance = match condition.key {
                    "hypertension" => 0.75,
                    "hyperlipidemia" => 0.3,
                    _ => 0.0,
                };
                if self.chart.rng.chance(referral_chance) {
                    self.refer_to_cardiology(visit, day);
                }
            } else {
                self.refer_to_cardiology(visit, day);
            }
        }
    }

    pub(crate) fn refer_to_cardiology(&mut self, visit: &Visit, day: Day) {
        if self.cardiology_booked {
            return;
        }
        self.cardiology_booked = true;
        let cardiology = self.chart.network.of_kind(OrgKind::Cardiology);
        let code = concept(
            SNOMED_SYSTEM,
            "183519002",
            "Referral to cardiology service (procedure)",
        );
        let referral = self.chart.service_request(
            visit,
            code,
            cardiology,
            ("3457005", "Patient referral (procedure)"),
        );
        let wait = self.chart.rng.between(10, 40) as i32;
        if day.plus(wait).on_weekday() >= self.chart.today {
            self.chart.still_open(&referral);
        }
        self.schedule(day.plus(wait), Event::CardiologyVisit);
    }

    /// An imaging study ordered at `ordering` and done at the imaging centre within two weeks.
    fn order_imaging(
        &mut self,
        ordering: &Visit,
        billing_key: &'static str,
        report: Option<&str>,
        conclusion: &str,
        reason: &'static str,
    ) {
        let imaging = self.chart.network.of_kind(OrgKind::Imaging);
        let code = self.chart.tables.billing(billing_key);
        let code = concept(code.system, code.code, code.display);
        let request = self.chart.service_request(ordering, code, imaging, IMAGING);
        let day = ordering
            .start
            .day
            .plus(self.chart.rng.between(1, 14) as i32)
            .on_weekday();
        if day >= self.chart.today {
            self.chart.still_open(&request);
            return;
        }
        let start = self.clinic_hours(day);
        let mut visit = self
            .chart
            .open_visit(imaging, "doctor", start, 40, "AMB", IMAGING);
        visit.diagnoses.push((reason, None));
        self.chart
            .study(&mut visit, billing_key, report, conclusion, Some(&request));
        self.chart.close_visit(visit);
    }

    fn vaccines_due(&mut self, visit: &mut Visit, day: Day) {
        let age_months = (day.0 - self.chart.person.birth.0) / 30;
        let age = self.age(day);
        let mut due: Vec<&'static str> = Vec::new();
        match age_months {
            1..=7 => due.extend(["dtap", "ipv"]),
            11..=13 => due.extend(["mmr", "varicella", "hepatitis_a"]),
            _ => {}
        }
        let once = |key: &'static str, this: &mut Self, due: &mut Vec<&'static str>| {
            if !this.given_once.contains(&key) {
                this.given_once.push(key);
                due.push(key);
            }
        };
        if (4..=6).contains(&age) {
            once("mmr", self, &mut due);
        }
        if (11..=12).contains(&age) {
            once("tdap", self, &mut due);
            once("hpv", self, &mut due);
            once("meningococcal", self, &mut due);
        }
        if age >= 50 && self.chart.rng.chance(0.4) {
            once("zoster", self, &mut due);
        }
        if age >= 65 && self.chart.rng.chance(0.5) {
            once("pneumococcal_conjugate", self, &mut due);
        }
        if age >= 19
            && self.last_td.is_none_or(|last| day.0 - last.0 > 3650)
            && self.chart.rng.chance(0.15)
        {
            self.last_td = Some(day);
            due.push("td");
        }
        if day.year() >= 2021 && age >= 12 && self.chart.rng.chance(0.25) {
            due.push("covid");
        }
        for vaccine in due {
            self.chart.immunize(visit, vaccine);
        }
    }

    pub fn wellness(&mut self, day: Day) {
        let age = self.age(day);
        let clinic = self.plan.home_clinic;
        let start = self.clinic_hours(day);
        let kind = if age < 18 { WELL_CHILD } else { CHECK_UP };
        let mut visit = self
            .chart
            .open_visit(clinic, "doctor", start, 30, "AMB", kind);
        visit
            .diagnoses
            .push((if age < 18 { "exam_child" } else { "exam_adult" }, None));
        self.chart.record_vitals(&visit, VitalSet::Full, false);
        let smoker = if age < 13 {
            ("266919005", "Never smoker")
        } else {
            self.plan.smoker
        };
        self.chart.record_screening(&mut visit, smoker);
        if !self.allergies_recorded && !self.plan.allergies.is_empty() {
            self.allergies_recorded = true;
            let tables = self.chart.tables;
            for index in self.plan.allergies.clone() {
                if let Some(allergen) = tables.allergens.get(index) {
                    let onset = self
                        .chart
                        .person
                        .birth
                        .plus(365 * self.chart.rng.between(1, age.max(1) as i64) as i32)
                        .min(day);
                    self.chart.record_allergy(&visit, allergen, onset);
                }
            }
        }
        self.catch_up_chronic(&mut visit, day);
        // Exertional symptoms or an abnormal ECG at a check-up send some older patients to
        // cardiology even without a known heart condition.
        if age >= 50 && self.chart.rng.chance(0.06) {
            self.refer_to_cardiology(&visit, day);
        }
        self.known_problems(&mut visit);
        self.vaccines_due(&mut visit, day);
        let preventive = match age {
            0 => "preventive_infant",
            1..=4 => "preventive_toddler",
            5..=11 => "preventive_child",
            12..=17 => "preventive_teen",
            18..=39 => "preventive_young_adult",
            40..=64 => "preventive_adult",
            _ if self
                .chart
                .insurance
                .as_ref()
                .is_some_and(|i| self.chart.network.orgs[i.payer].id.contains("medicare")) =>
            {
                "wellness_medicare"
            }
            _ => "preventive_senior",
        };
        visit
            .services
            .push(Service::billed(self.chart.tables, preventive, None));
        if age >= 18 {
            let mut panels = vec!["cbc", "cmp", "urinalysis"];
            if self.diagnosed.contains_key("hyperlipidemia") || self.chart.rng.chance(0.6) {
                panels.push("lipid");
            }
            if self.diagnosed.contains_key("diabetes")
                || self.diagnosed.contains_key("prediabetes")
                || age >= 45
            {
                panels.push("a1c");
            }
            let reasons: Vec<&'static str> = visit
                .diagnoses
                .iter()
                .map(|(key, _)| *key)
                .take(4)
                .collect();
            self.chart.order_outpatient_labs(&visit, &panels, &reasons);
        }
        if self.chart.person.sex == Sex::Female && age >= 40 && self.chart.rng.chance(0.7) {
            self.order_imaging(
                &visit,
                "mammogram",
                Some("mammogram"),
                "BI-RADS 1: negative. Routine screening in one to two years.",
                "screening_mammogram",
            );
        }
        if self.chart.person.sex == Sex::Female && age >= 65 && !self.given_once.contains(&"dexa") {
            self.given_once.push("dexa");
            let osteoporosis = self
                .plan
                .onset_of("osteoporosis")
                .is_some_and(|onset| onset <= day);
            let conclusion = if osteoporosis {
                "Lumbar spine T-score -2.8: osteoporosis."
            } else {
                "T-scores above -1.0: normal bone density."
            };
            self.order_imaging(&visit, "dexa", None, conclusion, "screening_osteoporosis");
        }
        self.chart.close_visit(visit);
    }

    pub fn follow_up(&mut self, day: Day) {
        let clinic = self.plan.home_clinic;
        let start = self.clinic_hours(day);
        let mut visit = self
            .chart
            .open_visit(clinic, "doctor", start, 20, "AMB", FOLLOW_UP);
        self.chart.record_vitals(&visit, VitalSet::FollowUp, false);
        self.catch_up_chronic(&mut visit, day);
        self.known_problems(&mut visit);
        visit
            .services
            .push(Service::billed(self.chart.tables, "visit_moderate", None));
        if self.diagnosed.contains_key("diabetes") {
            let reasons: Vec<&'static str> = vec!["diabetes"];
            self.chart.order_outpatient_labs(&visit, &["a1c"], &reasons);
        }
        self.chart.close_visit(visit);
    }

    /// An antibiotic the patient is not allergic to.
    fn antibiotic(&self) -> &'static str {
        let tables = self.chart.tables;
        let penicillin_allergy = self.plan.allergies.iter().any(|index| {
            tables
                .allergens
                .get(*index)
                .is_some_and(|a| a.key == "penicillin")
        });
        if penicillin_allergy {
            "cefuroxime"
        } else {
            "amoxicillin"
        }
    }

    pub fn acute(&mut self, day: Day) {
        let age = self.age(day);
        let problems: &[&'static str] = if age < 12 {
            &["otitis", "uri", "pharyngitis", "gastroenteritis", "uri"]
        } else {
            &[
                "uri",
                "pharyngitis",
                "bronchitis",
                "back_pain",
                "headache",
                "gastroenteritis",
                "ankle_sprain",
            ]
        };
        let problem = self.chart.rng.pick(problems).copied().unwrap_or("uri");
        let clinic = self.plan.home_clinic;
        let start = self.clinic_hours(day);
        let mut visit = self
            .chart
            .open_visit(clinic, "doctor", start, 20, "AMB", SYMPTOM);
        let febrile = matches!(
            problem,
            "otitis" | "uri" | "pharyngitis" | "bronchitis" | "gastroenteritis"
        );
        self.chart.record_vitals(&visit, VitalSet::Acute, febrile);
        let resolved = day.plus(self.chart.rng.between(5, 21) as i32);
        let condition = self
            .chart
            .diagnose(&mut visit, problem, day, Some(resolved));
        match problem {
            "pharyngitis" => {
                self.chart
                    .study(&mut visit, "throat_culture", None, "", None);
                let antibiotic = self.antibiotic();
                self.chart
                    .prescribe(&visit, antibiotic, Some(&condition), false);
            }
            "otitis" => {
                let antibiotic = self.antibiotic();
                self.chart
                    .prescribe(&visit, antibiotic, Some(&condition), false);
            }
            "bronchitis" if self.chart.rng.chance(0.7) => {
                self.order_imaging(
                    &visit,
                    "chest_xray",
                    Some("chest_xray"),
                    "No focal consolidation. No pleural effusion.",
                    "bronchitis",
                );
            }
            "back_pain" => {
                self.chart
                    .prescribe(&visit, "ibuprofen", Some(&condition), false);
                if self.chart.rng.chance(0.3) {
                    self.order_imaging(
                        &visit,
                        "lumbar_xray",
                        None,
                        "Mild degenerative change. No fracture.",
                        "back_pain",
                    );
                }
            }
            "headache" => {
                self.chart
                    .prescribe(&visit, "acetaminophen", Some(&condition), false);
            }
            "ankle_sprain" => {
                self.chart
                    .prescribe(&visit, "ibuprofen", Some(&condition), false);
                self.order_imaging(
                    &visit,
                    "ankle_xray",
                    None,
                    "No acute fracture. Soft-tissue swelling laterally.",
                    "ankle_sprain",
                );
            }
            _ => {}
        }
        visit
            .services
            .push(Service::billed(self.chart.tables, "visit_low", None));
        self.chart.close_visit(visit);
    }
}
