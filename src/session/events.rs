//! What the session tells its two audiences: [`Output`] for the driver
//! (socket actions) and [`Event`] for the UI (things a person wants to see).
//!
//! They are two separate queues so the driver can act on socket output
//! immediately while the UI consumes events at its own pace.

use std::time::Duration;

use crate::codec::{ConnectReturnCode, QoS};

use super::message::{InboundMessage, PublishId};
use super::v5::reason::Reason;
use super::v5::server_limits::Negotiated;

/// A socket action the driver must perform, in order.
///
/// Contract: `Open` means "open a new WebSocket (closing any previous one)";
/// `Close` means "close the current WebSocket". After `Close` the session
/// already treats that socket as gone: reporting its close with
/// [`Session::handle_close`](super::Session::handle_close) is harmless, but
/// the driver must never report events of an older socket after a newer
/// `Open` (drop the old socket's handlers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Open a new socket; `attempt` is 1 for the first try after
    /// `connect()` and `n + 1` after `n` consecutive failures.
    Open {
        /// Which try this is, for logs and the UI.
        attempt: u32,
    },
    /// Write these bytes (one or more whole MQTT packets) as one binary frame.
    Send(Vec<u8>),
    /// Close the current socket.
    Close,
}

/// How the socket ended, as the browser reports it (`CloseEvent`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CloseInfo {
    /// WebSocket close code (1000 normal, 1006 abnormal, ...).
    pub code: u16,
    /// Close reason text sent by the peer, often empty.
    pub reason: String,
    /// Whether the socket had opened; `false` means the connection attempt
    /// itself failed (DNS, TLS, HTTP upgrade refused, ...).
    pub was_open: bool,
}

/// Something that happened, for the UI and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A connection attempt started (socket being opened).
    Connecting {
        /// 1 for the first try, `n + 1` after `n` consecutive failures.
        attempt: u32,
    },
    /// The broker accepted CONNECT.
    Connected {
        /// Whether the broker resumed a stored session (then subscriptions
        /// and in-flight messages survived and are not re-sent as new).
        session_present: bool,
        /// MQTT 5: what the CONNACK granted (assigned client id, server
        /// keepalive, limits, availability flags); `None` on 3.1.1.
        negotiated: Option<Box<Negotiated>>,
    },
    /// The broker answered CONNACK with a non-zero code. The session then
    /// closes; it retries later only for code 3 (server unavailable).
    ConnectionRefused {
        /// The CONNACK return code (on MQTT 5: the nearest 3.1.1 code, for
        /// code that only knows those six; see `reason`).
        code: ConnectReturnCode,
        /// What the code means and what to check, for a person.
        explanation: String,
        /// MQTT 5: the CONNACK reason code (`0x87 Not authorized`) and
        /// reason string; `None` on 3.1.1.
        reason: Option<Reason>,
    },
    /// MQTT 5: the broker sent DISCONNECT (e.g. `0x8E Session taken over`).
    /// `ConnectionLost` (with the same sentence) follows, then a reconnect
    /// unless the reason says retrying cannot help (0x8E, 0x8A, 0x9C, 0x9D:
    /// the session stops and `Disconnected` follows).
    DisconnectedByServer {
        /// The DISCONNECT's reason code, reason string and user properties.
        reason: Reason,
        /// The broker's Server Reference (another server to use), if sent.
        server_reference: Option<String>,
    },
    /// The connection ended without the user asking (socket closed, network
    /// dropped, keepalive timeout, protocol error, connect timeout).
    ConnectionLost {
        /// Why, as a sentence.
        reason: String,
        /// The last operation sent shortly before an unexpected close, as a
        /// sentence: brokers such as AWS IoT Core close the connection
        /// instead of answering when the policy forbids an operation, so
        /// this is often the real cause.
        last_operation: Option<String>,
    },
    /// A reconnect is due after `delay` (exponential backoff with jitter).
    ReconnectScheduled {
        /// The attempt number that will start after the delay.
        attempt: u32,
        /// How long the session waits before opening a socket again.
        delay: Duration,
        /// Why the previous connection or attempt ended.
        reason: String,
    },
    /// The user's `disconnect()` completed, or the session stopped after an
    /// error no retry can fix (a URL the browser refuses); nothing
    /// reconnects until the next `connect()`.
    Disconnected,
    /// A message arrived on a subscription.
    Message(InboundMessage),
    /// The broker's answer for one filter of a SUBSCRIBE.
    SubscribeResult {
        /// The topic filter as the user gave it.
        filter: String,
        /// The granted QoS, or why it was refused.
        result: Result<QoS, String>,
        /// MQTT 5: the SUBACK's reason code for this filter and the reason
        /// string; `None` on 3.1.1 and for refusals made before sending.
        reason: Option<Reason>,
    },
    /// The broker confirmed an UNSUBSCRIBE (or there was nothing to remove).
    Unsubscribed {
        /// The topic filter as the user gave it.
        filter: String,
        /// MQTT 5: the UNSUBACK's reason code for this filter (e.g. `0x11 No
        /// subscription existed`) and reason string; `None` on 3.1.1.
        reason: Option<Reason>,
    },
    /// QoS 1 PUBACK or QoS 2 PUBCOMP arrived: delivery to the broker is done.
    /// On MQTT 5 also a PUBACK/PUBREC with an error code (the broker refused
    /// the message, e.g. `0x87 Not authorized`; it is not retried) or a
    /// PUBCOMP with one.
    PublishAcknowledged {
        /// The handle `publish()` returned.
        id: PublishId,
        /// MQTT 5: the reason code of the final acknowledgement (PUBACK,
        /// the refusing PUBREC, or PUBCOMP) and its reason string; `None`
        /// on 3.1.1. `reason.is_error()` means the broker refused it.
        reason: Option<Reason>,
    },
    /// The PUBLISH was handed to the driver for the first time (all QoS; for
    /// QoS 0 this is the final event).
    PublishSent {
        /// The handle `publish()` returned.
        id: PublishId,
    },
    /// The message will never be sent (e.g. QoS 0 while offline when
    /// offline QoS 0 queueing is off).
    PublishDropped {
        /// The handle `publish()` returned.
        id: PublishId,
        /// Why, as a sentence.
        reason: String,
    },
    /// The broker broke the protocol (undecodable bytes, SUBACK count
    /// mismatch, text frame); the session closes and reconnects.
    ProtocolError {
        /// The decoder's or the session's explanation.
        message: String,
    },
    /// Something odd that does not justify dropping the connection (e.g. an
    /// acknowledgement for a packet id we never used).
    Warning {
        /// What happened, as a sentence.
        message: String,
    },
}
