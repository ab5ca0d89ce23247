//! Subscriptions on the wire: the `subscribe` / `unsubscribe` commands,
//! SUBSCRIBE / UNSUBSCRIBE packets (with MQTT 5 options), and their
//! SUBACK / UNSUBACK answers with per-filter reason codes.

use crate::codec::v5::{
    AckProperties, Packet, PacketType, ReasonCode, SubAck, Subscribe, SubscribeFilter,
    SubscribeProperties, SubscriptionId, SubscriptionOptions, UnsubAck, Unsubscribe,
    UnsubscribeProperties,
};
use crate::codec::QoS;
use crate::time::Instant;

use super::close::Operation;
use super::protocol::ProtocolVersion;
use super::subscriptions::{SubscribeOptions, Subscription, MAX_FILTERS_PER_PACKET};
use super::v5::reason::Reason;
use super::{validate, Event, Session, SessionError};

impl Session {
    /// Subscribes (now, or at the next connect) and remembers the filters
    /// for resubscribing when the broker lost the session. Results arrive
    /// per filter as `Event::SubscribeResult`. All filters are validated
    /// first; one invalid filter refuses the whole call.
    pub fn subscribe(
        &mut self,
        filters: Vec<(String, QoS)>,
        now: Instant,
    ) -> Result<(), SessionError> {
        self.subscribe_with(filters, SubscribeOptions::default(), now)
    }

    /// [`Session::subscribe`] with MQTT 5 options (no local, retain as
    /// published, retain handling, subscription identifier, user
    /// properties) for every filter, as mqtt.js's `subscribe(filters,
    /// {qos, nl, rap, rh, properties})`. On a live MQTT 5 connection a
    /// filter the broker said it cannot serve (CONNACK wildcard / shared /
    /// subscription identifier availability) is refused here, before
    /// anything is sent. The options are ignored on 3.1.1.
    pub fn subscribe_with(
        &mut self,
        filters: Vec<(String, QoS)>,
        options: SubscribeOptions,
        now: Instant,
    ) -> Result<(), SessionError> {
        if filters.is_empty() {
            return Err(SessionError::NoFilters);
        }
        for (filter, _) in &filters {
            validate::topic_filter(filter).map_err(|reason| SessionError::InvalidFilter {
                filter: filter.clone(),
                reason,
            })?;
            let refusal = validate::subscribe_options(filter, &options).or_else(|| {
                (self.is_connected() && self.version == ProtocolVersion::V5)
                    .then(|| self.negotiated.check_filter(filter, &options))
                    .flatten()
            });
            if let Some(reason) = refusal {
                return Err(SessionError::SubscriptionNotSupported {
                    filter: filter.clone(),
                    reason,
                });
            }
        }
        for (filter, qos) in &filters {
            self.subscriptions.add(filter, *qos, &options);
        }
        if self.is_connected() {
            let subs = self
                .subscriptions
                .list()
                .iter()
                .filter(|s| filters.iter().any(|(f, _)| *f == s.filter))
                .cloned()
                .collect();
            self.send_subscribes(subs, now);
        }
        Ok(())
    }

    /// Unsubscribes and forgets the filters at once (`Event::Unsubscribed`
    /// follows the UNSUBACK). Offline, the UNSUBSCRIBE is sent at the next
    /// connect if the broker kept the session.
    pub fn unsubscribe(&mut self, filters: Vec<String>, now: Instant) -> Result<(), SessionError> {
        if filters.is_empty() {
            return Err(SessionError::NoFilters);
        }
        for filter in &filters {
            validate::topic_filter(filter).map_err(|reason| SessionError::InvalidFilter {
                filter: filter.clone(),
                reason,
            })?;
        }
        for filter in &filters {
            self.subscriptions.remove(filter);
        }
        if self.is_connected() {
            self.send_unsubscribes(filters, now);
        } else {
            for filter in &filters {
                self.subscriptions.defer_unsubscribe(filter);
            }
        }
        Ok(())
    }

    /// One SUBSCRIBE per run of up to 8 subscriptions sharing their
    /// packet-level options (subscription id, user properties).
    pub(super) fn send_subscribes(&mut self, subs: Vec<Subscription>, now: Instant) {
        let mut batch: Vec<Subscription> = Vec::new();
        for sub in subs {
            let same = batch.first().is_none_or(|first| {
                first.options.subscription_id == sub.options.subscription_id
                    && first.options.user_properties == sub.options.user_properties
            });
            if !same || batch.len() == MAX_FILTERS_PER_PACKET {
                self.send_subscribe(std::mem::take(&mut batch), now);
            }
            batch.push(sub);
        }
        if !batch.is_empty() {
            self.send_subscribe(batch, now);
        }
    }

    pub(super) fn send_unsubscribes(&mut self, filters: Vec<String>, now: Instant) {
        for chunk in filters.chunks(MAX_FILTERS_PER_PACKET) {
            let Some(packet_id) = self.packet_ids.allocate() else {
                self.event(Event::Warning {
                    message: "all 65,535 packet ids are in use; UNSUBSCRIBE not sent".into(),
                });
                return;
            };
            let filters = chunk.to_vec();
            self.send_packet(
                Packet::Unsubscribe(Unsubscribe {
                    packet_id,
                    filters: filters.clone(),
                    properties: UnsubscribeProperties::default(),
                }),
                now,
            );
            self.last_operation.record(
                Operation::Unsubscribe {
                    filters: filters.clone(),
                },
                now,
            );
            self.subscriptions.sent_unsubscribe(packet_id, filters);
        }
    }

    /// After an MQTT 5 CONNACK: the pending subscriptions the broker can
    /// serve. The others are refused (`SubscribeResult` with the reason)
    /// and forgotten, as if the broker had refused them, but unsent.
    pub(super) fn servable(&mut self, pending: Vec<Subscription>) -> Vec<Subscription> {
        if self.version != ProtocolVersion::V5 {
            return pending;
        }
        let mut keep = Vec::with_capacity(pending.len());
        for sub in pending {
            match self.negotiated.check_filter(&sub.filter, &sub.options) {
                None => keep.push(sub),
                Some(reason) => {
                    self.subscriptions.remove(&sub.filter);
                    self.event(Event::SubscribeResult {
                        filter: sub.filter,
                        result: Err(format!("not sent: {reason}")),
                        reason: None,
                    });
                }
            }
        }
        keep
    }

    /// One SUBSCRIBE for up to 8 subscriptions sharing packet-level options.
    fn send_subscribe(&mut self, subs: Vec<Subscription>, now: Instant) {
        let Some(packet_id) = self.packet_ids.allocate() else {
            self.event(Event::Warning {
                message: "all 65,535 packet ids are in use; SUBSCRIBE not sent (retried at the \
                          next connect)"
                    .into(),
            });
            return;
        };
        let names: Vec<String> = subs.iter().map(|s| s.filter.clone()).collect();
        let properties = subs
            .first()
            .map_or_else(SubscribeProperties::default, |first| SubscribeProperties {
                subscription_identifier: first
                    .options
                    .subscription_id
                    .and_then(SubscriptionId::new),
                user_properties: first.options.user_properties.clone(),
            });
        let packet = Packet::Subscribe(Subscribe {
            packet_id,
            filters: subs
                .into_iter()
                .map(|s| SubscribeFilter {
                    options: SubscriptionOptions {
                        qos: s.qos,
                        no_local: s.options.no_local,
                        retain_as_published: s.options.retain_as_published,
                        retain_handling: s.options.retain_handling,
                    },
                    filter: s.filter,
                })
                .collect(),
            properties,
        });
        if !self.send_packet(packet, now) {
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

    pub(super) fn on_suback(&mut self, suback: SubAck, now: Instant) {
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
        if filters.len() != suback.reason_codes.len() {
            // The subscriptions stay pending and are sent again after the
            // reconnect.
            self.protocol_error_with(
                format!(
                    "SUBACK for packet id {} has {} return code(s) for {} filter(s); it must \
                     have exactly one per filter [MQTT-3.9.3-1]",
                    suback.packet_id.get(),
                    suback.reason_codes.len(),
                    filters.len()
                ),
                Some(ReasonCode::ProtocolError),
                now,
            );
            return;
        }
        let v5 = self.version == ProtocolVersion::V5;
        for (filter, code) in filters.into_iter().zip(suback.reason_codes) {
            let reason =
                v5.then(|| Reason::from_ack(PacketType::SubAck, code, suback.properties.clone()));
            let granted = match code {
                ReasonCode::Success => Some(QoS::AtMostOnce),
                ReasonCode::GrantedQos1 => Some(QoS::AtLeastOnce),
                ReasonCode::GrantedQos2 => Some(QoS::ExactlyOnce),
                _ => None,
            };
            let result = match (granted, &reason) {
                (Some(qos), _) => {
                    self.subscriptions.granted(&filter, qos);
                    Ok(qos)
                }
                (None, reason) => {
                    self.subscriptions.remove(&filter);
                    Err(match reason {
                        Some(reason) => {
                            format!("the broker refused this subscription (SUBACK {reason})")
                        }
                        None => {
                            "the broker refused this subscription (SUBACK 0x80): its policy may \
                                 not allow the filter (AWS IoT: `iot:Subscribe`), or it does not \
                                 support this kind of filter"
                                .to_string()
                        }
                    })
                }
            };
            self.event(Event::SubscribeResult {
                filter,
                result,
                reason,
            });
        }
    }

    pub(super) fn on_unsuback(&mut self, unsuback: UnsubAck) {
        let id = unsuback.packet_id;
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
        // 3.1.1 has no codes; MQTT 5 has one per filter.
        let mut codes = unsuback.reason_codes.into_iter();
        let props: AckProperties = unsuback.properties;
        for filter in filters {
            let reason = codes
                .next()
                .map(|code| Reason::from_ack(PacketType::UnsubAck, code, props.clone()));
            self.event(Event::Unsubscribed { filter, reason });
        }
    }
}
