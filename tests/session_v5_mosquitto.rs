#![cfg(not(target_arch = "wasm32"))]
//! The sans-IO session speaking MQTT 5 to a real broker: mosquitto with
//! dev-broker/mosquitto-test.conf (receive maximum 20, topic alias maximum
//! 10, maximum packet size 262,144), driven over a std TcpStream.
//!
//! Needs `MQTT_CONSOLE_MQTT5_TCP=host:port`; fails (does not skip) without.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant as StdInstant};

use bytes::Bytes;
use mqtt_console::codec::QoS;
use mqtt_console::session::*;
use mqtt_console::time::Instant;

fn broker() -> String {
    std::env::var("MQTT_CONSOLE_MQTT5_TCP").unwrap_or_else(|_| {
        panic!(
            "MQTT_CONSOLE_MQTT5_TCP is not set: start mosquitto \
             (/usr/sbin/mosquitto -c dev-broker/mosquitto-test.conf) and run \
             MQTT_CONSOLE_MQTT5_TCP=127.0.0.1:18831 cargo test --test session_v5_mosquitto"
        )
    })
}

struct Client {
    s: Session,
    tcp: Option<TcpStream>,
    start: StdInstant,
    events: Vec<Event>,
    session_present: bool,
}

impl Client {
    fn now(&self) -> Instant {
        Instant::from_millis(self.start.elapsed().as_millis() as u64)
    }

    fn connect(id: &str, clean: bool, expiry: u32) -> Client {
        let mut c = Client {
            s: Session::new(SessionConfig::default()),
            tcp: None,
            start: StdInstant::now(),
            events: vec![],
            session_present: false,
        };
        let options = ConnectOptions {
            client_id: id.into(),
            clean_session: clean,
            protocol: ProtocolVersion::V5,
            properties: ConnectProperties {
                session_expiry_interval: Some(expiry),
                user_properties: vec![UserProperty::new("who", "session-test")],
                ..Default::default()
            },
            ..ConnectOptions::default()
        };
        let now = c.now();
        c.s.connect(options, now);
        c.pump();
        if let Event::Connected {
            session_present, ..
        } = c.wait(|e| matches!(e, Event::Connected { .. }))
        {
            c.session_present = session_present;
        }
        c
    }

    fn pump(&mut self) {
        while let Some(o) = self.s.poll_output() {
            match o {
                Output::Open { .. } => {
                    let t = TcpStream::connect(broker()).expect("mosquitto");
                    t.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
                    self.tcp = Some(t);
                    let now = self.now();
                    self.s.handle_open(now);
                }
                Output::Send(b) => {
                    if let Some(t) = &mut self.tcp {
                        let _ = t.write_all(&b);
                    }
                }
                Output::Close => self.tcp = None,
            }
        }
        while let Some(e) = self.s.poll_event() {
            self.events.push(e);
        }
    }

    /// Reads and pumps until an event matching `f` arrives (5 s max).
    fn wait(&mut self, f: impl Fn(&Event) -> bool) -> Event {
        let deadline = StdInstant::now() + Duration::from_secs(5);
        loop {
            self.pump();
            if let Some(i) = self.events.iter().position(&f) {
                return self.events.remove(i);
            }
            assert!(
                StdInstant::now() < deadline,
                "timed out; events: {:?}",
                self.events
            );
            let mut buf = [0u8; 65536];
            let read = match &mut self.tcp {
                Some(t) => t.read(&mut buf),
                None => {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
            };
            let now = self.now();
            match read {
                Ok(0) => self.s.handle_close(
                    CloseInfo {
                        code: 1006,
                        reason: String::new(),
                        was_open: true,
                    },
                    now,
                ),
                Ok(n) => self.s.handle_bytes(&buf[..n], now),
                Err(_) => self.s.handle_timeout(now),
            }
        }
    }
}

fn unique(n: &str) -> String {
    format!("mqtt5-session-{n}-{}", std::process::id())
}

#[test]
fn connack_limits_are_obeyed_and_reported() {
    let mut c = Client::connect(&unique("limits"), true, 0);
    let n = c.s.negotiated().expect("MQTT 5 negotiated").clone();
    assert_eq!(n.receive_maximum, 20);
    assert_eq!(n.topic_alias_maximum, 10);
    assert_eq!(n.maximum_packet_size, Some(262_144));
    let mut big = OutboundMessage {
        topic: "s5/big".into(),
        payload: Bytes::from(vec![0u8; 300_000]),
        qos: QoS::AtMostOnce,
        retain: false,
        properties: Default::default(),
    };
    let now = c.now();
    assert!(matches!(
        c.s.publish(big.clone(), now),
        Err(SessionError::PacketTooLarge { limit: 262_144, .. })
    ));
    // Receive maximum: 30 QoS 1 at once, never more than 20 in flight.
    big.payload = Bytes::from_static(b"q");
    big.qos = QoS::AtLeastOnce;
    for _ in 0..30 {
        let now = c.now();
        c.s.publish(big.clone(), now).unwrap();
        assert!(c.s.inflight_len() <= 20);
    }
    assert_eq!(c.s.inflight_len(), 20);
    for _ in 0..30 {
        c.wait(|e| matches!(e, Event::PublishAcknowledged { .. }));
    }
    assert_eq!(c.s.queued_len(), 0);
}

#[test]
fn aliases_user_properties_subscription_ids_and_no_local() {
    let topic = unique("round");
    let mut c = Client::connect(&unique("rt"), true, 0);
    let now = c.now();
    c.s.subscribe_with(
        vec![(topic.clone(), QoS::AtLeastOnce)],
        SubscribeOptions {
            subscription_id: Some(4242),
            ..Default::default()
        },
        now,
    )
    .unwrap();
    c.wait(|e| matches!(e, Event::SubscribeResult { result: Ok(_), .. }));
    // A second subscription with no local must not echo our own message.
    let nl = format!("{topic}/nl");
    let now = c.now();
    c.s.subscribe_with(
        vec![(nl.clone(), QoS::AtMostOnce)],
        SubscribeOptions {
            no_local: true,
            ..Default::default()
        },
        now,
    )
    .unwrap();
    c.wait(|e| matches!(e, Event::SubscribeResult { result: Ok(_), .. }));
    for i in 0..3 {
        let message = OutboundMessage {
            topic: topic.clone(),
            payload: Bytes::from(format!("m{i}")),
            qos: QoS::AtLeastOnce,
            retain: false,
            properties: MessageProperties {
                user_properties: vec![UserProperty::new("a", "1"), UserProperty::new("a", "2")],
                content_type: Some("text/plain".into()),
                ..Default::default()
            },
        };
        let now = c.now();
        c.s.publish(message, now).unwrap();
    }
    assert_eq!(
        c.s.topic_aliases_in_use(),
        1,
        "the repeated topic got an alias"
    );
    for i in 0..3 {
        let Event::Message(m) = c.wait(|e| matches!(e, Event::Message(_))) else {
            unreachable!()
        };
        assert_eq!(m.topic, topic, "alias resolved by the broker");
        assert_eq!(m.payload, Bytes::from(format!("m{i}")));
        assert_eq!(m.properties.user_properties.len(), 2);
        assert_eq!(m.properties.user_properties[1].value, "2");
        assert_eq!(m.properties.content_type.as_deref(), Some("text/plain"));
        assert_eq!(m.subscription_ids, vec![4242]);
    }
    let now = c.now();
    c.s.publish(
        OutboundMessage {
            topic: nl.clone(),
            payload: Bytes::from_static(b"own"),
            qos: QoS::AtMostOnce,
            retain: false,
            properties: Default::default(),
        },
        now,
    )
    .unwrap();
    // A marker on the first topic arrives; the no-local message never does.
    let now = c.now();
    c.s.publish(
        OutboundMessage {
            topic: topic.clone(),
            payload: Bytes::from_static(b"marker"),
            qos: QoS::AtMostOnce,
            retain: false,
            properties: Default::default(),
        },
        now,
    )
    .unwrap();
    let Event::Message(m) = c.wait(|e| matches!(e, Event::Message(_))) else {
        unreachable!()
    };
    assert_eq!(m.payload, Bytes::from_static(b"marker"));
}

#[test]
fn takeover_closes_the_first_and_the_second_resumes_the_session() {
    let id = unique("takeover");
    let mut first = Client::connect(&id, true, 300);
    let now = first.now();
    first
        .s
        .subscribe(vec![("s5/takeover".into(), QoS::AtLeastOnce)], now)
        .unwrap();
    first.wait(|e| matches!(e, Event::SubscribeResult { .. }));
    let second = Client::connect(&id, false, 300);
    // mosquitto 2.0.11 closes the taken-over connection without sending
    // DISCONNECT 0x8E (checked by hand with raw bytes), so only the close
    // can be seen here; 0x8E itself is covered in tests/session_v5.rs.
    let lost = first.wait(|e| {
        matches!(
            e,
            Event::ConnectionLost { .. } | Event::DisconnectedByServer { .. }
        )
    });
    if let Event::DisconnectedByServer { reason, .. } = &lost {
        assert_eq!(reason.code, ReasonCode::SessionTakenOver);
    }
    // The second client resumed the session the first one left (expiry 300 s).
    assert!(second.session_present, "session present after takeover");
    assert!(!first.session_present);
}
