//! `window.mqttConsole`: the JavaScript API headless browser tests drive
//! the page with (documented in `docs/automation.md`).
//!
//! Every network call returns a promise that settles on the broker's answer
//! (CONNACK, SUBACK, PUBACK/PUBCOMP) and rejects with an `Error` whose
//! message says what went wrong. The API uses the page's one
//! [`Driver`](crate::transport::Driver), so what a test does is what a
//! person sees: the status badge, the subscriptions list, the timeline and
//! the message log follow along.
//!
//! [`observe`] sees every session event before the UI applies it. It keeps
//! a bounded buffer of received messages for `messages()` and
//! `waitForMessage()` (independent of the UI's log), and settles the
//! promises waiting for an event.

use super::auth::{self, ConnectPlan, PASSWORD};
use super::connection_panel::ensure_driver;
use super::state::{
    AppState, ConnectionStatus, NoticeLevel, SubscriptionRow, SubscriptionStatus,
    SUBSCRIPTION_COLORS,
};
use super::workspace_state::WorkspaceState;
use crate::broker_url;
use crate::checks::{self, Attempt, Check, CheckResult, Report};
use crate::codec::QoS;
use crate::matcher::{preview, quote, Expectation, MessageSpec, Verdict};
use crate::session::{ConnectOptions, Event, OutboundMessage, PublishId};
use crate::store::recent::Recent;
use crate::topic;
use crate::transport::now_ms;
use bytes::Bytes;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// Received messages kept for `messages()` / `waitForMessage()`.
pub const BUFFER_CAPACITY: usize = 10_000;
/// Bytes kept for them ([`received_cost`]): the oldest go first beyond
/// either bound (docs/automation.md).
pub const BUFFER_BYTES: usize = 32 * 1024 * 1024;
/// `connect()` gives up after this long unless `timeoutMs` says otherwise
/// (longer than the session's own 10 s CONNACK timeout, whose message is
/// more precise).
pub(crate) const CONNECT_TIMEOUT_MS: u64 = 15_000;
/// Default `timeoutMs` of `waitForMessage()`.
const WAIT_TIMEOUT_MS: u64 = 5_000;
/// How long `subscribe()` / `publish()` wait for the broker's answer.
const ACK_TIMEOUT_MS: u64 = 10_000;
/// Publish outcomes remembered for promises registered after the fact.
const DELIVERIES_KEPT: usize = 1_000;

/// A message as the automation layer keeps it. Cheap to clone: the topic
/// is shared with the message before it when they are equal, and the
/// payload shares the received frame's buffer, so keeping one costs no
/// allocation on the receive path.
#[derive(Clone)]
pub struct Received {
    pub seq: u64,
    pub topic: Rc<str>,
    pub payload: Bytes,
    pub qos: QoS,
    pub retain: bool,
    pub duplicate: bool,
    /// Milliseconds since the epoch.
    pub received_at: f64,
}

/// Offered every new message; returns true when done (then removed).
type Watcher = Box<dyn FnMut(&Received) -> bool>;

/// The two functions of a promise made by [`new_promise`].
#[derive(Clone)]
struct Settle {
    resolve: Function,
    reject: Function,
}

impl Settle {
    fn ok(&self, value: &JsValue) {
        let _ = self.resolve.call1(&JsValue::UNDEFINED, value);
    }
    fn fail(&self, message: &str) {
        let _ = self
            .reject
            .call1(&JsValue::UNDEFINED, &js_sys::Error::new(message));
    }
}

fn new_promise() -> (Promise, Settle) {
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some(Settle { resolve, reject }));
    let settle = settle.expect("the Promise executor runs synchronously");
    (promise, settle)
}

/// What a pending promise waits for.
#[derive(Debug, Clone, PartialEq)]
enum Awaited {
    Connect,
    Subscribe(String),
    Unsubscribe(String),
    Publish(PublishId, QoS),
}

struct Pending {
    id: u64,
    awaited: Awaited,
    settle: Settle,
}

#[derive(Debug, Clone, PartialEq)]
enum Delivery {
    Sent,
    Acknowledged,
    Dropped(String),
}

struct Registry {
    state: Option<AppState>,
    /// Saved profiles and the connection form (when the page has them).
    workspace: Option<WorkspaceState>,
    messages: Recent<Received>,
    next_seq: u64,
    next_id: u64,
    watchers: Vec<(u64, Watcher)>,
    pending: Vec<Pending>,
    deliveries: VecDeque<(PublishId, Delivery)>,
    listeners: Vec<(u64, Function)>,
    /// Settles when the URL parameters' connect/subscribe finished.
    ready: Option<Promise>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            state: None,
            workspace: None,
            messages: Recent::new(BUFFER_CAPACITY, BUFFER_BYTES),
            next_seq: 0,
            next_id: 0,
            watchers: Vec::new(),
            pending: Vec::new(),
            deliveries: VecDeque::new(),
            listeners: Vec::new(),
            ready: None,
        }
    }
}

/// What a buffered message counts against [`BUFFER_BYTES`]: its payload,
/// its topic (counted even when shared with the message before) and the
/// entry itself.
fn received_cost(message: &Received) -> usize {
    message.payload.len() + message.topic.len() + std::mem::size_of::<(Received, usize)>()
}

/// Messages and bytes in the API's buffer (for the benchmark hook).
pub fn buffer_stats() -> (usize, usize) {
    with(|registry| (registry.messages.len(), registry.messages.bytes()))
}

impl Registry {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn take(&mut self, mut which: impl FnMut(&Awaited) -> bool) -> Vec<Settle> {
        let mut taken = Vec::new();
        self.pending.retain(|pending| {
            if which(&pending.awaited) {
                taken.push(pending.settle.clone());
                false
            } else {
                true
            }
        });
        taken
    }

    fn take_id(&mut self, id: u64) -> Option<Settle> {
        let at = self.pending.iter().position(|pending| pending.id == id)?;
        Some(self.pending.remove(at).settle)
    }

    fn remove_watcher(&mut self, id: u64) -> bool {
        let before = self.watchers.len();
        self.watchers.retain(|(watcher, _)| *watcher != id);
        self.watchers.len() != before
    }
}

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::default();
}

fn with<R>(access: impl FnOnce(&mut Registry) -> R) -> R {
    REGISTRY.with(|registry| access(&mut registry.borrow_mut()))
}

fn app_state() -> Result<AppState, String> {
    with(|registry| registry.state).ok_or_else(|| "the page is not ready yet".to_string())
}

// ---------------------------------------------------------------------------
// Events in.

/// Sees every session event before the UI applies it.
pub fn observe(event: &Event) {
    let mut settled: Vec<(Settle, Result<JsValue, String>)> = Vec::new();
    let mut resolve_all = |settles: Vec<Settle>, result: Result<JsValue, String>| {
        settled.extend(settles.into_iter().map(|settle| (settle, result.clone())));
    };
    match event {
        Event::Message(message) => {
            with(|registry| {
                registry.next_seq += 1;
                let Registry {
                    messages,
                    watchers,
                    next_seq,
                    ..
                } = registry;
                let topic = match messages.back() {
                    Some(last) if *last.topic == *message.topic => last.topic.clone(),
                    _ => Rc::from(message.topic.as_str()),
                };
                let received = Received {
                    seq: *next_seq,
                    topic,
                    payload: message.payload.clone(),
                    qos: message.qos,
                    retain: message.retain,
                    duplicate: message.duplicate,
                    received_at: crate::transport::epoch_ms(message.received_at),
                };
                let cost = received_cost(&received);
                messages.push(received, cost);
                // Watchers only resolve promises (reactions run later), so
                // they never call back into the registry.
                if let Some(received) = messages.back() {
                    watchers.retain_mut(|(_, watcher)| !watcher(received));
                }
            });
        }
        Event::Connected {
            session_present, ..
        } => {
            let info = Object::new();
            set(&info, "sessionPresent", &(*session_present).into());
            let settles = with(|r| r.take(|a| *a == Awaited::Connect));
            resolve_all(settles, Ok(info.into()));
        }
        Event::ConnectionRefused { explanation, .. } => {
            let settles = with(|r| r.take(|a| *a == Awaited::Connect));
            resolve_all(
                settles,
                Err(format!("the broker refused the connection: {explanation}")),
            );
        }
        Event::ConnectionLost {
            reason,
            last_operation,
        } => {
            let settles = with(|r| r.take(|a| *a == Awaited::Connect));
            let text = match last_operation {
                Some(operation) => format!("{reason} {operation}"),
                None => reason.clone(),
            };
            resolve_all(settles, Err(text));
        }
        Event::Disconnected => {
            let settles = with(|r| r.take(|_| true));
            resolve_all(
                settles,
                Err("disconnected before the broker answered".to_string()),
            );
        }
        Event::SubscribeResult { filter, result, .. } => {
            let settles = with(|r| r.take(|a| matches!(a, Awaited::Subscribe(f) if f == filter)));
            let outcome = match result {
                Ok(qos) => Ok(JsValue::from(*qos as u8)),
                Err(reason) => Err(format!(
                    "the broker refused the subscription to {}: {reason}",
                    quote(filter)
                )),
            };
            resolve_all(settles, outcome);
        }
        Event::Unsubscribed { filter, .. } => {
            let settles = with(|r| r.take(|a| matches!(a, Awaited::Unsubscribe(f) if f == filter)));
            resolve_all(settles, Ok(JsValue::UNDEFINED));
        }
        Event::PublishSent { id } => {
            let settles = with(|r| {
                record_delivery(r, *id, Delivery::Sent);
                r.take(|a| *a == Awaited::Publish(*id, QoS::AtMostOnce))
            });
            resolve_all(settles, Ok(JsValue::UNDEFINED));
        }
        Event::PublishAcknowledged { id, .. } => {
            let settles = with(|r| {
                record_delivery(r, *id, Delivery::Acknowledged);
                r.take(|a| matches!(a, Awaited::Publish(p, _) if p == id))
            });
            resolve_all(settles, Ok(JsValue::UNDEFINED));
        }
        Event::PublishDropped { id, reason } => {
            let settles = with(|r| {
                record_delivery(r, *id, Delivery::Dropped(reason.clone()));
                r.take(|a| matches!(a, Awaited::Publish(p, _) if p == id))
            });
            resolve_all(settles, Err(format!("the message was dropped: {reason}")));
        }
        _ => {}
    }
    for (settle, result) in settled {
        match result {
            Ok(value) => settle.ok(&value),
            Err(message) => settle.fail(&message),
        }
    }
}

fn record_delivery(registry: &mut Registry, id: PublishId, delivery: Delivery) {
    registry.deliveries.push_back((id, delivery));
    if registry.deliveries.len() > DELIVERIES_KEPT {
        registry.deliveries.pop_front();
    }
}

// ---------------------------------------------------------------------------
// Small JS helpers.

fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

fn get(object: &JsValue, key: &str) -> JsValue {
    if !object.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The message of a rejection (an `Error`, or anything else).
fn error_text(error: &JsValue) -> String {
    if let Some(error) = error.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}

/// Calls `callback` once after `ms` milliseconds (any length: browser
/// timers stop at 2^31 - 1 ms, longer waits are chained).
pub(crate) fn after(ms: u64, callback: impl FnOnce() + 'static) {
    crate::transport::main_thread_timeout_ms(ms, callback);
}

/// JSON text of a JS value. A `RegExp` under a `regex` key becomes
/// `regex` (its source) and `regexFlags`, so tests can write `/ok/i`.
fn to_json(value: &JsValue) -> Result<String, String> {
    let replacer =
        Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(|_key: JsValue, value: JsValue| {
            let regex = get(&value, "regex");
            match regex.dyn_ref::<js_sys::RegExp>() {
                Some(regex) if !value.is_instance_of::<Array>() => {
                    let copy = Object::assign(&Object::new(), value.unchecked_ref());
                    set(&copy, "regex", &regex.source().into());
                    set(&copy, "regexFlags", &regex.flags().into());
                    copy.into()
                }
                _ => value,
            }
        });
    let text = js_sys::JSON::stringify_with_replacer(value, replacer.as_ref())
        .map_err(|error| format!("cannot read the argument: {}", error_text(&error)))?;
    text.as_string()
        .ok_or_else(|| "the argument cannot be turned into JSON".to_string())
}

/// Reads a JS object into `T` (through JSON; unknown keys are errors).
/// Always through `serde_json::Value`, like [`checks::parse_checks`], so
/// each type is deserialized by one code path only (wasm size).
fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, String> {
    if value.is_undefined() || value.is_null() {
        return Err(format!("give {what}"));
    }
    let json: serde_json::Value =
        serde_json::from_str(&to_json(value)?).map_err(|error| format!("{what}: {error}"))?;
    serde_json::from_value(json).map_err(|error| format!("{what}: {error}"))
}

fn optional_u64(value: &JsValue, what: &str, default: u64) -> Result<u64, String> {
    if value.is_undefined() || value.is_null() {
        return Ok(default);
    }
    match value.as_f64() {
        Some(number) if number >= 0.0 && number.fract() == 0.0 && number <= 2f64.powi(53) => {
            Ok(number as u64)
        }
        _ => Err(format!("{what} must be a whole number of milliseconds")),
    }
}

fn parse_qos(value: &JsValue) -> Result<QoS, String> {
    if value.is_undefined() || value.is_null() {
        return Ok(QoS::AtMostOnce);
    }
    value
        .as_f64()
        .filter(|number| number.fract() == 0.0 && (0.0..=2.0).contains(number))
        .and_then(|number| QoS::from_u8(number as u8))
        .ok_or_else(|| format!("QoS must be 0, 1 or 2, not {}", describe_js(value)))
}

fn describe_js(value: &JsValue) -> String {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

/// Answers whether a payload text matches an expectation's regex.
pub(crate) type RegexTester = Rc<dyn Fn(&str) -> bool>;

/// A tester for the expectation's regex (linear time: `matcher::compile_regex`).
pub(crate) fn regex_tester(expectation: &Expectation) -> Result<RegexTester, String> {
    match expectation.regex() {
        Some((source, flags)) => {
            let regex = crate::matcher::compile_regex(source, flags)?;
            Ok(Rc::new(move |text: &str| regex.is_match(text)))
        }
        None => Ok(Rc::new(|_: &str| false)),
    }
}

/// The JS object for a received message.
fn message_object(message: &Received) -> JsValue {
    let object = Object::new();
    let text = String::from_utf8_lossy(&message.payload);
    set(&object, "seq", &(message.seq as f64).into());
    set(&object, "topic", &JsValue::from_str(&message.topic));
    set(&object, "payload", &text.as_ref().into());
    set(
        &object,
        "bytes",
        &Uint8Array::from(message.payload.as_ref()).into(),
    );
    if let Ok(json) = js_sys::JSON::parse(&text) {
        set(&object, "json", &json);
    }
    set(&object, "qos", &(message.qos as u8).into());
    set(&object, "retain", &message.retain.into());
    set(&object, "duplicate", &message.duplicate.into());
    set(&object, "receivedAt", &message.received_at.into());
    object.into()
}

/// Runs `future` as a JS promise; errors become `Error("mqttConsole.<name>: …")`.
fn promise(
    name: &'static str,
    future: impl Future<Output = Result<JsValue, String>> + 'static,
) -> JsValue {
    future_to_promise(async move {
        future
            .await
            .map_err(|message| js_sys::Error::new(&format!("mqttConsole.{name}: {message}")).into())
    })
    .into()
}

/// Waits for a promise made by [`new_promise`]; a rejection's message.
async fn wait(promise: Promise) -> Result<JsValue, String> {
    JsFuture::from(promise)
        .await
        .map_err(|error| error_text(&error))
}

/// Registers a pending promise and arms its timeout.
fn expect_event(awaited: Awaited, timeout_ms: u64, timeout_message: String) -> Promise {
    let (promise, settle) = new_promise();
    let id = with(|registry| {
        let id = registry.id();
        registry.pending.push(Pending {
            id,
            awaited,
            settle,
        });
        id
    });
    after(timeout_ms, move || {
        if let Some(settle) = with(|registry| registry.take_id(id)) {
            settle.fail(&timeout_message);
        }
    });
    promise
}

/// `transport()`: where the WebSocket and the session's timers run
/// ("worker" or "main thread"; `socket` is null without a connection).
fn transport(state: AppState) -> JsValue {
    let place = |in_worker: bool| JsValue::from(if in_worker { "worker" } else { "main thread" });
    let out = Object::new();
    let socket = state
        .driver
        .get_value()
        .and_then(|driver| driver.socket_in_worker())
        .map_or(JsValue::NULL, place);
    set(&out, "socket", &socket);
    let timers = crate::transport::timer_source() == crate::transport::TimerSource::Worker;
    set(&out, "timers", &place(timers));
    out.into()
}

fn status_text(status: &ConnectionStatus) -> String {
    status.kind().to_string()
}

fn require_connected(state: AppState) -> Result<crate::transport::Driver, String> {
    let status = state.status.get_untracked();
    if status == ConnectionStatus::Disconnected {
        return Err("not connected: call mqttConsole.connect(...) first".into());
    }
    state
        .driver
        .get_value()
        .ok_or_else(|| "not connected: call mqttConsole.connect(...) first".into())
}

// ---------------------------------------------------------------------------
// connect / disconnect.

/// What `connect()` accepts (a string is taken as `{url}`): either a
/// broker `url` with options, or the name of a saved `profile` (any auth
/// kind, with its remembered secrets; `password` may be added).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ConnectProfile {
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub keep_alive: Option<u16>,
    #[serde(default)]
    pub clean_session: Option<bool>,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

impl ConnectProfile {
    /// The connection plan: from the saved profile, or from `url` and options.
    fn plan(&self) -> Result<ConnectPlan, String> {
        if let Some(name) = &self.profile {
            if !self.url.is_empty()
                || self.client_id.is_some()
                || self.username.is_some()
                || self.keep_alive.is_some()
                || self.clean_session.is_some()
            {
                return Err(
                    "give either a saved profile (with an optional password) or a url with \
                     options, not both"
                        .into(),
                );
            }
            return saved_profile_plan(Some(name), self.password.as_deref());
        }
        if self.url.trim().is_empty() {
            return Err("give the broker url (ws://… or wss://…) or a saved profile name".into());
        }
        let url = broker_url::validate(&self.url)
            .map_err(|error| error.to_string())?
            .to_string();
        let options = ConnectOptions {
            client_id: self
                .client_id
                .clone()
                .unwrap_or_else(super::client_id::generate),
            keep_alive_secs: self.keep_alive.unwrap_or(60),
            clean_session: self.clean_session.unwrap_or(true),
            username: self.username.clone().filter(|name| !name.is_empty()),
            password: self
                .password
                .clone()
                .filter(|password| !password.is_empty())
                .map(|password| Bytes::from(password.into_bytes())),
            will: None,
            ..ConnectOptions::default()
        };
        options.validate().map_err(|error| error.to_string())?;
        let target = url.clone();
        Ok(ConnectPlan {
            options,
            url: Rc::new(move || Ok(target.clone())),
            target: url,
        })
    }
}

/// The page's saved profiles, with `name` (if given) selected in the
/// connection form, as the profile bar would.
fn pick_profile(name: Option<&str>) -> Result<WorkspaceState, String> {
    let ws = with(|registry| registry.workspace)
        .ok_or_else(|| "saved profiles are not available on this page".to_string())?;
    if let Some(name) = name {
        let known: Vec<String> = ws
            .workspace
            .with_untracked(|w| w.profiles.iter().map(|p| p.name.clone()).collect());
        if !known.iter().any(|known| known == name) {
            let list = if known.is_empty() {
                "there are none".to_string()
            } else {
                known
                    .iter()
                    .map(|n| quote(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(format!(
                "no saved profile named {} (saved: {list})",
                quote(name)
            ));
        }
        ws.select(name);
    }
    Ok(ws)
}

/// The plan for a saved profile (`name`) or, with `None`, for the profile
/// the connection form shows (e.g. restored from a share link).
pub(crate) fn saved_profile_plan(
    name: Option<&str>,
    password: Option<&str>,
) -> Result<ConnectPlan, String> {
    let ws = pick_profile(name)?;
    if let Some(password) = password {
        ws.secrets.update(|secrets| secrets.set(PASSWORD, password));
    }
    auth::plan(&ws.form.get_untracked(), &ws.secrets.get_untracked())
}

/// Shows saved profile `name` in the connection form.
pub(crate) fn select_profile(name: &str) -> Result<(), String> {
    pick_profile(Some(name)).map(|_| ())
}

/// Connects with `plan` and waits for the CONNACK. If the first attempt
/// fails (refused, unreachable, timeout) the promise rejects with the
/// reason and the console stops retrying.
pub(crate) async fn connect_plan(plan: ConnectPlan, timeout: u64) -> Result<JsValue, String> {
    let state = app_state()?;
    let target = plan.target.clone();
    let driver = ensure_driver(state);
    subscribe_listed(state, &driver);
    let connected = expect_event(
        Awaited::Connect,
        timeout,
        format!("not connected to {target} within {timeout} ms"),
    );
    state.notify(NoticeLevel::Info, format!("Connecting to {target}"));
    driver.connect(plan.options, plan.url);
    match wait(connected).await {
        Ok(info) => Ok(info),
        Err(reason) => {
            // Do not leave the page retrying behind the test's back.
            if state.status.get_untracked() != ConnectionStatus::Disconnected {
                driver.disconnect();
            }
            Err(format!("could not connect to {target}: {reason}"))
        }
    }
}

/// [`connect_plan`] for what `connect()` (or the URL parameters) gave.
pub(crate) async fn connect_with(profile: ConnectProfile) -> Result<JsValue, String> {
    let plan = profile.plan()?;
    connect_plan(plan, profile.timeout_ms.unwrap_or(CONNECT_TIMEOUT_MS)).await
}

/// Hands the enabled subscriptions listed in the panel to the session
/// (sent once the broker accepts the connection), like the Connect button.
fn subscribe_listed(state: AppState, driver: &crate::transport::Driver) {
    let enabled: Vec<_> = state.subscriptions.with_untracked(|rows| {
        rows.iter()
            .filter(|row| row.enabled)
            .map(|row| (row.filter.clone(), row.qos))
            .collect()
    });
    if !enabled.is_empty() {
        if let Err(error) = driver.subscribe(enabled) {
            state.notify(NoticeLevel::Error, error.to_string());
        }
    }
}

async fn connect(profile: JsValue) -> Result<JsValue, String> {
    let profile = match profile.as_string() {
        Some(url) => ConnectProfile {
            url,
            ..Default::default()
        },
        None => {
            from_js::<ConnectProfile>(&profile, "a connection profile ({url, …} or {profile, …})")?
        }
    };
    connect_with(profile).await
}

async fn disconnect() -> Result<JsValue, String> {
    let state = app_state()?;
    if let Some(driver) = state.driver.get_value() {
        if state.status.get_untracked() != ConnectionStatus::Disconnected {
            driver.disconnect();
        }
    }
    Ok(JsValue::UNDEFINED)
}

// ---------------------------------------------------------------------------
// subscribe / unsubscribe.

/// Subscribes (listing it in the subscriptions panel) and waits for the
/// SUBACK; the granted QoS.
pub(crate) async fn subscribe_and_wait(filter: &str, qos: QoS) -> Result<u8, String> {
    let state = app_state()?;
    let driver = require_connected(state)?;
    let filter = filter.trim().to_string();
    driver
        .subscribe(vec![(filter.clone(), qos)])
        .map_err(|error| error.to_string())?;
    let granted = expect_event(
        Awaited::Subscribe(filter.clone()),
        ACK_TIMEOUT_MS,
        format!(
            "no SUBACK for {} within {ACK_TIMEOUT_MS} ms",
            quote(&filter)
        ),
    );
    state.subscriptions.update(|rows| {
        let color = rows
            .iter()
            .find(|row| row.filter == filter)
            .map(|row| row.color.clone())
            .unwrap_or_else(|| SUBSCRIPTION_COLORS[rows.len() % SUBSCRIPTION_COLORS.len()].into());
        let alias = rows
            .iter()
            .find(|row| row.filter == filter)
            .map(|row| row.alias.clone())
            .unwrap_or_default();
        rows.retain(|row| row.filter != filter);
        let mut row = SubscriptionRow::new(filter.clone(), qos);
        row.color = color;
        row.alias = alias;
        rows.push(row);
    });
    let granted = wait(granted).await?;
    Ok(granted.as_f64().unwrap_or(0.0) as u8)
}

async fn subscribe(filter: JsValue, qos: JsValue) -> Result<JsValue, String> {
    let filter = filter
        .as_string()
        .ok_or("give a topic filter (a string), e.g. subscribe('device/+/status', 1)")?;
    let qos = parse_qos(&qos)?;
    subscribe_and_wait(&filter, qos).await.map(JsValue::from)
}

async fn unsubscribe(filter: JsValue) -> Result<JsValue, String> {
    let state = app_state()?;
    let filter = filter.as_string().ok_or("give a topic filter (a string)")?;
    let driver = require_connected(state)?;
    driver
        .unsubscribe(vec![filter.clone()])
        .map_err(|error| error.to_string())?;
    let done = expect_event(
        Awaited::Unsubscribe(filter.clone()),
        ACK_TIMEOUT_MS,
        format!(
            "no UNSUBACK for {} within {ACK_TIMEOUT_MS} ms",
            quote(&filter)
        ),
    );
    state
        .subscriptions
        .update(|rows| rows.retain(|row| row.filter != filter));
    wait(done).await
}

// ---------------------------------------------------------------------------
// publish.

/// The payload argument as bytes: string (UTF-8), Uint8Array, ArrayBuffer,
/// or anything else as its JSON text.
fn payload_bytes(payload: &JsValue) -> Result<Bytes, String> {
    if let Some(text) = payload.as_string() {
        return Ok(Bytes::from(text.into_bytes()));
    }
    if payload.is_undefined() || payload.is_null() {
        return Ok(Bytes::new());
    }
    if let Some(array) = payload.dyn_ref::<Uint8Array>() {
        return Ok(Bytes::from(array.to_vec()));
    }
    if let Some(buffer) = payload.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Bytes::from(Uint8Array::new(buffer).to_vec()));
    }
    to_json(payload).map(|text| Bytes::from(text.into_bytes()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PublishOptions {
    #[serde(default)]
    qos: u8,
    #[serde(default)]
    retain: bool,
    #[serde(default)]
    timeout_ms: Option<u64>,
}

/// Publishes and waits until it is sent (QoS 0) or acknowledged (QoS 1/2).
pub(crate) async fn publish_and_wait(
    message: OutboundMessage,
    timeout_ms: u64,
) -> Result<JsValue, String> {
    let state = app_state()?;
    let driver = require_connected(state)?;
    let qos = message.qos;
    let topic = message.topic.clone();
    let id = driver.publish(message).map_err(|error| error.to_string())?;
    // QoS 0 is usually sent inside `publish()` itself.
    let known = with(|registry| {
        registry
            .deliveries
            .iter()
            .rev()
            .find(|(delivered, _)| *delivered == id)
            .map(|(_, delivery)| delivery.clone())
    });
    match known {
        Some(Delivery::Dropped(reason)) => {
            return Err(format!("the message was dropped: {reason}"))
        }
        Some(Delivery::Acknowledged) => return Ok(JsValue::UNDEFINED),
        Some(Delivery::Sent) if qos == QoS::AtMostOnce => return Ok(JsValue::UNDEFINED),
        _ => {}
    }
    let what = if qos == QoS::AtMostOnce {
        "sent"
    } else {
        "acknowledged"
    };
    let done = expect_event(
        Awaited::Publish(id, qos),
        timeout_ms,
        format!(
            "the message to {} was not {what} within {timeout_ms} ms",
            quote(&topic)
        ),
    );
    wait(done).await
}

async fn publish(topic: JsValue, payload: JsValue, options: JsValue) -> Result<JsValue, String> {
    let topic = topic
        .as_string()
        .ok_or("give a topic (a string), e.g. publish('device/7/cmd', '{\"cmd\":\"status\"}')")?;
    let payload = payload_bytes(&payload)?;
    let options: PublishOptions = if options.is_undefined() || options.is_null() {
        PublishOptions::default()
    } else {
        from_js(&options, "the options {qos?, retain?, timeoutMs?}")?
    };
    let qos = QoS::from_u8(options.qos)
        .ok_or_else(|| format!("QoS must be 0, 1 or 2, not {}", options.qos))?;
    publish_and_wait(
        OutboundMessage {
            topic,
            payload,
            qos,
            retain: options.retain,
            properties: Default::default(),
        },
        options.timeout_ms.unwrap_or(ACK_TIMEOUT_MS),
    )
    .await
}

// ---------------------------------------------------------------------------
// waitForMessage / messages / clear.

/// Why a wait failed, from the buffer: how many messages arrived on the
/// topic since `since_seq`, and why the last did not match.
fn explain_miss(expectation: &Expectation, since_seq: u64, regex: &dyn Fn(&str) -> bool) -> String {
    with(|registry| {
        let on_topic: Vec<_> = registry
            .messages
            .iter()
            .filter(|m| m.seq > since_seq && expectation.topic_matches(&m.topic))
            .cloned()
            .collect();
        match on_topic.last() {
            None => format!("no message arrived on {}", quote(expectation.filter())),
            Some(last) => {
                let reason = match expectation.evaluate(&last.topic, &last.payload, regex) {
                    Verdict::Mismatch(reason) => reason,
                    _ => "it matched but arrived too late".into(),
                };
                let count = on_topic.len();
                format!(
                    "{count} message{} arrived on {} but none matched; the last, on {}, was {}: {reason}",
                    if count == 1 { "" } else { "s" },
                    quote(expectation.filter()),
                    quote(&last.topic),
                    preview(&String::from_utf8_lossy(&last.payload)),
                )
            }
        }
    })
}

async fn wait_for_message(spec: JsValue, timeout: JsValue) -> Result<JsValue, String> {
    let from_now = get(&spec, "fromNow").is_truthy();
    let spec_value = if spec.is_object() {
        let copy = Object::assign(&Object::new(), spec.unchecked_ref());
        let _ = Reflect::delete_property(&copy, &"fromNow".into());
        JsValue::from(copy)
    } else {
        spec
    };
    let spec: MessageSpec = from_js(
        &spec_value,
        "what to wait for {topic, contains? | jsonPath? + equals? | regex?, fromNow?}",
    )?;
    let timeout_ms = optional_u64(&timeout, "timeoutMs", WAIT_TIMEOUT_MS)?;
    let expectation = Expectation::from_spec(&spec)?;
    let regex = regex_tester(&expectation)?;

    // Earliest match already received since the last clear().
    let since_seq = if from_now {
        with(|registry| registry.next_seq)
    } else {
        let found = with(|registry| {
            registry
                .messages
                .iter()
                .find(|m| expectation.matches(&m.topic, &m.payload, &*regex))
                .cloned()
        });
        if let Some(message) = found {
            return Ok(message_object(&message));
        }
        0
    };

    let (promise, settle) = new_promise();
    let watcher_expectation = expectation.clone();
    let watcher_regex = regex.clone();
    let found = settle.clone();
    let id = with(|registry| {
        let id = registry.id();
        registry.watchers.push((
            id,
            Box::new(move |message: &Received| {
                let matched =
                    watcher_expectation.matches(&message.topic, &message.payload, &*watcher_regex);
                if matched {
                    found.ok(&message_object(message));
                }
                matched
            }),
        ));
        id
    });
    let since = if from_now {
        "the call"
    } else {
        "the last clear()"
    };
    after(timeout_ms, move || {
        if with(|registry| registry.remove_watcher(id)) {
            let miss = explain_miss(&expectation, since_seq, &*regex);
            settle.fail(&format!(
                "timed out after {timeout_ms} ms waiting for {expectation}; {miss} since {since}"
            ));
        }
    });
    wait(promise).await
}

fn messages(options: JsValue) -> Result<JsValue, String> {
    let filter = match options.as_string() {
        Some(filter) => Some(filter),
        None => get(&options, "filter").as_string(),
    };
    if let Some(filter) = &filter {
        topic::validate_topic_filter(filter)
            .map_err(|error| format!("invalid topic filter {}: {error}", quote(filter)))?;
    }
    let list = Array::new();
    with(|registry| {
        for message in registry.messages.iter() {
            if filter
                .as_deref()
                .is_none_or(|filter| topic::matches(filter, &message.topic))
            {
                list.push(&message_object(message));
            }
        }
    });
    Ok(list.into())
}

fn clear() -> Result<JsValue, String> {
    let state = app_state()?;
    with(|registry| registry.messages.clear());
    state.log.clear();
    Ok(JsValue::UNDEFINED)
}

// ---------------------------------------------------------------------------
// Device checks.

/// Runs `checks` one after the other; `progress` sees each result as it
/// comes (the checks panel shows them live).
pub(crate) async fn run_checks(
    checks: Vec<Check>,
    progress: impl Fn(usize, &CheckResult),
) -> Report {
    let started = now_ms();
    let mut results = Vec::with_capacity(checks.len());
    for (index, check) in checks.iter().enumerate() {
        let result = run_check(index, check).await;
        progress(index, &result);
        results.push(result);
    }
    Report::new(results, (now_ms() - started).max(0.0) as u64)
}

pub(crate) async fn run_check(index: usize, check: &Check) -> CheckResult {
    let name = check.display_name(index);
    let compiled = match check.compile(index) {
        Ok(compiled) => compiled,
        Err(error) => return CheckResult::error(name, "", error),
    };
    let expected = compiled.expectation.to_string();
    let state = match app_state() {
        Ok(state) => state,
        Err(error) => return CheckResult::error(name, expected, error),
    };
    if state.status.get_untracked() != ConnectionStatus::Connected {
        return CheckResult::error(
            name,
            expected,
            format!(
                "not connected (status: {})",
                status_text(&state.status.get_untracked())
            ),
        );
    }
    let regex = match regex_tester(&compiled.expectation) {
        Ok(regex) => regex,
        Err(error) => return CheckResult::error(name, expected, error),
    };
    let filter = compiled.expectation.filter().to_string();
    let subscribed = state.subscriptions.with_untracked(|rows| {
        rows.iter().any(|row| {
            row.filter == filter
                && row.enabled
                && matches!(row.status, SubscriptionStatus::Granted(_))
        })
    });
    if !subscribed {
        if let Err(error) = subscribe_and_wait(&filter, QoS::AtLeastOnce).await {
            return CheckResult::error(name, expected, format!("could not subscribe: {error}"));
        }
    }

    let attempt = Rc::new(RefCell::new(Attempt::new(&compiled)));
    let matched_at = Rc::new(Cell::new(None::<f64>));
    let (promise, settle) = new_promise();
    let started = now_ms();
    let id = {
        let attempt = attempt.clone();
        let matched_at = matched_at.clone();
        let settle = settle.clone();
        let regex = regex.clone();
        with(|registry| {
            let id = registry.id();
            registry.watchers.push((
                id,
                Box::new(move |message: &Received| {
                    let met = attempt.borrow_mut().offer(
                        &message.topic,
                        &message.payload,
                        message.retain,
                        &*regex,
                    );
                    if met {
                        matched_at.set(Some(now_ms()));
                        settle.ok(&JsValue::TRUE);
                    }
                    met
                }),
            ));
            id
        })
    };
    if let Some(step) = &compiled.publish {
        let message = OutboundMessage {
            topic: step.topic.clone(),
            payload: Bytes::from(step.payload.clone().into_bytes()),
            qos: QoS::from_u8(step.qos).unwrap_or(QoS::AtMostOnce),
            retain: step.retain,
            properties: Default::default(),
        };
        let sent = require_connected(state)
            .and_then(|driver| driver.publish(message).map_err(|error| error.to_string()));
        if let Err(error) = sent {
            with(|registry| registry.remove_watcher(id));
            return CheckResult::error(name, expected, format!("could not publish: {error}"));
        }
    }
    after(compiled.within_ms, move || {
        if with(|registry| registry.remove_watcher(id)) {
            settle.ok(&JsValue::FALSE);
        }
    });
    let _ = JsFuture::from(promise).await;
    let elapsed = matched_at.get().unwrap_or_else(now_ms) - started;
    let attempt = attempt.borrow().clone();
    attempt.finish(elapsed.max(0.0).round() as u64)
}

async fn run_checks_js(checks: JsValue) -> Result<JsValue, String> {
    if checks.is_undefined() || checks.is_null() {
        return Err("give an array of checks [{publish?, expect, withinMs?}]".into());
    }
    let checks = checks::parse_checks(&to_json(&checks)?)?;
    let report = run_checks(checks, |_, _| {}).await;
    let json = serde_json::to_string(&report).map_err(|error| error.to_string())?;
    js_sys::JSON::parse(&json).map_err(|error| error_text(&error))
}

// ---------------------------------------------------------------------------
// state / onStateChange / ready.

fn on_state_change(callback: JsValue) -> Result<JsValue, String> {
    let callback: Function = callback
        .dyn_into()
        .map_err(|_| "onStateChange needs a function".to_string())?;
    let id = with(|registry| {
        let id = registry.id();
        registry.listeners.push((id, callback));
        id
    });
    let unsubscribe = Closure::once_into_js(move || {
        with(|registry| registry.listeners.retain(|(listener, _)| *listener != id));
    });
    Ok(unsubscribe)
}

/// Records the promise `ready()` returns (URL-parameter auto-connect).
pub(crate) fn set_ready(promise: Promise) {
    // Handled here so a failure nobody asked about is not an "uncaught
    // rejection"; `ready()` still returns the rejecting promise.
    let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
    let _ = promise.catch(&ignore);
    ignore.forget();
    with(|registry| registry.ready = Some(promise));
}

// ---------------------------------------------------------------------------
// Installation.

type Method = dyn Fn(JsValue, JsValue, JsValue) -> Result<JsValue, JsValue>;
type MethodBody = dyn Fn(JsValue, JsValue, JsValue) -> Result<JsValue, String>;

fn method(
    api: &Object,
    name: &'static str,
    body: impl Fn(JsValue, JsValue, JsValue) -> Result<JsValue, String> + 'static,
) {
    install_method(api, name, Box::new(body));
}

/// The non-generic part of [`method`] (one copy in the binary).
fn install_method(api: &Object, name: &'static str, body: Box<MethodBody>) {
    let function = Closure::<Method>::new(move |a, b, c| {
        body(a, b, c)
            .map_err(|message| js_sys::Error::new(&format!("mqttConsole.{name}: {message}")).into())
    });
    set(api, name, &function.into_js_value());
}

/// Puts `window.mqttConsole` on the page and tells listeners of state
/// changes. Called once by `App`.
pub fn install(state: AppState) {
    let workspace = use_context::<WorkspaceState>();
    with(|registry| {
        registry.state = Some(state);
        registry.workspace = workspace;
    });
    let api = Object::new();
    method(&api, "connect", |profile, _, _| {
        Ok(promise("connect", connect(profile)))
    });
    method(&api, "disconnect", |_, _, _| {
        Ok(promise("disconnect", disconnect()))
    });
    method(&api, "subscribe", |filter, qos, _| {
        Ok(promise("subscribe", subscribe(filter, qos)))
    });
    method(&api, "unsubscribe", |filter, _, _| {
        Ok(promise("unsubscribe", unsubscribe(filter)))
    });
    method(&api, "publish", |topic, payload, options| {
        Ok(promise("publish", publish(topic, payload, options)))
    });
    method(&api, "waitForMessage", |spec, timeout, _| {
        Ok(promise("waitForMessage", wait_for_message(spec, timeout)))
    });
    method(&api, "messages", |options, _, _| messages(options));
    method(&api, "clear", |_, _, _| clear());
    method(&api, "runChecks", |checks, _, _| {
        Ok(promise("runChecks", run_checks_js(checks)))
    });
    method(&api, "state", move |_, _, _| {
        Ok(status_text(&state.status.get_untracked()).into())
    });
    method(&api, "transport", move |_, _, _| Ok(transport(state)));
    method(&api, "onStateChange", |callback, _, _| {
        on_state_change(callback)
    });
    method(&api, "ready", |_, _, _| {
        Ok(with(|registry| registry.ready.clone())
            .unwrap_or_else(|| Promise::resolve(&JsValue::UNDEFINED))
            .into())
    });
    set(&api, "version", &env!("CARGO_PKG_VERSION").into());
    let _ = Object::freeze(&api);

    Effect::new(move |previous: Option<String>| {
        let status = state.status.get();
        let kind = status_text(&status);
        if previous.as_deref() != Some(kind.as_str()) {
            let listeners: Vec<Function> =
                with(|registry| registry.listeners.iter().map(|(_, f)| f.clone()).collect());
            let label = JsValue::from(status.label());
            for listener in listeners {
                let _ = listener.call2(&JsValue::UNDEFINED, &kind.as_str().into(), &label);
            }
        }
        kind
    });

    if let Some(window) = web_sys::window() {
        let _ = Reflect::set(&window, &"mqttConsole".into(), &api);
        if let Ok(event) = web_sys::Event::new("mqtt-console-ready") {
            let _ = window.dispatch_event(&event);
        }
    }
}
