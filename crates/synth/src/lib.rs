//! `tessera-synth`: a synthetic multi-provider health network, written as FHIR R4
//! transaction Bundles, for demos, tests and benchmarks.
//!
//! [`generate`] writes, into one directory:
//!
//! - `network.json`: the organisations (two primary-care clinics, a cardiology practice, a
//!   hospital with an emergency department, a laboratory, an imaging centre, a pharmacy, a
//!   school clinic, a workplace clinic and three payers), their practitioners and
//!   PractitionerRoles, each with a valid NPI; organisations with tax ids. All `PUT` with
//!   stable readable ids.
//! - `patient-000001.json` ...: one transaction Bundle per patient: the Patient
//!   registration(s), Coverage, and about ten years of Encounters across the network with
//!   Conditions, vital signs and labs, DiagnosticReports, ServiceRequests, MedicationRequests
//!   and MedicationDispenses, AllergyIntolerances, Immunizations, Procedures and the billing
//!   trail (ChargeItems and Claims). References inside the bundle use `urn:uuid:`; references
//!   to the network use `Organization/{id}` and `Practitioner/{id}`.
//! - `duplicates.tsv`: the near-duplicate Patient registrations (nicknames, typos, moves)
//!   and which master registration each duplicates, so patient matching can be scored.
//!
//! Every resource carries its authoring organisation as a `meta.tag`
//! (`urn:tessera:authoring-organization`), which `tessera-records` stores as the author.
//!
//! # Design
//!
//! - **Deterministic.** One seed gives the same bytes: our own PRNG ([`rng`]), no clock, no
//!   environment, no hash-map iteration in output, no floating-point functions that differ
//!   between platforms. "Today" is a setting. Each patient draws from their own stream of the
//!   seed, so patient 17 is the same whether 20 or 20,000 patients are generated.
//! - **Streaming.** One patient is built in memory (about a thousand resources) and written
//!   before the next begins, so memory stays flat in the number of patients.
//! - **Data, not code, for codes.** Names, places and codes live in `data/*.tsv` (sources in
//!   `data/SOURCES.md`) and are compiled in.
//! - **Care paths as a queue of events** ([`care`]): check-ups, chronic follow-ups, acute
//!   illness, emergencies, referrals, school and workplace visits; the values of results
//!   come from the patient's physiology on the day ([`physiology`]), so trends are plausible.
//!
//! # Invariants
//!
//! No clock, environment or network access; the only I/O is writing into the output
//! directory. Depends on serde_json and thiserror only.

mod care;
mod chart;
pub mod date;
mod error;
pub mod fhir;
pub mod ids;
mod medications;
mod network;
mod observations;
mod person;
mod physiology;
pub mod rng;
mod specialty_visits;
mod tables;
mod visits;
mod writer;

pub use date::Day;
pub use error::SynthError;
pub use network::OrgKind;

use care::{CarePath, Plan};
use chart::Chart;
use network::Network;
use person::Person;
use rng::Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use tables::Tables;
use writer::BundleWriter;

/// The file holding the network's organisations, practitioners and roles.
pub const NETWORK_FILE: &str = "network.json";
/// The key file of near-duplicate registrations.
pub const DUPLICATES_FILE: &str = "duplicates.tsv";

/// What to generate.
#[derive(Debug, Clone)]
pub struct Settings {
    pub patients: u64,
    pub seed: u64,
    /// The last day of the history (the generator never reads the clock).
    pub today: Day,
    /// Worker threads generating patients (at least one). The output does not depend on it:
    /// each patient comes from its own random stream and is written to its own file.
    pub threads: usize,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub patients: u64,
    pub resources: u64,
    pub files: u64,
    /// Resources by type.
    pub by_type: BTreeMap<&'static str, u64>,
    /// Patients for whom each kind of organisation authored something.
    pub patients_seen_by_kind: BTreeMap<OrgKind, u64>,
    pub duplicates: u64,
}

/// The file name of patient `index` (counted from 1).
pub fn patient_file_name(index: u64) -> String {
    format!("patient-{index:06}.json")
}

fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> SynthError + use<> {
    let path = path.to_owned();
    move |source| SynthError::Write { path, source }
}

/// Writes the network and `settings.patients` patients into `out` (created if missing),
/// calling `progress` after each patient with the number written so far.
pub fn generate(
    settings: &Settings,
    out: &Path,
    mut progress: impl FnMut(u64),
) -> Result<Summary, SynthError> {
    if settings.today < Day::from_ymd(1950, 1, 1) {
        return Err(SynthError::Settings(
            "today must be after 1950-01-01".to_owned(),
        ));
    }
    fs::create_dir_all(out).map_err(write_error(out))?;
    let tables = Tables::load()?;
    let network = Network::build(settings.seed, &tables);
    let mut summary = Summary::default();

    let network_path = out.join(NETWORK_FILE);
    let mut bundle = BundleWriter::create(&network_path)?;
    let mut uuids = Rng::stream(settings.seed, u64::MAX - 1);
    for resource in network.resources() {
        let resource_type = match resource["resourceType"].as_str() {
            Some("Organization") => "Organization",
            Some("Practitioner") => "Practitioner",
            _ => "PractitionerRole",
        };
        let id = resource["id"].as_str().unwrap_or("");
        bundle.entry(&uuids.uuid(), resource_type, id, &resource)?;
        *summary.by_type.entry(resource_type).or_default() += 1;
    }
    summary.resources += bundle.finish()? as u64;
    summary.files += 1;

    let duplicates_path = out.join(DUPLICATES_FILE);
    let file = fs::File::create(&duplicates_path).map_err(write_error(&duplicates_path))?;
    let mut duplicates = std::io::BufWriter::new(file);
    writeln!(
        duplicates,
        "patient_file\tmaster_patient\tduplicate_patient\tregistered_by\tchanges"
    )
    .map_err(write_error(&duplicates_path))?;

    let threads = settings.threads.max(1);
    let next_index = AtomicU64::new(1);
    std::thread::scope(|scope| -> Result<(), SynthError> {
        // Bounded, so finished patients never pile up faster than they are merged.
        let (sender, receiver) =
            mpsc::sync_channel::<(u64, Result<Written, SynthError>)>(threads * 2);
        for _ in 0..threads {
            let sender = sender.clone();
            let (network, tables, next_index) = (&network, &tables, &next_index);
            scope.spawn(move || {
                loop {
                    let index = next_index.fetch_add(1, Ordering::Relaxed);
                    if index > settings.patients {
                        break;
                    }
                    let written = write_patient(settings, network, tables, index, out);
                    // A closed channel means the merge stopped on an error: stop too.
                    if sender.send((index, written)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        // Patients finish out of order; their summaries and key-file lines are merged in order.
        let mut finished = BTreeMap::new();
        let mut next_to_merge = 1;
        for (index, written) in receiver {
            finished.insert(index, written);
            while let Some(written) = finished.remove(&next_to_merge) {
                let written = written?;
                summary.resources += written.resources;
                summary.files += 1;
                summary.patients += 1;
                for (resource_type, count) in written.by_type {
                    *summary.by_type.entry(resource_type).or_default() += count;
                }
                for kind in written.kinds {
                    *summary.patients_seen_by_kind.entry(kind).or_default() += 1;
                }
                if let Some(line) = written.duplicate_line {
                    summary.duplicates += 1;
                    duplicates
                        .write_all(line.as_bytes())
                        .map_err(write_error(&duplicates_path))?;
                }
                progress(next_to_merge);
                next_to_merge += 1;
            }
        }
        Ok(())
    })?;
    duplicates.flush().map_err(write_error(&duplicates_path))?;
    summary.files += 1;
    Ok(summary)
}

/// What writing one patient produced, for the summary and the key file.
struct Written {
    resources: u64,
    by_type: BTreeMap<&'static str, u64>,
    kinds: BTreeSet<OrgKind>,
    duplicate_line: Option<String>,
}

/// Generates patient `index` and writes their bundle.
fn write_patient(
    settings: &Settings,
    network: &Network,
    tables: &Tables,
    index: u64,
    out: &Path,
) -> Result<Written, SynthError> {
    let chart = generate_patient(settings, network, tables, index);
    let path = out.join(patient_file_name(index));
    let mut bundle = BundleWriter::create(&path)?;
    let mut by_type = BTreeMap::new();
    for entry in &chart.entries {
        bundle.entry(&entry.id, entry.resource_type, &entry.id, &entry.resource)?;
        *by_type.entry(entry.resource_type).or_default() += 1;
    }
    let resources = bundle.finish()? as u64;
    let kinds = chart
        .seen_by
        .iter()
        .map(|org| network.orgs[*org].kind)
        .collect();
    let duplicate_line = chart
        .duplicate_record
        .as_ref()
        .map(|(org, duplicate_id, changes)| {
            format!(
                "{}\t{}\t{duplicate_id}\t{}\t{changes}\n",
                patient_file_name(index),
                chart.master_id,
                network.orgs[*org].id
            )
        });
    Ok(Written {
        resources,
        by_type,
        kinds,
        duplicate_line,
    })
}
/// One patient's whole chart, Patient registrations first.
fn generate_patient<'a>(
    settings: &Settings,
    network: &'a Network,
    tables: &'a Tables,
    index: u64,
) -> Chart<'a> {
    let mut rng = Rng::stream(settings.seed, index);
    let person = Person::random(&mut rng, tables, settings.today);
    let history_start = settings
        .today
        .plus(-365 * care::HISTORY_YEARS)
        .max(person.birth);
    let mut chart = Chart::new(network, tables, rng, person, settings.today, history_start);
    // Decided before the history is played, because that organisation's records point at
    // the duplicate; dropped afterwards if it never saw the patient.
    // About one patient in ten ends up with a second registration: mostly where patients
    // walk in without their clinic's paperwork (the emergency department, the pharmacy).
    let duplicate_org = chart.rng.chance(0.15).then(|| {
        let candidates = [
            OrgKind::Hospital,
            OrgKind::Hospital,
            OrgKind::Pharmacy,
            OrgKind::Pharmacy,
            OrgKind::Laboratory,
            OrgKind::Imaging,
        ];
        let kind = chart
            .rng
            .pick(&candidates)
            .copied()
            .unwrap_or(OrgKind::Hospital);
        network.of_kind(kind)
    });
    if let Some(org) = duplicate_org {
        let id = chart.rng.uuid();
        chart.duplicate = Some((org, id));
    }
    let plan = Plan::random(&mut chart);
    let home_clinic = plan.home_clinic;
    {
        let mut path = CarePath::new(&mut chart, plan);
        path.enrol();
        path.book_routine();
        path.play();
    }
    chart.seen_by.insert(home_clinic);
    chart.register(home_clinic);
    chart
}
