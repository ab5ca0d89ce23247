//! Topic name and topic filter checks done before anything is sent, so a
//! typo is an immediate error rather than a broker disconnect.

/// Checks a topic name for PUBLISH: non-empty, at most 65,535 bytes, no NUL,
/// no wildcards `[MQTT-4.7.1-1]`, `[MQTT-4.7.3-1]`.
pub(crate) fn topic_name(topic: &str) -> Result<(), String> {
    common(topic)?;
    if topic.contains(['+', '#']) {
        return Err("a topic name cannot contain the wildcards `+` or `#`".into());
    }
    Ok(())
}

/// Checks a topic filter for SUBSCRIBE/UNSUBSCRIBE: `#` only as the whole
/// last level, `+` only as a whole level `[MQTT-4.7.1-2]`, `[MQTT-4.7.1-3]`.
pub(crate) fn topic_filter(filter: &str) -> Result<(), String> {
    common(filter)?;
    let levels: Vec<&str> = filter.split('/').collect();
    for (i, level) in levels.iter().enumerate() {
        if level.contains('#') && (*level != "#" || i + 1 != levels.len()) {
            return Err("`#` must be a whole level and the last one (e.g. `a/#`)".into());
        }
        if level.contains('+') && *level != "+" {
            return Err("`+` must be a whole level (e.g. `a/+/c`)".into());
        }
    }
    Ok(())
}

fn common(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("it is empty".into());
    }
    if s.len() > u16::MAX as usize {
        return Err(format!("it is {} bytes long; the limit is 65,535", s.len()));
    }
    if s.contains('\0') {
        return Err("it contains a NUL character".into());
    }
    Ok(())
}
