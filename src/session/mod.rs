//! The sans-IO MQTT client session, 3.1.1 and 5.0.
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
//! The protocol version is chosen per connection
//! ([`ConnectOptions::protocol`]); the state machine works on MQTT 5 packet
//! values either way (`protocol.rs` converts at the edges for 3.1.1), and
//! the MQTT 5 rules (CONNACK limits, aliases, flow control, reason codes)
//! live in `v5/`.
//!
//! Design and behaviour choices are written up in `docs/session.md`.

#![warn(missing_docs)]

mod acks;
mod backoff;
mod close;
mod config;
mod connack;
mod error;
mod events;
mod inbound;
mod incoming;
mod inflight;
mod keepalive;
mod lifecycle;
mod message;
mod outbound;
mod packet_ids;
mod protocol;
mod queue;
mod state;
mod subscribe;
mod subscriptions;
mod v5;
mod validate;

/// MQTT 5 value types used in the session's options, messages and events.
pub use crate::codec::v5::{
    ConnectProperties, PayloadFormat, ReasonCode, RetainHandling, UserProperty, WillProperties,
};
pub use backoff::{Backoff, Jitter};
pub use config::{ConnectOptions, SessionConfig};
pub use error::SessionError;
pub use events::{CloseInfo, Event, Output};
pub use message::{InboundMessage, MessageProperties, OutboundMessage, PublishId};
pub use protocol::ProtocolVersion;
pub use state::ConnectionState;
pub use subscriptions::{SubscribeOptions, Subscription, SubscriptionStatus};
pub use v5::reason::Reason;
pub use v5::server_limits::Negotiated;

use std::collections::VecDeque;

use crate::codec::{PacketId, QoS};
use crate::time::Instant;

use backoff::BackoffState;
use close::LastOperation;
use incoming::Incoming;
use inflight::Inflight;
use keepalive::KeepAlive;
use packet_ids::PacketIds;
use protocol::{Decoder, Item};
use queue::Queue;
use subscriptions::Subscriptions;
use v5::aliases::{InboundAliases, OutboundAliases};

/// Most bytes handed to the decoder at once by [`Session::handle_bytes`]
/// (and copied into wasm memory at once by the browser driver): 64 KiB.
pub const FEED_CHUNK: usize = 64 * 1024;

/// Where the connection lifecycle stands (richer than [`ConnectionState`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No socket, nothing scheduled.
    Idle,
    /// Backoff delay before `attempt`.
    Waiting { attempt: u32, at: Instant },
    /// `Output::Open` emitted, socket not open yet.
    Opening { attempt: u32, deadline: Instant },
    /// CONNECT sent at `sent_at`, CONNACK awaited.
    AwaitConnAck {
        attempt: u32,
        deadline: Instant,
        sent_at: Instant,
    },
    /// CONNACK accepted at `since`.
    Connected { since: Instant },
}

/// One MQTT client session: connection lifecycle, QoS flows, keepalive,
/// subscriptions, offline queue and reconnects.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    /// Kept for reconnects; `None` until the first `connect()`.
    options: Option<ConnectOptions>,
    phase: Phase,
    /// Consecutive failed (or short-lived) connections, for backoff.
    failures: u32,
    backoff: BackoffState,
    decoder: Decoder,
    /// The version of the current (or last) connection attempt.
    version: ProtocolVersion,
    /// What the current connection's CONNACK allows (defaults: no limits).
    negotiated: Negotiated,
    /// MQTT 5 topic aliases of the current connection, both ways.
    aliases_out: OutboundAliases,
    aliases_in: InboundAliases,
    /// MQTT 5: the client id the broker assigned; reconnects use it.
    assigned_client_id: Option<String>,
    keepalive: KeepAlive,
    packet_ids: PacketIds,
    inflight: Inflight,
    queue: Queue,
    subscriptions: Subscriptions,
    incoming: Incoming,
    last_operation: LastOperation,
    /// MQTT 5: the user's clean start still to be sent (until a CONNACK
    /// accepts it; reconnects then resume the session).
    clean_start_pending: bool,
    next_publish_id: u64,
    /// Encoded packets not yet handed out; flushed as one `Output::Send`.
    tx: Vec<u8>,
    outputs: VecDeque<Output>,
    events: VecDeque<Event>,
}

impl Session {
    /// A disconnected session; nothing happens until [`Session::connect`].
    pub fn new(config: SessionConfig) -> Session {
        let backoff = BackoffState::new(config.random_seed);
        let decoder = Decoder::new(ProtocolVersion::V311, config.max_packet_size);
        Session {
            config,
            options: None,
            phase: Phase::Idle,
            failures: 0,
            backoff,
            decoder,
            version: ProtocolVersion::V311,
            negotiated: Negotiated::default(),
            aliases_out: OutboundAliases::default(),
            aliases_in: InboundAliases::default(),
            assigned_client_id: None,
            keepalive: KeepAlive::new(0, Instant::default()),
            packet_ids: PacketIds::default(),
            inflight: Inflight::default(),
            queue: Queue::default(),
            subscriptions: Subscriptions::default(),
            incoming: Incoming::default(),
            last_operation: LastOperation::default(),
            clean_start_pending: false,
            next_publish_id: 1,
            tx: Vec::new(),
            outputs: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Starts connecting with `options` (kept for reconnects), resetting the
    /// backoff. If a connection is up it is ended cleanly first (DISCONNECT,
    /// Close). Emits `Output::Open` and `Event::Connecting`. Invalid options
    /// (see [`ConnectOptions::validate`]) are reported as `Event::Warning`
    /// and nothing is opened.
    pub fn connect(&mut self, options: ConnectOptions, now: Instant) {
        if let Err(e) = options.validate() {
            self.event(Event::Warning {
                message: e.to_string(),
            });
            return;
        }
        self.drop_socket(true);
        if self.options.as_ref().map(|o| (&o.client_id, o.protocol))
            != Some((&options.client_id, options.protocol))
        {
            self.assigned_client_id = None;
        }
        self.clean_start_pending = options.clean_session;
        self.options = Some(options);
        self.failures = 0;
        self.backoff.reset();
        self.start_attempt(1, now);
    }

    /// Ends the connection on the user's request: DISCONNECT (so the broker
    /// discards the last will), `Output::Close`, `Event::Disconnected`, all
    /// at once — the driver drops the socket on `Close`, so there is no
    /// close event to wait for. Cancels any pending reconnect; nothing
    /// reconnects until `connect()`. Queued and in-flight messages are kept
    /// for the next `connect()`.
    pub fn disconnect(&mut self, now: Instant) {
        let _ = now;
        if self.phase != Phase::Idle {
            self.drop_socket(true);
            self.phase = Phase::Idle;
            self.event(Event::Disconnected);
        }
    }

    /// Publishes now if possible, else queues it (offline, or behind the
    /// in-flight cap or older queued messages, to keep order). Returns the
    /// handle later events refer to.
    ///
    /// Errors: invalid topic; queue full (the message is refused, nothing
    /// already queued is dropped). A QoS 0 message while offline with
    /// `queue_qos0_while_offline = false` is accepted and immediately
    /// reported as `Event::PublishDropped`.
    pub fn publish(
        &mut self,
        message: OutboundMessage,
        now: Instant,
    ) -> Result<PublishId, SessionError> {
        if let Err(reason) = validate::topic_name(&message.topic) {
            return Err(SessionError::InvalidTopic {
                topic: message.topic,
                reason,
            });
        }
        let connected = self.is_connected();
        if !connected && message.qos == QoS::AtMostOnce && !self.config.queue_qos0_while_offline {
            let id = self.new_publish_id();
            self.event(Event::PublishDropped {
                id,
                reason: "not connected, and QoS 0 messages are not queued while offline \
                         (setting `queue_qos0_while_offline`)"
                    .into(),
            });
            return Ok(id);
        }
        if connected {
            if let Some(refusal) = self.refusal(&message) {
                return Err(refusal);
            }
        }
        if connected && self.queue.is_empty() && self.can_send_now(message.qos) {
            let id = self.new_publish_id();
            self.send_new_publish(id, message, now);
            return Ok(id);
        }
        if self.queue.len() >= self.config.offline_queue_limit {
            return Err(SessionError::QueueFull {
                limit: self.config.offline_queue_limit,
            });
        }
        let id = self.new_publish_id();
        self.queue.push(id, message);
        Ok(id)
    }

    /// Gives up on a queued or unacknowledged message: it is not sent (or
    /// resent after a reconnect) any more, and `Event::PublishDropped`
    /// confirms it. The way out when a broker keeps closing the connection
    /// because of one message (e.g. an AWS IoT policy forbids its topic).
    /// Returns `false` if the message is not waiting (already acknowledged,
    /// QoS 0 already sent, or unknown). A QoS 2 message whose PUBREC arrived
    /// has already reached the broker; cancelling only stops its PUBREL.
    pub fn cancel_publish(&mut self, id: PublishId, now: Instant) -> bool {
        let found = if self.queue.remove(id) {
            true
        } else if let Some(entry) = self.inflight.remove_publish(id) {
            self.packet_ids.release(entry.packet_id);
            self.drain_queue(now);
            true
        } else {
            false
        };
        if found {
            self.event(Event::PublishDropped {
                id,
                reason: "cancelled by the user".into(),
            });
        }
        found
    }

    /// The socket opened: the session sends CONNECT. Ignored unless a
    /// socket was requested.
    pub fn handle_open(&mut self, now: Instant) {
        if let Phase::Opening { attempt, deadline } = self.phase {
            self.phase = Phase::AwaitConnAck {
                attempt,
                deadline,
                sent_at: now,
            };
            self.send_connect(now);
        }
    }

    /// Bytes received from the socket, in any chunking. Ignored when no
    /// connection is live (late bytes from a socket being closed).
    ///
    /// Large inputs are fed to the decoder [`FEED_CHUNK`] bytes at a time,
    /// each chunk drained before the next, so the decoder never holds more
    /// than one packet within the limit plus one chunk, and the payload of
    /// an oversized PUBLISH is counted off rather than buffered.
    pub fn handle_bytes(&mut self, bytes: &[u8], now: Instant) {
        for chunk in bytes.chunks(FEED_CHUNK) {
            if !self.accepts_bytes() {
                return;
            }
            self.handle_chunk(chunk, now);
        }
    }

    /// Whether received bytes are wanted now (a connection is live and the
    /// stream has not failed). The driver stops copying a large frame into
    /// memory as soon as this turns false.
    pub fn accepts_bytes(&self) -> bool {
        matches!(
            self.phase,
            Phase::AwaitConnAck { .. } | Phase::Connected { .. }
        )
    }

    fn handle_chunk(&mut self, chunk: &[u8], now: Instant) {
        self.decoder.feed(chunk);
        loop {
            match self.decoder.next_item() {
                Ok(Some(item)) => {
                    self.keepalive.on_received(now);
                    match item {
                        Item::Packet(packet) => self.handle_packet(packet, now),
                        Item::Skipped(skipped) => self.on_skipped_publish(skipped, now),
                    }
                    if !self.accepts_bytes() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    self.protocol_error_with(e.message, e.reason, now);
                    break;
                }
            }
        }
    }

    /// The socket closed or failed to open. An unexpected close is reported
    /// as `Event::ConnectionLost` (with the last operation if it was sent
    /// within 2 s) and a reconnect is scheduled.
    pub fn handle_close(&mut self, info: CloseInfo, now: Instant) {
        match self.phase {
            Phase::Idle | Phase::Waiting { .. } => {}
            Phase::Opening { .. } | Phase::AwaitConnAck { .. } | Phase::Connected { .. } => {
                let reason = close::describe_close(&info);
                // A socket that never opened was refused at the upgrade: no
                // MQTT operation of ours can be the cause.
                let last_operation = if matches!(self.phase, Phase::Opening { .. }) {
                    None
                } else {
                    self.last_operation.blame(now)
                };
                self.connection_failed(reason, last_operation, false, now);
            }
        }
    }

    /// The browser refused to open the socket (`new WebSocket(url)` threw:
    /// a malformed URL, a blocked port, an insecure socket from a secure
    /// page). No retry can fix that, so this is final: `ConnectionLost`
    /// with the reason, then the session stops (`Disconnected`) instead of
    /// scheduling a reconnect. `connect()` starts again.
    pub fn handle_refused(&mut self, reason: String, now: Instant) {
        let _ = now;
        if matches!(
            self.phase,
            Phase::Opening { .. } | Phase::AwaitConnAck { .. } | Phase::Connected { .. }
        ) {
            self.drop_socket(false);
            self.phase = Phase::Idle;
            self.event(Event::ConnectionLost {
                reason: format!(
                    "{}. Retrying cannot fix this, so the client stopped: check the \
                     broker URL (scheme, host, port, no #fragment).",
                    reason.trim_end_matches('.')
                ),
                last_operation: None,
            });
            self.event(Event::Disconnected);
        }
    }

    /// The transport saw something MQTT forbids (e.g. a text frame): handled
    /// as a protocol error (close, reconnect).
    pub fn handle_transport_error(&mut self, message: String, now: Instant) {
        if matches!(
            self.phase,
            Phase::Opening { .. } | Phase::AwaitConnAck { .. } | Phase::Connected { .. }
        ) {
            self.protocol_error(message, now);
        }
    }

    /// The deadline from [`Session::poll_timeout`] passed; early or repeated
    /// calls are harmless.
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.phase {
            Phase::Idle => {}
            Phase::Waiting { attempt, at } => {
                if now >= at {
                    self.start_attempt(attempt, now);
                }
            }
            Phase::Opening { deadline, .. } => {
                if now >= deadline {
                    let reason = format!(
                        "the WebSocket did not open within {} s (connect timeout)",
                        self.config.connect_timeout.as_secs_f32()
                    );
                    self.connection_failed(reason, None, true, now);
                }
            }
            Phase::AwaitConnAck { deadline, .. } => {
                if now >= deadline {
                    let reason = format!(
                        "no CONNACK within {} s of opening the socket (connect timeout): the \
                         endpoint accepted the WebSocket but did not answer CONNECT",
                        self.config.connect_timeout.as_secs_f32()
                    );
                    let last_operation = self.last_operation.blame(now);
                    self.connection_failed(reason, last_operation, true, now);
                }
            }
            Phase::Connected { .. } => self.poll_keepalive(now),
        }
    }

    /// The next socket action for the driver. Packets encoded in one call
    /// come out as one `Output::Send`.
    pub fn poll_output(&mut self) -> Option<Output> {
        if let Some(output) = self.outputs.pop_front() {
            return Some(output);
        }
        (!self.tx.is_empty()).then(|| Output::Send(std::mem::take(&mut self.tx)))
    }

    /// The next event for the UI.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Session::handle_timeout`] must be called next, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.phase {
            Phase::Idle => None,
            Phase::Waiting { at, .. } => Some(at),
            Phase::Opening { deadline, .. } | Phase::AwaitConnAck { deadline, .. } => {
                Some(deadline)
            }
            Phase::Connected { .. } => self.keepalive.deadline(),
        }
    }

    /// The connection state, for the UI.
    pub fn state(&self) -> ConnectionState {
        match self.phase {
            Phase::Idle => ConnectionState::Disconnected,
            Phase::Waiting { attempt, at } => ConnectionState::WaitingToReconnect { attempt, at },
            Phase::Opening { attempt, .. } | Phase::AwaitConnAck { attempt, .. } => {
                ConnectionState::Connecting { attempt }
            }
            Phase::Connected { .. } => ConnectionState::Connected,
        }
    }

    /// Remembered subscriptions, in the order they were first made.
    pub fn subscriptions(&self) -> &[Subscription] {
        self.subscriptions.list()
    }

    /// QoS 1/2 messages sent and not yet fully acknowledged.
    pub fn inflight_len(&self) -> usize {
        self.inflight.len()
    }

    /// Messages waiting to be sent (offline or behind the in-flight cap).
    pub fn queued_len(&self) -> usize {
        self.queue.len()
    }

    /// MQTT 5: what the current connection's CONNACK granted; `None` on
    /// 3.1.1 or when not connected.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        (self.is_connected() && self.version == ProtocolVersion::V5).then_some(&self.negotiated)
    }

    /// MQTT 5: outbound topic aliases handed out on this connection.
    pub fn topic_aliases_in_use(&self) -> usize {
        self.aliases_out.len()
    }

    /// Checks internal consistency; for tests and the fuzz target (cheap
    /// enough to call after every input there, not meant for production).
    #[doc(hidden)]
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut ids: Vec<PacketId> = self
            .inflight
            .iter()
            .map(|e| e.packet_id)
            .chain(self.subscriptions.awaiting_ids())
            .collect();
        if let Some(id) = ids.iter().find(|id| !self.packet_ids.is_in_use(**id)) {
            return Err(format!("packet id {} used but not reserved", id.get()));
        }
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(format!("packet id {} used twice", pair[0].get()));
        }
        if ids.len() != self.packet_ids.in_use_count() {
            return Err(format!(
                "{} ids reserved but {} in use",
                self.packet_ids.in_use_count(),
                ids.len()
            ));
        }
        if self.inflight.len() > self.config.max_inflight.clamp(1, 65_000) {
            return Err(format!("{} in flight > cap", self.inflight.len()));
        }
        if self.queue.len() > self.config.offline_queue_limit {
            return Err(format!("{} queued > limit", self.queue.len()));
        }
        Ok(())
    }

    fn is_connected(&self) -> bool {
        matches!(self.phase, Phase::Connected { .. })
    }

    /// In-flight cap: ours, and on MQTT 5 the broker's Receive Maximum.
    fn max_inflight(&self) -> usize {
        v5::flow::outbound_cap(self.config.max_inflight, self.negotiated.receive_maximum)
    }

    fn new_publish_id(&mut self) -> PublishId {
        let id = PublishId(self.next_publish_id);
        self.next_publish_id += 1;
        id
    }

    fn event(&mut self, event: Event) {
        self.events.push_back(event);
    }

    /// Queues a non-`Send` output after everything encoded so far.
    fn output(&mut self, output: Output) {
        if !self.tx.is_empty() {
            self.outputs
                .push_back(Output::Send(std::mem::take(&mut self.tx)));
        }
        self.outputs.push_back(output);
    }
}
