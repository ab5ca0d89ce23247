//! Session scenarios: QoS 0/1/2 in both directions, retries across
//! reconnects, packet ids, acknowledgements, offline queue and in-flight cap.

mod session_support;

use mqtt_console::codec::{Packet, PacketId, Publish, QoS, QosPid};
use mqtt_console::session::{
    ConnectionState, Event, InboundMessage, OutboundMessage, PublishId, SessionConfig, SessionError,
};
use session_support::*;

/// (topic, packet id, dup) of every PUBLISH in `packets`.
fn publishes(packets: &[Packet]) -> Vec<(String, Option<u16>, bool)> {
    packets
        .iter()
        .filter_map(|p| match p {
            Packet::Publish(p) => {
                Some((p.topic.clone(), p.qos.packet_id().map(PacketId::get), p.dup))
            }
            _ => None,
        })
        .collect()
}

fn acknowledged(events: &[Event]) -> Vec<PublishId> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::PublishAcknowledged { id, .. } => Some(*id),
            _ => None,
        })
        .collect()
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

#[test]
fn qos0_publish_is_sent_at_once_and_reported_sent() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    let id = h.publish(message("t/0", QoS::AtMostOnce));
    assert_eq!(publishes(&h.take_sent()), vec![("t/0".into(), None, false)]);
    assert_eq!(h.take_events(), vec![Event::PublishSent { id }]);
    assert_eq!(h.session.inflight_len(), 0);
}

#[test]
fn qos1_publish_is_inflight_until_puback() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    let id = h.publish(message("t/1", QoS::AtLeastOnce));
    let sent = h.take_sent();
    match &sent[..] {
        [Packet::Publish(p)] => {
            assert_eq!(p.qos, QosPid::AtLeastOnce(pid(1)));
            assert!(!p.dup);
            assert_eq!(&p.payload[..], b"payload for t/1");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(h.session.inflight_len(), 1);
    h.broker(Packet::PubAck(pid(1)));
    assert_eq!(h.session.inflight_len(), 0);
    assert_eq!(
        h.take_events(),
        vec![
            Event::PublishSent { id },
            Event::PublishAcknowledged { id, reason: None }
        ]
    );
}

#[test]
fn qos1_unacked_are_resent_with_dup_in_order_after_reconnect_with_session() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    let a = h.publish(message("a", QoS::AtLeastOnce));
    let b = h.publish(message("b", QoS::AtLeastOnce));
    let c = h.publish(message("c", QoS::AtLeastOnce));
    h.take_sent();
    h.broker(Packet::PubAck(pid(2))); // b done
    h.socket_closed(abnormal_close());
    assert_eq!(h.session.inflight_len(), 2);
    h.take_events();
    h.reconnect(true);
    assert_eq!(
        publishes(&h.take_sent()),
        vec![("a".into(), Some(1), true), ("c".into(), Some(3), true)],
        "same ids, DUP = 1, original order [MQTT-4.4.0-1]"
    );
    h.broker(Packet::PubAck(pid(3)));
    h.broker(Packet::PubAck(pid(1)));
    let events = h.take_events();
    assert_eq!(acknowledged(&events), vec![c, a]);
    assert!(!acknowledged(&events).contains(&b));
    assert_eq!(h.session.inflight_len(), 0);
}

#[test]
fn qos1_unacked_are_resent_even_when_the_broker_lost_the_session() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.publish(message("a", QoS::AtLeastOnce));
    h.publish(message("b", QoS::ExactlyOnce));
    h.take_sent();
    h.socket_closed(abnormal_close());
    h.reconnect(false);
    // At-least-once survives a broker that forgot us: resent, DUP = 1
    // because we cannot know whether the first copy arrived.
    assert_eq!(
        publishes(&h.take_sent()),
        vec![("a".into(), Some(1), true), ("b".into(), Some(2), true)]
    );
}

#[test]
fn qos2_outbound_full_flow() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    let id = h.publish(message("q2", QoS::ExactlyOnce));
    assert_eq!(
        publishes(&h.take_sent()),
        vec![("q2".into(), Some(1), false)]
    );
    h.broker(Packet::PubRec(pid(1)));
    assert_eq!(h.take_sent(), vec![Packet::PubRel(pid(1))]);
    assert_eq!(h.session.inflight_len(), 1, "still in flight until PUBCOMP");
    h.broker(Packet::PubComp(pid(1)));
    assert_eq!(h.session.inflight_len(), 0);
    assert_eq!(
        h.take_events(),
        vec![
            Event::PublishSent { id },
            Event::PublishAcknowledged { id, reason: None }
        ]
    );
}

#[test]
fn qos2_outbound_resends_publish_or_pubrel_after_reconnect() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    let first = h.publish(message("first", QoS::ExactlyOnce));
    let second = h.publish(message("second", QoS::ExactlyOnce));
    h.broker(Packet::PubRec(pid(1)));
    h.take_sent();
    h.socket_closed(abnormal_close());
    h.reconnect(true);
    let sent = h.take_sent();
    assert_eq!(sent[0], Packet::PubRel(pid(1)), "PUBREL again, not PUBLISH");
    assert_eq!(
        publishes(&sent[1..]),
        vec![("second".into(), Some(2), true)]
    );
    // A duplicate PUBREC just gets PUBREL again.
    h.broker(Packet::PubRec(pid(2)));
    h.broker(Packet::PubRec(pid(2)));
    assert_eq!(
        h.take_sent(),
        vec![Packet::PubRel(pid(2)), Packet::PubRel(pid(2))]
    );
    h.broker(Packet::PubComp(pid(2)));
    h.broker(Packet::PubComp(pid(1)));
    assert_eq!(acknowledged(&h.take_events()), vec![second, first]);
}

#[test]
fn qos2_inbound_is_delivered_exactly_once_across_a_reconnect() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    h.broker(broker_publish(
        "in",
        QosPid::ExactlyOnce(pid(7)),
        false,
        "once",
    ));
    assert_eq!(messages(&h.take_events()).len(), 1);
    assert_eq!(h.take_sent(), vec![Packet::PubRec(pid(7))]);
    // PUBREC lost with the connection; the broker redelivers after resume.
    h.socket_closed(abnormal_close());
    h.reconnect(true);
    h.take_events();
    h.broker(broker_publish(
        "in",
        QosPid::ExactlyOnce(pid(7)),
        true,
        "once",
    ));
    assert!(messages(&h.take_events()).is_empty(), "not delivered twice");
    assert_eq!(h.take_sent(), vec![Packet::PubRec(pid(7))]);
    h.broker(Packet::PubRel(pid(7)));
    assert_eq!(h.take_sent(), vec![Packet::PubComp(pid(7))]);
    // The id is free again: a new message with it is delivered.
    h.broker(broker_publish(
        "in",
        QosPid::ExactlyOnce(pid(7)),
        false,
        "next",
    ));
    let m = messages(&h.take_events());
    assert_eq!(m.len(), 1);
    assert_eq!(&m[0].payload[..], b"next");
}

#[test]
fn qos2_inbound_state_is_dropped_when_the_broker_lost_the_session() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.broker(broker_publish(
        "in",
        QosPid::ExactlyOnce(pid(7)),
        false,
        "old",
    ));
    h.socket_closed(abnormal_close());
    h.reconnect(false);
    h.take_events();
    // New session: id 7 is a new message.
    h.broker(broker_publish(
        "in",
        QosPid::ExactlyOnce(pid(7)),
        false,
        "new",
    ));
    assert_eq!(messages(&h.take_events()).len(), 1);
}

#[test]
fn pubrel_for_an_unknown_id_still_gets_pubcomp() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    h.broker(Packet::PubRel(pid(99)));
    assert_eq!(h.take_sent(), vec![Packet::PubComp(pid(99))]);
    assert!(h.take_events().is_empty());
}

#[test]
fn qos1_inbound_message_event_comes_with_puback_and_dup_marks_duplicates() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    h.broker(broker_publish(
        "s/1",
        QosPid::AtLeastOnce(pid(5)),
        false,
        "v1",
    ));
    let m = messages(&h.take_events());
    assert_eq!(m.len(), 1);
    assert!(!m[0].duplicate);
    assert_eq!(m[0].qos, QoS::AtLeastOnce);
    assert_eq!(h.take_sent(), vec![Packet::PubAck(pid(5))]);
    // PUBACK lost with the connection: the broker redelivers with DUP = 1.
    h.socket_closed(abnormal_close());
    h.reconnect(true);
    h.take_events();
    h.broker(broker_publish(
        "s/1",
        QosPid::AtLeastOnce(pid(5)),
        true,
        "v1",
    ));
    let m = messages(&h.take_events());
    assert_eq!(
        m.len(),
        1,
        "QoS 1 duplicates are still shown (at least once)"
    );
    assert!(m[0].duplicate, "but marked");
    // DUP = 1 for an id never seen is a first delivery for us.
    h.broker(broker_publish(
        "s/2",
        QosPid::AtLeastOnce(pid(6)),
        true,
        "v",
    ));
    assert!(!messages(&h.take_events())[0].duplicate);
    // DUP = 0 reusing id 5 is a new message.
    h.broker(broker_publish(
        "s/3",
        QosPid::AtLeastOnce(pid(5)),
        false,
        "v",
    ));
    assert!(!messages(&h.take_events())[0].duplicate);
}

#[test]
fn qos1_redelivery_without_dup_after_a_cut_is_still_marked() {
    // aedes 1.x redelivers unacknowledged QoS 1 messages with DUP = 0
    // (against [MQTT-3.3.1-1]); the same content under the same id, right
    // after the PUBACK died with the connection, is recognised anyway.
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.broker(broker_publish(
        "s/1",
        QosPid::AtLeastOnce(pid(7)),
        false,
        "v1",
    ));
    h.broker(broker_publish(
        "s/2",
        QosPid::AtLeastOnce(pid(8)),
        false,
        "v2",
    ));
    h.take_events();
    h.socket_closed(abnormal_close());
    h.reconnect(true);
    h.take_events();
    h.broker(broker_publish(
        "s/1",
        QosPid::AtLeastOnce(pid(7)),
        false,
        "v1",
    ));
    assert!(
        messages(&h.take_events())[0].duplicate,
        "same id, same content"
    );
    // Redelivered under a new id: recognised by content.
    h.broker(broker_publish(
        "s/2",
        QosPid::AtLeastOnce(pid(30)),
        false,
        "v2",
    ));
    assert!(
        messages(&h.take_events())[0].duplicate,
        "same content, new id"
    );
    // Id 8 reused for different content is a new message.
    h.broker(broker_publish(
        "s/9",
        QosPid::AtLeastOnce(pid(8)),
        false,
        "new",
    ));
    assert!(!messages(&h.take_events())[0].duplicate);
    // A second copy on the same connection is not a redelivery of a lost ack.
    h.broker(broker_publish(
        "s/1",
        QosPid::AtLeastOnce(pid(7)),
        false,
        "v1",
    ));
    assert!(!messages(&h.take_events())[0].duplicate);
    // A redelivery that is itself cut off is still recognised on the next
    // connection.
    h.broker(broker_publish(
        "s/4",
        QosPid::AtLeastOnce(pid(11)),
        false,
        "v4",
    ));
    h.take_events();
    h.socket_closed(abnormal_close());
    h.reconnect(true);
    h.socket_closed(abnormal_close());
    h.reconnect(true);
    h.take_events();
    h.broker(broker_publish(
        "s/4",
        QosPid::AtLeastOnce(pid(11)),
        false,
        "v4",
    ));
    assert!(
        messages(&h.take_events())[0].duplicate,
        "two connections later"
    );
    // A new session forgets everything.
    h.socket_closed(abnormal_close());
    h.reconnect(false);
    h.take_events();
    h.broker(broker_publish(
        "s/1",
        QosPid::AtLeastOnce(pid(7)),
        false,
        "v1",
    ));
    assert!(!messages(&h.take_events())[0].duplicate);
}

#[test]
fn qos0_inbound_message_fields() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    h.now += 1_234;
    h.broker(Packet::Publish(Publish {
        dup: false,
        qos: QosPid::AtMostOnce,
        retain: true,
        topic: "r".into(),
        payload: bytes::Bytes::from_static(b"\x00\xff"),
    }));
    assert_eq!(
        messages(&h.take_events()),
        vec![InboundMessage {
            topic: "r".into(),
            payload: bytes::Bytes::from_static(b"\x00\xff"),
            qos: QoS::AtMostOnce,
            retain: true,
            duplicate: false,
            // The time the bytes were handed in: one clock read serves all.
            received_at: h.instant(),
            skipped: None,
            properties: Default::default(),
            subscription_ids: Vec::new(),
        }]
    );
    assert!(h.take_sent().is_empty());
}

#[test]
fn packet_ids_wrap_from_65535_to_1_and_skip_ids_in_use() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    // Id 1 stays in flight the whole time.
    h.publish(message("held", QoS::AtLeastOnce));
    h.take_sent();
    for expected in 2..=u16::MAX {
        h.session
            .publish(message("x", QoS::AtLeastOnce), h.instant())
            .unwrap();
        h.pump();
        let sent = h.take_sent();
        let Packet::Publish(p) = &sent[0] else {
            panic!("{sent:?}")
        };
        let id = p.qos.packet_id().unwrap();
        assert_eq!(id.get(), expected);
        h.broker(Packet::PubAck(id));
        h.take_events();
    }
    // 65535 used; 1 is still in use, so the next is 2; never 0.
    h.publish(message("wrapped", QoS::AtLeastOnce));
    assert_eq!(
        publishes(&h.take_sent()),
        vec![("wrapped".into(), Some(2), false)]
    );
}

#[test]
fn subscribe_ids_and_publish_ids_share_the_space() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.publish(message("p", QoS::AtLeastOnce));
    h.subscribe(&[("s", QoS::AtMostOnce)]);
    h.publish(message("p", QoS::ExactlyOnce));
    let ids: Vec<u16> = h
        .take_sent()
        .iter()
        .map(|p| match p {
            Packet::Publish(p) => p.qos.packet_id().unwrap().get(),
            Packet::Subscribe(s) => s.packet_id.get(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, vec![1, 2, 3]);
}

#[test]
fn acks_out_of_order_complete_the_right_messages() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    let ids: Vec<PublishId> = ["a", "b", "c", "d"]
        .iter()
        .map(|t| h.publish(message(t, QoS::AtLeastOnce)))
        .collect();
    h.take_events();
    for packet_id in [3, 1, 4, 2] {
        h.broker(Packet::PubAck(pid(packet_id)));
    }
    assert_eq!(
        acknowledged(&h.take_events()),
        vec![ids[2], ids[0], ids[3], ids[1]]
    );
    assert_eq!(h.session.inflight_len(), 0);
}

#[test]
fn acks_for_unknown_ids_are_warnings_and_keep_the_connection() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.publish(message("q1", QoS::AtLeastOnce)); // id 1
    h.publish(message("q2", QoS::ExactlyOnce)); // id 2
    h.take_events();
    h.broker(Packet::PubAck(pid(42)));
    h.broker(Packet::PubRec(pid(43)));
    h.broker(Packet::PubComp(pid(44)));
    h.broker(Packet::PubAck(pid(2))); // wrong kind: QoS 2 message
    h.broker(Packet::PubComp(pid(2))); // before PUBREC
    h.broker(Packet::PubRec(pid(1))); // wrong kind: QoS 1 message
    h.broker(Packet::UnsubAck(pid(45)));
    let warnings = h.take_warnings();
    assert_eq!(warnings.len(), 7, "{warnings:?}");
    assert!(
        warnings[0].contains("PUBACK for packet id 42"),
        "{}",
        warnings[0]
    );
    assert!(warnings[3].contains("QoS 2"), "{}", warnings[3]);
    assert!(warnings[4].contains("before its PUBREC"), "{}", warnings[4]);
    assert_eq!(h.session.state(), ConnectionState::Connected);
    assert_eq!(h.closes, 0);
    assert_eq!(h.session.inflight_len(), 2);
    // A late duplicate PUBACK after completion is a warning too.
    h.broker(Packet::PubAck(pid(1)));
    h.broker(Packet::PubAck(pid(1)));
    assert_eq!(h.take_warnings().len(), 1);
}

#[test]
fn offline_publishes_are_queued_and_sent_in_order_after_connack() {
    let mut h = Harness::with_defaults();
    let a = h.publish(message("a", QoS::AtLeastOnce));
    let b = h.publish(message("b", QoS::AtMostOnce));
    let c = h.publish(message("c", QoS::ExactlyOnce));
    assert_eq!(h.session.queued_len(), 3);
    assert!(h.take_events().is_empty());
    h.connect_with(options());
    assert!(h.take_sent().is_empty(), "nothing before CONNACK");
    h.connack(false);
    assert_eq!(
        publishes(&h.take_sent()),
        vec![
            ("a".into(), Some(1), false),
            ("b".into(), None, false),
            ("c".into(), Some(2), false)
        ]
    );
    assert_eq!(h.session.queued_len(), 0);
    let sent: Vec<PublishId> = h
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::PublishSent { id } => Some(id),
            _ => None,
        })
        .collect();
    assert_eq!(sent, vec![a, b, c]);
}

#[test]
fn publishes_during_a_reconnect_wait_are_queued_behind_resends() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.publish(message("inflight", QoS::AtLeastOnce));
    h.socket_closed(abnormal_close());
    h.take_sent();
    h.publish(message("queued", QoS::AtLeastOnce));
    assert_eq!(h.session.queued_len(), 1);
    h.reconnect(true);
    assert_eq!(
        publishes(&h.take_sent()),
        vec![
            ("inflight".into(), Some(1), true),
            ("queued".into(), Some(2), false)
        ]
    );
}

#[test]
fn offline_queue_overflow_refuses_the_new_message_visibly() {
    let mut config = config();
    config.offline_queue_limit = 3;
    let mut h = Harness::new(config);
    for t in ["a", "b", "c"] {
        h.publish(message(t, QoS::AtLeastOnce));
    }
    let err = h
        .session
        .publish(message("d", QoS::AtLeastOnce), h.instant())
        .unwrap_err();
    assert_eq!(err, SessionError::QueueFull { limit: 3 });
    assert!(
        err.to_string().contains("3 messages are already waiting"),
        "{err}"
    );
    assert_eq!(h.session.queued_len(), 3);
    h.establish(true);
    // The first three went out untouched.
    assert_eq!(
        publishes(&h.take_sent())
            .iter()
            .map(|p| p.0.clone())
            .collect::<Vec<_>>(),
        vec!["a", "b", "c"]
    );
}

#[test]
fn qos0_while_offline_is_dropped_when_not_queued() {
    let mut config = config();
    config.queue_qos0_while_offline = false;
    let mut h = Harness::new(config);
    let id = h.publish(message("t", QoS::AtMostOnce));
    assert_eq!(h.session.queued_len(), 0);
    match &h.take_events()[..] {
        [Event::PublishDropped {
            id: dropped,
            reason,
        }] => {
            assert_eq!(*dropped, id);
            assert!(reason.contains("not connected"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // QoS 1 is still queued.
    h.publish(message("t", QoS::AtLeastOnce));
    assert_eq!(h.session.queued_len(), 1);
}

#[test]
fn inflight_cap_holds_messages_in_the_queue_in_order() {
    let mut config = config();
    config.max_inflight = 2;
    let mut h = Harness::new(config);
    h.establish(true);
    for t in ["1", "2", "3", "4", "5"] {
        h.publish(message(t, QoS::AtLeastOnce));
    }
    assert_eq!(h.session.inflight_len(), 2);
    assert_eq!(h.session.queued_len(), 3);
    assert_eq!(publishes(&h.take_sent()).len(), 2);
    // QoS 0 behind them waits too, to keep publish order.
    h.publish(message("6-qos0", QoS::AtMostOnce));
    assert!(h.take_sent().is_empty());
    h.broker(Packet::PubAck(pid(2)));
    assert_eq!(
        publishes(&h.take_sent()),
        vec![("3".into(), Some(3), false)]
    );
    h.broker(Packet::PubAck(pid(1)));
    h.broker(Packet::PubAck(pid(3)));
    assert_eq!(
        publishes(&h.take_sent()),
        vec![
            ("4".into(), Some(4), false),
            ("5".into(), Some(5), false),
            ("6-qos0".into(), None, false)
        ]
    );
    assert_eq!(h.session.queued_len(), 0);
}

#[test]
fn inflight_cap_default_is_100() {
    let mut h = Harness::new(SessionConfig::default());
    h.establish(true);
    for _ in 0..150 {
        h.publish(message("t", QoS::AtLeastOnce));
    }
    assert_eq!(h.session.inflight_len(), 100);
    assert_eq!(h.session.queued_len(), 50);
}

#[test]
fn invalid_topics_are_refused() {
    let mut h = Harness::with_defaults();
    for topic in ["", "a/+", "a/#", "nul\0"] {
        let err = h
            .session
            .publish(message(topic, QoS::AtMostOnce), h.instant())
            .unwrap_err();
        assert!(
            matches!(err, SessionError::InvalidTopic { .. }),
            "{topic:?}: {err}"
        );
    }
    assert_eq!(h.session.queued_len(), 0);
}

#[test]
fn messages_survive_a_user_disconnect_and_go_out_on_the_next_connect() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.publish(message("unacked", QoS::AtLeastOnce));
    h.session.disconnect(h.instant());
    h.pump();
    h.publish(message("later", QoS::AtLeastOnce));
    h.take_sent();
    h.establish(true);
    assert_eq!(
        publishes(&h.take_sent()),
        vec![
            ("unacked".into(), Some(1), true),
            ("later".into(), Some(2), false)
        ]
    );
}

#[test]
fn retain_flag_and_payload_are_sent_unchanged() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.publish(OutboundMessage {
        topic: "cfg".into(),
        payload: bytes::Bytes::from_static(&[0, 1, 2, 255]),
        qos: QoS::AtMostOnce,
        retain: true,
        properties: Default::default(),
    });
    match &h.take_sent()[..] {
        [Packet::Publish(p)] => {
            assert!(p.retain);
            assert_eq!(&p.payload[..], &[0, 1, 2, 255]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cancel_publish_stops_resends_and_frees_the_slot() {
    let mut config = config();
    config.max_inflight = 1;
    let mut h = Harness::new(config);
    h.establish(true);
    let stuck = h.publish(message("forbidden", QoS::AtLeastOnce));
    let waiting = h.publish(message("next", QoS::AtLeastOnce));
    let queued = h.publish(message("last", QoS::AtLeastOnce));
    h.take_sent();
    h.take_events();
    // The broker closes right after the PUBLISH, twice; the user gives up.
    h.socket_closed(abnormal_close());
    assert!(h.session.cancel_publish(queued, h.instant()));
    assert!(h.session.cancel_publish(stuck, h.instant()));
    assert!(!h.session.cancel_publish(stuck, h.instant()), "only once");
    h.pump();
    let dropped: Vec<PublishId> = h
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::PublishDropped { id, reason } => {
                assert_eq!(reason, "cancelled by the user");
                Some(id)
            }
            _ => None,
        })
        .collect();
    assert_eq!(dropped, vec![queued, stuck]);
    assert_eq!(h.session.inflight_len(), 0);
    assert_eq!(h.session.queued_len(), 1);
    h.reconnect(true);
    // Only the remaining message goes out, as a first transmission.
    assert_eq!(
        publishes(&h.take_sent()),
        vec![("next".into(), Some(2), false)]
    );
    let _ = waiting;
}
