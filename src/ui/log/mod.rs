//! The message log's browser side: ingest is decoupled from rendering.
//!
//! Every received message goes straight into the pure
//! [`MessageStore`](crate::store::MessageStore) (no signal, no DOM work);
//! the first message after a frame schedules one `requestAnimationFrame`,
//! which bumps [`LogHandle::version`] once. Everything drawn from the log
//! (virtualized list, counters, topic tree, charts) reacts to that one
//! signal, so the page does its view work at most once per frame however
//! fast messages arrive.

pub mod bench;
pub mod details;
pub mod export;
pub mod limits;
pub mod list;

use crate::session::InboundMessage;
use crate::store::chart::Charts;
use crate::store::filter::{PayloadQuery, Query};
use crate::store::format::PayloadView;
use crate::store::view::LogView;
use crate::store::{Incoming, MessageStore};
use crate::transport::now_ms;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Height of one log row in pixels (the list is virtualized on it).
pub const ROW_PX: f64 = 26.0;
/// Filter work per frame: a pass over a big log (a regex over a million
/// payloads takes seconds) is spread over frames, keeping each under 50 ms.
const FILTER_FRAME_MS: f64 = 35.0;
/// Messages examined between two clock checks.
const FILTER_STEP: usize = 50_000;
/// Shortest interval between two redraws caused by arriving messages
/// (about 30 per second).
const MIN_REDRAW_MS: f64 = 30.0;
/// Above this many messages per millisecond (1,000 a second) rows go by too
/// fast to read anyway, so the log redraws only every [`BUSY_REDRAW_MS`]
/// and leaves the main thread to receiving (the broker benchmark profiled
/// layout and paint of each redraw as the page's biggest cost after the
/// socket itself).
const BUSY_MESSAGES_PER_MS: f64 = 1.0;
const BUSY_REDRAW_MS: f64 = 100.0;
/// Above 10,000 messages a second a redraw (about 10 ms of layout, paint
/// and compositing for the list, counters, tree and chart) only every
/// 250 ms: at 20,000 messages a second that is 4% of a core instead of 10%,
/// which a 2-core machine would otherwise take from receiving. (Not from
/// 5,000 a second: there the 250 ms redraws made one 50 ms frame a run in
/// the steady-rate benchmark, the 100 ms ones none.)
const FLOOD_MESSAGES_PER_MS: f64 = 10.0;
const FLOOD_REDRAW_MS: f64 = 250.0;

/// The log's data, shared by the handle and the frame callback.
pub struct LogCore {
    pub store: RefCell<MessageStore>,
    /// Filter and pause state of the list.
    pub view: RefCell<LogView>,
    pub charts: RefCell<Charts>,
    frame_pending: Cell<bool>,
    /// Minutes east of UTC, for the clock shown in rows.
    pub utc_offset_minutes: i32,
    /// `performance.now()` (whole milliseconds, from the session's receive
    /// time) of the first and the last message since the last clear (read by
    /// the benchmark hook).
    pub first_at: Cell<f64>,
    pub last_at: Cell<f64>,
    /// `performance.now()` when the current filter pass started.
    filter_started: Cell<Option<f64>>,
    /// `performance.now()` of the last frame that redrew the log.
    last_redraw: Cell<f64>,
    /// Messages ingested since that redraw.
    arrived_since_redraw: Cell<u32>,
}

impl LogCore {
    fn new() -> LogCore {
        LogCore {
            store: RefCell::new(limits::store_from_page()),
            view: RefCell::new(LogView::default()),
            charts: RefCell::new(Charts::default()),
            frame_pending: Cell::new(false),
            utc_offset_minutes: -(js_sys::Date::new_0().get_timezone_offset() as i32),
            first_at: Cell::new(f64::NAN),
            last_at: Cell::new(f64::NAN),
            filter_started: Cell::new(None),
            last_redraw: Cell::new(f64::NEG_INFINITY),
            arrived_since_redraw: Cell::new(0),
        }
    }

    /// Milliseconds until the next redraw for arriving messages is due.
    fn redraw_wait(&self, now: f64) -> f64 {
        let elapsed = now - self.last_redraw.get();
        let arrived = self.arrived_since_redraw.get() as f64;
        let interval = if arrived < 10.0 {
            MIN_REDRAW_MS
        } else if arrived > FLOOD_MESSAGES_PER_MS * elapsed {
            FLOOD_REDRAW_MS
        } else if arrived > BUSY_MESSAGES_PER_MS * elapsed {
            BUSY_REDRAW_MS
        } else {
            MIN_REDRAW_MS
        };
        interval - elapsed
    }
}

/// Handle to the log, kept in [`AppState`](super::AppState); `Copy`.
#[derive(Clone, Copy)]
pub struct LogHandle {
    core: StoredValue<Rc<LogCore>, LocalStorage>,
    /// Bumped at most once per animation frame when messages arrived, and
    /// whenever the log changes otherwise (clear, filter, pause).
    pub version: RwSignal<u64>,
    /// Filter inputs: topic filter (MQTT wildcards), subscription filter
    /// (empty: all), payload text or regex.
    pub topic_filter: RwSignal<String>,
    pub subscription_filter: RwSignal<String>,
    pub text_filter: RwSignal<String>,
    pub regex: RwSignal<bool>,
    pub ignore_case: RwSignal<bool>,
    /// Why the current filter input is invalid, if it is.
    pub filter_error: RwSignal<Option<String>>,
    /// Milliseconds the last full filter pass took.
    pub filter_ms: RwSignal<Option<f64>>,
    /// While a filter pass runs over several frames: how far it got (0..1).
    pub filter_progress: RwSignal<Option<f64>>,
    pub paused: RwSignal<bool>,
    pub following: RwSignal<bool>,
    /// `seq` of the message shown in the details pane.
    pub selected: RwSignal<Option<u64>>,
    /// Default payload view (rows and details).
    pub payload_view: RwSignal<PayloadView>,
}

impl LogHandle {
    pub fn new() -> LogHandle {
        LogHandle {
            core: StoredValue::new_local(Rc::new(LogCore::new())),
            version: RwSignal::new(0),
            topic_filter: RwSignal::new(String::new()),
            subscription_filter: RwSignal::new(String::new()),
            text_filter: RwSignal::new(String::new()),
            regex: RwSignal::new(false),
            ignore_case: RwSignal::new(true),
            filter_error: RwSignal::new(None),
            filter_ms: RwSignal::new(None),
            filter_progress: RwSignal::new(None),
            paused: RwSignal::new(false),
            following: RwSignal::new(true),
            selected: RwSignal::new(None),
            payload_view: RwSignal::new(PayloadView::Auto),
        }
    }

    /// The shared data (`None` once the app is unmounted).
    pub fn core(&self) -> Option<Rc<LogCore>> {
        self.core.try_get_value()
    }

    /// The most messages the log keeps.
    pub fn max_messages(&self) -> usize {
        self.with_store(|store| store.config().max_messages)
            .unwrap_or_default()
    }

    /// Changes the message cap; lowering it drops the oldest messages at
    /// once (counted as dropped, like any other drop).
    pub fn set_max_messages(&self, max_messages: usize) {
        if let Some(core) = self.core() {
            let mut store = core.store.borrow_mut();
            let config = store.config();
            store.set_config(crate::store::StoreConfig {
                max_messages: max_messages.max(1),
                ..config
            });
        }
        self.changed();
    }

    /// Reads the store.
    pub fn with_store<R>(&self, read: impl FnOnce(&MessageStore) -> R) -> Option<R> {
        self.core().map(|core| read(&core.store.borrow()))
    }

    /// Appends a received message to `core` (this log's, from
    /// [`LogHandle::core`]); the view catches up on the next redraw.
    pub fn ingest(&self, core: &LogCore, message: &InboundMessage) {
        // The session's receive time: no clock read per message here.
        let now = message.received_at.as_millis() as f64;
        {
            let mut store = core.store.borrow_mut();
            let incoming = Incoming {
                topic: &message.topic,
                payload: &message.payload,
                qos: message.qos,
                retain: message.retain,
                duplicate: message.duplicate,
                time_ms: crate::transport::epoch_ms(message.received_at),
            };
            let seq = match message.skipped {
                Some(size) => store.push_skipped(incoming, size),
                None => store.push(incoming),
            };
            let mut charts = core.charts.borrow_mut();
            if !charts.is_empty() {
                if let Some(stored) = store.get(seq) {
                    charts.offer(&stored, store.generation());
                }
            }
        }
        if core.first_at.get().is_nan() {
            core.first_at.set(now);
        }
        core.last_at.set(now);
        core.arrived_since_redraw
            .set(core.arrived_since_redraw.get().saturating_add(1));
        self.request_frame(core);
    }

    pub(crate) fn request_frame(&self, core: &LogCore) {
        if core.frame_pending.replace(true) {
            return;
        }
        self.schedule_redraw(core);
    }

    /// Redraws in an animation frame once the next redraw is due. While
    /// messages stream in, redraws are at least MIN_REDRAW_MS apart (more
    /// when busy): the rows change completely each time anyway, and the time
    /// goes to receiving instead (user scrolling is not throttled). The wait
    /// is a timer, not a spin through animation frames: every frame the page
    /// asks for costs it a rendering pass.
    fn schedule_redraw(&self, core: &LogCore) {
        let handle = *self;
        let wait = core.redraw_wait(now_ms());
        if wait > 0.0 {
            set_timeout(
                move || {
                    if let Some(core) = handle.core() {
                        handle.schedule_redraw(&core);
                    }
                },
                std::time::Duration::from_millis(wait.ceil() as u64),
            );
            return;
        }
        request_animation_frame(move || {
            let Some(core) = handle.core() else {
                return;
            };
            core.last_redraw.set(now_ms());
            core.arrived_since_redraw.set(0);
            core.frame_pending.set(false);
            handle.version.try_update(|v| *v += 1);
        });
    }

    /// Tells every view the log changed (now, not on the next frame).
    pub fn changed(&self) {
        self.version.try_update(|v| *v += 1);
    }

    /// Forgets every message, the tree, counters and chart points.
    pub fn clear(&self) {
        if let Some(core) = self.core() {
            core.store.borrow_mut().clear();
            core.charts.borrow_mut().clear_points();
            core.first_at.set(f64::NAN);
            core.last_at.set(f64::NAN);
            let mut view = core.view.borrow_mut();
            if view.is_paused() {
                view.resume();
                view.pause(&core.store.borrow());
            }
        }
        self.selected.set(None);
        self.changed();
    }

    /// Builds the query from the filter inputs; `Err` explains a bad input.
    pub fn query(&self) -> Result<Query, String> {
        let mut topic_filters = Vec::new();
        for filter in [
            self.subscription_filter.get(),
            self.topic_filter.get().trim().to_string(),
        ] {
            if filter.is_empty() {
                continue;
            }
            crate::topic::validate_topic_filter(&filter)
                .map_err(|error| format!("Topic filter {filter:?}: {error}"))?;
            topic_filters.push(filter);
        }
        let text = self.text_filter.get();
        let ignore_case = self.ignore_case.get();
        let payload = if self.regex.get() {
            payload_regex(&text, ignore_case)?
        } else {
            PayloadQuery::text(&text, ignore_case)
        };
        Ok(Query {
            topic_filters,
            payload,
        })
    }

    /// Applies a query to the list: the pass over the store starts now and
    /// goes on over the next frames if it is long ([`LogHandle::filter_ms`]
    /// tells how long it took once complete).
    pub fn apply_query(&self, query: Query) {
        let Some(core) = self.core() else {
            return;
        };
        core.view.borrow_mut().set_query(query);
        core.filter_started.set(Some(now_ms()));
        self.refresh_view(&core);
        self.changed();
    }

    /// Catches the list up with the store: new messages, dropped ones, and
    /// a filter pass in progress (within this frame's budget).
    pub fn refresh_view(&self, core: &LogCore) {
        let started = now_ms();
        let done = loop {
            let done = core
                .view
                .borrow_mut()
                .refresh_some(&core.store.borrow(), FILTER_STEP);
            if done || now_ms() - started > FILTER_FRAME_MS {
                break done;
            }
        };
        if done {
            if let Some(began) = core.filter_started.take() {
                self.filter_ms.set(Some(now_ms() - began));
                self.filter_progress.set(None);
            }
        } else {
            let progress = core.view.borrow().progress(&core.store.borrow());
            self.filter_progress.set(Some(progress));
            self.request_frame(core);
        }
    }
}

/// A payload test with a regular expression on `regex_lite` (flag `i` when
/// ignoring case): linear time, so no pattern freezes the page however the
/// payload is shaped (JavaScript's backtracking `RegExp` can), and a long
/// pass is spread over frames by the filter. ~15 KB of gzipped wasm
/// (docs/log.md). Invalid patterns are reported, not thrown.
fn payload_regex(pattern: &str, ignore_case: bool) -> Result<PayloadQuery, String> {
    if pattern.is_empty() {
        return Ok(PayloadQuery::Any);
    }
    let flags = if ignore_case { "i" } else { "" };
    let regex =
        crate::matcher::compile_regex(pattern, flags).map_err(|error| format!("Regex: {error}"))?;
    Ok(PayloadQuery::Predicate(Box::new(
        move |payload| match std::str::from_utf8(payload) {
            Ok(text) => regex.is_match(text),
            Err(_) => regex.is_match(&String::from_utf8_lossy(payload)),
        },
    )))
}

impl Default for LogHandle {
    fn default() -> Self {
        Self::new()
    }
}
