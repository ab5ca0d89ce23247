//! The log's limits for this page load. Defaults come from
//! [`StoreConfig::default`] (1,000,000 messages, 256 MiB, 1 MiB per payload);
//! `?logCap=N` lowers or raises the message cap (e.g. a dashboard left open
//! for days, or a soak test at 10,000). The topic table's bounds come from
//! [`TopicLimits::default`] (100,000 topics, 32 MiB); `?topicCap=N` sets
//! the topic count (tests use a small one).

use crate::store::topics::TopicLimits;
use crate::store::{MessageStore, StoreConfig};
use crate::ui::url_params::page_number;

/// An empty store with the limits of the defaults and the page URL.
pub fn store_from_page() -> MessageStore {
    let mut store = MessageStore::new(from_page());
    let mut limits = TopicLimits::default();
    if let Some(cap) = page_number("topicCap").and_then(|cap| usize::try_from(cap).ok()) {
        limits.max_topics = cap;
    }
    store.topics_mut().set_limits(limits);
    store
}

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
