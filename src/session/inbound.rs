//! Reacting to packets from the broker: dispatch, and received PUBLISHes
//! (topic aliases and Receive Maximum on MQTT 5). Acknowledgements of our
//! own PUBLISHes are in `acks.rs`, SUBACK/UNSUBACK in `subscribe.rs`, a
//! server DISCONNECT and AUTH in `v5/disconnect.rs`.

use bytes::Bytes;

use crate::codec::v5::{Ack, Packet, Publish, ReasonCode};
use crate::codec::{PacketId, QosPid, SkippedPublish};
use crate::time::Instant;

use super::message::{InboundMessage, MessageProperties};
use super::protocol::ProtocolVersion;
use super::v5::flow;
use super::{Event, Phase, Session};

/// A success acknowledgement for `packet_id` (3.1.1's only kind).
pub(crate) fn ack(packet_id: PacketId) -> Ack {
    Ack {
        packet_id,
        reason_code: ReasonCode::Success,
        properties: Default::default(),
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
        let v5 = self.version == ProtocolVersion::V5;
        match self.phase {
            Phase::AwaitConnAck { .. } => match packet {
                Packet::ConnAck(connack) => self.on_connack(*connack, now),
                Packet::Auth(auth) if v5 => self.on_auth(auth, now),
                Packet::Disconnect(d) if v5 => self.on_server_disconnect(d, now),
                other => self.protocol_error_with(
                    format!(
                        "the broker sent {} before CONNACK; CONNACK must come first \
                         [MQTT-3.2.0-1]",
                        other.packet_type()
                    ),
                    Some(ReasonCode::ProtocolError),
                    now,
                ),
            },
            Phase::Connected { .. } => match packet {
                Packet::Publish(publish) => self.on_publish(publish, now),
                Packet::PubAck(a) => self.on_puback(a, now),
                Packet::PubRec(a) => self.on_pubrec(a, now),
                Packet::PubRel(a) => self.on_pubrel(a, now),
                Packet::PubComp(a) => self.on_pubcomp(a, now),
                Packet::SubAck(suback) => self.on_suback(suback, now),
                Packet::UnsubAck(unsuback) => self.on_unsuback(unsuback),
                Packet::PingResp => {}
                Packet::Disconnect(d) if v5 => self.on_server_disconnect(d, now),
                Packet::Auth(auth) if v5 => self.on_auth(auth, now),
                Packet::ConnAck(_) => self.protocol_error_with(
                    "the broker sent a second CONNACK on the same connection".into(),
                    Some(ReasonCode::ProtocolError),
                    now,
                ),
                other => self.protocol_error_with(
                    format!(
                        "the broker sent {}, which only clients send",
                        other.packet_type()
                    ),
                    Some(ReasonCode::ProtocolError),
                    now,
                ),
            },
            _ => {}
        }
    }

    fn on_publish(&mut self, publish: Publish, now: Instant) {
        let Publish {
            dup,
            qos,
            retain,
            topic,
            payload,
            mut properties,
        } = publish;
        let topic = match self
            .aliases_in
            .resolve(topic, properties.topic_alias.take())
        {
            Ok(topic) => topic,
            Err((code, message)) => {
                self.protocol_error_with(message, Some(code), now);
                return;
            }
        };
        if self.version == ProtocolVersion::V5 && !self.check_receive_maximum(qos, now) {
            return;
        }
        let fingerprint = super::incoming::fingerprint(&topic, &payload);
        let received = Received {
            qos,
            dup,
            retain,
            fingerprint,
            skipped: None,
        };
        let (properties, subscription_ids) = MessageProperties::from_publish(properties);
        self.deliver(received, topic, payload, properties, subscription_ids, now);
    }

    /// Our Receive Maximum: a new QoS 1/2 PUBLISH while as many of the
    /// broker's are unacknowledged is DISCONNECT 0x93 (see `v5/flow.rs`).
    fn check_receive_maximum(&mut self, qos: QosPid, now: Instant) -> bool {
        let redelivery = match qos {
            QosPid::AtMostOnce => return true,
            QosPid::AtLeastOnce(_) => false,
            QosPid::ExactlyOnce(id) => self.incoming.qos2_awaiting(id),
        };
        if redelivery {
            return true;
        }
        let maximum = self
            .options
            .as_ref()
            .and_then(|o| o.properties.receive_maximum)
            .map_or(flow::DEFAULT_RECEIVE_MAXIMUM, |r| r.get());
        match flow::check_inbound(maximum, self.incoming.qos2_unreleased()) {
            Ok(()) => true,
            Err(message) => {
                self.protocol_error_with(message, Some(ReasonCode::ReceiveMaximumExceeded), now);
                false
            }
        }
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
        let properties = MessageProperties::default();
        self.deliver(received, skipped.topic, text, properties, Vec::new(), now);
    }

    /// Shows a received message (unless it is a QoS 2 redelivery) and
    /// acknowledges it.
    fn deliver(
        &mut self,
        received: Received,
        topic: String,
        payload: Bytes,
        properties: MessageProperties,
        subscription_ids: Vec<u32>,
        now: Instant,
    ) {
        let (deliver, duplicate, ack) = match received.qos {
            QosPid::AtMostOnce => (true, false, None),
            QosPid::AtLeastOnce(id) => {
                let duplicate = self
                    .incoming
                    .qos1_publish(id, received.dup, received.fingerprint);
                (true, duplicate, Some(Packet::PubAck(ack(id))))
            }
            // Deliver on PUBLISH ("method B" hand-off happens here, the id is
            // remembered until PUBREL so a redelivery is not shown twice)
            // [MQTT-4.3.3-2].
            QosPid::ExactlyOnce(id) => (
                self.incoming.qos2_publish(id),
                false,
                Some(Packet::PubRec(ack(id))),
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
                properties,
                subscription_ids,
            }));
        }
        if let Some(ack) = ack {
            self.send_packet(ack, now);
        }
    }
}
