//! Acknowledgements of our QoS 1/2 PUBLISHes (PUBACK, PUBREC, PUBCOMP)
//! and the broker's PUBREL for its QoS 2 messages.
//!
//! Acknowledgements for packet ids we are not waiting for become
//! `Event::Warning` and the connection is kept: they are usually late
//! duplicates after a reconnect (the broker resends what it had not seen us
//! acknowledge), harmless to ignore, and dropping the connection for them
//! would lose more than it protects.
//!
//! MQTT 5: every acknowledgement's reason code and reason string end up in
//! `PublishAcknowledged::reason`. A PUBREC with an error code ends the
//! QoS 2 exchange (no PUBREL, §4.3.3), like a PUBACK with one.

use crate::codec::v5::{Ack, Packet, PacketType, ReasonCode};
use crate::codec::PacketId;
use crate::time::Instant;

use super::inflight::Stage;
use super::protocol::ProtocolVersion;
use super::v5::reason::Reason;
use super::{Event, Session};

impl Session {
    fn unexpected_ack(&mut self, kind: &str, id: PacketId, detail: &str) {
        self.event(Event::Warning {
            message: format!("{kind} for packet id {}, {detail}; ignored", id.get()),
        });
    }

    fn reason_of(&self, packet: PacketType, ack: Ack) -> Option<Reason> {
        (self.version == ProtocolVersion::V5)
            .then(|| Reason::from_ack(packet, ack.reason_code, ack.properties))
    }

    pub(super) fn on_puback(&mut self, ack: Ack, now: Instant) {
        let id = ack.packet_id;
        match self.inflight.get(id).map(|e| e.stage) {
            Some(Stage::Qos1Sent) => {
                let reason = self.reason_of(PacketType::PubAck, ack);
                self.complete(id, reason, now)
            }
            Some(_) => self.unexpected_ack("PUBACK", id, "which is a QoS 2 message"),
            None => self.unexpected_ack(
                "PUBACK",
                id,
                "which we are not waiting for (never sent or already acknowledged)",
            ),
        }
    }

    pub(super) fn on_pubrec(&mut self, ack: Ack, now: Instant) {
        let id = ack.packet_id;
        match self.inflight.get(id).map(|e| e.stage) {
            Some(Stage::Qos1Sent) => self.unexpected_ack("PUBREC", id, "which is a QoS 1 message"),
            Some(_) if ack.reason_code.is_error() => {
                let reason = self.reason_of(PacketType::PubRec, ack);
                self.complete(id, reason, now);
            }
            Some(_) => {
                // A repeated PUBREC (after we already sent PUBREL) just gets
                // PUBREL again.
                if let Some(entry) = self.inflight.get_mut(id) {
                    entry.stage = Stage::Qos2Released;
                }
                self.send_packet(Packet::PubRel(super::inbound::ack(id)), now);
            }
            None => self.unexpected_ack(
                "PUBREC",
                id,
                "which we are not waiting for (never sent or already completed)",
            ),
        }
    }

    pub(super) fn on_pubcomp(&mut self, ack: Ack, now: Instant) {
        let id = ack.packet_id;
        match self.inflight.get(id).map(|e| e.stage) {
            Some(Stage::Qos2Released) => {
                let reason = self.reason_of(PacketType::PubComp, ack);
                self.complete(id, reason, now)
            }
            Some(Stage::Qos2Sent) => {
                self.unexpected_ack("PUBCOMP", id, "which arrived before its PUBREC")
            }
            Some(Stage::Qos1Sent) => self.unexpected_ack("PUBCOMP", id, "which is a QoS 1 message"),
            None => self.unexpected_ack(
                "PUBCOMP",
                id,
                "which we are not waiting for (never sent or already completed)",
            ),
        }
    }

    pub(super) fn on_pubrel(&mut self, ack: Ack, now: Instant) {
        // PUBCOMP even for an id we do not remember: after a reconnect the
        // broker may resend PUBREL for an exchange we already finished, and
        // it needs PUBCOMP to let go [MQTT-4.3.3-2]. MQTT 5 says so with
        // 0x92 Packet Identifier not found.
        let id = ack.packet_id;
        let known = self.incoming.qos2_release(id);
        let mut comp = super::inbound::ack(id);
        if !known && self.version == ProtocolVersion::V5 {
            comp.reason_code = ReasonCode::PacketIdentifierNotFound;
        }
        self.send_packet(Packet::PubComp(comp), now);
    }

    /// The exchange for `id` is done: free the slot and the id, tell the
    /// UI, and let a queued message take the slot.
    fn complete(&mut self, id: PacketId, reason: Option<Reason>, now: Instant) {
        if let Some(entry) = self.inflight.remove(id) {
            self.packet_ids.release(id);
            self.event(Event::PublishAcknowledged {
                id: entry.id,
                reason,
            });
            self.drain_queue(now);
        }
    }
}
