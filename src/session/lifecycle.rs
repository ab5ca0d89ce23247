//! Connection lifecycle: attempts, CONNACK, failures, backoff, keepalive
//! expiry and user disconnects.

use crate::codec::{ConnAck, Connect, ConnectReturnCode, Packet, StreamDecoder};
use crate::time::Instant;

use super::close::Operation;
use super::keepalive::{Action, KeepAlive};
use super::{connack, Event, Output, Phase, Session};

impl Session {
    /// Emits `Open` for `attempt` and arms the connect timeout.
    pub(super) fn start_attempt(&mut self, attempt: u32, now: Instant) {
        self.decoder = StreamDecoder::new(self.config.max_packet_size);
        // Operations of an earlier connection explain nothing about this one.
        self.last_operation.clear();
        self.phase = Phase::Opening {
            attempt,
            deadline: now + self.config.connect_timeout,
        };
        self.output(Output::Open { attempt });
        self.event(Event::Connecting { attempt });
    }

    pub(super) fn send_connect(&mut self, now: Instant) {
        let Some(options) = self.options.clone() else {
            return;
        };
        let packet = Packet::Connect(Connect {
            client_id: options.client_id.clone(),
            keep_alive: options.keep_alive_secs,
            clean_session: options.clean_session,
            will: options.will,
            username: options.username,
            password: options.password,
        });
        if !self.send_packet(&packet, now) {
            // Already reported as a warning; retrying cannot fix it.
            self.drop_socket(false);
            self.phase = Phase::Idle;
            return;
        }
        self.last_operation.record(
            Operation::Connect {
                client_id: options.client_id,
            },
            now,
        );
    }

    pub(super) fn on_connack(&mut self, connack: ConnAck, now: Instant) {
        if connack.code != ConnectReturnCode::Accepted {
            let explanation = connack::explanation(connack.code);
            self.event(Event::ConnectionRefused {
                code: connack.code,
                explanation: explanation.clone(),
            });
            self.drop_socket(false);
            if connack::retry_helps(connack.code) {
                self.schedule_reconnect(explanation, now);
            } else {
                self.phase = Phase::Idle;
            }
            return;
        }
        let (clean_session, keep_alive) = self
            .options
            .as_ref()
            .map_or((true, 0), |o| (o.clean_session, o.keep_alive_secs));
        let mut session_present = connack.session_present;
        if session_present && clean_session {
            self.event(Event::Warning {
                message: "the broker reported a stored session although clean session was \
                          requested [MQTT-3.2.2-1]; treating the session as new"
                    .into(),
            });
            session_present = false;
        }
        let connect_sent = match self.phase {
            Phase::AwaitConnAck { sent_at, .. } => sent_at,
            _ => now,
        };
        self.phase = Phase::Connected { since: now };
        self.keepalive = KeepAlive::new(keep_alive, now);
        self.keepalive.on_sent(connect_sent);
        self.last_operation.clear();
        self.event(Event::Connected { session_present });

        if session_present {
            self.incoming.session_resumed();
        } else {
            // The broker starts over: its packet ids for QoS 2 mean nothing
            // now, and every subscription must be made again.
            self.incoming.clear();
            self.subscriptions.mark_all_pending();
            for filter in self.subscriptions.take_pending_unsubscribes() {
                self.event(Event::Unsubscribed { filter });
            }
        }
        self.resend_inflight(now);
        let pending = self.subscriptions.pending();
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
                self.send_packet(&Packet::Disconnect, Instant::default());
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
        self.decoder = StreamDecoder::new(self.config.max_packet_size);
        self.keepalive = KeepAlive::new(0, Instant::default());
        for id in self.subscriptions.connection_lost() {
            self.packet_ids.release(id);
        }
    }

    /// The broker broke the protocol: report, close, reconnect.
    pub(super) fn protocol_error(&mut self, message: String, now: Instant) {
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
    fn schedule_reconnect(&mut self, reason: String, now: Instant) {
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
                self.send_packet(&Packet::PingReq, now);
                self.keepalive.on_ping_sent(now);
            }
            Action::Dead { silent_for } => {
                let keep_alive = self.options.as_ref().map_or(0, |o| o.keep_alive_secs);
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
