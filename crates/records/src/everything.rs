//! `Patient/{id}/$everything`: the patient's whole record, every resource in
//! its Patient compartment (found by the patient key every stored row
//! carries, so it is one indexed range, however many providers wrote it),
//! plus the resources outside the compartment that those refer to
//! (practitioners, organisations, medications, locations...).

use crate::{RecordError, RecordService};
use tessera_fhir::search::{Comparison, Condition, Criterion, DateRange, SearchQuery, TotalMode};
use tessera_store::{Instant, ResourceKey, SearchPage};

/// Types outside the Patient compartment that `$everything` brings along
/// when the patient's resources refer to them.
const REFERENCED_TYPES: &[&str] = &[
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "Location",
    "Medication",
    "Device",
    "Substance",
    "HealthcareService",
];

impl RecordService {
    /// One page of `$everything` for `patient_id`: optionally only `types`,
    /// only versions updated since `since`.
    pub async fn everything(
        &self,
        patient_id: &str,
        types: Vec<String>,
        since: Option<Instant>,
        count: usize,
        cursor: Option<&str>,
    ) -> Result<SearchPage, RecordError> {
        let patient = ResourceKey::new("Patient", patient_id);
        self.read(&patient).await?;
        let criteria = since
            .map(|since| Criterion {
                any_of: vec![Condition::LastUpdated(DateRange {
                    comparison: Comparison::Ge,
                    low: since.millis(),
                    high: since.millis(),
                })],
            })
            .into_iter()
            .collect();
        let query = SearchQuery {
            resource_types: types,
            compartment: Some(self.definitions().patient_compartment(patient_id)),
            criteria,
            sort: Vec::new(),
            count,
            total: if cursor.is_none() {
                TotalMode::Accurate
            } else {
                TotalMode::None
            },
            includes: Vec::new(),
            revincludes: Vec::new(),
        };
        let mut page = self.search(&query, cursor).await?;
        let sources: Vec<ResourceKey> = page.matches.iter().map(|v| v.key.clone()).collect();
        let wanted = self.store.referenced_by(&sources, REFERENCED_TYPES).await?;
        let found = self.store.read_many(&wanted).await?;
        page.included
            .extend(found.into_iter().filter(|version| !version.is_deleted()));
        Ok(page)
    }
}
