//! Calendar days and times of day, enough for a synthetic record: civil dates from day
//! numbers (Howard Hinnant's public-domain algorithms) and FHIR `date`/`dateTime`/`instant`
//! text. Kept here so the generator needs no clock and no date crate.

use std::fmt;

/// The local offset written on every time: the network sits in one US time zone, and daylight
/// saving is ignored because nothing downstream depends on it.
pub const UTC_OFFSET: &str = "-05:00";

/// A calendar day, counted from 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

impl Day {
    /// The day of a civil date (proleptic Gregorian).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Day {
        let year = if month <= 2 { year - 1 } else { year };
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month = month as i32;
        let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day as i32 - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        Day(era * 146_097 + day_of_era - 719_468)
    }

    /// Parses `YYYY-MM-DD` (returns `None` for anything else or an impossible date).
    pub fn parse(text: &str) -> Option<Day> {
        let mut parts = text.split('-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        if parts.next().is_some() || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        let parsed = Day::from_ymd(year, month, day);
        (parsed.ymd() == (year, month, day)).then_some(parsed)
    }

    /// The civil date `(year, month, day)` of this day.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = year_of_era + era * 400 + i32::from(month <= 2);
        (year, month, day)
    }

    pub fn year(self) -> i32 {
        self.ymd().0
    }

    pub fn plus(self, days: i32) -> Day {
        Day(self.0 + days)
    }

    /// Whole years from `birth` to this day (age on this day).
    pub fn years_since(self, birth: Day) -> i32 {
        let (year, month, day) = self.ymd();
        let (birth_year, birth_month, birth_day) = birth.ymd();
        let had_birthday = (month, day) >= (birth_month, birth_day);
        year - birth_year - i32::from(!had_birthday)
    }

    /// Day 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday).
    pub fn weekday(self) -> i32 {
        (self.0 + 3).rem_euclid(7)
    }

    /// This day, or the Monday after it when it falls on a weekend (clinics are closed).
    pub fn on_weekday(self) -> Day {
        match self.weekday() {
            5 => self.plus(2),
            6 => self.plus(1),
            _ => self,
        }
    }

    /// A moment on this day, `minutes` after midnight local time.
    pub fn at(self, minutes: i32) -> Moment {
        Moment {
            day: self,
            minute: minutes.clamp(0, 24 * 60 - 1),
        }
    }
}

impl fmt::Display for Day {
    /// FHIR `date`: `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.ymd();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

/// A local time on a day, to the minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moment {
    pub day: Day,
    pub minute: i32,
}

impl Moment {
    /// The same day, `minutes` later (clamped to the end of the day: events never roll over).
    pub fn later(self, minutes: i32) -> Moment {
        self.day.at(self.minute + minutes)
    }
}

impl fmt::Display for Moment {
    /// FHIR `dateTime`/`instant`: `YYYY-MM-DDThh:mm:ss-05:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}T{:02}:{:02}:00{UTC_OFFSET}",
            self.day,
            self.minute / 60,
            self.minute % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(Day::from_ymd(1970, 1, 1), Day(0));
        assert_eq!(Day::from_ymd(2000, 3, 1).ymd(), (2000, 3, 1));
        assert_eq!(Day::from_ymd(1900, 2, 28).plus(1).ymd(), (1900, 3, 1));
        assert_eq!(Day::from_ymd(2024, 2, 28).plus(1).ymd(), (2024, 2, 29));
        for day in -40_000..40_000 {
            let (y, m, d) = Day(day).ymd();
            assert_eq!(Day::from_ymd(y, m, d), Day(day));
        }
    }

    #[test]
    fn parses_and_formats() {
        assert_eq!(
            Day::parse("2026-01-01").map(|d| d.to_string()).as_deref(),
            Some("2026-01-01")
        );
        assert_eq!(Day::parse("2026-02-30"), None);
        assert_eq!(Day::parse("2026-1"), None);
        assert_eq!(
            Day::from_ymd(2026, 1, 5).at(9 * 60 + 5).to_string(),
            "2026-01-05T09:05:00-05:00"
        );
    }

    #[test]
    fn ages_and_weekdays() {
        let birth = Day::from_ymd(2000, 6, 15);
        assert_eq!(Day::from_ymd(2026, 6, 14).years_since(birth), 25);
        assert_eq!(Day::from_ymd(2026, 6, 15).years_since(birth), 26);
        assert_eq!(Day::from_ymd(2026, 1, 5).weekday(), 0, "a Monday");
        assert_eq!(
            Day::from_ymd(2026, 1, 3).on_weekday(),
            Day::from_ymd(2026, 1, 5)
        );
    }
}
