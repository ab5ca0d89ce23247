//! The protocol version of a connection and the bridge to its codec.
//!
//! The session's state machine works on MQTT 5 packet values
//! (`codec::v5::Packet`): they are a superset of 3.1.1's (a 3.1.1 packet is
//! an MQTT 5 packet with reason code 0x00 and no properties). On a 3.1.1
//! connection this module converts at the edges: received 3.1.1 packets are
//! lifted to MQTT 5 values, and packets to send are lowered back and
//! encoded with the 3.1.1 codec, so 3.1.1 bytes on the wire are exactly
//! what they were before MQTT 5 existed here.

use crate::codec::v5::{self, ReasonCode};
use crate::codec::{self, ConnectReturnCode, Decoded, SkippedPublish, SubscribeReturnCode};

/// Which MQTT version a connection speaks; chosen per profile in
/// [`ConnectOptions::protocol`](super::ConnectOptions::protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum ProtocolVersion {
    /// MQTT 3.1.1 (protocol level 4): the default, what every broker speaks.
    #[default]
    V311,
    /// MQTT 5.0 (protocol level 5): properties, reason codes, aliases,
    /// flow control.
    V5,
}

/// One item of the received byte stream.
pub(crate) enum Item {
    /// A packet, as an MQTT 5 value whatever the connection's version.
    Packet(v5::Packet),
    /// A PUBLISH over the size limit whose payload was counted off (3.1.1).
    Skipped(SkippedPublish),
}

/// A decode failure: the decoder's text and, on MQTT 5, the reason code to
/// put in the DISCONNECT (§4.13).
pub(crate) struct DecodeFailure {
    pub(crate) message: String,
    pub(crate) reason: Option<ReasonCode>,
}

/// The stream decoder of the connection's version.
#[derive(Debug)]
pub(crate) enum Decoder {
    V311(codec::StreamDecoder),
    V5(v5::StreamDecoder),
}

impl Decoder {
    pub(crate) fn new(version: ProtocolVersion, max_packet_size: usize) -> Decoder {
        match version {
            ProtocolVersion::V311 => Decoder::V311(codec::StreamDecoder::new(max_packet_size)),
            ProtocolVersion::V5 => Decoder::V5(v5::StreamDecoder::new(max_packet_size)),
        }
    }

    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        match self {
            Decoder::V311(d) => d.feed(bytes),
            Decoder::V5(d) => d.feed(bytes),
        }
    }

    /// The next packet or skipped PUBLISH; `Ok(None)` means "need more".
    pub(crate) fn next_item(&mut self) -> Result<Option<Item>, DecodeFailure> {
        match self {
            Decoder::V311(d) => match d.next_item() {
                Ok(Some(Decoded::Packet(p))) => Ok(Some(Item::Packet(lift(p)))),
                Ok(Some(Decoded::Skipped(s))) => Ok(Some(Item::Skipped(s))),
                Ok(None) => Ok(None),
                Err(e) => Err(DecodeFailure {
                    message: e.to_string(),
                    reason: None,
                }),
            },
            Decoder::V5(d) => match d.next_packet() {
                Ok(p) => Ok(p.map(Item::Packet)),
                Err(e) => Err(DecodeFailure {
                    message: e.to_string(),
                    reason: Some(e.reason_code()),
                }),
            },
        }
    }
}

/// Appends `packet` in `version`'s wire form; nothing on error.
pub(crate) fn encode(
    version: ProtocolVersion,
    packet: v5::Packet,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    match version {
        ProtocolVersion::V5 => v5::encode(&packet, out).map_err(|e| e.to_string()),
        ProtocolVersion::V311 => codec::encode(&lower(packet)?, out).map_err(|e| e.to_string()),
    }
}

/// The MQTT 5 reason code with the same meaning as a 3.1.1 CONNACK code.
pub(crate) fn connack_reason(code: ConnectReturnCode) -> ReasonCode {
    match code {
        ConnectReturnCode::Accepted => ReasonCode::Success,
        ConnectReturnCode::UnacceptableProtocolVersion => ReasonCode::UnsupportedProtocolVersion,
        ConnectReturnCode::IdentifierRejected => ReasonCode::ClientIdentifierNotValid,
        ConnectReturnCode::ServerUnavailable => ReasonCode::ServerUnavailable,
        ConnectReturnCode::BadUserNameOrPassword => ReasonCode::BadUserNameOrPassword,
        ConnectReturnCode::NotAuthorized => ReasonCode::NotAuthorized,
    }
}

/// The nearest 3.1.1 CONNACK code for an MQTT 5 one, for code that only
/// knows 3.1.1's six (e.g. the AWS sign-in diagnosis).
pub(crate) fn nearest_return_code(reason: ReasonCode) -> ConnectReturnCode {
    match reason {
        ReasonCode::Success => ConnectReturnCode::Accepted,
        ReasonCode::UnsupportedProtocolVersion => ConnectReturnCode::UnacceptableProtocolVersion,
        ReasonCode::ClientIdentifierNotValid => ConnectReturnCode::IdentifierRejected,
        ReasonCode::BadUserNameOrPassword | ReasonCode::BadAuthenticationMethod => {
            ConnectReturnCode::BadUserNameOrPassword
        }
        ReasonCode::NotAuthorized | ReasonCode::Banned => ConnectReturnCode::NotAuthorized,
        _ => ConnectReturnCode::ServerUnavailable,
    }
}

/// A received 3.1.1 packet as the MQTT 5 value with the same meaning.
fn lift(packet: codec::Packet) -> v5::Packet {
    use codec::Packet as P;
    let ack = |packet_id| v5::Ack {
        packet_id,
        reason_code: ReasonCode::Success,
        properties: Default::default(),
    };
    match packet {
        P::ConnAck(c) => v5::Packet::ConnAck(Box::new(v5::ConnAck {
            session_present: c.session_present,
            reason_code: connack_reason(c.code),
            properties: Default::default(),
        })),
        P::Publish(p) => v5::Packet::Publish(v5::Publish {
            dup: p.dup,
            qos: p.qos,
            retain: p.retain,
            topic: p.topic,
            payload: p.payload,
            properties: Default::default(),
        }),
        P::PubAck(id) => v5::Packet::PubAck(ack(id)),
        P::PubRec(id) => v5::Packet::PubRec(ack(id)),
        P::PubRel(id) => v5::Packet::PubRel(ack(id)),
        P::PubComp(id) => v5::Packet::PubComp(ack(id)),
        P::SubAck(s) => v5::Packet::SubAck(v5::SubAck {
            packet_id: s.packet_id,
            reason_codes: s
                .return_codes
                .into_iter()
                .map(|code| match code {
                    SubscribeReturnCode::Granted(codec::QoS::AtMostOnce) => ReasonCode::Success,
                    SubscribeReturnCode::Granted(codec::QoS::AtLeastOnce) => {
                        ReasonCode::GrantedQos1
                    }
                    SubscribeReturnCode::Granted(codec::QoS::ExactlyOnce) => {
                        ReasonCode::GrantedQos2
                    }
                    SubscribeReturnCode::Failure => ReasonCode::UnspecifiedError,
                })
                .collect(),
            properties: Default::default(),
        }),
        // 3.1.1's UNSUBACK has no codes: no codes means "all removed".
        P::UnsubAck(id) => v5::Packet::UnsubAck(v5::UnsubAck {
            packet_id: id,
            reason_codes: Vec::new(),
            properties: Default::default(),
        }),
        P::PingReq => v5::Packet::PingReq,
        P::PingResp => v5::Packet::PingResp,
        P::Disconnect => v5::Packet::Disconnect(Default::default()),
        // Client-only packets: the session only needs their type to refuse them.
        P::Connect(_) => v5::Packet::Connect(Box::default()),
        P::Subscribe(s) => v5::Packet::Subscribe(v5::Subscribe {
            packet_id: s.packet_id,
            filters: Vec::new(),
            properties: Default::default(),
        }),
        P::Unsubscribe(u) => v5::Packet::Unsubscribe(v5::Unsubscribe {
            packet_id: u.packet_id,
            filters: u.filters,
            properties: Default::default(),
        }),
    }
}

/// A packet the client sends, as 3.1.1 (properties and reason codes dropped).
fn lower(packet: v5::Packet) -> Result<codec::Packet, String> {
    use codec::Packet as P;
    Ok(match packet {
        v5::Packet::Connect(c) => {
            let c = *c;
            P::Connect(codec::Connect {
                client_id: c.client_id,
                keep_alive: c.keep_alive,
                clean_session: c.clean_start,
                will: c.will.map(|w| codec::LastWill {
                    topic: w.topic,
                    payload: w.payload,
                    qos: w.qos,
                    retain: w.retain,
                }),
                username: c.username,
                password: c.password,
            })
        }
        v5::Packet::Publish(p) => P::Publish(codec::Publish {
            dup: p.dup,
            qos: p.qos,
            retain: p.retain,
            topic: p.topic,
            payload: p.payload,
        }),
        v5::Packet::PubAck(a) => P::PubAck(a.packet_id),
        v5::Packet::PubRec(a) => P::PubRec(a.packet_id),
        v5::Packet::PubRel(a) => P::PubRel(a.packet_id),
        v5::Packet::PubComp(a) => P::PubComp(a.packet_id),
        v5::Packet::Subscribe(s) => P::Subscribe(codec::Subscribe {
            packet_id: s.packet_id,
            filters: s
                .filters
                .into_iter()
                .map(|f| codec::SubscribeFilter {
                    filter: f.filter,
                    qos: f.options.qos,
                })
                .collect(),
        }),
        v5::Packet::Unsubscribe(u) => P::Unsubscribe(codec::Unsubscribe {
            packet_id: u.packet_id,
            filters: u.filters,
        }),
        v5::Packet::PingReq => P::PingReq,
        v5::Packet::Disconnect(_) => P::Disconnect,
        other => {
            return Err(format!(
                "{} is not a packet an MQTT 3.1.1 client sends",
                other.packet_type()
            ))
        }
    })
}
