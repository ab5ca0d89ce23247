#![cfg(not(target_arch = "wasm32"))]
//! The MQTT 5 codec against a real MQTT 5 broker: mosquitto (Debian 2.0.11)
//! configured by dev-broker/mosquitto-test.conf, over plain TCP.
//!
//! Our encoder writes every packet sent; our decoder reads everything
//! mosquitto answers: CONNACK properties as configured, subscription
//! options and identifiers, user properties preserved in order, and the
//! broker's refusals decoded with their reason codes.
//!
//! Needs `MQTT_CONSOLE_MQTT5_TCP=host:port` (scripts/test.sh starts
//! mosquitto and sets it). Without it the tests fail: they do not skip.

use bytes::Bytes;
use mqtt_console::codec::v5::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::num::NonZeroU16;
use std::time::Duration;

fn broker() -> String {
    std::env::var("MQTT_CONSOLE_MQTT5_TCP").unwrap_or_else(|_| {
        panic!(
            "MQTT_CONSOLE_MQTT5_TCP is not set: these tests need the MQTT 5 broker. \
             Run scripts/test.sh (it starts mosquitto and sets it), or by hand: \
             /usr/sbin/mosquitto -c dev-broker/mosquitto-test.conf & \
             MQTT_CONSOLE_MQTT5_TCP=127.0.0.1:18831 cargo test --test codec_v5_mosquitto"
        )
    })
}

/// One TCP connection speaking MQTT 5 through our codec only.
struct Conn {
    stream: TcpStream,
    decoder: StreamDecoder,
}

impl Conn {
    fn open() -> Conn {
        let stream = TcpStream::connect(broker()).expect("connect to mosquitto");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream.set_nodelay(true).unwrap();
        Conn {
            stream,
            decoder: StreamDecoder::default(),
        }
    }

    fn send(&mut self, packet: &Packet) {
        let mut out = Vec::new();
        encode(packet, &mut out).unwrap();
        self.stream.write_all(&out).unwrap();
    }

    /// The next packet, or `None` if the broker closed the connection.
    fn recv(&mut self) -> Option<Packet> {
        loop {
            if let Some(p) = self
                .decoder
                .next_packet()
                .expect("valid MQTT 5 from mosquitto")
            {
                return Some(p);
            }
            let mut buf = [0u8; 4096];
            match self.stream.read(&mut buf) {
                Ok(0) => return None,
                Ok(n) => self.decoder.feed(&buf[..n]),
                Err(e) => panic!("no packet from mosquitto within 5 s: {e}"),
            }
        }
    }

    /// Receives with a short timeout; `None` if nothing came.
    fn recv_quiet(&mut self, ms: u64) -> Option<Packet> {
        self.stream
            .set_read_timeout(Some(Duration::from_millis(ms)))
            .unwrap();
        let mut buf = [0u8; 4096];
        let got = loop {
            if let Some(p) = self.decoder.next_packet().unwrap() {
                break Some(p);
            }
            match self.stream.read(&mut buf) {
                Ok(0) | Err(_) => break None,
                Ok(n) => self.decoder.feed(&buf[..n]),
            }
        };
        self.stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        got
    }

    fn connect(client_id: &str, properties: ConnectProperties) -> (Conn, ConnAck) {
        let mut c = Conn::open();
        c.send(&Packet::Connect(Box::new(Connect {
            client_id: client_id.into(),
            keep_alive: 30,
            clean_start: true,
            properties,
            ..Default::default()
        })));
        match c.recv() {
            Some(Packet::ConnAck(ack)) => (c, *ack),
            other => panic!("expected CONNACK, got {other:?}"),
        }
    }
}

fn unique(name: &str) -> String {
    format!("mqtt5-codec-{name}-{}", std::process::id())
}

fn user(n: &str, v: &str) -> UserProperty {
    UserProperty::new(n, v)
}

#[test]
fn connack_announces_the_configured_limits() {
    let (_c, ack) = Conn::connect(
        &unique("limits"),
        ConnectProperties {
            session_expiry_interval: Some(30),
            receive_maximum: NonZeroU16::new(5),
            user_properties: vec![user("client", "codec-test")],
            ..Default::default()
        },
    );
    assert_eq!(ack.reason_code, ReasonCode::Success);
    assert!(!ack.session_present);
    // dev-broker/mosquitto-test.conf: max_topic_alias 10, max_inflight_messages 20,
    // max_packet_size 262144.
    assert_eq!(ack.properties.topic_alias_maximum, Some(10));
    assert_eq!(ack.properties.receive_maximum.map(|r| r.get()), Some(20));
    assert_eq!(
        ack.properties.maximum_packet_size.map(|m| m.get()),
        Some(262_144)
    );
    // retain_available true and max_qos 2 are the defaults: not announced.
    assert_eq!(ack.properties.retain_available, None);
    assert_eq!(ack.properties.maximum_qos, None);
}

#[test]
fn subscription_options_identifiers_and_publish_properties() {
    let topic = format!("{}/t", unique("props"));
    let (mut sub, _) = Conn::connect(&unique("sub"), ConnectProperties::default());
    sub.send(&Packet::Subscribe(Subscribe {
        packet_id: PacketId::new(1).unwrap(),
        filters: vec![SubscribeFilter {
            filter: topic.clone(),
            options: SubscriptionOptions {
                qos: QoS::AtLeastOnce,
                no_local: true,
                retain_as_published: true,
                retain_handling: RetainHandling::DoNotSend,
            },
        }],
        properties: SubscribeProperties {
            subscription_identifier: SubscriptionId::new(4242),
            user_properties: vec![],
        },
    }));
    match sub.recv() {
        Some(Packet::SubAck(s)) => assert_eq!(s.reason_codes, vec![ReasonCode::GrantedQos1]),
        other => panic!("expected SUBACK, got {other:?}"),
    }

    // No Local: the subscriber's own PUBLISH is not sent back to it.
    sub.send(&Packet::Publish(Publish {
        dup: false,
        qos: QosPid::AtMostOnce,
        retain: false,
        topic: topic.clone(),
        payload: Bytes::from_static(b"own"),
        properties: PublishProperties::default(),
    }));

    let (mut publisher, _) = Conn::connect(&unique("pub"), ConnectProperties::default());
    let users = vec![user("a", "1"), user("b", "2"), user("a", "3")];
    publisher.send(&Packet::Publish(Publish {
        dup: false,
        qos: QosPid::AtLeastOnce(PacketId::new(9).unwrap()),
        retain: false,
        topic: topic.clone(),
        payload: Bytes::from_static(b"{\"t\":21}"),
        properties: PublishProperties {
            payload_format_indicator: Some(PayloadFormat::Utf8),
            message_expiry_interval: Some(300),
            content_type: Some("application/json".into()),
            response_topic: Some(format!("{topic}/reply")),
            correlation_data: Some(Bytes::from_static(&[0xC0, 0xFF, 0xEE])),
            user_properties: users.clone(),
            ..Default::default()
        },
    }));
    match publisher.recv() {
        // There is a matching subscriber: 0x00 Success (not 0x10).
        Some(Packet::PubAck(a)) => {
            assert_eq!(a.packet_id.get(), 9);
            assert_eq!(a.reason_code, ReasonCode::Success);
        }
        other => panic!("expected PUBACK, got {other:?}"),
    }

    let Some(Packet::Publish(p)) = sub.recv() else {
        panic!("expected the publisher's PUBLISH");
    };
    assert_eq!(
        &p.payload[..],
        b"{\"t\":21}",
        "the own publication came back despite No Local"
    );
    assert_eq!(p.topic, topic);
    assert_eq!(
        p.properties.user_properties, users,
        "user properties in order"
    );
    assert_eq!(
        p.properties.subscription_identifiers,
        vec![SubscriptionId::new(4242).unwrap()]
    );
    assert_eq!(
        p.properties.content_type.as_deref(),
        Some("application/json")
    );
    assert_eq!(p.properties.response_topic, Some(format!("{topic}/reply")));
    assert_eq!(
        p.properties.correlation_data.as_deref(),
        Some(&[0xC0, 0xFF, 0xEE][..])
    );
    assert_eq!(
        p.properties.payload_format_indicator,
        Some(PayloadFormat::Utf8)
    );
    // The server sends the remaining lifetime: at most what was set.
    let expiry = p
        .properties
        .message_expiry_interval
        .expect("message expiry kept");
    assert!((290..=300).contains(&expiry), "{expiry}");
    let QosPid::AtLeastOnce(id) = p.qos else {
        panic!("granted QoS 1, got {:?}", p.qos)
    };
    sub.send(&Packet::PubAck(Ack {
        packet_id: id,
        reason_code: ReasonCode::Success,
        properties: AckProperties::default(),
    }));
    assert_eq!(sub.recv_quiet(300), None, "nothing else was delivered");
}

#[test]
fn topic_alias_above_the_maximum_is_refused_with_0x94() {
    let (mut c, ack) = Conn::connect(&unique("alias"), ConnectProperties::default());
    let max = ack.properties.topic_alias_maximum.unwrap();
    c.send(&Packet::Publish(Publish {
        dup: false,
        qos: QosPid::AtMostOnce,
        retain: false,
        topic: "mqtt5-codec/alias".into(),
        payload: Bytes::from_static(b"x"),
        properties: PublishProperties {
            topic_alias: NonZeroU16::new(max + 1),
            ..Default::default()
        },
    }));
    match c.recv() {
        Some(Packet::Disconnect(d)) => {
            assert_eq!(
                d.reason_code,
                ReasonCode::TopicAliasInvalid,
                "{}",
                d.reason_code
            );
            assert_eq!(
                d.reason_code.describe(PacketType::Disconnect),
                "0x94 Topic Alias invalid"
            );
        }
        other => panic!("expected DISCONNECT 0x94, got {other:?}"),
    }
    assert_eq!(c.recv(), None, "mosquitto closes the connection");
}

#[test]
fn publish_over_maximum_packet_size_is_refused_with_0x95() {
    let (mut c, ack) = Conn::connect(&unique("big"), ConnectProperties::default());
    let max = ack.properties.maximum_packet_size.unwrap().get() as usize;
    let publish = Packet::Publish(Publish {
        dup: false,
        qos: QosPid::AtMostOnce,
        retain: false,
        topic: "mqtt5-codec/big".into(),
        payload: Bytes::from(vec![b'x'; max]),
        properties: PublishProperties::default(),
    });
    assert!(encoded_len(&publish).unwrap() > max);
    let mut out = Vec::new();
    encode(&publish, &mut out).unwrap();
    // mosquitto may close before reading it all: a write error is fine.
    let _ = c.stream.write_all(&out);
    match c.recv() {
        Some(Packet::Disconnect(d)) => {
            assert_eq!(
                d.reason_code,
                ReasonCode::PacketTooLarge,
                "{}",
                d.reason_code
            )
        }
        other => panic!("expected DISCONNECT 0x95, got {other:?}"),
    }
}

// Not here: No Local on a `$share/...` filter, a Protocol Error by [MQTT-3.8.3-4].
// mosquitto 2.0.11 grants it (SUBACK 0x00, checked 2026-12-04), so it cannot be
// a refusal test; our decoder and encoder refuse it (tests/codec_v5_packets.rs).
