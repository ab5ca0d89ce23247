//! Reconnect delays: exponential backoff with jitter, deterministic from a
//! seed.
//!
//! Default: 1 s doubling to 120 s with **full jitter** (the delay is uniform
//! in `[0, ceiling]`), reset once a connection stays up 30 s — the AWS CRT
//! defaults. Full jitter spreads many clients reconnecting after a broker
//! outage best ("Exponential Backoff And Jitter", AWS Architecture Blog);
//! a single browser tab gains nothing from a floor, and an early quick retry
//! is what a person expects after a blip.

use std::time::Duration;

/// How the delay before reconnect attempt `n` is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Exactly the ceiling: `min(max, initial * 2^(f-1))` after `f` failures.
    None,
    /// Uniform in `[0, ceiling]`.
    Full,
    /// Uniform in `[initial, min(max, previous * 3)]` ("decorrelated
    /// jitter"): never faster than `initial`.
    Decorrelated,
}

/// Backoff settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Ceiling of the first delay.
    pub initial: Duration,
    /// Largest delay ever used.
    pub max: Duration,
    /// Randomisation, so many clients do not reconnect in lockstep.
    pub jitter: Jitter,
    /// A connection that stays up this long resets the failure count, so a
    /// drop after hours starts again at `initial`.
    pub reset_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(120),
            jitter: Jitter::Full,
            reset_after: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The ceiling after `failures` consecutive failures (`failures >= 1`):
    /// `min(max, initial * 2^(failures - 1))`.
    pub fn ceiling(&self, failures: u32) -> Duration {
        let initial = self.initial.as_millis() as u64;
        let max = self.max.as_millis() as u64;
        let shift = failures.saturating_sub(1).min(62);
        let ms = initial.checked_shl(shift).filter(|v| v >> shift == initial);
        Duration::from_millis(ms.map_or(max, |v| v.min(max)))
    }
}

/// The failure count and random state behind [`Backoff`].
#[derive(Debug, Clone)]
pub(crate) struct BackoffState {
    rng: SplitMix64,
    previous: Duration,
}

impl BackoffState {
    pub(crate) fn new(seed: u64) -> Self {
        BackoffState {
            rng: SplitMix64(seed),
            previous: Duration::ZERO,
        }
    }

    /// Forgets the previous delay (for decorrelated jitter).
    pub(crate) fn reset(&mut self) {
        self.previous = Duration::ZERO;
    }

    /// The delay before the next attempt after `failures` consecutive
    /// failures, in whole milliseconds.
    pub(crate) fn next_delay(&mut self, config: &Backoff, failures: u32) -> Duration {
        let ceiling = config.ceiling(failures);
        let delay = match config.jitter {
            Jitter::None => ceiling,
            Jitter::Full => self.uniform(Duration::ZERO, ceiling),
            Jitter::Decorrelated => {
                let low = config.initial.min(config.max);
                let high = (self.previous * 3).clamp(low, config.max);
                self.uniform(low, high)
            }
        };
        self.previous = delay;
        delay
    }

    fn uniform(&mut self, low: Duration, high: Duration) -> Duration {
        let low = low.as_millis() as u64;
        let high = high.as_millis() as u64;
        if high <= low {
            return Duration::from_millis(low);
        }
        let span = high - low + 1;
        Duration::from_millis(low + self.rng.next() % span)
    }
}

/// SplitMix64: tiny, seedable, good enough for jitter (not for secrets).
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
