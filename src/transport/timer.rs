//! One-shot browser timers.
//!
//! Timers are never cancelled: the session treats a spurious timeout as
//! harmless, so the driver only arms a new timer when the next deadline moves
//! earlier. Each callback frees itself after running (`once_into_js`), so
//! nothing leaks and no closure is dropped while it runs.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Calls `callback` once after `delay_ms`.
pub fn set_timeout(delay_ms: u64, callback: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = Closure::once_into_js(callback);
    let delay = delay_ms.min(i32::MAX as u64) as i32;
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), delay);
}
