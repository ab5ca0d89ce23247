//! The 15 MQTT 5.0 control packets as Rust values.
//!
//! QoS, packet identifiers and their fusion ([`QoS`], [`PacketId`],
//! [`QosPid`]) are the 3.1.1 types: the rules are the same (a packet
//! identifier is never zero `[MQTT-2.2.1-3]`; a PUBLISH has one exactly at
//! QoS 1 and 2). Every packet that MQTT 5 gave properties carries a typed
//! property set that can only hold the properties the spec allows there.

use super::properties::{
    AckProperties, AuthProperties, ConnAckProperties, ConnectProperties, DisconnectProperties,
    PublishProperties, SubscribeProperties, UnsubscribeProperties, WillProperties,
};
use super::reason::ReasonCode;
use crate::codec::{PacketId, QoS, QosPid};
use bytes::Bytes;
use std::fmt;

/// The 15 control packet types of MQTT 5.0 (3.1.1's 14 plus AUTH).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketType {
    Connect = 1,
    ConnAck = 2,
    Publish = 3,
    PubAck = 4,
    PubRec = 5,
    PubRel = 6,
    PubComp = 7,
    Subscribe = 8,
    SubAck = 9,
    Unsubscribe = 10,
    UnsubAck = 11,
    PingReq = 12,
    PingResp = 13,
    Disconnect = 14,
    /// Enhanced authentication exchange (§3.15), new in MQTT 5.
    Auth = 15,
}

impl PacketType {
    /// The spec's name, e.g. `"AUTH"`.
    pub fn name(self) -> &'static str {
        match self.v311() {
            Some(t) => t.name(),
            None => "AUTH",
        }
    }

    /// The same type in the 3.1.1 codec, whose helpers read the shared
    /// fields; `None` for AUTH.
    pub(crate) fn v311(self) -> Option<crate::codec::PacketType> {
        crate::codec::PacketType::from_u8(self as u8)
    }
}

impl From<crate::codec::PacketType> for PacketType {
    fn from(t: crate::codec::PacketType) -> Self {
        use crate::codec::PacketType as T;
        match t {
            T::Connect => PacketType::Connect,
            T::ConnAck => PacketType::ConnAck,
            T::Publish => PacketType::Publish,
            T::PubAck => PacketType::PubAck,
            T::PubRec => PacketType::PubRec,
            T::PubRel => PacketType::PubRel,
            T::PubComp => PacketType::PubComp,
            T::Subscribe => PacketType::Subscribe,
            T::SubAck => PacketType::SubAck,
            T::Unsubscribe => PacketType::Unsubscribe,
            T::UnsubAck => PacketType::UnsubAck,
            T::PingReq => PacketType::PingReq,
            T::PingResp => PacketType::PingResp,
            T::Disconnect => PacketType::Disconnect,
        }
    }
}

impl fmt::Display for PacketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Any MQTT 5.0 control packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet {
    /// Boxed, as is CONNACK: rare and large, they would make every packet
    /// (PUBLISH above all) as big as they are.
    Connect(Box<Connect>),
    ConnAck(Box<ConnAck>),
    Publish(Publish),
    PubAck(Ack),
    PubRec(Ack),
    PubRel(Ack),
    PubComp(Ack),
    Subscribe(Subscribe),
    SubAck(SubAck),
    Unsubscribe(Unsubscribe),
    UnsubAck(UnsubAck),
    PingReq,
    PingResp,
    Disconnect(Disconnect),
    Auth(Auth),
}

impl Packet {
    /// This packet's type.
    pub fn packet_type(&self) -> PacketType {
        match self {
            Packet::Connect(_) => PacketType::Connect,
            Packet::ConnAck(_) => PacketType::ConnAck,
            Packet::Publish(_) => PacketType::Publish,
            Packet::PubAck(_) => PacketType::PubAck,
            Packet::PubRec(_) => PacketType::PubRec,
            Packet::PubRel(_) => PacketType::PubRel,
            Packet::PubComp(_) => PacketType::PubComp,
            Packet::Subscribe(_) => PacketType::Subscribe,
            Packet::SubAck(_) => PacketType::SubAck,
            Packet::Unsubscribe(_) => PacketType::Unsubscribe,
            Packet::UnsubAck(_) => PacketType::UnsubAck,
            Packet::PingReq => PacketType::PingReq,
            Packet::PingResp => PacketType::PingResp,
            Packet::Disconnect(_) => PacketType::Disconnect,
            Packet::Auth(_) => PacketType::Auth,
        }
    }
}

/// CONNECT (client → server), protocol name "MQTT", level 5 (§3.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Connect {
    /// May be empty: the server then assigns one (CONNACK Assigned Client Identifier).
    pub client_id: String,
    /// Seconds; 0 switches keepalive off (the server may override it).
    pub keep_alive: u16,
    /// Start a new session, discarding any existing one (§3.1.2.4).
    pub clean_start: bool,
    pub will: Option<LastWill>,
    pub username: Option<String>,
    /// MQTT 5 allows a password without a user name (§3.1.2.9).
    pub password: Option<Bytes>,
    pub properties: ConnectProperties,
}

/// The Will Message the server publishes if the client vanishes (§3.1.3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastWill {
    pub topic: String,
    pub payload: Bytes,
    pub qos: QoS,
    pub retain: bool,
    pub properties: WillProperties,
}

/// CONNACK (server → client, §3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnAck {
    /// Always false when the reason code is an error `[MQTT-3.2.2-6]`.
    pub session_present: bool,
    pub reason_code: ReasonCode,
    pub properties: ConnAckProperties,
}

/// PUBLISH (both directions, §3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish {
    pub dup: bool,
    pub qos: QosPid,
    pub retain: bool,
    /// Empty only when `properties.topic_alias` names the topic (§3.3.2.3.4).
    pub topic: String,
    /// A view of the received buffer: decoding does not copy the payload.
    pub payload: Bytes,
    pub properties: PublishProperties,
}

/// PUBACK, PUBREC, PUBREL or PUBCOMP (§3.4–3.7): which one is the
/// [`Packet`] variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub packet_id: PacketId,
    pub reason_code: ReasonCode,
    pub properties: AckProperties,
}

/// What the server does with retained messages when a subscription is made
/// (§3.8.3.1, bits 4 and 5 of the subscription options).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RetainHandling {
    /// 0: send retained messages at the time of the subscribe.
    #[default]
    SendAtSubscribe = 0,
    /// 1: send them only if the subscription did not exist yet.
    SendIfNewSubscription = 1,
    /// 2: do not send retained messages.
    DoNotSend = 2,
}

/// The options byte of one SUBSCRIBE filter (§3.8.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubscriptionOptions {
    /// Maximum QoS the server may deliver with.
    pub qos: QoS,
    /// Do not send this client's own publications back `[MQTT-3.8.3-3]`.
    pub no_local: bool,
    /// Keep the RETAIN flag as published (otherwise cleared on delivery).
    pub retain_as_published: bool,
    pub retain_handling: RetainHandling,
}

impl SubscriptionOptions {
    /// Options with only a QoS (the 3.1.1 behaviour).
    pub fn qos(qos: QoS) -> Self {
        SubscriptionOptions {
            qos,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAtSubscribe,
        }
    }
}

/// One topic filter of a SUBSCRIBE with its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribeFilter {
    pub filter: String,
    pub options: SubscriptionOptions,
}

/// SUBSCRIBE (client → server, §3.8); at least one filter `[MQTT-3.8.3-2]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribe {
    pub packet_id: PacketId,
    pub filters: Vec<SubscribeFilter>,
    pub properties: SubscribeProperties,
}

/// SUBACK (server → client, §3.9): one reason code per filter, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubAck {
    pub packet_id: PacketId,
    pub reason_codes: Vec<ReasonCode>,
    pub properties: AckProperties,
}

/// UNSUBSCRIBE (client → server, §3.10); at least one filter `[MQTT-3.10.3-2]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    pub packet_id: PacketId,
    pub filters: Vec<String>,
    pub properties: UnsubscribeProperties,
}

/// UNSUBACK (server → client, §3.11): one reason code per filter, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubAck {
    pub packet_id: PacketId,
    pub reason_codes: Vec<ReasonCode>,
    pub properties: AckProperties,
}

/// DISCONNECT (both directions in MQTT 5, §3.14).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Disconnect {
    pub reason_code: ReasonCode,
    pub properties: DisconnectProperties,
}

/// AUTH (both directions, §3.15).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Auth {
    pub reason_code: ReasonCode,
    pub properties: AuthProperties,
}
