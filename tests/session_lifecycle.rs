//! Session scenarios: connecting, CONNACK refusals, timeouts, keepalive,
//! backoff, disconnects and connection-loss explanations.

mod session_support;

use std::time::Duration;

use bytes::Bytes;
use mqtt_console::codec::{
    ConnAck, ConnectReturnCode, LastWill, Packet, QoS, QosPid, SubscribeReturnCode,
};
use mqtt_console::session::{
    CloseInfo, ConnectOptions, ConnectionState, Event, Jitter, SessionConfig,
};
use mqtt_console::time::Instant;
use session_support::*;

fn refused(code: ConnectReturnCode) -> Packet {
    Packet::ConnAck(ConnAck {
        session_present: false,
        code,
    })
}

#[test]
fn connect_emits_open_then_sends_connect_built_from_options() {
    let mut h = Harness::with_defaults();
    let options = ConnectOptions {
        client_id: "dev-1".into(),
        keep_alive_secs: 30,
        clean_session: true,
        username: Some("user".into()),
        password: Some(Bytes::from_static(b"secret")),
        will: Some(LastWill {
            topic: "dev-1/status".into(),
            payload: Bytes::from_static(b"offline"),
            qos: QoS::AtLeastOnce,
            retain: true,
        }),
        ..ConnectOptions::default()
    };
    h.session.connect(options, h.instant());
    h.pump();
    assert_eq!(h.opens, vec![1]);
    assert_eq!(
        h.session.state(),
        ConnectionState::Connecting { attempt: 1 }
    );
    assert_eq!(h.take_events(), vec![Event::Connecting { attempt: 1 }]);
    assert!(
        h.take_sent().is_empty(),
        "nothing is sent before the socket opens"
    );

    h.open();
    match h.take_sent().as_slice() {
        [Packet::Connect(c)] => {
            assert_eq!(c.client_id, "dev-1");
            assert_eq!(c.keep_alive, 30);
            assert!(c.clean_session);
            assert_eq!(c.username.as_deref(), Some("user"));
            assert_eq!(c.password.as_deref(), Some(&b"secret"[..]));
            assert_eq!(c.will.as_ref().unwrap().topic, "dev-1/status");
        }
        other => panic!("expected CONNECT, got {other:?}"),
    }
    h.connack(false);
    assert_eq!(h.session.state(), ConnectionState::Connected);
    assert_eq!(
        h.take_events(),
        vec![Event::Connected {
            session_present: false,
            negotiated: None,
        }]
    );
}

#[test]
fn invalid_connect_options_are_refused_with_a_warning() {
    let mut h = Harness::with_defaults();
    let mut bad = options();
    bad.username = None;
    bad.password = Some(Bytes::from_static(b"pw"));
    assert!(bad.validate().is_err());
    h.session.connect(bad, h.instant());
    h.pump();
    assert!(h.opens.is_empty());
    let warnings = h.take_warnings();
    assert!(
        warnings[0].contains("password only together with a user name"),
        "{warnings:?}"
    );
    assert_eq!(h.session.state(), ConnectionState::Disconnected);
}

#[test]
fn connect_timeout_without_connack_closes_and_schedules_retry() {
    let mut h = Harness::with_defaults();
    h.connect_with(options());
    h.take_events();
    // 10 s default: nothing at 9.999 s.
    h.advance(9_999);
    assert_eq!(h.closes, 0);
    h.advance(1);
    assert_eq!(h.closes, 1);
    let events = h.take_events();
    match &events[..] {
        [Event::ConnectionLost {
            reason,
            last_operation,
        }, Event::ReconnectScheduled {
            attempt: 2, delay, ..
        }] => {
            assert!(reason.contains("no CONNACK within 10 s"), "{reason}");
            // The socket stayed silent after CONNECT for 10 s: beyond the
            // 2 s window, so CONNECT is not blamed.
            assert_eq!(*last_operation, None);
            assert_eq!(*delay, Duration::from_secs(1));
        }
        other => panic!("unexpected events {other:?}"),
    }
    assert_eq!(
        h.session.state(),
        ConnectionState::WaitingToReconnect {
            attempt: 2,
            at: Instant::from_millis(11_000)
        }
    );
    h.advance(1_000);
    assert_eq!(h.opens, vec![1, 2]);
    assert_eq!(h.take_events(), vec![Event::Connecting { attempt: 2 }]);
}

#[test]
fn connect_timeout_also_covers_a_socket_that_never_opens() {
    let mut h = Harness::with_defaults();
    h.session.connect(options(), h.instant());
    h.pump();
    h.take_events();
    h.advance(10_000);
    assert_eq!(h.closes, 1);
    match &h.take_events()[..] {
        [Event::ConnectionLost { reason, .. }, Event::ReconnectScheduled { .. }] => {
            assert!(reason.contains("did not open"), "{reason}")
        }
        other => panic!("unexpected events {other:?}"),
    }
}

#[test]
fn connack_not_authorized_explains_and_stops_without_retry() {
    let mut h = Harness::with_defaults();
    h.connect_with(options());
    h.take_events();
    h.broker(refused(ConnectReturnCode::NotAuthorized));
    assert_eq!(h.closes, 1);
    match &h.take_events()[..] {
        [Event::ConnectionRefused {
            code,
            explanation,
            reason: None,
        }] => {
            assert_eq!(*code, ConnectReturnCode::NotAuthorized);
            assert!(explanation.contains("not authorized"), "{explanation}");
            assert!(explanation.contains("policy"), "{explanation}");
            assert!(explanation.contains("client id"), "{explanation}");
        }
        other => panic!("unexpected events {other:?}"),
    }
    assert_eq!(h.session.state(), ConnectionState::Disconnected);
    assert_eq!(h.session.poll_timeout(), None);
    h.advance(600_000);
    assert_eq!(h.opens, vec![1], "no retry without the user");
}

#[test]
fn connack_refusals_other_than_server_unavailable_do_not_retry() {
    for code in [
        ConnectReturnCode::UnacceptableProtocolVersion,
        ConnectReturnCode::IdentifierRejected,
        ConnectReturnCode::BadUserNameOrPassword,
        ConnectReturnCode::NotAuthorized,
    ] {
        let mut h = Harness::with_defaults();
        h.connect_with(options());
        h.broker(refused(code));
        let events = h.take_events();
        let explanation = events
            .iter()
            .find_map(|e| match e {
                Event::ConnectionRefused { explanation, .. } => Some(explanation.clone()),
                _ => None,
            })
            .expect("ConnectionRefused");
        assert!(
            explanation.contains(&format!("(code {})", code as u8)),
            "{explanation}"
        );
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, Event::ReconnectScheduled { .. })),
            "{code:?} must not retry"
        );
        assert_eq!(h.session.state(), ConnectionState::Disconnected);
    }
}

#[test]
fn connack_server_unavailable_retries_with_backoff() {
    let mut h = Harness::with_defaults();
    h.connect_with(options());
    h.take_events();
    h.broker(refused(ConnectReturnCode::ServerUnavailable));
    let events = h.take_events();
    assert!(matches!(
        events[0],
        Event::ConnectionRefused {
            code: ConnectReturnCode::ServerUnavailable,
            ..
        }
    ));
    assert!(matches!(
        events[1],
        Event::ReconnectScheduled { attempt: 2, .. }
    ));
    h.advance(1_000);
    assert_eq!(h.opens, vec![1, 2]);
}

#[test]
fn user_connect_after_a_refusal_starts_again_at_attempt_one() {
    let mut h = Harness::with_defaults();
    h.connect_with(options());
    h.broker(refused(ConnectReturnCode::BadUserNameOrPassword));
    h.establish(false);
    assert_eq!(h.opens, vec![1, 1]);
}

/// Fails the current attempt by closing the socket before it opens and
/// returns the scheduled delay.
fn fail_attempt(h: &mut Harness) -> Duration {
    h.take_events();
    h.session.handle_close(
        CloseInfo {
            code: 1006,
            reason: String::new(),
            was_open: false,
        },
        h.instant(),
    );
    h.pump();
    h.scheduled_delay()
}

#[test]
fn backoff_without_jitter_doubles_from_1s_to_120s() {
    let mut h = Harness::with_defaults();
    h.session.connect(options(), h.instant());
    h.pump();
    let mut delays = Vec::new();
    for _ in 0..10 {
        let delay = fail_attempt(&mut h);
        delays.push(delay.as_secs());
        h.advance(delay.as_millis() as u64);
    }
    assert_eq!(delays, vec![1, 2, 4, 8, 16, 32, 64, 120, 120, 120]);
    assert_eq!(h.opens, (1..=11).collect::<Vec<u32>>());
}

#[test]
fn backoff_full_jitter_stays_within_bounds_and_is_seeded() {
    let run = |seed: u64| {
        let mut config = SessionConfig::default();
        assert_eq!(config.backoff.jitter, Jitter::Full);
        config.random_seed = seed;
        let mut h = Harness::new(config);
        h.session.connect(options(), h.instant());
        h.pump();
        let mut delays = Vec::new();
        for failures in 1..=12u32 {
            let delay = fail_attempt(&mut h);
            let ceiling = Duration::from_secs((1u64 << (failures - 1)).min(120));
            assert!(
                delay <= ceiling,
                "failure {failures}: {delay:?} > {ceiling:?}"
            );
            delays.push(delay);
            h.advance(delay.as_millis() as u64);
        }
        delays
    };
    let a = run(1);
    assert_eq!(a, run(1), "same seed, same delays");
    assert_ne!(a, run(2), "another seed, other delays");
    // Jitter actually spreads the late delays (not all at the ceiling).
    assert!(
        a[8..].iter().any(|d| *d < Duration::from_secs(119)),
        "{a:?}"
    );
}

#[test]
fn backoff_decorrelated_jitter_never_below_initial() {
    let mut config = SessionConfig::default();
    config.backoff.jitter = Jitter::Decorrelated;
    let mut h = Harness::new(config);
    h.session.connect(options(), h.instant());
    h.pump();
    let mut previous = Duration::from_secs(1);
    for _ in 0..20 {
        let delay = fail_attempt(&mut h);
        assert!(delay >= Duration::from_secs(1), "{delay:?}");
        assert!(
            delay <= (previous * 3).min(Duration::from_secs(120)),
            "{delay:?}"
        );
        previous = delay;
        h.advance(delay.as_millis() as u64);
    }
}

#[test]
fn backoff_resets_after_the_connection_stays_up_30s() {
    let mut h = Harness::with_defaults();
    h.session.connect(options(), h.instant());
    h.pump();
    for _ in 0..3 {
        let d = fail_attempt(&mut h);
        h.advance(d.as_millis() as u64);
    }
    // Attempt 4 succeeds and is lost after 29.9 s: no reset, 8 s next.
    h.open();
    h.connack(true);
    h.advance(29_900);
    h.take_events();
    h.socket_closed(abnormal_close());
    let events = h.take_events();
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::ReconnectScheduled { attempt: 5, delay, .. } if *delay == Duration::from_secs(8)
        )),
        "{events:?}"
    );
    // Attempt 5 succeeds and stays up 30 s: the next loss starts at 1 s.
    h.reconnect(true);
    h.advance(30_000);
    h.take_events();
    h.socket_closed(abnormal_close());
    let events = h.take_events();
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::ReconnectScheduled { attempt: 2, delay, .. } if *delay == Duration::from_secs(1)
        )),
        "{events:?}"
    );
}

#[test]
fn disconnect_sends_disconnect_then_close_and_never_reconnects() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    h.log.clear();
    h.session.disconnect(h.instant());
    h.pump();
    assert_eq!(h.log, vec!["send DISCONNECT", "close"]);
    // Done at once: the driver drops the socket on Close.
    assert_eq!(h.take_events(), vec![Event::Disconnected]);
    assert_eq!(h.session.state(), ConnectionState::Disconnected);
    assert_eq!(h.session.poll_timeout(), None);
    h.advance(3_600_000);
    assert_eq!(h.opens, vec![1]);
    // Late input from the old socket changes nothing.
    h.session.handle_close(abnormal_close(), h.instant());
    h.session.handle_bytes(&[0xd0, 0x00], h.instant());
    h.session.handle_timeout(h.instant());
    h.pump();
    assert!(h.take_events().is_empty());
    assert_eq!(h.opens, vec![1]);
}

#[test]
fn disconnect_cancels_a_pending_reconnect() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.socket_closed(abnormal_close());
    assert!(matches!(
        h.session.state(),
        ConnectionState::WaitingToReconnect { .. }
    ));
    h.take_events();
    h.session.disconnect(h.instant());
    h.pump();
    assert_eq!(h.take_events(), vec![Event::Disconnected]);
    assert_eq!(h.session.state(), ConnectionState::Disconnected);
    assert_eq!(h.session.poll_timeout(), None);
    h.advance(1_000_000);
    assert_eq!(h.opens, vec![1]);
    // connect() starts again.
    h.establish(true);
    assert_eq!(h.opens, vec![1, 1]);
}

#[test]
fn disconnect_while_connecting_closes_the_socket() {
    let mut h = Harness::with_defaults();
    h.connect_with(options());
    h.take_events();
    h.session.disconnect(h.instant());
    h.pump();
    assert_eq!(h.closes, 1);
    assert!(h.take_sent().is_empty(), "no DISCONNECT before CONNACK");
    assert_eq!(h.take_events(), vec![Event::Disconnected]);
    // A close report or CONNACK from the old socket is ignored.
    h.socket_closed(abnormal_close());
    assert!(h.take_events().is_empty());
    h.connack(false);
    assert_eq!(h.session.state(), ConnectionState::Disconnected);
}

#[test]
fn connect_while_connected_restarts_cleanly() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.log.clear();
    let mut other = options();
    other.client_id = "second".into();
    h.session.connect(other, h.instant());
    h.pump();
    assert_eq!(h.log, vec!["send DISCONNECT", "close", "open 1"]);
    h.open();
    match h.take_sent().as_slice() {
        [Packet::Disconnect, Packet::Connect(c)] => assert_eq!(c.client_id, "second"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn auto_reconnect_off_stops_after_a_loss() {
    let mut config = config();
    config.auto_reconnect = false;
    let mut h = Harness::new(config);
    h.establish(true);
    h.take_events();
    h.socket_closed(abnormal_close());
    let events = h.take_events();
    assert!(
        matches!(events[..], [Event::ConnectionLost { .. }]),
        "{events:?}"
    );
    assert_eq!(h.session.state(), ConnectionState::Disconnected);
    assert_eq!(h.session.poll_timeout(), None);
}

#[test]
fn keepalive_sends_pingreq_after_the_interval_of_silence() {
    let mut h = Harness::with_defaults();
    let mut o = options();
    o.keep_alive_secs = 10;
    h.connect_with(o);
    h.connack(true);
    // The interval counts from CONNECT (sent at t = 0).
    assert_eq!(h.session.poll_timeout(), Some(Instant::from_millis(10_000)));
    h.advance(9_999);
    assert!(h.take_sent().is_empty());
    h.advance(1);
    assert_eq!(h.take_sent(), vec![Packet::PingReq]);
    h.broker(Packet::PingResp);
    // Next one 10 s after the PINGREQ.
    h.advance(9_999);
    assert!(h.take_sent().is_empty());
    h.advance(1);
    assert_eq!(h.take_sent(), vec![Packet::PingReq]);
}

#[test]
fn keepalive_pingreq_is_postponed_by_sending_but_not_only_by_receiving() {
    let mut h = Harness::with_defaults();
    let mut o = options();
    o.keep_alive_secs = 10;
    h.connect_with(o);
    h.connack(true);
    // Sent at 8 s, received at 9 s: the PINGREQ is due K after the older
    // of the two, at 18 s. (Only receiving would not postpone it past 10 s
    // after the last send; only sending not past 10 s after the last
    // receipt, which catches half-open sockets while publishing.)
    h.advance(8_000);
    h.publish(message("t", QoS::AtMostOnce));
    h.advance(1_000);
    h.broker(broker_publish("in", QosPid::AtMostOnce, false, "x"));
    h.take_sent();
    h.advance(8_999);
    assert!(h.take_sent().is_empty());
    h.advance(1);
    assert_eq!(h.take_sent(), vec![Packet::PingReq]);
}

/// Dead-connection detection: with keepalive K the PINGREQ goes out at K
/// after the last traffic and the connection is declared dead
/// `min(K/2, 10 s)` later when nothing at all arrives: at 1.5 K for
/// K = 10 s (15 s) and at K + 10 s for K = 60 s (70 s ≈ 1.17 K).
#[test]
fn dead_connection_is_detected_k_plus_min_half_k_10s_after_last_traffic() {
    for (k, expected_ms) in [(10u16, 15_000u64), (60, 70_000), (1, 1_500)] {
        let mut h = Harness::with_defaults();
        let mut o = options();
        o.keep_alive_secs = k;
        h.connect_with(o);
        h.connack(true);
        h.take_events();
        h.advance(expected_ms - 1);
        assert_eq!(h.take_sent(), vec![Packet::PingReq], "K = {k}");
        assert_eq!(
            h.closes,
            0,
            "K = {k}: still alive at {} ms",
            expected_ms - 1
        );
        h.advance(1);
        assert_eq!(h.closes, 1, "K = {k}: dead at {expected_ms} ms");
        let events = h.take_events();
        match &events[..] {
            [Event::ConnectionLost { reason, .. }, Event::ReconnectScheduled { .. }] => {
                assert!(reason.contains("connection is dead"), "{reason}");
                assert!(reason.contains(&format!("keepalive {k} s")), "{reason}");
            }
            other => panic!("K = {k}: {other:?}"),
        }
    }
}

#[test]
fn any_packet_after_pingreq_proves_the_link_alive() {
    let mut h = Harness::with_defaults();
    let mut o = options();
    o.keep_alive_secs = 10;
    h.connect_with(o);
    h.connack(true);
    h.advance(10_000);
    assert_eq!(h.take_sent(), vec![Packet::PingReq]);
    h.advance(4_000);
    // A PUBLISH instead of PINGRESP still counts.
    h.broker(broker_publish("t", QosPid::AtMostOnce, false, "x"));
    h.advance(2_000);
    assert_eq!(h.closes, 0);
    assert_eq!(h.session.state(), ConnectionState::Connected);
}

#[test]
fn pingresp_keeps_the_connection_up_for_hours() {
    let mut h = Harness::with_defaults();
    let mut o = options();
    o.keep_alive_secs = 30;
    h.connect_with(o);
    h.connack(true);
    let mut last_ping = 0;
    for _ in 0..240 {
        let at = h.fire_next_timeout();
        assert_eq!(h.take_sent(), vec![Packet::PingReq]);
        assert_eq!(at - last_ping, 30_000, "one PINGREQ per keepalive interval");
        last_ping = at;
        h.advance(50);
        h.broker(Packet::PingResp);
    }
    assert_eq!(h.closes, 0);
}

#[test]
fn keepalive_zero_switches_pings_off() {
    let mut h = Harness::with_defaults();
    let mut o = options();
    o.keep_alive_secs = 0;
    h.connect_with(o);
    h.connack(true);
    assert_eq!(h.session.poll_timeout(), None);
    h.advance(10_000_000);
    assert!(h.take_sent().is_empty());
    assert_eq!(h.session.state(), ConnectionState::Connected);
}

#[test]
fn spurious_timeouts_are_harmless() {
    let mut h = Harness::with_defaults();
    for _ in 0..3 {
        h.session.handle_timeout(h.instant());
    }
    h.establish(true);
    for _ in 0..3 {
        h.session.handle_timeout(h.instant());
        h.pump();
    }
    assert!(h.take_sent().is_empty());
    assert_eq!(h.session.state(), ConnectionState::Connected);
}

#[test]
fn unexpected_close_right_after_subscribe_names_it() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.subscribe(&[("x/#", QoS::AtLeastOnce)]);
    h.take_events();
    h.advance(300);
    h.socket_closed(abnormal_close());
    match &h.take_events()[0] {
        Event::ConnectionLost {
            reason,
            last_operation: Some(op),
        } => {
            assert!(reason.contains("1006"), "{reason}");
            assert!(op.contains("300 ms after SUBSCRIBE to `x/#`"), "{op}");
            assert!(op.contains("iot:Subscribe"), "{op}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unexpected_close_long_after_the_last_operation_blames_nothing() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.publish(message("a/b", QoS::AtMostOnce));
    h.advance(2_001);
    h.take_events();
    h.socket_closed(abnormal_close());
    match &h.take_events()[0] {
        Event::ConnectionLost { last_operation, .. } => assert_eq!(*last_operation, None),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_failed_upgrade_is_not_blamed_on_the_previous_connections_operation() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.publish(message("a/b", QoS::AtMostOnce));
    h.socket_closed(abnormal_close());
    // The reconnect's socket never opens (e.g. HTTP 403 at the upgrade),
    // within 2 s of that PUBLISH.
    assert!(h.scheduled_delay() < Duration::from_millis(1_500));
    h.fire_next_timeout();
    h.take_events();
    h.socket_closed(CloseInfo {
        code: 1006,
        reason: String::new(),
        was_open: false,
    });
    let lost = h
        .take_events()
        .into_iter()
        .find_map(|event| match event {
            Event::ConnectionLost { last_operation, .. } => Some(last_operation),
            _ => None,
        })
        .expect("ConnectionLost");
    assert_eq!(lost, None);
}

#[test]
fn close_right_after_connect_blames_the_client_id() {
    let mut h = Harness::with_defaults();
    h.connect_with(options());
    h.take_events();
    h.advance(150);
    h.socket_closed(abnormal_close());
    match &h.take_events()[0] {
        Event::ConnectionLost {
            last_operation: Some(op),
            ..
        } => assert!(op.contains("CONNECT as client id `test-client`"), "{op}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn failed_socket_open_is_explained() {
    let mut h = Harness::with_defaults();
    h.session.connect(options(), h.instant());
    h.pump();
    h.take_events();
    h.socket_closed(CloseInfo {
        code: 1006,
        reason: String::new(),
        was_open: false,
    });
    match &h.take_events()[0] {
        Event::ConnectionLost { reason, .. } => {
            assert!(reason.contains("could not be opened"), "{reason}");
            assert!(reason.contains("subprotocol"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn garbage_from_the_broker_is_a_protocol_error_with_reconnect() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    h.broker_bytes(&[0x00, 0x00]); // reserved packet type 0
    assert_eq!(h.closes, 1);
    let events = h.take_events();
    match &events[..] {
        [Event::ProtocolError { message }, Event::ConnectionLost { reason, .. }, Event::ReconnectScheduled { .. }] =>
        {
            assert!(message.contains("type 0"), "{message}");
            assert!(reason.starts_with("protocol error"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    h.reconnect(true);
    assert_eq!(h.session.state(), ConnectionState::Connected);
}

#[test]
fn text_frame_is_a_protocol_error() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    h.session.handle_transport_error(
        "the broker sent a text frame; MQTT uses binary frames".into(),
        h.instant(),
    );
    h.pump();
    assert_eq!(h.closes, 1);
    let events = h.take_events();
    assert!(
        matches!(&events[0], Event::ProtocolError { message } if message.contains("text frame")),
        "{events:?}"
    );
    assert!(matches!(
        h.session.state(),
        ConnectionState::WaitingToReconnect { attempt: 2, .. }
    ));
}

#[test]
fn packet_before_connack_is_a_protocol_error() {
    let mut h = Harness::with_defaults();
    h.connect_with(options());
    h.take_events();
    h.broker(Packet::PingResp);
    let events = h.take_events();
    assert!(
        matches!(&events[0], Event::ProtocolError { message } if message.contains("PINGRESP before CONNACK")),
        "{events:?}"
    );
}

#[test]
fn client_only_packets_from_the_broker_are_protocol_errors() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.take_events();
    h.broker(Packet::PingReq);
    let events = h.take_events();
    assert!(
        matches!(&events[0], Event::ProtocolError { message } if message.contains("PINGREQ, which only clients send")),
        "{events:?}"
    );
}

#[test]
fn bytes_in_any_chunking_decode_the_same() {
    let mut h = Harness::with_defaults();
    h.connect_with(options());
    h.subscribe(&[("a/+", QoS::AtLeastOnce)]);
    let mut wire = Vec::new();
    for packet in [
        Packet::ConnAck(ConnAck {
            session_present: false,
            code: ConnectReturnCode::Accepted,
        }),
        broker_publish("a/1", QosPid::AtMostOnce, false, "one"),
        broker_publish("a/2", QosPid::AtLeastOnce(pid(9)), false, "two"),
    ] {
        mqtt_console::codec::encode(&packet, &mut wire).unwrap();
    }
    for byte in wire {
        h.broker_bytes(&[byte]);
    }
    let messages: Vec<String> = h
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m.topic),
            _ => None,
        })
        .collect();
    assert_eq!(messages, vec!["a/1", "a/2"]);
    let sent = h.take_sent();
    assert!(sent.contains(&Packet::PubAck(pid(9))), "{sent:?}");
    // The SUBSCRIBE given before CONNACK went out after it.
    assert!(matches!(sent[0], Packet::Subscribe(_)), "{sent:?}");
    h.suback(pid(1), &[SubscribeReturnCode::Granted(QoS::AtLeastOnce)]);
}

#[test]
fn connect_while_waiting_to_reconnect_starts_at_once() {
    let mut h = Harness::with_defaults();
    h.establish(true);
    h.socket_closed(abnormal_close());
    h.take_events();
    h.session.connect(options(), h.instant());
    h.pump();
    assert_eq!(h.opens, vec![1, 1]);
    assert_eq!(h.take_events(), vec![Event::Connecting { attempt: 1 }]);
    assert_eq!(h.closes, 0, "no socket to close while waiting");
}

#[test]
fn stray_open_and_bytes_without_a_requested_socket_are_ignored() {
    let mut h = Harness::with_defaults();
    h.session.handle_open(h.instant());
    h.session
        .handle_bytes(&[0x20, 0x02, 0x00, 0x00], h.instant());
    h.session
        .handle_transport_error("text frame".into(), h.instant());
    h.pump();
    assert!(h.take_events().is_empty());
    assert!(h.take_sent().is_empty());
    assert_eq!(h.session.state(), ConnectionState::Disconnected);
    // A second open on a live connection does not resend CONNECT.
    h.establish(true);
    h.session.handle_open(h.instant());
    h.pump();
    assert!(h.take_sent().is_empty());
}
