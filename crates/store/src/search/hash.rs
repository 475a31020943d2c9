//! The hashes that turn a search predicate into one integer comparison.
//!
//! FNV-1a, 64 bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3),
//! written out here because its output is stored on disk and must never
//! change with a compiler or crate version (Rust's `DefaultHasher` may).
//! Parts are separated by the byte 0xFF, which never occurs in UTF-8, and an
//! absent part is the byte 0xFE alone, so `(None, "x")` and `(Some(""), "x")`
//! and `("a", "bc")` and `("ab", "c")` all hash differently. Each kind of key
//! starts with its own tag byte so keys of different kinds never share a
//! hash by construction. Hashes are stored as `i64` (the bits of the `u64`).
//!
//! A collision between two different keys is possible in principle (about
//! 3 in 10^8 for a million distinct keys of one kind) and would make a
//! search match a resource it should not; the same trade every server with
//! hashed index rows makes, for one-integer index probes.

const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;
const SEPARATOR: u8 = 0xFF;
const ABSENT: u8 = 0xFE;

/// An FNV-1a 64 hasher over separated parts.
struct Fnv(u64);

impl Fnv {
    fn new(tag: u8) -> Fnv {
        let mut fnv = Fnv(OFFSET_BASIS);
        fnv.byte(tag);
        fnv
    }

    fn byte(&mut self, byte: u8) {
        self.0 ^= u64::from(byte);
        self.0 = self.0.wrapping_mul(PRIME);
    }

    fn part(mut self, text: &str) -> Fnv {
        self.byte(SEPARATOR);
        for &byte in text.as_bytes() {
            self.byte(byte);
        }
        self
    }

    /// An integer part, as its 8 little-endian bytes (no allocation).
    fn int(mut self, value: i64) -> Fnv {
        self.byte(SEPARATOR);
        for byte in value.to_le_bytes() {
            self.byte(byte);
        }
        self
    }

    fn optional(mut self, text: Option<&str>) -> Fnv {
        match text {
            Some(text) => self.part(text),
            None => {
                self.byte(SEPARATOR);
                self.byte(ABSENT);
                self
            }
        }
    }

    fn finish(self) -> i64 {
        i64::from_ne_bytes(self.0.to_ne_bytes())
    }
}

/// The key of one search parameter of one resource type.
pub fn param_hash(resource_type: &str, param: &str) -> i64 {
    Fnv::new(b'p').part(resource_type).part(param).finish()
}

/// The key of a composite's component `index`: the component is stored in
/// the table of its own type under this key.
pub fn component_hash(resource_type: &str, param: &str, index: usize) -> i64 {
    Fnv::new(b'k')
        .part(resource_type)
        .part(param)
        .int(i64::try_from(index).unwrap_or(i64::MAX))
        .finish()
}

/// A token with its system (`None`: a code without a system), under a
/// parameter key from [`param_hash`] or [`component_hash`].
pub fn token_hash(param_key: i64, system: Option<&str>, code: &str) -> i64 {
    Fnv::new(b't')
        .int(param_key)
        .optional(system)
        .part(code)
        .finish()
}

/// A token's code whatever its system.
pub fn any_system_token_hash(param_key: i64, code: &str) -> i64 {
    Fnv::new(b'c').int(param_key).part(code).finish()
}

/// A fingerprint of several strings (a cursor's search shape).
pub fn fingerprint<'a>(parts: impl IntoIterator<Item = &'a str>) -> i64 {
    parts
        .into_iter()
        .fold(Fnv::new(b'f'), |fnv, part| fnv.part(part))
        .finish()
}

/// A patient key.
pub fn patient_hash(patient_key: &str) -> i64 {
    Fnv::new(b'P').part(patient_key).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published FNV-1a 64 test vectors, so the algorithm is the real one.
    #[test]
    fn matches_the_reference_vectors() {
        let raw = |bytes: &[u8]| {
            let mut fnv = Fnv(OFFSET_BASIS);
            for &b in bytes {
                fnv.byte(b);
            }
            fnv.0
        };
        assert_eq!(raw(b""), 0xcbf29ce484222325);
        assert_eq!(raw(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(raw(b"foobar"), 0x85944171f73967e8);
    }

    /// Stored hashes must never change: these values are on disk.
    #[test]
    fn stored_hashes_are_stable() {
        let pinned = [
            param_hash("Patient", "name"),
            token_hash(
                param_hash("Observation", "code"),
                Some("http://loinc.org"),
                "29463-7",
            ),
            any_system_token_hash(param_hash("Observation", "code"), "29463-7"),
            patient_hash("pat-1"),
        ];
        assert_eq!(
            pinned,
            [
                689_803_312_326_939_369,
                1_203_047_197_634_205_217,
                6_331_101_142_531_714_112,
                1_008_317_054_041_370_731
            ]
        );
    }

    #[test]
    fn parts_and_absence_are_unambiguous() {
        let key = param_hash("Patient", "identifier");
        assert_ne!(token_hash(key, None, "x"), token_hash(key, Some(""), "x"));
        assert_ne!(param_hash("ab", "c"), param_hash("a", "bc"));
        assert_ne!(
            token_hash(key, Some("s"), "c"),
            any_system_token_hash(key, "c")
        );
    }
}
