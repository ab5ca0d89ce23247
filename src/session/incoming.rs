//! State for the broker's QoS 1/2 messages: which QoS 2 ids await PUBREL
//! (so a redelivery is not shown twice) and which QoS 1 ids were seen (to
//! mark DUP redeliveries).
//!
//! This is session state: it survives reconnects while the broker keeps the
//! session, and is cleared when CONNACK says the session is new (then the
//! broker's ids start over).

use crate::codec::PacketId;

use super::packet_ids::IdSet;

#[derive(Debug, Clone, Default)]
pub(crate) struct Incoming {
    awaiting_pubrel: IdSet,
    qos1_seen: IdSet,
}

impl Incoming {
    /// A QoS 2 PUBLISH arrived; returns whether it is new (deliver it) or a
    /// redelivery of one delivered and not yet released (do not).
    pub(crate) fn qos2_publish(&mut self, id: PacketId) -> bool {
        self.awaiting_pubrel.insert(id)
    }

    /// PUBREL arrived: the id is free again on the broker's side.
    pub(crate) fn qos2_release(&mut self, id: PacketId) -> bool {
        self.awaiting_pubrel.remove(id)
    }

    /// A QoS 1 PUBLISH arrived; returns whether it is a likely duplicate:
    /// DUP = 1 and this id was received before in this session. (The broker
    /// reuses ids, so "seen before" alone proves nothing; DUP alone only
    /// means the broker is not sure we got it.)
    pub(crate) fn qos1_publish(&mut self, id: PacketId, dup: bool) -> bool {
        let seen = !self.qos1_seen.insert(id);
        dup && seen
    }

    pub(crate) fn clear(&mut self) {
        self.awaiting_pubrel.clear();
        self.qos1_seen.clear();
    }
}
