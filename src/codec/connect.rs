//! CONNECT (spec §3.1).

use super::wire::{field_len, string_len, write_prefixed, write_u16, Reader};
use super::{Connect, DecodeError, EncodeError, LastWill, PacketType, QoS};
use crate::topic;
use bytes::Bytes;

const PACKET: PacketType = PacketType::Connect;
const PROTOCOL_NAME: &[u8] = b"MQTT";
const PROTOCOL_LEVEL: u8 = 4;

const USERNAME: u8 = 0b1000_0000;
const PASSWORD: u8 = 0b0100_0000;
const WILL_RETAIN: u8 = 0b0010_0000;
const WILL_QOS_SHIFT: u8 = 3;
const WILL: u8 = 0b0000_0100;
const CLEAN_SESSION: u8 = 0b0000_0010;
const RESERVED: u8 = 0b0000_0001;

pub(crate) fn decode(body: &Bytes) -> Result<Connect, DecodeError> {
    let mut r = Reader::new(PACKET, body);
    let name = r.prefixed("protocol name")?;
    if name != PROTOCOL_NAME {
        return Err(DecodeError::InvalidProtocolName {
            found: String::from_utf8_lossy(name).into_owned(),
        });
    }
    let level = r.u8("protocol level")?;
    if level != PROTOCOL_LEVEL {
        return Err(DecodeError::UnsupportedProtocolLevel { level });
    }
    let flags = r.u8("connect flags")?;
    if flags & RESERVED != 0 {
        return Err(DecodeError::ConnectReservedFlag);
    }
    let will_qos = (flags >> WILL_QOS_SHIFT) & 0b11;
    if flags & WILL == 0 && (will_qos != 0 || flags & WILL_RETAIN != 0) {
        return Err(DecodeError::WillFlagsWithoutWill);
    }
    if flags & PASSWORD != 0 && flags & USERNAME == 0 {
        return Err(DecodeError::PasswordWithoutUsername);
    }
    let will_qos = if flags & WILL != 0 {
        Some(QoS::from_u8(will_qos).ok_or(DecodeError::InvalidWillQos)?)
    } else {
        None
    };
    let clean_session = flags & CLEAN_SESSION != 0;
    let keep_alive = r.u16("keep alive")?;
    let client_id = r.string("client identifier")?;
    if client_id.is_empty() && !clean_session {
        return Err(DecodeError::EmptyClientIdWithoutCleanSession);
    }
    let will = match will_qos {
        Some(qos) => {
            let topic = r.string("will topic")?;
            topic::validate_topic_name(&topic)
                .map_err(|e| DecodeError::from_topic(PACKET, "will topic", e))?;
            let payload = r.binary("will message")?;
            Some(LastWill {
                topic,
                payload,
                qos,
                retain: flags & WILL_RETAIN != 0,
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
        clean_session,
        will,
        username,
        password,
    })
}

pub(crate) fn len(c: &Connect) -> Result<usize, EncodeError> {
    // Protocol name (2 + 4), level, flags, keep alive.
    let mut len = 6 + 1 + 1 + 2;
    if c.client_id.is_empty() && !c.clean_session {
        return Err(EncodeError::EmptyClientIdWithoutCleanSession);
    }
    len += string_len(PACKET, "client identifier", &c.client_id)?;
    if let Some(will) = &c.will {
        topic::validate_topic_name(&will.topic).map_err(|error| EncodeError::InvalidTopic {
            packet: PACKET,
            field: "will topic",
            error,
        })?;
        len += string_len(PACKET, "will topic", &will.topic)?;
        len += field_len(PACKET, "will message", &will.payload)?;
    }
    if let Some(username) = &c.username {
        len += string_len(PACKET, "user name", username)?;
    }
    if let Some(password) = &c.password {
        if c.username.is_none() {
            return Err(EncodeError::PasswordWithoutUsername);
        }
        len += field_len(PACKET, "password", password)?;
    }
    Ok(len)
}

pub(crate) fn write(c: &Connect, out: &mut Vec<u8>) {
    write_prefixed(out, PROTOCOL_NAME);
    out.push(PROTOCOL_LEVEL);
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
    if c.clean_session {
        flags |= CLEAN_SESSION;
    }
    out.push(flags);
    write_u16(out, c.keep_alive);
    write_prefixed(out, c.client_id.as_bytes());
    if let Some(will) = &c.will {
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
