//! Partial dates, date-times and times with their precision: parsing, printing,
//! comparison and boundaries.
//!
//! FHIRPath compares temporal values field by field up to the coarser precision and
//! answers "unknown" (empty) when the values agree that far but their precisions
//! differ; seconds and milliseconds count as one precision. Values with time-zone
//! offsets are compared in UTC. Calendar arithmetic lives in `temporal_arith`.

use std::cmp::Ordering;
use std::fmt;

/// How much of a date-time is known. Dates stop at `Day`, times start at `Hour`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
}

/// A FHIRPath Date (precision at most `Day`, no offset) or DateTime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub millisecond: u16,
    pub precision: Precision,
    /// Offset from UTC in minutes, when the value states one.
    pub offset_minutes: Option<i32>,
}

/// A FHIRPath Time (precision `Hour` to `Millisecond`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Time {
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub millisecond: u16,
    pub precision: Precision,
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

/// Reads exactly `len` ASCII digits at the start of `text`.
fn digits(text: &str, len: usize) -> Option<(u32, &str)> {
    if text.len() < len || !text.as_bytes()[..len].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((text[..len].parse().ok()?, &text[len..]))
}

/// Parses `hh[:mm[:ss[.fff]]]` and returns the rest of the text.
fn parse_clock(text: &str) -> Option<(Time, &str)> {
    let (hour, mut rest) = digits(text, 2)?;
    let mut time = Time {
        hour: u8::try_from(hour).ok().filter(|h| *h < 24)?,
        minute: 0,
        second: 0,
        millisecond: 0,
        precision: Precision::Hour,
    };
    if let Some(after) = rest.strip_prefix(':') {
        let (minute, after) = digits(after, 2)?;
        time.minute = u8::try_from(minute).ok().filter(|m| *m < 60)?;
        time.precision = Precision::Minute;
        rest = after;
        if let Some(after) = rest.strip_prefix(':') {
            let (second, after) = digits(after, 2)?;
            time.second = u8::try_from(second).ok().filter(|s| *s < 60)?;
            time.precision = Precision::Second;
            rest = after;
            if let Some(after) = rest.strip_prefix('.') {
                let count = after.bytes().take_while(u8::is_ascii_digit).count();
                if count == 0 {
                    return None;
                }
                // Digits past milliseconds are dropped: FHIRPath stops at milliseconds.
                let mut millis: u32 = 0;
                for (i, b) in after.bytes().take(count.min(3)).enumerate() {
                    millis += u32::from(b - b'0') * 10u32.pow(2 - i as u32);
                }
                time.millisecond = u16::try_from(millis).ok()?;
                time.precision = Precision::Millisecond;
                rest = &after[count..];
            }
        }
    }
    Some((time, rest))
}

/// Parses `Z` or `+hh:mm` / `-hh:mm`.
fn parse_offset(text: &str) -> Option<i32> {
    if text == "Z" {
        return Some(0);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, rest) = digits(&text[1..], 2)?;
    let rest = rest.strip_prefix(':')?;
    let (minutes, rest) = digits(rest, 2)?;
    if !rest.is_empty() || hours > 14 || minutes > 59 {
        return None;
    }
    Some(sign * (hours as i32 * 60 + minutes as i32))
}

fn parse_calendar(text: &str) -> Option<(DateTime, &str)> {
    let (year, mut rest) = digits(text, 4)?;
    let mut value = DateTime {
        year: year as i32,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        millisecond: 0,
        precision: Precision::Year,
        offset_minutes: None,
    };
    if let Some(after) = rest.strip_prefix('-') {
        let (month, after) = digits(after, 2)?;
        value.month = u8::try_from(month).ok().filter(|m| (1..=12).contains(m))?;
        value.precision = Precision::Month;
        rest = after;
        if let Some(after) = rest.strip_prefix('-') {
            let (day, after) = digits(after, 2)?;
            let day = u8::try_from(day).ok()?;
            if day == 0 || day > days_in_month(value.year, value.month) {
                return None;
            }
            value.day = day;
            value.precision = Precision::Day;
            rest = after;
        }
    }
    Some((value, rest))
}

impl DateTime {
    /// Parses a FHIR/FHIRPath date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn parse_date(text: &str) -> Option<DateTime> {
        let (value, rest) = parse_calendar(text)?;
        rest.is_empty().then_some(value)
    }

    /// Parses a date-time: a date, optionally `T` and a clock, optionally an offset.
    /// A bare trailing `T` (`2015T`, the FHIRPath literal form) is accepted.
    pub fn parse_datetime(text: &str) -> Option<DateTime> {
        let (mut value, rest) = parse_calendar(text)?;
        if rest.is_empty() {
            return Some(value);
        }
        let rest = rest.strip_prefix('T')?;
        if rest.is_empty() {
            return Some(value);
        }
        if value.precision != Precision::Day {
            return None;
        }
        let (clock, rest) = parse_clock(rest)?;
        value.hour = clock.hour;
        value.minute = clock.minute;
        value.second = clock.second;
        value.millisecond = clock.millisecond;
        value.precision = clock.precision;
        if !rest.is_empty() {
            value.offset_minutes = Some(parse_offset(rest)?);
        }
        Some(value)
    }

    /// Milliseconds since the epoch as if the fields were UTC (missing fields are minimal).
    pub fn local_epoch_millis(&self) -> i64 {
        let days = days_from_civil(self.year, self.month, self.day);
        ((days * 24 + i64::from(self.hour)) * 60 + i64::from(self.minute)) * 60_000
            + i64::from(self.second) * 1000
            + i64::from(self.millisecond)
    }

    /// Rebuilds the fields from local epoch milliseconds, keeping precision and offset.
    pub fn with_local_epoch_millis(&self, millis: i64) -> DateTime {
        let days = millis.div_euclid(86_400_000);
        let in_day = millis.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        DateTime {
            year,
            month,
            day,
            hour: (in_day / 3_600_000) as u8,
            minute: (in_day / 60_000 % 60) as u8,
            second: (in_day / 1000 % 60) as u8,
            millisecond: (in_day % 1000) as u16,
            ..*self
        }
    }

    /// The same instant in UTC (only meaningful with an offset and a clock).
    fn to_utc(self) -> DateTime {
        match self.offset_minutes {
            Some(offset) if self.precision >= Precision::Hour => {
                let shifted = self.local_epoch_millis() - i64::from(offset) * 60_000;
                DateTime {
                    offset_minutes: Some(0),
                    ..self.with_local_epoch_millis(shifted)
                }
            }
            _ => self,
        }
    }

    /// FHIRPath's precision count: 4, 6, 8, 10, 12, 14 or 17 digits.
    pub fn precision_digits(&self) -> i64 {
        match self.precision {
            Precision::Year => 4,
            Precision::Month => 6,
            Precision::Day => 8,
            Precision::Hour => 10,
            Precision::Minute => 12,
            Precision::Second => 14,
            Precision::Millisecond => 17,
        }
    }

    /// The earliest (`high == false`) or latest value this partial value may denote,
    /// at `digits` precision; values without an offset take the widest offset.
    pub fn boundary(&self, digits: i64, high: bool, is_date: bool) -> Option<DateTime> {
        let precision = match digits {
            4 => Precision::Year,
            6 => Precision::Month,
            8 => Precision::Day,
            10 if !is_date => Precision::Hour,
            12 if !is_date => Precision::Minute,
            14 if !is_date => Precision::Second,
            17 if !is_date => Precision::Millisecond,
            _ => return None,
        };
        let mut value = *self;
        let filled = |known: bool, low: u32, high_value: u32| {
            if known {
                None
            } else if high {
                Some(high_value)
            } else {
                Some(low)
            }
        };
        if let Some(m) = filled(self.precision >= Precision::Month, 1, 12) {
            value.month = m as u8;
        }
        let last_day = u32::from(days_in_month(value.year, value.month));
        if let Some(d) = filled(self.precision >= Precision::Day, 1, last_day) {
            value.day = d as u8;
        }
        if let Some(h) = filled(self.precision >= Precision::Hour, 0, 23) {
            value.hour = h as u8;
        }
        if let Some(m) = filled(self.precision >= Precision::Minute, 0, 59) {
            value.minute = m as u8;
        }
        if let Some(s) = filled(self.precision >= Precision::Second, 0, 59) {
            value.second = s as u8;
        }
        if let Some(ms) = filled(self.precision >= Precision::Millisecond, 0, 999) {
            value.millisecond = ms as u16;
        }
        value.precision = precision;
        if precision >= Precision::Hour && value.offset_minutes.is_none() {
            value.offset_minutes = Some(if high { -12 * 60 } else { 14 * 60 });
        }
        if precision < Precision::Hour {
            value.offset_minutes = None;
        }
        Some(value)
    }
}

/// Seconds and milliseconds are one precision for comparison purposes.
fn comparison_level(precision: Precision) -> Precision {
    precision.min(Precision::Second)
}

/// Field-by-field comparison; `None` when the answer depends on unknown fields.
pub fn compare_datetimes(a: &DateTime, b: &DateTime) -> Option<Ordering> {
    let both_clocks = a.precision >= Precision::Hour && b.precision >= Precision::Hour;
    let (a, b) = match (a.offset_minutes, b.offset_minutes) {
        (Some(_), Some(_)) => (a.to_utc(), b.to_utc()),
        // One side states its zone and the other does not: the instant is unknown.
        (Some(_), None) | (None, Some(_)) if both_clocks => return None,
        _ => (*a, *b),
    };
    let a_level = comparison_level(a.precision);
    let b_level = comparison_level(b.precision);
    let fields: [(Precision, i64, i64); 6] = [
        (Precision::Year, i64::from(a.year), i64::from(b.year)),
        (Precision::Month, i64::from(a.month), i64::from(b.month)),
        (Precision::Day, i64::from(a.day), i64::from(b.day)),
        (Precision::Hour, i64::from(a.hour), i64::from(b.hour)),
        (Precision::Minute, i64::from(a.minute), i64::from(b.minute)),
        (
            Precision::Second,
            i64::from(a.second) * 1000 + i64::from(a.millisecond),
            i64::from(b.second) * 1000 + i64::from(b.millisecond),
        ),
    ];
    for (level, left, right) in fields {
        if level > a_level || level > b_level {
            break;
        }
        match left.cmp(&right) {
            Ordering::Equal => {}
            other => return Some(other),
        }
    }
    (a_level == b_level).then_some(Ordering::Equal)
}

impl Time {
    pub fn parse(text: &str) -> Option<Time> {
        let (time, rest) = parse_clock(text)?;
        rest.is_empty().then_some(time)
    }

    pub fn millis_of_day(&self) -> i64 {
        ((i64::from(self.hour) * 60 + i64::from(self.minute)) * 60 + i64::from(self.second)) * 1000
            + i64::from(self.millisecond)
    }

    pub fn with_millis_of_day(&self, millis: i64) -> Time {
        let millis = millis.rem_euclid(86_400_000);
        Time {
            hour: (millis / 3_600_000) as u8,
            minute: (millis / 60_000 % 60) as u8,
            second: (millis / 1000 % 60) as u8,
            millisecond: (millis % 1000) as u16,
            precision: self.precision,
        }
    }

    pub fn precision_digits(&self) -> i64 {
        match self.precision {
            Precision::Hour => 2,
            Precision::Minute => 4,
            Precision::Second => 6,
            _ => 9,
        }
    }

    pub fn boundary(&self, digits: i64, high: bool) -> Option<Time> {
        let precision = match digits {
            2 => Precision::Hour,
            4 => Precision::Minute,
            6 => Precision::Second,
            9 => Precision::Millisecond,
            _ => return None,
        };
        let mut value = *self;
        if self.precision < Precision::Minute {
            value.minute = if high { 59 } else { 0 };
        }
        if self.precision < Precision::Second {
            value.second = if high { 59 } else { 0 };
        }
        if self.precision < Precision::Millisecond {
            value.millisecond = if high { 999 } else { 0 };
        }
        value.precision = precision;
        Some(value)
    }
}

pub fn compare_times(a: &Time, b: &Time) -> Option<Ordering> {
    let as_datetime = |t: &Time| DateTime {
        year: 2000,
        month: 1,
        day: 1,
        hour: t.hour,
        minute: t.minute,
        second: t.second,
        millisecond: t.millisecond,
        precision: t.precision,
        offset_minutes: None,
    };
    compare_datetimes(&as_datetime(a), &as_datetime(b))
}

fn write_clock(f: &mut fmt::Formatter<'_>, t: &Time) -> fmt::Result {
    write!(f, "{:02}", t.hour)?;
    if t.precision >= Precision::Minute {
        write!(f, ":{:02}", t.minute)?;
    }
    if t.precision >= Precision::Second {
        write!(f, ":{:02}", t.second)?;
    }
    if t.precision >= Precision::Millisecond {
        write!(f, ".{:03}", t.millisecond)?;
    }
    Ok(())
}

impl fmt::Display for DateTime {
    /// FHIR's lexical form (no leading `@`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if self.precision >= Precision::Month {
            write!(f, "-{:02}", self.month)?;
        }
        if self.precision >= Precision::Day {
            write!(f, "-{:02}", self.day)?;
        }
        if self.precision >= Precision::Hour {
            f.write_str("T")?;
            write_clock(
                f,
                &Time {
                    hour: self.hour,
                    minute: self.minute,
                    second: self.second,
                    millisecond: self.millisecond,
                    precision: self.precision,
                },
            )?;
            match self.offset_minutes {
                Some(0) => f.write_str("Z")?,
                Some(offset) => {
                    let sign = if offset < 0 { '-' } else { '+' };
                    let offset = offset.abs();
                    write!(f, "{sign}{:02}:{:02}", offset / 60, offset % 60)?;
                }
                None => {}
            }
        }
        Ok(())
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_clock(f, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 10_957, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }

    #[test]
    fn parses_partial_values() {
        let value = DateTime::parse_datetime("2015-02-04T14:34:28.1234+10:00").unwrap();
        assert_eq!(value.millisecond, 123);
        assert_eq!(value.offset_minutes, Some(600));
        assert_eq!(value.to_string(), "2015-02-04T14:34:28.123+10:00");
        assert_eq!(
            DateTime::parse_datetime("2015T").unwrap().precision,
            Precision::Year
        );
        assert!(DateTime::parse_date("2015-02-30").is_none());
        assert!(Time::parse("24:00").is_none());
    }

    #[test]
    fn compares_with_precision_and_offsets() {
        let p = |s: &str| DateTime::parse_datetime(s).unwrap();
        assert_eq!(compare_datetimes(&p("2018-03"), &p("2018-03-01")), None);
        assert_eq!(
            compare_datetimes(&p("2018-02"), &p("2018-03-01")),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare_datetimes(
                &p("2017-11-05T01:30:00.0-04:00"),
                &p("2017-11-05T00:30:00.0-05:00")
            ),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare_datetimes(&p("2018-03-01T10:30:00"), &p("2018-03-01T10:30:00.0")),
            Some(Ordering::Equal)
        );
    }
}
