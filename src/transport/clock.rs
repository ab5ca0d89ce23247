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

/// `performance.now()` in fractional milliseconds (monotonic, unlike
/// `Date.now()`, which stands in where there is no `performance`): for
/// measuring durations in the page.
pub fn now_ms() -> f64 {
    PERFORMANCE.with(|performance| match performance {
        Some(performance) => performance.now(),
        None => js_sys::Date::now(),
    })
}

/// [`now_ms`] in whole milliseconds, for the session.
pub fn now() -> Instant {
    Instant::from_millis(now_ms().max(0.0) as u64)
}

/// Milliseconds since the Unix epoch of an instant from [`now`], so a time
/// read once per received frame can also stamp the messages in it.
pub fn epoch_ms(instant: Instant) -> f64 {
    ORIGIN_MS.with(|origin| origin + instant.as_millis() as f64)
}
