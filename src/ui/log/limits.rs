//! The log's limits for this page load. Defaults come from
//! [`StoreConfig::default`] (1,000,000 messages, 256 MiB, 1 MiB per payload);
//! `?logCap=N` lowers or raises the message cap (e.g. a dashboard left open
//! for days, or a soak test at 10,000).

use crate::store::StoreConfig;
use crate::ui::url_params::page_number;

/// Store configuration from the defaults and the page URL.
pub fn from_page() -> StoreConfig {
    let mut config = StoreConfig::default();
    let cap = page_number("logCap")
        .and_then(|cap| usize::try_from(cap).ok())
        .filter(|cap| *cap > 0);
    if let Some(cap) = cap {
        config.max_messages = cap;
    }
    config
}
