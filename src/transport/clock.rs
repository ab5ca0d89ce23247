//! The one place that reads the browser's monotonic clock.

use crate::time::Instant;

thread_local! {
    /// Looked up once: `window.performance` is read for every message.
    static PERFORMANCE: Option<web_sys::Performance> =
        web_sys::window().and_then(|window| window.performance());
    /// Epoch milliseconds of [`now`]'s zero.
    static ORIGIN_MS: f64 = PERFORMANCE.with(|performance| {
        performance.as_ref().map_or(0.0, |performance| performance.time_origin())
    });
}

/// Milliseconds from `performance.now()` (monotonic, unlike `Date.now()`).
pub fn now() -> Instant {
    let millis = PERFORMANCE.with(|performance| match performance {
        Some(performance) => performance.now(),
        None => js_sys::Date::now(),
    });
    Instant::from_millis(millis.max(0.0) as u64)
}

/// Milliseconds since the Unix epoch of an instant from [`now`], so a time
/// read once per received frame can also stamp the messages in it.
pub fn epoch_ms(instant: Instant) -> f64 {
    ORIGIN_MS.with(|origin| origin + instant.as_millis() as f64)
}
