//! CONNECT (§3.1): protocol name "MQTT", version 5, flags, keep alive,
//! properties; payload: client id, will (properties, topic, payload), user
//! name, password.

use super::properties::{self, Place};
use super::reader::{binary_len, string_len, write_prefixed, write_u16, Reader};
use super::{Connect, DecodeError, EncodeError, LastWill, PacketType, Plan};
use crate::codec::QoS;
use crate::topic;
use bytes::Bytes;

const PACKET: PacketType = PacketType::Connect;
const PROTOCOL_NAME: &[u8] = b"MQTT";
/// Protocol Version 5 (§3.1.2.2).
pub(crate) const PROTOCOL_VERSION: u8 = 5;

const USERNAME: u8 = 0b1000_0000;
const PASSWORD: u8 = 0b0100_0000;
const WILL_RETAIN: u8 = 0b0010_0000;
const WILL_QOS_SHIFT: u8 = 3;
const WILL: u8 = 0b0000_0100;
const CLEAN_START: u8 = 0b0000_0010;
const RESERVED: u8 = 0b0000_0001;

pub(crate) fn check_auth(
    place: Place,
    method: &Option<String>,
    data: &Option<Bytes>,
) -> Result<(), DecodeError> {
    if data.is_some() && method.is_none() {
        return Err(DecodeError::AuthenticationDataWithoutMethod { place });
    }
    Ok(())
}

pub(crate) fn decode(body: &Bytes) -> Result<Connect, DecodeError> {
    let mut r = Reader::new(PACKET, body);
    let name = r.prefixed("protocol name")?;
    if name != PROTOCOL_NAME {
        return Err(DecodeError::InvalidProtocolName {
            found: String::from_utf8_lossy(name).into_owned(),
        });
    }
    let version = r.u8("protocol version")?;
    if version != PROTOCOL_VERSION {
        return Err(DecodeError::UnsupportedProtocolVersion { version });
    }
    let flags = r.u8("connect flags")?;
    if flags & RESERVED != 0 {
        return Err(DecodeError::ConnectReservedFlag);
    }
    let will_qos = (flags >> WILL_QOS_SHIFT) & 0b11;
    if flags & WILL == 0 && (will_qos != 0 || flags & WILL_RETAIN != 0) {
        return Err(DecodeError::WillFlagsWithoutWill);
    }
    let will_qos = if flags & WILL != 0 {
        Some(QoS::from_u8(will_qos).ok_or(DecodeError::InvalidWillQos)?)
    } else {
        None
    };
    let keep_alive = r.u16("keep alive")?;
    let props: properties::ConnectProperties = properties::read(&mut r, Place::Connect)?;
    check_auth(
        Place::Connect,
        &props.authentication_method,
        &props.authentication_data,
    )?;
    let client_id = r.string("client identifier")?;
    let will = match will_qos {
        Some(qos) => {
            let will_props = properties::read(&mut r, Place::Will)?;
            let topic = r.string("will topic")?;
            topic::validate_topic_name(&topic)
                .map_err(|e| DecodeError::from_topic(PACKET, "will topic", e))?;
            let payload = r.binary("will payload")?;
            Some(LastWill {
                topic,
                payload,
                qos,
                retain: flags & WILL_RETAIN != 0,
                properties: will_props,
            })
        }
        None => None,
    };
    let username = if flags & USERNAME != 0 {
        Some(r.string("user name")?)
    } else {
        None
    };
    let password = if flags & PASSWORD != 0 {
        Some(r.binary("password")?)
    } else {
        None
    };
    r.finish()?;
    Ok(Connect {
        client_id,
        keep_alive,
        clean_start: flags & CLEAN_START != 0,
        will,
        username,
        password,
        properties: props,
    })
}

pub(crate) fn len(c: &Connect) -> Result<Plan, EncodeError> {
    if c.properties.authentication_data.is_some() && c.properties.authentication_method.is_none() {
        return Err(EncodeError::AuthenticationDataWithoutMethod {
            place: Place::Connect,
        });
    }
    // Protocol name (2 + 4), version, flags, keep alive.
    let mut len = 6 + 1 + 1 + 2;
    let props = properties::len(&c.properties, Place::Connect)?;
    len += properties::block_len(props);
    len += string_len(PACKET, "client identifier", &c.client_id)?;
    let mut will_props = 0;
    if let Some(will) = &c.will {
        topic::validate_topic_name(&will.topic).map_err(|error| EncodeError::InvalidTopic {
            packet: PACKET,
            field: "will topic",
            error,
        })?;
        will_props = properties::len(&will.properties, Place::Will)?;
        len += properties::block_len(will_props);
        len += string_len(PACKET, "will topic", &will.topic)?;
        len += binary_len(PACKET, "will payload", &will.payload)?;
    }
    if let Some(username) = &c.username {
        len += string_len(PACKET, "user name", username)?;
    }
    if let Some(password) = &c.password {
        len += binary_len(PACKET, "password", password)?;
    }
    Ok(Plan {
        remaining: len,
        props,
        will_props,
    })
}

pub(crate) fn write(c: &Connect, plan: &Plan, out: &mut Vec<u8>) {
    write_prefixed(out, PROTOCOL_NAME);
    out.push(PROTOCOL_VERSION);
    let mut flags = 0;
    if c.username.is_some() {
        flags |= USERNAME;
    }
    if c.password.is_some() {
        flags |= PASSWORD;
    }
    if let Some(will) = &c.will {
        flags |= WILL | ((will.qos as u8) << WILL_QOS_SHIFT);
        if will.retain {
            flags |= WILL_RETAIN;
        }
    }
    if c.clean_start {
        flags |= CLEAN_START;
    }
    out.push(flags);
    write_u16(out, c.keep_alive);
    properties::write(&c.properties, plan.props, out);
    write_prefixed(out, c.client_id.as_bytes());
    if let Some(will) = &c.will {
        properties::write(&will.properties, plan.will_props, out);
        write_prefixed(out, will.topic.as_bytes());
        write_prefixed(out, &will.payload);
    }
    if let Some(username) = &c.username {
        write_prefixed(out, username.as_bytes());
    }
    if let Some(password) = &c.password {
        write_prefixed(out, password);
    }
}
