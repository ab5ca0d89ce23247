//! SUBSCRIBE (spec §3.8) and SUBACK (§3.9).

use super::wire::{string_len, write_prefixed, write_u16, Reader};
use super::{
    DecodeError, EncodeError, PacketType, QoS, SubAck, Subscribe, SubscribeFilter,
    SubscribeReturnCode,
};
use crate::topic;
use bytes::Bytes;

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

pub(crate) fn decode(body: &Bytes) -> Result<Subscribe, DecodeError> {
    let mut r = Reader::new(PacketType::Subscribe, body);
    let packet_id = r.packet_id()?;
    let mut filters = Vec::new();
    while r.remaining() > 0 {
        let filter = read_filter(&mut r)?;
        let byte = r.u8("requested QoS")?;
        let qos = QoS::from_u8(byte).ok_or(DecodeError::InvalidSubscriptionOptions { byte })?;
        filters.push(SubscribeFilter { filter, qos });
    }
    if filters.is_empty() {
        return Err(DecodeError::NoTopicFilters {
            packet: PacketType::Subscribe,
        });
    }
    Ok(Subscribe { packet_id, filters })
}

pub(crate) fn len(s: &Subscribe) -> Result<usize, EncodeError> {
    if s.filters.is_empty() {
        return Err(EncodeError::NoTopicFilters {
            packet: PacketType::Subscribe,
        });
    }
    let mut len = 2;
    for f in &s.filters {
        len += filter_len(PacketType::Subscribe, &f.filter)? + 1;
    }
    Ok(len)
}

pub(crate) fn write(s: &Subscribe, out: &mut Vec<u8>) {
    write_u16(out, s.packet_id.get());
    for f in &s.filters {
        write_prefixed(out, f.filter.as_bytes());
        out.push(f.qos as u8);
    }
}

impl SubscribeReturnCode {
    /// The code for a wire value; `None` for anything but 0, 1, 2, 0x80.
    pub fn from_u8(value: u8) -> Option<SubscribeReturnCode> {
        match value {
            0x80 => Some(SubscribeReturnCode::Failure),
            _ => QoS::from_u8(value).map(SubscribeReturnCode::Granted),
        }
    }

    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            SubscribeReturnCode::Granted(qos) => qos as u8,
            SubscribeReturnCode::Failure => 0x80,
        }
    }
}

pub(crate) fn decode_suback(body: &Bytes) -> Result<SubAck, DecodeError> {
    let mut r = Reader::new(PacketType::SubAck, body);
    let packet_id = r.packet_id()?;
    let rest = r.rest();
    let return_codes = rest
        .iter()
        .map(|&code| {
            SubscribeReturnCode::from_u8(code).ok_or(DecodeError::InvalidSubAckReturnCode { code })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SubAck {
        packet_id,
        return_codes,
    })
}

pub(crate) fn suback_len(s: &SubAck) -> usize {
    2 + s.return_codes.len()
}

pub(crate) fn write_suback(s: &SubAck, out: &mut Vec<u8>) {
    write_u16(out, s.packet_id.get());
    out.extend(s.return_codes.iter().map(|c| c.to_u8()));
}
