//! Connection lifecycle: attempts, CONNACK, failures, backoff, keepalive
//! expiry and user disconnects.

use std::num::NonZeroU32;

use crate::codec::v5::{
    ConnAck, Connect, Disconnect, DisconnectProperties, LastWill, Packet, PacketType, ReasonCode,
};
use crate::time::Instant;

use super::close::Operation;
use super::keepalive::{Action, KeepAlive};
use super::protocol::{self, Decoder, ProtocolVersion};
use super::v5::aliases::{InboundAliases, OutboundAliases};
use super::v5::reason::{self, Reason};
use super::v5::server_limits::Negotiated;
use super::{connack, Event, Output, Phase, Session};

impl Session {
    /// Emits `Open` for `attempt` and arms the connect timeout.
    pub(super) fn start_attempt(&mut self, attempt: u32, now: Instant) {
        self.version = self
            .options
            .as_ref()
            .map_or(ProtocolVersion::V311, |o| o.protocol);
        self.decoder = Decoder::new(self.version, self.inbound_limit());
        // Operations of an earlier connection explain nothing about this one.
        self.last_operation.clear();
        self.phase = Phase::Opening {
            attempt,
            deadline: now + self.config.connect_timeout,
        };
        self.output(Output::Open { attempt });
        self.event(Event::Connecting { attempt });
    }

    /// Largest packet we accept: the config's limit, and on MQTT 5 the
    /// (smaller) Maximum Packet Size the options announce.
    pub(super) fn inbound_limit(&self) -> usize {
        let announced = self
            .options
            .as_ref()
            .filter(|o| o.protocol == ProtocolVersion::V5)
            .and_then(|o| o.properties.maximum_packet_size)
            .map_or(usize::MAX, |m| m.get() as usize);
        self.config
            .max_packet_size
            .min(announced)
            .min(u32::MAX as usize)
    }

    pub(super) fn send_connect(&mut self, now: Instant) {
        let Some(options) = self.options.clone() else {
            return;
        };
        let v5 = self.version == ProtocolVersion::V5;
        // MQTT 5 asks for a clean start only until a connection succeeded:
        // reconnects resume what the broker kept (Session Expiry decides).
        let clean_start = if v5 {
            self.clean_start_pending
        } else {
            options.clean_session
        };
        let client_id = match &self.assigned_client_id {
            Some(assigned) if v5 && options.client_id.is_empty() => assigned.clone(),
            _ => options.client_id.clone(),
        };
        let mut properties = options.properties;
        if v5 {
            properties.maximum_packet_size = NonZeroU32::new(self.inbound_limit() as u32);
        }
        let will_properties = options.will_properties;
        let packet = Packet::Connect(Box::new(Connect {
            client_id: client_id.clone(),
            keep_alive: options.keep_alive_secs,
            clean_start,
            will: options.will.map(|w| LastWill {
                topic: w.topic,
                payload: w.payload,
                qos: w.qos,
                retain: w.retain,
                properties: will_properties,
            }),
            username: options.username,
            password: options.password,
            properties,
        }));
        if !self.send_packet(packet, now) {
            // Already reported as a warning; retrying cannot fix it.
            self.drop_socket(false);
            self.phase = Phase::Idle;
            return;
        }
        self.last_operation
            .record(Operation::Connect { client_id }, now);
    }

    pub(super) fn on_connack(&mut self, connack: ConnAck, now: Instant) {
        if connack.reason_code != ReasonCode::Success {
            let code = protocol::nearest_return_code(connack.reason_code);
            let (explanation, reason, retry) = match self.version {
                ProtocolVersion::V311 => {
                    (connack::explanation(code), None, connack::retry_helps(code))
                }
                ProtocolVersion::V5 => {
                    let reason = Reason {
                        packet: PacketType::ConnAck,
                        code: connack.reason_code,
                        reason_string: connack.properties.reason_string,
                        user_properties: connack.properties.user_properties,
                    };
                    let explanation = reason::connack_explanation(&reason);
                    let retry = reason::connack_retry_helps(reason.code);
                    (explanation, Some(reason), retry)
                }
            };
            self.event(Event::ConnectionRefused {
                code,
                explanation: explanation.clone(),
                reason,
            });
            self.drop_socket(false);
            if retry {
                self.schedule_reconnect(explanation, now);
            } else {
                self.phase = Phase::Idle;
            }
            return;
        }
        let v5 = self.version == ProtocolVersion::V5;
        let (clean_start, keep_alive, expiry, alias_max) =
            self.options.as_ref().map_or((true, 0, 0, 0), |o| {
                (
                    if v5 {
                        self.clean_start_pending
                    } else {
                        o.clean_session
                    },
                    o.keep_alive_secs,
                    o.properties.session_expiry_interval.unwrap_or(0),
                    o.properties.topic_alias_maximum.unwrap_or(0),
                )
            });
        let mut session_present = connack.session_present;
        if session_present && clean_start {
            self.event(Event::Warning {
                message: "the broker reported a stored session although clean session was \
                          requested [MQTT-3.2.2-1]; treating the session as new"
                    .into(),
            });
            session_present = false;
        }
        self.negotiated = if v5 {
            Negotiated::from_connack(connack.properties, keep_alive, expiry)
        } else {
            Negotiated {
                keep_alive_secs: keep_alive,
                ..Negotiated::default()
            }
        };
        if v5 {
            self.clean_start_pending = false;
            if let Some(id) = &self.negotiated.assigned_client_id {
                self.assigned_client_id = Some(id.clone());
            }
            self.aliases_out = OutboundAliases::new(self.negotiated.topic_alias_maximum);
            self.aliases_in = InboundAliases::new(alias_max);
        }
        let connect_sent = match self.phase {
            Phase::AwaitConnAck { sent_at, .. } => sent_at,
            _ => now,
        };
        self.phase = Phase::Connected { since: now };
        self.keepalive = KeepAlive::new(self.negotiated.keep_alive_secs, now);
        self.keepalive.on_sent(connect_sent);
        self.last_operation.clear();
        self.event(Event::Connected {
            session_present,
            negotiated: v5.then(|| Box::new(self.negotiated.clone())),
        });

        if session_present {
            self.incoming.session_resumed();
        } else {
            // The broker starts over: its packet ids for QoS 2 mean nothing
            // now, and every subscription must be made again.
            self.incoming.clear();
            self.subscriptions.mark_all_pending();
            for filter in self.subscriptions.take_pending_unsubscribes() {
                self.event(Event::Unsubscribed {
                    filter,
                    reason: None,
                });
            }
        }
        self.resend_inflight(now);
        let pending = self.servable(self.subscriptions.pending());
        if !pending.is_empty() {
            self.send_subscribes(pending, now);
        }
        let unsubscribes = self.subscriptions.take_pending_unsubscribes();
        if !unsubscribes.is_empty() {
            self.send_unsubscribes(unsubscribes, now);
        }
        self.drain_queue(now);
    }

    /// Closes the current socket, if any (with DISCONNECT first when
    /// `graceful` and connected), and forgets per-connection state.
    pub(super) fn drop_socket(&mut self, graceful: bool) {
        match self.phase {
            Phase::Connected { .. } if graceful => {
                self.send_packet(
                    Packet::Disconnect(Disconnect::default()),
                    Instant::default(),
                );
                self.output(Output::Close);
            }
            Phase::Opening { .. } | Phase::AwaitConnAck { .. } | Phase::Connected { .. } => {
                self.output(Output::Close);
            }
            Phase::Idle | Phase::Waiting { .. } => {}
        }
        self.reset_connection();
    }

    /// Per-connection state goes; session state (in-flight, queue,
    /// subscriptions, incoming QoS 2 ids) stays.
    fn reset_connection(&mut self) {
        self.tx.clear();
        self.decoder = Decoder::new(self.version, self.inbound_limit());
        self.keepalive = KeepAlive::new(0, Instant::default());
        self.negotiated = Negotiated::default();
        self.aliases_out = OutboundAliases::default();
        self.aliases_in = InboundAliases::default();
        for id in self.subscriptions.connection_lost() {
            self.packet_ids.release(id);
        }
    }

    /// The broker broke the protocol: report, close, reconnect.
    pub(super) fn protocol_error(&mut self, message: String, now: Instant) {
        self.protocol_error_with(message, None, now);
    }

    /// [`Self::protocol_error`], telling an MQTT 5 broker why first:
    /// DISCONNECT with `reason` (and our sentence as its reason string)
    /// before the socket closes (§4.13.1).
    pub(super) fn protocol_error_with(
        &mut self,
        message: String,
        reason: Option<ReasonCode>,
        now: Instant,
    ) {
        if let (Some(code), ProtocolVersion::V5, Phase::Connected { .. }) =
            (reason, self.version, self.phase)
        {
            let mut text = message.clone();
            if text.len() > 1000 {
                let mut cut = 1000;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
            }
            self.send_packet(
                Packet::Disconnect(Disconnect {
                    reason_code: code,
                    properties: DisconnectProperties {
                        reason_string: Some(text),
                        ..Default::default()
                    },
                }),
                now,
            );
        }
        self.event(Event::ProtocolError {
            message: message.clone(),
        });
        self.connection_failed(format!("protocol error: {message}"), None, true, now);
    }

    /// The connection or attempt ended without the user asking.
    pub(super) fn connection_failed(
        &mut self,
        reason: String,
        last_operation: Option<String>,
        close_socket: bool,
        now: Instant,
    ) {
        let was = self.phase;
        if close_socket {
            self.drop_socket(false);
        } else {
            self.reset_connection();
        }
        self.event(Event::ConnectionLost {
            reason: reason.clone(),
            last_operation,
        });
        if let Phase::Connected { since } = was {
            if now.saturating_duration_since(since) >= self.config.backoff.reset_after {
                self.failures = 0;
                self.backoff.reset();
            }
        }
        self.schedule_reconnect(reason, now);
    }

    /// Counts a failure and waits for the backoff delay (or stops when
    /// auto-reconnect is off).
    pub(super) fn schedule_reconnect(&mut self, reason: String, now: Instant) {
        self.failures = self.failures.saturating_add(1);
        if !self.config.auto_reconnect || self.options.is_none() {
            self.phase = Phase::Idle;
            return;
        }
        let delay = self.backoff.next_delay(&self.config.backoff, self.failures);
        let attempt = self.failures.saturating_add(1);
        self.phase = Phase::Waiting {
            attempt,
            at: now + delay,
        };
        self.event(Event::ReconnectScheduled {
            attempt,
            delay,
            reason,
        });
    }

    pub(super) fn poll_keepalive(&mut self, now: Instant) {
        match self.keepalive.poll(now) {
            Action::Nothing => {}
            Action::SendPing => {
                self.send_packet(Packet::PingReq, now);
                self.keepalive.on_ping_sent(now);
            }
            Action::Dead { silent_for } => {
                let keep_alive = self.negotiated.keep_alive_secs;
                let reason = format!(
                    "no packet from the broker for {:.1} s, not even an answer to PINGREQ \
                     (keepalive {keep_alive} s): the connection is dead",
                    silent_for.as_secs_f64()
                );
                self.connection_failed(reason, None, true, now);
            }
        }
    }
}
