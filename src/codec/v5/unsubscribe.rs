//! UNSUBSCRIBE (§3.10) and UNSUBACK (§3.11; its layout is SUBACK's).

use super::properties::{self, Place, UnsubscribeProperties};
use super::reader::{write_prefixed, write_u16, Reader};
use super::subscribe::{decode_codes, filter_len, read_filter};
use super::{DecodeError, EncodeError, PacketType, Plan, UnsubAck, Unsubscribe};
use bytes::Bytes;

const PACKET: PacketType = PacketType::Unsubscribe;

pub(crate) fn decode(body: &Bytes) -> Result<Unsubscribe, DecodeError> {
    let mut r = Reader::new(PACKET, body);
    let packet_id = r.packet_id()?;
    let props: UnsubscribeProperties = properties::read(&mut r, Place::Unsubscribe)?;
    let mut filters = Vec::new();
    while r.remaining() > 0 {
        filters.push(read_filter(&mut r)?);
    }
    if filters.is_empty() {
        return Err(DecodeError::NoTopicFilters { packet: PACKET });
    }
    Ok(Unsubscribe {
        packet_id,
        filters,
        properties: props,
    })
}

pub(crate) fn len(u: &Unsubscribe) -> Result<Plan, EncodeError> {
    if u.filters.is_empty() {
        return Err(EncodeError::NoTopicFilters { packet: PACKET });
    }
    let props = properties::len(&u.properties, Place::Unsubscribe)?;
    let mut len = 2 + properties::block_len(props);
    for f in &u.filters {
        len += filter_len(PACKET, f)?;
    }
    Ok(Plan::new(len, props))
}

pub(crate) fn write(u: &Unsubscribe, plan: &Plan, out: &mut Vec<u8>) {
    write_u16(out, u.packet_id.get());
    properties::write(&u.properties, plan.props, out);
    for f in &u.filters {
        write_prefixed(out, f.as_bytes());
    }
}

pub(crate) fn decode_unsuback(body: &Bytes) -> Result<UnsubAck, DecodeError> {
    let (packet_id, reason_codes, properties) = decode_codes(PacketType::UnsubAck, body)?;
    Ok(UnsubAck {
        packet_id,
        reason_codes,
        properties,
    })
}
