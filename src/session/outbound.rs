//! Putting our packets on the wire: PUBLISH (new, queued, resent) and the
//! encoding step shared by all. On MQTT 5 a PUBLISH carries the message's
//! properties and, where the broker allows, a topic alias, and is checked
//! against the CONNACK's limits first.

use crate::codec::v5::{Packet, Publish, PublishProperties};
use crate::codec::{PacketId, QoS, QosPid};
use crate::time::Instant;

use super::close::Operation;
use super::error::SessionError;
use super::inflight::{Entry, Stage};
use super::message::{OutboundMessage, PublishId};
use super::protocol::{self, ProtocolVersion};
use super::{Event, Session};

impl Session {
    /// Encodes `packet` after everything already pending; returns `false`
    /// (and warns) if it cannot be encoded.
    pub(super) fn send_packet(&mut self, packet: Packet, now: Instant) -> bool {
        let start = self.tx.len();
        match protocol::encode(self.version, packet, &mut self.tx) {
            Ok(()) => {
                self.keepalive.on_sent(now);
                true
            }
            Err(e) => {
                self.tx.truncate(start);
                self.event(Event::Warning {
                    message: format!("could not encode a packet, not sent: {e}"),
                });
                false
            }
        }
    }

    /// Whether a message of `qos` may go out now (QoS 1/2 needs a free
    /// in-flight slot and a free packet id).
    pub(super) fn can_send_now(&self, qos: QoS) -> bool {
        qos == QoS::AtMostOnce
            || (self.inflight.len() < self.max_inflight()
                && self.packet_ids.in_use_count() < u16::MAX as usize)
    }

    /// Why the current MQTT 5 connection cannot carry `message` (Maximum
    /// QoS, Retain Available, Maximum Packet Size), if it cannot. The size
    /// is that of the PUBLISH with its full topic, as a first use sends it.
    pub(super) fn refusal(&self, message: &OutboundMessage) -> Option<SessionError> {
        if self.version != ProtocolVersion::V5 {
            return None;
        }
        if let Err(e) = self.negotiated.check_publish(message.qos, message.retain) {
            return Some(e);
        }
        self.negotiated.maximum_packet_size?;
        let qos = match message.qos {
            QoS::AtMostOnce => QosPid::AtMostOnce,
            _ => QosPid::AtLeastOnce(PacketId::new(1).expect("1 is not 0")),
        };
        let packet = Packet::Publish(Publish {
            dup: false,
            qos,
            retain: message.retain,
            topic: message.topic.clone(),
            payload: message.payload.clone(),
            properties: message.properties.to_publish(),
        });
        // Unencodable messages are reported when sent.
        let size = crate::codec::v5::encoded_len(&packet).ok()?;
        self.negotiated.check_size(size).err()
    }

    /// The PUBLISH for `message`: with MQTT 5 properties and a topic alias
    /// (first N topics, see `v5/aliases.rs`) on MQTT 5, plain on 3.1.1.
    fn publish_packet(&mut self, message: &OutboundMessage, qos: QosPid, dup: bool) -> Packet {
        let mut topic = message.topic.clone();
        let properties = if self.version == ProtocolVersion::V5 {
            let mut properties = message.properties.to_publish();
            if let Some((alias, known)) = self.aliases_out.alias_for(&message.topic) {
                properties.topic_alias = Some(alias);
                if known {
                    topic = String::new();
                }
            }
            properties
        } else {
            PublishProperties::default()
        };
        Packet::Publish(Publish {
            dup,
            qos,
            retain: message.retain,
            topic,
            payload: message.payload.clone(),
            properties,
        })
    }

    /// First transmission of a message.
    pub(super) fn send_new_publish(
        &mut self,
        id: PublishId,
        message: OutboundMessage,
        now: Instant,
    ) {
        if let Some(refusal) = self.refusal(&message) {
            // [MQTT-3.1.2-25]: discard it, as if it had been sent.
            self.event(Event::PublishDropped {
                id,
                reason: refusal.to_string(),
            });
            return;
        }
        let (qos, packet_id) = match message.qos {
            QoS::AtMostOnce => (QosPid::AtMostOnce, None),
            QoS::AtLeastOnce | QoS::ExactlyOnce => {
                let Some(pid) = self.packet_ids.allocate() else {
                    self.event(Event::PublishDropped {
                        id,
                        reason: "all 65,535 packet ids are in use".into(),
                    });
                    return;
                };
                let qos = if message.qos == QoS::AtLeastOnce {
                    QosPid::AtLeastOnce(pid)
                } else {
                    QosPid::ExactlyOnce(pid)
                };
                (qos, Some(pid))
            }
        };
        let packet = self.publish_packet(&message, qos, false);
        if !self.send_packet(packet, now) {
            if let Some(pid) = packet_id {
                self.packet_ids.release(pid);
            }
            self.event(Event::PublishDropped {
                id,
                reason: "the message could not be encoded as an MQTT PUBLISH".into(),
            });
            return;
        }
        self.last_operation.record(
            Operation::Publish {
                topic: message.topic.clone(),
                qos: message.qos,
            },
            now,
        );
        if let Some(packet_id) = packet_id {
            let stage = if message.qos == QoS::AtLeastOnce {
                Stage::Qos1Sent
            } else {
                Stage::Qos2Sent
            };
            self.inflight.push(Entry {
                id,
                packet_id,
                message,
                stage,
            });
        }
        self.event(Event::PublishSent { id });
    }

    /// Sends queued messages while the connection and the in-flight cap
    /// allow, strictly in order.
    pub(super) fn drain_queue(&mut self, now: Instant) {
        while self.is_connected() {
            let Some((_, front)) = self.queue.front() else {
                break;
            };
            if !self.can_send_now(front.qos) {
                break;
            }
            let (id, message) = self.queue.pop().expect("front exists");
            self.send_new_publish(id, message, now);
        }
    }

    /// After CONNACK: every unfinished QoS 1/2 exchange again, in original
    /// order — PUBLISH with DUP = 1 where the broker has not confirmed
    /// receipt `[MQTT-4.4.0-1]`, PUBREL where it has.
    pub(super) fn resend_inflight(&mut self, now: Instant) {
        let entries: Vec<(PacketId, Stage, OutboundMessage)> = self
            .inflight
            .iter()
            .map(|e| (e.packet_id, e.stage, e.message.clone()))
            .collect();
        for (packet_id, stage, message) in entries {
            match stage {
                Stage::Qos1Sent | Stage::Qos2Sent => {
                    let qos = if stage == Stage::Qos1Sent {
                        QosPid::AtLeastOnce(packet_id)
                    } else {
                        QosPid::ExactlyOnce(packet_id)
                    };
                    let packet = self.publish_packet(&message, qos, true);
                    self.send_packet(packet, now);
                    self.last_operation.record(
                        Operation::Publish {
                            topic: message.topic,
                            qos: message.qos,
                        },
                        now,
                    );
                }
                Stage::Qos2Released => {
                    self.send_packet(Packet::PubRel(super::inbound::ack(packet_id)), now);
                }
            }
        }
    }
}
