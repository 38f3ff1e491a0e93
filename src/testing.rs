//! Seeded pseudo-random numbers for the property tests (unit, end-to-end and fuzz-like), so every
//! run is reproducible without extra crates. Not part of the API.

/// Marsaglia's xorshift64: fast, deterministic, good enough to pick test inputs.
#[doc(hidden)]
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..bound`; `bound` must not be zero.
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }
}

/// A test's iteration count: `default`, or the number in the environment variable `name` (so a
/// long local run can search further with the same checks).
#[doc(hidden)]
pub fn iterations_from_environment(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}
