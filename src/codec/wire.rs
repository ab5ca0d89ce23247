//! Data representations (spec §1.5): 2-byte integers, length-prefixed
//! UTF-8 strings and binary data, read from a packet body and written out.

use super::{DecodeError, EncodeError, PacketId, PacketType};
use bytes::Bytes;

/// Longest string or binary field (2-byte length prefix).
pub(crate) const MAX_FIELD_LEN: usize = 65_535;

/// Reads the fields of one packet body; every read is bounds-checked
/// against the body, never past it.
pub(crate) struct Reader<'a> {
    body: &'a Bytes,
    pos: usize,
    packet: PacketType,
}

impl<'a> Reader<'a> {
    pub fn new(packet: PacketType, body: &'a Bytes) -> Self {
        Reader {
            body,
            pos: 0,
            packet,
        }
    }

    pub fn packet(&self) -> PacketType {
        self.packet
    }

    /// Bytes read so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The bytes not read yet, without consuming them (MQTT 5 reads its
    /// variable byte integers from here).
    pub(crate) fn unread(&self) -> &'a [u8] {
        let body: &'a Bytes = self.body;
        &body[self.pos..]
    }

    pub fn remaining(&self) -> usize {
        self.body.len() - self.pos
    }

    fn truncated(&self, field: &'static str) -> DecodeError {
        DecodeError::LengthExceedsPacket {
            packet: self.packet,
            field,
        }
    }

    /// The next `n` bytes of the body (MQTT 5 builds its four-byte integer on this).
    #[inline]
    pub(crate) fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < n {
            return Err(self.truncated(field));
        }
        let body: &'a Bytes = self.body;
        let slice = &body[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    #[inline]
    pub fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        Ok(self.take(1, field)?[0])
    }

    #[inline]
    pub fn u16(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        let b = self.take(2, field)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    #[inline]
    pub fn packet_id(&mut self) -> Result<PacketId, DecodeError> {
        let id = self.u16("packet identifier")?;
        PacketId::new(id).ok_or(DecodeError::ZeroPacketId {
            packet: self.packet,
        })
    }

    /// A length-prefixed field as a slice of the body.
    #[inline]
    pub fn prefixed(&mut self, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let len = self.u16(field)? as usize;
        self.take(len, field)
    }

    /// A length-prefixed binary field as a zero-copy view.
    pub fn binary(&mut self, field: &'static str) -> Result<Bytes, DecodeError> {
        let len = self.u16(field)? as usize;
        if self.remaining() < len {
            return Err(self.truncated(field));
        }
        let bytes = self.body.slice(self.pos..self.pos + len);
        self.pos += len;
        Ok(bytes)
    }

    /// A length-prefixed UTF-8 string without U+0000.
    #[inline]
    pub fn string(&mut self, field: &'static str) -> Result<String, DecodeError> {
        let raw = self.prefixed(field)?;
        let s = std::str::from_utf8(raw).map_err(|_| DecodeError::InvalidUtf8 {
            packet: self.packet,
            field,
        })?;
        if raw.contains(&0) {
            return Err(DecodeError::NullCharacter {
                packet: self.packet,
                field,
            });
        }
        Ok(s.to_owned())
    }

    /// Everything left, as a zero-copy view.
    pub fn rest(&mut self) -> Bytes {
        let bytes = self.body.slice(self.pos..);
        self.pos = self.body.len();
        bytes
    }

    /// Fails if bytes are left after the last field.
    pub fn finish(self) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(DecodeError::TrailingBytes {
                packet: self.packet,
                count,
            }),
        }
    }
}

/// Encoded size of a length-prefixed field, checking the 65,535-byte cap.
#[inline]
pub(crate) fn field_len(
    packet: PacketType,
    field: &'static str,
    bytes: &[u8],
) -> Result<usize, EncodeError> {
    if bytes.len() > MAX_FIELD_LEN {
        return Err(EncodeError::FieldTooLong {
            packet,
            field,
            len: bytes.len(),
        });
    }
    Ok(2 + bytes.len())
}

/// Like [`field_len`], and also refuses U+0000 in a string `[MQTT-1.5.3-2]`.
#[inline]
pub(crate) fn string_len(
    packet: PacketType,
    field: &'static str,
    s: &str,
) -> Result<usize, EncodeError> {
    let len = field_len(packet, field, s.as_bytes())?;
    if s.as_bytes().contains(&0) {
        return Err(EncodeError::NullCharacter { packet, field });
    }
    Ok(len)
}

#[inline]
pub(crate) fn write_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_be_bytes());
}

/// Appends a length-prefixed field; the length was checked by [`field_len`].
#[inline]
pub(crate) fn write_prefixed(out: &mut Vec<u8>, bytes: &[u8]) {
    write_u16(out, bytes.len() as u16);
    out.extend_from_slice(bytes);
}
