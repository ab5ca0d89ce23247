//! The one place that reads the browser's monotonic clock.

use crate::time::Instant;

/// Milliseconds from `performance.now()` (monotonic, unlike `Date.now()`).
pub fn now() -> Instant {
    let millis = web_sys::window()
        .and_then(|window| window.performance())
        .map(|performance| performance.now())
        .unwrap_or_else(js_sys::Date::now);
    Instant::from_millis(millis.max(0.0) as u64)
}
