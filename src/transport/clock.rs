//! The one place that reads the browser's monotonic clock.

use crate::time::Instant;

thread_local! {
    /// Looked up once: `window.performance` is read for every message.
    static PERFORMANCE: Option<web_sys::Performance> =
        web_sys::window().and_then(|window| window.performance());
}

/// Milliseconds from `performance.now()` (monotonic, unlike `Date.now()`).
pub fn now() -> Instant {
    let millis = PERFORMANCE.with(|performance| match performance {
        Some(performance) => performance.now(),
        None => js_sys::Date::now(),
    });
    Instant::from_millis(millis.max(0.0) as u64)
}
