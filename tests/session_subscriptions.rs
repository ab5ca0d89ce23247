//! Session scenarios: SUBSCRIBE/UNSUBSCRIBE, per-filter SUBACK results,
//! protocol errors in SUBACK, and resubscribing after reconnects.

mod session_support;

use mqtt_console::codec::{Packet, QoS, SubscribeFilter, SubscribeReturnCode, Unsubscribe};
use mqtt_console::session::{
    ConnectionState, Event, SessionError, Subscription, SubscriptionStatus,
};
use session_support::*;

use SubscribeReturnCode::{Failure, Granted};

/// The filters of every SUBSCRIBE in `packets`, one Vec per packet.
fn subscribes(packets: &[Packet]) -> Vec<Vec<(String, QoS)>> {
    packets
        .iter()
        .filter_map(|p| match p {
            Packet::Subscribe(s) => Some(
                s.filters
                    .iter()
                    .map(|SubscribeFilter { filter, qos }| (filter.clone(), *qos))
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

fn results(events: &[Event]) -> Vec<(String, Result<QoS, String>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::SubscribeResult { filter, result, .. } => Some((filter.clone(), result.clone())),
            _ => None,
        })
        .collect()
}

fn status_of(h: &Harness, filter: &str) -> Option<SubscriptionStatus> {
    h.session
        .subscriptions()
        .iter()
        .find(|s| s.filter == filter)
        .map(|s| s.status)
}

#[test]
fn subscribe_reports_each_filter_and_remembers_grants() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    h.subscribe(&[("a/#", QoS::ExactlyOnce), ("b/+", QoS::AtMostOnce)]);
    let sent = h.take_sent();
    assert_eq!(
        subscribes(&sent),
        vec![vec![
            ("a/#".into(), QoS::ExactlyOnce),
            ("b/+".into(), QoS::AtMostOnce)
        ]]
    );
    assert_eq!(status_of(&h, "a/#"), Some(SubscriptionStatus::Pending));
    h.suback(
        pid(1),
        &[Granted(QoS::AtLeastOnce), Granted(QoS::AtMostOnce)],
    );
    assert_eq!(
        results(&h.take_events()),
        vec![
            ("a/#".into(), Ok(QoS::AtLeastOnce)),
            ("b/+".into(), Ok(QoS::AtMostOnce))
        ]
    );
    assert_eq!(
        h.session.subscriptions(),
        &[
            Subscription {
                filter: "a/#".into(),
                qos: QoS::ExactlyOnce,
                status: SubscriptionStatus::Granted(QoS::AtLeastOnce),
                options: Default::default(),
            },
            Subscription {
                filter: "b/+".into(),
                qos: QoS::AtMostOnce,
                status: SubscriptionStatus::Granted(QoS::AtMostOnce),
                options: Default::default(),
            }
        ]
    );
}

#[test]
fn suback_failure_0x80_is_a_per_filter_error_and_forgets_that_filter() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    h.subscribe(&[("ok", QoS::AtLeastOnce), ("forbidden/#", QoS::AtLeastOnce)]);
    h.suback(pid(1), &[Granted(QoS::AtLeastOnce), Failure]);
    let r = results(&h.take_events());
    assert_eq!(r[0], ("ok".into(), Ok(QoS::AtLeastOnce)));
    let err = r[1].1.clone().unwrap_err();
    assert_eq!(r[1].0, "forbidden/#");
    assert!(err.contains("broker refused"), "{err}");
    assert!(err.contains("0x80"), "{err}");
    assert_eq!(status_of(&h, "forbidden/#"), None);
    assert_eq!(h.session.state(), ConnectionState::Connected);
    // Not resubscribed later.
    h.socket_closed(abnormal_close());
    h.reconnect(false);
    assert_eq!(
        subscribes(&h.take_sent()),
        vec![vec![("ok".into(), QoS::AtLeastOnce)]]
    );
}

#[test]
fn suback_with_too_few_or_too_many_codes_is_a_protocol_error() {
    for codes in [
        vec![Granted(QoS::AtMostOnce)],
        vec![Granted(QoS::AtMostOnce); 3],
    ] {
        let mut h = Harness::with_defaults();
        h.establish(true);
        h.subscribe(&[("a", QoS::AtMostOnce), ("b", QoS::AtMostOnce)]);
        h.take_events();
        h.suback(pid(1), &codes);
        let events = h.take_events();
        match &events[..] {
            [Event::ProtocolError { message }, Event::ConnectionLost { .. }, Event::ReconnectScheduled { .. }] =>
            {
                assert!(
                    message.contains(&format!("{} return code(s) for 2 filter(s)", codes.len())),
                    "{message}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(h.closes, 1);
        // Still wanted: subscribed again on the new connection, even though
        // the broker kept the session (the SUBACK never settled them).
        h.reconnect(true);
        assert_eq!(
            subscribes(&h.take_sent()),
            vec![vec![
                ("a".into(), QoS::AtMostOnce),
                ("b".into(), QoS::AtMostOnce)
            ]]
        );
    }
}

#[test]
fn suback_for_an_unknown_id_is_a_warning() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    h.suback(pid(77), &[Granted(QoS::AtMostOnce)]);
    let warnings = h.take_warnings();
    assert!(
        warnings[0].contains("SUBACK for packet id 77"),
        "{warnings:?}"
    );
    assert_eq!(h.session.state(), ConnectionState::Connected);
}

#[test]
fn resubscribes_everything_when_the_broker_lost_the_session() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.subscribe(&[("a", QoS::AtLeastOnce)]);
    h.subscribe(&[("b/#", QoS::AtMostOnce)]);
    h.suback(pid(1), &[Granted(QoS::AtLeastOnce)]);
    h.suback(pid(2), &[Granted(QoS::AtMostOnce)]);
    h.socket_closed(abnormal_close());
    h.reconnect(false);
    assert_eq!(status_of(&h, "a"), Some(SubscriptionStatus::Pending));
    let sent = h.take_sent();
    assert_eq!(
        subscribes(&sent),
        vec![vec![
            ("a".into(), QoS::AtLeastOnce),
            ("b/#".into(), QoS::AtMostOnce)
        ]]
    );
    let Packet::Subscribe(s) = &sent[0] else {
        unreachable!()
    };
    h.suback(
        s.packet_id,
        &[Granted(QoS::AtLeastOnce), Granted(QoS::AtMostOnce)],
    );
    assert_eq!(
        status_of(&h, "a"),
        Some(SubscriptionStatus::Granted(QoS::AtLeastOnce))
    );
}

#[test]
fn keeps_subscriptions_without_resubscribing_when_the_session_is_present() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.subscribe(&[("a", QoS::AtLeastOnce)]);
    h.suback(pid(1), &[Granted(QoS::AtLeastOnce)]);
    h.socket_closed(abnormal_close());
    h.reconnect(true);
    assert!(subscribes(&h.take_sent()).is_empty());
    assert_eq!(
        status_of(&h, "a"),
        Some(SubscriptionStatus::Granted(QoS::AtLeastOnce))
    );
}

#[test]
fn subscribe_while_offline_is_sent_after_connack_even_with_a_session() {
    let mut h = Harness::with_defaults();
    h.subscribe(&[("early", QoS::AtLeastOnce)]);
    assert!(h.opens.is_empty());
    assert_eq!(status_of(&h, "early"), Some(SubscriptionStatus::Pending));
    h.establish(true);
    assert_eq!(
        subscribes(&h.take_sent()),
        vec![vec![("early".into(), QoS::AtLeastOnce)]]
    );
}

#[test]
fn subscribe_in_flight_when_the_connection_drops_is_sent_again() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.subscribe(&[("a", QoS::AtLeastOnce)]);
    h.socket_closed(abnormal_close());
    h.reconnect(true);
    let sent = h.take_sent();
    assert_eq!(
        subscribes(&sent),
        vec![vec![("a".into(), QoS::AtLeastOnce)]]
    );
    // The old packet id was released and reused.
    let Packet::Subscribe(s) = &sent[0] else {
        unreachable!()
    };
    assert_eq!(s.packet_id, pid(2));
    // A late SUBACK for the old id is only a warning.
    h.suback(pid(1), &[Granted(QoS::AtLeastOnce)]);
    assert_eq!(h.take_warnings().len(), 1);
}

#[test]
fn more_than_eight_filters_are_split_into_several_subscribes() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    let filters: Vec<String> = (0..19).map(|i| format!("f/{i}")).collect();
    let with_qos: Vec<(&str, QoS)> = filters
        .iter()
        .map(|f| (f.as_str(), QoS::AtMostOnce))
        .collect();
    h.subscribe(&with_qos);
    let sizes: Vec<usize> = subscribes(&h.take_sent()).iter().map(Vec::len).collect();
    assert_eq!(sizes, vec![8, 8, 3]);
}

#[test]
fn resubscribing_an_existing_filter_updates_its_qos() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.subscribe(&[("a", QoS::AtMostOnce)]);
    h.suback(pid(1), &[Granted(QoS::AtMostOnce)]);
    h.subscribe(&[("a", QoS::ExactlyOnce)]);
    assert_eq!(h.session.subscriptions().len(), 1);
    assert_eq!(h.session.subscriptions()[0].qos, QoS::ExactlyOnce);
    assert_eq!(status_of(&h, "a"), Some(SubscriptionStatus::Pending));
}

#[test]
fn unsubscribe_forgets_and_reports_after_unsuback() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.subscribe(&[("a", QoS::AtMostOnce), ("b", QoS::AtMostOnce)]);
    h.suback(pid(1), &[Granted(QoS::AtMostOnce); 2]);
    h.take_sent();
    h.take_events();
    h.session
        .unsubscribe(vec!["a".into()], h.instant())
        .unwrap();
    h.pump();
    assert_eq!(
        h.take_sent(),
        vec![Packet::Unsubscribe(Unsubscribe {
            packet_id: pid(2),
            filters: vec!["a".into()]
        })]
    );
    assert_eq!(status_of(&h, "a"), None);
    assert!(h.take_events().is_empty());
    h.broker(Packet::UnsubAck(pid(2)));
    assert_eq!(
        h.take_events(),
        vec![Event::Unsubscribed {
            filter: "a".into(),
            reason: None
        }]
    );
    // Not resubscribed after a session loss.
    h.socket_closed(abnormal_close());
    h.reconnect(false);
    assert_eq!(
        subscribes(&h.take_sent()),
        vec![vec![("b".into(), QoS::AtMostOnce)]]
    );
}

#[test]
fn unsubscribe_while_offline_is_sent_only_if_the_broker_kept_the_session() {
    // Session kept: the broker still has the subscription, so UNSUBSCRIBE.
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.subscribe(&[("a", QoS::AtMostOnce)]);
    h.suback(pid(1), &[Granted(QoS::AtMostOnce)]);
    h.socket_closed(abnormal_close());
    h.session
        .unsubscribe(vec!["a".into()], h.instant())
        .unwrap();
    h.reconnect(true);
    let sent = h.take_sent();
    assert!(
        matches!(&sent[..], [Packet::Unsubscribe(u)] if u.filters == vec!["a".to_string()]),
        "{sent:?}"
    );

    // Session lost: nothing to remove; reported at CONNACK.
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.subscribe(&[("a", QoS::AtMostOnce)]);
    h.suback(pid(1), &[Granted(QoS::AtMostOnce)]);
    h.socket_closed(abnormal_close());
    h.session
        .unsubscribe(vec!["a".into()], h.instant())
        .unwrap();
    h.take_events();
    h.reconnect(false);
    assert!(h.take_sent().is_empty());
    assert!(h.take_events().contains(&Event::Unsubscribed {
        filter: "a".into(),
        reason: None
    }));
}

#[test]
fn invalid_filters_refuse_the_whole_call() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    let err = h
        .session
        .subscribe(
            vec![
                ("ok".into(), QoS::AtMostOnce),
                ("bad#".into(), QoS::AtMostOnce),
            ],
            h.instant(),
        )
        .unwrap_err();
    assert!(
        matches!(&err, SessionError::InvalidFilter { filter, .. } if filter == "bad#"),
        "{err}"
    );
    assert!(err.to_string().contains("'#'"), "{err}");
    assert!(h.session.subscriptions().is_empty());
    assert_eq!(
        h.session.subscribe(vec![], h.instant()),
        Err(SessionError::NoFilters)
    );
    assert_eq!(
        h.session
            .unsubscribe(vec!["a/+b".into()], h.instant())
            .map_err(|e| matches!(e, SessionError::InvalidFilter { .. })),
        Err(true)
    );
    h.pump();
    assert!(h.take_sent().is_empty());
}
