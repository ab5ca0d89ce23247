//! MQTT 3.1.1 topic names and topic filters: validation and matching.
//!
//! A *topic name* is what a PUBLISH is sent to (`sensors/kitchen/temp`); it
//! never contains wildcards. A *topic filter* is what a SUBSCRIBE asks for
//! and may use `+` (exactly one level) and `#` (this level and everything
//! below, only at the end). See spec §4.7.

use std::fmt;

/// Longest topic name or filter on the wire: a UTF-8 string's 2-byte length
/// prefix `[MQTT-4.7.3-3]`.
pub const MAX_TOPIC_LEN: usize = 65_535;

/// Why a string is not a valid topic name or topic filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopicError {
    /// Topic names and filters are at least one character long `[MQTT-4.7.3-1]`.
    Empty,
    /// At most 65,535 bytes of UTF-8 `[MQTT-4.7.3-3]`.
    TooLong { len: usize },
    /// U+0000 is not allowed in a topic `[MQTT-4.7.3-2]`.
    NullCharacter,
    /// Topic names (PUBLISH, will) must not contain `+` or `#` `[MQTT-4.7.1-1]`, `[MQTT-3.3.2-2]`.
    WildcardInName,
    /// `#` must be the last character of a filter `[MQTT-4.7.1-2]`.
    MultiLevelNotLast,
    /// `#` must occupy a whole level (`a/#`, not `a/b#`) `[MQTT-4.7.1-2]`.
    MultiLevelNotAlone,
    /// `+` must occupy a whole level (`a/+/b`, not `a/b+`) `[MQTT-4.7.1-3]`.
    SingleLevelNotAlone,
}

impl TopicError {
    /// A stable snake_case name for tests and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            TopicError::Empty => "empty_topic",
            TopicError::TooLong { .. } => "topic_too_long",
            TopicError::NullCharacter => "null_character",
            TopicError::WildcardInName => "wildcard_in_topic_name",
            TopicError::MultiLevelNotLast => "multi_level_wildcard_not_last",
            TopicError::MultiLevelNotAlone => "multi_level_wildcard_not_alone",
            TopicError::SingleLevelNotAlone => "single_level_wildcard_not_alone",
        }
    }
}

impl fmt::Display for TopicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopicError::Empty => f.write_str("a topic cannot be empty [MQTT-4.7.3-1]"),
            TopicError::TooLong { len } => write!(
                f,
                "the topic is {len} bytes long, more than the 65,535 bytes MQTT allows [MQTT-4.7.3-3]"
            ),
            TopicError::NullCharacter => f.write_str(
                "the topic contains the null character U+0000, which MQTT forbids [MQTT-4.7.3-2]",
            ),
            TopicError::WildcardInName => f.write_str(
                "a topic you publish to cannot contain the wildcards '+' or '#'; they are only for subscriptions [MQTT-4.7.1-1]",
            ),
            TopicError::MultiLevelNotLast => f.write_str(
                "'#' must be the last level of a topic filter, e.g. 'a/b/#' [MQTT-4.7.1-2]",
            ),
            TopicError::MultiLevelNotAlone => f.write_str(
                "'#' must occupy a whole topic level, e.g. 'a/#' rather than 'a/b#' [MQTT-4.7.1-2]",
            ),
            TopicError::SingleLevelNotAlone => f.write_str(
                "'+' must occupy a whole topic level, e.g. 'a/+/b' rather than 'a/b+' [MQTT-4.7.1-3]",
            ),
        }
    }
}

impl std::error::Error for TopicError {}

fn check_common(s: &str) -> Result<(), TopicError> {
    if s.is_empty() {
        return Err(TopicError::Empty);
    }
    if s.len() > MAX_TOPIC_LEN {
        return Err(TopicError::TooLong { len: s.len() });
    }
    if s.as_bytes().contains(&0) {
        return Err(TopicError::NullCharacter);
    }
    Ok(())
}

/// Checks a topic name (the target of a PUBLISH or a will): non-empty, at
/// most 65,535 bytes, no U+0000, no wildcards.
pub fn validate_topic_name(topic: &str) -> Result<(), TopicError> {
    check_common(topic)?;
    if has_wildcards(topic) {
        return Err(TopicError::WildcardInName);
    }
    Ok(())
}

/// Checks a topic filter (the target of a SUBSCRIBE or UNSUBSCRIBE):
/// non-empty, at most 65,535 bytes, no U+0000, `+` and `#` each alone in
/// their level, `#` only as the last level.
pub fn validate_topic_filter(filter: &str) -> Result<(), TopicError> {
    check_common(filter)?;
    let mut levels = filter.split('/').peekable();
    while let Some(level) = levels.next() {
        if level.len() > 1 {
            if level.contains('#') {
                return Err(TopicError::MultiLevelNotAlone);
            }
            if level.contains('+') {
                return Err(TopicError::SingleLevelNotAlone);
            }
        } else if level == "#" && levels.peek().is_some() {
            return Err(TopicError::MultiLevelNotLast);
        }
    }
    Ok(())
}

/// True if `s` contains `+` or `#`.
pub fn has_wildcards(s: &str) -> bool {
    s.bytes().any(|b| b == b'+' || b == b'#')
}

/// Does the topic filter `filter` match the topic name `topic`?
///
/// `+` matches exactly one level (possibly empty), `#` matches its parent
/// level and everything below (`a/#` matches `a`, `a/b`, `a/b/c`). Topics
/// starting with `$` are not matched by a filter starting with a wildcard
/// `[MQTT-4.7.2-1]`. Both arguments are assumed valid; a topic containing
/// wildcards never matches.
pub fn matches(filter: &str, topic: &str) -> bool {
    if topic.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#')) {
        return false;
    }
    let mut f = filter.split('/');
    let mut t = topic.split('/');
    loop {
        match (f.next(), t.next()) {
            (Some("#"), _) => return true,
            (Some(_), Some(level)) if has_wildcards(level) => return false,
            (Some("+"), Some(_)) => {}
            (Some(fl), Some(tl)) => {
                if fl != tl {
                    return false;
                }
            }
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        for ok in [
            "#", "+", "a/#", "a/+/b", "+/+", "/", "/+", "a//b", "$SYS/#", "+/#",
        ] {
            assert_eq!(validate_topic_filter(ok), Ok(()), "{ok}");
        }
        assert_eq!(validate_topic_filter(""), Err(TopicError::Empty));
        assert_eq!(
            validate_topic_filter("a/#/b"),
            Err(TopicError::MultiLevelNotLast)
        );
        assert_eq!(
            validate_topic_filter("a/b#"),
            Err(TopicError::MultiLevelNotAlone)
        );
        assert_eq!(
            validate_topic_filter("a/b+"),
            Err(TopicError::SingleLevelNotAlone)
        );
        assert_eq!(validate_topic_filter("a\0"), Err(TopicError::NullCharacter));
        let long = "a".repeat(65_536);
        assert_eq!(
            validate_topic_filter(&long),
            Err(TopicError::TooLong { len: 65_536 })
        );
    }

    #[test]
    fn names() {
        assert_eq!(validate_topic_name("a/b"), Ok(()));
        assert_eq!(validate_topic_name("/"), Ok(()));
        assert_eq!(validate_topic_name("a/+"), Err(TopicError::WildcardInName));
        assert_eq!(validate_topic_name("#"), Err(TopicError::WildcardInName));
        assert_eq!(validate_topic_name(""), Err(TopicError::Empty));
    }

    #[test]
    fn matching() {
        let yes = [
            ("sport/tennis/player1/#", "sport/tennis/player1"),
            ("sport/tennis/player1/#", "sport/tennis/player1/ranking"),
            ("sport/#", "sport"),
            ("#", "a/b/c"),
            ("+", "a"),
            ("+/+", "/finance"),
            ("/+", "/finance"),
            ("sport/+", "sport/"),
            ("a/+/c", "a/b/c"),
            ("$SYS/#", "$SYS/broker"),
            ("$SYS/+", "$SYS/x"),
            ("a/b", "a/b"),
        ];
        for (f, t) in yes {
            assert!(matches(f, t), "{f} should match {t}");
        }
        let no = [
            ("sport/+", "sport"),
            ("+", "/finance"),
            ("a/b", "a/b/c"),
            ("a/b/c", "a/b"),
            ("#", "$SYS/broker"),
            ("+/broker", "$SYS/broker"),
            ("a/+/c", "a/b/d"),
            ("A", "a"),
        ];
        for (f, t) in no {
            assert!(!matches(f, t), "{f} should not match {t}");
        }
    }
}
