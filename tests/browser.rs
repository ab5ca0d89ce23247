//! wasm-bindgen-test suite, run in headless Chromium by
//! `cargo test --target wasm32-unknown-unknown --test browser`.
//! The driver tests talk to the real broker whose URL `scripts/test.sh`
//! passes in `MQTT_CONSOLE_TEST_BROKER` at build time.
#![cfg(target_arch = "wasm32")]

use bytes::Bytes;
use mqtt_console::codec::QoS;
use mqtt_console::session::{ConnectOptions, Event, OutboundMessage, SessionConfig};
use mqtt_console::transport::Driver;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const BROKER: Option<&str> = option_env!("MQTT_CONSOLE_TEST_BROKER");

/// Waits `ms` milliseconds on the browser's event loop.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Polls `condition` every 20 ms for up to `timeout_ms`.
async fn wait_until(timeout_ms: i32, mut condition: impl FnMut() -> bool) -> bool {
    let mut waited = 0;
    while waited < timeout_ms {
        if condition() {
            return true;
        }
        sleep(20).await;
        waited += 20;
    }
    condition()
}

fn recording_driver() -> (Driver, Rc<RefCell<Vec<Event>>>) {
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let driver = Driver::new(SessionConfig::default(), move |event| {
        sink.borrow_mut().push(event)
    });
    (driver, events)
}

fn options(client_id: &str) -> ConnectOptions {
    ConnectOptions {
        client_id: client_id.into(),
        keep_alive_secs: 30,
        clean_session: true,
        username: None,
        password: None,
        will: None,
        ..ConnectOptions::default()
    }
}

#[wasm_bindgen_test]
async fn driver_round_trips_a_message_through_the_real_broker() {
    let broker = BROKER.expect("set MQTT_CONSOLE_TEST_BROKER (scripts/test.sh does)");
    let (driver, events) = recording_driver();
    let url = broker.to_string();
    driver.connect(
        options("wasm-test-roundtrip"),
        Rc::new(move || Ok(url.clone())),
    );
    assert!(
        wait_until(5000, || events
            .borrow()
            .iter()
            .any(|e| matches!(e, Event::Connected { .. })))
        .await,
        "connected: {:?}",
        events.borrow()
    );

    driver
        .subscribe(vec![("wasm/test/+".into(), QoS::AtLeastOnce)])
        .unwrap();
    assert!(
        wait_until(5000, || events
            .borrow()
            .iter()
            .any(|e| matches!(e, Event::SubscribeResult { result: Ok(_), .. })))
        .await
    );

    let payload = Bytes::from_static(b"\x00binary\xffpayload");
    driver
        .publish(OutboundMessage {
            topic: "wasm/test/echo".into(),
            payload: payload.clone(),
            qos: QoS::AtLeastOnce,
            retain: false,
            properties: Default::default(),
        })
        .unwrap();
    let received = || {
        events.borrow().iter().find_map(|e| match e {
            Event::Message(m) => Some(m.clone()),
            _ => None,
        })
    };
    assert!(wait_until(5000, || received().is_some()).await);
    let message = received().unwrap();
    assert_eq!(message.topic, "wasm/test/echo");
    assert_eq!(message.payload, payload);
    assert_eq!(message.qos, QoS::AtLeastOnce);

    driver.disconnect();
    assert!(
        wait_until(3000, || events
            .borrow()
            .iter()
            .any(|e| matches!(e, Event::Disconnected)))
        .await
    );
}

#[wasm_bindgen_test]
async fn driver_reports_a_dead_broker_and_schedules_a_retry() {
    let (driver, events) = recording_driver();
    // Nothing listens on port 19547 on the test machine (port 9, which
    // browsers block, is now refused as final without an attempt).
    driver.connect(
        options("wasm-test-dead"),
        Rc::new(|| Ok("ws://127.0.0.1:19547/mqtt".into())),
    );
    assert!(
        wait_until(5000, || events
            .borrow()
            .iter()
            .any(|e| matches!(e, Event::ReconnectScheduled { .. })))
        .await,
        "events: {:?}",
        events.borrow()
    );
    driver.disconnect();
}

#[wasm_bindgen_test]
async fn app_mounts_and_shows_disconnected() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let host: web_sys::HtmlElement = host.dyn_into().unwrap();
    let _handle = leptos::mount::mount_to(host.clone(), mqtt_console::ui::App);
    sleep(0).await;
    let status = host
        .query_selector("[data-testid=connection-status]")
        .unwrap()
        .expect("status badge rendered");
    assert_eq!(
        status.get_attribute("data-status").as_deref(),
        Some("disconnected")
    );
    assert!(host
        .query_selector("[data-testid=connect]")
        .unwrap()
        .is_some());
}
