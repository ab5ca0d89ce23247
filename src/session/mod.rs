//! The sans-IO MQTT 3.1.1 client session.
//!
//! [`Session`] is a state machine in the style of `quinn-proto` and
//! `rustls`: it never touches a socket, a clock or a random source. The
//! driver feeds it inputs (`handle_*`) and user commands, then drains
//! [`Output`]s (socket actions), [`Event`]s (for the UI) and the next
//! deadline ([`Session::poll_timeout`]), and calls
//! [`Session::handle_timeout`] when that deadline passes. Time is the
//! caller's [`Instant`]. That makes every behaviour here — reconnects,
//! keepalive, QoS retries — testable natively and deterministically.
//!
//! Design and behaviour choices are written up in `docs/session.md`.

// Skeleton: internals land in the next commits.
#![allow(dead_code)]

mod backoff;
mod config;
mod error;
mod events;
mod message;
mod state;
mod subscriptions;
mod validate;

pub use backoff::{Backoff, Jitter};
pub use config::{ConnectOptions, SessionConfig};
pub use error::SessionError;
pub use events::{CloseInfo, Event, Output};
pub use message::{InboundMessage, OutboundMessage, PublishId};
pub use state::ConnectionState;
pub use subscriptions::{Subscription, SubscriptionStatus};

use std::collections::VecDeque;

use crate::codec::QoS;
use crate::time::Instant;

/// One MQTT client session: connection lifecycle, QoS flows, keepalive,
/// subscriptions, offline queue and reconnects.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    outputs: VecDeque<Output>,
    events: VecDeque<Event>,
}

impl Session {
    /// A disconnected session; nothing happens until [`Session::connect`].
    pub fn new(config: SessionConfig) -> Session {
        Session {
            config,
            outputs: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Starts connecting with `options` (kept for reconnects). If a
    /// connection is up it is ended cleanly first (DISCONNECT, Close).
    /// Emits `Output::Open` and `Event::Connecting`. Invalid options are
    /// reported as `Event::ProtocolError` and nothing is opened.
    pub fn connect(&mut self, options: ConnectOptions, now: Instant) {
        let _ = (options, now, &self.config);
    }

    /// Ends the connection on the user's request: DISCONNECT (so the broker
    /// discards the last will), `Output::Close`, then `Event::Disconnected`.
    /// Cancels any pending reconnect; nothing reconnects until `connect()`.
    pub fn disconnect(&mut self, now: Instant) {
        let _ = now;
    }

    /// Publishes now if possible, else queues (offline, or behind the
    /// in-flight cap). Returns the handle later events refer to.
    pub fn publish(
        &mut self,
        message: OutboundMessage,
        now: Instant,
    ) -> Result<PublishId, SessionError> {
        let _ = (message, now);
        Err(SessionError::NoFilters)
    }

    /// Subscribes (now, or at the next connect) and remembers the filters
    /// for resubscribing when the broker lost the session.
    pub fn subscribe(
        &mut self,
        filters: Vec<(String, QoS)>,
        now: Instant,
    ) -> Result<(), SessionError> {
        let _ = (filters, now);
        Ok(())
    }

    /// Unsubscribes and forgets the filters.
    pub fn unsubscribe(&mut self, filters: Vec<String>, now: Instant) -> Result<(), SessionError> {
        let _ = (filters, now);
        Ok(())
    }

    /// The socket opened: the session sends CONNECT.
    pub fn handle_open(&mut self, now: Instant) {
        let _ = now;
    }

    /// Bytes received from the socket, in any chunking.
    pub fn handle_bytes(&mut self, bytes: &[u8], now: Instant) {
        let _ = (bytes, now);
    }

    /// The socket closed or failed to open.
    pub fn handle_close(&mut self, info: CloseInfo, now: Instant) {
        let _ = (info, now);
    }

    /// The transport saw something MQTT forbids (e.g. a text frame): handled
    /// as a protocol error (close, reconnect).
    pub fn handle_transport_error(&mut self, message: String, now: Instant) {
        let _ = (message, now);
    }

    /// The deadline from [`Session::poll_timeout`] passed; early or repeated
    /// calls are harmless.
    pub fn handle_timeout(&mut self, now: Instant) {
        let _ = now;
    }

    /// The next socket action for the driver.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// The next event for the UI.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Session::handle_timeout`] must be called next, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        None
    }

    /// The connection state, for the UI.
    pub fn state(&self) -> ConnectionState {
        ConnectionState::Disconnected
    }

    /// Remembered subscriptions, in the order they were first made.
    pub fn subscriptions(&self) -> &[Subscription] {
        &[]
    }

    /// QoS 1/2 messages sent and not yet fully acknowledged.
    pub fn inflight_len(&self) -> usize {
        0
    }

    /// Messages waiting to be sent (offline or behind the in-flight cap).
    pub fn queued_len(&self) -> usize {
        0
    }
}
