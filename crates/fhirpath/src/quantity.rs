//! `Quantity`: a decimal value with a UCUM unit or a calendar-duration keyword, and
//! the small UCUM subset we can convert between.
//!
//! Full UCUM is a large grammar with hundreds of atoms; search and invariants need the
//! common clinical ones (mass, length, volume, time, pressure, temperature as its own
//! dimension, percent). A unit we cannot parse is still a valid unit: such quantities
//! compare only when their unit strings are identical. Calendar keywords (`year`,
//! `month`, ...) follow the FHIRPath rule: weeks and shorter equal their UCUM units,
//! calendar years and months do not equal `a` and `mo`.

use std::collections::BTreeMap;

use crate::decimal::Decimal;

/// A FHIRPath System.Quantity.
#[derive(Clone, Debug)]
pub struct Quantity {
    pub value: Decimal,
    /// A UCUM code (`mg`, `[lb_av]`, `1`) or a calendar keyword in singular form.
    pub unit: String,
}

/// The calendar duration keywords FHIRPath accepts unquoted, in singular form.
pub const CALENDAR_KEYWORDS: [&str; 8] = [
    "year",
    "month",
    "week",
    "day",
    "hour",
    "minute",
    "second",
    "millisecond",
];

/// `days` -> `day`; `None` when `word` is not a calendar keyword.
pub fn calendar_keyword(word: &str) -> Option<&'static str> {
    let singular = word.strip_suffix('s').unwrap_or(word);
    CALENDAR_KEYWORDS.iter().copied().find(|k| *k == singular)
}

/// A unit reduced to a factor times a product of base-unit powers.
#[derive(Clone, Debug)]
struct Canonical {
    factor: Decimal,
    dims: BTreeMap<&'static str, i32>,
}

fn dec(text: &str) -> Decimal {
    Decimal::parse(text).unwrap_or(Decimal::ZERO)
}

/// Powers of base units, e.g. `[("g", 1), ("m", -1), ("s", -2)]` for pascal.
type Dimensions = &'static [(&'static str, i32)];

/// UCUM atoms we understand: (code, factor, dimensions).
const ATOMS: &[(&str, &str, Dimensions)] = &[
    ("1", "1", &[]),
    ("%", "0.01", &[]),
    ("m", "1", &[("m", 1)]),
    ("g", "1", &[("g", 1)]),
    ("s", "1", &[("s", 1)]),
    ("mol", "1", &[("mol", 1)]),
    ("eq", "1", &[("mol", 1)]),
    ("K", "1", &[("K", 1)]),
    ("A", "1", &[("A", 1)]),
    ("cd", "1", &[("cd", 1)]),
    ("U", "1", &[("U", 1)]),
    ("[iU]", "1", &[("[iU]", 1)]),
    ("[IU]", "1", &[("[iU]", 1)]),
    ("Cel", "1", &[("Cel", 1)]),
    ("[degF]", "1", &[("[degF]", 1)]),
    ("L", "0.001", &[("m", 3)]),
    ("l", "0.001", &[("m", 3)]),
    ("min", "60", &[("s", 1)]),
    ("h", "3600", &[("s", 1)]),
    ("d", "86400", &[("s", 1)]),
    ("wk", "604800", &[("s", 1)]),
    ("mo", "2629800", &[("s", 1)]),
    ("a", "31557600", &[("s", 1)]),
    ("Hz", "1", &[("s", -1)]),
    ("N", "1000", &[("g", 1), ("m", 1), ("s", -2)]),
    ("Pa", "1000", &[("g", 1), ("m", -1), ("s", -2)]),
    ("bar", "100000000", &[("g", 1), ("m", -1), ("s", -2)]),
    ("mm[Hg]", "133322", &[("g", 1), ("m", -1), ("s", -2)]),
    ("J", "1000", &[("g", 1), ("m", 2), ("s", -2)]),
    ("cal", "4184", &[("g", 1), ("m", 2), ("s", -2)]),
    ("W", "1000", &[("g", 1), ("m", 2), ("s", -3)]),
    ("[lb_av]", "453.59237", &[("g", 1)]),
    ("[oz_av]", "28.349523125", &[("g", 1)]),
    ("[in_i]", "0.0254", &[("m", 1)]),
    ("[ft_i]", "0.3048", &[("m", 1)]),
    ("[yd_i]", "0.9144", &[("m", 1)]),
    ("[mi_i]", "1609.344", &[("m", 1)]),
    ("[gal_us]", "0.003785411784", &[("m", 3)]),
    ("[foz_us]", "0.0000295735295625", &[("m", 3)]),
];

/// Atoms that take SI prefixes.
const METRIC: &[&str] = &[
    "m", "g", "s", "mol", "eq", "K", "A", "cd", "U", "L", "l", "Hz", "N", "Pa", "bar", "J", "cal",
    "W",
];

const PREFIXES: &[(&str, &str)] = &[
    ("da", "10"),
    ("Y", "1000000000000000000000000"),
    ("Z", "1000000000000000000000"),
    ("E", "1000000000000000000"),
    ("P", "1000000000000000"),
    ("T", "1000000000000"),
    ("G", "1000000000"),
    ("M", "1000000"),
    ("k", "1000"),
    ("h", "100"),
    ("d", "0.1"),
    ("c", "0.01"),
    ("m", "0.001"),
    ("u", "0.000001"),
    ("n", "0.000000001"),
    ("p", "0.000000000001"),
    ("f", "0.000000000000001"),
];

fn atom(code: &str) -> Option<Canonical> {
    let to_canonical = |factor: &str, dims: &[(&'static str, i32)]| Canonical {
        factor: dec(factor),
        dims: dims.iter().copied().collect(),
    };
    if let Some((_, factor, dims)) = ATOMS.iter().find(|(c, _, _)| *c == code) {
        return Some(to_canonical(factor, dims));
    }
    for (prefix, prefix_factor) in PREFIXES {
        if let Some(rest) = code.strip_prefix(prefix)
            && METRIC.contains(&rest)
            && let Some((_, factor, dims)) = ATOMS.iter().find(|(c, _, _)| *c == rest)
        {
            let mut canonical = to_canonical(factor, dims);
            canonical.factor = canonical.factor.checked_mul(&dec(prefix_factor))?;
            return Some(canonical);
        }
    }
    None
}

/// One component of a UCUM term: an atom with an optional exponent, or an integer.
fn component(text: &str) -> Option<Canonical> {
    // Annotations ({beats}) carry no dimension.
    let text = match text.find('{') {
        Some(at) if text.ends_with('}') => &text[..at],
        _ => text,
    };
    if text.is_empty() {
        return Some(Canonical {
            factor: dec("1"),
            dims: BTreeMap::new(),
        });
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Canonical {
            factor: Decimal::parse(text)?,
            dims: BTreeMap::new(),
        });
    }
    if let Some(found) = atom(text) {
        return Some(found);
    }
    let digits_at = text
        .rfind(|c: char| !(c.is_ascii_digit() || c == '-' || c == '+'))
        .map(|i| i + 1)?;
    let (base, exponent) = text.split_at(digits_at);
    // Real units use small powers; a bound keeps `m999999999` from spinning.
    let exponent: i32 = exponent.parse().ok().filter(|e: &i32| e.abs() <= 20)?;
    let base = atom(base)?;
    let mut factor = dec("1");
    for _ in 0..exponent.unsigned_abs() {
        factor = factor.checked_mul(&base.factor)?;
    }
    if exponent < 0 {
        factor = dec("1").checked_div(&factor)?;
    }
    let dims = base
        .dims
        .into_iter()
        .map(|(k, v)| (k, v * exponent))
        .collect();
    Some(Canonical { factor, dims })
}

fn combine(mut left: Canonical, right: Canonical, divide: bool) -> Option<Canonical> {
    left.factor = if divide {
        left.factor.checked_div(&right.factor)?
    } else {
        left.factor.checked_mul(&right.factor)?
    };
    for (base, power) in right.dims {
        let entry = left.dims.entry(base).or_insert(0);
        *entry = entry.saturating_add(if divide { -power } else { power });
    }
    left.dims.retain(|_, power| *power != 0);
    Some(left)
}

/// Reduces a UCUM unit (or calendar keyword) to base units; `None` if not understood.
fn canonical(unit: &str) -> Option<Canonical> {
    let ucum = match unit {
        "year" => {
            return Some(Canonical {
                factor: dec("12"),
                dims: [("calendar-month", 1)].into_iter().collect(),
            });
        }
        "month" => {
            return Some(Canonical {
                factor: dec("1"),
                dims: [("calendar-month", 1)].into_iter().collect(),
            });
        }
        "week" => "wk",
        "day" => "d",
        "hour" => "h",
        "minute" => "min",
        "second" => "s",
        "millisecond" => "ms",
        other => other,
    };
    let mut result = Canonical {
        factor: dec("1"),
        dims: BTreeMap::new(),
    };
    let mut divide = false;
    let mut start = 0;
    let bytes = ucum.as_bytes();
    let mut depth = 0;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth -= 1,
            b'.' | b'/' if depth == 0 => {
                if i > start {
                    result = combine(result, component(&ucum[start..i])?, divide)?;
                } else if i > 0 {
                    return None;
                }
                divide = *b == b'/';
                start = i + 1;
            }
            _ => {}
        }
    }
    combine(result, component(&ucum[start..])?, divide)
}

fn render_dims(dims: &BTreeMap<&'static str, i32>) -> String {
    let part = |base: &str, power: i32| {
        if power == 1 {
            base.to_string()
        } else {
            format!("{base}{power}")
        }
    };
    let numerator: Vec<String> = dims
        .iter()
        .filter(|(_, p)| **p > 0)
        .map(|(b, p)| part(b, *p))
        .collect();
    let denominator: Vec<String> = dims
        .iter()
        .filter(|(_, p)| **p < 0)
        .map(|(b, p)| part(b, -*p))
        .collect();
    let mut text = if numerator.is_empty() {
        "1".to_string()
    } else {
        numerator.join(".")
    };
    if !denominator.is_empty() {
        text.push('/');
        text.push_str(&denominator.join("."));
    }
    text
}

impl Quantity {
    pub fn new(value: Decimal, unit: impl Into<String>) -> Quantity {
        Quantity {
            value,
            unit: unit.into(),
        }
    }

    /// The value in base units, with its dimension vector.
    fn to_base(&self) -> Option<(Decimal, BTreeMap<&'static str, i32>)> {
        let canonical = canonical(&self.unit)?;
        Some((self.value.checked_mul(&canonical.factor)?, canonical.dims))
    }

    /// Both values in one unit, ready to compare; `None` when not comparable.
    pub fn common_values(&self, other: &Quantity) -> Option<(Decimal, Decimal)> {
        if self.unit == other.unit {
            return Some((self.value, other.value));
        }
        let (a, a_dims) = self.to_base()?;
        let (b, b_dims) = other.to_base()?;
        (a_dims == b_dims).then_some((a, b))
    }

    pub fn comparable(&self, other: &Quantity) -> bool {
        self.common_values(other).is_some()
    }

    /// `other` expressed in this quantity's unit.
    pub fn convert_to_unit_of(&self, other: &Quantity) -> Option<Decimal> {
        if self.unit == other.unit {
            return Some(other.value);
        }
        let (b, b_dims) = other.to_base()?;
        let mine = canonical(&self.unit)?;
        (mine.dims == b_dims).then(|| b.checked_div(&mine.factor))?
    }

    pub fn multiply(&self, other: &Quantity, divide: bool) -> Option<Quantity> {
        let (a, a_dims) = self.to_base()?;
        let (b, b_dims) = other.to_base()?;
        let left = Canonical {
            factor: dec("1"),
            dims: a_dims,
        };
        let right = Canonical {
            factor: dec("1"),
            dims: b_dims,
        };
        let dims = combine(left, right, divide)?.dims;
        let value = if divide {
            a.checked_div(&b)?
        } else {
            a.checked_mul(&b)?
        };
        Some(Quantity::new(value, render_dims(&dims)))
    }

    /// Parses FHIRPath's string form: `1.5 'mg'`, `3 days`, or a bare number (unit `1`).
    pub fn parse(text: &str) -> Option<Quantity> {
        let text = text.trim();
        let (number, unit) = match text.split_once(' ') {
            Some((n, u)) => (n, u.trim()),
            None => (text, ""),
        };
        let value = Decimal::parse(number)?;
        if unit.is_empty() {
            return Some(Quantity::new(value, "1"));
        }
        if let Some(quoted) = unit.strip_prefix('\'').and_then(|u| u.strip_suffix('\'')) {
            return Some(Quantity::new(value, quoted));
        }
        calendar_keyword(unit).map(|k| Quantity::new(value, k))
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if CALENDAR_KEYWORDS.contains(&self.unit.as_str()) {
            write!(f, "{} {}", self.value, self.unit)
        } else {
            write!(f, "{} '{}'", self.value, self.unit)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quantity {
        Quantity::parse(text).unwrap()
    }

    #[test]
    fn converts_common_units() {
        let (a, b) = q("4 'g'").common_values(&q("4000 'mg'")).unwrap();
        assert_eq!(a.cmp_value(&b), std::cmp::Ordering::Equal);
        assert!(q("7 days").comparable(&q("1 'wk'")));
        assert!(!q("1 month").comparable(&q("1 'mo'")));
        assert!(q("1 'cm'").comparable(&q("1 '[in_i]'")));
        assert!(!q("1 'cm'").comparable(&q("1 's'")));
    }

    #[test]
    fn multiplies_units() {
        let product = q("2.0 'cm'").multiply(&q("2.0 'm'"), false).unwrap();
        assert_eq!(product.unit, "m2");
        assert_eq!(product.value.to_string(), "0.0400");
        let ratio = q("4.0 'g'").multiply(&q("2.0 'm'"), true).unwrap();
        assert_eq!(ratio.unit, "g/m");
    }
}
