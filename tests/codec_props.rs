#![cfg(not(target_arch = "wasm32"))]
//! Property tests: round trips for arbitrary valid packets, strict prefixes
//! are incomplete, any chunking of a stream gives the same packets, and
//! arbitrary bytes never panic (and re-encode canonically when accepted).

use bytes::Bytes;
use mqtt_console::codec::*;
use proptest::prelude::*;

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

/// Any string without U+0000 (multi-byte characters included).
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>().prop_filter("no NUL", |c| *c != '\0'), 0..=max)
        .prop_map(|v| v.into_iter().collect())
}

/// A topic name: non-empty, no wildcards, no U+0000.
fn topic_name() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::collection::vec(
            any::<char>().prop_filter("topic char", |c| !matches!(c, '\0' | '+' | '#' | '/')),
            0..6,
        ),
        1..5,
    )
    .prop_map(|levels| {
        levels
            .into_iter()
            .map(|l| l.into_iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("/")
    })
    .prop_filter("non-empty", |t| !t.is_empty())
}

/// A topic filter: levels that are literal, '+', and maybe a final '#'.
fn topic_filter() -> impl Strategy<Value = String> {
    let level = prop_oneof![
        3 => "[a-z0-9$ é]{0,5}",
        1 => Just("+".to_string()),
    ];
    (proptest::collection::vec(level, 1..5), any::<bool>())
        .prop_map(|(mut levels, hash)| {
            if hash {
                levels.push("#".into());
            }
            levels.join("/")
        })
        .prop_filter("non-empty", |f| !f.is_empty())
}

fn payload() -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..300).prop_map(Bytes::from)
}

fn publish() -> impl Strategy<Value = Packet> {
    (
        prop_oneof![
            Just(None),
            (packet_id(), any::<bool>()).prop_map(|(id, two)| Some((id, two)))
        ],
        any::<bool>(),
        any::<bool>(),
        topic_name(),
        payload(),
    )
        .prop_map(|(q, dup, retain, topic, payload)| {
            let (qos, dup) = match q {
                None => (QosPid::AtMostOnce, false),
                Some((id, false)) => (QosPid::AtLeastOnce(id), dup),
                Some((id, true)) => (QosPid::ExactlyOnce(id), dup),
            };
            Packet::Publish(Publish {
                dup,
                qos,
                retain,
                topic,
                payload,
            })
        })
}

fn connect() -> impl Strategy<Value = Packet> {
    (
        text(23),
        any::<u16>(),
        any::<bool>(),
        proptest::option::of((topic_name(), payload(), qos(), any::<bool>())),
        proptest::option::of((text(12), proptest::option::of(payload()))),
    )
        .prop_map(|(client_id, keep_alive, clean, will, creds)| {
            let (username, password) = match creds {
                Some((u, p)) => (Some(u), p),
                None => (None, None),
            };
            Packet::Connect(Connect {
                clean_session: clean || client_id.is_empty(),
                client_id,
                keep_alive,
                will: will.map(|(topic, payload, qos, retain)| LastWill {
                    topic,
                    payload,
                    qos,
                    retain,
                }),
                username,
                password,
            })
        })
}

fn return_code() -> impl Strategy<Value = ConnectReturnCode> {
    (0u8..=5).prop_map(|c| ConnectReturnCode::from_u8(c).unwrap())
}

fn any_packet() -> impl Strategy<Value = Packet> {
    prop_oneof![
        4 => publish(),
        1 => connect(),
        1 => (return_code(), any::<bool>()).prop_map(|(code, sp)| Packet::ConnAck(ConnAck {
            session_present: sp && code == ConnectReturnCode::Accepted,
            code,
        })),
        1 => packet_id().prop_map(Packet::PubAck),
        1 => packet_id().prop_map(Packet::PubRec),
        1 => packet_id().prop_map(Packet::PubRel),
        1 => packet_id().prop_map(Packet::PubComp),
        1 => packet_id().prop_map(Packet::UnsubAck),
        1 => (packet_id(), proptest::collection::vec((topic_filter(), qos()), 1..5)).prop_map(
            |(packet_id, f)| Packet::Subscribe(Subscribe {
                packet_id,
                filters: f
                    .into_iter()
                    .map(|(filter, qos)| SubscribeFilter { filter, qos })
                    .collect(),
            })
        ),
        1 => (
            packet_id(),
            proptest::collection::vec(
                prop_oneof![
                    qos().prop_map(SubscribeReturnCode::Granted),
                    Just(SubscribeReturnCode::Failure)
                ],
                0..5
            )
        )
            .prop_map(|(packet_id, return_codes)| Packet::SubAck(SubAck {
                packet_id,
                return_codes
            })),
        1 => (packet_id(), proptest::collection::vec(topic_filter(), 1..5))
            .prop_map(|(packet_id, filters)| Packet::Unsubscribe(Unsubscribe {
                packet_id,
                filters
            })),
        1 => Just(Packet::PingReq),
        1 => Just(Packet::PingResp),
        1 => Just(Packet::Disconnect),
    ]
}

fn enc(p: &Packet) -> Vec<u8> {
    let mut out = Vec::new();
    encode(p, &mut out).unwrap_or_else(|e| panic!("cannot encode {p:?}: {e}"));
    out
}

/// Minimal Remaining Length encoding at the start of `bytes`?
fn canonical_header(bytes: &[u8]) -> bool {
    let mut i = 1;
    while i < bytes.len() && bytes[i] & 0x80 != 0 {
        i += 1;
    }
    // The last length byte may be 0 only if it is the only one.
    i == 1 || bytes.get(i).is_some_and(|&b| b != 0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn roundtrip(p in any_packet()) {
        let bytes = enc(&p);
        prop_assert_eq!(encoded_len(&p).unwrap(), bytes.len());
        prop_assert_eq!(decode(&bytes).unwrap(), Status::Complete((p.clone(), bytes.len())));
        let mut d = StreamDecoder::new(usize::MAX);
        d.feed(&bytes);
        prop_assert_eq!(d.next_packet().unwrap(), Some(p));
        prop_assert_eq!(d.next_packet().unwrap(), None);
        prop_assert_eq!(d.buffered_len(), 0);
    }

    #[test]
    fn every_strict_prefix_is_incomplete(p in any_packet()) {
        let bytes = enc(&p);
        let mut d = StreamDecoder::new(usize::MAX);
        for n in 0..bytes.len() {
            prop_assert_eq!(decode(&bytes[..n]).unwrap(), Status::Incomplete, "prefix {}", n);
            prop_assert_eq!(d.next_packet().unwrap(), None, "stream prefix {}", n);
            d.feed(&bytes[n..n + 1]);
        }
        prop_assert_eq!(d.next_packet().unwrap(), Some(p));
    }

    #[test]
    fn any_chunking_gives_the_same_packets(
        packets in proptest::collection::vec(any_packet(), 1..8),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let stream: Vec<u8> = packets.iter().flat_map(enc).collect();
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        cuts.push(0);
        cuts.push(stream.len());
        cuts.sort_unstable();
        let mut d = StreamDecoder::default();
        let mut got = Vec::new();
        for w in cuts.windows(2) {
            d.feed(&stream[w[0]..w[1]]);
            while let Some(p) = d.next_packet().unwrap() {
                got.push(p);
            }
        }
        prop_assert_eq!(got, packets);
        prop_assert_eq!(d.buffered_len(), 0);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_reencode_canonically(
        bytes in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        if let Ok(Status::Complete((p, used))) = decode(&bytes) {
            let again = enc(&p);
            if canonical_header(&bytes) {
                prop_assert_eq!(&again[..], &bytes[..used]);
            }
        }
    }

    #[test]
    fn mutated_valid_packets_never_panic(
        p in any_packet(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = enc(&p);
        for (i, b) in flips {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        let mut d = StreamDecoder::new(1024);
        d.feed(&bytes);
        while let Ok(Some(p)) = d.next_packet() {
            // Whatever decodes must encode again.
            enc(&p);
        }
        prop_assert!(d.buffered_len() <= bytes.len());
    }
}
