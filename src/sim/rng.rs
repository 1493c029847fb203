//! The simulator's single source of randomness.
//!
//! ChaCha8 seeded from a `u64` (via `rand_chacha`'s `seed_from_u64`), drawn as
//! `u64` only, so runs are identical natively and in wasm. Only the kernel owns
//! one; engines ask for randomness indirectly (timer ranges).

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded, platform-independent random number generator.
#[derive(Clone, Debug)]
pub struct SimRng(ChaCha8Rng);

impl SimRng {
    /// A generator whose whole stream is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        SimRng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A uniform-ish value in `lo..=hi` (modulo bias is below 2^-40 for our ranges).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.0.next_u64() % (hi - lo + 1)
    }

    /// True with probability `ppm` parts per million.
    pub fn chance(&mut self, ppm: u32) -> bool {
        ppm > 0 && self.0.next_u64() % 1_000_000 < u64::from(ppm)
    }

    /// A raw 64-bit draw.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
}
