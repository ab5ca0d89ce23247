//! Reason codes (spec §2.4, Table 2-6): the one-byte outcome that MQTT 5
//! puts in CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK,
//! DISCONNECT and AUTH. Each code has the spec's name and the packets that
//! may carry it; a code outside its packet's list is a decode error.

use super::PacketType;
use std::fmt;

/// One MQTT 5 reason code. Below 0x80 is success, 0x80 and up a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum ReasonCode {
    /// 0x00: "Success", "Normal disconnection" (DISCONNECT), "Granted QoS 0" (SUBACK).
    #[default]
    Success = 0x00,
    GrantedQos1 = 0x01,
    GrantedQos2 = 0x02,
    DisconnectWithWillMessage = 0x04,
    NoMatchingSubscribers = 0x10,
    NoSubscriptionExisted = 0x11,
    ContinueAuthentication = 0x18,
    ReAuthenticate = 0x19,
    UnspecifiedError = 0x80,
    MalformedPacket = 0x81,
    ProtocolError = 0x82,
    ImplementationSpecificError = 0x83,
    UnsupportedProtocolVersion = 0x84,
    ClientIdentifierNotValid = 0x85,
    BadUserNameOrPassword = 0x86,
    NotAuthorized = 0x87,
    ServerUnavailable = 0x88,
    ServerBusy = 0x89,
    Banned = 0x8A,
    ServerShuttingDown = 0x8B,
    BadAuthenticationMethod = 0x8C,
    KeepAliveTimeout = 0x8D,
    SessionTakenOver = 0x8E,
    TopicFilterInvalid = 0x8F,
    TopicNameInvalid = 0x90,
    PacketIdentifierInUse = 0x91,
    PacketIdentifierNotFound = 0x92,
    ReceiveMaximumExceeded = 0x93,
    TopicAliasInvalid = 0x94,
    PacketTooLarge = 0x95,
    MessageRateTooHigh = 0x96,
    QuotaExceeded = 0x97,
    AdministrativeAction = 0x98,
    PayloadFormatInvalid = 0x99,
    RetainNotSupported = 0x9A,
    QosNotSupported = 0x9B,
    UseAnotherServer = 0x9C,
    ServerMoved = 0x9D,
    SharedSubscriptionsNotSupported = 0x9E,
    ConnectionRateExceeded = 0x9F,
    MaximumConnectTime = 0xA0,
    SubscriptionIdentifiersNotSupported = 0xA1,
    WildcardSubscriptionsNotSupported = 0xA2,
}

// Packet sets as bit masks (bit n = packet type n), for Table 2-6's last column.
const CONNACK: u16 = 1 << PacketType::ConnAck as u16;
const PUBACK: u16 = 1 << PacketType::PubAck as u16;
const PUBREC: u16 = 1 << PacketType::PubRec as u16;
const PUBREL: u16 = 1 << PacketType::PubRel as u16;
const PUBCOMP: u16 = 1 << PacketType::PubComp as u16;
const SUBACK: u16 = 1 << PacketType::SubAck as u16;
const UNSUBACK: u16 = 1 << PacketType::UnsubAck as u16;
const DISCONNECT: u16 = 1 << PacketType::Disconnect as u16;
const AUTH: u16 = 1 << PacketType::Auth as u16;
/// The codes most refusals share: CONNACK, PUBACK, PUBREC, SUBACK, UNSUBACK, DISCONNECT.
const COMMON_ERRORS: u16 = CONNACK | PUBACK | PUBREC | SUBACK | UNSUBACK | DISCONNECT;

impl ReasonCode {
    /// Every reason code, in the order of Table 2-6.
    pub const ALL: [ReasonCode; 43] = {
        use ReasonCode::*;
        [
            Success,
            GrantedQos1,
            GrantedQos2,
            DisconnectWithWillMessage,
            NoMatchingSubscribers,
            NoSubscriptionExisted,
            ContinueAuthentication,
            ReAuthenticate,
            UnspecifiedError,
            MalformedPacket,
            ProtocolError,
            ImplementationSpecificError,
            UnsupportedProtocolVersion,
            ClientIdentifierNotValid,
            BadUserNameOrPassword,
            NotAuthorized,
            ServerUnavailable,
            ServerBusy,
            Banned,
            ServerShuttingDown,
            BadAuthenticationMethod,
            KeepAliveTimeout,
            SessionTakenOver,
            TopicFilterInvalid,
            TopicNameInvalid,
            PacketIdentifierInUse,
            PacketIdentifierNotFound,
            ReceiveMaximumExceeded,
            TopicAliasInvalid,
            PacketTooLarge,
            MessageRateTooHigh,
            QuotaExceeded,
            AdministrativeAction,
            PayloadFormatInvalid,
            RetainNotSupported,
            QosNotSupported,
            UseAnotherServer,
            ServerMoved,
            SharedSubscriptionsNotSupported,
            ConnectionRateExceeded,
            MaximumConnectTime,
            SubscriptionIdentifiersNotSupported,
            WildcardSubscriptionsNotSupported,
        ]
    };

    /// The code for a wire value; `None` for values the spec does not define.
    pub fn from_u8(value: u8) -> Option<ReasonCode> {
        Self::ALL.iter().copied().find(|c| *c as u8 == value)
    }

    /// The wire value.
    pub fn to_u8(self) -> u8 {
        self as u8
    }

    /// `true` for 0x80 and above (§2.4).
    pub fn is_error(self) -> bool {
        self as u8 >= 0x80
    }

    /// The spec's name and the packets that may carry this code (Table 2-6).
    fn row(self) -> (&'static str, u16) {
        use ReasonCode::*;
        match self {
            Success => (
                "Success",
                CONNACK
                    | PUBACK
                    | PUBREC
                    | PUBREL
                    | PUBCOMP
                    | UNSUBACK
                    | AUTH
                    | DISCONNECT
                    | SUBACK,
            ),
            GrantedQos1 => ("Granted QoS 1", SUBACK),
            GrantedQos2 => ("Granted QoS 2", SUBACK),
            DisconnectWithWillMessage => ("Disconnect with Will Message", DISCONNECT),
            NoMatchingSubscribers => ("No matching subscribers", PUBACK | PUBREC),
            NoSubscriptionExisted => ("No subscription existed", UNSUBACK),
            ContinueAuthentication => ("Continue authentication", AUTH),
            ReAuthenticate => ("Re-authenticate", AUTH),
            UnspecifiedError => ("Unspecified error", COMMON_ERRORS),
            MalformedPacket => ("Malformed Packet", CONNACK | DISCONNECT),
            ProtocolError => ("Protocol Error", CONNACK | DISCONNECT),
            ImplementationSpecificError => ("Implementation specific error", COMMON_ERRORS),
            UnsupportedProtocolVersion => ("Unsupported Protocol Version", CONNACK),
            ClientIdentifierNotValid => ("Client Identifier not valid", CONNACK),
            BadUserNameOrPassword => ("Bad User Name or Password", CONNACK),
            NotAuthorized => ("Not authorized", COMMON_ERRORS),
            ServerUnavailable => ("Server unavailable", CONNACK),
            ServerBusy => ("Server busy", CONNACK | DISCONNECT),
            Banned => ("Banned", CONNACK),
            ServerShuttingDown => ("Server shutting down", DISCONNECT),
            BadAuthenticationMethod => ("Bad authentication method", CONNACK | DISCONNECT),
            KeepAliveTimeout => ("Keep Alive timeout", DISCONNECT),
            SessionTakenOver => ("Session taken over", DISCONNECT),
            TopicFilterInvalid => ("Topic Filter invalid", SUBACK | UNSUBACK | DISCONNECT),
            TopicNameInvalid => ("Topic Name invalid", CONNACK | PUBACK | PUBREC | DISCONNECT),
            PacketIdentifierInUse => (
                "Packet Identifier in use",
                PUBACK | PUBREC | SUBACK | UNSUBACK,
            ),
            PacketIdentifierNotFound => ("Packet Identifier not found", PUBREL | PUBCOMP),
            ReceiveMaximumExceeded => ("Receive Maximum exceeded", DISCONNECT),
            TopicAliasInvalid => ("Topic Alias invalid", DISCONNECT),
            PacketTooLarge => ("Packet too large", CONNACK | DISCONNECT),
            MessageRateTooHigh => ("Message rate too high", DISCONNECT),
            QuotaExceeded => (
                "Quota exceeded",
                CONNACK | PUBACK | PUBREC | SUBACK | DISCONNECT,
            ),
            AdministrativeAction => ("Administrative action", DISCONNECT),
            PayloadFormatInvalid => (
                "Payload format invalid",
                CONNACK | PUBACK | PUBREC | DISCONNECT,
            ),
            RetainNotSupported => ("Retain not supported", CONNACK | DISCONNECT),
            QosNotSupported => ("QoS not supported", CONNACK | DISCONNECT),
            UseAnotherServer => ("Use another server", CONNACK | DISCONNECT),
            ServerMoved => ("Server moved", CONNACK | DISCONNECT),
            SharedSubscriptionsNotSupported => {
                ("Shared Subscriptions not supported", SUBACK | DISCONNECT)
            }
            ConnectionRateExceeded => ("Connection rate exceeded", CONNACK | DISCONNECT),
            MaximumConnectTime => ("Maximum connect time", DISCONNECT),
            SubscriptionIdentifiersNotSupported => (
                "Subscription Identifiers not supported",
                SUBACK | DISCONNECT,
            ),
            WildcardSubscriptionsNotSupported => {
                ("Wildcard Subscriptions not supported", SUBACK | DISCONNECT)
            }
        }
    }

    /// The spec's name, e.g. `"Not authorized"` (0x00 is `"Success"`; see
    /// [`name_in`](Self::name_in) for its other names).
    pub fn name(self) -> &'static str {
        self.row().0
    }

    /// The name this code has in `packet`: 0x00 is "Normal disconnection" in
    /// a DISCONNECT and "Granted QoS 0" in a SUBACK.
    pub fn name_in(self, packet: PacketType) -> &'static str {
        match (self, packet) {
            (ReasonCode::Success, PacketType::Disconnect) => "Normal disconnection",
            (ReasonCode::Success, PacketType::SubAck) => "Granted QoS 0",
            _ => self.name(),
        }
    }

    /// May `packet` carry this code (Table 2-6 and the tables of §3)?
    pub fn allowed_in(self, packet: PacketType) -> bool {
        self.row().1 & (1 << packet as u16) != 0
    }

    /// `"0x87 Not authorized"`: the code as people see it, named for `packet`.
    pub fn describe(self, packet: PacketType) -> String {
        format!("{:#04x} {}", self as u8, self.name_in(packet))
    }
}

/// `0x87 Not authorized`.
impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#04x} {}", *self as u8, self.name())
    }
}

/// Reads a reason code and checks that the reader's packet may carry it.
pub(crate) fn read(r: &mut super::reader::Reader<'_>) -> Result<ReasonCode, super::DecodeError> {
    let packet = r.packet();
    let code = r.u8("reason code")?;
    let reason =
        ReasonCode::from_u8(code).ok_or(super::DecodeError::UnknownReasonCode { packet, code })?;
    if !reason.allowed_in(packet) {
        return Err(super::DecodeError::ReasonCodeNotAllowed {
            packet,
            code: reason,
        });
    }
    Ok(reason)
}

/// Refuses to encode a reason code `packet` may not carry.
pub(crate) fn check(packet: PacketType, code: ReasonCode) -> Result<(), super::EncodeError> {
    if code.allowed_in(packet) {
        Ok(())
    } else {
        Err(super::EncodeError::ReasonCodeNotAllowed { packet, code })
    }
}
