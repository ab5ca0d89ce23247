//! MQTT 3.1.1 codec: packets to bytes and back, strict and incremental.
//!
//! * [`encode`] appends a packet's wire form to a `Vec<u8>`, after checking
//!   it (string lengths, topic rules, packet size): it appends nothing when
//!   it fails.
//! * [`StreamDecoder`] turns a byte stream, split anyhow into chunks, into
//!   packets. It checks the fixed header (type, flags, size against its
//!   limit) before buffering a body, shares the PUBLISH payload with its
//!   receive buffer (no second copy), and stays failed after an error.
//!   With [`StreamDecoder::next_item`], a PUBLISH over the limit is counted
//!   off without being buffered and comes out as a [`SkippedPublish`]
//!   (see `skip.rs` and `docs/codec.md`).
//! * [`decode`] is the slice-level variant, httparse style.
//!
//! Every malformed input is a typed [`DecodeError`] naming the rule and the
//! spec's normative statement; "need more bytes" is never an error.
//!
//! One small file per packet family, each with `decode`, `len` (the
//! Remaining Length, validating) and `write` (the body).

mod ack;
mod connack;
mod connect;
mod error;
mod header;
mod packet;
mod publish;
mod skip;
mod subscribe;
mod unsubscribe;
/// MQTT 5.0: the same API for all 15 packet types with properties and reason codes.
pub mod v5;
mod wire;

pub use error::{DecodeError, EncodeError};
pub use header::{PacketType, MAX_REMAINING_LENGTH};
pub use packet::*;
pub use skip::{Decoded, SkippedPublish};

use bytes::{Buf, Bytes, BytesMut};
use header::FixedHeader;
use skip::Skip;

/// Default cap on one packet's total size (fixed header + body): 1 MiB.
/// This is the display/store limit; the protocol's own maximum is a
/// Remaining Length of [`MAX_REMAINING_LENGTH`].
pub const DEFAULT_MAX_PACKET_SIZE: usize = 1 << 20;

/// Receive buffer allocated up front by [`StreamDecoder::new`].
const INITIAL_BUFFER_CAPACITY: usize = 8 * 1024;

/// Outcome of [`decode`] on a slice that may hold only part of a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status<T> {
    /// A whole packet was there.
    Complete(T),
    /// More bytes are needed; nothing is wrong so far.
    Incomplete,
}

impl<T> Status<T> {
    /// `true` for [`Status::Complete`].
    pub fn is_complete(&self) -> bool {
        matches!(self, Status::Complete(_))
    }

    /// The value, if complete.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(t) => Some(t),
            Status::Incomplete => None,
        }
    }
}

/// The Remaining Length of `packet`, checking everything [`encode`] checks.
fn remaining_len(packet: &Packet) -> Result<usize, EncodeError> {
    let len = match packet {
        Packet::Connect(c) => connect::len(c)?,
        Packet::Publish(p) => publish::len(p)?,
        Packet::Subscribe(s) => subscribe::len(s)?,
        Packet::SubAck(s) => subscribe::suback_len(s),
        Packet::Unsubscribe(u) => unsubscribe::len(u)?,
        Packet::ConnAck(_)
        | Packet::PubAck(_)
        | Packet::PubRec(_)
        | Packet::PubRel(_)
        | Packet::PubComp(_)
        | Packet::UnsubAck(_) => 2,
        Packet::PingReq | Packet::PingResp | Packet::Disconnect => 0,
    };
    if len > MAX_REMAINING_LENGTH {
        return Err(EncodeError::PacketTooLarge {
            packet: packet.packet_type(),
            remaining_length: len,
        });
    }
    Ok(len)
}

/// Total size of `packet`'s wire form (fixed header + body), checking it.
pub fn encoded_len(packet: &Packet) -> Result<usize, EncodeError> {
    let len = remaining_len(packet)?;
    Ok(1 + header::remaining_length_len(len) + len)
}

/// Appends the wire form of `packet` to `out`; on error nothing is appended.
pub fn encode(packet: &Packet, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let len = remaining_len(packet)?;
    out.reserve(1 + header::remaining_length_len(len) + len);
    let packet_type = packet.packet_type();
    let flags = match packet {
        Packet::Publish(p) => publish::flags(p),
        _ => packet_type.required_flags(),
    };
    out.push(((packet_type as u8) << 4) | flags);
    header::write_remaining_length(out, len);
    match packet {
        Packet::Connect(c) => connect::write(c, out),
        Packet::ConnAck(c) => connack::write(c, out),
        Packet::Publish(p) => publish::write(p, out),
        Packet::PubAck(id)
        | Packet::PubRec(id)
        | Packet::PubRel(id)
        | Packet::PubComp(id)
        | Packet::UnsubAck(id) => ack::write(*id, out),
        Packet::Subscribe(s) => subscribe::write(s, out),
        Packet::SubAck(s) => subscribe::write_suback(s, out),
        Packet::Unsubscribe(u) => unsubscribe::write(u, out),
        Packet::PingReq | Packet::PingResp | Packet::Disconnect => {}
    }
    Ok(())
}

/// Decodes the body of a packet whose fixed header was already checked.
#[inline]
fn decode_body(header: &FixedHeader, body: Bytes) -> Result<Packet, DecodeError> {
    let t = header.packet_type;
    Ok(match t {
        PacketType::Publish => Packet::Publish(publish::decode(header.flags, body)?),
        PacketType::Connect => Packet::Connect(connect::decode(&body)?),
        PacketType::ConnAck => Packet::ConnAck(connack::decode(&body)?),
        PacketType::PubAck => Packet::PubAck(ack::decode(t, &body)?),
        PacketType::PubRec => Packet::PubRec(ack::decode(t, &body)?),
        PacketType::PubRel => Packet::PubRel(ack::decode(t, &body)?),
        PacketType::PubComp => Packet::PubComp(ack::decode(t, &body)?),
        PacketType::UnsubAck => Packet::UnsubAck(ack::decode(t, &body)?),
        PacketType::Subscribe => Packet::Subscribe(subscribe::decode(&body)?),
        PacketType::SubAck => Packet::SubAck(subscribe::decode_suback(&body)?),
        PacketType::Unsubscribe => Packet::Unsubscribe(unsubscribe::decode(&body)?),
        PacketType::PingReq => Packet::PingReq,
        PacketType::PingResp => Packet::PingResp,
        PacketType::Disconnect => Packet::Disconnect,
    })
}

/// Decodes the packet at the start of `buf`: its value and how many bytes
/// it took, or [`Status::Incomplete`] if `buf` holds only a prefix of one.
///
/// No size limit beyond the protocol's own; the body is copied once into a
/// `Bytes` that the PUBLISH payload then shares. For a stream, prefer
/// [`StreamDecoder`], which neither copies nor re-parses.
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

/// Turns a byte stream, split anyhow into chunks, into packets.
///
/// Bytes go in with [`feed`](Self::feed), packets come out of
/// [`next_packet`](Self::next_packet) or [`next_item`](Self::next_item).
/// The fixed header is checked as soon as it is there, so a packet over the
/// limit is refused (or, with `next_item`, a PUBLISH skipped) before its
/// body is buffered. After an error the decoder is poisoned: every later
/// call returns that same error and fed bytes are dropped.
///
/// Memory: the buffer holds at most one partial packet within the limit,
/// plus what one `feed` brought. While a PUBLISH is skipped it holds at most
/// its variable header (≤ 65,539 bytes) plus one fed chunk: feed large
/// inputs in chunks (the session feeds 64 KiB at a time) to keep that small.
#[derive(Debug)]
pub struct StreamDecoder {
    buf: BytesMut,
    max_packet_size: usize,
    /// The checked header of the packet whose body is still arriving.
    pending: Option<FixedHeader>,
    /// The oversized PUBLISH being counted off, if any.
    skip: Option<Skip>,
    error: Option<DecodeError>,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        StreamDecoder::new(DEFAULT_MAX_PACKET_SIZE)
    }
}

impl StreamDecoder {
    /// A decoder that refuses packets larger than `max_packet_size` bytes
    /// (fixed header included).
    pub fn new(max_packet_size: usize) -> Self {
        // The first allocation also sets the size of later ones made while
        // decoded payloads still share the old buffer: >= 8 KiB rather than
        // one small allocation per `feed`.
        StreamDecoder {
            buf: BytesMut::with_capacity(INITIAL_BUFFER_CAPACITY.min(max_packet_size)),
            max_packet_size,
            pending: None,
            skip: None,
            error: None,
        }
    }

    /// The configured maximum packet size.
    pub fn max_packet_size(&self) -> usize {
        self.max_packet_size
    }

    /// Appends received bytes (dropped if the decoder is poisoned). Drain
    /// with [`next_packet`](Self::next_packet) (or
    /// [`next_item`](Self::next_item)) until `Ok(None)` after each feed: the
    /// buffer then holds at most one partial packet. Payload bytes of a
    /// PUBLISH being skipped are counted off here, never buffered.
    #[inline]
    pub fn feed(&mut self, mut bytes: &[u8]) {
        if self.error.is_some() {
            return;
        }
        if let (true, Some(Skip::Payload { remaining, .. })) = (self.buf.is_empty(), &mut self.skip)
        {
            let counted = (*remaining).min(bytes.len());
            *remaining -= counted;
            bytes = &bytes[counted..];
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet returned as packets.
    pub fn buffered_len(&self) -> usize {
        self.buf.len()
    }

    /// Capacity of the receive buffer (for tests bounding memory use).
    pub fn buffer_capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Payload bytes of an oversized PUBLISH still to be counted off
    /// (`None`: not skipping one now).
    pub fn skip_remaining(&self) -> Option<usize> {
        match &self.skip {
            Some(Skip::Payload { remaining, .. }) => Some(*remaining),
            _ => None,
        }
    }

    /// The error that poisoned this decoder, if any.
    pub fn error(&self) -> Option<&DecodeError> {
        self.error.as_ref()
    }

    #[cold]
    fn poison(&mut self, error: DecodeError) -> DecodeError {
        self.error = Some(error.clone());
        self.pending = None;
        self.skip = None;
        self.buf = BytesMut::new();
        error
    }

    /// The next complete packet; `Ok(None)` means "need more bytes". A
    /// packet over the limit is [`DecodeError::PacketTooLarge`], whatever
    /// its type (use [`next_item`](Self::next_item) to skip an oversized
    /// PUBLISH instead).
    #[inline]
    pub fn next_packet(&mut self) -> Result<Option<Packet>, DecodeError> {
        loop {
            match self.advance(false)? {
                Some(Decoded::Packet(packet)) => return Ok(Some(packet)),
                // Only if a caller mixed the two methods mid-skip.
                Some(Decoded::Skipped(_)) => continue,
                None => return Ok(None),
            }
        }
    }

    /// The next packet or skipped PUBLISH; `Ok(None)` means "need more
    /// bytes". A PUBLISH over the limit (and within the protocol's maximum,
    /// as every length field is) is checked up to its packet identifier,
    /// then its payload is counted off as it arrives and it comes out as
    /// [`Decoded::Skipped`]. Any other packet over the limit is still
    /// [`DecodeError::PacketTooLarge`]: no valid CONNACK, SUBACK or
    /// acknowledgement is that big.
    #[inline]
    pub fn next_item(&mut self) -> Result<Option<Decoded>, DecodeError> {
        self.advance(true)
    }

    #[inline]
    fn advance(&mut self, skip_oversized: bool) -> Result<Option<Decoded>, DecodeError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        if self.skip.is_some() {
            return self.continue_skip();
        }
        let header = match self.pending {
            Some(header) => header,
            None => match header::parse(&self.buf) {
                Ok(Some(header)) => {
                    let size = header.total_len();
                    if size > self.max_packet_size {
                        if skip_oversized && header.packet_type == PacketType::Publish {
                            self.buf.advance(header.header_len);
                            self.skip = Some(Skip::VariableHeader {
                                flags: header.flags,
                                remaining_len: header.remaining_len,
                            });
                            return self.continue_skip();
                        }
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
            // Make room for the whole packet once, rather than growing
            // chunk by chunk; bounded by the size check above.
            self.pending = Some(header);
            self.buf.reserve(total - self.buf.len());
            return Ok(None);
        }
        self.pending = None;
        let mut bytes = self.buf.split_to(total);
        bytes.advance(header.header_len);
        let body = bytes.freeze();
        match decode_body(&header, body) {
            Ok(packet) => Ok(Some(Decoded::Packet(packet))),
            Err(error) => Err(self.poison(error)),
        }
    }

    /// Moves the skip of an oversized PUBLISH on with what is buffered.
    #[cold]
    fn continue_skip(&mut self) -> Result<Option<Decoded>, DecodeError> {
        if let Some(Skip::VariableHeader {
            flags,
            remaining_len,
        }) = self.skip
        {
            let Some(needed) = publish::variable_header_len(flags, &self.buf) else {
                return Ok(None);
            };
            // A variable header longer than the packet is refused below,
            // as `decode` would, once the packet's bytes are there.
            let needed = needed.min(remaining_len);
            if self.buf.len() < needed {
                return Ok(None);
            }
            let variable = Bytes::copy_from_slice(&self.buf[..needed]);
            let mut reader = wire::Reader::new(PacketType::Publish, &variable);
            let (topic, qos) = match publish::variable_header(flags, &mut reader) {
                Ok(fields) => fields,
                Err(error) => return Err(self.poison(error)),
            };
            self.buf.advance(needed);
            let (dup, retain) = publish::dup_retain(flags);
            self.skip = Some(Skip::Payload {
                publish: SkippedPublish {
                    dup,
                    qos,
                    retain,
                    topic,
                    payload_len: remaining_len - needed,
                    limit: self.max_packet_size,
                },
                remaining: remaining_len - needed,
            });
        }
        let Some(Skip::Payload { remaining, .. }) = &mut self.skip else {
            return Ok(None);
        };
        let counted = (*remaining).min(self.buf.len());
        self.buf.advance(counted);
        *remaining -= counted;
        if *remaining > 0 {
            return Ok(None);
        }
        match self.skip.take() {
            Some(Skip::Payload { publish, .. }) => Ok(Some(Decoded::Skipped(publish))),
            _ => Ok(None),
        }
    }
}
