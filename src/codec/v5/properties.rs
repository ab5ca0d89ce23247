//! Properties (spec §2.2.2): the property table as implemented, the typed
//! property set of each packet, and the one reader and writer they share.
//!
//! Table 2-4 is [`PropertyId::row`]: for each identifier its name, its
//! wire type and the places (packets, or a CONNECT's Will Properties) it may
//! appear in. Decoding checks every property against it: unknown ids and
//! properties in the wrong packet are Malformed Packets, a repeated property
//! other than User Property (and PUBLISH's Subscription Identifier) is a
//! Protocol Error. Each packet's set ([`ConnectProperties`], ...) has one
//! field per property the table allows there, so what can be built can
//! always be encoded in that packet.

use super::reader::{
    binary_len, string_len, variable_byte_integer_len, write_prefixed, write_u16, write_u32,
    write_variable_byte_integer, Reader, MAX_VARIABLE_BYTE_INTEGER,
};
use super::{DecodeError, EncodeError, PacketType};
use crate::codec::QoS;
use bytes::Bytes;
use std::fmt;
use std::num::{NonZeroU16, NonZeroU32};

/// How a property's value is encoded (§1.5, Table 2-4's "Type" column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyType {
    Byte,
    TwoByteInteger,
    FourByteInteger,
    VariableByteInteger,
    Utf8String,
    Utf8StringPair,
    BinaryData,
}

/// Where a property set sits: one of the 13 packets with properties, or the
/// Will Properties in a CONNECT's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    Connect,
    Will,
    ConnAck,
    Publish,
    PubAck,
    PubRec,
    PubRel,
    PubComp,
    Subscribe,
    SubAck,
    Unsubscribe,
    UnsubAck,
    Disconnect,
    Auth,
}

impl Place {
    /// The packet this place is in (CONNECT for the will).
    pub fn packet(self) -> PacketType {
        match self {
            Place::Connect | Place::Will => PacketType::Connect,
            Place::ConnAck => PacketType::ConnAck,
            Place::Publish => PacketType::Publish,
            Place::PubAck => PacketType::PubAck,
            Place::PubRec => PacketType::PubRec,
            Place::PubRel => PacketType::PubRel,
            Place::PubComp => PacketType::PubComp,
            Place::Subscribe => PacketType::Subscribe,
            Place::SubAck => PacketType::SubAck,
            Place::Unsubscribe => PacketType::Unsubscribe,
            Place::UnsubAck => PacketType::UnsubAck,
            Place::Disconnect => PacketType::Disconnect,
            Place::Auth => PacketType::Auth,
        }
    }

    /// The place of an acknowledgement packet's properties.
    pub(crate) fn of_ack(packet: PacketType) -> Place {
        match packet {
            PacketType::PubAck => Place::PubAck,
            PacketType::PubRec => Place::PubRec,
            PacketType::PubRel => Place::PubRel,
            PacketType::PubComp => Place::PubComp,
            PacketType::SubAck => Place::SubAck,
            _ => Place::UnsubAck,
        }
    }

    /// Every place, for table-driven tests.
    pub const ALL: [Place; 14] = [
        Place::Connect,
        Place::Will,
        Place::ConnAck,
        Place::Publish,
        Place::PubAck,
        Place::PubRec,
        Place::PubRel,
        Place::PubComp,
        Place::Subscribe,
        Place::SubAck,
        Place::Unsubscribe,
        Place::UnsubAck,
        Place::Disconnect,
        Place::Auth,
    ];

    fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// `PUBLISH`, or `CONNECT will properties`.
impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Will => f.write_str("CONNECT will properties"),
            other => f.write_str(other.packet().name()),
        }
    }
}

/// The 27 property identifiers of MQTT 5.0 (Table 2-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PropertyId {
    PayloadFormatIndicator = 0x01,
    MessageExpiryInterval = 0x02,
    ContentType = 0x03,
    ResponseTopic = 0x08,
    CorrelationData = 0x09,
    SubscriptionIdentifier = 0x0B,
    SessionExpiryInterval = 0x11,
    AssignedClientIdentifier = 0x12,
    ServerKeepAlive = 0x13,
    AuthenticationMethod = 0x15,
    AuthenticationData = 0x16,
    RequestProblemInformation = 0x17,
    WillDelayInterval = 0x18,
    RequestResponseInformation = 0x19,
    ResponseInformation = 0x1A,
    ServerReference = 0x1C,
    ReasonString = 0x1F,
    ReceiveMaximum = 0x21,
    TopicAliasMaximum = 0x22,
    TopicAlias = 0x23,
    MaximumQos = 0x24,
    RetainAvailable = 0x25,
    UserProperty = 0x26,
    MaximumPacketSize = 0x27,
    WildcardSubscriptionAvailable = 0x28,
    SubscriptionIdentifierAvailable = 0x29,
    SharedSubscriptionAvailable = 0x2A,
}

// Place sets for Table 2-4's last column.
const CONNECT: u16 = 1 << Place::Connect as u16;
const WILL: u16 = 1 << Place::Will as u16;
const CONNACK: u16 = 1 << Place::ConnAck as u16;
const PUBLISH: u16 = 1 << Place::Publish as u16;
const PUBACK: u16 = 1 << Place::PubAck as u16;
const PUBREC: u16 = 1 << Place::PubRec as u16;
const PUBREL: u16 = 1 << Place::PubRel as u16;
const PUBCOMP: u16 = 1 << Place::PubComp as u16;
const SUBSCRIBE: u16 = 1 << Place::Subscribe as u16;
const SUBACK: u16 = 1 << Place::SubAck as u16;
const UNSUBSCRIBE: u16 = 1 << Place::Unsubscribe as u16;
const UNSUBACK: u16 = 1 << Place::UnsubAck as u16;
const DISCONNECT: u16 = 1 << Place::Disconnect as u16;
const AUTH: u16 = 1 << Place::Auth as u16;

impl PropertyId {
    /// Every property, in identifier order.
    pub const ALL: [PropertyId; 27] = {
        use PropertyId::*;
        [
            PayloadFormatIndicator,
            MessageExpiryInterval,
            ContentType,
            ResponseTopic,
            CorrelationData,
            SubscriptionIdentifier,
            SessionExpiryInterval,
            AssignedClientIdentifier,
            ServerKeepAlive,
            AuthenticationMethod,
            AuthenticationData,
            RequestProblemInformation,
            WillDelayInterval,
            RequestResponseInformation,
            ResponseInformation,
            ServerReference,
            ReasonString,
            ReceiveMaximum,
            TopicAliasMaximum,
            TopicAlias,
            MaximumQos,
            RetainAvailable,
            UserProperty,
            MaximumPacketSize,
            WildcardSubscriptionAvailable,
            SubscriptionIdentifierAvailable,
            SharedSubscriptionAvailable,
        ]
    };

    /// Table 2-4, one row: name, type, places.
    fn row(self) -> (&'static str, PropertyType, u16) {
        use PropertyId::*;
        use PropertyType::*;
        match self {
            PayloadFormatIndicator => ("Payload Format Indicator", Byte, PUBLISH | WILL),
            MessageExpiryInterval => ("Message Expiry Interval", FourByteInteger, PUBLISH | WILL),
            ContentType => ("Content Type", Utf8String, PUBLISH | WILL),
            ResponseTopic => ("Response Topic", Utf8String, PUBLISH | WILL),
            CorrelationData => ("Correlation Data", BinaryData, PUBLISH | WILL),
            SubscriptionIdentifier => (
                "Subscription Identifier",
                VariableByteInteger,
                PUBLISH | SUBSCRIBE,
            ),
            SessionExpiryInterval => (
                "Session Expiry Interval",
                FourByteInteger,
                CONNECT | CONNACK | DISCONNECT,
            ),
            AssignedClientIdentifier => ("Assigned Client Identifier", Utf8String, CONNACK),
            ServerKeepAlive => ("Server Keep Alive", TwoByteInteger, CONNACK),
            AuthenticationMethod => (
                "Authentication Method",
                Utf8String,
                CONNECT | CONNACK | AUTH,
            ),
            AuthenticationData => ("Authentication Data", BinaryData, CONNECT | CONNACK | AUTH),
            RequestProblemInformation => ("Request Problem Information", Byte, CONNECT),
            WillDelayInterval => ("Will Delay Interval", FourByteInteger, WILL),
            RequestResponseInformation => ("Request Response Information", Byte, CONNECT),
            ResponseInformation => ("Response Information", Utf8String, CONNACK),
            ServerReference => ("Server Reference", Utf8String, CONNACK | DISCONNECT),
            ReasonString => (
                "Reason String",
                Utf8String,
                CONNACK
                    | PUBACK
                    | PUBREC
                    | PUBREL
                    | PUBCOMP
                    | SUBACK
                    | UNSUBACK
                    | DISCONNECT
                    | AUTH,
            ),
            ReceiveMaximum => ("Receive Maximum", TwoByteInteger, CONNECT | CONNACK),
            TopicAliasMaximum => ("Topic Alias Maximum", TwoByteInteger, CONNECT | CONNACK),
            TopicAlias => ("Topic Alias", TwoByteInteger, PUBLISH),
            MaximumQos => ("Maximum QoS", Byte, CONNACK),
            RetainAvailable => ("Retain Available", Byte, CONNACK),
            UserProperty => (
                "User Property",
                Utf8StringPair,
                CONNECT
                    | CONNACK
                    | PUBLISH
                    | WILL
                    | PUBACK
                    | PUBREC
                    | PUBREL
                    | PUBCOMP
                    | SUBSCRIBE
                    | SUBACK
                    | UNSUBSCRIBE
                    | UNSUBACK
                    | DISCONNECT
                    | AUTH,
            ),
            MaximumPacketSize => ("Maximum Packet Size", FourByteInteger, CONNECT | CONNACK),
            WildcardSubscriptionAvailable => ("Wildcard Subscription Available", Byte, CONNACK),
            SubscriptionIdentifierAvailable => ("Subscription Identifier Available", Byte, CONNACK),
            SharedSubscriptionAvailable => ("Shared Subscription Available", Byte, CONNACK),
        }
    }

    /// The identifier for a wire value; `None` for values the spec does not define.
    pub fn from_u32(value: u32) -> Option<PropertyId> {
        Self::ALL.iter().copied().find(|p| *p as u32 == value)
    }

    /// The spec's name, e.g. `"Topic Alias Maximum"`.
    pub fn name(self) -> &'static str {
        self.row().0
    }

    /// How the value is encoded.
    pub fn value_type(self) -> PropertyType {
        self.row().1
    }

    /// May this property appear in `place` (Table 2-4)?
    pub fn allowed_in(self, place: Place) -> bool {
        self.row().2 & place.bit() != 0
    }

    /// May it appear more than once there? User Property anywhere, and the
    /// Subscription Identifier in a PUBLISH (one per matching subscription,
    /// §3.3.2.3.8); every other property at most once.
    pub fn repeatable_in(self, place: Place) -> bool {
        match self {
            PropertyId::UserProperty => true,
            PropertyId::SubscriptionIdentifier => place == Place::Publish,
            _ => false,
        }
    }
}

/// One User Property: a name/value string pair (§3.1.2.11.8). Order and
/// repeats are kept as sent `[MQTT-3.3.2-18]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserProperty {
    pub name: String,
    pub value: String,
}

impl UserProperty {
    /// A pair from anything string-like.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        UserProperty {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// Payload Format Indicator (§3.3.2.3.2): unspecified bytes, or UTF-8 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayloadFormat {
    Unspecified = 0,
    Utf8 = 1,
}

/// A Subscription Identifier: 1 to 268,435,455 (§3.8.2.1.2); 0 is a
/// Protocol Error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionId(NonZeroU32);

impl SubscriptionId {
    /// Largest identifier (the Variable Byte Integer's range).
    pub const MAX: u32 = MAX_VARIABLE_BYTE_INTEGER as u32;

    /// `None` for 0 and above [`Self::MAX`].
    pub fn new(value: u32) -> Option<Self> {
        if value > Self::MAX {
            return None;
        }
        NonZeroU32::new(value).map(SubscriptionId)
    }

    pub fn get(self) -> u32 {
        self.0.get()
    }
}

/// A property value type: how to read, size, check and write it.
pub(crate) trait Value {
    fn read(r: &mut Reader<'_>, id: PropertyId, place: Place) -> Result<Self, DecodeError>
    where
        Self: Sized;
    /// Encoded size of the value (without the identifier), checked.
    fn len(&self, id: PropertyId, place: Place) -> Result<usize, EncodeError>;
    fn write(&self, out: &mut Vec<u8>);
}

fn invalid(place: Place, property: PropertyId, value: u32) -> DecodeError {
    DecodeError::InvalidPropertyValue {
        place,
        property,
        value,
    }
}

/// Byte 0 or 1 (the "... Available" and "Request ..." properties).
impl Value for bool {
    fn read(r: &mut Reader<'_>, id: PropertyId, place: Place) -> Result<Self, DecodeError> {
        match r.u8(id.name())? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(invalid(place, id, v.into())),
        }
    }
    fn len(&self, _: PropertyId, _: Place) -> Result<usize, EncodeError> {
        Ok(1)
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.push(*self as u8);
    }
}

impl Value for PayloadFormat {
    fn read(r: &mut Reader<'_>, id: PropertyId, place: Place) -> Result<Self, DecodeError> {
        match r.u8(id.name())? {
            0 => Ok(PayloadFormat::Unspecified),
            1 => Ok(PayloadFormat::Utf8),
            v => Err(invalid(place, id, v.into())),
        }
    }
    fn len(&self, _: PropertyId, _: Place) -> Result<usize, EncodeError> {
        Ok(1)
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.push(*self as u8);
    }
}

/// Maximum QoS: 0 or 1 only (§3.2.2.3.4); absent means 2.
impl Value for QoS {
    fn read(r: &mut Reader<'_>, id: PropertyId, place: Place) -> Result<Self, DecodeError> {
        match r.u8(id.name())? {
            0 => Ok(QoS::AtMostOnce),
            1 => Ok(QoS::AtLeastOnce),
            v => Err(invalid(place, id, v.into())),
        }
    }
    fn len(&self, id: PropertyId, place: Place) -> Result<usize, EncodeError> {
        if *self == QoS::ExactlyOnce {
            return Err(EncodeError::InvalidPropertyValue {
                place,
                property: id,
                value: 2,
            });
        }
        Ok(1)
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.push(*self as u8);
    }
}

impl Value for u16 {
    fn read(r: &mut Reader<'_>, id: PropertyId, _: Place) -> Result<Self, DecodeError> {
        r.u16(id.name())
    }
    fn len(&self, _: PropertyId, _: Place) -> Result<usize, EncodeError> {
        Ok(2)
    }
    fn write(&self, out: &mut Vec<u8>) {
        write_u16(out, *self);
    }
}

/// Receive Maximum and Topic Alias: two bytes, never 0.
impl Value for NonZeroU16 {
    fn read(r: &mut Reader<'_>, id: PropertyId, place: Place) -> Result<Self, DecodeError> {
        let v = r.u16(id.name())?;
        NonZeroU16::new(v).ok_or(if id == PropertyId::TopicAlias {
            DecodeError::TopicAliasZero
        } else {
            invalid(place, id, 0)
        })
    }
    fn len(&self, _: PropertyId, _: Place) -> Result<usize, EncodeError> {
        Ok(2)
    }
    fn write(&self, out: &mut Vec<u8>) {
        write_u16(out, self.get());
    }
}

impl Value for u32 {
    fn read(r: &mut Reader<'_>, id: PropertyId, _: Place) -> Result<Self, DecodeError> {
        r.u32(id.name())
    }
    fn len(&self, _: PropertyId, _: Place) -> Result<usize, EncodeError> {
        Ok(4)
    }
    fn write(&self, out: &mut Vec<u8>) {
        write_u32(out, *self);
    }
}

/// Maximum Packet Size: four bytes, never 0 (§3.1.2.11.4).
impl Value for NonZeroU32 {
    fn read(r: &mut Reader<'_>, id: PropertyId, place: Place) -> Result<Self, DecodeError> {
        let v = r.u32(id.name())?;
        NonZeroU32::new(v).ok_or(invalid(place, id, 0))
    }
    fn len(&self, _: PropertyId, _: Place) -> Result<usize, EncodeError> {
        Ok(4)
    }
    fn write(&self, out: &mut Vec<u8>) {
        write_u32(out, self.get());
    }
}

impl Value for SubscriptionId {
    fn read(r: &mut Reader<'_>, id: PropertyId, place: Place) -> Result<Self, DecodeError> {
        let v = r.variable_byte_integer(id.name())? as u32;
        SubscriptionId::new(v).ok_or(invalid(place, id, v))
    }
    fn len(&self, _: PropertyId, _: Place) -> Result<usize, EncodeError> {
        Ok(variable_byte_integer_len(self.get() as usize))
    }
    fn write(&self, out: &mut Vec<u8>) {
        write_variable_byte_integer(out, self.get() as usize);
    }
}

impl Value for String {
    fn read(r: &mut Reader<'_>, id: PropertyId, _: Place) -> Result<Self, DecodeError> {
        r.string(id.name())
    }
    fn len(&self, id: PropertyId, place: Place) -> Result<usize, EncodeError> {
        string_len(place.packet(), id.name(), self)
    }
    fn write(&self, out: &mut Vec<u8>) {
        write_prefixed(out, self.as_bytes());
    }
}

impl Value for Bytes {
    fn read(r: &mut Reader<'_>, id: PropertyId, _: Place) -> Result<Self, DecodeError> {
        r.binary(id.name())
    }
    fn len(&self, id: PropertyId, place: Place) -> Result<usize, EncodeError> {
        binary_len(place.packet(), id.name(), self)
    }
    fn write(&self, out: &mut Vec<u8>) {
        write_prefixed(out, self);
    }
}

impl Value for UserProperty {
    fn read(r: &mut Reader<'_>, id: PropertyId, _: Place) -> Result<Self, DecodeError> {
        let name = r.string(id.name())?;
        let value = r.string(id.name())?;
        Ok(UserProperty { name, value })
    }
    fn len(&self, id: PropertyId, place: Place) -> Result<usize, EncodeError> {
        Ok(
            string_len(place.packet(), "User Property name", &self.name)?
                + string_len(place.packet(), id.name(), &self.value)?,
        )
    }
    fn write(&self, out: &mut Vec<u8>) {
        write_prefixed(out, self.name.as_bytes());
        write_prefixed(out, self.value.as_bytes());
    }
}

/// A packet's property set: absorbs decoded properties, lists its own for
/// encoding. Implemented by [`property_set!`].
pub(crate) trait PropertySet: Default {
    /// Reads property `id`'s value into its field; `Ok(false)` if this set
    /// has no such field (the table said it was allowed: a bug, reported as
    /// "not allowed" rather than a panic).
    fn absorb(
        &mut self,
        id: PropertyId,
        r: &mut Reader<'_>,
        place: Place,
    ) -> Result<bool, DecodeError>;
    /// Calls `f` for each property present, in field order.
    fn visit(
        &self,
        f: &mut dyn FnMut(PropertyId, &dyn Value) -> Result<(), EncodeError>,
    ) -> Result<(), EncodeError>;
}

/// Declares a property set: a struct with one public field per property
/// (`one` = `Option<T>`, `many` = `Vec<T>`) and its [`PropertySet`] impl.
macro_rules! property_set {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$fmeta:meta])* $field:ident: $kind:ident $ty:ty = $id:ident,)*
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: property_set!(@ty $kind $ty),)*
        }

        impl PropertySet for $name {
            fn absorb(&mut self, id: PropertyId, r: &mut Reader<'_>, place: Place)
                -> Result<bool, DecodeError> {
                match id {
                    $(PropertyId::$id => property_set!(@read $kind self.$field, r, id, place),)*
                    #[allow(unreachable_patterns)]
                    _ => return Ok(false),
                }
                Ok(true)
            }

            fn visit(&self, f: &mut dyn FnMut(PropertyId, &dyn Value) -> Result<(), EncodeError>)
                -> Result<(), EncodeError> {
                $(property_set!(@visit $kind self.$field, $id, f);)*
                Ok(())
            }
        }

        impl $name {
            /// `true` when no property is set (encodes as Property Length 0).
            pub fn is_empty(&self) -> bool {
                *self == Self::default()
            }
        }
    };
    (@ty one $ty:ty) => { Option<$ty> };
    (@ty many $ty:ty) => { Vec<$ty> };
    (@read one $f:expr, $r:ident, $id:ident, $place:ident) => {
        $f = Some(Value::read($r, $id, $place)?)
    };
    (@read many $f:expr, $r:ident, $id:ident, $place:ident) => {
        $f.push(Value::read($r, $id, $place)?)
    };
    (@visit one $f:expr, $id:ident, $cb:ident) => {
        if let Some(v) = &$f {
            $cb(PropertyId::$id, v)?;
        }
    };
    (@visit many $f:expr, $id:ident, $cb:ident) => {
        for v in &$f {
            $cb(PropertyId::$id, v)?;
        }
    };
}

property_set! {
    /// CONNECT properties (§3.1.2.11).
    ConnectProperties {
        /// Seconds the session outlives the connection; absent = 0.
        session_expiry_interval: one u32 = SessionExpiryInterval,
        /// QoS 1/2 publications the client will process at once; absent = 65,535.
        receive_maximum: one NonZeroU16 = ReceiveMaximum,
        /// Largest packet the client accepts.
        maximum_packet_size: one NonZeroU32 = MaximumPacketSize,
        /// Highest topic alias the client accepts from the server; absent = 0 (none).
        topic_alias_maximum: one u16 = TopicAliasMaximum,
        request_response_information: one bool = RequestResponseInformation,
        request_problem_information: one bool = RequestProblemInformation,
        user_properties: many UserProperty = UserProperty,
        authentication_method: one String = AuthenticationMethod,
        authentication_data: one Bytes = AuthenticationData,
    }
}

property_set! {
    /// Will Properties in a CONNECT's payload (§3.1.3.2).
    WillProperties {
        /// Seconds the server waits before publishing the will.
        will_delay_interval: one u32 = WillDelayInterval,
        payload_format_indicator: one PayloadFormat = PayloadFormatIndicator,
        message_expiry_interval: one u32 = MessageExpiryInterval,
        content_type: one String = ContentType,
        response_topic: one String = ResponseTopic,
        correlation_data: one Bytes = CorrelationData,
        user_properties: many UserProperty = UserProperty,
    }
}

property_set! {
    /// CONNACK properties (§3.2.2.3): what the server grants and limits.
    ConnAckProperties {
        session_expiry_interval: one u32 = SessionExpiryInterval,
        receive_maximum: one NonZeroU16 = ReceiveMaximum,
        /// 0 or 1; absent means QoS 2 is supported.
        maximum_qos: one QoS = MaximumQos,
        retain_available: one bool = RetainAvailable,
        maximum_packet_size: one NonZeroU32 = MaximumPacketSize,
        assigned_client_identifier: one String = AssignedClientIdentifier,
        topic_alias_maximum: one u16 = TopicAliasMaximum,
        reason_string: one String = ReasonString,
        user_properties: many UserProperty = UserProperty,
        wildcard_subscription_available: one bool = WildcardSubscriptionAvailable,
        subscription_identifier_available: one bool = SubscriptionIdentifierAvailable,
        shared_subscription_available: one bool = SharedSubscriptionAvailable,
        server_keep_alive: one u16 = ServerKeepAlive,
        response_information: one String = ResponseInformation,
        server_reference: one String = ServerReference,
        authentication_method: one String = AuthenticationMethod,
        authentication_data: one Bytes = AuthenticationData,
    }
}

property_set! {
    /// PUBLISH properties (§3.3.2.3).
    PublishProperties {
        payload_format_indicator: one PayloadFormat = PayloadFormatIndicator,
        /// Seconds the message lives on the server.
        message_expiry_interval: one u32 = MessageExpiryInterval,
        /// Never 0 `[MQTT-3.3.2-8]`.
        topic_alias: one NonZeroU16 = TopicAlias,
        response_topic: one String = ResponseTopic,
        correlation_data: one Bytes = CorrelationData,
        user_properties: many UserProperty = UserProperty,
        /// One per matching subscription that has an identifier (server → client).
        subscription_identifiers: many SubscriptionId = SubscriptionIdentifier,
        content_type: one String = ContentType,
    }
}

property_set! {
    /// PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and UNSUBACK properties
    /// (§3.4.2.2 etc.): the same two in all six.
    AckProperties {
        reason_string: one String = ReasonString,
        user_properties: many UserProperty = UserProperty,
    }
}

property_set! {
    /// SUBSCRIBE properties (§3.8.2.1).
    SubscribeProperties {
        subscription_identifier: one SubscriptionId = SubscriptionIdentifier,
        user_properties: many UserProperty = UserProperty,
    }
}

property_set! {
    /// UNSUBSCRIBE properties (§3.10.2.1).
    UnsubscribeProperties {
        user_properties: many UserProperty = UserProperty,
    }
}

property_set! {
    /// DISCONNECT properties (§3.14.2.2).
    DisconnectProperties {
        session_expiry_interval: one u32 = SessionExpiryInterval,
        reason_string: one String = ReasonString,
        user_properties: many UserProperty = UserProperty,
        server_reference: one String = ServerReference,
    }
}

property_set! {
    /// AUTH properties (§3.15.2.2).
    AuthProperties {
        authentication_method: one String = AuthenticationMethod,
        authentication_data: one Bytes = AuthenticationData,
        reason_string: one String = ReasonString,
        user_properties: many UserProperty = UserProperty,
    }
}

/// Reads a Property Length and the properties it covers into a `P`.
pub(crate) fn read<P: PropertySet>(r: &mut Reader<'_>, place: Place) -> Result<P, DecodeError> {
    let len = r.variable_byte_integer("property length")?;
    let mut set = P::default();
    if len == 0 {
        return Ok(set);
    }
    if len > r.remaining() {
        return Err(DecodeError::PropertyLengthExceedsPacket {
            place,
            length: len,
            remaining: r.remaining(),
        });
    }
    let end = r.position() + len;
    let mut seen = 0u64;
    while r.position() < end {
        let raw = r.variable_byte_integer("property identifier")? as u32;
        let Some(id) = PropertyId::from_u32(raw) else {
            return Err(DecodeError::UnknownProperty { place, id: raw });
        };
        if !id.allowed_in(place) {
            return Err(DecodeError::PropertyNotAllowed {
                place,
                property: id,
            });
        }
        let bit = 1u64 << (id as u8);
        if seen & bit != 0 && !id.repeatable_in(place) {
            return Err(DecodeError::DuplicateProperty {
                place,
                property: id,
            });
        }
        seen |= bit;
        let absorbed = set.absorb(id, r, place).map_err(|e| match e {
            // Within the packet, past the properties: their length was wrong.
            DecodeError::LengthExceedsPacket { .. } => DecodeError::PropertyExceedsPropertyLength {
                place,
                property: id,
            },
            e => e,
        })?;
        if !absorbed {
            return Err(DecodeError::PropertyNotAllowed {
                place,
                property: id,
            });
        }
        if r.position() > end {
            return Err(DecodeError::PropertyExceedsPropertyLength {
                place,
                property: id,
            });
        }
    }
    Ok(set)
}

/// Size of `set`'s properties (without the Property Length), checked.
pub(crate) fn len<P: PropertySet>(set: &P, place: Place) -> Result<usize, EncodeError> {
    let mut total = 0usize;
    set.visit(&mut |id, value| {
        total += 1 + value.len(id, place)?;
        Ok(())
    })?;
    if total > MAX_VARIABLE_BYTE_INTEGER {
        return Err(EncodeError::PacketTooLarge {
            packet: place.packet(),
            remaining_length: total,
        });
    }
    Ok(total)
}

/// Property Length plus properties, for a set of `len` bytes (from [`len`]).
pub(crate) fn block_len(len: usize) -> usize {
    variable_byte_integer_len(len) + len
}

/// Writes the Property Length `len` (from [`len`]) and the properties.
pub(crate) fn write<P: PropertySet>(set: &P, len: usize, out: &mut Vec<u8>) {
    write_variable_byte_integer(out, len);
    // Sizes were checked by `len`: nothing here can fail.
    let _ = set.visit(&mut |id, value| {
        out.push(id as u8);
        value.write(out);
        Ok(())
    });
}
