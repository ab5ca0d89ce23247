//! How the session behaves ([`SessionConfig`]) and whom it connects as
//! ([`ConnectOptions`]).

use std::time::Duration;

use bytes::Bytes;

use crate::codec::v5::{ConnectProperties, WillProperties};
use crate::codec::{LastWill, DEFAULT_MAX_PACKET_SIZE};

use super::backoff::Backoff;
use super::error::SessionError;
use super::protocol::ProtocolVersion;

/// Tuning knobs; [`Default`] gives values that suit AWS IoT Core and most
/// public brokers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// Largest packet accepted from the broker (bytes); bigger is a
    /// protocol error, so a broken peer cannot make us buffer without end.
    /// On 3.1.1 a bigger PUBLISH is skipped and shown as such; on MQTT 5 it
    /// is announced as our Maximum Packet Size, so the broker does not send
    /// one (it drops it, §3.1.2.11.4).
    pub max_packet_size: usize,
    /// Reconnect by itself after an unexpected close.
    pub auto_reconnect: bool,
    /// Delays between reconnect attempts.
    pub backoff: Backoff,
    /// Time from opening the socket to CONNACK; past it the attempt counts
    /// as failed (some brokers and proxies accept TCP and then say nothing).
    pub connect_timeout: Duration,
    /// Most messages waiting to be sent (offline, or behind the in-flight
    /// cap); `publish()` fails visibly beyond it rather than eating memory.
    pub offline_queue_limit: usize,
    /// Keep QoS 0 messages published while offline (otherwise they are
    /// dropped with [`Event::PublishDropped`](super::Event::PublishDropped),
    /// which matches "at most once").
    pub queue_qos0_while_offline: bool,
    /// Most unacknowledged QoS 1/2 PUBLISHes at once; AWS IoT Core allows
    /// 100. Further messages wait in the queue, in order.
    pub max_inflight: usize,
    /// Seed of the backoff jitter generator; the session has no other
    /// randomness (the browser passes `crypto.getRandomValues`, tests a
    /// constant).
    pub random_seed: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            max_packet_size: DEFAULT_MAX_PACKET_SIZE,
            auto_reconnect: true,
            backoff: Backoff::default(),
            connect_timeout: Duration::from_secs(10),
            offline_queue_limit: 1000,
            queue_qos0_while_offline: true,
            max_inflight: 100,
            random_seed: 0x5eed_0f3a_77c0_de01,
        }
    }
}

/// Who to connect as; kept by the session and reused for every reconnect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// MQTT client identifier (AWS IoT policies often restrict it).
    pub client_id: String,
    /// Keepalive in seconds; 0 switches keepalive off.
    pub keep_alive_secs: u16,
    /// Ask the broker to discard any stored session.
    pub clean_session: bool,
    /// Optional user name.
    pub username: Option<String>,
    /// Optional password; MQTT 3.1.1 allows it only with a user name.
    pub password: Option<Bytes>,
    /// Message the broker publishes if we vanish without DISCONNECT.
    pub will: Option<LastWill>,
    /// MQTT 3.1.1 (default) or 5; the whole connection speaks it.
    pub protocol: ProtocolVersion,
    /// MQTT 5 CONNECT properties: session expiry interval, receive maximum
    /// (announced and enforced: DISCONNECT 0x93 beyond it), maximum packet
    /// size (the smaller of this and `SessionConfig::max_packet_size` is
    /// announced), topic alias maximum (aliases the broker may use towards
    /// us), request response / problem information, user properties.
    /// Authentication method/data are refused: enhanced authentication is
    /// not supported. Ignored on 3.1.1.
    pub properties: ConnectProperties,
    /// MQTT 5 will properties (will delay, message expiry, content type,
    /// response topic, correlation data, user properties...); ignored on
    /// 3.1.1 and without a will.
    pub will_properties: WillProperties,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            client_id: String::new(),
            keep_alive_secs: 60,
            clean_session: true,
            username: None,
            password: None,
            will: None,
            protocol: ProtocolVersion::V311,
            properties: ConnectProperties::default(),
            will_properties: WillProperties::default(),
        }
    }
}

impl ConnectOptions {
    /// Checks what the broker would reject anyway, so the UI can say so
    /// before connecting (`connect()` reports the same problems as events).
    pub fn validate(&self) -> Result<(), SessionError> {
        let bad = |reason: &str| {
            Err(SessionError::InvalidConnectOptions {
                reason: reason.to_string(),
            })
        };
        if self.client_id.len() > u16::MAX as usize {
            return bad("the client id is longer than 65,535 bytes");
        }
        if self.client_id.contains('\0') {
            return bad("the client id contains a NUL character");
        }
        let v5 = self.protocol == ProtocolVersion::V5;
        if self.client_id.is_empty() && !self.clean_session && !v5 {
            return bad(
                "an empty client id needs clean session: the broker cannot keep a session \
                 for a client it cannot recognise [MQTT-3.1.3-7]",
            );
        }
        if v5 && self.properties.authentication_method.is_some() {
            return bad(
                "enhanced authentication (MQTT 5 Authentication Method) is not supported by \
                 this client",
            );
        }
        if v5 {
            if let Some(topic) = &self.will_properties.response_topic {
                if let Err(reason) = super::validate::topic_name(topic) {
                    return bad(&format!(
                        "the last-will response topic is invalid: {reason}"
                    ));
                }
            }
        }
        if self.password.is_some() && self.username.is_none() && !v5 {
            return bad(
                "MQTT 3.1.1 allows a password only together with a user name [MQTT-3.1.2-22]",
            );
        }
        if let Some(will) = &self.will {
            if let Err(reason) = super::validate::topic_name(&will.topic) {
                return bad(&format!("the last-will topic is invalid: {reason}"));
            }
        }
        Ok(())
    }
}
