//! Our QoS 1/2 PUBLISHes that the broker has not fully acknowledged, in the
//! order they were first sent (resends must keep that order
//! `[MQTT-4.6.0-1]`).

use crate::codec::PacketId;

use super::message::{OutboundMessage, PublishId};

/// Which acknowledgement an in-flight message waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// QoS 1, PUBLISH sent.
    Qos1Sent,
    /// QoS 2, PUBLISH sent.
    Qos2Sent,
    /// QoS 2, PUBREC received and PUBREL sent.
    Qos2Released,
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) id: PublishId,
    pub(crate) packet_id: PacketId,
    pub(crate) message: OutboundMessage,
    pub(crate) stage: Stage,
}

/// Ordered in-flight list; at most `max_inflight` (≤ a few hundred) long,
/// so a linear search by packet id is cheaper than keeping an index.
#[derive(Debug, Clone, Default)]
pub(crate) struct Inflight {
    entries: Vec<Entry>,
}

impl Inflight {
    pub(crate) fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    pub(crate) fn get_mut(&mut self, packet_id: PacketId) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.packet_id == packet_id)
    }

    pub(crate) fn get(&self, packet_id: PacketId) -> Option<&Entry> {
        self.entries.iter().find(|e| e.packet_id == packet_id)
    }

    /// Removes the entry, keeping the others in order (acks may come out of
    /// order).
    pub(crate) fn remove(&mut self, packet_id: PacketId) -> Option<Entry> {
        let index = self.entries.iter().position(|e| e.packet_id == packet_id)?;
        Some(self.entries.remove(index))
    }

    pub(crate) fn remove_publish(&mut self, id: PublishId) -> Option<Entry> {
        let index = self.entries.iter().position(|e| e.id == id)?;
        Some(self.entries.remove(index))
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}
