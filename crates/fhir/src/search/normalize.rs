//! The normal forms that index values and search values are compared in:
//! strings without case or accents, dates as ranges of epoch milliseconds,
//! numbers with the range their written precision implies, and quantities in
//! canonical UCUM units.
//!
//! Both sides of a search go through these same functions (the indexer at
//! write time, the parser at search time), so a value and a search for it
//! always normalise alike.

use tessera_fhirpath::{Decimal, Quantity};

/// Lower case, accents removed, runs of whitespace collapsed to one space and
/// trimmed: `"  José  Álvarez"` -> `"jose alvarez"`.
///
/// Accents are removed with a table for Latin-1 and Latin Extended-A (what
/// clinical names in Latin scripts use) plus dropping combining marks
/// (U+0300..U+036F), which covers text that arrives already decomposed. Other
/// scripts pass through lower-cased: a name in Cyrillic or Greek still matches
/// itself, only without accent folding.
pub fn normalize_string(text: &str) -> String {
    if text.is_ascii() {
        return normalize_ascii(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        for lower in c.to_lowercase() {
            if ('\u{300}'..='\u{36f}').contains(&lower) {
                continue;
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            match fold_accent(lower) {
                Some(folded) => out.push_str(folded),
                None => out.push(lower),
            }
        }
    }
    out
}

/// [`normalize_string`] for ASCII text, the common case, byte by byte.
fn normalize_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for byte in text.bytes() {
        // char::is_whitespace, as the general path uses (it includes U+000B).
        if char::from(byte).is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(char::from(byte.to_ascii_lowercase()));
    }
    out
}

/// The unaccented form of a lower-case Latin-1 or Latin Extended-A letter.
fn fold_accent(c: char) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("àáâãäåāăą", "a"),
        ("æ", "ae"),
        ("çćĉċč", "c"),
        ("ďđð", "d"),
        ("èéêëēĕėęě", "e"),
        ("ĝğġģ", "g"),
        ("ĥħ", "h"),
        ("ìíîïĩīĭįı", "i"),
        ("ĳ", "ij"),
        ("ĵ", "j"),
        ("ķĸ", "k"),
        ("ĺļľŀł", "l"),
        ("ñńņňŉŋ", "n"),
        ("òóôõöøōŏő", "o"),
        ("œ", "oe"),
        ("ŕŗř", "r"),
        ("śŝşšſ", "s"),
        ("ß", "ss"),
        ("ţťŧ", "t"),
        ("þ", "th"),
        ("ùúûüũūŭůűų", "u"),
        ("ŵ", "w"),
        ("ýÿŷ", "y"),
        ("źżž", "z"),
    ];
    if c.is_ascii() {
        return None;
    }
    TABLE
        .iter()
        .find(|(accented, _)| accented.contains(c))
        .map(|(_, plain)| *plain)
}

/// A date, dateTime or instant (`2024`, `2024-05`, `2024-05-01`,
/// `2024-05-01T10:30`, `2024-05-01T10:30:00.250+02:00`) as the range of
/// instants it covers: (first, last) in ms since the epoch, UTC, inclusive. A
/// value without a time zone is taken as UTC. `None` when it is not a date.
pub fn date_range(text: &str) -> Option<(i64, i64)> {
    let (date, time) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let year = fixed_digits(parts.next()?, 4)?;
    let month = parts
        .next()
        .map(|m| fixed_digits(m, 2))
        .unwrap_or(Some(0))?;
    let day = parts
        .next()
        .map(|d| fixed_digits(d, 2))
        .unwrap_or(Some(0))?;
    if parts.next().is_some() || month > 12 || (month == 0 && day != 0) {
        return None;
    }
    if (month > 0 && day > days_in_month(year, month)) || (time.is_some() && day == 0) {
        return None;
    }
    let Some(time) = time else {
        return Some(match (month, day) {
            (0, _) => (epoch_millis(year, 1, 1), epoch_millis(year + 1, 1, 1) - 1),
            (_, 0) => {
                let (next_year, next_month) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
                (
                    epoch_millis(year, month, 1),
                    epoch_millis(next_year, next_month, 1) - 1,
                )
            }
            _ => {
                let start = epoch_millis(year, month, day);
                (start, start + DAY_MS - 1)
            }
        });
    };
    let (clock, offset_ms) = split_zone(time)?;
    let mut fields = clock.splitn(3, ':');
    let hour = fixed_digits(fields.next()?, 2)?;
    let minute = fixed_digits(fields.next()?, 2)?;
    let (second, millis, width) = match fields.next() {
        None => (0, 0, 60_000),
        Some(seconds) => {
            let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
            let second = fixed_digits(whole, 2)?;
            if !fraction.bytes().all(|b| b.is_ascii_digit()) || fraction.len() > 9 {
                return None;
            }
            let digits: String = fraction.chars().chain("000".chars()).take(3).collect();
            let millis = digits.parse::<i64>().ok()?;
            let width = match fraction.len() {
                0 => 1000,
                1 => 100,
                2 => 10,
                _ => 1,
            };
            (second, millis, width)
        }
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let start = epoch_millis(year, month, day)
        + (hour * 3600 + minute * 60 + second.min(59)) * 1000
        + millis
        - offset_ms;
    Some((start, start + width - 1))
}

const DAY_MS: i64 = 86_400_000;

/// `10:30:00+02:00` -> (`10:30:00`, offset in ms); no zone is UTC.
fn split_zone(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, 0));
    }
    let Some(position) = time.rfind(['+', '-']) else {
        return Some((time, 0));
    };
    let (clock, zone) = time.split_at(position);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let (hours, minutes) = zone.get(1..)?.split_once(':')?;
    let (hours, minutes) = (fixed_digits(hours, 2)?, fixed_digits(minutes, 2)?);
    if hours > 14 || minutes > 59 {
        return None;
    }
    Some((clock, sign * (hours * 60 + minutes) * 60_000))
}

fn fixed_digits(text: &str, width: usize) -> Option<i64> {
    (text.len() == width && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Midnight UTC of a civil date, in ms since the epoch (Howard Hinnant's
/// days-from-civil).
fn epoch_millis(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era * 146_097 + day_of_era - 719_468) * DAY_MS
}

/// A decimal as written (`100`, `100.0`, `1e2`, `-0.27`) with the range its
/// precision implies: half a unit of the last significant digit either side
/// (`100` -> [99.5, 100.5], `100.0` -> [99.95, 100.05], `1e2` -> [50, 150]).
pub fn number_range(text: &str) -> Option<(f64, f64, f64)> {
    let text = text.trim();
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().ok()?),
        None => (text, 0),
    };
    let unsigned = mantissa.strip_prefix(['-', '+']).unwrap_or(mantissa);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits_ok(whole) || !digits_ok(fraction) {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    let decimals = i32::try_from(fraction.len()).ok()?.checked_sub(exponent)?;
    let half = 0.5 * 10f64.powi(-decimals);
    Some((value, value - half, value + half))
}

/// `value` in `unit` (a UCUM code) converted to canonical units: mass in `g`,
/// length in `m`, volume in `m3`, time in `s`, pressure in `g.m-1.s-2`, and
/// the products and quotients of those (`mg/dL` -> `g.m-3`). `None` when the
/// unit is not one the FHIRPath engine's UCUM subset understands.
pub fn canonical_quantity(value: f64, unit: &str) -> Option<(f64, String)> {
    let one = Quantity::new(Decimal::from_i64(1), unit);
    let base = one.multiply(&Quantity::new(Decimal::from_i64(1), "1"), false)?;
    let factor = base.value.to_f64();
    (factor.is_finite() && factor != 0.0).then_some((value * factor, base.unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_lose_case_accents_and_extra_spaces() {
        assert_eq!(normalize_string("  José \t Álvarez "), "jose alvarez");
        assert_eq!(normalize_string(" Ada\n  LOVELACE "), "ada lovelace");
        assert_eq!(normalize_string("a\u{b}b"), "a b");
        assert_eq!(normalize_string("a\u{b}é"), "a e");
        assert_eq!(normalize_string("Skłodowska-Curie"), "sklodowska-curie");
        assert_eq!(normalize_string("Straße"), "strasse");
        assert_eq!(normalize_string("Jose\u{301}"), "jose");
        assert_eq!(normalize_string("Ωμέγα"), "ωμέγα");
        assert_eq!(normalize_string(""), "");
    }

    #[test]
    fn dates_cover_their_precision() {
        let ms = |t: &str| date_range(t).unwrap();
        assert_eq!(ms("1970"), (0, 365 * DAY_MS - 1));
        assert_eq!(ms("1970-02"), (31 * DAY_MS, 59 * DAY_MS - 1));
        assert_eq!(ms("2024-02").1 - ms("2024-02").0 + 1, 29 * DAY_MS);
        assert_eq!(ms("1970-01-02"), (DAY_MS, 2 * DAY_MS - 1));
        assert_eq!(ms("1970-01-01T01:00:00Z"), (3_600_000, 3_600_999));
        assert_eq!(ms("1970-01-01T01:00:00+01:00"), (0, 999));
        assert_eq!(ms("1970-01-01T00:00:00.5Z"), (500, 599));
        assert_eq!(ms("1970-01-01T00:01"), (60_000, 119_999));
        assert_eq!(ms("1969-12-31"), (-DAY_MS, -1));
        assert_eq!(ms("2000-03-01").0, 951_868_800_000);
        for bad in [
            "",
            "20",
            "2024-13",
            "2024-02-30",
            "2024-1-01",
            "x",
            "2024-01-01T25:00",
            "2024T10:00",
        ] {
            assert_eq!(date_range(bad), None, "{bad}");
        }
    }

    #[test]
    fn numbers_carry_their_precision() {
        assert_eq!(number_range("100"), Some((100.0, 99.5, 100.5)));
        let (_, low, high) = number_range("100.0").unwrap();
        assert!((low - 99.95).abs() < 1e-9 && (high - 100.05).abs() < 1e-9);
        assert_eq!(number_range("1e2"), Some((100.0, 50.0, 150.0)));
        assert_eq!(number_range("-2"), Some((-2.0, -2.5, -1.5)));
        for bad in [
            "",
            "abc",
            "1.2.3",
            ".5",
            "1e",
            "NaN",
            "inf",
            "1e-2147483648",
        ] {
            assert_eq!(number_range(bad), None, "{bad}");
        }
    }

    #[test]
    fn common_units_convert_to_one_canonical_unit() {
        let (kg, unit) = canonical_quantity(60.0, "kg").unwrap();
        let (g, same_unit) = canonical_quantity(60_000.0, "g").unwrap();
        assert_eq!((kg, &unit), (g, &same_unit));
        let (cm, m) = canonical_quantity(150.0, "cm").unwrap();
        assert!((cm - 1.5).abs() < 1e-12 && m == "m", "{cm} {m}");
        let (mm_hg, pressure) = canonical_quantity(1.0, "mm[Hg]").unwrap();
        let (kpa, same_pressure) = canonical_quantity(0.133322, "kPa").unwrap();
        assert_eq!(pressure, same_pressure);
        assert!((mm_hg - kpa).abs() / mm_hg < 1e-6);
        assert_eq!(canonical_quantity(1.0, "not a unit"), None);
    }
}
