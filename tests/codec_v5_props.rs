#![cfg(not(target_arch = "wasm32"))]
//! MQTT 5 codec property tests, as for 3.1.1 (tests/codec_props.rs): round
//! trips for arbitrary valid packets with arbitrary properties, strict
//! prefixes are incomplete, any chunking gives the same packets, arbitrary
//! bytes never panic and, when accepted, re-encode canonically.

use bytes::Bytes;
use mqtt_console::codec::v5::*;
use proptest::prelude::*;
use std::num::{NonZeroU16, NonZeroU32};

fn packet_id() -> impl Strategy<Value = PacketId> {
    (1u16..=u16::MAX).prop_map(|n| PacketId::new(n).unwrap())
}

fn qos() -> impl Strategy<Value = QoS> {
    prop_oneof![
        Just(QoS::AtMostOnce),
        Just(QoS::AtLeastOnce),
        Just(QoS::ExactlyOnce)
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>().prop_filter("no NUL", |c| *c != '\0'), 0..=max)
        .prop_map(|v| v.into_iter().collect())
}

fn topic_name() -> impl Strategy<Value = String> {
    "[a-z0-9é/$ ]{1,12}".prop_filter("no wildcard", |t| !t.is_empty())
}

fn topic_filter() -> impl Strategy<Value = String> {
    let level = prop_oneof![3 => "[a-z0-9é ]{0,5}", 1 => Just("+".to_string())];
    (proptest::collection::vec(level, 1..4), any::<bool>())
        .prop_map(|(mut l, hash)| {
            if hash {
                l.push("#".into());
            }
            l.join("/")
        })
        .prop_filter("non-empty", |f| !f.is_empty())
}

fn bin() -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..40).prop_map(Bytes::from)
}

fn users() -> impl Strategy<Value = Vec<UserProperty>> {
    proptest::collection::vec(
        (text(6), text(6)).prop_map(|(n, v)| UserProperty::new(n, v)),
        0..4,
    )
}

fn opt<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    proptest::option::of(s)
}

fn nz16() -> impl Strategy<Value = NonZeroU16> {
    (1u16..).prop_map(|n| NonZeroU16::new(n).unwrap())
}

fn nz32() -> impl Strategy<Value = NonZeroU32> {
    (1u32..).prop_map(|n| NonZeroU32::new(n).unwrap())
}

fn sub_id() -> impl Strategy<Value = SubscriptionId> {
    (1u32..=SubscriptionId::MAX).prop_map(|n| SubscriptionId::new(n).unwrap())
}

fn format() -> impl Strategy<Value = PayloadFormat> {
    prop_oneof![Just(PayloadFormat::Unspecified), Just(PayloadFormat::Utf8)]
}

fn ack_props() -> impl Strategy<Value = AckProperties> {
    (opt(text(8)), users()).prop_map(|(reason_string, user_properties)| AckProperties {
        reason_string,
        user_properties,
    })
}

fn publish_props() -> impl Strategy<Value = PublishProperties> {
    (
        opt(format()),
        opt(any::<u32>()),
        opt(nz16()),
        opt(topic_name()),
        opt(bin()),
        users(),
        proptest::collection::vec(sub_id(), 0..3),
        opt(text(10)),
    )
        .prop_map(|(pf, me, ta, rt, cd, up, si, ct)| PublishProperties {
            payload_format_indicator: pf,
            message_expiry_interval: me,
            topic_alias: ta,
            response_topic: rt,
            correlation_data: cd,
            user_properties: up,
            subscription_identifiers: si,
            content_type: ct,
        })
}

fn publish() -> impl Strategy<Value = Packet> {
    (
        prop_oneof![Just(None), (packet_id(), any::<bool>()).prop_map(Some)],
        any::<bool>(),
        any::<bool>(),
        prop_oneof![3 => topic_name(), 1 => Just(String::new())],
        proptest::collection::vec(any::<u8>(), 0..200).prop_map(Bytes::from),
        publish_props(),
    )
        .prop_map(|(q, dup, retain, topic, payload, mut properties)| {
            let (qos, dup) = match q {
                None => (QosPid::AtMostOnce, false),
                Some((id, false)) => (QosPid::AtLeastOnce(id), dup),
                Some((id, true)) => (QosPid::ExactlyOnce(id), dup),
            };
            if topic.is_empty() && properties.topic_alias.is_none() {
                properties.topic_alias = NonZeroU16::new(1);
            }
            Packet::Publish(Publish {
                dup,
                qos,
                retain,
                topic,
                payload,
                properties,
            })
        })
}

fn connect() -> impl Strategy<Value = Packet> {
    let props = (
        opt(any::<u32>()),
        opt(nz16()),
        opt(nz32()),
        opt(any::<u16>()),
        opt(any::<bool>()),
        opt(any::<bool>()),
        users(),
        opt((text(6), opt(bin()))),
    )
        .prop_map(|(se, rm, mp, ta, rri, rpi, up, auth)| {
            let (authentication_method, authentication_data) = match auth {
                Some((m, d)) => (Some(m), d),
                None => (None, None),
            };
            ConnectProperties {
                session_expiry_interval: se,
                receive_maximum: rm,
                maximum_packet_size: mp,
                topic_alias_maximum: ta,
                request_response_information: rri,
                request_problem_information: rpi,
                user_properties: up,
                authentication_method,
                authentication_data,
            }
        });
    let will = (
        topic_name(),
        bin(),
        qos(),
        any::<bool>(),
        opt(any::<u32>()),
        opt(text(5)),
        users(),
    )
        .prop_map(|(topic, payload, qos, retain, delay, ct, up)| LastWill {
            topic,
            payload,
            qos,
            retain,
            properties: WillProperties {
                will_delay_interval: delay,
                content_type: ct,
                user_properties: up,
                ..Default::default()
            },
        });
    (
        text(12),
        any::<u16>(),
        any::<bool>(),
        opt(will),
        opt(text(8)),
        opt(bin()),
        props,
    )
        .prop_map(
            |(client_id, keep_alive, clean_start, will, username, password, properties)| {
                Packet::Connect(Box::new(Connect {
                    client_id,
                    keep_alive,
                    clean_start,
                    will,
                    username,
                    password,
                    properties,
                }))
            },
        )
}

fn reason_for(packet: PacketType) -> impl Strategy<Value = ReasonCode> {
    let allowed: Vec<ReasonCode> = ReasonCode::ALL
        .iter()
        .copied()
        .filter(|c| c.allowed_in(packet))
        .collect();
    proptest::sample::select(allowed)
}

fn connack() -> impl Strategy<Value = Packet> {
    (
        reason_for(PacketType::ConnAck),
        any::<bool>(),
        opt(nz16()),
        opt(any::<u16>()),
        opt(text(8)),
        users(),
        opt(any::<bool>()),
    )
        .prop_map(|(reason_code, sp, rm, ta, id, up, ra)| {
            Packet::ConnAck(Box::new(ConnAck {
                session_present: sp && !reason_code.is_error(),
                reason_code,
                properties: ConnAckProperties {
                    receive_maximum: rm,
                    topic_alias_maximum: ta,
                    assigned_client_identifier: id,
                    user_properties: up,
                    retain_available: ra,
                    maximum_qos: Some(QoS::AtLeastOnce),
                    ..Default::default()
                },
            }))
        })
}

fn ack(packet: PacketType) -> impl Strategy<Value = Ack> {
    (packet_id(), reason_for(packet), ack_props()).prop_map(
        |(packet_id, reason_code, properties)| Ack {
            packet_id,
            reason_code,
            properties,
        },
    )
}

fn options() -> impl Strategy<Value = SubscriptionOptions> {
    (qos(), any::<bool>(), any::<bool>(), 0u8..3).prop_map(|(qos, nl, rap, rh)| {
        SubscriptionOptions {
            qos,
            no_local: nl,
            retain_as_published: rap,
            retain_handling: match rh {
                0 => RetainHandling::SendAtSubscribe,
                1 => RetainHandling::SendIfNewSubscription,
                _ => RetainHandling::DoNotSend,
            },
        }
    })
}

fn any_packet() -> impl Strategy<Value = Packet> {
    prop_oneof![
        4 => publish(),
        1 => connect(),
        1 => connack(),
        1 => ack(PacketType::PubAck).prop_map(Packet::PubAck),
        1 => ack(PacketType::PubRec).prop_map(Packet::PubRec),
        1 => ack(PacketType::PubRel).prop_map(Packet::PubRel),
        1 => ack(PacketType::PubComp).prop_map(Packet::PubComp),
        1 => (packet_id(), proptest::collection::vec((topic_filter(), options()), 1..4), opt(sub_id()), users())
            .prop_map(|(packet_id, f, si, up)| Packet::Subscribe(Subscribe {
                packet_id,
                filters: f.into_iter().map(|(filter, options)| SubscribeFilter { filter, options }).collect(),
                properties: SubscribeProperties { subscription_identifier: si, user_properties: up },
            })),
        1 => (packet_id(), proptest::collection::vec(reason_for(PacketType::SubAck), 0..4), ack_props())
            .prop_map(|(packet_id, reason_codes, properties)| Packet::SubAck(SubAck { packet_id, reason_codes, properties })),
        1 => (packet_id(), proptest::collection::vec(topic_filter(), 1..4), users())
            .prop_map(|(packet_id, filters, up)| Packet::Unsubscribe(Unsubscribe {
                packet_id,
                filters,
                properties: UnsubscribeProperties { user_properties: up },
            })),
        1 => (packet_id(), proptest::collection::vec(reason_for(PacketType::UnsubAck), 0..4), ack_props())
            .prop_map(|(packet_id, reason_codes, properties)| Packet::UnsubAck(UnsubAck { packet_id, reason_codes, properties })),
        1 => Just(Packet::PingReq),
        1 => Just(Packet::PingResp),
        1 => (reason_for(PacketType::Disconnect), opt(any::<u32>()), opt(text(8)), users(), opt(text(8)))
            .prop_map(|(reason_code, se, rs, up, sr)| Packet::Disconnect(Disconnect {
                reason_code,
                properties: DisconnectProperties {
                    session_expiry_interval: se,
                    reason_string: rs,
                    user_properties: up,
                    server_reference: sr,
                },
            })),
        1 => (reason_for(PacketType::Auth), opt((text(6), opt(bin()))), opt(text(6)), users())
            .prop_map(|(reason_code, auth, rs, up)| {
                let (authentication_method, authentication_data) = match auth {
                    Some((m, d)) => (Some(m), d),
                    None => (None, None),
                };
                Packet::Auth(Auth {
                    reason_code,
                    properties: AuthProperties { authentication_method, authentication_data, reason_string: rs, user_properties: up },
                })
            }),
    ]
}

fn encoded(p: &Packet) -> Vec<u8> {
    let mut out = Vec::new();
    encode(p, &mut out).unwrap();
    out
}

proptest! {
    #[test]
    fn roundtrip(p in any_packet()) {
        let bytes = encoded(&p);
        prop_assert_eq!(encoded_len(&p).unwrap(), bytes.len());
        prop_assert_eq!(decode(&bytes).unwrap(), Status::Complete((p.clone(), bytes.len())));
        // Every strict prefix is incomplete, never an error.
        for n in 0..bytes.len() {
            prop_assert_eq!(decode(&bytes[..n]).unwrap(), Status::Incomplete, "prefix {}", n);
        }
    }

    #[test]
    fn any_chunking_gives_the_same_packets(
        ps in proptest::collection::vec(any_packet(), 1..6),
        cuts in proptest::collection::vec(1usize..64, 0..20),
    ) {
        let stream: Vec<u8> = ps.iter().flat_map(encoded).collect();
        let mut d = StreamDecoder::default();
        let mut got = Vec::new();
        let mut at = 0;
        for cut in cuts.iter().chain(std::iter::repeat(&64)) {
            if at >= stream.len() { break; }
            let end = (at + cut).min(stream.len());
            d.feed(&stream[at..end]);
            at = end;
            while let Some(p) = d.next_packet().unwrap() { got.push(p); }
        }
        prop_assert_eq!(got, ps);
        prop_assert_eq!(d.buffered_len(), 0);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(Status::Complete((p, n))) = decode(&bytes) {
            // Accepted packets encode canonically and decode to the same value.
            let again = encoded(&p);
            prop_assert!(again.len() <= n);
            prop_assert_eq!(decode(&again).unwrap(), Status::Complete((p, again.len())));
        }
    }

    /// Mutated valid packets: mostly errors, never panics, and anything
    /// accepted still round trips.
    #[test]
    fn mutated_packets_never_panic(p in any_packet(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = encoded(&p);
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(Status::Complete((q, _))) = decode(&bytes) {
            let again = encoded(&q);
            prop_assert_eq!(decode(&again).unwrap(), Status::Complete((q, again.len())));
        }
    }
}
