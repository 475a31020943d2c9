//! The provider network: its organisations (each of the kinds a real network has), their
//! practitioners and PractitionerRoles, and the bundle that creates them.
//!
//! The network is the same for every run of a seed and does not depend on the number of
//! patients. Organisations and practitioners get readable, stable ids (`riverside-family-
//! medicine`, `practitioner-014`) and are written with `PUT`, so patient bundles can refer to
//! them as `Organization/{id}` and a second import of the same files changes nothing.

use crate::fhir::{concept, link, resource};
use crate::ids::{NPI_SYSTEM, TAX_ID_SYSTEM, npi, tax_id};
use crate::person::Sex;
use crate::rng::Rng;
use crate::tables::{SNOMED_SYSTEM, Tables};
use serde_json::{Value, json};

/// What an organisation does in the network; the care paths send patients by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OrgKind {
    PrimaryCare,
    Cardiology,
    /// A hospital with an emergency department (its ED visits are its own).
    Hospital,
    Laboratory,
    Imaging,
    Pharmacy,
    School,
    Workplace,
    Payer,
}

impl OrgKind {
    /// Every kind, in the order the tests and summaries list them.
    pub const ALL: [OrgKind; 9] = [
        OrgKind::PrimaryCare,
        OrgKind::Cardiology,
        OrgKind::Hospital,
        OrgKind::Laboratory,
        OrgKind::Imaging,
        OrgKind::Pharmacy,
        OrgKind::School,
        OrgKind::Workplace,
        OrgKind::Payer,
    ];

    pub fn label(self) -> &'static str {
        match self {
            OrgKind::PrimaryCare => "primary-care",
            OrgKind::Cardiology => "cardiology",
            OrgKind::Hospital => "hospital",
            OrgKind::Laboratory => "laboratory",
            OrgKind::Imaging => "imaging",
            OrgKind::Pharmacy => "pharmacy",
            OrgKind::School => "school-clinic",
            OrgKind::Workplace => "workplace-clinic",
            OrgKind::Payer => "payer",
        }
    }
}

/// One organisation of the network.
#[derive(Debug)]
pub struct Org {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: OrgKind,
    /// Providers have an NPI; payers do not.
    pub npi: Option<String>,
    pub tax_id: String,
    /// Where this organisation's medical record numbers live (each organisation its own).
    pub mrn_system: String,
    /// Prefix of this organisation's MRNs, so numbers from two organisations never look alike.
    pub mrn_prefix: &'static str,
    pub city: &'static str,
    pub phone: String,
    /// Indexes into [`Network::practitioners`] of the people working here.
    pub staff: Vec<usize>,
}

/// A practitioner, working at one organisation in one role.
#[derive(Debug)]
pub struct Practitioner {
    pub id: String,
    pub role_id: String,
    pub given: &'static str,
    pub family: &'static str,
    pub sex: Sex,
    pub npi: String,
    pub org: usize,
    /// `practitioner-role` code: doctor, nurse or pharmacist.
    pub role: &'static str,
}

impl Practitioner {
    pub fn display(&self) -> String {
        match self.role {
            "doctor" => format!("Dr. {} {}", self.given, self.family),
            _ => format!("{} {}", self.given, self.family),
        }
    }
}

/// The organisations and their staff.
#[derive(Debug)]
pub struct Network {
    pub orgs: Vec<Org>,
    pub practitioners: Vec<Practitioner>,
}

/// (id, name, kind, MRN prefix, city, doctors, nurses)
type OrgSpec = (
    &'static str,
    &'static str,
    OrgKind,
    &'static str,
    &'static str,
    usize,
    usize,
);

const ORGS: [OrgSpec; 12] = [
    (
        "riverside-family-medicine",
        "Riverside Family Medicine",
        OrgKind::PrimaryCare,
        "RFM",
        "Columbus",
        4,
        3,
    ),
    (
        "northgate-primary-care",
        "Northgate Primary Care",
        OrgKind::PrimaryCare,
        "NPC",
        "Westerville",
        3,
        2,
    ),
    (
        "heartland-cardiology",
        "Heartland Cardiology Associates",
        OrgKind::Cardiology,
        "HCA",
        "Dublin",
        3,
        2,
    ),
    (
        "st-brigid-hospital",
        "St. Brigid Community Hospital and Emergency Department",
        OrgKind::Hospital,
        "SBH",
        "Columbus",
        6,
        6,
    ),
    (
        "central-ohio-laboratory",
        "Central Ohio Reference Laboratory",
        OrgKind::Laboratory,
        "COL",
        "Grove City",
        1,
        3,
    ),
    (
        "clearview-imaging",
        "Clearview Imaging Center",
        OrgKind::Imaging,
        "CVI",
        "Worthington",
        2,
        2,
    ),
    (
        "main-street-pharmacy",
        "Main Street Pharmacy",
        OrgKind::Pharmacy,
        "MSP",
        "Hilliard",
        0,
        0,
    ),
    (
        "lincoln-schools-health-office",
        "Lincoln City Schools Health Office",
        OrgKind::School,
        "LCS",
        "Gahanna",
        1,
        3,
    ),
    (
        "buckeye-logistics-employee-health",
        "Buckeye Logistics Employee Health Clinic",
        OrgKind::Workplace,
        "BLE",
        "Reynoldsburg",
        1,
        2,
    ),
    (
        "meridian-crest-health-plan",
        "Meridian Crest Health Plan",
        OrgKind::Payer,
        "MCH",
        "Columbus",
        0,
        0,
    ),
    (
        "ohio-valley-community-care",
        "Ohio Valley Community Care (Medicaid)",
        OrgKind::Payer,
        "OVC",
        "Columbus",
        0,
        0,
    ),
    (
        "silver-maple-medicare-advantage",
        "Silver Maple Medicare Advantage",
        OrgKind::Payer,
        "SMM",
        "Dublin",
        0,
        0,
    ),
];

/// Pharmacists at the pharmacy (the table above counts doctors and nurses).
const PHARMACISTS: usize = 3;

impl Network {
    /// The network of a seed.
    pub fn build(seed: u64, tables: &Tables) -> Network {
        // The network uses its own stream so patients can be generated independently of it.
        let mut rng = Rng::stream(seed, u64::MAX);
        let mut orgs = Vec::new();
        let mut practitioners = Vec::new();
        for (index, (id, name, kind, mrn_prefix, city, doctors, nurses)) in
            ORGS.into_iter().enumerate()
        {
            let org_npi =
                (kind != OrgKind::Payer).then(|| npi(200_000_000 + rng.below(99_999_999) as u32));
            let mut org = Org {
                id,
                name,
                kind,
                npi: org_npi,
                tax_id: tax_id(100_000_000 + rng.below(899_999_999) as u32),
                mrn_system: format!("https://{id}.example.org/fhir/sid/mrn"),
                mrn_prefix,
                city,
                phone: format!("614-555-{:04}", 1000 + index * 111),
                staff: Vec::new(),
            };
            let pharmacists = if kind == OrgKind::Pharmacy {
                PHARMACISTS
            } else {
                0
            };
            let roles = std::iter::repeat_n("doctor", doctors)
                .chain(std::iter::repeat_n("nurse", nurses))
                .chain(std::iter::repeat_n("pharmacist", pharmacists));
            for role in roles {
                let sex = if rng.chance(0.5) {
                    Sex::Female
                } else {
                    Sex::Male
                };
                let names = match sex {
                    Sex::Female => &tables.given_female,
                    Sex::Male => &tables.given_male,
                };
                let number = practitioners.len() + 1;
                org.staff.push(practitioners.len());
                practitioners.push(Practitioner {
                    id: format!("practitioner-{number:03}"),
                    role_id: format!("practitioner-role-{number:03}"),
                    given: rng.pick(names).copied().unwrap_or("Alex"),
                    family: rng.pick(&tables.family).copied().unwrap_or("Smith"),
                    sex,
                    npi: npi(100_000_000 + rng.below(99_999_999) as u32),
                    org: index,
                    role,
                });
            }
            orgs.push(org);
        }
        Network {
            orgs,
            practitioners,
        }
    }

    /// The first organisation of a kind (every kind has at least one).
    pub fn of_kind(&self, kind: OrgKind) -> usize {
        self.orgs
            .iter()
            .position(|org| org.kind == kind)
            .unwrap_or(0)
    }

    /// Every organisation of a kind.
    pub fn all_of_kind(&self, kind: OrgKind) -> Vec<usize> {
        (0..self.orgs.len())
            .filter(|index| self.orgs[*index].kind == kind)
            .collect()
    }

    /// The network's resources, in bundle order: the organisations, then each practitioner
    /// followed by their role.
    pub fn resources(&self) -> Vec<Value> {
        let mut resources = Vec::new();
        for org in &self.orgs {
            resources.push(self.organization(org));
        }
        for practitioner in &self.practitioners {
            resources.push(self.practitioner(practitioner));
            resources.push(self.role(practitioner));
        }
        resources
    }

    fn organization(&self, org: &Org) -> Value {
        let mut identifiers = vec![json!({
            "use": "official",
            "system": TAX_ID_SYSTEM,
            "value": org.tax_id,
        })];
        if let Some(npi) = &org.npi {
            identifiers.insert(
                0,
                json!({"use": "official", "system": NPI_SYSTEM, "value": npi}),
            );
        }
        let (type_code, type_display) = match org.kind {
            OrgKind::Payer => ("pay", "Payer"),
            _ => ("prov", "Healthcare Provider"),
        };
        resource(
            "Organization",
            org.id,
            org.id,
            json!({
                "identifier": identifiers,
                "active": true,
                "type": [concept(
                    "http://terminology.hl7.org/CodeSystem/organization-type",
                    type_code,
                    type_display,
                )],
                "name": org.name,
                "telecom": [{"system": "phone", "value": org.phone, "use": "work"}],
                "address": [{
                    "use": "work",
                    "line": [format!("{} Medical Center Drive", 100 + org.id.len() * 7)],
                    "city": org.city,
                    "state": "OH",
                    "country": "US",
                }],
            }),
        )
    }

    fn practitioner(&self, practitioner: &Practitioner) -> Value {
        let org = &self.orgs[practitioner.org];
        let (qualification_code, qualification) = match practitioner.role {
            "doctor" => ("MD", "Doctor of Medicine"),
            "pharmacist" => ("PharmD", "Doctor of Pharmacy"),
            _ => ("RN", "Registered Nurse"),
        };
        let mut name = json!({
            "use": "official",
            "family": practitioner.family,
            "given": [practitioner.given],
        });
        if let (true, Some(map)) = (practitioner.role == "doctor", name.as_object_mut()) {
            map.insert("prefix".into(), json!(["Dr."]));
        }
        resource(
            "Practitioner",
            &practitioner.id,
            org.id,
            json!({
                "identifier": [{"use": "official", "system": NPI_SYSTEM, "value": practitioner.npi}],
                "active": true,
                "name": [name],
                "gender": practitioner.sex.code(),
                "qualification": [{"code": concept(
                    "http://terminology.hl7.org/CodeSystem/v2-0360",
                    qualification_code,
                    qualification,
                )}],
            }),
        )
    }

    fn role(&self, practitioner: &Practitioner) -> Value {
        let org = &self.orgs[practitioner.org];
        let role_display = match practitioner.role {
            "doctor" => "Doctor",
            "pharmacist" => "Pharmacist",
            _ => "Nurse",
        };
        let (specialty_code, specialty) = specialty(org.kind);
        resource(
            "PractitionerRole",
            &practitioner.role_id,
            org.id,
            json!({
                "active": true,
                "practitioner": link(&format!("Practitioner/{}", practitioner.id)),
                "organization": link(&format!("Organization/{}", org.id)),
                "code": [concept(
                    "http://terminology.hl7.org/CodeSystem/practitioner-role",
                    practitioner.role,
                    role_display,
                )],
                "specialty": [concept(SNOMED_SYSTEM, specialty_code, specialty)],
            }),
        )
    }
}

/// The SNOMED CT practice specialty of each kind of organisation.
fn specialty(kind: OrgKind) -> (&'static str, &'static str) {
    match kind {
        OrgKind::Cardiology => ("394579002", "Cardiology"),
        OrgKind::Hospital => ("773568002", "Emergency medicine"),
        OrgKind::Laboratory => ("394915009", "General pathology"),
        OrgKind::Imaging => ("394914008", "Radiology"),
        OrgKind::Workplace => ("394821009", "Occupational medicine"),
        OrgKind::School => ("394537008", "Pediatric specialty"),
        OrgKind::Pharmacy => ("394814009", "General practice"),
        _ => ("394814009", "General practice"),
    }
}
