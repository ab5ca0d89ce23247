//! Message expectations: "a message on this topic filter whose payload
//! contains / has this JSON value / matches this regular expression".
//!
//! Pure Rust, shared by the automation API (`waitForMessage`) and device
//! checks. A [`MessageSpec`] is what a person or a test writes (it
//! deserializes from the JavaScript object given to the API); an
//! [`Expectation`] is the validated, ready-to-evaluate form.
//!
//! Regular expressions are written as in JavaScript (`/source/flags`) but
//! run on [`regex_lite`] ([`compile_regex`]), whose time is linear in the
//! text: no pattern can freeze the page by backtracking (JavaScript's
//! `^(\w+\s?)*$` on `'a'.repeat(40) + '!'` does: exponential). The syntax is that of
//! the Rust `regex` crate, which JavaScript's common patterns share; what
//! differs is in docs/automation.md. The caller passes a tester function
//! for the one pattern an expectation may carry (see [`Expectation::regex`]),
//! so evaluation stays testable with any engine.
//!
//! ## jsonPath
//!
//! A dotted path into the JSON payload: an optional leading `$`, then any
//! of `.key`, `[n]` (array index; negative counts from the end) and
//! `["key"]` / `['key']` (keys with dots or brackets). `status`,
//! `$.status`, `readings[0].value`, `$["a.b"]` and `$` (the whole payload)
//! are all valid.
//!
//! ## equals
//!
//! Compares JSON values: numbers by value (`15` equals `15.0`), strings,
//! booleans and `null` exactly, arrays element by element, objects key by
//! key (order does not matter). Without `jsonPath`, `equals` compares the
//! whole payload; with `jsonPath` and no `equals`, the value only has to
//! exist.

use crate::topic;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::fmt;

/// Compiles a regular expression written as in JavaScript: `source` and
/// `flags` (`i` ignore case, `m` multi-line `^`/`$`, `s` `.` matches line
/// breaks; `u`, `g`, `y`, `d`, `v` are accepted and change nothing for a
/// yes/no test). Matching takes time linear in the text.
pub fn compile_regex(source: &str, flags: &str) -> Result<regex_lite::Regex, String> {
    let mut builder = regex_lite::RegexBuilder::new(source);
    for flag in flags.chars() {
        match flag {
            'i' => builder.case_insensitive(true),
            'm' => builder.multi_line(true),
            's' => builder.dot_matches_new_line(true),
            'u' | 'g' | 'y' | 'd' | 'v' => &mut builder,
            other => {
                return Err(format!(
                    "invalid regex /{source}/{flags}: unknown flag '{other}'"
                ))
            }
        };
    }
    builder.build().map_err(|error| {
        let hint = if source.contains("(?=")
            || source.contains("(?!")
            || source.contains("(?<=")
            || source.contains("(?<!")
        {
            " (lookaround is not supported: it cannot run in linear time)"
        } else {
            ""
        };
        format!("invalid regex /{source}/{flags}: {error}{hint}")
    })
}

/// The filter used when a spec gives no topic: every topic (except `$…`).
pub const ANY_TOPIC: &str = "#";

/// Longest payload excerpt quoted in explanations.
pub const PREVIEW_CHARS: usize = 200;

/// What a message must look like, as written by a person or a test.
///
/// Every given condition must hold (`contains`, `jsonPath`/`equals`,
/// `regex`); with none, any message on the topic matches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessageSpec {
    /// Topic filter (wildcards allowed); empty means [`ANY_TOPIC`].
    #[serde(default)]
    pub topic: String,
    /// The payload (as UTF-8 text) contains this substring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
    /// The JSON payload has a value at this path (see the module docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_path: Option<String>,
    /// The value at `json_path` (or the whole payload) equals this JSON
    /// value. `Some(Value::Null)` means "equals null".
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub equals: Option<Value>,
    /// The payload text matches this JavaScript regular expression source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// Flags of `regex` (`i`, `m`, `s`, `u`…); JavaScript's syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex_flags: Option<String>,
}

/// `equals: null` must become `Some(Null)`, not `None`.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// One step of a [`JsonPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(i64),
}

/// A parsed jsonPath (see the module docs for the syntax).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    segments: Vec<Segment>,
}

impl JsonPath {
    /// Parses `$.a.b[0]["c.d"]`-style paths; the error says what is wrong where.
    pub fn parse(text: &str) -> Result<JsonPath, String> {
        let invalid = |at: usize, what: &str| {
            Err(format!(
                "invalid jsonPath `{text}`: {what} at character {}",
                at + 1
            ))
        };
        let chars: Vec<char> = text.trim().chars().collect();
        let mut segments = Vec::new();
        let mut i = 0;
        if chars.first() == Some(&'$') {
            i = 1;
        } else if let Some(&first) = chars.first() {
            // A bare first key: `status.code` means `$.status.code`.
            if first != '[' && first != '.' {
                let start = i;
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    i += 1;
                }
                segments.push(Segment::Key(chars[start..i].iter().collect()));
            }
        }
        while i < chars.len() {
            match chars[i] {
                '.' => {
                    let start = i + 1;
                    let mut end = start;
                    while end < chars.len() && chars[end] != '.' && chars[end] != '[' {
                        end += 1;
                    }
                    if end == start {
                        return invalid(i, "empty key after '.'");
                    }
                    segments.push(Segment::Key(chars[start..end].iter().collect()));
                    i = end;
                }
                '[' => {
                    let Some(close) = find_close(&chars, i + 1) else {
                        return invalid(i, "'[' without a matching ']'");
                    };
                    let inner: String = chars[i + 1..close].iter().collect();
                    let inner = inner.trim();
                    let quoted = inner.len() >= 2
                        && ((inner.starts_with('"') && inner.ends_with('"'))
                            || (inner.starts_with('\'') && inner.ends_with('\'')));
                    if quoted {
                        segments.push(Segment::Key(inner[1..inner.len() - 1].to_string()));
                    } else if let Ok(index) = inner.parse::<i64>() {
                        segments.push(Segment::Index(index));
                    } else {
                        return invalid(
                            i,
                            "expected an array index like [0] or a quoted key like [\"name\"]",
                        );
                    }
                    i = close + 1;
                }
                _ => return invalid(i, "expected '.' or '['"),
            }
        }
        Ok(JsonPath { segments })
    }

    /// The value at this path, if there is one.
    pub fn resolve<'a>(&self, mut value: &'a Value) -> Option<&'a Value> {
        for segment in &self.segments {
            value = match (segment, value) {
                (Segment::Key(key), Value::Object(map)) => map.get(key)?,
                (Segment::Index(index), Value::Array(items)) => {
                    let len = items.len() as i64;
                    let at = if *index < 0 { len + index } else { *index };
                    if at < 0 {
                        return None;
                    }
                    items.get(at as usize)?
                }
                _ => return None,
            };
        }
        Some(value)
    }

    /// The segments, outermost first.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }
}

/// The closing `]` of a bracket starting at `from`, skipping quoted text.
fn find_close(chars: &[char], from: usize) -> Option<usize> {
    let mut quote = None;
    for (offset, &c) in chars[from..].iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == ']' => return Some(from + offset),
            None => {}
        }
    }
    None
}

impl fmt::Display for JsonPath {
    /// Normalized form: `$.a[0]["b.c"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for segment in &self.segments {
            match segment {
                Segment::Key(key)
                    if !key.is_empty() && !key.contains(['.', '[', ']', '"', '\'', ' ']) =>
                {
                    write!(f, ".{key}")?
                }
                Segment::Key(key) => write!(f, "[{}]", Value::String(key.clone()))?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// Compares JSON values with number semantics (`15 == 15.0`), deeply.
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x == y
            } else {
                match (x.as_f64(), y.as_f64()) {
                    (Some(x), Some(y)) => x == y,
                    _ => false,
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| json_equal(x, y)))
        }
        _ => a == b,
    }
}

/// One condition on the payload.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The payload text contains this substring.
    Contains(String),
    /// The JSON payload has a value at `path` (equal to `equals` if given).
    Json {
        path: JsonPath,
        equals: Option<Value>,
    },
    /// The payload text matches this JavaScript regular expression.
    Regex { source: String, flags: String },
}

impl Condition {
    /// `payload contains "ok"`, `$.status equals "ok"`, `$.status exists`,
    /// `payload equals 15`, `payload matches /^ok$/i`.
    pub fn describe(&self) -> String {
        match self {
            Condition::Contains(text) => format!("payload contains {}", quote(text)),
            Condition::Json { path, equals } => {
                let subject = if path.segments.is_empty() {
                    "payload".to_string()
                } else {
                    path.to_string()
                };
                match equals {
                    Some(value) => format!("{subject} equals {}", compact(value)),
                    None if path.segments.is_empty() => "payload is JSON".to_string(),
                    None => format!("{subject} exists"),
                }
            }
            Condition::Regex { source, flags } => format!("payload matches /{source}/{flags}"),
        }
    }
}

/// A validated [`MessageSpec`].
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    filter: String,
    conditions: Vec<Condition>,
}

/// What [`Expectation::evaluate`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The topic does not match the filter: the message is not a candidate.
    OtherTopic,
    /// Right topic and every condition holds.
    Match,
    /// Right topic, but this condition failed (a sentence for a person).
    Mismatch(String),
}

impl Expectation {
    /// Validates a spec: topic filter syntax, jsonPath syntax, and that
    /// `regexFlags` comes with a `regex`.
    pub fn from_spec(spec: &MessageSpec) -> Result<Expectation, String> {
        let filter = if spec.topic.trim().is_empty() {
            ANY_TOPIC.to_string()
        } else {
            spec.topic.trim().to_string()
        };
        topic::validate_topic_filter(&filter)
            .map_err(|error| format!("invalid topic filter `{filter}`: {error}"))?;
        let mut conditions = Vec::new();
        if let Some(text) = &spec.contains {
            conditions.push(Condition::Contains(text.clone()));
        }
        match (&spec.json_path, &spec.equals) {
            (Some(path), equals) => conditions.push(Condition::Json {
                path: JsonPath::parse(path)?,
                equals: equals.clone(),
            }),
            (None, Some(value)) => conditions.push(Condition::Json {
                path: JsonPath { segments: vec![] },
                equals: Some(value.clone()),
            }),
            (None, None) => {}
        }
        match (&spec.regex, &spec.regex_flags) {
            (Some(source), flags) => {
                let flags = flags.clone().unwrap_or_default();
                compile_regex(source, &flags)?;
                conditions.push(Condition::Regex {
                    source: source.clone(),
                    flags,
                })
            }
            (None, Some(_)) => return Err("regexFlags needs a regex".into()),
            (None, None) => {}
        }
        Ok(Expectation { filter, conditions })
    }

    /// The topic filter messages must match.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// The conditions on the payload, all of which must hold.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// The regular expression (source, flags) the caller must be able to
    /// test, if any.
    pub fn regex(&self) -> Option<(&str, &str)> {
        self.conditions
            .iter()
            .find_map(|condition| match condition {
                Condition::Regex { source, flags } => Some((source.as_str(), flags.as_str())),
                _ => None,
            })
    }

    /// Whether a message on `topic` is a candidate at all.
    pub fn topic_matches(&self, topic: &str) -> bool {
        topic::matches(&self.filter, topic)
    }

    /// Evaluates a message. `regex_test` answers whether the payload text
    /// matches [`Expectation::regex`] (never called when there is none).
    pub fn evaluate(
        &self,
        topic: &str,
        payload: &[u8],
        regex_test: &dyn Fn(&str) -> bool,
    ) -> Verdict {
        if !self.topic_matches(topic) {
            return Verdict::OtherTopic;
        }
        let text = String::from_utf8_lossy(payload);
        let mut json: Option<Result<Value, String>> = None;
        for condition in &self.conditions {
            match condition {
                Condition::Contains(needle) => {
                    if !text.contains(needle.as_str()) {
                        return Verdict::Mismatch(format!(
                            "the payload does not contain {}",
                            quote(needle)
                        ));
                    }
                }
                Condition::Regex { source, flags } => {
                    if !regex_test(&text) {
                        return Verdict::Mismatch(format!(
                            "the payload does not match /{source}/{flags}"
                        ));
                    }
                }
                Condition::Json { path, equals } => {
                    let parsed = json.get_or_insert_with(|| {
                        serde_json::from_slice::<Value>(payload).map_err(|error| error.to_string())
                    });
                    let root = match parsed {
                        Ok(root) => root,
                        Err(error) => {
                            return Verdict::Mismatch(format!("the payload is not JSON ({error})"))
                        }
                    };
                    let Some(found) = path.resolve(root) else {
                        return Verdict::Mismatch(format!("the payload has no {path}"));
                    };
                    if let Some(expected) = equals {
                        if !json_equal(found, expected) {
                            let what = if path.segments.is_empty() {
                                "the payload".to_string()
                            } else {
                                path.to_string()
                            };
                            return Verdict::Mismatch(format!(
                                "{what} is {}, not {}",
                                compact(found),
                                compact(expected)
                            ));
                        }
                    }
                }
            }
        }
        Verdict::Match
    }

    /// Convenience for callers without regular expressions (and tests):
    /// true on [`Verdict::Match`].
    pub fn matches(&self, topic: &str, payload: &[u8], regex_test: &dyn Fn(&str) -> bool) -> bool {
        self.evaluate(topic, payload, regex_test) == Verdict::Match
    }
}

impl fmt::Display for Expectation {
    /// `a message on "device/+/status" whose $.status equals "ok"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a message on {}", quote(&self.filter))?;
        for (i, condition) in self.conditions.iter().enumerate() {
            let joiner = if i == 0 { " whose" } else { " and" };
            write!(f, "{joiner} {}", condition.describe())?;
        }
        Ok(())
    }
}

/// A JSON string literal for `text` (quotes and escapes included).
pub fn quote(text: &str) -> String {
    Value::String(text.to_string()).to_string()
}

/// A value as compact JSON, shortened for messages.
fn compact(value: &Value) -> String {
    preview(&value.to_string())
}

/// `text` cut to [`PREVIEW_CHARS`] characters, with `…` when cut.
pub fn preview(text: &str) -> String {
    match text.char_indices().nth(PREVIEW_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
