//! The MQTT 5 fixed header (§2.1): the 3.1.1 checks of the first byte
//! (flags, PUBLISH QoS and DUP) and its Remaining Length reader, plus type
//! 15 (AUTH) and the minimal-encoding rule for the length `[MQTT-1.5.5-1]`.

use super::{ping, DecodeError, PacketType};
use crate::codec::header::{check_first_byte, parse_variable_byte_integer, remaining_length_len};

/// A parsed and checked fixed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FixedHeader {
    pub packet_type: PacketType,
    pub flags: u8,
    /// Bytes taken by the fixed header itself (2..=5).
    pub header_len: usize,
    pub remaining_len: usize,
}

impl FixedHeader {
    pub fn total_len(&self) -> usize {
        self.header_len + self.remaining_len
    }
}

/// Parses the fixed header at the start of `buf`; `Ok(None)` until enough
/// bytes are there to know it.
#[inline]
pub(crate) fn parse(buf: &[u8]) -> Result<Option<FixedHeader>, DecodeError> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    let (packet_type, flags) = if first >> 4 == PacketType::Auth as u8 {
        if first & 0x0F != 0 {
            return Err(DecodeError::InvalidHeaderFlags {
                packet: PacketType::Auth,
                flags: first & 0x0F,
            });
        }
        (PacketType::Auth, 0)
    } else {
        let (t, flags) =
            check_first_byte(first).map_err(|e| DecodeError::from_v311(e, PacketType::Auth))?;
        (PacketType::from(t), flags)
    };
    let malformed = DecodeError::MalformedVariableByteInteger {
        packet: Some(packet_type),
        field: "remaining length",
    };
    let (remaining_len, len_bytes) = match parse_variable_byte_integer(&buf[1..]) {
        Ok(Some(v)) => v,
        Ok(None) => return Ok(None),
        Err(_) => return Err(malformed),
    };
    if len_bytes != remaining_length_len(remaining_len) {
        return Err(malformed);
    }
    ping::check_remaining_length(packet_type, remaining_len)?;
    Ok(Some(FixedHeader {
        packet_type,
        flags,
        header_len: 1 + len_bytes,
        remaining_len,
    }))
}
