//! PUBLISH (spec §3.3).

use super::wire::{string_len, write_prefixed, write_u16, Reader};
use super::{DecodeError, EncodeError, PacketType, Publish, QosPid};
use crate::topic;
use bytes::Bytes;

const PACKET: PacketType = PacketType::Publish;
const DUP: u8 = 0b1000;
const RETAIN: u8 = 0b0001;

/// Decodes a body; `flags` were checked with the fixed header (QoS ≠ 3,
/// no DUP at QoS 0).
#[inline]
pub(crate) fn decode(flags: u8, body: &Bytes) -> Result<Publish, DecodeError> {
    let mut r = Reader::new(PACKET, body);
    let raw = r.prefixed("topic name")?;
    if raw.is_empty() {
        return Err(DecodeError::EmptyTopic {
            packet: PACKET,
            field: "topic name",
        });
    }
    let topic = std::str::from_utf8(raw).map_err(|_| DecodeError::InvalidUtf8 {
        packet: PACKET,
        field: "topic name",
    })?;
    // One pass over the bytes for U+0000 and the wildcards.
    for &b in raw {
        match b {
            0 => {
                return Err(DecodeError::NullCharacter {
                    packet: PACKET,
                    field: "topic name",
                })
            }
            b'+' | b'#' => {
                return Err(DecodeError::WildcardInTopicName {
                    packet: PACKET,
                    field: "topic name",
                })
            }
            _ => {}
        }
    }
    let topic = topic.to_owned();
    let qos = match (flags >> 1) & 0b11 {
        0 => QosPid::AtMostOnce,
        1 => QosPid::AtLeastOnce(r.packet_id()?),
        _ => QosPid::ExactlyOnce(r.packet_id()?),
    };
    let payload = r.rest();
    Ok(Publish {
        dup: flags & DUP != 0,
        qos,
        retain: flags & RETAIN != 0,
        topic,
        payload,
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
