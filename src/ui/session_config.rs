//! The session settings this page runs with.
//!
//! Defaults follow AWS's CRT client (reconnect after 1 s doubling to 2 min).
//! Two query parameters let test suites and impatient users shorten the
//! reconnect delays without a rebuild: `?reconnectMin=200&reconnectMax=2000`
//! (milliseconds). The jitter seed comes from the browser's random source so
//! that many tabs do not reconnect in lockstep.

use super::url_params::page_number;
use crate::session::SessionConfig;
use std::time::Duration;

/// Session configuration for this page load.
pub fn from_page() -> SessionConfig {
    let mut config = SessionConfig {
        random_seed: (js_sys::Math::random() * 2f64.powi(53)) as u64,
        ..SessionConfig::default()
    };
    if let Some(min) = page_number("reconnectMin").filter(|ms| *ms >= 50) {
        config.backoff.initial = Duration::from_millis(min);
    }
    if let Some(max) = page_number("reconnectMax") {
        config.backoff.max =
            Duration::from_millis(max.max(config.backoff.initial.as_millis() as u64));
    }
    config
}
