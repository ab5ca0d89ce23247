//! `window.__mqttConsoleBench`: a minimal hook for the in-browser benchmark
//! (`benches/browser/run.mjs`), installed only when the page URL has a
//! `bench` query parameter. It reads counters and drives the filter; it
//! cannot connect, publish or read payloads.

use super::LogHandle;
use js_sys::{Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

fn set(object: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &JsValue::from_str(key), &value.into());
}

/// Installs the hook if the URL asks for it.
pub fn install(log: LogHandle) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let search = window.location().search().unwrap_or_default();
    if !search.contains("bench") {
        return;
    }
    let hook = Object::new();
    let stats = Closure::<dyn Fn() -> JsValue>::new(move || {
        let out = Object::new();
        if let Some(core) = log.core() {
            let store = core.store.borrow();
            set(&out, "count", store.len() as f64);
            set(
                &out,
                "received",
                (store.len() as u64 + store.dropped()) as f64,
            );
            set(&out, "dropped", store.dropped() as f64);
            set(&out, "topics", store.topics().len() as f64);
            set(&out, "topicBytes", store.topics().accounted_bytes() as f64);
            let untracked = store.topics().untracked();
            set(&out, "untrackedTopics", untracked.topics() as f64);
            set(&out, "untrackedMessages", untracked.messages as f64);
            set(&out, "storeBytes", store.allocated_bytes() as f64);
            set(&out, "firstAt", core.first_at.get());
            set(&out, "lastAt", core.last_at.get());
        }
        let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
        let buffer: js_sys::ArrayBuffer = memory.buffer().unchecked_into();
        set(&out, "wasmBytes", buffer.byte_length() as f64);
        let (api_messages, api_bytes) = crate::ui::automation::buffer_stats();
        set(&out, "apiBufferMessages", api_messages as f64);
        set(&out, "apiBufferBytes", api_bytes as f64);
        set(
            &out,
            "liveHeapBytes",
            crate::heap_stats::live_bytes() as f64,
        );
        set(&out, "version", log.version.get_untracked() as f64);
        out.into()
    });
    let clear = Closure::<dyn Fn()>::new(move || log.clear());
    // Types into the payload filter as a user would; read `lastFilter()`.
    let set_text = Closure::<dyn Fn(String)>::new(move |text: String| log.text_filter.set(text));
    let set_regex = Closure::<dyn Fn(bool)>::new(move |on: bool| log.regex.set(on));
    let last_filter = Closure::<dyn Fn() -> JsValue>::new(move || {
        let out = Object::new();
        if let Some(ms) = log.filter_ms.get_untracked() {
            set(&out, "ms", ms);
        }
        set(
            &out,
            "running",
            log.filter_progress.get_untracked().is_some(),
        );
        if let Some(core) = log.core() {
            let store = core.store.borrow();
            set(&out, "matches", core.view.borrow().matching(&store) as f64);
        }
        out.into()
    });
    set(&hook, "stats", stats.into_js_value());
    set(&hook, "clear", clear.into_js_value());
    set(&hook, "setTextFilter", set_text.into_js_value());
    set(&hook, "setRegex", set_regex.into_js_value());
    set(&hook, "lastFilter", last_filter.into_js_value());
    set(&window, "__mqttConsoleBench", hook);
}
