//! State for the broker's QoS 1/2 messages: which QoS 2 ids await PUBREL
//! (so a redelivery is not shown twice) and which QoS 1 ids were seen (to
//! mark DUP redeliveries).
//!
//! This is session state: it survives reconnects while the broker keeps the
//! session, and is cleared when CONNACK says the session is new (then the
//! broker's ids start over).

use std::collections::HashMap;

use crate::codec::PacketId;

use super::packet_ids::IdSet;

#[derive(Debug, Clone, Default)]
pub(crate) struct Incoming {
    awaiting_pubrel: IdSet,
    qos1_seen: IdSet,
    /// QoS 1 messages acknowledged on the current connection: id → content
    /// fingerprint.
    acked_here: HashMap<u16, u64>,
    /// Those acknowledged on the last few connections, whose PUBACK may have
    /// died with them: the broker will send them again — and some brokers
    /// (aedes 1.x) do so without DUP = 1 [MQTT-3.3.1-1]. id → (fingerprint,
    /// connections ago).
    maybe_unacked: HashMap<u16, (u64, u8)>,
    /// The same acknowledgements by content alone → connections ago: a
    /// broker may also redeliver under a new packet id.
    doubtful_contents: HashMap<u64, u8>,
}

/// How many connections back an acknowledgement may still be in doubt (a
/// redelivery can itself be cut off before it arrives).
const DOUBT_CONNECTIONS: u8 = 3;

/// FNV-1a over topic and payload: tells a redelivery (same content under
/// the same id) from a new message that reuses the id.
pub(crate) fn fingerprint(topic: &str, payload: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in topic.bytes().chain([0xff]).chain(payload.iter().copied()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

impl Incoming {
    /// A QoS 2 PUBLISH arrived; returns whether it is new (deliver it) or a
    /// redelivery of one delivered and not yet released (do not).
    pub(crate) fn qos2_publish(&mut self, id: PacketId) -> bool {
        self.awaiting_pubrel.insert(id)
    }

    /// Whether this QoS 2 id was delivered and awaits its PUBREL.
    pub(crate) fn qos2_awaiting(&self, id: PacketId) -> bool {
        self.awaiting_pubrel.contains(id)
    }

    /// How many of the broker's QoS 2 messages await PUBREL (the ones still
    /// counting against our Receive Maximum).
    pub(crate) fn qos2_unreleased(&self) -> usize {
        self.awaiting_pubrel.len()
    }

    /// PUBREL arrived: the id is free again on the broker's side.
    pub(crate) fn qos2_release(&mut self, id: PacketId) -> bool {
        self.awaiting_pubrel.remove(id)
    }

    /// A QoS 1 PUBLISH arrived; returns whether it is a likely duplicate:
    /// DUP = 1 and this id was received before in this session. (The broker
    /// reuses ids, so "seen before" alone proves nothing; DUP alone only
    /// means the broker is not sure we got it.)
    ///
    /// Also a duplicate without DUP: the same content as a message whose
    /// PUBACK went out on one of the last connections that then dropped
    /// (brokers that do not set DUP on redelivery, or that pick a new id).
    /// A new message with identical content right after a reconnect is
    /// marked too: the mark means "probably a copy", the message is shown.
    pub(crate) fn qos1_publish(&mut self, id: PacketId, dup: bool, fingerprint: u64) -> bool {
        let seen = !self.qos1_seen.insert(id);
        let same_id = self
            .maybe_unacked
            .remove(&id.get())
            .is_some_and(|(doubted, _)| doubted == fingerprint);
        let same_content = self.doubtful_contents.remove(&fingerprint).is_some();
        let redelivered = same_id || same_content;
        self.acked_here.insert(id.get(), fingerprint);
        (dup && seen) || redelivered
    }

    /// A new connection resumed the session: acknowledgements sent on the
    /// previous one may not have arrived.
    pub(crate) fn session_resumed(&mut self) {
        self.maybe_unacked.retain(|_, (_, age)| {
            *age += 1;
            *age < DOUBT_CONNECTIONS
        });
        self.doubtful_contents.retain(|_, age| {
            *age += 1;
            *age < DOUBT_CONNECTIONS
        });
        for (id, fingerprint) in self.acked_here.drain() {
            self.maybe_unacked.insert(id, (fingerprint, 0));
            self.doubtful_contents.insert(fingerprint, 0);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.awaiting_pubrel.clear();
        self.qos1_seen.clear();
        self.acked_here.clear();
        self.maybe_unacked.clear();
        self.doubtful_contents.clear();
    }
}
