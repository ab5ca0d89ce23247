//! The fixed header: packet type, flags and the variable-length Remaining
//! Length (spec §2.2).

use super::{DecodeError, Packet};
use std::fmt;

/// Largest Remaining Length that fits in 4 bytes (spec §2.2.3).
pub const MAX_REMAINING_LENGTH: usize = 268_435_455;

/// The 14 control packet types (the high nibble of the first byte).
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
}

impl PacketType {
    /// The type for a high nibble; `None` for the reserved values 0 and 15.
    pub fn from_u8(value: u8) -> Option<PacketType> {
        use PacketType::*;
        Some(match value {
            1 => Connect,
            2 => ConnAck,
            3 => Publish,
            4 => PubAck,
            5 => PubRec,
            6 => PubRel,
            7 => PubComp,
            8 => Subscribe,
            9 => SubAck,
            10 => Unsubscribe,
            11 => UnsubAck,
            12 => PingReq,
            13 => PingResp,
            14 => Disconnect,
            _ => return None,
        })
    }

    /// The spec's name, e.g. `"PUBLISH"`.
    pub fn name(self) -> &'static str {
        use PacketType::*;
        match self {
            Connect => "CONNECT",
            ConnAck => "CONNACK",
            Publish => "PUBLISH",
            PubAck => "PUBACK",
            PubRec => "PUBREC",
            PubRel => "PUBREL",
            PubComp => "PUBCOMP",
            Subscribe => "SUBSCRIBE",
            SubAck => "SUBACK",
            Unsubscribe => "UNSUBSCRIBE",
            UnsubAck => "UNSUBACK",
            PingReq => "PINGREQ",
            PingResp => "PINGRESP",
            Disconnect => "DISCONNECT",
        }
    }

    /// The fixed-header flags this type must carry (all but PUBLISH, whose
    /// flags are DUP/QoS/RETAIN) `[MQTT-2.2.2-1]`.
    pub(crate) fn required_flags(self) -> u8 {
        match self {
            PacketType::PubRel | PacketType::Subscribe | PacketType::Unsubscribe => 0b0010,
            _ => 0,
        }
    }

    /// The Remaining Length of types whose size is fixed.
    pub(crate) fn fixed_remaining_length(self) -> Option<usize> {
        use PacketType::*;
        match self {
            ConnAck | PubAck | PubRec | PubRel | PubComp | UnsubAck => Some(2),
            PingReq | PingResp | Disconnect => Some(0),
            Connect | Publish | Subscribe | SubAck | Unsubscribe => None,
        }
    }
}

impl fmt::Display for PacketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
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
            Packet::Disconnect => PacketType::Disconnect,
        }
    }
}

/// A parsed and checked fixed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FixedHeader {
    pub packet_type: PacketType,
    /// The low nibble of the first byte.
    pub flags: u8,
    /// Bytes taken by the fixed header itself (2..=5).
    pub header_len: usize,
    /// Bytes that follow the fixed header.
    pub remaining_len: usize,
}

impl FixedHeader {
    /// Fixed header plus body.
    pub fn total_len(&self) -> usize {
        self.header_len + self.remaining_len
    }
}

/// Checks the first byte: type and flags. Done as soon as one byte is
/// there, so garbage is refused before anything else is buffered.
#[inline]
pub(crate) fn check_first_byte(byte: u8) -> Result<(PacketType, u8), DecodeError> {
    let flags = byte & 0x0F;
    let packet_type = PacketType::from_u8(byte >> 4)
        .ok_or(DecodeError::ReservedPacketType { value: byte >> 4 })?;
    if packet_type == PacketType::Publish {
        let qos = (flags >> 1) & 0b11;
        if qos == 3 {
            return Err(DecodeError::InvalidQos);
        }
        if qos == 0 && flags & 0b1000 != 0 {
            return Err(DecodeError::DupAtQos0);
        }
    } else if flags != packet_type.required_flags() {
        return Err(DecodeError::InvalidHeaderFlags {
            packet: packet_type,
            flags,
        });
    }
    Ok((packet_type, flags))
}

/// Parses the fixed header at the start of `buf`; `Ok(None)` if more bytes
/// are needed to know it.
#[inline]
pub(crate) fn parse(buf: &[u8]) -> Result<Option<FixedHeader>, DecodeError> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    let (packet_type, flags) = check_first_byte(first)?;
    let Some((remaining_len, len_bytes)) = parse_variable_byte_integer(&buf[1..])? else {
        return Ok(None);
    };
    if let Some(expected) = packet_type.fixed_remaining_length() {
        if remaining_len != expected {
            return Err(DecodeError::WrongRemainingLength {
                packet: packet_type,
                expected,
                actual: remaining_len,
            });
        }
    }
    Ok(Some(FixedHeader {
        packet_type,
        flags,
        header_len: 1 + len_bytes,
        remaining_len,
    }))
}

/// Decodes the variable-length integer at the start of `buf` (the
/// Remaining Length here; MQTT 5 also uses it in properties): its value and
/// how many bytes it took, or `Ok(None)` if `buf` ends inside it. More than
/// 4 bytes is [`DecodeError::RemainingLengthTooLong`] (§2.2.3).
#[inline]
pub(crate) fn parse_variable_byte_integer(
    buf: &[u8],
) -> Result<Option<(usize, usize)>, DecodeError> {
    let mut value = 0usize;
    for i in 0..4 {
        let Some(&byte) = buf.get(i) else {
            return Ok(None);
        };
        value |= ((byte & 0x7F) as usize) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok(Some((value, i + 1)));
        }
    }
    Err(DecodeError::RemainingLengthTooLong)
}

/// Bytes the Remaining Length field takes for `len` (1..=4).
#[inline]
pub(crate) fn remaining_length_len(len: usize) -> usize {
    match len {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    }
}

/// Appends the variable-length encoding of `len` (≤ [`MAX_REMAINING_LENGTH`]).
#[inline]
pub(crate) fn write_remaining_length(out: &mut Vec<u8>, mut len: usize) {
    debug_assert!(len <= MAX_REMAINING_LENGTH);
    loop {
        let mut byte = (len & 0x7F) as u8;
        len >>= 7;
        if len > 0 {
            byte |= 0x80;
        }
        out.push(byte);
        if len == 0 {
            break;
        }
    }
}
