//! AUTH (§3.15): the enhanced-authentication exchange, new in MQTT 5.
//! Reason code (0x00 Success, 0x18 Continue authentication, 0x19
//! Re-authenticate) and properties; Remaining Length 0 means 0x00 with no
//! properties (§3.15.2.1), as for DISCONNECT.

use super::connect::check_auth;
use super::disconnect::short_form_len;
use super::properties::{self, AuthProperties, Place};
use super::reader::Reader;
use super::{reason, Auth, DecodeError, EncodeError, PacketType, Plan, ReasonCode};
use bytes::Bytes;

const PACKET: PacketType = PacketType::Auth;

pub(crate) fn decode(body: &Bytes) -> Result<Auth, DecodeError> {
    let mut r = Reader::new(PACKET, body);
    let reason_code = if r.remaining() > 0 {
        reason::read(&mut r)?
    } else {
        ReasonCode::Success
    };
    let props: AuthProperties = if r.remaining() > 0 {
        properties::read(&mut r, Place::Auth)?
    } else {
        AuthProperties::default()
    };
    check_auth(
        Place::Auth,
        &props.authentication_method,
        &props.authentication_data,
    )?;
    r.finish()?;
    Ok(Auth {
        reason_code,
        properties: props,
    })
}

pub(crate) fn len(a: &Auth) -> Result<Plan, EncodeError> {
    reason::check(PACKET, a.reason_code)?;
    if a.properties.authentication_data.is_some() && a.properties.authentication_method.is_none() {
        return Err(EncodeError::AuthenticationDataWithoutMethod { place: Place::Auth });
    }
    short_form_len(a.reason_code, a.properties.is_empty(), || {
        properties::len(&a.properties, Place::Auth)
    })
}

pub(crate) fn write(a: &Auth, plan: &Plan, out: &mut Vec<u8>) {
    if plan.remaining >= 1 {
        out.push(a.reason_code as u8);
    }
    if plan.remaining >= 2 {
        properties::write(&a.properties, plan.props, out);
    }
}
