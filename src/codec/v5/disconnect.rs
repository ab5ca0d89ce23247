//! DISCONNECT (§3.14): optionally a reason code and properties. Remaining
//! Length 0 means 0x00 Normal disconnection with no properties, 1 means no
//! properties (§3.14.2.1); encoding uses the shortest form.

use super::properties::{self, DisconnectProperties, Place};
use super::reader::Reader;
use super::{reason, DecodeError, Disconnect, EncodeError, PacketType, Plan, ReasonCode};
use bytes::Bytes;

const PACKET: PacketType = PacketType::Disconnect;

pub(crate) fn decode(body: &Bytes) -> Result<Disconnect, DecodeError> {
    let mut r = Reader::new(PACKET, body);
    let reason_code = if r.remaining() > 0 {
        reason::read(&mut r)?
    } else {
        ReasonCode::Success
    };
    let props: DisconnectProperties = if r.remaining() > 0 {
        properties::read(&mut r, Place::Disconnect)?
    } else {
        DisconnectProperties::default()
    };
    r.finish()?;
    Ok(Disconnect {
        reason_code,
        properties: props,
    })
}

pub(crate) fn len(d: &Disconnect) -> Result<Plan, EncodeError> {
    reason::check(PACKET, d.reason_code)?;
    short_form_len(d.reason_code, d.properties.is_empty(), || {
        properties::len(&d.properties, Place::Disconnect)
    })
}

/// DISCONNECT and AUTH: 0 bytes for success without properties, 1 for a
/// reason alone, else reason + properties.
pub(crate) fn short_form_len(
    code: ReasonCode,
    no_properties: bool,
    props: impl FnOnce() -> Result<usize, EncodeError>,
) -> Result<Plan, EncodeError> {
    if no_properties {
        let len = if code == ReasonCode::Success { 0 } else { 1 };
        return Ok(Plan::new(len, 0));
    }
    let props = props()?;
    Ok(Plan::new(1 + properties::block_len(props), props))
}

pub(crate) fn write(d: &Disconnect, plan: &Plan, out: &mut Vec<u8>) {
    if plan.remaining >= 1 {
        out.push(d.reason_code as u8);
    }
    if plan.remaining >= 2 {
        properties::write(&d.properties, plan.props, out);
    }
}
