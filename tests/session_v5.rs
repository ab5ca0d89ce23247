//! MQTT 5 session rules, deterministic: a scripted MQTT 5 broker built on
//! the v5 codec feeds the sans-IO session and decodes what it sends.

use std::num::{NonZeroU16, NonZeroU32};

use bytes::Bytes;
use mqtt_console::codec::v5::*;
use mqtt_console::session::{
    ConnectOptions, Event, Jitter, OutboundMessage, Output, ProtocolVersion, Session,
    SessionConfig, SessionError, SubscribeOptions,
};
use mqtt_console::time::Instant;

struct H {
    s: Session,
    dec: StreamDecoder,
    sent: Vec<Packet>,
    events: Vec<Event>,
    closed: usize,
}

fn pid(v: u16) -> PacketId {
    PacketId::new(v).unwrap()
}

fn now() -> Instant {
    Instant::from_millis(1000)
}

fn opts() -> ConnectOptions {
    ConnectOptions {
        client_id: "c5".into(),
        protocol: ProtocolVersion::V5,
        properties: ConnectProperties {
            receive_maximum: NonZeroU16::new(2),
            topic_alias_maximum: Some(3),
            session_expiry_interval: Some(60),
            user_properties: vec![UserProperty::new("app", "console")],
            ..Default::default()
        },
        ..ConnectOptions::default()
    }
}

impl H {
    fn new(connack: ConnAckProperties) -> H {
        let mut config = SessionConfig::default();
        config.backoff.jitter = Jitter::None;
        let mut h = H {
            s: Session::new(config),
            dec: StreamDecoder::new(usize::MAX),
            sent: vec![],
            events: vec![],
            closed: 0,
        };
        h.s.connect(opts(), now());
        h.s.handle_open(now());
        h.pump();
        h.broker(Packet::ConnAck(Box::new(ConnAck {
            session_present: false,
            reason_code: ReasonCode::Success,
            properties: connack,
        })));
        h
    }
    fn pump(&mut self) {
        while let Some(o) = self.s.poll_output() {
            match o {
                Output::Send(b) => {
                    self.dec.feed(&b);
                    while let Some(p) = self.dec.next_packet().expect("valid MQTT 5 from client") {
                        self.sent.push(p);
                    }
                }
                Output::Close => self.closed += 1,
                Output::Open { .. } => {}
            }
        }
        while let Some(e) = self.s.poll_event() {
            self.events.push(e);
        }
    }
    fn broker(&mut self, p: Packet) {
        let mut out = Vec::new();
        encode(&p, &mut out).unwrap();
        self.s.handle_bytes(&out, now());
        self.pump();
    }
    fn take_sent(&mut self) -> Vec<Packet> {
        std::mem::take(&mut self.sent)
    }
    fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
    fn disconnect_sent(&mut self) -> Option<ReasonCode> {
        self.take_sent().into_iter().find_map(|p| match p {
            Packet::Disconnect(d) => Some(d.reason_code),
            _ => None,
        })
    }
}

fn msg(topic: &str, qos: QoS) -> OutboundMessage {
    OutboundMessage {
        topic: topic.into(),
        payload: Bytes::from_static(b"x"),
        qos,
        retain: false,
        properties: Default::default(),
    }
}

fn publish(topic: &str, qos: QosPid, alias: Option<u16>) -> Packet {
    Packet::Publish(Publish {
        dup: false,
        qos,
        retain: false,
        topic: topic.into(),
        payload: Bytes::from_static(b"p"),
        properties: PublishProperties {
            topic_alias: alias.and_then(NonZeroU16::new),
            ..Default::default()
        },
    })
}

#[test]
fn connect_carries_v5_properties_and_our_packet_limit() {
    let h = H::new(Default::default());
    let Packet::Connect(c) = &h.sent[0] else {
        panic!("CONNECT first: {:?}", h.sent)
    };
    assert_eq!(c.properties.receive_maximum, NonZeroU16::new(2));
    assert_eq!(c.properties.topic_alias_maximum, Some(3));
    assert_eq!(c.properties.session_expiry_interval, Some(60));
    assert_eq!(c.properties.maximum_packet_size, NonZeroU32::new(1 << 20));
    assert_eq!(c.properties.user_properties[0].value, "console");
}

#[test]
fn connack_is_reported_and_server_keep_alive_and_assigned_id_apply() {
    let mut h = H::new(ConnAckProperties {
        server_keep_alive: Some(5),
        assigned_client_identifier: Some("auto-1".into()),
        ..Default::default()
    });
    let n = h
        .take_events()
        .into_iter()
        .find_map(|e| match e {
            Event::Connected { negotiated, .. } => negotiated,
            _ => None,
        })
        .expect("Connected with negotiated");
    assert_eq!(n.keep_alive_secs, 5);
    assert_eq!(n.assigned_client_id.as_deref(), Some("auto-1"));
    // PINGREQ after the server's 5 s, not our 60 s.
    assert_eq!(h.s.poll_timeout(), Some(Instant::from_millis(6000)));
}

#[test]
fn receive_maximum_of_server_queues_the_rest_in_order() {
    let mut h = H::new(ConnAckProperties {
        receive_maximum: NonZeroU16::new(2),
        ..Default::default()
    });
    h.take_sent();
    for t in ["a", "b", "c"] {
        h.s.publish(msg(t, QoS::AtLeastOnce), now()).unwrap();
    }
    h.pump();
    assert_eq!(h.take_sent().len(), 2);
    assert_eq!(h.s.queued_len(), 1);
    h.broker(Packet::PubAck(Ack {
        packet_id: pid(1),
        reason_code: ReasonCode::Success,
        properties: Default::default(),
    }));
    let sent = h.take_sent();
    assert!(
        matches!(&sent[..], [Packet::Publish(p)] if p.topic == "c"),
        "{sent:?}"
    );
}

#[test]
fn maximum_packet_size_refuses_bigger_publish_naming_both_sizes() {
    let mut h = H::new(ConnAckProperties {
        maximum_packet_size: NonZeroU32::new(100),
        ..Default::default()
    });
    let mut m = msg("big", QoS::AtMostOnce);
    m.payload = Bytes::from(vec![0u8; 200]);
    let err = h.s.publish(m, now()).unwrap_err();
    assert!(matches!(
        err,
        SessionError::PacketTooLarge { limit: 100, .. }
    ));
    assert!(err.to_string().contains("100 bytes"), "{err}");
}

#[test]
fn maximum_qos_and_retain_available_refuse_before_sending() {
    let mut h = H::new(ConnAckProperties {
        maximum_qos: Some(QoS::AtLeastOnce),
        retain_available: Some(false),
        ..Default::default()
    });
    h.take_sent();
    let err = h.s.publish(msg("q", QoS::ExactlyOnce), now()).unwrap_err();
    assert!(matches!(err, SessionError::QosNotSupported { .. }));
    let mut m = msg("r", QoS::AtMostOnce);
    m.retain = true;
    assert_eq!(
        h.s.publish(m, now()).unwrap_err(),
        SessionError::RetainNotSupported
    );
    h.pump();
    assert!(h.take_sent().is_empty());
}

#[test]
fn unavailable_subscription_kinds_are_refused_locally() {
    let mut h = H::new(ConnAckProperties {
        wildcard_subscription_available: Some(false),
        shared_subscription_available: Some(false),
        subscription_identifier_available: Some(false),
        ..Default::default()
    });
    h.take_sent();
    for (f, o) in [
        ("a/+", SubscribeOptions::default()),
        ("$share/g/a", SubscribeOptions::default()),
        (
            "a",
            SubscribeOptions {
                subscription_id: Some(7),
                ..Default::default()
            },
        ),
    ] {
        let err =
            h.s.subscribe_with(vec![(f.into(), QoS::AtMostOnce)], o, now());
        assert!(
            matches!(err, Err(SessionError::SubscriptionNotSupported { .. })),
            "{f}"
        );
    }
    h.pump();
    assert!(h.take_sent().is_empty());
}

#[test]
fn outbound_topic_aliases_first_n() {
    let mut h = H::new(ConnAckProperties {
        topic_alias_maximum: Some(1),
        ..Default::default()
    });
    h.take_sent();
    for t in ["t/a", "t/a", "t/b"] {
        h.s.publish(msg(t, QoS::AtMostOnce), now()).unwrap();
    }
    h.pump();
    let got: Vec<(String, Option<u16>)> = h
        .take_sent()
        .into_iter()
        .map(|p| match p {
            Packet::Publish(p) => (p.topic, p.properties.topic_alias.map(|a| a.get())),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("t/a".into(), Some(1)),
            (String::new(), Some(1)),
            ("t/b".into(), None)
        ]
    );
}

#[test]
fn inbound_aliases_are_mapped() {
    let mut h = H::new(Default::default());
    h.broker(publish("in/x", QosPid::AtMostOnce, Some(2)));
    h.broker(publish("", QosPid::AtMostOnce, Some(2)));
    let topics: Vec<String> = h
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m.topic),
            _ => None,
        })
        .collect();
    assert_eq!(topics, vec!["in/x", "in/x"]);
}

#[test]
fn unknown_inbound_alias_is_protocol_error_0x82() {
    let mut h = H::new(Default::default());
    h.take_sent();
    h.broker(publish("", QosPid::AtMostOnce, Some(1)));
    assert_eq!(h.disconnect_sent(), Some(ReasonCode::ProtocolError));
    assert_eq!(h.closed, 1);
}

#[test]
fn inbound_alias_above_our_maximum_is_0x94() {
    let mut h = H::new(Default::default());
    h.take_sent();
    h.broker(publish("x", QosPid::AtMostOnce, Some(4)));
    assert_eq!(h.disconnect_sent(), Some(ReasonCode::TopicAliasInvalid));
}

#[test]
fn our_receive_maximum_exceeded_is_0x93() {
    let mut h = H::new(Default::default());
    h.take_sent();
    h.broker(publish("a", QosPid::ExactlyOnce(pid(1)), None));
    h.broker(publish("a", QosPid::ExactlyOnce(pid(2)), None));
    assert_eq!(h.disconnect_sent(), None);
    h.broker(publish("a", QosPid::ExactlyOnce(pid(3)), None));
    assert_eq!(
        h.disconnect_sent(),
        Some(ReasonCode::ReceiveMaximumExceeded)
    );
}

#[test]
fn puback_reason_code_and_string_are_reported() {
    let mut h = H::new(Default::default());
    h.s.publish(msg("deny", QoS::AtLeastOnce), now()).unwrap();
    h.pump();
    h.take_events();
    h.broker(Packet::PubAck(Ack {
        packet_id: pid(1),
        reason_code: ReasonCode::NotAuthorized,
        properties: AckProperties {
            reason_string: Some("policy".into()),
            ..Default::default()
        },
    }));
    let reason = h
        .take_events()
        .into_iter()
        .find_map(|e| match e {
            Event::PublishAcknowledged { reason, .. } => reason,
            _ => None,
        })
        .unwrap();
    assert_eq!(reason.to_string(), "0x87 Not authorized (policy)");
    assert!(reason.is_error());
}

#[test]
fn suback_refusal_is_named() {
    let mut h = H::new(Default::default());
    h.s.subscribe(vec![("a".into(), QoS::AtLeastOnce)], now())
        .unwrap();
    h.pump();
    h.take_events();
    h.broker(Packet::SubAck(SubAck {
        packet_id: pid(1),
        reason_codes: vec![ReasonCode::NotAuthorized],
        properties: Default::default(),
    }));
    match &h.take_events()[..] {
        [Event::SubscribeResult { result: Err(e), .. }] => {
            assert!(e.contains("0x87 Not authorized"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn server_disconnect_session_taken_over_is_reported_and_not_retried() {
    let mut h = H::new(Default::default());
    h.take_events();
    h.broker(Packet::Disconnect(Disconnect {
        reason_code: ReasonCode::SessionTakenOver,
        properties: Default::default(),
    }));
    let events = h.take_events();
    assert!(
        matches!(&events[0], Event::DisconnectedByServer { reason, .. } if reason.code == ReasonCode::SessionTakenOver)
    );
    assert!(events.iter().any(|e| matches!(e, Event::Disconnected)));
    assert!(!events
        .iter()
        .any(|e| matches!(e, Event::ReconnectScheduled { .. })));
}

#[test]
fn server_auth_is_a_clear_not_supported_error() {
    let mut h = H::new(Default::default());
    h.take_events();
    h.broker(Packet::Auth(Auth {
        reason_code: ReasonCode::ContinueAuthentication,
        properties: AuthProperties {
            authentication_method: Some("SCRAM".into()),
            ..Default::default()
        },
    }));
    let text = format!("{:?}", h.take_events());
    assert!(
        text.contains("enhanced authentication is not supported"),
        "{text}"
    );
}

#[test]
fn inbound_properties_and_subscription_ids_are_carried() {
    let mut h = H::new(Default::default());
    h.take_events();
    h.broker(Packet::Publish(Publish {
        dup: false,
        qos: QosPid::AtMostOnce,
        retain: false,
        topic: "p".into(),
        payload: Bytes::from_static(b"{}"),
        properties: PublishProperties {
            content_type: Some("application/json".into()),
            user_properties: vec![UserProperty::new("k", "v")],
            subscription_identifiers: vec![SubscriptionId::new(9).unwrap()],
            ..Default::default()
        },
    }));
    match &h.take_events()[..] {
        [Event::Message(m)] => {
            assert_eq!(
                m.properties.content_type.as_deref(),
                Some("application/json")
            );
            assert_eq!(m.properties.user_properties[0].name, "k");
            assert_eq!(m.subscription_ids, vec![9]);
        }
        other => panic!("{other:?}"),
    }
}
