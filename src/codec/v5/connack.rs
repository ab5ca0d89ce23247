//! CONNACK (§3.2): acknowledge flags, reason code, properties.

use super::connect::check_auth;
use super::properties::{self, Place};
use super::reader::Reader;
use super::{reason, ConnAck, DecodeError, EncodeError, PacketType, Plan};
use bytes::Bytes;

const PACKET: PacketType = PacketType::ConnAck;

pub(crate) fn decode(body: &Bytes) -> Result<ConnAck, DecodeError> {
    let mut r = Reader::new(PACKET, body);
    let flags = r.u8("acknowledge flags")?;
    if flags & !1 != 0 {
        return Err(DecodeError::InvalidConnAckFlags { flags });
    }
    let reason_code = reason::read(&mut r)?;
    let session_present = flags & 1 != 0;
    if session_present && reason_code.is_error() {
        return Err(DecodeError::SessionPresentOnRefusal);
    }
    let props: properties::ConnAckProperties = properties::read(&mut r, Place::ConnAck)?;
    check_auth(
        Place::ConnAck,
        &props.authentication_method,
        &props.authentication_data,
    )?;
    r.finish()?;
    Ok(ConnAck {
        session_present,
        reason_code,
        properties: props,
    })
}

pub(crate) fn len(c: &ConnAck) -> Result<Plan, EncodeError> {
    reason::check(PACKET, c.reason_code)?;
    if c.session_present && c.reason_code.is_error() {
        return Err(EncodeError::SessionPresentOnRefusal);
    }
    let props = properties::len(&c.properties, Place::ConnAck)?;
    Ok(Plan::new(2 + properties::block_len(props), props))
}

pub(crate) fn write(c: &ConnAck, plan: &Plan, out: &mut Vec<u8>) {
    out.push(c.session_present as u8);
    out.push(c.reason_code as u8);
    properties::write(&c.properties, plan.props, out);
}
