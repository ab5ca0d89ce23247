//! Broker profiles: the limits a broker enforces on top of the MQTT spec,
//! checked by the UI before sending so a user gets a clear message instead
//! of a dropped connection.
//!
//! [`Limits::MQTT`] is the spec itself; [`Limits::AWS_IOT`] is AWS IoT
//! Core's documented quotas (topic ≤ 256 bytes and ≤ 7 slashes, not
//! counting a Basic Ingest `$aws/rules/<rule>/` prefix; payload ≤ 128 KB;
//! ≤ 8 filters per SUBSCRIBE; client id ≤ 128 bytes; no QoS 2; keepalive
//! 30–1200 s).

use crate::codec::{Connect, Packet, Publish, QoS, Subscribe, Unsubscribe, MAX_REMAINING_LENGTH};
use crate::topic::{self, TopicError};
use std::fmt;

/// What a broker accepts. Build your own or use a preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Shown in messages, e.g. "AWS IoT Core".
    pub name: &'static str,
    /// Longest topic name or filter, in bytes of UTF-8.
    pub max_topic_len: usize,
    /// Most '/' in a topic name or filter; `None` for no limit.
    pub max_topic_slashes: Option<usize>,
    /// Whether a leading `$aws/rules/<rule>/` (Basic Ingest) is left out
    /// when counting topic bytes and slashes.
    pub basic_ingest_prefix_free: bool,
    /// Largest PUBLISH (or will) payload in bytes.
    pub max_payload_len: usize,
    /// Most topic filters in one SUBSCRIBE; `None` for no limit.
    pub max_filters_per_subscribe: Option<usize>,
    /// Longest client identifier in bytes.
    pub max_client_id_len: usize,
    /// Highest QoS the broker supports.
    pub max_qos: QoS,
    /// Accepted keepalive range in seconds, inclusive.
    pub keep_alive: (u16, u16),
}

/// The prefix AWS IoT Basic Ingest topics start with.
const BASIC_INGEST: &str = "$aws/rules/";

impl Limits {
    /// Only what the MQTT 3.1.1 spec itself imposes.
    pub const MQTT: Limits = Limits {
        name: "MQTT 3.1.1",
        max_topic_len: topic::MAX_TOPIC_LEN,
        max_topic_slashes: None,
        basic_ingest_prefix_free: false,
        max_payload_len: MAX_REMAINING_LENGTH,
        max_filters_per_subscribe: None,
        max_client_id_len: 65_535,
        max_qos: QoS::ExactlyOnce,
        keep_alive: (0, u16::MAX),
    };

    /// AWS IoT Core's message broker quotas.
    pub const AWS_IOT: Limits = Limits {
        name: "AWS IoT Core",
        max_topic_len: 256,
        max_topic_slashes: Some(7),
        basic_ingest_prefix_free: true,
        max_payload_len: 128 * 1024,
        max_filters_per_subscribe: Some(8),
        max_client_id_len: 128,
        max_qos: QoS::AtLeastOnce,
        keep_alive: (30, 1200),
    };

    /// The part of `topic` that counts against the size and slash limits.
    fn counted<'a>(&self, topic: &'a str) -> &'a str {
        if self.basic_ingest_prefix_free {
            if let Some(rest) = topic.strip_prefix(BASIC_INGEST) {
                if let Some(slash) = rest.find('/') {
                    return &rest[slash + 1..];
                }
            }
        }
        topic
    }

    fn check_topic_size(&self, topic: &str) -> Result<(), LimitError> {
        let counted = self.counted(topic);
        if counted.len() > self.max_topic_len {
            return Err(LimitError::TopicTooLong {
                profile: self.name,
                len: counted.len(),
                max: self.max_topic_len,
            });
        }
        if let Some(max) = self.max_topic_slashes {
            let count = counted.bytes().filter(|&b| b == b'/').count();
            if count > max {
                return Err(LimitError::TooManySlashes {
                    profile: self.name,
                    count,
                    max,
                });
            }
        }
        Ok(())
    }

    /// A topic to publish to: spec rules, then this profile's size limits.
    pub fn check_topic_name(&self, topic: &str) -> Result<(), LimitError> {
        topic::validate_topic_name(topic).map_err(LimitError::Topic)?;
        self.check_topic_size(topic)
    }

    /// A topic filter to subscribe to: spec rules, then size limits.
    pub fn check_topic_filter(&self, filter: &str) -> Result<(), LimitError> {
        topic::validate_topic_filter(filter).map_err(LimitError::Topic)?;
        self.check_topic_size(filter)
    }

    /// A payload size in bytes.
    pub fn check_payload_len(&self, len: usize) -> Result<(), LimitError> {
        if len > self.max_payload_len {
            return Err(LimitError::PayloadTooLarge {
                profile: self.name,
                len,
                max: self.max_payload_len,
            });
        }
        Ok(())
    }

    /// A QoS for a publish, will or subscription.
    pub fn check_qos(&self, qos: QoS) -> Result<(), LimitError> {
        if qos > self.max_qos {
            return Err(LimitError::QosNotSupported {
                profile: self.name,
                qos,
                max: self.max_qos,
            });
        }
        Ok(())
    }

    /// A client identifier.
    pub fn check_client_id(&self, client_id: &str) -> Result<(), LimitError> {
        if client_id.len() > self.max_client_id_len {
            return Err(LimitError::ClientIdTooLong {
                profile: self.name,
                len: client_id.len(),
                max: self.max_client_id_len,
            });
        }
        Ok(())
    }

    /// A keepalive in seconds.
    pub fn check_keep_alive(&self, seconds: u16) -> Result<(), LimitError> {
        let (min, max) = self.keep_alive;
        if seconds < min || seconds > max {
            return Err(LimitError::KeepAliveOutOfRange {
                profile: self.name,
                seconds,
                min,
                max,
            });
        }
        Ok(())
    }

    /// The number of filters in one SUBSCRIBE.
    pub fn check_filter_count(&self, count: usize) -> Result<(), LimitError> {
        if let Some(max) = self.max_filters_per_subscribe {
            if count > max {
                return Err(LimitError::TooManyFilters {
                    profile: self.name,
                    count,
                    max,
                });
            }
        }
        Ok(())
    }

    /// A PUBLISH: topic, payload size, QoS.
    pub fn check_publish(&self, publish: &Publish) -> Result<(), LimitError> {
        self.check_topic_name(&publish.topic)?;
        self.check_payload_len(publish.payload.len())?;
        self.check_qos(publish.qos.qos())
    }

    /// A SUBSCRIBE: filter count, each filter and its QoS.
    pub fn check_subscribe(&self, subscribe: &Subscribe) -> Result<(), LimitError> {
        self.check_filter_count(subscribe.filters.len())?;
        for f in &subscribe.filters {
            self.check_topic_filter(&f.filter)?;
            self.check_qos(f.qos)?;
        }
        Ok(())
    }

    /// An UNSUBSCRIBE: each filter.
    pub fn check_unsubscribe(&self, unsubscribe: &Unsubscribe) -> Result<(), LimitError> {
        unsubscribe
            .filters
            .iter()
            .try_for_each(|f| self.check_topic_filter(f))
    }

    /// A CONNECT: client id, keepalive, will.
    pub fn check_connect(&self, connect: &Connect) -> Result<(), LimitError> {
        self.check_client_id(&connect.client_id)?;
        self.check_keep_alive(connect.keep_alive)?;
        if let Some(will) = &connect.will {
            self.check_topic_name(&will.topic)?;
            self.check_payload_len(will.payload.len())?;
            self.check_qos(will.qos)?;
        }
        Ok(())
    }

    /// Any outgoing packet (packets without limits always pass).
    pub fn check_packet(&self, packet: &Packet) -> Result<(), LimitError> {
        match packet {
            Packet::Connect(c) => self.check_connect(c),
            Packet::Publish(p) => self.check_publish(p),
            Packet::Subscribe(s) => self.check_subscribe(s),
            Packet::Unsubscribe(u) => self.check_unsubscribe(u),
            _ => Ok(()),
        }
    }
}

/// Why a value breaks the spec or a broker profile's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitError {
    /// The topic breaks the MQTT topic rules (§4.7).
    Topic(TopicError),
    /// The topic is longer than the profile allows.
    TopicTooLong {
        profile: &'static str,
        len: usize,
        max: usize,
    },
    /// The topic has more '/' than the profile allows.
    TooManySlashes {
        profile: &'static str,
        count: usize,
        max: usize,
    },
    /// The payload is larger than the profile allows.
    PayloadTooLarge {
        profile: &'static str,
        len: usize,
        max: usize,
    },
    /// The SUBSCRIBE has more filters than the profile allows.
    TooManyFilters {
        profile: &'static str,
        count: usize,
        max: usize,
    },
    /// The client id is longer than the profile allows.
    ClientIdTooLong {
        profile: &'static str,
        len: usize,
        max: usize,
    },
    /// The QoS is higher than the broker supports.
    QosNotSupported {
        profile: &'static str,
        qos: QoS,
        max: QoS,
    },
    /// The keepalive is outside the broker's range.
    KeepAliveOutOfRange {
        profile: &'static str,
        seconds: u16,
        min: u16,
        max: u16,
    },
}

impl LimitError {
    /// A stable snake_case name for tests and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            LimitError::Topic(e) => e.kind(),
            LimitError::TopicTooLong { .. } => "topic_too_long",
            LimitError::TooManySlashes { .. } => "too_many_slashes",
            LimitError::PayloadTooLarge { .. } => "payload_too_large",
            LimitError::TooManyFilters { .. } => "too_many_filters",
            LimitError::ClientIdTooLong { .. } => "client_id_too_long",
            LimitError::QosNotSupported { .. } => "qos_not_supported",
            LimitError::KeepAliveOutOfRange { .. } => "keep_alive_out_of_range",
        }
    }
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitError::Topic(e) => e.fmt(f),
            LimitError::TopicTooLong { profile, len, max } => write!(
                f,
                "{profile} accepts topics of at most {max} bytes; this one is {len} bytes"
            ),
            LimitError::TooManySlashes { profile, count, max } => write!(
                f,
                "{profile} accepts at most {max} '/' in a topic ({} levels); this one has {count}",
                max + 1
            ),
            LimitError::PayloadTooLarge { profile, len, max } => write!(
                f,
                "{profile} accepts payloads of at most {max} bytes; this one is {len} bytes"
            ),
            LimitError::TooManyFilters { profile, count, max } => write!(
                f,
                "{profile} accepts at most {max} topic filters per subscription request; this one has {count}"
            ),
            LimitError::ClientIdTooLong { profile, len, max } => write!(
                f,
                "{profile} accepts client ids of at most {max} bytes; this one is {len} bytes"
            ),
            LimitError::QosNotSupported { profile, qos, max } => write!(
                f,
                "{profile} does not support QoS {}; the highest it accepts is QoS {}",
                *qos as u8, *max as u8
            ),
            LimitError::KeepAliveOutOfRange { profile, seconds, min, max } => write!(
                f,
                "{profile} accepts a keepalive between {min} and {max} seconds; {seconds} is outside that range"
            ),
        }
    }
}

impl std::error::Error for LimitError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_topic_limits() {
        let aws = Limits::AWS_IOT;
        assert_eq!(aws.check_topic_name("a/b/c/d/e/f/g/h"), Ok(())); // 7 slashes
        let e = aws.check_topic_name("a/b/c/d/e/f/g/h/i").unwrap_err();
        assert_eq!(
            e,
            LimitError::TooManySlashes {
                profile: "AWS IoT Core",
                count: 8,
                max: 7
            }
        );
        assert_eq!(
            e.to_string(),
            "AWS IoT Core accepts at most 7 '/' in a topic (8 levels); this one has 8"
        );
        // The Basic Ingest prefix does not count.
        assert_eq!(
            aws.check_topic_name("$aws/rules/myRule/a/b/c/d/e/f/g/h"),
            Ok(())
        );
        let long = "x".repeat(256);
        assert_eq!(aws.check_topic_name(&long), Ok(()));
        assert_eq!(
            aws.check_topic_name(&format!("$aws/rules/r/{long}")),
            Ok(())
        );
        assert_eq!(
            aws.check_topic_name(&format!("{long}x"))
                .unwrap_err()
                .kind(),
            "topic_too_long"
        );
        assert_eq!(aws.check_topic_filter("a/+/#"), Ok(()));
        assert_eq!(
            aws.check_topic_filter("a/b+").unwrap_err().kind(),
            "single_level_wildcard_not_alone"
        );
        assert_eq!(Limits::MQTT.check_topic_name("a/b/c/d/e/f/g/h/i/j"), Ok(()));
    }

    #[test]
    fn aws_other_limits() {
        let aws = Limits::AWS_IOT;
        assert_eq!(aws.check_payload_len(131_072), Ok(()));
        assert_eq!(
            aws.check_payload_len(131_073).unwrap_err().kind(),
            "payload_too_large"
        );
        assert_eq!(aws.check_filter_count(8), Ok(()));
        assert_eq!(
            aws.check_filter_count(9).unwrap_err().kind(),
            "too_many_filters"
        );
        assert_eq!(aws.check_client_id(&"c".repeat(128)), Ok(()));
        assert_eq!(
            aws.check_client_id(&"c".repeat(129)).unwrap_err().kind(),
            "client_id_too_long"
        );
        assert_eq!(aws.check_qos(QoS::AtLeastOnce), Ok(()));
        let e = aws.check_qos(QoS::ExactlyOnce).unwrap_err();
        assert_eq!(
            e.to_string(),
            "AWS IoT Core does not support QoS 2; the highest it accepts is QoS 1"
        );
        assert_eq!(aws.check_keep_alive(30), Ok(()));
        assert_eq!(aws.check_keep_alive(1200), Ok(()));
        assert_eq!(
            aws.check_keep_alive(29).unwrap_err().kind(),
            "keep_alive_out_of_range"
        );
        assert_eq!(
            aws.check_keep_alive(0).unwrap_err().kind(),
            "keep_alive_out_of_range"
        );
        assert_eq!(Limits::MQTT.check_keep_alive(0), Ok(()));
        assert_eq!(Limits::MQTT.check_qos(QoS::ExactlyOnce), Ok(()));
    }
}
