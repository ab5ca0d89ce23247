#![cfg(not(target_arch = "wasm32"))]
//! Byte-exact tests: each packet type encoded and decoded against annotated
//! bytes, plus stream behaviour (several packets in one buffer, splits,
//! size limit, poisoning).

use bytes::Bytes;
use mqtt_console::codec::*;

fn pid(n: u16) -> PacketId {
    PacketId::new(n).unwrap()
}

/// `packet` encodes to exactly `bytes`, and `bytes` decode to `packet`
/// (slice API and stream API, whole and byte by byte).
fn roundtrip(packet: Packet, bytes: &[u8]) {
    let mut out = Vec::new();
    encode(&packet, &mut out).unwrap();
    assert_eq!(out, bytes, "encoding of {packet:?}");
    assert_eq!(encoded_len(&packet).unwrap(), bytes.len());

    assert_eq!(
        decode(bytes).unwrap(),
        Status::Complete((packet.clone(), bytes.len()))
    );

    let mut d = StreamDecoder::new(DEFAULT_MAX_PACKET_SIZE);
    d.feed(bytes);
    assert_eq!(d.next_packet().unwrap(), Some(packet.clone()));
    assert_eq!(d.next_packet().unwrap(), None);
    assert_eq!(d.buffered_len(), 0);

    let mut d = StreamDecoder::new(DEFAULT_MAX_PACKET_SIZE);
    for (i, b) in bytes.iter().enumerate() {
        assert_eq!(d.next_packet().unwrap(), None, "after {i} bytes");
        d.feed(std::slice::from_ref(b));
    }
    assert_eq!(d.next_packet().unwrap(), Some(packet));
}

fn decode_err(bytes: &[u8]) -> DecodeError {
    match decode(bytes) {
        Err(e) => e,
        other => panic!("expected an error for {bytes:02x?}, got {other:?}"),
    }
}

#[test]
fn connect_minimal() {
    let packet = Packet::Connect(Connect {
        client_id: "c1".into(),
        keep_alive: 60,
        clean_session: true,
        will: None,
        username: None,
        password: None,
    });
    #[rustfmt::skip]
    let bytes = [
        0x10, 14,                   // CONNECT, remaining length 14
        0x00, 0x04, b'M', b'Q', b'T', b'T', // protocol name "MQTT"
        0x04,                       // protocol level 4 (3.1.1)
        0b0000_0010,                // flags: clean session
        0x00, 0x3C,                 // keep alive 60 s
        0x00, 0x02, b'c', b'1',     // client id "c1"
    ];
    roundtrip(packet, &bytes);
}

#[test]
fn connect_full() {
    let packet = Packet::Connect(Connect {
        client_id: "id".into(),
        keep_alive: 0x0102,
        clean_session: false,
        will: Some(LastWill {
            topic: "w/t".into(),
            payload: Bytes::from_static(b"bye"),
            qos: QoS::AtLeastOnce,
            retain: true,
        }),
        username: Some("u".into()),
        password: Some(Bytes::from_static(&[0xFF, 0x00])),
    });
    #[rustfmt::skip]
    let bytes = [
        0x10, 31,                   // CONNECT, remaining length 31
        0x00, 0x04, b'M', b'Q', b'T', b'T',
        0x04,
        0b1110_1100,                // user, password, will retain, will QoS 1, will; no clean session
        0x01, 0x02,                 // keep alive 258 s
        0x00, 0x02, b'i', b'd',     // client id
        0x00, 0x03, b'w', b'/', b't', // will topic
        0x00, 0x03, b'b', b'y', b'e', // will message
        0x00, 0x01, b'u',           // user name
        0x00, 0x02, 0xFF, 0x00,     // password (binary)
    ];
    roundtrip(packet, &bytes);
}

#[test]
fn connack() {
    roundtrip(
        Packet::ConnAck(ConnAck {
            session_present: true,
            code: ConnectReturnCode::Accepted,
        }),
        &[0x20, 0x02, 0x01, 0x00], // CONNACK, len 2, session present, accepted
    );
    roundtrip(
        Packet::ConnAck(ConnAck {
            session_present: false,
            code: ConnectReturnCode::NotAuthorized,
        }),
        &[0x20, 0x02, 0x00, 0x05], // return code 5: not authorized
    );
    assert_eq!(
        decode_err(&[0x20, 0x02, 0x00, 0x06]).kind(),
        "unknown_connect_return_code"
    );
    assert_eq!(
        decode_err(&[0x20, 0x02, 0x02, 0x00]).kind(),
        "invalid_connack_flags"
    );
    assert_eq!(
        decode_err(&[0x20, 0x02, 0x01, 0x05]).kind(),
        "session_present_on_refusal"
    );
}

#[test]
fn publish_qos0_qos1_qos2() {
    #[rustfmt::skip]
    roundtrip(
        Packet::Publish(Publish {
            dup: false,
            qos: QosPid::AtMostOnce,
            retain: true,
            topic: "a/b".into(),
            payload: Bytes::from_static(b"hi"),
        }),
        &[
            0x31, 7,                      // PUBLISH, QoS 0, retain; len 7
            0x00, 0x03, b'a', b'/', b'b', // topic
            b'h', b'i',                   // payload
        ],
    );
    #[rustfmt::skip]
    roundtrip(
        Packet::Publish(Publish {
            dup: true,
            qos: QosPid::AtLeastOnce(pid(10)),
            retain: false,
            topic: "t".into(),
            payload: Bytes::new(),
        }),
        &[
            0x3A, 5,                      // PUBLISH, DUP, QoS 1; len 5
            0x00, 0x01, b't',             // topic
            0x00, 0x0A,                   // packet id 10; empty payload
        ],
    );
    #[rustfmt::skip]
    roundtrip(
        Packet::Publish(Publish {
            dup: false,
            qos: QosPid::ExactlyOnce(pid(0xBEEF)),
            retain: false,
            topic: "t".into(),
            payload: Bytes::from_static(&[0, 1, 2]),
        }),
        &[0x34, 8, 0x00, 0x01, b't', 0xBE, 0xEF, 0, 1, 2], // QoS 2
    );
}

#[test]
fn acks() {
    roundtrip(Packet::PubAck(pid(1)), &[0x40, 0x02, 0x00, 0x01]);
    roundtrip(Packet::PubRec(pid(2)), &[0x50, 0x02, 0x00, 0x02]);
    roundtrip(Packet::PubRel(pid(3)), &[0x62, 0x02, 0x00, 0x03]); // flags 0b0010
    roundtrip(Packet::PubComp(pid(0x1234)), &[0x70, 0x02, 0x12, 0x34]);
    roundtrip(Packet::UnsubAck(pid(0xFFFF)), &[0xB0, 0x02, 0xFF, 0xFF]);
    assert_eq!(
        decode_err(&[0x40, 0x02, 0x00, 0x00]).kind(),
        "zero_packet_id"
    );
    assert_eq!(
        decode_err(&[0x60, 0x02, 0x00, 0x01]).kind(),
        "invalid_header_flags"
    );
    assert_eq!(decode_err(&[0x40, 0x03]).kind(), "wrong_remaining_length");
}

#[test]
fn subscribe_suback() {
    #[rustfmt::skip]
    roundtrip(
        Packet::Subscribe(Subscribe {
            packet_id: pid(7),
            filters: vec![
                SubscribeFilter { filter: "a/+".into(), qos: QoS::AtLeastOnce },
                SubscribeFilter { filter: "#".into(), qos: QoS::ExactlyOnce },
            ],
        }),
        &[
            0x82, 12,                        // SUBSCRIBE (flags 0b0010), len 12
            0x00, 0x07,                      // packet id 7
            0x00, 0x03, b'a', b'/', b'+', 0x01, // "a/+" QoS 1
            0x00, 0x01, b'#', 0x02,          // "#" QoS 2
        ],
    );
    roundtrip(
        Packet::SubAck(SubAck {
            packet_id: pid(7),
            return_codes: vec![
                SubscribeReturnCode::Granted(QoS::AtMostOnce),
                SubscribeReturnCode::Granted(QoS::ExactlyOnce),
                SubscribeReturnCode::Failure,
            ],
        }),
        &[0x90, 5, 0x00, 0x07, 0x00, 0x02, 0x80], // SUBACK: 0, 2, failure
    );
    assert_eq!(
        decode_err(&[0x82, 0x02, 0x00, 0x01]).kind(),
        "no_topic_filters"
    );
    assert_eq!(
        decode_err(&[0x90, 0x03, 0x00, 0x01, 0x03]).kind(),
        "invalid_suback_return_code"
    );
}

#[test]
fn unsubscribe() {
    #[rustfmt::skip]
    roundtrip(
        Packet::Unsubscribe(Unsubscribe { packet_id: pid(9), filters: vec!["x/#".into()] }),
        &[
            0xA2, 7,                       // UNSUBSCRIBE (flags 0b0010), len 7
            0x00, 0x09,                    // packet id 9
            0x00, 0x03, b'x', b'/', b'#',  // filter
        ],
    );
}

#[test]
fn empty_packets() {
    roundtrip(Packet::PingReq, &[0xC0, 0x00]);
    roundtrip(Packet::PingResp, &[0xD0, 0x00]);
    roundtrip(Packet::Disconnect, &[0xE0, 0x00]);
}

#[test]
fn several_packets_in_one_buffer_with_a_partial_tail() {
    let mut stream = Vec::new();
    let packets = [
        Packet::PingResp,
        Packet::PubAck(pid(1)),
        Packet::Publish(Publish {
            dup: false,
            qos: QosPid::AtMostOnce,
            retain: false,
            topic: "x".into(),
            payload: Bytes::from_static(b"payload"),
        }),
    ];
    for p in &packets {
        encode(p, &mut stream).unwrap();
    }
    // First 3 bytes of the next PUBACK.
    stream.extend_from_slice(&[0x40, 0x02, 0x00]);

    let mut d = StreamDecoder::default();
    d.feed(&stream);
    for p in &packets {
        assert_eq!(d.next_packet().unwrap().as_ref(), Some(p));
    }
    assert_eq!(d.next_packet().unwrap(), None);
    assert_eq!(d.buffered_len(), 3);
    d.feed(&[0x05]);
    assert_eq!(d.next_packet().unwrap(), Some(Packet::PubAck(pid(5))));
    assert_eq!(d.next_packet().unwrap(), None);

    // The slice API reports how much it consumed.
    let (first, used) = decode(&stream).unwrap().complete().unwrap();
    assert_eq!((first, used), (Packet::PingResp, 2));
    assert_eq!(
        decode(&stream[stream.len() - 3..]).unwrap(),
        Status::Incomplete
    );
}

#[test]
fn remaining_length_boundaries() {
    // 1-4 byte encodings of the Remaining Length decode; a 5th byte is an error.
    for (len, enc) in [
        (0usize, &[0x00][..]),
        (127, &[0x7F]),
        (128, &[0x80, 0x01]),
        (16_383, &[0xFF, 0x7F]),
        (16_384, &[0x80, 0x80, 0x01]),
        (2_097_151, &[0xFF, 0xFF, 0x7F]),
        (2_097_152, &[0x80, 0x80, 0x80, 0x01]),
        (268_435_455, &[0xFF, 0xFF, 0xFF, 0x7F]),
    ] {
        let mut bytes = vec![0x30];
        bytes.extend_from_slice(enc);
        // A header alone is incomplete (except for length 0, an error: no topic).
        if len > 0 {
            assert_eq!(decode(&bytes).unwrap(), Status::Incomplete, "{len}");
        }
        let mut d = StreamDecoder::new(usize::MAX);
        d.feed(&bytes);
        if len > 0 {
            assert_eq!(d.next_packet().unwrap(), None);
        }
    }
    assert_eq!(
        decode_err(&[0x30, 0xFF, 0xFF, 0xFF, 0xFF]).kind(),
        "remaining_length_too_long"
    );
    assert_eq!(
        decode_err(&[0x30, 0x80, 0x80, 0x80, 0x80, 0x01]).kind(),
        "remaining_length_too_long"
    );
}

#[test]
fn large_publish_roundtrip_and_payload_is_a_view() {
    let payload = Bytes::from(vec![0xAB; 300_000]);
    let packet = Packet::Publish(Publish {
        dup: false,
        qos: QosPid::AtLeastOnce(pid(1)),
        retain: false,
        topic: "big".into(),
        payload,
    });
    let mut bytes = Vec::new();
    encode(&packet, &mut bytes).unwrap();
    assert_eq!(&bytes[..4], &[0x32, 0xE7, 0xA7, 0x12]); // 300,007 = 3-byte length
    let mut d = StreamDecoder::default();
    for chunk in bytes.chunks(1000) {
        d.feed(chunk);
    }
    assert_eq!(d.next_packet().unwrap(), Some(packet));
}

#[test]
fn size_limit_is_checked_before_buffering() {
    let mut d = StreamDecoder::new(100);
    // PUBLISH announcing 1,000,000 bytes: refused from the header alone.
    d.feed(&[0x30, 0xC0, 0x84, 0x3D]);
    let err = d.next_packet().unwrap_err();
    assert_eq!(
        err,
        DecodeError::PacketTooLarge {
            size: 1_000_004,
            limit: 100
        }
    );
    assert!(err.to_string().contains("1000004"), "{err}");
    assert!(err.to_string().contains("100 bytes"), "{err}");
    assert!(d.buffer_capacity() <= 100);
    // Poisoned: the same error again, and fed bytes are dropped.
    d.feed(&[0; 1000]);
    assert_eq!(d.buffered_len(), 0);
    assert_eq!(d.next_packet().unwrap_err(), err);
    assert_eq!(d.next_packet().unwrap_err(), err);

    // Exactly at the limit is fine.
    let mut d = StreamDecoder::new(4);
    d.feed(&[0x40, 0x02, 0x00, 0x01]);
    assert_eq!(d.next_packet().unwrap(), Some(Packet::PubAck(pid(1))));
}

#[test]
fn decode_errors_poison_the_stream() {
    let mut d = StreamDecoder::default();
    d.feed(&[0xC0, 0x00, 0xF0, 0x00, 0xC0, 0x00]);
    assert_eq!(d.next_packet().unwrap(), Some(Packet::PingReq));
    let err = d.next_packet().unwrap_err();
    assert_eq!(err, DecodeError::ReservedPacketType { value: 15 });
    assert_eq!(d.error(), Some(&err));
    assert_eq!(d.next_packet().unwrap_err(), err);
}

#[test]
fn display_is_a_sentence() {
    let err = decode_err(&[0x30, 0x05, 0x00, 0x03, b'a', b'/', b'+']);
    assert_eq!(
        err.to_string(),
        "broker sent a PUBLISH whose topic name contains a wildcard ('+' or '#'), which MQTT forbids [MQTT-3.3.2-2]"
    );
    assert_eq!(err.kind(), "wildcard_in_topic_name");
}

#[test]
fn encode_errors() {
    let publish = |topic: &str, dup: bool| {
        Packet::Publish(Publish {
            dup,
            qos: QosPid::AtMostOnce,
            retain: false,
            topic: topic.into(),
            payload: Bytes::new(),
        })
    };
    let mut out = vec![0xAA];
    let e = encode(&publish("a/#", false), &mut out).unwrap_err();
    assert_eq!(e.kind(), "invalid_topic");
    assert_eq!(out, [0xAA], "nothing appended on error");
    assert_eq!(
        encode(&publish("", false), &mut out).unwrap_err().kind(),
        "invalid_topic"
    );
    assert_eq!(
        encode(&publish("a", true), &mut out).unwrap_err(),
        EncodeError::DupAtQos0
    );
    let long = "x".repeat(65_536);
    assert!(matches!(
        encode(&publish(&long, false), &mut out).unwrap_err(),
        EncodeError::InvalidTopic { .. }
    ));
    let e = encode(
        &Packet::Subscribe(Subscribe {
            packet_id: pid(1),
            filters: vec![],
        }),
        &mut out,
    )
    .unwrap_err();
    assert_eq!(
        e,
        EncodeError::NoTopicFilters {
            packet: PacketType::Subscribe
        }
    );
    let e = encode(
        &Packet::Connect(Connect {
            client_id: "c".into(),
            keep_alive: 0,
            clean_session: true,
            will: None,
            username: Some(long.clone()),
            password: None,
        }),
        &mut out,
    )
    .unwrap_err();
    assert_eq!(e.kind(), "field_too_long");
    assert!(e.to_string().contains("65536 bytes"), "{e}");
    let e = encode(
        &Packet::Connect(Connect {
            client_id: "c".into(),
            keep_alive: 0,
            clean_session: true,
            will: None,
            username: None,
            password: Some(Bytes::from_static(b"p")),
        }),
        &mut out,
    )
    .unwrap_err();
    assert_eq!(e, EncodeError::PasswordWithoutUsername);
    assert_eq!(out, [0xAA]);
}
