//! A PUBLISH over the session's size limit: shown as a "skipped" message,
//! acknowledged as usual (QoS 1 PUBACK, QoS 2 PUBREC/PUBREL/PUBCOMP with
//! redeliveries shown once), and the connection stays up. Any other packet
//! over the limit is still a protocol error.

mod session_support;

use mqtt_console::codec::{encode, Packet, Publish, QosPid, DEFAULT_MAX_PACKET_SIZE};
use mqtt_console::session::{ConnectionState, Event, InboundMessage};
use session_support::*;

const BIG: usize = 2_200_000;

fn big_publish(topic: &str, qos: QosPid, dup: bool, retain: bool, size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    encode(
        &Packet::Publish(Publish {
            dup,
            qos,
            retain,
            topic: topic.into(),
            payload: bytes::Bytes::from(vec![b'x'; size]),
        }),
        &mut out,
    )
    .unwrap();
    out
}

fn messages(events: &[Event]) -> Vec<InboundMessage> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

fn no_protocol_error(events: &[Event]) {
    for event in events {
        assert!(
            !matches!(
                event,
                Event::ProtocolError { .. } | Event::ConnectionLost { .. }
            ),
            "unexpected {event:?}"
        );
    }
}

#[test]
fn a_retained_message_over_the_limit_is_shown_as_skipped_and_the_connection_stays() {
    let mut h = Harness::with_defaults();
    h.establish(false);
    h.take_events();
    let bytes = big_publish("big/x", QosPid::AtMostOnce, false, true, BIG);
    // In uneven pieces, as frames arrive.
    for piece in bytes.chunks(300_001) {
        h.broker_bytes(piece);
    }
    h.broker(broker_publish("t/ok", QosPid::AtMostOnce, false, "after"));
    let events = h.take_events();
    no_protocol_error(&events);
    let shown = messages(&events);
    assert_eq!(shown.len(), 2);
    assert_eq!(shown[0].topic, "big/x");
    assert!(shown[0].retain);
    assert_eq!(shown[0].skipped, Some(BIG));
    assert_eq!(
        &shown[0].payload[..],
        b"skipped: 2.1 MB on big/x (over the 1 MiB limit)"
    );
    assert_eq!(shown[1].skipped, None);
    assert_eq!(&shown[1].payload[..], b"after");
    assert_eq!(h.session.state(), ConnectionState::Connected);
    assert_eq!(h.opens, vec![1], "no reconnect");
}

#[test]
fn a_qos1_message_over_the_limit_is_acknowledged() {
    let mut h = Harness::with_defaults();
    h.establish(false);
    h.take_events();
    h.take_sent();
    h.broker_bytes(&big_publish(
        "big/q1",
        QosPid::AtLeastOnce(pid(3)),
        false,
        false,
        BIG,
    ));
    let events = h.take_events();
    no_protocol_error(&events);
    assert_eq!(messages(&events)[0].skipped, Some(BIG));
    assert_eq!(h.take_sent(), vec![Packet::PubAck(pid(3))]);
}

#[test]
fn a_qos2_message_over_the_limit_completes_its_flow_and_a_redelivery_is_shown_once() {
    let mut h = Harness::with_defaults();
    h.establish(false);
    h.take_events();
    h.take_sent();
    let first = big_publish("big/q2", QosPid::ExactlyOnce(pid(8)), false, false, BIG);
    h.broker_bytes(&first);
    assert_eq!(h.take_sent(), vec![Packet::PubRec(pid(8))]);
    // The PUBREC was lost: the broker sends the PUBLISH again (DUP).
    let again = big_publish("big/q2", QosPid::ExactlyOnce(pid(8)), true, false, BIG);
    h.broker_bytes(&again);
    assert_eq!(h.take_sent(), vec![Packet::PubRec(pid(8))]);
    h.broker(Packet::PubRel(pid(8)));
    assert_eq!(h.take_sent(), vec![Packet::PubComp(pid(8))]);
    let events = h.take_events();
    no_protocol_error(&events);
    let shown = messages(&events);
    assert_eq!(shown.len(), 1, "shown once: {shown:?}");
    assert_eq!(shown[0].skipped, Some(BIG));
}

#[test]
fn a_message_just_within_the_limit_is_kept_whole() {
    let mut h = Harness::with_defaults();
    h.establish(false);
    h.take_events();
    // Fixed header 4 + topic 2 + 5 = 11 bytes of overhead.
    let payload = DEFAULT_MAX_PACKET_SIZE - 4 - 7;
    h.broker_bytes(&big_publish(
        "big/x",
        QosPid::AtMostOnce,
        false,
        false,
        payload,
    ));
    let shown = messages(&h.take_events());
    assert_eq!(shown[0].skipped, None);
    assert_eq!(shown[0].payload.len(), payload);
    h.broker_bytes(&big_publish(
        "big/x",
        QosPid::AtMostOnce,
        false,
        false,
        payload + 1,
    ));
    assert_eq!(messages(&h.take_events())[0].skipped, Some(payload + 1));
}

#[test]
fn any_other_packet_over_the_limit_is_still_a_protocol_error() {
    let mut h = Harness::with_defaults();
    h.establish(false);
    h.take_events();
    // A SUBACK announcing 268,435,455 bytes.
    h.broker_bytes(&[0x90, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x01]);
    let events = h.take_events();
    assert!(events.iter().any(|e| matches!(
        e,
        Event::ProtocolError { message } if message.contains("larger than this client's limit")
    )));
    assert!(matches!(
        h.session.state(),
        ConnectionState::WaitingToReconnect { .. }
    ));
}

#[test]
fn a_large_input_stops_being_read_once_the_connection_failed() {
    let mut h = Harness::with_defaults();
    h.establish(false);
    h.take_events();
    // An oversized SUBACK, then 10 MB more in the same "frame".
    let mut bytes = vec![0x90, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x01];
    bytes.resize(10_000_000, 0);
    h.broker_bytes(&bytes);
    assert!(!h.session.accepts_bytes());
    let errors = h
        .take_events()
        .into_iter()
        .filter(|e| matches!(e, Event::ProtocolError { .. }))
        .count();
    assert_eq!(errors, 1);
}

#[test]
fn a_url_the_browser_refuses_is_final_not_retried() {
    let mut h = Harness::with_defaults();
    h.session.connect(options(), h.instant());
    h.pump();
    h.take_events();
    h.session.handle_refused(
        "the browser refused to open the WebSocket: SecurityError: The port 1 is not allowed"
            .into(),
        h.instant(),
    );
    h.pump();
    let events = h.take_events();
    assert!(matches!(
        &events[0],
        Event::ConnectionLost { reason, .. } if reason.contains("port 1 is not allowed") && reason.contains("Retrying cannot fix this")
    ));
    assert_eq!(events[1], Event::Disconnected);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(h.session.state(), ConnectionState::Disconnected);
    assert_eq!(h.session.poll_timeout(), None, "no reconnect scheduled");
    h.advance(600_000);
    assert_eq!(h.opens, vec![1]);
}
