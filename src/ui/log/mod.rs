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
pub mod list;

use crate::session::InboundMessage;
use crate::store::chart::Charts;
use crate::store::filter::{PayloadQuery, Query};
use crate::store::format::PayloadView;
use crate::store::view::LogView;
use crate::store::{Incoming, MessageStore};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Height of one log row in pixels (the list is virtualized on it).
pub const ROW_PX: f64 = 26.0;

/// The log's data, shared by the handle and the frame callback.
pub struct LogCore {
    pub store: RefCell<MessageStore>,
    /// Filter and pause state of the list.
    pub view: RefCell<LogView>,
    pub charts: RefCell<Charts>,
    frame_pending: Cell<bool>,
    performance: Option<web_sys::Performance>,
    time_origin: f64,
    /// Minutes east of UTC, for the clock shown in rows.
    pub utc_offset_minutes: i32,
    /// `performance.now()` of the first and the last message since the
    /// last clear (read by the benchmark hook).
    pub first_at: Cell<f64>,
    pub last_at: Cell<f64>,
}

impl LogCore {
    fn new() -> LogCore {
        let performance = web_sys::window().and_then(|window| window.performance());
        let time_origin = performance
            .as_ref()
            .map(|p| p.time_origin())
            .unwrap_or_else(js_sys::Date::now);
        LogCore {
            store: RefCell::new(MessageStore::default()),
            view: RefCell::new(LogView::default()),
            charts: RefCell::new(Charts::default()),
            frame_pending: Cell::new(false),
            performance,
            time_origin,
            utc_offset_minutes: -(js_sys::Date::new_0().get_timezone_offset() as i32),
            first_at: Cell::new(f64::NAN),
            last_at: Cell::new(f64::NAN),
        }
    }

    fn perf_now(&self) -> f64 {
        match &self.performance {
            Some(performance) => performance.now(),
            None => js_sys::Date::now() - self.time_origin,
        }
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

    /// Reads the store.
    pub fn with_store<R>(&self, read: impl FnOnce(&MessageStore) -> R) -> Option<R> {
        self.core().map(|core| read(&core.store.borrow()))
    }

    /// Appends a received message; the view catches up on the next frame.
    pub fn ingest(&self, message: &InboundMessage) {
        let Some(core) = self.core() else {
            return;
        };
        let now = core.perf_now();
        {
            let mut store = core.store.borrow_mut();
            let seq = store.push(Incoming {
                topic: &message.topic,
                payload: &message.payload,
                qos: message.qos,
                retain: message.retain,
                duplicate: message.duplicate,
                time_ms: core.time_origin + now,
            });
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
        self.request_frame(&core);
    }

    fn request_frame(&self, core: &LogCore) {
        if core.frame_pending.replace(true) {
            return;
        }
        let handle = *self;
        request_animation_frame(move || {
            if let Some(core) = handle.core() {
                core.frame_pending.set(false);
            }
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
            PayloadQuery::regex(&text, ignore_case).map_err(|error| format!("Regex: {error}"))?
        } else {
            PayloadQuery::text(&text, ignore_case)
        };
        Ok(Query {
            topic_filters,
            payload,
        })
    }

    /// Applies a query to the list (one pass over the store) and returns
    /// how long the pass took in milliseconds.
    pub fn apply_query(&self, query: Query) -> f64 {
        let Some(core) = self.core() else {
            return 0.0;
        };
        let started = core.perf_now();
        {
            let store = core.store.borrow();
            let mut view = core.view.borrow_mut();
            view.set_query(query);
            view.refresh(&store);
        }
        let elapsed = core.perf_now() - started;
        self.changed();
        elapsed
    }
}

impl Default for LogHandle {
    fn default() -> Self {
        Self::new()
    }
}
