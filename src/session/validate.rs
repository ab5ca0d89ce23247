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

/// Checks MQTT 5 subscription options that are wrong whatever the broker
/// says: a subscription identifier out of range (§3.8.2.1.2) and No Local
/// on a shared subscription `[MQTT-3.8.3-4]`.
pub(crate) fn subscribe_options(filter: &str, options: &super::SubscribeOptions) -> Option<String> {
    if let Some(id) = options.subscription_id {
        if crate::codec::v5::SubscriptionId::new(id).is_none() {
            return Some(format!(
                "subscription identifier {id} is outside 1..=268,435,455 (§3.8.2.1.2)"
            ));
        }
    }
    if options.no_local && filter.starts_with("$share/") {
        return Some("No Local cannot be set on a shared subscription [MQTT-3.8.3-4]".to_string());
    }
    None
}
