//! `Decimal`: the FHIRPath decimal, an exact base-10 number that keeps its scale.
//!
//! FHIR decimals carry meaningful precision (`1.50` is not `1.5` when displayed, and
//! the precision decides equivalence and boundaries), so we keep a 128-bit mantissa and
//! a decimal scale instead of an `f64`. Transcendental functions (`exp`, `ln`, `sqrt`,
//! `power` with a fractional exponent) go through `f64` and back, which is what the
//! spec allows for them.

use std::cmp::Ordering;
use std::fmt;

/// The largest scale we keep; results with more fractional digits are rounded.
pub const MAX_SCALE: u32 = 28;

/// An exact decimal: `mantissa * 10^-scale`.
#[derive(Clone, Copy, Debug)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

fn pow10(exp: u32) -> Option<i128> {
    10i128.checked_pow(exp)
}

impl Decimal {
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    pub fn new(mantissa: i128, scale: u32) -> Decimal {
        Decimal { mantissa, scale }
    }

    pub fn from_i64(value: i64) -> Decimal {
        Decimal::new(i128::from(value), 0)
    }

    /// Parses `-12.340`, `1e3`, `+4`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Decimal> {
        let (body, exponent) = match text.find(['e', 'E']) {
            Some(at) => (&text[..at], text[at + 1..].parse::<i32>().ok()?),
            None => (text, 0),
        };
        let (negative, digits) = match body.as_bytes().first()? {
            b'-' => (true, &body[1..]),
            b'+' => (false, &body[1..]),
            _ => (false, body),
        };
        let (int_part, frac_part) = match digits.split_once('.') {
            Some((i, f)) => (i, f),
            None => (digits, ""),
        };
        if int_part.is_empty() || !int_part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if digits.contains('.') && frac_part.is_empty() {
            return None;
        }
        if !frac_part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut mantissa: i128 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(i128::from(b - b'0'))?;
        }
        let mut scale = i64::try_from(frac_part.len()).ok()? - i64::from(exponent);
        while scale < 0 {
            mantissa = mantissa.checked_mul(10)?;
            scale += 1;
        }
        let mut value = Decimal::new(
            if negative { -mantissa } else { mantissa },
            u32::try_from(scale).ok()?,
        );
        if value.scale > MAX_SCALE {
            value = value.round(MAX_SCALE)?;
        }
        Some(value)
    }

    pub fn scale(&self) -> u32 {
        self.scale
    }

    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    /// The same value expressed with `scale` fractional digits (only widening).
    fn rescale_up(&self, scale: u32) -> Option<Decimal> {
        if scale < self.scale {
            return None;
        }
        let mantissa = self.mantissa.checked_mul(pow10(scale - self.scale)?)?;
        Some(Decimal::new(mantissa, scale))
    }

    fn aligned(a: &Decimal, b: &Decimal) -> Option<(i128, i128, u32)> {
        let scale = a.scale.max(b.scale);
        Some((
            a.rescale_up(scale)?.mantissa,
            b.rescale_up(scale)?.mantissa,
            scale,
        ))
    }

    /// Removes trailing fractional zeros (`1.500` -> `1.5`, `2.0` -> `2`).
    pub fn normalized(&self) -> Decimal {
        let mut value = *self;
        while value.scale > 0 && value.mantissa % 10 == 0 {
            value.mantissa /= 10;
            value.scale -= 1;
        }
        value
    }

    pub fn checked_add(&self, other: &Decimal) -> Option<Decimal> {
        let (a, b, scale) = Decimal::aligned(self, other)?;
        Some(Decimal::new(a.checked_add(b)?, scale))
    }

    pub fn checked_sub(&self, other: &Decimal) -> Option<Decimal> {
        self.checked_add(&other.neg())
    }

    pub fn checked_mul(&self, other: &Decimal) -> Option<Decimal> {
        let product = Decimal::new(
            self.mantissa.checked_mul(other.mantissa)?,
            self.scale.checked_add(other.scale)?,
        );
        if product.scale > MAX_SCALE {
            return product.normalized().round(MAX_SCALE);
        }
        Some(product)
    }

    /// Division to 16 significant fractional digits, trailing zeros removed.
    /// `None` when dividing by zero or on overflow.
    pub fn checked_div(&self, other: &Decimal) -> Option<Decimal> {
        if other.mantissa == 0 {
            return None;
        }
        const DIVISION_SCALE: u32 = 16;
        // self/other = (ma / 10^sa) / (mb / 10^sb); scale the dividend so the quotient
        // carries DIVISION_SCALE + 1 digits, then round the last one.
        let target = DIVISION_SCALE + 1;
        let shift = i64::from(target) + i64::from(other.scale) - i64::from(self.scale);
        let (dividend, divisor) = if shift >= 0 {
            (
                self.mantissa
                    .checked_mul(pow10(u32::try_from(shift).ok()?)?)?,
                other.mantissa,
            )
        } else {
            (
                self.mantissa,
                other
                    .mantissa
                    .checked_mul(pow10(u32::try_from(-shift).ok()?)?)?,
            )
        };
        let quotient = Decimal::new(dividend.checked_div(divisor)?, target);
        Some(quotient.round(DIVISION_SCALE)?.normalized())
    }

    pub fn neg(&self) -> Decimal {
        Decimal::new(self.mantissa.saturating_neg(), self.scale)
    }

    pub fn abs(&self) -> Decimal {
        Decimal::new(self.mantissa.saturating_abs(), self.scale)
    }

    /// Rounds half away from zero to `digits` fractional digits (widening is exact).
    pub fn round(&self, digits: u32) -> Option<Decimal> {
        if digits >= self.scale {
            return self.rescale_up(digits);
        }
        let divisor = pow10(self.scale - digits)?;
        let quotient = self.mantissa / divisor;
        let remainder = (self.mantissa % divisor).abs();
        // remainder >= divisor / 2, written so it cannot overflow.
        let bump = if remainder >= divisor - remainder {
            self.mantissa.signum()
        } else {
            0
        };
        Some(Decimal::new(quotient + bump, digits))
    }

    /// Truncates toward zero to `digits` fractional digits.
    pub fn truncate_to(&self, digits: u32) -> Option<Decimal> {
        if digits >= self.scale {
            return self.rescale_up(digits);
        }
        let divisor = pow10(self.scale - digits)?;
        Some(Decimal::new(self.mantissa / divisor, digits))
    }

    /// Rounds toward negative infinity to `digits` fractional digits.
    pub fn floor_to(&self, digits: u32) -> Option<Decimal> {
        let truncated = self.truncate_to(digits)?;
        if self.mantissa < 0 && truncated.cmp_value(self) != Ordering::Equal {
            return truncated.checked_sub(&Decimal::new(1, digits));
        }
        Some(truncated)
    }

    /// Rounds toward positive infinity to `digits` fractional digits.
    pub fn ceil_to(&self, digits: u32) -> Option<Decimal> {
        Some(self.neg().floor_to(digits)?.neg())
    }

    /// The integer part, if it fits in an `i64`.
    pub fn to_i64_truncated(&self) -> Option<i64> {
        let divisor = pow10(self.scale)?;
        i64::try_from(self.mantissa / divisor).ok()
    }

    /// `Some(n)` when the value is a whole number that fits in an `i64`.
    pub fn as_exact_i64(&self) -> Option<i64> {
        let divisor = pow10(self.scale)?;
        if self.mantissa % divisor != 0 {
            return None;
        }
        i64::try_from(self.mantissa / divisor).ok()
    }

    pub fn to_f64(&self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// Converts a finite `f64` through its shortest decimal form.
    pub fn from_f64(value: f64) -> Option<Decimal> {
        if !value.is_finite() {
            return None;
        }
        let text = format!("{value}");
        let parsed = Decimal::parse(&text)?;
        if parsed.scale > 16 {
            return Some(parsed.round(16)?.normalized());
        }
        Some(parsed)
    }

    /// Compares values, ignoring scale (`1.0` equals `1`).
    pub fn cmp_value(&self, other: &Decimal) -> Ordering {
        match Decimal::aligned(self, other) {
            Some((a, b, _)) => a.cmp(&b),
            None => self
                .to_f64()
                .partial_cmp(&other.to_f64())
                .unwrap_or(Ordering::Equal),
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = if digits.len() <= scale {
            format!("{}{}", "0".repeat(scale + 1 - digits.len()), digits)
        } else {
            digits
        };
        let (int_part, frac_part) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int_part}.{frac_part}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).unwrap()
    }

    #[test]
    fn parses_and_prints_with_scale() {
        assert_eq!(d("1.50").to_string(), "1.50");
        assert_eq!(d("-0.001").to_string(), "-0.001");
        assert_eq!(d("1e3").to_string(), "1000");
        assert_eq!(d("1.5E-2").to_string(), "0.015");
        assert!(Decimal::parse("1.").is_none());
        assert!(Decimal::parse(".5").is_none());
        assert!(Decimal::parse("1a").is_none());
    }

    #[test]
    fn arithmetic_is_exact() {
        assert_eq!(d("0.1").checked_add(&d("0.2")).unwrap().to_string(), "0.3");
        assert_eq!(d("1.2").checked_mul(&d("2")).unwrap().to_string(), "2.4");
        assert_eq!(
            d("1").checked_div(&d("3")).unwrap().to_string(),
            "0.3333333333333333"
        );
        assert_eq!(d("2").checked_div(&d("2")).unwrap().to_string(), "1");
        assert!(d("1").checked_div(&d("0")).is_none());
    }

    #[test]
    fn rounding_modes() {
        assert_eq!(d("3.14159").round(3).unwrap().to_string(), "3.142");
        assert_eq!(d("-1.5").round(0).unwrap().to_string(), "-2");
        assert_eq!(d("-1.56").truncate_to(0).unwrap().to_string(), "-1");
        assert_eq!(d("-1.5875").floor_to(2).unwrap().to_string(), "-1.59");
        assert_eq!(d("1.5865").ceil_to(2).unwrap().to_string(), "1.59");
    }
}
