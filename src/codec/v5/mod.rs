//! MQTT 5.0 codec: the same API as the 3.1.1 codec one level up
//! ([`encode`], slice-level [`decode`] returning [`Status`], and an
//! incremental [`StreamDecoder`]), for all 15 packet types with every
//! property.
//!
//! * Shared with 3.1.1, not copied: the fixed-header first-byte checks,
//!   the Variable Byte Integer reader and writer, and the bounds-checked
//!   field reader (UTF-8 without U+0000, non-zero packet identifiers, 2-byte
//!   length prefixes); see `reader.rs`.
//! * New here: properties (`properties.rs`: Table 2-4 and one typed set per
//!   packet), reason codes (`reason.rs`: Table 2-6), AUTH, and the MQTT 5
//!   rules, each a [`DecodeError`] named after the spec.
//!
//! The design note is docs/codec-v5.md.

mod acks;
mod auth;
mod connack;
mod connect;
mod disconnect;
mod error;
mod header;
mod packet;
mod ping;
pub mod properties;
mod publish;
mod reader;
pub mod reason;
mod subscribe;
mod unsubscribe;

pub use crate::codec::{PacketId, QoS, QosPid, Status, DEFAULT_MAX_PACKET_SIZE};
pub use error::{DecodeError, EncodeError};
pub use packet::*;
pub use properties::{
    AckProperties, AuthProperties, ConnAckProperties, ConnectProperties, DisconnectProperties,
    PayloadFormat, Place, PropertyId, PropertyType, PublishProperties, SubscribeProperties,
    SubscriptionId, UnsubscribeProperties, UserProperty, WillProperties,
};
pub use reason::ReasonCode;

use bytes::{Buf, Bytes, BytesMut};
use header::FixedHeader;
use reader::{variable_byte_integer_len, write_variable_byte_integer, MAX_VARIABLE_BYTE_INTEGER};

/// Receive buffer allocated up front by [`StreamDecoder::new`].
const INITIAL_BUFFER_CAPACITY: usize = 8 * 1024;

/// What `len` worked out for `write`: the Remaining Length and the
/// Property Lengths, so sizes are computed (and checked) once.
pub(crate) struct Plan {
    pub remaining: usize,
    pub props: usize,
    /// CONNECT only: the Will Properties' length.
    pub will_props: usize,
}

impl Plan {
    pub(crate) fn new(remaining: usize, props: usize) -> Self {
        Plan {
            remaining,
            props,
            will_props: 0,
        }
    }
}

/// Works out `packet`'s sizes, checking everything [`encode`] checks.
fn plan(packet: &Packet) -> Result<Plan, EncodeError> {
    let plan = match packet {
        Packet::Connect(c) => connect::len(c)?,
        Packet::ConnAck(c) => connack::len(c)?,
        Packet::Publish(p) => publish::len(p)?,
        Packet::PubAck(a) | Packet::PubRec(a) | Packet::PubRel(a) | Packet::PubComp(a) => {
            acks::len(packet.packet_type(), a)?
        }
        Packet::Subscribe(s) => subscribe::len(s)?,
        Packet::SubAck(s) => {
            subscribe::codes_len(PacketType::SubAck, &s.reason_codes, &s.properties)?
        }
        Packet::Unsubscribe(u) => unsubscribe::len(u)?,
        Packet::UnsubAck(u) => {
            subscribe::codes_len(PacketType::UnsubAck, &u.reason_codes, &u.properties)?
        }
        Packet::PingReq | Packet::PingResp => Plan::new(0, 0),
        Packet::Disconnect(d) => disconnect::len(d)?,
        Packet::Auth(a) => auth::len(a)?,
    };
    if plan.remaining > MAX_VARIABLE_BYTE_INTEGER {
        return Err(EncodeError::PacketTooLarge {
            packet: packet.packet_type(),
            remaining_length: plan.remaining,
        });
    }
    Ok(plan)
}

/// Total size of `packet`'s wire form (fixed header + body), checking it.
/// The session compares this with the server's Maximum Packet Size.
pub fn encoded_len(packet: &Packet) -> Result<usize, EncodeError> {
    let plan = plan(packet)?;
    Ok(1 + variable_byte_integer_len(plan.remaining) + plan.remaining)
}

/// Appends the MQTT 5 wire form of `packet` to `out`; on error nothing is
/// appended.
pub fn encode(packet: &Packet, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let plan = plan(packet)?;
    out.reserve(1 + variable_byte_integer_len(plan.remaining) + plan.remaining);
    let packet_type = packet.packet_type();
    let flags = match packet {
        Packet::Publish(p) => publish::flags(p),
        Packet::PubRel(_) | Packet::Subscribe(_) | Packet::Unsubscribe(_) => 0b0010,
        _ => 0,
    };
    out.push(((packet_type as u8) << 4) | flags);
    write_variable_byte_integer(out, plan.remaining);
    match packet {
        Packet::Connect(c) => connect::write(c, &plan, out),
        Packet::ConnAck(c) => connack::write(c, &plan, out),
        Packet::Publish(p) => publish::write(p, &plan, out),
        Packet::PubAck(a) | Packet::PubRec(a) | Packet::PubRel(a) | Packet::PubComp(a) => {
            acks::write(a, &plan, out)
        }
        Packet::Subscribe(s) => subscribe::write(s, &plan, out),
        Packet::SubAck(s) => {
            subscribe::write_codes(s.packet_id, &s.reason_codes, &s.properties, &plan, out)
        }
        Packet::Unsubscribe(u) => unsubscribe::write(u, &plan, out),
        Packet::UnsubAck(u) => {
            subscribe::write_codes(u.packet_id, &u.reason_codes, &u.properties, &plan, out)
        }
        Packet::PingReq | Packet::PingResp => {}
        Packet::Disconnect(d) => disconnect::write(d, &plan, out),
        Packet::Auth(a) => auth::write(a, &plan, out),
    }
    Ok(())
}

/// Decodes the body of a packet whose fixed header was already checked.
#[inline]
fn decode_body(header: &FixedHeader, body: Bytes) -> Result<Packet, DecodeError> {
    let t = header.packet_type;
    Ok(match t {
        PacketType::Publish => Packet::Publish(publish::decode(header.flags, body)?),
        PacketType::Connect => Packet::Connect(Box::new(connect::decode(&body)?)),
        PacketType::ConnAck => Packet::ConnAck(Box::new(connack::decode(&body)?)),
        PacketType::PubAck => Packet::PubAck(acks::decode(t, &body)?),
        PacketType::PubRec => Packet::PubRec(acks::decode(t, &body)?),
        PacketType::PubRel => Packet::PubRel(acks::decode(t, &body)?),
        PacketType::PubComp => Packet::PubComp(acks::decode(t, &body)?),
        PacketType::Subscribe => Packet::Subscribe(subscribe::decode(&body)?),
        PacketType::SubAck => Packet::SubAck(subscribe::decode_suback(&body)?),
        PacketType::Unsubscribe => Packet::Unsubscribe(unsubscribe::decode(&body)?),
        PacketType::UnsubAck => Packet::UnsubAck(unsubscribe::decode_unsuback(&body)?),
        PacketType::PingReq => Packet::PingReq,
        PacketType::PingResp => Packet::PingResp,
        PacketType::Disconnect => Packet::Disconnect(disconnect::decode(&body)?),
        PacketType::Auth => Packet::Auth(auth::decode(&body)?),
    })
}

/// Decodes the MQTT 5 packet at the start of `buf`: its value and how many
/// bytes it took, or [`Status::Incomplete`] if `buf` holds only a prefix.
///
/// No size limit beyond the protocol's own; the body is copied once into a
/// `Bytes` that the PUBLISH payload then shares. For a stream, prefer
/// [`StreamDecoder`].
pub fn decode(buf: &[u8]) -> Result<Status<(Packet, usize)>, DecodeError> {
    let Some(header) = header::parse(buf)? else {
        return Ok(Status::Incomplete);
    };
    let total = header.total_len();
    if buf.len() < total {
        return Ok(Status::Incomplete);
    }
    let body = Bytes::copy_from_slice(&buf[header.header_len..total]);
    let packet = decode_body(&header, body)?;
    Ok(Status::Complete((packet, total)))
}

/// Turns an MQTT 5 byte stream, split anyhow into chunks, into packets.
///
/// Same contract as the 3.1.1 [`crate::codec::StreamDecoder`]: the fixed
/// header is checked as soon as it is there, so a packet over the limit is
/// refused before its body is buffered; after an error the decoder stays
/// failed with that error and drops fed bytes. The limit is the Maximum
/// Packet Size the client announces in its CONNECT.
#[derive(Debug)]
pub struct StreamDecoder {
    buf: BytesMut,
    max_packet_size: usize,
    pending: Option<FixedHeader>,
    error: Option<DecodeError>,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        StreamDecoder::new(DEFAULT_MAX_PACKET_SIZE)
    }
}

impl StreamDecoder {
    /// A decoder that refuses packets larger than `max_packet_size` bytes
    /// (fixed header included, as MQTT 5's Maximum Packet Size counts).
    pub fn new(max_packet_size: usize) -> Self {
        StreamDecoder {
            buf: BytesMut::with_capacity(INITIAL_BUFFER_CAPACITY.min(max_packet_size)),
            max_packet_size,
            pending: None,
            error: None,
        }
    }

    /// The configured maximum packet size.
    pub fn max_packet_size(&self) -> usize {
        self.max_packet_size
    }

    /// Appends received bytes (dropped once the decoder has failed).
    #[inline]
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.error.is_none() {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Bytes received but not yet returned as packets.
    pub fn buffered_len(&self) -> usize {
        self.buf.len()
    }

    /// Capacity of the receive buffer (for tests bounding memory use).
    pub fn buffer_capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// The error that stopped this decoder, if any.
    pub fn error(&self) -> Option<&DecodeError> {
        self.error.as_ref()
    }

    #[cold]
    fn poison(&mut self, error: DecodeError) -> DecodeError {
        self.error = Some(error.clone());
        self.pending = None;
        self.buf = BytesMut::new();
        error
    }

    /// The next complete packet; `Ok(None)` means "need more bytes".
    #[inline]
    pub fn next_packet(&mut self) -> Result<Option<Packet>, DecodeError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        let header = match self.pending {
            Some(header) => header,
            None => match header::parse(&self.buf) {
                Ok(Some(header)) => {
                    let size = header.total_len();
                    if size > self.max_packet_size {
                        let limit = self.max_packet_size;
                        return Err(self.poison(DecodeError::PacketTooLarge { size, limit }));
                    }
                    header
                }
                Ok(None) => return Ok(None),
                Err(error) => return Err(self.poison(error)),
            },
        };
        let total = header.total_len();
        if self.buf.len() < total {
            self.pending = Some(header);
            self.buf.reserve(total - self.buf.len());
            return Ok(None);
        }
        self.pending = None;
        let mut bytes = self.buf.split_to(total);
        bytes.advance(header.header_len);
        match decode_body(&header, bytes.freeze()) {
            Ok(packet) => Ok(Some(packet)),
            Err(error) => Err(self.poison(error)),
        }
    }
}
