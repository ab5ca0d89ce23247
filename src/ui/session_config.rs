//! The session settings this page runs with.
//!
//! Defaults follow AWS's CRT client (reconnect after 1 s doubling to 2 min).
//! Two query parameters let test suites and impatient users shorten the
//! reconnect delays without a rebuild: `?reconnectMin=200&reconnectMax=2000`
//! (milliseconds). The jitter seed comes from the browser's random source so
//! that many tabs do not reconnect in lockstep.

use crate::session::SessionConfig;
use std::time::Duration;

/// Session configuration for this page load.
pub fn from_page() -> SessionConfig {
    let mut config = SessionConfig {
        random_seed: (js_sys::Math::random() * 2f64.powi(53)) as u64,
        ..SessionConfig::default()
    };
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let param = |name: &str| {
        web_sys::UrlSearchParams::new_with_str(&search)
            .ok()
            .and_then(|params| params.get(name))
            .and_then(|value| value.trim().parse::<u64>().ok())
    };
    if let Some(min) = param("reconnectMin").filter(|ms| *ms >= 50) {
        config.backoff.initial = Duration::from_millis(min);
    }
    if let Some(max) = param("reconnectMax") {
        config.backoff.max =
            Duration::from_millis(max.max(config.backoff.initial.as_millis() as u64));
    }
    config
}
