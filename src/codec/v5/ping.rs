//! PINGREQ and PINGRESP (§3.12, §3.13): a fixed header and nothing else,
//! as in 3.1.1. Their Remaining Length is checked with the fixed header.

use super::{DecodeError, PacketType};

/// PINGREQ and PINGRESP must have a Remaining Length of 0.
#[inline]
pub(crate) fn check_remaining_length(packet: PacketType, len: usize) -> Result<(), DecodeError> {
    if matches!(packet, PacketType::PingReq | PacketType::PingResp) && len != 0 {
        return Err(DecodeError::WrongRemainingLength {
            packet,
            expected: 0,
            actual: len,
        });
    }
    Ok(())
}
