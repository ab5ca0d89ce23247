//! The connection state as the UI sees it.

use crate::time::Instant;

/// Where the connection stands; the UI shows it and enables buttons by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// No socket and nothing scheduled: never connected, user disconnected
    /// (`disconnect()` completes at once, so there is no "disconnecting"
    /// state), or the broker refused us in a way retrying cannot fix.
    Disconnected,
    /// Socket opening or waiting for CONNACK.
    Connecting {
        /// 1 for the first try, `n + 1` after `n` consecutive failures.
        attempt: u32,
    },
    /// CONNACK accepted; packets flow.
    Connected,
    /// Waiting for the backoff delay before the next attempt.
    WaitingToReconnect {
        /// The attempt that starts at `at`.
        attempt: u32,
        /// When it starts (caller's clock).
        at: Instant,
    },
}
