//! Caller-supplied time: the protocol core never reads a clock.
//!
//! `std::time::Instant::now()` panics on `wasm32-unknown-unknown`, and a
//! state machine that reads the clock cannot be tested deterministically. So
//! every input that depends on time carries an [`Instant`] chosen by the
//! caller: `performance.now()` in the browser, a manual clock in tests.

use std::ops::Add;
use std::time::Duration;

/// A point on the caller's monotonic clock, in whole milliseconds from an
/// arbitrary origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// A point `millis` milliseconds after the caller's origin.
    pub const fn from_millis(millis: u64) -> Self {
        Instant(millis)
    }

    /// Milliseconds since the caller's origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Time elapsed from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    fn add(self, rhs: Duration) -> Instant {
        Instant(self.0.saturating_add(rhs.as_millis() as u64))
    }
}
