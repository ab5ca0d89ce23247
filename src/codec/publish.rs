//! PUBLISH (spec §3.3).

use super::wire::{string_len, write_prefixed, write_u16, Reader};
use super::{DecodeError, EncodeError, PacketType, Publish, QosPid};
use crate::topic;
use bytes::{Buf, Bytes};

const PACKET: PacketType = PacketType::Publish;
const DUP: u8 = 0b1000;
const RETAIN: u8 = 0b0001;

/// Decodes a body; `flags` were checked with the fixed header (QoS ≠ 3,
/// no DUP at QoS 0). The payload becomes `body` itself, advanced past the
/// variable header: no copy, no extra reference count.
#[inline]
pub(crate) fn decode(flags: u8, mut body: Bytes) -> Result<Publish, DecodeError> {
    let mut r = Reader::new(PACKET, &body);
    let raw = r.prefixed("topic name")?;
    let field = "topic name";
    if raw.is_empty() {
        return Err(DecodeError::EmptyTopic {
            packet: PACKET,
            field,
        });
    }
    let topic = std::str::from_utf8(raw).map_err(|_| DecodeError::InvalidUtf8 {
        packet: PACKET,
        field,
    })?;
    // One branch-free pass for U+0000 and the wildcards; sort out which on error.
    if raw
        .iter()
        .fold(false, |bad, &b| bad | (b == 0) | (b == b'+') | (b == b'#'))
    {
        return Err(if raw.contains(&0) {
            DecodeError::NullCharacter {
                packet: PACKET,
                field,
            }
        } else {
            DecodeError::WildcardInTopicName {
                packet: PACKET,
                field,
            }
        });
    }
    let topic = topic.to_owned();
    let qos = match (flags >> 1) & 0b11 {
        0 => QosPid::AtMostOnce,
        1 => QosPid::AtLeastOnce(r.packet_id()?),
        _ => QosPid::ExactlyOnce(r.packet_id()?),
    };
    let header_len = r.position();
    body.advance(header_len);
    Ok(Publish {
        dup: flags & DUP != 0,
        qos,
        retain: flags & RETAIN != 0,
        topic,
        payload: body,
    })
}

pub(crate) fn flags(p: &Publish) -> u8 {
    let mut flags = (p.qos.qos() as u8) << 1;
    if p.dup {
        flags |= DUP;
    }
    if p.retain {
        flags |= RETAIN;
    }
    flags
}

pub(crate) fn len(p: &Publish) -> Result<usize, EncodeError> {
    if p.dup && p.qos == QosPid::AtMostOnce {
        return Err(EncodeError::DupAtQos0);
    }
    topic::validate_topic_name(&p.topic).map_err(|error| EncodeError::InvalidTopic {
        packet: PACKET,
        field: "topic name",
        error,
    })?;
    let id = if p.qos.packet_id().is_some() { 2 } else { 0 };
    Ok(string_len(PACKET, "topic name", &p.topic)? + id + p.payload.len())
}

#[inline]
pub(crate) fn write(p: &Publish, out: &mut Vec<u8>) {
    write_prefixed(out, p.topic.as_bytes());
    if let Some(id) = p.qos.packet_id() {
        write_u16(out, id.get());
    }
    out.extend_from_slice(&p.payload);
}
