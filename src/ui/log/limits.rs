//! The log's limits for this page load. Defaults come from
//! [`StoreConfig::default`] (1,000,000 messages, 256 MiB, 1 MiB per payload);
//! `?logCap=N` lowers or raises the message cap (e.g. a dashboard left open
//! for days, or a soak test at 10,000).

use crate::store::StoreConfig;

/// Store configuration from the defaults and the page URL.
pub fn from_page() -> StoreConfig {
    let mut config = StoreConfig::default();
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let cap = web_sys::UrlSearchParams::new_with_str(&search)
        .ok()
        .and_then(|params| params.get("logCap"))
        .and_then(|value| value.trim().parse::<usize>().ok())
        .filter(|cap| *cap > 0);
    if let Some(cap) = cap {
        config.max_messages = cap;
    }
    config
}
