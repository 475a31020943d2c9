//! The numbers behind vital signs and laboratory results: each a function of the patient's
//! fixed traits, their age and their chronic conditions on the day, plus measurement noise.
//!
//! Values are computed from the day, not carried from visit to visit, so a result does not
//! depend on the order visits are generated in, and trends follow the disease course: HbA1c
//! creeps up before diabetes is diagnosed and settles towards 7% once metformin starts; blood
//! pressure rises with age and hypertension and falls back under treatment; LDL falls on a
//! statin.

use crate::date::Day;
use crate::person::Sex;
use crate::rng::Rng;

/// Traits drawn once per patient.
#[derive(Debug, Clone)]
pub struct Traits {
    pub sex: Sex,
    pub birth: Day,
    pub adult_height_cm: f64,
    pub bmi_at_start: f64,
    /// BMI change per year.
    pub bmi_drift: f64,
    pub systolic_offset: f64,
    pub ldl_base: f64,
    pub hdl_base: f64,
    pub resting_heart_rate: f64,
}

/// The course of a chronic condition: when it began and when treatment started.
#[derive(Debug, Clone, Copy)]
pub struct Course {
    pub onset: Day,
    pub treated: Option<Day>,
}

impl Course {
    fn years_since_onset(&self, day: Day) -> Option<f64> {
        (day >= self.onset).then(|| f64::from(day.0 - self.onset.0) / 365.25)
    }

    /// 0 before treatment, rising to 1 over `months` after it starts.
    fn treatment_effect(&self, day: Day, months: f64) -> f64 {
        match self.treated {
            Some(start) if day >= start => (f64::from(day.0 - start.0) / (months * 30.4)).min(1.0),
            _ => 0.0,
        }
    }
}

/// The chronic conditions that shape results.
#[derive(Debug, Clone, Default)]
pub struct Courses {
    pub hypertension: Option<Course>,
    pub diabetes: Option<Course>,
    pub prediabetes: bool,
    pub hyperlipidemia: Option<Course>,
}

/// Fraction of adult height reached at an age (years), interpolated from a growth table.
fn growth_fraction(age: f64) -> f64 {
    const TABLE: [(f64, f64); 11] = [
        (0.0, 0.29),
        (1.0, 0.43),
        (2.0, 0.50),
        (4.0, 0.59),
        (6.0, 0.67),
        (8.0, 0.74),
        (10.0, 0.80),
        (12.0, 0.86),
        (14.0, 0.93),
        (16.0, 0.98),
        (18.0, 1.0),
    ];
    for pair in TABLE.windows(2) {
        let ((age0, f0), (age1, f1)) = (pair[0], pair[1]);
        if age < age1 {
            return f0 + (f1 - f0) * (age - age0).max(0.0) / (age1 - age0);
        }
    }
    1.0
}

impl Traits {
    pub fn random(rng: &mut Rng, sex: Sex, birth: Day) -> Traits {
        let (height_mean, heart_rate) = match sex {
            Sex::Female => (163.0, 74.0),
            Sex::Male => (177.0, 70.0),
        };
        Traits {
            sex,
            birth,
            adult_height_cm: rng.normal(height_mean, 7.0),
            bmi_at_start: rng.normal(27.5, 5.0).clamp(17.5, 46.0),
            bmi_drift: rng.normal(0.12, 0.2),
            systolic_offset: rng.normal(0.0, 6.0),
            ldl_base: rng.normal(112.0, 22.0).clamp(60.0, 190.0),
            hdl_base: rng
                .normal(if sex == Sex::Female { 58.0 } else { 48.0 }, 9.0)
                .clamp(28.0, 95.0),
            resting_heart_rate: rng.normal(heart_rate, 7.0).clamp(52.0, 95.0),
        }
    }

    pub fn age(&self, day: Day) -> f64 {
        f64::from(day.0 - self.birth.0) / 365.25
    }

    pub fn height_cm(&self, day: Day) -> f64 {
        self.adult_height_cm * growth_fraction(self.age(day))
    }

    pub fn bmi(&self, day: Day, history_start: Day) -> f64 {
        let age = self.age(day);
        if age < 18.0 {
            // Children's BMI dips after infancy and rises through adolescence.
            return 16.0 + (age - 5.0).abs() * 0.25 + (self.bmi_at_start - 27.5) * 0.15;
        }
        let years = f64::from(day.0 - history_start.0) / 365.25;
        (self.bmi_at_start + self.bmi_drift * years).clamp(16.0, 55.0)
    }

    pub fn weight_kg(&self, day: Day, history_start: Day) -> f64 {
        let metres = self.height_cm(day) / 100.0;
        self.bmi(day, history_start) * metres * metres
    }

    /// Systolic pressure before noise: rises with age; hypertension adds ~25 mmHg, treatment
    /// takes most of that back over six months.
    pub fn systolic(&self, day: Day, courses: &Courses) -> f64 {
        let age = self.age(day);
        let mut value = if age < 18.0 {
            95.0 + age * 1.2
        } else {
            112.0 + (age - 18.0) * 0.35
        };
        value += self.systolic_offset;
        if let Some(course) = courses.hypertension
            && let Some(years) = course.years_since_onset(day)
        {
            value += 18.0 + years.min(5.0) * 2.0 - 16.0 * course.treatment_effect(day, 6.0);
        }
        value
    }

    pub fn heart_rate(&self, day: Day) -> f64 {
        let age = self.age(day);
        if age < 12.0 {
            self.resting_heart_rate + 40.0 - age * 3.0
        } else {
            self.resting_heart_rate
        }
    }

    pub fn respiratory_rate(&self, day: Day) -> f64 {
        let age = self.age(day);
        if age < 12.0 { 30.0 - age * 1.2 } else { 16.0 }
    }

    /// HbA1c (%): normal ~5.3; prediabetes ~5.9; before a diabetes diagnosis it climbs to
    /// ~8.5, then falls towards ~7 under treatment.
    pub fn a1c(&self, day: Day, courses: &Courses) -> f64 {
        let mut value = if courses.prediabetes { 5.9 } else { 5.3 };
        if let Some(course) = courses.diabetes {
            let days_to_onset = f64::from(course.onset.0 - day.0);
            if days_to_onset > 0.0 {
                value = 5.9 + (2.6 * (1.0 - days_to_onset / 1095.0)).max(0.0);
            } else {
                value = 8.5 - 1.5 * course.treatment_effect(day, 6.0);
            }
        }
        value
    }

    /// Fasting glucose (mg/dL) from HbA1c by the ADAG estimated-average-glucose relation.
    pub fn glucose(&self, day: Day, courses: &Courses) -> f64 {
        (28.7 * self.a1c(day, courses) - 46.7).max(65.0)
    }

    pub fn ldl(&self, day: Day, courses: &Courses) -> f64 {
        let mut value = self.ldl_base;
        if let Some(course) = courses.hyperlipidemia
            && course.years_since_onset(day).is_some()
        {
            value += 50.0 - 60.0 * course.treatment_effect(day, 3.0);
        }
        value
    }

    pub fn creatinine(&self, day: Day) -> f64 {
        let base = if self.sex == Sex::Male { 1.0 } else { 0.8 };
        base + (self.age(day) - 50.0).max(0.0) * 0.006
    }

    /// A rough eGFR (mL/min/1.73 m2) that declines with age, as the CKD-EPI curve does.
    pub fn egfr(&self, day: Day) -> f64 {
        (125.0 - (self.age(day) - 20.0).max(0.0) * 0.9).clamp(35.0, 130.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn traits() -> Traits {
        Traits {
            sex: Sex::Female,
            birth: Day::from_ymd(1960, 5, 1),
            adult_height_cm: 165.0,
            bmi_at_start: 29.0,
            bmi_drift: 0.1,
            systolic_offset: 0.0,
            ldl_base: 120.0,
            hdl_base: 55.0,
            resting_heart_rate: 72.0,
        }
    }

    #[test]
    fn hba1c_climbs_before_a_diabetes_diagnosis_and_settles_under_treatment() {
        let onset = Day::from_ymd(2020, 1, 1);
        let diagnosed = onset.plus(60);
        let courses = Courses {
            diabetes: Some(Course {
                onset,
                treated: Some(diagnosed),
            }),
            ..Courses::default()
        };
        let traits = traits();
        let three_years_before = traits.a1c(onset.plus(-3 * 365), &courses);
        let one_year_before = traits.a1c(onset.plus(-365), &courses);
        let at_diagnosis = traits.a1c(diagnosed, &courses);
        let a_year_on = traits.a1c(diagnosed.plus(365), &courses);
        assert!(three_years_before < one_year_before && one_year_before < at_diagnosis);
        assert!(
            at_diagnosis >= 8.0,
            "diagnosed above the 6.5% threshold, well into diabetes"
        );
        assert!(
            a_year_on < at_diagnosis && a_year_on > 6.5,
            "treated towards ~7%: {a_year_on}"
        );
        assert!(traits.glucose(diagnosed, &courses) > 126.0);
    }

    #[test]
    fn blood_pressure_rises_with_hypertension_and_falls_with_treatment() {
        let onset = Day::from_ymd(2018, 1, 1);
        let treated = onset.plus(200);
        let courses = Courses {
            hypertension: Some(Course {
                onset,
                treated: Some(treated),
            }),
            ..Courses::default()
        };
        let traits = traits();
        let before = traits.systolic(onset.plus(-10), &courses);
        let untreated = traits.systolic(treated, &courses);
        let controlled = traits.systolic(treated.plus(365), &courses);
        assert!(
            untreated > before + 15.0 && untreated > 140.0,
            "{before} -> {untreated}"
        );
        assert!(controlled < untreated - 10.0, "{untreated} -> {controlled}");
    }

    #[test]
    fn ldl_falls_on_a_statin_and_children_grow() {
        let onset = Day::from_ymd(2019, 1, 1);
        let courses = Courses {
            hyperlipidemia: Some(Course {
                onset,
                treated: Some(onset.plus(30)),
            }),
            ..Courses::default()
        };
        let traits = traits();
        assert!(
            traits.ldl(onset.plus(365), &courses) < traits.ldl(onset.plus(29), &courses) - 40.0
        );
        let child = Traits {
            birth: Day::from_ymd(2015, 1, 1),
            ..traits
        };
        let heights: Vec<f64> = (0..18)
            .map(|age| child.height_cm(child.birth.plus(age * 365 + 10)))
            .collect();
        assert!(
            heights.windows(2).all(|pair| pair[0] < pair[1]),
            "{heights:?}"
        );
    }
}
