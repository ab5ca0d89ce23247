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
    let (topic, qos) = variable_header(flags, &mut r)?;
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

/// Reads and checks the variable header (topic name, packet identifier):
/// shared by [`decode`] and the decoder's skip of an oversized PUBLISH, so
/// both apply exactly the same rules.
#[inline]
pub(crate) fn variable_header(
    flags: u8,
    r: &mut Reader<'_>,
) -> Result<(String, QosPid), DecodeError> {
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
    Ok((topic, qos))
}

/// How many bytes the variable header of a PUBLISH takes, from the first
/// two bytes of its body (`None`: fewer than two there yet).
pub(crate) fn variable_header_len(flags: u8, body_start: &[u8]) -> Option<usize> {
    let [high, low, ..] = *body_start else {
        return None;
    };
    let id = if (flags >> 1) & 0b11 == 0 { 0 } else { 2 };
    Some(2 + usize::from(u16::from_be_bytes([high, low])) + id)
}

/// The DUP and RETAIN bits of a PUBLISH's fixed-header flags.
pub(crate) fn dup_retain(flags: u8) -> (bool, bool) {
    (flags & DUP != 0, flags & RETAIN != 0)
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
