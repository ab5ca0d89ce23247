//! The Device Shadow service's MQTT side, as AWS documents it ("Device
//! Shadow service documents", "Device Shadow MQTT topics"): topics of
//! classic and named shadows, request documents, the answers parsed, and a
//! field-by-field diff of what changed. Pure, so the Shadow view stays thin.
//!
//! Answers come from the broker and may be anything: payloads over
//! [`MAX_DOCUMENT_BYTES`] or nested deeper than [`MAX_DEPTH`] are refused
//! with a message instead of parsed.

use serde_json::{json, Value};

/// AWS's shadow document limit is 8 KB of state; answers carry metadata
/// too, so a little more is accepted, and nothing near a 128 KB payload.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// AWS allows 6 levels of nesting in `desired`/`reported`; answers add
/// `state.desired` and metadata's `{timestamp}`: beyond this it is not a
/// shadow answer.
pub const MAX_DEPTH: usize = 10;

/// Which shadow of a thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShadowRef {
    pub thing: String,
    /// `None`: the classic (unnamed) shadow.
    pub name: Option<String>,
}

/// A shadow operation (the request topics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Get,
    Update,
    Delete,
}

impl Operation {
    fn level(self) -> &'static str {
        match self {
            Operation::Get => "get",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }
}

impl ShadowRef {
    /// `$aws/things/{thing}/shadow` or `…/shadow/name/{name}`.
    pub fn prefix(&self) -> String {
        match &self.name {
            None => format!("$aws/things/{}/shadow", self.thing),
            Some(name) => format!("$aws/things/{}/shadow/name/{name}", self.thing),
        }
    }

    /// The topic a request is published to.
    pub fn request_topic(&self, op: Operation) -> String {
        format!("{}/{}", self.prefix(), op.level())
    }

    /// Every topic the Shadow view subscribes to: the answers of the three
    /// requests, `update/delta` and `update/documents`.
    pub fn answer_filters(&self) -> Vec<String> {
        let prefix = self.prefix();
        let mut out = Vec::new();
        for op in ["get", "update", "delete"] {
            for answer in ["accepted", "rejected"] {
                out.push(format!("{prefix}/{op}/{answer}"));
            }
        }
        out.push(format!("{prefix}/update/delta"));
        out.push(format!("{prefix}/update/documents"));
        out
    }

    /// Which answer a received topic is, if it is one of this shadow's.
    pub fn classify(&self, topic: &str) -> Option<Answer> {
        let rest = topic.strip_prefix(&self.prefix())?.strip_prefix('/')?;
        Some(match rest {
            "get/accepted" => Answer::Accepted(Operation::Get),
            "update/accepted" => Answer::Accepted(Operation::Update),
            "delete/accepted" => Answer::Accepted(Operation::Delete),
            "get/rejected" => Answer::Rejected(Operation::Get),
            "update/rejected" => Answer::Rejected(Operation::Update),
            "delete/rejected" => Answer::Rejected(Operation::Delete),
            "update/delta" => Answer::Delta,
            "update/documents" => Answer::Documents,
            _ => return None,
        })
    }
}

/// What a message on an answer topic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accepted(Operation),
    Rejected(Operation),
    Delta,
    Documents,
}

/// `{}` for get and delete, with the client token.
pub fn empty_request(client_token: &str) -> String {
    json!({ "clientToken": client_token }).to_string()
}

/// An update of `desired` from the editor's text: it must be a JSON
/// object (or `null`, which clears `desired`); `version` makes the update
/// conditional (AWS answers 409 "Version conflict" if it is not current).
pub fn update_desired(
    desired_text: &str,
    client_token: &str,
    version: Option<u64>,
) -> Result<String, String> {
    let desired: Value = serde_json::from_str(desired_text).map_err(|error| {
        format!(
            "The desired state is not JSON (line {}, column {}): {error}",
            error.line(),
            error.column()
        )
    })?;
    if !(desired.is_object() || desired.is_null()) {
        return Err("The desired state must be a JSON object, e.g. {\"color\": \"red\"}.".into());
    }
    if depth(&desired) > 6 {
        return Err("AWS allows at most 6 levels of nesting in the desired state.".into());
    }
    let mut request = json!({ "state": { "desired": desired }, "clientToken": client_token });
    if let Some(version) = version {
        request["version"] = json!(version);
    }
    Ok(request.to_string())
}

fn depth(value: &Value) -> usize {
    match value {
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// A parsed answer document.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// `/accepted`, `/delta`: state (with `desired`/`reported`/`delta`, or
    /// the delta's fields), metadata, version, timestamp, client token.
    State(StateDoc),
    /// `update/documents`: previous and current, and what changed.
    Documents {
        previous: Option<StateDoc>,
        current: StateDoc,
        changes: Vec<Change>,
    },
    /// `/rejected`: AWS's error document.
    Rejected {
        code: u64,
        message: String,
        client_token: Option<String>,
    },
}

/// The parts of a shadow document the view shows.
#[derive(Debug, Clone, PartialEq)]
pub struct StateDoc {
    pub state: Value,
    pub metadata: Value,
    pub version: Option<u64>,
    pub timestamp: Option<u64>,
    pub client_token: Option<String>,
}

impl StateDoc {
    fn from(value: &Value) -> StateDoc {
        StateDoc {
            state: value.get("state").cloned().unwrap_or(Value::Null),
            metadata: value.get("metadata").cloned().unwrap_or(Value::Null),
            version: value.get("version").and_then(Value::as_u64),
            timestamp: value.get("timestamp").and_then(Value::as_u64),
            client_token: value
                .get("clientToken")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }

    /// The metadata timestamp of a field, `path` like
    /// `["desired", "color"]` (AWS records one per leaf field).
    pub fn field_timestamp(&self, path: &[&str]) -> Option<u64> {
        let mut at = &self.metadata;
        for key in path {
            at = at.get(key)?;
        }
        at.get("timestamp").and_then(Value::as_u64)
    }
}

/// Parses a message on an answer topic; hostile input gets a message.
pub fn parse(answer: Answer, payload: &[u8]) -> Result<Parsed, String> {
    if payload.len() > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "Not shown: {} bytes is more than a shadow answer can be ({} KiB at most here).",
            payload.len(),
            MAX_DOCUMENT_BYTES / 1024
        ));
    }
    let value: Value = serde_json::from_slice(payload)
        .map_err(|error| format!("Not a shadow document: not JSON ({error})."))?;
    if depth(&value) > MAX_DEPTH {
        return Err(format!(
            "Not a shadow document: nested deeper than {MAX_DEPTH} levels."
        ));
    }
    if !value.is_object() {
        return Err("Not a shadow document: not a JSON object.".into());
    }
    Ok(match answer {
        Answer::Rejected(_) => Parsed::Rejected {
            code: value.get("code").and_then(Value::as_u64).unwrap_or(0),
            message: value
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("(no message)")
                .chars()
                .take(500)
                .collect(),
            client_token: value
                .get("clientToken")
                .and_then(Value::as_str)
                .map(str::to_string),
        },
        Answer::Documents => {
            let current = value
                .get("current")
                .map(StateDoc::from)
                .ok_or("Not an update/documents message: no \"current\".")?;
            let previous = value.get("previous").map(StateDoc::from);
            let changes = diff(
                previous.as_ref().map_or(&Value::Null, |p| &p.state),
                &current.state,
            );
            Parsed::Documents {
                previous,
                current,
                changes,
            }
        }
        Answer::Accepted(_) | Answer::Delta => Parsed::State(StateDoc::from(&value)),
    })
}

/// One changed leaf (`desired.color`).
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Added(String),
    Removed(String),
    Changed(String),
}

/// Field-by-field differences from `before` to `after`, paths joined with
/// `.`, in key order; objects are walked, other values compared whole.
pub fn diff(before: &Value, after: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    walk("", before, after, &mut out);
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn walk(path: &str, before: &Value, after: &Value, out: &mut Vec<Change>) {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let at = join(path, key);
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => walk(&at, x, y, out),
                    (None, Some(y)) => added(&at, y, out),
                    (Some(_), None) => out.push(Change::Removed(at)),
                    (None, None) => {}
                }
            }
        }
        (x, y) if x != y => out.push(Change::Changed(path.to_string())),
        _ => {}
    }
}

/// A new field: each leaf of a new object is listed as added.
fn added(path: &str, value: &Value, out: &mut Vec<Change>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                added(&join(path, key), child, out);
            }
        }
        _ => out.push(Change::Added(path.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lamp() -> ShadowRef {
        ShadowRef {
            thing: "lamp".into(),
            name: None,
        }
    }

    #[test]
    fn topics_of_classic_and_named_shadows() {
        assert_eq!(
            lamp().request_topic(Operation::Update),
            "$aws/things/lamp/shadow/update"
        );
        let named = ShadowRef {
            thing: "lamp".into(),
            name: Some("config".into()),
        };
        assert_eq!(
            named.request_topic(Operation::Get),
            "$aws/things/lamp/shadow/name/config/get"
        );
        let filters = named.answer_filters();
        assert_eq!(filters.len(), 8);
        for filter in &filters {
            assert!(
                crate::aws::rules::check_reserved(filter, crate::aws::rules::Op::Subscribe).is_ok(),
                "{filter}"
            );
            assert!(named.classify(filter).is_some(), "{filter}");
            assert!(lamp().classify(filter).is_none(), "{filter}");
        }
        assert_eq!(
            lamp().classify("$aws/things/lamp/shadow/update/delta"),
            Some(Answer::Delta)
        );
        assert_eq!(lamp().classify("$aws/things/lamp/shadow/update"), None);
    }

    #[test]
    fn update_requests() {
        let text = update_desired("{\"color\": \"red\"}", "tok-1", Some(3)).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["state"]["desired"]["color"], "red");
        assert_eq!(value["clientToken"], "tok-1");
        assert_eq!(value["version"], 3);
        let cleared: Value =
            serde_json::from_str(&update_desired("null", "t", None).unwrap()).unwrap();
        assert!(cleared["state"]["desired"].is_null());
        assert!(cleared.get("version").is_none());
        assert!(update_desired("[1]", "t", None)
            .unwrap_err()
            .contains("object"));
        assert!(update_desired("{\"a\":", "t", None)
            .unwrap_err()
            .contains("not JSON"));
        let deep = "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":1}}}}}}}";
        assert!(update_desired(deep, "t", None)
            .unwrap_err()
            .contains("6 levels"));
        assert_eq!(empty_request("x"), "{\"clientToken\":\"x\"}");
    }

    // AWS's documented examples (Device Shadow service documents).
    const ACCEPTED: &str = r#"{"state":{"desired":{"color":"RED","sequence":["RED","GREEN","BLUE"]}},
        "metadata":{"desired":{"color":{"timestamp":12345},"sequence":{"timestamp":12345}}},
        "version":10,"clientToken":"UniqueClientToken","timestamp":123456789}"#;
    const REJECTED: &str = r#"{"code":409,"message":"Version conflict","timestamp":1401918518,
        "clientToken":"token1234"}"#;
    const DOCUMENTS: &str = r#"{"previous":{"state":{"desired":{"color":"red"},"reported":{"color":"red"}},
        "metadata":{"desired":{"color":{"timestamp":1}},"reported":{"color":{"timestamp":1}}},"version":1},
        "current":{"state":{"desired":{"color":"green","mode":"eco"},"reported":{}},
        "metadata":{"desired":{"color":{"timestamp":2},"mode":{"timestamp":2}}},"version":2},
        "timestamp":2,"clientToken":"t"}"#;

    #[test]
    fn parses_aws_documented_answers() {
        let Parsed::State(doc) =
            parse(Answer::Accepted(Operation::Update), ACCEPTED.as_bytes()).unwrap()
        else {
            panic!("not a state")
        };
        assert_eq!(doc.version, Some(10));
        assert_eq!(doc.client_token.as_deref(), Some("UniqueClientToken"));
        assert_eq!(doc.field_timestamp(&["desired", "color"]), Some(12345));
        assert_eq!(doc.field_timestamp(&["reported", "color"]), None);
        assert_eq!(
            parse(Answer::Rejected(Operation::Update), REJECTED.as_bytes()).unwrap(),
            Parsed::Rejected {
                code: 409,
                message: "Version conflict".into(),
                client_token: Some("token1234".into())
            }
        );
        let Parsed::Documents {
            previous,
            current,
            changes,
        } = parse(Answer::Documents, DOCUMENTS.as_bytes()).unwrap()
        else {
            panic!("not documents")
        };
        assert_eq!(previous.unwrap().version, Some(1));
        assert_eq!(current.version, Some(2));
        assert_eq!(
            changes,
            vec![
                Change::Changed("desired.color".into()),
                Change::Added("desired.mode".into()),
                Change::Removed("reported.color".into()),
            ]
        );
    }

    #[test]
    fn hostile_answers_get_a_message() {
        let answer = Answer::Accepted(Operation::Get);
        assert!(parse(answer, b"not json").unwrap_err().contains("not JSON"));
        assert!(parse(answer, b"[1,2]").unwrap_err().contains("object"));
        let huge = vec![b' '; MAX_DOCUMENT_BYTES + 1];
        assert!(parse(answer, &huge).unwrap_err().contains("more than"));
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse(answer, deep.as_bytes()).is_err());
        assert!(parse(Answer::Documents, b"{}")
            .unwrap_err()
            .contains("current"));
    }
}
