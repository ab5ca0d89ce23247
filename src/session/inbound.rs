//! Reacting to packets from the broker.
//!
//! Acknowledgements for packet ids we are not waiting for become
//! `Event::Warning` and the connection is kept: they are usually late
//! duplicates after a reconnect (the broker resends what it had not seen us
//! acknowledge), harmless to ignore, and dropping the connection for them
//! would lose more than it protects.

use bytes::Bytes;

use crate::codec::{
    Packet, PacketId, Publish, QosPid, SkippedPublish, SubAck, SubscribeReturnCode,
};
use crate::time::Instant;

use super::inflight::Stage;
use super::message::InboundMessage;
use super::{Event, Phase, Session};

fn name(packet: &Packet) -> &'static str {
    match packet {
        Packet::Connect(_) => "CONNECT",
        Packet::ConnAck(_) => "CONNACK",
        Packet::Publish(_) => "PUBLISH",
        Packet::PubAck(_) => "PUBACK",
        Packet::PubRec(_) => "PUBREC",
        Packet::PubRel(_) => "PUBREL",
        Packet::PubComp(_) => "PUBCOMP",
        Packet::Subscribe(_) => "SUBSCRIBE",
        Packet::SubAck(_) => "SUBACK",
        Packet::Unsubscribe(_) => "UNSUBSCRIBE",
        Packet::UnsubAck(_) => "UNSUBACK",
        Packet::PingReq => "PINGREQ",
        Packet::PingResp => "PINGRESP",
        Packet::Disconnect => "DISCONNECT",
    }
}

/// What the session needs of a received PUBLISH, kept or skipped.
struct Received {
    qos: QosPid,
    dup: bool,
    retain: bool,
    fingerprint: u64,
    skipped: Option<usize>,
}

impl Session {
    pub(super) fn handle_packet(&mut self, packet: Packet, now: Instant) {
        match self.phase {
            Phase::AwaitConnAck { .. } => match packet {
                Packet::ConnAck(connack) => self.on_connack(connack, now),
                other => self.protocol_error(
                    format!(
                        "the broker sent {} before CONNACK; CONNACK must come first \
                         [MQTT-3.2.0-1]",
                        name(&other)
                    ),
                    now,
                ),
            },
            Phase::Connected { .. } => match packet {
                Packet::Publish(publish) => self.on_publish(publish, now),
                Packet::PubAck(id) => self.on_puback(id, now),
                Packet::PubRec(id) => self.on_pubrec(id, now),
                Packet::PubRel(id) => self.on_pubrel(id, now),
                Packet::PubComp(id) => self.on_pubcomp(id, now),
                Packet::SubAck(suback) => self.on_suback(suback, now),
                Packet::UnsubAck(id) => self.on_unsuback(id),
                Packet::PingResp => {}
                Packet::ConnAck(_) => self.protocol_error(
                    "the broker sent a second CONNACK on the same connection".into(),
                    now,
                ),
                other @ (Packet::Connect(_)
                | Packet::Subscribe(_)
                | Packet::Unsubscribe(_)
                | Packet::PingReq
                | Packet::Disconnect) => self.protocol_error(
                    format!("the broker sent {}, which only clients send", name(&other)),
                    now,
                ),
            },
            _ => {}
        }
    }

    fn on_publish(&mut self, publish: Publish, now: Instant) {
        let fingerprint = super::incoming::fingerprint(&publish.topic, &publish.payload);
        let received = Received {
            qos: publish.qos,
            dup: publish.dup,
            retain: publish.retain,
            fingerprint,
            skipped: None,
        };
        self.deliver(received, publish.topic, publish.payload, now);
    }

    /// A PUBLISH over the size limit, counted off by the decoder: shown as
    /// a "skipped" message and acknowledged exactly like a normal one, so
    /// the broker does not send it again (a retained or queued one would
    /// otherwise come back on every reconnect).
    pub(super) fn on_skipped_publish(&mut self, skipped: SkippedPublish, now: Instant) {
        if !matches!(self.phase, Phase::Connected { .. }) {
            self.protocol_error(
                "the broker sent PUBLISH before CONNACK; CONNACK must come first \
                 [MQTT-3.2.0-1]"
                    .into(),
                now,
            );
            return;
        }
        // Same topic and size under the same id: as good a redelivery
        // check as the content one, without the content.
        let fingerprint = super::incoming::fingerprint(
            &skipped.topic,
            &(skipped.payload_len as u64).to_be_bytes(),
        );
        let received = Received {
            qos: skipped.qos,
            dup: skipped.dup,
            retain: skipped.retain,
            fingerprint,
            skipped: Some(skipped.payload_len),
        };
        let text = Bytes::from(skipped.describe());
        self.deliver(received, skipped.topic, text, now);
    }

    /// Shows a received message (unless it is a QoS 2 redelivery) and
    /// acknowledges it.
    fn deliver(&mut self, received: Received, topic: String, payload: Bytes, now: Instant) {
        let (deliver, duplicate, ack) = match received.qos {
            QosPid::AtMostOnce => (true, false, None),
            QosPid::AtLeastOnce(id) => {
                let duplicate = self
                    .incoming
                    .qos1_publish(id, received.dup, received.fingerprint);
                (true, duplicate, Some(Packet::PubAck(id)))
            }
            // Deliver on PUBLISH ("method B" hand-off happens here, the id is
            // remembered until PUBREL so a redelivery is not shown twice)
            // [MQTT-4.3.3-2].
            QosPid::ExactlyOnce(id) => (
                self.incoming.qos2_publish(id),
                false,
                Some(Packet::PubRec(id)),
            ),
        };
        if deliver {
            // Event before the acknowledgement: the UI has the message before
            // the broker may forget it. The topic moves; nothing is copied.
            self.event(Event::Message(InboundMessage {
                qos: received.qos.qos(),
                retain: received.retain,
                topic,
                payload,
                duplicate,
                received_at: now,
                skipped: received.skipped,
            }));
        }
        if let Some(ack) = ack {
            self.send_packet(&ack, now);
        }
    }

    fn unexpected_ack(&mut self, kind: &str, id: PacketId, detail: &str) {
        self.event(Event::Warning {
            message: format!("{kind} for packet id {}, {detail}; ignored", id.get()),
        });
    }

    fn on_puback(&mut self, id: PacketId, now: Instant) {
        match self.inflight.get(id).map(|e| e.stage) {
            Some(Stage::Qos1Sent) => self.complete(id, now),
            Some(_) => self.unexpected_ack("PUBACK", id, "which is a QoS 2 message"),
            None => self.unexpected_ack(
                "PUBACK",
                id,
                "which we are not waiting for (never sent or already acknowledged)",
            ),
        }
    }

    fn on_pubrec(&mut self, id: PacketId, now: Instant) {
        match self.inflight.get_mut(id) {
            Some(entry) if entry.stage != Stage::Qos1Sent => {
                // A repeated PUBREC (after we already sent PUBREL) just gets
                // PUBREL again.
                entry.stage = Stage::Qos2Released;
                self.send_packet(&Packet::PubRel(id), now);
            }
            Some(_) => self.unexpected_ack("PUBREC", id, "which is a QoS 1 message"),
            None => self.unexpected_ack(
                "PUBREC",
                id,
                "which we are not waiting for (never sent or already completed)",
            ),
        }
    }

    fn on_pubcomp(&mut self, id: PacketId, now: Instant) {
        match self.inflight.get(id).map(|e| e.stage) {
            Some(Stage::Qos2Released) => self.complete(id, now),
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

    fn on_pubrel(&mut self, id: PacketId, now: Instant) {
        // PUBCOMP even for an id we do not remember: after a reconnect the
        // broker may resend PUBREL for an exchange we already finished, and
        // it needs PUBCOMP to let go [MQTT-4.3.3-2].
        self.incoming.qos2_release(id);
        self.send_packet(&Packet::PubComp(id), now);
    }

    /// The exchange for `id` is done: free the slot and the id, tell the
    /// UI, and let a queued message take the slot.
    fn complete(&mut self, id: PacketId, now: Instant) {
        if let Some(entry) = self.inflight.remove(id) {
            self.packet_ids.release(id);
            self.event(Event::PublishAcknowledged { id: entry.id });
            self.drain_queue(now);
        }
    }

    fn on_suback(&mut self, suback: SubAck, now: Instant) {
        let Some(filters) = self.subscriptions.take_suback(suback.packet_id) else {
            self.event(Event::Warning {
                message: format!(
                    "SUBACK for packet id {}, which no SUBSCRIBE is waiting for; ignored",
                    suback.packet_id.get()
                ),
            });
            return;
        };
        self.packet_ids.release(suback.packet_id);
        if filters.len() != suback.return_codes.len() {
            // The subscriptions stay pending and are sent again after the
            // reconnect.
            self.protocol_error(
                format!(
                    "SUBACK for packet id {} has {} return code(s) for {} filter(s); it must \
                     have exactly one per filter [MQTT-3.9.3-1]",
                    suback.packet_id.get(),
                    suback.return_codes.len(),
                    filters.len()
                ),
                now,
            );
            return;
        }
        for (filter, code) in filters.into_iter().zip(suback.return_codes) {
            let result = match code {
                SubscribeReturnCode::Granted(qos) => {
                    self.subscriptions.granted(&filter, qos);
                    Ok(qos)
                }
                SubscribeReturnCode::Failure => {
                    self.subscriptions.remove(&filter);
                    Err(
                        "the broker refused this subscription (SUBACK 0x80): its policy may \
                         not allow the filter (AWS IoT: `iot:Subscribe`), or it does not \
                         support this kind of filter"
                            .to_string(),
                    )
                }
            };
            self.event(Event::SubscribeResult { filter, result });
        }
    }

    fn on_unsuback(&mut self, id: PacketId) {
        let Some(filters) = self.subscriptions.take_unsuback(id) else {
            self.event(Event::Warning {
                message: format!(
                    "UNSUBACK for packet id {}, which no UNSUBSCRIBE is waiting for; ignored",
                    id.get()
                ),
            });
            return;
        };
        self.packet_ids.release(id);
        for filter in filters {
            self.event(Event::Unsubscribed { filter });
        }
    }
}
