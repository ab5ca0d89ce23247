//! MQTT 5 decode and encode errors, each named after the rule it enforces
//! and citing the MQTT 5.0 spec's normative statement (or section).
//!
//! The rules MQTT 5 shares with 3.1.1 (fixed header, strings, packet
//! identifiers) are checked by the 3.1.1 helpers; [`DecodeError::from_v311`]
//! turns their errors into these, with the MQTT 5 packet type and rule ids.

use super::properties::{Place, PropertyId};
use super::reason::ReasonCode;
use super::PacketType;
use crate::codec::DecodeError as V311;
use crate::topic::TopicError;
use std::fmt;

/// Why bytes are not a valid MQTT 5.0 packet. "Need more bytes" is never
/// an error ([`Status::Incomplete`](crate::codec::Status) / `Ok(None)`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// Packet type 0 is reserved (§2.1.2, Table 2-1).
    ReservedPacketType { value: u8 },
    /// Fixed-header flags are 0b0010 for PUBREL/SUBSCRIBE/UNSUBSCRIBE, 0 otherwise `[MQTT-2.1.3-1]`.
    InvalidHeaderFlags { packet: PacketType, flags: u8 },
    /// A PUBLISH must not have both QoS bits set `[MQTT-3.3.1-4]`.
    InvalidQos,
    /// DUP must be 0 on a QoS 0 PUBLISH `[MQTT-3.3.1-2]`.
    DupAtQos0,
    /// A Variable Byte Integer takes at most 4 bytes and the fewest that
    /// hold its value `[MQTT-1.5.5-1]` (§1.5.5).
    MalformedVariableByteInteger {
        packet: Option<PacketType>,
        field: &'static str,
    },
    /// The packet is larger than this decoder's configured maximum (the
    /// Maximum Packet Size this client announces, §3.1.2.11.4).
    PacketTooLarge { size: usize, limit: usize },
    /// PINGREQ and PINGRESP have no body (§3.12, §3.13).
    WrongRemainingLength {
        packet: PacketType,
        expected: usize,
        actual: usize,
    },
    /// A field or its length prefix runs past the end of the packet (§1.5, §2.1.4).
    LengthExceedsPacket {
        packet: PacketType,
        field: &'static str,
    },
    /// Bytes are left after the packet's last field (§2.1.4).
    TrailingBytes { packet: PacketType, count: usize },
    /// Packet identifiers are non-zero `[MQTT-2.2.1-3]`.
    ZeroPacketId { packet: PacketType },
    /// Strings must be well-formed UTF-8 `[MQTT-1.5.4-1]`.
    InvalidUtf8 {
        packet: PacketType,
        field: &'static str,
    },
    /// Strings must not contain U+0000 `[MQTT-1.5.4-2]`.
    NullCharacter {
        packet: PacketType,
        field: &'static str,
    },
    /// Topic filters (and will topics) are at least one character long `[MQTT-4.7.3-1]`.
    EmptyTopic {
        packet: PacketType,
        field: &'static str,
    },
    /// A topic name must not contain wildcards `[MQTT-3.3.2-2]`, `[MQTT-4.7.0-1]`.
    WildcardInTopicName {
        packet: PacketType,
        field: &'static str,
    },
    /// A topic filter's wildcards each occupy a whole level, `#` last `[MQTT-4.7.1-1]`, `[MQTT-4.7.1-2]`.
    InvalidTopicFilter {
        packet: PacketType,
        error: TopicError,
    },
    /// SUBSCRIBE/UNSUBSCRIBE carry at least one filter `[MQTT-3.8.3-2]`, `[MQTT-3.10.3-2]`.
    NoTopicFilters { packet: PacketType },
    /// The Property Length is longer than what is left of the packet (§2.2.2.1).
    PropertyLengthExceedsPacket {
        place: Place,
        length: usize,
        remaining: usize,
    },
    /// A property's value runs past the end given by the Property Length (§2.2.2.1).
    PropertyExceedsPropertyLength { place: Place, property: PropertyId },
    /// A property identifier the spec does not define: a Malformed Packet (§2.2.2.2).
    UnknownProperty { place: Place, id: u32 },
    /// A property in a packet that does not allow it: a Malformed Packet (§2.2.2.2, Table 2-4).
    PropertyNotAllowed { place: Place, property: PropertyId },
    /// A property that may appear only once appeared again: a Protocol Error (§3.x.2.2, e.g. §3.1.2.11.2).
    DuplicateProperty { place: Place, property: PropertyId },
    /// A property value outside its range, e.g. Receive Maximum 0 or a byte that must be 0 or 1 (§3.x.2.2).
    InvalidPropertyValue {
        place: Place,
        property: PropertyId,
        value: u32,
    },
    /// A Topic Alias of 0 is not permitted `[MQTT-3.3.2-8]`.
    TopicAliasZero,
    /// A PUBLISH with an empty topic name must carry a Topic Alias (§3.3.2.3.4).
    EmptyTopicWithoutAlias,
    /// Authentication Data requires an Authentication Method (§3.1.2.11.10, §3.15.2.2.3).
    AuthenticationDataWithoutMethod { place: Place },
    /// A reason code value the spec does not define (§2.4, Table 2-6).
    UnknownReasonCode { packet: PacketType, code: u8 },
    /// A reason code the packet may not carry (§2.4, Table 2-6, and each packet's table in §3).
    ReasonCodeNotAllowed {
        packet: PacketType,
        code: ReasonCode,
    },
    /// Subscription options: QoS 3, Retain Handling 3 or reserved bits 6–7 set `[MQTT-3.8.3-5]` (§3.8.3.1).
    InvalidSubscriptionOptions { byte: u8 },
    /// No Local on a shared subscription is a Protocol Error `[MQTT-3.8.3-4]`.
    NoLocalOnSharedSubscription,
    /// CONNACK flags bits 7–1 are reserved and must be 0 `[MQTT-3.2.2-1]`.
    InvalidConnAckFlags { flags: u8 },
    /// A refusing CONNACK (reason ≥ 0x80) has Session Present 0 `[MQTT-3.2.2-6]`.
    SessionPresentOnRefusal,
    /// CONNECT's protocol name is "MQTT" `[MQTT-3.1.2-1]`.
    InvalidProtocolName { found: String },
    /// This decoder reads protocol version 5 only (§3.1.2.2); 4 is the 3.1.1 codec's.
    UnsupportedProtocolVersion { version: u8 },
    /// CONNECT flags bit 0 is reserved and must be 0 `[MQTT-3.1.2-3]`.
    ConnectReservedFlag,
    /// Without the Will Flag, Will QoS and Will Retain must be 0 `[MQTT-3.1.2-11]`, `[MQTT-3.1.2-13]`.
    WillFlagsWithoutWill,
    /// Will QoS must not be 3 `[MQTT-3.1.2-12]`.
    InvalidWillQos,
}

impl DecodeError {
    /// A stable snake_case name for this error (tests, logs).
    pub fn kind(&self) -> &'static str {
        use DecodeError::*;
        match self {
            ReservedPacketType { .. } => "reserved_packet_type",
            InvalidHeaderFlags { .. } => "invalid_header_flags",
            InvalidQos => "invalid_qos",
            DupAtQos0 => "dup_at_qos0",
            MalformedVariableByteInteger { .. } => "malformed_variable_byte_integer",
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
            PropertyLengthExceedsPacket { .. } => "property_length_exceeds_packet",
            PropertyExceedsPropertyLength { .. } => "property_exceeds_property_length",
            UnknownProperty { .. } => "unknown_property",
            PropertyNotAllowed { .. } => "property_not_allowed",
            DuplicateProperty { .. } => "duplicate_property",
            InvalidPropertyValue { .. } => "invalid_property_value",
            TopicAliasZero => "topic_alias_zero",
            EmptyTopicWithoutAlias => "empty_topic_without_alias",
            AuthenticationDataWithoutMethod { .. } => "authentication_data_without_method",
            UnknownReasonCode { .. } => "unknown_reason_code",
            ReasonCodeNotAllowed { .. } => "reason_code_not_allowed",
            InvalidSubscriptionOptions { .. } => "invalid_subscription_options",
            NoLocalOnSharedSubscription => "no_local_on_shared_subscription",
            InvalidConnAckFlags { .. } => "invalid_connack_flags",
            SessionPresentOnRefusal => "session_present_on_refusal",
            InvalidProtocolName { .. } => "invalid_protocol_name",
            UnsupportedProtocolVersion { .. } => "unsupported_protocol_version",
            ConnectReservedFlag => "connect_reserved_flag",
            WillFlagsWithoutWill => "will_flags_without_will",
            InvalidWillQos => "invalid_will_qos",
        }
    }

    /// The reason code a receiver sends when it closes the connection over
    /// this error (§4.13): Malformed Packet or Protocol Error, or Packet too
    /// large.
    pub fn reason_code(&self) -> ReasonCode {
        use DecodeError::*;
        match self {
            PacketTooLarge { .. } => ReasonCode::PacketTooLarge,
            DuplicateProperty { .. }
            | InvalidPropertyValue { .. }
            | TopicAliasZero
            | EmptyTopicWithoutAlias
            | AuthenticationDataWithoutMethod { .. }
            | NoLocalOnSharedSubscription
            | UnsupportedProtocolVersion { .. }
            | ZeroPacketId { .. }
            | InvalidSubscriptionOptions { .. }
            | NoTopicFilters { .. }
            | SessionPresentOnRefusal
            | ReasonCodeNotAllowed { .. } => ReasonCode::ProtocolError,
            _ => ReasonCode::MalformedPacket,
        }
    }

    /// The same rule as reported by a 3.1.1 helper, for `packet`.
    pub(crate) fn from_v311(error: V311, packet: PacketType) -> Self {
        use DecodeError as E;
        match error {
            V311::ReservedPacketType { value } => E::ReservedPacketType { value },
            V311::InvalidHeaderFlags { packet, flags } => E::InvalidHeaderFlags {
                packet: packet.into(),
                flags,
            },
            V311::InvalidQos => E::InvalidQos,
            V311::DupAtQos0 => E::DupAtQos0,
            V311::RemainingLengthTooLong => E::MalformedVariableByteInteger {
                packet: Some(packet),
                field: "remaining length",
            },
            V311::PacketTooLarge { size, limit } => E::PacketTooLarge { size, limit },
            V311::LengthExceedsPacket { field, .. } => E::LengthExceedsPacket { packet, field },
            V311::TrailingBytes { count, .. } => E::TrailingBytes { packet, count },
            V311::ZeroPacketId { .. } => E::ZeroPacketId { packet },
            V311::InvalidUtf8 { field, .. } => E::InvalidUtf8 { packet, field },
            V311::NullCharacter { field, .. } => E::NullCharacter { packet, field },
            V311::EmptyTopic { field, .. } => E::EmptyTopic { packet, field },
            V311::WildcardInTopicName { field, .. } => E::WildcardInTopicName { packet, field },
            V311::InvalidTopicFilter { error, .. } => E::InvalidTopicFilter { packet, error },
            // Not produced by the helpers MQTT 5 shares (header, Reader):
            // kept total as the nearest MQTT 5 rule.
            other => E::LengthExceedsPacket {
                packet,
                field: other.kind(),
            },
        }
    }

    pub(crate) fn from_topic(packet: PacketType, field: &'static str, error: TopicError) -> Self {
        match error {
            TopicError::Empty => DecodeError::EmptyTopic { packet, field },
            TopicError::NullCharacter => DecodeError::NullCharacter { packet, field },
            TopicError::WildcardInName => DecodeError::WildcardInTopicName { packet, field },
            TopicError::TooLong { .. } => DecodeError::LengthExceedsPacket { packet, field },
            _ => DecodeError::InvalidTopicFilter { packet, error },
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DecodeError::*;
        match self {
            ReservedPacketType { value } => write!(f, "received a packet of type {value}, which MQTT reserves (valid types are 1 to 15) [§2.1.2]"),
            InvalidHeaderFlags { packet, flags } => write!(f, "received a {packet} with header flags {flags:#06b}, which MQTT 5 does not allow for that packet [MQTT-2.1.3-1]"),
            InvalidQos => f.write_str("received a PUBLISH with QoS 3, which does not exist (QoS is 0, 1 or 2) [MQTT-3.3.1-4]"),
            DupAtQos0 => f.write_str("received a QoS 0 PUBLISH marked as a duplicate (DUP), which MQTT forbids [MQTT-3.3.1-2]"),
            MalformedVariableByteInteger { packet, field } => {
                let packet = packet.map(|p| p.name()).unwrap_or("packet");
                write!(f, "received a {packet} whose {field} is a malformed variable byte integer (more than 4 bytes, or more bytes than its value needs) [MQTT-1.5.5-1]")
            }
            PacketTooLarge { size, limit } => write!(f, "received a {size}-byte packet, larger than this client's maximum packet size of {limit} bytes; it was refused before being buffered [§3.1.2.11.4]"),
            WrongRemainingLength { packet, expected, actual } => write!(f, "received a {packet} with a {actual}-byte body, but a {packet} always has exactly {expected} bytes [§3.12]"),
            LengthExceedsPacket { packet, field } => write!(f, "received a {packet} whose {field} runs past the end of the packet (truncated or wrong length) [§2.1.4]"),
            TrailingBytes { packet, count } => write!(f, "received a {packet} with {count} unexpected byte(s) after its last field [§2.1.4]"),
            ZeroPacketId { packet } => write!(f, "received a {packet} with packet identifier 0, which MQTT forbids [MQTT-2.2.1-3]"),
            InvalidUtf8 { packet, field } => write!(f, "received a {packet} whose {field} is not valid UTF-8 [MQTT-1.5.4-1]"),
            NullCharacter { packet, field } => write!(f, "received a {packet} whose {field} contains the null character U+0000, which MQTT forbids [MQTT-1.5.4-2]"),
            EmptyTopic { packet, field } => write!(f, "received a {packet} with an empty {field}; topics are at least one character long [MQTT-4.7.3-1]"),
            WildcardInTopicName { packet, field } => write!(f, "received a {packet} whose {field} contains a wildcard ('+' or '#'), which MQTT forbids [MQTT-3.3.2-2]"),
            InvalidTopicFilter { packet, error } => write!(f, "received a {packet} with an invalid topic filter: {error}"),
            NoTopicFilters { packet } => write!(f, "received a {packet} without any topic filter; at least one is required [MQTT-3.8.3-2]"),
            PropertyLengthExceedsPacket { place, length, remaining } => write!(f, "received a {place} whose property length ({length} bytes) is longer than the {remaining} bytes left in the packet [§2.2.2.1]"),
            PropertyExceedsPropertyLength { place, property } => write!(f, "received a {place} whose {} property runs past the end of its properties (property length too short) [§2.2.2.1]", property.name()),
            UnknownProperty { place, id } => write!(f, "received a {place} with property identifier {id:#04x}, which MQTT 5 does not define: a malformed packet [§2.2.2.2]"),
            PropertyNotAllowed { place, property } => write!(f, "received a {place} carrying the {} property ({:#04x}), which that packet may not carry: a malformed packet [§2.2.2.2, Table 2-4]", property.name(), *property as u8),
            DuplicateProperty { place, property } => write!(f, "received a {place} with the {} property more than once; it may appear only once: a protocol error [§3]", property.name()),
            InvalidPropertyValue { place, property, value } => write!(f, "received a {place} whose {} property is {value}, which is not allowed: a protocol error [§3]", property.name()),
            TopicAliasZero => f.write_str("received a PUBLISH with Topic Alias 0, which is not permitted [MQTT-3.3.2-8]"),
            EmptyTopicWithoutAlias => f.write_str("received a PUBLISH with an empty topic name and no Topic Alias: a protocol error [§3.3.2.3.4]"),
            AuthenticationDataWithoutMethod { place } => write!(f, "received a {place} with Authentication Data but no Authentication Method: a protocol error [§3.1.2.11.10]"),
            UnknownReasonCode { packet, code } => write!(f, "received a {packet} with reason code {code:#04x}, which MQTT 5 does not define [§2.4]"),
            ReasonCodeNotAllowed { packet, code } => write!(f, "received a {packet} with reason code {}, which a {packet} may not carry [§2.4, Table 2-6]", code.describe(*packet)),
            InvalidSubscriptionOptions { byte } => write!(f, "received a SUBSCRIBE whose subscription options byte is {byte:#04x} (QoS 3, retain handling 3 or reserved bits set) [MQTT-3.8.3-5]"),
            NoLocalOnSharedSubscription => f.write_str("received a SUBSCRIBE with No Local on a shared subscription ($share/...): a protocol error [MQTT-3.8.3-4]"),
            InvalidConnAckFlags { flags } => write!(f, "received a CONNACK with flags {flags:#04x}; only the lowest bit (session present) may be set [MQTT-3.2.2-1]"),
            SessionPresentOnRefusal => f.write_str("received a CONNACK refusing the connection but claiming a session is present [MQTT-3.2.2-6]"),
            InvalidProtocolName { found } => write!(f, "received a CONNECT for protocol {found:?}, but MQTT requires \"MQTT\" [MQTT-3.1.2-1]"),
            UnsupportedProtocolVersion { version } => write!(f, "received a CONNECT for protocol version {version}, but this decoder reads version 5 (MQTT 5.0) [§3.1.2.2]"),
            ConnectReservedFlag => f.write_str("received a CONNECT with the reserved flag bit set [MQTT-3.1.2-3]"),
            WillFlagsWithoutWill => f.write_str("received a CONNECT with a will QoS or will retain but no will message [MQTT-3.1.2-11]"),
            InvalidWillQos => f.write_str("received a CONNECT whose will has QoS 3, which does not exist [MQTT-3.1.2-12]"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why a packet value cannot be encoded as MQTT 5.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// Strings and binary data carry a 2-byte length: at most 65,535 bytes (§1.5.4, §1.5.6).
    FieldTooLong {
        packet: PacketType,
        field: &'static str,
        len: usize,
    },
    /// Strings must not contain U+0000 `[MQTT-1.5.4-2]`.
    NullCharacter {
        packet: PacketType,
        field: &'static str,
    },
    /// The Remaining Length (or a Property Length) cannot exceed 268,435,455 bytes (§1.5.5).
    PacketTooLarge {
        packet: PacketType,
        remaining_length: usize,
    },
    /// SUBSCRIBE/UNSUBSCRIBE need at least one filter `[MQTT-3.8.3-2]`, `[MQTT-3.10.3-2]`.
    NoTopicFilters { packet: PacketType },
    /// A topic name or filter breaks the topic rules (§4.7).
    InvalidTopic {
        packet: PacketType,
        field: &'static str,
        error: TopicError,
    },
    /// A PUBLISH with an empty topic must name it by a Topic Alias (§3.3.2.3.4).
    EmptyTopicWithoutAlias,
    /// DUP must be 0 on a QoS 0 PUBLISH `[MQTT-3.3.1-2]`.
    DupAtQos0,
    /// A reason code the packet may not carry (§2.4, Table 2-6).
    ReasonCodeNotAllowed {
        packet: PacketType,
        code: ReasonCode,
    },
    /// A property value outside its range (Maximum QoS 2, a Subscription Identifier above 268,435,455).
    InvalidPropertyValue {
        place: Place,
        property: PropertyId,
        value: u32,
    },
    /// Authentication Data requires an Authentication Method (§3.1.2.11.10).
    AuthenticationDataWithoutMethod { place: Place },
    /// No Local on a shared subscription is a Protocol Error `[MQTT-3.8.3-4]`.
    NoLocalOnSharedSubscription,
    /// A refusing CONNACK cannot claim a session `[MQTT-3.2.2-6]`.
    SessionPresentOnRefusal,
}

impl EncodeError {
    /// A stable snake_case name for this error.
    pub fn kind(&self) -> &'static str {
        use EncodeError::*;
        match self {
            FieldTooLong { .. } => "field_too_long",
            NullCharacter { .. } => "null_character",
            PacketTooLarge { .. } => "packet_too_large",
            NoTopicFilters { .. } => "no_topic_filters",
            InvalidTopic { .. } => "invalid_topic",
            EmptyTopicWithoutAlias => "empty_topic_without_alias",
            DupAtQos0 => "dup_at_qos0",
            ReasonCodeNotAllowed { .. } => "reason_code_not_allowed",
            InvalidPropertyValue { .. } => "invalid_property_value",
            AuthenticationDataWithoutMethod { .. } => "authentication_data_without_method",
            NoLocalOnSharedSubscription => "no_local_on_shared_subscription",
            SessionPresentOnRefusal => "session_present_on_refusal",
        }
    }

    /// The same rule as reported by a 3.1.1 helper, for `packet`.
    pub(crate) fn from_v311(error: crate::codec::EncodeError, packet: PacketType) -> Self {
        use crate::codec::EncodeError as V;
        match error {
            V::FieldTooLong { field, len, .. } => EncodeError::FieldTooLong { packet, field, len },
            V::NullCharacter { field, .. } => EncodeError::NullCharacter { packet, field },
            V::InvalidTopic { field, error, .. } => EncodeError::InvalidTopic {
                packet,
                field,
                error,
            },
            V::NoTopicFilters { .. } => EncodeError::NoTopicFilters { packet },
            V::DupAtQos0 => EncodeError::DupAtQos0,
            V::PacketTooLarge {
                remaining_length, ..
            } => EncodeError::PacketTooLarge {
                packet,
                remaining_length,
            },
            // Not produced by the helpers MQTT 5 shares (string and field lengths).
            _ => EncodeError::PacketTooLarge {
                packet,
                remaining_length: 0,
            },
        }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use EncodeError::*;
        match self {
            FieldTooLong { packet, field, len } => write!(f, "cannot send a {packet}: its {field} is {len} bytes long, more than the 65,535 bytes MQTT allows [§1.5.4]"),
            NullCharacter { packet, field } => write!(f, "cannot send a {packet}: its {field} contains the null character U+0000 [MQTT-1.5.4-2]"),
            PacketTooLarge { packet, remaining_length } => write!(f, "cannot send a {packet} of {remaining_length} bytes: MQTT packets are at most 268,435,455 bytes [§1.5.5]"),
            NoTopicFilters { packet } => write!(f, "cannot send a {packet} without any topic filter; at least one is required [MQTT-3.8.3-2]"),
            InvalidTopic { packet, field, error } => write!(f, "cannot send a {packet}: invalid {field}: {error}"),
            EmptyTopicWithoutAlias => f.write_str("cannot send a PUBLISH with an empty topic and no Topic Alias [§3.3.2.3.4]"),
            DupAtQos0 => f.write_str("cannot send a QoS 0 PUBLISH marked as a duplicate (DUP) [MQTT-3.3.1-2]"),
            ReasonCodeNotAllowed { packet, code } => write!(f, "cannot send a {packet} with reason code {}: a {packet} may not carry it [§2.4, Table 2-6]", code.describe(*packet)),
            InvalidPropertyValue { place, property, value } => write!(f, "cannot send a {place} whose {} property is {value}, which is out of range [§3]", property.name()),
            AuthenticationDataWithoutMethod { place } => write!(f, "cannot send a {place} with Authentication Data but no Authentication Method [§3.1.2.11.10]"),
            NoLocalOnSharedSubscription => f.write_str("cannot subscribe to a shared subscription ($share/...) with No Local [MQTT-3.8.3-4]"),
            SessionPresentOnRefusal => f.write_str("cannot send a CONNACK that refuses the connection and claims a session [MQTT-3.2.2-6]"),
        }
    }
}

impl std::error::Error for EncodeError {}
