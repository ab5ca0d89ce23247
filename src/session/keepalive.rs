//! Keepalive: PINGREQ when the link has been quiet, and dead-connection
//! detection when even a PINGREQ gets no answer.
//!
//! Rules, with `K` the negotiated keepalive:
//! * PINGREQ is due when nothing was **sent** for `K` (the spec's
//!   requirement `[MQTT-3.1.2-23]`) **or** nothing was **received** for `K`
//!   (so a client that only publishes still notices a half-open socket).
//! * After a PINGREQ, if no packet of any kind arrives within
//!   `ping_timeout = min(K / 2, 10 s)`, the connection is declared dead.
//!
//! So a silent death is detected at most `K + min(K/2, 10 s)` after the last
//! packet from the broker: 1.5 K for `K ≤ 20 s`, 70 s for the default
//! `K = 60 s` (≈ 1.17 K) — sooner than the broker's own 1.5 K limit, which
//! the browser cannot observe on a half-open socket anyway.

use std::time::Duration;

use crate::time::Instant;

/// Upper bound of the PINGRESP wait.
const MAX_PING_TIMEOUT: Duration = Duration::from_secs(10);

/// What the caller must do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Nothing,
    SendPing,
    Dead {
        /// How long the broker has been silent.
        silent_for: Duration,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct KeepAlive {
    interval: Option<Duration>,
    last_sent: Instant,
    last_received: Instant,
    ping_sent: Option<Instant>,
}

impl KeepAlive {
    /// Starts the timers at `now` (CONNACK time); `secs == 0` is off.
    pub(crate) fn new(secs: u16, now: Instant) -> Self {
        KeepAlive {
            interval: (secs > 0).then(|| Duration::from_secs(secs.into())),
            last_sent: now,
            last_received: now,
            ping_sent: None,
        }
    }

    /// The PINGRESP wait for keepalive `interval`.
    pub(crate) fn ping_timeout(interval: Duration) -> Duration {
        (interval / 2).min(MAX_PING_TIMEOUT)
    }

    pub(crate) fn on_sent(&mut self, now: Instant) {
        self.last_sent = now;
    }

    /// Any packet from the broker proves the link is alive.
    pub(crate) fn on_received(&mut self, now: Instant) {
        self.last_received = now;
        self.ping_sent = None;
    }

    pub(crate) fn on_ping_sent(&mut self, now: Instant) {
        self.ping_sent = Some(now);
        self.last_sent = now;
    }

    pub(crate) fn deadline(&self) -> Option<Instant> {
        let interval = self.interval?;
        Some(match self.ping_sent {
            Some(at) => at + Self::ping_timeout(interval),
            None => self.last_sent.min(self.last_received) + interval,
        })
    }

    pub(crate) fn poll(&self, now: Instant) -> Action {
        let Some(deadline) = self.deadline() else {
            return Action::Nothing;
        };
        if now < deadline {
            Action::Nothing
        } else if self.ping_sent.is_some() {
            Action::Dead {
                silent_for: now.saturating_duration_since(self.last_received),
            }
        } else {
            Action::SendPing
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    #[test]
    fn off_when_zero() {
        let k = KeepAlive::new(0, at(0));
        assert_eq!(k.deadline(), None);
        assert_eq!(k.poll(at(u64::MAX / 2)), Action::Nothing);
    }

    #[test]
    fn ping_timeout_is_half_capped_at_ten_seconds() {
        assert_eq!(
            KeepAlive::ping_timeout(Duration::from_secs(4)),
            Duration::from_secs(2)
        );
        assert_eq!(
            KeepAlive::ping_timeout(Duration::from_secs(60)),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn received_traffic_does_not_postpone_the_send_side() {
        let mut k = KeepAlive::new(10, at(0));
        k.on_received(at(9_000));
        assert_eq!(k.deadline(), Some(at(10_000)));
        k.on_sent(at(9_500));
        assert_eq!(k.deadline(), Some(at(19_000)));
    }
}
