//! Query parameters common to FHIR interactions: `_format`, `_pretty`,
//! `_summary`, `_elements`, and the history ones (`_count`, `_since`,
//! `_cursor`). Each has a limit and a clear error.

use crate::ApiError;
use tessera_fhir::subset::SummaryMode;
use tessera_store::Instant;

/// Default page size of history bundles.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 50;
/// Largest `_count` honoured; larger values are reduced to it.
pub(crate) const MAX_PAGE_SIZE: usize = 1000;

/// `_summary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Summary {
    Subset(SummaryMode),
    Count,
    False,
}

/// The query string, decoded.
#[derive(Debug, Default, Clone)]
pub(crate) struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    pub(crate) fn parse(query: Option<&str>) -> QueryParams {
        QueryParams {
            pairs: query
                .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default(),
        }
    }

    /// Every parameter, decoded, in request order.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn pretty(&self) -> Result<bool, ApiError> {
        match self.get("_pretty") {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(ApiError::BadRequest(format!(
                "_pretty must be true or false, not '{other}'"
            ))),
        }
    }

    pub(crate) fn summary(&self) -> Result<Option<Summary>, ApiError> {
        Ok(match self.get("_summary") {
            None => None,
            Some("true") => Some(Summary::Subset(SummaryMode::True)),
            Some("text") => Some(Summary::Subset(SummaryMode::Text)),
            Some("data") => Some(Summary::Subset(SummaryMode::Data)),
            Some("count") => Some(Summary::Count),
            Some("false") => Some(Summary::False),
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "_summary must be one of true, text, data, count, false; not '{other}'"
                )));
            }
        })
    }

    /// `_elements`, as a list of element names (empty names dropped).
    pub(crate) fn elements(&self) -> Option<Vec<String>> {
        self.get("_elements").map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(str::to_owned)
                .collect()
        })
    }

    pub(crate) fn count(&self) -> Result<usize, ApiError> {
        match self.get("_count") {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(text) => text
                .parse::<usize>()
                .map(|n| n.min(MAX_PAGE_SIZE))
                .map_err(|_| {
                    ApiError::BadRequest(format!("_count must be a whole number, not '{text}'"))
                }),
        }
    }

    pub(crate) fn since(&self) -> Result<Option<Instant>, ApiError> {
        self.get("_since")
            .map(|text| {
                Instant::parse_fhir(text).ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "_since must be a FHIR instant with a time zone \
                         (e.g. 2026-01-31T09:00:00Z), not '{text}'"
                    ))
                })
            })
            .transpose()
    }

    pub(crate) fn cursor(&self) -> Result<Option<i64>, ApiError> {
        self.get("_cursor")
            .map(|text| {
                text.parse::<i64>()
                    .map_err(|_| ApiError::BadRequest(format!("_cursor '{text}' is not valid")))
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_parameters() {
        let params = QueryParams::parse(Some(
            "_summary=text&_elements=name,%20birthDate&_count=5000",
        ));
        assert_eq!(
            params.summary().unwrap(),
            Some(Summary::Subset(SummaryMode::Text))
        );
        assert_eq!(params.elements().unwrap(), vec!["name", "birthDate"]);
        assert_eq!(params.count().unwrap(), MAX_PAGE_SIZE);
        assert!(
            QueryParams::parse(Some("_summary=maybe"))
                .summary()
                .is_err()
        );
        assert!(
            QueryParams::parse(Some("_since=yesterday"))
                .since()
                .is_err()
        );
    }
}
