//! UNSUBSCRIBE (spec §3.10). UNSUBACK is in `ack.rs`.

use super::subscribe::{filter_len, read_filter};
use super::wire::{write_prefixed, write_u16, Reader};
use super::{DecodeError, EncodeError, PacketType, Unsubscribe};
use bytes::Bytes;

const PACKET: PacketType = PacketType::Unsubscribe;

pub(crate) fn decode(body: &Bytes) -> Result<Unsubscribe, DecodeError> {
    let mut r = Reader::new(PACKET, body);
    let packet_id = r.packet_id()?;
    let mut filters = Vec::new();
    while r.remaining() > 0 {
        filters.push(read_filter(&mut r)?);
    }
    if filters.is_empty() {
        return Err(DecodeError::NoTopicFilters { packet: PACKET });
    }
    Ok(Unsubscribe { packet_id, filters })
}

pub(crate) fn len(u: &Unsubscribe) -> Result<usize, EncodeError> {
    if u.filters.is_empty() {
        return Err(EncodeError::NoTopicFilters { packet: PACKET });
    }
    let mut len = 2;
    for f in &u.filters {
        len += filter_len(PACKET, f)?;
    }
    Ok(len)
}

pub(crate) fn write(u: &Unsubscribe, out: &mut Vec<u8>) {
    write_u16(out, u.packet_id.get());
    for f in &u.filters {
        write_prefixed(out, f.as_bytes());
    }
}
