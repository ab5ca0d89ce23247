#![cfg(not(target_arch = "wasm32"))]
//! MQTT 5.0 codec, byte-exact: each packet type against bytes annotated by
//! hand from the spec (OASIS MQTT Version 5.0, sections cited), the strict
//! errors, the property table (Table 2-4) and the reason code tables of §3
//! written out here independently of the code.

use bytes::Bytes;
use mqtt_console::codec::v5::*;
use std::num::{NonZeroU16, NonZeroU32};

fn pid(n: u16) -> PacketId {
    PacketId::new(n).unwrap()
}

/// `packet` encodes to exactly `bytes` and `bytes` decode to `packet`
/// (slice API, stream API whole and byte by byte).
fn roundtrip(packet: Packet, bytes: &[u8]) {
    let mut out = Vec::new();
    encode(&packet, &mut out).unwrap();
    assert_eq!(out, bytes, "encoding of {packet:?}");
    assert_eq!(encoded_len(&packet).unwrap(), bytes.len());
    assert_eq!(
        decode(bytes).unwrap(),
        Status::Complete((packet.clone(), bytes.len()))
    );
    let mut d = StreamDecoder::default();
    for (i, b) in bytes.iter().enumerate() {
        assert_eq!(d.next_packet().unwrap(), None, "after {i} bytes");
        d.feed(std::slice::from_ref(b));
    }
    assert_eq!(d.next_packet().unwrap(), Some(packet));
    assert_eq!(d.buffered_len(), 0);
}

fn decodes_to(bytes: &[u8]) -> Packet {
    match decode(bytes) {
        Ok(Status::Complete((p, n))) => {
            assert_eq!(n, bytes.len());
            p
        }
        other => panic!("expected a packet from {bytes:02x?}, got {other:?}"),
    }
}

fn decode_err(bytes: &[u8]) -> DecodeError {
    match decode(bytes) {
        Err(e) => {
            // The stream decoder agrees and stays failed.
            let mut d = StreamDecoder::default();
            d.feed(bytes);
            assert_eq!(d.next_packet().unwrap_err(), e);
            assert_eq!(d.next_packet().unwrap_err(), e);
            e
        }
        other => panic!("expected an error for {bytes:02x?}, got {other:?}"),
    }
}

fn user(n: &str, v: &str) -> UserProperty {
    UserProperty::new(n, v)
}

#[test]
fn connect_with_properties() {
    // §3.1.2: protocol name, version 5, flags, keep alive, properties (§3.1.2.11).
    let packet = Packet::Connect(Box::new(Connect {
        client_id: "c1".into(),
        keep_alive: 10,
        clean_start: true,
        properties: ConnectProperties {
            session_expiry_interval: Some(10),
            receive_maximum: NonZeroU16::new(20),
            user_properties: vec![user("k", "v")],
            ..Default::default()
        },
        ..Default::default()
    }));
    #[rustfmt::skip]
    let bytes = [
        0x10, 30,                               // CONNECT, remaining length 30
        0x00, 0x04, b'M', b'Q', b'T', b'T',     // protocol name
        0x05,                                   // protocol version 5 (§3.1.2.2)
        0b0000_0010,                            // flags: clean start (§3.1.2.4)
        0x00, 0x0A,                             // keep alive 10 s
        15,                                     // property length (§3.1.2.11.1)
        0x11, 0x00, 0x00, 0x00, 0x0A,           // 0x11 Session Expiry Interval = 10
        0x21, 0x00, 0x14,                       // 0x21 Receive Maximum = 20
        0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v', // 0x26 User Property k=v
        0x00, 0x02, b'c', b'1',                 // client identifier "c1"
    ];
    roundtrip(packet, &bytes);
}

#[test]
fn connect_with_will_user_and_password() {
    // Flags 0b11001110 as in the spec's variable header example (§3.1.2.12):
    // user name, password, will QoS 1, will flag, clean start.
    let packet = Packet::Connect(Box::new(Connect {
        client_id: "id".into(),
        keep_alive: 10,
        clean_start: true,
        will: Some(LastWill {
            topic: "w".into(),
            payload: Bytes::from_static(b"x"),
            qos: QoS::AtLeastOnce,
            retain: false,
            properties: WillProperties {
                will_delay_interval: Some(5),
                content_type: Some("t".into()),
                ..Default::default()
            },
        }),
        username: Some("u".into()),
        password: Some(Bytes::from_static(b"p")),
        properties: ConnectProperties {
            session_expiry_interval: Some(10),
            ..Default::default()
        },
    }));
    #[rustfmt::skip]
    let bytes = [
        0x10, 42,
        0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05,
        0b1100_1110,                        // user, password, will QoS 1, will, clean start
        0x00, 0x0A,
        5, 0x11, 0x00, 0x00, 0x00, 0x0A,    // properties: Session Expiry Interval 10
        0x00, 0x02, b'i', b'd',             // client identifier
        9,                                  // will property length (§3.1.3.2.1)
        0x18, 0x00, 0x00, 0x00, 0x05,       // 0x18 Will Delay Interval = 5
        0x03, 0x00, 0x01, b't',             // 0x03 Content Type "t"
        0x00, 0x01, b'w',                   // will topic
        0x00, 0x01, b'x',                   // will payload
        0x00, 0x01, b'u',                   // user name
        0x00, 0x01, b'p',                   // password
    ];
    roundtrip(packet, &bytes);
}

#[test]
fn connack_like_the_test_broker() {
    // §3.2.2.3: what dev-broker/mosquitto-test.conf makes mosquitto announce.
    let packet = Packet::ConnAck(Box::new(ConnAck {
        session_present: false,
        reason_code: ReasonCode::Success,
        properties: ConnAckProperties {
            receive_maximum: NonZeroU16::new(20),
            maximum_packet_size: NonZeroU32::new(262_144),
            topic_alias_maximum: Some(10),
            ..Default::default()
        },
    }));
    #[rustfmt::skip]
    let bytes = [
        0x20, 14,
        0x00,                               // acknowledge flags: no session
        0x00,                               // reason code 0x00 Success
        11,                                 // property length
        0x21, 0x00, 0x14,                   // Receive Maximum 20
        0x27, 0x00, 0x04, 0x00, 0x00,       // Maximum Packet Size 262,144
        0x22, 0x00, 0x0A,                   // Topic Alias Maximum 10
    ];
    roundtrip(packet, &bytes);
    // A refusal by name (§3.2.2.2, Table 3-1).
    let refused = decodes_to(&[0x20, 0x03, 0x00, 0x87, 0x00]);
    let Packet::ConnAck(c) = refused else {
        panic!()
    };
    assert_eq!(c.reason_code.to_string(), "0x87 Not authorized");
}

#[test]
fn publish_with_every_publish_property() {
    // §3.3.2.3; subscription identifier 200 is the two-byte VBI C8 01 (§1.5.5).
    let packet = Packet::Publish(Publish {
        dup: false,
        qos: QosPid::AtLeastOnce(pid(10)),
        retain: true,
        topic: "a/b".into(),
        payload: Bytes::from_static(b"hi"),
        properties: PublishProperties {
            payload_format_indicator: Some(PayloadFormat::Utf8),
            message_expiry_interval: Some(60),
            topic_alias: NonZeroU16::new(3),
            response_topic: Some("r".into()),
            correlation_data: Some(Bytes::from_static(&[1, 2])),
            user_properties: vec![user("a", "1"), user("a", "2")],
            subscription_identifiers: vec![
                SubscriptionId::new(1).unwrap(),
                SubscriptionId::new(200).unwrap(),
            ],
            content_type: Some("text/plain".into()),
        },
    });
    #[rustfmt::skip]
    let bytes = [
        0x33, 61,                           // PUBLISH, QoS 1, RETAIN
        0x00, 0x03, b'a', b'/', b'b',       // topic name
        0x00, 0x0A,                         // packet identifier 10
        51,                                 // property length
        0x01, 0x01,                         // Payload Format Indicator: UTF-8
        0x02, 0x00, 0x00, 0x00, 0x3C,       // Message Expiry Interval 60
        0x23, 0x00, 0x03,                   // Topic Alias 3
        0x08, 0x00, 0x01, b'r',             // Response Topic "r"
        0x09, 0x00, 0x02, 0x01, 0x02,       // Correlation Data [1, 2]
        0x26, 0x00, 0x01, b'a', 0x00, 0x01, b'1', // User Property a=1
        0x26, 0x00, 0x01, b'a', 0x00, 0x01, b'2', // User Property a=2 (repeat kept, in order)
        0x0B, 0x01,                         // Subscription Identifier 1
        0x0B, 0xC8, 0x01,                   // Subscription Identifier 200
        0x03, 0x00, 0x0A, b't', b'e', b'x', b't', b'/', b'p', b'l', b'a', b'i', b'n',
        b'h', b'i',                         // payload
    ];
    roundtrip(packet, &bytes);
    // The payload is a view of the received buffer.
    let Packet::Publish(p) = decodes_to(&bytes) else {
        panic!()
    };
    assert_eq!(&p.payload[..], b"hi");
}

#[test]
fn publish_empty_topic_with_alias() {
    // §3.3.2.3.4: a zero-length topic name with a Topic Alias.
    roundtrip(
        Packet::Publish(Publish {
            dup: false,
            qos: QosPid::AtMostOnce,
            retain: false,
            topic: String::new(),
            payload: Bytes::new(),
            properties: PublishProperties {
                topic_alias: NonZeroU16::new(5),
                ..Default::default()
            },
        }),
        &[0x30, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x05],
    );
}

#[test]
fn acks_short_and_long_forms() {
    let ack = |id, reason_code, reason_string: Option<&str>| Ack {
        packet_id: pid(id),
        reason_code,
        properties: AckProperties {
            reason_string: reason_string.map(Into::into),
            user_properties: vec![],
        },
    };
    // §3.4.2.1: Remaining Length 2 = Success, no properties.
    roundtrip(
        Packet::PubAck(ack(1, ReasonCode::Success, None)),
        &[0x40, 0x02, 0x00, 0x01],
    );
    // Remaining Length 3: a reason code, no Property Length.
    roundtrip(
        Packet::PubAck(ack(1, ReasonCode::NoMatchingSubscribers, None)),
        &[0x40, 0x03, 0x00, 0x01, 0x10],
    );
    roundtrip(
        Packet::PubAck(ack(1, ReasonCode::NotAuthorized, Some("no"))),
        &[
            0x40, 0x09, 0x00, 0x01, 0x87, 5, 0x1F, 0x00, 0x02, b'n', b'o',
        ], // 0x1F Reason String
    );
    roundtrip(
        Packet::PubRec(ack(7, ReasonCode::UnspecifiedError, None)),
        &[0x50, 0x03, 0x00, 0x07, 0x80],
    );
    // PUBREL keeps its 0b0010 flags (§3.6.1).
    roundtrip(
        Packet::PubRel(ack(5, ReasonCode::PacketIdentifierNotFound, None)),
        &[0x62, 0x03, 0x00, 0x05, 0x92],
    );
    roundtrip(
        Packet::PubComp(ack(5, ReasonCode::Success, None)),
        &[0x70, 0x02, 0x00, 0x05],
    );
    // Property Length 0 given explicitly decodes the same.
    assert_eq!(
        decodes_to(&[0x40, 0x04, 0x00, 0x01, 0x00, 0x00]),
        Packet::PubAck(ack(1, ReasonCode::Success, None))
    );
}

#[rustfmt::skip]
#[test]
fn subscribe_suback_unsubscribe_unsuback() {
    // §3.8.3.1: options byte = QoS 1 | No Local | Retain As Published | Retain Handling 2.
    roundtrip(
        Packet::Subscribe(Subscribe {
            packet_id: pid(1),
            filters: vec![SubscribeFilter {
                filter: "a/#".into(),
                options: SubscriptionOptions {
                    qos: QoS::AtLeastOnce,
                    no_local: true,
                    retain_as_published: true,
                    retain_handling: RetainHandling::DoNotSend,
                },
            }],
            properties: SubscribeProperties {
                subscription_identifier: SubscriptionId::new(7),
                user_properties: vec![user("k", "v")],
            },
        }),
        &[
            0x82, 18,
            0x00, 0x01,                         // packet identifier
            9, 0x0B, 0x07,                      // Subscription Identifier 7
            0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v',
            0x00, 0x03, b'a', b'/', b'#',
            0b0010_1101,                        // RH 2, RAP, NL, QoS 1
        ],
    );
    roundtrip(
        Packet::SubAck(SubAck {
            packet_id: pid(1),
            reason_codes: vec![
                ReasonCode::GrantedQos1,
                ReasonCode::NotAuthorized,
                ReasonCode::WildcardSubscriptionsNotSupported,
            ],
            properties: AckProperties::default(),
        }),
        &[0x90, 0x06, 0x00, 0x01, 0x00, 0x01, 0x87, 0xA2],
    );
    roundtrip(
        Packet::Unsubscribe(Unsubscribe {
            packet_id: pid(2),
            filters: vec!["a/b".into()],
            properties: UnsubscribeProperties::default(),
        }),
        &[0xA2, 0x08, 0x00, 0x02, 0x00, 0x00, 0x03, b'a', b'/', b'b'],
    );
    roundtrip(
        Packet::UnsubAck(UnsubAck {
            packet_id: pid(2),
            reason_codes: vec![ReasonCode::NoSubscriptionExisted],
            properties: AckProperties::default(),
        }),
        &[0xB0, 0x04, 0x00, 0x02, 0x00, 0x11],
    );
}

#[rustfmt::skip]
#[test]
fn ping_disconnect_auth() {
    roundtrip(Packet::PingReq, &[0xC0, 0x00]);
    roundtrip(Packet::PingResp, &[0xD0, 0x00]);
    // §3.14.2.1: Remaining Length 0 = Normal disconnection.
    roundtrip(Packet::Disconnect(Disconnect::default()), &[0xE0, 0x00]);
    let taken = Disconnect {
        reason_code: ReasonCode::SessionTakenOver,
        properties: DisconnectProperties::default(),
    };
    roundtrip(Packet::Disconnect(taken), &[0xE0, 0x01, 0x8E]);
    assert_eq!(
        ReasonCode::SessionTakenOver.describe(PacketType::Disconnect),
        "0x8e Session taken over"
    );
    assert_eq!(ReasonCode::Success.name_in(PacketType::Disconnect), "Normal disconnection");
    roundtrip(
        Packet::Disconnect(Disconnect {
            reason_code: ReasonCode::DisconnectWithWillMessage,
            properties: DisconnectProperties {
                session_expiry_interval: Some(0),
                ..Default::default()
            },
        }),
        &[0xE0, 0x07, 0x04, 5, 0x11, 0x00, 0x00, 0x00, 0x00],
    );
    // §3.15: AUTH, type 15.
    roundtrip(Packet::Auth(Auth::default()), &[0xF0, 0x00]);
    roundtrip(
        Packet::Auth(Auth {
            reason_code: ReasonCode::ContinueAuthentication,
            properties: AuthProperties {
                authentication_method: Some("SCRAM".into()),
                authentication_data: Some(Bytes::from_static(&[1, 2])),
                ..Default::default()
            },
        }),
        &[
            0xF0, 15, 0x18, 13,
            0x15, 0x00, 0x05, b'S', b'C', b'R', b'A', b'M', // Authentication Method
            0x16, 0x00, 0x02, 0x01, 0x02,                   // Authentication Data
        ],
    );
}

#[test]
fn strict_errors_named_after_the_spec() {
    let kind = |b: &[u8]| decode_err(b).kind();
    // A property in a packet that does not allow it (§2.2.2.2): Topic Alias in PUBACK.
    let e = decode_err(&[0x40, 0x07, 0x00, 0x01, 0x00, 0x03, 0x23, 0x00, 0x01]);
    assert_eq!(
        e,
        DecodeError::PropertyNotAllowed {
            place: Place::PubAck,
            property: PropertyId::TopicAlias
        }
    );
    assert!(e.to_string().contains("Topic Alias"), "{e}");
    // Will Delay Interval belongs to the will, not to a PUBLISH.
    assert_eq!(
        kind(&[0x30, 0x09, 0x00, 0x01, b't', 0x05, 0x18, 0, 0, 0, 1]),
        "property_not_allowed"
    );
    // Repeated property that may appear once: Content Type twice.
    assert_eq!(
        decode_err(&[
            0x30, 0x0C, 0x00, 0x01, b't', 0x08, 0x03, 0x00, 0x01, b'a', 0x03, 0x00, 0x01, b'b'
        ]),
        DecodeError::DuplicateProperty {
            place: Place::Publish,
            property: PropertyId::ContentType
        }
    );
    // Subscription Identifier twice in a SUBSCRIBE (allowed twice only in PUBLISH).
    assert_eq!(
        kind(&[0x82, 0x0B, 0x00, 0x01, 0x04, 0x0B, 0x01, 0x0B, 0x02, 0x00, 0x01, b'a', 0x00]),
        "duplicate_property"
    );
    // Zero packet identifier [MQTT-2.2.1-3].
    assert_eq!(
        decode_err(&[0x40, 0x02, 0x00, 0x00]),
        DecodeError::ZeroPacketId {
            packet: PacketType::PubAck
        }
    );
    assert_eq!(
        kind(&[0x82, 0x06, 0x00, 0x00, 0x00, 0x00, 0x01, b'a', 0x00][..8]),
        "zero_packet_id"
    );
    // A reason code not allowed for the packet: Session taken over in a PUBACK.
    assert_eq!(
        decode_err(&[0x40, 0x03, 0x00, 0x01, 0x8E]),
        DecodeError::ReasonCodeNotAllowed {
            packet: PacketType::PubAck,
            code: ReasonCode::SessionTakenOver
        }
    );
    assert_eq!(kind(&[0xF0, 0x01, 0x87]), "reason_code_not_allowed");
    assert_eq!(kind(&[0x40, 0x03, 0x00, 0x01, 0x05]), "unknown_reason_code");
    // Malformed Variable Byte Integer: 5 bytes, or not the fewest bytes [MQTT-1.5.5-1].
    assert_eq!(
        kind(&[0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
        "malformed_variable_byte_integer"
    );
    assert_eq!(kind(&[0xC0, 0x80, 0x00]), "malformed_variable_byte_integer");
    assert_eq!(
        kind(&[0x30, 0x05, 0x00, 0x01, b't', 0x80, 0x00]),
        "malformed_variable_byte_integer"
    );
    // Property Length longer than the packet.
    assert_eq!(
        decode_err(&[0x30, 0x05, 0x00, 0x01, b't', 0x05, 0x01]),
        DecodeError::PropertyLengthExceedsPacket {
            place: Place::Publish,
            length: 5,
            remaining: 1
        }
    );
    // A property running past its Property Length (still inside the packet).
    assert_eq!(
        decode_err(&[0x30, 0x09, 0x00, 0x01, b't', 0x02, 0x02, 0x00, 0x00, 0x00, 0x3C]),
        DecodeError::PropertyExceedsPropertyLength {
            place: Place::Publish,
            property: PropertyId::MessageExpiryInterval
        }
    );
    // Topic Alias 0 [MQTT-3.3.2-8].
    assert_eq!(
        decode_err(&[0x30, 0x07, 0x00, 0x01, b't', 0x03, 0x23, 0x00, 0x00]),
        DecodeError::TopicAliasZero
    );
    assert_eq!(
        decode_err(&[0x30, 0x03, 0x00, 0x00, 0x00]),
        DecodeError::EmptyTopicWithoutAlias
    );
    assert_eq!(
        kind(&[0x30, 0x05, 0x00, 0x01, b't', 0x01, 0x2B]),
        "unknown_property"
    );
    // Values out of range: Maximum QoS 2, Receive Maximum 0, Subscription Identifier 0.
    assert_eq!(
        kind(&[0x20, 0x05, 0x00, 0x00, 0x02, 0x24, 0x02]),
        "invalid_property_value"
    );
    assert_eq!(
        kind(&[0x20, 0x06, 0x00, 0x00, 0x03, 0x21, 0x00, 0x00]),
        "invalid_property_value"
    );
    assert_eq!(
        kind(&[0x82, 0x08, 0x00, 0x01, 0x02, 0x0B, 0x00, 0x00, 0x01, b'a'][..10]),
        "invalid_property_value"
    );
    // Subscription options: reserved bits, retain handling 3, No Local on $share.
    assert_eq!(
        kind(&[0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, b'a', 0xC1]),
        "invalid_subscription_options"
    );
    assert_eq!(
        kind(&[0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, b'a', 0x30]),
        "invalid_subscription_options"
    );
    let share = b"$share/g/a";
    let mut sub = vec![
        0x82,
        4 + share.len() as u8 + 2,
        0x00,
        0x01,
        0x00,
        0x00,
        share.len() as u8,
    ];
    sub.extend_from_slice(share);
    sub.push(0x04);
    assert_eq!(decode_err(&sub), DecodeError::NoLocalOnSharedSubscription);
    // CONNACK: session present on a refusal [MQTT-3.2.2-6].
    assert_eq!(
        decode_err(&[0x20, 0x03, 0x01, 0x87, 0x00]),
        DecodeError::SessionPresentOnRefusal
    );
    // A 3.1.1 CONNECT (level 4) is not MQTT 5.
    assert_eq!(
        kind(
            &[
                0x10, 0x0D, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x0A, 0x00, 0x00,
                0x00
            ][..15]
        ),
        "unsupported_protocol_version"
    );
    // AUTH's flags are 0; type 0 is reserved; PINGRESP has no body.
    assert_eq!(kind(&[0xF1, 0x00]), "invalid_header_flags");
    assert_eq!(kind(&[0x00, 0x00]), "reserved_packet_type");
    assert_eq!(kind(&[0xD0, 0x01, 0x00]), "wrong_remaining_length");
    // Every error names a close reason a client would send (§4.13).
    assert_eq!(
        DecodeError::TopicAliasZero.reason_code(),
        ReasonCode::ProtocolError
    );
}

#[test]
fn encode_refuses_what_decode_refuses() {
    let mut out = Vec::new();
    let bad_ack = Packet::PubAck(Ack {
        packet_id: pid(1),
        reason_code: ReasonCode::SessionTakenOver,
        properties: AckProperties::default(),
    });
    assert_eq!(
        encode(&bad_ack, &mut out).unwrap_err().kind(),
        "reason_code_not_allowed"
    );
    let qos2 = Packet::ConnAck(Box::new(ConnAck {
        session_present: false,
        reason_code: ReasonCode::Success,
        properties: ConnAckProperties {
            maximum_qos: Some(QoS::ExactlyOnce),
            ..Default::default()
        },
    }));
    assert_eq!(
        encode(&qos2, &mut out).unwrap_err().kind(),
        "invalid_property_value"
    );
    let no_topic = Packet::Publish(Publish {
        dup: false,
        qos: QosPid::AtMostOnce,
        retain: false,
        topic: String::new(),
        payload: Bytes::new(),
        properties: PublishProperties::default(),
    });
    assert_eq!(
        encode(&no_topic, &mut out).unwrap_err(),
        EncodeError::EmptyTopicWithoutAlias
    );
    let shared = Packet::Subscribe(Subscribe {
        packet_id: pid(1),
        filters: vec![SubscribeFilter {
            filter: "$share/g/t".into(),
            options: SubscriptionOptions {
                no_local: true,
                ..SubscriptionOptions::qos(QoS::AtMostOnce)
            },
        }],
        properties: SubscribeProperties::default(),
    });
    assert_eq!(
        encode(&shared, &mut out).unwrap_err(),
        EncodeError::NoLocalOnSharedSubscription
    );
    assert!(out.is_empty(), "nothing appended on errors");
}

#[test]
fn stream_limit_before_buffering_and_several_packets_per_feed() {
    let mut d = StreamDecoder::new(100);
    // A PUBLISH announcing 1,000 bytes is refused from its fixed header alone.
    d.feed(&[0x30, 0xE8, 0x07]);
    assert_eq!(
        d.next_packet().unwrap_err(),
        DecodeError::PacketTooLarge {
            size: 1003,
            limit: 100
        }
    );
    assert_eq!(
        d.next_packet().unwrap_err().reason_code(),
        ReasonCode::PacketTooLarge
    );
    d.feed(&[0xC0, 0x00]);
    assert_eq!(d.buffered_len(), 0, "a failed decoder drops input");

    let mut d = StreamDecoder::default();
    d.feed(&[0xD0, 0x00, 0xE0, 0x01, 0x8E, 0xF0]);
    assert_eq!(d.next_packet().unwrap(), Some(Packet::PingResp));
    assert!(matches!(
        d.next_packet().unwrap(),
        Some(Packet::Disconnect(_))
    ));
    assert_eq!(d.next_packet().unwrap(), None);
    d.feed(&[0x00]);
    assert_eq!(
        d.next_packet().unwrap(),
        Some(Packet::Auth(Auth::default()))
    );
}

/// Table 2-4 written out by hand: identifier, type, places.
#[test]
fn property_table_matches_the_spec() {
    use Place::*;
    use PropertyType::*;
    let ack = [PubAck, PubRec, PubRel, PubComp, SubAck, UnsubAck];
    #[rustfmt::skip]
    let table: Vec<(u8, PropertyType, Vec<Place>)> = vec![
        (0x01, Byte, vec![Publish, Will]),
        (0x02, FourByteInteger, vec![Publish, Will]),
        (0x03, Utf8String, vec![Publish, Will]),
        (0x08, Utf8String, vec![Publish, Will]),
        (0x09, BinaryData, vec![Publish, Will]),
        (0x0B, VariableByteInteger, vec![Publish, Subscribe]),
        (0x11, FourByteInteger, vec![Connect, ConnAck, Disconnect]),
        (0x12, Utf8String, vec![ConnAck]),
        (0x13, TwoByteInteger, vec![ConnAck]),
        (0x15, Utf8String, vec![Connect, ConnAck, Auth]),
        (0x16, BinaryData, vec![Connect, ConnAck, Auth]),
        (0x17, Byte, vec![Connect]),
        (0x18, FourByteInteger, vec![Will]),
        (0x19, Byte, vec![Connect]),
        (0x1A, Utf8String, vec![ConnAck]),
        (0x1C, Utf8String, vec![ConnAck, Disconnect]),
        (0x1F, Utf8String, [&ack[..], &[ConnAck, Disconnect, Auth]].concat()),
        (0x21, TwoByteInteger, vec![Connect, ConnAck]),
        (0x22, TwoByteInteger, vec![Connect, ConnAck]),
        (0x23, TwoByteInteger, vec![Publish]),
        (0x24, Byte, vec![ConnAck]),
        (0x25, Byte, vec![ConnAck]),
        (0x26, Utf8StringPair, Place::ALL.to_vec()),
        (0x27, FourByteInteger, vec![Connect, ConnAck]),
        (0x28, Byte, vec![ConnAck]),
        (0x29, Byte, vec![ConnAck]),
        (0x2A, Byte, vec![ConnAck]),
    ];
    assert_eq!(table.len(), PropertyId::ALL.len());
    for (id, ty, places) in &table {
        let p = PropertyId::from_u32(*id as u32).unwrap_or_else(|| panic!("{id:#04x} missing"));
        assert_eq!(p as u8, *id);
        assert_eq!(p.value_type(), *ty, "{}", p.name());
        for place in Place::ALL {
            assert_eq!(
                p.allowed_in(place),
                places.contains(&place),
                "{} in {place}",
                p.name()
            );
        }
    }
    for id in 0..=0x7Fu32 {
        let known = table.iter().any(|(i, _, _)| *i as u32 == id);
        assert_eq!(PropertyId::from_u32(id).is_some(), known, "{id:#04x}");
    }
}

/// Each place decodes exactly the properties Table 2-4 allows there: one
/// property at a time, with a value of its type; the allowed ones re-encode
/// to the same bytes (so the typed sets hold every allowed property).
#[test]
fn every_property_in_every_place() {
    fn value(ty: PropertyType) -> Vec<u8> {
        match ty {
            PropertyType::Byte => vec![1],
            PropertyType::TwoByteInteger => vec![0, 5],
            PropertyType::FourByteInteger => vec![0, 0, 0, 5],
            PropertyType::VariableByteInteger => vec![5],
            PropertyType::Utf8String => vec![0, 1, b'x'],
            PropertyType::Utf8StringPair => vec![0, 1, b'k', 0, 1, b'v'],
            PropertyType::BinaryData => vec![0, 1, 7],
        }
    }
    fn with_len(first: u8, body: Vec<u8>) -> Vec<u8> {
        let mut out = vec![first, body.len() as u8];
        out.extend(body);
        out
    }
    fn packet(place: Place, props: &[u8]) -> Vec<u8> {
        let mut block = vec![props.len() as u8];
        block.extend_from_slice(props);
        let cat = |parts: &[&[u8]]| parts.concat();
        let connect_head: &[u8] = &[0, 4, b'M', b'Q', b'T', b'T', 5];
        match place {
            Place::Connect => with_len(
                0x10,
                cat(&[connect_head, &[0x02, 0, 0], &block, &[0, 1, b'c']]),
            ),
            Place::Will => with_len(
                0x10,
                cat(&[
                    connect_head,
                    &[0x06, 0, 0, 0],
                    &[0, 1, b'c'],
                    &block,
                    &[0, 1, b'w', 0, 0],
                ]),
            ),
            Place::ConnAck => with_len(0x20, cat(&[&[0, 0], &block])),
            Place::Publish => with_len(0x30, cat(&[&[0, 1, b't'], &block])),
            Place::PubAck => with_len(0x40, cat(&[&[0, 1, 0], &block])),
            Place::PubRec => with_len(0x50, cat(&[&[0, 1, 0], &block])),
            Place::PubRel => with_len(0x62, cat(&[&[0, 1, 0], &block])),
            Place::PubComp => with_len(0x70, cat(&[&[0, 1, 0], &block])),
            Place::Subscribe => with_len(0x82, cat(&[&[0, 1], &block, &[0, 1, b'a', 0]])),
            Place::SubAck => with_len(0x90, cat(&[&[0, 1], &block, &[0]])),
            Place::Unsubscribe => with_len(0xA2, cat(&[&[0, 1], &block, &[0, 1, b'a']])),
            Place::UnsubAck => with_len(0xB0, cat(&[&[0, 1], &block, &[0]])),
            Place::Disconnect => with_len(0xE0, cat(&[&[0], &block])),
            Place::Auth => with_len(0xF0, cat(&[&[0], &block])),
        }
    }
    let mut checked = 0;
    for place in Place::ALL {
        for id in PropertyId::ALL {
            let mut props = vec![id as u8];
            props.extend(value(id.value_type()));
            if id == PropertyId::AuthenticationData && id.allowed_in(place) {
                // Data needs a method (§3.1.2.11.10); the method comes first in encoding.
                props = [&[0x15, 0, 1, b'm'][..], &props].concat();
            }
            let bytes = packet(place, &props);
            if id.allowed_in(place) {
                let p = decodes_to(&bytes);
                let mut out = Vec::new();
                encode(&p, &mut out).unwrap();
                assert_eq!(out, bytes, "{} in {place}", id.name());
                checked += 1;
            } else {
                assert_eq!(
                    decode_err(&bytes),
                    DecodeError::PropertyNotAllowed {
                        place,
                        property: id
                    },
                    "{} in {place}",
                    id.name()
                );
            }
        }
    }
    // Table 2-4 has 64 (property, place) pairs (User Property alone: 14).
    assert_eq!(checked, 64);
}

/// The reason codes of each packet's own table in §3 (3.2.2.2, 3.4.2.1,
/// 3.5.2.1, 3.6.2.1, 3.7.2.1, 3.9.3, 3.11.3, 3.14.2.1, 3.15.2.1), by hand;
/// every other byte is refused.
#[test]
fn reason_codes_per_packet_match_section_3() {
    #[rustfmt::skip]
    let tables: [(PacketType, &[u8]); 9] = [
        (PacketType::ConnAck, &[0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F]),
        (PacketType::PubAck, &[0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]),
        (PacketType::PubRec, &[0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]),
        (PacketType::PubRel, &[0x00, 0x92]),
        (PacketType::PubComp, &[0x00, 0x92]),
        (PacketType::SubAck, &[0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2]),
        (PacketType::UnsubAck, &[0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91]),
        (PacketType::Disconnect, &[0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8C, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2]),
        (PacketType::Auth, &[0x00, 0x18, 0x19]),
    ];
    for (packet, allowed) in tables {
        for code in 0..=255u8 {
            let bytes = match packet {
                PacketType::ConnAck => vec![0x20, 3, 0, code, 0],
                PacketType::PubAck => vec![0x40, 3, 0, 1, code],
                PacketType::PubRec => vec![0x50, 3, 0, 1, code],
                PacketType::PubRel => vec![0x62, 3, 0, 1, code],
                PacketType::PubComp => vec![0x70, 3, 0, 1, code],
                PacketType::SubAck => vec![0x90, 4, 0, 1, 0, code],
                PacketType::UnsubAck => vec![0xB0, 4, 0, 1, 0, code],
                PacketType::Disconnect => vec![0xE0, 1, code],
                _ => vec![0xF0, 1, code],
            };
            let ok = decode(&bytes).is_ok();
            assert_eq!(ok, allowed.contains(&code), "{packet} reason {code:#04x}");
        }
    }
    assert_eq!(
        ReasonCode::from_u8(0x87).unwrap().to_string(),
        "0x87 Not authorized"
    );
}
