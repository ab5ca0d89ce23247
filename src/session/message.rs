//! Application messages in both directions and the handle for outbound ones.

use crate::time::Instant;
use bytes::Bytes;

use crate::codec::QoS;

/// A message the user wants to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    /// Topic name (no wildcards).
    pub topic: String,
    /// Application payload, sent unchanged.
    pub payload: Bytes,
    /// Delivery guarantee requested from the broker.
    pub qos: QoS,
    /// Ask the broker to keep it as the topic's retained message.
    pub retain: bool,
}

/// Session-local handle for one `publish()` call, so events can refer to it.
///
/// MQTT packet ids are assigned only when the message is actually sent
/// (a queued message has none yet) and are reused, so the UI needs a stable
/// id of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublishId(pub u64);

/// A message received on a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// Topic name it was published to.
    pub topic: String,
    /// Payload: a view of the received buffer.
    pub payload: Bytes,
    /// QoS the broker delivered it with.
    pub qos: QoS,
    /// Whether it is a retained message (sent because we subscribed).
    pub retain: bool,
    /// A QoS 1 redelivery (DUP = 1) of a packet id already received in this
    /// session: probably a copy of a message shown before.
    pub duplicate: bool,
    /// When its bytes were handed to the session: the caller's clock read
    /// once per received chunk serves the log and every other consumer.
    pub received_at: Instant,
    /// `Some(size)` when the message was over the size limit and was not
    /// kept: its payload was `size` bytes, counted off as they arrived, and
    /// `payload` holds the sentence shown in its place (`skipped: 2.1 MB on
    /// big/x (over the 1 MiB limit)`). It was acknowledged like any other.
    pub skipped: Option<usize>,
}
