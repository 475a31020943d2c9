//! The lexical rules of the R4 primitive datatypes (the regexes and notes of
//! <http://hl7.org/fhir/R4/datatypes.html>), written as small hand parsers: they run on every
//! write, so no regex engine and no allocation on the success path.

use crate::definitions::Primitive;
use serde_json::Value;

/// Why a JSON value is not a valid primitive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PrimitiveError {
    /// The JSON type is wrong (e.g. a number for a `date`); names the JSON type expected.
    WrongJsonType(&'static str),
    /// An empty string, which FHIR JSON forbids.
    Empty,
    /// The text does not match the datatype's format; says what was expected.
    Format(&'static str),
}

/// The largest string FHIR allows (1 MB, `string.value` maxLength).
const MAX_STRING_BYTES: usize = 1_048_576;

/// Checks `value` against the JSON representation and format of `primitive`.
pub(crate) fn check(primitive: Primitive, value: &Value) -> Result<(), PrimitiveError> {
    use Primitive as P;
    match primitive {
        P::Boolean => match value {
            Value::Bool(_) => Ok(()),
            _ => Err(PrimitiveError::WrongJsonType("boolean")),
        },
        P::Integer | P::PositiveInt | P::UnsignedInt | P::Decimal => {
            let Value::Number(number) = value else {
                return Err(PrimitiveError::WrongJsonType("number"));
            };
            check_number(primitive, number.as_str())
        }
        _ => {
            let Value::String(text) = value else {
                return Err(PrimitiveError::WrongJsonType("string"));
            };
            if text.is_empty() {
                return Err(PrimitiveError::Empty);
            }
            check_text(primitive, text)
        }
    }
}

fn check_number(primitive: Primitive, text: &str) -> Result<(), PrimitiveError> {
    if primitive == Primitive::Decimal {
        // serde_json has already enforced the JSON number grammar, which is exactly R4's
        // decimal regex `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
        return Ok(());
    }
    let (expected, minimum) = match primitive {
        Primitive::PositiveInt => ("a positiveInt (an integer from 1 to 2147483647)", 1),
        Primitive::UnsignedInt => ("an unsignedInt (an integer from 0 to 2147483647)", 0),
        _ => (
            "an integer from -2147483648 to 2147483647",
            i64::from(i32::MIN),
        ),
    };
    // JSON `1.0` or `1e2` is a decimal, not an integer: only plain digits are accepted.
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PrimitiveError::Format(expected));
    }
    match text.parse::<i64>() {
        Ok(n) if n >= minimum && n <= i64::from(i32::MAX) => Ok(()),
        _ => Err(PrimitiveError::Format(expected)),
    }
}

fn check_text(primitive: Primitive, text: &str) -> Result<(), PrimitiveError> {
    use Primitive as P;
    let (valid, expected) = match primitive {
        P::String | P::Markdown => (
            text.len() <= MAX_STRING_BYTES
                && !text
                    .chars()
                    .any(|c| c < ' ' && !matches!(c, '\t' | '\r' | '\n')),
            "text without control characters, at most 1 MB",
        ),
        P::Code => (
            is_code(text),
            "a code (no leading, trailing or repeated whitespace)",
        ),
        P::Id => (
            text.len() <= 64
                && text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'),
            "an id (1-64 of A-Z a-z 0-9 - .)",
        ),
        P::Uri | P::Url | P::Canonical => (
            !text.chars().any(char::is_whitespace),
            "a URI without whitespace",
        ),
        P::Oid => (is_oid(text), "an OID (urn:oid:1.2.3...)"),
        P::Uuid => (
            text.strip_prefix("urn:uuid:").is_some_and(is_lower_uuid),
            "a UUID (urn:uuid: and 36 lower-case hex characters and dashes)",
        ),
        P::Date => (
            is_date(text),
            "a date (YYYY, YYYY-MM or YYYY-MM-DD, a real calendar date)",
        ),
        P::DateTime => (
            is_date_time(text, false),
            "a dateTime (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss(.sss) with a time zone)",
        ),
        P::Instant => (
            is_date_time(text, true),
            "an instant (YYYY-MM-DDThh:mm:ss(.sss) with a time zone)",
        ),
        P::Time => (is_time(text), "a time (hh:mm:ss(.sss))"),
        P::Base64Binary => (is_base64(text), "base64 data"),
        P::Xhtml => (
            text.trim_start().starts_with("<div"),
            "XHTML whose root is a <div> element",
        ),
        P::Boolean | P::Integer | P::PositiveInt | P::UnsignedInt | P::Decimal => (false, ""),
    };
    if valid {
        Ok(())
    } else {
        Err(PrimitiveError::Format(expected))
    }
}

/// `[^\s]+(\s[^\s]+)*`
fn is_code(text: &str) -> bool {
    let mut previous_space = true;
    for c in text.chars() {
        let space = c.is_whitespace();
        if space && previous_space {
            return false;
        }
        previous_space = space;
    }
    !previous_space
}

/// `urn:oid:[0-2](\.(0|[1-9][0-9]*))+`
fn is_oid(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("urn:oid:") else {
        return false;
    };
    let mut arcs = rest.split('.');
    let first_ok = matches!(arcs.next(), Some("0" | "1" | "2"));
    let mut count = 0;
    for arc in arcs {
        count += 1;
        let digits_ok = !arc.is_empty() && arc.bytes().all(|b| b.is_ascii_digit());
        if !digits_ok || (arc.len() > 1 && arc.starts_with('0')) {
            return false;
        }
    }
    first_ok && count >= 1
}

fn is_lower_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(index, &b)| match index {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

fn digits(text: &str, count: usize) -> Option<u32> {
    let part = text.get(..count)?;
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; returns how many parts were present.
fn date_parts(text: &str) -> Option<usize> {
    let year = digits(text, 4)?;
    if year == 0 {
        return None;
    }
    match text.len() {
        4 => Some(1),
        7 | 10 if text.as_bytes()[4] == b'-' => {
            let month = digits(&text[5..], 2)?;
            if !(1..=12).contains(&month) {
                return None;
            }
            if text.len() == 7 {
                return Some(2);
            }
            if text.as_bytes()[7] != b'-' {
                return None;
            }
            let day = digits(&text[8..], 2)?;
            (day >= 1 && day <= days_in_month(year, month)).then_some(3)
        }
        _ => None,
    }
}

fn is_date(text: &str) -> bool {
    date_parts(text).is_some()
}

/// `hh:mm:ss(.f+)?`, hours 00-23, seconds up to 60 (leap second).
fn is_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < 8 || bytes[2] != b':' || bytes[5] != b':' {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) = (
        digits(text, 2),
        digits(&text[3..], 2),
        digits(&text[6..], 2),
    ) else {
        return false;
    };
    let fraction = &text[8..];
    let fraction_ok = fraction.is_empty()
        || (fraction.len() > 1
            && fraction.starts_with('.')
            && fraction[1..].bytes().all(|b| b.is_ascii_digit()));
    hour <= 23 && minute <= 59 && second <= 60 && fraction_ok
}

/// `Z` or `+hh:mm` / `-hh:mm` up to 14:00.
fn is_zone(text: &str) -> bool {
    if text == "Z" {
        return true;
    }
    let bytes = text.as_bytes();
    if bytes.len() != 6 || !(bytes[0] == b'+' || bytes[0] == b'-') || bytes[3] != b':' {
        return false;
    }
    match (digits(&text[1..], 2), digits(&text[4..], 2)) {
        (Some(hour), Some(minute)) => (hour <= 13 && minute <= 59) || (hour == 14 && minute == 0),
        _ => false,
    }
}

/// dateTime: a date, or a full date with `T`, a time and a zone. instant: the latter only.
fn is_date_time(text: &str, instant: bool) -> bool {
    let Some((date, time_and_zone)) = text.split_once('T') else {
        return !instant && is_date(text);
    };
    if date_parts(date) != Some(3) {
        return false;
    }
    let zone_start = time_and_zone
        .find(['Z', '+', '-'])
        .unwrap_or(time_and_zone.len());
    let (time, zone) = time_and_zone.split_at(zone_start);
    is_time(time) && is_zone(zone)
}

/// `(\s*([0-9a-zA-Z\+/=]){4}\s*)+`, with `=` padding only at the end.
fn is_base64(text: &str) -> bool {
    let mut count = 0usize;
    let mut padding = 0usize;
    for b in text.bytes() {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            b'=' => padding += 1,
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' if padding == 0 => {}
            _ => return false,
        }
        count += 1;
    }
    count > 0 && count.is_multiple_of(4) && padding <= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(primitive: Primitive, value: Value) -> bool {
        check(primitive, &value).is_ok()
    }

    #[test]
    fn dates_follow_the_calendar() {
        assert!(ok(Primitive::Date, json!("2024")));
        assert!(ok(Primitive::Date, json!("2024-02")));
        assert!(ok(Primitive::Date, json!("2024-02-29")));
        assert!(!ok(Primitive::Date, json!("2023-02-29")));
        assert!(!ok(Primitive::Date, json!("2024-13-01")));
        assert!(!ok(Primitive::Date, json!("2024-1-01")));
        assert!(!ok(Primitive::Date, json!("0000")));
        assert!(!ok(Primitive::Date, json!("2024-01-01T10:00:00Z")));
    }

    #[test]
    fn date_times_need_a_zone_when_they_have_a_time() {
        assert!(ok(
            Primitive::DateTime,
            json!("2015-02-07T13:28:17.239+02:00")
        ));
        assert!(ok(Primitive::DateTime, json!("2015-02-07T13:28:17Z")));
        assert!(ok(Primitive::DateTime, json!("2015")));
        assert!(!ok(Primitive::DateTime, json!("2015-02-07T13:28:17")));
        assert!(!ok(Primitive::DateTime, json!("2015-02-07T13:28Z")));
        assert!(!ok(Primitive::DateTime, json!("2015-02-07T25:28:17Z")));
        assert!(!ok(Primitive::Instant, json!("2015-02-07")));
        assert!(ok(Primitive::Instant, json!("2015-02-07T13:28:17-05:00")));
        assert!(ok(Primitive::Time, json!("23:59:60")));
        assert!(!ok(Primitive::Time, json!("24:00:00")));
    }

    #[test]
    fn numbers_keep_their_lexical_form() {
        let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap();
        assert!(ok(Primitive::Integer, parse("-12")));
        assert!(!ok(Primitive::Integer, parse("1.0")));
        assert!(!ok(Primitive::Integer, parse("2147483648")));
        assert!(!ok(Primitive::PositiveInt, parse("0")));
        assert!(ok(Primitive::UnsignedInt, parse("0")));
        assert!(!ok(Primitive::UnsignedInt, parse("-1")));
        assert!(ok(Primitive::Decimal, parse("1.50")));
        assert!(!ok(Primitive::Decimal, json!("1.5")));
        assert!(!ok(Primitive::Integer, json!("1")));
    }

    #[test]
    fn strings_and_tokens() {
        assert!(!ok(Primitive::String, json!("")));
        assert!(!ok(Primitive::String, json!("a\u{0001}b")));
        assert!(ok(Primitive::String, json!("line\nbreak")));
        assert!(ok(Primitive::Code, json!("a b")));
        assert!(!ok(Primitive::Code, json!(" a")));
        assert!(!ok(Primitive::Code, json!("a  b")));
        assert!(ok(Primitive::Id, json!("a-B.9")));
        assert!(!ok(Primitive::Id, json!("a_b")));
        assert!(!ok(Primitive::Id, json!("x".repeat(65))));
        assert!(!ok(Primitive::Uri, json!("http://a b")));
        assert!(ok(Primitive::Oid, json!("urn:oid:1.2.840.10008")));
        assert!(!ok(Primitive::Oid, json!("urn:oid:3.1")));
        assert!(ok(
            Primitive::Uuid,
            json!("urn:uuid:c757873d-ec9a-4326-a141-556f43239520")
        ));
        assert!(!ok(
            Primitive::Uuid,
            json!("c757873d-ec9a-4326-a141-556f43239520")
        ));
        assert!(ok(Primitive::Base64Binary, json!("SGVsbG8=")));
        assert!(!ok(Primitive::Base64Binary, json!("SGVsbG8")));
        assert!(ok(
            Primitive::Xhtml,
            json!("<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>")
        ));
        assert!(!ok(Primitive::Xhtml, json!("<p>x</p>")));
        assert!(!ok(Primitive::Boolean, json!("true")));
    }

    #[test]
    fn never_panics_on_multibyte_text_in_any_position() {
        let all = [
            Primitive::Code,
            Primitive::Id,
            Primitive::Uri,
            Primitive::Oid,
            Primitive::Uuid,
            Primitive::Date,
            Primitive::DateTime,
            Primitive::Instant,
            Primitive::Time,
            Primitive::Base64Binary,
            Primitive::Xhtml,
            Primitive::String,
        ];
        let seed = "2015-02-07T13:28:17.239+02:00";
        for (index, _) in seed.char_indices() {
            for insert in ["\u{e9}", "\u{20ac}", "\u{1f600}"] {
                let text = format!("{}{insert}{}", &seed[..index], &seed[index..]);
                let replaced = format!("{}{insert}{}", &seed[..index], &seed[index + 1..]);
                for primitive in all {
                    let _ = check(primitive, &json!(text));
                    let _ = check(primitive, &json!(replaced));
                    assert!(check(Primitive::DateTime, &json!(replaced)).is_err());
                }
            }
        }
    }
}
