//! Turns session events into UI state changes.

use super::log::LogCore;
use super::state::{AppState, ConnectionStatus, NoticeLevel, SubscriptionStatus};
use crate::session::Event;
use leptos::prelude::*;

/// Applies one session event to the UI state; `log` is the message log's
/// data (looked up once by the caller, not per message).
pub fn apply(state: AppState, log: Option<&LogCore>, event: Event) {
    super::automation::observe(&event);
    match event {
        Event::Connecting { attempt } => {
            state.status.set(ConnectionStatus::Connecting { attempt });
        }
        Event::Connected {
            session_present, ..
        } => {
            state.status.set(ConnectionStatus::Connected);
            let resumed = if session_present {
                " (session resumed)"
            } else {
                ""
            };
            state.notify(NoticeLevel::Info, format!("Connected{resumed}"));
        }
        Event::ConnectionRefused { explanation, .. } => {
            // The session is idle now; a retry (code 3) follows as ReconnectScheduled.
            state.status.set(ConnectionStatus::Disconnected);
            state.notify(NoticeLevel::Error, explanation);
        }
        Event::ConnectionLost {
            reason,
            last_operation,
        } => {
            let text = match last_operation {
                Some(operation) => format!("{reason} {operation}"),
                None => reason,
            };
            state.notify(NoticeLevel::Error, text);
        }
        Event::ReconnectScheduled { attempt, delay, .. } => {
            let delay_ms = delay.as_millis() as u64;
            state
                .status
                .set(ConnectionStatus::Reconnecting { attempt, delay_ms });
            state.notify(
                NoticeLevel::Info,
                format!(
                    "Reconnecting in {:.1} s (attempt {attempt})",
                    delay_ms as f64 / 1000.0
                ),
            );
        }
        Event::Disconnected => {
            state.status.set(ConnectionStatus::Disconnected);
            state.notify(NoticeLevel::Info, "Disconnected");
        }
        // Into the log's store; the view catches up on the next redraw.
        Event::Message(message) => {
            if message.retain {
                mark_retained(state, &message.topic);
            }
            if let Some(core) = log {
                state.log.ingest(core, &message);
            }
        }
        Event::SubscribeResult { filter, result, .. } => {
            let status = match result {
                Ok(qos) => SubscriptionStatus::Granted(qos),
                Err(reason) => {
                    state.notify(
                        NoticeLevel::Error,
                        format!("Subscribe to {filter} refused: {reason}"),
                    );
                    SubscriptionStatus::Rejected(reason)
                }
            };
            state.subscriptions.update(|rows| {
                if let Some(row) = rows.iter_mut().find(|row| row.filter == filter) {
                    row.status = status;
                }
            });
        }
        Event::Unsubscribed { .. } => {}
        // ConnectionLost follows with the same sentence.
        Event::DisconnectedByServer { .. } => {}
        Event::PublishAcknowledged { .. } | Event::PublishSent { .. } => {}
        Event::PublishDropped { reason, .. } => state.notify(NoticeLevel::Warning, reason),
        Event::ProtocolError { message } => state.notify(NoticeLevel::Error, message),
        Event::Warning { message } => state.notify(NoticeLevel::Warning, message),
    }
}

/// Marks the subscriptions a retained message came through.
fn mark_retained(state: AppState, topic: &str) {
    let fresh = state.subscriptions.with_untracked(|rows| {
        rows.iter()
            .any(|row| !row.retained_seen && crate::topic::matches(&row.filter, topic))
    });
    if fresh {
        state.subscriptions.update(|rows| {
            for row in rows.iter_mut() {
                if crate::topic::matches(&row.filter, topic) {
                    row.retained_seen = true;
                }
            }
        });
    }
}
