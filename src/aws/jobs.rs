//! The AWS IoT Jobs device MQTT API ("Jobs device MQTT API operations"):
//! topics, request documents, and the answers parsed, so the page can play
//! the device side of a job. Pure; hostile answers get a message.

use serde_json::{json, Value};

/// Answers bigger than this are not parsed (a job document is ≤ 32 KB).
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The statuses a device may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceStatus {
    InProgress,
    Succeeded,
    Failed,
    Rejected,
}

impl DeviceStatus {
    /// AWS's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceStatus::InProgress => "IN_PROGRESS",
            DeviceStatus::Succeeded => "SUCCEEDED",
            DeviceStatus::Failed => "FAILED",
            DeviceStatus::Rejected => "REJECTED",
        }
    }
}

/// Topics of one thing's jobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobsRef {
    pub thing: String,
}

impl JobsRef {
    fn base(&self) -> String {
        format!("$aws/things/{}/jobs", self.thing)
    }

    /// GetPendingJobExecutions.
    pub fn get_pending(&self) -> String {
        format!("{}/get", self.base())
    }

    /// StartNextPendingJobExecution.
    pub fn start_next(&self) -> String {
        format!("{}/start-next", self.base())
    }

    /// DescribeJobExecution (`$next` for the next pending one).
    pub fn describe(&self, job_id: &str) -> String {
        format!("{}/{job_id}/get", self.base())
    }

    /// UpdateJobExecution.
    pub fn update(&self, job_id: &str) -> String {
        format!("{}/{job_id}/update", self.base())
    }

    /// What the Jobs view subscribes to: every answer and both notify
    /// topics (`+` stands for the job id).
    pub fn answer_filters(&self) -> Vec<String> {
        let base = self.base();
        vec![
            format!("{base}/get/+"),
            format!("{base}/start-next/+"),
            format!("{base}/+/get/+"),
            format!("{base}/+/update/+"),
            format!("{base}/notify-next"),
            format!("{base}/notify"),
        ]
    }

    /// Which answer a received topic is.
    pub fn classify(&self, topic: &str) -> Option<Answer> {
        let rest = topic.strip_prefix(&self.base())?.strip_prefix('/')?;
        let levels: Vec<&str> = rest.split('/').collect();
        let ok = |answer: &str| match answer {
            "accepted" => Some(true),
            "rejected" => Some(false),
            _ => None,
        };
        Some(match levels.as_slice() {
            ["notify-next"] => Answer::NotifyNext,
            ["notify"] => Answer::Notify,
            ["get", a] => Answer::Pending { accepted: ok(a)? },
            ["start-next", a] => Answer::StartNext { accepted: ok(a)? },
            [job, "get", a] => Answer::Describe {
                job_id: job.to_string(),
                accepted: ok(a)?,
            },
            [job, "update", a] => Answer::Update {
                job_id: job.to_string(),
                accepted: ok(a)?,
            },
            _ => return None,
        })
    }
}

/// What a message on a jobs topic is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Pending { accepted: bool },
    StartNext { accepted: bool },
    Describe { job_id: String, accepted: bool },
    Update { job_id: String, accepted: bool },
    NotifyNext,
    Notify,
}

/// `{"clientToken": …}` for get-pending.
pub fn get_pending_request(client_token: &str) -> String {
    json!({ "clientToken": client_token }).to_string()
}

/// DescribeJobExecution with the job document.
pub fn describe_request(client_token: &str) -> String {
    json!({ "includeJobDocument": true, "clientToken": client_token }).to_string()
}

/// StartNextPendingJobExecution, optional status details (strings only).
pub fn start_next_request(details_text: &str, client_token: &str) -> Result<String, String> {
    let mut request = json!({ "clientToken": client_token });
    if let Some(details) = status_details(details_text)? {
        request["statusDetails"] = details;
    }
    Ok(request.to_string())
}

/// UpdateJobExecution to `status`, with optional status details and
/// expected version (AWS answers VersionMismatch if it is stale).
pub fn update_request(
    status: DeviceStatus,
    details_text: &str,
    expected_version: Option<u64>,
    client_token: &str,
) -> Result<String, String> {
    let mut request = json!({
        "status": status.as_str(),
        "includeJobExecutionState": true,
        "clientToken": client_token,
    });
    if let Some(details) = status_details(details_text)? {
        request["statusDetails"] = details;
    }
    if let Some(version) = expected_version {
        request["expectedVersion"] = json!(version);
    }
    Ok(request.to_string())
}

/// AWS's statusDetails: an object of string values, at most 10 entries.
fn status_details(text: &str) -> Result<Option<Value>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|error| format!("Status details are not JSON: {error}"))?;
    let map = value
        .as_object()
        .ok_or("Status details must be a JSON object of strings, e.g. {\"step\": \"2\"}.")?;
    if map.len() > 10 {
        return Err("AWS allows at most 10 status details.".into());
    }
    if !map.values().all(Value::is_string) {
        return Err("Status detail values must be strings.".into());
    }
    Ok(Some(value))
}

/// A job execution summary or execution as the view lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    pub job_id: String,
    pub status: Option<String>,
    pub version_number: Option<u64>,
    pub execution_number: Option<u64>,
    pub queued_at: Option<u64>,
    /// The job document (JSON), when the answer carries it.
    pub job_document: Option<Value>,
    pub status_details: Option<Value>,
}

impl Execution {
    fn from(value: &Value) -> Option<Execution> {
        Some(Execution {
            job_id: value.get("jobId")?.as_str()?.chars().take(64).collect(),
            status: value
                .get("status")
                .and_then(Value::as_str)
                .map(str::to_string),
            version_number: value.get("versionNumber").and_then(Value::as_u64),
            execution_number: value.get("executionNumber").and_then(Value::as_u64),
            queued_at: value.get("queuedAt").and_then(Value::as_u64),
            job_document: value.get("jobDocument").cloned(),
            status_details: value.get("statusDetails").cloned(),
        })
    }
}

/// A parsed jobs answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// get/accepted.
    Pending {
        in_progress: Vec<Execution>,
        queued: Vec<Execution>,
    },
    /// start-next, describe, notify-next: `None` when no job is pending.
    Execution(Option<Execution>),
    /// update/accepted: the new state.
    Updated {
        status: Option<String>,
        version_number: Option<u64>,
    },
    /// notify: the pending lists.
    Notify {
        in_progress: Vec<String>,
        queued: Vec<String>,
    },
    /// Any `/rejected`: AWS's error code (e.g. `VersionMismatch`,
    /// `InvalidStateTransition`, `ResourceNotFound`) and message.
    Rejected { code: String, message: String },
}

fn list(value: Option<&Value>) -> Vec<Execution> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .take(1000)
                .filter_map(Execution::from)
                .collect()
        })
        .unwrap_or_default()
}

fn ids(value: Option<&Value>) -> Vec<String> {
    list(value).into_iter().map(|e| e.job_id).collect()
}

/// Parses a message on a jobs topic.
pub fn parse(answer: &Answer, payload: &[u8]) -> Result<Parsed, String> {
    if payload.len() > MAX_ANSWER_BYTES {
        return Err(format!(
            "Not shown: {} bytes is more than a Jobs answer can be.",
            payload.len()
        ));
    }
    let value: Value = serde_json::from_slice(payload)
        .map_err(|error| format!("Not a Jobs answer: not JSON ({error})."))?;
    if !value.is_object() {
        return Err("Not a Jobs answer: not a JSON object.".into());
    }
    let rejected = matches!(
        answer,
        Answer::Pending { accepted: false }
            | Answer::StartNext { accepted: false }
            | Answer::Describe {
                accepted: false,
                ..
            }
            | Answer::Update {
                accepted: false,
                ..
            }
    );
    if rejected {
        let text = |key| {
            value
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .chars()
                .take(500)
                .collect::<String>()
        };
        return Ok(Parsed::Rejected {
            code: text("code"),
            message: text("message"),
        });
    }
    Ok(match answer {
        Answer::Pending { .. } => Parsed::Pending {
            in_progress: list(value.get("inProgressJobs")),
            queued: list(value.get("queuedJobs")),
        },
        Answer::StartNext { .. } | Answer::Describe { .. } | Answer::NotifyNext => {
            Parsed::Execution(value.get("execution").and_then(Execution::from))
        }
        Answer::Update { .. } => {
            let state = value.get("executionState");
            Parsed::Updated {
                status: state
                    .and_then(|s| s.get("status"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                version_number: state
                    .and_then(|s| s.get("versionNumber"))
                    .and_then(Value::as_u64),
            }
        }
        Answer::Notify => {
            let jobs = value.get("jobs");
            Parsed::Notify {
                in_progress: ids(jobs.and_then(|j| j.get("IN_PROGRESS"))),
                queued: ids(jobs.and_then(|j| j.get("QUEUED"))),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::rules::{check_reserved, Op};

    fn dev() -> JobsRef {
        JobsRef {
            thing: "dev-1".into(),
        }
    }

    #[test]
    fn topics_are_aws_reserved_topics() {
        let jobs = dev();
        for topic in [
            jobs.get_pending(),
            jobs.start_next(),
            jobs.describe("job-1"),
            jobs.describe("$next"),
            jobs.update("job-1"),
        ] {
            assert!(check_reserved(&topic, Op::Publish).is_ok(), "{topic}");
        }
        for filter in jobs.answer_filters() {
            assert!(check_reserved(&filter, Op::Subscribe).is_ok(), "{filter}");
        }
        assert_eq!(
            jobs.classify("$aws/things/dev-1/jobs/job-1/update/rejected"),
            Some(Answer::Update {
                job_id: "job-1".into(),
                accepted: false
            })
        );
        assert_eq!(
            jobs.classify("$aws/things/dev-1/jobs/notify-next"),
            Some(Answer::NotifyNext)
        );
        assert_eq!(jobs.classify("$aws/things/dev-1/jobs/get"), None);
        assert_eq!(jobs.classify("$aws/things/dev-2/jobs/notify"), None);
    }

    #[test]
    fn requests() {
        let update: Value = serde_json::from_str(
            &update_request(DeviceStatus::Failed, "{\"reason\": \"disk\"}", Some(2), "t").unwrap(),
        )
        .unwrap();
        assert_eq!(update["status"], "FAILED");
        assert_eq!(update["statusDetails"]["reason"], "disk");
        assert_eq!(update["expectedVersion"], 2);
        assert!(
            update_request(DeviceStatus::Succeeded, "{\"n\": 1}", None, "t")
                .unwrap_err()
                .contains("strings")
        );
        assert!(start_next_request("[]", "t")
            .unwrap_err()
            .contains("object"));
        let start: Value = serde_json::from_str(&start_next_request("", "t").unwrap()).unwrap();
        assert!(start.get("statusDetails").is_none());
        assert_eq!(DeviceStatus::InProgress.as_str(), "IN_PROGRESS");
    }

    // Shapes from AWS's "Jobs device MQTT API operations".
    #[test]
    fn parses_documented_answers() {
        let pending = br#"{"inProgressJobs":[{"jobId":"job-a","queuedAt":1489096123309,
            "lastUpdatedAt":1489096123309,"versionNumber":1,"executionNumber":1}],
            "queuedJobs":[{"jobId":"job-b","queuedAt":1489096123310,"versionNumber":1,"executionNumber":1}],
            "timestamp":1489096425069,"clientToken":"client-001"}"#;
        let Parsed::Pending {
            in_progress,
            queued,
        } = parse(&Answer::Pending { accepted: true }, pending).unwrap()
        else {
            panic!()
        };
        assert_eq!(in_progress[0].job_id, "job-a");
        assert_eq!(queued[0].queued_at, Some(1489096123310));
        let next = br#"{"timestamp":1489096425069,"execution":{"jobId":"job-b","status":"QUEUED",
            "queuedAt":1489096123310,"versionNumber":1,"executionNumber":1,
            "jobDocument":{"operation":"reboot"}}}"#;
        let Parsed::Execution(Some(execution)) = parse(&Answer::NotifyNext, next).unwrap() else {
            panic!()
        };
        assert_eq!(execution.job_document.unwrap()["operation"], "reboot");
        assert_eq!(
            parse(&Answer::NotifyNext, br#"{"timestamp":1}"#).unwrap(),
            Parsed::Execution(None)
        );
        let rejected = br#"{"code":"VersionMismatch","message":"Version mismatch","timestamp":1}"#;
        assert_eq!(
            parse(
                &Answer::Update {
                    job_id: "job-b".into(),
                    accepted: false
                },
                rejected
            )
            .unwrap(),
            Parsed::Rejected {
                code: "VersionMismatch".into(),
                message: "Version mismatch".into()
            }
        );
        let notify = br#"{"timestamp":1,"jobs":{"QUEUED":[{"jobId":"job-c","versionNumber":1}]}}"#;
        assert_eq!(
            parse(&Answer::Notify, notify).unwrap(),
            Parsed::Notify {
                in_progress: vec![],
                queued: vec!["job-c".into()]
            }
        );
        assert!(parse(&Answer::Notify, b"\xff")
            .unwrap_err()
            .contains("not JSON"));
        assert!(parse(&Answer::Notify, &vec![b' '; MAX_ANSWER_BYTES + 1]).is_err());
    }
}
