//! What an MQTT 5 CONNACK grants and limits (§3.2.2.3), kept for the
//! connection and checked before anything is sent, so a request the broker
//! cannot serve is refused here with the reason instead of costing the
//! connection (the broker answers most violations with DISCONNECT).

use crate::codec::v5::{ConnAckProperties, UserProperty};
use crate::codec::QoS;

use super::super::error::SessionError;
use super::super::subscriptions::SubscribeOptions;
use super::flow::DEFAULT_RECEIVE_MAXIMUM;

/// The broker's answer to our CONNECT, as it applies to this connection:
/// MQTT 5 CONNACK properties with their defaults filled in. On 3.1.1 the
/// session uses [`Negotiated::default`] (everything available, no limits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// The client id the broker assigned because we sent an empty one; the
    /// session reconnects with it so the session can be resumed.
    pub assigned_client_id: Option<String>,
    /// Keepalive in use (seconds): the broker's Server Keep Alive when it
    /// sent one (it replaces ours `[MQTT-3.2.2-21]`), else ours.
    pub keep_alive_secs: u16,
    /// Session Expiry Interval in use (seconds): the broker's if it sent
    /// one, else ours. 0: the broker forgets the session when the
    /// connection ends, so the next CONNACK will say session present = 0.
    pub session_expiry_interval: u32,
    /// Most QoS 1/2 PUBLISHes the broker takes unacknowledged (65,535 if
    /// absent); more wait in our queue.
    pub receive_maximum: u16,
    /// Largest packet the broker accepts (bytes); bigger PUBLISHes are
    /// refused before sending.
    pub maximum_packet_size: Option<u32>,
    /// Topic aliases the broker accepts from us (0: none).
    pub topic_alias_maximum: u16,
    /// Highest QoS the broker supports for our PUBLISHes.
    pub maximum_qos: QoS,
    /// Whether retained messages are supported.
    pub retain_available: bool,
    /// Whether filters with `+` / `#` are supported.
    pub wildcard_subscription_available: bool,
    /// Whether Subscription Identifiers are supported.
    pub subscription_identifiers_available: bool,
    /// Whether `$share/...` filters are supported.
    pub shared_subscription_available: bool,
    /// Response Information (if we requested it): a topic prefix for replies.
    pub response_information: Option<String>,
    /// Another server the broker suggests.
    pub server_reference: Option<String>,
    /// The broker's CONNACK reason string.
    pub reason_string: Option<String>,
    /// The broker's CONNACK user properties, in order.
    pub user_properties: Vec<UserProperty>,
}

impl Default for Negotiated {
    fn default() -> Self {
        Negotiated {
            assigned_client_id: None,
            keep_alive_secs: 0,
            session_expiry_interval: 0,
            receive_maximum: DEFAULT_RECEIVE_MAXIMUM,
            maximum_packet_size: None,
            topic_alias_maximum: 0,
            maximum_qos: QoS::ExactlyOnce,
            retain_available: true,
            wildcard_subscription_available: true,
            subscription_identifiers_available: true,
            shared_subscription_available: true,
            response_information: None,
            server_reference: None,
            reason_string: None,
            user_properties: Vec::new(),
        }
    }
}

impl Negotiated {
    /// The CONNACK's properties over our CONNECT's keepalive and expiry.
    pub(crate) fn from_connack(p: ConnAckProperties, keep_alive: u16, expiry: u32) -> Self {
        Negotiated {
            assigned_client_id: p.assigned_client_identifier,
            keep_alive_secs: p.server_keep_alive.unwrap_or(keep_alive),
            session_expiry_interval: p.session_expiry_interval.unwrap_or(expiry),
            receive_maximum: p
                .receive_maximum
                .map_or(DEFAULT_RECEIVE_MAXIMUM, |r| r.get()),
            maximum_packet_size: p.maximum_packet_size.map(|m| m.get()),
            topic_alias_maximum: p.topic_alias_maximum.unwrap_or(0),
            maximum_qos: p.maximum_qos.unwrap_or(QoS::ExactlyOnce),
            retain_available: p.retain_available.unwrap_or(true),
            wildcard_subscription_available: p.wildcard_subscription_available.unwrap_or(true),
            subscription_identifiers_available: p.subscription_identifier_available.unwrap_or(true),
            shared_subscription_available: p.shared_subscription_available.unwrap_or(true),
            response_information: p.response_information,
            server_reference: p.server_reference,
            reason_string: p.reason_string,
            user_properties: p.user_properties,
        }
    }

    /// Refuses a PUBLISH the broker does not support: QoS above Maximum QoS
    /// (refused, not downgraded: a console must not silently weaken the
    /// delivery guarantee asked for; `[MQTT-3.2.2-11]`), or retain when
    /// Retain Available is 0 `[MQTT-3.2.2-14]`.
    pub(crate) fn check_publish(&self, qos: QoS, retain: bool) -> Result<(), SessionError> {
        if qos > self.maximum_qos {
            return Err(SessionError::QosNotSupported {
                requested: qos,
                maximum: self.maximum_qos,
            });
        }
        if retain && !self.retain_available {
            return Err(SessionError::RetainNotSupported);
        }
        Ok(())
    }

    /// Refuses a PUBLISH larger than the broker's Maximum Packet Size
    /// `[MQTT-3.1.2-24]`.
    pub(crate) fn check_size(&self, size: usize) -> Result<(), SessionError> {
        match self.maximum_packet_size {
            Some(limit) if size > limit as usize => {
                Err(SessionError::PacketTooLarge { size, limit })
            }
            _ => Ok(()),
        }
    }

    /// Why the broker cannot serve this subscription, if it cannot
    /// (CONNACK Wildcard / Shared / Subscription Identifier Available = 0).
    pub(crate) fn check_filter(&self, filter: &str, options: &SubscribeOptions) -> Option<String> {
        let shared = filter.starts_with("$share/");
        if shared && !self.shared_subscription_available {
            return Some(
                "the broker does not support shared subscriptions (CONNACK Shared Subscription \
                 Available = 0)"
                    .into(),
            );
        }
        if crate::topic::has_wildcards(filter) && !self.wildcard_subscription_available {
            return Some(
                "the broker does not support wildcard filters (CONNACK Wildcard Subscription \
                 Available = 0)"
                    .into(),
            );
        }
        if options.subscription_id.is_some() && !self.subscription_identifiers_available {
            return Some(
                "the broker does not support subscription identifiers (CONNACK Subscription \
                 Identifier Available = 0)"
                    .into(),
            );
        }
        None
    }
}
