//! Interprets arbitrary bytes as a script of user commands, driver inputs,
//! broker packets and clock moves against one `Session`, checking
//! invariants after every step. Shared by the cargo-fuzz target
//! (`session.rs`) and the native smoke test (`tests/session_fuzz_smoke.rs`).
//!
//! Checked after every step:
//! * no panic (the whole point);
//! * `Session::check_invariants`: packet ids unique among in-flight
//!   messages and pending SUBSCRIBE/UNSUBSCRIBE, every reserved id
//!   accounted for, in-flight ≤ cap, queue ≤ limit;
//! * bytes are only sent on a socket that is open, and always decode as
//!   valid MQTT (the client never emits garbage);
//! * client packet ids in flight are never reused before their ack;
//! * repeated `handle_timeout` at one instant settles (no busy loop).

#![allow(dead_code)]

use mqtt_console::codec::{
    encode, ConnAck, ConnectReturnCode, Packet, PacketId, Publish, QoS, QosPid, StreamDecoder,
    SubAck, SubscribeReturnCode,
};
use mqtt_console::session::{
    CloseInfo, ConnectOptions, ConnectionState, Event, Jitter, OutboundMessage, Output, PublishId,
    Session, SessionConfig,
};
use mqtt_console::time::Instant;

const TOPICS: [&str; 4] = ["a", "a/b", "x/y/z", "t"];
const FILTERS: [&str; 5] = ["a", "a/#", "+/b", "#", "x/+/z"];

struct Cursor<'a> {
    data: &'a [u8],
}

impl Cursor<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(b)
    }

    fn u8_or(&mut self, default: u8) -> u8 {
        self.u8().unwrap_or(default)
    }

    fn bytes(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }

    fn qos(&mut self) -> QoS {
        QoS::from_u8(self.u8_or(0) % 3).unwrap()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Socket {
    None,
    Requested,
    Open,
}

/// The pretend driver + broker around the session.
struct World {
    session: Session,
    now: u64,
    socket: Socket,
    decoder: StreamDecoder,
    /// Client packet ids seen on the wire and not yet acknowledged by us
    /// (the fuzzer picks from them to build plausible acks).
    client_ids: Vec<(
        PacketId,
        u8, /* 0 pub1, 1 pub2, 2 sub(n), 3 unsub, 4 pubrel */
        usize,
    )>,
    stats: Stats,
    /// Handles returned by `publish()`, for cancelling.
    published: Vec<PublishId>,
}

/// What a script reached, so tests can check the interpreter gets deep.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub connected: usize,
    pub acknowledged: usize,
    pub messages: usize,
    pub subscribe_results: usize,
    pub protocol_errors: usize,
    pub reconnects: usize,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, o: Stats) {
        self.connected += o.connected;
        self.acknowledged += o.acknowledged;
        self.messages += o.messages;
        self.subscribe_results += o.subscribe_results;
        self.protocol_errors += o.protocol_errors;
        self.reconnects += o.reconnects;
    }
}

impl World {
    fn instant(&self) -> Instant {
        Instant::from_millis(self.now)
    }

    fn drain(&mut self) {
        while let Some(output) = self.session.poll_output() {
            match output {
                Output::Open { attempt } => {
                    assert!(attempt >= 1);
                    self.socket = Socket::Requested;
                    self.decoder = StreamDecoder::new(usize::MAX);
                    self.client_ids.clear();
                }
                Output::Send(bytes) => {
                    assert_eq!(self.socket, Socket::Open, "send without an open socket");
                    assert!(!bytes.is_empty(), "empty send");
                    self.decoder.feed(&bytes);
                    while let Some(packet) = self
                        .decoder
                        .next_packet()
                        .expect("the client only sends valid MQTT")
                    {
                        self.observe(packet);
                    }
                }
                Output::Close => self.socket = Socket::None,
            }
        }
        while let Some(event) = self.session.poll_event() {
            match event {
                Event::Connected { .. } => self.stats.connected += 1,
                Event::PublishAcknowledged { .. } => self.stats.acknowledged += 1,
                Event::Message(_) => self.stats.messages += 1,
                Event::SubscribeResult { .. } => self.stats.subscribe_results += 1,
                Event::ProtocolError { message } => {
                    if std::env::var_os("SESSION_OPS_DEBUG").is_some() {
                        eprintln!("protocol error: {message}");
                    }
                    self.stats.protocol_errors += 1
                }
                Event::ReconnectScheduled { .. } => self.stats.reconnects += 1,
                _ => {}
            }
        }
        if let Err(e) = self.session.check_invariants() {
            panic!("invariant broken: {e}");
        }
    }

    fn observe(&mut self, packet: Packet) {
        let entry = match &packet {
            Packet::Publish(Publish {
                qos: QosPid::AtLeastOnce(id),
                dup,
                ..
            }) => Some((*id, 0, 0, *dup)),
            Packet::Publish(Publish {
                qos: QosPid::ExactlyOnce(id),
                dup,
                ..
            }) => Some((*id, 1, 0, *dup)),
            Packet::Subscribe(s) => Some((s.packet_id, 2, s.filters.len(), false)),
            Packet::Unsubscribe(u) => Some((u.packet_id, 3, u.filters.len(), false)),
            Packet::PubRel(id) => Some((*id, 4, 0, true)),
            _ => None,
        };
        if let Some((id, kind, n, dup)) = entry {
            // A fresh (non-DUP) packet must never reuse an id still
            // awaiting its ack on this connection.
            if !dup {
                assert!(
                    !self.client_ids.iter().any(|(i, _, _)| *i == id),
                    "packet id {} reused while in use",
                    id.get()
                );
            }
            self.client_ids.retain(|(i, _, _)| *i != id);
            self.client_ids.push((id, kind, n));
        }
    }

    fn broker(&mut self, packet: &Packet) {
        let mut bytes = Vec::new();
        if encode(packet, &mut bytes).is_ok() {
            self.session.handle_bytes(&bytes, self.instant());
        }
    }

    fn settle_timeouts(&mut self) {
        for _ in 0..16 {
            match self.session.poll_timeout() {
                Some(at) if at.as_millis() <= self.now => {
                    self.session.handle_timeout(self.instant());
                    self.drain();
                }
                _ => return,
            }
        }
        panic!("handle_timeout does not settle at {} ms", self.now);
    }
}

fn config(c: &mut Cursor) -> SessionConfig {
    let flags = c.u8_or(0);
    let mut config = SessionConfig {
        max_inflight: 1 + (c.u8_or(0) % 4) as usize,
        offline_queue_limit: (c.u8_or(3) % 6) as usize,
        queue_qos0_while_offline: flags & 1 != 0,
        auto_reconnect: flags & 2 == 0,
        random_seed: u64::from(c.u8_or(0)),
        max_packet_size: 64 + c.u8_or(255) as usize * 16,
        ..SessionConfig::default()
    };
    config.backoff.jitter = match (flags >> 2) % 3 {
        0 => Jitter::Full,
        1 => Jitter::None,
        _ => Jitter::Decorrelated,
    };
    config
}

/// Runs one script. Panics on any broken invariant.
pub fn run(data: &[u8]) -> Stats {
    let mut c = Cursor { data };
    let mut w = World {
        session: Session::new(config(&mut c)),
        now: 0,
        socket: Socket::None,
        decoder: StreamDecoder::new(usize::MAX),
        client_ids: Vec::new(),
        stats: Stats::default(),
        published: Vec::new(),
    };
    while let Some(op) = c.u8() {
        // Weighted: constructive steps are common, destructive ones (garbage,
        // closes, text frames) rare, so scripts get deep into sessions.
        match op % 32 {
            0 | 1 => {
                let b = c.u8_or(0);
                let options = ConnectOptions {
                    client_id: "fuzz".into(),
                    keep_alive_secs: u16::from(b % 4) * 5,
                    clean_session: b & 0x10 != 0,
                    ..ConnectOptions::default()
                };
                w.session.connect(options, w.instant());
            }
            2 => w.session.disconnect(w.instant()),
            3..=7 | 30 | 31 => {
                let topic = TOPICS[c.u8_or(0) as usize % TOPICS.len()];
                let qos = c.qos();
                let len = c.u8_or(0) as usize % 8;
                let payload = c.bytes(len).to_vec().into();
                if let Ok(id) = w.session.publish(
                    OutboundMessage {
                        topic: topic.into(),
                        payload,
                        qos,
                        retain: false,
                        properties: Default::default(),
                    },
                    w.instant(),
                ) {
                    w.published.push(id);
                }
            }
            8 | 9 => {
                let n = 1 + c.u8_or(0) as usize % 3;
                let filters = (0..n)
                    .map(|_| {
                        let f = FILTERS[c.u8_or(0) as usize % FILTERS.len()];
                        (f.to_string(), c.qos())
                    })
                    .collect();
                let _ = w.session.subscribe(filters, w.instant());
            }
            10 => {
                let b = c.u8_or(0);
                if b & 0x80 != 0 && !w.published.is_empty() {
                    let id = w.published[b as usize % w.published.len()];
                    w.session.cancel_publish(id, w.instant());
                } else {
                    let f = FILTERS[b as usize % FILTERS.len()];
                    let _ = w.session.unsubscribe(vec![f.into()], w.instant());
                }
            }
            11 | 12 => {
                if w.socket == Socket::Requested {
                    w.socket = Socket::Open;
                    w.session.handle_open(w.instant());
                }
            }
            13 => {
                // Raw bytes, any chunking, possibly garbage.
                let len = c.u8_or(0) as usize % 16;
                let chunk = c.bytes(len).to_vec();
                if w.socket == Socket::Open {
                    w.session.handle_bytes(&chunk, w.instant());
                }
            }
            14..=21 => {
                if w.socket == Socket::Open {
                    let packet = broker_packet(&mut c, &w);
                    w.broker(&packet);
                }
            }
            22 => {
                if w.socket != Socket::None {
                    let b = c.u8_or(0);
                    w.socket = Socket::None;
                    w.session.handle_close(
                        CloseInfo {
                            code: 1000 + u16::from(b % 16),
                            reason: String::new(),
                            was_open: b & 0x80 != 0,
                        },
                        w.instant(),
                    );
                }
            }
            23 => {
                if w.socket == Socket::Open && c.u8_or(0) < 32 {
                    w.session
                        .handle_transport_error("text frame".into(), w.instant());
                }
            }
            24..=26 => {
                // Small clock steps.
                w.now += u64::from(c.u8_or(0)) * 50;
            }
            27 | 28 => {
                // Jump to the next deadline (like a perfect timer).
                if let Some(at) = w.session.poll_timeout() {
                    w.now = w.now.max(at.as_millis());
                }
            }
            _ => {
                // Big clock jump, then a spurious timeout.
                w.now += u64::from(c.u8_or(0)) * 5_000;
                w.session.handle_timeout(w.instant());
            }
        }
        w.drain();
        w.settle_timeouts();
    }
    w.stats
}

fn broker_packet(c: &mut Cursor, w: &World) -> Packet {
    let kind = c.u8_or(0);
    // Mostly an id the client really used, sometimes any small id.
    let pick = c.u8_or(0) as usize;
    let known = (!w.client_ids.is_empty()).then(|| w.client_ids[pick % w.client_ids.len()]);
    let id = match known {
        Some((id, _, _)) if pick & 0x80 == 0 => id,
        _ => PacketId::new(1 + (pick as u16 % 5)).unwrap(),
    };
    // Before CONNACK anything else is a protocol error: mostly answer it.
    let connecting = matches!(w.session.state(), ConnectionState::Connecting { .. });
    let kind = if connecting && kind & 3 != 0 { 0 } else { kind };
    if let Some((id, what, n)) = known {
        if kind % 16 >= 12 && kind & 0x40 != 0 {
            // The answer a well-behaved broker would give.
            return match what {
                0 => Packet::PubAck(id),
                1 => Packet::PubRec(id),
                2 => Packet::SubAck(SubAck {
                    packet_id: id,
                    return_codes: (0..n)
                        .map(|_| SubscribeReturnCode::Granted(QoS::AtLeastOnce))
                        .collect(),
                }),
                3 => Packet::UnsubAck(id),
                _ => Packet::PubComp(id),
            };
        }
    }
    match kind % 16 {
        0 if kind < 128 => {
            let code = match c.u8_or(0) % 8 {
                1 => ConnectReturnCode::UnacceptableProtocolVersion,
                2 => ConnectReturnCode::IdentifierRejected,
                3 => ConnectReturnCode::ServerUnavailable,
                4 => ConnectReturnCode::BadUserNameOrPassword,
                5 => ConnectReturnCode::NotAuthorized,
                _ => ConnectReturnCode::Accepted,
            };
            Packet::ConnAck(ConnAck {
                // A refusal with session present does not even decode.
                session_present: code == ConnectReturnCode::Accepted && c.u8_or(0) & 1 != 0,
                code,
            })
        }
        1 | 2 => Packet::PubAck(id),
        3 | 4 => Packet::PubRec(id),
        5 | 6 => Packet::PubComp(id),
        7 => Packet::PubRel(id),
        8 | 9 => {
            let n = match known {
                Some((_, 2, n)) if pick & 0x40 == 0 => n,
                _ => c.u8_or(1) as usize % 4,
            };
            let return_codes = (0..n)
                .map(|_| match c.u8_or(0) % 4 {
                    3 => SubscribeReturnCode::Failure,
                    q => SubscribeReturnCode::Granted(QoS::from_u8(q).unwrap()),
                })
                .collect();
            Packet::SubAck(SubAck {
                packet_id: id,
                return_codes,
            })
        }
        10 => Packet::UnsubAck(id),
        11 => Packet::PingResp,
        15 if kind == 255 => Packet::PingReq,
        _ => {
            let b = c.u8_or(0);
            let qos = match b % 3 {
                0 => QosPid::AtMostOnce,
                1 => QosPid::AtLeastOnce(id),
                _ => QosPid::ExactlyOnce(id),
            };
            Packet::Publish(Publish {
                dup: b & 0x10 != 0 && !matches!(qos, QosPid::AtMostOnce),
                qos,
                retain: b & 0x20 != 0,
                topic: TOPICS[(b >> 6) as usize % TOPICS.len()].into(),
                payload: c.bytes(3).to_vec().into(),
            })
        }
    }
}
