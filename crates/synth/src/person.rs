//! Who a patient is: demographics, the Patient resources the network holds for them (one per
//! registration), and the near-duplicate registrations that matching should find.
//!
//! Each organisation that sees a patient gives them its own MRN in its own identifier system.
//! Most organisations share one registration (the network's master Patient, created by the
//! patient's primary-care clinic and carrying every MRN); for some patients one organisation
//! registered them again, with a typo, a nickname or an old address, and that organisation's
//! records point at the duplicate. The duplicates are listed in `duplicates.tsv`.

use crate::chart::{Chart, Entry};
use crate::date::Day;
use crate::fhir::{concept, link, resource};
use crate::ids::SSN_SYSTEM;
use crate::network::{Network, OrgKind};
use crate::rng::Rng;
use crate::tables::Tables;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    /// `AdministrativeGender` code.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Address {
    pub line: String,
    pub city: &'static str,
    pub state: &'static str,
    pub postal_code: &'static str,
}

impl Address {
    pub fn random(rng: &mut Rng, tables: &Tables) -> Address {
        let (city, state, postal_code) = rng
            .pick(&tables.places)
            .copied()
            .unwrap_or(("Columbus", "OH", "43215"));
        let street = rng.pick(&tables.streets).copied().unwrap_or("Main Street");
        let mut line = format!("{} {street}", rng.between(1, 9999));
        if rng.chance(0.15) {
            line.push_str(&format!(" Apt {}", rng.between(1, 40)));
        }
        Address {
            line,
            city,
            state,
            postal_code,
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "use": "home",
            "type": "physical",
            "line": [self.line],
            "city": self.city,
            "state": self.state,
            "postalCode": self.postal_code,
            "country": "US",
        })
    }
}

/// The languages patients speak, with rough weights for central Ohio (BCP-47 codes).
const LANGUAGES: [(&str, &str, u32); 6] = [
    ("en", "English", 870),
    ("es", "Spanish", 60),
    ("so", "Somali", 20),
    ("zh", "Chinese", 15),
    ("ar", "Arabic", 15),
    ("vi", "Vietnamese", 10),
];

/// A person's demographics as their primary-care clinic recorded them.
#[derive(Debug, Clone)]
pub struct Person {
    pub sex: Sex,
    pub given: &'static str,
    pub middle: Option<&'static str>,
    pub family: String,
    pub birth: Day,
    pub address: Address,
    pub phone: String,
    pub language: (&'static str, &'static str),
    pub ssn: Option<String>,
}

impl Person {
    /// A person alive on `today`, aged 0 to 95, with ages spread like a real population
    /// (fewer people at the oldest ages).
    pub fn random(rng: &mut Rng, tables: &Tables, today: Day) -> Person {
        let sex = if rng.chance(0.51) {
            Sex::Female
        } else {
            Sex::Male
        };
        let names = match sex {
            Sex::Female => &tables.given_female,
            Sex::Male => &tables.given_male,
        };
        let age_band = rng.weighted(&[12, 13, 13, 13, 13, 13, 12, 8, 3]);
        let age_days = (age_band as i64 * 10 * 365) + rng.below(10 * 365) as i64 + 30;
        let birth = today.plus(-(age_days as i32));
        let language = LANGUAGES[rng.weighted(&LANGUAGES.map(|(_, _, weight)| weight))];
        Person {
            sex,
            given: rng.pick(names).copied().unwrap_or("Alex"),
            middle: rng.chance(0.6).then(|| rng.pick(names).copied()).flatten(),
            family: rng
                .pick(&tables.family)
                .copied()
                .unwrap_or("Smith")
                .to_owned(),
            birth,
            address: Address::random(rng, tables),
            phone: format!(
                "{}-555-{:04}",
                rng.pick(&[614, 380, 740]).copied().unwrap_or(614),
                rng.below(10_000)
            ),
            language: (language.0, language.1),
            // Area numbers 900-999 are never issued, so these can never be someone's SSN.
            ssn: rng.chance(0.65).then(|| {
                format!(
                    "9{:02}-{:02}-{:04}",
                    rng.below(100),
                    rng.between(1, 99),
                    rng.between(1, 9999)
                )
            }),
        }
    }

    pub fn age_on(&self, day: Day) -> i32 {
        day.years_since(self.birth)
    }

    pub fn display_name(&self) -> String {
        format!("{} {}", self.given, self.family)
    }
}

/// A near-duplicate registration: how it differs from the master registration.
#[derive(Debug, Clone)]
pub struct Duplicate {
    pub person: Person,
    /// What was changed, comma-separated (`nickname`, `typo-family`, `moved`, `birth-date`).
    pub changes: String,
}

impl Duplicate {
    /// The same person as a hurried front desk might register them again.
    pub fn of(person: &Person, rng: &mut Rng, tables: &Tables) -> Duplicate {
        let mut copy = person.clone();
        let mut changes = Vec::new();
        let nicknames = tables.nicknames_of(person.given);
        if !nicknames.is_empty() && rng.chance(0.7) {
            copy.given = rng.pick(&nicknames).copied().unwrap_or(person.given);
            changes.push("nickname");
        }
        if changes.is_empty() || rng.chance(0.4) {
            copy.family = typo(&person.family, rng);
            changes.push("typo-family");
        }
        if rng.chance(0.5) {
            copy.address = Address::random(rng, tables);
            copy.phone = format!("614-555-{:04}", rng.below(10_000));
            changes.push("moved");
        }
        if rng.chance(0.15) {
            // Day and month swapped or off by one: the classic keying slips.
            copy.birth = person.birth.plus(if rng.chance(0.5) { 1 } else { -1 });
            changes.push("birth-date");
        }
        copy.middle = None;
        copy.ssn = None;
        Duplicate {
            person: copy,
            changes: changes.join(","),
        }
    }
}

/// One keying slip in a name: two neighbouring letters swapped, a letter dropped or doubled.
fn typo(name: &str, rng: &mut Rng) -> String {
    let mut letters: Vec<char> = name.chars().collect();
    if letters.len() < 3 {
        letters.push(letters.last().copied().unwrap_or('e'));
        return letters.into_iter().collect();
    }
    let at = 1 + rng.below(letters.len() as u64 - 2) as usize;
    match rng.below(3) {
        0 if letters[at] != letters[at + 1] => letters.swap(at, at + 1),
        1 => {
            letters.remove(at);
        }
        _ => letters.insert(at, letters[at]),
    }
    letters.into_iter().collect()
}

/// A Patient resource for one registration.
pub fn patient_resource(
    id: &str,
    person: &Person,
    author_org: usize,
    mrns: &[(usize, String)],
    member: Option<(&str, &str)>,
    network: &Network,
) -> Value {
    let author = &network.orgs[author_org];
    let mut identifiers: Vec<Value> = mrns
        .iter()
        .map(|(org, mrn)| {
            let org = &network.orgs[*org];
            json!({
                "use": "usual",
                "type": concept("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical record number"),
                "system": org.mrn_system,
                "value": mrn,
                "assigner": {"reference": format!("Organization/{}", org.id), "display": org.name},
            })
        })
        .collect();
    if let Some(ssn) = &person.ssn {
        identifiers.push(json!({
            "use": "official",
            "type": concept("http://terminology.hl7.org/CodeSystem/v2-0203", "SS", "Social Security number"),
            "system": SSN_SYSTEM,
            "value": ssn,
        }));
    }
    if let Some((system, value)) = member {
        identifiers.push(json!({
            "use": "secondary",
            "type": concept("http://terminology.hl7.org/CodeSystem/v2-0203", "MB", "Member Number"),
            "system": system,
            "value": value,
        }));
    }
    let mut given = vec![person.given];
    given.extend(person.middle);
    resource(
        "Patient",
        id,
        author.id,
        json!({
            "identifier": identifiers,
            "active": true,
            "name": [{"use": "official", "family": person.family, "given": given}],
            "telecom": [{"system": "phone", "value": person.phone, "use": "home"}],
            "gender": person.sex.code(),
            "birthDate": person.birth.to_string(),
            "address": [person.address.to_json()],
            "communication": [{
                "language": concept("urn:ietf:bcp:47", person.language.0, person.language.1),
                "preferred": true,
            }],
            "managingOrganization": link(&format!("Organization/{}", author.id)),
        }),
    )
}

impl Chart<'_> {
    /// Writes the Patient registrations at the head of the bundle once the history is known:
    /// the master (by the home clinic, with an MRN from every provider that saw the patient)
    /// and, when the duplicating organisation did see the patient, its own near-duplicate.
    pub fn register(&mut self, home_clinic: usize) {
        let network = self.network;
        let duplicate_org = self
            .duplicate
            .as_ref()
            .map(|(org, _)| *org)
            .filter(|org| self.seen_by.contains(org));
        let mut master_mrns = Vec::new();
        let mut duplicate_mrns = Vec::new();
        for org in self.seen_by.iter().copied() {
            if network.orgs[org].kind == OrgKind::Payer {
                continue; // payers know the patient by member id, on the Coverage
            }
            let mrn = format!(
                "{}{:07}",
                network.orgs[org].mrn_prefix,
                self.rng.below(10_000_000)
            );
            if Some(org) == duplicate_org {
                duplicate_mrns.push((org, mrn));
            } else {
                master_mrns.push((org, mrn));
            }
        }
        // The clinic scanned the insurance card for most insured patients.
        let member = self
            .insurance
            .clone()
            .filter(|_| self.rng.chance(0.7))
            .map(|insurance| (insurance.member_system, insurance.member_id));
        let member = member
            .as_ref()
            .map(|(system, id)| (system.as_str(), id.as_str()));
        let mut registrations = vec![Entry {
            resource_type: "Patient",
            id: self.master_id.clone(),
            resource: patient_resource(
                &self.master_id,
                &self.person,
                home_clinic,
                &master_mrns,
                member,
                network,
            ),
        }];
        if let (Some(org), Some((_, id))) = (duplicate_org, self.duplicate.clone()) {
            let duplicate = Duplicate::of(&self.person, &mut self.rng, self.tables);
            registrations.push(Entry {
                resource_type: "Patient",
                id: id.clone(),
                resource: patient_resource(
                    &id,
                    &duplicate.person,
                    org,
                    &duplicate_mrns,
                    None,
                    network,
                ),
            });
            self.duplicate_record = Some((org, id, duplicate.changes));
        }
        self.entries.splice(0..0, registrations);
    }
}
