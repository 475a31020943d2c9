//! Time as the store sees it: an injected [`Clock`] and millisecond
//! [`Instant`]s rendered as FHIR `instant` strings.

use std::fmt;
use time::OffsetDateTime;
use time::macros::format_description;

/// A source of the current time. Only the binary reads the real clock; tests
/// may supply their own.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch, UTC.
    fn now_millis(&self) -> i64;
}

/// A point in time with millisecond precision, UTC: the precision of
/// `meta.lastUpdated` in Tessera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(pub i64);

impl Instant {
    pub fn from_millis(millis: i64) -> Instant {
        Instant(millis)
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    /// Seconds since the epoch (for HTTP dates, which have second precision).
    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// Parses a FHIR `instant` or full `dateTime` with a time zone (as used by
    /// `_since`), e.g. `2026-11-25T13:01:50.123Z` or `2026-11-25T13:01:50+01:00`.
    pub fn parse_fhir(text: &str) -> Option<Instant> {
        let parsed =
            OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
        let millis = parsed.unix_timestamp_nanos().div_euclid(1_000_000);
        i64::try_from(millis).ok().map(Instant)
    }
}

impl fmt::Display for Instant {
    /// Renders a FHIR `instant`: `YYYY-MM-DDThh:mm:ss.sssZ`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        let nanos = i128::from(self.0) * 1_000_000;
        match OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|t| t.format(&format).ok())
        {
            Some(text) => f.write_str(&text),
            None => Err(fmt::Error),
        }
    }
}

/// The writer's view of time: never goes backwards, so version order, write
/// order and `lastUpdated` order agree even if the system clock steps back.
pub(crate) struct MonotonicClock {
    source: std::sync::Arc<dyn Clock>,
    last: i64,
}

impl MonotonicClock {
    pub(crate) fn new(source: std::sync::Arc<dyn Clock>) -> MonotonicClock {
        MonotonicClock {
            source,
            last: i64::MIN,
        }
    }

    /// Resumes after the newest instant already stored.
    pub(crate) fn not_before(&mut self, millis: i64) {
        self.last = self.last.max(millis);
    }

    pub(crate) fn now(&mut self) -> Instant {
        self.last = self.last.max(self.source.now_millis());
        Instant(self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_parses_fhir_instants() {
        let instant = Instant::from_millis(1_795_611_710_123);
        let text = instant.to_string();
        assert_eq!(text, "2026-11-25T13:01:50.123Z");
        assert_eq!(Instant::parse_fhir(&text), Some(instant));
        assert_eq!(
            Instant::parse_fhir("2026-11-25T14:01:50.123+01:00"),
            Some(instant)
        );
        assert_eq!(Instant::parse_fhir("2026-11-25"), None);
    }
}
