//! Care paths: what happens to a patient, and when.
//!
//! A [`Plan`] is drawn once per patient (their home clinic, insurance, chronic conditions with
//! onset days, allergies, job, smoking). The history is then played forward through a queue
//! of dated events: yearly check-ups, chronic follow-ups, acute illnesses, emergency visits,
//! school and workplace visits, flu shots. Handling an event can schedule more (a referral
//! books a cardiology visit), which is why this is a queue and not a list. Everything is
//! driven by the patient's own random stream, so the history is reproducible.

use crate::chart::{Chart, Insurance};
use crate::date::Day;
use crate::fhir::{concept, link};
use crate::network::OrgKind;
use crate::physiology::Course;
use serde_json::json;
use std::collections::BTreeMap;

/// Years of history generated before "today".
pub const HISTORY_YEARS: i32 = 12;

/// Something that happens to the patient on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Wellness,
    FollowUp,
    Acute,
    Emergency,
    CardiologyVisit,
    SchoolVisit,
    SportsPhysical,
    SchoolFlu,
    PreEmployment,
    WorkplaceCheck,
    WorkplaceInjury,
    WorkplaceFlu,
    PharmacyFlu,
}

/// A patient's chronic condition with its onset.
#[derive(Debug, Clone, Copy)]
pub struct Chronic {
    pub key: &'static str,
    pub onset: Day,
}

/// What is decided about a patient before their history is played.
#[derive(Debug)]
pub struct Plan {
    pub home_clinic: usize,
    pub chronic: Vec<Chronic>,
    pub allergies: Vec<usize>,
    pub smoker: (&'static str, &'static str),
    /// When the patient worked for the employer with the workplace clinic.
    pub employment: Option<(Day, Day)>,
}

/// The state of a history being played.
pub struct CarePath<'c, 'a> {
    pub chart: &'c mut Chart<'a>,
    pub plan: Plan,
    queue: BTreeMap<(Day, u32), Event>,
    sequence: u32,
    /// Conditions recorded on the problem list, by key.
    pub diagnosed: BTreeMap<&'static str, String>,
    pub allergies_recorded: bool,
    pub cardiology_booked: bool,
    pub echo_done: bool,
    pub last_td: Option<Day>,
    pub given_once: Vec<&'static str>,
}

impl Plan {
    /// Draws a plan for the chart's person.
    pub fn random(chart: &mut Chart<'_>) -> Plan {
        let today = chart.today;
        let birth = chart.person.birth;
        let age = chart.person.age_on(today);
        let rng = &mut chart.rng;
        let clinics = chart.network.all_of_kind(OrgKind::PrimaryCare);
        let home_clinic = rng.pick(&clinics).copied().unwrap_or(0);
        let mut chronic = Vec::new();
        // (condition, lowest age of onset, chance for someone of this age)
        let risks: [(&str, i32, f64); 8] = [
            (
                "hypertension",
                25,
                match age {
                    0..30 => 0.02,
                    30..45 => 0.18,
                    45..60 => 0.38,
                    _ => 0.6,
                },
            ),
            (
                "diabetes",
                30,
                match age {
                    0..30 => 0.0,
                    30..45 => 0.07,
                    45..65 => 0.16,
                    _ => 0.22,
                },
            ),
            ("hyperlipidemia", 35, if age >= 35 { 0.3 } else { 0.0 }),
            ("asthma", 3, 0.08),
            (
                "atrial_fibrillation",
                55,
                if age >= 60 { 0.09 } else { 0.0 },
            ),
            ("coronary_disease", 45, if age >= 50 { 0.08 } else { 0.0 }),
            ("allergic_rhinitis", 4, 0.12),
            (
                "osteoporosis",
                55,
                if age >= 60 && chart.person.sex == crate::person::Sex::Female {
                    0.18
                } else {
                    0.0
                },
            ),
        ];
        for (key, lowest_age, chance) in risks {
            if age > lowest_age && rng.chance(chance) {
                // Half the onsets fall inside the history, so diagnoses and trends show up.
                let earliest = if rng.chance(0.5) {
                    (age - HISTORY_YEARS).max(lowest_age)
                } else {
                    lowest_age
                };
                let span_days = ((age - earliest).max(1) * 365) as u64;
                let onset = birth
                    .plus(earliest * 365 + rng.below(span_days) as i32)
                    .min(today.plus(-30));
                chronic.push(Chronic { key, onset });
            }
        }
        let has_diabetes = chronic.iter().any(|c| c.key == "diabetes");
        if !has_diabetes && age >= 30 && rng.chance(0.12) {
            let onset = today
                .plus(-(rng.between(200, 3000) as i32))
                .max(birth.plus(30 * 365));
            chronic.push(Chronic {
                key: "prediabetes",
                onset,
            });
        }
        let mut allergies = Vec::new();
        if rng.chance(0.25) {
            let count = chart.tables.allergens.len() as u64;
            allergies.push(rng.below(count) as usize);
            if rng.chance(0.3) {
                let second = rng.below(count) as usize;
                if !allergies.contains(&second) {
                    allergies.push(second);
                }
            }
        }
        let smoker = match rng.weighted(&[62, 24, 14]) {
            0 => ("266919005", "Never smoker"),
            1 => ("8517006", "Ex-smoker"),
            _ => ("77176002", "Smoker"),
        };
        let history_start = chart.history_start;
        let employment = (age >= 19 && rng.chance(0.6)).then(|| {
            let earliest = history_start.max(birth.plus(18 * 365 + 60));
            let span = (today.0 - earliest.0).max(1) as u64;
            let start = earliest.plus(rng.below(span / 2 + 1) as i32);
            let end = if rng.chance(0.7) || age >= 67 {
                today
            } else {
                start.plus(rng.between(365, 6 * 365) as i32).min(today)
            };
            (start, end)
        });
        Plan {
            home_clinic,
            chronic,
            allergies,
            smoker,
            employment,
        }
    }

    pub fn onset_of(&self, key: &str) -> Option<Day> {
        self.chronic.iter().find(|c| c.key == key).map(|c| c.onset)
    }
}

impl<'c, 'a> CarePath<'c, 'a> {
    pub fn new(chart: &'c mut Chart<'a>, plan: Plan) -> CarePath<'c, 'a> {
        for condition in &plan.chronic {
            let course = Some(Course {
                onset: condition.onset,
                treated: None,
            });
            match condition.key {
                "hypertension" => chart.courses.hypertension = course,
                "diabetes" => chart.courses.diabetes = course,
                "hyperlipidemia" => chart.courses.hyperlipidemia = course,
                "prediabetes" => chart.courses.prediabetes = true,
                _ => {}
            }
        }
        CarePath {
            chart,
            plan,
            queue: BTreeMap::new(),
            sequence: 0,
            diagnosed: BTreeMap::new(),
            allergies_recorded: false,
            cardiology_booked: false,
            echo_done: false,
            last_td: None,
            given_once: Vec::new(),
        }
    }

    /// Books an event (on the next weekday for clinic events; never after the history ends).
    pub fn schedule(&mut self, day: Day, event: Event) {
        let day = match event {
            Event::Emergency | Event::PharmacyFlu => day,
            _ => day.on_weekday(),
        };
        if day >= self.chart.history_start && day < self.chart.today {
            self.sequence += 1;
            self.queue.insert((day, self.sequence), event);
        }
    }

    /// Writes the patient's coverage (authored by the payer) and remembers it for claims.
    pub fn enrol(&mut self) {
        let chart = &mut *self.chart;
        let age = chart.person.age_on(chart.today);
        let payers = chart.network.all_of_kind(OrgKind::Payer);
        let (commercial, medicaid, medicare) = (
            payers.first().copied(),
            payers.get(1).copied(),
            payers.get(2).copied(),
        );
        let payer = match chart.rng.below(100) {
            _ if age >= 65 => {
                if chart.rng.chance(0.7) {
                    medicare
                } else {
                    commercial
                }
            }
            0..8 => None,
            8..33 => medicaid,
            _ => commercial,
        };
        let Some(payer) = payer else { return };
        let org = &chart.network.orgs[payer];
        let (type_code, type_display) = if org.id.contains("medic") {
            ("PUBLICPOL", "public healthcare")
        } else {
            ("HIP", "health insurance plan policy")
        };
        let member = format!("{}{:09}", org.mrn_prefix, chart.rng.below(1_000_000_000));
        let member_system = format!("https://{}.example.org/fhir/sid/member", org.id);
        let body = json!({
            "identifier": [{"system": member_system, "value": member}],
            "status": "active",
            "type": concept("http://terminology.hl7.org/CodeSystem/v3-ActCode", type_code, type_display),
            "subscriber": link(&chart.patient_ref(payer)),
            "subscriberId": member,
            "beneficiary": chart.subject(payer),
            "relationship": concept("http://terminology.hl7.org/CodeSystem/subscriber-relationship", "self", "Self"),
            "period": {"start": chart.history_start.to_string()},
            "payor": [chart.org_ref(payer)],
            "class": [{
                "type": concept("http://terminology.hl7.org/CodeSystem/coverage-class", "group", "Group"),
                "value": format!("GRP-{:05}", chart.rng.below(100_000)),
                "name": org.name,
            }],
        });
        let coverage_ref = chart.add("Coverage", payer, body);
        chart.insurance = Some(Insurance {
            payer,
            coverage_ref,
            member_system,
            member_id: member,
        });
    }

    /// Books the routine events of the whole history.
    pub fn book_routine(&mut self) {
        let start = self.chart.history_start;
        let today = self.chart.today;
        let birth = self.chart.person.birth;
        // Check-ups: infants at the usual ages in months, everyone else about yearly.
        for months in [2, 4, 6, 9, 12, 15, 18, 24, 30] {
            self.schedule(birth.plus(months * 304 / 10), Event::Wellness);
        }
        let first_year = start.year();
        for year in first_year..=today.year() {
            let (_, birth_month, _) = birth.ymd();
            let anniversary =
                Day::from_ymd(year, birth_month, 1).plus(self.chart.rng.between(0, 60) as i32);
            let age = anniversary.years_since(birth);
            if age >= 3 && self.chart.rng.chance(0.88) {
                self.schedule(anniversary, Event::Wellness);
            }
            let october = Day::from_ymd(year, 10, 1).plus(self.chart.rng.between(0, 45) as i32);
            let employed = self
                .plan
                .employment
                .is_some_and(|(from, to)| october >= from && october <= to);
            let school_age = (5..=18).contains(&october.years_since(birth));
            if employed && self.chart.rng.chance(0.55) {
                self.schedule(october, Event::WorkplaceFlu);
            } else if school_age && self.chart.rng.chance(0.35) {
                self.schedule(october, Event::SchoolFlu);
            } else if age >= 18 && self.chart.rng.chance(0.3) {
                self.schedule(october, Event::PharmacyFlu);
            }
            if employed && self.chart.rng.chance(0.6) {
                let offset = self.chart.rng.between(0, 60) as i32;
                self.schedule(
                    Day::from_ymd(year, 4, 1).plus(offset),
                    Event::WorkplaceCheck,
                );
            }
            let august = Day::from_ymd(year, 8, 1).plus(self.chart.rng.between(0, 25) as i32);
            if (12..=18).contains(&august.years_since(birth)) && self.chart.rng.chance(0.5) {
                self.schedule(august, Event::SportsPhysical);
            }
        }
        if let Some((from, _)) = self.plan.employment {
            self.schedule(from.plus(-7), Event::PreEmployment);
        }
        // Chronic follow-ups: diabetes every three months, hypertension every six.
        let follow_up_gap = if self.plan.onset_of("diabetes").is_some() {
            Some((90, self.plan.onset_of("diabetes")))
        } else if self.plan.onset_of("hypertension").is_some() {
            Some((180, self.plan.onset_of("hypertension")))
        } else {
            None
        };
        if let Some((gap, Some(onset))) = follow_up_gap {
            let mut day = onset.max(start).plus(30);
            while day < today {
                self.schedule(day, Event::FollowUp);
                day = day.plus(gap + self.chart.rng.between(-15, 15) as i32);
            }
        }
        // Illness and injury arrive at random, month by month.
        let mut month = start;
        while month < today {
            let age = month.years_since(birth);
            let acute_rate = if age < 12 { 1.2 } else { 0.55 };
            if self.chart.rng.chance(acute_rate / 12.0) {
                let offset = self.chart.rng.between(0, 29) as i32;
                self.schedule(month.plus(offset), Event::Acute);
            }
            if self.chart.rng.chance(0.13 / 12.0) {
                let offset = self.chart.rng.between(0, 29) as i32;
                self.schedule(month.plus(offset), Event::Emergency);
            }
            let (_, calendar_month, _) = month.ymd();
            let school_term = !(6..=8).contains(&calendar_month);
            if (5..=18).contains(&age) && school_term && self.chart.rng.chance(0.12) {
                let offset = self.chart.rng.between(0, 29) as i32;
                self.schedule(month.plus(offset), Event::SchoolVisit);
            }
            let employed = self
                .plan
                .employment
                .is_some_and(|(from, to)| month >= from && month <= to);
            if employed && self.chart.rng.chance(0.1 / 12.0) {
                let offset = self.chart.rng.between(0, 29) as i32;
                self.schedule(month.plus(offset), Event::WorkplaceInjury);
            }
            month = month.plus(30);
        }
    }

    /// Plays every booked event in date order, handling what each one books in turn.
    pub fn play(&mut self) {
        while let Some(((day, _), event)) = self.queue.pop_first() {
            match event {
                Event::Wellness => self.wellness(day),
                Event::FollowUp => self.follow_up(day),
                Event::Acute => self.acute(day),
                Event::Emergency => self.emergency(day),
                Event::CardiologyVisit => self.cardiology(day),
                Event::SchoolVisit => self.school_visit(day),
                Event::SportsPhysical => self.sports_physical(day),
                Event::SchoolFlu => self.flu_shot(day, OrgKind::School),
                Event::PreEmployment => self.pre_employment(day),
                Event::WorkplaceCheck => self.workplace_check(day),
                Event::WorkplaceInjury => self.workplace_injury(day),
                Event::WorkplaceFlu => self.flu_shot(day, OrgKind::Workplace),
                Event::PharmacyFlu => self.flu_shot(day, OrgKind::Pharmacy),
            }
        }
    }
}
