//! The 14 MQTT 3.1.1 control packets as Rust values.
//!
//! The types rule out states the spec forbids where that is cheap: a packet
//! identifier can never be zero ([`PacketId`]), and a PUBLISH carries a packet
//! identifier exactly when its QoS is 1 or 2 ([`QosPid`]).

use bytes::Bytes;
use std::num::NonZeroU16;

/// Quality of service of a PUBLISH or a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QoS {
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
}

impl QoS {
    /// The QoS for a two-bit value; `None` for 3, which the spec forbids.
    pub fn from_u8(value: u8) -> Option<QoS> {
        match value {
            0 => Some(QoS::AtMostOnce),
            1 => Some(QoS::AtLeastOnce),
            2 => Some(QoS::ExactlyOnce),
            _ => None,
        }
    }
}

/// A packet identifier: non-zero by construction `[MQTT-2.3.1-1]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PacketId(NonZeroU16);

impl PacketId {
    /// `None` for 0, which is never a valid packet identifier.
    pub fn new(value: u16) -> Option<PacketId> {
        NonZeroU16::new(value).map(PacketId)
    }

    /// The identifier as sent on the wire.
    pub fn get(self) -> u16 {
        self.0.get()
    }
}

/// QoS fused with the packet identifier it requires (none at QoS 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QosPid {
    AtMostOnce,
    AtLeastOnce(PacketId),
    ExactlyOnce(PacketId),
}

impl QosPid {
    /// The QoS level alone.
    pub fn qos(self) -> QoS {
        match self {
            QosPid::AtMostOnce => QoS::AtMostOnce,
            QosPid::AtLeastOnce(_) => QoS::AtLeastOnce,
            QosPid::ExactlyOnce(_) => QoS::ExactlyOnce,
        }
    }

    /// The packet identifier, if the QoS needs one.
    pub fn packet_id(self) -> Option<PacketId> {
        match self {
            QosPid::AtMostOnce => None,
            QosPid::AtLeastOnce(id) | QosPid::ExactlyOnce(id) => Some(id),
        }
    }
}

/// Any MQTT 3.1.1 control packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet {
    Connect(Connect),
    ConnAck(ConnAck),
    Publish(Publish),
    PubAck(PacketId),
    PubRec(PacketId),
    PubRel(PacketId),
    PubComp(PacketId),
    Subscribe(Subscribe),
    SubAck(SubAck),
    Unsubscribe(Unsubscribe),
    UnsubAck(PacketId),
    PingReq,
    PingResp,
    Disconnect,
}

/// CONNECT (client → server), always protocol name "MQTT", level 4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connect {
    pub client_id: String,
    /// Seconds; 0 switches keepalive off.
    pub keep_alive: u16,
    pub clean_session: bool,
    pub will: Option<LastWill>,
    pub username: Option<String>,
    /// Binary data in 3.1.1; only allowed together with a username `[MQTT-3.1.2-22]`.
    pub password: Option<Bytes>,
}

/// The message the broker publishes if the client vanishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastWill {
    pub topic: String,
    pub payload: Bytes,
    pub qos: QoS,
    pub retain: bool,
}

/// CONNACK (server → client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnAck {
    pub session_present: bool,
    pub code: ConnectReturnCode,
}

/// CONNACK return codes 0–5; any other value is a decode error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectReturnCode {
    Accepted = 0,
    UnacceptableProtocolVersion = 1,
    IdentifierRejected = 2,
    ServerUnavailable = 3,
    BadUserNameOrPassword = 4,
    NotAuthorized = 5,
}

/// PUBLISH (both directions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish {
    pub dup: bool,
    pub qos: QosPid,
    pub retain: bool,
    pub topic: String,
    /// A view of the received buffer: decoding does not copy the payload.
    pub payload: Bytes,
}

/// One topic filter of a SUBSCRIBE with its requested QoS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribeFilter {
    pub filter: String,
    pub qos: QoS,
}

/// SUBSCRIBE (client → server); at least one filter `[MQTT-3.8.3-3]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribe {
    pub packet_id: PacketId,
    pub filters: Vec<SubscribeFilter>,
}

/// The broker's answer for one filter of a SUBSCRIBE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubscribeReturnCode {
    Granted(QoS),
    /// 0x80: the broker refused this filter.
    Failure,
}

/// SUBACK (server → client): one return code per filter, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubAck {
    pub packet_id: PacketId,
    pub return_codes: Vec<SubscribeReturnCode>,
}

/// UNSUBSCRIBE (client → server); at least one filter `[MQTT-3.10.3-2]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    pub packet_id: PacketId,
    pub filters: Vec<String>,
}
