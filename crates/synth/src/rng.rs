//! The generator's own pseudo-random numbers: xoshiro256** seeded through SplitMix64.
//!
//! Written out here rather than taken from a crate so that the output of a seed can never
//! change under a dependency update. Only integer and basic floating-point arithmetic is used
//! (no `ln`, `cos`, `exp`, whose results may differ between platforms' maths libraries), so
//! the same seed gives the same bytes everywhere.

/// A xoshiro256** generator (Blackman and Vigna, public domain reference code).
#[derive(Debug, Clone)]
pub struct Rng {
    state: [u64; 4],
}

/// One SplitMix64 step: used to expand a seed into the xoshiro state and to derive streams.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator for one independent stream of a seed (for example one patient), so that
    /// patient `i` comes out the same whatever was generated before it.
    pub fn stream(seed: u64, stream: u64) -> Rng {
        let mut mix = seed ^ splitmix64(&mut stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let mut state = [0u64; 4];
        for word in &mut state {
            *word = splitmix64(&mut mix);
        }
        if state == [0; 4] {
            // The all-zero state is xoshiro's one fixed point; SplitMix64 never yields it in
            // practice, but a stuck generator would silently produce constant data.
            state[0] = 1;
        }
        Rng { state }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.state[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let shifted = self.state[1] << 17;
        self.state[2] ^= self.state[0];
        self.state[3] ^= self.state[1];
        self.state[1] ^= self.state[2];
        self.state[0] ^= self.state[3];
        self.state[2] ^= shifted;
        self.state[3] = self.state[3].rotate_left(45);
        result
    }

    /// A uniform integer in `0..bound` (`bound` > 0), by Lemire's multiply-shift; the tiny
    /// bias for huge bounds does not matter for synthetic data.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// A uniform integer in `low..=high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        low + self.below((high - low + 1) as u64) as i64
    }

    /// A uniform float in `[0, 1)` from the top 53 bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An approximately normal value (Irwin-Hall: twelve uniforms), without transcendental
    /// functions so the result is identical on every platform.
    pub fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let sum: f64 = (0..12).map(|_| self.unit()).sum();
        mean + (sum - 6.0) * sd
    }

    /// One element of a non-empty slice (`None` only when empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        items.get(self.below(items.len() as u64) as usize)
    }

    /// An index chosen with the given weights (all zero or empty: index 0).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut target = self.below(total);
        for (index, weight) in weights.iter().enumerate() {
            if target < u64::from(*weight) {
                return index;
            }
            target -= u64::from(*weight);
        }
        0
    }

    /// A random version-4 UUID (as text) from this stream.
    pub fn uuid(&mut self) -> String {
        let high = (self.next_u64() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
        let low = (self.next_u64() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            high >> 32,
            (high >> 16) & 0xFFFF,
            high & 0xFFFF,
            low >> 48,
            low & 0xFFFF_FFFF_FFFF
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let first: Vec<u64> = (0..4).map(|_| Rng::stream(7, 1).next_u64()).collect();
        assert!(first.windows(2).all(|pair| pair[0] == pair[1]));
        assert_ne!(Rng::stream(7, 1).next_u64(), Rng::stream(7, 2).next_u64());
        assert_ne!(Rng::stream(7, 1).next_u64(), Rng::stream(8, 1).next_u64());
    }

    #[test]
    fn bounded_values_stay_in_range() {
        let mut rng = Rng::stream(1, 0);
        for _ in 0..10_000 {
            assert!(rng.below(10) < 10);
            let value = rng.between(-3, 3);
            assert!((-3..=3).contains(&value));
            let unit = rng.unit();
            assert!((0.0..1.0).contains(&unit));
        }
    }

    #[test]
    fn uuids_have_version_and_variant() {
        let mut rng = Rng::stream(1, 0);
        let uuid = rng.uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"));
    }
}
