//! SUBSCRIBE (§3.8) and SUBACK (§3.9).

use super::properties::{self, AckProperties, Place, SubscribeProperties};
use super::reader::{string_len, write_prefixed, write_u16, Reader};
use super::{
    reason, DecodeError, EncodeError, PacketType, Plan, RetainHandling, SubAck, Subscribe,
    SubscribeFilter, SubscriptionOptions,
};
use crate::codec::QoS;
use crate::topic;
use bytes::Bytes;

const NO_LOCAL: u8 = 0b0000_0100;
const RETAIN_AS_PUBLISHED: u8 = 0b0000_1000;
const RETAIN_HANDLING_SHIFT: u8 = 4;
const RESERVED: u8 = 0b1100_0000;

/// Shared subscriptions are `$share/{ShareName}/{filter}` (§4.8.2).
fn is_shared(filter: &str) -> bool {
    filter.starts_with("$share/")
}

/// Reads one topic filter of a SUBSCRIBE or UNSUBSCRIBE and checks it.
pub(crate) fn read_filter(r: &mut Reader<'_>) -> Result<String, DecodeError> {
    let filter = r.string("topic filter")?;
    topic::validate_topic_filter(&filter)
        .map_err(|e| DecodeError::from_topic(r.packet(), "topic filter", e))?;
    Ok(filter)
}

/// Encoded size of one topic filter, checking it.
pub(crate) fn filter_len(packet: PacketType, filter: &str) -> Result<usize, EncodeError> {
    topic::validate_topic_filter(filter).map_err(|error| EncodeError::InvalidTopic {
        packet,
        field: "topic filter",
        error,
    })?;
    string_len(packet, "topic filter", filter)
}

impl SubscriptionOptions {
    /// The options for a wire byte; `None` for QoS 3, Retain Handling 3 or
    /// reserved bits set `[MQTT-3.8.3-5]`.
    pub fn from_u8(byte: u8) -> Option<Self> {
        if byte & RESERVED != 0 {
            return None;
        }
        let retain_handling = match (byte >> RETAIN_HANDLING_SHIFT) & 0b11 {
            0 => RetainHandling::SendAtSubscribe,
            1 => RetainHandling::SendIfNewSubscription,
            2 => RetainHandling::DoNotSend,
            _ => return None,
        };
        Some(SubscriptionOptions {
            qos: QoS::from_u8(byte & 0b11)?,
            no_local: byte & NO_LOCAL != 0,
            retain_as_published: byte & RETAIN_AS_PUBLISHED != 0,
            retain_handling,
        })
    }

    /// The wire byte.
    pub fn to_u8(self) -> u8 {
        let mut byte = self.qos as u8 | ((self.retain_handling as u8) << RETAIN_HANDLING_SHIFT);
        if self.no_local {
            byte |= NO_LOCAL;
        }
        if self.retain_as_published {
            byte |= RETAIN_AS_PUBLISHED;
        }
        byte
    }
}

pub(crate) fn decode(body: &Bytes) -> Result<Subscribe, DecodeError> {
    let mut r = Reader::new(PacketType::Subscribe, body);
    let packet_id = r.packet_id()?;
    let props: SubscribeProperties = properties::read(&mut r, Place::Subscribe)?;
    let mut filters = Vec::new();
    while r.remaining() > 0 {
        let filter = read_filter(&mut r)?;
        let byte = r.u8("subscription options")?;
        let options = SubscriptionOptions::from_u8(byte)
            .ok_or(DecodeError::InvalidSubscriptionOptions { byte })?;
        if options.no_local && is_shared(&filter) {
            return Err(DecodeError::NoLocalOnSharedSubscription);
        }
        filters.push(SubscribeFilter { filter, options });
    }
    if filters.is_empty() {
        return Err(DecodeError::NoTopicFilters {
            packet: PacketType::Subscribe,
        });
    }
    Ok(Subscribe {
        packet_id,
        filters,
        properties: props,
    })
}

pub(crate) fn len(s: &Subscribe) -> Result<Plan, EncodeError> {
    if s.filters.is_empty() {
        return Err(EncodeError::NoTopicFilters {
            packet: PacketType::Subscribe,
        });
    }
    let props = properties::len(&s.properties, Place::Subscribe)?;
    let mut len = 2 + properties::block_len(props);
    for f in &s.filters {
        if f.options.no_local && is_shared(&f.filter) {
            return Err(EncodeError::NoLocalOnSharedSubscription);
        }
        len += filter_len(PacketType::Subscribe, &f.filter)? + 1;
    }
    Ok(Plan::new(len, props))
}

pub(crate) fn write(s: &Subscribe, plan: &Plan, out: &mut Vec<u8>) {
    write_u16(out, s.packet_id.get());
    properties::write(&s.properties, plan.props, out);
    for f in &s.filters {
        write_prefixed(out, f.filter.as_bytes());
        out.push(f.options.to_u8());
    }
}

/// SUBACK and UNSUBACK share their layout: packet identifier, properties,
/// one reason code per filter.
pub(crate) fn decode_codes(
    packet: PacketType,
    body: &Bytes,
) -> Result<
    (
        crate::codec::PacketId,
        Vec<super::ReasonCode>,
        AckProperties,
    ),
    DecodeError,
> {
    let mut r = Reader::new(packet, body);
    let packet_id = r.packet_id()?;
    let props = properties::read(&mut r, Place::of_ack(packet))?;
    let mut codes = Vec::with_capacity(r.remaining());
    while r.remaining() > 0 {
        codes.push(reason::read(&mut r)?);
    }
    Ok((packet_id, codes, props))
}

pub(crate) fn codes_len(
    packet: PacketType,
    codes: &[super::ReasonCode],
    props: &AckProperties,
) -> Result<Plan, EncodeError> {
    for code in codes {
        reason::check(packet, *code)?;
    }
    let props_len = properties::len(props, Place::of_ack(packet))?;
    Ok(Plan::new(
        2 + properties::block_len(props_len) + codes.len(),
        props_len,
    ))
}

pub(crate) fn write_codes(
    packet_id: crate::codec::PacketId,
    codes: &[super::ReasonCode],
    props: &AckProperties,
    plan: &Plan,
    out: &mut Vec<u8>,
) {
    write_u16(out, packet_id.get());
    properties::write(props, plan.props, out);
    out.extend(codes.iter().map(|c| *c as u8));
}

pub(crate) fn decode_suback(body: &Bytes) -> Result<SubAck, DecodeError> {
    let (packet_id, reason_codes, properties) = decode_codes(PacketType::SubAck, body)?;
    Ok(SubAck {
        packet_id,
        reason_codes,
        properties,
    })
}
