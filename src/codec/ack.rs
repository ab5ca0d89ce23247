//! The packets that are just a packet identifier: PUBACK, PUBREC, PUBREL,
//! PUBCOMP (spec §3.4–3.7) and UNSUBACK (§3.11). Their Remaining Length (2)
//! was checked with the fixed header.

use super::wire::{write_u16, Reader};
use super::{DecodeError, PacketId, PacketType};
use bytes::Bytes;

pub(crate) fn decode(packet: PacketType, body: &Bytes) -> Result<PacketId, DecodeError> {
    let mut r = Reader::new(packet, body);
    let id = r.packet_id()?;
    r.finish()?;
    Ok(id)
}

pub(crate) fn write(id: PacketId, out: &mut Vec<u8>) {
    write_u16(out, id.get());
}
