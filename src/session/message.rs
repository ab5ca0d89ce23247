//! Application messages in both directions and the handle for outbound ones.

use crate::time::Instant;
use bytes::Bytes;

use crate::codec::v5::{PayloadFormat, PublishProperties, UserProperty};
use crate::codec::QoS;

/// The MQTT 5 properties of an application message, both directions
/// (§3.3.2.3). On MQTT 3.1.1 they are not sent and always arrive empty.
/// Topic Alias and Subscription Identifier are not here: the session
/// manages aliases itself and subscription ids are per delivery
/// ([`InboundMessage::subscription_ids`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageProperties {
    /// Whether the payload is UTF-8 text (`Utf8`) or unspecified bytes.
    pub payload_format_indicator: Option<PayloadFormat>,
    /// Seconds the broker keeps the message for subscribers that are not
    /// connected yet; received: what is left of it.
    pub message_expiry_interval: Option<u32>,
    /// MIME type of the payload (e.g. `application/json`).
    pub content_type: Option<String>,
    /// Topic a responder should publish its answer to (request/response).
    pub response_topic: Option<String>,
    /// Opaque bytes a responder echoes so the requester can match answers.
    pub correlation_data: Option<Bytes>,
    /// Name/value pairs, in order, repeats kept `[MQTT-3.3.2-18]`.
    pub user_properties: Vec<UserProperty>,
}

impl MessageProperties {
    /// `true` when no property is set.
    pub fn is_empty(&self) -> bool {
        *self == MessageProperties::default()
    }

    /// The PUBLISH property set carrying these (no alias, no subscription id).
    pub(crate) fn to_publish(&self) -> PublishProperties {
        PublishProperties {
            payload_format_indicator: self.payload_format_indicator,
            message_expiry_interval: self.message_expiry_interval,
            topic_alias: None,
            response_topic: self.response_topic.clone(),
            correlation_data: self.correlation_data.clone(),
            user_properties: self.user_properties.clone(),
            subscription_identifiers: Vec::new(),
            content_type: self.content_type.clone(),
        }
    }

    /// Splits a received PUBLISH's set into these and its subscription ids.
    pub(crate) fn from_publish(p: PublishProperties) -> (MessageProperties, Vec<u32>) {
        let ids = p
            .subscription_identifiers
            .iter()
            .map(|id| id.get())
            .collect();
        let props = MessageProperties {
            payload_format_indicator: p.payload_format_indicator,
            message_expiry_interval: p.message_expiry_interval,
            content_type: p.content_type,
            response_topic: p.response_topic,
            correlation_data: p.correlation_data,
            user_properties: p.user_properties,
        };
        (props, ids)
    }
}

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
    /// MQTT 5 properties (ignored on 3.1.1 connections).
    pub properties: MessageProperties,
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
    /// MQTT 5 properties as received (empty on 3.1.1).
    pub properties: MessageProperties,
    /// MQTT 5: the Subscription Identifiers of our subscriptions that
    /// matched this message (one per matching subscription that has one;
    /// see [`Subscription::options`](super::Subscription::options)).
    pub subscription_ids: Vec<u32>,
}
