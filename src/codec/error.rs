//! Decode and encode errors. Each variant names the rule it enforces and the
//! spec's normative statement (or section, where the rule has no id).

use super::PacketType;
use crate::topic::TopicError;
use std::fmt;

/// Why a byte stream is not valid MQTT 3.1.1. "Need more bytes" is never an
/// error: it is `Ok(None)` / [`Status::Incomplete`](super::Status).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// Packet types 0 and 15 are reserved (§2.2.1, Table 2.1).
    ReservedPacketType { value: u8 },
    /// Fixed-header flags must be 0b0010 for PUBREL/SUBSCRIBE/UNSUBSCRIBE and 0 otherwise `[MQTT-2.2.2-1]`, `[MQTT-2.2.2-2]`.
    InvalidHeaderFlags { packet: PacketType, flags: u8 },
    /// A PUBLISH must not have both QoS bits set `[MQTT-3.3.1-4]`.
    InvalidQos,
    /// DUP must be 0 on a QoS 0 PUBLISH `[MQTT-3.3.1-2]`.
    DupAtQos0,
    /// The Remaining Length takes at most 4 bytes (§2.2.3).
    RemainingLengthTooLong,
    /// The packet (fixed header + body) is larger than this decoder's configured maximum.
    PacketTooLarge { size: usize, limit: usize },
    /// Fixed-size packets have a fixed Remaining Length, e.g. 2 for PUBACK, 0 for PINGRESP (§3.x.1).
    WrongRemainingLength {
        packet: PacketType,
        expected: usize,
        actual: usize,
    },
    /// A field or its length prefix runs past the end of the packet (§1.5.3, §2.2.3).
    LengthExceedsPacket {
        packet: PacketType,
        field: &'static str,
    },
    /// Bytes are left inside the packet after its last field (§2.2.3).
    TrailingBytes { packet: PacketType, count: usize },
    /// Packet identifiers are non-zero `[MQTT-2.3.1-1]`.
    ZeroPacketId { packet: PacketType },
    /// Strings must be well-formed UTF-8 `[MQTT-1.5.3-1]`.
    InvalidUtf8 {
        packet: PacketType,
        field: &'static str,
    },
    /// Strings must not contain U+0000 `[MQTT-1.5.3-2]`.
    NullCharacter {
        packet: PacketType,
        field: &'static str,
    },
    /// Topic names and filters are at least one character long `[MQTT-4.7.3-1]`.
    EmptyTopic {
        packet: PacketType,
        field: &'static str,
    },
    /// A topic name (PUBLISH, will) must not contain wildcards `[MQTT-3.3.2-2]`, `[MQTT-4.7.1-1]`.
    WildcardInTopicName {
        packet: PacketType,
        field: &'static str,
    },
    /// A topic filter's wildcards must each occupy a whole level, `#` last `[MQTT-4.7.1-2]`, `[MQTT-4.7.1-3]`.
    InvalidTopicFilter {
        packet: PacketType,
        error: TopicError,
    },
    /// SUBSCRIBE/UNSUBSCRIBE carry at least one filter `[MQTT-3.8.3-3]`, `[MQTT-3.10.3-2]`.
    NoTopicFilters { packet: PacketType },
    /// A SUBSCRIBE's requested-QoS byte must be 0, 1 or 2 with reserved bits 0 `[MQTT-3-8.3-4]`.
    InvalidSubscriptionOptions { byte: u8 },
    /// SUBACK return codes are 0x00, 0x01, 0x02 or 0x80 `[MQTT-3.9.3-2]`.
    InvalidSubAckReturnCode { code: u8 },
    /// CONNACK flags bits 7–1 are reserved and must be 0 (§3.2.2.1).
    InvalidConnAckFlags { flags: u8 },
    /// CONNACK return codes are 0–5; 6–255 are reserved (§3.2.2.3).
    UnknownConnectReturnCode { code: u8 },
    /// A refusing CONNACK (code ≠ 0) must have Session Present 0 `[MQTT-3.2.2-4]`.
    SessionPresentOnRefusal,
    /// CONNECT's protocol name is "MQTT" `[MQTT-3.1.2-1]`.
    InvalidProtocolName { found: String },
    /// CONNECT's protocol level is 4 for MQTT 3.1.1 `[MQTT-3.1.2-2]`.
    UnsupportedProtocolLevel { level: u8 },
    /// CONNECT flags bit 0 is reserved and must be 0 `[MQTT-3.1.2-3]`.
    ConnectReservedFlag,
    /// Without the Will Flag, Will QoS and Will Retain must be 0 `[MQTT-3.1.2-11]`, `[MQTT-3.1.2-13]`, `[MQTT-3.1.2-15]`.
    WillFlagsWithoutWill,
    /// Will QoS must not be 3 `[MQTT-3.1.2-14]`.
    InvalidWillQos,
    /// The Password Flag requires the User Name Flag `[MQTT-3.1.2-22]`.
    PasswordWithoutUsername,
    /// A zero-byte client identifier requires Clean Session 1 `[MQTT-3.1.3-7]`.
    EmptyClientIdWithoutCleanSession,
}

impl DecodeError {
    /// A stable snake_case name for this error, used by test vectors and logs.
    pub fn kind(&self) -> &'static str {
        use DecodeError::*;
        match self {
            ReservedPacketType { .. } => "reserved_packet_type",
            InvalidHeaderFlags { .. } => "invalid_header_flags",
            InvalidQos => "invalid_qos",
            DupAtQos0 => "dup_at_qos0",
            RemainingLengthTooLong => "remaining_length_too_long",
            PacketTooLarge { .. } => "packet_too_large",
            WrongRemainingLength { .. } => "wrong_remaining_length",
            LengthExceedsPacket { .. } => "length_exceeds_packet",
            TrailingBytes { .. } => "trailing_bytes",
            ZeroPacketId { .. } => "zero_packet_id",
            InvalidUtf8 { .. } => "invalid_utf8",
            NullCharacter { .. } => "null_character",
            EmptyTopic { .. } => "empty_topic",
            WildcardInTopicName { .. } => "wildcard_in_topic_name",
            InvalidTopicFilter { .. } => "invalid_topic_filter",
            NoTopicFilters { .. } => "no_topic_filters",
            InvalidSubscriptionOptions { .. } => "invalid_subscription_options",
            InvalidSubAckReturnCode { .. } => "invalid_suback_return_code",
            InvalidConnAckFlags { .. } => "invalid_connack_flags",
            UnknownConnectReturnCode { .. } => "unknown_connect_return_code",
            SessionPresentOnRefusal => "session_present_on_refusal",
            InvalidProtocolName { .. } => "invalid_protocol_name",
            UnsupportedProtocolLevel { .. } => "unsupported_protocol_level",
            ConnectReservedFlag => "connect_reserved_flag",
            WillFlagsWithoutWill => "will_flags_without_will",
            InvalidWillQos => "invalid_will_qos",
            PasswordWithoutUsername => "password_without_username",
            EmptyClientIdWithoutCleanSession => "empty_client_id_without_clean_session",
        }
    }

    pub(crate) fn from_topic(packet: PacketType, field: &'static str, error: TopicError) -> Self {
        match error {
            TopicError::Empty => DecodeError::EmptyTopic { packet, field },
            TopicError::NullCharacter => DecodeError::NullCharacter { packet, field },
            TopicError::WildcardInName => DecodeError::WildcardInTopicName { packet, field },
            // Cannot happen after a 2-byte length prefix; kept total.
            TopicError::TooLong { .. } => DecodeError::LengthExceedsPacket { packet, field },
            _ => DecodeError::InvalidTopicFilter { packet, error },
        }
    }
}

fn flags_rule(packet: PacketType) -> &'static str {
    match packet {
        PacketType::PubRel => "[MQTT-3.6.1-1]",
        PacketType::Subscribe => "[MQTT-3.8.1-1]",
        PacketType::Unsubscribe => "[MQTT-3.10.1-1]",
        _ => "[MQTT-2.2.2-1]",
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DecodeError::*;
        match self {
            ReservedPacketType { value } => write!(
                f,
                "broker sent a packet of type {value}, which MQTT reserves and never uses (valid types are 1 to 14) [§2.2.1]"
            ),
            InvalidHeaderFlags { packet, flags } => write!(
                f,
                "broker sent a {packet} with header flags {flags:#06b}, but MQTT requires {:#06b} for that packet {}",
                packet.required_flags(),
                flags_rule(*packet)
            ),
            InvalidQos => f.write_str(
                "broker sent a PUBLISH with QoS 3, which does not exist (QoS is 0, 1 or 2) [MQTT-3.3.1-4]",
            ),
            DupAtQos0 => f.write_str(
                "broker sent a QoS 0 PUBLISH marked as a duplicate (DUP), which MQTT forbids [MQTT-3.3.1-2]",
            ),
            RemainingLengthTooLong => f.write_str(
                "broker sent a packet whose length field is longer than the 4 bytes MQTT allows (max 268,435,455 bytes) [§2.2.3]",
            ),
            PacketTooLarge { size, limit } => write!(
                f,
                "broker sent a {size}-byte packet, larger than this client's limit of {limit} bytes; it was refused before being buffered"
            ),
            WrongRemainingLength { packet, expected, actual } => write!(
                f,
                "broker sent a {packet} with a {actual}-byte body, but a {packet} always has exactly {expected} bytes [§2.2.3]"
            ),
            LengthExceedsPacket { packet, field } => write!(
                f,
                "broker sent a {packet} whose {field} runs past the end of the packet (truncated or wrong length) [§2.2.3]"
            ),
            TrailingBytes { packet, count } => write!(
                f,
                "broker sent a {packet} with {count} unexpected byte(s) after its last field [§2.2.3]"
            ),
            ZeroPacketId { packet } => write!(
                f,
                "broker sent a {packet} with packet identifier 0, which MQTT forbids [MQTT-2.3.1-1]"
            ),
            InvalidUtf8 { packet, field } => write!(
                f,
                "broker sent a {packet} whose {field} is not valid UTF-8 [MQTT-1.5.3-1]"
            ),
            NullCharacter { packet, field } => write!(
                f,
                "broker sent a {packet} whose {field} contains the null character U+0000, which MQTT forbids [MQTT-1.5.3-2]"
            ),
            EmptyTopic { packet, field } => write!(
                f,
                "broker sent a {packet} with an empty {field}; topics are at least one character long [MQTT-4.7.3-1]"
            ),
            WildcardInTopicName { packet, field } => write!(
                f,
                "broker sent a {packet} whose {field} contains a wildcard ('+' or '#'), which MQTT forbids [MQTT-3.3.2-2]"
            ),
            InvalidTopicFilter { packet, error } => {
                write!(f, "broker sent a {packet} with an invalid topic filter: {error}")
            }
            NoTopicFilters { packet } => {
                let rule = if *packet == PacketType::Unsubscribe {
                    "[MQTT-3.10.3-2]"
                } else {
                    "[MQTT-3.8.3-3]"
                };
                write!(f, "broker sent a {packet} without any topic filter; at least one is required {rule}")
            }
            InvalidSubscriptionOptions { byte } => write!(
                f,
                "broker sent a SUBSCRIBE whose requested QoS byte is {byte:#04x}; it must be 0, 1 or 2 [MQTT-3-8.3-4]"
            ),
            InvalidSubAckReturnCode { code } => write!(
                f,
                "broker sent a SUBACK with return code {code:#04x}; only 0x00, 0x01, 0x02 and 0x80 exist [MQTT-3.9.3-2]"
            ),
            InvalidConnAckFlags { flags } => write!(
                f,
                "broker sent a CONNACK with flags {flags:#04x}; only the lowest bit (session present) may be set [§3.2.2.1]"
            ),
            UnknownConnectReturnCode { code } => write!(
                f,
                "broker answered the connection with return code {code}, which MQTT 3.1.1 does not define (0 to 5) [§3.2.2.3]"
            ),
            SessionPresentOnRefusal => f.write_str(
                "broker refused the connection but claimed a session is present, which MQTT forbids [MQTT-3.2.2-4]",
            ),
            InvalidProtocolName { found } => write!(
                f,
                "received a CONNECT for protocol {found:?}, but MQTT 3.1.1 requires \"MQTT\" [MQTT-3.1.2-1]"
            ),
            UnsupportedProtocolLevel { level } => write!(
                f,
                "received a CONNECT for protocol level {level}, but only level 4 (MQTT 3.1.1) is supported [MQTT-3.1.2-2]"
            ),
            ConnectReservedFlag => f.write_str(
                "received a CONNECT with the reserved flag bit set, which MQTT forbids [MQTT-3.1.2-3]",
            ),
            WillFlagsWithoutWill => f.write_str(
                "received a CONNECT with a will QoS or will retain but no will message [MQTT-3.1.2-11]",
            ),
            InvalidWillQos => f.write_str(
                "received a CONNECT whose will has QoS 3, which does not exist [MQTT-3.1.2-14]",
            ),
            PasswordWithoutUsername => f.write_str(
                "received a CONNECT with a password but no user name, which MQTT 3.1.1 forbids [MQTT-3.1.2-22]",
            ),
            EmptyClientIdWithoutCleanSession => f.write_str(
                "received a CONNECT with an empty client id and a persistent session; an empty id needs clean session [MQTT-3.1.3-7]",
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why a packet value cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// Strings and binary fields carry a 2-byte length: at most 65,535 bytes (§1.5.3).
    FieldTooLong {
        packet: PacketType,
        field: &'static str,
        len: usize,
    },
    /// The Remaining Length cannot exceed 268,435,455 bytes (§2.2.3).
    PacketTooLarge {
        packet: PacketType,
        remaining_length: usize,
    },
    /// SUBSCRIBE/UNSUBSCRIBE need at least one filter `[MQTT-3.8.3-3]`, `[MQTT-3.10.3-2]`.
    NoTopicFilters { packet: PacketType },
    /// A topic name or filter breaks the topic rules (§4.7).
    InvalidTopic {
        packet: PacketType,
        field: &'static str,
        error: TopicError,
    },
    /// Strings must not contain U+0000 `[MQTT-1.5.3-2]`.
    NullCharacter {
        packet: PacketType,
        field: &'static str,
    },
    /// DUP must be 0 on a QoS 0 PUBLISH `[MQTT-3.3.1-2]`.
    DupAtQos0,
    /// A password requires a user name in MQTT 3.1.1 `[MQTT-3.1.2-22]`.
    PasswordWithoutUsername,
    /// An empty client id requires clean session `[MQTT-3.1.3-7]`.
    EmptyClientIdWithoutCleanSession,
}

impl EncodeError {
    /// A stable snake_case name for this error.
    pub fn kind(&self) -> &'static str {
        use EncodeError::*;
        match self {
            FieldTooLong { .. } => "field_too_long",
            PacketTooLarge { .. } => "packet_too_large",
            NoTopicFilters { .. } => "no_topic_filters",
            InvalidTopic { .. } => "invalid_topic",
            NullCharacter { .. } => "null_character",
            DupAtQos0 => "dup_at_qos0",
            PasswordWithoutUsername => "password_without_username",
            EmptyClientIdWithoutCleanSession => "empty_client_id_without_clean_session",
        }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use EncodeError::*;
        match self {
            FieldTooLong { packet, field, len } => write!(
                f,
                "cannot send a {packet}: its {field} is {len} bytes long, more than the 65,535 bytes MQTT allows [§1.5.3]"
            ),
            PacketTooLarge { packet, remaining_length } => write!(
                f,
                "cannot send a {packet} of {remaining_length} bytes: MQTT packets are at most 268,435,455 bytes [§2.2.3]"
            ),
            NoTopicFilters { packet } => {
                let rule = if *packet == PacketType::Unsubscribe {
                    "[MQTT-3.10.3-2]"
                } else {
                    "[MQTT-3.8.3-3]"
                };
                write!(f, "cannot send a {packet} without any topic filter; at least one is required {rule}")
            }
            InvalidTopic { packet, field, error } => {
                write!(f, "cannot send a {packet}: invalid {field}: {error}")
            }
            NullCharacter { packet, field } => write!(
                f,
                "cannot send a {packet}: its {field} contains the null character U+0000, which MQTT forbids [MQTT-1.5.3-2]"
            ),
            DupAtQos0 => f.write_str(
                "cannot send a QoS 0 PUBLISH marked as a duplicate (DUP) [MQTT-3.3.1-2]",
            ),
            PasswordWithoutUsername => f.write_str(
                "cannot connect with a password but no user name; MQTT 3.1.1 requires a user name with a password [MQTT-3.1.2-22]",
            ),
            EmptyClientIdWithoutCleanSession => f.write_str(
                "cannot connect with an empty client id and a persistent session; use a client id or clean session [MQTT-3.1.3-7]",
            ),
        }
    }
}

impl std::error::Error for EncodeError {}
