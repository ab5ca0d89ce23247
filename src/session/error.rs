//! Errors returned synchronously by the session's commands.

use std::fmt;

use crate::codec::QoS;

/// Why a command was refused; the `Display` text is meant for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionError {
    /// The queue of messages waiting to be sent is full; this message was
    /// not accepted (nothing is dropped silently).
    QueueFull {
        /// The configured limit that was reached.
        limit: usize,
    },
    /// The topic name cannot be published to.
    InvalidTopic {
        /// The topic as given.
        topic: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A topic filter cannot be subscribed to.
    InvalidFilter {
        /// The filter as given.
        filter: String,
        /// Why it is invalid.
        reason: String,
    },
    /// SUBSCRIBE/UNSUBSCRIBE needs at least one filter.
    NoFilters,
    /// The connect options cannot work (see [`ConnectOptions::validate`](super::ConnectOptions::validate)).
    InvalidConnectOptions {
        /// Why.
        reason: String,
    },
    /// MQTT 5: the PUBLISH is larger than the broker's CONNACK Maximum
    /// Packet Size; it was not sent `[MQTT-3.1.2-24]`.
    PacketTooLarge {
        /// The PUBLISH's size in bytes (fixed header included).
        size: usize,
        /// The broker's Maximum Packet Size.
        limit: u32,
    },
    /// MQTT 5: the broker's CONNACK Maximum QoS is lower than the QoS asked
    /// for. Refused rather than downgraded, so the guarantee is never
    /// weakened behind the user's back.
    QosNotSupported {
        /// The QoS of the message.
        requested: QoS,
        /// The broker's Maximum QoS.
        maximum: QoS,
    },
    /// MQTT 5: the broker's CONNACK says Retain Available = 0.
    RetainNotSupported,
    /// MQTT 5: the broker said in CONNACK that it cannot serve this kind of
    /// subscription (wildcards, shared, subscription identifiers), or the
    /// options break a rule (No Local on a shared subscription).
    SubscriptionNotSupported {
        /// The filter as given.
        filter: String,
        /// Why, as a sentence.
        reason: String,
    },
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::QueueFull { limit } => write!(
                f,
                "the message was not accepted: {limit} messages are already waiting to be sent \
                 (offline queue limit). Wait until the connection is back or raise the limit."
            ),
            SessionError::InvalidTopic { topic, reason } => {
                write!(f, "cannot publish to topic `{topic}`: {reason}")
            }
            SessionError::InvalidFilter { filter, reason } => {
                write!(f, "invalid topic filter `{filter}`: {reason}")
            }
            SessionError::NoFilters => write!(f, "give at least one topic filter"),
            SessionError::InvalidConnectOptions { reason } => {
                write!(f, "cannot connect with these options: {reason}")
            }
            SessionError::PacketTooLarge { size, limit } => write!(
                f,
                "the message was not sent: its PUBLISH is {size} bytes, over the broker's \
                 Maximum Packet Size of {limit} bytes (CONNACK)"
            ),
            SessionError::QosNotSupported { requested, maximum } => write!(
                f,
                "the message was not sent: the broker accepts QoS {} at most (CONNACK Maximum \
                 QoS) and this message asks for QoS {}; publish it with QoS {} or lower",
                *maximum as u8, *requested as u8, *maximum as u8
            ),
            SessionError::RetainNotSupported => write!(
                f,
                "the message was not sent: the broker does not support retained messages \
                 (CONNACK Retain Available = 0); publish it without retain"
            ),
            SessionError::SubscriptionNotSupported { filter, reason } => {
                write!(f, "cannot subscribe to `{filter}`: {reason}")
            }
        }
    }
}

impl std::error::Error for SessionError {}
