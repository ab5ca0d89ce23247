//! Explaining why a connection ended: WebSocket close codes in words, and
//! the last operation sent just before an unexpected close.
//!
//! Brokers such as AWS IoT Core do not answer a forbidden SUBSCRIBE or
//! PUBLISH (or an unauthorised CONNECT) with an error: they close the
//! socket. The only clue is timing, so the session remembers the last
//! operation it sent and mentions it when the close follows within
//! [`LAST_OPERATION_WINDOW`].

use std::time::Duration;

use crate::codec::QoS;
use crate::time::Instant;

use super::events::CloseInfo;

/// How soon after an operation a close is blamed on it.
pub(crate) const LAST_OPERATION_WINDOW: Duration = Duration::from_secs(2);

/// One operation the broker might refuse by closing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Operation {
    Connect { client_id: String },
    Subscribe { filters: Vec<String> },
    Unsubscribe { filters: Vec<String> },
    Publish { topic: String, qos: QoS },
}

impl Operation {
    fn describe(&self) -> String {
        match self {
            Operation::Connect { client_id } => format!("CONNECT as client id `{client_id}`"),
            Operation::Subscribe { filters } => format!("SUBSCRIBE to {}", list(filters)),
            Operation::Unsubscribe { filters } => format!("UNSUBSCRIBE from {}", list(filters)),
            Operation::Publish { topic, qos } => {
                format!("PUBLISH to `{topic}` (QoS {})", *qos as u8)
            }
        }
    }

    fn hint(&self) -> &'static str {
        match self {
            Operation::Connect { .. } => {
                "the broker may not allow this client id or these credentials (AWS IoT: \
                 `iot:Connect` on the client id)"
            }
            Operation::Subscribe { .. } => {
                "the broker may not allow this subscription (AWS IoT: `iot:Subscribe` on the \
                 topic filter and `iot:Receive` on the topics)"
            }
            Operation::Unsubscribe { .. } => "the broker may have refused this UNSUBSCRIBE",
            Operation::Publish { .. } => {
                "the broker may not allow publishing to this topic (AWS IoT: `iot:Publish` on \
                 the topic), or the message may be too large"
            }
        }
    }
}

fn list(filters: &[String]) -> String {
    let mut s: String = filters
        .iter()
        .take(3)
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if filters.len() > 3 {
        s.push_str(&format!(" and {} more", filters.len() - 3));
    }
    s
}

/// The last operation sent and when.
#[derive(Debug, Clone, Default)]
pub(crate) struct LastOperation {
    last: Option<(Operation, Instant)>,
}

impl LastOperation {
    pub(crate) fn record(&mut self, op: Operation, now: Instant) {
        self.last = Some((op, now));
    }

    pub(crate) fn clear(&mut self) {
        self.last = None;
    }

    /// A sentence naming the operation if it was sent within the window
    /// before `now`; consumes it (one close, one blame).
    pub(crate) fn blame(&mut self, now: Instant) -> Option<String> {
        let (op, at) = self.last.take()?;
        let elapsed = now.saturating_duration_since(at);
        (elapsed <= LAST_OPERATION_WINDOW).then(|| {
            format!(
                "The connection closed {} ms after {}: {}.",
                elapsed.as_millis(),
                op.describe(),
                op.hint()
            )
        })
    }
}

/// A sentence for a socket close the session did not ask for.
pub(crate) fn describe_close(info: &CloseInfo) -> String {
    let what = if info.was_open {
        "the WebSocket closed"
    } else {
        "the WebSocket could not be opened"
    };
    let meaning = match info.code {
        1000 => "normal closure by the broker",
        1001 => "the broker is going away (restart or shutdown)",
        1002 => "WebSocket protocol error",
        1003 => "the broker cannot accept this kind of data",
        1005 => "no close code given",
        1006 if info.was_open => {
            "abnormal closure without a close frame: the network dropped or the broker closed \
             the connection abruptly"
        }
        1006 => {
            "the connection failed: check the URL, DNS, TLS, that the broker accepts WebSockets \
             on this path with the `mqtt` subprotocol, and (for signed URLs) that the \
             signature is valid and not expired"
        }
        1007 => "invalid data in a message",
        1008 => "policy violation: the broker refused this client",
        1009 => "a message was too big for the broker",
        1010 => "a required extension was not negotiated",
        1011 => "the broker hit an internal error",
        1012 => "the broker is restarting",
        1013 => "the broker is overloaded; try again later",
        1015 => "TLS handshake failed (certificate problem)",
        _ => "",
    };
    let mut s = format!("{what} (code {})", info.code);
    if !meaning.is_empty() {
        s.push_str(": ");
        s.push_str(meaning);
    }
    if !info.reason.is_empty() {
        s.push_str(&format!("; reason given: \"{}\"", info.reason));
    }
    s
}
