//! Calendar arithmetic: adding a time-valued quantity to a Date, DateTime or Time.
//!
//! FHIRPath adds calendar durations field by field (a month added to Jan 31 lands on
//! the last day of February) and truncates fractional amounts to whole units, except
//! that milliseconds are their own unit. UCUM `a` and `mo` are not calendar units (their
//! length varies), so adding them to a date is an error, as the spec says.

use crate::error::Error;
use crate::quantity::Quantity;
use crate::temporal::{DateTime, Precision, Time, days_in_month};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
}

fn unit_of(quantity: &Quantity) -> Result<Unit, Error> {
    Ok(match quantity.unit.as_str() {
        "year" => Unit::Year,
        "month" => Unit::Month,
        "week" | "wk" => Unit::Week,
        "day" | "d" => Unit::Day,
        "hour" | "h" => Unit::Hour,
        "minute" | "min" => Unit::Minute,
        "second" | "s" => Unit::Second,
        "millisecond" | "ms" => Unit::Millisecond,
        other => {
            return Err(Error::type_error(format!(
                "cannot add a quantity in '{other}' to a date or time"
            )));
        }
    })
}

/// Milliseconds in one `unit`, for the fixed-length units.
fn unit_millis(unit: Unit) -> i64 {
    match unit {
        Unit::Week => 604_800_000,
        Unit::Day => 86_400_000,
        Unit::Hour => 3_600_000,
        Unit::Minute => 60_000,
        Unit::Second => 1000,
        _ => 1,
    }
}

/// Whole units of `quantity`, negated when subtracting. Fractions are dropped, as
/// the suite expects (`+ 0.1 's'` leaves a value unchanged).
fn amount(quantity: &Quantity, negate: bool) -> Result<i64, Error> {
    let value = quantity
        .value
        .to_i64_truncated()
        .ok_or_else(|| Error::Evaluation("duration out of range".into()))?;
    Ok(if negate { -value } else { value })
}

fn add_months(value: &DateTime, months: i64) -> Result<DateTime, Error> {
    let total = i64::from(value.year) * 12 + i64::from(value.month) - 1 + months;
    let year = i32::try_from(total.div_euclid(12))
        .ok()
        .filter(|y| (1..=9999).contains(y))
        .ok_or_else(|| Error::Evaluation("date out of range".into()))?;
    let month = (total.rem_euclid(12) + 1) as u8;
    Ok(DateTime {
        year,
        month,
        day: value.day.min(days_in_month(year, month)),
        ..*value
    })
}

/// `value + quantity` (or `-` when `negate`) for a Date or DateTime.
pub fn add_to_datetime(
    value: &DateTime,
    quantity: &Quantity,
    negate: bool,
) -> Result<DateTime, Error> {
    let unit = unit_of(quantity)?;
    let n = amount(quantity, negate)?;
    match unit {
        Unit::Year => add_months(value, n.saturating_mul(12)),
        Unit::Month => add_months(value, n),
        _ => {
            let millis = n.saturating_mul(unit_millis(unit));
            // A value known only to the day moves by whole days.
            let millis = if value.precision <= Precision::Day {
                millis - millis % 86_400_000
            } else {
                millis
            };
            if value.precision < Precision::Day {
                let months = millis / 86_400_000 / 30;
                return add_months(value, months);
            }
            let shifted = value
                .local_epoch_millis()
                .checked_add(millis)
                .ok_or_else(|| Error::Evaluation("date out of range".into()))?;
            let result = value.with_local_epoch_millis(shifted);
            if !(1..=9999).contains(&result.year) {
                return Err(Error::Evaluation("date out of range".into()));
            }
            Ok(result)
        }
    }
}

/// `value + quantity` (or `-`) for a Time, wrapping around midnight.
pub fn add_to_time(value: &Time, quantity: &Quantity, negate: bool) -> Result<Time, Error> {
    let unit = unit_of(quantity)?;
    if matches!(unit, Unit::Year | Unit::Month | Unit::Week | Unit::Day) {
        return Err(Error::type_error("cannot add days or longer to a Time"));
    }
    let n = amount(quantity, negate)?;
    let millis = n.saturating_mul(unit_millis(unit));
    Ok(value.with_millis_of_day(value.millis_of_day().saturating_add(millis)))
}
