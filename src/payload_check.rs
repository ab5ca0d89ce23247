//! Publish-editor helpers: JSON validation with a position a person can
//! find, one-click formatting, and `{{n}}` placeholders for repeats.

/// What the editor knows about a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonStatus {
    Empty,
    /// Valid JSON.
    Valid,
    /// Looks like JSON (starts with `{` or `[`) but does not parse.
    Invalid {
        line: usize,
        column: usize,
        message: String,
    },
    /// Plain text; sent as is.
    Text,
}

/// Classifies a payload for the editor's inline indicator.
pub fn json_status(payload: &str) -> JsonStatus {
    let trimmed = payload.trim_start();
    if trimmed.is_empty() {
        return JsonStatus::Empty;
    }
    match serde_json::from_str::<serde_json::Value>(payload) {
        Ok(_) => JsonStatus::Valid,
        Err(error) if trimmed.starts_with(['{', '[']) => JsonStatus::Invalid {
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        },
        Err(_) => JsonStatus::Text,
    }
}

/// Pretty-prints valid JSON with two-space indentation; `None` otherwise.
pub fn format_json(payload: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(payload).ok()?;
    serde_json::to_string_pretty(&value).ok()
}

/// Replaces `{{n}}` with the 1-based sequence number of a repeated publish.
pub fn fill_sequence(payload: &str, n: u64) -> String {
    if payload.contains("{{n}}") {
        payload.replace("{{n}}", &n.to_string())
    } else {
        payload.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_payloads() {
        assert_eq!(json_status("  "), JsonStatus::Empty);
        assert_eq!(json_status(r#"{"a": 1}"#), JsonStatus::Valid);
        assert_eq!(json_status("42"), JsonStatus::Valid);
        assert_eq!(json_status("hello"), JsonStatus::Text);
        match json_status("{\n  \"a\": 1,\n  \"b\": }") {
            JsonStatus::Invalid { line, column, .. } => assert_eq!((line, column), (3, 8)),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn formats_only_valid_json() {
        assert_eq!(
            format_json(r#"{"a":[1,2]}"#).unwrap(),
            "{\n  \"a\": [\n    1,\n    2\n  ]\n}"
        );
        assert_eq!(format_json("{oops"), None);
    }

    #[test]
    fn fills_sequence_numbers() {
        assert_eq!(fill_sequence(r#"{"seq": {{n}}}"#, 7), r#"{"seq": 7}"#);
        assert_eq!(fill_sequence("plain", 7), "plain");
    }
}
