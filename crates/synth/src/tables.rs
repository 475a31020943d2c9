//! The code tables in `data/` (see `data/SOURCES.md`), compiled in and parsed once per run.
//!
//! Lookups by key index a `BTreeMap`; the keys the generator uses are checked against the
//! tables by a test that reads the generator's source, so a missing key is caught in CI and
//! never reaches a run.

use crate::error::SynthError;
use std::collections::BTreeMap;

/// A condition or visit reason: its ICD-10-CM code and, for problems, its SNOMED CT concept.
#[derive(Debug)]
pub struct ConditionCode {
    pub icd10: &'static str,
    pub icd10_display: &'static str,
    pub snomed: Option<(&'static str, &'static str)>,
}

/// One laboratory test or vital sign with its unit and adult reference interval.
#[derive(Debug)]
pub struct TestCode {
    pub key: &'static str,
    pub loinc: &'static str,
    pub display: &'static str,
    /// UCUM unit; `None` for a panel with components only.
    pub unit: Option<&'static str>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub decimals: u32,
    pub panel: &'static str,
}

/// A panel or study ordered as one thing (and reported as one DiagnosticReport).
#[derive(Debug)]
pub struct PanelCode {
    pub loinc: &'static str,
    pub display: &'static str,
    pub billing_key: &'static str,
}

/// A billable service: CPT or HCPCS code, a price in cents and, for procedures, SNOMED CT.
#[derive(Debug)]
pub struct BillingCode {
    pub system: &'static str,
    pub code: &'static str,
    pub display: &'static str,
    pub price_cents: i64,
    pub snomed: Option<(&'static str, &'static str)>,
}

#[derive(Debug)]
pub struct MedicationCode {
    pub rxnorm: &'static str,
    pub display: &'static str,
    pub quantity: u32,
    pub days_supply: u32,
    pub dosage: &'static str,
}

#[derive(Debug)]
pub struct VaccineCode {
    pub cvx: &'static str,
    pub display: &'static str,
}

#[derive(Debug)]
pub struct AllergenCode {
    pub key: &'static str,
    pub system: &'static str,
    pub code: &'static str,
    pub display: &'static str,
    pub category: &'static str,
}

pub const CPT_SYSTEM: &str = "http://www.ama-assn.org/go/cpt";
pub const HCPCS_SYSTEM: &str = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
pub const SNOMED_SYSTEM: &str = "http://snomed.info/sct";
pub const RXNORM_SYSTEM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
pub const LOINC_SYSTEM: &str = "http://loinc.org";
pub const ICD10_SYSTEM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
pub const CVX_SYSTEM: &str = "http://hl7.org/fhir/sid/cvx";
pub const UCUM_SYSTEM: &str = "http://unitsofmeasure.org";

/// Every table, parsed.
#[derive(Debug)]
pub struct Tables {
    pub given_female: Vec<&'static str>,
    pub given_male: Vec<&'static str>,
    pub family: Vec<&'static str>,
    pub nicknames: Vec<(&'static str, &'static str)>,
    /// (city, state, postal code)
    pub places: Vec<(&'static str, &'static str, &'static str)>,
    pub streets: Vec<&'static str>,
    conditions: BTreeMap<&'static str, ConditionCode>,
    tests: BTreeMap<&'static str, TestCode>,
    /// Test keys in table order, so a panel's results come out in the usual report order.
    test_order: Vec<&'static str>,
    panels: BTreeMap<&'static str, PanelCode>,
    billing: BTreeMap<&'static str, BillingCode>,
    medications: BTreeMap<&'static str, MedicationCode>,
    vaccines: BTreeMap<&'static str, VaccineCode>,
    pub allergens: Vec<AllergenCode>,
}

/// The non-comment lines of a table after its header, split on tabs, with line numbers.
fn rows(
    table: &'static str,
    text: &'static str,
    columns: usize,
) -> Result<Vec<(usize, Vec<&'static str>)>, SynthError> {
    let mut rows = Vec::new();
    let mut header_seen = false;
    for (index, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != columns {
            return Err(SynthError::Table {
                table,
                line: index + 1,
                problem: format!("{} columns, expected {columns}", fields.len()),
            });
        }
        if header_seen {
            rows.push((index + 1, fields));
        } else {
            header_seen = true;
        }
    }
    Ok(rows)
}

fn lines(text: &'static str) -> Vec<&'static str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect()
}

fn optional(field: &'static str) -> Option<&'static str> {
    (field != "-").then_some(field)
}

fn number(table: &'static str, line: usize, field: &str) -> Result<Option<f64>, SynthError> {
    if field == "-" {
        return Ok(None);
    }
    field.parse().map(Some).map_err(|_| SynthError::Table {
        table,
        line,
        problem: format!("not a number: {field:?}"),
    })
}

fn integer(table: &'static str, line: usize, field: &str) -> Result<u32, SynthError> {
    field.parse().map_err(|_| SynthError::Table {
        table,
        line,
        problem: format!("not a whole number: {field:?}"),
    })
}

fn code_system(table: &'static str, line: usize, name: &str) -> Result<&'static str, SynthError> {
    match name {
        "cpt" => Ok(CPT_SYSTEM),
        "hcpcs" => Ok(HCPCS_SYSTEM),
        "snomed" => Ok(SNOMED_SYSTEM),
        "rxnorm" => Ok(RXNORM_SYSTEM),
        other => Err(SynthError::Table {
            table,
            line,
            problem: format!("unknown code system {other:?}"),
        }),
    }
}

impl Tables {
    /// Parses every table; fails only on a malformed table (a bug the tests catch).
    pub fn load() -> Result<Tables, SynthError> {
        let mut tables = Tables {
            given_female: lines(include_str!("../data/given_female.txt")),
            given_male: lines(include_str!("../data/given_male.txt")),
            family: lines(include_str!("../data/family.txt")),
            nicknames: Vec::new(),
            places: Vec::new(),
            streets: lines(include_str!("../data/streets.txt")),
            conditions: BTreeMap::new(),
            tests: BTreeMap::new(),
            test_order: Vec::new(),
            panels: BTreeMap::new(),
            billing: BTreeMap::new(),
            medications: BTreeMap::new(),
            vaccines: BTreeMap::new(),
            allergens: Vec::new(),
        };
        for (_, f) in rows("nicknames", include_str!("../data/nicknames.tsv"), 2)? {
            tables.nicknames.push((f[0], f[1]));
        }
        for (_, f) in rows("places", include_str!("../data/places.tsv"), 3)? {
            tables.places.push((f[0], f[1], f[2]));
        }
        for (_, f) in rows("conditions", include_str!("../data/conditions.tsv"), 5)? {
            let snomed = optional(f[3]).zip(optional(f[4]));
            tables.conditions.insert(
                f[0],
                ConditionCode {
                    icd10: f[1],
                    icd10_display: f[2],
                    snomed,
                },
            );
        }
        const TESTS: &str = "observations";
        for (line, f) in rows(TESTS, include_str!("../data/observations.tsv"), 8)? {
            tables.test_order.push(f[0]);
            tables.tests.insert(
                f[0],
                TestCode {
                    key: f[0],
                    loinc: f[1],
                    display: f[2],
                    unit: optional(f[3]),
                    low: number(TESTS, line, f[4])?,
                    high: number(TESTS, line, f[5])?,
                    decimals: integer(TESTS, line, f[6])?,
                    panel: f[7],
                },
            );
        }
        for (_, f) in rows("panels", include_str!("../data/panels.tsv"), 4)? {
            tables.panels.insert(
                f[0],
                PanelCode {
                    loinc: f[1],
                    display: f[2],
                    billing_key: f[3],
                },
            );
        }
        const BILLING: &str = "procedures";
        for (line, f) in rows(BILLING, include_str!("../data/procedures.tsv"), 7)? {
            let price = number(BILLING, line, f[4])?.unwrap_or(0.0);
            tables.billing.insert(
                f[0],
                BillingCode {
                    system: code_system(BILLING, line, f[1])?,
                    code: f[2],
                    display: f[3],
                    price_cents: (price * 100.0).round() as i64,
                    snomed: optional(f[5]).zip(optional(f[6])),
                },
            );
        }
        const MEDICATIONS: &str = "medications";
        for (line, f) in rows(MEDICATIONS, include_str!("../data/medications.tsv"), 6)? {
            tables.medications.insert(
                f[0],
                MedicationCode {
                    rxnorm: f[1],
                    display: f[2],
                    quantity: integer(MEDICATIONS, line, f[3])?,
                    days_supply: integer(MEDICATIONS, line, f[4])?,
                    dosage: f[5],
                },
            );
        }
        for (_, f) in rows("vaccines", include_str!("../data/vaccines.tsv"), 3)? {
            tables.vaccines.insert(
                f[0],
                VaccineCode {
                    cvx: f[1],
                    display: f[2],
                },
            );
        }
        const ALLERGIES: &str = "allergies";
        for (line, f) in rows(ALLERGIES, include_str!("../data/allergies.tsv"), 5)? {
            tables.allergens.push(AllergenCode {
                key: f[0],
                system: code_system(ALLERGIES, line, f[1])?,
                code: f[2],
                display: f[3],
                category: f[4],
            });
        }
        if tables.given_female.is_empty()
            || tables.given_male.is_empty()
            || tables.family.is_empty()
            || tables.places.is_empty()
            || tables.streets.is_empty()
            || tables.allergens.is_empty()
        {
            return Err(SynthError::Table {
                table: "names",
                line: 0,
                problem: "a name, place or allergen list is empty".to_owned(),
            });
        }
        Ok(tables)
    }

    // The accessors below index by keys written in the generator's source; the test
    // `every_key_in_the_source_is_in_a_table` proves each exists.

    pub fn condition(&self, key: &str) -> &ConditionCode {
        &self.conditions[key]
    }

    pub fn test(&self, key: &str) -> &TestCode {
        &self.tests[key]
    }

    /// The tests of a panel, in table order.
    pub fn panel_tests(&self, panel: &str) -> impl Iterator<Item = &TestCode> {
        self.test_order
            .iter()
            .filter_map(|key| self.tests.get(key))
            .filter(move |test| test.panel == panel)
    }

    pub fn panel(&self, key: &str) -> &PanelCode {
        &self.panels[key]
    }

    pub fn billing(&self, key: &str) -> &BillingCode {
        &self.billing[key]
    }

    pub fn medication(&self, key: &str) -> &MedicationCode {
        &self.medications[key]
    }

    pub fn vaccine(&self, key: &str) -> &VaccineCode {
        &self.vaccines[key]
    }

    /// The usual nicknames of a given name.
    pub fn nicknames_of(&self, given: &str) -> Vec<&'static str> {
        self.nicknames
            .iter()
            .filter(|(name, _)| *name == given)
            .map(|(_, nickname)| *nickname)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_loads_with_its_lookups() {
        let tables = Tables::load().expect("tables are well-formed");
        assert_eq!(tables.condition("diabetes").icd10, "E11.9");
        assert_eq!(tables.panel_tests("cbc").next().map(|t| t.key), Some("wbc"));
        assert!(tables.panel_tests("cmp").count() >= 14);
        assert_eq!(tables.billing("cbc").price_cents, 4500);
        assert!(tables.nicknames_of("William").contains(&"Bill"));
    }
}
