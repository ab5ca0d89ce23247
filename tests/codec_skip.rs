#![cfg(not(target_arch = "wasm32"))]
//! A PUBLISH over the decoder's limit is counted off, not buffered, and
//! comes out of `next_item` as a `SkippedPublish`; any other oversized
//! packet stays a protocol error.

use bytes::Bytes;
use mqtt_console::codec::*;
use proptest::prelude::*;

const LIMIT: usize = 1024;

fn pid(n: u16) -> PacketId {
    PacketId::new(n).unwrap()
}

fn publish(topic: &str, qos: QosPid, retain: bool, payload: usize) -> Vec<u8> {
    let mut out = Vec::new();
    encode(
        &Packet::Publish(Publish {
            dup: false,
            qos,
            retain,
            topic: topic.into(),
            payload: Bytes::from(vec![0xAB; payload]),
        }),
        &mut out,
    )
    .unwrap();
    out
}

/// Feeds `stream` split at `cuts`, draining after each feed.
fn decode_all(stream: &[u8], cuts: &[usize]) -> (Vec<Decoded>, Option<DecodeError>, usize) {
    let mut d = StreamDecoder::new(LIMIT);
    let mut items = Vec::new();
    let mut most_held = 0;
    let mut at = 0;
    let mut ends: Vec<usize> = cuts.iter().map(|c| c % (stream.len() + 1)).collect();
    ends.push(stream.len());
    ends.sort_unstable();
    for end in ends {
        d.feed(&stream[at..end]);
        at = end;
        loop {
            match d.next_item() {
                Ok(Some(item)) => items.push(item),
                Ok(None) => break,
                Err(e) => return (items, Some(e), most_held),
            }
        }
        most_held = most_held.max(d.buffered_len());
    }
    (items, None, most_held)
}

fn expected_skip(topic: &str, qos: QosPid, retain: bool, payload_len: usize) -> Decoded {
    Decoded::Skipped(SkippedPublish {
        dup: false,
        qos,
        retain,
        topic: topic.into(),
        payload_len,
        limit: LIMIT,
    })
}

#[test]
fn an_oversized_publish_is_skipped_and_the_stream_goes_on() {
    let mut stream = publish("big/x", QosPid::AtLeastOnce(pid(7)), true, 5000);
    stream.extend(publish("t/ok", QosPid::AtMostOnce, false, 3));
    let (items, error, _) = decode_all(&stream, &[]);
    assert_eq!(error, None);
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0],
        expected_skip("big/x", QosPid::AtLeastOnce(pid(7)), true, 5000)
    );
    assert!(matches!(&items[1], Decoded::Packet(Packet::Publish(p)) if p.topic == "t/ok"));
}

#[test]
fn next_packet_still_refuses_an_oversized_publish() {
    let mut d = StreamDecoder::new(LIMIT);
    d.feed(&publish("big/x", QosPid::AtMostOnce, false, 5000));
    assert!(matches!(
        d.next_packet(),
        Err(DecodeError::PacketTooLarge { limit: LIMIT, .. })
    ));
}

#[test]
fn an_oversized_non_publish_is_still_refused_from_its_header() {
    // A SUBACK announcing 268,435,455 bytes: no valid SUBACK is that big.
    let mut d = StreamDecoder::new(LIMIT);
    d.feed(&[0x90, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x01]);
    let error = d.next_item().unwrap_err();
    assert_eq!(error.kind(), "packet_too_large");
    // Poisoned: stays failed, fed bytes are dropped.
    d.feed(&publish("t", QosPid::AtMostOnce, false, 1));
    assert_eq!(d.next_item().unwrap_err(), error);
    assert_eq!(d.buffered_len(), 0);
}

#[test]
fn the_largest_publish_the_protocol_allows_is_skipped_in_bounded_memory() {
    // Remaining Length 268,435,455, fed in 64 KiB chunks as the session
    // does: the decoder never holds more than one chunk.
    let mut d = StreamDecoder::new(DEFAULT_MAX_PACKET_SIZE);
    let topic = b"big/x";
    let mut head = vec![0x34, 0xff, 0xff, 0xff, 0x7f, 0x00, topic.len() as u8];
    head.extend_from_slice(topic);
    head.extend_from_slice(&[0x12, 0x34]);
    let payload_len = MAX_REMAINING_LENGTH - (2 + topic.len() + 2);
    let chunk = vec![0u8; 64 * 1024];
    d.feed(&head);
    assert_eq!(d.next_item().unwrap(), None);
    let mut left = payload_len;
    let mut most_capacity = 0;
    let mut item = None;
    while left > 0 {
        let n = left.min(chunk.len());
        d.feed(&chunk[..n]);
        left -= n;
        most_capacity = most_capacity.max(d.buffer_capacity());
        if let Some(found) = d.next_item().unwrap() {
            item = Some(found);
        }
    }
    assert!(
        most_capacity <= 128 * 1024,
        "decoder held {most_capacity} bytes while skipping"
    );
    match item {
        Some(Decoded::Skipped(s)) => {
            assert_eq!(s.payload_len, payload_len);
            assert_eq!(s.qos, QosPid::ExactlyOnce(pid(0x1234)));
            assert_eq!(s.topic, "big/x");
            assert!(!s.retain);
        }
        other => panic!("expected a skipped publish, got {other:?}"),
    }
    // The stream goes on after it.
    d.feed(&[0x40, 0x02, 0x00, 0x05]);
    assert_eq!(
        d.next_item().unwrap(),
        Some(Decoded::Packet(Packet::PubAck(pid(5))))
    );
}

#[test]
fn an_oversized_publish_with_a_bad_topic_is_refused_like_any_publish() {
    let mut bad = publish("a/b", QosPid::AtMostOnce, false, 5000);
    // "a/b" → "a/#": a wildcard in a topic name.
    let at = bad.windows(3).position(|w| w == b"a/b").unwrap();
    bad[at + 2] = b'#';
    let (items, error, _) = decode_all(&bad, &[]);
    assert!(items.is_empty());
    assert_eq!(error.unwrap().kind(), "wildcard_in_topic_name");
}

#[test]
fn a_topic_longer_than_a_tiny_packet_is_a_length_error() {
    // Limit 4: a 6-byte PUBLISH body claiming a 300-byte topic.
    let mut d = StreamDecoder::new(4);
    d.feed(&[0x30, 0x06, 0x01, 0x2c, b'a', b'b', b'c', b'd']);
    assert_eq!(d.next_item().unwrap_err().kind(), "length_exceeds_packet");
}

proptest! {
    /// Any chunking of a stream with skipped and kept packets gives the
    /// same items, and the decoder never holds more than the limit plus
    /// the variable header plus one feed.
    #[test]
    fn any_chunking_gives_the_same_items(
        cuts in proptest::collection::vec(any::<usize>(), 0..40),
        big in (LIMIT + 1)..(8 * LIMIT),
        qos in 0u8..3,
    ) {
        let qos = match qos {
            0 => QosPid::AtMostOnce,
            1 => QosPid::AtLeastOnce(pid(9)),
            _ => QosPid::ExactlyOnce(pid(9)),
        };
        let mut stream = publish("t/a", QosPid::AtMostOnce, false, 10);
        stream.extend(publish("big/é", qos, true, big));
        stream.extend([0x40, 0x02, 0x00, 0x09]);
        stream.extend(publish("big/2", QosPid::AtMostOnce, false, big));
        stream.extend(publish("t/b", QosPid::AtMostOnce, false, LIMIT - 10));
        let (whole, error, _) = decode_all(&stream, &[]);
        prop_assert_eq!(error, None);
        let (split, error, most_held) = decode_all(&stream, &cuts);
        prop_assert_eq!(error, None);
        prop_assert_eq!(&split, &whole);
        prop_assert_eq!(split.len(), 5);
        prop_assert_eq!(&split[1], &expected_skip("big/é", qos, true, big));
        prop_assert!(most_held < LIMIT, "held {} bytes after draining", most_held);
    }
}
