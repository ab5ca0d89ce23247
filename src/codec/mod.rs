//! MQTT 3.1.1 codec: packets to bytes and back, strict and incremental.
//!
//! CONTRACT (the session and transport are written against this; the codec
//! work fills in the bodies): `encode`, `StreamDecoder::{new, feed,
//! next_packet}`, `DecodeError` with `Display` text a person can act on.

mod packet;

pub use packet::*;

use std::fmt;

/// Default cap on one packet's total size (fixed header + body): 1 MiB.
pub const DEFAULT_MAX_PACKET_SIZE: usize = 1 << 20;

/// Why a byte stream is not valid MQTT 3.1.1.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// Placeholder until the codec lands.
    Unimplemented,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for DecodeError {}

/// Why a packet value cannot be encoded (e.g. a string over 65,535 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// Placeholder until the codec lands.
    Unimplemented,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for EncodeError {}

/// Appends the wire form of `packet` to `out`.
pub fn encode(packet: &Packet, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let _ = (packet, out);
    Err(EncodeError::Unimplemented)
}

/// Turns a byte stream, split anyhow into chunks, into packets.
#[derive(Debug)]
pub struct StreamDecoder {
    max_packet_size: usize,
}

impl StreamDecoder {
    /// A decoder that refuses packets larger than `max_packet_size` bytes.
    pub fn new(max_packet_size: usize) -> Self {
        StreamDecoder { max_packet_size }
    }

    /// Appends received bytes.
    pub fn feed(&mut self, bytes: &[u8]) {
        let _ = (bytes, self.max_packet_size);
    }

    /// The next complete packet; `Ok(None)` means "need more bytes".
    pub fn next_packet(&mut self) -> Result<Option<Packet>, DecodeError> {
        Err(DecodeError::Unimplemented)
    }
}
