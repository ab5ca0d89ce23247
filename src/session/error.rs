//! Errors returned synchronously by the session's commands.

use std::fmt;

/// Why a command was refused; the `Display` text is meant for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionError {
    /// The queue of messages waiting to be sent is full; this message was
    /// not accepted (nothing is dropped silently).
    QueueFull {
        /// The configured limit that was reached.
        limit: usize,
    },
    /// The topic name cannot be published to.
    InvalidTopic {
        /// The topic as given.
        topic: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A topic filter cannot be subscribed to.
    InvalidFilter {
        /// The filter as given.
        filter: String,
        /// Why it is invalid.
        reason: String,
    },
    /// SUBSCRIBE/UNSUBSCRIBE needs at least one filter.
    NoFilters,
    /// The connect options cannot work (see [`ConnectOptions::validate`](super::ConnectOptions::validate)).
    InvalidConnectOptions {
        /// Why.
        reason: String,
    },
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::QueueFull { limit } => write!(
                f,
                "the message was not accepted: {limit} messages are already waiting to be sent \
                 (offline queue limit). Wait until the connection is back or raise the limit."
            ),
            SessionError::InvalidTopic { topic, reason } => {
                write!(f, "cannot publish to topic `{topic}`: {reason}")
            }
            SessionError::InvalidFilter { filter, reason } => {
                write!(f, "invalid topic filter `{filter}`: {reason}")
            }
            SessionError::NoFilters => write!(f, "give at least one topic filter"),
            SessionError::InvalidConnectOptions { reason } => {
                write!(f, "cannot connect with these options: {reason}")
            }
        }
    }
}

impl std::error::Error for SessionError {}
