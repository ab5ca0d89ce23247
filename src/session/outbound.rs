//! Putting our packets on the wire: PUBLISH (new, queued, resent),
//! SUBSCRIBE, and the encoding step shared by all.

use crate::codec::{encode, Packet, Publish, QoS, QosPid, Subscribe, SubscribeFilter};
use crate::time::Instant;

use super::close::Operation;
use super::inflight::{Entry, Stage};
use super::message::{OutboundMessage, PublishId};
use super::{Event, Session};

impl Session {
    /// Encodes `packet` after everything already pending; returns `false`
    /// (and warns) if it cannot be encoded.
    pub(super) fn send_packet(&mut self, packet: &Packet, now: Instant) -> bool {
        let start = self.tx.len();
        match encode(packet, &mut self.tx) {
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

    /// First transmission of a message.
    pub(super) fn send_new_publish(
        &mut self,
        id: PublishId,
        message: OutboundMessage,
        now: Instant,
    ) {
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
        let packet = Packet::Publish(Publish {
            dup: false,
            qos,
            retain: message.retain,
            topic: message.topic.clone(),
            payload: message.payload.clone(),
        });
        if !self.send_packet(&packet, now) {
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
        let resend: Vec<(Packet, Option<Operation>)> = self
            .inflight
            .iter()
            .map(|entry| match entry.stage {
                Stage::Qos1Sent | Stage::Qos2Sent => {
                    let qos = if entry.stage == Stage::Qos1Sent {
                        QosPid::AtLeastOnce(entry.packet_id)
                    } else {
                        QosPid::ExactlyOnce(entry.packet_id)
                    };
                    let packet = Packet::Publish(Publish {
                        dup: true,
                        qos,
                        retain: entry.message.retain,
                        topic: entry.message.topic.clone(),
                        payload: entry.message.payload.clone(),
                    });
                    let op = Operation::Publish {
                        topic: entry.message.topic.clone(),
                        qos: entry.message.qos,
                    };
                    (packet, Some(op))
                }
                Stage::Qos2Released => (Packet::PubRel(entry.packet_id), None),
            })
            .collect();
        for (packet, op) in resend {
            self.send_packet(&packet, now);
            if let Some(op) = op {
                self.last_operation.record(op, now);
            }
        }
    }

    /// One SUBSCRIBE for up to 8 filters.
    pub(super) fn send_subscribe(&mut self, filters: Vec<(String, QoS)>, now: Instant) {
        let Some(packet_id) = self.packet_ids.allocate() else {
            self.event(Event::Warning {
                message: "all 65,535 packet ids are in use; SUBSCRIBE not sent (retried at the \
                          next connect)"
                    .into(),
            });
            return;
        };
        let names: Vec<String> = filters.iter().map(|(f, _)| f.clone()).collect();
        let packet = Packet::Subscribe(Subscribe {
            packet_id,
            filters: filters
                .into_iter()
                .map(|(filter, qos)| SubscribeFilter { filter, qos })
                .collect(),
        });
        if !self.send_packet(&packet, now) {
            self.packet_ids.release(packet_id);
            return;
        }
        self.last_operation.record(
            Operation::Subscribe {
                filters: names.clone(),
            },
            now,
        );
        self.subscriptions.sent_subscribe(packet_id, names);
    }
}
