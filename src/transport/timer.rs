//! One-shot timers that keep time in a background tab.
//!
//! Browsers throttle `setTimeout` on the main thread of hidden tabs (Chrome:
//! to once a minute after five minutes hidden), which starves MQTT keepalive
//! and gets the connection dropped (mqtt.js #1257, #1577). Timers inside a
//! dedicated Web Worker are not throttled that way, so deadlines are kept by a
//! tiny worker (created from a Blob URL; CSP `worker-src blob:`) that posts a
//! message back when each one is due. If a worker cannot be created, the
//! main-thread `setTimeout` is used instead; a worker the page's policy
//! refuses (`worker-src`) fails after the fact, with an error event, and its
//! pending timers then move to the main thread.
//!
//! A browser timer takes at most 2^31 - 1 ms (24.8 days; a longer delay
//! fires at once); longer delays are chained here, so any `u64` delay
//! works: [`set_timeout`] (worker) and [`main_thread_timeout_ms`] (page).
//!
//! Timers are never cancelled: the session treats a spurious timeout as
//! harmless, so the driver only arms a new timer when the next deadline moves
//! earlier.

use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The worker's whole program: echo each id back after its delay.
const WORKER_SOURCE: &str =
    "onmessage = (e) => { const [id, delay] = e.data; setTimeout(() => postMessage(id), delay); };";

/// Where timer callbacks come from, for diagnostics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerSource {
    Worker,
    MainThread,
}

/// A timer handed to the worker: its callback, delay and when it was armed
/// (to re-arm it on the main thread if the worker fails).
struct PendingTimer {
    callback: Box<dyn FnOnce()>,
    delay_ms: u32,
    armed_at_ms: f64,
}

struct WorkerTimers {
    worker: web_sys::Worker,
    pending: HashMap<u32, PendingTimer>,
    next_id: u32,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static WORKER: RefCell<Option<WorkerTimers>> = const { RefCell::new(None) };
    static WORKER_FAILED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn start_worker() -> Result<WorkerTimers, JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(WORKER_SOURCE));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let worker = web_sys::Worker::new(&url)?;
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|event: web_sys::MessageEvent| {
            let Some(id) = event.data().as_f64() else {
                return;
            };
            // Take the callback out first: it may arm the next timer.
            let timer = WORKER.with(|cell| {
                cell.borrow_mut()
                    .as_mut()
                    .and_then(|timers| timers.pending.remove(&(id as u32)))
            });
            if let Some(timer) = timer {
                (timer.callback)();
            }
        });
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|_: web_sys::Event| abandon_worker());
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(WorkerTimers {
        worker,
        pending: HashMap::new(),
        next_id: 0,
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// The worker failed (refused by the page's policy, or its script broke):
/// from now on timers run on the main thread, starting with its pending ones.
fn abandon_worker() {
    WORKER_FAILED.with(|failed| failed.set(true));
    let Some(timers) = WORKER.with(|cell| cell.borrow_mut().take()) else {
        return;
    };
    timers.worker.set_onmessage(None);
    timers.worker.terminate();
    let now = super::clock::now_ms();
    for timer in timers.pending.into_values() {
        let remaining = (timer.delay_ms as f64 - (now - timer.armed_at_ms)).max(0.0);
        main_thread_timeout(remaining.ceil() as u32, timer.callback);
    }
    // The error handler's closure is dropped with `timers` after this call
    // returns to JS: detach it first.
    timers.worker.set_onerror(None);
}

/// Which source the next timers will use (starts the worker if needed).
pub fn source() -> TimerSource {
    ensure_worker();
    WORKER.with(|cell| match cell.borrow().is_some() {
        true => TimerSource::Worker,
        false => TimerSource::MainThread,
    })
}

fn ensure_worker() {
    if WORKER_FAILED.with(|failed| failed.get()) {
        return;
    }
    WORKER.with(|cell| {
        if cell.borrow().is_none() {
            match start_worker() {
                Ok(timers) => *cell.borrow_mut() = Some(timers),
                Err(_) => WORKER_FAILED.with(|failed| failed.set(true)),
            }
        }
    });
}

/// The longest delay one browser timer takes (`setTimeout` reads an `i32`).
pub const MAX_TIMER_MS: u64 = i32::MAX as u64;

/// The first timer to arm for `delay_ms`, and what is left after it fires.
fn split_delay(delay_ms: u64) -> (u32, u64) {
    let first = delay_ms.min(MAX_TIMER_MS);
    (first as u32, delay_ms - first)
}

/// Calls `callback` once after `delay_ms` (any length: chained past
/// [`MAX_TIMER_MS`]), from the timer worker when there is one.
pub fn set_timeout(delay_ms: u64, callback: impl FnOnce() + 'static) {
    match split_delay(delay_ms) {
        (first, 0) => set_timeout_once(first, Box::new(callback)),
        (first, rest) => set_timeout_once(first, Box::new(move || set_timeout(rest, callback))),
    }
}

/// Calls `callback` once after `delay_ms` (any length: chained past
/// [`MAX_TIMER_MS`]) with the page's own `setTimeout`, for UI timers that
/// need no background-tab accuracy (Leptos' timers throw past 2^31 - 1 ms).
pub fn main_thread_timeout_ms(delay_ms: u64, callback: impl FnOnce() + 'static) {
    match split_delay(delay_ms) {
        (first, 0) => main_thread_timeout(first, Box::new(callback)),
        (first, rest) => main_thread_timeout(
            first,
            Box::new(move || main_thread_timeout_ms(rest, callback)),
        ),
    }
}

fn set_timeout_once(delay: u32, callback: Box<dyn FnOnce()>) {
    ensure_worker();
    let leftover = WORKER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let Some(timers) = slot.as_mut() else {
            return Some(callback);
        };
        timers.next_id = timers.next_id.wrapping_add(1);
        let id = timers.next_id;
        let message = js_sys::Array::of2(&JsValue::from(id), &JsValue::from(delay));
        match timers.worker.post_message(&message) {
            Ok(()) => {
                let timer = PendingTimer {
                    callback,
                    delay_ms: delay,
                    armed_at_ms: super::clock::now_ms(),
                };
                timers.pending.insert(id, timer);
                None
            }
            Err(_) => Some(callback),
        }
    });
    if let Some(callback) = leftover {
        main_thread_timeout(delay, callback);
    }
}

fn main_thread_timeout(delay_ms: u32, callback: Box<dyn FnOnce()>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = Closure::once_into_js(callback);
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
        callback.unchecked_ref(),
        delay_ms.min(i32::MAX as u32) as i32,
    );
}
