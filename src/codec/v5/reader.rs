//! Field reading and writing for MQTT 5 bodies, built on the 3.1.1 codec's
//! helpers (`wire::Reader`, the Variable Byte Integer of `header`): the
//! shared rules (bounds, UTF-8, U+0000, non-zero packet identifiers, field
//! lengths) are checked there, once; this adds the two MQTT 5 data types
//! (Four Byte Integer, Variable Byte Integer in a body) and reports errors
//! with the MQTT 5 packet type.

use super::{DecodeError, EncodeError, PacketType};
use crate::codec::header::{parse_variable_byte_integer, remaining_length_len};
use crate::codec::wire;
use crate::codec::PacketId;
use bytes::Bytes;

/// Largest value of a Variable Byte Integer (§1.5.5).
pub(crate) const MAX_VARIABLE_BYTE_INTEGER: usize = crate::codec::MAX_REMAINING_LENGTH;

/// Reads one MQTT 5 packet body, every read bounds-checked.
pub(crate) struct Reader<'a> {
    inner: wire::Reader<'a>,
    packet: PacketType,
}

impl<'a> Reader<'a> {
    pub fn new(packet: PacketType, body: &'a Bytes) -> Self {
        // AUTH has no 3.1.1 type; the label only shows in errors, which
        // `lift` relabels with `packet` anyway.
        let label = packet
            .v311()
            .unwrap_or(crate::codec::PacketType::Disconnect);
        Reader {
            inner: wire::Reader::new(label, body),
            packet,
        }
    }

    pub fn packet(&self) -> PacketType {
        self.packet
    }

    #[inline]
    fn lift<T>(&self, r: Result<T, crate::codec::DecodeError>) -> Result<T, DecodeError> {
        r.map_err(|e| DecodeError::from_v311(e, self.packet))
    }

    pub fn position(&self) -> usize {
        self.inner.position()
    }

    pub fn remaining(&self) -> usize {
        self.inner.remaining()
    }

    #[inline]
    pub fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        let r = self.inner.u8(field);
        self.lift(r)
    }

    #[inline]
    pub fn u16(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        let r = self.inner.u16(field);
        self.lift(r)
    }

    /// A Four Byte Integer, big-endian (§1.5.3).
    #[inline]
    pub fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        let r = self.inner.take(4, field);
        let b = self.lift(r)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A Variable Byte Integer (§1.5.5): at most 4 bytes, and the fewest
    /// that hold the value `[MQTT-1.5.5-1]`.
    #[inline]
    pub fn variable_byte_integer(&mut self, field: &'static str) -> Result<usize, DecodeError> {
        let malformed = DecodeError::MalformedVariableByteInteger {
            packet: Some(self.packet),
            field,
        };
        match parse_variable_byte_integer(self.inner.unread()) {
            Ok(Some((value, len))) => {
                if len != remaining_length_len(value) {
                    return Err(malformed);
                }
                let r = self.inner.take(len, field);
                self.lift(r)?;
                Ok(value)
            }
            // The body ends inside the integer.
            Ok(None) => Err(DecodeError::LengthExceedsPacket {
                packet: self.packet,
                field,
            }),
            Err(_) => Err(malformed),
        }
    }

    #[inline]
    pub fn packet_id(&mut self) -> Result<PacketId, DecodeError> {
        let r = self.inner.packet_id();
        self.lift(r)
    }

    #[inline]
    pub fn prefixed(&mut self, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let r = self.inner.prefixed(field);
        self.lift(r)
    }

    /// Binary Data (§1.5.6) as a zero-copy view.
    #[inline]
    pub fn binary(&mut self, field: &'static str) -> Result<Bytes, DecodeError> {
        let r = self.inner.binary(field);
        self.lift(r)
    }

    /// A UTF-8 Encoded String (§1.5.4), checked.
    #[inline]
    pub fn string(&mut self, field: &'static str) -> Result<String, DecodeError> {
        let r = self.inner.string(field);
        self.lift(r)
    }

    pub fn finish(self) -> Result<(), DecodeError> {
        let packet = self.packet;
        self.inner
            .finish()
            .map_err(|e| DecodeError::from_v311(e, packet))
    }
}

/// A 3.1.1 packet type to label the shared helpers' encode errors with
/// (relabelled by [`EncodeError::from_v311`]).
fn label(packet: PacketType) -> crate::codec::PacketType {
    packet
        .v311()
        .unwrap_or(crate::codec::PacketType::Disconnect)
}

/// Encoded size of a UTF-8 string field, checking length and U+0000.
#[inline]
pub(crate) fn string_len(
    packet: PacketType,
    field: &'static str,
    s: &str,
) -> Result<usize, EncodeError> {
    wire::string_len(label(packet), field, s).map_err(|e| EncodeError::from_v311(e, packet))
}

/// Encoded size of a Binary Data field, checking its length.
#[inline]
pub(crate) fn binary_len(
    packet: PacketType,
    field: &'static str,
    b: &[u8],
) -> Result<usize, EncodeError> {
    wire::field_len(label(packet), field, b).map_err(|e| EncodeError::from_v311(e, packet))
}

/// Bytes a Variable Byte Integer takes for `value` (1..=4).
#[inline]
pub(crate) fn variable_byte_integer_len(value: usize) -> usize {
    remaining_length_len(value)
}

pub(crate) use crate::codec::header::write_remaining_length as write_variable_byte_integer;
pub(crate) use wire::{write_prefixed, write_u16};

#[inline]
pub(crate) fn write_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_be_bytes());
}
