//! Device checks: "within 5 s of publishing X to T1, a message on T2 whose
//! `status` equals `ok` arrives".
//!
//! Pure Rust: the model a person edits in the checks panel or a test passes
//! to `mqttConsole.runChecks`, the bookkeeping while one check waits for its
//! message ([`Attempt`]), and the [`Report`]. The browser side (subscribe,
//! publish, timers) lives in `ui::automation`.
//!
//! A check runs like this: make sure the expectation's topic filter is
//! subscribed (waiting for the SUBACK), publish the optional message, then
//! watch incoming messages for `within_ms`. Only messages that arrive after
//! the publish count, and retained copies the broker replays because of a
//! subscription (RETAIN = 1) are ignored: a check is about what the device
//! does now, not what it said before.

use crate::matcher::{preview, Expectation, MessageSpec, Verdict};
use crate::topic;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// `within_ms` when a check does not say.
pub const DEFAULT_WITHIN_MS: u64 = 5_000;
/// The longest a single check may wait (ten minutes).
pub const MAX_WITHIN_MS: u64 = 600_000;

/// The optional message a check sends first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishStep {
    /// Topic name (no wildcards).
    pub topic: String,
    /// Payload text. In JSON input a non-string value (an object, a
    /// number…) is sent as its compact JSON text.
    #[serde(default, deserialize_with = "payload_text")]
    pub payload: String,
    /// 0, 1 or 2.
    #[serde(default)]
    pub qos: u8,
    #[serde(default)]
    pub retain: bool,
}

fn payload_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::String(text) => text,
        other => other.to_string(),
    })
}

/// One device check, as edited or passed to the API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Check {
    /// Shown in the report; "check N" when empty.
    #[serde(default)]
    pub name: String,
    /// Sent once the expectation's subscription is in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish: Option<PublishStep>,
    /// The message that must arrive.
    pub expect: MessageSpec,
    /// How long to wait after the publish (or the start), in milliseconds.
    #[serde(default = "default_within")]
    pub within_ms: u64,
}

fn default_within() -> u64 {
    DEFAULT_WITHIN_MS
}

/// A check that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledCheck {
    pub name: String,
    pub publish: Option<PublishStep>,
    pub expectation: Expectation,
    pub within_ms: u64,
}

impl Check {
    /// The name shown for the check at `index` (0-based).
    pub fn display_name(&self, index: usize) -> String {
        let name = self.name.trim();
        if name.is_empty() {
            format!("check {}", index + 1)
        } else {
            name.to_string()
        }
    }

    /// Validates topics, QoS, the expectation and the time limit.
    pub fn compile(&self, index: usize) -> Result<CompiledCheck, String> {
        let publish = match &self.publish {
            Some(step) => {
                let topic_name = step.topic.trim();
                topic::validate_topic_name(topic_name)
                    .map_err(|error| format!("cannot publish to `{topic_name}`: {error}"))?;
                if step.qos > 2 {
                    return Err(format!("publish QoS must be 0, 1 or 2, not {}", step.qos));
                }
                Some(PublishStep {
                    topic: topic_name.to_string(),
                    ..step.clone()
                })
            }
            None => None,
        };
        if self.within_ms == 0 || self.within_ms > MAX_WITHIN_MS {
            return Err(format!(
                "withinMs must be from 1 to {MAX_WITHIN_MS} milliseconds, not {}",
                self.within_ms
            ));
        }
        Ok(CompiledCheck {
            name: self.display_name(index),
            publish,
            expectation: Expectation::from_spec(&self.expect)?,
            within_ms: self.within_ms,
        })
    }
}

/// Reads a list of checks from JSON (what `runChecks` receives); the error
/// names the check and the field.
pub fn parse_checks(json: &str) -> Result<Vec<Check>, String> {
    let values: Vec<Value> = match serde_json::from_str::<Value>(json) {
        Ok(Value::Array(values)) => values,
        Ok(single @ Value::Object(_)) => vec![single],
        Ok(_) => return Err("runChecks expects an array of checks".into()),
        Err(error) => return Err(format!("the checks are not valid JSON: {error}")),
    };
    values
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            serde_json::from_value::<Check>(value)
                .map_err(|error| format!("check {}: {error}", index + 1))
        })
        .collect()
}

/// A message as a result quotes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seen {
    pub topic: String,
    /// The payload as text, cut to a readable length.
    pub payload: String,
}

impl Seen {
    fn new(topic: &str, payload: &[u8]) -> Seen {
        Seen {
            topic: topic.to_string(),
            payload: preview(&String::from_utf8_lossy(payload)),
        }
    }
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The expected message arrived in time.
    Passed,
    /// It did not (nothing arrived, or nothing that matched).
    Failed,
    /// The check could not run: invalid, not connected, subscription
    /// refused, publish refused.
    Error,
}

/// One check's line in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub name: String,
    pub outcome: Outcome,
    /// `outcome == Passed`, for convenience.
    pub passed: bool,
    /// From the publish (or the start) to the match or the time limit.
    pub elapsed_ms: u64,
    /// What arrived, or what did not, as a sentence.
    pub detail: String,
    /// What the expectation was, as a sentence.
    pub expected: String,
    /// The matching message (passed checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched: Option<Seen>,
    /// Messages on the expectation's topic that did not match.
    pub mismatches: u32,
    /// The last of them (failed checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_mismatch: Option<Seen>,
}

impl CheckResult {
    /// A check that could not run.
    pub fn error(
        name: impl Into<String>,
        expected: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        CheckResult {
            name: name.into(),
            outcome: Outcome::Error,
            passed: false,
            elapsed_ms: 0,
            detail: detail.into(),
            expected: expected.into(),
            matched: None,
            mismatches: 0,
            last_mismatch: None,
        }
    }
}

/// One check waiting for its message: offered every incoming message.
#[derive(Debug, Clone)]
pub struct Attempt {
    name: String,
    expectation: Expectation,
    within_ms: u64,
    matched: Option<Seen>,
    mismatches: u32,
    last_mismatch: Option<(Seen, String)>,
    retained_ignored: u32,
}

impl Attempt {
    /// Starts watching for `check`'s expectation.
    pub fn new(check: &CompiledCheck) -> Attempt {
        Attempt {
            name: check.name.clone(),
            expectation: check.expectation.clone(),
            within_ms: check.within_ms,
            matched: None,
            mismatches: 0,
            last_mismatch: None,
            retained_ignored: 0,
        }
    }

    /// The expectation, for the caller's regex compilation.
    pub fn expectation(&self) -> &Expectation {
        &self.expectation
    }

    /// Offers an incoming message; true once the expectation is met (later
    /// offers are ignored).
    pub fn offer(
        &mut self,
        topic: &str,
        payload: &[u8],
        retain: bool,
        regex_test: &dyn Fn(&str) -> bool,
    ) -> bool {
        if self.matched.is_some() {
            return true;
        }
        if !self.expectation.topic_matches(topic) {
            return false;
        }
        if retain {
            self.retained_ignored += 1;
            return false;
        }
        match self.expectation.evaluate(topic, payload, regex_test) {
            Verdict::Match => {
                self.matched = Some(Seen::new(topic, payload));
                true
            }
            Verdict::Mismatch(reason) => {
                self.mismatches += 1;
                self.last_mismatch = Some((Seen::new(topic, payload), reason));
                false
            }
            Verdict::OtherTopic => false,
        }
    }

    /// Whether the expectation has been met.
    pub fn is_met(&self) -> bool {
        self.matched.is_some()
    }

    /// The result once the match arrived (`elapsed_ms` after the publish)
    /// or the time limit passed.
    pub fn finish(self, elapsed_ms: u64) -> CheckResult {
        let expected = self.expectation.to_string();
        let filter = crate::matcher::quote(self.expectation.filter());
        let (outcome, detail) = match &self.matched {
            Some(seen) => (
                Outcome::Passed,
                format!(
                    "{} arrived on {} after {elapsed_ms} ms",
                    seen.payload,
                    crate::matcher::quote(&seen.topic)
                ),
            ),
            None => {
                let mut detail = match (&self.last_mismatch, self.mismatches) {
                    (None, _) => format!(
                        "no message arrived on {filter} within {} ms",
                        self.within_ms
                    ),
                    (Some((seen, reason)), count) => format!(
                        "{count} message{} arrived on {filter} within {} ms but none matched; \
                         the last, on {}, was {}: {reason}",
                        if count == 1 { "" } else { "s" },
                        self.within_ms,
                        crate::matcher::quote(&seen.topic),
                        seen.payload,
                    ),
                };
                if self.retained_ignored > 0 {
                    detail.push_str(&format!(
                        " ({} retained message{} ignored)",
                        self.retained_ignored,
                        if self.retained_ignored == 1 { "" } else { "s" }
                    ));
                }
                (Outcome::Failed, detail)
            }
        };
        CheckResult {
            name: self.name,
            passed: outcome == Outcome::Passed,
            outcome,
            elapsed_ms,
            detail,
            expected,
            matched: self.matched,
            mismatches: self.mismatches,
            last_mismatch: self.last_mismatch.map(|(seen, _)| seen),
        }
    }
}

/// The outcome of a run of checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Every check passed (and there was at least one).
    pub passed: bool,
    pub total: usize,
    pub passed_count: usize,
    pub failed_count: usize,
    pub error_count: usize,
    /// Wall time of the whole run.
    pub duration_ms: u64,
    /// One sentence: "2 of 3 checks passed".
    pub summary: String,
    pub results: Vec<CheckResult>,
}

impl Report {
    /// Totals and the summary for `results`.
    pub fn new(results: Vec<CheckResult>, duration_ms: u64) -> Report {
        let count = |outcome| results.iter().filter(|r| r.outcome == outcome).count();
        let passed_count = count(Outcome::Passed);
        let failed_count = count(Outcome::Failed);
        let error_count = count(Outcome::Error);
        let total = results.len();
        let noun = if total == 1 { "check" } else { "checks" };
        let mut summary = format!("{passed_count} of {total} {noun} passed");
        if failed_count > 0 {
            summary.push_str(&format!(", {failed_count} failed"));
        }
        if error_count > 0 {
            summary.push_str(&format!(", {error_count} could not run"));
        }
        Report {
            passed: total > 0 && passed_count == total,
            total,
            passed_count,
            failed_count,
            error_count,
            duration_ms,
            summary,
            results,
        }
    }
}

/// How the checks panel's "Match" select reads the value field.
pub const MATCH_KINDS: [(&str, &str); 4] = [
    ("any", "any message"),
    ("equals", "JSON value equals"),
    ("contains", "payload contains"),
    ("regex", "payload matches regex"),
];

/// One check as the panel edits it: every field is text, so a half-typed
/// form never loses what the person wrote. Stored as JSON in localStorage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CheckForm {
    pub name: String,
    pub publish_topic: String,
    pub publish_payload: String,
    pub publish_qos: String,
    pub expect_topic: String,
    /// One of the keys of [`MATCH_KINDS`].
    pub match_kind: String,
    /// For `equals`: the jsonPath (empty: the whole payload).
    pub json_path: String,
    /// `equals`: a JSON value (`ok` without quotes is taken as the string
    /// "ok"; empty means "the path exists"); `contains`: the text;
    /// `regex`: the pattern.
    pub value: String,
    pub within_ms: String,
}

impl Default for CheckForm {
    /// The example a new check starts from.
    fn default() -> Self {
        CheckForm {
            name: String::new(),
            publish_topic: "device/1/cmd".into(),
            publish_payload: r#"{"cmd": "status"}"#.into(),
            publish_qos: "1".into(),
            expect_topic: "device/1/status".into(),
            match_kind: "equals".into(),
            json_path: "$.status".into(),
            value: "ok".into(),
            within_ms: DEFAULT_WITHIN_MS.to_string(),
        }
    }
}

impl CheckForm {
    /// The check this form describes; the error names the field to fix.
    pub fn to_check(&self) -> Result<Check, String> {
        let within_ms = self.within_ms.trim().parse::<u64>().map_err(|_| {
            format!(
                "Within must be a whole number of milliseconds, not {}",
                crate::matcher::quote(self.within_ms.trim())
            )
        })?;
        let publish = if self.publish_topic.trim().is_empty() {
            None
        } else {
            let qos = match self.publish_qos.trim() {
                "" | "0" => 0,
                "1" => 1,
                "2" => 2,
                other => return Err(format!("publish QoS must be 0, 1 or 2, not {other}")),
            };
            Some(PublishStep {
                topic: self.publish_topic.trim().to_string(),
                payload: self.publish_payload.clone(),
                qos,
                retain: false,
            })
        };
        let mut expect = MessageSpec {
            topic: self.expect_topic.trim().to_string(),
            ..MessageSpec::default()
        };
        match self.match_kind.as_str() {
            "any" | "" => {}
            "contains" => expect.contains = Some(self.value.clone()),
            "regex" => expect.regex = Some(self.value.clone()),
            "equals" => {
                let path = self.json_path.trim();
                expect.json_path = Some(if path.is_empty() { "$" } else { path }.to_string());
                let value = self.value.trim();
                if !value.is_empty() {
                    expect.equals = Some(
                        serde_json::from_str(value)
                            .unwrap_or_else(|_| Value::String(value.to_string())),
                    );
                }
            }
            other => return Err(format!("unknown match kind {other}")),
        }
        Ok(Check {
            name: self.name.trim().to_string(),
            publish,
            expect,
            within_ms,
        })
    }
}
