//! PUBLISH (§3.3): topic name, packet identifier (QoS 1/2), properties,
//! payload. The payload stays a view of the received buffer, as in 3.1.1.

use super::properties::{self, Place, PublishProperties};
use super::reader::{string_len, write_prefixed, write_u16, Reader};
use super::{DecodeError, EncodeError, PacketType, Plan, Publish};
use crate::codec::QosPid;
use crate::topic;
use bytes::{Buf, Bytes};

const PACKET: PacketType = PacketType::Publish;
const DUP: u8 = 0b1000;
const RETAIN: u8 = 0b0001;

/// Decodes a body whose `flags` were checked with the fixed header (QoS ≠ 3,
/// no DUP at QoS 0).
#[inline]
pub(crate) fn decode(flags: u8, mut body: Bytes) -> Result<Publish, DecodeError> {
    let mut r = Reader::new(PACKET, &body);
    let field = "topic name";
    // Checked as UTF-8 without U+0000 by the shared reader; then no wildcards.
    let topic = r.string(field)?;
    if topic.bytes().any(|b| b == b'+' || b == b'#') {
        return Err(DecodeError::WildcardInTopicName {
            packet: PACKET,
            field,
        });
    }
    let qos = match (flags >> 1) & 0b11 {
        0 => QosPid::AtMostOnce,
        1 => QosPid::AtLeastOnce(r.packet_id()?),
        _ => QosPid::ExactlyOnce(r.packet_id()?),
    };
    let props: PublishProperties = properties::read(&mut r, Place::Publish)?;
    if topic.is_empty() && props.topic_alias.is_none() {
        return Err(DecodeError::EmptyTopicWithoutAlias);
    }
    if let Some(response) = &props.response_topic {
        topic::validate_topic_name(response)
            .map_err(|e| DecodeError::from_topic(PACKET, "Response Topic", e))?;
    }
    let header_len = r.position();
    body.advance(header_len);
    Ok(Publish {
        dup: flags & DUP != 0,
        qos,
        retain: flags & RETAIN != 0,
        topic,
        payload: body,
        properties: props,
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

pub(crate) fn len(p: &Publish) -> Result<Plan, EncodeError> {
    if p.dup && p.qos == QosPid::AtMostOnce {
        return Err(EncodeError::DupAtQos0);
    }
    if p.topic.is_empty() {
        if p.properties.topic_alias.is_none() {
            return Err(EncodeError::EmptyTopicWithoutAlias);
        }
    } else {
        topic::validate_topic_name(&p.topic).map_err(|error| EncodeError::InvalidTopic {
            packet: PACKET,
            field: "topic name",
            error,
        })?;
    }
    if let Some(response) = &p.properties.response_topic {
        topic::validate_topic_name(response).map_err(|error| EncodeError::InvalidTopic {
            packet: PACKET,
            field: "Response Topic",
            error,
        })?;
    }
    let id = if p.qos.packet_id().is_some() { 2 } else { 0 };
    let props = properties::len(&p.properties, Place::Publish)?;
    let remaining = string_len(PACKET, "topic name", &p.topic)?
        + id
        + properties::block_len(props)
        + p.payload.len();
    Ok(Plan::new(remaining, props))
}

#[inline]
pub(crate) fn write(p: &Publish, plan: &Plan, out: &mut Vec<u8>) {
    write_prefixed(out, p.topic.as_bytes());
    if let Some(id) = p.qos.packet_id() {
        write_u16(out, id.get());
    }
    properties::write(&p.properties, plan.props, out);
    out.extend_from_slice(&p.payload);
}
