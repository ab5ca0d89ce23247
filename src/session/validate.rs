//! Topic checks done before anything is sent, so a typo is an immediate
//! error rather than a broker disconnect. The rules live in
//! [`crate::topic`]; this only turns them into the session's error text.

use crate::topic;

/// Checks a topic name for PUBLISH or a last will.
pub(crate) fn topic_name(name: &str) -> Result<(), String> {
    topic::validate_topic_name(name).map_err(|e| e.to_string())
}

/// Checks a topic filter for SUBSCRIBE/UNSUBSCRIBE.
pub(crate) fn topic_filter(filter: &str) -> Result<(), String> {
    topic::validate_topic_filter(filter).map_err(|e| e.to_string())
}
