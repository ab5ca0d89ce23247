//! Scripted broker peer and manual clock for session scenario tests.
//!
//! The [`Harness`] plays driver and broker at once: it drains the session's
//! outputs (opening/closing a pretend socket, decoding every byte the client
//! sends with the real codec) and lets a test inject broker packets, socket
//! closes and the passage of time. Everything is deterministic and runs in
//! microseconds.

#![allow(dead_code)]

use std::time::Duration;

use bytes::Bytes;
use mqtt_console::codec::{
    encode, ConnAck, ConnectReturnCode, Packet, PacketId, Publish, QoS, QosPid, StreamDecoder,
    SubAck, SubscribeReturnCode,
};
use mqtt_console::session::{
    CloseInfo, ConnectOptions, ConnectionState, Event, Jitter, OutboundMessage, Output, PublishId,
    Session, SessionConfig,
};
use mqtt_console::time::Instant;

/// Shorthand for a non-zero packet id.
pub fn pid(v: u16) -> PacketId {
    PacketId::new(v).expect("non-zero packet id")
}

/// The default config with jitter-free backoff (1 s, 2 s, 4 s, ...).
pub fn config() -> SessionConfig {
    let mut config = SessionConfig::default();
    config.backoff.jitter = Jitter::None;
    config
}

/// Options used by most tests: persistent session, 60 s keepalive.
pub fn options() -> ConnectOptions {
    ConnectOptions {
        client_id: "test-client".into(),
        keep_alive_secs: 60,
        clean_session: false,
        username: None,
        password: None,
        will: None,
        ..ConnectOptions::default()
    }
}

/// A message to `topic` with a payload naming it.
pub fn message(topic: &str, qos: QoS) -> OutboundMessage {
    OutboundMessage {
        topic: topic.into(),
        payload: Bytes::from(format!("payload for {topic}")),
        qos,
        retain: false,
        properties: Default::default(),
    }
}

/// A broker PUBLISH.
pub fn broker_publish(topic: &str, qos: QosPid, dup: bool, payload: &str) -> Packet {
    Packet::Publish(Publish {
        dup,
        qos,
        retain: false,
        topic: topic.into(),
        payload: Bytes::from(payload.to_string()),
    })
}

/// A CloseInfo for an abnormal close of an open socket.
pub fn abnormal_close() -> CloseInfo {
    CloseInfo {
        code: 1006,
        reason: String::new(),
        was_open: true,
    }
}

/// Driver + broker + clock around one session.
pub struct Harness {
    pub session: Session,
    /// The manual clock, in milliseconds.
    pub now: u64,
    /// Whether the pretend socket is open (from `Open` + `open()` to `Close`).
    pub socket: SocketState,
    /// Every `Output::Open` attempt number seen.
    pub opens: Vec<u32>,
    /// How many `Output::Close` were seen.
    pub closes: usize,
    /// Packets the client sent that the test has not taken yet.
    sent: Vec<Packet>,
    /// Events the test has not taken yet.
    events: Vec<Event>,
    decoder: StreamDecoder,
    /// Every output in order, for ordering assertions.
    pub log: Vec<String>,
}

/// The pretend socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketState {
    None,
    Requested,
    Open,
}

impl Harness {
    pub fn new(config: SessionConfig) -> Self {
        Harness {
            session: Session::new(config),
            now: 0,
            socket: SocketState::None,
            opens: Vec::new(),
            closes: 0,
            sent: Vec::new(),
            events: Vec::new(),
            decoder: StreamDecoder::new(usize::MAX),
            log: Vec::new(),
        }
    }

    /// Default config except jitter-free backoff, so delays are exact.
    pub fn with_defaults() -> Self {
        Self::new(config())
    }

    pub fn instant(&self) -> Instant {
        Instant::from_millis(self.now)
    }

    /// Drains outputs and events, decoding sent bytes like a broker would.
    pub fn pump(&mut self) {
        while let Some(output) = self.session.poll_output() {
            match output {
                Output::Open { attempt } => {
                    self.log.push(format!("open {attempt}"));
                    self.opens.push(attempt);
                    self.socket = SocketState::Requested;
                    self.decoder = StreamDecoder::new(usize::MAX);
                }
                Output::Send(bytes) => {
                    assert_eq!(
                        self.socket,
                        SocketState::Open,
                        "client sent bytes without an open socket"
                    );
                    self.decoder.feed(&bytes);
                    while let Some(packet) =
                        self.decoder.next_packet().expect("client sent valid MQTT")
                    {
                        self.log.push(format!("send {}", short(&packet)));
                        self.sent.push(packet);
                    }
                }
                Output::Close => {
                    self.log.push("close".into());
                    self.closes += 1;
                    self.socket = SocketState::None;
                }
            }
        }
        while let Some(event) = self.session.poll_event() {
            self.events.push(event);
        }
        self.session
            .check_invariants()
            .expect("session invariants hold");
    }

    /// Moves the clock forward by `ms`, firing every deadline on the way at
    /// its exact time (like a driver with a perfect timer).
    pub fn advance(&mut self, ms: u64) {
        let target = self.now + ms;
        while let Some(deadline) = self.session.poll_timeout() {
            let at = deadline.as_millis();
            if at > target {
                break;
            }
            self.now = self.now.max(at);
            self.session.handle_timeout(self.instant());
            self.pump();
            if self.session.poll_timeout() == Some(deadline) {
                panic!("deadline {at} did not move after handle_timeout");
            }
        }
        self.now = target;
        self.pump();
    }

    /// Advances to the session's next deadline and fires it; returns the
    /// time it fired at.
    pub fn fire_next_timeout(&mut self) -> u64 {
        let at = self.session.poll_timeout().expect("a deadline").as_millis();
        self.advance(at.saturating_sub(self.now));
        at
    }

    /// The socket opened (the driver's `onopen`).
    pub fn open(&mut self) {
        assert_eq!(
            self.socket,
            SocketState::Requested,
            "no socket was requested"
        );
        self.socket = SocketState::Open;
        self.session.handle_open(self.instant());
        self.pump();
    }

    /// The broker sends `packet` in one chunk.
    pub fn broker(&mut self, packet: Packet) {
        let mut bytes = Vec::new();
        encode(&packet, &mut bytes).expect("test packet encodes");
        self.session.handle_bytes(&bytes, self.instant());
        self.pump();
    }

    /// Raw bytes from the broker.
    pub fn broker_bytes(&mut self, bytes: &[u8]) {
        self.session.handle_bytes(bytes, self.instant());
        self.pump();
    }

    pub fn connack(&mut self, session_present: bool) {
        self.broker(Packet::ConnAck(ConnAck {
            session_present,
            code: ConnectReturnCode::Accepted,
        }));
    }

    /// The socket closed under us.
    pub fn socket_closed(&mut self, info: CloseInfo) {
        self.socket = SocketState::None;
        self.session.handle_close(info, self.instant());
        self.pump();
    }

    /// `connect()` with `options`, socket opens, CONNECT is checked.
    pub fn connect_with(&mut self, options: ConnectOptions) {
        self.session.connect(options, self.instant());
        self.pump();
        self.open();
        let sent = self.take_sent();
        assert!(
            matches!(sent.as_slice(), [Packet::Connect(_)]),
            "expected CONNECT, got {sent:?}"
        );
    }

    /// Fully connected with [`options`] and the given session-present flag.
    pub fn establish(&mut self, session_present: bool) {
        self.connect_with(options());
        self.connack(session_present);
        assert_eq!(self.session.state(), ConnectionState::Connected);
    }

    /// After a loss: wait for the scheduled reconnect, open, CONNACK.
    /// Packets sent on the old connection and not taken are discarded.
    pub fn reconnect(&mut self, session_present: bool) {
        self.sent.clear();
        match self.session.state() {
            ConnectionState::WaitingToReconnect { .. } => {
                self.fire_next_timeout();
            }
            other => panic!("not waiting to reconnect: {other:?}"),
        }
        self.open();
        let sent = self.take_sent();
        assert!(
            matches!(sent.first(), Some(Packet::Connect(_))),
            "expected CONNECT, got {sent:?}"
        );
        self.sent = sent[1..].to_vec();
        self.connack(session_present);
    }

    pub fn publish(&mut self, message: OutboundMessage) -> PublishId {
        let id = self
            .session
            .publish(message, self.instant())
            .expect("publish accepted");
        self.pump();
        id
    }

    pub fn subscribe(&mut self, filters: &[(&str, QoS)]) {
        let filters = filters.iter().map(|(f, q)| (f.to_string(), *q)).collect();
        self.session
            .subscribe(filters, self.instant())
            .expect("subscribe accepted");
        self.pump();
    }

    pub fn suback(&mut self, id: PacketId, codes: &[SubscribeReturnCode]) {
        self.broker(Packet::SubAck(SubAck {
            packet_id: id,
            return_codes: codes.to_vec(),
        }));
    }

    /// Packets the client sent since the last call.
    pub fn take_sent(&mut self) -> Vec<Packet> {
        std::mem::take(&mut self.sent)
    }

    /// Events since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Warnings since the last call (other events are dropped).
    pub fn take_warnings(&mut self) -> Vec<String> {
        self.take_events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Warning { message } => Some(message),
                _ => None,
            })
            .collect()
    }

    /// The delay of the one `ReconnectScheduled` among the pending events.
    pub fn scheduled_delay(&mut self) -> Duration {
        let delays: Vec<Duration> = self
            .take_events()
            .into_iter()
            .filter_map(|e| match e {
                Event::ReconnectScheduled { delay, .. } => Some(delay),
                _ => None,
            })
            .collect();
        assert_eq!(delays.len(), 1, "expected one ReconnectScheduled");
        delays[0]
    }
}

/// A short name for a packet, for the output log.
pub fn short(packet: &Packet) -> String {
    match packet {
        Packet::Connect(_) => "CONNECT".into(),
        Packet::ConnAck(_) => "CONNACK".into(),
        Packet::Publish(p) => match p.qos.packet_id() {
            Some(id) => format!(
                "PUBLISH {} #{}{}",
                p.topic,
                id.get(),
                if p.dup { " dup" } else { "" }
            ),
            None => format!("PUBLISH {}", p.topic),
        },
        Packet::PubAck(id) => format!("PUBACK #{}", id.get()),
        Packet::PubRec(id) => format!("PUBREC #{}", id.get()),
        Packet::PubRel(id) => format!("PUBREL #{}", id.get()),
        Packet::PubComp(id) => format!("PUBCOMP #{}", id.get()),
        Packet::Subscribe(s) => format!("SUBSCRIBE #{}", s.packet_id.get()),
        Packet::SubAck(s) => format!("SUBACK #{}", s.packet_id.get()),
        Packet::Unsubscribe(u) => format!("UNSUBSCRIBE #{}", u.packet_id.get()),
        Packet::UnsubAck(id) => format!("UNSUBACK #{}", id.get()),
        Packet::PingReq => "PINGREQ".into(),
        Packet::PingResp => "PINGRESP".into(),
        Packet::Disconnect => "DISCONNECT".into(),
    }
}
