//! PUBACK, PUBREC, PUBREL and PUBCOMP (§3.4–3.7): packet identifier, then
//! optionally a reason code and properties. The short forms are part of
//! the spec: Remaining Length 2 means reason 0x00 and no properties, 3
//! means no properties (§3.4.2.1). Encoding uses the shortest form.

use super::properties::{self, AckProperties, Place};
use super::reader::{write_u16, Reader};
use super::{reason, Ack, DecodeError, EncodeError, PacketType, Plan, ReasonCode};
use bytes::Bytes;

pub(crate) fn decode(packet: PacketType, body: &Bytes) -> Result<Ack, DecodeError> {
    let mut r = Reader::new(packet, body);
    let packet_id = r.packet_id()?;
    let reason_code = if r.remaining() > 0 {
        reason::read(&mut r)?
    } else {
        ReasonCode::Success
    };
    let props: AckProperties = if r.remaining() > 0 {
        properties::read(&mut r, Place::of_ack(packet))?
    } else {
        AckProperties::default()
    };
    r.finish()?;
    Ok(Ack {
        packet_id,
        reason_code,
        properties: props,
    })
}

pub(crate) fn len(packet: PacketType, a: &Ack) -> Result<Plan, EncodeError> {
    reason::check(packet, a.reason_code)?;
    if a.properties.is_empty() {
        let len = if a.reason_code == ReasonCode::Success {
            2
        } else {
            3
        };
        return Ok(Plan::new(len, 0));
    }
    let props = properties::len(&a.properties, Place::of_ack(packet))?;
    Ok(Plan::new(3 + properties::block_len(props), props))
}

pub(crate) fn write(a: &Ack, plan: &Plan, out: &mut Vec<u8>) {
    write_u16(out, a.packet_id.get());
    if plan.remaining >= 3 {
        out.push(a.reason_code as u8);
    }
    if plan.remaining >= 4 {
        properties::write(&a.properties, plan.props, out);
    }
}
